/*
 * test_simple.c -- gm_polygon_surely_valid against GEOSisValid: never "valid"
 * for a polygon GEOS finds invalid (random rings that cross themselves,
 * touches, spikes, overlaps, rounding-level wiggles), and "valid" for the
 * plainly simple polygons it exists to spare GEOS.
 */
#include "testutil.h"

#include "core/simple.h"

static GEOSContextHandle_t h;

static int setup(void **state)
{
    (void)state;
    h = GEOS_init_r();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    GEOS_finish_r(h);
    return 0;
}

static unsigned seed = 2026;
static double rnd(void)
{
    seed = seed * 1103515245u + 12345u;
    return (seed >> 8 & 0xffffff) / (double)0xffffff;
}

/* A polygon from n lon/lat points (closed here). */
static GEOSGeometry *polygon(const double *x, const double *y, int n)
{
    GEOSCoordSequence *s = GEOSCoordSeq_create_r(h, (unsigned)n + 1, 2);
    for (int i = 0; i <= n; i++)
        GEOSCoordSeq_setXY_r(h, s, (unsigned)i, x[i % n], y[i % n]);
    return GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, s), NULL, 0);
}

/* The fast proof agrees with GEOS where it speaks; returns whether it did. */
static int check(GEOSGeometry *g, const char *what, int i)
{
    int fast = gm_polygon_surely_valid(h, g), geos = GEOSisValid_r(h, g);
    if (fast && geos != 1) fail_msg("%s %d: proven valid, GEOS says invalid", what, i);
    GEOSGeom_destroy_r(h, g);
    return fast;
}

/* Star-shaped rings (corners in angle order, around a point in Hunan) are
 * simple: the proof must find nearly all of them, from 3 to 512 corners
 * (larger rings are left to GEOS, faster there). */
static void test_simple_rings_are_proven(void **state)
{
    (void)state;
    static double x[2000], y[2000];
    int proven = 0, total = 0;
    for (int t = 0; t < 600; t++) {
        int n = 3 + (int)(rnd() * (t % 3 == 0 ? 512 - 3 : 60));
        double cx = 110 + 4 * rnd(), cy = 25 + 4 * rnd(), r0 = 0.001 + 0.05 * rnd();
        for (int i = 0; i < n; i++) {
            /* small rings jagged, large ones smooth with a little noise (a
             * 500-corner ring of random spikes is left to GEOS: its edges
             * each cross much of the ring's box) */
            double a = 2 * PI * i / n,
                   r = r0 * (n < 100 ? 0.3 + 0.7 * rnd() : 1 + 0.3 * sin(5 * a) + 0.01 * rnd());
            x[i] = cx + r * cos(a), y[i] = cy + r * sin(a);
        }
        proven += check(polygon(x, y, n), "star", t);
        total++;
    }
    if (proven < total * 99 / 100) fail_msg("only %d of %d simple rings proven", proven, total);
}

/* Corners in random order: nearly all cross themselves. */
static void test_random_rings_never_wrongly_valid(void **state)
{
    (void)state;
    double x[300], y[300];
    for (int t = 0; t < 3000; t++) {
        int n = 3 + (int)(rnd() * (t % 10 == 0 ? 290 : 12));
        for (int i = 0; i < n; i++)
            x[i] = 112 + 0.01 * rnd(), y[i] = 28 + 0.01 * rnd();
        check(polygon(x, y, n), "random", t);
    }
}

/* Rings that touch, turn back or overlap themselves, exactly or within a
 * rounding error: the proof must leave all of them to GEOS. */
static void test_degenerate_rings_are_left_to_geos(void **state)
{
    (void)state;
    static const char *wkt_invalid[] = {
        "POLYGON((0 0, 2 2, 2 0, 0 2, 0 0))",                         /* bow-tie */
        "POLYGON((0 0, 4 0, 4 4, 2 0, 0 4, 0 0))",                    /* corner touching an edge */
        "POLYGON((0 0, 4 0, 4 4, 2 4, 2 6, 2 4, 0 4, 0 0))",          /* spike */
        "POLYGON((0 0, 4 0, 2 0, 2 4, 0 0))",                         /* edge back over an edge */
        "POLYGON((0 0, 1 0, 2 0, 0 0))",                              /* collinear, no area */
        "POLYGON((0 0, 4 0, 4 4, 2 2, 4 2, 4 4, 0 4, 0 0))",          /* corner visited twice */
        "POLYGON((0 0, 10 0, 10 10, 0 10, 5 -0.0000000000001, 0 0))", /* crosses by 1e-13 */
    };
    for (size_t i = 0; i < sizeof wkt_invalid / sizeof *wkt_invalid; i++) {
        GEOSGeometry *g = wkt(h, wkt_invalid[i]);
        if (check(g, "degenerate", (int)i)) fail_msg("proven valid: %s", wkt_invalid[i]);
    }
    /* valid for GEOS, but not what the proof handles: holes, parts, repeats */
    static const char *not_proven[] = {
        "POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2))",
        "MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))",
        "POLYGON((0 0, 1 0, 1 0, 1 1, 0 1, 0 0))",
    };
    for (size_t i = 0; i < sizeof not_proven / sizeof *not_proven; i++)
        if (check(wkt(h, not_proven[i]), "not proven", (int)i))
            fail_msg("proven, though not its case: %s", not_proven[i]);
}

/* A densified rectangle whose edges wiggle by a few units in the last place
 * (as geodesic points do), some of them pushed across the opposite edge. */
static void test_wiggles_at_rounding_level(void **state)
{
    (void)state;
    enum { K = 120 }; /* 480 corners: the proof takes up to 512 */
    static double x[4 * K], y[4 * K];
    for (int t = 0; t < 200; t++) {
        double w = 1e-6 * (1 + t % 7), x0 = 112.1, y0 = 28.3, x1 = x0 + w, y1 = y0 + 0.02;
        int n = 0;
        for (int i = 0; i < K; i++, n++) /* bottom, then up the right side... */
            x[n] = x0 + (x1 - x0) * i / K, y[n] = y0 + (rnd() - 0.5) * 1e-15;
        for (int i = 0; i < K; i++, n++)
            x[n] = x1 + (rnd() - 0.5) * 1e-15 * (t % 2 ? 1 : 1e9), y[n] = y0 + (y1 - y0) * i / K;
        for (int i = 0; i < K; i++, n++)
            x[n] = x1 - (x1 - x0) * i / K, y[n] = y1 + (rnd() - 0.5) * 1e-15;
        for (int i = 0; i < K; i++, n++)
            x[n] = x0 + (rnd() - 0.5) * 1e-15 * (t % 2 ? 1 : 1e9), y[n] = y1 - (y1 - y0) * i / K;
        check(polygon(x, y, n), "wiggles", t);
    }
}

/* A notch whose tip c touches or crosses the edge a-b by a hair: the ring is
 * then invalid. Whether the tip is across is the sign of a determinant whose
 * terms nearly cancel; with a just off (0.5, 0.5) by a few units in the last
 * place, b = (24, 24) and c = (12, 12) -- Kettner et al.'s classroom example
 * -- plain doubles get that sign wrong, either way, for many of them. */
static int notch(double ax, double ay, double bx, double by, double cx, double cy, int i)
{
    int side = GEOSOrientationIndex_r(h, ax, ay, bx, by, cx, cy), n = 0;
    /* the notch's other corners, well off the edge on either side */
    double nx = -(by - ay), ny = bx - ax;
    if (side != 1) { /* from the left: c on a-b or right of it */
        double x[5] = {ax, bx, bx + nx, cx, ax + nx}, y[5] = {ay, by, by + ny, cy, ay + ny};
        check(polygon(x, y, 5), "notch from the left", i);
        n++;
    }
    if (side != -1) { /* from the right: c on a-b or left of it */
        double x[5] = {ax, ax - nx, cx, bx - nx, bx}, y[5] = {ay, ay - ny, cy, by - ny, by};
        check(polygon(x, y, 5), "notch from the right", i);
        n++;
    }
    return n;
}

static void test_notch_on_an_edge(void **state)
{
    (void)state;
    const double ulp = 0x1p-53;
    int rings = 0;
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 64; j++)
            rings += notch(0.5 + i * ulp, 0.5 + j * ulp, 24, 24, 12, 12, i * 64 + j);
    assert_true(rings >= 64 * 64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_rings_are_proven),
        cmocka_unit_test(test_random_rings_never_wrongly_valid),
        cmocka_unit_test(test_degenerate_rings_are_left_to_geos),
        cmocka_unit_test(test_wiggles_at_rounding_level),
        cmocka_unit_test(test_notch_on_an_edge),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
