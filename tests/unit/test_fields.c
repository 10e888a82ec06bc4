/*
 * test_fields.c -- canonical names, Chinese and pinyin aliases, --field.
 */
#include "testutil.h"

#include "core/context_impl.h"
#include "io/fields.h"

#include <greenmine/context.h>

static gm_context *ctx;

static int setup(void **state)
{
    (void)state;
    return gm_context_new(&ctx) == GM_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    gm_context_free(ctx);
    return 0;
}

static void test_chinese_aliases(void **state)
{
    (void)state;
    const char *names[] = {"面积", "许可证号", "矿山名称", "开采矿种",
                           "行业", "规模",     "状态",     "绿色矿山"};
    int idx[GM_MAX_FIELDS];
    assert_int_equal(gm_fields_resolve(ctx, GM_LAYER_MINES, names, 8, NULL, 0, idx), GM_OK);
    assert_int_equal(idx[GM_F_MINE_ID], 1);
    assert_int_equal(idx[GM_F_MINE_NAME], 2);
    assert_int_equal(idx[GM_F_MINERAL], 3);
    assert_int_equal(idx[GM_F_INDUSTRY], 4);
    assert_int_equal(idx[GM_F_SCALE], 5);
    assert_int_equal(idx[GM_F_MINE_STATUS], 6);
    assert_int_equal(idx[GM_F_GREEN], 7);
}

static void test_pinyin_aliases_any_case(void **state)
{
    (void)state;
    const char *names[] = {"tbbh", "Lx", "ZT", "wcrq", "LSYL"};
    int idx[GM_MAX_FIELDS];
    assert_int_equal(gm_fields_resolve(ctx, GM_LAYER_PARCELS, names, 5, NULL, 0, idx), GM_OK);
    for (int i = 0; i < 5; i++)
        assert_int_equal(idx[i], i);
}

static void test_canonical_preferred_over_alias(void **state)
{
    (void)state;
    const char *names[] = {"KSBH", "MINE_ID", "scale"};
    int idx[GM_MAX_FIELDS];
    assert_int_equal(gm_fields_resolve(ctx, GM_LAYER_MINES, names, 3, NULL, 0, idx), GM_OK);
    assert_int_equal(idx[GM_F_MINE_ID], 1);
    assert_int_equal(idx[GM_F_MINE_NAME], -1);
}

static void test_override(void **state)
{
    (void)state;
    const char *names[] = {"LICENCE", "SIZE_CLASS"};
    const char *over[] = {"mines.mine_id=licence", "mines.scale=SIZE_CLASS",
                          "parcels.kind=whatever"}; /* other layers' are ignored */
    int idx[GM_MAX_FIELDS];
    assert_int_equal(gm_fields_resolve(ctx, GM_LAYER_MINES, names, 2, over, 3, idx), GM_OK);
    assert_int_equal(idx[GM_F_MINE_ID], 0);
    assert_int_equal(idx[GM_F_SCALE], 1);
}

static void test_missing_required_field_is_named(void **state)
{
    (void)state;
    const char *names[] = {"TBBH", "LX", "ZT", "LSYL"};
    int idx[GM_MAX_FIELDS];
    assert_int_equal(gm_fields_resolve(ctx, GM_LAYER_PARCELS, names, 4, NULL, 0, idx),
                     GM_ERR_FIELD);
    assert_non_null(strstr(gm_context_errmsg(ctx), "completed_on"));
    assert_non_null(strstr(gm_context_errmsg(ctx), "完成日期"));
    assert_non_null(strstr(gm_context_errmsg(ctx), "--field parcels.completed_on="));
}

static void test_bad_overrides(void **state)
{
    (void)state;
    const char *names[] = {"XKZH", "GM"};
    int idx[GM_MAX_FIELDS];
    const char *malformed[] = {"mines.mine_id"};
    assert_int_equal(gm_fields_resolve(ctx, GM_LAYER_MINES, names, 2, malformed, 1, idx),
                     GM_ERR_USAGE);
    const char *unknown[] = {"mines.colour=XKZH"};
    assert_int_equal(gm_fields_resolve(ctx, GM_LAYER_MINES, names, 2, unknown, 1, idx),
                     GM_ERR_USAGE);
    assert_non_null(strstr(gm_context_errmsg(ctx), "colour"));
    const char *absent[] = {"mines.mine_id=NOPE"};
    assert_int_equal(gm_fields_resolve(ctx, GM_LAYER_MINES, names, 2, absent, 1, idx),
                     GM_ERR_FIELD);
    assert_non_null(strstr(gm_context_errmsg(ctx), "NOPE"));
}

/* The loader's words go in front of the resolver's message (gm_error_prefix),
 * the code is kept, and a message that no longer fits is cut at the end. */
static void test_message_prefix(void **state)
{
    (void)state;
    const char *names[] = {"x"};
    const char *bad[] = {"mines"};
    int idx[GM_MAX_FIELDS];
    assert_int_equal(gm_fields_resolve(ctx, GM_LAYER_MINES, names, 1, bad, 1, idx), GM_ERR_USAGE);
    assert_int_equal(gm_error_prefix(ctx, "%s (layer %s): ", "m.shp", "mines"), GM_ERR_USAGE);
    assert_string_equal(gm_context_errmsg(ctx), "m.shp (layer mines): --field mines: expected "
                                                "LAYER.FIELD=SOURCE, e.g. mines.mine_id=XKZH");
    char longer[1100];
    memset(longer, 'p', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    gm_error_prefix(ctx, "%s", longer);
    assert_int_equal(strlen(gm_context_errmsg(ctx)), 1023);
    assert_int_equal(gm_context_errcode(ctx), GM_ERR_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chinese_aliases),
        cmocka_unit_test(test_pinyin_aliases_any_case),
        cmocka_unit_test(test_canonical_preferred_over_alias),
        cmocka_unit_test(test_override),
        cmocka_unit_test(test_missing_required_field_is_named),
        cmocka_unit_test(test_bad_overrides),
        cmocka_unit_test(test_message_prefix),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
