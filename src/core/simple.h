/*
 * simple.h -- a cheap, exact proof that a polygon is valid.
 */
#ifndef GM_SIMPLE_H
#define GM_SIMPLE_H

#include <geos_c.h>
#include <stddef.h>

/* 1 when g is certainly a valid polygon as GEOS defines it: a Polygon
 * without holes whose ring is closed, has three or more distinct corners and
 * no two edges meeting except neighbours at their shared corner. 0 means
 * "not proven" (holes, several parts, repeated points, touching or crossing
 * edges, or signs too close to call): ask GEOSisValid. Never 1 for an invalid
 * polygon. Thread-safe with one handle per thread. */
int gm_polygon_surely_valid(GEOSContextHandle_t h, const GEOSGeometry *g);

/* The same proof for one ring of n points, x y interleaved (xy[n-1] must
 * equal xy[0]): 1 when it is certainly simple with three or more distinct
 * corners, 0 when not proven. */
int gm_ring_surely_simple(const double *xy, size_t n);

/* The same for a ring of nd points (x y interleaved, closed) made from a
 * ring of m edges by putting points on each edge i -- gm_densify_ring_xy_at():
 * its corner i is d[at[i]], at[0] = 0, at[m] = nd - 1. Proven from the m
 * edges, not the nd: every edge's chain goes monotonically forward along it,
 * within a bound of it, neighbouring chains meet only at their corner, and
 * the others lie beyond each other's bounds. 1 when certainly simple, 0 when
 * not proven (then ask the proof above, or GEOS). Up to 512 edges (m). */
int gm_densified_ring_surely_simple(const double *d, size_t nd, const size_t *at, size_t m);

/* For a ring of n points (closed) whose edge i may be replaced by any chain
 * that goes monotonically along it within sag[i] of it, and within 4 sag[i] /
 * length times the distance from its nearer end (gm_densify_ring_sags(): the
 * geodesic densifier's points; sag 0: the edge stays straight): 1 when every
 * such ring is certainly simple -- the ring densified in full, the ring as it
 * is, and any mixture of the two edge by edge -- 0 when not proven. Up to
 * 512 edges. */
int gm_sparse_ring_surely_simple(const double *xy, size_t n, const double *sag);

#endif
