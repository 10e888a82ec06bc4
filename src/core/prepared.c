/*
 * prepared.c -- per-worker lazily prepared geometries (see prepared.h).
 */
#include "core/prepared.h"

#include <stdlib.h>

int gm_prepcache_init(gm_prepcache *c, GEOSGeometry *const *geoms, size_t n, int threads)
{
    c->geoms = geoms;
    c->n = n;
    c->threads = threads;
    c->prep = calloc((size_t)threads * (n ? n : 1), sizeof *c->prep);
    c->ring = calloc((size_t)threads * GM_PREPCACHE_MAX, sizeof *c->ring);
    c->used = calloc((size_t)threads, sizeof *c->used);
    return c->prep && c->ring && c->used ? GM_OK : GM_ERR_NOMEM;
}

const GEOSPreparedGeometry *gm_prepcache_get(gm_prepcache *c, gm_worker *w, size_t i)
{
    const GEOSPreparedGeometry **mine = &c->prep[(size_t)w->id * c->n];
    if (mine[i]) return mine[i];
    size_t *ring = &c->ring[(size_t)w->id * GM_PREPCACHE_MAX], k = c->used[w->id]++;
    if (k >= GM_PREPCACHE_MAX) { /* full: drop the oldest, prepared GM_PREPCACHE_MAX ago */
        size_t old = ring[k % GM_PREPCACHE_MAX];
        GEOSPreparedGeom_destroy_r(w->geos, mine[old]);
        mine[old] = NULL;
    }
    ring[k % GM_PREPCACHE_MAX] = i;
    mine[i] = GEOSPrepare_r(w->geos, c->geoms[i]);
    return mine[i];
}

void gm_prepcache_free(gm_prepcache *c, gm_pool *pool)
{
    free(c->ring);
    free(c->used);
    c->ring = c->used = NULL;
    if (!c->prep) return;
    for (int t = 0; t < c->threads; t++) {
        GEOSContextHandle_t h = gm_pool_worker_geos(pool, t);
        for (size_t i = 0; i < c->n; i++)
            if (c->prep[(size_t)t * c->n + i])
                GEOSPreparedGeom_destroy_r(h, c->prep[(size_t)t * c->n + i]);
    }
    free(c->prep);
    c->prep = NULL;
}
