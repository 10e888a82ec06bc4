/*
 * project.h -- CGCS2000 longitude/latitude to the grid CRS of greenmine's
 * rasters: an Albers equal-area conic on CGCS2000 fitted to Hunan (standard
 * parallels 25N and 30N, central meridian 111.5E). Equal-area, so every cell
 * of a raster has the same true area (cell size squared) and fraction x cell
 * area adds up to hectares. PROJ only; no GDAL here.
 */
#ifndef GM_PROJECT_H
#define GM_PROJECT_H

#include "core/crs.h"

#include <geos_c.h>
#include <proj.h>

#define GM_GRID_CRS_NAME "CGCS2000 / Hunan Albers equal-area (greenmine)"
/* The same CRS for every consumer: PROJ here, OGR/GDAL in src/out. */
// clang-format off
#define GM_GRID_CRS_WKT                                                                            \
    "PROJCRS[\"" GM_GRID_CRS_NAME "\","                                                            \
    "BASEGEOGCRS[\"China Geodetic Coordinate System 2000\","                                       \
    "DATUM[\"China 2000\",ELLIPSOID[\"CGCS2000\",6378137,298.257222101,LENGTHUNIT[\"metre\",1]]]," \
    "PRIMEM[\"Greenwich\",0,ANGLEUNIT[\"degree\",0.0174532925199433]],"                            \
    "ID[\"EPSG\"," GM_CRS_STR(GM_CRS_CGCS2000_EPSG) "]],"                                          \
    "CONVERSION[\"Hunan Albers\",METHOD[\"Albers Equal Area\",ID[\"EPSG\",9822]],"                 \
    "PARAMETER[\"Latitude of false origin\",0,ANGLEUNIT[\"degree\",0.0174532925199433]],"          \
    "PARAMETER[\"Longitude of false origin\",111.5,ANGLEUNIT[\"degree\",0.0174532925199433]],"     \
    "PARAMETER[\"Latitude of 1st standard "                                                        \
    "parallel\",25,ANGLEUNIT[\"degree\",0.0174532925199433]],"                                     \
    "PARAMETER[\"Latitude of 2nd standard "                                                        \
    "parallel\",30,ANGLEUNIT[\"degree\",0.0174532925199433]],"                                     \
    "PARAMETER[\"Easting at false origin\",0,LENGTHUNIT[\"metre\",1]],"                            \
    "PARAMETER[\"Northing at false origin\",0,LENGTHUNIT[\"metre\",1]]],"                          \
    "CS[Cartesian,2],AXIS[\"easting (X)\",east,ORDER[1],LENGTHUNIT[\"metre\",1]],"                 \
    "AXIS[\"northing (Y)\",north,ORDER[2],LENGTHUNIT[\"metre\",1]]]"
// clang-format on
#define GM_GRID_CRS_PROJ4                                                                          \
    "+proj=aea +lat_0=0 +lon_0=111.5 +lat_1=25 +lat_2=30 +x_0=0 +y_0=0 +ellps=GRS80 +units=m "     \
    "+no_defs"

/* Edges are straight in longitude/latitude on input; they are densified to
 * this many degrees (about 100 m) before projecting, so the projected ring
 * follows them (the area difference is far below 1e-6 relative). */
#define GM_PROJECT_DENSIFY_DEG 0.001

/* A transformation with its own PROJ context (one per thread). */
typedef struct gm_projector {
    PJ_CONTEXT *pc;
    PJ *pj;
} gm_projector;

/* Returns GM_OK or GM_ERR_CRS when PROJ cannot build the transformation. */
int gm_projector_init(gm_projector *p);
void gm_projector_free(gm_projector *p);

/* A new geometry: g (lon/lat) densified and projected to the grid CRS, or
 * NULL when GEOS or PROJ fails. Free with GEOSGeom_destroy_r(h, ...). */
GEOSGeometry *gm_project_geometry(GEOSContextHandle_t h, gm_projector *p, const GEOSGeometry *g);

/* The same two steps on one ring's coordinates, for callers that want the
 * points and no GEOS geometry. gm_project_densify_ring() appends ring `in`
 * (n lon/lat points, x y interleaved) densified exactly as GEOSDensify_r(..,
 * GM_PROJECT_DENSIFY_DEG) densifies it -- the same points, bit for bit, no
 * point equal to the one before -- to *out (*len points used of *cap,
 * grown with realloc; the caller frees it). Returns how many points it
 * appended, 0 when out of memory, n == 0 or an edge is not finite or absurdly
 * long (GEOS would throw); *inserted is set when a point
 * was added on an edge. GEOSDensify_r also repairs a polygon it finds
 * invalid afterwards: the caller must know the result is valid.
 * gm_project_xy() projects n points in place: 0 when PROJ fails on one. */
size_t gm_project_densify_ring(const double *in, size_t n, double **out, size_t *len, size_t *cap,
                               int *inserted);
int gm_project_xy(gm_projector *p, double *xy, size_t n);

#endif
