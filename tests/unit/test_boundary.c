/*
 * test_boundary.c -- gm_boundaries_place against GEOS's prepared predicates
 * (the second tool): OUTSIDE only where GEOS finds no common point, INSIDE
 * only where GEOS says contains, ACROSS only where GEOS says intersects and
 * not contains -- on random large rings (with holes and several parts) and
 * random small ones, on touching and shared edges, and at rounding level;
 * and an answer for nearly all the plain cases.
 */
#include "testutil.h"

#include "core/boundary.h"

GM_TEST_GEOS_HANDLE

static unsigned seed = 14;
static double rnd(void)
{
    return test_rnd(&seed);
}

/* A closed ring of n corners around (cx, cy), star-shaped, radius r0 * (1 +- jag). */
static GEOSGeometry *star_ring(double cx, double cy, double r0, double jag, int n, int cw)
{
    GEOSCoordSequence *s = GEOSCoordSeq_create_r(h, (unsigned)n + 1, 2);
    for (int i = 0; i <= n; i++) {
        int k = i % n;
        double a = 2 * PI * (cw ? n - k : k) / n, r = r0 * (1 + jag * (2 * rnd() - 1));
        if (i == n) { /* close on the first corner exactly */
            double x, y;
            GEOSCoordSeq_getXY_r(h, s, 0, &x, &y);
            GEOSCoordSeq_setXY_r(h, s, (unsigned)i, x, y);
        } else {
            GEOSCoordSeq_setXY_r(h, s, (unsigned)i, cx + r * cos(a), cy + r * sin(a));
        }
    }
    return GEOSGeom_createLinearRing_r(h, s);
}

static GEOSGeometry *star(double cx, double cy, double r0, double jag, int n)
{
    return GEOSGeom_createPolygon_r(h, star_ring(cx, cy, r0, jag, n, 0), NULL, 0);
}

typedef struct tally {
    int decided, total;
} tally;

/* place(big, small) agrees with GEOS; counts what it decided. */
static void check(const GEOSGeometry *big, const GEOSGeometry *small, tally *t, const char *what)
{
    GEOSGeometry *bigs[1] = {(GEOSGeometry *)big};
    gm_boundaries b;
    gm_flatpoly f = {0};
    assert_int_equal(gm_boundaries_init(&b, 1), 0);
    assert_int_equal(gm_flatpoly_set(&f, h, small), 0);
    gm_place p = gm_boundaries_place(&b, h, 0, bigs[0], &f);
    assert_int_equal(gm_boundaries_place(&b, h, 0, bigs[0], &f), p); /* made once, kept */
    const GEOSPreparedGeometry *prep = GEOSPrepare_r(h, big);
    int in = GEOSPreparedIntersects_r(h, prep, small), co = GEOSPreparedContains_r(h, prep, small);
    GEOSPreparedGeom_destroy_r(h, prep);
    if (p == GM_PLACE_OUTSIDE && in != 0)
        fail_msg("%s %d: outside, GEOS intersects", what, t->total);
    if (p == GM_PLACE_INSIDE && co != 1)
        fail_msg("%s %d: inside, GEOS not contains", what, t->total);
    if (p == GM_PLACE_ACROSS && (in != 1 || co != 0))
        fail_msg("%s %d: across, GEOS intersects %d contains %d", what, t->total, in, co);
    t->decided += p != GM_PLACE_UNKNOWN;
    t->total++;
    gm_flatpoly_free(&f);
    gm_boundaries_free(&b);
}

/* Large jagged rings (many blocks), one with two holes, a two-part one; small
 * rings and two-part small polygons all over and around them. */
static void test_random_agree_with_geos(void **state)
{
    (void)state;
    tally t = {0};
    for (int L = 0; L < 12; L++) {
        double cx = 112 + rnd(), cy = 27 + rnd();
        int n = 100 + (int)(rnd() * 900);
        GEOSGeometry *big;
        if (L % 3 == 0) {
            GEOSGeometry *holes[2] = {star_ring(cx - 0.03, cy, 0.02, 0.3, 40, 1),
                                      star_ring(cx + 0.03, cy, 0.015, 0.3, 30, 1)};
            big = GEOSGeom_createPolygon_r(h, star_ring(cx, cy, 0.1, 0.2, n, 0), holes, 2);
        } else if (L % 3 == 1) {
            GEOSGeometry *parts[2] = {star(cx, cy, 0.05, 0.3, n),
                                      star(cx + 0.12, cy, 0.04, 0.3, 60)};
            big = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, 2);
        } else {
            big = star(cx, cy, 0.1, 0.4, n);
        }
        assert_int_equal(GEOSisValid_r(h, big), 1);
        for (int s = 0; s < 400; s++) {
            double x = cx - 0.15 + 0.35 * rnd(), y = cy - 0.15 + 0.3 * rnd();
            double r = 0.001 + 0.01 * rnd();
            GEOSGeometry *small;
            if (s % 5 == 0) {
                GEOSGeometry *parts[2] = {star(x, y, r, 0.3, 8), star(x + 3 * r, y, r, 0.3, 7)};
                small = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, 2);
            } else if (s % 5 == 1) {
                GEOSGeometry *hole[1] = {star_ring(x, y, r / 3, 0.1, 6, 1)};
                small = GEOSGeom_createPolygon_r(h, star_ring(x, y, r, 0.2, 12, 0), hole, 1);
            } else {
                small = star(x, y, r, 0.4, 4 + (int)(rnd() * 40));
            }
            if (GEOSisValid_r(h, small) == 1) check(big, small, &t, "random");
            GEOSGeom_destroy_r(h, small);
        }
        GEOSGeom_destroy_r(h, big);
    }
    if (t.decided < t.total * 95 / 100) fail_msg("decided only %d of %d", t.decided, t.total);
}

/* Shared edges, a shared corner, a corner on an edge, a small ring holding
 * a whole large one, a small one in a hole: never a wrong answer. */
static void test_touching_cases(void **state)
{
    (void)state;
    static const char *big_wkt =
        "POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (4 4, 6 4, 6 6, 4 6, 4 4))";
    static const char *small_wkt[] = {
        "POLYGON((10 2, 12 2, 12 4, 10 4, 10 2))",                /* shares an edge, outside */
        "POLYGON((8 2, 10 2, 10 4, 8 4, 8 2))",                   /* shares an edge, inside */
        "POLYGON((10 10, 11 10, 11 11, 10 11, 10 10))",           /* shares a corner */
        "POLYGON((10 5, 11 4, 11 6, 10 5))",                      /* corner on an edge, outside */
        "POLYGON((10 5, 9 4, 9 6, 10 5))",                        /* corner on an edge, inside */
        "POLYGON((4.5 4.5, 5.5 4.5, 5.5 5.5, 4.5 5.5, 4.5 4.5))", /* in the hole */
        "POLYGON((4 4, 6 4, 6 6, 4 6, 4 4))",                     /* is the hole */
        "POLYGON((-1 -1, 11 -1, 11 11, -1 11, -1 -1))",           /* holds it all */
        "POLYGON((3 3, 7 3, 7 7, 3 7, 3 3))",                     /* holds the hole */
        "POLYGON((1 1, 2 1, 2 2, 1 2, 1 1))",                     /* plainly inside */
        "POLYGON((11 1, 12 1, 12 2, 11 2, 11 1))",                /* plainly outside */
        "POLYGON((9 1, 11 1, 11 2, 9 2, 9 1))",                   /* plainly across */
    };
    tally t = {0};
    GEOSGeometry *big = wkt(h, big_wkt);
    for (size_t i = 0; i < sizeof small_wkt / sizeof *small_wkt; i++) {
        GEOSGeometry *s = wkt(h, small_wkt[i]);
        check(big, s, &t, small_wkt[i]);
        GEOSGeom_destroy_r(h, s);
    }
    GEOSGeom_destroy_r(h, big);
    assert_true(t.decided >= 3); /* the plain ones at least */
}

/* A small square whose edge lies a few units in the last place inside, on,
 * or outside the large polygon's long edge (lon/lat scale numbers). */
static void test_rounding_level(void **state)
{
    (void)state;
    tally t = {0};
    GEOSGeometry *big =
        wkt(h, "POLYGON((112.1 28.1, 112.3 28.1, 112.3 28.3, 112.1 28.3, 112.1 28.1))");
    for (int k = -8; k <= 8; k++) {
        double x1 = nextafter(112.3, k < 0 ? 0 : 200), x0 = 112.299;
        for (int j = 0; j < abs(k); j++)
            x1 = nextafter(x1, k < 0 ? 0 : 200);
        char buf[256];
        snprintf(buf, sizeof buf,
                 "POLYGON((%.17g 28.2, %.17g 28.2, %.17g 28.201, %.17g 28.201, %.17g 28.2))", x0,
                 x1, x1, x0, x0);
        GEOSGeometry *s = wkt(h, buf);
        check(big, s, &t, buf);
        GEOSGeom_destroy_r(h, s);
    }
    GEOSGeom_destroy_r(h, big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_agree_with_geos),
        cmocka_unit_test(test_touching_cases),
        cmocka_unit_test(test_rounding_level),
    };
    return cmocka_run_group_tests(tests, gm_geos_setup, gm_geos_teardown);
}
