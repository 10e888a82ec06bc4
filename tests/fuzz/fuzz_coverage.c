/*
 * fuzz_coverage.c -- libFuzzer target: the exact-coverage rasteriser
 * (core/coverage.h) on random polygons. The bytes give a grid (cell size,
 * rows, columns) and a ring of vertices on it (made valid by GEOS
 * MakeValid, as the loader would). Invariants (docs/robustness.md): every
 * fraction lies in [0, 1] and the sum of fraction x cell area equals the
 * planar area of the polygon inside the grid within 1e-9 relative.
 */
#include "core/coverage.h"

#include <greenmine/context.h>

#include <geos_c.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static GEOSContextHandle_t h;

static double take(const uint8_t **p, const uint8_t *end)
{
    uint16_t v = 0;
    if (*p + 2 <= end) memcpy(&v, *p, 2), *p += 2;
    return v / 65535.0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!h) h = GEOS_init_r();
    if (size < 10) return 0;
    const uint8_t *p = data, *end = data + size;
    gm_grid grid;
    grid.cell = 0.5 + 99.5 * take(&p, end); /* 0.5 .. 100 m */
    grid.rows = 1 + (size_t)(take(&p, end) * 40);
    grid.cols = 1 + (size_t)(take(&p, end) * 40);
    grid.x0 = 500000.0, grid.y0 = 3100000.0;
    double w = grid.cols * grid.cell, hgt = grid.rows * grid.cell;
    size_t n = (size_t)(end - p) / 4;
    if (n < 3 || n > 40) return 0; /* MakeValid of a random tangle is slow */
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, (unsigned)n + 1, 2);
    for (size_t i = 0; i < n; i++) {
        /* vertices over the grid and up to half a grid beyond it */
        double x = grid.x0 - 0.5 * w + 2 * w * take(&p, end);
        double y = grid.y0 + 0.5 * hgt - 2 * hgt * take(&p, end);
        GEOSCoordSeq_setXY_r(h, cs, (unsigned)i, x, y);
    }
    double x, y;
    GEOSCoordSeq_getXY_r(h, cs, 0, &x, &y);
    GEOSCoordSeq_setXY_r(h, cs, (unsigned)n, x, y);
    GEOSGeometry *ring = GEOSGeom_createLinearRing_r(h, cs);
    GEOSGeometry *poly = ring ? GEOSGeom_createPolygon_r(h, ring, NULL, 0) : NULL;
    GEOSGeometry *valid = poly ? GEOSMakeValid_r(h, poly) : NULL;
    if (poly) GEOSGeom_destroy_r(h, poly);
    if (!valid) return 0;
    double *frac = calloc(grid.rows * grid.cols, sizeof *frac);
    if (!frac) abort();
    int rc = gm_coverage_add(h, &grid, valid, frac);
    if (rc != GM_OK) abort();
    double sum = 0.0;
    for (size_t i = 0; i < grid.rows * grid.cols; i++) {
        if (!(frac[i] >= -1e-9 && frac[i] <= 1 + 1e-9)) abort();
        sum += frac[i];
    }
    /* the reference: GEOS's planar area of the polygonal part inside the grid */
    GEOSGeometry *box = GEOSGeom_createRectangle_r(h, grid.x0, grid.y0 - hgt, grid.x0 + w, grid.y0);
    GEOSGeometry *inside = box ? GEOSIntersection_r(h, valid, box) : NULL;
    double want = 0.0;
    if (!inside) { /* GEOS's overlay failed on MakeValid's output (finding 10): no reference */
        if (box) GEOSGeom_destroy_r(h, box);
        GEOSGeom_destroy_r(h, valid);
        free(frac);
        return 0;
    }
    if (!GEOSArea_r(h, inside, &want)) abort();
    double got = sum * grid.cell * grid.cell;
    double scale = want > grid.cell * grid.cell ? want : grid.cell * grid.cell;
    /* plus what rounding the coordinates themselves allows: a few ulps of
     * 3,100 km along the boundary (finding 3: 3e-9 m2 on a 0.7 m2 sliver) */
    double perimeter = 0.0;
    GEOSLength_r(h, inside, &perimeter);
    double ulps = 8 * 2.220446049250313e-16 * (fabs(grid.y0) + hgt) * perimeter;
    if (fabs(got - want) > 1e-9 * scale + ulps) abort();
    GEOSGeom_destroy_r(h, inside);
    GEOSGeom_destroy_r(h, box);
    GEOSGeom_destroy_r(h, valid);
    free(frac);
    return 0;
}
