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
    return c->prep ? GM_OK : GM_ERR_NOMEM;
}

const GEOSPreparedGeometry *gm_prepcache_get(gm_prepcache *c, gm_worker *w, size_t i)
{
    const GEOSPreparedGeometry **slot = &c->prep[(size_t)w->id * c->n + i];
    if (!*slot) *slot = GEOSPrepare_r(w->geos, c->geoms[i]);
    return *slot;
}

void gm_prepcache_free(gm_prepcache *c, gm_pool *pool)
{
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
