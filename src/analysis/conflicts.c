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

#include <math.h>
#include <stdio.h>
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
    int near;     /* GM_NEAR_YES: gm_redline_near's reading of GEOS's clipping holds */
    int keep_unions;
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

/* GEOSIntersection_r of a mine with a red line many times its size first clips
 * the red line's ring to a box around the mine (GEOS's OverlayNG: the box is
 * the envelopes' intersection, each first widened by a tenth of its smaller
 * side, grown to the ends of the segments that meet it, then widened by a
 * tenth again; its RingClipper cuts the ring against the box's bottom, right,
 * top and left sides in turn, keeping the points inside a side, adding one
 * where a segment crosses it, dropping what lies beyond). A point inside a run
 * of points that all lie beyond one side, and inside the sides cut before it,
 * adds nothing in any pass; without such points the clipped ring is the same,
 * and so is the intersection -- for thousands of points fewer in GEOS's four
 * passes. Which side a point is beyond is decided against bounds on the box
 * (outside by more than it can grow, inside the envelopes' own intersection);
 * a point not surely in a run is kept, as are each run's ends, the points that
 * make the ring's envelope, and the highest points and their neighbours (the
 * ring's orientation is read there), so that every other use GEOS makes of
 * the ring (envelope, orientation, the segments that meet the box) finds the
 * same values. NULL: nothing worth leaving out (use the red line itself). */
GEOSGeometry *gm_redline_near(GEOSContextHandle_t h, const GEOSGeometry *mine,
                              const GEOSGeometry *redline)
{
    if (GEOSGeomTypeId_r(h, redline) != GEOS_POLYGON || GEOSGetNumInteriorRings_r(h, redline) != 0)
        return NULL;
    const GEOSGeometry *ring = GEOSGetExteriorRing_r(h, redline);
    const GEOSCoordSequence *seq = ring ? GEOSGeom_getCoordSeq_r(h, ring) : NULL;
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n) || n < 256) return NULL;
    double m[4], r[4]; /* x0 y0 x1 y1 */
    if (!GEOSGeom_getXMin_r(h, mine, &m[0]) || !GEOSGeom_getYMin_r(h, mine, &m[1]) ||
        !GEOSGeom_getXMax_r(h, mine, &m[2]) || !GEOSGeom_getYMax_r(h, mine, &m[3]) ||
        !GEOSGeom_getXMin_r(h, redline, &r[0]) || !GEOSGeom_getYMin_r(h, redline, &r[1]) ||
        !GEOSGeom_getXMax_r(h, redline, &r[2]) || !GEOSGeom_getYMax_r(h, redline, &r[3]))
        return NULL;
    /* in: inside every side of GEOS's box (within both envelopes) */
    double in[4] = {fmax(m[0], r[0]), fmax(m[1], r[1]), fmin(m[2], r[2]), fmin(m[3], r[3])};
    if (!(in[0] <= in[2] && in[1] <= in[3])) return NULL;
    double *xy = malloc(2 * (size_t)n * sizeof *xy);
    signed char *cls = malloc(n);
    if (!xy || !cls || !GEOSCoordSeq_copyToBuffer_r(h, seq, xy, 0, 0)) {
        free(xy), free(cls);
        return NULL;
    }
    /* out: beyond every side of GEOS's box. The box lies within the mine's
     * envelope widened by a tenth of its larger side, grown by the longest
     * red-line segment, widened by a tenth of that again; twice that, to spare
     * rounding any say. */
    double step = 0.0; /* the longest segment's larger side (a loop without libm calls) */
    for (unsigned i = 1; i < n; i++) {
        double dx = fabs(xy[2 * i] - xy[2 * i - 2]), dy = fabs(xy[2 * i + 1] - xy[2 * i - 1]);
        step = dx > step ? dx : step, step = dy > step ? dy : step;
    }
    double grow = 0.1 * fmax(m[2] - m[0], m[3] - m[1]) + step;
    double side = fmax(m[2] - m[0], m[3] - m[1]) + 2.0 * grow;
    grow = 2.0 * (grow + 0.1 * side) + 1e-9;
    double out[4] = {m[0] - grow, m[1] - grow, m[2] + grow, m[3] + grow};
    for (unsigned i = 0; i < n; i++) { /* the side a point is surely beyond, in cut order */
        double x = xy[2 * i], y = xy[2 * i + 1];
        cls[i] = y < out[1]     ? 0
                 : !(y > in[1]) ? -1
                 : x > out[2]   ? 1
                 : !(x < in[2]) ? -1
                 : y > out[3]   ? 2
                 : !(y < in[3]) ? -1
                 : x < out[0]   ? 3
                                : -1;
    }
    unsigned kept = 0;
    for (unsigned i = 0; i < n; i++) {
        double x = xy[2 * i], y = xy[2 * i + 1];
        int top =
            y == r[3] || (i > 0 && xy[2 * i - 1] == r[3]) || (i + 1 < n && xy[2 * i + 3] == r[3]);
        int keep = cls[i] < 0 || i == 0 || i + 1 == n || cls[i - 1] != cls[i] ||
                   cls[i + 1] != cls[i] || x == r[0] || x == r[2] || y == r[1] || top;
        if (keep) xy[2 * kept] = x, xy[2 * kept + 1] = y, kept++;
    }
    free(cls);
    GEOSGeometry *near = NULL;
    if (kept >= 4 && kept < n / 2) {
        GEOSCoordSequence *s = GEOSCoordSeq_copyFromBuffer_r(h, xy, kept, 0, 0);
        GEOSGeometry *shell = s ? GEOSGeom_createLinearRing_r(h, s) : NULL;
        near = shell ? GEOSGeom_createPolygon_r(h, shell, NULL, 0) : NULL;
        if (!near && shell) GEOSGeom_destroy_r(h, shell);
    }
    free(xy);
    return near;
}

/* gm_redline_near reads the clipping of GEOS 3.11's OverlayNG (checked against
 * its source and, bit for bit, on the bench provinces); another GEOS may clip
 * otherwise, and then takes the red line whole. */
int gm_redline_near_known(void)
{
    int major = 0, minor = 0;
    return sscanf(GEOSversion(), "%d.%d", &major, &minor) == 2 && major == 3 && minor == 11;
}

GEOSGeometry *gm_redline_piece(GEOSContextHandle_t h, const GEOSGeometry *mine,
                               const GEOSGeometry *redline, int near_mode)
{
    GEOSGeometry *near = near_mode != GM_NEAR_NO ? gm_redline_near(h, mine, redline) : NULL;
    GEOSGeometry *piece = gm_polygonal_intersection(h, mine, near ? near : redline, NULL);
    if (!near) return piece;
    GEOSGeom_destroy_r(h, near);
    if (piece && near_mode == GM_NEAR_FAILS) {
        GEOSGeom_destroy_r(h, piece);
        piece = NULL;
    }
    /* the shortened ring is only ever a shortcut: on any failure, the red line whole */
    return piece ? piece : gm_polygonal_intersection(h, mine, redline, NULL);
}

static int add_overlap(gm_worker *w, mine_overlaps *mo, gm_overlap ov)
{
    gm_overlap *p = realloc(mo->items, (mo->n + 1) * sizeof *p);
    if (!p) return gm_worker_error(w, GM_ERR_NOMEM, "out of memory");
    mo->items = p;
    mo->items[mo->n++] = ov;
    return GM_OK;
}

/* The area of the union of the mine's pieces, and (several pieces, kept not
 * NULL) the union itself in *kept, for the conflict raster; GM_ERR_INTERNAL, with no message
 * (the caller words it), when GEOS or an allocation fails. */
static int union_area(GEOSContextHandle_t h, const mine_overlaps *mo, double *ha,
                      GEOSGeometry **kept)
{
    if (kept) *kept = NULL;
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
    if (u && a >= 0 && kept)
        *kept = u;
    else if (u)
        GEOSGeom_destroy_r(h, u);
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
            inside ? m->geom : gm_redline_piece(h, m->geom, job->in->redlines[j].geom, job->near);
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
        if (!whole && union_area(h, mo, &c, job->keep_unions ? &r->conflict_union : NULL) != GM_OK)
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
                       int keep_unions, gm_results *res)
{
    GEOSContextHandle_t h = ctx->geos;
    int threads = gm_pool_size(pool);
    int rc = GM_OK;
    conflict_job job = {.in = in,
                        .res = res,
                        .zones = zs,
                        .near = gm_redline_near_known() ? GM_NEAR_YES : GM_NEAR_NO,
                        .keep_unions = keep_unions};
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
