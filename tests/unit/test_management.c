/*
 * test_management.c -- the workflow rules and a mine's status as of a date
 * (src/analysis/management.c), on hand-made event histories. Each case says
 * in its comment what the rule or the derivation must give and why; nothing
 * is copied from the engine's output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* after the three above, which it needs */
#include <cmocka.h>

#include <greenmine/management.h>

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

#define LIC "C4300002010011110001"
static gm_licence licence = {.licence_no = LIC, .licensed_on = 20100111};

/* An event of LIC (strings borrowed from literals: never cleared). */
static gm_event mk(long long id, gm_event_kind kind, int date)
{
    gm_event e;
    gm_event_init(&e);
    e.event_id = id;
    e.licence_no = LIC;
    e.kind = kind;
    e.event_date = date;
    e.entered_by = "test";
    switch (kind) {
    case GM_EVENT_SELF_ASSESSMENT:
        e.score = 85;
        break;
    case GM_EVENT_VERIFICATION:
        e.agency = "湖南某评估公司";
        e.result = GM_RESULT_PASS;
        break;
    case GM_EVENT_LISTING:
        e.batch = "2018-1";
        break;
    case GM_EVENT_SPOT_CHECK:
        e.result = GM_RESULT_PASS;
        break;
    case GM_EVENT_BLACKLISTING:
        e.reason = "抽查不合格";
        break;
    case GM_EVENT_CREDIT_RATING:
        e.year = date / 10000;
        e.grade = "A";
        break;
    case GM_EVENT_THREE_RATES:
        e.year = date / 10000;
        e.mining_recovery = 90;
        e.beneficiation_recovery = 80;
        e.utilisation = 60;
        break;
    default:
        break;
    }
    return e;
}

static gm_event failed(gm_event e)
{
    e.result = GM_RESULT_FAIL;
    return e;
}

#define TODAY 20261206

static gm_rule check(const gm_event *h, size_t n, gm_event ev)
{
    char why[1024];
    gm_rule r = gm_event_check(&licence, h, n, &ev, TODAY, why, sizeof why);
    if (r != GM_RULE_OK) {
        /* every refusal names the licence and its rule */
        assert_non_null(strstr(why, LIC));
        assert_non_null(strstr(why, gm_rule_name(r)));
    }
    return r;
}

/* ---- the rules -------------------------------------------------------------- */

static void test_licence_must_exist(void **state)
{
    (void)state;
    char why[512];
    gm_event ev = mk(0, GM_EVENT_SELF_ASSESSMENT, 20180301);
    assert_int_equal(gm_event_check(NULL, NULL, 0, &ev, TODAY, why, sizeof why),
                     GM_RULE_LICENCE_EXISTS);
    assert_non_null(strstr(why, LIC));
    assert_int_equal(check(NULL, 0, ev), GM_RULE_OK);
}

static void test_listing_needs_verification_after_assessment(void **state)
{
    (void)state;
    /* no events at all: a listing has nothing to stand on */
    assert_int_equal(check(NULL, 0, mk(0, GM_EVENT_LISTING, 20180701)),
                     GM_RULE_LISTING_NEEDS_VERIFICATION);
    /* assessed only */
    gm_event h1[] = {mk(1, GM_EVENT_SELF_ASSESSMENT, 20180301)};
    assert_int_equal(check(h1, 1, mk(0, GM_EVENT_LISTING, 20180701)),
                     GM_RULE_LISTING_NEEDS_VERIFICATION);
    /* assessed, verified (pass): may be listed, also on the verification's own day */
    gm_event h2[] = {mk(1, GM_EVENT_SELF_ASSESSMENT, 20180301),
                     mk(2, GM_EVENT_VERIFICATION, 20180502)};
    assert_int_equal(check(h2, 2, mk(0, GM_EVENT_LISTING, 20180701)), GM_RULE_OK);
    assert_int_equal(check(h2, 2, mk(0, GM_EVENT_LISTING, 20180502)), GM_RULE_OK);
    /* verification failed */
    gm_event h3[] = {mk(1, GM_EVENT_SELF_ASSESSMENT, 20180301),
                     failed(mk(2, GM_EVENT_VERIFICATION, 20180502))};
    assert_int_equal(check(h3, 2, mk(0, GM_EVENT_LISTING, 20180701)),
                     GM_RULE_LISTING_NEEDS_VERIFICATION);
    /* passed, then a new self-assessment: the pass is before the last assessment */
    gm_event h4[] = {mk(1, GM_EVENT_SELF_ASSESSMENT, 20180301),
                     mk(2, GM_EVENT_VERIFICATION, 20180502),
                     mk(3, GM_EVENT_SELF_ASSESSMENT, 20180601)};
    assert_int_equal(check(h4, 3, mk(0, GM_EVENT_LISTING, 20180701)),
                     GM_RULE_LISTING_NEEDS_VERIFICATION);
    /* passed, then failed again after the same assessment: the latest verification decides */
    gm_event h5[] = {mk(1, GM_EVENT_SELF_ASSESSMENT, 20180301),
                     mk(2, GM_EVENT_VERIFICATION, 20180502),
                     failed(mk(3, GM_EVENT_VERIFICATION, 20180601))};
    assert_int_equal(check(h5, 3, mk(0, GM_EVENT_LISTING, 20180701)),
                     GM_RULE_LISTING_NEEDS_VERIFICATION);
    /* listed already */
    gm_event h6[] = {mk(1, GM_EVENT_SELF_ASSESSMENT, 20180301),
                     mk(2, GM_EVENT_VERIFICATION, 20180502), mk(3, GM_EVENT_LISTING, 20180701)};
    assert_int_equal(check(h6, 3, mk(0, GM_EVENT_LISTING, 20190701)), GM_RULE_ALREADY_LISTED);
}

static void test_verification_needs_assessment(void **state)
{
    (void)state;
    assert_int_equal(check(NULL, 0, mk(0, GM_EVENT_VERIFICATION, 20180502)),
                     GM_RULE_VERIFY_NEEDS_ASSESSMENT);
}

static void test_blacklist(void **state)
{
    (void)state;
    /* listed, then blacklisted after a failed spot check */
    gm_event h[8] = {mk(1, GM_EVENT_SELF_ASSESSMENT, 20180301),
                     mk(2, GM_EVENT_VERIFICATION, 20180502), mk(3, GM_EVENT_LISTING, 20180701),
                     failed(mk(4, GM_EVENT_SPOT_CHECK, 20190301)),
                     mk(5, GM_EVENT_BLACKLISTING, 20190315)};
    /* listing again at once: blacklisted */
    assert_int_equal(check(h, 5, mk(0, GM_EVENT_LISTING, 20190401)),
                     GM_RULE_BLACKLISTED_NOT_LISTED);
    /* blacklisting twice */
    assert_int_equal(check(h, 5, mk(0, GM_EVENT_BLACKLISTING, 20190401)),
                     GM_RULE_ALREADY_BLACKLISTED);
    /* lifting without a new passed verification: refused */
    assert_int_equal(check(h, 5, mk(0, GM_EVENT_LIFTING, 20190401)),
                     GM_RULE_LIFTING_NEEDS_VERIFICATION);
    /* a failed verification after the blacklisting does not do */
    h[5] = failed(mk(6, GM_EVENT_VERIFICATION, 20190501));
    assert_int_equal(check(h, 6, mk(0, GM_EVENT_LIFTING, 20190601)),
                     GM_RULE_LIFTING_NEEDS_VERIFICATION);
    /* a passed one does; but not yet listed: lifted first */
    h[5] = mk(6, GM_EVENT_VERIFICATION, 20190501);
    assert_int_equal(check(h, 6, mk(0, GM_EVENT_LISTING, 20190601)),
                     GM_RULE_BLACKLISTED_NOT_LISTED);
    assert_int_equal(check(h, 6, mk(0, GM_EVENT_LIFTING, 20190601)), GM_RULE_OK);
    /* lifted: may be listed again */
    h[6] = mk(7, GM_EVENT_LIFTING, 20190601);
    assert_int_equal(check(h, 7, mk(0, GM_EVENT_LISTING, 20190701)), GM_RULE_OK);
    /* lifting a mine that is not blacklisted */
    assert_int_equal(check(h, 7, mk(0, GM_EVENT_LIFTING, 20190701)),
                     GM_RULE_LIFTING_NEEDS_BLACKLISTING);
}

static void test_dates(void **state)
{
    (void)state;
    gm_event h[] = {mk(1, GM_EVENT_SELF_ASSESSMENT, 20180301),
                    mk(2, GM_EVENT_VERIFICATION, 20180502)};
    /* after the day of entry */
    assert_int_equal(check(h, 2, mk(0, GM_EVENT_LISTING, TODAY + 1)), GM_RULE_FUTURE);
    assert_int_equal(check(h, 2, mk(0, GM_EVENT_LISTING, TODAY)), GM_RULE_OK);
    /* before the licence */
    assert_int_equal(check(NULL, 0, mk(0, GM_EVENT_SELF_ASSESSMENT, 20100110)),
                     GM_RULE_BEFORE_LICENCE);
    /* back-dated before the latest workflow event */
    assert_int_equal(check(h, 2, mk(0, GM_EVENT_SPOT_CHECK, 20180501)), GM_RULE_DATE_ORDER);
    /* a yearly record may come late */
    assert_int_equal(check(h, 2, mk(0, GM_EVENT_CREDIT_RATING, 20170101)), GM_RULE_OK);
}

static void test_fields(void **state)
{
    (void)state;
    gm_event h[] = {mk(1, GM_EVENT_SELF_ASSESSMENT, 20180301)};
    gm_event v = mk(0, GM_EVENT_VERIFICATION, 20180502);
    v.agency = NULL;
    assert_int_equal(check(h, 1, v), GM_RULE_FIELDS);
    v = mk(0, GM_EVENT_VERIFICATION, 20180502);
    v.result = GM_RESULT_NONE;
    assert_int_equal(check(h, 1, v), GM_RULE_FIELDS);
    v = mk(0, GM_EVENT_VERIFICATION, 20180502);
    v.score = 101;
    assert_int_equal(check(h, 1, v), GM_RULE_FIELDS);
    gm_event b = mk(0, GM_EVENT_BLACKLISTING, 20180502);
    b.reason = "  ";
    assert_int_equal(check(h, 1, b), GM_RULE_FIELDS);
    gm_event t = mk(0, GM_EVENT_THREE_RATES, 20190301);
    t.mining_recovery = t.beneficiation_recovery = t.utilisation = NAN;
    assert_int_equal(check(h, 1, t), GM_RULE_FIELDS);
    t.utilisation = 100.5;
    assert_int_equal(check(h, 1, t), GM_RULE_FIELDS);
    t.utilisation = 100;
    assert_int_equal(check(h, 1, t), GM_RULE_OK);
}

static void test_corrections(void **state)
{
    (void)state;
    gm_event h[6] = {mk(1, GM_EVENT_SELF_ASSESSMENT, 20180301),
                     mk(2, GM_EVENT_VERIFICATION, 20180502), mk(3, GM_EVENT_LISTING, 20180701)};
    /* correcting the verification to 'fail' would leave the listing without it */
    gm_event c = failed(mk(0, GM_EVENT_VERIFICATION, 20180502));
    c.supersedes = 2;
    char why[1024];
    assert_int_equal(gm_event_check(&licence, h, 3, &c, TODAY, why, sizeof why),
                     GM_RULE_LISTING_NEEDS_VERIFICATION);
    assert_non_null(strstr(why, "event 3")); /* names the listing left standing on nothing */
    /* withdrawing the listing first, then the correction passes */
    gm_event w = mk(0, GM_EVENT_LISTING, 20180701);
    w.supersedes = 3;
    w.is_void = 1;
    assert_int_equal(check(h, 3, w), GM_RULE_FIELDS); /* a withdrawal says why */
    w.reason = "误录";
    assert_int_equal(check(h, 3, w), GM_RULE_OK);
    w.event_id = 4;
    h[3] = w;
    assert_int_equal(check(h, 4, c), GM_RULE_OK);
    /* a correction keeps the kind, names an event of this licence, once */
    gm_event k = mk(0, GM_EVENT_SPOT_CHECK, 20180502);
    k.supersedes = 2;
    assert_int_equal(check(h, 4, k), GM_RULE_SUPERSEDES);
    k = mk(0, GM_EVENT_LISTING, 20180701);
    k.supersedes = 3; /* withdrawn already by event 4 */
    assert_int_equal(check(h, 4, k), GM_RULE_SUPERSEDES);
    k.supersedes = 99;
    assert_int_equal(check(h, 4, k), GM_RULE_SUPERSEDES);
    /* a void without supersedes */
    k.supersedes = 0;
    k.is_void = 1;
    assert_int_equal(check(h, 4, k), GM_RULE_SUPERSEDES);
    /* a correction may be dated before later events (it is not back-dating a new one) */
    gm_event s = mk(0, GM_EVENT_SELF_ASSESSMENT, 20180215);
    s.supersedes = 1;
    assert_int_equal(check(h, 4, s), GM_RULE_OK);
}

static void test_duplicates(void **state)
{
    (void)state;
    gm_event h[3] = {mk(1, GM_EVENT_SELF_ASSESSMENT, 20180301),
                     mk(2, GM_EVENT_CREDIT_RATING, 20190401)};
    /* the same rating again (a file imported twice): refused; another grade: a new rating */
    assert_int_equal(check(h, 2, mk(0, GM_EVENT_CREDIT_RATING, 20190401)), GM_RULE_DUPLICATE);
    gm_event b = mk(0, GM_EVENT_CREDIT_RATING, 20190401);
    b.grade = "B";
    assert_int_equal(check(h, 2, b), GM_RULE_OK);
    /* the same self-assessment: a duplicate, said so rather than "before the latest" */
    assert_int_equal(check(h, 2, mk(0, GM_EVENT_SELF_ASSESSMENT, 20180301)), GM_RULE_DUPLICATE);
    /* an event equal to one that was withdrawn is no duplicate */
    gm_event w = mk(3, GM_EVENT_CREDIT_RATING, 20190401);
    w.supersedes = 2;
    w.is_void = 1;
    h[2] = w;
    assert_int_equal(check(h, 3, mk(0, GM_EVENT_CREDIT_RATING, 20190401)), GM_RULE_OK);
}

/* ---- status as of a date ------------------------------------------------------------ */

static void test_status_as_of(void **state)
{
    (void)state;
    /* the history, deliberately out of order in the array */
    gm_event h[] = {
        mk(5, GM_EVENT_BLACKLISTING, 20190315),
        mk(1, GM_EVENT_SELF_ASSESSMENT, 20180301),
        mk(3, GM_EVENT_LISTING, 20180701),
        mk(2, GM_EVENT_VERIFICATION, 20180502),
        failed(mk(4, GM_EVENT_SPOT_CHECK, 20190301)),
        mk(6, GM_EVENT_VERIFICATION, 20190501),
        mk(7, GM_EVENT_LIFTING, 20190601),
        mk(8, GM_EVENT_CREDIT_RATING, 20190101),
        mk(9, GM_EVENT_THREE_RATES, 20190301),
    };
    h[7].year = 2018;
    h[7].grade = "B";
    size_t n = sizeof h / sizeof *h;
    gm_mine_state s;
    /* before anything */
    assert_int_equal(gm_mine_status_at(ctx, h, n, 20180228, &s), GM_OK);
    assert_int_equal(s.standing, GM_STANDING_NONE);
    assert_int_equal(s.events, 0);
    /* on the day of the self-assessment: counted (both ends included) */
    gm_mine_status_at(ctx, h, n, 20180301, &s);
    assert_int_equal(s.standing, GM_STANDING_ASSESSED);
    assert_int_equal(s.last_self_assessment, 20180301);
    gm_mine_status_at(ctx, h, n, 20180601, &s);
    assert_int_equal(s.standing, GM_STANDING_VERIFIED);
    assert_int_equal(s.last_verification, 20180502);
    gm_mine_status_at(ctx, h, n, 20181231, &s);
    assert_int_equal(s.standing, GM_STANDING_LISTED);
    assert_int_equal(s.listed_on, 20180701);
    assert_string_equal(s.batch, "2018-1");
    assert_int_equal(s.spot_checks, 0);
    /* 2019-03-10: the failed spot check, still listed (blacklisting is its own event) */
    gm_mine_status_at(ctx, h, n, 20190310, &s);
    assert_int_equal(s.standing, GM_STANDING_LISTED);
    assert_int_equal(s.spot_checks, 1);
    assert_int_equal(s.spot_checks_failed, 1);
    assert_int_equal(s.spot_check_result, GM_RESULT_FAIL);
    assert_string_equal(s.credit_grade, "B");
    assert_int_equal(s.rates_year, 2019);
    assert_true(s.mining_recovery == 90);
    gm_mine_status_at(ctx, h, n, 20190315, &s);
    assert_int_equal(s.standing, GM_STANDING_BLACKLISTED);
    assert_int_equal(s.blacklisted_on, 20190315);
    assert_int_equal(s.listed_on, 0); /* the listing is lost */
    assert_int_equal(s.ever_listed, 20180701);
    /* re-verified, still blacklisted until lifted */
    gm_mine_status_at(ctx, h, n, 20190520, &s);
    assert_int_equal(s.standing, GM_STANDING_BLACKLISTED);
    /* lifted: verified (the pass of 2019-05-01 came after the last self-assessment) */
    gm_mine_status_at(ctx, h, n, 0, &s);
    assert_int_equal(s.standing, GM_STANDING_VERIFIED);
    assert_int_equal(s.lifted_on, 20190601);
    assert_int_equal(s.events, n);
}

static void test_status_corrections(void **state)
{
    (void)state;
    /* the verification of 2018-05-02 is corrected to a fail on 2018-05-02 and the
     * listing withdrawn: as of any date the mine was never verified nor listed */
    gm_event h[] = {mk(1, GM_EVENT_SELF_ASSESSMENT, 20180301),
                    mk(2, GM_EVENT_VERIFICATION, 20180502), mk(3, GM_EVENT_LISTING, 20180701),
                    mk(4, GM_EVENT_LISTING, 20180701),
                    failed(mk(5, GM_EVENT_VERIFICATION, 20180502))};
    h[3].supersedes = 3;
    h[3].is_void = 1;
    h[4].supersedes = 2;
    gm_mine_state s;
    gm_mine_status_at(ctx, h, 5, 20181231, &s);
    assert_int_equal(s.standing, GM_STANDING_ASSESSED);
    assert_int_equal(s.verification_result, GM_RESULT_FAIL);
    assert_int_equal(s.ever_listed, 0);
    assert_int_equal(s.events, 2); /* the assessment and the corrected verification */
    assert_false(gm_event_counts(h, 5, &h[1]));
    assert_false(gm_event_counts(h, 5, &h[3])); /* a withdrawal counts for nothing */
    assert_true(gm_event_counts(h, 5, &h[4]));
    /* a correction takes the place of the event it replaces among same-day events:
     * a self-assessment (6) and a verification (7) on one day, the assessment
     * corrected later (8): the verification still comes after it */
    gm_event g[] = {mk(6, GM_EVENT_SELF_ASSESSMENT, 20200101),
                    mk(7, GM_EVENT_VERIFICATION, 20200101),
                    mk(8, GM_EVENT_SELF_ASSESSMENT, 20200101)};
    g[2].supersedes = 6;
    gm_mine_status_at(ctx, g, 3, 0, &s);
    assert_int_equal(s.standing, GM_STANDING_VERIFIED);
}

static void test_vocabularies(void **state)
{
    (void)state;
    gm_event_kind k;
    assert_int_equal(gm_parse_event_kind(" 第三方评估 ", &k), GM_OK);
    assert_int_equal(k, GM_EVENT_VERIFICATION);
    assert_int_equal(gm_parse_event_kind("Spot_Check", &k), GM_OK);
    assert_int_equal(k, GM_EVENT_SPOT_CHECK);
    assert_int_equal(gm_parse_event_kind("inspection", &k), GM_ERR_FIELD);
    gm_result r;
    assert_int_equal(gm_parse_result("不合格", &r), GM_OK);
    assert_int_equal(r, GM_RESULT_FAIL);
    assert_string_equal(gm_event_kind_name(GM_EVENT_THREE_RATES), "three_rates");
    assert_string_equal(gm_event_kind_name_zh(GM_EVENT_LISTING), "入选名录");
    assert_string_equal(gm_standing_name(GM_STANDING_BLACKLISTED), "blacklisted");
    /* GB 32100-2015 check digit: 91350100M000100Y4? -- the weighted sum of the first 17
     * characters is 1*9+3*1+9*3+27*5+19*0+26*1+16*0+17*0+20*21(M)+29*0+25*0+13*0+8*1+24*0+
     * 10*0+30*30(Y)+28*4 = 1640; 1640 mod 31 = 28; 31 - 28 = 3: the check character "3" */
    assert_true(gm_credit_code_valid("91350100M000100Y43"));
    assert_false(gm_credit_code_valid("91350100M000100Y44"));
    assert_false(gm_credit_code_valid("91350100M000100Y4"));
    assert_false(gm_credit_code_valid("91350100I000100Y43")); /* I is not in the alphabet */
}

static void test_thresholds(void **state)
{
    (void)state;
    gm_threshold items[] = {
        {GM_INDUSTRY_NONFERROUS, NULL, 85, 80, NAN, NULL},
        {GM_INDUSTRY_NONFERROUS, "钨矿", 88, NAN, NAN, NULL},
    };
    gm_threshold_list t = {.items = items, .n = 2};
    const gm_threshold *x = gm_threshold_for(&t, GM_INDUSTRY_NONFERROUS, "钨矿");
    assert_ptr_equal(x, &items[1]);
    assert_ptr_equal(gm_threshold_for(&t, GM_INDUSTRY_NONFERROUS, "铅锌矿"), &items[0]);
    assert_null(gm_threshold_for(&t, GM_INDUSTRY_COAL, NULL));
    /* 85/80: 85 and 80 meet (>=), 84.9 does not, a missing rate with a minimum does not */
    assert_int_equal(gm_three_rates_compliant(&items[0], 85, 80, NAN), 1);
    assert_int_equal(gm_three_rates_compliant(&items[0], 84.9, 90, 50), 0);
    assert_int_equal(gm_three_rates_compliant(&items[0], 90, NAN, 50), 0);
    assert_int_equal(gm_three_rates_compliant(NULL, 90, 90, 90), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_licence_must_exist),
        cmocka_unit_test(test_listing_needs_verification_after_assessment),
        cmocka_unit_test(test_verification_needs_assessment),
        cmocka_unit_test(test_blacklist),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_corrections),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_status_as_of),
        cmocka_unit_test(test_status_corrections),
        cmocka_unit_test(test_vocabularies),
        cmocka_unit_test(test_thresholds),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
