/*
 * test_values.c -- attribute vocabularies (Chinese and English) and dates.
 */
#include "testutil.h"

#include <greenmine/context.h>
#include <greenmine/model.h>

/* fn(text) returns status and sets its `type` output to expected. */
#define PARSES(type, fn, text, status, expected)                                                   \
    do {                                                                                           \
        type out_;                                                                                 \
        assert_int_equal(fn(text, &out_), status);                                                 \
        assert_int_equal(out_, expected);                                                          \
    } while (0)

static void test_scale(void **state)
{
    (void)state;
    PARSES(gm_scale, gm_parse_scale, "大型", GM_OK, GM_SCALE_LARGE);
    PARSES(gm_scale, gm_parse_scale, " Large ", GM_OK, GM_SCALE_LARGE);
    PARSES(gm_scale, gm_parse_scale, "中型", GM_OK, GM_SCALE_MEDIUM);
    PARSES(gm_scale, gm_parse_scale, "MEDIUM", GM_OK, GM_SCALE_MEDIUM);
    PARSES(gm_scale, gm_parse_scale, "小型", GM_OK, GM_SCALE_SMALL);
    PARSES(gm_scale, gm_parse_scale, "", GM_OK, GM_SCALE_UNKNOWN);
    PARSES(gm_scale, gm_parse_scale, NULL, GM_OK, GM_SCALE_UNKNOWN);
    PARSES(gm_scale, gm_parse_scale, "巨型", GM_ERR_FIELD, GM_SCALE_UNKNOWN);
    /* the ideographic space around a value is ignored */
    PARSES(gm_scale, gm_parse_scale, "\xe3\x80\x80中型\xe3\x80\x80", GM_OK, GM_SCALE_MEDIUM);
}

static void test_parcel_kind_and_status(void **state)
{
    (void)state;
    gm_parcel_kind k;
    PARSES(gm_parcel_kind, gm_parse_parcel_kind, "恢复治理", GM_OK, GM_RESTORATION);
    PARSES(gm_parcel_kind, gm_parse_parcel_kind, "Restoration", GM_OK, GM_RESTORATION);
    PARSES(gm_parcel_kind, gm_parse_parcel_kind, "土地复垦", GM_OK, GM_RECLAMATION);
    PARSES(gm_parcel_kind, gm_parse_parcel_kind, "reclamation", GM_OK, GM_RECLAMATION);
    assert_int_equal(gm_parse_parcel_kind("绿化", &k), GM_ERR_FIELD);
    PARSES(gm_parcel_status, gm_parse_parcel_status, "已完成", GM_OK, GM_PARCEL_COMPLETED);
    PARSES(gm_parcel_status, gm_parse_parcel_status, "completed", GM_OK, GM_PARCEL_COMPLETED);
    PARSES(gm_parcel_status, gm_parse_parcel_status, "在建", GM_OK, GM_PARCEL_IN_PROGRESS);
    PARSES(gm_parcel_status, gm_parse_parcel_status, "in_progress", GM_OK, GM_PARCEL_IN_PROGRESS);
    PARSES(gm_parcel_status, gm_parse_parcel_status, "规划", GM_OK, GM_PARCEL_PLANNED);
    PARSES(gm_parcel_status, gm_parse_parcel_status, "planned", GM_OK, GM_PARCEL_PLANNED);
}

static void test_mine_status_and_industry(void **state)
{
    (void)state;
    gm_industry in;
    PARSES(gm_mine_status, gm_parse_mine_status, "闭坑", GM_OK, GM_MINE_CLOSED);
    PARSES(gm_mine_status, gm_parse_mine_status, "producing", GM_OK, GM_MINE_PRODUCING);
    PARSES(gm_mine_status, gm_parse_mine_status, "新建", GM_OK, GM_MINE_NEW);
    const char *zh[] = {"煤炭",   "有色金属", "黑色金属", "贵金属", "化工",
                        "非金属", "砂石",     "水泥",     "石材"};
    const char *en[] = {"coal",     "nonferrous",  "ferrous", "precious", "chemical",
                        "nonmetal", "sand_gravel", "cement",  "stone"};
    for (int i = 0; i < 9; i++) {
        gm_industry a, b;
        assert_int_equal(gm_parse_industry(zh[i], &a), GM_OK);
        assert_int_equal(gm_parse_industry(en[i], &b), GM_OK);
        assert_int_equal(a, b);
        assert_int_equal(a, GM_INDUSTRY_COAL + i);
    }
    assert_int_equal(gm_parse_industry("oil", &in), GM_ERR_FIELD);
}

static void test_flags(void **state)
{
    (void)state;
    const char *yes[] = {"1", "true", "TRUE", "是", "yes", "Y"};
    const char *no[] = {"0", "false", "否", "no", "N"};
    gm_flag f;
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        assert_int_equal(gm_parse_flag(yes[i], &f), GM_OK);
        assert_int_equal(f, GM_FLAG_YES);
    }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        assert_int_equal(gm_parse_flag(no[i], &f), GM_OK);
        assert_int_equal(f, GM_FLAG_NO);
    }
    PARSES(gm_flag, gm_parse_flag, "maybe", GM_ERR_FIELD, GM_FLAG_UNKNOWN);
    PARSES(gm_flag, gm_parse_flag, "", GM_OK, GM_FLAG_UNKNOWN);
}

static void test_dates(void **state)
{
    (void)state;
    int d;
    PARSES(int, gm_parse_date, "2020-12-31", GM_OK, 20201231);
    assert_int_equal(gm_parse_date("2016/01/01", &d), GM_OK); /* OGR's Date fields */
    assert_int_equal(d, 20160101);
    PARSES(int, gm_parse_date, "2018/06/30 00:00:00", GM_OK, 20180630);
    PARSES(int, gm_parse_date, "2018-6-3", GM_OK, 20180603);
    PARSES(int, gm_parse_date, "20190415", GM_OK, 20190415);
    PARSES(int, gm_parse_date, "2018年6月30日", GM_OK, 20180630);
    assert_int_equal(gm_parse_date("2020-02-29", &d), GM_OK); /* leap year */
    assert_int_equal(d, 20200229);
    PARSES(int, gm_parse_date, "2019-02-29", GM_ERR_FIELD, 0);
    PARSES(int, gm_parse_date, "2100-02-29", GM_ERR_FIELD, 0); /* century, not leap */
    PARSES(int, gm_parse_date, "2000-02-29", GM_OK, 20000229); /* 400-year leap */
    assert_int_equal(gm_parse_date("2019-13-01", &d), GM_ERR_FIELD);
    assert_int_equal(gm_parse_date("31/12/2020", &d), GM_ERR_FIELD);
    assert_int_equal(gm_parse_date("soon", &d), GM_ERR_FIELD);
    PARSES(int, gm_parse_date, "", GM_OK, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scale),
        cmocka_unit_test(test_parcel_kind_and_status),
        cmocka_unit_test(test_mine_status_and_industry),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
