/*
 * crs.c -- CGCS2000 lon/lat and the transformations to it (crs.h).
 */
#include "io/crs.h"

#include "core/crs.h"

#include <cpl_error.h>

OGRSpatialReferenceH gm_crs_cgcs2000(void)
{
    OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
    if (!s) return NULL;
    if (OSRImportFromEPSG(s, GM_CRS_CGCS2000_EPSG) != OGRERR_NONE) {
        OSRDestroySpatialReference(s);
        return NULL;
    }
    OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
    return s;
}

OGRSpatialReferenceH gm_crs_from_user(const char *text)
{
    OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
    if (!s) return NULL;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    OGRErr e = OSRSetFromUserInput(s, text);
    CPLPopErrorHandler();
    if (e != OGRERR_NONE) {
        OSRDestroySpatialReference(s);
        return NULL;
    }
    OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
    return s;
}

OGRCoordinateTransformationH gm_crs_to_cgcs2000(OGRSpatialReferenceH src, int inverse)
{
    OGRSpatialReferenceH cgcs = gm_crs_cgcs2000(), other = src ? OSRClone(src) : NULL;
    OGRCoordinateTransformationH ct = NULL;
    if (cgcs && other) {
        OSRSetAxisMappingStrategy(other, OAMS_TRADITIONAL_GIS_ORDER);
        CPLPushErrorHandler(CPLQuietErrorHandler);
        ct = inverse ? OCTNewCoordinateTransformation(cgcs, other)
                     : OCTNewCoordinateTransformation(other, cgcs);
        CPLPopErrorHandler();
    }
    if (cgcs) OSRDestroySpatialReference(cgcs);
    if (other) OSRDestroySpatialReference(other);
    return ct;
}
