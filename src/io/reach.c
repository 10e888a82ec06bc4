/*
 * reach.c -- red lines densified only where the mines can reach them
 * (gm_load_options.redlines_near_mines, load.h).
 *
 * A red line's long edges get points along their geodesics so that every
 * overlay follows the edges areas assume (core/densify.h). But an overlay of a
 * mine with a red line only ever sees the red line near the mine: GEOS's
 * overlay clips the red line to a box around the mine's envelope before
 * noding it (the box is the envelopes' intersection widened by a tenth, grown
 * to the ends of the short segments that meet it, and widened by a tenth
 * again), and a point-in-polygon test of a mine point counts crossings whose
 * parity a bulge elsewhere cannot change. So an edge whose densified chain
 * surely stays away from every mine's widened envelope, and cannot make the
 * red line's envelope (the clip box, and the ring's highest point, which GEOS
 * reads for its orientation, come from there), may stay a chord. The loader
 * takes this only for a ring it proved simple with any mixture of chords and
 * chains (gm_sparse_ring_surely_simple).
 */
#include "io/reach.h"

#include <greenmine/context.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Where the mines are: a grid over their widened envelopes, a cell set when
 * one of them meets it (a cell set too many only densifies more). */
#define REACH_CELLS 1024

struct gm_reach {
    double x0, y0, icw, ich; /* the grid's corner, and cells per degree */
    unsigned char *cell;     /* REACH_CELLS x REACH_CELLS, NULL: no mine */
};

/* A mine's envelope widened so that it holds the clip box of any overlay
 * with it: a tenth of its larger side twice over, the short segments that
 * meet the box (under 50 m, 0.0005 degrees), and as much again to spare. */
static void widened(const double *m, double *b)
{
    double g = 0.5 * fmax(m[2] - m[0], m[3] - m[1]) + 0.002;
    b[0] = m[0] - g, b[1] = m[1] - g, b[2] = m[2] + g, b[3] = m[3] + g;
}

static int mine_box(GEOSContextHandle_t h, const GEOSGeometry *g, double *m)
{
    return GEOSGeom_getXMin_r(h, g, &m[0]) && GEOSGeom_getYMin_r(h, g, &m[1]) &&
           GEOSGeom_getXMax_r(h, g, &m[2]) && GEOSGeom_getYMax_r(h, g, &m[3]);
}

/* The cells a box covers, clamped to the grid; 0 when it misses the grid.
 * One monotone mapping for mines and edges, so boxes that meet share a cell. */
static int cell_span(const gm_reach *R, const double *b, size_t *c0, size_t *r0, size_t *c1,
                     size_t *r1)
{
    double a = (b[0] - R->x0) * R->icw, c = (b[2] - R->x0) * R->icw;
    double d = (b[1] - R->y0) * R->ich, e = (b[3] - R->y0) * R->ich;
    if (!(c >= 0) || !(e >= 0) || !(a < REACH_CELLS) || !(d < REACH_CELLS)) return 0;
    *c0 = a < 0 ? 0 : (size_t)a, *r0 = d < 0 ? 0 : (size_t)d;
    *c1 = c >= REACH_CELLS ? REACH_CELLS - 1 : (size_t)c;
    *r1 = e >= REACH_CELLS ? REACH_CELLS - 1 : (size_t)e;
    return 1;
}

static int reach_build(GEOSContextHandle_t h, const gm_inputs *in, gm_reach *R)
{
    double ext[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY}, m[4], b[4];
    memset(R, 0, sizeof *R);
    for (size_t i = 0; i < in->n_mines; i++) {
        if (!in->mines[i].geom || GEOSisEmpty_r(h, in->mines[i].geom)) continue;
        if (!mine_box(h, in->mines[i].geom, m)) return GM_ERR_INTERNAL;
        widened(m, b);
        ext[0] = fmin(ext[0], b[0]), ext[1] = fmin(ext[1], b[1]);
        ext[2] = fmax(ext[2], b[2]), ext[3] = fmax(ext[3], b[3]);
    }
    if (!(ext[0] <= ext[2])) return GM_OK; /* no mine: every long edge may stay a chord */
    if (!(R->cell = calloc((size_t)REACH_CELLS * REACH_CELLS, 1))) return GM_ERR_NOMEM;
    R->x0 = ext[0], R->y0 = ext[1];
    double w = ext[2] - ext[0], hgt = ext[3] - ext[1];
    R->icw = w > 0 ? REACH_CELLS / w : 1.0, R->ich = hgt > 0 ? REACH_CELLS / hgt : 1.0;
    for (size_t i = 0; i < in->n_mines; i++) {
        if (!in->mines[i].geom || GEOSisEmpty_r(h, in->mines[i].geom)) continue;
        size_t c0, r0, c1, r1;
        if (!mine_box(h, in->mines[i].geom, m)) return GM_ERR_INTERNAL;
        widened(m, b);
        if (!cell_span(R, b, &c0, &r0, &c1, &r1)) continue;
        for (size_t r = r0; r <= r1; r++)
            memset(R->cell + r * REACH_CELLS + c0, 1, c1 - c0 + 1);
    }
    return GM_OK;
}

static int reached(const gm_reach *R, const double *b)
{
    size_t c0, r0, c1, r1;
    if (!R->cell || !cell_span(R, b, &c0, &r0, &c1, &r1)) return 0;
    for (size_t r = r0; r <= r1; r++)
        if (memchr(R->cell + r * REACH_CELLS + c0, 1, c1 - c0 + 1)) return 1;
    return 0;
}

gm_reach *gm_reach_new(GEOSContextHandle_t h, const gm_inputs *in)
{
    gm_reach *R = calloc(1, sizeof *R);
    if (R && reach_build(h, in, R) != GM_OK) {
        gm_reach_free(R);
        return NULL;
    }
    return R;
}

void gm_reach_free(gm_reach *R)
{
    if (!R) return;
    free(R->cell);
    free(R);
}

void gm_reach_chords(const gm_reach *R, const double *xy, size_t n, const double *sag,
                     unsigned char *chord)
{
    double env[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < n; i++) {
        env[0] = fmin(env[0], xy[2 * i]), env[1] = fmin(env[1], xy[2 * i + 1]);
        env[2] = fmax(env[2], xy[2 * i]), env[3] = fmax(env[3], xy[2 * i + 1]);
    }
    for (size_t i = 0; i + 1 < n; i++) {
        const double *p = &xy[2 * i], *q = p + 2;
        double w = sag[i] * 2.0; /* the chain's box, and some */
        double b[4] = {fmin(p[0], q[0]) - w, fmin(p[1], q[1]) - w, fmax(p[0], q[0]) + w,
                       fmax(p[1], q[1]) + w};
        int edge_of_env = b[0] <= env[0] || b[1] <= env[1] || b[2] >= env[2] || b[3] >= env[3];
        chord[i] = sag[i] > 0.0 && !edge_of_env && !reached(R, b);
    }
}
