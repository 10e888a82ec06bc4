/*
 * test_progress_rows.c -- the progress rows' arithmetic (the analysis's, shared
 * by the registry and the GeoPackage reader): increments, the date a target
 * is met at the latest pace, targets already met, no pace; the green-mine
 * counts; the date conversions. Every expected value is worked out by hand
 * (or with Python's datetime), in the comments.
 */
#include "testutil.h"
#define GM_TESTCTX_INPUTS
#include "testctx.h"

#include <greenmine/progress.h>

static void test_dates(void **state)
{
    (void)state;
    char buf[GM_DATE_TEXT];
    assert_int_equal(gm_date_days(19700101), 0);
    assert_int_equal(gm_date_days(19691231), -1);
    assert_int_equal(gm_date_days(20000301), 11017); /* (date(2000,3,1)-date(1970,1,1)).days */
    assert_int_equal(gm_date_days(20200229), 18321);
    assert_int_equal(gm_date_from_days(20000), 20241004); /* date(1970,1,1)+timedelta(20000) */
    assert_int_equal(gm_date_from_days(18321), 20200229);
    assert_int_equal(gm_date_from_days(gm_date_days(21000301) - 1), 21000228); /* not leap */
    assert_string_equal(gm_date_text(20201231, buf), "2020-12-31");
    assert_string_equal(gm_date_text(0, buf), "");
}

static gm_progress_row *row(gm_progress_series *p, long snap, int as_of, const char *zone,
                            double restored, double reclaimed, double target0, double target1)
{
    p->rows = realloc(p->rows, (p->n + 1) * sizeof *p->rows);
    gm_progress_row *r = &p->rows[p->n++];
    *r = (gm_progress_row){.snapshot_id = snap,
                           .as_of = as_of,
                           .zone = zone ? strdup(zone) : NULL,
                           .zone_id = zone ? strdup(zone) : NULL,
                           .done_ha = {restored, reclaimed},
                           .target_ha = {target0, target1}};
    return r;
}

static void test_projection(void **state)
{
    (void)state;
    gm_progress_series *p = calloc(1, sizeof *p);
    p->period_start = 20160101;
    /* 300 ha restored by 2017-12-31: 731 days since 2015-12-31 (2016 is a leap
     * year), 300/731 ha a day, 1,700 ha to go: ceil(1700 * 731 / 300) =
     * ceil(4142.33) = 4143 days -> 2029-05-05. Reclamation: 500 of 500, met. */
    row(p, 1, 20171231, NULL, 300, 500, 2000, 500);
    /* a zone of its own, without a reclamation target: never projected */
    row(p, 1, 20171231, "Z", 10, 5, 100, 0);
    gm_progress_row_project(p, 0);
    gm_progress_row_project(p, 1);
    assert_float_equal(p->rows[0].increment_ha[GM_RESTORATION], 300, 1e-12);
    assert_int_equal(p->rows[0].projected[GM_RESTORATION], 20290505);
    assert_int_equal(p->rows[0].projected[GM_RECLAMATION], 20171231);
    assert_int_equal(p->rows[1].projected[GM_RECLAMATION], 0);
    /* 700 ha by 2018-12-31: 400 ha in 365 days, 1,300 to go: ceil(1186.25) =
     * 1187 days -> 2022-04-01; reclamation stays met since 2017-12-31. The zone
     * lost 2 ha: no pace, never. */
    row(p, 2, 20181231, NULL, 700, 520, 2000, 500);
    row(p, 2, 20181231, "Z", 8, 5, 100, 0);
    gm_progress_row_project(p, 2);
    gm_progress_row_project(p, 3);
    assert_float_equal(p->rows[2].increment_ha[GM_RESTORATION], 400, 1e-12);
    assert_float_equal(p->rows[2].increment_ha[GM_RECLAMATION], 20, 1e-12);
    assert_int_equal(p->rows[2].projected[GM_RESTORATION], 20220401);
    assert_int_equal(p->rows[2].projected[GM_RECLAMATION], 20171231);
    assert_float_equal(p->rows[3].increment_ha[GM_RESTORATION], -2, 1e-12);
    assert_int_equal(p->rows[3].projected[GM_RESTORATION], 0);
    /* met on 2019-12-31, and stays at that date */
    row(p, 3, 20191231, NULL, 2100, 520, 2000, 500);
    row(p, 4, 20201231, NULL, 2300, 530, 2000, 500);
    gm_progress_row_project(p, 4);
    gm_progress_row_project(p, 5);
    assert_int_equal(p->rows[4].projected[GM_RESTORATION], 20191231);
    assert_int_equal(p->rows[5].projected[GM_RESTORATION], 20191231);
    gm_progress_series_free(p);
}

static void test_green_counts(void **state)
{
    (void)state;
    gm_inputs *in = calloc(1, sizeof *in);
    gm_progress_row r = {0};
    mine(in, "A", GM_SCALE_LARGE, NULL);
    gm_progress_row_green(&r, in); /* no mine says whether it is green */
    assert_int_equal(r.green_mines, -1);
    assert_int_equal(r.green_large, -1);
    in->mines[0].green = GM_FLAG_YES;
    mine(in, "B", GM_SCALE_LARGE, NULL);
    in->mines[1].green = GM_FLAG_YES;
    mine(in, "C", GM_SCALE_MEDIUM, NULL);
    in->mines[2].green = GM_FLAG_YES;
    mine(in, "D", GM_SCALE_SMALL, NULL);
    in->mines[3].green = GM_FLAG_NO;
    mine(in, "E", GM_SCALE_UNKNOWN, NULL); /* green, scale unknown: in the total only */
    in->mines[4].green = GM_FLAG_YES;
    mine(in, "F", GM_SCALE_SMALL, NULL); /* flag unknown */
    gm_progress_row_green(&r, in);
    assert_int_equal(r.green_mines, 4);
    assert_int_equal(r.green_large, 2);
    assert_int_equal(r.green_medium, 1);
    assert_int_equal(r.green_small, 0);
    gm_inputs_free(ctx, in);
}

static void test_vocabulary(void **state)
{
    (void)state;
    /* one enum: its values index the per-kind arrays */
    assert_int_equal(GM_RESTORATION, 0);
    assert_int_equal(GM_RECLAMATION, 1);
    assert_int_equal(GM_PARCEL_KINDS, 2);
    assert_string_equal(gm_parcel_kind_name(GM_RECLAMATION), "reclamation");
    assert_string_equal(gm_parcel_kind_name_zh(GM_RESTORATION), "恢复治理");
    assert_string_equal(gm_parcel_kind_name(GM_KIND_UNKNOWN), "");
    assert_string_equal(gm_scale_name_zh(GM_SCALE_MEDIUM), "中型");
    assert_string_equal(gm_industry_name((gm_industry)99), "");
    /* every code and Chinese name parses back to its value */
    gm_scale s;
    assert_int_equal(gm_parse_scale(gm_scale_name_zh(GM_SCALE_SMALL), &s), GM_OK);
    assert_int_equal(s, GM_SCALE_SMALL);
    gm_industry ind;
    for (int v = GM_INDUSTRY_COAL; v <= GM_INDUSTRY_STONE; v++) {
        assert_int_equal(gm_parse_industry(gm_industry_name((gm_industry)v), &ind), GM_OK);
        assert_int_equal(ind, v);
        assert_int_equal(gm_parse_industry(gm_industry_name_zh((gm_industry)v), &ind), GM_OK);
        assert_int_equal(ind, v);
    }
    gm_parcel_kind k;
    assert_int_equal(gm_parse_parcel_kind("土地复垦", &k), GM_OK);
    assert_int_equal(k, GM_RECLAMATION);
    gm_parcel_status st;
    for (int v = GM_PARCEL_PLANNED; v <= GM_PARCEL_COMPLETED; v++) {
        assert_int_equal(gm_parse_parcel_status(gm_parcel_status_name((gm_parcel_status)v), &st),
                         GM_OK);
        assert_int_equal(st, v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_projection),
        cmocka_unit_test(test_green_counts),
        cmocka_unit_test(test_vocabulary),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
