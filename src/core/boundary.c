/*
 * boundary.c -- exact placement of a small polygon against a large one from
 * the large one's edge blocks (see boundary.h).
 *
 * A point p is inside a polygon when the ray east of it crosses the rings an
 * odd number of times, an edge (a, b) counting when one end is north of p
 * (y > py) and the other not, and it passes east of p. An edge wholly east
 * or west of p is decided by its box alone; only an edge whose box spans p's
 * longitude needs a sign, and that sign is computed exactly or refused.
 */
#include "core/boundary.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Shewchuk's ccwerrboundA, as in core/simple.c. */
static const double errbound = (3.0 + 16.0 * 1.1102230246251565e-16) * 1.1102230246251565e-16;

/* Sign of orient2d(a, b, c), 2 when too close to call (0 included). */
static int orient(double ax, double ay, double bx, double by, double cx, double cy)
{
    double l = (bx - ax) * (cy - ay), r = (by - ay) * (cx - ax), det = l - r;
    if (fabs(det) > errbound * (fabs(l) + fabs(r))) return det > 0 ? 1 : -1;
    return 2;
}

#define UNSURE (-1)

/* Whether edge (a, b) crosses the ray east of p: 1, 0, or UNSURE. */
static int crosses_ray(double ax, double ay, double bx, double by, double px, double py)
{
    if ((ay > py) == (by > py)) return 0;
    if (ax > px && bx > px) return 1;
    if (ax < px && bx < px) return 0;
    int o = orient(ax, ay, bx, by, px, py);
    if (o == 2) return UNSURE;
    return by > ay ? o > 0 : o < 0; /* east of p: p left of the northward edge */
}

static int boxes_meet(double ax0, double ay0, double ax1, double ay1, double bx0, double by0,
                      double bx1, double by1)
{
    return ax0 <= bx1 && bx0 <= ax1 && ay0 <= by1 && by0 <= ay1;
}

/* ---- summaries ---------------------------------------------------------- */

/* The box of the n >= 1 points v (x y interleaved). */
static void points_box(const double *v, size_t n, double *x0, double *y0, double *x1, double *y1)
{
    *x0 = *x1 = v[0];
    *y0 = *y1 = v[1];
    for (size_t k = 1; k < n; k++) {
        double x = v[2 * k], y = v[2 * k + 1];
        if (x < *x0) *x0 = x;
        if (x > *x1) *x1 = x;
        if (y < *y0) *y0 = y;
        if (y > *y1) *y1 = y;
    }
}

int gm_boundaries_init(gm_boundaries *b, size_t n)
{
    b->n = n;
    b->state = calloc(n ? n : 1, sizeof *b->state);
    b->blocks = calloc(n ? n : 1, sizeof *b->blocks);
    b->nblocks = calloc(n ? n : 1, sizeof *b->nblocks);
    if (b->state)
        for (size_t i = 0; i < n; i++)
            atomic_init(&b->state[i], 0);
    return b->state && b->blocks && b->nblocks ? 0 : -1;
}

void gm_boundaries_free(gm_boundaries *b)
{
    if (b->blocks)
        for (size_t i = 0; i < b->n; i++)
            free(b->blocks[i]);
    free(b->blocks);
    free(b->nblocks);
    free((void *)b->state);
    b->blocks = NULL;
    b->nblocks = NULL;
    b->state = NULL;
}

/* Calls fn(ring, user) for every ring of polygonal g; stops at a nonzero. */
static int each_ring(GEOSContextHandle_t h, const GEOSGeometry *g,
                     int (*fn)(GEOSContextHandle_t, const GEOSGeometry *, void *), void *user)
{
    int parts = GEOSGetNumGeometries_r(h, g);
    for (int p = 0; p < parts; p++) {
        const GEOSGeometry *poly = GEOSGetGeometryN_r(h, g, p);
        if (!poly || GEOSGeomTypeId_r(h, poly) != GEOS_POLYGON) return -1;
        const GEOSGeometry *ext = GEOSGetExteriorRing_r(h, poly);
        int holes = GEOSGetNumInteriorRings_r(h, poly), rc;
        if (!ext || holes < 0) return -1;
        if ((rc = fn(h, ext, user))) return rc;
        for (int k = 0; k < holes; k++) {
            const GEOSGeometry *hole = GEOSGetInteriorRingN_r(h, poly, k);
            if (!hole) return -1;
            if ((rc = fn(h, hole, user))) return rc;
        }
    }
    return 0;
}

typedef struct summary {
    gm_edgeblock *blocks;
    size_t n, cap;
    double *xy;
    size_t cap_xy;
} summary;

static int summarise_ring(GEOSContextHandle_t h, const GEOSGeometry *ring, void *user)
{
    summary *s = user;
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n)) return -1;
    if (n < 2) return 0;
    if (2 * (size_t)n > s->cap_xy) {
        double *p = realloc(s->xy, 2 * (size_t)n * sizeof *p);
        if (!p) return -1;
        s->xy = p;
        s->cap_xy = 2 * (size_t)n;
    }
    if (!GEOSCoordSeq_copyToBuffer_r(h, seq, s->xy, 0, 0)) return -1;
    size_t edges = n - 1, need = s->n + (edges + GM_BLOCK_EDGES - 1) / GM_BLOCK_EDGES;
    if (need > s->cap) {
        size_t c = need > 2 * s->cap ? need : 2 * s->cap;
        gm_edgeblock *p = realloc(s->blocks, c * sizeof *p);
        if (!p) return -1;
        s->blocks = p;
        s->cap = c;
    }
    for (size_t first = 0; first < edges; first += GM_BLOCK_EDGES) {
        size_t cnt = edges - first < GM_BLOCK_EDGES ? edges - first : GM_BLOCK_EDGES;
        const double *v = s->xy + 2 * first;
        gm_edgeblock *bk = &s->blocks[s->n++];
        *bk = (gm_edgeblock){0, 0, 0, 0, v[1], v[2 * cnt + 1], seq, (uint32_t)first, (uint32_t)cnt};
        points_box(v, cnt + 1, &bk->x0, &bk->y0, &bk->x1, &bk->y1);
    }
    return 0;
}

/* Polygon i's blocks made (by this thread or before): 0; -1 when another
 * thread is making them, or making them failed. */
static int summarised(gm_boundaries *b, GEOSContextHandle_t h, size_t i, const GEOSGeometry *g)
{
    int s = atomic_load_explicit(&b->state[i], memory_order_acquire), zero = 0;
    if (s == 2) return 0;
    if (s != 0 || !atomic_compare_exchange_strong(&b->state[i], &zero, 1)) return -1;
    summary sm = {0};
    int rc = !g || GEOSisEmpty_r(h, g) != 0 ? -1 : each_ring(h, g, summarise_ring, &sm);
    free(sm.xy);
    if (rc) free(sm.blocks);
    b->blocks[i] = rc ? NULL : sm.blocks;
    b->nblocks[i] = rc ? 0 : sm.n;
    atomic_store_explicit(&b->state[i], rc ? 3 : 2, memory_order_release);
    return rc ? -1 : 0;
}

/* ---- the small polygon -------------------------------------------------- */

/* p grown to hold need items of size bytes (*cap updated); NULL when out of
 * memory (p is then still valid and unchanged). */
static void *grown(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return p;
    size_t c = need > 2 * *cap ? need : 2 * *cap;
    void *q = realloc(p, c * size);
    if (q) *cap = c;
    return q;
}

#define GROW(p, cap, need) ((tmp = grown((p), &(cap), (need), sizeof *(p))) ? ((p) = tmp, 0) : -1)

static int flatten_ring(GEOSContextHandle_t h, const GEOSGeometry *ring, void *user)
{
    gm_flatpoly *f = user;
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n) || n < 4) return -1;
    size_t at = f->ring[f->nrings];
    void *tmp;
    if (GROW(f->xy, f->cap_xy, 2 * (at + n)) || GROW(f->ring, f->cap_ring, f->nrings + 2))
        return -1;
    if (!GEOSCoordSeq_copyToBuffer_r(h, seq, f->xy + 2 * at, 0, 0)) return -1;
    f->ring[++f->nrings] = at + n;
    return 0;
}

int gm_flatpoly_set(gm_flatpoly *f, GEOSContextHandle_t h, const GEOSGeometry *g)
{
    f->nrings = f->nparts = 0;
    int type = g ? GEOSGeomTypeId_r(h, g) : -1;
    if ((type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) || GEOSisEmpty_r(h, g) != 0) return -1;
    int parts = GEOSGetNumGeometries_r(h, g);
    void *tmp;
    if (parts < 1 || GROW(f->ring, f->cap_ring, 1) ||
        GROW(f->part_ring, f->cap_part, (size_t)parts))
        return -1;
    f->ring[0] = 0;
    for (int p = 0; p < parts; p++) {
        const GEOSGeometry *poly = GEOSGetGeometryN_r(h, g, p);
        f->part_ring[f->nparts++] = f->nrings;
        if (!poly || GEOSisEmpty_r(h, poly) != 0 || each_ring(h, poly, flatten_ring, f)) return -1;
    }
    points_box(f->xy, f->ring[f->nrings], &f->x0, &f->y0, &f->x1, &f->y1);
    return 0;
}

void gm_flatpoly_free(gm_flatpoly *f)
{
    free(f->xy);
    free(f->ring);
    free(f->part_ring);
    free(f->near);
    memset(f, 0, sizeof *f);
}

/* ---- placement ---------------------------------------------------------- */

/* A block's vertices, x y interleaved, into v (2 * (GM_BLOCK_EDGES + 1)). */
static int block_points(GEOSContextHandle_t h, const gm_edgeblock *bk, double *v)
{
    for (uint32_t k = 0; k <= bk->n; k++)
        if (!GEOSCoordSeq_getXY_r(h, bk->seq, bk->first + k, &v[2 * k], &v[2 * k + 1])) return -1;
    return 0;
}

/* 1 inside, 0 outside, UNSURE: p against the geometry of blocks[0..nb). */
static int locate_in_blocks(GEOSContextHandle_t h, const gm_edgeblock *blocks, size_t nb, double px,
                            double py)
{
    int odd = 0;
    double v[2 * (GM_BLOCK_EDGES + 1)];
    for (size_t k = 0; k < nb; k++) {
        const gm_edgeblock *bk = &blocks[k];
        if (bk->x1 < px || !(bk->y0 <= py && py < bk->y1)) continue; /* no edge can count */
        if (bk->x0 > px) { /* wholly east: the parity of its crossings is its ends' */
            odd ^= (bk->yfirst > py) != (bk->ylast > py);
            continue;
        }
        if (block_points(h, bk, v)) return UNSURE;
        for (uint32_t e = 0; e < bk->n; e++) {
            int c = crosses_ray(v[2 * e], v[2 * e + 1], v[2 * e + 2], v[2 * e + 3], px, py);
            if (c == UNSURE) return UNSURE;
            odd ^= c;
        }
    }
    return odd;
}

/* 1 inside, 0 outside, UNSURE: p against the small polygon. */
static int locate_in_flat(const gm_flatpoly *f, double px, double py)
{
    if (px < f->x0 || px > f->x1 || py < f->y0 || py > f->y1) return 0;
    int odd = 0;
    for (size_t r = 0; r < f->nrings; r++)
        for (size_t k = f->ring[r]; k + 1 < f->ring[r + 1]; k++) {
            const double *a = f->xy + 2 * k;
            int c = crosses_ray(a[0], a[1], a[2], a[3], px, py);
            if (c == UNSURE) return UNSURE;
            odd ^= c;
        }
    return odd;
}

/* 1 when segments (a, b) and (c, d), whose boxes meet, cross properly; 0 when
 * they certainly do not meet; UNSURE otherwise (touching, collinear, close). */
static int segments_cross(const double *a, const double *b, const double *c, const double *d)
{
    int o1 = orient(a[0], a[1], b[0], b[1], c[0], c[1]);
    int o2 = orient(a[0], a[1], b[0], b[1], d[0], d[1]);
    if (o1 == 2 || o2 == 2) return UNSURE;
    if (o1 == o2) return 0;
    int o3 = orient(c[0], c[1], d[0], d[1], a[0], a[1]);
    int o4 = orient(c[0], c[1], d[0], d[1], b[0], b[1]);
    if (o3 == 2 || o4 == 2) return UNSURE;
    return o3 != o4;
}

gm_place gm_boundaries_place(gm_boundaries *b, GEOSContextHandle_t h, size_t i,
                             const GEOSGeometry *g, gm_flatpoly *f)
{
    if (summarised(b, h, i, g) != 0) return GM_PLACE_UNKNOWN;
    const gm_edgeblock *blocks = b->blocks[i];
    size_t nb = b->nblocks[i];
    if (!blocks || f->nparts == 0) return GM_PLACE_UNKNOWN;

    /* The large polygon's edges whose boxes meet the small one's envelope. */
    double v[2 * (GM_BLOCK_EDGES + 1)];
    f->nnear = 0;
    for (size_t k = 0; k < nb; k++) {
        const gm_edgeblock *bk = &blocks[k];
        if (!boxes_meet(bk->x0, bk->y0, bk->x1, bk->y1, f->x0, f->y0, f->x1, f->y1)) continue;
        if (block_points(h, bk, v)) return GM_PLACE_UNKNOWN;
        for (uint32_t e = 0; e < bk->n; e++) {
            const double *a = v + 2 * e;
            if (!boxes_meet(fmin(a[0], a[2]), fmin(a[1], a[3]), fmax(a[0], a[2]), fmax(a[1], a[3]),
                            f->x0, f->y0, f->x1, f->y1))
                continue;
            void *tmp;
            if (GROW(f->near, f->cap_near, 4 * (f->nnear + 1))) return GM_PLACE_UNKNOWN;
            memcpy(f->near + 4 * f->nnear++, a, 4 * sizeof *a);
        }
    }

    if (f->nnear > 0) {
        /* Boundaries: a proper crossing settles it; a doubtful pair defers. */
        for (size_t r = 0; r < f->nrings; r++)
            for (size_t k = f->ring[r]; k + 1 < f->ring[r + 1]; k++) {
                const double *a = f->xy + 2 * k, *b2 = a + 2;
                double ex0 = fmin(a[0], b2[0]), ex1 = fmax(a[0], b2[0]);
                double ey0 = fmin(a[1], b2[1]), ey1 = fmax(a[1], b2[1]);
                for (size_t e = 0; e < f->nnear; e++) {
                    const double *c = f->near + 4 * e, *d = c + 2;
                    if (!boxes_meet(ex0, ey0, ex1, ey1, fmin(c[0], d[0]), fmin(c[1], d[1]),
                                    fmax(c[0], d[0]), fmax(c[1], d[1])))
                        continue;
                    int x = segments_cross(a, b2, c, d);
                    if (x == UNSURE) return GM_PLACE_UNKNOWN;
                    if (x) return GM_PLACE_ACROSS;
                }
            }
        /* The boundaries do not meet, so a ring of the large polygon lies
         * wholly inside or outside the small one; inside is left to GEOS. */
        for (size_t e = 0; e < f->nnear; e++) {
            int in = locate_in_flat(f, f->near[4 * e], f->near[4 * e + 1]);
            if (in != 0) return GM_PLACE_UNKNOWN;
        }
    }

    /* Each part of the small polygon is wholly inside or outside. */
    int inside = 0, outside = 0;
    for (size_t p = 0; p < f->nparts; p++) {
        const double *q = f->xy + 2 * f->ring[f->part_ring[p]];
        int in = locate_in_blocks(h, blocks, nb, q[0], q[1]);
        if (in == UNSURE) return GM_PLACE_UNKNOWN;
        if (in)
            inside++;
        else
            outside++;
        if (f->nnear == 0) break; /* nothing of the boundary in the envelope: one side */
    }
    if (!outside) return GM_PLACE_INSIDE;
    return inside ? GM_PLACE_ACROSS : GM_PLACE_OUTSIDE;
}
