/*
 * check.c -- gm_check(): applications for mining rights against the red lines,
 * the zones and the existing mines (see greenmine/check.h for the rules).
 *
 * Overlaps and zones reuse the conflicts stage (an application is checked as
 * a mine is, so both commands count hectares the same way); this file adds
 * what only `check` needs: the nearest red line and its geodesic distance,
 * the buffer polygons, and the verdict. GEOS and PROJ's geodesics only.
 */
#include "analysis/stages.h"

#include "core/densify.h"
#include "core/index.h"
#include "core/normalise.h"
#include "core/prepared.h"

#include <greenmine/analysis.h>
#include <greenmine/area.h>
#include <greenmine/check.h>

#include <geodesic.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEG (3.14159265358979323846 / 180.0)

const char *gm_verdict_name(gm_verdict v)
{
    switch (v) {
    case GM_VERDICT_CONFLICT:
        return "conflict";
    case GM_VERDICT_NEAR:
        return "near";
    default:
        return "clear";
    }
}

/* ---- a local azimuthal equidistant projection ---------------------------
 * x = s sin(azimuth), y = s cos(azimuth) from the centre, s and azimuth the
 * GRS 80 geodesic to the point: exact distances from the centre, and a scale
 * error of at most (r/R)^2/6 across, r the distance from the centre. */
typedef struct aeqd {
    struct geod_geodesic g;
    double lat0, lon0;
} aeqd;

static int aeqd_forward(double *x, double *y, void *user)
{
    const aeqd *p = user;
    double s, azi1, azi2;
    geod_inverse(&p->g, p->lat0, p->lon0, *y, *x, &s, &azi1, &azi2);
    *x = s * sin(azi1 * DEG);
    *y = s * cos(azi1 * DEG);
    return 1;
}

static int aeqd_inverse(double *x, double *y, void *user)
{
    const aeqd *p = user;
    double lat, lon, azi2;
    double s = hypot(*x, *y), azi = atan2(*x, *y) / DEG;
    geod_direct(&p->g, p->lat0, p->lon0, azi, s, &lat, &lon, &azi2);
    *x = lon;
    *y = lat;
    return 1;
}

/* The lon/lat rectangle holding g's envelope widened by m metres (generously:
 * degrees of latitude are >= 110.5 km, of longitude >= 111.3 km cos(lat)). */
static GEOSGeometry *widened_envelope(GEOSContextHandle_t h, const GEOSGeometry *g, double m,
                                      double *lat_mid, double *lon_mid)
{
    double x0, y0, x1, y1;
    if (!GEOSGeom_getXMin_r(h, g, &x0) || !GEOSGeom_getYMin_r(h, g, &y0) ||
        !GEOSGeom_getXMax_r(h, g, &x1) || !GEOSGeom_getYMax_r(h, g, &y1))
        return NULL;
    double dlat = m / 110500.0 * 1.01 + 1e-9;
    double ymax = fmax(fabs(y0 - dlat), fabs(y1 + dlat));
    double dlon = m / (111300.0 * cos(fmin(ymax, 89.0) * DEG)) * 1.01 + 1e-9;
    *lat_mid = (y0 + y1) / 2;
    *lon_mid = (x0 + x1) / 2;
    return GEOSGeom_createRectangle_r(h, x0 - dlon, y0 - dlat, x1 + dlon, y1 + dlat);
}

typedef struct check_job {
    const gm_inputs *in;
    GEOSGeometry *const *geoms; /* the applications, densified */
    gm_check_results *res;
    double radius_m, buffer_m;
    int no_buffer_geoms;
    gm_index *redline_index;
    gm_prepcache redline_prep;
    gm_hits *hits; /* one per worker */
} check_job;

/* A red line near an application: a lower bound of its distance in metres,
 * and its place in the query's hits. */
typedef struct near_cand {
    double bound;
    size_t k;
    double deg; /* its distance in degrees; -1 = unknown */
    double ub;  /* when known: its distance is at most this, metres */
} near_cand;

static int by_bound(const void *a, const void *b)
{
    const near_cand *x = a, *y = b;
    if (x->bound != y->bound) return x->bound < y->bound ? -1 : 1;
    return x->k < y->k ? -1 : x->k > y->k;
}

/* The application's vertices projected once, for every red line measured. */
typedef struct proj_memo {
    double *xy;
    unsigned char *done;
    size_t n;
} proj_memo;

/* Vertex v (the v-th of the geometry's rings in order) projected, through memo when given. */
static void project_vertex(proj_memo *memo, size_t v, double x, double y, aeqd *proj, double *qx,
                           double *qy)
{
    if (memo && v < memo->n && memo->done[v]) {
        *qx = memo->xy[2 * v], *qy = memo->xy[2 * v + 1];
        return;
    }
    *qx = x, *qy = y;
    aeqd_forward(qx, qy, proj);
    if (memo && v < memo->n) memo->xy[2 * v] = *qx, memo->xy[2 * v + 1] = *qy, memo->done[v] = 1;
}

/* What of a polygon's boundary is measured against a box (a red line's part
 * against the application's box, then the application against the kept
 * edges' box): its projected edges, without those that cannot hold the
 * nearest point. An edge whose box is farther from `box` than `ub` metres
 * (by the per-axis lengths of a degree k_m, less 0.1 % and 10 m) is dropped;
 * ub bounds the distance from above, so the nearest pair of edges is always
 * kept, in the order the whole boundary has them, and GEOS (which measures
 * edge against edge in order, keeping the first of the nearest) finds the
 * same points as from the whole polygons. Each kept vertex is projected
 * exactly as the whole polygon's would be. NULL: project the whole instead. */
static GEOSGeometry *near_edges(GEOSContextHandle_t h, const GEOSGeometry *part,
                                const double app_box[4], const double k_m[2], double ub, aeqd *proj,
                                double kept_box[4], proj_memo *memo)
{
    int type = GEOSGeomTypeId_r(h, part);
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) return NULL;
    GEOSGeometry **lines = NULL;
    size_t n_lines = 0, cap_lines = 0;
    double *xy = NULL; /* the piece being built */
    size_t n_xy = 0, cap_xy = 0;
    int ok = 1, np = GEOSGetNumGeometries_r(h, part);
    size_t v = 0; /* the vertex's number over all rings */
    if (kept_box) kept_box[0] = kept_box[1] = HUGE_VAL, kept_box[2] = kept_box[3] = -HUGE_VAL;
    for (int p = 0; ok && p < np; p++) {
        const GEOSGeometry *poly = GEOSGetGeometryN_r(h, part, p);
        int nh = GEOSGetNumInteriorRings_r(h, poly);
        for (int r = -1; ok && r < nh; r++) {
            const GEOSGeometry *ring =
                r < 0 ? GEOSGetExteriorRing_r(h, poly) : GEOSGetInteriorRingN_r(h, poly, r);
            const GEOSCoordSequence *cs = ring ? GEOSGeom_getCoordSeq_r(h, ring) : NULL;
            unsigned n = 0;
            if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n)) {
                ok = 0;
                break;
            }
            double px = 0, py = 0;
            for (unsigned k = 0; ok && k + 1 <= n; k++, v++) {
                double x, y;
                GEOSCoordSeq_getXY_r(h, cs, k, &x, &y);
                int keep = 0;
                if (k > 0) {
                    double dx = fmax(0, fmax(fmin(px, x) - app_box[2], app_box[0] - fmax(px, x)));
                    double dy = fmax(0, fmax(fmin(py, y) - app_box[3], app_box[1] - fmax(py, y)));
                    keep = 0.999 * hypot(k_m[0] * dx, k_m[1] * dy) - 10.0 <= ub;
                }
                if (keep) {
                    if (n_xy + 4 > cap_xy) {
                        cap_xy = cap_xy ? 2 * cap_xy : 256;
                        double *nx = realloc(xy, cap_xy * sizeof *nx);
                        if (!nx) {
                            ok = 0;
                            break;
                        }
                        xy = nx;
                    }
                    double qx, qy;
                    if (!n_xy) { /* the edge's start opens a piece */
                        project_vertex(memo, v - 1, px, py, proj, &qx, &qy);
                        xy[n_xy++] = qx, xy[n_xy++] = qy;
                    }
                    project_vertex(memo, v, x, y, proj, &qx, &qy);
                    xy[n_xy++] = qx, xy[n_xy++] = qy;
                    if (kept_box) {
                        kept_box[0] = fmin(kept_box[0], fmin(px, x));
                        kept_box[1] = fmin(kept_box[1], fmin(py, y));
                        kept_box[2] = fmax(kept_box[2], fmax(px, x));
                        kept_box[3] = fmax(kept_box[3], fmax(py, y));
                    }
                }
                /* a piece ends at the first dropped edge, and at the ring's end */
                if ((!keep || k + 1 == n) && n_xy) {
                    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromBuffer_r(h, xy, n_xy / 2, 0, 0);
                    GEOSGeometry *line = seq ? GEOSGeom_createLineString_r(h, seq) : NULL;
                    if (line && n_lines == cap_lines) {
                        cap_lines = cap_lines ? 2 * cap_lines : 8;
                        GEOSGeometry **nl = realloc(lines, cap_lines * sizeof *nl);
                        if (nl)
                            lines = nl;
                        else
                            ok = 0;
                    }
                    if (!line || !ok) {
                        if (line) GEOSGeom_destroy_r(h, line);
                        ok = 0;
                        break;
                    }
                    lines[n_lines++] = line;
                    n_xy = 0;
                }
                px = x, py = y;
            }
            n_xy = 0;
        }
    }
    free(xy);
    GEOSGeometry *out = NULL;
    if (ok && n_lines)
        out = GEOSGeom_createCollection_r(h, GEOS_MULTILINESTRING, lines, (unsigned)n_lines);
    if (!out)
        for (size_t k = 0; k < n_lines; k++)
            GEOSGeom_destroy_r(h, lines[k]);
    free(lines);
    return out;
}

/* The buffer polygon of an application projected around its centre. */
static GEOSGeometry *buffer_of(GEOSContextHandle_t h, const GEOSGeometry *local, double m,
                               aeqd *proj)
{
    GEOSGeometry *b = GEOSBuffer_r(h, local, m, 16);
    GEOSGeometry *out = b ? GEOSGeom_transformXY_r(h, b, aeqd_inverse, proj) : NULL;
    if (b) GEOSGeom_destroy_r(h, b);
    return out;
}

/* Nearest red line within the radius, and the buffer polygon, for app i. */
static int near_task(gm_worker *w, size_t i, void *user)
{
    check_job *job = user;
    GEOSContextHandle_t h = w->geos;
    const GEOSGeometry *app = job->geoms[i];
    gm_check_result *r = &job->res->items[i];
    gm_hits *hits = &job->hits[w->id];
    aeqd proj;
    geod_init(&proj.g, GM_GRS80_A, GM_GRS80_F);
    GEOSGeometry *box = widened_envelope(h, app, job->radius_m, &proj.lat0, &proj.lon0);
    GEOSGeometry *local = NULL;
    proj_memo memo = {0};
    int rc = GM_OK;
    if (!box) return gm_worker_error(w, GM_ERR_INTERNAL, "envelope of application failed");
    int want_buffer = job->buffer_m > 0 && !job->no_buffer_geoms;
    r->nearest = -1;
    r->distance_m = -1;
    if (r->redline_overlap_ha > 0) { /* overlapping: distance 0 to the first hit */
        r->nearest = (long)r->redlines[0].index;
        r->distance_m = 0;
    }
    if (want_buffer) { /* the buffer needs the whole application projected */
        local = GEOSGeom_transformXY_r(h, app, aeqd_forward, &proj);
        if (!local) {
            rc = gm_worker_error(w, GM_ERR_INTERNAL, "projecting an application failed");
            goto done;
        }
    }
    if (want_buffer && !(r->buffer = buffer_of(h, local, job->buffer_m, &proj))) {
        rc = gm_worker_error(w, GM_ERR_INTERNAL, "buffering an application failed");
        goto done;
    }
    if (r->nearest >= 0) goto done;
    if (!job->redline_index) goto done;
    if (gm_index_query(job->redline_index, h, box, hits) != 0) {
        rc = gm_worker_error(w, GM_ERR_NOMEM, "out of memory");
        goto done;
    }
    /* A red line touching the application is at 0 m: the first one, in
     * red-line order, is the nearest. */
    for (size_t k = 0; k < hits->n; k++) {
        size_t j = hits->items[k];
        const GEOSPreparedGeometry *prep = gm_prepcache_get(&job->redline_prep, w, j);
        if (!prep) {
            rc = gm_worker_error(w, GM_ERR_INTERNAL, "cannot prepare red line %zu", j);
            goto done;
        }
        if (GEOSPreparedIntersects_r(h, prep, app) == 1) {
            r->nearest = (long)j;
            r->distance_m = 0;
            goto done;
        }
    }
    if (!hits->n) goto done;
    /* The others, nearest first by a lower bound of their distance, so that
     * those that cannot be nearer than the best so far are never projected
     * (the geodesic projection of their vertices is most of a check's cost).
     * The bounds: the boxes' distance with each axis's shortest degree in
     * the box, then GEOS's distance in degrees times the shortest degree, less
     * 0.1 % and 10 m for how far the projected edges stray from the lon/lat
     * ones; from above, that distance times the longest degree. The answer
     * is the one the plain loop gives (ties to the first in red-line order). */
    double bx0, by0, bx1, by1;
    GEOSGeom_getXMin_r(h, box, &bx0), GEOSGeom_getYMin_r(h, box, &by0);
    GEOSGeom_getXMax_r(h, box, &bx1), GEOSGeom_getYMax_r(h, box, &by1);
    double lat_max = fmin(fmax(fabs(by0), fabs(by1)), 89.0), app_box[4];
    GEOSGeom_getXMin_r(h, app, &app_box[0]), GEOSGeom_getYMin_r(h, app, &app_box[1]);
    GEOSGeom_getXMax_r(h, app, &app_box[2]), GEOSGeom_getYMax_r(h, app, &app_box[3]);
    /* metres per degree of longitude and of latitude at least, in the box */
    const double k_m[2] = {111319.0 * cos(lat_max * DEG), 110574.0};
    double m_per_deg = fmin(k_m[0], k_m[1]);
    /* and at most: of latitude at the poles, of longitude at the box's lowest
     * latitude (the ellipsoid's N at most a / sqrt(1 - e^2) there) */
    double lat_min = by0 <= 0 && by1 >= 0 ? 0 : fmin(fabs(by0), fabs(by1));
    double k_max = fmax(111694.0, 111319.5 * 1.00338 * cos(lat_min * DEG));
    near_cand *cand = malloc(hits->n * sizeof *cand);
    int nv = GEOSGetNumCoordinates_r(h, app);
    memo.n = nv > 0 ? (size_t)nv : 0;
    memo.xy = memo.n ? malloc(2 * memo.n * sizeof *memo.xy) : NULL;
    memo.done = memo.n ? calloc(memo.n, 1) : NULL;
    if (!memo.done) free(memo.xy), memo.xy = NULL; /* then the whole application, projected */
    if (!cand) {
        rc = gm_worker_error(w, GM_ERR_NOMEM, "out of memory");
        goto done;
    }
    /* first by the boxes' distance (cheap), then by the red line's own */
    for (size_t k = 0; k < hits->n; k++) {
        double rb[4];
        const GEOSGeometry *g = job->in->redlines[hits->items[k]].geom;
        GEOSGeom_getXMin_r(h, g, &rb[0]), GEOSGeom_getYMin_r(h, g, &rb[1]);
        GEOSGeom_getXMax_r(h, g, &rb[2]), GEOSGeom_getYMax_r(h, g, &rb[3]);
        double dx = fmax(0, fmax(rb[0] - app_box[2], app_box[0] - rb[2]));
        double dy = fmax(0, fmax(rb[1] - app_box[3], app_box[1] - rb[3]));
        cand[k] = (near_cand){0.999 * hypot(k_m[0] * dx, k_m[1] * dy) - 10.0, k, -1, 0};
    }
    qsort(cand, hits->n, sizeof *cand, by_bound);
    size_t best_k = 0;
    for (size_t c = 0; c < hits->n; c++) {
        if (cand[c].bound > job->radius_m) break;
        if (r->nearest >= 0 && cand[c].bound > r->distance_m) break;
        size_t k = cand[c].k, j = hits->items[k];
        const GEOSPreparedGeometry *prep = gm_prepcache_get(&job->redline_prep, w, j);
        /* GEOS's distance in degrees bounds the red line's from below (times
         * the shortest degree in the box) and from above (times the longest) */
        double deg = -1;
        if (!prep || GEOSPreparedDistance_r(h, prep, app, &deg) != 1) deg = -1; /* no bound */
        cand[c].ub = 1.001 * k_max * deg + 10.0;
        double bound = 0.999 * m_per_deg * fmax(deg, 0) - 10.0;
        if (bound > job->radius_m || (r->nearest >= 0 && bound > r->distance_m)) continue;
        cand[c].deg = deg;
        /* Only the part of the red line inside the search box can be nearer
         * than the radius; projecting just that keeps a huge red line cheap. */
        GEOSGeometry *part = GEOSClipByRect_r(h, job->in->redlines[j].geom, bx0, by0, bx1, by1);
        if (!part) {
            rc = gm_worker_error(w, GM_ERR_INTERNAL, "clipping red line %zu failed", j);
            break;
        }
        if (GEOSisEmpty_r(h, part)) {
            GEOSGeom_destroy_r(h, part);
            continue;
        }
        /* the red line's edges that can hold the nearest point, then the
         * application's edges that can (near those), both in their order */
        double ub = cand[c].ub, red_box[4];
        GEOSGeometry *lp =
            cand[c].deg >= 0 ? near_edges(h, part, app_box, k_m, ub, &proj, red_box, NULL) : NULL;
        GEOSGeometry *la =
            lp && memo.xy ? near_edges(h, app, red_box, k_m, ub, &proj, NULL, &memo) : NULL;
        if (!lp) lp = GEOSGeom_transformXY_r(h, part, aeqd_forward, &proj);
        GEOSGeom_destroy_r(h, part);
        if (!la && !local && !(local = GEOSGeom_transformXY_r(h, app, aeqd_forward, &proj))) {
            if (lp) GEOSGeom_destroy_r(h, lp);
            rc = gm_worker_error(w, GM_ERR_INTERNAL, "projecting an application failed");
            break;
        }
        GEOSCoordSequence *pair = lp ? GEOSNearestPoints_r(h, la ? la : local, lp) : NULL;
        if (lp) GEOSGeom_destroy_r(h, lp);
        if (la) GEOSGeom_destroy_r(h, la);
        if (!pair) {
            rc = gm_worker_error(w, GM_ERR_INTERNAL, "distance to red line %zu failed", j);
            break;
        }
        double ax, ay, bx, by, s12, a1, a2;
        GEOSCoordSeq_getXY_r(h, pair, 0, &ax, &ay);
        GEOSCoordSeq_getXY_r(h, pair, 1, &bx, &by);
        GEOSCoordSeq_destroy_r(h, pair);
        aeqd_inverse(&ax, &ay, &proj);
        aeqd_inverse(&bx, &by, &proj);
        geod_inverse(&proj.g, ay, ax, by, bx, &s12, &a1, &a2);
        if (s12 <= job->radius_m &&
            (r->nearest < 0 || s12 < r->distance_m || (s12 == r->distance_m && k < best_k))) {
            r->nearest = (long)j;
            r->distance_m = s12;
            best_k = k;
        }
    }
    free(cand);
done:
    free(memo.xy), free(memo.done);
    if (local) GEOSGeom_destroy_r(h, local);
    GEOSGeom_destroy_r(h, box);
    return rc;
}

/* Moves mine i's overlaps out of a conflicts-stage result (a whole one,
 * which borrows the application's geometry, is copied). */
static int take_hits(GEOSContextHandle_t h, const gm_results *st, size_t i, gm_check_hit **out,
                     size_t *n)
{
    const gm_mine_result *m = &st->mines[i];
    *n = 0;
    *out = NULL;
    if (!m->n_overlaps) return GM_OK;
    *out = malloc(m->n_overlaps * sizeof **out);
    if (!*out) return GM_ERR_NOMEM;
    for (size_t k = 0; k < m->n_overlaps; k++) {
        gm_overlap *o = &st->overlaps[m->first_overlap + k];
        GEOSGeometry *g = o->whole ? GEOSGeom_clone_r(h, o->geom) : o->geom;
        if (!g) {
            for (size_t j = 0; j < k; j++)
                GEOSGeom_destroy_r(h, (*out)[j].geom);
            free(*out);
            *out = NULL;
            return GM_ERR_NOMEM;
        }
        (*out)[k] = (gm_check_hit){o->redline, o->area_ha, g};
        o->geom = NULL;
    }
    *n = m->n_overlaps;
    return GM_OK;
}

static void stage_free(GEOSContextHandle_t h, gm_results *st)
{
    for (size_t k = 0; k < st->n_overlaps; k++)
        if (st->overlaps[k].geom && !st->overlaps[k].whole)
            GEOSGeom_destroy_r(h, st->overlaps[k].geom);
    for (size_t i = 0; st->mines && i < st->n_mines; i++)
        if (st->mines[i].conflict_union) GEOSGeom_destroy_r(h, st->mines[i].conflict_union);
    free(st->overlaps);
    free(st->mines);
    memset(st, 0, sizeof *st);
}

/* The conflicts stage over a view (applications as mines), with its own zone set. */
static int conflicts(gm_context *ctx, gm_pool *pool, const gm_inputs *view, gm_results *st)
{
    gm_zoneset zs;
    int rc = gm_zoneset_init(ctx, &zs, view, pool);
    if (rc != GM_OK) return rc;
    rc = gm_stage_conflicts(ctx, pool, view, &zs, 0, st);
    gm_zoneset_free(ctx, &zs, pool);
    return rc;
}

int gm_check(gm_context *ctx, const gm_inputs *in, const gm_applications *apps,
             const gm_check_options *opts, gm_check_results **out)
{
    GEOSContextHandle_t h = ctx->geos;
    double buffer = opts ? opts->buffer_m : 0.0;
    *out = NULL;
    if (!(buffer >= 0) || !isfinite(buffer))
        return gm_error(ctx, GM_ERR_USAGE, "the buffer must be a distance >= 0 m");
    size_t n = apps->n;
    gm_check_results *res = calloc(1, sizeof *res);
    gm_mine *as_mines = calloc(n ? n : 1, sizeof *as_mines);
    gm_redline *mines_as_redlines = calloc(in->n_mines ? in->n_mines : 1, sizeof(gm_redline));
    GEOSGeometry **dense = calloc(n ? n : 1, sizeof *dense);
    GEOSGeometry **rl = malloc((in->n_redlines ? in->n_redlines : 1) * sizeof *rl);
    gm_results st = {0};
    gm_pool *pool = NULL;
    check_job job = {.in = in, .geoms = dense};
    int rc = GM_OK, threads = 0;
    if (!res || !as_mines || !mines_as_redlines || !rl || !dense ||
        !(res->items = calloc(n ? n : 1, sizeof *res->items))) {
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        goto done;
    }
    res->n = n;
    res->buffer_m = buffer;
    res->radius_m = fmax(buffer, GM_CHECK_NEAREST_RADIUS_M);
    for (size_t i = 0; i < n; i++) {
        /* the loader's preparation: densified along geodesics, re-validated */
        unsigned flags = 0;
        if (!(dense[i] = GEOSGeom_clone_r(h, apps->items[i].geom)) ||
            gm_densify_revalidate(h, &dense[i], &flags) != 0) {
            rc = gm_error(ctx, GM_ERR_INTERNAL, "application %s: densifying failed",
                          apps->items[i].id ? apps->items[i].id : "?");
            goto done;
        }
        if (flags & GM_NORM_REPAIRED)
            gm_log(ctx, GM_LOG_WARNING,
                   "application %s: densified along its geodesics, two of its edges crossed; "
                   "repaired (GEOS MakeValid, structure)",
                   apps->items[i].id ? apps->items[i].id : "?");
        as_mines[i] = (gm_mine){.mine_id = apps->items[i].id, .geom = dense[i]};
        res->items[i].zone = -1;
        res->items[i].nearest = -1;
        res->items[i].distance_m = -1;
    }
    if ((rc = gm_pool_new(ctx, &pool)) != GM_OK) goto done;
    if (opts && opts->store) gm_pool_set_store(pool, opts->store);

    /* Red lines and zones: the conflicts stage, with applications as mines. */
    gm_inputs view = {.mines = as_mines,
                      .n_mines = n,
                      .redlines = in->redlines,
                      .n_redlines = in->n_redlines,
                      .zones = in->zones,
                      .n_zones = in->n_zones};
    if ((rc = conflicts(ctx, pool, &view, &st)) != GM_OK) goto done;
    for (size_t i = 0; i < n; i++) {
        gm_check_result *r = &res->items[i];
        r->area_ha = st.mines[i].mine_ha;
        r->redline_overlap_ha = st.mines[i].conflict_ha;
        r->overlap_pct = r->area_ha > 0 ? 100.0 * r->redline_overlap_ha / r->area_ha : 0.0;
        r->zone = st.mines[i].zone;
        if (take_hits(h, &st, i, &r->redlines, &r->n_redlines) != GM_OK) {
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            goto done;
        }
    }
    stage_free(h, &st);

    /* Existing mining rights: the same stage, the mines standing in for red lines. */
    if (in->n_mines) {
        for (size_t m = 0; m < in->n_mines; m++)
            mines_as_redlines[m] =
                (gm_redline){.redline_id = in->mines[m].mine_id, .geom = in->mines[m].geom};
        gm_inputs mview = {.mines = as_mines,
                           .n_mines = n,
                           .redlines = mines_as_redlines,
                           .n_redlines = in->n_mines};
        if ((rc = conflicts(ctx, pool, &mview, &st)) != GM_OK) goto done;
        for (size_t i = 0; i < n; i++) {
            gm_check_result *r = &res->items[i];
            r->mine_overlap_ha = st.mines[i].conflict_ha;
            if (take_hits(h, &st, i, &r->mines, &r->n_mines) != GM_OK) {
                rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
                goto done;
            }
        }
        stage_free(h, &st);
    }

    /* Distances and buffers. */
    threads = gm_pool_size(pool);
    for (size_t j = 0; j < in->n_redlines; j++)
        rl[j] = in->redlines[j].geom;
    job.res = res;
    job.radius_m = res->radius_m;
    job.buffer_m = buffer;
    job.no_buffer_geoms = opts && opts->no_buffer_geoms;
    job.hits = calloc((size_t)threads, sizeof *job.hits);
    if (in->n_redlines) job.redline_index = gm_index_new(h, rl, in->n_redlines);
    if (!job.hits || (in->n_redlines && !job.redline_index) ||
        gm_prepcache_init(&job.redline_prep, rl, in->n_redlines, threads) != GM_OK) {
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory building the red-line index");
        goto done;
    }
    if ((rc = gm_pool_run(pool, "distances", n, near_task, &job)) != GM_OK) goto done;

    for (size_t i = 0; i < n; i++) {
        gm_check_result *r = &res->items[i];
        if (r->redline_overlap_ha >= GM_NOISE_HA)
            r->verdict = GM_VERDICT_CONFLICT;
        else if (buffer > 0 && r->nearest >= 0 && r->distance_m <= buffer)
            r->verdict = GM_VERDICT_NEAR;
        else
            r->verdict = GM_VERDICT_CLEAR;
    }
done:
    if (pool) {
        gm_prepcache_free(&job.redline_prep, pool);
        gm_pool_free(pool);
    }
    gm_index_free(h, job.redline_index);
    if (job.hits)
        for (int t = 0; t < threads; t++)
            gm_hits_free(&job.hits[t]);
    free(job.hits);
    stage_free(h, &st);
    for (size_t i = 0; dense && i < n; i++)
        if (dense[i]) GEOSGeom_destroy_r(h, dense[i]);
    free(dense);
    free(as_mines);
    free(mines_as_redlines);
    free(rl);
    if (rc != GM_OK)
        gm_check_results_free(ctx, res);
    else
        *out = res;
    return rc;
}

/* The densified application, as gm_check overlays it. */
static int densified(gm_context *ctx, const GEOSGeometry *geom, GEOSGeometry **out)
{
    unsigned flags = 0;
    *out = GEOSGeom_clone_r(ctx->geos, geom);
    if (*out && gm_densify_revalidate(ctx->geos, out, &flags) == 0) return GM_OK;
    if (*out) GEOSGeom_destroy_r(ctx->geos, *out);
    *out = NULL;
    return GM_ERR_INTERNAL;
}

int gm_check_buffer(gm_context *ctx, const GEOSGeometry *app, double buffer_m, GEOSGeometry **out)
{
    GEOSContextHandle_t h = ctx->geos;
    GEOSGeometry *dense = NULL, *box = NULL, *local = NULL;
    aeqd proj;
    *out = NULL;
    geod_init(&proj.g, GM_GRS80_A, GM_GRS80_F);
    if (!(buffer_m > 0) || densified(ctx, app, &dense) != GM_OK ||
        !(box = widened_envelope(h, dense, buffer_m, &proj.lat0, &proj.lon0)) ||
        !(local = GEOSGeom_transformXY_r(h, dense, aeqd_forward, &proj)) ||
        !(*out = buffer_of(h, local, buffer_m, &proj))) {
        if (dense) GEOSGeom_destroy_r(h, dense);
        if (box) GEOSGeom_destroy_r(h, box);
        if (local) GEOSGeom_destroy_r(h, local);
        return gm_error(ctx, GM_ERR_INTERNAL, "buffering an application failed");
    }
    GEOSGeom_destroy_r(h, dense);
    GEOSGeom_destroy_r(h, box);
    GEOSGeom_destroy_r(h, local);
    return GM_OK;
}

void gm_check_results_free(gm_context *ctx, gm_check_results *res)
{
    if (!res) return;
    GEOSContextHandle_t h = ctx->geos;
    for (size_t i = 0; res->items && i < res->n; i++) {
        gm_check_result *r = &res->items[i];
        for (size_t k = 0; k < r->n_redlines; k++)
            GEOSGeom_destroy_r(h, r->redlines[k].geom);
        for (size_t k = 0; k < r->n_mines; k++)
            GEOSGeom_destroy_r(h, r->mines[k].geom);
        if (r->buffer) GEOSGeom_destroy_r(h, r->buffer);
        free(r->redlines);
        free(r->mines);
    }
    free(res->items);
    free(res);
}
