/*
 * geotiff.c -- the fraction rasters: restoration_coverage.tif (the share of
 * each cell covered by completed restoration or reclamation inside the zones)
 * and redline_conflict.tif (the share of each cell inside a red line, within
 * the mines), as Cloud-Optimized GeoTIFFs with a QML sidecar.
 *
 * Fractions are exact (src/core/coverage.c) in an Albers equal-area CRS
 * (src/core/project.h), so fraction x cell area is an area everywhere. The
 * rasters cost what their content costs: only the 512 x 512 tiles that a mask
 * polygon's bounding box meets are computed; a tile with no data cell is
 * never compressed nor stored (it reads as nodata). Tiles are computed and
 * compressed on the worker pool one tile row at a time; each row also adds
 * its exact sums into the overview above it, which is compressed as soon as
 * its last row is in (so only one tile row per level is held uncompressed).
 * src/out/cog_writer.c then writes the file once, front to back, in the COG
 * layout. GDAL only encodes the CRS and metadata tags, on a 1 x 1 grid.
 */
#define _DEFAULT_SOURCE /* madvise(MADV_HUGEPAGE) */
#include "core/atomic.h"
#include "core/context_impl.h"
#include "core/coverage.h"
#include "core/pool.h"
#include "core/project.h"
#include "core/simple.h"
#include "io/gdal.h"
#include "out/cog_writer.h"
#include "out/styles.h"

#include <greenmine/output.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <gdal.h>
#include <ogr_srs_api.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define TILE GM_COG_TILE
/* A cell belongs to the mask when a mask polygon covers more than this share
 * of it: any real overlap, but not a shared edge or corner (rounding ~1e-15). */
#define MASK_MIN 1e-9

/* Projected polygons with their bounding boxes. */
typedef struct parts {
    double (*box)[4]; /* minx, miny, maxx, maxy */
    /* each polygon's rings as coordinates, read from GEOS once for every tile */
    double **xy;
    size_t **ring_len, *n_rings;
    size_t n, cap;
} parts;

static void parts_free(parts *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->xy[i]);
        free(p->ring_len[i]);
    }
    free(p->box);
    free(p->xy);
    free(p->ring_len);
    free(p->n_rings);
    memset(p, 0, sizeof *p);
}

/* A polygon's rings as (x, y) pairs one after the other, shell first. */
static int read_rings(GEOSContextHandle_t h, const GEOSGeometry *poly, double **xy_out,
                      size_t **len_out, size_t *n_out)
{
    int holes = GEOSGetNumInteriorRings_r(h, poly);
    if (holes < 0) return GM_ERR_INTERNAL;
    size_t n = (size_t)holes + 1, total = 0;
    size_t *len = calloc(n, sizeof *len);
    if (!len) return GM_ERR_NOMEM;
    for (size_t k = 0; k < n; k++) {
        const GEOSGeometry *ring =
            k == 0 ? GEOSGetExteriorRing_r(h, poly) : GEOSGetInteriorRingN_r(h, poly, (int)k - 1);
        const GEOSCoordSequence *seq = ring ? GEOSGeom_getCoordSeq_r(h, ring) : NULL;
        unsigned int m = 0;
        if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &m)) {
            free(len);
            return GM_ERR_INTERNAL;
        }
        len[k] = m;
        total += m;
    }
    double *xy = malloc((total ? total : 1) * 2 * sizeof *xy);
    if (!xy) {
        free(len);
        return GM_ERR_NOMEM;
    }
    for (size_t k = 0, at = 0; k < n; k++) {
        const GEOSGeometry *ring =
            k == 0 ? GEOSGetExteriorRing_r(h, poly) : GEOSGetInteriorRingN_r(h, poly, (int)k - 1);
        const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
        for (unsigned int i = 0; i < len[k]; i++, at++)
            if (!GEOSCoordSeq_getXY_r(h, seq, i, &xy[2 * at], &xy[2 * at + 1])) {
                free(xy);
                free(len);
                return GM_ERR_INTERNAL;
            }
    }
    *xy_out = xy, *len_out = len, *n_out = n;
    return GM_OK;
}

/* Room for cap polygons in each of the four arrays (a failed realloc keeps
 * the old array, so p stays consistent and freeable). */
static int parts_reserve(parts *p, size_t cap)
{
    double(*nb)[4] = realloc(p->box, cap * sizeof *nb);
    if (nb) p->box = nb;
    double **nx = realloc(p->xy, cap * sizeof *nx);
    if (nx) p->xy = nx;
    size_t **nl = realloc(p->ring_len, cap * sizeof *nl);
    if (nl) p->ring_len = nl;
    size_t *nr = realloc(p->n_rings, cap * sizeof *nr);
    if (nr) p->n_rings = nr;
    if (!nb || !nx || !nl || !nr) return GM_ERR_NOMEM;
    p->cap = cap;
    return GM_OK;
}

/* gm_project_geometry() left to GEOS: see parts_add_direct. */
#define DECLINED 1

/* One polygon's rings densified (lon/lat) into *xy, ring_len[k] points each:
 * GM_OK, GM_ERR_NOMEM, or DECLINED (a point added on an edge, a ring of
 * fewer than four points: the cases where GEOSDensify_r's result may differ
 * from its input's validity, or be no polygon). */
static int densify_polygon(GEOSContextHandle_t h, const GEOSGeometry *poly, double **xy,
                           size_t **len_out, size_t *n_out)
{
    int holes = GEOSGetNumInteriorRings_r(h, poly);
    if (holes < 0) return DECLINED;
    size_t n = (size_t)holes + 1, used = 0, cap = 0, most = 0;
    size_t *len = calloc(n, sizeof *len);
    double *in = NULL, *out = NULL;
    int rc = len ? GM_OK : GM_ERR_NOMEM, inserted = 0;
    /* the rings' sizes first: one buffer, as large as a polygon where no
     * point is added (the common case: the loader's edges are short) */
    for (size_t k = 0; k < n && rc == GM_OK; k++) {
        const GEOSGeometry *ring =
            k == 0 ? GEOSGetExteriorRing_r(h, poly) : GEOSGetInteriorRingN_r(h, poly, (int)k - 1);
        const GEOSCoordSequence *seq = ring ? GEOSGeom_getCoordSeq_r(h, ring) : NULL;
        unsigned int m = 0;
        if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &m) || m < 4) rc = DECLINED;
        len[k] = m, cap += m, most = m > most ? m : most;
    }
    if (rc == GM_OK &&
        (!(in = malloc(most * 2 * sizeof *in)) || !(out = malloc((cap + 1) * 2 * sizeof *out))))
        rc = GM_ERR_NOMEM;
    cap++;
    for (size_t k = 0; k < n && rc == GM_OK; k++) {
        const GEOSGeometry *ring =
            k == 0 ? GEOSGetExteriorRing_r(h, poly) : GEOSGetInteriorRingN_r(h, poly, (int)k - 1);
        const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
        size_t m = len[k];
        if (!GEOSCoordSeq_copyToBuffer_r(h, seq, in, 0, 0)) {
            rc = DECLINED;
            break;
        }
        len[k] = gm_project_densify_ring(in, m, &out, &used, &cap, &inserted);
        if (len[k] < 4 || inserted) rc = DECLINED;
    }
    free(in);
    if (rc != GM_OK) {
        free(out);
        free(len);
        return rc;
    }
    *xy = out, *len_out = len, *n_out = n;
    return GM_OK;
}

/* g's polygons, densified and projected exactly as gm_project_geometry()
 * makes them, read into p without the GEOS copies (densified, validated,
 * transformed, each read back a point at a time). GEOSDensify_r repairs a
 * result it finds invalid; a ring where no point is added is its input less
 * repeated points, as valid as that: so g must be valid -- known (`valid`:
 * the loaded inputs, all proven valid by the loader), or proven here (one
 * ring, gm_ring_surely_simple), or asked of GEOS. DECLINED when a point
 * would be added or anything is unusual: gm_project_geometry() does it. */
static int parts_add_direct(GEOSContextHandle_t h, gm_projector *pj, parts *p,
                            const GEOSGeometry *g, int valid)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) return DECLINED;
    int n = type == GEOS_POLYGON ? 1 : GEOSGetNumGeometries_r(h, g);
    if (n < 1) return DECLINED;
    size_t first = p->n;
    int rc = GM_OK;
    for (int i = 0; i < n && rc == GM_OK; i++) {
        const GEOSGeometry *part = type == GEOS_POLYGON ? g : GEOSGetGeometryN_r(h, g, i);
        if (!part || GEOSGeomTypeId_r(h, part) != GEOS_POLYGON) {
            rc = DECLINED;
            break;
        }
        if (GEOSisEmpty_r(h, part)) {
            rc = DECLINED; /* GEOS drops it; rare enough to leave to GEOS */
            break;
        }
        if (p->n == p->cap && (rc = parts_reserve(p, p->cap ? 2 * p->cap : 4)) != GM_OK) break;
        size_t *len = NULL, nr = 0;
        double *xy = NULL;
        if ((rc = densify_polygon(h, part, &xy, &len, &nr)) != GM_OK) break;
        p->xy[p->n] = xy, p->ring_len[p->n] = len, p->n_rings[p->n] = nr;
        p->n++;
    }
    if (rc == GM_OK && !valid) {
        /* one ring proven simple, or GEOS's word on g (the same as on g
         * densified: no point was added, only repeats dropped) */
        int ok = n == 1 && p->n_rings[first] == 1 &&
                 gm_ring_surely_simple(p->xy[first], p->ring_len[first][0]);
        if (!ok) {
            char v = GEOSisValid_r(h, g);
            if (v == 2)
                rc = GM_ERR_INTERNAL;
            else if (!v)
                rc = DECLINED;
        }
    }
    for (size_t i = first; i < p->n && rc == GM_OK; i++) {
        size_t total = 0;
        for (size_t k = 0; k < p->n_rings[i]; k++)
            total += p->ring_len[i][k];
        if (!gm_project_xy(pj, p->xy[i], total)) {
            rc = GM_ERR_INTERNAL;
            break;
        }
        /* the box, as GEOS's: the shell's */
        double *b = p->box[i], *xy = p->xy[i];
        b[0] = b[2] = xy[0], b[1] = b[3] = xy[1];
        for (size_t q = 1; q < p->ring_len[i][0]; q++) {
            b[0] = fmin(b[0], xy[2 * q]), b[2] = fmax(b[2], xy[2 * q]);
            b[1] = fmin(b[1], xy[2 * q + 1]), b[3] = fmax(b[3], xy[2 * q + 1]);
        }
    }
    if (rc != GM_OK) { /* nothing of g stays */
        for (size_t i = first; i < p->n; i++) {
            free(p->xy[i]);
            free(p->ring_len[i]);
        }
        p->n = first;
    }
    return rc;
}

static int parts_add_geos(GEOSContextHandle_t h, gm_projector *pj, parts *p, const GEOSGeometry *g);

#ifdef GM_TEST_HOOKS
/* GREENMINE_TEST_PROJECT_CHECK set: every polygon parts_add_direct takes is
 * made by gm_project_geometry() too, and must come out the same, bit for bit. */
static int direct_checked(GEOSContextHandle_t h, gm_projector *pj, parts *p, size_t first,
                          const GEOSGeometry *g)
{
    if (!getenv("GREENMINE_TEST_PROJECT_CHECK")) return GM_OK;
    parts q = {0};
    int rc = parts_add_geos(h, pj, &q, g), same = rc == GM_OK && q.n == p->n - first;
    for (size_t i = 0; same && i < q.n; i++) {
        size_t a = first + i, total = 0;
        same = q.n_rings[i] == p->n_rings[a] && memcmp(q.box[i], p->box[a], sizeof q.box[i]) == 0;
        for (size_t k = 0; same && k < q.n_rings[i]; k++) {
            same = q.ring_len[i][k] == p->ring_len[a][k];
            total += q.ring_len[i][k];
        }
        same = same && memcmp(q.xy[i], p->xy[a], total * 2 * sizeof(double)) == 0;
    }
    parts_free(&q);
    if (!same) fprintf(stderr, "greenmine: test: direct projection differs from GEOS's\n");
    return same ? GM_OK : GM_ERR_INTERNAL;
}
#endif

/* Projects g and appends each of its polygons; `valid`: g is known valid. */
static int parts_add(GEOSContextHandle_t h, gm_projector *pj, parts *p, const GEOSGeometry *g,
                     int valid)
{
    if (!g || GEOSisEmpty_r(h, g)) return GM_OK;
    size_t first = p->n;
    int rc = parts_add_direct(h, pj, p, g, valid);
#ifdef GM_TEST_HOOKS
    if (rc == GM_OK) rc = direct_checked(h, pj, p, first, g);
#else
    (void)first;
#endif
    return rc == DECLINED ? parts_add_geos(h, pj, p, g) : rc;
}

/* parts_add through GEOS: densified, validated (repaired), projected. */
static int parts_add_geos(GEOSContextHandle_t h, gm_projector *pj, parts *p, const GEOSGeometry *g)
{
    GEOSGeometry *proj = gm_project_geometry(h, pj, g);
    if (!proj) return GM_ERR_INTERNAL;
    int n = GEOSGetNumGeometries_r(h, proj);
    int rc = GM_OK;
    for (int i = 0; i < n && rc == GM_OK; i++) {
        const GEOSGeometry *part = GEOSGetGeometryN_r(h, proj, i);
        if (GEOSGeomTypeId_r(h, part) != GEOS_POLYGON || GEOSisEmpty_r(h, part)) continue;
        if (p->n == p->cap && (rc = parts_reserve(p, p->cap ? 2 * p->cap : 4)) != GM_OK) break;
        double *b = p->box[p->n];
        if (!GEOSGeom_getXMin_r(h, part, &b[0]) || !GEOSGeom_getYMin_r(h, part, &b[1]) ||
            !GEOSGeom_getXMax_r(h, part, &b[2]) || !GEOSGeom_getYMax_r(h, part, &b[3])) {
            rc = GM_ERR_INTERNAL;
            break;
        }
        if ((rc = read_rings(h, part, &p->xy[p->n], &p->ring_len[p->n], &p->n_rings[p->n])) !=
            GM_OK)
            break;
        p->n++;
    }
    GEOSGeom_destroy_r(h, proj);
    return rc;
}

/* Whether the pieces are all one polygon, point for point (a mine digitised
 * twice overlaps the red lines twice): GEOS's union of such copies is that
 * polygon, its same points in the same cyclic order, so the union is spared
 * (in the dense province, 41 % of the groups and a third of the unions' CPU). */
static int all_copies(GEOSContextHandle_t h, GEOSGeometry *const *pieces, size_t n, size_t first)
{
    int points = GEOSGetNumCoordinates_r(h, pieces[first]);
    for (size_t i = first + 1; i < n; i++)
        if (pieces[i] && (GEOSGetNumCoordinates_r(h, pieces[i]) != points ||
                          GEOSEqualsExact_r(h, pieces[first], pieces[i], 0) != 1))
            return 0;
    return 1;
}

/* The union of a set of lon/lat pieces, projected, as parts. */
static int parts_add_union(GEOSContextHandle_t h, gm_projector *pj, parts *p,
                           GEOSGeometry *const *pieces, size_t n)
{
    size_t count = 0, first = n;
    for (size_t i = 0; i < n; i++)
        if (pieces[i]) count++, first = first < n ? first : i;
    if (count == 0) return GM_OK;
    if (all_copies(h, pieces, n, first)) return parts_add(h, pj, p, pieces[first], 0);
    GEOSGeometry **clones = malloc(count * sizeof *clones);
    if (!clones) return GM_ERR_NOMEM;
    size_t at = 0;
    for (size_t i = 0; i < n; i++)
        if (pieces[i]) clones[at++] = GEOSGeom_clone_r(h, pieces[i]);
    GEOSGeometry *all =
        GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, clones, (unsigned)count);
    free(clones);
    GEOSGeometry *u = all ? GEOSUnaryUnion_r(h, all) : NULL;
    if (all) GEOSGeom_destroy_r(h, all);
    if (!u) return GM_ERR_INTERNAL;
    int rc = parts_add(h, pj, p, u, 0);
    GEOSGeom_destroy_r(h, u);
    return rc;
}

/* Appends a copy of polygon i of `from`, already projected. */
static int parts_add_copy(parts *p, const parts *from, size_t i)
{
    if (p->n == p->cap && parts_reserve(p, p->cap ? 2 * p->cap : 4) != GM_OK) return GM_ERR_NOMEM;
    size_t nr = from->n_rings[i], total = 0;
    for (size_t k = 0; k < nr; k++)
        total += from->ring_len[i][k];
    double *xy = malloc((total ? total : 1) * 2 * sizeof *xy);
    size_t *len = malloc(nr * sizeof *len);
    if (!xy || !len) {
        free(xy);
        free(len);
        return GM_ERR_NOMEM;
    }
    memcpy(xy, from->xy[i], total * 2 * sizeof *xy);
    memcpy(len, from->ring_len[i], nr * sizeof *len);
    memcpy(p->box[p->n], from->box[i], sizeof p->box[0]);
    p->xy[p->n] = xy, p->ring_len[p->n] = len, p->n_rings[p->n] = nr;
    p->n++;
    return GM_OK;
}

/* ---- projecting on the worker pool ---- */

/* The pool the rasters' polygons are projected and their tiles computed on,
 * with a projector per worker (a PROJ context is not shared between threads). */
typedef struct projecting {
    gm_pool *pool;
    gm_projector *pj;
    int n;
} projecting;

static void projecting_free(projecting *P)
{
    for (int i = 0; i < P->n; i++)
        gm_projector_free(&P->pj[i]);
    free(P->pj);
    gm_pool_free(P->pool);
    memset(P, 0, sizeof *P);
}

static int projecting_new(gm_context *ctx, projecting *P)
{
    memset(P, 0, sizeof *P);
    int rc = gm_pool_new(ctx, &P->pool);
    if (rc != GM_OK) return rc;
    int n = gm_pool_size(P->pool);
    if (!(P->pj = calloc((size_t)n, sizeof *P->pj))) {
        projecting_free(P);
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    }
    for (; P->n < n; P->n++)
        if ((rc = gm_projector_init(&P->pj[P->n])) != GM_OK) {
            projecting_free(P);
            return gm_error(ctx, rc, "PROJ cannot project to %s", GM_GRID_CRS_NAME);
        }
    return GM_OK;
}

/* Items to project, each one polygon as it is or the union of several: item
 * i is geoms[at[i] .. at[i + 1]) (at NULL: geoms[i] alone); its polygons go
 * to out[i], and all of them to the caller's parts in item order after the
 * loop, so the result does not depend on which worker took which item. Task
 * k takes item order[k] (NULL: k): the largest unions first, so that no
 * worker is left with a large one while the other waits at the end. An item
 * already projected elsewhere (copy[i] != NO_COPY) is copied from
 * known->xy[copy[i]]: the same points the projection would give. */
#define NO_COPY ((size_t)-1)

typedef struct project_loop {
    GEOSGeometry *const *geoms;
    const size_t *at, *order;
    int valid; /* the geometries are known valid (the loaded inputs) */
    const parts *known;
    const size_t *copy;
    gm_projector *pj;
    parts *out;
} project_loop;

typedef struct weighed {
    size_t item, points;
} weighed;

static int by_points_down(const void *a, const void *b)
{
    const weighed *x = a, *y = b;
    if (x->points != y->points) return x->points < y->points ? 1 : -1;
    return x->item < y->item ? -1 : x->item > y->item;
}

/* The items in order of their points, most first; NULL when out of memory
 * (then the items go in their own order: the same result, later). */
static size_t *largest_first(GEOSContextHandle_t h, GEOSGeometry *const *geoms, const size_t *at,
                             size_t n)
{
    weighed *w = malloc(n * sizeof *w);
    size_t *order = malloc(n * sizeof *order);
    if (!w || !order) {
        free(w);
        free(order);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        w[i] = (weighed){i, 0};
        for (size_t k = at[i]; k < at[i + 1]; k++) {
            int points = geoms[k] ? GEOSGetNumCoordinates_r(h, geoms[k]) : 0;
            w[i].points += points > 0 ? (size_t)points : 0;
        }
    }
    qsort(w, n, sizeof *w, by_points_down);
    for (size_t i = 0; i < n; i++)
        order[i] = w[i].item;
    free(w);
    return order;
}

static int project_task(gm_worker *w, size_t k, void *user)
{
    project_loop *L = user;
    size_t i = L->order ? L->order[k] : k;
    size_t a = L->at ? L->at[i] : i, b = L->at ? L->at[i + 1] : i + 1;
    gm_projector *pj = &L->pj[w->id];
    int rc = L->copy && L->copy[i] != NO_COPY ? parts_add_copy(&L->out[i], L->known, L->copy[i])
             : b - a == 1 ? parts_add(w->geos, pj, &L->out[i], L->geoms[a], L->valid)
                          : parts_add_union(w->geos, pj, &L->out[i], L->geoms + a, b - a);
    if (rc == GM_OK) return GM_OK;
    return gm_worker_error(w, rc, "cannot project the polygons to %s: %s", GM_GRID_CRS_NAME,
                           rc == GM_ERR_NOMEM ? "out of memory" : "GEOS or PROJ failed");
}

/* Appends the polygons of n items (see project_loop), projected on the pool;
 * `first` (optional, n + 1 entries): where each item's polygons start in p,
 * and the end. */
static int project_items(gm_context *ctx, projecting *P, parts *p, GEOSGeometry *const *geoms,
                         const size_t *at, size_t n, int valid, const parts *known,
                         const size_t *copy, size_t *first)
{
    if (first) first[0] = p->n;
    if (n == 0) return GM_OK;
    parts *out = calloc(n, sizeof *out);
    if (!out) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    size_t *order = at && gm_pool_size(P->pool) > 1 ? largest_first(ctx->geos, geoms, at, n) : NULL;
    project_loop L = {geoms, at, order, valid, known, copy, P->pj, out};
    int rc = gm_pool_run(P->pool, NULL, n, project_task, &L);
    free(order);
    size_t total = p->n;
    for (size_t i = 0; i < n; i++)
        total += out[i].n;
    /* grow once, then move the items' arrays in */
    if (rc == GM_OK && total > p->cap && parts_reserve(p, total) != GM_OK)
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        parts *o = &out[i];
        if (first) first[i] = p->n;
        if (rc == GM_OK && o->n) {
            memcpy(p->box + p->n, o->box, o->n * sizeof *o->box);
            memcpy(p->xy + p->n, o->xy, o->n * sizeof *o->xy);
            memcpy(p->ring_len + p->n, o->ring_len, o->n * sizeof *o->ring_len);
            memcpy(p->n_rings + p->n, o->n_rings, o->n * sizeof *o->n_rings);
            p->n += o->n;
            o->n = 0; /* moved: only the arrays are freed */
        }
        parts_free(o);
    }
    if (first) first[n] = p->n;
    free(out);
    return rc;
}

/* ---- dissolving only what overlaps ---- */

typedef struct piece {
    const GEOSGeometry *g;
    double box[4];
    size_t from; /* pieces[from] ... */
    int q;       /* ... its polygon q */
} piece;

static int by_minx(const void *a, const void *b)
{
    const piece *x = a, *y = b;
    return x->box[0] < y->box[0] ? -1 : x->box[0] > y->box[0];
}

static size_t find_root(size_t *parent, size_t i)
{
    while (parent[i] != i)
        i = parent[i] = parent[parent[i]];
    return i;
}

/* The union of a set of lon/lat pieces, projected, as parts -- without one
 * union of everything: pieces that meet no other (most of them: the zones'
 * completed areas, the mines' overlaps) are taken as they are, and only each
 * group of pieces that meet is dissolved. The coverage adds parts, so parts
 * must not overlap; parts that only touch add up exactly. A piece that is
 * item known_item[i] (not NO_COPY) of `known`, projected before as
 * known->xy[known_first[item] ..], is copied from there when it stands alone. */
static int parts_add_dissolved(gm_context *ctx, projecting *P, parts *p,
                               GEOSGeometry *const *pieces, size_t n, const parts *known,
                               const size_t *known_first, const size_t *known_item)
{
    GEOSContextHandle_t h = ctx->geos;
    /* the pieces' polygons: a dissolved multipolygon's do not overlap each
     * other, so only those that meet another piece's need a union */
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        if (pieces[i]) {
            int parts_n = GEOSGetNumGeometries_r(h, pieces[i]);
            total += parts_n > 0 ? (size_t)parts_n : 0;
        }
    piece *pc = malloc((total ? total : 1) * sizeof *pc);
    size_t *parent = malloc((total ? total : 1) * sizeof *parent);
    size_t m = 0;
    int rc = pc && parent ? GM_OK : GM_ERR_NOMEM;
    for (size_t i = 0; i < n && rc == GM_OK; i++) {
        int parts_n = pieces[i] ? GEOSGetNumGeometries_r(h, pieces[i]) : 0;
        for (int q = 0; q < parts_n && rc == GM_OK; q++) {
            const GEOSGeometry *g = GEOSGetGeometryN_r(h, pieces[i], q);
            if (!g) rc = GM_ERR_INTERNAL;
            if (!g || GEOSisEmpty_r(h, g)) continue;
            piece *x = &pc[m];
            x->g = g, x->from = i, x->q = q;
            if (!GEOSGeom_getXMin_r(h, g, &x->box[0]) || !GEOSGeom_getYMin_r(h, g, &x->box[1]) ||
                !GEOSGeom_getXMax_r(h, g, &x->box[2]) || !GEOSGeom_getYMax_r(h, g, &x->box[3]))
                rc = GM_ERR_INTERNAL;
            parent[m] = m;
            m++;
        }
    }
    if (rc == GM_OK) qsort(pc, m, sizeof *pc, by_minx);
    /* sweep along x: pairs whose boxes meet, then GEOS says whether they do
     * (piece i prepared: a plain intersects test builds a whole relate graph
     * per pair, 40x slower on the red lines' long vertex chains) */
    for (size_t i = 0; i < m && rc == GM_OK; i++) {
        const GEOSPreparedGeometry *prep = NULL;
        for (size_t k = i + 1; k < m && pc[k].box[0] <= pc[i].box[2]; k++) {
            if (pc[k].box[1] > pc[i].box[3] || pc[k].box[3] < pc[i].box[1]) continue;
            if (find_root(parent, i) == find_root(parent, k)) continue;
            if (!prep && !(prep = GEOSPrepare_r(h, pc[i].g))) {
                rc = GM_ERR_INTERNAL;
                break;
            }
            char meet = GEOSPreparedIntersects_r(h, prep, pc[k].g);
            if (meet == 2) {
                rc = GM_ERR_INTERNAL;
                break;
            }
            if (meet) parent[find_root(parent, k)] = find_root(parent, i);
        }
        if (prep) GEOSPreparedGeom_destroy_r(h, prep);
    }
    /* each group (chained from its root through `next`): as it is, or its
     * union -- the groups one after the other in `group`, group g at
     * at[g] .., projected on the pool */
    GEOSGeometry **group = malloc((m ? m : 1) * sizeof *group);
    size_t *next = malloc((m ? m : 1) * sizeof *next), none = (size_t)-1;
    size_t *at = malloc((m + 1) * sizeof *at), n_groups = 0, k = 0;
    size_t *copy = known_item ? malloc((m ? m : 1) * sizeof *copy) : NULL;
    if ((!group || !next || !at || (known_item && !copy)) && rc == GM_OK) rc = GM_ERR_NOMEM;
    for (size_t i = 0; i < m && rc == GM_OK; i++)
        next[i] = none;
    for (size_t i = m; i-- > 0 && rc == GM_OK;) {
        size_t r = find_root(parent, i);
        if (r != i) next[i] = next[r], next[r] = i;
    }
    for (size_t i = 0; i < m && rc == GM_OK; i++) {
        if (find_root(parent, i) != i) continue;
        if (copy) { /* alone, and known as polygon q of an item whose polygons are all there */
            size_t item = next[i] == none ? known_item[pc[i].from] : NO_COPY;
            int polys = item != NO_COPY ? GEOSGetNumGeometries_r(h, pieces[pc[i].from]) : -1;
            copy[n_groups] = polys > 0 && known_first[item + 1] - known_first[item] == (size_t)polys
                                 ? known_first[item] + (size_t)pc[i].q
                                 : NO_COPY;
        }
        at[n_groups++] = k;
        for (size_t j = i; j != none; j = next[j])
            group[k++] = (GEOSGeometry *)pc[j].g;
    }
    if (rc == GM_OK) {
        at[n_groups] = k;
        rc = project_items(ctx, P, p, group, at, n_groups, 0, known, copy, NULL);
    } else {
        rc = gm_error(ctx, rc, "cannot dissolve the polygons: %s",
                      rc == GM_ERR_NOMEM ? "out of memory" : gm_geos_message(ctx));
    }
    free(group);
    free(next);
    free(at);
    free(copy);
    free(pc);
    free(parent);
    return rc;
}

/* ---- the grid, tile by tile ------------------------------------------------- */

#define MAX_LEVELS 16
#define HALF (TILE / 2)

/* The polygons whose bounding boxes meet each tile: idx[start[t] .. start[t+1]). */
typedef struct bins {
    size_t *start, *idx;
} bins;

static void bins_free(bins *b)
{
    free(b->start);
    free(b->idx);
    memset(b, 0, sizeof *b);
}

/* The tile range [lo, hi] a box spans on one axis (cell units from the grid's
 * edge); 0 when it misses the grid. */
static int tile_span(double from, double to, size_t n_tiles, size_t *lo, size_t *hi)
{
    double a = floor(from / TILE), b = floor(to / TILE);
    if (b < 0 || a >= (double)n_tiles) return 0;
    *lo = a < 0 ? 0 : (size_t)a;
    *hi = b >= (double)n_tiles ? n_tiles - 1 : (size_t)b;
    return 1;
}

static int bin_parts(const parts *p, const gm_grid *g, size_t tcols, size_t trows, bins *b)
{
    size_t nt = tcols * trows;
    b->start = calloc(nt + 1, sizeof *b->start);
    if (!b->start) return GM_ERR_NOMEM;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < p->n; i++) {
            const double *x = p->box[i];
            size_t c0, c1, r0, r1;
            if (!tile_span((x[0] - g->x0) / g->cell, (x[2] - g->x0) / g->cell, tcols, &c0, &c1) ||
                !tile_span((g->y0 - x[3]) / g->cell, (g->y0 - x[1]) / g->cell, trows, &r0, &r1))
                continue;
            for (size_t r = r0; r <= r1; r++)
                for (size_t c = c0; c <= c1; c++) {
                    if (pass == 0)
                        b->start[r * tcols + c + 1]++;
                    else
                        b->idx[b->start[r * tcols + c]++] = i;
                }
        }
        if (pass == 0) {
            for (size_t t = 0; t < nt; t++)
                b->start[t + 1] += b->start[t];
            if (!(b->idx = malloc((b->start[nt] ? b->start[nt] : 1) * sizeof *b->idx)))
                return GM_ERR_NOMEM;
        } else { /* the fill moved each start to the next tile's: shift back */
            memmove(b->start + 1, b->start, nt * sizeof *b->start);
            b->start[0] = 0;
        }
    }
    return GM_OK;
}

/* An overview tile being summed: for each of its cells, the sum of the
 * full-resolution fractions of the data cells under it, and their count. So
 * an overview cell is the exact mean of its footprint's data cells at every
 * level -- not a mean of means, which would weigh a half-empty corner like a
 * full one. Each of its four quadrants is fed by one tile of the level below
 * (one task), which records the box it touched there: the tile is read, and
 * zeroed again for reuse, only inside those boxes. */
typedef struct box {
    size_t r0, r1, c0, c1; /* rows [r0, r1), columns [c0, c1); empty when r0 == r1 */
} box;

typedef struct acc {
    double *sum;
    uint32_t *cnt;
    box quad[4]; /* [row % 2 * 2 + col % 2 of the tile below] */
    /* per row, the columns [lo, hi) fed from the left / right half's tile
     * (hi == 0: none): a sparse tile's sums are read and zeroed only there */
    uint16_t lo[2][TILE], hi[2][TILE];
    struct acc *next_free;
} acc;

/* A mask polygon's box in a tile's data box, a cell wider on every side:
 * rows [r0, r1), columns [c0, c1). */
typedef struct cellbox {
    size_t r0, r1, c0, c1;
} cellbox;

static int by_c0(const void *a, const void *b)
{
    const cellbox *x = a, *y = b;
    return x->c0 < y->c0 ? -1 : x->c0 > y->c0;
}

typedef struct scratch {
    double *mask, *val;
    float *out;
    struct acc *acc1;        /* the level-1 tile its group task sums (NULL: no overviews) */
    gm_cog_span spans[TILE]; /* each tile row's cells that may hold data (encoder) */
    gm_cog_encoder *enc;
    gm_coverage_ws *ws;
    cellbox *boxes; /* the most a tile has */
} scratch;

typedef struct raster_job {
    gm_context *ctx;
    const char *path; /* the .tif, written as it is named */
    gm_raster_kind kind;
    const char *description;
    parts mask, value; /* mask: where the raster has data; value: what it measures */
    double cell;
    int as_of;
    const char *run_id; /* GREENMINE_RUN_ID, or NULL */
    /* while computing */
    gm_grid grid;
    int n_levels;
    gm_cog_level level[MAX_LEVELS];
    bins mbins, vbins;
    unsigned char *inside;  /* per tile: wholly inside a mask polygon, no mask edge near */
    acc **band[MAX_LEVELS]; /* band[k][tile column]: level k's tile row being summed */
    acc *free_accs;         /* zeroed, for reuse */
    size_t row;             /* the tile row the pool works on (level 1: the first of two) */
    size_t groups;          /* level-1 tiles in a row */
    int lv;                 /* ... of this level */
    scratch *scr;
    gm_pool *pool;         /* the caller's */
    gm_raster_memory *mem; /* where tile buffers come from and go back to */
} raster_job;

#define TILE_BUFFER ((size_t)2 << 20)

/* A zeroed tile-sized buffer (at most TILE_BUFFER bytes): fresh anonymous
 * memory, zero by the kernel's word, 2 MiB-aligned so that it can be one huge
 * page (a virtual machine's page faults cost more than the zeroing: 512 of
 * them per 2 MiB otherwise). Nothing is touched here: the first worker that
 * writes to it has it faulted in and cleared, in parallel with the others --
 * when this thread zeroed the buffers between two tile rows, the workers
 * waited for it (0.3-0.6 s of page clearing on dense s1). */
_Static_assert((size_t)TILE *TILE * sizeof(double) <= TILE_BUFFER, "a tile's doubles fit");

#ifdef __SANITIZE_ADDRESS__
/* under AddressSanitizer, from malloc, so that it watches the buffers' ends */
static void *tile_buffer(void)
{
    void *p = NULL;
    if (posix_memalign(&p, TILE_BUFFER, TILE_BUFFER) != 0) return NULL;
    memset(p, 0, TILE_BUFFER);
    return p;
}

static void tile_buffer_free(void *p)
{
    free(p);
}
#else
static void *tile_buffer(void)
{
    const size_t huge = TILE_BUFFER;
    unsigned char *raw =
        mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return NULL;
    unsigned char *p = (unsigned char *)(((uintptr_t)raw + huge - 1) & ~(uintptr_t)(huge - 1));
    if (p > raw) munmap(raw, (size_t)(p - raw));
    if (p + huge < raw + 2 * huge) munmap(p + huge, (size_t)(raw + 2 * huge - (p + huge)));
    (void)madvise(p, huge, MADV_HUGEPAGE); /* a hint: fine if refused */
    return p;
}

static void tile_buffer_free(void *p)
{
    if (p) munmap(p, TILE_BUFFER);
}
#endif

/* A mask gm_raster_estimate projected (the zones' or the mines'), for
 * gm_write_raster to take instead of projecting it again: `in`'s n items,
 * item i's polygons from first[i] (conflict only, else NULL). */
typedef struct kept_mask {
    const gm_inputs *in;
    size_t n, *first;
    parts p;
} kept_mask;

/* Zeroed buffers kept for reuse: a second raster, or the next overview
 * band, computes in memory the process has already had cleared. */
struct gm_raster_memory {
    void **kept;
    size_t n, cap;
    kept_mask mask[GM_RASTER_KINDS];
};

gm_raster_memory *gm_raster_memory_new(void)
{
    return calloc(1, sizeof(gm_raster_memory));
}

void gm_raster_memory_free(gm_raster_memory *m)
{
    if (!m) return;
    while (m->n)
        tile_buffer_free(m->kept[--m->n]);
    free(m->kept);
    for (int k = 0; k < GM_RASTER_KINDS; k++) {
        parts_free(&m->mask[k].p);
        free(m->mask[k].first);
    }
    free(m);
}

/* A zeroed tile buffer: one kept in m, or fresh. */
static void *buffer_get(gm_raster_memory *m)
{
    return m->n ? m->kept[--m->n] : tile_buffer();
}

/* Keeps p (zeroed by the caller), or frees it when it cannot be kept. */
static void buffer_put(gm_raster_memory *m, void *p)
{
    if (!p) return;
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 16;
        void **k = realloc(m->kept, cap * sizeof *k);
        if (!k) {
            tile_buffer_free(p);
            return;
        }
        m->kept = k, m->cap = cap;
    }
    m->kept[m->n++] = p;
}

/* An overview tile's sums, zeroed; NULL when out of memory. */
static acc *acc_new(gm_raster_memory *m)
{
    acc *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->sum = buffer_get(m);
    a->cnt = buffer_get(m);
    if (!a->sum || !a->cnt) {
        tile_buffer_free(a->sum);
        tile_buffer_free(a->cnt);
        free(a);
        return NULL;
    }
    return a;
}

/* Frees a; its buffers go back to m when `zeroed` (the sums were all read). */
static void acc_free(gm_raster_memory *m, acc *a, int zeroed)
{
    if (!a) return;
    if (zeroed) {
        buffer_put(m, a->sum);
        buffer_put(m, a->cnt);
    } else {
        tile_buffer_free(a->sum);
        tile_buffer_free(a->cnt);
    }
    free(a);
}

/* Records that the tile below at (tr, tc) fed its cells in rows [r0, r1)
 * and columns [c0, c1) (its own cell units) into `up`. */
static void acc_mark(acc *up, size_t tr, size_t tc, size_t r0, size_t r1, size_t c0, size_t c1)
{
    box *b = &up->quad[(tr % 2) * 2 + tc % 2];
    b->r0 = (tr % 2) * HALF + r0 / 2, b->r1 = (tr % 2) * HALF + (r1 + 1) / 2;
    b->c0 = (tc % 2) * HALF + c0 / 2, b->c1 = (tc % 2) * HALF + (c1 + 1) / 2;
}

/* Records that row r of `up`, in its column half `half`, was fed in
 * columns [c0, c1). */
static void acc_span(acc *up, size_t half, size_t r, size_t c0, size_t c1)
{
    uint16_t *lo = &up->lo[half][r], *hi = &up->hi[half][r];
    if (*hi == 0) {
        *lo = (uint16_t)c0, *hi = (uint16_t)c1;
        return;
    }
    if (c0 < *lo) *lo = (uint16_t)c0;
    if (c1 > *hi) *hi = (uint16_t)c1;
}

static int encode_into(gm_worker *w, raster_job *j, scratch *s, size_t r0, size_t r1,
                       gm_cog_blob *blob)
{
    int rc = gm_cog_encode(s->enc, s->out, r0, r1, s->spans, blob);
    return rc == GM_OK
               ? GM_OK
               : gm_worker_error(w, rc, "%s: cannot compress a tile: out of memory", j->path);
}

static int add_part(const parts *p, size_t i, const gm_grid *g, double *frac, gm_coverage_ws *ws)
{
    return gm_coverage_add_xy(g, p->xy[i], p->ring_len[i], p->n_rings[i], frac, ws);
}

/* A tile's data box: the tile's corner (tx, ty), the cell, and the box's
 * rows [br0, br0 + h) and columns [bc0, bc0 + wd) in the tile. */
typedef struct cell_frame {
    double tx, ty, cell;
    size_t br0, bc0, h, wd;
} cell_frame;

/* A polygon's bounding box b as cells of the data box, a cell wider on every
 * side than any cell add_part can write for it; 0 when it misses the box. */
static int cell_rect(const cell_frame *f, const double *b, cellbox *x)
{
    double u0 = floor((b[0] - f->tx) / f->cell) - (double)f->bc0 - 1.0;
    double u1 = ceil((b[2] - f->tx) / f->cell) - (double)f->bc0 + 1.0;
    double v0 = floor((f->ty - b[3]) / f->cell) - (double)f->br0 - 1.0;
    double v1 = ceil((f->ty - b[1]) / f->cell) - (double)f->br0 + 1.0;
    x->c0 = (size_t)fmin(fmax(u0, 0.0), (double)f->wd);
    x->c1 = (size_t)fmin(fmax(u1, 0.0), (double)f->wd);
    x->r0 = (size_t)fmin(fmax(v0, 0.0), (double)f->h);
    x->r1 = (size_t)fmin(fmax(v1, 0.0), (double)f->h);
    return x->c1 > x->c0 && x->r1 > x->r0;
}

static void zero_rect(double *buf, size_t wd, const cellbox *x)
{
    for (size_t r = x->r0; r < x->r1; r++)
        memset(buf + r * wd + x->c0, 0, (x->c1 - x->c0) * sizeof *buf);
}

/* Zeroes in buf what the polygons of bins b in tile t wrote: their boxes,
 * or the box around them all when that is less (overlapping boxes). */
static void zero_boxes(double *buf, size_t wd, const cell_frame *f, const parts *p, const bins *b,
                       size_t t)
{
    cellbox all = {SIZE_MAX, 0, SIZE_MAX, 0}, x;
    size_t cells = 0;
    for (size_t k = b->start[t]; k < b->start[t + 1]; k++)
        if (cell_rect(f, p->box[b->idx[k]], &x)) {
            cells += (x.r1 - x.r0) * (x.c1 - x.c0);
            all.r0 = x.r0 < all.r0 ? x.r0 : all.r0, all.r1 = x.r1 > all.r1 ? x.r1 : all.r1;
            all.c0 = x.c0 < all.c0 ? x.c0 : all.c0, all.c1 = x.c1 > all.c1 ? x.c1 : all.c1;
        }
    if (cells == 0) return;
    if (cells >= (all.r1 - all.r0) * (all.c1 - all.c0)) {
        zero_rect(buf, wd, &all);
        return;
    }
    for (size_t k = b->start[t]; k < b->start[t + 1]; k++)
        if (cell_rect(f, p->box[b->idx[k]], &x)) zero_rect(buf, wd, &x);
}

/* Whether the point (x, y) is inside polygon i of p (even-odd over its rings). */
static int part_contains(const parts *p, size_t i, double x, double y)
{
    int in = 0;
    const double *xy = p->xy[i];
    for (size_t k = 0, at = 0; k < p->n_rings[i]; at += p->ring_len[i][k], k++)
        for (size_t a = at, n = p->ring_len[i][k], q = 0; q < n; q++) {
            const double *u = &xy[2 * (a + q)], *v = &xy[2 * (a + (q + 1) % n)];
            if ((u[1] > y) != (v[1] > y) && x < u[0] + (y - u[1]) / (v[1] - u[1]) * (v[0] - u[0]))
                in = !in;
        }
    return in;
}

/* j->inside: the tiles that no mask polygon's edge comes within a cell of and
 * that lie inside one of their mask polygons -- every cell of such a tile is
 * wholly covered, so data (the mask, which only tells data from nodata, need
 * not be computed there: the zones' interiors). */
static int mark_inside(raster_job *j)
{
    const gm_cog_level *l0 = &j->level[0];
    size_t nt = l0->tcols * l0->trows;
    unsigned char *near = calloc(nt ? nt : 1, 1);
    j->inside = calloc(nt ? nt : 1, 1);
    if (!near || !j->inside) {
        free(near);
        return GM_ERR_NOMEM;
    }
    const gm_grid *g = &j->grid;
    for (size_t i = 0; i < j->mask.n; i++) {
        const double *xy = j->mask.xy[i];
        for (size_t k = 0, at = 0; k < j->mask.n_rings[i]; at += j->mask.ring_len[i][k], k++)
            for (size_t q = 0, n = j->mask.ring_len[i][k]; q < n; q++) {
                const double *u = &xy[2 * (at + q)], *v = &xy[2 * (at + (q + 1) % n)];
                size_t c0, c1, r0, r1;
                double ua = (u[0] - g->x0) / g->cell, ub = (v[0] - g->x0) / g->cell;
                double va = (g->y0 - u[1]) / g->cell, vb = (g->y0 - v[1]) / g->cell;
                if (!tile_span(fmin(ua, ub) - 1.0, fmax(ua, ub) + 1.0, l0->tcols, &c0, &c1) ||
                    !tile_span(fmin(va, vb) - 1.0, fmax(va, vb) + 1.0, l0->trows, &r0, &r1))
                    continue;
                for (size_t r = r0; r <= r1; r++)
                    memset(near + r * l0->tcols + c0, 1, c1 - c0 + 1);
            }
    }
    for (size_t t = 0; t < nt; t++) {
        if (near[t] || j->mbins.start[t] == j->mbins.start[t + 1]) continue;
        size_t r = t / l0->tcols, c = t % l0->tcols;
        double rows = fmin((double)TILE, (double)(g->rows - r * TILE));
        double cols = fmin((double)TILE, (double)(g->cols - c * TILE));
        double x = g->x0 + ((double)(c * TILE) + 0.5 * cols) * g->cell;
        double y = g->y0 - ((double)(r * TILE) + 0.5 * rows) * g->cell;
        for (size_t k = j->mbins.start[t]; k < j->mbins.start[t + 1] && !j->inside[t]; k++)
            j->inside[t] = (unsigned char)part_contains(&j->mask, j->mbins.idx[k], x, y);
    }
    free(near);
    return GM_OK;
}

#define NODATA_F ((float)GM_RASTER_NODATA)

static void fill_cells(float *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = NODATA_F;
}

static inline double clamp01(double v)
{
    return v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
}

/* Cells [a, e) of one row of a tile's data box (starting bc0 cells into the
 * tile): each mask cell's clamped value into o, and into the overview row's
 * sums (usum, ucnt: one per two cells of the tile), the two cells under one
 * overview cell added in order, (sum + first) + second. Branch-free: a cell
 * outside the mask adds +0.0, which leaves a sum unchanged (a sum starts at
 * +0.0 and only values >= +0.0 or -0.0 are added, so it is never -0.0). */
static int cells_summed(const double *m, const double *v, float *o, double *usum, uint32_t *ucnt,
                        size_t bc0, size_t a, size_t e, int inside)
{
    size_t c = a;
    int any = 0;
    if ((bc0 + c) % 2 && c < e) { /* the second cell of an overview cell */
        int in = inside || m[c] > MASK_MIN;
        any |= in;
        double x = clamp01(v[c]);
        o[c] = in ? (float)x : NODATA_F;
        usum[(bc0 + c) / 2] += in ? x : 0.0;
        ucnt[(bc0 + c) / 2] += (uint32_t)in;
        c++;
    }
#ifdef __SSE2__
    /* two overview cells at a time: max(0, v) then min(1, .) is clamp01 bit
     * for bit (NaN and -0.0 pass, as the second operand), a cell outside the
     * mask masked to +0.0, each overview cell's lane summed in order */
    const __m128d zero = _mm_setzero_pd(), one = _mm_set1_pd(1.0), lim = _mm_set1_pd(MASK_MIN);
    const __m128d all = inside ? _mm_castsi128_pd(_mm_set1_epi32(-1)) : zero;
    const __m128 nod = _mm_set1_ps(NODATA_F);
    for (; c + 4 <= e; c += 4) {
        __m128d in01 = _mm_or_pd(all, _mm_cmpgt_pd(_mm_loadu_pd(m + c), lim));
        __m128d in23 = _mm_or_pd(all, _mm_cmpgt_pd(_mm_loadu_pd(m + c + 2), lim));
        __m128d x01 = _mm_min_pd(one, _mm_max_pd(zero, _mm_loadu_pd(v + c)));
        __m128d x23 = _mm_min_pd(one, _mm_max_pd(zero, _mm_loadu_pd(v + c + 2)));
        __m128 f = _mm_movelh_ps(_mm_cvtpd_ps(x01), _mm_cvtpd_ps(x23));
        __m128 fin =
            _mm_shuffle_ps(_mm_castpd_ps(in01), _mm_castpd_ps(in23), _MM_SHUFFLE(2, 0, 2, 0));
        _mm_storeu_ps(o + c, _mm_or_ps(_mm_and_ps(fin, f), _mm_andnot_ps(fin, nod)));
        x01 = _mm_and_pd(in01, x01), x23 = _mm_and_pd(in23, x23);
        size_t uc = (bc0 + c) / 2;
        __m128d u = _mm_loadu_pd(usum + uc);
        u = _mm_add_pd(_mm_add_pd(u, _mm_unpacklo_pd(x01, x23)), _mm_unpackhi_pd(x01, x23));
        _mm_storeu_pd(usum + uc, u);
        int k01 = _mm_movemask_pd(in01), k23 = _mm_movemask_pd(in23);
        any |= k01 | k23;
        ucnt[uc] += (uint32_t)((k01 & 1) + (k01 >> 1));
        ucnt[uc + 1] += (uint32_t)((k23 & 1) + (k23 >> 1));
    }
#endif
    for (; c + 2 <= e; c += 2) {
        int i0 = inside || m[c] > MASK_MIN, i1 = inside || m[c + 1] > MASK_MIN;
        any |= i0 | i1;
        double x0 = clamp01(v[c]), x1 = clamp01(v[c + 1]);
        size_t uc = (bc0 + c) / 2;
        o[c] = i0 ? (float)x0 : NODATA_F;
        o[c + 1] = i1 ? (float)x1 : NODATA_F;
        usum[uc] = (usum[uc] + (i0 ? x0 : 0.0)) + (i1 ? x1 : 0.0);
        ucnt[uc] += (uint32_t)(i0 + i1);
    }
    if (c < e) { /* the first cell of one */
        int in = inside || m[c] > MASK_MIN;
        any |= in;
        double x = clamp01(v[c]);
        o[c] = in ? (float)x : NODATA_F;
        usum[(bc0 + c) / 2] += in ? x : 0.0;
        ucnt[(bc0 + c) / 2] += (uint32_t)in;
    }
    return any != 0;
}

/* Full resolution: tile (tr, tc), its sums into its quadrant of `up` (the
 * level-1 tile above it; NULL: no overviews). Only the box of its cells that
 * the mask polygons' bounding boxes meet is computed; the rest is nodata. */
static int base_tile(gm_worker *w, raster_job *j, size_t tr, size_t tc, acc *up)
{
    scratch *s = &j->scr[w->id];
    const gm_cog_level *l0 = &j->level[0];
    size_t t = tr * l0->tcols + tc;
    if (j->mbins.start[t] == j->mbins.start[t + 1]) return GM_OK; /* sparse: stays absent */
    size_t r0 = tr * TILE, c0 = tc * TILE;
    size_t nr = j->grid.rows - r0 < TILE ? j->grid.rows - r0 : TILE;
    size_t nc = j->grid.cols - c0 < TILE ? j->grid.cols - c0 : TILE;
    /* the box, in the tile's cells */
    double u0 = INFINITY, u1 = -INFINITY, v0 = INFINITY, v1 = -INFINITY;
    double tx = j->grid.x0 + (double)c0 * j->grid.cell, ty = j->grid.y0 - (double)r0 * j->grid.cell;
    for (size_t k = j->mbins.start[t]; k < j->mbins.start[t + 1]; k++) {
        const double *b = j->mask.box[j->mbins.idx[k]];
        u0 = fmin(u0, (b[0] - tx) / j->grid.cell), u1 = fmax(u1, (b[2] - tx) / j->grid.cell);
        v0 = fmin(v0, (ty - b[3]) / j->grid.cell), v1 = fmax(v1, (ty - b[1]) / j->grid.cell);
    }
    size_t br0 = v0 <= 0 ? 0 : (size_t)fmin(floor(v0), (double)nr);
    size_t br1 = (size_t)fmax(0.0, fmin(ceil(v1), (double)nr));
    size_t bc0 = u0 <= 0 ? 0 : (size_t)fmin(floor(u0), (double)nc);
    size_t bc1 = (size_t)fmax(0.0, fmin(ceil(u1), (double)nc));
    if (br1 <= br0 || bc1 <= bc0) return GM_OK;
    size_t h = br1 - br0, wd = bc1 - bc0;
    gm_grid sub = gm_grid_window(&j->grid, r0 + br0, c0 + bc0, h, wd);
    cell_frame f = {tx, ty, j->grid.cell, br0, bc0, h, wd};
    /* the mask polygons' boxes: only their cells can be data (each row walks
     * the boxes' columns there, merged, left to right), and only they are
     * written in s->mask, zeroed again after (s->mask and s->val are zero
     * between tiles: a sparse tile does not clear megabytes) */
    size_t nb = 0;
    for (size_t k = j->mbins.start[t]; k < j->mbins.start[t + 1]; k++)
        nb += cell_rect(&f, j->mask.box[j->mbins.idx[k]], &s->boxes[nb]);
    qsort(s->boxes, nb, sizeof *s->boxes, by_c0);
    /* a tile wholly inside a mask polygon is data everywhere: its mask is not
     * computed (it only tells data from nodata) */
    int inside = j->inside[t], rc = GM_OK, data = inside, valued = 0;
    for (size_t k = j->mbins.start[t]; !inside && k < j->mbins.start[t + 1] && rc == GM_OK; k++)
        rc = add_part(&j->mask, j->mbins.idx[k], &sub, s->mask, s->ws);
    for (size_t k = 0; k < nb && !data && rc == GM_OK; k++)
        for (size_t r = s->boxes[k].r0; r < s->boxes[k].r1 && !data; r++)
            for (size_t c = s->boxes[k].c0; c < s->boxes[k].c1 && !data; c++)
                data = s->mask[r * wd + c] > MASK_MIN;
    if (rc != GM_OK || !data) goto done;
    valued = 1;
    for (size_t k = j->vbins.start[t]; k < j->vbins.start[t + 1] && rc == GM_OK; k++)
        rc = add_part(&j->value, j->vbins.idx[k], &sub, s->val, s->ws);
    if (rc != GM_OK) goto done;
    size_t half = tc % 2;
    for (size_t r = 0; r < h; r++) {
        const double *m = s->mask + r * wd, *v = s->val + r * wd;
        float *row = s->out + (br0 + r) * TILE, *o = row + bc0;
        size_t ur = (tr % 2) * HALF + (br0 + r) / 2;
        double *usum = up ? up->sum + ur * TILE + half * HALF : NULL;
        uint32_t *ucnt = up ? up->cnt + ur * TILE + half * HALF : NULL;
        size_t lo = TILE, filled = 0; /* the row's cells set: [lo, filled) */
        int any = 0;                  /* a data cell in the row */
        for (size_t k = 0; k < nb;) {
            if (r < s->boxes[k].r0 || r >= s->boxes[k].r1) {
                k++;
                continue;
            }
            size_t a = s->boxes[k].c0, e = s->boxes[k].c1;
            for (k++; k < nb && s->boxes[k].c0 <= e; k++) /* the boxes it meets */
                if (r >= s->boxes[k].r0 && r < s->boxes[k].r1 && s->boxes[k].c1 > e)
                    e = s->boxes[k].c1;
            if (lo == TILE)
                lo = bc0 + a;
            else
                fill_cells(row + filled, bc0 + a - filled);
            filled = bc0 + e;
            if (up) {
                any |= cells_summed(m, v, o, usum, ucnt, bc0, a, e, inside);
                acc_span(up, half, ur, half * HALF + (bc0 + a) / 2,
                         half * HALF + (bc0 + e + 1) / 2);
            } else {
                for (size_t c = a; c < e; c++) {
                    int in = inside || m[c] > MASK_MIN;
                    o[c] = in ? (float)clamp01(v[c]) : NODATA_F;
                    any |= in;
                }
            }
        }
        /* the encoder reads the span; the rest of the row is nodata, as is a
         * row no box covers */
        s->spans[br0 + r] =
            any ? (gm_cog_span){(uint16_t)lo, (uint16_t)filled} : (gm_cog_span){0, 0};
    }
    /* the encoder reads the data box's rows, their spans; the rest is nodata */
    if (up) acc_mark(up, tr, tc, br0, br1, bc0, bc1);
    rc = encode_into(w, j, s, br0, br1, &j->level[0].tiles[t]);
    if (rc != GM_OK) return rc; /* the run stops: the buffers are not reused */
done:
    if (!inside) zero_boxes(s->mask, wd, &f, &j->mask, &j->mbins, t);
    if (valued) zero_boxes(s->val, wd, &f, &j->value, &j->vbins, t);
    if (rc != GM_OK)
        return gm_worker_error(w, rc, "%s: cannot compute the cell fractions: %s", j->path,
                               rc == GM_ERR_NOMEM ? "out of memory" : "GEOS cannot read a polygon");
    return GM_OK;
}

/* Widens a row's span by cells [c0, c1) just written, setting the cells
 * between to nodata (the encoder reads the span whole). */
static void span_add(gm_cog_span *sp, float *row, size_t c0, size_t c1)
{
    if (sp->hi <= sp->lo) {
        sp->lo = (uint16_t)c0, sp->hi = (uint16_t)c1;
        return;
    }
    if (c0 >= sp->hi) fill_cells(row + sp->hi, c0 - sp->hi);
    if (c1 <= sp->lo) fill_cells(row + c1, sp->lo - c1);
    if (c0 < sp->lo) sp->lo = (uint16_t)c0;
    if (c1 > sp->hi) sp->hi = (uint16_t)c1;
}

/* Cells [c0, c1) of one row of an overview tile: each cell with data gets
 * its mean, and its sums go on into the level above's row (usum, ucnt: one
 * per two cells; NULL at the top level), the two under one cell added in
 * order. Branch-free: a cell without data has sum +0.0, which leaves the
 * sum above unchanged. Whether any cell had data. */
static int means_summed(const double *sum, const uint32_t *cnt, float *out, double *usum,
                        uint32_t *ucnt, size_t c0, size_t c1)
{
    uint32_t any = 0;
    for (size_t c = c0; c < c1; c++) {
        any |= cnt[c];
        double mean = sum[c] / (cnt[c] ? cnt[c] : 1);
        out[c] = cnt[c] ? (float)mean : NODATA_F;
    }
    if (!usum) return any != 0;
    size_t c = c0;
    if (c % 2 && c < c1) {
        usum[c / 2] += sum[c], ucnt[c / 2] += cnt[c];
        c++;
    }
    for (; c + 2 <= c1; c += 2) {
        usum[c / 2] = (usum[c / 2] + sum[c]) + sum[c + 1];
        ucnt[c / 2] += cnt[c] + cnt[c + 1];
    }
    if (c < c1) usum[c / 2] += sum[c], ucnt[c / 2] += cnt[c];
    return any != 0;
}

/* Overview level k: tile (row, tc), from the sums `a` of the level below;
 * passes them on into `up` (NULL at the top level), and zeroes what it read. */
static int overview_tile(gm_worker *w, raster_job *j, int k, size_t row, size_t tc, acc *a, acc *up)
{
    scratch *s = &j->scr[w->id];
    int any = 0;
    size_t ur0 = TILE, ur1 = 0, uc0 = TILE, uc1 = 0; /* the quadrants' boxes together */
    for (int q = 0; q < 4; q++) {
        const box *b = &a->quad[q];
        if (b->r1 <= b->r0) continue;
        ur0 = b->r0 < ur0 ? b->r0 : ur0, ur1 = b->r1 > ur1 ? b->r1 : ur1;
        uc0 = b->c0 < uc0 ? b->c0 : uc0, uc1 = b->c1 > uc1 ? b->c1 : uc1;
    }
    for (size_t r = ur0; r < ur1; r++)
        s->spans[r] = (gm_cog_span){0, 0};
    for (int q = 0; q < 4; q++) {
        const box *b = &a->quad[q];
        size_t qh = (size_t)q % 2; /* the column half this quadrant's rows were fed in */
        for (size_t r = b->r0; r < b->r1; r++) {
            if (a->hi[qh][r] == 0) continue; /* nothing fed into this row */
            size_t c0 = a->lo[qh][r] > b->c0 ? a->lo[qh][r] : b->c0;
            size_t c1 = a->hi[qh][r] < b->c1 ? a->hi[qh][r] : b->c1;
            a->hi[qh][r] = 0;
            if (c1 <= c0) continue;
            double *sum = a->sum + r * TILE;
            uint32_t *cnt = a->cnt + r * TILE;
            float *out = s->out + r * TILE;
            size_t ur = (row % 2) * HALF + r / 2, uh = tc % 2;
            size_t urow = ur * TILE + uh * HALF;
            any |= means_summed(sum, cnt, out, up ? up->sum + urow : NULL,
                                up ? up->cnt + urow : NULL, c0, c1);
            span_add(&s->spans[r], out, c0, c1);
            if (up) acc_span(up, uh, ur, uh * HALF + c0 / 2, uh * HALF + (c1 + 1) / 2);
            memset(sum + c0, 0, (c1 - c0) * sizeof *sum); /* zeroed for reuse */
            memset(cnt + c0, 0, (c1 - c0) * sizeof *cnt);
        }
        a->quad[q] = (box){0, 0, 0, 0};
    }
    if (up && ur1 > ur0) acc_mark(up, row, tc, ur0, ur1, uc0, uc1);
    if (!any) return GM_OK;
    return encode_into(w, j, s, ur0, ur1, &j->level[k].tiles[row * j->level[k].tcols + tc]);
}

/* Overview level j->lv >= 2: tile (j->row, tc) of its band. */
static int overview_task(gm_worker *w, size_t tc, void *user)
{
    raster_job *j = user;
    int k = j->lv;
    acc *a = j->band[k][tc];
    if (!a) return GM_OK;
    return overview_tile(w, j, k, j->row, tc, a,
                         k + 1 < j->n_levels ? j->band[k + 1][tc / 2] : NULL);
}

/* Level-1 tile i of the two rows from j->row: the (up to) four
 * full-resolution tiles under it, summed into the worker's own level-1 tile,
 * then that tile, its sums into level 2's band. One worker does the group,
 * so level 1 needs no band of its own: two level-1 tiles in memory, not a
 * row of them. The two rows feed one row of level 2, each tile its own
 * quadrant: one loop for both, so a worker whose row is done takes the
 * other's tiles (one row alone often has a single tile with data). */
static int group_task(gm_worker *w, size_t i, void *user)
{
    raster_job *j = user;
    const gm_cog_level *l0 = &j->level[0];
    if (j->n_levels == 1) return base_tile(w, j, 0, 0, NULL); /* the grid is one tile */
    size_t row = j->row + i / j->groups, c1 = i % j->groups;
    acc *a = j->scr[w->id].acc1;
    int rc = GM_OK;
    for (size_t q = 0; q < 4 && rc == GM_OK; q++) {
        size_t tr = 2 * row + q / 2, tc = 2 * c1 + q % 2;
        if (tr < l0->trows && tc < l0->tcols) rc = base_tile(w, j, tr, tc, a);
    }
    if (rc != GM_OK) return rc;
    return overview_tile(w, j, 1, row, c1, a, j->n_levels > 2 ? j->band[2][c1 / 2] : NULL);
}

/* Gives level k's band the tiles that tiles `present` of the row below feed:
 * zeroed ones from the free list, or new. */
static int band_prepare(raster_job *j, int k, const int *present, size_t n)
{
    for (size_t tc = 0; tc < n; tc++) {
        if (!present[tc] || j->band[k][tc / 2]) continue;
        acc *a = j->free_accs;
        if (a)
            j->free_accs = a->next_free;
        else if (!(a = acc_new(j->mem)))
            return GM_ERR_NOMEM;
        j->band[k][tc / 2] = a;
    }
    return GM_OK;
}

/* Level k-1's tile row `below` (of `rows`) is done: finishes level k's row
 * above it when that was its last contributor, and so on up. */
static int level_up(raster_job *j, gm_pool *pool, int k, size_t below, size_t rows, int *present)
{
    if (k >= j->n_levels) return GM_OK;
    if (below % 2 == 0 && below + 1 < rows) return GM_OK; /* its second row comes next */
    gm_cog_level *l = &j->level[k];
    for (size_t tc = 0; tc < l->tcols; tc++)
        present[tc] = j->band[k][tc] != NULL;
    int rc = k + 1 < j->n_levels ? band_prepare(j, k + 1, present, l->tcols) : GM_OK;
    if (rc != GM_OK) return gm_error(j->ctx, rc, "out of memory");
    j->lv = k;
    j->row = below / 2;
    if ((rc = gm_pool_run(pool, NULL, l->tcols, overview_task, j)) != GM_OK) return rc;
    for (size_t tc = 0; tc < l->tcols; tc++) {
        acc *a = j->band[k][tc];
        if (!a) continue;
        a->next_free = j->free_accs; /* overview_task left it zeroed */
        j->free_accs = a;
        j->band[k][tc] = NULL;
    }
    return level_up(j, pool, k + 1, below / 2, l->trows, present);
}

/* The levels: the full resolution, then halves (rounded up) while either side
 * is longer than a tile, as GDAL's COG driver makes them. */
static void make_levels(raster_job *j)
{
    size_t w = j->grid.cols, h = j->grid.rows;
    j->n_levels = 0;
    for (;;) {
        gm_cog_level *l = &j->level[j->n_levels++];
        l->width = w, l->height = h;
        l->tcols = (w + TILE - 1) / TILE, l->trows = (h + TILE - 1) / TILE;
        if ((w <= TILE && h <= TILE) || j->n_levels == MAX_LEVELS) break;
        w = (w + 1) / 2, h = (h + 1) / 2;
    }
}

static void job_free_grid(raster_job *j)
{
    for (int k = 0; k < j->n_levels; k++) {
        gm_cog_level *l = &j->level[k];
        for (size_t t = 0; l->tiles && t < l->tcols * l->trows; t++)
            free(l->tiles[t].data);
        free(l->tiles);
        l->tiles = NULL;
        if (j->band[k]) /* left by a failed run, not zeroed */
            for (size_t tc = 0; tc < l->tcols; tc++)
                acc_free(j->mem, j->band[k][tc], 0);
        free(j->band[k]);
        j->band[k] = NULL;
    }
    while (j->free_accs) {
        acc *a = j->free_accs;
        j->free_accs = a->next_free;
        acc_free(j->mem, a, 1);
    }
    bins_free(&j->mbins);
    bins_free(&j->vbins);
    free(j->inside);
    j->inside = NULL;
}

/* Computes and compresses every tile holding data, and the overviews. */
static int compute(raster_job *j)
{
    gm_context *ctx = j->ctx;
    make_levels(j);
    const gm_cog_level *l0 = &j->level[0];
    int rc = GM_OK;
    for (int k = 0; k < j->n_levels && rc == GM_OK; k++) {
        gm_cog_level *l = &j->level[k];
        l->tiles = calloc(l->tcols * l->trows, sizeof *l->tiles);
        j->band[k] = calloc(l->tcols, sizeof *j->band[k]);
        if (!l->tiles || !j->band[k]) rc = GM_ERR_NOMEM;
    }
    if (rc == GM_OK) rc = bin_parts(&j->mask, &j->grid, l0->tcols, l0->trows, &j->mbins);
    if (rc == GM_OK) rc = bin_parts(&j->value, &j->grid, l0->tcols, l0->trows, &j->vbins);
    if (rc == GM_OK) rc = mark_inside(j);
    int *present = calloc(l0->tcols, sizeof *present);
    if (rc != GM_OK || !present) {
        free(present);
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    }
    gm_pool *pool = j->pool;
    int n_workers = gm_pool_size(pool);
    size_t most = 1; /* mask polygons in one tile */
    for (size_t t = 0; t < l0->tcols * l0->trows; t++)
        if (j->mbins.start[t + 1] - j->mbins.start[t] > most)
            most = j->mbins.start[t + 1] - j->mbins.start[t];
    j->scr = calloc((size_t)n_workers, sizeof *j->scr);
    for (int i = 0; j->scr && i < n_workers; i++) {
        scratch *s = &j->scr[i];
        s->mask = buffer_get(j->mem);
        s->val = buffer_get(j->mem);
        s->out = buffer_get(j->mem);
        s->enc = gm_cog_encoder_new((float)GM_RASTER_NODATA);
        s->ws = gm_coverage_ws_new();
        s->boxes = malloc(most * sizeof *s->boxes);
        if (j->n_levels > 1 && !(s->acc1 = acc_new(j->mem))) rc = GM_ERR_NOMEM;
        if (!s->mask || !s->val || !s->out || !s->enc || !s->ws || !s->boxes) rc = GM_ERR_NOMEM;
    }
    if (!j->scr || rc != GM_OK) rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    const char *stage = j->kind == GM_RASTER_COVERAGE ? "coverage raster" : "conflict raster";
    /* two rows of level-1 tiles per loop, a group task each (group_task) */
    const gm_cog_level *l1 = j->n_levels > 1 ? &j->level[1] : l0;
    size_t group_rows = j->n_levels > 1 ? l1->trows : 1;
    j->groups = j->n_levels > 1 ? l1->tcols : 1;
    for (size_t r1 = 0; r1 < group_rows && rc == GM_OK; r1 += 2) {
        size_t n_rows = group_rows - r1 < 2 ? group_rows - r1 : 2;
        if (j->n_levels > 2) { /* level 2's band: for the level-1 tiles that may hold data */
            for (size_t c1 = 0; c1 < l1->tcols; c1++) {
                present[c1] = 0;
                for (size_t q = 0; q < 4 * n_rows; q++) {
                    size_t tr = 2 * r1 + q / 2, tc = 2 * c1 + q % 2, t = tr * l0->tcols + tc;
                    if (tr < l0->trows && tc < l0->tcols &&
                        j->mbins.start[t] != j->mbins.start[t + 1])
                        present[c1] = 1;
                }
            }
            if (band_prepare(j, 2, present, l1->tcols) != GM_OK) {
                rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
                break;
            }
        }
        j->row = r1;
        if ((rc = gm_pool_run(pool, NULL, n_rows * j->groups, group_task, j)) != GM_OK) break;
        for (size_t r = r1; r < r1 + n_rows && rc == GM_OK; r++)
            rc = level_up(j, pool, 2, r, group_rows, present);
        gm_progress(ctx, stage, 2 * (r1 + n_rows) < l0->trows ? 2 * (r1 + n_rows) : l0->trows,
                    l0->trows);
    }
    /* a successful run leaves the buffers zeroed (the tiles' boxes, the sums
     * read), but for the compressed output: kept for the next raster */
    for (int i = 0; j->scr && i < n_workers; i++) {
        scratch *s = &j->scr[i];
        if (rc == GM_OK && s->out) memset(s->out, 0, TILE_BUFFER);
        void *buf[3] = {s->mask, s->val, s->out};
        for (int b = 0; b < 3; b++)
            if (rc == GM_OK)
                buffer_put(j->mem, buf[b]);
            else
                tile_buffer_free(buf[b]);
        acc_free(j->mem, s->acc1, rc == GM_OK);
        free(s->boxes);
        gm_cog_encoder_free(s->enc);
        gm_coverage_ws_free(s->ws);
    }
    free(j->scr);
    j->scr = NULL;
    free(present);
    return rc;
}

/* ---- the file's tags, from GDAL ---------------------------------------------- */

static int gdal_fail(raster_job *j, const char *what)
{
    return gm_error(j->ctx, GM_ERR_WRITE, "%s: cannot write %s: %s", j->path, what,
                    CPLGetLastErrorMsg()[0] ? CPLGetLastErrorMsg() : "unknown error");
}

/* The georeferencing (GeoTIFF keys, pixel scale, tie point), the metadata and
 * the nodata tags, as GDAL writes them: copied from a 1 x 1 GeoTIFF GDAL makes
 * in memory with the same grid, CRS and metadata. */
static int geo_tags(raster_job *j, gm_cog_tags *main_tags, gm_cog_tags *all_tags)
{
    static const uint16_t main_wanted[] = {33550, 33922, 34264, 34735, 34736, 34737, 42112};
    static const uint16_t all_wanted[] = {42113};
    char name[64];
    snprintf(name, sizeof name, "/vsimem/greenmine_tags_%p.tif", (void *)j);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(GM_GRID_CRS_WKT);
    GDALDriverH gtiff = GDALGetDriverByName("GTiff");
    if (!srs || !gtiff) {
        if (srs) OSRDestroySpatialReference(srs);
        return gm_error(j->ctx, GM_ERR_INTERNAL, "GDAL lacks the GTiff driver or the grid CRS");
    }
    const char *opts[] = {"COMPRESS=NONE", NULL};
    CPLErrorReset();
    GDALDatasetH ds = GDALCreate(gtiff, name, 1, 1, 1, GDT_Float32, (char **)opts);
    if (!ds) {
        OSRDestroySpatialReference(srs);
        return gdal_fail(j, "its georeferencing");
    }
    double gt[6] = {j->grid.x0, j->grid.cell, 0, j->grid.y0, 0, -j->grid.cell};
    GDALSetGeoTransform(ds, gt);
    GDALSetSpatialRef(ds, srs);
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    GDALSetRasterNoDataValue(band, GM_RASTER_NODATA);
    GDALSetDescription(band, j->description);
    char cell[32], asof[16];
    snprintf(cell, sizeof cell, "%g", j->grid.cell);
    snprintf(asof, sizeof asof, "%04d-%02d-%02d", j->as_of / 10000, j->as_of / 100 % 100,
             j->as_of % 100);
    GDALSetMetadataItem(ds, "GREENMINE_VERSION", gm_version(), NULL);
    GDALSetMetadataItem(ds, "GREENMINE_AS_OF", asof, NULL);
    GDALSetMetadataItem(ds, "GREENMINE_CELL_M", cell, NULL);
    GDALSetMetadataItem(ds, "GREENMINE_MEANING", j->description, NULL);
    GDALSetMetadataItem(ds, "GREENMINE_GRID_CRS", GM_GRID_CRS_PROJ4, NULL);
    if (j->run_id) GDALSetMetadataItem(ds, "GREENMINE_RUN_ID", j->run_id, NULL);
    GDALClose(ds);
    OSRDestroySpatialReference(srs);
    vsi_l_offset len = 0;
    GByte *buf = VSIGetMemFileBuffer(name, &len, FALSE);
    int rc = buf ? gm_cog_tags_from_tiff(buf, (size_t)len, main_wanted,
                                         sizeof main_wanted / sizeof main_wanted[0], main_tags)
                 : GM_ERR_INTERNAL;
    if (rc == GM_OK)
        rc = gm_cog_tags_from_tiff(buf, (size_t)len, all_wanted,
                                   sizeof all_wanted / sizeof all_wanted[0], all_tags);
    VSIUnlink(name);
    if (rc != GM_OK) {
        gm_cog_tags_free(main_tags);
        return gm_error(j->ctx, rc, "%s: cannot make its georeferencing tags", j->path);
    }
    return GM_OK;
}

/* The grid over the mask's polygons; GM_ERR_USAGE when it is too large. */
static int job_grid(raster_job *j)
{
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (size_t i = 0; i < j->mask.n; i++) {
        minx = fmin(minx, j->mask.box[i][0]), miny = fmin(miny, j->mask.box[i][1]);
        maxx = fmax(maxx, j->mask.box[i][2]), maxy = fmax(maxy, j->mask.box[i][3]);
    }
    gm_grid_snap(&j->grid, minx, miny, maxx, maxy, j->cell);
    if (j->grid.rows > 200000 || j->grid.cols > 200000)
        return gm_error(j->ctx, GM_ERR_USAGE,
                        "%s: a %zu x %zu grid is too large; choose a larger --cell", j->path,
                        j->grid.rows, j->grid.cols);
    return GM_OK;
}

static int write_raster(raster_job *j)
{
    int rc = job_grid(j);
    if (rc != GM_OK) return rc;
    gm_cog_tags main_tags = {0}, all_tags = {0};
    if ((rc = geo_tags(j, &main_tags, &all_tags)) != GM_OK) return rc;
    if ((rc = compute(j)) == GM_OK)
        rc = gm_cog_write(j->ctx, j->path, j->level, j->n_levels, &main_tags, &all_tags);
    gm_cog_tags_free(&main_tags);
    gm_cog_tags_free(&all_tags);
    job_free_grid(j);
    return rc;
}

/* ---- the polygons --------------------------------------------------------------- */

static const char *const descriptions[GM_RASTER_KINDS] = {
    "fraction of the cell covered by completed restoration or reclamation inside the "
    "demonstration zones (nodata: the cell does not overlap any zone)",
    "fraction of the cell inside an ecological red line and a mine (nodata: the cell does "
    "not overlap any mine)"};

/* The mask's polygons: the zones (coverage) or the mines (conflict); `first`
 * (optional, one more than there are zones or mines): where each one's start. */
static int job_mask(raster_job *j, projecting *P, const gm_inputs *in, size_t *first)
{
    size_t n = j->kind == GM_RASTER_COVERAGE ? in->n_zones : in->n_mines;
    GEOSGeometry **g = malloc((n ? n : 1) * sizeof *g);
    if (!g) return gm_error(j->ctx, GM_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        g[i] = j->kind == GM_RASTER_COVERAGE ? in->zones[i].geom : in->mines[i].geom;
    int rc = project_items(j->ctx, P, &j->mask, g, NULL, n, 1, NULL, NULL, first);
    free(g);
    return rc;
}

/* The value's polygons, one union: coverage = (restoration ∪ reclamation) ∩
 * zones (zones may overlap, and a restored area may also be reclaimed);
 * conflict = ∪ (mine ∩ red line), each mine's pieces standing as one: the
 * mine itself when a red line holds it whole (every piece lies in the mine),
 * else the union the analysis kept, else its pieces as they are. A whole mine
 * alone in its group is copied from the mask (mask_first: where each mine's
 * projected polygons start), not projected again. */
static int job_value(raster_job *j, projecting *P, const gm_results *res, const size_t *mask_first)
{
    int cov = j->kind == GM_RASTER_COVERAGE;
    size_t cap = cov ? 2 * res->n_zones : res->n_overlaps, n = 0;
    GEOSGeometry **pieces = calloc(cap ? cap : 1, sizeof *pieces);
    size_t *item = cov || !mask_first ? NULL : malloc((cap ? cap : 1) * sizeof *item);
    if (!pieces || (!cov && mask_first && !item)) {
        free(pieces);
        return gm_error(j->ctx, GM_ERR_NOMEM, "out of memory");
    }
    for (size_t z = 0; cov && z < res->n_zones; z++)
        pieces[n++] = res->zones[z].done[0], pieces[n++] = res->zones[z].done[1];
    for (size_t i = 0; !cov && i < res->n_mines; i++) {
        const gm_mine_result *r = &res->mines[i];
        const gm_overlap *ov = res->overlaps + r->first_overlap, *whole = NULL;
        for (size_t k = 0; k < r->n_overlaps && !whole; k++)
            if (ov[k].whole) whole = &ov[k];
        size_t from = n;
        if (whole)
            pieces[n++] = whole->geom;
        else if (r->conflict_union)
            pieces[n++] = r->conflict_union;
        else
            for (size_t k = 0; k < r->n_overlaps; k++)
                pieces[n++] = ov[k].geom;
        for (size_t k = from; item && k < n; k++)
            item[k] = whole ? i : NO_COPY;
    }
    int rc = parts_add_dissolved(j->ctx, P, &j->value, pieces, n, &j->mask, mask_first, item);
    free(pieces);
    free(item);
    return rc;
}

static int write_qml(gm_context *ctx, const char *path, gm_raster_kind kind)
{
    char *qml = gm_style_raster_qml(kind);
    if (!qml) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    int rc = gm_write_text_file_at(ctx, path, qml);
    free(qml);
    return rc;
}

static int check_options(gm_context *ctx, const gm_raster_options *opts)
{
    if (!(opts->cell_m > 0) || opts->cell_m > 100000)
        return gm_error(ctx, GM_ERR_USAGE, "cell size %g m: expected more than 0", opts->cell_m);
    return GM_OK;
}

int gm_write_raster(gm_context *ctx, gm_raster_kind kind, const char *tif_path,
                    const char *qml_path, const gm_inputs *in, const gm_results *res,
                    const gm_raster_options *opts)
{
    static const gm_raster_options defaults = GM_RASTER_OPTIONS_INIT;
    if (!opts) opts = &defaults;
    int rc = check_options(ctx, opts);
    if (rc != GM_OK) return rc;
    gm_gdal_register();
    gm_progress(ctx, "raster polygons", 0, 0); /* projecting and dissolving them takes a while */
    gm_raster_memory *own = opts->memory ? NULL : gm_raster_memory_new();
    if (!opts->memory && !own) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    projecting P;
    if ((rc = projecting_new(ctx, &P)) != GM_OK) {
        gm_raster_memory_free(own);
        return rc;
    }
    raster_job j = {.ctx = ctx,
                    .path = tif_path,
                    .kind = kind,
                    .description = descriptions[kind],
                    .cell = opts->cell_m,
                    .as_of = opts->as_of,
                    .run_id = opts->run_id,
                    .pool = P.pool,
                    .mem = opts->memory ? opts->memory : own};
    size_t n_mask = kind == GM_RASTER_CONFLICT && res->n_mines == in->n_mines ? in->n_mines : 0;
    size_t *mask_first = n_mask ? malloc((n_mask + 1) * sizeof *mask_first) : NULL;
    kept_mask *km = j.mem->mask + kind;
    if (n_mask && !mask_first) {
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    } else if (km->in == in && km->n == (kind == GM_RASTER_COVERAGE ? in->n_zones : in->n_mines) &&
               (!n_mask || km->first)) { /* the estimate's, as job_mask would make it */
        j.mask = km->p;
        if (n_mask) memcpy(mask_first, km->first, (n_mask + 1) * sizeof *mask_first);
        free(km->first);
        memset(km, 0, sizeof *km);
    } else {
        rc = job_mask(&j, &P, in, mask_first);
    }
    gm_progress(ctx, "raster values", 0, 0); /* the mask's polygons are done */
    if (rc == GM_OK && j.mask.n) rc = job_value(&j, &P, res, mask_first);
    free(mask_first);
    if (rc == GM_OK && j.mask.n == 0)
        gm_log(ctx, GM_LOG_WARNING, "%s: not written: nothing to cover (no polygons)", tif_path);
    else if (rc == GM_OK) {
        CPLPushErrorHandler(CPLQuietErrorHandler);
        rc = write_raster(&j);
        CPLPopErrorHandler();
        if (rc == GM_OK && qml_path && (rc = write_qml(ctx, qml_path, kind)) != GM_OK)
            unlink(tif_path);
    }
    parts_free(&j.mask);
    parts_free(&j.value);
    projecting_free(&P);
    gm_raster_memory_free(own);
    return rc;
}

/* A tile's compressed size at most: DEFLATE's stored blocks plus the zlib
 * frame, and the leader and trailer. */
#define TILE_BOUND ((unsigned long long)TILE * TILE * 4 * 65 / 64 + 64 + 8)

static int estimate_kind(raster_job *j, int workers, gm_raster_estimate_info *out)
{
    int rc = job_grid(j);
    if (rc != GM_OK) return rc;
    make_levels(j);
    const gm_cog_level *l0 = &j->level[0];
    if ((rc = bin_parts(&j->mask, &j->grid, l0->tcols, l0->trows, &j->mbins)) != GM_OK) {
        bins_free(&j->mbins);
        return gm_error(j->ctx, rc, "out of memory");
    }
    /* which tiles may hold data, level by level (an overview tile when a tile
     * under it may) */
    unsigned char *may = calloc(l0->tcols * l0->trows, 1), *up = NULL;
    if (!may) {
        bins_free(&j->mbins);
        return gm_error(j->ctx, GM_ERR_NOMEM, "out of memory");
    }
    unsigned long long cells = 0, tiles = 0, bands = 0; /* bands: their tiles, levels 2 up */
    for (size_t r = 0; r < l0->trows; r++)
        for (size_t c = 0; c < l0->tcols; c++) {
            size_t t = r * l0->tcols + c;
            if (j->mbins.start[t] == j->mbins.start[t + 1]) continue;
            may[t] = 1;
            size_t h = j->grid.rows - r * TILE < TILE ? j->grid.rows - r * TILE : TILE;
            size_t w = j->grid.cols - c * TILE < TILE ? j->grid.cols - c * TILE : TILE;
            cells += (unsigned long long)h * w;
            tiles++;
        }
    unsigned long long all_tiles = tiles;
    for (int k = 1; k < j->n_levels; k++) {
        const gm_cog_level *lo = &j->level[k - 1], *l = &j->level[k];
        if (!(up = calloc(l->tcols * l->trows, 1))) break;
        unsigned long long n = 0;
        for (size_t r = 0; r < lo->trows; r++)
            for (size_t c = 0; c < lo->tcols; c++)
                if (may[r * lo->tcols + c]) up[(r / 2) * l->tcols + c / 2] = 1;
        unsigned long long widest = 0;
        for (size_t r = 0; r < l->trows; r++) {
            unsigned long long in_row = 0;
            for (size_t c = 0; c < l->tcols; c++)
                in_row += up[r * l->tcols + c];
            n += in_row;
            if (in_row > widest) widest = in_row;
        }
        if (k >= 2) bands += widest;
        all_tiles += n;
        free(may);
        may = up;
        up = NULL;
    }
    free(may);
    size_t vertices = 0; /* the shells' */
    for (size_t i = 0; i < j->mask.n; i++)
        vertices += j->mask.ring_len[i][0];
    int k = j->kind;
    out->kind[k].width = j->grid.cols;
    out->kind[k].height = j->grid.rows;
    out->kind[k].cells = cells;
    out->kind[k].bytes = all_tiles * TILE_BOUND + 65536 +
                         16ULL * (l0->tcols * l0->trows) * 2; /* IFDs: 4/3 of level 0's */
    /* compressed tiles held until the file is written; the tile buffers:
     * three and a level-1 tile's sums per worker (with its encoder's), and a
     * row of sums per level from 2 up; the projected mask */
    const unsigned long long sums = 2ULL * TILE_BUFFER + sizeof(acc);
    out->kind[k].memory = out->kind[k].bytes + bands * sums +
                          (unsigned long long)workers * (3ULL * TILE_BUFFER + sums + (8 << 20)) +
                          (j->mbins.start[l0->tcols * l0->trows] + j->mask.n) * 48ULL +
                          vertices * 64ULL;
    out->bytes += out->kind[k].bytes;
    bins_free(&j->mbins);
    return GM_OK;
}

int gm_raster_estimate(gm_context *ctx, const gm_inputs *in, const gm_raster_options *opts,
                       gm_raster_estimate_info *out)
{
    static const gm_raster_options defaults = GM_RASTER_OPTIONS_INIT;
    if (!opts) opts = &defaults;
    memset(out, 0, sizeof *out);
    int rc = check_options(ctx, opts);
    if (rc != GM_OK) return rc;
    projecting P;
    if ((rc = projecting_new(ctx, &P)) != GM_OK) return rc;
    for (int k = 0; k < GM_RASTER_KINDS && rc == GM_OK; k++) {
        raster_job j = {.ctx = ctx,
                        .path = gm_raster_file_name((gm_raster_kind)k),
                        .kind = (gm_raster_kind)k,
                        .cell = opts->cell_m};
        size_t n = k == GM_RASTER_COVERAGE ? in->n_zones : in->n_mines;
        size_t *first =
            k == GM_RASTER_CONFLICT && opts->memory ? malloc((n + 1) * sizeof *first) : NULL;
        if ((rc = job_mask(&j, &P, in, first)) == GM_OK && j.mask.n)
            rc = estimate_kind(&j, gm_context_threads(ctx), out);
        if (rc == GM_OK && opts->memory && (first || k == GM_RASTER_COVERAGE)) {
            kept_mask *km = &opts->memory->mask[k]; /* for gm_write_raster */
            parts_free(&km->p);
            free(km->first);
            *km = (kept_mask){in, n, first, j.mask};
        } else {
            parts_free(&j.mask);
            free(first);
        }
    }
    projecting_free(&P);
    return rc;
}

int gm_write_rasters(gm_context *ctx, const char *dir, const gm_inputs *in, const gm_results *res,
                     const gm_raster_options *opts)
{
    static const gm_raster_options defaults = GM_RASTER_OPTIONS_INIT;
    if (!opts) opts = &defaults;
    int rc = check_options(ctx, opts);
    gm_raster_options o = *opts; /* the two rasters in the same buffers */
    if (rc == GM_OK && !o.memory && !(o.memory = gm_raster_memory_new()))
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    for (int k = 0; k < GM_RASTER_KINDS && rc == GM_OK; k++) {
        char path[4200], qml[4200];
        snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : ".",
                 gm_raster_file_name((gm_raster_kind)k));
        snprintf(qml, sizeof qml, "%.*s.qml", (int)(strlen(path) - 4), path);
        /* the raster and its style together: names only, the writers create them */
        gm_atomic pair[2] = {{0}};
        if ((rc = gm_atomic_begin(ctx, path, 0, ".tif", &pair[0])) != GM_OK ||
            (rc = gm_atomic_begin(ctx, qml, 0, "", &pair[1])) != GM_OK) {
            gm_atomic_abandon(&pair[0]);
            break;
        }
        rc = gm_write_raster(ctx, (gm_raster_kind)k, pair[0].tmp, pair[1].tmp, in, res, &o);
        if (rc == GM_OK && access(pair[0].tmp, F_OK) != 0) { /* nothing to cover */
            gm_atomic_abandon(&pair[0]);
            gm_atomic_abandon(&pair[1]);
            unlink(path);
            continue;
        }
        if (rc == GM_OK)
            rc = gm_atomic_commit_all(ctx, pair, 2);
        else
            gm_atomic_abandon(&pair[0]), gm_atomic_abandon(&pair[1]);
    }
    if (!opts->memory) gm_raster_memory_free(o.memory);
    return rc;
}
