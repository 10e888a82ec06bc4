/*
 * boundary.h -- where a small polygon lies against a large one, answered
 * exactly from the large one's edges in blocks, without GEOS.
 *
 * The red-line stage asks, for every mine and each red line whose envelope
 * meets the mine's, "disjoint, inside, or across?". GEOS's prepared
 * predicates answer it after building two indexes per red line and worker
 * (a quarter of the stage), and hold them in memory. Here each ring of a
 * large polygon is summarised once, when first asked about (by whichever
 * worker asks first; read-only afterwards, so the workers share it), in blocks of GM_BLOCK_EDGES
 * consecutive edges: the block's box and the latitudes of its two ends. A block wholly east of a
 * point crosses the point's eastward ray an odd number of times exactly when its ends lie on
 * opposite sides of the point's latitude, so a point is located by looking at a few dozen blocks;
 * only blocks near the small polygon are read edge by edge (through GEOS's coordinate sequences:
 * nothing is copied). Every sign is exact or declared too close to call, and then the caller asks
 * GEOS: the answers never differ from GEOS's predicates.
 */
#ifndef GM_BOUNDARY_H
#define GM_BOUNDARY_H

#include <geos_c.h>
#include <stddef.h>
#include <stdint.h>

#define GM_BLOCK_EDGES 32

typedef struct gm_edgeblock {
    double x0, y0, x1, y1;        /* the box of its vertices */
    double yfirst, ylast;         /* latitudes of its first and last vertex */
    const GEOSCoordSequence *seq; /* the ring it is part of (borrowed) */
    uint32_t first, n;            /* its edges: vertices first .. first + n */
} gm_edgeblock;

/* The blocks of n large polygons, each made on first use. */
typedef struct gm_boundaries {
    size_t n;
    _Atomic int *state;    /* [i]: 0 not made, 1 being made, 2 made, 3 failed */
    gm_edgeblock **blocks; /* [i]: polygon i's blocks, owned */
    size_t *nblocks;       /* [i] */
} gm_boundaries;

/* For polygons 0..n-1; 0, or -1 when out of memory. Free with
 * gm_boundaries_free (also after a failed init). */
int gm_boundaries_init(gm_boundaries *b, size_t n);
void gm_boundaries_free(gm_boundaries *b);

/* A small polygon's points, copied once per polygon: rings' points x y
 * interleaved (each ring closed), ring r is points [ring[r], ring[r+1]);
 * part_ring[p] is part p's exterior ring. Reuse across polygons; free with
 * gm_flatpoly_free. */
typedef struct gm_flatpoly {
    double *xy;
    size_t *ring, *part_ring;
    size_t nrings, nparts, cap_xy, cap_ring, cap_part;
    double x0, y0, x1, y1; /* its envelope */
    /* scratch for the edges of the large polygon near this one */
    double *near;
    size_t nnear, cap_near;
} gm_flatpoly;

/* Fills f from g (Polygon or MultiPolygon). 0, or -1 when out of memory or
 * g is empty or of another type (then f is not usable). */
int gm_flatpoly_set(gm_flatpoly *f, GEOSContextHandle_t h, const GEOSGeometry *g);
void gm_flatpoly_free(gm_flatpoly *f);

typedef enum gm_place {
    GM_PLACE_UNKNOWN = 0, /* too close to call (touching, shared edges, ...): ask GEOS */
    GM_PLACE_OUTSIDE,     /* no common point: GEOS intersects = 0 */
    GM_PLACE_INSIDE,      /* in the large one's interior: GEOS contains = 1 */
    GM_PLACE_ACROSS       /* interiors meet, not contained: intersects 1, contains 0 */
} gm_place;

/* Where f lies against polygon i of b, which is g (borrowed: g must outlive
 * b, and be the same g at every call for i). Thread-safe with one handle and
 * one f per thread; UNKNOWN, too, while another thread is summarising g. */
gm_place gm_boundaries_place(gm_boundaries *b, GEOSContextHandle_t h, size_t i,
                             const GEOSGeometry *g, gm_flatpoly *f);

#endif
