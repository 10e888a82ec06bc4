/*
 * data.c -- the server's layers: loaded once through the library's loader,
 * indexed, shared read-only by the requests, and replaced as a whole on
 * reload; the last request to let go of an old set frees it.
 */
#include "server/server_impl.h"

#include "core/context_impl.h"
#include "core/prepared.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void srv_data_free(gm_context *ctx, srv_data *d)
{
    if (!d) return;
    for (int k = 0; k < 3; k++) {
        gm_index_free(ctx->geos, d->index[k]);
        free(d->geoms[k]);
    }
    gm_inputs_free(ctx, d->in);
    for (int k = 0; k < d->n_stores; k++)
        gm_geomstore_free(d->stores[k]);
    free(d->stores);
    free(d->store_busy);
    free(d->data_ref);
    free(d);
}

static void widen(double box[4], GEOSContextHandle_t h, const GEOSGeometry *g)
{
    double x0, y0, x1, y1;
    if (!g || GEOSisEmpty_r(h, g)) return;
    GEOSGeom_getXMin_r(h, g, &x0), GEOSGeom_getYMin_r(h, g, &y0);
    GEOSGeom_getXMax_r(h, g, &x1), GEOSGeom_getYMax_r(h, g, &y1);
    box[0] = fmin(box[0], x0), box[1] = fmin(box[1], y0);
    box[2] = fmax(box[2], x1), box[3] = fmax(box[3], y1);
}

int srv_data_load(gm_context *ctx, const gm_serve_options *o, srv_data **out)
{
    *out = NULL;
    srv_data *d = calloc(1, sizeof *d);
    if (!d) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    gm_load_options lo = {.encoding = o->encoding, .fields = o->fields, .n_fields = o->n_fields};
    int rc = gm_inputs_new(&d->in);
    if (rc == GM_OK) rc = gm_load_layer(ctx, d->in, GM_LAYER_REDLINES, o->redlines, &lo);
    if (rc == GM_OK && o->zones) rc = gm_load_layer(ctx, d->in, GM_LAYER_ZONES, o->zones, &lo);
    if (rc == GM_OK && o->mines) {
        gm_load_options ml = lo;
        ml.lenient = 1; /* as `check`: existing mines need no scale */
        rc = gm_load_layer(ctx, d->in, GM_LAYER_MINES, o->mines, &ml);
    }
    if (rc != GM_OK) {
        srv_data_free(ctx, d);
        return rc;
    }
    const gm_inputs *in = d->in;
    size_t n[3] = {in->n_redlines, in->n_zones, in->n_mines};
    d->extent[0] = d->extent[1] = 1e300;
    d->extent[2] = d->extent[3] = -1e300;
    for (int k = 0; k < 3; k++) {
        d->geoms[k] = calloc(n[k] ? n[k] : 1, sizeof *d->geoms[k]);
        if (!d->geoms[k]) goto oom;
        for (size_t i = 0; i < n[k]; i++) {
            GEOSGeometry *g = k == SRV_REDLINES ? in->redlines[i].geom
                              : k == SRV_ZONES  ? in->zones[i].geom
                                                : in->mines[i].geom;
            d->geoms[k][i] = g;
            if (k != SRV_MINES) widen(d->extent, ctx->geos, g);
        }
        /* Building the tree also computes every envelope now, so the
         * request threads only ever read the geometries. */
        if (n[k] && !(d->index[k] = gm_index_new(ctx->geos, d->geoms[k], n[k]))) goto oom;
    }
    if (d->extent[0] > d->extent[2]) { /* nothing loaded: the province's rough box */
        d->extent[0] = 108.7, d->extent[1] = 24.6, d->extent[2] = 114.3, d->extent[3] = 30.2;
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(d->loaded_at, sizeof d->loaded_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    /* one store per request thread; a reload brings new ones (the stores
     * key on the geometries' addresses, which the old set's free reuses) */
    d->n_stores = o->threads > 0 ? o->threads : 1;
    d->stores = calloc((size_t)d->n_stores, sizeof *d->stores);
    d->store_busy = calloc((size_t)d->n_stores, 1);
    if (!d->stores || !d->store_busy) goto oom;
    for (int k = 0; k < d->n_stores; k++)
        if (!(d->stores[k] = gm_geomstore_new())) goto oom;
    d->refs = 1;
    *out = d;
    return GM_OK;
oom:
    srv_data_free(ctx, d);
    return gm_error(ctx, GM_ERR_NOMEM, "out of memory indexing the layers");
}

srv_data *srv_data_acquire(gm_server *srv)
{
    pthread_mutex_lock(&srv->mu);
    srv_data *d = srv->data;
    d->refs++;
    pthread_mutex_unlock(&srv->mu);
    return d;
}

void srv_data_release(gm_server *srv, gm_context *ctx, srv_data *d)
{
    pthread_mutex_lock(&srv->mu);
    int last = --d->refs == 0;
    pthread_mutex_unlock(&srv->mu);
    if (last) srv_data_free(ctx, d);
}

struct gm_geomstore *srv_store_take(gm_server *srv, srv_data *d)
{
    struct gm_geomstore *s = NULL;
    pthread_mutex_lock(&srv->mu);
    for (int k = 0; k < d->n_stores && !s; k++)
        if (!d->store_busy[k]) {
            d->store_busy[k] = 1;
            s = d->stores[k];
        }
    pthread_mutex_unlock(&srv->mu);
    return s;
}

void srv_store_give(gm_server *srv, srv_data *d, struct gm_geomstore *s)
{
    if (!s) return;
    pthread_mutex_lock(&srv->mu);
    for (int k = 0; k < d->n_stores; k++)
        if (d->stores[k] == s) d->store_busy[k] = 0;
    pthread_mutex_unlock(&srv->mu);
}
