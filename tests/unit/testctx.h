/*
 * testctx.h -- for unit tests that run the engine on hand-made inputs: a
 * gm_context (its GEOS handle is testutil.h's h), rectangles on a 0.01-degree
 * grid from 112E 28N with their closed-form areas, a growable array, and
 * inputs made by hand.
 * Include after testutil.h.
 */
#ifndef GM_TESTCTX_H
#define GM_TESTCTX_H

#include "core/context_impl.h"

#include <greenmine/load.h>
#include <string.h>

static gm_context *ctx;

/* Rectangles in units of 0.01 degree (about 1 km) from 112E 28N. */
#define U 0.01
static inline GEOSGeometry *r(double x0, double y0, double x1, double y1)
{
    return rect(h, 112 + x0 * U, 28 + y0 * U, 112 + x1 * U, 28 + y1 * U);
}
static inline double ha(double x0, double y0, double x1, double y1)
{
    return band_area_ha(112 + x0 * U, 28 + y0 * U, 112 + x1 * U, 28 + y1 * U);
}

static inline int setup(void **state)
{
    (void)state;
    gm_context_new(&ctx);
    h = ctx->geos;
    return 0;
}

static inline int teardown(void **state)
{
    (void)state;
    gm_context_free(ctx);
    return 0;
}

#define GROW(arr, n) (arr = realloc(arr, ((n) + 1) * sizeof *(arr)), &(arr)[(n)++])

#ifdef GM_TESTCTX_INPUTS
/* Inputs made by hand: records appended with their geometries (taken).
 * Opt-in (define GM_TESTCTX_INPUTS first): test_check.c has its own. */
static inline void mine(gm_inputs *in, const char *id, gm_scale scale, GEOSGeometry *g)
{
    gm_mine *m = GROW(in->mines, in->n_mines);
    *m = (gm_mine){.mine_id = strdup(id), .scale = scale, .geom = g, .green = GM_FLAG_UNKNOWN};
}

static inline void redline(gm_inputs *in, const char *id, GEOSGeometry *g)
{
    gm_redline *x = GROW(in->redlines, in->n_redlines);
    *x = (gm_redline){.redline_id = strdup(id), .geom = g};
}

static inline void parcel(gm_inputs *in, gm_parcel_kind kind, gm_parcel_status status, int date,
                          gm_flag legacy, GEOSGeometry *g)
{
    gm_parcel *p = GROW(in->parcels, in->n_parcels);
    *p = (gm_parcel){.parcel_id = strdup("p"),
                     .kind = kind,
                     .status = status,
                     .completed_on = date,
                     .legacy = legacy,
                     .geom = g};
}

static inline void zone(gm_inputs *in, const char *name, GEOSGeometry *g)
{
    gm_zone *z = GROW(in->zones, in->n_zones);
    *z = (gm_zone){.zone_id = strdup(name), .name = strdup(name), .geom = g};
}

/* A completed legacy restoration parcel dated mid-period. */
static inline void done(gm_inputs *in, GEOSGeometry *g)
{
    parcel(in, GM_RESTORATION, GM_PARCEL_COMPLETED, 20180601, GM_FLAG_YES, g);
}

static inline gm_inputs *fresh(void)
{
    gm_inputs *in;
    assert_int_equal(gm_inputs_new(&in), GM_OK);
    return in;
}

#endif /* GM_TESTCTX_INPUTS */

#endif
