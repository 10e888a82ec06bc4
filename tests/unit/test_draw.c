/*
 * test_draw.c -- the draw module (include/greenmine/draw.h): the lists'
 * canonical bytes and checks, the share, the algorithm on small cases whose
 * picks were computed by tests/cli/draw_reference.py (Python's hashlib, from
 * docs/draw.md alone), a draw the rules forbid, and the registry's record
 * with the assignment a spot-check result is checked against.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* after the three above, which it needs */
#include <cmocka.h>

#include <greenmine/draw.h>
#include <greenmine/events.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static char *empty[1];

/* Five mines M0..M4 (M0-M2 in county A, M3-M4 in B) and three inspectors
 * I0 (county A), I1, I2 (provincial). */
static gm_draw_lists *five_three(void)
{
    static char lic[5][4], *a = "A", *b = "B", *coal = "coal";
    gm_draw_mine m[5];
    for (int i = 0; i < 5; i++) {
        snprintf(lic[i], sizeof lic[i], "M%d", i);
        m[i] = (gm_draw_mine){lic[i], i < 3 ? a : b, coal, empty, 0};
    }
    gm_draw_inspector in[3] = {{"I2", "n2", "", ""}, {"I0", "n0", "A", ""}, {"I1", "n1", "", ""}};
    gm_draw_lists *l = NULL;
    assert_int_equal(gm_draw_lists_make(ctx, m, 5, in, 3, &l), GM_OK);
    return l;
}

static void test_lists_bytes(void **state)
{
    (void)state;
    char *barred[] = {"I9", "-x", "-x", "nobody"}; /* unsorted, repeated, one not on the roster */
    gm_draw_mine m[] = {{"b", "县", "coal", barred, 4}, {"B", "", "", empty, 0}};
    gm_draw_inspector in[] = {{"I9", "=cmd", "县", "a, \"b\""}, {"-x", "@n", "", "'q"}};
    gm_draw_lists *l = NULL;
    assert_int_equal(gm_draw_lists_make(ctx, m, 2, in, 2, &l), GM_OK);
    /* byte order: "B" (0x42) before "b" (0x62); "-x" (0x2d) before "I9" */
    assert_string_equal(l->mines_csv, "\"licence_no\",\"county\",\"industry\",\"barred\"\n"
                                      "\"B\",\"\",\"\",\"\"\n"
                                      "\"b\",\"县\",\"coal\",\"'-x;I9\"\n");
    assert_string_equal(l->inspectors_csv, "\"inspector_id\",\"name\",\"county\",\"agency\"\n"
                                           "\"'-x\",\"'@n\",\"\",\"''q\"\n"
                                           "\"I9\",\"'=cmd\",\"县\",\"a, \"\"b\"\"\"\n");
    /* what `printf '<the bytes above>' | sha256sum` prints */
    assert_string_equal(l->mines_sha256,
                        "29b4024471c32e4ede4824112a68b3a99bf259b6b492df50a4329c7b6866cf36");
    /* read back: the same values and bytes */
    gm_draw_lists *back = NULL;
    assert_int_equal(gm_draw_lists_parse(ctx, l->mines_csv, l->mines_csv_len, "m",
                                         l->inspectors_csv, l->inspectors_csv_len, "i", &back),
                     GM_OK);
    assert_string_equal(back->inspectors[0].name, "@n");
    assert_string_equal(back->inspectors[0].agency, "'q");
    assert_string_equal(back->mines[1].barred[0], "-x");
    gm_draw_lists_free(back);
    /* not canonical: rows out of order, a CR before the LF */
    const char *unsorted = "\"licence_no\",\"county\",\"industry\",\"barred\"\n"
                           "\"b\",\"\",\"\",\"\"\n\"B\",\"\",\"\",\"\"\n";
    assert_int_equal(gm_draw_lists_parse(ctx, unsorted, strlen(unsorted), "m", l->inspectors_csv,
                                         l->inspectors_csv_len, "i", &back),
                     GM_ERR_USAGE);
    assert_non_null(strstr(gm_context_errmsg(ctx), "canonical"));
    const char *crlf = "\"licence_no\",\"county\",\"industry\",\"barred\"\r\n";
    assert_int_equal(gm_draw_lists_parse(ctx, crlf, strlen(crlf), "m", l->inspectors_csv,
                                         l->inspectors_csv_len, "i", &back),
                     GM_ERR_USAGE);
    gm_draw_lists_free(l);
}

static void test_lists_refused(void **state)
{
    (void)state;
    gm_draw_lists *l = NULL;
    gm_draw_mine twice[] = {{"M", "", "", empty, 0}, {"M", "", "", empty, 0}};
    gm_draw_inspector one[] = {{"I", "n", "", ""}};
    assert_int_equal(gm_draw_lists_make(ctx, twice, 2, one, 1, &l), GM_ERR_USAGE);
    assert_non_null(strstr(gm_context_errmsg(ctx), "twice"));
    gm_draw_mine ok[] = {{"M", "", "", empty, 0}};
    gm_draw_inspector semi[] = {{"I;J", "n", "", ""}};
    assert_int_equal(gm_draw_lists_make(ctx, ok, 1, semi, 1, &l), GM_ERR_USAGE);
    gm_draw_inspector ctrl[] = {{"I", "n\x1b[2J", "", ""}};
    assert_int_equal(gm_draw_lists_make(ctx, ok, 1, ctrl, 1, &l), GM_ERR_USAGE);
    gm_draw_inspector dup[] = {{"I", "n", "", ""}, {"I", "m", "", ""}};
    assert_int_equal(gm_draw_lists_make(ctx, ok, 1, dup, 2, &l), GM_ERR_USAGE);
    assert_null(l);
}

static void test_share(void **state)
{
    (void)state;
    int bp = 0;
    assert_int_equal(gm_draw_parse_share(ctx, "5%", &bp), GM_OK);
    assert_int_equal(bp, 500);
    assert_int_equal(gm_draw_parse_share(ctx, "2.5 %", &bp), GM_OK);
    assert_int_equal(bp, 250);
    assert_int_equal(gm_draw_parse_share(ctx, "0.25", &bp), GM_OK);
    assert_int_equal(bp, 25);
    assert_int_equal(gm_draw_parse_share(ctx, "100%", &bp), GM_OK);
    assert_int_equal(bp, 10000);
    const char *bad[] = {"0", "0%", "100.01", "101", "1.234", "5.", ".5", "-5", "5%%", "x", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(gm_draw_parse_share(ctx, bad[i], &bp), GM_ERR_USAGE);
    char t[16];
    gm_draw_share_text(500, t);
    assert_string_equal(t, "5");
    gm_draw_share_text(250, t);
    assert_string_equal(t, "2.5");
    gm_draw_share_text(25, t);
    assert_string_equal(t, "0.25");
}

/* The picks of `d` as "M4:I0,M2:I2". */
static void picks_text(const gm_draw *d, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < d->n_picks; k++) {
        used += (size_t)snprintf(buf + used, len - used, "%s%s:", k ? "," : "",
                                 d->lists->mines[d->picks[k].mine].licence_no);
        for (int i = 0; i < d->per_mine; i++)
            used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "+" : "",
                                     d->lists->inspectors[d->picks[k].inspectors[i]].inspector_id);
    }
}

static void test_compute(void **state)
{
    (void)state;
    gm_draw_lists *l = five_three();
    gm_draw *d = NULL;
    char buf[256];
    /* draw_reference.py: draw('greenmine', ..., count=2, per_mine=1) */
    gm_draw_params p = {.date = 20200630, .seed = "greenmine", .count = 2, .per_mine = 1};
    assert_int_equal(gm_draw_compute(ctx, l, &p, &d), GM_OK);
    picks_text(d, buf, sizeof buf);
    assert_string_equal(buf, "M4:I0,M2:I2");
    gm_draw_free(d);
    /* share 50 % of 5 = 2.5 -> 3, floor 2 per county -> 4 picks (reference) */
    gm_draw_params q = {.date = 20200630,
                        .seed = "greenmine",
                        .share_bp = 5000,
                        .per_mine = 2,
                        .floor_per_county = 2};
    assert_int_equal(gm_draw_compute(ctx, l, &q, &d), GM_OK);
    picks_text(d, buf, sizeof buf);
    assert_string_equal(buf, "M4:I0+I1,M2:I2+I1,M0:I2+I1,M3:I1+I2");
    gm_draw_free(d);
    /* the county rule leaves county A's mines two inspectors: three are too many */
    q.per_mine = 3;
    d = NULL;
    assert_int_equal(gm_draw_compute(ctx, l, &q, &d), GM_ERR_USAGE);
    assert_non_null(d);
    assert_int_equal(d->n_picks, 0);
    assert_int_equal(d->n_shortages, 2); /* M2 and M0 (county A: I1, I2 only); B keeps 3 */
    assert_string_equal(l->mines[d->shortages[0].mine].licence_no, "M2");
    assert_int_equal(d->shortages[0].by_county, 1);
    assert_int_equal(d->shortages[0].eligible, 2);
    gm_draw_free(d);
    /* a count above the candidates; an empty seed */
    p.count = 6;
    d = NULL;
    assert_int_equal(gm_draw_compute(ctx, l, &p, &d), GM_ERR_USAGE);
    assert_null(d);
    p.count = 1, p.seed = "";
    assert_int_equal(gm_draw_compute(ctx, l, &p, &d), GM_ERR_USAGE);
    gm_draw_lists_free(l);
}

/* A licence listed on 2019-06-01 through the workflow rules. */
static void listed(gm_registry *reg, const char *lic, const char *county)
{
    gm_licence l = {.licence_no = (char *)lic,
                    .industry = GM_INDUSTRY_COAL,
                    .scale = GM_SCALE_LARGE,
                    .county = (char *)county,
                    .entered_by = "test"};
    int added = 0;
    assert_int_equal(gm_registry_add_licence(reg, &l, &added), GM_OK);
    gm_event e;
    gm_event_init(&e);
    e.licence_no = (char *)lic, e.entered_by = "test";
    e.kind = GM_EVENT_SELF_ASSESSMENT, e.event_date = 20190101, e.score = 80;
    assert_int_equal(gm_registry_append_event(reg, &e, NULL, NULL), GM_OK);
    e.kind = GM_EVENT_VERIFICATION, e.event_date = 20190301, e.agency = "机构甲";
    e.result = GM_RESULT_PASS;
    assert_int_equal(gm_registry_append_event(reg, &e, NULL, NULL), GM_OK);
    e.kind = GM_EVENT_LISTING, e.event_date = 20190601, e.batch = "2019-1", e.agency = NULL;
    assert_int_equal(gm_registry_append_event(reg, &e, NULL, NULL), GM_OK);
}

static void test_registry(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/draw_unit.sqlite", GM_TEST_TMP);
    unlink(path);
    gm_registry *reg = NULL;
    assert_int_equal(gm_registry_open(ctx, path, 0, &reg), GM_OK);
    listed(reg, "C1", "甲县");
    listed(reg, "C2", "乙县");
    /* K1 works for the agency that verified both within two years: barred from both */
    gm_draw_inspector roster[] = {{"K1", "k1", "", "机构甲"},
                                  {"K2", "k2", "甲县", ""},
                                  {"K3", "k3", "乙县", ""},
                                  {"K4", "k4", "", ""}};
    gm_draw_params p = {.date = 20200630, .seed = "s", .count = 2, .per_mine = 2};
    gm_draw_lists *l = NULL;
    assert_int_equal(gm_registry_draw_lists(reg, &p, roster, 4, &l), GM_OK);
    assert_string_equal(l->mines_csv, "\"licence_no\",\"county\",\"industry\",\"barred\"\n"
                                      "\"C1\",\"甲县\",\"coal\",\"K1\"\n"
                                      "\"C2\",\"乙县\",\"coal\",\"K1\"\n");
    gm_draw *d = NULL;
    assert_int_equal(gm_draw_compute(ctx, l, &p, &d), GM_OK);
    assert_int_equal(gm_registry_draw_record(reg, d, "tester"), GM_OK);
    assert_int_equal(d->draw_id, 1);
    /* C1 (甲县) can only have K3 and K4; C2 only K2 and K4 */
    char *ins = NULL;
    assert_int_equal(gm_registry_draw_assignment(reg, 1, "C1", &ins), GM_OK);
    assert_true(!strcmp(ins, "K3;K4") || !strcmp(ins, "K4;K3"));
    free(ins);
    assert_int_equal(gm_registry_draw_assignment(reg, 1, "C2", &ins), GM_OK);
    assert_true(!strcmp(ins, "K2;K4") || !strcmp(ins, "K4;K2"));
    free(ins);
    assert_int_equal(gm_registry_draw_assignment(reg, 1, "C3", &ins), GM_ERR_USAGE);
    assert_null(ins);
    /* read back: the same draw */
    gm_draw_record *r = NULL;
    assert_int_equal(gm_registry_draws(reg, &r), GM_OK);
    assert_int_equal(r->n_draws, 1);
    assert_string_equal(r->draws[0]->lists->mines_sha256, l->mines_sha256);
    assert_int_equal(r->draws[0]->n_picks, 2);
    assert_int_equal(r->draws[0]->picks[0].mine, d->picks[0].mine);
    assert_int_equal(r->draws[0]->picks[0].inspectors[1], d->picks[0].inspectors[1]);
    assert_null(gm_draw_record_result(r, 1, "C1"));
    gm_draw_record_free(r);
    gm_draw_free(d);
    gm_draw_lists_free(l);
    gm_registry_close(reg);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lists_bytes), cmocka_unit_test(test_lists_refused),
        cmocka_unit_test(test_share),       cmocka_unit_test(test_compute),
        cmocka_unit_test(test_registry),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
