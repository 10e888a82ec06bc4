/*
 * normalise.c -- geometry normalisation: polygonal parts only, valid, never
 * empty. Repair is MakeValid's "structure" method, never buffer(0), which
 * silently drops one lobe of a bow-tie.
 */
#include "core/normalise.h"

#include "core/densify.h"
#include "core/simple.h"

#include <stdio.h>
#include <stdlib.h>

static int collect_polygons(GEOSContextHandle_t h, const GEOSGeometry *g, GEOSGeometry ***parts,
                            size_t *n, size_t *cap, int *dropped)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(h, g)) return 0;
        if (*n == *cap) {
            size_t c = *cap ? *cap * 2 : 8;
            GEOSGeometry **p = realloc(*parts, c * sizeof *p);
            if (!p) return -1;
            *parts = p;
            *cap = c;
        }
        GEOSGeometry *copy = GEOSGeom_clone_r(h, g);
        if (!copy) return -1;
        (*parts)[(*n)++] = copy;
        return 0;
    }
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int k = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < k; i++)
            if (collect_polygons(h, GEOSGetGeometryN_r(h, g, i), parts, n, cap, dropped) != 0)
                return -1;
        return 0;
    }
    if (!GEOSisEmpty_r(h, g)) *dropped = 1;
    return 0;
}

GEOSGeometry *gm_polygonal_parts(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    GEOSGeometry **parts = NULL;
    size_t n = 0, cap = 0;
    int dropped = 0;
    if (collect_polygons(h, g, &parts, &n, &cap, &dropped) != 0) {
        for (size_t i = 0; i < n; i++)
            GEOSGeom_destroy_r(h, parts[i]);
        free(parts);
        return NULL;
    }
    GEOSGeometry *out;
    if (n == 1)
        out = parts[0];
    else
        out = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned)n);
    free(parts);
    return out;
}

static int has_area_dimension(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON) return 1;
    if (type == GEOS_GEOMETRYCOLLECTION) {
        int k = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < k; i++)
            if (has_area_dimension(h, GEOSGetGeometryN_r(h, g, i))) return 1;
    }
    return 0;
}

int gm_normalise_polygonal(GEOSContextHandle_t h, GEOSGeometry *in, GEOSGeometry **out,
                           unsigned *flags)
{
    return gm_normalise_polygonal_why(h, in, out, flags, NULL, 0);
}

int gm_normalise_polygonal_why(GEOSContextHandle_t h, GEOSGeometry *in, GEOSGeometry **out,
                               unsigned *flags, char *why, size_t why_len)
{
    if (why && why_len) why[0] = '\0';
    *out = NULL;
    *flags = 0;
    if (!in || GEOSisEmpty_r(h, in)) {
        *flags |= GM_NORM_EMPTY;
        if (in) GEOSGeom_destroy_r(h, in);
        return 0;
    }
    if (!has_area_dimension(h, in)) {
        *flags |= GM_NORM_NOT_POLYGONAL;
        GEOSGeom_destroy_r(h, in);
        return 0;
    }
    int type = GEOSGeomTypeId_r(h, in);
    GEOSGeometry *g = in;
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) {
        int dropped = 0;
        GEOSGeometry **parts = NULL;
        size_t n = 0, cap = 0;
        int rc = collect_polygons(h, in, &parts, &n, &cap, &dropped);
        GEOSGeom_destroy_r(h, in);
        if (rc != 0) {
            for (size_t i = 0; i < n; i++)
                GEOSGeom_destroy_r(h, parts[i]);
            free(parts);
            return -1;
        }
        g = n == 1 ? parts[0]
                   : GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned)n);
        free(parts);
        if (!g) return -1;
        if (dropped) *flags |= GM_NORM_DROPPED_PARTS;
    }

    char *reason = NULL;
    GEOSGeometry *location = NULL;
    /* most polygons are plainly valid: proven cheaply, GEOS judges the rest */
    char valid =
        gm_polygon_surely_valid(h, g) ? 1 : GEOSisValidDetail_r(h, g, 0, &reason, &location);
    if (valid == 0 && why && why_len) {
        double x = 0, y = 0;
        if (location && GEOSGeomTypeId_r(h, location) == GEOS_POINT) {
            GEOSGeomGetX_r(h, location, &x);
            GEOSGeomGetY_r(h, location, &y);
            snprintf(why, why_len, "%s at %.8g %.8g", reason ? reason : "invalid", x, y);
        } else {
            snprintf(why, why_len, "%s", reason ? reason : "invalid");
        }
    }
    if (reason) GEOSFree_r(h, reason);
    if (location) GEOSGeom_destroy_r(h, location);
    if (valid == 2) {
        GEOSGeom_destroy_r(h, g);
        return -1;
    }
    if (!valid) {
        GEOSMakeValidParams *params = GEOSMakeValidParams_create_r(h);
        GEOSMakeValidParams_setMethod_r(h, params, GEOS_MAKE_VALID_STRUCTURE);
        GEOSMakeValidParams_setKeepCollapsed_r(h, params, 0);
        GEOSGeometry *fixed = GEOSMakeValidWithParams_r(h, g, params);
        GEOSMakeValidParams_destroy_r(h, params);
        GEOSGeom_destroy_r(h, g);
        if (!fixed) return -1;
        g = gm_polygonal_parts(h, fixed);
        GEOSGeom_destroy_r(h, fixed);
        if (!g) return -1;
        /* GEOS 3.11's structure method can leave parts that share an edge (a
         * bow-tie folded onto its own edge: fuzz finding 5); their union is what
         * "structure" means, and is valid. Anything still invalid is refused. */
        if (!gm_polygon_surely_valid(h, g) && GEOSisValid_r(h, g) != 1) {
            GEOSGeometry *u = GEOSUnaryUnion_r(h, g);
            GEOSGeom_destroy_r(h, g);
            g = u ? gm_polygonal_parts(h, u) : NULL;
            if (u) GEOSGeom_destroy_r(h, u);
            if (!g) return -1;
            if (!gm_polygon_surely_valid(h, g) && GEOSisValid_r(h, g) != 1) {
                GEOSGeom_destroy_r(h, g);
                return -1;
            }
        }
        *flags |= GM_NORM_REPAIRED;
    }
    if (GEOSisEmpty_r(h, g)) {
        GEOSGeom_destroy_r(h, g);
        *flags |= GM_NORM_EMPTY;
        return 0;
    }
    *out = g;
    return 0;
}

int gm_densify_revalidate(GEOSContextHandle_t h, GEOSGeometry **g, unsigned *flags)
{
    int needed = gm_densify_needed(h, *g, GM_DENSIFY_M);
    if (needed < 0) return -1;
    if (!needed) return 0; /* no edge is long: keep the original */
    GEOSGeometry *d = gm_densify_geodesic(h, *g, GM_DENSIFY_M);
    if (!d) return -1;
    if (GEOSGetNumCoordinates_r(h, d) == GEOSGetNumCoordinates_r(h, *g)) {
        GEOSGeom_destroy_r(h, d); /* no edge was long: keep the original */
        return 0;
    }
    GEOSGeom_destroy_r(h, *g);
    *g = NULL;
    if (gm_polygon_surely_valid(h, d) || GEOSisValid_r(h, d) == 1) {
        *g = d;
        return 0;
    }
    unsigned again = 0;
    if (gm_normalise_polygonal(h, d, g, &again) != 0 || !*g) return -1;
    *flags |= again & GM_NORM_REPAIRED;
    return 0;
}
