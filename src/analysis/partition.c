/*
 * partition.c -- partitioned runs (see analysis.h): one tile of the global
 * grid, or one zone (or the rest of the province, outside every zone). Each
 * keeps the mines its partition owns and the parcels clipped to it, so that
 * independent runs, one per partition, add up to the run of the whole
 * province.
 */
#include "analysis/stages.h"

#include "core/normalise.h"

#include <greenmine/area.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gm_tile_box(const gm_tile *t, double box[4])
{
    box[0] = (double)t->col * t->size_deg, box[1] = (double)t->row * t->size_deg;
    box[2] = (double)(t->col + 1) * t->size_deg, box[3] = (double)(t->row + 1) * t->size_deg;
}

int gm_tile_owns(const gm_tile *t, double lon, double lat)
{
    return (long)floor(lon / t->size_deg) == t->col && (long)floor(lat / t->size_deg) == t->row;
}

static void free_mine(GEOSContextHandle_t h, gm_mine *m)
{
    free(m->mine_id), free(m->name), free(m->mineral);
    if (m->geom) GEOSGeom_destroy_r(h, m->geom);
}

/* g's lon/lat box; 0 when it has none. */
static int envelope(GEOSContextHandle_t h, const GEOSGeometry *g, double b[4])
{
    return g && GEOSGeom_getXMin_r(h, g, &b[0]) && GEOSGeom_getYMin_r(h, g, &b[1]) &&
           GEOSGeom_getXMax_r(h, g, &b[2]) && GEOSGeom_getYMax_r(h, g, &b[3]);
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
        free_mine(h, m);
    }
    in->n_mines = kept;
    return GM_OK;
}

int gm_inputs_mines_box(gm_context *ctx, const gm_inputs *in, double box[4])
{
    GEOSContextHandle_t h = ctx->geos;
    double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY}, e[4];
    for (size_t i = 0; i < in->n_mines; i++) {
        if (!envelope(h, in->mines[i].geom, e)) continue;
        b[0] = fmin(b[0], e[0]), b[1] = fmin(b[1], e[1]);
        b[2] = fmax(b[2], e[2]), b[3] = fmax(b[3], e[3]);
    }
    if (!(b[0] <= b[2])) return 0;
    for (int k = 0; k < 4; k++)
        box[k] = b[k];
    return 1;
}

/* What is left of g inside `region` (NULL: everywhere) and outside each of
 * minus[0..n): a new polygonal geometry, NULL when nothing is left (*failed
 * says whether GEOS failed). prep[0] is region's prepared copy, prep[1 + j]
 * minus[j]'s. */
static GEOSGeometry *cut(GEOSContextHandle_t h, const GEOSGeometry *g, const GEOSGeometry *region,
                         GEOSGeometry *const *minus, size_t n,
                         const GEOSPreparedGeometry *const *prep, int *failed)
{
    GEOSGeometry *piece = NULL;
    *failed = 0;
    if (!region)
        piece = GEOSGeom_clone_r(h, g);
    else if (GEOSPreparedIntersects_r(h, prep[0], g) == 1)
        piece = gm_polygonal_intersection(h, g, region, prep[0]);
    else
        return NULL;
    for (size_t j = 0; j < n && piece && !GEOSisEmpty_r(h, piece); j++) {
        if (GEOSPreparedIntersects_r(h, prep[1 + j], piece) != 1) continue;
        GEOSGeometry *diff = GEOSPreparedContains_r(h, prep[1 + j], piece) == 1
                                 ? GEOSGeom_createEmptyPolygon_r(h)
                                 : GEOSDifference_r(h, piece, minus[j]);
        GEOSGeom_destroy_r(h, piece);
        piece = diff ? gm_polygonal_parts(h, diff) : NULL;
        if (diff) GEOSGeom_destroy_r(h, diff);
    }
    if (!piece) {
        *failed = 1;
        return NULL;
    }
    if (GEOSisEmpty_r(h, piece)) {
        GEOSGeom_destroy_r(h, piece);
        return NULL;
    }
    return piece;
}

/* Replaces each parcel by cut()'s piece of it; frees the parcels left with
 * nothing. `what` names the partition in messages. */
static int clip_parcels(gm_context *ctx, gm_inputs *in, const GEOSGeometry *region,
                        GEOSGeometry *const *minus, size_t n, const char *what)
{
    GEOSContextHandle_t h = ctx->geos;
    int rc = GM_OK;
    const GEOSPreparedGeometry **prep = calloc(n + 1, sizeof *prep);
    if (!prep) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    if (region && !(prep[0] = GEOSPrepare_r(h, region)))
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    for (size_t j = 0; j < n && rc == GM_OK; j++)
        if (!(prep[1 + j] = GEOSPrepare_r(h, minus[j])))
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    size_t kept = 0;
    for (size_t i = 0; i < in->n_parcels; i++) {
        gm_parcel *p = &in->parcels[i];
        GEOSGeometry *piece = NULL;
        int failed = 0;
        if (rc == GM_OK && p->geom) piece = cut(h, p->geom, region, minus, n, prep, &failed);
        if (failed)
            rc = gm_error(ctx, GM_ERR_INTERNAL, "parcel %s: cannot clip it to the %s: %s",
                          p->parcel_id ? p->parcel_id : "?", what, gm_geos_message(ctx));
        if (p->geom) GEOSGeom_destroy_r(h, p->geom);
        if (!piece) {
            free(p->parcel_id);
            continue;
        }
        p->geom = piece;
        in->parcels[kept++] = *p;
    }
    in->n_parcels = kept;
    for (size_t j = 0; j < n + 1; j++)
        if (prep[j]) GEOSPreparedGeom_destroy_r(h, prep[j]);
    free(prep);
    return rc;
}

int gm_inputs_clip_parcels_to_tile(gm_context *ctx, gm_inputs *in, const gm_tile *t)
{
    double b[4];
    gm_tile_box(t, b);
    GEOSGeometry *box = GEOSGeom_createRectangle_r(ctx->geos, b[0], b[1], b[2], b[3]);
    if (!box) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    int rc = clip_parcels(ctx, in, box, NULL, 0, "tile");
    GEOSGeom_destroy_r(ctx->geos, box);
    return rc;
}

/* ---- zone partitions ----------------------------------------------------- */

int gm_zone_find(gm_context *ctx, const gm_inputs *in, const char *name, gm_zone_partition *out)
{
    *out = (gm_zone_partition){.zone = GM_ZONE_OUTSIDE};
    int *zone = &out->zone;
    if (strcmp(name, "-") == 0) return GM_OK;
    size_t matches = 0;
    for (size_t z = 0; z < in->n_zones; z++) {
        const gm_zone *g = &in->zones[z];
        if ((g->name && strcmp(g->name, name) == 0) ||
            (g->zone_id && strcmp(g->zone_id, name) == 0)) {
            if (matches++ == 0) *zone = (int)z;
        }
    }
    if (matches == 1) return GM_OK;
    /* the zones by zone_id and name, as many as the message holds */
    char list[640];
    size_t at = 0;
    list[0] = '\0';
    for (size_t z = 0; z < in->n_zones; z++) {
        const gm_zone *g = &in->zones[z];
        int w = snprintf(list + at, sizeof list - at, "%s%s %s", z ? ", " : "",
                         g->zone_id ? g->zone_id : "?", g->name ? g->name : "?");
        if (w < 0 || (size_t)w + 6 >= sizeof list - at) { /* whole entries only: UTF-8 */
            snprintf(list + at, sizeof list - at, ", ...");
            break;
        }
        at += (size_t)w;
    }
    *zone = GM_ZONE_OUTSIDE;
    const char *src = in->source[GM_LAYER_ZONES] ? in->source[GM_LAYER_ZONES] : "the zones layer";
    if (matches > 1)
        return gm_error(ctx, GM_ERR_USAGE,
                        "zone %s: %zu zones of %s have this name or zone_id; give a zone_id "
                        "(the zones: %s)",
                        name, matches, src, list);
    return gm_error(ctx, GM_ERR_USAGE,
                    "zone %s: no zone of %s has this name or zone_id; the zones: %s "
                    "(or - for the rest of the province, outside every zone)",
                    name, src, list[0] ? list : "none");
}

int gm_zone_box(gm_context *ctx, const gm_inputs *in, const gm_zone_partition *p, double box[4])
{
    int zone = p->zone;
    return zone >= 0 && (size_t)zone < in->n_zones &&
           envelope(ctx->geos, in->zones[zone].geom, box);
}

int gm_inputs_keep_zone_mines(gm_context *ctx, gm_inputs *in, const gm_zone_partition *p)
{
    int zone = p->zone;
    GEOSContextHandle_t h = ctx->geos;
    gm_pool *pool = NULL;
    int *zone_of = malloc((in->n_mines ? in->n_mines : 1) * sizeof *zone_of);
    int rc = zone_of ? gm_pool_new(ctx, &pool) : gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    /* the rule gm_analyze applies, over all the zones */
    if (rc == GM_OK) rc = gm_stage_mine_zones(ctx, pool, in, zone_of);
    gm_pool_free(pool);
    if (rc != GM_OK) goto done;
    size_t kept = 0;
    for (size_t i = 0; i < in->n_mines; i++) {
        if (zone_of[i] == zone)
            in->mines[kept++] = in->mines[i];
        else
            free_mine(h, &in->mines[i]);
    }
    in->n_mines = kept;
done:
    free(zone_of);
    return rc;
}

int gm_inputs_clip_parcels_to_zone(gm_context *ctx, gm_inputs *in, const gm_zone_partition *p)
{
    int zone = p->zone;
    if (zone >= 0) return clip_parcels(ctx, in, in->zones[zone].geom, NULL, 0, "zone");
    GEOSGeometry **zg = malloc((in->n_zones ? in->n_zones : 1) * sizeof *zg);
    if (!zg) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    for (size_t z = 0; z < in->n_zones; z++)
        zg[z] = in->zones[z].geom;
    int rc = clip_parcels(ctx, in, NULL, zg, in->n_zones, "outside of the zones");
    free(zg);
    return rc;
}

int gm_inputs_keep_zone(gm_context *ctx, gm_inputs *in, gm_zone_partition *p)
{
    GEOSContextHandle_t h = ctx->geos;
    int rc = GM_OK, zone = p->zone;
    GEOSGeometry **before = &p->before;
    gm_zone_partition_clear(ctx, p);
    size_t n = 0;
    GEOSGeometry **parts = malloc((in->n_zones ? in->n_zones : 1) * sizeof *parts);
    if (!parts) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    /* the zones earlier in the layer whose interiors meet this one's */
    for (int z = 0; z < zone; z++) {
        const GEOSGeometry *g = in->zones[z].geom, *mine = in->zones[zone].geom;
        if (GEOSIntersects_r(h, g, mine) == 1 && GEOSTouches_r(h, g, mine) != 1)
            parts[n++] = GEOSGeom_clone_r(h, g);
    }
    if (n) {
        GEOSGeometry *all =
            GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)n);
        GEOSGeometry *u = all ? GEOSUnaryUnion_r(h, all) : NULL;
        *before = u ? gm_polygonal_parts(h, u) : NULL;
        if (u) GEOSGeom_destroy_r(h, u);
        if (all) GEOSGeom_destroy_r(h, all);
        if (!*before)
            rc = gm_error(ctx, GM_ERR_INTERNAL, "cannot union the zones before zone %s: %s",
                          in->zones[zone].zone_id ? in->zones[zone].zone_id : "?",
                          gm_geos_message(ctx));
    }
    free(parts);
    size_t kept = 0;
    for (size_t z = 0; z < in->n_zones; z++) {
        gm_zone *g = &in->zones[z];
        if ((int)z == zone) {
            in->zones[kept++] = *g;
            continue;
        }
        free(g->zone_id), free(g->name);
        GEOSGeom_destroy_r(h, g->geom);
    }
    in->n_zones = kept;
    return rc;
}

int gm_results_zone_share(gm_context *ctx, gm_results *res, const gm_zone_partition *p)
{
    const GEOSGeometry *before = p->before;
    GEOSContextHandle_t h = ctx->geos;
    for (size_t z = 0; before && z < res->n_zones; z++)
        for (int k = 0; k < 2; k++) {
            const GEOSGeometry *done = res->zones[z].done[k];
            if (!done || GEOSIntersects_r(h, done, before) != 1) continue;
            GEOSGeometry *twice = gm_polygonal_intersection(h, done, before, NULL);
            if (!twice)
                return gm_error(ctx, GM_ERR_INTERNAL,
                                "cannot intersect the zone's %s with the "
                                "zones before it: %s",
                                k == GM_RESTORATION ? "restoration" : "reclamation",
                                gm_geos_message(ctx));
            res->done_ha[k] -= gm_geodesic_area_ha(h, twice);
            GEOSGeom_destroy_r(h, twice);
        }
    return GM_OK;
}

void gm_zone_partition_clear(gm_context *ctx, gm_zone_partition *p)
{
    if (p->before) GEOSGeom_destroy_r(ctx->geos, p->before);
    p->before = NULL;
}
