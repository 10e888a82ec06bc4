/*
 * area.c -- geodesic polygon areas on GRS 80 (CGCS2000's ellipsoid). Never a
 * planar or spherical shortcut: those are 0.05-0.6 % off at Hunan's latitudes.
 *
 * A ring whose edges are all short -- every geometry the engine measures:
 * inputs are densified to 50 m edges and overlays only cut edges -- is
 * measured in the authalic coordinates (lambda, q), in which the ellipsoid's
 * area element is exactly a^2/2 dq dlambda: the straight-edged (trapezoid)
 * area there, plus per edge the closed-form lune between that straight edge
 * and the geodesic's image. That costs a sine per vertex where GeographicLib
 * solves an inverse geodesic problem per edge (a microsecond each; 17 % of a
 * run). A ring with a longer edge goes to GeographicLib's geod_polygonarea.
 * tests/unit/test_area.c measures the two against each other.
 */
#include <greenmine/area.h>

#include <geodesic.h>

#include <math.h>
#include <stdlib.h>

static const double rad = 3.14159265358979323846 / 180.0;
static const double e2 = GM_GRS80_F * (2.0 - GM_GRS80_F);

/* Edges up to this long are measured in authalic coordinates. The lune of a
 * 200 m edge is ~0.1 m^2 at 60 degrees, and the terms it neglects are of
 * relative order L/R (3e-5). */
#define GM_AREA_SHORT_M 200.0

/* q(sin lat) / (1 - e^2), with atanh(e s) / e = s sum (e^2 s^2)^k / (2k + 1):
 * ten terms leave < 1e-20 at any latitude (e^2 s^2 <= 0.0067). */
static double authalic_q(double s)
{
    double x = e2 * s * s, t = 0.0;
    for (int k = 9; k >= 0; k--)
        t = t * x + 1.0 / (2 * k + 1);
    return s / (1.0 - x) + s * t;
}

/* Signed area (m^2, counter-clockwise positive) of a ring of n >= 3 lon/lat
 * points, interleaved, without the closing point; NAN when an edge is too long
 * for the authalic sum. */
static double short_edge_area(const double *xy, size_t n)
{
    /* a^2/b hypot(dlat, c dlon) bounds an edge's length, c the cosine of its
     * end nearer the equator, or 1 if it crosses it (densify.c) */
    const double max_rad = GM_AREA_SHORT_M * (1.0 - GM_GRS80_F) / GM_GRS80_A;
    const double max_rad2 = max_rad * max_rad;
    const double x0 = xy[0], lat0 = xy[1] * rad, s0 = sin(lat0), q0 = authalic_q(s0);
    double sum = 0.0, lune = 0.0;
    double px = 0.0, pq = 0.0, plat = lat0, ps = s0;
    for (size_t i = 1; i <= n; i++) {
        double x = 0.0, q = 0.0, lat = lat0, s = s0;
        if (i < n) {
            double dx = xy[2 * i] - x0;
            if (dx > 180.0) dx -= 360.0;
            if (dx < -180.0) dx += 360.0;
            x = dx * rad, lat = xy[2 * i + 1] * rad, s = sin(lat), q = authalic_q(s) - q0;
        }
        double dl = x - px, dp = lat - plat;
        double c2 = s * ps <= 0.0 ? 1.0 : 1.0 - (s * s < ps * ps ? s * s : ps * ps);
        if (c2 * dl * dl + dp * dp > max_rad2) return NAN;
        sum += px * q - x * pq;
        /* The geodesic bows poleward of the straight edge. From the geodesic
         * equations on the ellipsoid (radii of curvature M along the meridian,
         * N across it), the lune between them is, to O(L^4),
         * dl sin lat (N^2 cos^2 lat dl^2 + 3 M^2 dlat^2) / 12. */
        double sm = 0.5 * (s + ps), w = 1.0 - e2 * sm * sm;
        lune +=
            dl * sm *
            ((1.0 - sm * sm) * dl * dl / w + 3.0 * (1.0 - e2) * (1.0 - e2) * dp * dp / (w * w * w));
        px = x, pq = q, plat = lat, ps = s;
    }
    const double a2 = GM_GRS80_A * GM_GRS80_A;
    return 0.25 * a2 * (1.0 - e2) * sum - a2 * lune / 12.0;
}

/* |area| of a ring of n lon/lat points (interleaved, no closing point). */
static double ring_area_xy(const double *xy, size_t n)
{
    if (n < 3) return 0.0;
    double a = short_edge_area(xy, n);
    if (!isnan(a)) return fabs(a);
    /* geod_init only fills a few dozen series coefficients: cheaper than any
     * shared cache, and leaves no global state behind. */
    struct geod_geodesic g;
    struct geod_polygon p;
    geod_init(&g, GM_GRS80_A, GM_GRS80_F);
    geod_polygon_init(&p, 0);
    for (size_t i = 0; i < n; i++)
        geod_polygon_addpoint(&g, &p, xy[2 * i + 1], xy[2 * i]);
    a = 0.0;
    geod_polygon_compute(&g, &p, 0, 1, &a, NULL);
    return fabs(a);
}

double gm_ring_area_m2(const double *lon, const double *lat, size_t n)
{
    if (n > 1 && lon[0] == lon[n - 1] && lat[0] == lat[n - 1])
        n--; /* the closing point repeats the first */
    if (n < 3) return 0.0;
    double *xy = malloc(2 * n * sizeof *xy);
    if (!xy) return -1.0;
    for (size_t i = 0; i < n; i++)
        xy[2 * i] = lon[i], xy[2 * i + 1] = lat[i];
    double a = ring_area_xy(xy, n);
    free(xy);
    return a;
}

static double ring_area(GEOSContextHandle_t h, const GEOSGeometry *ring)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n)) return -1.0;
    if (n < 4) return 0.0; /* a closed ring of fewer than three distinct points */
    double stack[2 * 256], *xy = n <= 256 ? stack : malloc(2 * (size_t)n * sizeof *xy);
    if (!xy) return -1.0;
    double a = -1.0;
    if (GEOSCoordSeq_copyToBuffer_r(h, seq, xy, 0, 0)) {
        size_t m = n;
        if (xy[0] == xy[2 * (m - 1)] && xy[1] == xy[2 * (m - 1) + 1]) m--;
        a = ring_area_xy(xy, m);
    }
    if (xy != stack) free(xy);
    return a;
}

static double polygon_area(GEOSContextHandle_t h, const GEOSGeometry *poly)
{
    if (GEOSisEmpty_r(h, poly)) return 0.0;
    double a = ring_area(h, GEOSGetExteriorRing_r(h, poly));
    if (a < 0) return -1.0;
    int holes = GEOSGetNumInteriorRings_r(h, poly);
    for (int i = 0; i < holes; i++) {
        double hole = ring_area(h, GEOSGetInteriorRingN_r(h, poly, i));
        if (hole < 0) return -1.0;
        a -= hole;
    }
    return a;
}

static double area_any(GEOSContextHandle_t h, const GEOSGeometry *geom)
{
    switch (GEOSGeomTypeId_r(h, geom)) {
    case GEOS_POLYGON:
        return polygon_area(h, geom);
    case GEOS_MULTIPOLYGON:
    case GEOS_GEOMETRYCOLLECTION: {
        double sum = 0.0;
        int n = GEOSGetNumGeometries_r(h, geom);
        for (int i = 0; i < n; i++) {
            double a = area_any(h, GEOSGetGeometryN_r(h, geom, i));
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
    return geom ? area_any(h, geom) : 0.0;
}

double gm_geodesic_area_ha(GEOSContextHandle_t h, const GEOSGeometry *geom)
{
    double m2 = gm_geodesic_area_m2(h, geom);
    return m2 < 0 ? m2 : m2 / GM_M2_PER_HA;
}
