/*
 * prepared.h -- prepared geometries, one set per worker thread.
 *
 * GEOS builds a prepared geometry's indexes lazily on first use, so sharing one
 * between threads races. Each worker prepares its own copy of geometry i when
 * it first needs it; only that worker ever touches it.
 */
#ifndef GM_PREPARED_H
#define GM_PREPARED_H

#include "core/pool.h"

typedef struct gm_prepcache {
    GEOSGeometry *const *geoms; /* borrowed; must outlive the cache */
    size_t n;
    int threads;
    const GEOSPreparedGeometry **prep; /* [thread * n + i] */
} gm_prepcache;

int gm_prepcache_init(gm_prepcache *c, GEOSGeometry *const *geoms, size_t n, int threads);
/* Worker w's prepared copy of geoms[i]; NULL if GEOS fails. */
const GEOSPreparedGeometry *gm_prepcache_get(gm_prepcache *c, gm_worker *w, size_t i);
/* Frees every prepared copy with the handle of the worker that made it. */
void gm_prepcache_free(gm_prepcache *c, gm_pool *pool);

#endif
