/*
 * densify.c -- vertices inserted along geodesic edges (see densify.h).
 */
#include "core/densify.h"

#include <greenmine/area.h>

#include <geodesic.h>
#include <math.h>
#include <stdlib.h>

static GEOSGeometry *densify_ring(GEOSContextHandle_t h, const struct geod_geodesic *g,
                                  const GEOSGeometry *ring, double max_m)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n) || n < 2) return GEOSGeom_clone_r(h, ring);
    size_t cap = n, used = 0;
    double *xy = malloc(2 * cap * sizeof *xy);
    if (!xy) return NULL;
    for (unsigned i = 0; i + 1 < n; i++) {
        double x0, y0, x1, y1, s12, a1, a2;
        GEOSCoordSeq_getXY_r(h, seq, i, &x0, &y0);
        GEOSCoordSeq_getXY_r(h, seq, i + 1, &x1, &y1);
        geod_inverse(g, y0, x0, y1, x1, &s12, &a1, &a2);
        size_t parts = s12 > max_m ? (size_t)ceil(s12 / max_m) : 1;
        if (used + parts + 1 > cap) {
            cap = (used + parts + 1) * 2;
            double *p = realloc(xy, 2 * cap * sizeof *p);
            if (!p) {
                free(xy);
                return NULL;
            }
            xy = p;
        }
        xy[2 * used] = x0, xy[2 * used + 1] = y0, used++;
        for (size_t k = 1; k < parts; k++) {
            double lat, lon, azi;
            geod_direct(g, y0, x0, a1, s12 * (double)k / (double)parts, &lat, &lon, &azi);
            xy[2 * used] = lon, xy[2 * used + 1] = lat, used++;
        }
    }
    double xl, yl;
    GEOSCoordSeq_getXY_r(h, seq, n - 1, &xl, &yl);
    xy[2 * used] = xl, xy[2 * used + 1] = yl, used++;
    GEOSCoordSequence *out = GEOSCoordSeq_copyFromBuffer_r(h, xy, (unsigned)used, 0, 0);
    free(xy);
    return out ? GEOSGeom_createLinearRing_r(h, out) : NULL;
}

static GEOSGeometry *densify_polygon(GEOSContextHandle_t h, const struct geod_geodesic *g,
                                     const GEOSGeometry *poly, double max_m)
{
    int nh = GEOSGetNumInteriorRings_r(h, poly);
    GEOSGeometry *shell = densify_ring(h, g, GEOSGetExteriorRing_r(h, poly), max_m);
    GEOSGeometry **holes = calloc(nh > 0 ? (size_t)nh : 1, sizeof *holes);
    int ok = shell && holes;
    for (int i = 0; ok && i < nh; i++)
        ok = (holes[i] = densify_ring(h, g, GEOSGetInteriorRingN_r(h, poly, i), max_m)) != NULL;
    GEOSGeometry *out = ok ? GEOSGeom_createPolygon_r(h, shell, holes, (unsigned)nh) : NULL;
    if (!out) {
        if (shell) GEOSGeom_destroy_r(h, shell);
        for (int i = 0; holes && i < nh; i++)
            if (holes[i]) GEOSGeom_destroy_r(h, holes[i]);
    }
    free(holes);
    return out;
}

GEOSGeometry *gm_densify_geodesic(GEOSContextHandle_t h, const GEOSGeometry *geom, double max_m)
{
    struct geod_geodesic g;
    geod_init(&g, GM_GRS80_A, GM_GRS80_F);
    int type = GEOSGeomTypeId_r(h, geom);
    if (type == GEOS_POLYGON) return densify_polygon(h, &g, geom, max_m);
    if (type != GEOS_MULTIPOLYGON) return GEOSGeom_clone_r(h, geom);
    int n = GEOSGetNumGeometries_r(h, geom);
    GEOSGeometry **parts = calloc(n > 0 ? (size_t)n : 1, sizeof *parts);
    int ok = parts != NULL;
    for (int i = 0; ok && i < n; i++)
        ok = (parts[i] = densify_polygon(h, &g, GEOSGetGeometryN_r(h, geom, i), max_m)) != NULL;
    GEOSGeometry *out =
        ok ? GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned)n) : NULL;
    if (!out)
        for (int i = 0; parts && i < n; i++)
            if (parts[i]) GEOSGeom_destroy_r(h, parts[i]);
    free(parts);
    return out;
}
