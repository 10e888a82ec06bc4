/*
 * index.c -- STRtree wrapper. The tree stores pointers into an array of
 * indices it owns, so no integer is ever disguised as a pointer.
 */
#include "core/index.h"

#include <stdint.h>
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

/* ---- Morton order ------------------------------------------------------- */

typedef struct keyed {
    uint32_t key;
    size_t i;
} keyed;

static int by_key(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static uint32_t spread16(uint32_t v)
{
    v &= 0xFFFF;
    v = (v | (v << 8)) & 0x00FF00FF;
    v = (v | (v << 4)) & 0x0F0F0F0F;
    v = (v | (v << 2)) & 0x33333333;
    v = (v | (v << 1)) & 0x55555555;
    return v;
}

size_t *gm_spatial_order(GEOSContextHandle_t h, GEOSGeometry *const *geoms, size_t n)
{
    keyed *k = malloc((n ? n : 1) * sizeof *k);
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!k || !order) {
        free(k), free(order);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
        const GEOSGeometry *g = geoms[i];
        k[i] = (keyed){0, i};
        if (!g || !GEOSGeom_getXMin_r(h, g, &x0) || !GEOSGeom_getYMin_r(h, g, &y0) ||
            !GEOSGeom_getXMax_r(h, g, &x1) || !GEOSGeom_getYMax_r(h, g, &y1))
            continue;
        /* 2^16 steps over the globe: ~600 m at 28N, fine enough to group neighbours */
        uint32_t qx = (uint32_t)((0.5 * (x0 + x1) + 180.0) / 360.0 * 65535.0);
        uint32_t qy = (uint32_t)((0.5 * (y0 + y1) + 90.0) / 180.0 * 65535.0);
        k[i].key = spread16(qx) | spread16(qy) << 1;
    }
    qsort(k, n, sizeof *k, by_key);
    for (size_t i = 0; i < n; i++)
        order[i] = k[i].i;
    free(k);
    return order;
}
