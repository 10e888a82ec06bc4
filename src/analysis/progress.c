/*
 * progress.c -- restoration and reclamation progress.
 *
 * Qualifying parcels are grouped into connected components (parcels that
 * intersect, found through an STRtree and a prepared test); each component is
 * unioned on its own and clipped to the zones it meets. Summing component areas
 * equals the area of the union of all parcels, so overlaps and duplicates never
 * count twice, without ever building one province-wide geometry.
 */
#include "analysis/stages.h"

#include "core/normalise.h"

#include <greenmine/area.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gm_parcel_qualifies(const gm_parcel *p, gm_parcel_kind k, const gm_analysis_options *opts)
{
    if (p->status != GM_PARCEL_COMPLETED || p->completed_on == 0) return 0;
    if (p->completed_on < opts->period_start || p->completed_on > opts->as_of)
        return 0; /* both ends of the period are inside it */
    if (k == GM_RESTORATION) return p->kind == GM_RESTORATION && p->legacy == GM_FLAG_YES;
    return p->kind == GM_RECLAMATION;
}

GEOSGeometry *gm_collect_polygons(GEOSContextHandle_t h, GEOSGeometry *const *pieces, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (pieces[i]) count += (size_t)GEOSGetNumGeometries_r(h, pieces[i]);
    if (count == 0) return NULL;
    GEOSGeometry **polys = malloc(count * sizeof *polys);
    if (!polys) return NULL;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (!pieces[i]) continue;
        int parts = GEOSGetNumGeometries_r(h, pieces[i]);
        for (int k = 0; k < parts; k++)
            polys[at++] = GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, pieces[i], k));
    }
    GEOSGeometry *mp = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)count);
    free(polys);
    return mp;
}

/* ---- union-find over parcel indices ------------------------------------- */

static size_t find_root(size_t *parent, size_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static void join(size_t *parent, size_t a, size_t b)
{
    a = find_root(parent, a);
    b = find_root(parent, b);
    if (a != b) parent[a > b ? a : b] = a < b ? a : b; /* smallest index roots: deterministic */
}

typedef struct neighbours {
    size_t *items;
    size_t n;
} neighbours;

typedef struct component {
    size_t *members;
    size_t n;
    double area_ha;
    GEOSGeometry **in_zone; /* [n_zones]: the component clipped to each zone, or NULL */
    double *in_zone_ha;
    GEOSGeometry *outside;
    double outside_ha;
} component;

typedef struct progress_job {
    const gm_inputs *in;
    GEOSGeometry **geoms; /* qualifying parcels' geometries */
    size_t n;
    gm_index *index;
    gm_zoneset *zones;
    gm_hits *hits;
    neighbours *nb;
    component *comps;
    size_t n_comps;
    size_t *order; /* the components in the order the workers take them */
} progress_job;

static int neighbour_task(gm_worker *w, size_t i, void *user)
{
    progress_job *job = user;
    GEOSContextHandle_t h = w->geos;
    gm_hits *hits = &job->hits[w->id];
    if (gm_index_query(job->index, h, job->geoms[i], hits) != 0)
        return gm_worker_error(w, GM_ERR_NOMEM, "out of memory");
    const GEOSPreparedGeometry *prep = NULL;
    neighbours *nb = &job->nb[i];
    for (size_t k = 0; k < hits->n; k++) {
        size_t j = hits->items[k];
        if (j <= i) continue; /* each pair once, from its lower index */
        if (!prep && !(prep = GEOSPrepare_r(h, job->geoms[i])))
            return gm_worker_error(w, GM_ERR_INTERNAL, "cannot prepare a parcel");
        if (GEOSPreparedIntersects_r(h, prep, job->geoms[j]) != 1) continue;
        size_t *p = realloc(nb->items, (nb->n + 1) * sizeof *p);
        if (!p) {
            GEOSPreparedGeom_destroy_r(h, prep);
            return gm_worker_error(w, GM_ERR_NOMEM, "out of memory");
        }
        nb->items = p;
        nb->items[nb->n++] = j;
    }
    if (prep) GEOSPreparedGeom_destroy_r(h, prep);
    return GM_OK;
}

static int component_task(gm_worker *w, size_t c, void *user)
{
    progress_job *job = user;
    GEOSContextHandle_t h = w->geos;
    component *comp = &job->comps[c];
    const gm_inputs *in = job->in;
    GEOSGeometry *u;
    if (comp->n == 1) {
        u = GEOSGeom_clone_r(h, job->geoms[comp->members[0]]);
    } else {
        GEOSGeometry **parts = malloc(comp->n * sizeof *parts);
        if (!parts) return gm_worker_error(w, GM_ERR_NOMEM, "out of memory");
        for (size_t k = 0; k < comp->n; k++)
            parts[k] = GEOSGeom_clone_r(h, job->geoms[comp->members[k]]);
        GEOSGeometry *all =
            GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)comp->n);
        free(parts);
        GEOSGeometry *raw = all ? GEOSUnaryUnion_r(h, all) : NULL;
        if (all) GEOSGeom_destroy_r(h, all);
        u = raw ? gm_polygonal_parts(h, raw) : NULL;
        if (raw) GEOSGeom_destroy_r(h, raw);
    }
    if (!u)
        return gm_worker_error(w, GM_ERR_INTERNAL, "union of %zu parcels failed: %s", comp->n,
                               w->errmsg);
    comp->area_ha = gm_geodesic_area_ha(h, u);

    comp->in_zone = calloc(in->n_zones ? in->n_zones : 1, sizeof *comp->in_zone);
    comp->in_zone_ha = calloc(in->n_zones ? in->n_zones : 1, sizeof *comp->in_zone_ha);
    if (!comp->in_zone || !comp->in_zone_ha) {
        GEOSGeom_destroy_r(h, u);
        return gm_worker_error(w, GM_ERR_NOMEM, "out of memory");
    }
    gm_hits *hits = &job->hits[w->id];
    if (gm_index_query(job->zones->index, h, u, hits) != 0) {
        GEOSGeom_destroy_r(h, u);
        return gm_worker_error(w, GM_ERR_NOMEM, "out of memory");
    }
    /* Each zone gets its own clip (zones may overlap: each counts its part);
     * `rest` is what lies in no zone. */
    GEOSGeometry *rest = GEOSGeom_clone_r(h, u);
    int untouched = 1; /* rest is still u */
    for (size_t k = 0; k < hits->n && rest; k++) {
        size_t z = hits->items[k];
        const GEOSPreparedGeometry *prep = gm_prepcache_get(&job->zones->prep, w, z);
        if (!prep || GEOSPreparedIntersects_r(h, prep, u) != 1) continue;
        /* inside the zone, the clip is u itself: its area is known */
        int inside = GEOSPreparedContains_r(h, prep, u) == 1;
        const GEOSGeometry *zone = inside ? NULL : gm_windows_get(&job->zones->windows, w, z, u);
        GEOSGeometry *piece = inside ? GEOSGeom_clone_r(h, u)
                              : zone ? gm_polygonal_intersection(h, u, zone, NULL)
                                     : NULL;
        if (!piece) {
            GEOSGeom_destroy_r(h, rest);
            rest = NULL;
            break;
        }
        double a = inside ? comp->area_ha : gm_geodesic_area_ha(h, piece);
        if (a < GM_NOISE_HA) {
            GEOSGeom_destroy_r(h, piece);
            continue;
        }
        comp->in_zone[z] = piece;
        comp->in_zone_ha[z] = a;
        /* rest lies inside u, so the window around u serves it too */
        GEOSGeometry *diff = (inside && untouched) || GEOSPreparedContains_r(h, prep, rest) == 1
                                 ? GEOSGeom_createEmptyPolygon_r(h)
                                 : GEOSDifference_r(h, rest, zone ? zone : in->zones[z].geom);
        untouched = 0;
        GEOSGeom_destroy_r(h, rest);
        rest = diff ? gm_polygonal_parts(h, diff) : NULL;
        if (diff) GEOSGeom_destroy_r(h, diff);
    }
    if (!rest) {
        GEOSGeom_destroy_r(h, u);
        return gm_worker_error(w, GM_ERR_INTERNAL, "clipping to the zones failed: %s", w->errmsg);
    }
    /* nothing taken by a zone: the rest is u, whose area is known */
    double out_ha = untouched ? comp->area_ha : gm_geodesic_area_ha(h, rest);
    GEOSGeom_destroy_r(h, u);
    if (out_ha >= GM_NOISE_HA && !GEOSisEmpty_r(h, rest)) {
        comp->outside = rest;
        comp->outside_ha = out_ha;
    } else {
        GEOSGeom_destroy_r(h, rest);
    }
    return GM_OK;
}

/* Components go to the workers in chunks, in Morton order (core/index.h):
 * neighbours then meet the same zone windows in one worker's cache. */
static int component_chunk(gm_worker *w, size_t c, void *user)
{
    progress_job *job = user;
    size_t end = (c + 1) * GM_CHUNK < job->n_comps ? (c + 1) * GM_CHUNK : job->n_comps;
    for (size_t k = c * GM_CHUNK; k < end; k++) {
        int rc = component_task(w, job->order[k], user);
        if (rc != GM_OK) return rc;
    }
    return GM_OK;
}

static void free_job(GEOSContextHandle_t h, progress_job *job, int threads)
{
    for (size_t c = 0; c < job->n_comps; c++) {
        component *comp = &job->comps[c];
        if (comp->in_zone)
            for (size_t z = 0; z < job->in->n_zones; z++)
                if (comp->in_zone[z]) GEOSGeom_destroy_r(h, comp->in_zone[z]);
        if (comp->outside) GEOSGeom_destroy_r(h, comp->outside);
        free(comp->in_zone);
        free(comp->in_zone_ha);
    }
    if (job->n_comps) free(job->comps[0].members); /* one block for all members, see below */
    free(job->comps);
    free(job->order);
    if (job->nb)
        for (size_t i = 0; i < job->n; i++)
            free(job->nb[i].items);
    free(job->nb);
    if (job->hits)
        for (int t = 0; t < threads; t++)
            gm_hits_free(&job->hits[t]);
    free(job->hits);
    gm_index_free(h, job->index);
    free(job->geoms);
}

/* Groups parcels 0..n-1 by connectivity; fills job->comps. */
static int build_components(gm_context *ctx, progress_job *job)
{
    size_t n = job->n;
    size_t *parent = malloc(n * sizeof *parent);
    size_t *count = calloc(n, sizeof *count);
    size_t *block = malloc(n * sizeof *block);
    size_t *slot = malloc(n * sizeof *slot);
    if (!parent || !count || !block || !slot) {
        free(parent), free(count), free(block), free(slot);
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        parent[i] = i;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < job->nb[i].n; k++)
            join(parent, i, job->nb[i].items[k]);
    size_t n_comps = 0;
    for (size_t i = 0; i < n; i++) {
        size_t r = find_root(parent, i);
        if (count[r]++ == 0) slot[r] = n_comps++;
    }
    job->comps = calloc(n_comps, sizeof *job->comps);
    if (!job->comps) {
        free(parent), free(count), free(block), free(slot);
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    }
    job->n_comps = n_comps;
    /* members of all components live in one block, in component order */
    size_t at = 0;
    for (size_t i = 0; i < n; i++)
        if (parent[i] == i) {
            job->comps[slot[i]].members = block + at;
            at += count[i];
        }
    for (size_t i = 0; i < n; i++) {
        component *c = &job->comps[slot[find_root(parent, i)]];
        c->members[c->n++] = i;
    }
    /* comps[0].members must be the block start for free_job */
    free(parent), free(count), free(slot);
    return GM_OK;
}

static int run_kind(gm_context *ctx, gm_pool *pool, const gm_inputs *in, gm_zoneset *zs,
                    const gm_analysis_options *opts, gm_results *res, int k)
{
    GEOSContextHandle_t h = ctx->geos;
    int threads = gm_pool_size(pool);
    progress_job job = {.in = in, .zones = zs};
    int rc = GM_OK;
    job.geoms = malloc((in->n_parcels ? in->n_parcels : 1) * sizeof *job.geoms);
    job.hits = calloc((size_t)threads, sizeof *job.hits);
    if (!job.geoms || !job.hits) {
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < in->n_parcels; i++)
        if (gm_parcel_qualifies(&in->parcels[i], k, opts)) job.geoms[job.n++] = in->parcels[i].geom;
    res->parcels_counted[k] = job.n;
    job.nb = calloc(job.n ? job.n : 1, sizeof *job.nb);
    job.index = gm_index_new(h, job.geoms, job.n);
    if (!job.nb || !job.index) {
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        goto done;
    }
    const char *what = k == GM_RESTORATION ? "restoration" : "reclamation";
    char stage[64];
    snprintf(stage, sizeof stage, "%s overlaps", what);
    if (job.n && (rc = gm_pool_run(pool, stage, job.n, neighbour_task, &job)) != GM_OK) goto done;
    if (job.n && (rc = build_components(ctx, &job)) != GM_OK) goto done;
    snprintf(stage, sizeof stage, "%s unions", what);
    if (job.n_comps) {
        GEOSGeometry **first = malloc(job.n_comps * sizeof *first);
        for (size_t c = 0; first && c < job.n_comps; c++)
            first[c] = job.geoms[job.comps[c].members[0]];
        job.order = first ? gm_spatial_order(h, first, job.n_comps) : NULL;
        free(first);
        if (!job.order) {
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            goto done;
        }
        rc = gm_pool_run(pool, stage, (job.n_comps + GM_CHUNK - 1) / GM_CHUNK, component_chunk,
                         &job);
        if (rc != GM_OK) goto done;
    }

    /* Aggregate in component order: deterministic whatever the threads did. */
    GEOSGeometry **pieces = malloc((job.n_comps ? job.n_comps : 1) * sizeof *pieces);
    if (!pieces) {
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t c = 0; c < job.n_comps; c++)
        res->done_ha[k] += job.comps[c].area_ha;
    for (size_t z = 0; z < in->n_zones; z++) {
        for (size_t c = 0; c < job.n_comps; c++) {
            pieces[c] = job.comps[c].in_zone[z];
            res->zones[z].done_ha[k] += job.comps[c].in_zone_ha[z];
        }
        res->zones[z].done[k] = gm_collect_polygons(h, pieces, job.n_comps);
        /* copied: free them now, so that no more than one zone's pieces are held twice */
        for (size_t c = 0; c < job.n_comps; c++)
            if (pieces[c]) {
                GEOSGeom_destroy_r(h, pieces[c]);
                job.comps[c].in_zone[z] = NULL;
            }
    }
    for (size_t c = 0; c < job.n_comps; c++) {
        pieces[c] = job.comps[c].outside;
        res->outside_done_ha[k] += job.comps[c].outside_ha;
    }
    res->outside_done[k] = gm_collect_polygons(h, pieces, job.n_comps);
    for (size_t c = 0; c < job.n_comps; c++)
        if (pieces[c]) {
            GEOSGeom_destroy_r(h, pieces[c]);
            job.comps[c].outside = NULL;
        }
    free(pieces);
done:
    free_job(h, &job, threads);
    return rc;
}

int gm_stage_progress(gm_context *ctx, gm_pool *pool, const gm_inputs *in, gm_zoneset *zs,
                      const gm_analysis_options *opts, gm_results *res)
{
    for (size_t i = 0; i < in->n_parcels; i++) {
        const gm_parcel *p = &in->parcels[i];
        if (p->status == GM_PARCEL_COMPLETED && p->completed_on == 0 && p->kind != GM_KIND_UNKNOWN)
            res->completed_without_date++;
    }
    int rc = run_kind(ctx, pool, in, zs, opts, res, GM_RESTORATION);
    if (rc == GM_OK) rc = run_kind(ctx, pool, in, zs, opts, res, GM_RECLAMATION);
    return rc;
}
