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

#endif
