/*
 * project.c -- lon/lat to the rasters' equal-area grid CRS with PROJ
 * (see project.h). The transformation is CGCS2000 to an Albers projection of
 * CGCS2000: no datum shift, a pure map projection.
 */
#include "core/project.h"

#include "core/crs.h"

#include <greenmine/context.h>

#include <math.h>

int gm_projector_init(gm_projector *p)
{
    p->pc = proj_context_create();
    p->pj = NULL;
    if (!p->pc) return GM_ERR_NOMEM;
    PJ *raw = proj_create_crs_to_crs(p->pc, GM_CRS_CGCS2000, GM_GRID_CRS_WKT, NULL);
    if (raw) {
        /* EPSG:4490 is latitude first: take longitude first, as the engine stores it */
        p->pj = proj_normalize_for_visualization(p->pc, raw);
        proj_destroy(raw);
    }
    if (!p->pj) {
        gm_projector_free(p);
        return GM_ERR_CRS;
    }
    return GM_OK;
}

void gm_projector_free(gm_projector *p)
{
    if (p->pj) proj_destroy(p->pj);
    if (p->pc) proj_context_destroy(p->pc);
    p->pj = NULL;
    p->pc = NULL;
}

static int transform_xy(double *x, double *y, void *user)
{
    PJ_COORD c = proj_coord(*x, *y, 0, 0);
    c = proj_trans((PJ *)user, PJ_FWD, c);
    if (c.xy.x == HUGE_VAL) return 0;
    *x = c.xy.x;
    *y = c.xy.y;
    return 1;
}

GEOSGeometry *gm_project_geometry(GEOSContextHandle_t h, gm_projector *p, const GEOSGeometry *g)
{
    GEOSGeometry *dense = GEOSDensify_r(h, g, GM_PROJECT_DENSIFY_DEG);
    if (!dense) return NULL;
    GEOSGeometry *out = GEOSGeom_transformXY_r(h, dense, transform_xy, p->pj);
    GEOSGeom_destroy_r(h, dense);
    return out;
}
