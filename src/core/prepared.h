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

#include <stdint.h>

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
/* With w->store set, the geometry comes from (and stays in) that store. */
/* Frees every prepared copy with the handle of the worker that made it. */
void gm_prepcache_free(gm_prepcache *c, gm_pool *pool);

/* Prepared geometries and window pieces (core/window.h) kept across runs by
 * one thread at a time -- greenmine serve keeps one per request slot, so the
 * red lines and zones are prepared once, not at every check. Keyed by the
 * geometry's address: only geometries that outlive the store may go in (the
 * loaded layers; never an application). Bounded: when full it starts over, so
 * what it returned is valid until the next call, as with gm_prepcache. */
#define GM_GEOMSTORE_MAX 4096
gm_geomstore *gm_geomstore_new(void);
void gm_geomstore_free(gm_geomstore *s);
const GEOSPreparedGeometry *gm_geomstore_prepared(gm_geomstore *s, GEOSContextHandle_t h,
                                                  const GEOSGeometry *g);
/* The piece cached under (g, key), or NULL when none is. */
const GEOSGeometry *gm_geomstore_piece(gm_geomstore *s, const GEOSGeometry *g, uint64_t key);
/* Keeps piece (taking it) under (g, key). */
void gm_geomstore_put_piece(gm_geomstore *s, const GEOSGeometry *g, uint64_t key,
                            GEOSGeometry *piece);

#endif
