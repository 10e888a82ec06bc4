/*
 * test_values.c -- attribute vocabularies (Chinese and English) and dates.
 */
#include "testutil.h"

#include <greenmine/context.h>
#include <greenmine/model.h>

static void test_scale(void **state)
{
    (void)state;
    gm_scale s;
    assert_int_equal(gm_parse_scale("大型", &s), GM_OK);
    assert_int_equal(s, GM_SCALE_LARGE);
    assert_int_equal(gm_parse_scale(" Large ", &s), GM_OK);
    assert_int_equal(s, GM_SCALE_LARGE);
    assert_int_equal(gm_parse_scale("中型", &s), GM_OK);
    assert_int_equal(s, GM_SCALE_MEDIUM);
    assert_int_equal(gm_parse_scale("MEDIUM", &s), GM_OK);
    assert_int_equal(s, GM_SCALE_MEDIUM);
    assert_int_equal(gm_parse_scale("小型", &s), GM_OK);
    assert_int_equal(s, GM_SCALE_SMALL);
    assert_int_equal(gm_parse_scale("", &s), GM_OK);
    assert_int_equal(s, GM_SCALE_UNKNOWN);
    assert_int_equal(gm_parse_scale(NULL, &s), GM_OK);
    assert_int_equal(s, GM_SCALE_UNKNOWN);
    assert_int_equal(gm_parse_scale("巨型", &s), GM_ERR_FIELD);
    assert_int_equal(s, GM_SCALE_UNKNOWN);
    /* the ideographic space around a value is ignored */
    assert_int_equal(gm_parse_scale("\xe3\x80\x80中型\xe3\x80\x80", &s), GM_OK);
    assert_int_equal(s, GM_SCALE_MEDIUM);
}

static void test_parcel_kind_and_status(void **state)
{
    (void)state;
    gm_parcel_kind k;
    gm_parcel_status st;
    assert_int_equal(gm_parse_parcel_kind("恢复治理", &k), GM_OK);
    assert_int_equal(k, GM_KIND_RESTORATION);
    assert_int_equal(gm_parse_parcel_kind("Restoration", &k), GM_OK);
    assert_int_equal(k, GM_KIND_RESTORATION);
    assert_int_equal(gm_parse_parcel_kind("土地复垦", &k), GM_OK);
    assert_int_equal(k, GM_KIND_RECLAMATION);
    assert_int_equal(gm_parse_parcel_kind("reclamation", &k), GM_OK);
    assert_int_equal(k, GM_KIND_RECLAMATION);
    assert_int_equal(gm_parse_parcel_kind("绿化", &k), GM_ERR_FIELD);
    assert_int_equal(gm_parse_parcel_status("已完成", &st), GM_OK);
    assert_int_equal(st, GM_PARCEL_COMPLETED);
    assert_int_equal(gm_parse_parcel_status("completed", &st), GM_OK);
    assert_int_equal(st, GM_PARCEL_COMPLETED);
    assert_int_equal(gm_parse_parcel_status("在建", &st), GM_OK);
    assert_int_equal(st, GM_PARCEL_IN_PROGRESS);
    assert_int_equal(gm_parse_parcel_status("in_progress", &st), GM_OK);
    assert_int_equal(st, GM_PARCEL_IN_PROGRESS);
    assert_int_equal(gm_parse_parcel_status("规划", &st), GM_OK);
    assert_int_equal(st, GM_PARCEL_PLANNED);
    assert_int_equal(gm_parse_parcel_status("planned", &st), GM_OK);
    assert_int_equal(st, GM_PARCEL_PLANNED);
}

static void test_mine_status_and_industry(void **state)
{
    (void)state;
    gm_mine_status ms;
    gm_industry in;
    assert_int_equal(gm_parse_mine_status("闭坑", &ms), GM_OK);
    assert_int_equal(ms, GM_MINE_CLOSED);
    assert_int_equal(gm_parse_mine_status("producing", &ms), GM_OK);
    assert_int_equal(ms, GM_MINE_PRODUCING);
    assert_int_equal(gm_parse_mine_status("新建", &ms), GM_OK);
    assert_int_equal(ms, GM_MINE_NEW);
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
    assert_int_equal(gm_parse_flag("maybe", &f), GM_ERR_FIELD);
    assert_int_equal(f, GM_FLAG_UNKNOWN);
    assert_int_equal(gm_parse_flag("", &f), GM_OK);
    assert_int_equal(f, GM_FLAG_UNKNOWN);
}

static void test_dates(void **state)
{
    (void)state;
    int d;
    assert_int_equal(gm_parse_date("2020-12-31", &d), GM_OK);
    assert_int_equal(d, 20201231);
    assert_int_equal(gm_parse_date("2016/01/01", &d), GM_OK); /* OGR's Date fields */
    assert_int_equal(d, 20160101);
    assert_int_equal(gm_parse_date("2018/06/30 00:00:00", &d), GM_OK);
    assert_int_equal(d, 20180630);
    assert_int_equal(gm_parse_date("2018-6-3", &d), GM_OK);
    assert_int_equal(d, 20180603);
    assert_int_equal(gm_parse_date("20190415", &d), GM_OK);
    assert_int_equal(d, 20190415);
    assert_int_equal(gm_parse_date("2018年6月30日", &d), GM_OK);
    assert_int_equal(d, 20180630);
    assert_int_equal(gm_parse_date("2020-02-29", &d), GM_OK); /* leap year */
    assert_int_equal(d, 20200229);
    assert_int_equal(gm_parse_date("2019-02-29", &d), GM_ERR_FIELD);
    assert_int_equal(d, 0);
    assert_int_equal(gm_parse_date("2019-13-01", &d), GM_ERR_FIELD);
    assert_int_equal(gm_parse_date("31/12/2020", &d), GM_ERR_FIELD);
    assert_int_equal(gm_parse_date("soon", &d), GM_ERR_FIELD);
    assert_int_equal(gm_parse_date("", &d), GM_OK);
    assert_int_equal(d, 0);
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
