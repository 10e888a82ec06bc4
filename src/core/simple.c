/*
 * simple.c -- a cheap proof that a polygon is valid (see simple.h).
 *
 * GEOS's IsValidOp nodes every ring with monotone chains in an STRtree and
 * allocates as it goes: at a province's scale it was 18 % of a run, most of
 * it on polygons that are plainly simple (a parcel, a mine, a red line, and
 * each of them again after densification). For a polygon with one ring, being
 * valid means: closed, at least three distinct corners, and no two edges
 * meeting except neighbours at their shared corner. This file proves that with
 * a grid over the ring's edges and exact predicates (orientation and dot
 * product, their double results accepted only where Shewchuk's error bound
 * shows the sign is right). Whatever it cannot prove -- holes, several parts,
 * touching or crossing edges, repeated points, doubtful signs -- goes to GEOS,
 * which still decides, and reports why, for every invalid input.
 */
#include "core/simple.h"

#include <math.h>

/* Rings of more edges are left to GEOS (see ring_simple). */
#define GRID_MAX 512

/* Shewchuk's ccwerrboundA, (3 + 16 eps) eps: a determinant of differences of
 * doubles whose magnitude exceeds it times the sum of its terms' magnitudes
 * has the sign of the exact one. */
static const double errbound = (3.0 + 16.0 * 1.1102230246251565e-16) * 1.1102230246251565e-16;

/* Sign of orient2d(a, b, c) (counter-clockwise positive), 2 when not certain. */
static int orient(const double *a, const double *b, const double *c)
{
    double l = (b[0] - a[0]) * (c[1] - a[1]), r = (b[1] - a[1]) * (c[0] - a[0]);
    double det = l - r;
    if (fabs(det) > errbound * (fabs(l) + fabs(r))) return det > 0 ? 1 : -1;
    return 2;
}

/* Whether neighbouring edges a-b and b-c meet only at b: they do unless they
 * are collinear and c turns back over a-b. */
static int neighbours_ok(const double *a, const double *b, const double *c)
{
    double l = (b[0] - a[0]) * (c[0] - b[0]), r = (b[1] - a[1]) * (c[1] - b[1]);
    double dot = l + r;
    if (dot > 0 && dot > errbound * (fabs(l) + fabs(r))) return 1; /* goes on forward */
    int o = orient(a, b, c);
    return o == 1 || o == -1;
}

/* Smaller and larger of two numbers known not to be NaN (fmin and fmax are
 * library calls, with NaN rules we do not need, in a loop over every edge). */
#define LO(a, b) ((a) < (b) ? (a) : (b))
#define HI(a, b) ((a) > (b) ? (a) : (b))

/* Whether edges p-q and r-s (not neighbours) certainly share no point. */
static inline int apart(const double *p, const double *q, const double *r, const double *s)
{
    if (HI(p[0], q[0]) < LO(r[0], s[0]) || HI(r[0], s[0]) < LO(p[0], q[0]) ||
        HI(p[1], q[1]) < LO(r[1], s[1]) || HI(r[1], s[1]) < LO(p[1], q[1]))
        return 1;
    int o1 = orient(p, q, r), o2 = orient(p, q, s);
    if (o1 != 2 && o1 == o2) return 1; /* r and s strictly on one side of p-q */
    int o3 = orient(r, s, p), o4 = orient(r, s, q);
    return o3 != 2 && o3 == o4;
}

/* Edges e and f of an m-edge ring share a corner. */
static int neighbouring(size_t e, size_t f, size_t m)
{
    size_t d = e > f ? e - f : f - e;
    return d == 1 || d == m - 1;
}

/* 1 when the closed ring of n points (xy interleaved, xy[n-1] == xy[0]) is
 * certainly simple with three or more distinct corners, else 0. */
static int ring_simple(const double *xy, size_t n)
{
    if (n < 4 || xy[0] != xy[2 * (n - 1)] || xy[1] != xy[2 * (n - 1) + 1]) return 0;
    size_t m = n - 1; /* edges: i = (P_i, P_i+1) */
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < m; i++) {
        const double *p = &xy[2 * i], *q = &xy[2 * i + 2];
        if (!isfinite(p[0]) || !isfinite(p[1])) return 0;
        if (p[0] == q[0] && p[1] == q[1]) return 0; /* repeated point: let GEOS judge */
        x0 = LO(x0, p[0]), x1 = HI(x1, p[0]), y0 = LO(y0, p[1]), y1 = HI(y1, p[1]);
        const double *prev = &xy[2 * (i ? i - 1 : m - 1)];
        if (!neighbours_ok(prev, p, q)) return 0;
    }
    if (m < 3) return 0;
    if (m <= 32) { /* few edges: every pair (their boxes mostly part at once) */
        for (size_t e = 0; e < m; e++)
            for (size_t f = e + 2; f < m; f++)
                if (!neighbouring(e, f, m) &&
                    !apart(&xy[2 * e], &xy[2 * e + 2], &xy[2 * f], &xy[2 * f + 2]))
                    return 0;
        return 1;
    }
    /* A g x g grid over the ring's box, on the stack: edges are listed in
     * every cell their box meets, and only edges sharing a cell are compared.
     * Past GRID_MAX edges GEOS's monotone chains are faster (measured: 40 vs
     * 45 ns a vertex at 500, 23 vs 63 at 2,000; strips across the ring's
     * longer side, tried in session 6, took more instructions than GEOS). */
    if (m > GRID_MAX) return 0;
    size_t g = (size_t)sqrt((double)m), cells = g * g;
    double sx = x1 > x0 ? (double)g / (x1 - x0) : 0.0, sy = y1 > y0 ? (double)g / (y1 - y0) : 0.0;
    unsigned start[GRID_MAX + 1] = {0}, box[4 * GRID_MAX], list[16 * GRID_MAX];
    int ok = 1;
    size_t listed = 0;
    for (size_t e = 0; ok && e < m; e++) {
        const double *p = &xy[2 * e], *q = &xy[2 * e + 2];
        double c[4] = {(LO(p[0], q[0]) - x0) * sx, (LO(p[1], q[1]) - y0) * sy,
                       (HI(p[0], q[0]) - x0) * sx, (HI(p[1], q[1]) - y0) * sy};
        for (int k = 0; k < 4; k++)
            box[4 * e + k] = c[k] >= (double)g ? (unsigned)g - 1 : (unsigned)c[k];
        listed += (size_t)(box[4 * e + 2] - box[4 * e] + 1) * (box[4 * e + 3] - box[4 * e + 1] + 1);
        ok = listed <= 16 * m; /* edges across much of the ring: GEOS does better */
    }
    for (size_t e = 0; ok && e < m; e++)
        for (unsigned cy = box[4 * e + 1]; cy <= box[4 * e + 3]; cy++)
            for (unsigned cx = box[4 * e]; cx <= box[4 * e + 2]; cx++)
                start[cy * g + cx + 1]++;
    for (size_t c = 0; ok && c < cells; c++)
        start[c + 1] += start[c];
    for (size_t e = 0; ok && e < m; e++) /* fill: start[c] moves to the cell's end */
        for (unsigned cy = box[4 * e + 1]; cy <= box[4 * e + 3]; cy++)
            for (unsigned cx = box[4 * e]; cx <= box[4 * e + 2]; cx++)
                list[start[cy * g + cx]++] = (unsigned)e;
    for (size_t c = 0, from = 0; ok && c < cells; from = start[c++])
        for (size_t a = from; ok && a < start[c]; a++)
            for (size_t b = a + 1; ok && b < start[c]; b++) {
                size_t e = list[a], f = list[b];
                ok = neighbouring(e, f, m) ||
                     apart(&xy[2 * e], &xy[2 * e + 2], &xy[2 * f], &xy[2 * f + 2]);
            }
    return ok;
}

int gm_polygon_surely_valid(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    if (GEOSGeomTypeId_r(h, g) != GEOS_POLYGON || GEOSGetNumInteriorRings_r(h, g) != 0) return 0;
    const GEOSGeometry *ring = GEOSGetExteriorRing_r(h, g);
    const GEOSCoordSequence *seq = ring ? GEOSGeom_getCoordSeq_r(h, ring) : NULL;
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n) || n < 4 || n > GRID_MAX + 1) return 0;
    double xy[2 * (GRID_MAX + 1)];
    return GEOSCoordSeq_copyToBuffer_r(h, seq, xy, 0, 0) && ring_simple(xy, n);
}

int gm_ring_surely_simple(const double *xy, size_t n)
{
    return ring_simple(xy, n);
}
