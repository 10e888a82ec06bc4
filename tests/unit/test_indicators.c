/*
 * test_indicators.c -- the indicator arithmetic (src/analysis/indicators.c)
 * on the edge cases the fixture does not reach: licences without a licence
 * date or without the new flag, a mine without a scale, three rates without a
 * threshold or with a mineral's own row, spot checks across a year's end,
 * zones without mines, areas a yearly report refuses. Each expected figure is
 * worked out in the comment beside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* after the three above, which it needs */
#include <cmocka.h>

#include <greenmine/indicators.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

static gm_context *ctx;

static int setup(void **state)
{
    (void)state;
    return gm_context_new(&ctx);
}

static int teardown(void **state)
{
    (void)state;
    gm_context_free(ctx);
    return 0;
}

/* Licences A..F (sorted by number):
 *   A large coal, licensed 2010, existing (flag)      county X, city P
 *   B medium coal 钨?, no licence date, no new flag -> counted always, existing
 *                      (no date: not on or after the plan's date)       county X
 *   C small, licensed 2018-01-05, no new flag -> new                      county Y, city P
 *   D no scale, licensed 2012, existing, listed                           county Y
 *   E large nonferrous mineral 钨, licensed 2019-05-01 (after 2019-03-01)  county Y
 *   F large stone (no threshold row), licensed 2011                      county X
 */
static gm_licence lic[] = {
    {.licence_no = "A",
     .industry = GM_INDUSTRY_COAL,
     .scale = GM_SCALE_LARGE,
     .county = "X",
     .city = "P",
     .licensed_on = 20100101,
     .is_new = GM_FLAG_NO},
    {.licence_no = "B",
     .industry = GM_INDUSTRY_NONFERROUS,
     .mineral = "钨",
     .scale = GM_SCALE_MEDIUM,
     .county = "X",
     .city = "P",
     .licensed_on = 0,
     .is_new = GM_FLAG_UNKNOWN},
    {.licence_no = "C",
     .industry = GM_INDUSTRY_COAL,
     .scale = GM_SCALE_SMALL,
     .county = "Y",
     .city = "P",
     .licensed_on = 20180105,
     .is_new = GM_FLAG_UNKNOWN},
    {.licence_no = "D",
     .industry = GM_INDUSTRY_NONMETAL,
     .scale = GM_SCALE_UNKNOWN,
     .county = "Y",
     .licensed_on = 20120101,
     .is_new = GM_FLAG_NO},
    {.licence_no = "E",
     .industry = GM_INDUSTRY_NONFERROUS,
     .mineral = "钨",
     .scale = GM_SCALE_LARGE,
     .county = "Y",
     .licensed_on = 20190501,
     .is_new = GM_FLAG_YES},
    {.licence_no = "F",
     .industry = GM_INDUSTRY_STONE,
     .scale = GM_SCALE_LARGE,
     .county = "X",
     .licensed_on = 20110101,
     .is_new = GM_FLAG_NO},
};

static gm_event ev(long long id, const char *l, gm_event_kind kind, int date)
{
    gm_event e;
    gm_event_init(&e);
    e.event_id = id, e.licence_no = (char *)l, e.kind = kind, e.event_date = date;
    return e;
}

static gm_event rates(long long id, const char *l, int date, int year, double m, double b, double u)
{
    gm_event e = ev(id, l, GM_EVENT_THREE_RATES, date);
    e.year = year, e.mining_recovery = m, e.beneficiation_recovery = b, e.utilisation = u;
    return e;
}

static gm_event check_ev(long long id, const char *l, int date, gm_result r)
{
    gm_event e = ev(id, l, GM_EVENT_SPOT_CHECK, date);
    e.result = r;
    return e;
}

static gm_event pass(long long id, const char *l, int date)
{
    gm_event e = ev(id, l, GM_EVENT_VERIFICATION, date);
    e.result = GM_RESULT_PASS;
    return e;
}

static gm_event listing(long long id, const char *l, int date)
{
    gm_event e = ev(id, l, GM_EVENT_LISTING, date);
    e.batch = "b";
    return e;
}

/* thresholds: coal 80/-/60; nonferrous default 85/80/50, nonferrous 钨 90/80/50 */
static gm_threshold th[] = {
    {.industry = GM_INDUSTRY_COAL,
     .mining_recovery = 80,
     .beneficiation_recovery = NAN,
     .utilisation = 60},
    {.industry = GM_INDUSTRY_NONFERROUS,
     .mining_recovery = 85,
     .beneficiation_recovery = 80,
     .utilisation = 50},
    {.industry = GM_INDUSTRY_NONFERROUS,
     .mineral = "钨",
     .mining_recovery = 90,
     .beneficiation_recovery = 80,
     .utilisation = 50},
};

static void test_edges(void **state)
{
    (void)state;
    gm_event e[] = {
        /* A: listed 2015; rates 2018 82/—/61 vs coal 80/-/60: compliant; spot
         * checks 2018-12-20 fail and 2019-01-10 pass */
        ev(1, "A", GM_EVENT_SELF_ASSESSMENT, 20150101),
        pass(2, "A", 20150201),
        listing(3, "A", 20150301),
        rates(4, "A", 20190115, 2018, 82, NAN, 61),
        check_ev(5, "A", 20181220, GM_RESULT_FAIL),
        check_ev(6, "A", 20190110, GM_RESULT_PASS),
        /* B: rates 2018 87/82/55: the nonferrous default (85/80/50) passes,
         * but its mineral 钨 has its own row (90): not compliant */
        rates(7, "B", 20190201, 2018, 87, 82, 55),
        /* C: new (licensed 2018-01-05, no flag), verified: built */
        ev(8, "C", GM_EVENT_SELF_ASSESSMENT, 20180601),
        pass(9, "C", 20180701),
        /* D: no scale, listed */
        ev(10, "D", GM_EVENT_SELF_ASSESSMENT, 20160101),
        pass(11, "D", 20160201),
        listing(12, "D", 20160301),
        /* F: large stone with figures, but no threshold row: reported, not judged */
        rates(13, "F", 20190201, 2018, 99, NAN, 99),
    };
    /* the list is sorted by licence, date, id */
    gm_event sorted[] = {e[0], e[1], e[2], e[4],  e[5],  e[3], e[6],
                         e[7], e[8], e[9], e[10], e[11], e[12]};
    gm_licence_list ll = {lic, sizeof lic / sizeof *lic};
    gm_event_list el = {sorted, sizeof sorted / sizeof *sorted};
    gm_threshold_list tl = {.items = th, .n = 3, .set_id = 7, .label = "example"};
    const char *zone_of[] = {"Z1", "Z1", NULL, "nowhere", "Z2", NULL};
    const char *zones[] = {"Z1", "Z2", "Z3"};
    gm_indicator_input in = {&ll, &el, &tl, zone_of, zones, 3};
    gm_indicators *ind = NULL;
    assert_int_equal(gm_indicators_compute(ctx, &in, 20190301, &ind), GM_OK);
    /* areas: province, Z1 Z2 Z3, city P, counties X Y */
    assert_int_equal(ind->n, 7);
    const gm_indicator_area *p = gm_indicators_find(ind, GM_AREA_PROVINCE, NULL);
    assert_non_null(p);
    /* E is licensed 2019-05-01, after the date: 5 licences */
    assert_int_equal(p->licences, 5);
    /* listed: A (large, existing), D (no scale, existing) */
    assert_int_equal(p->listed, 2);
    assert_int_equal(p->listed_scale[GM_SCALE_LARGE], 1);
    assert_int_equal(p->listed_scale[GM_SCALE_UNKNOWN], 1);
    assert_int_equal(p->listed_existing, 2);
    assert_int_equal(p->listed_existing_scale[GM_SCALE_LARGE], 1);
    assert_int_equal(
        p->listed_existing_scale[GM_SCALE_MEDIUM] + p->listed_existing_scale[GM_SCALE_SMALL], 0);
    /* new: C only (B has no date and no flag: existing); built: C verified */
    assert_int_equal(p->new_mines, 1);
    assert_int_equal(p->new_built, 1);
    /* large + medium counted: A, B, F (E not yet licensed); reported all 3;
     * judged A, B (F has no threshold); compliant A */
    assert_int_equal(p->rates.mines, 3);
    assert_int_equal(p->rates.reported, 3);
    assert_int_equal(p->rates.judged, 2);
    assert_int_equal(p->rates.compliant, 1);
    assert_true(fabs(gm_rates_share(&p->rates) - 0.5) < 1e-12);
    assert_int_equal(p->rates_industry[GM_INDUSTRY_STONE].reported, 1);
    assert_int_equal(p->rates_industry[GM_INDUSTRY_STONE].judged, 0);
    assert_true(gm_rates_share(&p->rates_industry[GM_INDUSTRY_STONE]) < 0);
    assert_int_equal(p->rates_industry[GM_INDUSTRY_NONFERROUS].compliant, 0);
    /* spot checks: 2019 up to 03-01: the pass of 01-10; all: 2, 1 failed */
    assert_int_equal(p->spot_checks, 1);
    assert_int_equal(p->spot_checks_failed, 0);
    assert_int_equal(p->spot_checks_all, 2);
    assert_int_equal(p->spot_checks_failed_all, 1);
    /* zones: Z1 = A, B; Z2 = E (not counted yet): 0; Z3 empty; D's
     * "nowhere" is no zone of the list */
    const gm_indicator_area *z1 = gm_indicators_find(ind, GM_AREA_ZONE, "Z1");
    assert_int_equal(z1->licences, 2);
    assert_int_equal(gm_indicators_find(ind, GM_AREA_ZONE, "Z2")->licences, 0);
    assert_int_equal(gm_indicators_find(ind, GM_AREA_ZONE, "Z3")->licences, 0);
    /* city P: A, B, C; county Y: C, D (E later) */
    assert_int_equal(gm_indicators_find(ind, GM_AREA_CITY, "P")->licences, 3);
    assert_int_equal(gm_indicators_find(ind, GM_AREA_COUNTY, "Y")->licences, 2);
    assert_null(gm_indicators_find(ind, GM_AREA_COUNTY, "P"));
    assert_string_equal(ind->threshold_label, "example");
    gm_indicators_free(ind);

    /* the yearly figures of 2018 for county X: A, B, F; A's spot check of
     * 2018-12-20 is the year's one (failed); no listing in 2018 */
    gm_yearly *y = NULL;
    assert_int_equal(gm_yearly_compute(ctx, &in, 2018, GM_AREA_COUNTY, "X", &y), GM_OK);
    assert_int_equal(y->end.licences, 3);
    assert_int_equal(y->n_spot_checks, 1);
    assert_int_equal(y->spot_checks[0].event->event_id, 5);
    assert_int_equal(y->end.spot_checks_failed, 1);
    assert_int_equal(y->n_listings, 0);
    /* on 2018-12-31 A is listed (coal), B and F none */
    assert_int_equal(y->by_industry[GM_INDUSTRY_COAL][GM_STANDING_LISTED], 1);
    assert_int_equal(y->by_scale[GM_SCALE_LARGE][GM_STANDING_NONE], 1);
    gm_yearly_free(y);
    /* a county no licence names, and a zone, are refused */
    assert_int_equal(gm_yearly_compute(ctx, &in, 2018, GM_AREA_COUNTY, "Q", &y), GM_ERR_USAGE);
    assert_null(y);
    assert_int_equal(gm_yearly_compute(ctx, &in, 2018, GM_AREA_ZONE, "Z1", &y), GM_ERR_USAGE);
}

static void test_baseline(void **state)
{
    (void)state;
    /* the plan's 2015 figures */
    assert_true(fabs(gm_three_rates_baseline(GM_INDUSTRY_COAL) - 0.5661) < 1e-12);
    assert_true(fabs(gm_three_rates_baseline(GM_INDUSTRY_CHEMICAL) - 0.2833) < 1e-12);
    assert_true(fabs(gm_three_rates_baseline(GM_INDUSTRY_NONMETAL) - 0.3616) < 1e-12);
    assert_true(gm_three_rates_baseline(GM_INDUSTRY_CEMENT) < 0);
    assert_true(fabs(GM_BASELINE_THREE_RATES_2015 - 0.5803) < 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_edges),
                                       cmocka_unit_test(test_baseline)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
