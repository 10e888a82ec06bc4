/*
 * greenmine/area.h -- ellipsoidal areas.
 *
 * Every area greenmine reports is the geodesic polygon area on the CGCS2000
 * (GRS 80) ellipsoid: a ring's vertices joined by geodesics. Rings whose edges
 * are all at most 200 m are summed in authalic coordinates with each edge's
 * geodesic lune; others with GeographicLib as PROJ ships it (geod_polygon_*).
 * The two agree within GeographicLib's own rounding (docs/architecture.md).
 * Geometries must be in CGCS2000 geographic coordinates, x = longitude,
 * y = latitude, in degrees.
 */
#ifndef GREENMINE_AREA_H
#define GREENMINE_AREA_H

#include <geos_c.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GM_GRS80_A 6378137.0
#define GM_GRS80_F (1.0 / 298.257222101)
#define GM_M2_PER_HA 10000.0

/* Area in square metres of a polygonal geometry (Polygon, MultiPolygon or a
 * collection of them; other parts count zero): |shell| - sum |holes| per
 * polygon, whatever the ring orientation. Returns a negative value when GEOS
 * cannot read the geometry. Thread-safe with one handle per thread. */
double gm_geodesic_area_m2(GEOSContextHandle_t h, const GEOSGeometry *g);

/* The same in hectares. */
double gm_geodesic_area_ha(GEOSContextHandle_t h, const GEOSGeometry *g);

/* Area in square metres of one ring given as separate longitude and latitude
 * arrays of n points (closing point optional). Always >= 0. */
double gm_ring_area_m2(const double *lon, const double *lat, size_t n);

#ifdef __cplusplus
}
#endif
#endif
