/*
 * coverage.c -- exact fraction of each grid cell covered by polygons.
 *
 * The method (see coverage.h) in cell units, u = column, v = row (downward):
 * the covered area of a cell is the integral over the cell of the winding
 * number w(u, v), and w at a point counts the ring crossings on the ray to
 * its right, +1 or -1 by the direction of the edge. So each ring is walked
 * edge by edge through the cells it crosses (cut at every grid line), and each
 * piece of the ring inside a cell adds
 *   - to that cell, the part of the cell left of the piece:  ∫ (u - c) dv;
 *   - to every cell left of it in the same row, a full-width strip: ∫ dv,
 *     kept as one "cover" entry per cell and summed from the right in a final
 *     scanline pass, which is what fills the interior cells.
 * Boundary cells thus get their covered fraction from the ring's clipped
 * pieces; interior cells get exactly 1 (or 0 inside a hole) from the scanline;
 * shells and holes are told apart by orientation, whatever the input's.
 * Cost: O(vertices + cells crossed + window cells) per polygon, where the
 * window is the polygon's bounding box clipped to the grid.
 *
 * Never call GEOS per cell here: this is the engine's own algorithm because
 * GEOS 3.11 has no grid-fraction function.
 */
#include "core/coverage.h"

#include <greenmine/context.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct point {
    double u, v;
} point;

typedef struct cut {
    double t; /* where along the segment, 0..1 */
    point p;
} cut;

/* One polygon's accumulators over its window: rows [r0, r1), columns [c0, c1). */
typedef struct window {
    long r0, r1, c0, c1;
    size_t w;      /* c1 - c0 */
    double *area;  /* [(r - r0) * w + (c - c0)]: the part of the cell left of its pieces */
    double *cover; /* [(r - r0) * (w + 1) + j]: strips for cells left of column c0 + j;
                      j = w holds pieces right of the window */
    cut *cuts;     /* scratch: one segment's grid-line crossings */
    size_t cap;
} window;

void gm_grid_snap(gm_grid *out, double minx, double miny, double maxx, double maxy, double cell)
{
    double left = floor(minx / cell) * cell, top = ceil(maxy / cell) * cell;
    double right = ceil(maxx / cell) * cell, bottom = floor(miny / cell) * cell;
    out->x0 = left;
    out->y0 = top;
    out->cell = cell;
    out->cols = (size_t)llround((right - left) / cell);
    out->rows = (size_t)llround((top - bottom) / cell);
    if (out->cols == 0) out->cols = 1;
    if (out->rows == 0) out->rows = 1;
}

gm_grid gm_grid_window(const gm_grid *g, size_t r0, size_t c0, size_t rows, size_t cols)
{
    gm_grid w = {g->x0 + (double)c0 * g->cell, g->y0 - (double)r0 * g->cell, g->cell, rows, cols};
    return w;
}

static int grow_cuts(window *win, size_t need)
{
    if (need <= win->cap) return GM_OK;
    size_t cap = win->cap ? win->cap : 64;
    while (cap < need)
        cap *= 2;
    cut *c = realloc(win->cuts, cap * sizeof *c);
    if (!c) return GM_ERR_NOMEM;
    win->cuts = c;
    win->cap = cap;
    return GM_OK;
}

static double clampd(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* fmin / fmax for numbers that are not NaN, inline (libm's are calls) */
static inline double min2(double a, double b)
{
    return b < a ? b : a;
}

static inline double max2(double a, double b)
{
    return b > a ? b : a;
}

/* Adds one piece of a ring, lying inside one cell's row (and one column, or
 * wholly left or right of the window), weighted by sign. */
static void add_piece(window *win, point s, point e, double sign)
{
    double dv = (e.v - s.v) * sign;
    if (dv == 0.0) return;
    double mu = 0.5 * (s.u + e.u), mv = 0.5 * (s.v + e.v);
    long row = (long)floor(mv);
    if (row < win->r0) row = win->r0; /* rounding at the window's top or bottom */
    if (row >= win->r1) row = win->r1 - 1;
    size_t i = (size_t)(row - win->r0);
    double *cover = win->cover + i * (win->w + 1);
    if (mu < (double)win->c0) return; /* left of the window: no cell has it on its right */
    if (mu >= (double)win->c1) {
        cover[win->w] += dv; /* right of the window: a full strip in every cell */
        return;
    }
    long col = (long)floor(mu);
    double cu = (double)col;
    double m = 0.5 * (clampd(s.u, cu, cu + 1.0) + clampd(e.u, cu, cu + 1.0));
    size_t j = (size_t)(col - win->c0);
    win->area[i * win->w + j] += (m - cu) * dv;
    cover[j] += dv;
}

/* add_piece for a piece right of the window, from row position sv to ev. */
static void add_strip(window *win, double sv, double ev, double sign)
{
    double dv = (ev - sv) * sign;
    if (dv == 0.0) return;
    double mv = 0.5 * (sv + ev);
    long row = (long)floor(mv);
    if (row < win->r0) row = win->r0;
    if (row >= win->r1) row = win->r1 - 1;
    win->cover[(size_t)(row - win->r0) * (win->w + 1) + win->w] += dv;
}

/* The crossings of segment p->q with the integer lines of one axis (0 = u,
 * 1 = v) strictly inside it, limited to [lo, hi], appended in order of t. */
static size_t axis_cuts(cut *out, point p, point q, int axis, double lo, double hi)
{
    double a = axis ? p.v : p.u, b = axis ? q.v : q.u;
    if (a == b) return 0;
    double from = a < b ? a : b, to = a < b ? b : a;
    double first = floor(from) + 1.0, last = ceil(to) - 1.0;
    if (first < lo) first = lo;
    if (last > hi) last = hi;
    size_t n = 0;
    for (double k = first; k <= last; k += 1.0) {
        double line = a < b ? k : last - (k - first); /* in order of t */
        double t = (line - a) / (b - a);
        cut *c = &out[n++];
        c->t = t;
        if (axis) {
            c->p.u = p.u + t * (q.u - p.u);
            c->p.v = line;
        } else {
            c->p.u = line;
            c->p.v = p.v + t * (q.v - p.v);
        }
    }
    return n;
}

static long count_lines(double a, double b, double lo, double hi)
{
    double from = a < b ? a : b, to = a < b ? b : a;
    double first = max2(floor(from) + 1.0, lo), last = min2(ceil(to) - 1.0, hi);
    return last >= first ? (long)(last - first) + 1 : 0;
}

/* Walks segment a->b (cell units) through the window's cells. */
static int add_segment(window *win, point a, point b, double sign)
{
    double dv = b.v - a.v;
    if (dv == 0.0) return GM_OK; /* horizontal: no strip anywhere */
    /* Only the window's rows matter: clip to v in [r0, r1]. */
    double top = (double)win->r0, bottom = (double)win->r1;
    double t0 = (top - a.v) / dv, t1 = (bottom - a.v) / dv;
    double tin = max2(0.0, min2(t0, t1)), tout = min2(1.0, max2(t0, t1));
    if (tin >= tout) return GM_OK;
    point p = a, q = b;
    if (tin > 0.0) p = (point){a.u + tin * (b.u - a.u), dv > 0 ? top : bottom};
    if (tout < 1.0) q = (point){a.u + tout * (b.u - a.u), dv > 0 ? bottom : top};
    /* wholly right of the window (a cell clear of it, so no rounding of a
     * cut brings a piece back in): only its strips, the same pieces as below
     * (cut at the row lines, in order) without the column cuts */
    double chi_ = (double)win->c1, clo_ = (double)win->c0;
    if (p.u < clo_ - 1.0 && q.u < clo_ - 1.0) return GM_OK; /* every piece left of it */
    if (p.u >= chi_ + 1.0 && q.u >= chi_ + 1.0) {
        double from = p.v < q.v ? p.v : q.v, to = p.v < q.v ? q.v : p.v;
        double first = floor(from) + 1.0, last = ceil(to) - 1.0, at = p.v;
        if (p.v != q.v)
            for (double k = first; k <= last; k += 1.0) {
                double line = p.v < q.v ? k : last - (k - first);
                add_strip(win, at, line, sign);
                at = line;
            }
        add_strip(win, at, q.v, sign);
        return GM_OK;
    }

    /* Cut at the column lines inside the window (c0 and c1 included, so the
     * parts left and right of it come apart) and at every row line. */
    double clo = (double)win->c0, chi = (double)win->c1;
    long nu = count_lines(p.u, q.u, clo, chi), nv = count_lines(p.v, q.v, -INFINITY, INFINITY);
    if (grow_cuts(win, (size_t)(nu + nv) * 2 + 2) != GM_OK) return GM_ERR_NOMEM;
    cut *cu = win->cuts, *cv = win->cuts + nu, *merged = win->cuts + nu + nv;
    size_t n_u = axis_cuts(cu, p, q, 0, clo, chi);
    size_t n_v = axis_cuts(cv, p, q, 1, -INFINITY, INFINITY);
    size_t n = 0, i = 0, j = 0;
    while (i < n_u || j < n_v)
        merged[n++] = (j >= n_v || (i < n_u && cu[i].t <= cv[j].t)) ? cu[i++] : cv[j++];
    point prev = p;
    for (size_t k = 0; k < n; k++) {
        add_piece(win, prev, merged[k].p, sign);
        prev = merged[k].p;
    }
    add_piece(win, prev, q, sign);
    return GM_OK;
}

/* A ring's coordinates in cell units (caller frees). */
static point *ring_points(GEOSContextHandle_t h, const gm_grid *grid, const GEOSGeometry *ring,
                          size_t *n_out)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n)) return NULL;
    point *pts = malloc((n ? n : 1) * sizeof *pts);
    if (!pts) return NULL;
    for (unsigned int i = 0; i < n; i++) {
        double x, y;
        if (!GEOSCoordSeq_getXY_r(h, seq, i, &x, &y)) {
            free(pts);
            return NULL;
        }
        pts[i].u = (x - grid->x0) / grid->cell;
        pts[i].v = (grid->y0 - y) / grid->cell;
    }
    *n_out = n;
    return pts;
}

/* Twice the signed area in cell units (shoelace, relative to the first point). */
static double signed_area2(const point *pts, size_t n)
{
    double s = 0.0;
    for (size_t i = 1; i + 1 < n; i++)
        s += (pts[i].u - pts[0].u) * (pts[i + 1].v - pts[0].v) -
             (pts[i + 1].u - pts[0].u) * (pts[i].v - pts[0].v);
    return s;
}

static int add_ring(window *win, const point *pts, size_t n, int hole)
{
    if (n < 4) return GM_OK; /* a closed ring has >= 4 points */
    double a2 = signed_area2(pts, n);
    if (a2 == 0.0) return GM_OK;
    /* raw sums integrate to the signed area: make shells +1, holes -1 */
    double sign = (a2 > 0 ? 1.0 : -1.0) * (hole ? -1.0 : 1.0);
    /* the segments in blocks: a block wholly above or below the window's
     * rows, or a cell clear left of it, adds nothing (add_segment would
     * clip each of its segments away, or leave every piece left of the
     * window), so it is skipped -- a tile walks only its own part of a
     * large zone's ring */
    double top = (double)win->r0, bottom = (double)win->r1, left = (double)win->c0 - 1.0;
    for (size_t i = 0; i + 1 < n;) {
        size_t end = i + 32 < n - 1 ? i + 32 : n - 1; /* segments [i, end) */
        double vmin = pts[i].v, vmax = pts[i].v, umax = pts[i].u;
        for (size_t k = i + 1; k <= end; k++) {
            vmin = pts[k].v < vmin ? pts[k].v : vmin;
            vmax = pts[k].v > vmax ? pts[k].v : vmax;
            umax = pts[k].u > umax ? pts[k].u : umax;
        }
        if (vmax <= top || vmin >= bottom || umax < left) {
            i = end;
            continue;
        }
        for (; i < end; i++) {
            int rc = add_segment(win, pts[i], pts[i + 1], sign);
            if (rc != GM_OK) return rc;
        }
    }
    if (pts[0].u != pts[n - 1].u || pts[0].v != pts[n - 1].v) /* unclosed: close it */
        return add_segment(win, pts[n - 1], pts[0], sign);
    return GM_OK;
}

/* Buffers kept from one polygon to the next: a window as large as a tile is
 * megabytes, which malloc maps and unmaps on every call. */
struct gm_coverage_ws {
    double *area, *cover;
    size_t area_cap, cover_cap;
    cut *cuts;
    size_t cuts_cap;
    point *pts, **rings; /* gm_coverage_add_xy's rings in cell units */
    size_t pts_cap, rings_cap;
};

gm_coverage_ws *gm_coverage_ws_new(void)
{
    return calloc(1, sizeof(gm_coverage_ws));
}

void gm_coverage_ws_free(gm_coverage_ws *ws)
{
    if (!ws) return;
    free(ws->area);
    free(ws->cover);
    free(ws->cuts);
    free(ws->pts);
    free(ws->rings);
    free(ws);
}

/* A zeroed buffer of n doubles from *buf (capacity *cap), grown when short. */
static double *zeroed(double **buf, size_t *cap, size_t n)
{
    if (n > *cap) {
        free(*buf);
        *buf = malloc(n * sizeof **buf);
        *cap = *buf ? n : 0;
        if (!*buf) return NULL;
    }
    memset(*buf, 0, n * sizeof **buf);
    return *buf;
}

/* Adds the polygon made of rings[0] (shell) and rings[1..] (holes), in cell
 * units, to frac. */
static int add_rings(const gm_grid *grid, point *const *rings, const size_t *sizes, size_t n_rings,
                     double *frac, gm_coverage_ws *ws)
{
    window win = {.cuts = ws->cuts, .cap = ws->cuts_cap};
    int rc = GM_OK;
    double umin = INFINITY, umax = -INFINITY, vmin = INFINITY, vmax = -INFINITY;
    for (size_t k = 0; k < n_rings; k++)
        for (size_t i = 0; i < sizes[k]; i++) {
            umin = min2(umin, rings[k][i].u), umax = max2(umax, rings[k][i].u);
            vmin = min2(vmin, rings[k][i].v), vmax = max2(vmax, rings[k][i].v);
        }
    /* The window: the bounding box's cells, clipped to the grid. Cells left
     * of the box get nothing (every row's strips cancel out there). */
    double cols = (double)grid->cols, rows = (double)grid->rows;
    win.c0 = (long)clampd(floor(umin), 0.0, cols);
    win.c1 = (long)clampd(ceil(umax), 0.0, cols);
    win.r0 = (long)clampd(floor(vmin), 0.0, rows);
    win.r1 = (long)clampd(ceil(vmax), 0.0, rows);
    if (win.c1 <= win.c0 || win.r1 <= win.r0) return GM_OK; /* outside the grid */
    win.w = (size_t)(win.c1 - win.c0);
    size_t h_rows = (size_t)(win.r1 - win.r0);
    win.area = zeroed(&ws->area, &ws->area_cap, h_rows * win.w);
    win.cover = zeroed(&ws->cover, &ws->cover_cap, h_rows * (win.w + 1));
    if (!win.area || !win.cover) return GM_ERR_NOMEM;
    for (size_t k = 0; k < n_rings && rc == GM_OK; k++)
        rc = add_ring(&win, rings[k], sizes[k], k > 0);
    ws->cuts = win.cuts, ws->cuts_cap = win.cap; /* grow_cuts may have moved them */
    if (rc != GM_OK) return rc;
    /* The scanline: each cell gets its own part plus every strip to its right.
     * A row's strips are one chain of additions; four rows side by side keep
     * four chains in flight (each row's sums in the same order). */
    size_t i = 0, w = win.w, cw = win.w + 1;
    for (; i + 4 <= h_rows; i += 4) {
        const double *restrict a0 = win.area + i * w, *restrict k0 = win.cover + i * cw;
        const double *restrict a1 = a0 + w, *restrict k1 = k0 + cw;
        const double *restrict a2 = a1 + w, *restrict k2 = k1 + cw;
        const double *restrict a3 = a2 + w, *restrict k3 = k2 + cw;
        double *restrict o0 = frac + ((size_t)win.r0 + i) * grid->cols + (size_t)win.c0;
        double *restrict o1 = o0 + grid->cols, *restrict o2 = o1 + grid->cols;
        double *restrict o3 = o2 + grid->cols;
        double s0 = k0[w], s1 = k1[w], s2 = k2[w], s3 = k3[w];
        for (size_t j = w; j-- > 0;) {
            o0[j] += a0[j] + s0, o1[j] += a1[j] + s1, o2[j] += a2[j] + s2, o3[j] += a3[j] + s3;
            s0 += k0[j], s1 += k1[j], s2 += k2[j], s3 += k3[j];
        }
    }
    for (; i < h_rows; i++) {
        const double *area = win.area + i * win.w, *cover = win.cover + i * (win.w + 1);
        double *out = frac + ((size_t)win.r0 + i) * grid->cols + (size_t)win.c0;
        double strips = cover[win.w];
        for (size_t j = win.w; j-- > 0;) {
            out[j] += area[j] + strips;
            strips += cover[j];
        }
    }
    return GM_OK;
}

static int add_polygon(GEOSContextHandle_t h, const gm_grid *grid, const GEOSGeometry *poly,
                       double *frac, gm_coverage_ws *ws)
{
    if (GEOSisEmpty_r(h, poly)) return GM_OK;
    int holes = GEOSGetNumInteriorRings_r(h, poly);
    if (holes < 0) return GM_ERR_INTERNAL;
    size_t n_rings = (size_t)holes + 1;
    point **rings = calloc(n_rings, sizeof *rings);
    size_t *sizes = calloc(n_rings, sizeof *sizes);
    int rc = GM_OK;
    if (!rings || !sizes) {
        rc = GM_ERR_NOMEM;
        goto done;
    }
    for (size_t k = 0; k < n_rings; k++) {
        const GEOSGeometry *ring =
            k == 0 ? GEOSGetExteriorRing_r(h, poly) : GEOSGetInteriorRingN_r(h, poly, (int)k - 1);
        if (!ring || !(rings[k] = ring_points(h, grid, ring, &sizes[k]))) {
            rc = ring ? GM_ERR_NOMEM : GM_ERR_INTERNAL;
            goto done;
        }
    }
    rc = add_rings(grid, rings, sizes, n_rings, frac, ws);
done:
    for (size_t k = 0; rings && k < n_rings; k++)
        free(rings[k]);
    free(rings);
    free(sizes);
    return rc;
}

int gm_coverage_add_xy(const gm_grid *grid, const double *xy, const size_t *ring_len,
                       size_t n_rings, double *frac, gm_coverage_ws *ws)
{
    if (n_rings == 0 || grid->rows == 0 || grid->cols == 0) return GM_OK;
    size_t total = 0;
    for (size_t k = 0; k < n_rings; k++)
        total += ring_len[k];
    if (total > ws->pts_cap || n_rings > ws->rings_cap) {
        size_t pc = total > ws->pts_cap ? total : ws->pts_cap;
        size_t rc = n_rings > ws->rings_cap ? n_rings : ws->rings_cap;
        point *p = realloc(ws->pts, pc * sizeof *p);
        if (p) ws->pts = p, ws->pts_cap = pc;
        point **r = realloc(ws->rings, rc * sizeof *r);
        if (r) ws->rings = r, ws->rings_cap = rc;
        if (!p || !r) return GM_ERR_NOMEM;
    }
    /* in cell units of this grid */
    for (size_t i = 0; i < total; i++) {
        ws->pts[i].u = (xy[2 * i] - grid->x0) / grid->cell;
        ws->pts[i].v = (grid->y0 - xy[2 * i + 1]) / grid->cell;
    }
    for (size_t k = 0, at = 0; k < n_rings; at += ring_len[k], k++)
        ws->rings[k] = ws->pts + at;
    return add_rings(grid, ws->rings, ring_len, n_rings, frac, ws);
}

int gm_coverage_add(GEOSContextHandle_t h, const gm_grid *grid, const GEOSGeometry *g, double *frac)
{
    gm_coverage_ws *ws = gm_coverage_ws_new();
    if (!ws) return GM_ERR_NOMEM;
    int rc = gm_coverage_add_ws(h, grid, g, frac, ws);
    gm_coverage_ws_free(ws);
    return rc;
}

int gm_coverage_add_ws(GEOSContextHandle_t h, const gm_grid *grid, const GEOSGeometry *g,
                       double *frac, gm_coverage_ws *ws)
{
    if (!g || grid->rows == 0 || grid->cols == 0) return GM_OK;
    switch (GEOSGeomTypeId_r(h, g)) {
    case GEOS_POLYGON:
        return add_polygon(h, grid, g, frac, ws);
    case GEOS_MULTIPOLYGON:
    case GEOS_GEOMETRYCOLLECTION: {
        int n = GEOSGetNumGeometries_r(h, g);
        if (n < 0) return GM_ERR_INTERNAL;
        for (int i = 0; i < n; i++) {
            int rc = gm_coverage_add_ws(h, grid, GEOSGetGeometryN_r(h, g, i), frac, ws);
            if (rc != GM_OK) return rc;
        }
        return GM_OK;
    }
    case -1:
        return GM_ERR_INTERNAL;
    default:
        return GM_OK; /* points and lines cover nothing */
    }
}
