/*
 * window.h -- a large polygon's pieces around small geometries, per worker.
 *
 * Overlaying a parcel with a zone costs GEOS time in proportion to the zone's
 * vertices (it clips the whole zone to the operands' envelope on every call),
 * and a densified zone has thousands. The piece of the zone inside a window of
 * a fixed grid holds only the vertices near the parcel; for a geometry inside
 * that window, overlaying it with the piece gives the same result as with the
 * whole zone. Each worker makes the pieces it needs once and keeps them.
 */
#ifndef GM_WINDOW_H
#define GM_WINDOW_H

#include "core/pool.h"

/* Grid step in degrees. A window is a cell with one cell around it (3 x 3
 * cells, ~6 km in Hunan); geometries wider than half a cell use the whole
 * polygon. */
#define GM_WINDOW_CELL_DEG 0.02
/* A window is cut from the piece of its block of B x B cells (plus one cell
 * around), so no cut walks the whole polygon more than once per block. */
#define GM_WINDOW_BLOCK 8
/* Pieces kept per worker before its cache starts over. */
#define GM_WINDOW_MAX 8192

typedef struct gm_window_slot gm_window_slot;

typedef struct gm_windows {
    GEOSGeometry *const *geoms; /* borrowed; must outlive the cache */
    size_t n;
    int threads;
    gm_window_slot **table; /* [thread]: open-addressed, GM_WINDOW_MAX * 2 slots */
    size_t *used;           /* [thread] */
} gm_windows;

int gm_windows_init(gm_windows *c, GEOSGeometry *const *geoms, size_t n, int threads);
/* What worker w overlays g with in place of geoms[i]: the piece of geoms[i] in
 * the window around g, or geoms[i] itself when g is too wide for a window.
 * Borrowed: valid until w's next call; NULL if GEOS fails. */
const GEOSGeometry *gm_windows_get(gm_windows *c, gm_worker *w, size_t i, const GEOSGeometry *g);
/* Frees every piece with the handle of the worker that made it. */
void gm_windows_free(gm_windows *c, gm_pool *pool);

#endif
