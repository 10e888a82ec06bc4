/*
 * inputs.c -- the life of a gm_inputs: created empty, filled by a loader (OGR
 * in src/io, the registry, a GeoPackage reader), freed here.
 */
#include "core/context_impl.h"

#include <greenmine/model.h>

#include <stdlib.h>

const char *gm_layer_kind_name(gm_layer_kind kind)
{
    static const char *names[] = {"mines", "redlines", "parcels", "zones"};
    return (unsigned)kind < GM_LAYER_KINDS ? names[kind] : "?";
}

int gm_inputs_new(gm_inputs **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? GM_OK : GM_ERR_NOMEM;
}

void gm_inputs_free(gm_context *ctx, gm_inputs *in)
{
    if (!in) return;
    GEOSContextHandle_t h = ctx->geos;
    for (size_t i = 0; i < in->n_mines; i++) {
        gm_mine *m = &in->mines[i];
        free(m->mine_id), free(m->name), free(m->mineral);
        if (m->geom) GEOSGeom_destroy_r(h, m->geom);
    }
    for (size_t i = 0; i < in->n_redlines; i++) {
        gm_redline *r = &in->redlines[i];
        free(r->redline_id), free(r->name), free(r->category);
        if (r->geom) GEOSGeom_destroy_r(h, r->geom);
    }
    for (size_t i = 0; i < in->n_parcels; i++) {
        free(in->parcels[i].parcel_id);
        if (in->parcels[i].geom) GEOSGeom_destroy_r(h, in->parcels[i].geom);
    }
    for (size_t i = 0; i < in->n_zones; i++) {
        free(in->zones[i].zone_id), free(in->zones[i].name);
        GEOSGeom_destroy_r(h, in->zones[i].geom);
    }
    for (int k = 0; k < GM_LAYER_KINDS; k++)
        free(in->source[k]), free(in->layer[k]), free(in->crs[k]), free(in->checksum[k]);
    free(in->mines), free(in->redlines), free(in->parcels), free(in->zones);
    free(in);
}

void gm_inputs_drop_overlay_geometries(gm_context *ctx, gm_inputs *in)
{
    if (!in) return;
    for (size_t i = 0; i < in->n_redlines; i++)
        if (in->redlines[i].geom) GEOSGeom_destroy_r(ctx->geos, in->redlines[i].geom);
    for (size_t i = 0; i < in->n_parcels; i++)
        if (in->parcels[i].geom) GEOSGeom_destroy_r(ctx->geos, in->parcels[i].geom);
    for (size_t i = 0; i < in->n_redlines; i++)
        in->redlines[i].geom = NULL;
    for (size_t i = 0; i < in->n_parcels; i++)
        in->parcels[i].geom = NULL;
}
