/*
 * test_overlay.c -- the contract's analysis rules on hand-made lon/lat
 * rectangles. Every expected hectare comes from the closed-form band area of
 * the rectangle that the rule says should be counted, so each shortcut (sums
 * instead of unions, exclusive period ends, ignoring flags) fails a test.
 */
#include "testutil.h"
#define GM_TESTCTX_INPUTS
#include "testctx.h"

#include <greenmine/analysis.h>
#include <greenmine/area.h>
#include <greenmine/load.h>

#include "core/window.h"

static gm_results *run(gm_inputs *in, const gm_analysis_options *opts)
{
    gm_results *res = NULL;
    int rc = gm_analyze(ctx, in, opts, &res);
    if (rc != GM_OK) fail_msg("gm_analyze: %s", gm_context_errmsg(ctx));
    return res;
}

static void test_touching_is_clear(void **state)
{
    (void)state;
    gm_inputs *in = fresh();
    mine(in, "M", GM_SCALE_SMALL, r(0, 0, 1, 1));
    redline(in, "R", r(1, 0, 2, 1));
    gm_results *res = run(in, NULL);
    assert_true(res->mines[0].conflict_ha == 0.0);
    assert_int_equal(res->mines[0].n_overlaps, 0);
    assert_int_equal(res->conflict_mines, 0);
    assert_rel(res->mines[0].mine_ha, ha(0, 0, 1, 1), 1e-9);
    gm_results_free(ctx, res);
    gm_inputs_free(ctx, in);
}

/* An overlap of 1e-11 degree (~0.001 m², below 1e-6 ha) is noise: clear. */
static void test_noise_overlap_is_clear(void **state)
{
    (void)state;
    gm_inputs *in = fresh();
    mine(in, "M", GM_SCALE_SMALL,
         wkt(h, "POLYGON((112 28,112.01 28,112.01 28.01,112 28.01,112 28))"));
    redline(in, "R",
            wkt(h, "POLYGON((112.00999999999 28,112.02 28,112.02 28.01,112.00999999999 "
                   "28.01,112.00999999999 28))"));
    gm_results *res = run(in, NULL);
    assert_true(res->mines[0].conflict_ha == 0.0);
    assert_int_equal(res->conflict_mines, 0);
    gm_results_free(ctx, res);
    gm_inputs_free(ctx, in);
}

/* Two overlapping red lines over one mine: their overlap counts once. */
static void test_overlapping_redlines_count_once(void **state)
{
    (void)state;
    gm_inputs *in = fresh();
    mine(in, "M", GM_SCALE_LARGE, r(0, 0, 4, 1));
    redline(in, "R1", r(1, -1, 3, 2));
    redline(in, "R2", r(2, -1, 5, 2));
    gm_results *res = run(in, NULL);
    const gm_mine_result *m = &res->mines[0];
    assert_rel(m->conflict_ha, ha(1, 0, 4, 1), 1e-9); /* the sum would be ha(1,0,5,1) */
    assert_int_equal(m->n_overlaps, 2);
    assert_rel(res->overlaps[0].area_ha, ha(1, 0, 3, 1), 1e-9);
    assert_rel(res->overlaps[1].area_ha, ha(2, 0, 4, 1), 1e-9);
    assert_int_equal(res->conflict_mines, 1);
    assert_rel(res->conflict_ha, ha(1, 0, 4, 1), 1e-9);
    gm_results_free(ctx, res);
    gm_inputs_free(ctx, in);
}

static void test_mine_inside_redline(void **state)
{
    (void)state;
    gm_inputs *in = fresh();
    mine(in, "M", GM_SCALE_SMALL, r(1, 1, 2, 2));
    redline(in, "R", r(0, 0, 3, 3));
    gm_results *res = run(in, NULL);
    assert_rel(res->mines[0].conflict_ha, ha(1, 1, 2, 2), 1e-9);
    assert_rel(res->mines[0].conflict_ha, res->mines[0].mine_ha, 1e-12);
    gm_results_free(ctx, res);
    gm_inputs_free(ctx, in);
}

static void test_duplicate_and_overlapping_parcels_count_once(void **state)
{
    (void)state;
    gm_inputs *in = fresh();
    zone(in, "Z", r(-10, -10, 10, 10));
    done(in, r(0, 0, 2, 1));
    done(in, r(0, 0, 2, 1)); /* duplicate */
    done(in, r(1, 0, 3, 1)); /* overlaps the first by half */
    done(in, r(5, 5, 6, 6)); /* alone */
    gm_results *res = run(in, NULL);
    double expected = ha(0, 0, 3, 1) + ha(5, 5, 6, 6);
    assert_rel(res->done_ha[GM_RESTORATION], expected, 1e-9);
    assert_rel(res->zones[0].done_ha[GM_RESTORATION], expected, 1e-9);
    assert_int_equal(res->parcels_counted[GM_RESTORATION], 4);
    assert_true(res->outside_done_ha[GM_RESTORATION] == 0.0);
    gm_results_free(ctx, res);
    gm_inputs_free(ctx, in);
}

static void test_parcel_across_two_zones_counts_once(void **state)
{
    (void)state;
    gm_inputs *in = fresh();
    zone(in, "Z1", r(0, 0, 2, 2));
    zone(in, "Z2", r(2, 0, 4, 2));
    done(in, r(1, 0, 3, 1)); /* half in each zone */
    done(in, r(5, 0, 6, 1)); /* outside both */
    gm_results *res = run(in, NULL);
    assert_rel(res->zones[0].done_ha[GM_RESTORATION], ha(1, 0, 2, 1), 1e-9);
    assert_rel(res->zones[1].done_ha[GM_RESTORATION], ha(2, 0, 3, 1), 1e-9);
    assert_rel(res->outside_done_ha[GM_RESTORATION], ha(5, 0, 6, 1), 1e-9);
    assert_rel(res->done_ha[GM_RESTORATION], ha(1, 0, 3, 1) + ha(5, 0, 6, 1), 1e-9);
    assert_non_null(res->zones[0].done[GM_RESTORATION]);
    assert_null(res->zones[0].done[GM_RECLAMATION]);
    gm_results_free(ctx, res);
    gm_inputs_free(ctx, in);
}

/* Zones that overlap (not the plan's, but possible in data): each zone counts
 * its own clip, the province the union once. */
static void test_overlapping_zones_each_count_their_part(void **state)
{
    (void)state;
    gm_inputs *in = fresh();
    zone(in, "Z1", r(0, 0, 3, 2));
    zone(in, "Z2", r(2, 0, 5, 2));
    done(in, r(1, 0, 4, 1));
    gm_results *res = run(in, NULL);
    assert_rel(res->zones[0].done_ha[GM_RESTORATION], ha(1, 0, 3, 1), 1e-9);
    assert_rel(res->zones[1].done_ha[GM_RESTORATION], ha(2, 0, 4, 1), 1e-9);
    assert_rel(res->done_ha[GM_RESTORATION], ha(1, 0, 4, 1), 1e-9);
    assert_true(res->outside_done_ha[GM_RESTORATION] == 0.0);
    gm_results_free(ctx, res);
    gm_inputs_free(ctx, in);
}

/* The period includes both ends; status, date and legacy all matter. */
static void test_date_status_and_legacy_filter(void **state)
{
    (void)state;
    gm_inputs *in = fresh();
    zone(in, "Z", r(-50, -50, 50, 50));
    const gm_parcel_kind REST = GM_RESTORATION, RECL = GM_RECLAMATION;
    const gm_parcel_status DONE = GM_PARCEL_COMPLETED;
    /* counted: the first and last days of the period */
    parcel(in, REST, DONE, 20160101, GM_FLAG_YES, r(0, 0, 1, 1));
    parcel(in, REST, DONE, 20201231, GM_FLAG_YES, r(2, 0, 3, 2)); /* 2 units tall */
    /* not counted */
    parcel(in, REST, DONE, 20151231, GM_FLAG_YES, r(4, 0, 5, 1));
    parcel(in, REST, DONE, 20210101, GM_FLAG_YES, r(6, 0, 7, 1));
    parcel(in, REST, GM_PARCEL_PLANNED, 20180101, GM_FLAG_YES, r(8, 0, 9, 1));
    parcel(in, REST, GM_PARCEL_IN_PROGRESS, 20180101, GM_FLAG_YES, r(10, 0, 11, 1));
    parcel(in, REST, DONE, 0, GM_FLAG_YES, r(12, 0, 13, 1)); /* no date */
    parcel(in, REST, DONE, 20180101, GM_FLAG_NO, r(14, 0, 15, 1));
    parcel(in, REST, DONE, 20180101, GM_FLAG_UNKNOWN, r(16, 0, 17, 1));
    parcel(in, GM_KIND_UNKNOWN, DONE, 20180101, GM_FLAG_YES, r(18, 0, 19, 1));
    /* reclamation does not need the legacy flag */
    parcel(in, RECL, DONE, 20180101, GM_FLAG_NO, r(20, 0, 21, 3));
    parcel(in, RECL, GM_PARCEL_IN_PROGRESS, 20180101, GM_FLAG_NO, r(22, 0, 23, 1));

    gm_results *res = run(in, NULL);
    assert_rel(res->done_ha[GM_RESTORATION], ha(0, 0, 1, 1) + ha(2, 0, 3, 2), 1e-9);
    assert_rel(res->done_ha[GM_RECLAMATION], ha(20, 0, 21, 3), 1e-9);
    assert_int_equal(res->parcels_counted[GM_RESTORATION], 2);
    assert_int_equal(res->parcels_counted[GM_RECLAMATION], 1);
    assert_int_equal(res->completed_without_date, 1);
    gm_results_free(ctx, res);

    /* as of 2020-12-30 the parcel completed on the 31st is not yet done */
    gm_analysis_options early = {.period_start = 20160101, .as_of = 20201230};
    res = run(in, &early);
    assert_rel(res->done_ha[GM_RESTORATION], ha(0, 0, 1, 1), 1e-9);
    gm_results_free(ctx, res);
    gm_inputs_free(ctx, in);
}

static void test_mine_zone_is_largest_part(void **state)
{
    (void)state;
    gm_inputs *in = fresh();
    zone(in, "Z1", r(0, 0, 2, 2));
    zone(in, "Z2", r(2, 0, 4, 2));
    mine(in, "A", GM_SCALE_LARGE, r(1.5, 0, 3, 1));   /* 0.5 in Z1, 1 in Z2 */
    mine(in, "B", GM_SCALE_SMALL, r(0.5, 0.5, 1, 1)); /* all in Z1 */
    mine(in, "C", GM_SCALE_SMALL, r(9, 9, 10, 10));   /* in none */
    redline(in, "R", r(2.5, 0, 5, 5));
    gm_results *res = run(in, NULL);
    assert_int_equal(res->mines[0].zone, 1);
    assert_int_equal(res->mines[1].zone, 0);
    assert_int_equal(res->mines[2].zone, -1);
    assert_int_equal(res->zones[0].mines, 1);
    assert_int_equal(res->zones[1].mines, 1);
    assert_int_equal(res->zones[1].large_medium_mines, 1);
    assert_int_equal(res->zones[1].conflict_mines, 1);
    assert_int_equal(res->zones[0].conflict_mines, 0);
    gm_results_free(ctx, res);
    gm_inputs_free(ctx, in);
}

/* A mine without geometry still counts in the share; unknown scales do not. */
static void test_share_counts_empty_mines(void **state)
{
    (void)state;
    gm_inputs *in = fresh();
    mine(in, "L", GM_SCALE_LARGE, r(0, 0, 1, 1));
    mine(in, "M", GM_SCALE_MEDIUM, NULL);
    mine(in, "S", GM_SCALE_SMALL, r(2, 0, 3, 1));
    mine(in, "U", GM_SCALE_UNKNOWN, r(4, 0, 5, 1));
    gm_results *res = run(in, NULL);
    assert_int_equal(res->mines_known_scale, 3);
    assert_int_equal(res->large_medium_mines, 2);
    assert_rel(res->large_medium_share, 2.0 / 3.0, 1e-15);
    assert_true(res->mines[1].mine_ha == 0.0);
    gm_results_free(ctx, res);
    gm_inputs_free(ctx, in);
}

/* A sliver of 1e-11 degree (~1e-7 ha, under GM_NOISE_HA) is noise for zones too:
 * the mine is in no zone; the parcel is all outside and its zone figure exactly 0. */
#define SLIVER                                                                                     \
    "POLYGON((112.00999999999 28,112.02 28,112.02 28.01,112.00999999999 28.01,112.00999999999 "    \
    "28))"
static void test_noise_overlap_with_zone_is_nothing(void **state)
{
    (void)state;
    gm_inputs *in = fresh();
    zone(in, "Z", wkt(h, SLIVER));
    mine(in, "M", GM_SCALE_SMALL, r(0, 0, 1, 1));
    done(in, r(0, 0, 1, 1));
    gm_results *res = run(in, NULL);
    assert_int_equal(res->mines[0].zone, -1);
    assert_int_equal(res->zones[0].mines, 0);
    assert_true(res->zones[0].done_ha[GM_RESTORATION] == 0.0);
    assert_null(res->zones[0].done[GM_RESTORATION]);
    assert_rel(res->outside_done_ha[GM_RESTORATION], ha(0, 0, 1, 1), 1e-9);
    gm_results_free(ctx, res);
    gm_inputs_free(ctx, in);
}

/* A parcel inside a zone but for a noise sliver: nothing is "outside". */
static void test_noise_outside_is_nothing(void **state)
{
    (void)state;
    gm_inputs *in = fresh();
    zone(in, "Z",
         wkt(h, "POLYGON((111.9 27.9,112.00999999999 27.9,112.00999999999 28.1,111.9 28.1,111.9 "
                "27.9))"));
    done(in, r(0, 0, 1, 1));
    gm_results *res = run(in, NULL);
    assert_true(res->outside_done_ha[GM_RESTORATION] == 0.0);
    assert_null(res->outside_done[GM_RESTORATION]);
    gm_results_free(ctx, res);
    gm_inputs_free(ctx, in);
}

/* Threads change nothing: bit-identical figures with 1 and 3 workers. */
/* A zone of 3,000 vertices and small squares all along its border: overlaid
 * with the zone's window piece they give what they give with the whole zone
 * (areas to 1e-12); a square wider than half a window cell gets the whole zone. */
static void test_window_pieces_overlay_like_the_zone(void **state)
{
    (void)state;
    enum { N = 3000 };
    size_t len = 64 + N * 48;
    char *text = malloc(len);
    size_t at = (size_t)snprintf(text, len, "POLYGON((");
    for (int k = 0; k <= N; k++) {
        double t = 2 * 3.14159265358979 * (k % N) / N, rr = 0.3 + 0.05 * sin(7 * t);
        at += (size_t)snprintf(text + at, len - at, "%s%.12f %.12f", k ? "," : "",
                               112.3 + rr * cos(t), 28.3 + rr * sin(t));
    }
    snprintf(text + at, len - at, "))");
    GEOSGeometry *zone = wkt(h, text);
    free(text);
    gm_windows win;
    assert_int_equal(gm_windows_init(&win, &zone, 1, 1), GM_OK);
    gm_worker w = {.geos = h, .id = 0};
    int cut = 0;
    for (int k = 0; k < 400; k++) {
        double t = 2 * 3.14159265358979 * (k + 0.37) / 400, rr = 0.3 + 0.05 * sin(7 * t);
        double x = 112.3 + rr * cos(t), y = 28.3 + rr * sin(t), d = k % 2 ? 0.004 : 0.0093;
        GEOSGeometry *sq = rect(h, x - d / 2, y - d / 2, x + d / 2, y + d / 2);
        const GEOSGeometry *piece = gm_windows_get(&win, &w, 0, sq);
        assert_non_null(piece);
        if (piece != zone) cut++;
        GEOSGeometry *a = GEOSIntersection_r(h, sq, zone), *b = GEOSIntersection_r(h, sq, piece);
        GEOSGeometry *c = GEOSDifference_r(h, sq, zone), *e = GEOSDifference_r(h, sq, piece);
        assert_rel(gm_geodesic_area_m2(h, b), gm_geodesic_area_m2(h, a), 1e-12);
        assert_rel(gm_geodesic_area_m2(h, e), gm_geodesic_area_m2(h, c), 1e-12);
        assert_true(gm_geodesic_area_m2(h, a) > 0 && gm_geodesic_area_m2(h, c) > 0);
        GEOSGeom_destroy_r(h, a), GEOSGeom_destroy_r(h, b);
        GEOSGeom_destroy_r(h, c), GEOSGeom_destroy_r(h, e), GEOSGeom_destroy_r(h, sq);
    }
    assert_true(cut > 100); /* most squares fit a window */
    GEOSGeometry *wide = rect(h, 112.28, 27.99, 112.32, 28.01);
    assert_ptr_equal(gm_windows_get(&win, &w, 0, wide), zone);
    GEOSGeom_destroy_r(h, wide);
    gm_pool *pool = NULL;
    assert_int_equal(gm_pool_new(ctx, &pool), GM_OK);
    gm_windows_free(&win, pool);
    gm_pool_free(pool);
    GEOSGeom_destroy_r(h, zone);
}

static void test_threads_give_identical_results(void **state)
{
    (void)state;
    gm_inputs *in = fresh();
    zone(in, "Z1", r(0, 0, 20, 40));
    zone(in, "Z2", r(20, 0, 40, 40));
    unsigned seed = 7;
    for (int i = 0; i < 300; i++) {
        seed = seed * 1103515245u + 12345u;
        double x = (seed >> 8) % 380 / 10.0, y = (seed >> 4) % 380 / 10.0;
        done(in, r(x, y, x + 1.5, y + 1));
        if (i % 3 == 0) {
            mine(in, "m", i % 30 ? GM_SCALE_SMALL : GM_SCALE_LARGE, r(y, x, y + 2, x + 1));
            redline(in, "r", r(x, x, x + 3, x + 0.5));
        }
    }
    gm_results *one = run(in, NULL);
    gm_context_set_threads(ctx, 3);
    gm_results *three = run(in, NULL);
    gm_context_set_threads(ctx, 1);
    assert_true(one->done_ha[GM_RESTORATION] == three->done_ha[GM_RESTORATION]);
    assert_true(one->conflict_ha == three->conflict_ha);
    assert_int_equal(one->n_overlaps, three->n_overlaps);
    for (size_t z = 0; z < 2; z++)
        assert_true(one->zones[z].done_ha[GM_RESTORATION] ==
                    three->zones[z].done_ha[GM_RESTORATION]);
    for (size_t i = 0; i < in->n_mines; i++) {
        assert_true(one->mines[i].conflict_ha == three->mines[i].conflict_ha);
        assert_int_equal(one->mines[i].zone, three->mines[i].zone);
    }
    /* and the union is no sum: overlaps exist in this set */
    double sum = 0;
    for (size_t i = 0; i < in->n_parcels; i++)
        sum += gm_geodesic_area_ha(h, in->parcels[i].geom);
    assert_true(one->done_ha[GM_RESTORATION] < sum * 0.99);
    gm_results_free(ctx, one);
    gm_results_free(ctx, three);
    gm_inputs_free(ctx, in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_touching_is_clear),
        cmocka_unit_test(test_noise_overlap_is_clear),
        cmocka_unit_test(test_overlapping_redlines_count_once),
        cmocka_unit_test(test_mine_inside_redline),
        cmocka_unit_test(test_duplicate_and_overlapping_parcels_count_once),
        cmocka_unit_test(test_parcel_across_two_zones_counts_once),
        cmocka_unit_test(test_overlapping_zones_each_count_their_part),
        cmocka_unit_test(test_date_status_and_legacy_filter),
        cmocka_unit_test(test_mine_zone_is_largest_part),
        cmocka_unit_test(test_share_counts_empty_mines),
        cmocka_unit_test(test_threads_give_identical_results),
        cmocka_unit_test(test_window_pieces_overlay_like_the_zone),
        cmocka_unit_test(test_noise_overlap_with_zone_is_nothing),
        cmocka_unit_test(test_noise_outside_is_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
