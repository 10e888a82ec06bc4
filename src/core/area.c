/*
 * area.c -- geodesic polygon areas on GRS 80 (CGCS2000's ellipsoid) with
 * PROJ's port of GeographicLib (geodesic.h). Never a planar or spherical
 * shortcut: those are 0.05-0.6 % off at Hunan's latitudes.
 */
#include <greenmine/area.h>

#include <geodesic.h>
#include <math.h>

static void grs80(struct geod_geodesic *g)
{
    /* geod_init only fills a few dozen series coefficients: cheaper than any
     * shared cache, and leaves no global state behind. */
    geod_init(g, GM_GRS80_A, GM_GRS80_F);
}

double gm_ring_area_m2(const double *lon, const double *lat, size_t n)
{
    if (n > 1 && lon[0] == lon[n - 1] && lat[0] == lat[n - 1])
        n--; /* the closing point repeats the first */
    if (n < 3) return 0.0;
    struct geod_geodesic g;
    struct geod_polygon p;
    grs80(&g);
    geod_polygon_init(&p, 0);
    for (size_t i = 0; i < n; i++)
        geod_polygon_addpoint(&g, &p, lat[i], lon[i]);
    double area = 0.0;
    geod_polygon_compute(&g, &p, 0, 1, &area, NULL);
    return fabs(area);
}

static double ring_area(GEOSContextHandle_t h, struct geod_geodesic *g, const GEOSGeometry *ring)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n)) return -1.0;
    if (n > 1) {
        double x0, y0, x1, y1;
        GEOSCoordSeq_getXY_r(h, seq, 0, &x0, &y0);
        GEOSCoordSeq_getXY_r(h, seq, n - 1, &x1, &y1);
        if (x0 == x1 && y0 == y1) n--;
    }
    if (n < 3) return 0.0;
    struct geod_polygon p;
    geod_polygon_init(&p, 0);
    for (unsigned int i = 0; i < n; i++) {
        double x, y;
        if (!GEOSCoordSeq_getXY_r(h, seq, i, &x, &y)) return -1.0;
        geod_polygon_addpoint(g, &p, y, x);
    }
    double area = 0.0;
    geod_polygon_compute(g, &p, 0, 1, &area, NULL);
    return fabs(area);
}

static double polygon_area(GEOSContextHandle_t h, struct geod_geodesic *g, const GEOSGeometry *poly)
{
    if (GEOSisEmpty_r(h, poly)) return 0.0;
    double a = ring_area(h, g, GEOSGetExteriorRing_r(h, poly));
    if (a < 0) return -1.0;
    int holes = GEOSGetNumInteriorRings_r(h, poly);
    for (int i = 0; i < holes; i++) {
        double hole = ring_area(h, g, GEOSGetInteriorRingN_r(h, poly, i));
        if (hole < 0) return -1.0;
        a -= hole;
    }
    return a;
}

static double area_any(GEOSContextHandle_t h, struct geod_geodesic *g, const GEOSGeometry *geom)
{
    switch (GEOSGeomTypeId_r(h, geom)) {
    case GEOS_POLYGON:
        return polygon_area(h, g, geom);
    case GEOS_MULTIPOLYGON:
    case GEOS_GEOMETRYCOLLECTION: {
        double sum = 0.0;
        int n = GEOSGetNumGeometries_r(h, geom);
        for (int i = 0; i < n; i++) {
            double a = area_any(h, g, GEOSGetGeometryN_r(h, geom, i));
            if (a < 0) return -1.0;
            sum += a;
        }
        return sum;
    }
    case -1:
        return -1.0;
    default:
        return 0.0; /* points and lines have no area */
    }
}

double gm_geodesic_area_m2(GEOSContextHandle_t h, const GEOSGeometry *geom)
{
    if (!geom) return 0.0;
    struct geod_geodesic g;
    grs80(&g);
    return area_any(h, &g, geom);
}

double gm_geodesic_area_ha(GEOSContextHandle_t h, const GEOSGeometry *geom)
{
    double m2 = gm_geodesic_area_m2(h, geom);
    return m2 < 0 ? m2 : m2 / GM_M2_PER_HA;
}
