/*
 * zoneset.c -- the zones as the stages overlay them (see stages.h): built once
 * per run, so the window pieces one stage cuts serve the next.
 */
#include "analysis/stages.h"

#include "core/context_impl.h"

#include <stdlib.h>

int gm_zoneset_init(gm_context *ctx, gm_zoneset *zs, const gm_inputs *in, gm_pool *pool)
{
    *zs = (gm_zoneset){.n = in->n_zones};
    int threads = gm_pool_size(pool);
    zs->geoms = malloc((in->n_zones ? in->n_zones : 1) * sizeof *zs->geoms);
    if (!zs->geoms) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    for (size_t z = 0; z < in->n_zones; z++)
        zs->geoms[z] = in->zones[z].geom;
    zs->index = gm_index_new(ctx->geos, zs->geoms, zs->n);
    if (!zs->index || gm_prepcache_init(&zs->prep, zs->geoms, zs->n, threads) != GM_OK ||
        gm_windows_init(&zs->windows, zs->geoms, zs->n, threads) != GM_OK) {
        gm_zoneset_free(ctx, zs, pool);
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory indexing the zones");
    }
    return GM_OK;
}

void gm_zoneset_free(gm_context *ctx, gm_zoneset *zs, gm_pool *pool)
{
    gm_prepcache_free(&zs->prep, pool);
    gm_windows_free(&zs->windows, pool);
    gm_index_free(ctx->geos, zs->index);
    free(zs->geoms);
    *zs = (gm_zoneset){0};
}
