/*
 * normalise.h -- turn any input geometry into a valid polygonal one.
 * Pure GEOS: no GDAL here, so the rules are testable with WKT alone.
 */
#ifndef GM_NORMALISE_H
#define GM_NORMALISE_H

#include <geos_c.h>
#include <stddef.h>

enum {
    GM_NORM_REPAIRED = 1u << 0,      /* was invalid; MakeValid (structure) repaired it */
    GM_NORM_EMPTY = 1u << 1,         /* empty (or collapsed to nothing): *out is NULL */
    GM_NORM_NOT_POLYGONAL = 1u << 2, /* points or lines only: *out is NULL */
    GM_NORM_DROPPED_PARTS = 1u << 3  /* a collection's point/line parts were dropped */
};

/* Takes ownership of `in` (which may be NULL). On return *out is a valid
 * Polygon or MultiPolygon owned by the caller, or NULL with *flags saying why.
 * Invalid input is repaired as GEOS MakeValid's "structure" method does:
 * overlapping parts unioned, a bow-tie split into its two lobes. Returns 0, or
 * -1 when GEOS itself fails. */
int gm_normalise_polygonal(GEOSContextHandle_t h, GEOSGeometry *in, GEOSGeometry **out,
                           unsigned *flags);

/* The same; when the input was invalid, `why` (if not NULL) receives GEOS's
 * reason and where, e.g. "Self-intersection at 112.1 28.2" (in the input's
 * coordinates). */
int gm_normalise_polygonal_why(GEOSContextHandle_t h, GEOSGeometry *in, GEOSGeometry **out,
                               unsigned *flags, char *why, size_t why_len);

/* The second half of the one preparation every input polygon goes through --
 * the loader's layers and check's applications alike: after
 * gm_normalise_polygonal, *g (valid, polygonal, lon/lat) is densified along
 * its geodesics to GM_DENSIFY_M edges (densify.h says why) and re-checked:
 * the points added lie on the geodesic, a hair off the lon/lat chord, so two
 * edges closer than that could now cross; such a polygon is repaired and
 * GM_NORM_REPAIRED set in *flags. *g is replaced (or kept when no edge is
 * long). Returns 0, or -1 when GEOS fails (*g is then NULL). */
int gm_densify_revalidate(GEOSContextHandle_t h, GEOSGeometry **g, unsigned *flags);

/* A new geometry holding only the polygons of g (Polygon, MultiPolygon, or an
 * empty MultiPolygon). Caller frees it. NULL on GEOS failure. */
GEOSGeometry *gm_polygonal_parts(GEOSContextHandle_t h, const GEOSGeometry *g);

#endif
