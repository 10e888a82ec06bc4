/*
 * test_densify.c -- the points densification adds lie on the geodesic edge
 * (within 1e-8 m, measured with GeographicLib through PROJ's geodesic.h, not
 * with the engine), no piece is longer than the step, and short edges get none;
 * the bound on how far they stray from the lon/lat chord holds, and edges
 * left as chords leave the others' points as they are.
 */
#include "testutil.h"

#include "core/densify.h"

#include <geodesic.h>
#include <greenmine/area.h>

static struct geod_geodesic grs80;

/* A thin quadrilateral whose first side is the edge (lon0, lat0) -> azimuth
 * az, length len; the other sides are short or parallel. */
static GEOSGeometry *edge_polygon(double lon0, double lat0, double az, double len, double *lon1,
                                  double *lat1)
{
    double lat2, lon2, lat3, lon3, dummy;
    geod_direct(&grs80, lat0, lon0, az, len, lat1, lon1, &dummy);
    geod_direct(&grs80, *lat1, *lon1, az + 90.0, 10.0, &lat2, &lon2, &dummy);
    geod_direct(&grs80, lat0, lon0, az + 90.0, 10.0, &lat3, &lon3, &dummy);
    char text[512];
    snprintf(text, sizeof text,
             "POLYGON((%.15g %.15g,%.15g %.15g,%.15g %.15g,%.15g %.15g,%.15g %.15g))", lon0, lat0,
             *lon1, *lat1, lon2, lat2, lon3, lat3, lon0, lat0);
    return wkt(h, text);
}

/* Along the first side of a densified edge_polygon: the largest distance of an
 * added point from the geodesic, the longest piece, and how many were added. */
static void measure(const GEOSGeometry *g, const GEOSGeometry *d, double *off_m, double *piece_m,
                    int *added)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, d));
    double x0, y0, lon1, lat1, s, az, az2;
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(h, seq, &n);
    GEOSCoordSeq_getXY_r(h, seq, 0, &x0, &y0);
    GEOSCoordSeq_getXY_r(h, GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, g)), 1, &lon1,
                         &lat1);
    geod_inverse(&grs80, y0, x0, lat1, lon1, &s, &az, &az2);
    *off_m = 0.0, *piece_m = 0.0, *added = 0;
    double px = x0, py = y0;
    for (unsigned i = 1; i < n; i++) {
        double x, y, si, ai, a2;
        GEOSCoordSeq_getXY_r(h, seq, i, &x, &y);
        double piece;
        geod_inverse(&grs80, py, px, y, x, &piece, &ai, &a2);
        *piece_m = fmax(*piece_m, piece);
        if (x == lon1 && y == lat1) break;
        geod_inverse(&grs80, y0, x0, y, x, &si, &ai, &a2);
        *off_m = fmax(*off_m, fabs(si * sin((ai - az) * 3.14159265358979323846 / 180.0)));
        (*added)++;
        px = x, py = y;
    }
}

/* Edges from 60 m to 5 km, at Hunan's latitudes, in every direction: the
 * points lie on the geodesic and cut it into pieces of at most 50 m. */
static void test_points_on_the_geodesic(void **state)
{
    (void)state;
    static const double lengths[] = {60, 99, 101, 249, 640, 999, 1001, 2499, 5001};
    double worst = 0.0;
    for (size_t k = 0; k < sizeof lengths / sizeof *lengths; k++)
        for (double lat = 24.7; lat <= 30.0; lat += 2.65)
            for (double az = 3.0; az < 360.0; az += 37.0) {
                double lon1, lat1, off, piece;
                int added;
                GEOSGeometry *g = edge_polygon(112.3, lat, az, lengths[k], &lon1, &lat1);
                GEOSGeometry *d = gm_densify_geodesic(h, g, GM_DENSIFY_M);
                assert_non_null(d);
                measure(g, d, &off, &piece, &added);
                assert_int_equal(added, (int)ceil(lengths[k] / GM_DENSIFY_M) - 1);
                assert_true(piece <= GM_DENSIFY_M * (1.0 + 1e-9));
                assert_true(off < 1e-8);
                worst = fmax(worst, off);
                GEOSGeom_destroy_r(h, g);
                GEOSGeom_destroy_r(h, d);
            }
    printf("largest distance of an added point from its geodesic: %.2g m\n", worst);
}

/* An edge just under the step needs no point; just over it, it does. */
static void test_edges_under_the_step_kept(void **state)
{
    (void)state;
    double lon1, lat1;
    GEOSGeometry *g = edge_polygon(112.3, 27.0, 45.0, 49.9, &lon1, &lat1);
    assert_int_equal(gm_densify_needed(h, g, GM_DENSIFY_M), 0);
    GEOSGeom_destroy_r(h, g);
    g = edge_polygon(112.3, 27.0, 45.0, 50.1, &lon1, &lat1);
    assert_int_equal(gm_densify_needed(h, g, GM_DENSIFY_M), 1);
    GEOSGeom_destroy_r(h, g);
}

/* A ring of one long geodesic edge (lon0, lat0) -> azimuth az, length len,
 * closed by two short ones, x y interleaved: xy[0..7]. */
static void edge_ring(double lon0, double lat0, double az, double len, double *xy)
{
    double lat1, lon1, lat2, lon2, dummy;
    geod_direct(&grs80, lat0, lon0, az, len, &lat1, &lon1, &dummy);
    geod_direct(&grs80, lat1, lon1, az + 90.0, 30.0, &lat2, &lon2, &dummy);
    double r[8] = {lon0, lat0, lon1, lat1, lon2, lat2, lon0, lat0};
    memcpy(xy, r, sizeof r);
}

/* gm_densify_ring_sags bounds how far the densified points stray from the
 * lon/lat chord, and within a cone from either end (what the sparse red
 * lines' proof assumes): measured on edges from 60 m to 30 km, from 18 to 53
 * degrees north, in every direction. The bound does not look at the
 * direction, so it is also checked not to be vacuous: for each length and
 * latitude, within 12x of the largest distance over the directions (an
 * east-west edge bulges most; a meridian not at all). */
static void test_sag_bound(void **state)
{
    (void)state;
    static const double lengths[] = {60, 640, 2499, 9000, 30000};
    double loosest = 0.0;
    for (size_t k = 0; k < sizeof lengths / sizeof *lengths; k++)
        for (double lat = 18.0; lat <= 53.0; lat += 5.0) {
            double worst = 0.0, bound = 0.0;
            for (double az = 3.0; az < 360.0; az += 29.0) {
                double xy[8], sag[3], *d = NULL;
                size_t cap = 0, at[4];
                edge_ring(113.0, lat, az, lengths[k], xy);
                gm_densify_ring_sags(xy, 4, GM_DENSIFY_M, sag);
                size_t nd = gm_densify_ring_xy_at(xy, 4, GM_DENSIFY_M, &d, &cap, at);
                assert_true(nd > 4 && sag[0] > 0.0);
                double dx = xy[2] - xy[0], dy = xy[3] - xy[1], len = sqrt(dx * dx + dy * dy);
                for (size_t i = 1; i < at[1]; i++) {
                    double px = d[2 * i] - xy[0], py = d[2 * i + 1] - xy[1];
                    double off = fabs(dx * py - dy * px) / len, along = (dx * px + dy * py) / len;
                    assert_true(off <= sag[0]);
                    assert_true(off <= 4.0 * sag[0] / len * fmin(along, len - along) + 1e-12);
                    /* as if the edge were as long as the longest of its group */
                    worst = fmax(worst, off / (len * len));
                }
                bound = fmax(bound, sag[0] / (len * len));
                free(d);
            }
            if (lengths[k] >= 2000) loosest = fmax(loosest, bound / worst);
        }
    printf("sag bound over the largest distance, edges of 2.5 km or more: at most %.2f\n", loosest);
    assert_true(loosest < 12.0);
}

/* An edge left as a chord keeps its two ends; every other edge gets exactly
 * the points the full densification gives it, bit for bit. */
static void test_some_edges_kept_as_chords(void **state)
{
    (void)state;
    /* a 5 km square-ish ring at 27N with one corner cut: five long edges */
    double xy[12] = {112.0,  27.0,   112.05, 27.0,  112.05, 27.04,
                     112.02, 27.045, 112.0,  27.04, 112.0,  27.0};
    double *full = NULL, *some = NULL;
    size_t cf = 0, cs = 0, at_full[6], at_some[6];
    size_t nf = gm_densify_ring_xy_at(xy, 6, GM_DENSIFY_M, &full, &cf, at_full);
    unsigned char none[5] = {0}, chord[5] = {0, 1, 0, 1, 1};
    size_t ns = gm_densify_ring_xy_some(xy, 6, GM_DENSIFY_M, none, &some, &cs, at_some);
    assert_int_equal(ns, nf);
    assert_memory_equal(some, full, 2 * nf * sizeof *full);
    ns = gm_densify_ring_xy_some(xy, 6, GM_DENSIFY_M, chord, &some, &cs, at_some);
    for (size_t e = 0; e < 5; e++) {
        if (chord[e]) {
            assert_int_equal(at_some[e + 1] - at_some[e], 1);
            continue;
        }
        size_t points = at_full[e + 1] - at_full[e];
        assert_int_equal(at_some[e + 1] - at_some[e], points);
        assert_memory_equal(&some[2 * at_some[e]], &full[2 * at_full[e]],
                            2 * (points + 1) * sizeof *full);
    }
    assert_int_equal(at_some[5], ns - 1);
    free(full), free(some);
}

static int setup(void **state)
{
    geod_init(&grs80, GM_GRS80_A, GM_GRS80_F);
    return geos_setup(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_points_on_the_geodesic),
        cmocka_unit_test(test_edges_under_the_step_kept),
        cmocka_unit_test(test_sag_bound),
        cmocka_unit_test(test_some_edges_kept_as_chords),
    };
    return cmocka_run_group_tests(tests, setup, geos_teardown);
}
