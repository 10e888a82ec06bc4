/*
 * project.c -- lon/lat to the rasters' equal-area grid CRS with PROJ
 * (see project.h). The transformation is CGCS2000 to an Albers projection of
 * CGCS2000: no datum shift, a pure map projection.
 */
#include "core/project.h"

#include "core/crs.h"

#include <greenmine/context.h>

#include <math.h>
#include <stdlib.h>

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

/* Appends (x, y) unless it equals the last point appended: GEOS's
 * CoordinateList insert without repeats. */
static void put_point(double *out, size_t *len, double x, double y)
{
    if (*len && out[2 * *len - 2] == x && out[2 * *len - 1] == y) return;
    out[2 * *len] = x, out[2 * *len + 1] = y;
    (*len)++;
}

/* GEOS 3.11's Densifier::densifyPoints, in its arithmetic: for each edge p0 p1,
 * len = sqrt(dx dx + dy dy) (Coordinate::distance), n = ceil(len / tol); when
 * n > 1 the points p0 + f (p1 - p0) with f = (j * (len / n)) / len, j = 1 ..
 * n - 1 (LineSegment::pointAlong), else p1; each point dropped when it repeats
 * the one before. */
size_t gm_project_densify_ring(const double *in, size_t n, double **out, size_t *len, size_t *cap,
                               int *inserted)
{
    if (n == 0) return 0;
    const double tol = GM_PROJECT_DENSIFY_DEG;
    size_t start = *len;
    for (size_t i = 0; i + 1 < n; i++) {
        const double *p0 = &in[2 * i], *p1 = &in[2 * i + 2];
        double dx = p0[0] - p1[0], dy = p0[1] - p1[1];
        double seg = sqrt(dx * dx + dy * dy);
        double count = ceil(seg / tol);
        if (!(count < 1e9)) return 0; /* GEOS throws (NaN or huge): not ours to mimic */
        size_t need = *len + (count > 2 ? (size_t)count : 2); /* p0, then p1 or n - 1 */
        if (need > *cap) {
            size_t c = *cap ? *cap : 64;
            while (c < need)
                c *= 2;
            double *o = realloc(*out, c * 2 * sizeof *o);
            if (!o) return 0;
            *out = o, *cap = c;
        }
        put_point(*out, len, p0[0], p0[1]);
        int k = (int)count;
        if (k > 1) {
            double step = seg / k;
            for (int j = 1; j < k; j++) {
                double f = (j * step) / seg;
                put_point(*out, len, p0[0] + f * (p1[0] - p0[0]), p0[1] + f * (p1[1] - p0[1]));
            }
            *inserted = 1;
        } else {
            put_point(*out, len, p1[0], p1[1]);
        }
    }
    if (*len + 1 > *cap) {
        double *o = realloc(*out, (*cap + 1) * 2 * sizeof *o);
        if (!o) return 0;
        *out = o, *cap += 1;
    }
    put_point(*out, len, in[2 * n - 2], in[2 * n - 1]);
    return *len - start;
}

int gm_project_xy(gm_projector *p, double *xy, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!transform_xy(&xy[2 * i], &xy[2 * i + 1], p->pj)) return 0;
    return 1;
}
