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

/* A densified ring seen as its original edges, each now a chain of points
 * (gm_densified_ring_surely_simple): per edge, the chain's box, a bound on
 * |orient(a, b, p)| over its points p (0: a plain edge) and the edge's length. */
typedef struct chains {
    const double *box, *dev, *len;
} chains;

/* Whether r and s lie certainly on one side of the line p-q, each with an
 * |orient(p, q, .)| over `margin`. The bound on a determinant's error is
 * Shewchuk's, doubled; the margin's own rounding is covered by the factor. */
static int beside(const double *p, const double *q, const double *r, const double *s, double margin)
{
    margin *= 1.0 + 1e-9;
    double l1 = (q[0] - p[0]) * (r[1] - p[1]), r1 = (q[1] - p[1]) * (r[0] - p[0]);
    double l2 = (q[0] - p[0]) * (s[1] - p[1]), r2 = (q[1] - p[1]) * (s[0] - p[0]);
    double d1 = l1 - r1, d2 = l2 - r2;
    return fabs(d1) - 2.0 * errbound * (fabs(l1) + fabs(r1)) > margin &&
           fabs(d2) - 2.0 * errbound * (fabs(l2) + fabs(r2)) > margin && (d1 > 0) == (d2 > 0);
}

/* Whether non-neighbouring edges e and f (or, with c, their chains) certainly
 * share no point. A chain lies within dev/len of its edge's line and projects
 * inside the edge (it is monotone along it), so two chains are apart when one
 * edge's line has the other edge's ends beyond both chains' distances. */
static inline int edges_apart(const double *xy, size_t e, size_t f, const chains *c)
{
    const double *p = &xy[2 * e], *q = p + 2, *r = &xy[2 * f], *s = r + 2;
    if (!c) return apart(p, q, r, s);
    const double *a = &c->box[4 * e], *b = &c->box[4 * f];
    if (a[2] < b[0] || b[2] < a[0] || a[3] < b[1] || b[3] < a[1]) return 1;
    if (c->dev[e] == 0.0 && c->dev[f] == 0.0) return apart(p, q, r, s);
    return beside(p, q, r, s, c->dev[e] + c->dev[f] * (c->len[e] / c->len[f])) ||
           beside(r, s, p, q, c->dev[f] + c->dev[e] * (c->len[f] / c->len[e]));
}

/* Whether every two edges of the m-edge ring xy (closed, m >= 3) that are not
 * neighbours certainly share no point -- or, with c, their chains. */
static inline int pairs_apart(const double *xy, size_t m, const chains *c)
{
    if (m <= 32) { /* few edges: every pair (their boxes mostly part at once) */
        for (size_t e = 0; e < m; e++)
            for (size_t f = e + 2; f < m; f++)
                if (!neighbouring(e, f, m) && !edges_apart(xy, e, f, c)) return 0;
        return 1;
    }
    /* A g x g grid over the ring's box, on the stack: edges are listed in
     * every cell their box meets, and only edges sharing a cell are compared.
     * Past GRID_MAX edges GEOS's monotone chains are faster (measured: 40 vs
     * 45 ns a vertex at 500, 23 vs 63 at 2,000; strips across the ring's
     * longer side, tried in session 6, took more instructions than GEOS). */
    if (m > GRID_MAX) return 0;
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t e = 0; e < m; e++) {
        const double *b = c ? &c->box[4 * e] : &xy[2 * e];
        x0 = LO(x0, b[0]), x1 = HI(x1, c ? b[2] : b[0]), y0 = LO(y0, b[1]),
        y1 = HI(y1, c ? b[3] : b[1]);
    }
    size_t g = (size_t)sqrt((double)m), cells = g * g;
    double sx = x1 > x0 ? (double)g / (x1 - x0) : 0.0, sy = y1 > y0 ? (double)g / (y1 - y0) : 0.0;
    unsigned start[GRID_MAX + 1] = {0}, box[4 * GRID_MAX], list[16 * GRID_MAX];
    int ok = 1;
    size_t listed = 0;
    for (size_t e = 0; ok && e < m; e++) {
        const double *p = &xy[2 * e], *q = &xy[2 * e + 2];
        double c4[4];
        if (c) {
            const double *b = &c->box[4 * e];
            c4[0] = (b[0] - x0) * sx, c4[1] = (b[1] - y0) * sy;
            c4[2] = (b[2] - x0) * sx, c4[3] = (b[3] - y0) * sy;
        } else {
            c4[0] = (LO(p[0], q[0]) - x0) * sx, c4[1] = (LO(p[1], q[1]) - y0) * sy;
            c4[2] = (HI(p[0], q[0]) - x0) * sx, c4[3] = (HI(p[1], q[1]) - y0) * sy;
        }
        for (int k = 0; k < 4; k++)
            box[4 * e + k] = c4[k] >= (double)g ? (unsigned)g - 1 : (unsigned)c4[k];
        listed += (size_t)(box[4 * e + 2] - box[4 * e] + 1) * (box[4 * e + 3] - box[4 * e + 1] + 1);
        ok = listed <= 16 * m; /* edges across much of the ring: GEOS does better */
    }
    for (size_t e = 0; ok && e < m; e++)
        for (unsigned cy = box[4 * e + 1]; cy <= box[4 * e + 3]; cy++)
            for (unsigned cx = box[4 * e]; cx <= box[4 * e + 2]; cx++)
                start[cy * g + cx + 1]++;
    for (size_t k = 0; ok && k < cells; k++)
        start[k + 1] += start[k];
    for (size_t e = 0; ok && e < m; e++) /* fill: start[k] moves to the cell's end */
        for (unsigned cy = box[4 * e + 1]; cy <= box[4 * e + 3]; cy++)
            for (unsigned cx = box[4 * e]; cx <= box[4 * e + 2]; cx++)
                list[start[cy * g + cx]++] = (unsigned)e;
    for (size_t k = 0, from = 0; ok && k < cells; from = start[k++])
        for (size_t a = from; ok && a < start[k]; a++)
            for (size_t b = a + 1; ok && b < start[k]; b++) {
                size_t e = list[a], f = list[b];
                ok = neighbouring(e, f, m) || edges_apart(xy, e, f, c);
            }
    return ok;
}

/* 1 when the closed ring of n points (xy interleaved, xy[n-1] == xy[0]) is
 * certainly simple with three or more distinct corners, else 0. */
static int ring_simple(const double *xy, size_t n)
{
    if (n < 4 || xy[0] != xy[2 * (n - 1)] || xy[1] != xy[2 * (n - 1) + 1]) return 0;
    size_t m = n - 1;                    /* edges: i = (P_i, P_i+1) */
    if (m < 3 || m > GRID_MAX) return 0; /* GEOS's (see pairs_apart), before a pass over it */
    for (size_t i = 0; i < m; i++) {
        const double *p = &xy[2 * i], *q = &xy[2 * i + 2];
        if (!isfinite(p[0]) || !isfinite(p[1])) return 0;
        if (p[0] == q[0] && p[1] == q[1]) return 0; /* repeated point: let GEOS judge */
        const double *prev = &xy[2 * (i ? i - 1 : m - 1)];
        if (!neighbours_ok(prev, p, q)) return 0;
    }
    return pairs_apart(xy, m, NULL);
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

/* The most pairs of edges a sharp corner's two chains are compared pair by
 * pair; beyond it the proof gives up and GEOS decides (O(n log n)). An
 * application with one latitude mistyped (8.26 for 28.26) is a 2,000 km
 * sliver whose chains of thousands of points meet at its tip: k x l pairs
 * took seconds (a fuzz_serve timeout; docs/robustness.md, fuzzing finding 7). */
#define CORNER_PAIRS_MAX ((size_t)1 << 16)

/* Whether the pieces p[0..k] (k edges) and q[0..l] (l edges) of a ring, where
 * p[k] == q[0] is their one shared corner, meet nowhere else: the edges at the
 * corner are neighbours; every other pair must be apart, which the boxes of
 * the pieces' other points settle at once but at sharp corners (0, not
 * proven, when there are too many pairs to compare). */
static int corner_ok(const double *p, size_t k, const double *q, size_t l, const double *pbox,
                     const double *qbox)
{
    const double *v = &p[2 * k];
    if (!neighbours_ok(&p[2 * (k - 1)], v, &q[2])) return 0;
        /* pbox: p[0..k-1], qbox: q[1..l] (empty boxes when k or l is 1) */
#define MEET(a, b) (!((a)[2] < (b)[0] || (b)[2] < (a)[0] || (a)[3] < (b)[1] || (b)[3] < (a)[1]))
    if (k > 1 && l > 1 && MEET(pbox, qbox)) {
        if ((k - 1) * (l - 1) > CORNER_PAIRS_MAX) return 0;
        for (size_t a = 0; a + 1 < k; a++)
            for (size_t b = 1; b < l; b++)
                if (!apart(&p[2 * a], &p[2 * a + 2], &q[2 * b], &q[2 * b + 2])) return 0;
    }
    const double *u = &p[2 * (k - 1)], *w = &q[2];
    double last[4] = {LO(u[0], v[0]), LO(u[1], v[1]), HI(u[0], v[0]), HI(u[1], v[1])};
    double first[4] = {LO(w[0], v[0]), LO(w[1], v[1]), HI(w[0], v[0]), HI(w[1], v[1])};
    if (l > 1 && MEET(last, qbox))
        for (size_t b = 1; b < l; b++)
            if (!apart(u, v, &q[2 * b], &q[2 * b + 2])) return 0;
    if (k > 1 && MEET(first, pbox))
        for (size_t a = 0; a + 1 < k; a++)
            if (!apart(&p[2 * a], &p[2 * a + 2], v, w)) return 0;
#undef MEET
    return 1;
}

int gm_densified_ring_surely_simple(const double *d, size_t nd, const size_t *at, size_t m)
{
    if (m < 3 || m > GRID_MAX || nd < 4 || at[0] != 0 || at[m] != nd - 1) return 0;
    if (d[0] != d[2 * (nd - 1)] || d[1] != d[2 * (nd - 1) + 1]) return 0;
    /* per edge: its ends (xy), its chain's box, the box of its points but the
     * last (head) and but the first (tail), deviation bound and length */
    double xy[2 * (GRID_MAX + 1)], box[4 * GRID_MAX], head[4 * GRID_MAX], tail[4 * GRID_MAX];
    double dev[GRID_MAX], len[GRID_MAX];
    for (size_t i = 0; i < m; i++) {
        if (at[i + 1] <= at[i]) return 0;
        const double *a = &d[2 * at[i]], *b = &d[2 * at[i + 1]];
        double dx = b[0] - a[0], dy = b[1] - a[1];
        xy[2 * i] = a[0], xy[2 * i + 1] = a[1];
        /* the interior points' box, and each step certainly forward along a-b:
         * the chain is then monotone, simple, and projects inside a-b */
        double ib[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY}, worst = 0.0;
        const double *prev = a;
        for (const double *p = a + 2; p <= b; prev = p, p += 2) {
            double l = (p[0] - prev[0]) * dx, r = (p[1] - prev[1]) * dy, dot = l + r;
            if (!(dot > errbound * (fabs(l) + fabs(r)))) return 0; /* also NaN */
            if (p == b) break;
            double lo = dx * (p[1] - a[1]), ro = dy * (p[0] - a[0]);
            double dv = fabs(lo - ro) + 2.0 * errbound * (fabs(lo) + fabs(ro));
            worst = HI(worst, dv);
            ib[0] = LO(ib[0], p[0]), ib[1] = LO(ib[1], p[1]);
            ib[2] = HI(ib[2], p[0]), ib[3] = HI(ib[3], p[1]);
        }
        double *bx = &box[4 * i], *h = &head[4 * i], *t = &tail[4 * i];
        h[0] = LO(ib[0], a[0]), h[1] = LO(ib[1], a[1]), h[2] = HI(ib[2], a[0]);
        h[3] = HI(ib[3], a[1]);
        t[0] = LO(ib[0], b[0]), t[1] = LO(ib[1], b[1]), t[2] = HI(ib[2], b[0]);
        t[3] = HI(ib[3], b[1]);
        bx[0] = LO(h[0], b[0]), bx[1] = LO(h[1], b[1]), bx[2] = HI(h[2], b[0]);
        bx[3] = HI(h[3], b[1]);
        dev[i] = worst;
        len[i] = sqrt(dx * dx + dy * dy);
    }
    xy[2 * m] = xy[0], xy[2 * m + 1] = xy[1];
    for (size_t i = 0; i < m; i++) { /* each corner: the chains on either side */
        size_t j = i + 1 < m ? i + 1 : 0;
        if (!corner_ok(&d[2 * at[i]], at[i + 1] - at[i], &d[2 * at[j]], at[j + 1] - at[j],
                       &head[4 * i], &tail[4 * j]))
            return 0;
    }
    chains c = {box, dev, len};
    return pairs_apart(xy, m, &c);
}

/* Whether the chains within their sags of neighbouring edges a-b and b-c meet
 * only at b: each lies within a cone from b about its chord, of slope 4 sag /
 * length (densify.h), so they do when the chords do and the angle between the
 * chords is over both cones' (twice, for the rounding of what is compared). */
static int cones_apart(const double *a, const double *b, const double *c, double sab, double sbc)
{
    if (!neighbours_ok(a, b, c)) return 0;
    if (sab == 0.0 && sbc == 0.0) return 1;
    double ux = a[0] - b[0], uy = a[1] - b[1], vx = c[0] - b[0], vy = c[1] - b[1];
    double lu = sqrt(ux * ux + uy * uy), lv = sqrt(vx * vx + vy * vy);
    double angle = atan2(fabs(ux * vy - uy * vx), ux * vx + uy * vy); /* 0 .. pi */
    return angle > 2.0 * (4.0 * sab / lu + 4.0 * sbc / lv) + 1e-12;
}

int gm_sparse_ring_surely_simple(const double *xy, size_t n, const double *sag)
{
    if (n < 4 || xy[0] != xy[2 * (n - 1)] || xy[1] != xy[2 * (n - 1) + 1]) return 0;
    size_t m = n - 1;
    if (m < 3 || m > GRID_MAX) return 0;
    double box[4 * GRID_MAX], dev[GRID_MAX], len[GRID_MAX];
    for (size_t i = 0; i < m; i++) {
        const double *p = &xy[2 * i], *q = &xy[2 * i + 2];
        if (!isfinite(p[0]) || !isfinite(p[1]) || !(sag[i] >= 0.0) || !isfinite(sag[i])) return 0;
        if (p[0] == q[0] && p[1] == q[1]) return 0;
        const double *prev = &xy[2 * (i ? i - 1 : m - 1)];
        if (!cones_apart(prev, p, q, sag[i ? i - 1 : m - 1], sag[i])) return 0;
        /* the chain: within sag of the chord (|orient| = distance x length),
         * monotone along it, so inside its box widened by sag */
        double dx = q[0] - p[0], dy = q[1] - p[1], w = sag[i] * (1.0 + 1e-9);
        len[i] = sqrt(dx * dx + dy * dy);
        dev[i] = w * len[i];
        double *b = &box[4 * i];
        b[0] = LO(p[0], q[0]) - w, b[1] = LO(p[1], q[1]) - w;
        b[2] = HI(p[0], q[0]) + w, b[3] = HI(p[1], q[1]) + w;
    }
    chains c = {box, dev, len};
    return pairs_apart(xy, m, &c);
}
