/*
 * crs.h -- the engine's one CRS, by number: CGCS2000 geographic (EPSG:4490),
 * which every geometry inside the engine is in, longitude first. Named once
 * here for PROJ (src/core/project.c, src/io/applications.c), OGR
 * (src/io/crs.c, which adds the GIS axis order) and the files written (the
 * grid CRS's WKT, the QGIS project).
 */
#ifndef GM_CORE_CRS_H
#define GM_CORE_CRS_H

#define GM_CRS_CGCS2000_EPSG 4490
#define GM_CRS_STR_(x) #x
#define GM_CRS_STR(x) GM_CRS_STR_(x)
/* "EPSG:4490", as PROJ and OGR take it */
#define GM_CRS_CGCS2000 "EPSG:" GM_CRS_STR(GM_CRS_CGCS2000_EPSG)

#endif
