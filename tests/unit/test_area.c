/*
 * test_area.c -- geodesic areas against the closed-form ellipsoidal band
 * area, and against the two shortcuts that look right but are not
 * (spherical area, planar Gauss-Kruger area).
 */
#include "testutil.h"

#include <greenmine/area.h>

#include <geodesic.h>

/* A 0.1° x 0.1° cell in Hunan: the engine agrees with the band formula to 1e-9. */
static void test_rectangle_matches_band_formula(void **state)
{
    (void)state;
    GEOSGeometry *g = rect(h, 112.0, 28.0, 112.1, 28.1);
    double expected = band_area_m2(112.0, 28.0, 112.1, 28.1);
    assert_rel(gm_geodesic_area_m2(h, g), expected, 1e-9);
    assert_rel(gm_geodesic_area_ha(h, g), expected / 1e4, 1e-9);
    GEOSGeom_destroy_r(h, g);
}

/* Ring orientation does not change the area. */
static void test_orientation_does_not_matter(void **state)
{
    (void)state;
    GEOSGeometry *g = rect(h, 111.0, 26.0, 111.05, 26.02);
    GEOSGeometry *r = GEOSReverse_r(h, g);
    assert_rel(gm_geodesic_area_m2(h, r), band_area_m2(111.0, 26.0, 111.05, 26.02), 1e-9);
    GEOSGeom_destroy_r(h, g);
    GEOSGeom_destroy_r(h, r);
}

/* Holes are subtracted, multipolygon parts added. */
static void test_holes_and_parts(void **state)
{
    (void)state;
    char *outer = rect_wkt(112.0, 28.0, 112.04, 28.04, 0.0005);
    char *hole = rect_wkt(112.01, 28.01, 112.02, 28.02, 0.0005);
    char *other = rect_wkt(112.1, 28.0, 112.12, 28.01, 0.0005);
    /* "POLYGON((" is 9 chars; splice rings into a MULTIPOLYGON */
    size_t cap = strlen(outer) + strlen(hole) + strlen(other) + 64;
    char *mp = malloc(cap);
    snprintf(mp, cap, "MULTIPOLYGON(((%.*s),(%.*s)),((%.*s)))", (int)(strlen(outer) - 11),
             outer + 9, (int)(strlen(hole) - 11), hole + 9, (int)(strlen(other) - 11), other + 9);
    GEOSGeometry *g = wkt(h, mp);
    double expected = band_area_m2(112.0, 28.0, 112.04, 28.04) -
                      band_area_m2(112.01, 28.01, 112.02, 28.02) +
                      band_area_m2(112.1, 28.0, 112.12, 28.01);
    assert_rel(gm_geodesic_area_m2(h, g), expected, 1e-9);
    GEOSGeom_destroy_r(h, g);
    free(outer), free(hole), free(other), free(mp);
}

/* The shortcut "spherical area" is off by ~0.3 %: the engine's area of a
 * lon/lat box is the ellipsoid's band (1e-9), nowhere near the sphere's. */
static void test_spherical_area_would_fail(void **state)
{
    (void)state;
    double R = 6371008.8; /* mean radius */
    double lat0 = 28.0 * PI / 180, lat1 = 28.1 * PI / 180, dlon = 0.1 * PI / 180;
    double sphere = R * R * dlon * (sin(lat1) - sin(lat0));
    double ellipsoid = band_area_m2(112.0, 28.0, 112.1, 28.1);
    GEOSGeometry *g = rect(h, 112.0, 28.0, 112.1, 28.1);
    double engine = gm_geodesic_area_m2(h, g);
    GEOSGeom_destroy_r(h, g);
    assert_rel(engine, ellipsoid, 1e-9);
    assert_true(fabs(engine - sphere) / sphere > 1e-3);
}

/* Points and lines have no area; NULL is zero. */
static void test_non_polygons(void **state)
{
    (void)state;
    GEOSGeometry *l = wkt(h, "LINESTRING(112 28, 112.1 28.1)");
    assert_true(gm_geodesic_area_m2(h, l) == 0.0);
    assert_true(gm_geodesic_area_m2(h, NULL) == 0.0);
    GEOSGeom_destroy_r(h, l);
}

/* The ring helper on a closed ring and on the same ring left open. */
static void test_ring_helper(void **state)
{
    (void)state;
    double lon[] = {112.0, 112.0, 112.0, 112.0};
    double lat[] = {28.0, 28.1, 28.0, 28.0};
    assert_true(gm_ring_area_m2(lon, lat, 4) < 1e-6); /* degenerate */
    /* a meridian-bounded triangle-free check: the band with 2 densified edges */
    enum { N = 402 };
    double x[N], y[N];
    size_t n = 0;
    for (int k = 0; k <= 200; k++, n++)
        x[n] = 113.0 + k * 0.0005, y[n] = 27.0;
    for (int k = 200; k >= 0; k--, n++)
        x[n] = 113.0 + k * 0.0005, y[n] = 27.05;
    assert_rel(gm_ring_area_m2(x, y, n), band_area_m2(113.0, 27.0, 113.1, 27.05), 1e-9);
}

/* GeographicLib's polygon area (PROJ's geod_polygonarea) of an ellipse-like
 * ring of n points around (lon, lat), radii rx, ry metres, rotated by rot. */
static double ellipse_ring(double *x, double *y, int n, double lon, double lat, double rx,
                           double ry, double rot)
{
    for (int i = 0; i < n; i++) {
        double t = 2 * PI * i / n, ex = rx * cos(t), ey = ry * sin(t);
        double X = ex * cos(rot) - ey * sin(rot), Y = ex * sin(rot) + ey * cos(rot);
        y[i] = lat + Y / 111000.0, x[i] = lon + X / (111000.0 * cos(lat * PI / 180));
    }
    struct geod_geodesic g;
    geod_init(&g, GRS80_A, GRS80_F);
    double area = 0.0;
    geod_polygonarea(&g, y, x, n, &area, NULL);
    return fabs(area);
}

/* Rings of short edges (the engine's own: 50 m, and up to the 200 m the
 * authalic sum takes) agree with GeographicLib at every latitude to within
 * GeographicLib's own rounding (~5e-4 m^2 for rings a few km across). */
static void test_short_edges_match_geographiclib(void **state)
{
    (void)state;
    enum { MAXN = 4000 };
    static double x[MAXN], y[MAXN];
    unsigned seed = 12345;
#define RND() ((seed = seed * 1103515245u + 12345u) >> 8 & 0xffff) / 65535.0
    for (int t = 0; t < 400; t++) {
        double lat = -60 + 120 * RND(), lon = 110 + 4 * RND(), rot = 2 * PI * RND();
        double rx = 300 + 9000 * RND(), ry = 300 + 9000 * RND(), step = t % 2 ? 50.0 : 180.0;
        int n = (int)(2 * PI * sqrt((rx * rx + ry * ry) / 2) / step);
        assert_true(n < MAXN);
        double expected = ellipse_ring(x, y, n, lon, lat, rx, ry, rot);
        double got = gm_ring_area_m2(x, y, (size_t)n);
        if (fabs(got - expected) > 2e-3)
            fail_msg("ring %d at %.3f N: %.6f m2, GeographicLib %.6f", t, lat, got, expected);
    }
#undef RND
}

/* The lunes of a ring's edges mostly cancel (eastward edges on one side,
 * westward on the other), so rings of even edges barely show them. Here the
 * southern side, eastward, has 190 m edges and the northern side, westward,
 * 10 m ones: the lunes, cubic in the edge, no longer cancel and add up to
 * ~0.3 m^2 at 60 N -- the trapezoids alone would be that far off GeographicLib,
 * whose own rounding here is ~1e-4 m^2. */
static void test_lunes_that_do_not_cancel(void **state)
{
    (void)state;
    enum { MAXN = 2000 };
    static double x[MAXN], y[MAXN];
    double lat0, lat1, w = 0.1; /* up to 11 x 2.2 km */
    struct geod_geodesic g;
    geod_init(&g, GRS80_A, GRS80_F);
    for (double lat = -50; lat <= 60; lat += 55) {
        lat0 = lat, lat1 = lat + 0.02;
        int n = 0, south = (int)(w * 111000 * cos(lat * PI / 180) / 190) + 1;
        int north = (int)(w * 111000 * cos(lat * PI / 180) / 10) + 1, side = 25; /* ~90 m */
        assert_true(south + north + 2 * side < MAXN);
        for (int i = 0; i < south; i++, n++) /* eastward, 190 m */
            x[n] = 112 + w * i / south, y[n] = lat0;
        for (int i = 0; i < side; i++, n++) /* up the eastern meridian */
            x[n] = 112 + w, y[n] = lat0 + (lat1 - lat0) * i / side;
        for (int i = 0; i < north; i++, n++) /* westward, 10 m */
            x[n] = 112 + w - w * i / north, y[n] = lat1;
        for (int i = 0; i < side; i++, n++) /* down the western meridian */
            x[n] = 112, y[n] = lat1 - (lat1 - lat0) * i / side;
        double expected = 0.0;
        geod_polygonarea(&g, y, x, n, &expected, NULL);
        double got = gm_ring_area_m2(x, y, (size_t)n);
        if (fabs(got - fabs(expected)) > 1e-3)
            fail_msg("strip at %.0f N: %.6f m2, GeographicLib %.6f", lat, got, fabs(expected));
    }
}

/* A ring with an edge over 200 m is GeographicLib's computation itself. */
static void test_long_edges_are_geographiclib(void **state)
{
    (void)state;
    enum { N = 12 };
    double x[N], y[N];
    /* 30 km radius, ~13 km edges, at 60 N: the authalic sum and its lunes
     * would be 2e-12 off here, 200 times the tolerance */
    double expected = ellipse_ring(x, y, N, 112.0, 60.0, 30000, 20000, 0.3);
    assert_rel(gm_ring_area_m2(x, y, N), expected, 1e-14);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rectangle_matches_band_formula),
        cmocka_unit_test(test_orientation_does_not_matter),
        cmocka_unit_test(test_holes_and_parts),
        cmocka_unit_test(test_spherical_area_would_fail),
        cmocka_unit_test(test_non_polygons),
        cmocka_unit_test(test_ring_helper),
        cmocka_unit_test(test_short_edges_match_geographiclib),
        cmocka_unit_test(test_lunes_that_do_not_cancel),
        cmocka_unit_test(test_long_edges_are_geographiclib),
    };
    return cmocka_run_group_tests(tests, geos_setup, geos_teardown);
}
