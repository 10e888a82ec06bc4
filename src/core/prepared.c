/*
 * prepared.c -- per-worker lazily prepared geometries (see prepared.h).
 */
#include "core/prepared.h"

#include <stdint.h>
#include <stdlib.h>

int gm_prepcache_init(gm_prepcache *c, GEOSGeometry *const *geoms, size_t n, int threads)
{
    c->geoms = geoms;
    c->n = n;
    c->threads = threads;
    c->prep = calloc((size_t)threads * (n ? n : 1), sizeof *c->prep);
    c->ring = calloc((size_t)threads * GM_PREPCACHE_MAX, sizeof *c->ring);
    c->used = calloc((size_t)threads, sizeof *c->used);
    return c->prep && c->ring && c->used ? GM_OK : GM_ERR_NOMEM;
}

const GEOSPreparedGeometry *gm_prepcache_get(gm_prepcache *c, gm_worker *w, size_t i)
{
    if (w->store) return gm_geomstore_prepared(w->store, w->geos, c->geoms[i]);
    const GEOSPreparedGeometry **mine = &c->prep[(size_t)w->id * c->n];
    if (mine[i]) return mine[i];
    size_t *ring = &c->ring[(size_t)w->id * GM_PREPCACHE_MAX], k = c->used[w->id]++;
    if (k >= GM_PREPCACHE_MAX) { /* full: drop the oldest, prepared GM_PREPCACHE_MAX ago */
        size_t old = ring[k % GM_PREPCACHE_MAX];
        GEOSPreparedGeom_destroy_r(w->geos, mine[old]);
        mine[old] = NULL;
    }
    ring[k % GM_PREPCACHE_MAX] = i;
    mine[i] = GEOSPrepare_r(w->geos, c->geoms[i]);
    return mine[i];
}

void gm_prepcache_free(gm_prepcache *c, gm_pool *pool)
{
    free(c->ring);
    free(c->used);
    c->ring = c->used = NULL;
    if (!c->prep) return;
    for (int t = 0; t < c->threads; t++) {
        GEOSContextHandle_t h = gm_pool_worker_geos(pool, t);
        for (size_t i = 0; i < c->n; i++)
            if (c->prep[(size_t)t * c->n + i])
                GEOSPreparedGeom_destroy_r(h, c->prep[(size_t)t * c->n + i]);
    }
    free(c->prep);
    c->prep = NULL;
}

/* ---- the store kept across runs ------------------------------------------ */

typedef struct store_slot {
    const GEOSGeometry *g; /* NULL: empty */
    uint64_t key;          /* STORE_PREPARED, or a window piece's key */
    void *val;             /* GEOSPreparedGeometry or GEOSGeometry */
} store_slot;

#define STORE_SLOTS (2 * GM_GEOMSTORE_MAX)
#define STORE_PREPARED UINT64_MAX

struct gm_geomstore {
    GEOSContextHandle_t h; /* frees what the store holds */
    store_slot *slots;
    size_t used;
};

gm_geomstore *gm_geomstore_new(void)
{
    gm_geomstore *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->slots = calloc(STORE_SLOTS, sizeof *s->slots);
    s->h = GEOS_init_r();
    if (!s->slots || !s->h) {
        gm_geomstore_free(s);
        return NULL;
    }
    return s;
}

static void store_clear(gm_geomstore *s)
{
    for (size_t k = 0; k < STORE_SLOTS; k++) {
        store_slot *e = &s->slots[k];
        if (!e->g) continue;
        if (e->key == STORE_PREPARED)
            GEOSPreparedGeom_destroy_r(s->h, e->val);
        else
            GEOSGeom_destroy_r(s->h, e->val);
        *e = (store_slot){0};
    }
    s->used = 0;
}

void gm_geomstore_free(gm_geomstore *s)
{
    if (!s) return;
    if (s->slots && s->h) store_clear(s);
    free(s->slots);
    if (s->h) GEOS_finish_r(s->h);
    free(s);
}

static size_t store_find(const gm_geomstore *s, const GEOSGeometry *g, uint64_t key)
{
    uint64_t hash =
        ((uint64_t)(uintptr_t)g ^ (key * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull;
    size_t k = (size_t)(hash >> 32) % STORE_SLOTS;
    while (s->slots[k].g && !(s->slots[k].g == g && s->slots[k].key == key))
        k = (k + 1) % STORE_SLOTS;
    return k;
}

static void store_put(gm_geomstore *s, const GEOSGeometry *g, uint64_t key, void *val)
{
    if (s->used >= GM_GEOMSTORE_MAX) store_clear(s); /* full: start over */
    s->slots[store_find(s, g, key)] = (store_slot){g, key, val};
    s->used++;
}

const GEOSPreparedGeometry *gm_geomstore_prepared(gm_geomstore *s, GEOSContextHandle_t h,
                                                  const GEOSGeometry *g)
{
    store_slot *e = &s->slots[store_find(s, g, STORE_PREPARED)];
    if (e->g) return e->val;
    const GEOSPreparedGeometry *p = GEOSPrepare_r(h, g);
    if (p) store_put(s, g, STORE_PREPARED, (void *)p);
    return p;
}

const GEOSGeometry *gm_geomstore_piece(gm_geomstore *s, const GEOSGeometry *g, uint64_t key)
{
    store_slot *e = &s->slots[store_find(s, g, key)];
    return e->g ? e->val : NULL;
}

void gm_geomstore_put_piece(gm_geomstore *s, const GEOSGeometry *g, uint64_t key,
                            GEOSGeometry *piece)
{
    store_put(s, g, key, piece);
}
