/*
 * testctx.h -- for unit tests that run the engine on hand-made inputs: a
 * gm_context (its GEOS handle is testutil.h's h), rectangles on a 0.01-degree
 * grid from 112E 28N with their closed-form areas, and a growable array.
 * Include after testutil.h.
 */
#ifndef GM_TESTCTX_H
#define GM_TESTCTX_H

#include "core/context_impl.h"

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

#endif
