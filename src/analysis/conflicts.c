/*
 * conflicts.c -- mines against red lines and zones.
 *
 * Each mine queries the red-line STRtree for candidates, places itself against
 * each (outside, inside, across: core/boundary.h, exact, GEOS's prepared
 * predicates only where that is too close to call) and intersects only those
 * it crosses; its conflict is the area of the union of those few pieces. The
 * province's red lines are never dissolved.
 */
#include "analysis/stages.h"

#include "core/boundary.h"
#include "core/normalise.h"

#include <greenmine/area.h>

#include <stdlib.h>
#include <string.h>

typedef struct mine_overlaps {
    gm_overlap *items;
    size_t n;
} mine_overlaps;

typedef struct conflict_job {
    const gm_inputs *in;
    gm_results *res;
    gm_index *redline_index;
    gm_prepcache redline_prep; /* only where redline_bounds cannot tell */
    gm_boundaries redline_bounds;
    gm_flatpoly *flat; /* one per worker: the mine at hand */
    gm_zoneset *zones;
    size_t *order; /* the mines in the order the workers take them */
    gm_hits *hits; /* one per worker */
    mine_overlaps *per_mine;
    int *zone_of; /* gm_stage_mine_zones: each mine's zone */
} conflict_job;

GEOSGeometry *gm_polygonal_intersection(GEOSContextHandle_t h, const GEOSGeometry *a,
                                        const GEOSGeometry *other, const GEOSPreparedGeometry *prep)
{
    if (prep && GEOSPreparedContains_r(h, prep, a) == 1) return GEOSGeom_clone_r(h, a);
    GEOSGeometry *raw = GEOSIntersection_r(h, a, other);
    if (!raw) return NULL;
    int type = GEOSGeomTypeId_r(h, raw);
    if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON) return raw;
    GEOSGeometry *poly = gm_polygonal_parts(h, raw);
    GEOSGeom_destroy_r(h, raw);
    return poly;
}

static int add_overlap(gm_worker *w, mine_overlaps *mo, gm_overlap ov)
{
    gm_overlap *p = realloc(mo->items, (mo->n + 1) * sizeof *p);
    if (!p) return gm_worker_error(w, GM_ERR_NOMEM, "out of memory");
    mo->items = p;
    mo->items[mo->n++] = ov;
    return GM_OK;
}

/* The area of the union of the mine's pieces; GM_ERR_INTERNAL, with no
 * message (the caller words it), when GEOS or an allocation fails. */
static int union_area(GEOSContextHandle_t h, const mine_overlaps *mo, double *ha)
{
    if (mo->n == 1) {
        *ha = mo->items[0].area_ha;
        return GM_OK;
    }
    GEOSGeometry **parts = malloc(mo->n * sizeof *parts);
    if (!parts) return GM_ERR_INTERNAL;
    for (size_t k = 0; k < mo->n; k++)
        parts[k] = GEOSGeom_clone_r(h, mo->items[k].geom);
    GEOSGeometry *all =
        GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)mo->n);
    free(parts);
    GEOSGeometry *u = all ? GEOSUnaryUnion_r(h, all) : NULL;
    double a = u ? gm_geodesic_area_ha(h, u) : -1; /* negative: GEOS failed */
    if (all) GEOSGeom_destroy_r(h, all);
    if (u) GEOSGeom_destroy_r(h, u);
    *ha = a;
    return a < 0 ? GM_ERR_INTERNAL : GM_OK;
}

static int mine_zone(gm_worker *w, conflict_job *job, const GEOSGeometry *mine, int *zone)
{
    GEOSContextHandle_t h = w->geos;
    gm_hits *hits = &job->hits[w->id];
    *zone = -1;
    if (gm_index_query(job->zones->index, h, mine, hits) != 0)
        return gm_worker_error(w, GM_ERR_NOMEM, "out of memory");
    double best = GM_NOISE_HA;
    for (size_t k = 0; k < hits->n; k++) {
        size_t z = hits->items[k];
        const GEOSPreparedGeometry *prep = gm_prepcache_get(&job->zones->prep, w, z);
        if (!prep) return gm_worker_error(w, GM_ERR_INTERNAL, "cannot prepare zone %zu", z);
        if (GEOSPreparedContains_r(h, prep, mine) == 1) {
            *zone = (int)z; /* the whole mine is here; a tie goes to the first zone */
            return GM_OK;
        }
        if (GEOSPreparedIntersects_r(h, prep, mine) != 1) continue;
        const GEOSGeometry *zg = gm_windows_get(&job->zones->windows, w, z, mine);
        GEOSGeometry *part = zg ? gm_polygonal_intersection(h, mine, zg, NULL) : NULL;
        if (!part) return gm_worker_error(w, GM_ERR_INTERNAL, "mine x zone intersection failed");
        double a = gm_geodesic_area_ha(h, part);
        GEOSGeom_destroy_r(h, part);
        if (a > best) {
            best = a;
            *zone = (int)z;
        }
    }
    return GM_OK;
}

static int conflict_task(gm_worker *w, size_t i, void *user)
{
    conflict_job *job = user;
    GEOSContextHandle_t h = w->geos;
    const gm_mine *m = &job->in->mines[i];
    gm_mine_result *r = &job->res->mines[i];
    mine_overlaps *mo = &job->per_mine[i];
    r->zone = -1;
    if (!m->geom) return GM_OK;
    r->mine_ha = gm_geodesic_area_ha(h, m->geom);

    gm_hits *hits = &job->hits[w->id];
    if (gm_index_query(job->redline_index, h, m->geom, hits) != 0)
        return gm_worker_error(w, GM_ERR_NOMEM, "out of memory");
    gm_flatpoly *flat = &job->flat[w->id];
    int flat_ok = hits->n > 0 && gm_flatpoly_set(flat, h, m->geom) == 0;
    int whole = 0; /* a red line holds the whole mine */
    for (size_t k = 0; k < hits->n; k++) {
        size_t j = hits->items[k];
        gm_place place = flat_ok ? gm_boundaries_place(&job->redline_bounds, h, j,
                                                       job->in->redlines[j].geom, flat)
                                 : GM_PLACE_UNKNOWN;
        if (place == GM_PLACE_OUTSIDE) continue;
        int inside = place == GM_PLACE_INSIDE;
        if (place == GM_PLACE_UNKNOWN) { /* touching, or too close to call: GEOS decides */
            const GEOSPreparedGeometry *prep = gm_prepcache_get(&job->redline_prep, w, j);
            if (!prep) return gm_worker_error(w, GM_ERR_INTERNAL, "cannot prepare red line %zu", j);
            if (GEOSPreparedIntersects_r(h, prep, m->geom) != 1) continue;
            inside = GEOSPreparedContains_r(h, prep, m->geom) == 1;
        }
        /* a whole mine is not copied: a province's pieces are mostly whole mines */
        GEOSGeometry *piece =
            inside ? m->geom
                   : gm_polygonal_intersection(h, m->geom, job->in->redlines[j].geom, NULL);
        if (!piece)
            return gm_worker_error(w, GM_ERR_INTERNAL, "mine %s x red line %s: %s",
                                   m->mine_id ? m->mine_id : "?", job->in->redlines[j].redline_id,
                                   w->errmsg);
        double a = inside ? r->mine_ha : gm_geodesic_area_ha(h, piece);
        if (a < GM_NOISE_HA) { /* touching, or reprojection noise */
            if (!inside) GEOSGeom_destroy_r(h, piece);
            continue;
        }
        if (!inside) { /* kept to the end: a copy holds its points without GEOS's spare capacity */
            GEOSGeometry *tight = GEOSGeom_clone_r(h, piece);
            if (tight) {
                GEOSGeom_destroy_r(h, piece);
                piece = tight;
            }
        }
        if (add_overlap(w, mo, (gm_overlap){i, j, a, piece, inside}) != GM_OK) {
            if (!inside) GEOSGeom_destroy_r(h, piece);
            return GM_ERR_NOMEM;
        }
        whole |= inside;
    }
    if (mo->n > 0) {
        /* Every piece lies in the mine, so when one is the whole mine their
         * union is the mine: no overlay (in the dense province 96 % of the
         * unions). GEOS's union of such pieces gives the mine's area to
         * ~1e-12 relative, not bit for bit (docs/performance.md). */
        double c = r->mine_ha;
        if (!whole && union_area(h, mo, &c) != GM_OK)
            return gm_worker_error(w, GM_ERR_INTERNAL, "union of red-line overlaps failed");
        r->conflict_ha = c < GM_NOISE_HA ? 0.0 : c;
    }
    return mine_zone(w, job, m->geom, &r->zone);
}

/* Mines go to the workers in chunks of GM_CHUNK in Morton order of their
 * centres (core/index.h), so that a worker's consecutive mines meet the same
 * red lines and its bounded prepared cache keeps them; each result still goes
 * to the mine's own slot. */
static int conflict_chunk(gm_worker *w, size_t c, void *user)
{
    conflict_job *job = user;
    size_t end = (c + 1) * GM_CHUNK < job->in->n_mines ? (c + 1) * GM_CHUNK : job->in->n_mines;
    for (size_t k = c * GM_CHUNK; k < end; k++) {
        int rc = conflict_task(w, job->order[k], user);
        if (rc != GM_OK) return rc;
    }
    return GM_OK;
}

static int zone_task(gm_worker *w, size_t i, void *user)
{
    conflict_job *job = user;
    const GEOSGeometry *g = job->in->mines[i].geom;
    job->zone_of[i] = -1;
    return g ? mine_zone(w, job, g, &job->zone_of[i]) : GM_OK;
}

int gm_stage_mine_zones(gm_context *ctx, gm_pool *pool, const gm_inputs *in, int *zone_of)
{
    int threads = gm_pool_size(pool);
    gm_zoneset zs;
    conflict_job job = {.in = in, .zone_of = zone_of, .zones = &zs};
    int rc = gm_zoneset_init(ctx, &zs, in, pool);
    if (rc != GM_OK) return rc;
    if (!(job.hits = calloc((size_t)threads, sizeof *job.hits)))
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    else
        rc = gm_pool_run(pool, "mine zones", in->n_mines, zone_task, &job);
    gm_zoneset_free(ctx, &zs, pool);
    if (job.hits)
        for (int t = 0; t < threads; t++)
            gm_hits_free(&job.hits[t]);
    free(job.hits);
    return rc;
}

int gm_stage_conflicts(gm_context *ctx, gm_pool *pool, const gm_inputs *in, gm_zoneset *zs,
                       gm_results *res)
{
    GEOSContextHandle_t h = ctx->geos;
    int threads = gm_pool_size(pool);
    int rc = GM_OK;
    conflict_job job = {.in = in, .res = res, .zones = zs};
    GEOSGeometry **rl = malloc((in->n_redlines ? in->n_redlines : 1) * sizeof *rl);
    job.hits = calloc((size_t)threads, sizeof *job.hits);
    job.flat = calloc((size_t)threads, sizeof *job.flat);
    job.per_mine = calloc(in->n_mines ? in->n_mines : 1, sizeof *job.per_mine);
    res->mines = calloc(in->n_mines ? in->n_mines : 1, sizeof *res->mines);
    res->n_mines = in->n_mines;
    if (!rl || !job.hits || !job.flat || !job.per_mine || !res->mines ||
        gm_boundaries_init(&job.redline_bounds, in->n_redlines) != 0) {
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t j = 0; j < in->n_redlines; j++)
        rl[j] = in->redlines[j].geom;
    job.redline_index = gm_index_new(h, rl, in->n_redlines);
    if (!job.redline_index ||
        gm_prepcache_init(&job.redline_prep, rl, in->n_redlines, threads) != GM_OK) {
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory building the spatial indexes");
        goto done;
    }

    GEOSGeometry **mg = malloc((in->n_mines ? in->n_mines : 1) * sizeof *mg);
    for (size_t i = 0; mg && i < in->n_mines; i++)
        mg[i] = in->mines[i].geom;
    job.order = mg ? gm_spatial_order(h, mg, in->n_mines) : NULL;
    free(mg);
    if (!job.order) {
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        goto done;
    }
    rc = gm_pool_run(pool, "red-line conflicts", (in->n_mines + GM_CHUNK - 1) / GM_CHUNK,
                     conflict_chunk, &job);
    if (rc != GM_OK) goto done;

    /* Gather the overlaps in mine order, so output never depends on threads. */
    size_t total = 0;
    for (size_t i = 0; i < in->n_mines; i++)
        total += job.per_mine[i].n;
    res->overlaps = malloc((total ? total : 1) * sizeof *res->overlaps);
    if (!res->overlaps) {
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < in->n_mines; i++) {
        mine_overlaps *mo = &job.per_mine[i];
        res->mines[i].first_overlap = res->n_overlaps;
        res->mines[i].n_overlaps = mo->n;
        if (mo->n) memcpy(res->overlaps + res->n_overlaps, mo->items, mo->n * sizeof *mo->items);
        res->n_overlaps += mo->n;
        free(mo->items);
        mo->items = NULL;
        mo->n = 0;
    }
done:
    if (job.per_mine)
        for (size_t i = 0; i < in->n_mines; i++) {
            for (size_t k = 0; k < job.per_mine[i].n; k++)
                if (!job.per_mine[i].items[k].whole)
                    GEOSGeom_destroy_r(h, job.per_mine[i].items[k].geom);
            free(job.per_mine[i].items);
        }
    free(job.per_mine);
    free(job.order);
    gm_prepcache_free(&job.redline_prep, pool);
    gm_boundaries_free(&job.redline_bounds);
    if (job.flat)
        for (int t = 0; t < threads; t++)
            gm_flatpoly_free(&job.flat[t]);
    free(job.flat);
    gm_index_free(h, job.redline_index);
    if (job.hits)
        for (int t = 0; t < threads; t++)
            gm_hits_free(&job.hits[t]);
    free(job.hits);
    free(rl);
    return rc;
}
