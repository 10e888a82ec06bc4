/*
 * load_layers.c -- several layers read at once (see load.h).
 *
 * Reading a layer is serial (OGR drivers are not thread-safe, so one thread
 * reads while the workers convert), and for a large parcels layer that
 * reading thread is the bottleneck. Layers of different datasets can be read
 * side by side: each on its own thread, with its own context (GEOS handle,
 * worker pool), its warnings kept and said afterwards in the order of the
 * kinds, so the messages and the inputs are those of loading the layers one
 * by one.
 */
#include "core/context_impl.h"
#include "io/gdal.h"

#include <greenmine/load.h>

#include <gdal.h>
#include <ogr_srs_api.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct said {
    gm_log_level level;
    char *text;
} said;

typedef struct layer_job {
    gm_layer_kind kind;
    const char *source;
    gm_context *ctx; /* the layer's own */
    said *log;
    size_t n_log, cap_log;
    int oom;
    int rc;
    size_t done, total; /* its progress */
    int finished;       /* under the loader's mutex */
    struct loader *L;
} layer_job;

typedef struct loader loader;
struct loader {
    gm_context *parent;
    gm_inputs *in;
    const gm_load_options *opts;
    layer_job *jobs;
    size_t n;
    atomic_size_t next;
    pthread_mutex_t mu; /* the jobs' progress, the parent's progress callback */
    pthread_cond_t finished;
    const size_t *queue; /* jobs[queue[k]] is the k-th taken */
    layer_job *mines;    /* the red lines wait for it (redlines_near_mines), or NULL */
};

static void keep_message(void *user, gm_log_level level, const char *message)
{
    layer_job *j = user;
    if (j->n_log == j->cap_log) {
        size_t cap = j->cap_log ? 2 * j->cap_log : 16;
        said *p = realloc(j->log, cap * sizeof *p);
        if (!p) {
            j->oom = 1;
            return;
        }
        j->log = p, j->cap_log = cap;
    }
    char *copy = gm_strdup(message);
    if (!copy) {
        j->oom = 1;
        return;
    }
    j->log[j->n_log++] = (said){level, copy};
}

/* One stage for all the layers: the features read of all of them. */
static void pass_progress(void *user, const char *stage, size_t done, size_t total)
{
    (void)stage;
    layer_job *j = user;
    loader *L = j->L;
    pthread_mutex_lock(&L->mu);
    j->done = done, j->total = total;
    size_t all_done = 0, all_total = 0;
    for (size_t i = 0; i < L->n; i++)
        all_done += L->jobs[i].done, all_total += L->jobs[i].total;
    gm_progress(L->parent, "loading layers", all_done, all_total);
    pthread_mutex_unlock(&L->mu);
}

static void *load_main(void *arg)
{
    loader *L = arg;
    /* GDAL gives each thread its own PROJ context, copied from PROJ's default
     * one on the thread's first spatial reference; with GDAL 3.6 / PROJ 9.1
     * two first copies at once race on the default context's strings
     * (ThreadSanitizer and helgrind, one `analyze --threads 4` in four). So
     * each reader makes its first spatial reference here, one at a time. */
    pthread_mutex_lock(&L->mu);
    OGRSpatialReferenceH warm = OSRNewSpatialReference(SRS_WKT_WGS84_LAT_LONG);
    if (warm) OSRDestroySpatialReference(warm);
    pthread_mutex_unlock(&L->mu);
    for (;;) {
        size_t i = atomic_fetch_add(&L->next, 1);
        if (i >= L->n) break;
        layer_job *j = &L->jobs[L->queue[i]];
        if (j->kind == GM_LAYER_REDLINES && L->mines) { /* taken before: it is being read */
            pthread_mutex_lock(&L->mu);
            while (!L->mines->finished)
                pthread_cond_wait(&L->finished, &L->mu);
            pthread_mutex_unlock(&L->mu);
        }
        j->rc = gm_load_layer(j->ctx, L->in, j->kind, j->source, L->opts);
        pthread_mutex_lock(&L->mu);
        j->finished = 1;
        pthread_cond_broadcast(&L->finished);
        pthread_mutex_unlock(&L->mu);
    }
    return NULL;
}

int gm_load_layers(gm_context *ctx, gm_inputs *in, size_t n, const gm_layer_kind *kinds,
                   const char *const *sources, const gm_load_options *opts)
{
    int threads = gm_context_threads(ctx);
    /* the kinds' order (mines, red lines, parcels, zones): what is said, and
     * the failure reported, follow it whatever the threads */
    size_t order[n ? n : 1];
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && kinds[order[k]] < kinds[order[k - 1]]; k--) {
            size_t t = order[k];
            order[k] = order[k - 1], order[k - 1] = t;
        }
    if (threads < 2 || n < 2) { /* one by one, on this thread */
        for (size_t i = 0; i < n; i++) {
            int rc = gm_load_layer(ctx, in, kinds[order[i]], sources[order[i]], opts);
            if (rc != GM_OK) return rc;
        }
        return GM_OK;
    }
    gm_gdal_register();      /* once, before the threads */
    size_t queue[n ? n : 1]; /* the order the readers take the layers in */
    for (size_t i = 0; i < n; i++)
        queue[i] = i;
    loader L = {.parent = ctx, .in = in, .opts = opts, .n = n, .queue = queue};
    atomic_init(&L.next, 0);
    pthread_mutex_init(&L.mu, NULL);
    pthread_cond_init(&L.finished, NULL);
    int rc = GM_OK;
    L.jobs = calloc(n, sizeof *L.jobs);
    for (size_t i = 0; L.jobs && i < n && rc == GM_OK; i++) {
        layer_job *j = &L.jobs[i];
        j->kind = kinds[i], j->source = sources[i];
        if (gm_context_new(&j->ctx) != GM_OK) {
            rc = GM_ERR_NOMEM;
            break;
        }
        gm_context_set_threads(j->ctx, threads);
        gm_context_set_log(j->ctx, keep_message, j);
        j->L = &L;
        gm_context_set_progress(j->ctx, pass_progress, j);
    }
    if (!L.jobs) rc = GM_ERR_NOMEM;
    if (rc == GM_OK && opts && opts->redlines_near_mines) {
        /* the mines before the red lines in the queue, so that whoever waits
         * for them waits for a layer already being read */
        size_t im = n, ir = n;
        for (size_t i = 0; i < n; i++) {
            if (L.jobs[i].kind == GM_LAYER_MINES) im = i;
            if (L.jobs[i].kind == GM_LAYER_REDLINES) ir = i;
        }
        if (im < n && ir < n) {
            if (im > ir) { /* the mines' turn just before the red lines' */
                memmove(&queue[ir + 1], &queue[ir], (im - ir) * sizeof *queue);
                queue[ir] = im;
            }
            L.mines = &L.jobs[im];
        }
    }
    if (rc == GM_OK) {
        /* as many readers as workers, this thread one of them */
        int readers = threads < (int)n ? threads : (int)n, started = 0;
        pthread_t tid[readers];
        for (int t = 1; t < readers; t++) {
            if (pthread_create(&tid[t], NULL, load_main, &L) != 0) break;
            started = t;
        }
        load_main(&L);
        for (int t = 1; t <= started; t++)
            pthread_join(tid[t], NULL);
    }
    /* what each layer said, in the kinds' order; the first such layer's error */
    for (size_t i = 0; L.jobs && i < n; i++) {
        layer_job *j = &L.jobs[order[i]];
        for (size_t k = 0; k < j->n_log; k++) {
            gm_log(ctx, j->log[k].level, "%s", j->log[k].text);
            free(j->log[k].text);
        }
        free(j->log);
        if (rc == GM_OK && j->oom) rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        if (rc == GM_OK && j->rc != GM_OK && j->ctx)
            rc = gm_error(ctx, j->rc, "%s", gm_context_errmsg(j->ctx));
        gm_context_free(j->ctx);
    }
    if (rc == GM_ERR_NOMEM && !gm_context_errmsg(ctx)[0]) gm_error(ctx, rc, "out of memory");
    free(L.jobs);
    pthread_cond_destroy(&L.finished);
    pthread_mutex_destroy(&L.mu);
    return rc;
}
