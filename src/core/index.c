/*
 * index.c -- STRtree wrapper. The tree stores pointers into an array of
 * indices it owns, so no integer is ever disguised as a pointer.
 */
#include "core/index.h"

#include <stdlib.h>

struct gm_index {
    GEOSSTRtree *tree;
    size_t *ids;
};

static void collect(void *item, void *user)
{
    gm_hits *hits = user;
    if (hits->oom) return;
    if (hits->n == hits->cap) {
        size_t c = hits->cap ? hits->cap * 2 : 16;
        size_t *p = realloc(hits->items, c * sizeof *p);
        if (!p) {
            hits->oom = 1;
            return;
        }
        hits->items = p;
        hits->cap = c;
    }
    hits->items[hits->n++] = *(const size_t *)item;
}

static void ignore(void *item, void *user)
{
    (void)item;
    (void)user;
}

gm_index *gm_index_new(GEOSContextHandle_t h, GEOSGeometry *const *geoms, size_t n)
{
    gm_index *idx = calloc(1, sizeof *idx);
    if (!idx) return NULL;
    idx->ids = malloc((n ? n : 1) * sizeof *idx->ids);
    idx->tree = GEOSSTRtree_create_r(h, 10);
    if (!idx->ids || !idx->tree) {
        gm_index_free(h, idx);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        idx->ids[i] = i;
        if (geoms[i]) GEOSSTRtree_insert_r(h, idx->tree, geoms[i], &idx->ids[i]);
    }
    /* GEOS builds the tree on its first query; do it now, single-threaded. */
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, 0, 0);
    if (pt) {
        GEOSSTRtree_query_r(h, idx->tree, pt, ignore, NULL);
        GEOSGeom_destroy_r(h, pt);
    }
    return idx;
}

void gm_index_free(GEOSContextHandle_t h, gm_index *idx)
{
    if (!idx) return;
    if (idx->tree) GEOSSTRtree_destroy_r(h, idx->tree);
    free(idx->ids);
    free(idx);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

int gm_index_query(const gm_index *idx, GEOSContextHandle_t h, const GEOSGeometry *g, gm_hits *hits)
{
    hits->n = 0;
    hits->oom = 0;
    GEOSSTRtree_query_r(h, idx->tree, g, collect, hits);
    if (hits->oom) return -1;
    if (hits->n > 1) qsort(hits->items, hits->n, sizeof *hits->items, cmp_size);
    return 0;
}

void gm_hits_free(gm_hits *hits)
{
    free(hits->items);
    hits->items = NULL;
    hits->n = hits->cap = 0;
}
