/*
 * test_densify.c -- the points densification adds lie on the geodesic edge
 * (within 1e-8 m, measured with GeographicLib through PROJ's geodesic.h, not
 * with the engine), no piece is longer than the step, and short edges get none.
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
    };
    return cmocka_run_group_tests(tests, setup, geos_teardown);
}
