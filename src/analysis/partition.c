/*
 * partition.c -- one tile of the global partition grid (see analysis.h): the
 * mines a tile owns and the parcels clipped to it, so that independent runs,
 * one per tile, add up to the run of the whole province.
 */
#include "analysis/stages.h"

#include <math.h>
#include <stdlib.h>

void gm_tile_box(const gm_tile *t, double box[4])
{
    box[0] = (double)t->col * t->size_deg, box[1] = (double)t->row * t->size_deg;
    box[2] = (double)(t->col + 1) * t->size_deg, box[3] = (double)(t->row + 1) * t->size_deg;
}

int gm_tile_owns(const gm_tile *t, double lon, double lat)
{
    return (long)floor(lon / t->size_deg) == t->col && (long)floor(lat / t->size_deg) == t->row;
}

int gm_inputs_keep_tile_mines(gm_context *ctx, gm_inputs *in, const gm_tile *t)
{
    GEOSContextHandle_t h = ctx->geos;
    size_t kept = 0;
    for (size_t i = 0; i < in->n_mines; i++) {
        gm_mine *m = &in->mines[i];
        double x = 0.0, y = 0.0;
        int own = m->geom && GEOSGeom_getXMin_r(h, m->geom, &x) &&
                  GEOSGeom_getYMin_r(h, m->geom, &y) && gm_tile_owns(t, x, y);
        if (own) {
            in->mines[kept++] = *m;
            continue;
        }
        free(m->mine_id), free(m->name), free(m->mineral);
        if (m->geom) GEOSGeom_destroy_r(h, m->geom);
    }
    in->n_mines = kept;
    return GM_OK;
}

int gm_inputs_mines_box(gm_context *ctx, const gm_inputs *in, double box[4])
{
    GEOSContextHandle_t h = ctx->geos;
    double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY}, x0, y0, x1, y1;
    for (size_t i = 0; i < in->n_mines; i++) {
        const GEOSGeometry *g = in->mines[i].geom;
        if (!g || !GEOSGeom_getXMin_r(h, g, &x0) || !GEOSGeom_getYMin_r(h, g, &y0) ||
            !GEOSGeom_getXMax_r(h, g, &x1) || !GEOSGeom_getYMax_r(h, g, &y1))
            continue;
        b[0] = fmin(b[0], x0), b[1] = fmin(b[1], y0);
        b[2] = fmax(b[2], x1), b[3] = fmax(b[3], y1);
    }
    if (!(b[0] <= b[2])) return 0;
    for (int k = 0; k < 4; k++)
        box[k] = b[k];
    return 1;
}

int gm_inputs_clip_parcels_to_tile(gm_context *ctx, gm_inputs *in, const gm_tile *t)
{
    GEOSContextHandle_t h = ctx->geos;
    double b[4];
    gm_tile_box(t, b);
    GEOSGeometry *box = GEOSGeom_createRectangle_r(h, b[0], b[1], b[2], b[3]);
    const GEOSPreparedGeometry *prep = box ? GEOSPrepare_r(h, box) : NULL;
    if (!prep) {
        if (box) GEOSGeom_destroy_r(h, box);
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    }
    size_t kept = 0;
    int rc = GM_OK;
    for (size_t i = 0; i < in->n_parcels; i++) {
        gm_parcel *p = &in->parcels[i];
        GEOSGeometry *piece = NULL;
        if (rc == GM_OK && p->geom && GEOSPreparedIntersects_r(h, prep, p->geom) == 1) {
            piece = gm_polygonal_intersection(h, p->geom, box, prep);
            if (!piece)
                rc = gm_error(ctx, GM_ERR_INTERNAL, "parcel %s: cannot clip it to the tile",
                              p->parcel_id ? p->parcel_id : "?");
            else if (GEOSisEmpty_r(h, piece)) {
                GEOSGeom_destroy_r(h, piece);
                piece = NULL;
            }
        }
        if (p->geom) GEOSGeom_destroy_r(h, p->geom);
        if (!piece) {
            free(p->parcel_id);
            continue;
        }
        p->geom = piece;
        in->parcels[kept++] = *p;
    }
    in->n_parcels = kept;
    GEOSPreparedGeom_destroy_r(h, prep);
    GEOSGeom_destroy_r(h, box);
    return rc;
}
