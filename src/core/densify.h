/*
 * densify.h -- geodesic densification of polygons in lon/lat.
 *
 * Areas treat an edge as the geodesic between its vertices, but GEOS
 * overlays in plain lon/lat, where a vertex it inserts on an edge (where a red
 * line crosses it) lies on the straight lon/lat line, off the geodesic: on a
 * 2 km edge at 28N by up to 4 cm, enough to move an overlap by 1e-4 relative.
 * Points inserted on the geodesic (within 1e-8 m: see densify.c for how) leave
 * the area unchanged, and after that
 * every chord is short enough (GM_DENSIFY_M) for the drift to vanish
 * (sagitta 2.6e-5 m at 50 m).
 * The loader densifies every input this way, so every overlay in the engine
 * (conflicts, zones, progress, check) follows the geodesic edges areas assume
 * -- `analyze`'s red lines only where a mine can reach them (load.h,
 * redlines_near_mines), which gives the same overlaps.
 */
#ifndef GM_DENSIFY_H
#define GM_DENSIFY_H

#include <geos_c.h>
#include <stddef.h>

#define GM_DENSIFY_M 50.0

/* A copy of a Polygon/MultiPolygon (lon/lat) with points added on each
 * geodesic edge so that no edge is longer than max_m metres. The caller
 * frees it; NULL when GEOS fails. Other geometry types are cloned. */
GEOSGeometry *gm_densify_geodesic(GEOSContextHandle_t h, const GEOSGeometry *geom, double max_m);

/* 1 when some edge of geom (lon/lat) may be longer than max_m metres, so that
 * gm_densify_geodesic() would add points; 0 when none is (geom is then kept as
 * it is); -1 when GEOS fails. Cheap: most edges are decided by a bound
 * without solving the geodesic. */
int gm_densify_needed(GEOSContextHandle_t h, const GEOSGeometry *geom, double max_m);

/* The same points for one ring of n points (x y interleaved), written to *out
 * (malloc'd or NULL, *cap points; grown with realloc, the caller frees it):
 * returns how many, n when no edge is long, 0 when out of memory or n < 2.
 * For a loader that keeps coordinates in its own buffers until the end. */
size_t gm_densify_ring_xy(const double *in, size_t n, double max_m, double **out, size_t *cap);

/* The same, also writing where each of the n points went: in[i] is (*out)[at[i]]
 * (at holds n entries), for gm_densified_ring_surely_simple(). */
size_t gm_densify_ring_xy_at(const double *in, size_t n, double max_m, double **out, size_t *cap,
                             size_t *at);

/* The same, but edge i stays a straight chord when chord[i] is non-zero;
 * every other edge gets exactly the points gm_densify_ring_xy_at() gives it.
 * For red lines densified only where an overlay can reach (load.h). */
size_t gm_densify_ring_xy_some(const double *in, size_t n, double max_m, const unsigned char *chord,
                               double **out, size_t *cap, size_t *at);

/* For each edge i of the ring of n points: sag[i] (n - 1 entries), a bound in
 * degrees on how far the points gm_densify_ring_xy() puts on it may lie from
 * the straight lon/lat chord -- and, within it, at most 4 sag[i] / L times the
 * distance from the nearer end, L the chord's length in degrees; 0 when the
 * edge gets no point. What gm_sparse_ring_surely_simple() (simple.h) needs. */
void gm_densify_ring_sags(const double *in, size_t n, double max_m, double *sag);

#endif
