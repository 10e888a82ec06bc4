/*
 * test_coverage.c -- exact cell coverage (src/core/coverage.c) on WKT
 * fixtures whose fractions are known by hand, then on random polygons against
 * GEOS's own intersection area of each cell (a second computation that shares
 * nothing with the ring traversal).
 */
#include "testutil.h"

#include "core/coverage.h"

#include <greenmine/context.h>

/* The 4 x 4 unit grid: x 0..4, y 0..4; row 0 is y 3..4. */
static const gm_grid unit4 = {0.0, 4.0, 1.0, 4, 4};

static double *cover(const gm_grid *g, const char *text)
{
    double *f = calloc(g->rows * g->cols, sizeof *f);
    GEOSGeometry *geom = wkt(h, text);
    assert_int_equal(gm_coverage_add(h, g, geom, f), GM_OK);
    GEOSGeom_destroy_r(h, geom);
    return f;
}

/* Checks every cell against `expected`, written top row first. */
static void expect(const gm_grid *g, const char *text, const double *expected)
{
    double *f = cover(g, text);
    for (size_t r = 0; r < g->rows; r++)
        for (size_t c = 0; c < g->cols; c++) {
            double a = f[r * g->cols + c], e = expected[r * g->cols + c];
            if (fabs(a - e) > 1e-12)
                fail_msg("%s: cell (%zu,%zu) = %.15g, expected %.15g", text, r, c, a, e);
        }
    free(f);
}

static void half_cell(void **state)
{
    (void)state;
    static const double e[16] = {0.5};
    expect(&unit4, "POLYGON((0 3, 0.5 3, 0.5 4, 0 4, 0 3))", e);
    /* the same half, cut along the diagonal instead */
    static const double tri[16] = {0, 0, 0, 0, 0, 0.5};
    expect(&unit4, "POLYGON((1 2, 2 2, 2 3, 1 2))", tri);
    expect(&unit4, "POLYGON((1 2, 2 3, 2 2, 1 2))", tri); /* other orientation */
}

static void big_triangle(void **state)
{
    (void)state;
    /* x + y <= 4: below the diagonal full, on it half, above empty */
    static const double e[16] = {0.5, 0, 0, 0, 1, 0.5, 0, 0, 1, 1, 0.5, 0, 1, 1, 1, 0.5};
    expect(&unit4, "POLYGON((0 0, 4 0, 0 4, 0 0))", e);
}

static void two_and_a_half_cells(void **state)
{
    (void)state;
    /* 1.25 wide, 2 high, cut by grid lines on every side */
    static const double e[16] = {0.25, 0.375, 0, 0, 0.5, 0.75, 0, 0, 0.25, 0.375, 0, 0, 0};
    expect(&unit4, "POLYGON((0.5 1.5, 1.75 1.5, 1.75 3.5, 0.5 3.5, 0.5 1.5))", e);
    double *f = cover(&unit4, "POLYGON((0.5 1, 3 1, 3 2, 0.5 2, 0.5 1))");
    double sum = 0;
    for (int i = 0; i < 16; i++)
        sum += f[i];
    assert_rel(sum, 2.5, 1e-14);
    assert_rel(f[2 * 4 + 0], 0.5, 1e-14);
    assert_rel(f[2 * 4 + 1], 1.0, 1e-14);
    assert_rel(f[2 * 4 + 2], 1.0, 1e-14);
    free(f);
}

static void holes(void **state)
{
    (void)state;
    static const double frame[16] = {1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1};
    expect(&unit4, "POLYGON((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 3 1, 3 3, 1 3, 1 1))", frame);
    /* hole given counter-clockwise like its shell: orientation must not matter */
    expect(&unit4, "POLYGON((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 1 3, 3 3, 3 1, 1 1))", frame);
    static const double centre[16] = {1, 1, 1, 1, 1, 0.75, 0.75, 1, 1, 0.75, 0.75, 1, 1, 1, 1, 1};
    expect(&unit4,
           "POLYGON((0 0, 4 0, 4 4, 0 4, 0 0), (1.5 1.5, 2.5 1.5, 2.5 2.5, 1.5 2.5, 1.5 1.5))",
           centre);
}

static void vertices_on_corners(void **state)
{
    (void)state;
    /* a diamond through cell corners: 4 full cells, 8 halves, corners empty */
    static const double e[16] = {0, 0.5, 0.5, 0, 0.5, 1, 1, 0.5, 0.5, 1, 1, 0.5, 0, 0.5, 0.5, 0};
    expect(&unit4, "POLYGON((2 0, 4 2, 2 4, 0 2, 2 0))", e);
    /* a square exactly on grid lines */
    static const double sq[16] = {0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0};
    expect(&unit4, "POLYGON((1 1, 3 1, 3 3, 1 3, 1 1))", sq);
}

static void tiny_inside_one_cell(void **state)
{
    (void)state;
    static const double e[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1e-4};
    expect(&unit4, "POLYGON((2.3 1.3, 2.31 1.3, 2.31 1.31, 2.3 1.31, 2.3 1.3))", e);
    static const double t[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5e-7};
    expect(&unit4, "POLYGON((3.5 0.5, 3.501 0.5, 3.5 0.501, 3.5 0.5))", t);
}

static void larger_than_grid(void **state)
{
    (void)state;
    static const double all[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    expect(&unit4, "POLYGON((-10 -10, 10 -10, 10 10, -10 10, -10 -10))", all);
    /* sticking out of the left and bottom, with a vertex far right */
    static const double part[16] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0};
    expect(&unit4, "POLYGON((-1 -1, 2 -1, 2 2, -1 2, -1 -1))", part);
    /* a band crossing the whole grid from far left to far right */
    static const double band[16] = {0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5};
    expect(&unit4, "POLYGON((-100 2.5, 100 2.5, 100 3, -100 3, -100 2.5))", band);
    /* only touching the grid, or wholly outside: nothing */
    static const double none[16] = {0};
    expect(&unit4, "POLYGON((4 0, 5 0, 5 1, 4 1, 4 0))", none);
    expect(&unit4, "POLYGON((10 10, 11 10, 11 11, 10 10))", none);
    expect(&unit4, "POLYGON((-3 1, -1 1, -1 2, -3 1))", none);
}

static void multipolygons(void **state)
{
    (void)state;
    /* two parts, one clockwise; one with a hole; one in a collection */
    static const double e[16] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.75};
    expect(&unit4,
           "MULTIPOLYGON(((0 3, 1 3, 1 4, 0 4, 0 3)), ((3 0, 3 1, 4 1, 4 0, 3 0), "
           "(3.25 0.25, 3.75 0.25, 3.75 0.75, 3.25 0.75, 3.25 0.25)))",
           e);
    expect(&unit4,
           "GEOMETRYCOLLECTION(POLYGON((0 3, 1 3, 1 4, 0 4, 0 3)), LINESTRING(0 0, 4 4), "
           "POLYGON((3 0, 3 1, 4 1, 4 0, 3 0), (3.25 0.25, 3.75 0.25, 3.75 0.75, 3.25 0.75, "
           "3.25 0.25)))",
           e);
    static const double none[16] = {0};
    expect(&unit4, "POLYGON EMPTY", none);
}

static void snap_and_window(void **state)
{
    (void)state;
    gm_grid g;
    gm_grid_snap(&g, 95.0, 212.0, 131.0, 268.5, 30.0);
    assert_true(g.x0 == 90.0 && g.y0 == 270.0 && g.cell == 30.0);
    assert_int_equal(g.cols, 2);
    assert_int_equal(g.rows, 2);
    gm_grid w = gm_grid_window(&g, 1, 1, 1, 1);
    assert_true(w.x0 == 120.0 && w.y0 == 240.0);
    /* a window computes the same fractions as its cells in the full grid */
    gm_grid big = {0.0, 4.0, 1.0, 4, 4};
    const char *t = "POLYGON((0.3 0.2, 3.7 0.9, 2.2 3.8, 0.3 0.2))";
    double *full = cover(&big, t);
    gm_grid win = gm_grid_window(&big, 1, 1, 2, 2);
    double *part = cover(&win, t);
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 2; c++)
            assert_true(fabs(part[r * 2 + c] - full[(r + 1) * 4 + c + 1]) < 1e-12);
    free(full);
    free(part);
}

/* ---- random polygons against GEOS, cell by cell -------------------------- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double uniform(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17; /* xorshift64 */
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* A star-shaped ring of n >= 8 vertices around (cx, cy), radii in [r0, r1]. */
static void star(char *buf, size_t cap, double cx, double cy, double r0, double r1, int n, int cw)
{
    size_t at = (size_t)snprintf(buf, cap, "(");
    double x0 = 0, y0 = 0;
    for (int i = 0; i < n; i++) {
        double a = 2 * PI * (i + 0.5 * uniform()) / n * (cw ? -1 : 1);
        double r = r0 + (r1 - r0) * uniform();
        double x = cx + r * cos(a), y = cy + r * sin(a);
        if (i == 0) x0 = x, y0 = y;
        at += (size_t)snprintf(buf + at, cap - at, "%.17g %.17g,", x, y);
    }
    snprintf(buf + at, cap - at, "%.17g %.17g)", x0, y0);
}

static double cell_fraction_geos(const gm_grid *g, const GEOSGeometry *poly, size_t r, size_t c)
{
    double x0 = g->x0 + (double)c * g->cell, y1 = g->y0 - (double)r * g->cell;
    GEOSGeometry *box = GEOSGeom_createRectangle_r(h, x0, y1 - g->cell, x0 + g->cell, y1);
    GEOSGeometry *x = GEOSIntersection_r(h, poly, box);
    double a = 0;
    assert_non_null(x);
    GEOSArea_r(h, x, &a);
    GEOSGeom_destroy_r(h, x);
    GEOSGeom_destroy_r(h, box);
    return a / (g->cell * g->cell);
}

static void compare_with_geos(const gm_grid *g, GEOSGeometry *poly, double *worst)
{
    double *f = calloc(g->rows * g->cols, sizeof *f);
    assert_int_equal(gm_coverage_add(h, g, poly, f), GM_OK);
    /* Both sides round intersection points at the coordinates' magnitude:
     * allow a few ulps of it, as a fraction of the cell. */
    double tol = 1e-11 + 16 * 2.220446e-16 * fmax(fabs(g->x0), fabs(g->y0)) / g->cell;
    double sum = 0, area = 0;
    for (size_t r = 0; r < g->rows; r++)
        for (size_t c = 0; c < g->cols; c++) {
            double e = cell_fraction_geos(g, poly, r, c), a = f[r * g->cols + c];
            if (fabs(a - e) > *worst) *worst = fabs(a - e);
            if (fabs(a - e) > tol)
                fail_msg("cell (%zu,%zu): %.15g, GEOS %.15g (tolerance %.2g)", r, c, a, e, tol);
            sum += a;
        }
    /* every polygon lies inside its grid here: the fractions add up to its area */
    GEOSArea_r(h, poly, &area);
    assert_rel(sum * g->cell * g->cell, area, 1e-9);
    free(f);
}

static void random_stars_vs_geos(void **state)
{
    (void)state;
    char shell[20000], hole[20000], text[41000];
    double worst = 0;
    for (int k = 0; k < 150; k++) {
        /* an Albers-like place: large coordinates, 30 m cells, odd origin */
        double cell = k % 3 == 0 ? 30.0 : 0.5 + 5 * uniform();
        size_t n = 6 + (size_t)(uniform() * 14);
        gm_grid g = {451234.5 + 100 * uniform(), 3012345.25 + 100 * uniform(), cell, n, n};
        double cx = g.x0 + cell * (double)n / 2, cy = g.y0 - cell * (double)n / 2;
        double rmax = cell * (double)n / 2 * 0.95;
        int verts = 8 + (int)(uniform() * (k % 5 == 0 ? 200 : 20));
        /* shell edges stay beyond 0.6 cos(34°) rmax > 0.45 rmax: the hole fits */
        star(shell, sizeof shell, cx, cy, rmax * 0.6, rmax, verts, k % 2);
        if (k % 4 == 0) {
            star(hole, sizeof hole, cx, cy, rmax * 0.1, rmax * 0.45, 3 + (int)(uniform() * 12),
                 k % 8 == 0);
            snprintf(text, sizeof text, "POLYGON(%s,%s)", shell, hole);
        } else {
            snprintf(text, sizeof text, "POLYGON(%s)", shell);
        }
        GEOSGeometry *poly = wkt(h, text);
        assert_int_equal(GEOSisValid_r(h, poly), 1);
        compare_with_geos(&g, poly, &worst);
        GEOSGeom_destroy_r(h, poly);
    }
    print_message("random stars: largest difference from GEOS %.3g of a cell\n", worst);
}

/* Unions of random rectangles and triangles: multipolygons with holes,
 * vertices and edges on grid lines (integer coordinates), parts outside. */
static void random_unions_vs_geos(void **state)
{
    (void)state;
    double worst = 0;
    for (int k = 0; k < 60; k++) {
        gm_grid g = {0.0, 10.0, 1.0, 10, 10};
        int parts = 2 + (int)(uniform() * 8);
        GEOSGeometry **gs = malloc((size_t)parts * sizeof *gs);
        for (int i = 0; i < parts; i++) {
            /* coordinates on a half-cell lattice, some beyond the grid */
            double x = floor(uniform() * 26 - 3) / 2, y = floor(uniform() * 26 - 3) / 2;
            double w = 0.5 + floor(uniform() * 8) / 2, hh = 0.5 + floor(uniform() * 8) / 2;
            char t[256];
            if (i % 2)
                snprintf(t, sizeof t, "POLYGON((%g %g, %g %g, %g %g, %g %g, %g %g))", x, y, x + w,
                         y, x + w, y + hh, x, y + hh, x, y);
            else
                snprintf(t, sizeof t, "POLYGON((%g %g, %g %g, %g %g, %g %g))", x, y, x + w, y,
                         x + w * uniform(), y + hh, x, y);
            gs[i] = wkt(h, t);
        }
        GEOSGeometry *coll =
            GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, gs, (unsigned)parts);
        GEOSGeometry *u = GEOSUnaryUnion_r(h, coll);
        free(gs);
        assert_non_null(u);
        /* compare on the grid, not on the area sum: parts stick out */
        double *f = calloc(100, sizeof *f);
        assert_int_equal(gm_coverage_add(h, &g, u, f), GM_OK);
        for (size_t r = 0; r < 10; r++)
            for (size_t c = 0; c < 10; c++) {
                double e = cell_fraction_geos(&g, u, r, c), a = f[r * 10 + c];
                if (fabs(a - e) > worst) worst = fabs(a - e);
                if (fabs(a - e) > 1e-12)
                    fail_msg("union %d cell (%zu,%zu): %.15g, GEOS %.15g", k, r, c, a, e);
            }
        free(f);
        GEOSGeom_destroy_r(h, u);
        GEOSGeom_destroy_r(h, coll);
    }
    print_message("random unions: largest difference from GEOS %.3g of a cell\n", worst);
}

/* A circle-like ring crossing hundreds of cells, in a grid larger than it. */
static void many_cells(void **state)
{
    (void)state;
    gm_grid g = {1000.0, 2000.0, 1.0, 60, 60};
    GEOSGeometry *pt = wkt(h, "POINT(1030.3 1969.7)");
    GEOSGeometry *circle = GEOSBuffer_r(h, pt, 27.3, 64);
    double worst = 0;
    compare_with_geos(&g, circle, &worst);
    assert_true(worst < 1e-9);
    GEOSGeom_destroy_r(h, circle);
    GEOSGeom_destroy_r(h, pt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(half_cell),
        cmocka_unit_test(big_triangle),
        cmocka_unit_test(two_and_a_half_cells),
        cmocka_unit_test(holes),
        cmocka_unit_test(vertices_on_corners),
        cmocka_unit_test(tiny_inside_one_cell),
        cmocka_unit_test(larger_than_grid),
        cmocka_unit_test(multipolygons),
        cmocka_unit_test(snap_and_window),
        cmocka_unit_test(random_stars_vs_geos),
        cmocka_unit_test(random_unions_vs_geos),
        cmocka_unit_test(many_cells),
    };
    return cmocka_run_group_tests(tests, geos_setup, geos_teardown);
}
