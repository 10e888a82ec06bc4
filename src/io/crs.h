/*
 * crs.h -- the engine's one CRS and the ways to it: CGCS2000 geographic,
 * longitude first (EPSG:4490 with GIS axis order: every format stores
 * longitude first, whatever EPSG says), built here and nowhere else.
 * Ownership: every handle returned is the caller's (OSRDestroySpatialReference,
 * OCTDestroyCoordinateTransformation).
 */
#ifndef GM_IO_CRS_H
#define GM_IO_CRS_H

#include <ogr_srs_api.h>

/* CGCS2000 lon/lat. NULL only when PROJ's database lacks EPSG:4490. */
OGRSpatialReferenceH gm_crs_cgcs2000(void);
/* A CRS from user text ("EPSG:4547", WKT, a PROJ string...), GIS axis order;
 * NULL when GDAL does not know it. */
OGRSpatialReferenceH gm_crs_from_user(const char *text);
/* From src to CGCS2000 lon/lat (or back, `inverse`); NULL when PROJ has no
 * way. GDAL's complaints are kept quiet: the caller says what failed. */
OGRCoordinateTransformationH gm_crs_to_cgcs2000(OGRSpatialReferenceH src, int inverse);

#endif
