/*
 * window.c -- per-worker pieces of large polygons in grid windows (see window.h).
 */
#include "core/window.h"

#include "core/normalise.h"
#include "core/prepared.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

struct gm_window_slot {
    uint64_t key; /* 0: empty */
    GEOSGeometry *piece;
};

#define SLOTS (2 * GM_WINDOW_MAX)

int gm_windows_init(gm_windows *c, GEOSGeometry *const *geoms, size_t n, int threads)
{
    c->geoms = geoms;
    c->n = n;
    c->threads = threads;
    c->table = calloc((size_t)threads, sizeof *c->table);
    c->used = calloc((size_t)threads, sizeof *c->used);
    return c->table && c->used ? GM_OK : GM_ERR_NOMEM;
}

static void clear(GEOSContextHandle_t h, gm_window_slot *table)
{
    for (size_t k = 0; k < SLOTS; k++) {
        if (table[k].piece) GEOSGeom_destroy_r(h, table[k].piece);
        table[k] = (gm_window_slot){0, NULL};
    }
}

/* from's polygonal part inside the box. */
static GEOSGeometry *cut(GEOSContextHandle_t h, const GEOSGeometry *from, double x0, double y0,
                         double x1, double y1)
{
    GEOSGeometry *box = GEOSGeom_createRectangle_r(h, x0, y0, x1, y1);
    GEOSGeometry *raw = box ? GEOSIntersection_r(h, from, box) : NULL;
    GEOSGeometry *out = raw ? gm_polygonal_parts(h, raw) : NULL;
    if (box) GEOSGeom_destroy_r(h, box);
    if (raw) GEOSGeom_destroy_r(h, raw);
    return out;
}

/* The piece of `from` in the box of cells [cx0, cx1) x [cy0, cy1), cached
 * under (level, cx, cy, i). */
static const GEOSGeometry *piece(gm_windows *c, gm_worker *w, int level, size_t i, double cx,
                                 double cy, const GEOSGeometry *from, double cx0, double cy0,
                                 double cx1, double cy1)
{
    GEOSContextHandle_t h = w->geos;
    const double cell = GM_WINDOW_CELL_DEG;
    /* cell x and y in 21 bits each, i and the level in 21; + 1 keeps 0 for empty slots */
    uint64_t key = (((uint64_t)(cx + 1e6) << 42) | ((uint64_t)(cy + 1e6) << 21) |
                    ((uint64_t)i << 1) | (uint64_t)level) +
                   1;
    if (w->store) { /* kept across runs, under the polygon's address */
        uint64_t skey =
            (((uint64_t)(cx + 1e6) << 42) | ((uint64_t)(cy + 1e6) << 21) | (uint64_t)level);
        const GEOSGeometry *kept = gm_geomstore_piece(w->store, c->geoms[i], skey);
        if (kept) return kept;
        GEOSGeometry *out = cut(h, from, cx0 * cell, cy0 * cell, cx1 * cell, cy1 * cell);
        if (out) gm_geomstore_put_piece(w->store, c->geoms[i], skey, out);
        return out;
    }
    if (!c->table[w->id] && !(c->table[w->id] = calloc(SLOTS, sizeof **c->table))) return NULL;
    gm_window_slot *table = c->table[w->id];
    uint64_t hash = key * 0x9E3779B97F4A7C15ull;
    size_t k = (size_t)(hash >> 40) % SLOTS;
    for (; table[k].key; k = (k + 1) % SLOTS)
        if (table[k].key == key) return table[k].piece;
    GEOSGeometry *out = cut(h, from, cx0 * cell, cy0 * cell, cx1 * cell, cy1 * cell);
    if (!out) return NULL;
    if (c->used[w->id] >= GM_WINDOW_MAX) { /* full: start over (`from` is no longer needed) */
        clear(h, table);
        c->used[w->id] = 0;
        k = (size_t)(hash >> 40) % SLOTS;
    }
    table[k] = (gm_window_slot){key, out};
    c->used[w->id]++;
    return out;
}

const GEOSGeometry *gm_windows_get(gm_windows *c, gm_worker *w, size_t i, const GEOSGeometry *g)
{
    GEOSContextHandle_t h = w->geos;
    const double cell = GM_WINDOW_CELL_DEG, B = GM_WINDOW_BLOCK;
    double x0, y0, x1, y1;
    if (!GEOSGeom_getXMin_r(h, g, &x0) || !GEOSGeom_getYMin_r(h, g, &y0) ||
        !GEOSGeom_getXMax_r(h, g, &x1) || !GEOSGeom_getYMax_r(h, g, &y1))
        return c->geoms[i];
    double cx = floor(x0 / cell), cy = floor(y0 / cell);
    /* g must lie well inside the window: at least half a cell from its edges */
    if (x1 > (cx + 1.5) * cell || y1 > (cy + 1.5) * cell || fabs(cx) > 1e6 || fabs(cy) > 1e6 ||
        i >= (1u << 20))
        return c->geoms[i];
    /* the window is cut from its block's piece, itself cut once from the whole:
     * each cut then walks a block's vertices, not the whole polygon's */
    double bx = floor(cx / B), by = floor(cy / B);
    const GEOSGeometry *block = piece(c, w, 1, i, bx, by, c->geoms[i], bx * B - 1, by * B - 1,
                                      (bx + 1) * B + 1, (by + 1) * B + 1);
    if (!block) return NULL;
    return piece(c, w, 0, i, cx, cy, block, cx - 1, cy - 1, cx + 2, cy + 2);
}

void gm_windows_free(gm_windows *c, gm_pool *pool)
{
    for (int t = 0; c->table && t < c->threads; t++) {
        if (!c->table[t]) continue;
        clear(gm_pool_worker_geos(pool, t), c->table[t]);
        free(c->table[t]);
    }
    free(c->table);
    free(c->used);
    c->table = NULL;
    c->used = NULL;
}
