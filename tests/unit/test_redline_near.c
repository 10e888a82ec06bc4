/*
 * test_redline_near.c -- the conflicts stage's shortcut (gm_redline_near,
 * src/analysis/conflicts.c): GEOS intersects a mine with a copy of the red
 * line that lacks the ring points GEOS's overlay would cut away unseen. The
 * answer must be GEOS's own for the whole red line, exactly: the expected
 * value is GEOSIntersection_r of the whole red line, computed here, and
 * "exactly" is the same area to the bit and GEOSEqualsExact with tolerance 0
 * after GEOSNormalize. gm_redline_piece, which the stage calls, must give the
 * same with the shortcut, without it, and when the shortcut's intersection
 * fails (GM_NEAR_FAILS: the fallback to the whole red line).
 */
#include "testutil.h"

#include "analysis/stages.h"

#include <greenmine/area.h>

#define CX 112.5
#define CY 28.0
#define R 0.05 /* the red line's radius, degrees (~5 km) */

/* A polygon from n points (closed here). */
static GEOSGeometry *poly_xy(const double *xy, size_t n)
{
    GEOSCoordSequence *s = GEOSCoordSeq_create_r(h, (unsigned)n + 1, 2);
    assert_non_null(s);
    for (size_t i = 0; i <= n; i++)
        GEOSCoordSeq_setXY_r(h, s, (unsigned)i, xy[2 * (i % n)], xy[2 * (i % n) + 1]);
    GEOSGeometry *ring = GEOSGeom_createLinearRing_r(h, s);
    assert_non_null(ring);
    GEOSGeometry *g = GEOSGeom_createPolygon_r(h, ring, NULL, 0);
    assert_non_null(g);
    return g;
}

/* A red line as real ones are: a star-shaped (so simple) ring of n points
 * about (CX, CY), its radius wavy and a little noisy, edges ~1e-4 degree as
 * the loader's densification leaves them. With `cluster`, 1500 more points
 * crowd a stretch of 1e-4 degree at angle 1 rad, zigzagging by 2e-6 degree.
 * ccw = 0: the ring runs clockwise. */
static double radius_at(double t, unsigned *seed)
{
    return R * (1 + 0.15 * sin(3 * t) + 0.05 * cos(7 * t)) + 4e-6 * (test_rnd(seed) - 0.5);
}

static GEOSGeometry *redline(size_t n, int cluster, int ccw, size_t *count)
{
    const size_t extra = 1500;
    size_t m = 0;
    double *xy = malloc(2 * (n + extra) * sizeof *xy);
    assert_non_null(xy);
    unsigned seed = 7;
    const double c0 = 1.0 - 0.001, c1 = 1.0 + 0.001; /* the cluster's angles */
    int placed = !cluster;
    for (size_t i = 0; i < n; i++) {
        double t = 2 * PI * (double)i / (double)n;
        if (!placed && t > c0) {
            if (t < c1) continue;
            for (size_t k = 0; k < extra; k++) { /* the cluster, in angle order */
                double u = c0 + (c1 - c0) * ((double)k + 0.5) / (double)extra;
                double r = R * (1 + 0.15 * sin(3 * u) + 0.05 * cos(7 * u)) + (k % 2 ? 2e-6 : -2e-6);
                xy[2 * m] = CX + r * cos(u), xy[2 * m + 1] = CY + r * sin(u), m++;
            }
            placed = 1;
        }
        double r = radius_at(t, &seed);
        xy[2 * m] = CX + r * cos(t), xy[2 * m + 1] = CY + r * sin(t), m++;
    }
    if (!ccw) /* reversed: clockwise */
        for (size_t i = 0, j = m - 1; i < j; i++, j--) {
            double x = xy[2 * i], y = xy[2 * i + 1];
            xy[2 * i] = xy[2 * j], xy[2 * i + 1] = xy[2 * j + 1];
            xy[2 * j] = x, xy[2 * j + 1] = y;
        }
    GEOSGeometry *g = poly_xy(xy, m);
    free(xy);
    assert_int_equal(GEOSisValid_r(h, g), 1);
    if (count) *count = m + 1;
    return g;
}

/* A mine: a star-shaped 24-gon of about `size` degrees across at (x, y). */
static GEOSGeometry *mine_at(double x, double y, double size, unsigned *seed)
{
    double xy[48];
    for (int i = 0; i < 24; i++) {
        double t = 2 * PI * i / 24, r = size / 2 * (0.7 + 0.3 * test_rnd(seed));
        xy[2 * i] = x + r * cos(t), xy[2 * i + 1] = y + r * sin(t);
    }
    return poly_xy(xy, 24);
}

/* The point of the red line's boundary at angle t, scaled by f (f < 1: inside). */
static void at_angle(double t, double f, double *x, double *y)
{
    double r = R * (1 + 0.15 * sin(3 * t) + 0.05 * cos(7 * t)) * f;
    *x = CX + r * cos(t), *y = CY + r * sin(t);
}

/* The polygons of a GEOS result, as the stage keeps them: Polygon or
 * MultiPolygon as they are, a collection's polygons (one alone, or a
 * MultiPolygon of them); NULL when it holds none. */
static GEOSGeometry *polygons_of(const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON)
        return GEOSisEmpty_r(h, g) ? NULL : GEOSGeom_clone_r(h, g);
    if (type != GEOS_GEOMETRYCOLLECTION) return NULL;
    GEOSGeometry *parts[64];
    unsigned n = 0;
    for (int i = 0; i < GEOSGetNumGeometries_r(h, g); i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(h, g, i);
        if (GEOSGeomTypeId_r(h, p) == GEOS_POLYGON && !GEOSisEmpty_r(h, p) && n < 64)
            parts[n++] = GEOSGeom_clone_r(h, p);
    }
    if (n == 0) return NULL;
    return n == 1 ? parts[0] : GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, n);
}

/* got and want are the same geometry: areas (planar and the engine's
 * geodesic one) equal to the bit, equal exactly once normalised. */
static void assert_same(const char *what, GEOSGeometry *got, GEOSGeometry *want)
{
    assert_non_null(got);
    if (!want) { /* no polygon: got must hold none either */
        if (!GEOSisEmpty_r(h, got)) fail_msg("%s: a polygon where GEOS has none", what);
        return;
    }
    double ga = 0, wa = 0;
    assert_int_equal(GEOSArea_r(h, got, &ga), 1);
    assert_int_equal(GEOSArea_r(h, want, &wa), 1);
    if (memcmp(&ga, &wa, sizeof ga) != 0) fail_msg("%s: area %.17g, GEOS's %.17g", what, ga, wa);
    double gh = gm_geodesic_area_ha(h, got), wh = gm_geodesic_area_ha(h, want);
    if (memcmp(&gh, &wh, sizeof gh) != 0) fail_msg("%s: %.17g ha, GEOS's %.17g ha", what, gh, wh);
    assert_int_equal(GEOSGeomTypeId_r(h, got), GEOSGeomTypeId_r(h, want));
    GEOSGeometry *g = GEOSGeom_clone_r(h, got), *w = GEOSGeom_clone_r(h, want);
    assert_int_equal(GEOSNormalize_r(h, g), 0);
    assert_int_equal(GEOSNormalize_r(h, w), 0);
    if (GEOSEqualsExact_r(h, g, w, 0.0) != 1) fail_msg("%s: not GEOS's geometry", what);
    GEOSGeom_destroy_r(h, g);
    GEOSGeom_destroy_r(h, w);
}

/* One mine against one red line. `shortened`: gm_redline_near must leave
 * points out here (so the case tests the shortcut, not the red line whole). */
static void check_case(const char *what, GEOSGeometry *mine, const GEOSGeometry *red,
                       size_t red_points, int shortened)
{
    GEOSGeometry *want_raw = GEOSIntersection_r(h, mine, red); /* the expected answer */
    assert_non_null(want_raw);
    GEOSGeometry *want = polygons_of(want_raw);

    GEOSGeometry *near = gm_redline_near(h, mine, red);
    if (shortened) {
        if (!near) fail_msg("%s: nothing left out of the red line", what);
        unsigned n = (unsigned)GEOSGetNumCoordinates_r(h, near);
        if (!(n < red_points / 2)) fail_msg("%s: %u of %zu points kept", what, n, red_points);
    }
    if (near) {
        /* the raw intersections, lines and points of a touch included */
        GEOSGeometry *got_raw = GEOSIntersection_r(h, mine, near);
        assert_non_null(got_raw);
        assert_int_equal(GEOSGeomTypeId_r(h, got_raw), GEOSGeomTypeId_r(h, want_raw));
        assert_int_equal(GEOSisEmpty_r(h, got_raw), GEOSisEmpty_r(h, want_raw));
        if (!GEOSisEmpty_r(h, want_raw)) {
            double ga = 0, wa = 0, gl = 0, wl = 0;
            GEOSArea_r(h, got_raw, &ga), GEOSArea_r(h, want_raw, &wa);
            GEOSLength_r(h, got_raw, &gl), GEOSLength_r(h, want_raw, &wl);
            if (memcmp(&ga, &wa, sizeof ga) != 0 || memcmp(&gl, &wl, sizeof gl) != 0)
                fail_msg("%s: area %.17g length %.17g, GEOS's %.17g and %.17g", what, ga, gl, wa,
                         wl);
            /* the same points in the same order, before any normalising */
            if (GEOSEqualsExact_r(h, got_raw, want_raw, 0.0) != 1)
                fail_msg("%s: not GEOS's intersection point for point", what);
            GEOSGeometry *g = GEOSGeom_clone_r(h, got_raw), *w = GEOSGeom_clone_r(h, want_raw);
            assert_int_equal(GEOSNormalize_r(h, g), 0);
            assert_int_equal(GEOSNormalize_r(h, w), 0);
            if (GEOSEqualsExact_r(h, g, w, 0.0) != 1) fail_msg("%s: not GEOS's intersection", what);
            GEOSGeom_destroy_r(h, g);
            GEOSGeom_destroy_r(h, w);
        }
        GEOSGeom_destroy_r(h, got_raw);
        GEOSGeom_destroy_r(h, near);
    }
    static const int modes[] = {GM_NEAR_YES, GM_NEAR_NO, GM_NEAR_FAILS};
    static const char *names[] = {"shortcut", "whole", "fallback"};
    for (int k = 0; k < 3; k++) {
        char label[160];
        snprintf(label, sizeof label, "%s (%s)", what, names[k]);
        GEOSGeometry *piece = gm_redline_piece(h, mine, red, modes[k]);
        assert_same(label, piece, want);
        GEOSGeom_destroy_r(h, piece);
    }
    if (want) GEOSGeom_destroy_r(h, want);
    GEOSGeom_destroy_r(h, want_raw);
}

/* Mines across, inside, outside and touching a ring of thousands of points,
 * in both orientations. */
static void test_crafted_mines(void **state)
{
    (void)state;
    if (!gm_redline_near_known()) skip(); /* another GEOS: the stage never shortens */
    for (int ccw = 0; ccw <= 1; ccw++) {
        size_t n = 0;
        GEOSGeometry *red = redline(4000, 0, ccw, &n);
        unsigned seed = 11;
        double x, y;
        for (int k = 0; k < 12; k++) { /* across the edge, all around */
            double t = 0.3 + k * 2 * PI / 12;
            at_angle(t, 1.0, &x, &y);
            GEOSGeometry *m = mine_at(x, y, 0.004, &seed);
            check_case("a mine across the red line's edge", m, red, n, 1);
            GEOSGeometry *in = mine_at(CX + (x - CX) * 0.9, CY + (y - CY) * 0.9, 0.004, &seed);
            check_case("a mine inside, near the edge", in, red, n, 1);
            GEOSGeometry *out = mine_at(CX + (x - CX) * 1.06, CY + (y - CY) * 1.06, 0.004, &seed);
            check_case("a mine outside, near the edge", out, red, n, 0);
            GEOSGeometry *big = mine_at(x, y, 0.03, &seed);
            check_case("a large mine across the edge", big, red, n, 0);
            GEOSGeom_destroy_r(h, m), GEOSGeom_destroy_r(h, in);
            GEOSGeom_destroy_r(h, out), GEOSGeom_destroy_r(h, big);
        }
        /* the points that make the envelope and the orientation: the highest,
         * the lowest, the leftmost and the rightmost of the ring */
        double env[4];
        GEOSGeom_getXMin_r(h, red, &env[0]), GEOSGeom_getYMin_r(h, red, &env[1]);
        GEOSGeom_getXMax_r(h, red, &env[2]), GEOSGeom_getYMax_r(h, red, &env[3]);
        const GEOSCoordSequence *s = GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, red));
        for (unsigned i = 0; i + 1 < n; i++) {
            GEOSCoordSeq_getXY_r(h, s, i, &x, &y);
            if (x != env[0] && x != env[2] && y != env[1] && y != env[3]) continue;
            GEOSGeometry *m = mine_at(x, y, 0.003, &seed);
            check_case("a mine on an extreme point", m, red, n, 1);
            GEOSGeom_destroy_r(h, m);
        }
        GEOSGeom_destroy_r(h, red);
    }
}

/* A mine at, beside and around 1500 points crowded into 1e-4 degree. */
static void test_vertex_cluster(void **state)
{
    (void)state;
    if (!gm_redline_near_known()) skip();
    for (int ccw = 0; ccw <= 1; ccw++) {
        size_t n = 0;
        GEOSGeometry *red = redline(4000, 1, ccw, &n);
        assert_true(n > 5000);
        unsigned seed = 23;
        double x, y;
        at_angle(1.0, 1.0, &x, &y);
        const double size[] = {0.0001, 0.0005, 0.002, 0.004};
        for (int k = 0; k < 4; k++) {
            GEOSGeometry *m = mine_at(x, y, size[k], &seed);
            check_case("a mine on the cluster", m, red, n, 1);
            GEOSGeom_destroy_r(h, m);
            for (int d = -2; d <= 2; d++) { /* beside it, in and out, along the edge */
                double px, py;
                at_angle(1.0 + d * 0.003, 1.0 + 0.02 * d, &px, &py);
                m = mine_at(px, py, size[k], &seed);
                /* outside, it may miss the red line's envelope: then nothing to leave out */
                check_case("a mine near the cluster", m, red, n, d <= 0);
                GEOSGeom_destroy_r(h, m);
            }
        }
        GEOSGeom_destroy_r(h, red);
    }
}

/* Mines that touch the red line from outside: along a run of its edges (the
 * intersection a line) and at one vertex (a point); no polygon either way. */
static void test_touching(void **state)
{
    (void)state;
    if (!gm_redline_near_known()) skip();
    for (int ccw = 0; ccw <= 1; ccw++) {
        size_t n = 0;
        GEOSGeometry *red = redline(4000, 0, ccw, &n);
        const GEOSCoordSequence *s = GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, red));
        for (unsigned k = 100; k < n - 100; k += 611) {
            /* the red line's own points k .. k+20, closed outward */
            double xy[2 * 24], x, y;
            for (unsigned i = 0; i <= 20; i++)
                GEOSCoordSeq_getXY_r(h, s, k + i, &xy[2 * i], &xy[2 * i + 1]);
            GEOSCoordSeq_getXY_r(h, s, k + 20, &x, &y);
            xy[42] = CX + (x - CX) * 1.3, xy[43] = CY + (y - CY) * 1.3;
            GEOSCoordSeq_getXY_r(h, s, k, &x, &y);
            xy[44] = CX + (x - CX) * 1.3, xy[45] = CY + (y - CY) * 1.3;
            GEOSGeometry *m = poly_xy(xy, 23);
            assert_int_equal(GEOSisValid_r(h, m), 1);
            GEOSGeometry *raw = GEOSIntersection_r(h, m, red);
            int type = GEOSGeomTypeId_r(h, raw);
            assert_true(type == GEOS_LINESTRING || type == GEOS_MULTILINESTRING);
            GEOSGeom_destroy_r(h, raw);
            check_case("a mine along the red line's edge", m, red, n, 1);
            GEOSGeom_destroy_r(h, m);

            /* a diamond pointing at vertex k from outside */
            GEOSCoordSeq_getXY_r(h, s, k, &x, &y);
            double ux = (x - CX) / hypot(x - CX, y - CY), uy = (y - CY) / hypot(x - CX, y - CY);
            double d[8] = {x,
                           y,
                           x + 0.001 * (ux - 0.4 * uy),
                           y + 0.001 * (uy + 0.4 * ux),
                           x + 0.002 * ux,
                           y + 0.002 * uy,
                           x + 0.001 * (ux + 0.4 * uy),
                           y + 0.001 * (uy - 0.4 * ux)};
            m = poly_xy(d, 4);
            raw = GEOSIntersection_r(h, m, red);
            assert_int_equal(GEOSGeomTypeId_r(h, raw), GEOS_POINT);
            GEOSGeom_destroy_r(h, raw);
            check_case("a mine touching a vertex", m, red, n, 1);
            GEOSGeom_destroy_r(h, m);
        }
        GEOSGeom_destroy_r(h, red);
    }
}

/* 300 mines of 0.0005-0.01 degree at random around the boundary. */
static void test_random_mines(void **state)
{
    (void)state;
    if (!gm_redline_near_known()) skip();
    size_t n = 0;
    GEOSGeometry *red = redline(6000, 1, 1, &n);
    unsigned seed = 5;
    int shortened = 0;
    for (int k = 0; k < 300; k++) {
        double x, y;
        at_angle(2 * PI * test_rnd(&seed), 0.9 + 0.2 * test_rnd(&seed), &x, &y);
        GEOSGeometry *m = mine_at(x, y, 0.0005 + 0.0095 * test_rnd(&seed), &seed);
        GEOSGeometry *near = gm_redline_near(h, m, red);
        if (near) shortened++, GEOSGeom_destroy_r(h, near);
        check_case("a random mine", m, red, n, 0);
        GEOSGeom_destroy_r(h, m);
    }
    print_message("%d of 300 random mines intersected a shortened red line\n", shortened);
    assert_true(shortened > 250); /* the shortcut was taken, not the red line whole */
    GEOSGeom_destroy_r(h, red);
}

/* Appends the points from (x0, y0) towards (x1, y1), `step` apart, the end
 * not included. */
static size_t line_to(double *xy, size_t m, double x0, double y0, double x1, double y1, double step)
{
    size_t k = (size_t)ceil(hypot(x1 - x0, y1 - y0) / step);
    for (size_t i = 0; i < k; i++) {
        double f = (double)i / (double)k;
        xy[2 * m] = x0 + f * (x1 - x0), xy[2 * m + 1] = y0 + f * (y1 - y0), m++;
    }
    return m;
}

/* The ring's orientation as GEOS reads it in the shortened copy (at its
 * highest point): a red line whose top is a tall narrow peak, with a slit of
 * outside rising from its bottom through the mine into the peak. Left to
 * run ends alone, the copy's highest point would be the slit's, where the
 * ring turns clockwise, and GEOS would take the copy for a clockwise ring and
 * its inside for outside; the peak's top is kept, and the answer is GEOS's.
 * The slit's legs are coarser (0.9e-4) than the peak's (1e-5), so its run
 * ends stand higher above the clipping box than the peak's, wherever the box
 * falls. The slit's height goes through 8 phases against the steps. */
static void test_orientation_cap(void **state)
{
    (void)state;
    if (!gm_redline_near_known()) skip();
    size_t cap = 40000;
    double *xy = malloc(2 * cap * sizeof *xy);
    assert_non_null(xy);
    unsigned seed = 31;
    GEOSGeometry *mine = mine_at(CX, CY, 0.004, &seed);
    for (int phase = 0; phase < 8; phase++) {
        double top = 0.03 + phase * 1.1e-5, x = CX, y = CY;
        size_t m = 0;
        /* counter-clockwise: the bottom, the slit, the right side, the top with the peak */
        m = line_to(xy, m, x - 0.03, y - 0.03, x - 0.0003, y - 0.03, 1e-4);
        m = line_to(xy, m, x - 0.0003, y - 0.03, x - 0.0003, y + top, 0.9e-4);
        m = line_to(xy, m, x - 0.0003, y + top, x + 0.0003, y + top, 0.9e-4);
        m = line_to(xy, m, x + 0.0003, y + top, x + 0.0003, y - 0.03, 0.9e-4);
        m = line_to(xy, m, x + 0.0003, y - 0.03, x + 0.03, y - 0.03, 1e-4);
        m = line_to(xy, m, x + 0.03, y - 0.03, x + 0.03, y, 1e-4);
        m = line_to(xy, m, x + 0.03, y, x + 0.0018, y, 1e-4);
        m = line_to(xy, m, x + 0.0018, y, x + 0.0018, y + 0.05, 1e-5);
        m = line_to(xy, m, x + 0.0018, y + 0.05, x - 0.0018, y + 0.05, 1e-4);
        m = line_to(xy, m, x - 0.0018, y + 0.05, x - 0.0018, y, 1e-5);
        m = line_to(xy, m, x - 0.0018, y, x - 0.03, y, 1e-4);
        m = line_to(xy, m, x - 0.03, y, x - 0.03, y - 0.03, 1e-4);
        assert_true(m < cap);
        GEOSGeometry *red = poly_xy(xy, m);
        assert_int_equal(GEOSisValid_r(h, red), 1);
        char ccw = 0;
        GEOSCoordSeq_isCCW_r(h, GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, red)), &ccw);
        assert_int_equal(ccw, 1);
        check_case("a mine under a peak, a slit through it", mine, red, m + 1, 1);
        GEOSGeom_destroy_r(h, red);
    }
    GEOSGeom_destroy_r(h, mine);
    free(xy);
}

/* Where nothing may be left out, gm_redline_near gives nothing (the stage then
 * intersects the red line whole): a ring under 256 points, a red line with a
 * hole, a mine whose envelope misses the red line's. */
static void test_no_shortcut(void **state)
{
    (void)state;
    unsigned seed = 3;
    double x, y;
    at_angle(0.5, 1.0, &x, &y);
    GEOSGeometry *m = mine_at(x, y, 0.004, &seed);
    GEOSGeometry *small = redline(200, 0, 1, NULL);
    assert_null(gm_redline_near(h, m, small));
    GEOSGeometry *holed = wkt(h, "POLYGON((112 27.5,113 27.5,113 28.5,112 28.5,112 27.5),"
                                 "(112.4 27.9,112.4 28.1,112.6 28.1,112.6 27.9,112.4 27.9))");
    assert_null(gm_redline_near(h, m, holed));
    GEOSGeometry *red = redline(4000, 0, 1, NULL);
    GEOSGeometry *far = mine_at(CX + 1, CY, 0.004, &seed);
    assert_null(gm_redline_near(h, far, red));
    GEOSGeometry *piece = gm_redline_piece(h, far, red, GM_NEAR_FAILS);
    assert_non_null(piece);
    assert_true(GEOSisEmpty_r(h, piece));
    GEOSGeom_destroy_r(h, piece);
    GEOSGeom_destroy_r(h, m), GEOSGeom_destroy_r(h, small), GEOSGeom_destroy_r(h, holed);
    GEOSGeom_destroy_r(h, red), GEOSGeom_destroy_r(h, far);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crafted_mines),   cmocka_unit_test(test_vertex_cluster),
        cmocka_unit_test(test_touching),        cmocka_unit_test(test_random_mines),
        cmocka_unit_test(test_orientation_cap), cmocka_unit_test(test_no_shortcut),
    };
    return cmocka_run_group_tests(tests, geos_setup, geos_teardown);
}
