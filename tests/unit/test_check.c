/*
 * test_check.c -- gm_check() on hand-made lon/lat rectangles: every verdict,
 * the buffer edge, overlapping red lines counted once, zones, existing mines,
 * batches with threads. Expected hectares come from the closed-form band
 * area; expected distances from the meridian arc integrated numerically here
 * (Simpson on M(phi)), never from GeographicLib, which the engine uses.
 */
#include "testutil.h"
#include "testctx.h"

#include <greenmine/analysis.h>
#include <greenmine/area.h>
#include <greenmine/applications.h>
#include <greenmine/load.h>

/* Length (m) of the GRS 80 meridian between two latitudes (degrees). */
static double meridian_arc_m(double lat0, double lat1)
{
    double f = GRS80_F, e2 = f * (2 - f), a = GRS80_A;
    int n = 2000;
    double p0 = lat0 * PI / 180, p1 = lat1 * PI / 180, step = (p1 - p0) / n, sum = 0;
    for (int i = 0; i <= n; i++) {
        double s = sin(p0 + i * step);
        double m = a * (1 - e2) / pow(1 - e2 * s * s, 1.5);
        sum += m * (i == 0 || i == n ? 1 : i % 2 ? 4 : 2);
    }
    return sum * step / 3;
}

static void redline(gm_inputs *in, const char *id, GEOSGeometry *g)
{
    gm_redline *x = GROW(in->redlines, in->n_redlines);
    *x = (gm_redline){.redline_id = strdup(id), .name = strdup("自然保护区"), .geom = g};
}

static void zone(gm_inputs *in, const char *name, GEOSGeometry *g)
{
    gm_zone *z = GROW(in->zones, in->n_zones);
    *z = (gm_zone){.zone_id = strdup(name), .name = strdup(name), .geom = g};
}

static void mine(gm_inputs *in, const char *id, GEOSGeometry *g)
{
    gm_mine *m = GROW(in->mines, in->n_mines);
    *m = (gm_mine){.mine_id = strdup(id), .geom = g, .green = GM_FLAG_UNKNOWN};
}

static void app(gm_applications *apps, const char *id, GEOSGeometry *g)
{
    if (apps->n == apps->cap) {
        apps->cap = apps->cap ? apps->cap * 2 : 8;
        apps->items = realloc(apps->items, apps->cap * sizeof *apps->items);
    }
    apps->items[apps->n++] = (gm_application){.id = strdup(id), .geom = g};
}

static gm_check_results *run(gm_inputs *in, gm_applications *apps, double buffer)
{
    gm_check_results *res = NULL;
    gm_check_options o = {.buffer_m = buffer};
    assert_int_equal(gm_check(ctx, in, apps, &o, &res), GM_OK);
    return res;
}

/* Two overlapping red lines: the overlap is the union's, each keeps its own. */
static void test_conflict_union(void **state)
{
    (void)state;
    gm_inputs *in;
    gm_applications *apps;
    gm_inputs_new(&in);
    gm_applications_new(&apps);
    redline(in, "A", r(5, 0, 15, 10));
    redline(in, "B", r(8, 0, 20, 10));
    app(apps, "app", r(0, 0, 10, 10));
    gm_check_results *res = run(in, apps, 0);
    gm_check_result *x = &res->items[0];
    assert_int_equal(x->verdict, GM_VERDICT_CONFLICT);
    assert_rel(x->area_ha, ha(0, 0, 10, 10), 1e-9);
    assert_rel(x->redline_overlap_ha, ha(5, 0, 10, 10), 1e-9); /* not A + B */
    assert_rel(x->overlap_pct, 50.0, 1e-6);
    assert_int_equal(x->n_redlines, 2);
    assert_rel(x->redlines[0].overlap_ha, ha(5, 0, 10, 10), 1e-9);
    assert_rel(x->redlines[1].overlap_ha, ha(8, 0, 10, 10), 1e-9);
    assert_int_equal(x->nearest, 0);
    assert_true(x->distance_m == 0);
    gm_check_results_free(ctx, res);
    gm_applications_free(ctx, apps);
    gm_inputs_free(ctx, in);
}

/* A red line due north across a gap of g degrees of latitude. */
static gm_check_results *gap_case(double gap_units, double buffer, double *expect_m)
{
    gm_inputs *in;
    gm_applications *apps;
    gm_inputs_new(&in);
    gm_applications_new(&apps);
    redline(in, "N", r(0, 10 + gap_units, 10, 20));
    app(apps, "app", r(0, 0, 10, 10));
    gm_check_results *res = run(in, apps, buffer);
    *expect_m = meridian_arc_m(28 + 10 * U, 28 + (10 + gap_units) * U);
    gm_applications_free(ctx, apps);
    gm_inputs_free(ctx, in);
    return res;
}

static void test_near_and_buffer_edge(void **state)
{
    (void)state;
    double d;
    gm_check_results *res = gap_case(0.1, 0, &d); /* 0.001 degree: ~110.9 m */
    assert_true(d > 100 && d < 120);
    assert_int_equal(res->items[0].verdict, GM_VERDICT_CLEAR); /* no buffer: clear */
    assert_int_equal(res->items[0].nearest, 0);
    assert_true(fabs(res->items[0].distance_m - d) < 1e-3);
    gm_check_results_free(ctx, res);

    res = gap_case(0.1, d + 0.01, &d); /* 1 cm more than the distance: near */
    assert_int_equal(res->items[0].verdict, GM_VERDICT_NEAR);
    assert_true(fabs(res->items[0].distance_m - d) < 1e-3);
    assert_non_null(res->items[0].buffer);
    gm_check_results_free(ctx, res);

    res = gap_case(0.1, d - 0.01, &d); /* 1 cm less: clear */
    assert_int_equal(res->items[0].verdict, GM_VERDICT_CLEAR);
    assert_true(fabs(res->items[0].distance_m - d) < 1e-3);
    gm_check_results_free(ctx, res);
}

/* Touching only: distance 0, near with a buffer, clear without; never conflict. */
static void test_touching(void **state)
{
    (void)state;
    double d;
    gm_check_results *res = gap_case(0, 10, &d);
    assert_int_equal(res->items[0].verdict, GM_VERDICT_NEAR);
    assert_true(res->items[0].distance_m == 0);
    assert_true(res->items[0].redline_overlap_ha == 0);
    gm_check_results_free(ctx, res);
    res = gap_case(0, 0, &d);
    assert_int_equal(res->items[0].verdict, GM_VERDICT_CLEAR);
    assert_true(res->items[0].distance_m == 0);
    gm_check_results_free(ctx, res);
}

/* Beyond the search radius: no nearest red line, clear. */
static void test_far(void **state)
{
    (void)state;
    double d;
    gm_check_results *res = gap_case(10, 1000, &d); /* 0.1 degree: ~11 km */
    assert_int_equal(res->items[0].verdict, GM_VERDICT_CLEAR);
    assert_int_equal(res->items[0].nearest, -1);
    assert_true(res->items[0].distance_m < 0);
    gm_check_results_free(ctx, res);
    /* a buffer larger than the radius widens the search */
    res = gap_case(10, 12000, &d);
    assert_int_equal(res->items[0].verdict, GM_VERDICT_NEAR);
    assert_true(fabs(res->items[0].distance_m - d) < 1e-2);
    gm_check_results_free(ctx, res);
}

/* Zone of the largest part, existing mines as their own overlap, buffer area. */
static void test_zone_mines_buffer(void **state)
{
    (void)state;
    gm_inputs *in;
    gm_applications *apps;
    gm_inputs_new(&in);
    gm_applications_new(&apps);
    zone(in, "浏阳市", r(-10, -10, 6, 20));
    zone(in, "平江县", r(6, -10, 30, 20));
    mine(in, "M1", r(-2, 0, 2, 10));
    mine(in, "M2", r(1, 0, 3, 10)); /* overlaps M1: the union counts once */
    app(apps, "app", r(0, 0, 10, 10));
    gm_check_results *res = run(in, apps, 100);
    gm_check_result *x = &res->items[0];
    assert_int_equal(x->verdict, GM_VERDICT_CLEAR); /* no red lines at all */
    assert_int_equal(x->zone, 0);
    assert_int_equal(x->n_mines, 2);
    assert_rel(x->mines[0].overlap_ha, ha(0, 0, 2, 10), 1e-9);
    assert_rel(x->mines[1].overlap_ha, ha(1, 0, 3, 10), 1e-9);
    assert_rel(x->mine_overlap_ha, ha(0, 0, 3, 10), 1e-9);
    /* the buffer: the square, four 100 m strips and a disc of 100 m (the
     * 64-gon GEOS draws is 0.16 % short of it) */
    double side_x = x->area_ha * 1e4 / meridian_arc_m(28, 28.1);
    double expect =
        x->area_ha * 1e4 + 2 * 100 * (side_x + meridian_arc_m(28, 28.1)) + PI * 100 * 100 * 0.99839;
    assert_rel(gm_geodesic_area_m2(h, x->buffer), expect, 2e-5);
    gm_check_results_free(ctx, res);
    gm_applications_free(ctx, apps);
    gm_inputs_free(ctx, in);
}

/* A batch gives the same answers on 1 and 3 threads, in input order. */
static void test_batch_threads(void **state)
{
    (void)state;
    gm_inputs *in;
    gm_applications *apps;
    gm_inputs_new(&in);
    gm_applications_new(&apps);
    for (int k = 0; k < 10; k++) {
        char id[16];
        snprintf(id, sizeof id, "R%d", k);
        redline(in, id, r(k * 10 + 3, 0, k * 10 + 6, 10));
    }
    for (int k = 0; k < 40; k++) {
        char id[16];
        snprintf(id, sizeof id, "A%d", k);
        app(apps, id, r(k * 2.5, 12, k * 2.5 + 2, 14 + (k % 3)));
    }
    gm_check_results *one = run(in, apps, 3000);
    gm_context_set_threads(ctx, 3);
    gm_check_results *three = run(in, apps, 3000);
    gm_context_set_threads(ctx, 1);
    for (size_t i = 0; i < apps->n; i++) {
        assert_int_equal(one->items[i].verdict, three->items[i].verdict);
        assert_int_equal(one->items[i].nearest, three->items[i].nearest);
        assert_true(one->items[i].distance_m == three->items[i].distance_m);
        assert_true(one->items[i].area_ha == three->items[i].area_ha);
        assert_int_equal(one->items[i].verdict, GM_VERDICT_NEAR); /* 2 units = 2.2 km */
    }
    gm_check_results_free(ctx, one);
    gm_check_results_free(ctx, three);
    gm_applications_free(ctx, apps);
    gm_inputs_free(ctx, in);
}

/* Long edges: an application of 4 vertices, 0.1 degree wide, cut in two by
 * red lines meeting on the 112.05E meridian. Areas take edges as geodesics;
 * the overlay must not move the cut points off them (in plain lon/lat the
 * top edge's cut point lies ~1 m south of its geodesic: 6e-5 of the area). */
static void test_long_edges(void **state)
{
    (void)state;
    gm_inputs *in;
    gm_applications *apps;
    gm_inputs_new(&in);
    gm_applications_new(&apps);
    redline(in, "W", r(-10, -10, 5, 20));
    redline(in, "E", r(5, -10, 20, 20));
    app(apps, "app", wkt(h, "POLYGON((112 28, 112.1 28, 112.1 28.1, 112 28.1, 112 28))"));
    gm_check_results *res = run(in, apps, 0);
    gm_check_result *x = &res->items[0];
    assert_int_equal(x->n_redlines, 2);
    assert_rel(x->redline_overlap_ha, x->area_ha, 1e-9);
    assert_rel(x->redlines[0].overlap_ha + x->redlines[1].overlap_ha, x->area_ha, 1e-9);
    gm_check_results_free(ctx, res);
    gm_applications_free(ctx, apps);
    gm_inputs_free(ctx, in);
}

/* An overlap below the noise threshold is no conflict. */
static void test_noise(void **state)
{
    (void)state;
    gm_inputs *in;
    gm_applications *apps;
    gm_inputs_new(&in);
    gm_applications_new(&apps);
    /* 1e-11 degree deep sliver: 1.1e-6 m x 983 m = 0.001 m^2 < 0.01 m^2 */
    redline(in, "S", wkt(h, "POLYGON((112 28.1, 112.1 28.1, 112.1 28.2, 112 28.2, 112 28.1))"));
    app(apps, "app",
        wkt(h, "POLYGON((112 28, 112.01 28, 112.01 28.10000000001, 112 28.10000000001, 112 28))"));
    gm_check_results *res = run(in, apps, 0);
    assert_int_equal(res->items[0].verdict, GM_VERDICT_CLEAR);
    assert_true(res->items[0].redline_overlap_ha == 0);
    gm_check_results_free(ctx, res);
    gm_applications_free(ctx, apps);
    gm_inputs_free(ctx, in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conflict_union),
        cmocka_unit_test(test_near_and_buffer_edge),
        cmocka_unit_test(test_touching),
        cmocka_unit_test(test_far),
        cmocka_unit_test(test_zone_mines_buffer),
        cmocka_unit_test(test_batch_threads),
        cmocka_unit_test(test_noise),
        cmocka_unit_test(test_long_edges),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
