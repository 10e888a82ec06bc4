/*
 * test_simple.c -- gm_polygon_surely_valid against GEOSisValid: never "valid"
 * for a polygon GEOS finds invalid (random rings that cross themselves,
 * touches, spikes, overlaps, rounding-level wiggles), and "valid" for the
 * plainly simple polygons it exists to spare GEOS. The same for the proof of
 * a densified ring from its edges' chains (gm_densified_ring_surely_simple),
 * and for the proof from bounds that every mixture of chords and chains is
 * simple (gm_sparse_ring_surely_simple).
 */
#include "testutil.h"

#include "core/densify.h"
#include "core/simple.h"

GM_TEST_GEOS_HANDLE

static unsigned seed = 2026;
static double rnd(void)
{
    return test_rnd(&seed);
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

/* A ring of n corners (x, y; closed here) densified at 50 m, as the loader
 * does: the chains' proof, checked against GEOS on the densified ring.
 * Returns 1 when proven, -1 when not densified (no edge over 50 m). */
static int check_dense(const double *x, const double *y, int n, const char *what, int i)
{
    static double xy[2 * 2001];
    static size_t at[2001];
    for (int k = 0; k <= n; k++)
        xy[2 * k] = x[k % n], xy[2 * k + 1] = y[k % n];
    double *d = NULL;
    size_t cap = 0, nd = gm_densify_ring_xy_at(xy, (size_t)n + 1, 50.0, &d, &cap, at);
    assert_true(nd > 0);
    int fast = gm_densified_ring_surely_simple(d, nd, at, (size_t)n);
    GEOSCoordSequence *s = GEOSCoordSeq_copyFromBuffer_r(h, d, (unsigned)nd, 0, 0);
    GEOSGeometry *g = GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, s), NULL, 0);
    int geos = GEOSisValid_r(h, g);
    if (fast && geos != 1) fail_msg("%s %d: densified ring proven, GEOS says invalid", what, i);
    GEOSGeom_destroy_r(h, g);
    free(d);
    return nd == (size_t)n + 1 ? -1 : fast;
}

/* Ring t of a series: a star-shaped ring of 3 to 512 corners (every third
 * one large), 100 m to 10 km across, around a point in Hunan; its corners in
 * x, y (room for 600), its count returned. */
static int star_ring(double *x, double *y, int t)
{
    int n = 3 + (int)(rnd() * (t % 3 == 0 ? 512 - 3 : 60));
    double cx = 110 + 4 * rnd(), cy = 25 + 4 * rnd(), r0 = 0.001 + 0.1 * rnd();
    for (int i = 0; i < n; i++) {
        double a = 2 * PI * i / n,
               r = r0 * (n < 100 ? 0.3 + 0.7 * rnd() : 1 + 0.3 * sin(5 * a) + 0.01 * rnd());
        x[i] = cx + r * cos(a), y[i] = cy + r * sin(a);
    }
    return n;
}

/* Ring t of a series: 3 to 293 corners in random order (nearly all cross
 * themselves), over 1 km or 10 km; room for 300. */
static int random_ring(double *x, double *y, int t)
{
    int n = 3 + (int)(rnd() * (t % 10 == 0 ? 290 : 12));
    double w = t % 2 ? 0.01 : 0.1;
    for (int i = 0; i < n; i++)
        x[i] = 112 + w * rnd(), y[i] = 28 + w * rnd();
    return n;
}

/* Star-shaped rings, densified: proven from their chains nearly always. */
static void test_densified_rings_are_proven(void **state)
{
    (void)state;
    static double x[600], y[600];
    int proven = 0, total = 0;
    for (int t = 0; t < 600; t++) {
        int n = star_ring(x, y, t);
        int fast = check_dense(x, y, n, "dense star", t);
        if (fast >= 0) proven += fast, total++;
    }
    if (total < 300 || proven < total * 99 / 100)
        fail_msg("only %d of %d densified simple rings proven", proven, total);
}

/* Corners in random order (nearly all cross themselves), spread over 1 km
 * to 10 km so that their edges are densified. */
static void test_densified_random_rings_never_wrongly_valid(void **state)
{
    (void)state;
    double x[300], y[300];
    for (int t = 0; t < 3000; t++) {
        int n = random_ring(x, y, t);
        check_dense(x, y, n, "dense random", t);
    }
}

/* How far north of the straight lon/lat line the geodesic of a 20 km
 * east-west edge at 30N bulges: the largest latitude of the densified edge. */
static double edge_bulge(void)
{
    double xy[6] = {112.0, 30.0, 112.2, 30.0, 112.0, 30.0}, *d = NULL, bulge = 0.0;
    size_t cap = 0, nd = gm_densify_ring_xy(xy, 3, 50.0, &d, &cap);
    for (size_t k = 0; k < nd; k++)
        bulge = d[2 * k + 1] - 30.0 > bulge ? d[2 * k + 1] - 30.0 : bulge;
    free(d);
    return bulge;
}

/* A notch reaching down to the middle of a 20 km east-west edge at 30N,
 * whose geodesic bulges north of the straight lon/lat line by ~7e-5 degrees:
 * the tip, at heights around that bulge, is inside it (the densified ring
 * crosses itself) or clear of it. Never proven when GEOS finds it invalid,
 * and proven once clear by a margin. */
static void test_densified_notch_in_the_bulge(void **state)
{
    (void)state;
    double bulge = edge_bulge();
    assert_true(bulge > 1e-5 && bulge < 1e-3);
    int proven_clear = 0, invalid = 0;
    for (int t = 0; t < 200; t++) {
        double hgt = bulge * (0.5 + 2.5 * t / 200.0), dx = 1e-4 * (1 + t % 5);
        double x[7] = {112.0, 112.2, 112.2, 112.1 + dx, 112.1, 112.1 - dx, 112.0};
        double y[7] = {30.0, 30.0, 30.05, 30.05, 30.0 + hgt, 30.05, 30.05};
        int fast = check_dense(x, y, 7, "notch", t);
        double xy[16];
        for (int k = 0; k <= 7; k++)
            xy[2 * k] = x[k % 7], xy[2 * k + 1] = y[k % 7];
        double *d = NULL;
        size_t cap = 0, nd = gm_densify_ring_xy(xy, 8, 50.0, &d, &cap);
        GEOSCoordSequence *s = GEOSCoordSeq_copyFromBuffer_r(h, d, (unsigned)nd, 0, 0);
        GEOSGeometry *g = GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, s), NULL, 0);
        invalid += GEOSisValid_r(h, g) != 1;
        GEOSGeom_destroy_r(h, g);
        free(d);
        if (hgt > 2.0 * bulge) proven_clear += fast == 1;
    }
    assert_true(invalid > 10);       /* the tips inside the bulge were there */
    assert_true(proven_clear >= 30); /* and the clear ones were proven */
}

/* A proven densified ring with one added point moved: across the ring, back
 * along its edge, onto its neighbour -- never proven when GEOS disagrees, and
 * a point moved back along its own edge is never proven (no longer monotone). */
static void test_densified_ring_with_a_point_moved(void **state)
{
    (void)state;
    double xy[2 * 9], *d = NULL;
    size_t at[9], cap = 0;
    /* a 2 km square at 28N */
    double sq[8][2] = {{112.00, 28.00}, {112.01, 28.00}, {112.02, 28.00}, {112.02, 28.01},
                       {112.02, 28.02}, {112.01, 28.02}, {112.00, 28.02}, {112.00, 28.01}};
    for (int k = 0; k <= 8; k++)
        xy[2 * k] = sq[k % 8][0], xy[2 * k + 1] = sq[k % 8][1];
    size_t nd = gm_densify_ring_xy_at(xy, 9, 50.0, &d, &cap, at);
    assert_true(nd > 100);
    assert_int_equal(gm_densified_ring_surely_simple(d, nd, at, 8), 1);
    double *e = malloc(2 * nd * sizeof *e);
    for (size_t k = 1; k + 1 < nd; k++) {
        int corner = 0;
        for (int c = 0; c <= 8; c++)
            corner |= at[c] == k;
        if (corner) continue;
        for (int how = 0; how < 4; how++) {
            memcpy(e, d, 2 * nd * sizeof *e);
            if (how == 0) /* across the square */
                e[2 * k] = 224.02 - e[2 * k], e[2 * k + 1] = 56.02 - e[2 * k + 1];
            else if (how == 1) /* back past the point before it */
                e[2 * k] = 2 * e[2 * k - 2] - e[2 * k],
                      e[2 * k + 1] = 2 * e[2 * k - 1] - e[2 * k + 1];
            else if (how == 2) /* onto the point before it */
                e[2 * k] = e[2 * k - 2], e[2 * k + 1] = e[2 * k - 1];
            else /* off its edge by a hair outward and inward */
                e[2 * k + (k % 2)] += (k % 4 < 2 ? 1e-9 : -1e-9);
            int fast = gm_densified_ring_surely_simple(e, nd, at, 8);
            GEOSCoordSequence *s = GEOSCoordSeq_copyFromBuffer_r(h, e, (unsigned)nd, 0, 0);
            GEOSGeometry *g =
                GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, s), NULL, 0);
            int geos = GEOSisValid_r(h, g);
            GEOSGeom_destroy_r(h, g);
            if (fast && geos != 1) fail_msg("point %zu moved (%d): proven, GEOS invalid", k, how);
            if (fast && (how == 1 || how == 2))
                fail_msg("point %zu moved back (%d): proven", k, how);
        }
    }
    free(e);
    free(d);
}

/* Chains built by hand (any monotone chain, not only geodesic ones) meeting
 * at a sharp corner v: the last piece of one crosses the second of the other
 * near v, though every chain goes forward along its edge and the rest of the
 * ring stays clear. Not proven; proven once the point that makes the crossing
 * is lifted clear. */
static void test_densified_chains_crossing_at_a_corner(void **state)
{
    (void)state;
    for (int lifted = 0; lifted < 2; lifted++) {
        /* in units of 1e-3 degree from (112, 30): a -> v (0, 0) east along y = 0
         * with a last point lifted to 0.02; v -> b back west, its first point
         * at 0.005 (under a's chain) or 0.03 (over it); then far round to a */
        double u[][2] = {{-10, 0},  {-8, 0},    {-6, 0},     {-4, 0},     {-2, 0.02},
                         {0, 0},    {-1, 0},    {-2, 0.111}, {-4, 0.222}, {-9, 0.5},
                         {-9, 100}, {-30, 100}, {-30, -100}, {-10, -100}, {-10, 0}};
        u[6][1] = lifted ? 0.03 : 0.005;
        size_t nd = sizeof u / sizeof *u, at[] = {0, 5, 9, 10, 11, 12, 13, 14};
        double d[2 * 15];
        for (size_t k = 0; k < nd; k++)
            d[2 * k] = 112 + 1e-3 * u[k][0], d[2 * k + 1] = 30 + 1e-3 * u[k][1];
        int fast = gm_densified_ring_surely_simple(d, nd, at, 7);
        GEOSCoordSequence *s = GEOSCoordSeq_copyFromBuffer_r(h, d, (unsigned)nd, 0, 0);
        GEOSGeometry *g = GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, s), NULL, 0);
        int geos = GEOSisValid_r(h, g);
        GEOSGeom_destroy_r(h, g);
        assert_int_equal(geos, lifted);
        assert_int_equal(fast, lifted);
    }
}

/* A sliver: two chains of n points each meet at a sharp tip with their boxes
 * overlapping along their length (a mistyped latitude makes one 2,000 km
 * long). Short chains are proven pair by pair; long ones are left to GEOS
 * (too many pairs: docs/robustness.md, fuzzing finding 7), which finds the ring
 * valid either way -- not proven is never a wrong answer. */
static void test_densified_sliver_long_chains_left_to_geos(void **state)
{
    (void)state;
    const size_t sizes[] = {100, 400};
    for (int k = 0; k < 2; k++) {
        size_t n = sizes[k], nd = 2 * n + 2, at[] = {0, n, 2 * n, 2 * n + 1};
        double *d = malloc(2 * nd * sizeof *d);
        /* in degrees from the tip v = (112, 28): a = (-20, 1) e-3, b = (-20, 1.2) e-3 */
        const double a[2] = {-0.020, 0.001}, b[2] = {-0.020, 0.0012};
        for (size_t i = 0; i <= n; i++) { /* a -> v */
            double t = (double)i / (double)n;
            d[2 * i] = 112 + a[0] * (1 - t), d[2 * i + 1] = 28 + a[1] * (1 - t);
        }
        for (size_t i = 1; i <= n; i++) { /* v -> b */
            double t = (double)i / (double)n;
            d[2 * (n + i)] = 112 + b[0] * t, d[2 * (n + i) + 1] = 28 + b[1] * t;
        }
        d[2 * (nd - 1)] = d[0], d[2 * (nd - 1) + 1] = d[1];
        int fast = gm_densified_ring_surely_simple(d, nd, at, 3);
        GEOSCoordSequence *sq = GEOSCoordSeq_copyFromBuffer_r(h, d, (unsigned)nd, 0, 0);
        GEOSGeometry *g = GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, sq), NULL, 0);
        assert_int_equal(GEOSisValid_r(h, g), 1);
        GEOSGeom_destroy_r(h, g);
        assert_int_equal(fast, n == 100); /* 99 x 99 pairs compared; 399 x 399 not */
        free(d);
    }
}

/* A ring of n corners (closed here) whose every edge may become its geodesic
 * chain: when gm_sparse_ring_surely_simple proves it, GEOS must find valid
 * the ring as it is, densified in full, and densified on a few random sets of
 * edges (the sparse red lines' mixtures). Returns the proof's answer, -1 when
 * no edge would get a point. */
static int check_sparse(const double *x, const double *y, int n, const char *what, int i)
{
    static double xy[2 * 2001], sag[2001];
    static unsigned char chord[2001];
    for (int k = 0; k <= n; k++)
        xy[2 * k] = x[k % n], xy[2 * k + 1] = y[k % n];
    gm_densify_ring_sags(xy, (size_t)n + 1, 50.0, sag);
    int any = 0;
    for (int k = 0; k < n; k++)
        any |= sag[k] > 0.0;
    int fast = gm_sparse_ring_surely_simple(xy, (size_t)n + 1, sag);
    for (int mix = 0; fast && mix < 5; mix++) {
        for (int k = 0; k < n; k++) /* as read, in full, then random */
            chord[k] = mix == 0 ? 1 : mix == 1 ? 0 : rnd() < 0.5;
        double *d = NULL;
        size_t cap = 0,
               nd = gm_densify_ring_xy_some(xy, (size_t)n + 1, 50.0, chord, &d, &cap, NULL);
        assert_true(nd > 0);
        GEOSCoordSequence *s = GEOSCoordSeq_copyFromBuffer_r(h, d, (unsigned)nd, 0, 0);
        GEOSGeometry *g = GEOSGeom_createPolygon_r(h, GEOSGeom_createLinearRing_r(h, s), NULL, 0);
        if (GEOSisValid_r(h, g) != 1)
            fail_msg("%s %d: sparse ring proven, GEOS finds mixture %d invalid", what, i, mix);
        GEOSGeom_destroy_r(h, g);
        free(d);
    }
    return any ? fast : -1;
}

/* Star-shaped rings, 100 m to 10 km across: the sparse proof finds nearly
 * all of them (it is looser than the chains' proof: a bound, not the points). */
static void test_sparse_rings_are_proven(void **state)
{
    (void)state;
    static double x[600], y[600];
    int proven = 0, total = 0;
    for (int t = 0; t < 400; t++) {
        int n = star_ring(x, y, t);
        int fast = check_sparse(x, y, n, "sparse star", t);
        if (fast >= 0) proven += fast, total++;
    }
    if (total < 200 || proven < total * 95 / 100)
        fail_msg("only %d of %d sparse simple rings proven", proven, total);
}

/* Corners in random order: never proven when a mixture is invalid. */
static void test_sparse_random_rings_never_wrongly_valid(void **state)
{
    (void)state;
    double x[300], y[300];
    for (int t = 0; t < 2000; t++) {
        int n = random_ring(x, y, t);
        check_sparse(x, y, n, "sparse random", t);
    }
}

/* The notch reaching into a 20 km edge's geodesic bulge (above): a tip inside
 * the bulge is never proven (the full densification crosses itself), one far
 * clear of it is; and a spike as sharp as the chains' cones is left alone. */
static void test_sparse_notch_in_the_bulge(void **state)
{
    (void)state;
    double bulge = edge_bulge();
    int inside = 0, proven_inside = 0, proven_clear = 0;
    for (int t = 0; t < 200; t++) {
        double hgt = bulge * (0.5 + 15.0 * t / 200.0), dx = 1e-4 * (1 + t % 5);
        double x[7] = {112.0, 112.2, 112.2, 112.1 + dx, 112.1, 112.1 - dx, 112.0};
        double y[7] = {30.0, 30.0, 30.05, 30.05, 30.0 + hgt, 30.05, 30.05};
        int fast = check_sparse(x, y, 7, "sparse notch", t);
        inside += hgt < bulge;
        proven_inside += hgt < bulge && fast == 1;
        if (hgt > 12.0 * bulge) proven_clear += fast == 1;
    }
    assert_true(inside > 5);
    assert_int_equal(proven_inside, 0);
    assert_true(proven_clear >= 20);
    /* a spike whose sides meet at 1e-6 rad, 10 km long: the cones overlap */
    double sx[3] = {112.0, 112.1, 112.1}, sy[3] = {28.0, 28.0, 28.0 + 1e-7};
    assert_int_equal(check_sparse(sx, sy, 3, "sparse spike", 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_rings_are_proven),
        cmocka_unit_test(test_random_rings_never_wrongly_valid),
        cmocka_unit_test(test_degenerate_rings_are_left_to_geos),
        cmocka_unit_test(test_wiggles_at_rounding_level),
        cmocka_unit_test(test_notch_on_an_edge),
        cmocka_unit_test(test_densified_rings_are_proven),
        cmocka_unit_test(test_densified_random_rings_never_wrongly_valid),
        cmocka_unit_test(test_densified_notch_in_the_bulge),
        cmocka_unit_test(test_densified_ring_with_a_point_moved),
        cmocka_unit_test(test_densified_chains_crossing_at_a_corner),
        cmocka_unit_test(test_densified_sliver_long_chains_left_to_geos),
        cmocka_unit_test(test_sparse_rings_are_proven),
        cmocka_unit_test(test_sparse_random_rings_never_wrongly_valid),
        cmocka_unit_test(test_sparse_notch_in_the_bulge),
    };
    return cmocka_run_group_tests(tests, gm_geos_setup, gm_geos_teardown);
}
