/*
 * index.h -- a GEOS STRtree over an array of geometries, queried by envelope
 * and answering array indices (sorted, so results never depend on tree order).
 */
#ifndef GM_INDEX_H
#define GM_INDEX_H

#include <geos_c.h>
#include <stddef.h>

typedef struct gm_index gm_index;

/* Candidate list filled by gm_index_query; reuse it across queries and free it
 * with gm_hits_free(). */
typedef struct gm_hits {
    size_t *items;
    size_t n, cap;
    int oom;
} gm_hits;

/* Indexes geoms[0..n) (NULL entries are left out) and builds the tree at once,
 * so that it may afterwards be queried from several threads. `geoms` must
 * outlive the index. NULL on failure. Free with gm_index_free(). */
gm_index *gm_index_new(GEOSContextHandle_t h, GEOSGeometry *const *geoms, size_t n);
void gm_index_free(GEOSContextHandle_t h, gm_index *idx);

/* Indices whose envelope intersects g's envelope, ascending. Returns 0, or -1
 * when out of memory. */
int gm_index_query(const gm_index *idx, GEOSContextHandle_t h, const GEOSGeometry *g,
                   gm_hits *hits);

void gm_hits_free(gm_hits *hits);

/* Indices 0..n-1 in Morton (Z-curve) order of the geometries' envelope
 * centres (NULL geometries first), so that neighbours come together: loops
 * hand work to the workers in chunks of GM_CHUNK in this order, and each
 * worker's caches (prepared geometries, zone windows) keep what its next items
 * need. Caller frees; NULL when out of memory. */
size_t *gm_spatial_order(GEOSContextHandle_t h, GEOSGeometry *const *geoms, size_t n);
#define GM_CHUNK 32

#endif
