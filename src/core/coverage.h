/*
 * coverage.h -- exact cell coverage of polygons on a regular grid, the way
 * exactextract computes it: each ring is walked through the cells it crosses,
 * the covered part of every boundary cell comes from the ring's pieces inside
 * that cell, and interior cells are filled by a scanline. Planar: the grid and
 * the polygons share one projected CRS (use an equal-area one, so a fraction
 * times the cell area is an area). GEOS only; no GDAL here.
 */
#ifndef GM_COVERAGE_H
#define GM_COVERAGE_H

#include <geos_c.h>
#include <stddef.h>

/* A north-up grid of square cells. Row 0 is the top row; cell (r, c) spans
 * x in [x0 + c*cell, x0 + (c+1)*cell], y in [y0 - (r+1)*cell, y0 - r*cell]. */
typedef struct gm_grid {
    double x0, y0; /* top-left corner: left edge x, top edge y */
    double cell;   /* cell size, > 0 */
    size_t rows, cols;
} gm_grid;

/* The grid of `cell`-sized cells aligned on multiples of `cell` (so grids
 * made for different extents line up) that covers [minx,maxx] x [miny,maxy]. */
void gm_grid_snap(gm_grid *out, double minx, double miny, double maxx, double maxy, double cell);

/* The sub-grid of `g` made of rows [r0, r0+rows) and columns [c0, c0+cols). */
gm_grid gm_grid_window(const gm_grid *g, size_t r0, size_t c0, size_t rows, size_t cols);

/* Adds to frac[r * grid->cols + c] the fraction (0..1) of cell (r, c) covered
 * by the polygonal geometry `g` (Polygon, MultiPolygon, or a collection of
 * them; other parts are ignored), holes subtracted. Parts outside the grid
 * count nothing; a polygon larger than the grid covers its cells fully.
 * Ring orientation does not matter. Valid polygons are assumed: where two
 * parts of g overlap, their fractions add (union them first). Results are
 * exact up to floating-point rounding (~1e-12): clamp to 0..1 when storing.
 * Returns GM_OK, GM_ERR_NOMEM, or GM_ERR_INTERNAL when GEOS cannot read g. */
int gm_coverage_add(GEOSContextHandle_t h, const gm_grid *grid, const GEOSGeometry *g,
                    double *frac);

/* The same, with buffers kept in `ws` from one call to the next (one
 * workspace per thread): for many polygons or tiles. */
typedef struct gm_coverage_ws gm_coverage_ws;
gm_coverage_ws *gm_coverage_ws_new(void); /* NULL when out of memory */
void gm_coverage_ws_free(gm_coverage_ws *ws);
int gm_coverage_add_ws(GEOSContextHandle_t h, const gm_grid *grid, const GEOSGeometry *g,
                       double *frac, gm_coverage_ws *ws);

/* The same for one polygon given as coordinates in the grid's CRS: rings of
 * ring_len[k] (x, y) pairs one after the other in xy, the shell first, then
 * the holes. No GEOS call and no allocation once ws has grown: for polygons
 * extracted once and added to many tiles. */
int gm_coverage_add_xy(const gm_grid *grid, const double *xy, const size_t *ring_len,
                       size_t n_rings, double *frac, gm_coverage_ws *ws);

#endif
