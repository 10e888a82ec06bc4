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

/* At most this many prepared geometries per worker: a prepared polygon's
 * indexes take several times the polygon's memory, so a province's red lines
 * must not all stay prepared (the oldest is dropped first; callers visit
 * items in spatial order, so what is dropped is rarely needed again). */
#define GM_PREPCACHE_MAX 1024

typedef struct gm_prepcache {
    GEOSGeometry *const *geoms; /* borrowed; must outlive the cache */
    size_t n;
    int threads;
    const GEOSPreparedGeometry **prep; /* [thread * n + i] */
    size_t *ring;                      /* [thread * GM_PREPCACHE_MAX + k]: what each prepared */
    size_t *used;                      /* [thread]: how many it prepared so far */
} gm_prepcache;

int gm_prepcache_init(gm_prepcache *c, GEOSGeometry *const *geoms, size_t n, int threads);
/* Worker w's prepared copy of geoms[i]; NULL if GEOS fails. Valid until w's
 * next call (which may drop it). */
const GEOSPreparedGeometry *gm_prepcache_get(gm_prepcache *c, gm_worker *w, size_t i);
/* Frees every prepared copy with the handle of the worker that made it. */
void gm_prepcache_free(gm_prepcache *c, gm_pool *pool);

#endif
