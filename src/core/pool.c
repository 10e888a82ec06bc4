/*
 * pool.c -- a minimal fork-join loop over pthreads, one GEOS handle per
 * worker. Items are handed out one at a time: overlay tasks vary in cost by
 * orders of magnitude, so static chunks would idle.
 *
 * gm_pool_run gives each worker its own contiguous share of [0, n) and lets a
 * worker whose share is done take items from the far end of the largest share
 * left. Callers pass items in spatial order, so each worker stays in its own
 * part of the province: the red lines it prepares and the zone windows it cuts
 * serve its next items and are rarely made twice, once per worker (handing
 * out items round-robin made two workers each prepare and cut most of them).
 */
#include "core/pool.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

struct gm_pool {
    gm_context *ctx;
    int n;
    gm_worker *workers;
    struct gm_pool_job *job; /* gm_pool_start's loop until gm_pool_wait */
};

typedef struct loop {
    gm_pool *pool;
    const char *stage;
    size_t n;
    gm_task_fn fn;
    void *user;
    atomic_size_t next; /* gm_pool_start: the next item */
    atomic_size_t done;
    atomic_int failed;
    pthread_mutex_t mu; /* gm_pool_run: guards share */
    size_t (*share)[2]; /* gm_pool_run: [worker] = [first, end) of its items left */
} loop;

static void geos_worker_message(const char *message, void *user)
{
    gm_worker *w = user;
    if (!w->errcode) snprintf(w->errmsg, sizeof w->errmsg, "GEOS: %s", message);
}

int gm_pool_new(gm_context *ctx, gm_pool **out)
{
    *out = NULL;
    gm_pool *p = calloc(1, sizeof *p);
    if (!p) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    p->ctx = ctx;
    p->n = gm_context_threads(ctx);
    p->workers = calloc((size_t)p->n, sizeof *p->workers);
    if (!p->workers) {
        free(p);
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < p->n; i++) {
        p->workers[i].id = i;
        p->workers[i].geos = GEOS_init_r();
        if (!p->workers[i].geos) {
            gm_pool_free(p);
            return gm_error(ctx, GM_ERR_NOMEM, "cannot create a GEOS context");
        }
        GEOSContext_setErrorMessageHandler_r(p->workers[i].geos, geos_worker_message,
                                             &p->workers[i]);
    }
    *out = p;
    return GM_OK;
}

void gm_pool_free(gm_pool *pool)
{
    if (!pool) return;
    if (pool->job) gm_pool_wait(pool);
    for (int i = 0; i < pool->n; i++)
        if (pool->workers[i].geos) GEOS_finish_r(pool->workers[i].geos);
    free(pool->workers);
    free(pool);
}

void gm_pool_set_store(gm_pool *pool, gm_geomstore *store)
{
    if (pool->n == 1) pool->workers[0].store = store;
}

int gm_pool_size(const gm_pool *pool)
{
    return pool->n;
}

GEOSContextHandle_t gm_pool_worker_geos(gm_pool *pool, int t)
{
    return pool->workers[t].geos;
}

int gm_worker_error(gm_worker *w, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->errmsg, sizeof w->errmsg, fmt, ap);
    va_end(ap);
    w->errcode = code;
    return code;
}

/* The next item for w from its own share, else from the end of the largest
 * share left; 0 when none is left. */
static int take_shared(loop *L, gm_worker *w, size_t *i)
{
    pthread_mutex_lock(&L->mu);
    size_t *own = L->share[w->id];
    int ok = own[0] < own[1];
    if (ok) {
        *i = own[0]++;
    } else {
        size_t *big = NULL;
        for (int t = 0; t < L->pool->n; t++) {
            size_t *s = L->share[t];
            if (s[0] < s[1] && (!big || s[1] - s[0] > big[1] - big[0])) big = s;
        }
        if ((ok = big != NULL)) *i = --big[1];
    }
    pthread_mutex_unlock(&L->mu);
    return ok;
}

static void run_worker(loop *L, gm_worker *w)
{
    size_t step = L->n / 200 + 1; /* report progress about 200 times per loop */
    for (;;) {
        if (atomic_load(&L->failed)) return;
        size_t i;
        if (L->share) {
            if (!take_shared(L, w, &i)) return;
        } else if ((i = atomic_fetch_add(&L->next, 1)) >= L->n) {
            return;
        }
        if (L->fn(w, i, L->user) != GM_OK) {
            if (!w->errcode)
                gm_worker_error(w, GM_ERR_INTERNAL, "task %zu of %s failed", i,
                                L->stage ? L->stage : "a loop");
            atomic_store(&L->failed, 1);
            return;
        }
        size_t d = atomic_fetch_add(&L->done, 1) + 1;
        if (L->stage && (d % step == 0 || d == L->n)) {
            pthread_mutex_lock(&L->pool->ctx->log_mu);
            gm_progress(L->pool->ctx, L->stage, d, L->n);
            pthread_mutex_unlock(&L->pool->ctx->log_mu);
        }
    }
}

typedef struct thread_arg {
    loop *L;
    gm_worker *w;
} thread_arg;

static void *thread_main(void *arg)
{
    thread_arg *a = arg;
    run_worker(a->L, a->w);
    return NULL;
}

/* A loop in flight and the threads running it. */
struct gm_pool_job {
    loop L;
    pthread_t *tid;
    thread_arg *args;
    int started; /* threads running the loop, from workers[first] on */
};

static void loop_init(loop *L, gm_pool *pool, const char *stage, size_t n, gm_task_fn fn,
                      void *user)
{
    *L = (loop){.pool = pool, .stage = stage, .n = n, .fn = fn, .user = user};
    atomic_init(&L->next, 0);
    atomic_init(&L->done, 0);
    atomic_init(&L->failed, 0);
    for (int i = 0; i < pool->n; i++) {
        pool->workers[i].errcode = GM_OK;
        pool->workers[i].errmsg[0] = '\0';
    }
    if (stage) gm_progress(pool->ctx, stage, 0, n);
}

/* Starts threads for workers first.. (as many as the pool has, at most one per item). */
static void spawn(gm_pool *pool, struct gm_pool_job *j, int first)
{
    int want = pool->n;
    if ((size_t)want > j->L.n) want = j->L.n > 0 ? (int)j->L.n : 1;
    j->started = 0;
    for (int i = first; i < want; i++) {
        j->args[i] = (thread_arg){&j->L, &pool->workers[i]};
        if (pthread_create(&j->tid[i], NULL, thread_main, &j->args[i]) != 0) break;
        j->started++;
    }
}

static int finish(gm_pool *pool, struct gm_pool_job *j, int first)
{
    for (int i = first; i < first + j->started; i++)
        pthread_join(j->tid[i], NULL);
    for (int i = 0; i < pool->n; i++)
        if (pool->workers[i].errcode != GM_OK)
            return gm_error(pool->ctx, pool->workers[i].errcode, "%s", pool->workers[i].errmsg);
    if (atomic_load(&j->L.failed))
        return gm_error(pool->ctx, GM_ERR_INTERNAL, "%s failed",
                        j->L.stage ? j->L.stage : "a loop");
    return GM_OK;
}

int gm_pool_run(gm_pool *pool, const char *stage, size_t n, gm_task_fn fn, void *user)
{
    pthread_t tid[pool->n];
    thread_arg args[pool->n];
    size_t share[pool->n][2];
    struct gm_pool_job j = {.tid = tid, .args = args};
    loop_init(&j.L, pool, stage, n, fn, user);
    for (int t = 0; t < pool->n; t++) {
        share[t][0] =
            n / (size_t)pool->n * (size_t)t + (n % (size_t)pool->n) * (size_t)t / (size_t)pool->n;
        share[t][1] = n / (size_t)pool->n * (size_t)(t + 1) +
                      (n % (size_t)pool->n) * (size_t)(t + 1) / (size_t)pool->n;
    }
    j.L.share = share;
    pthread_mutex_init(&j.L.mu, NULL);
    spawn(pool, &j, 1);
    run_worker(&j.L, &pool->workers[0]); /* the caller works too */
    int rc = finish(pool, &j, 1);
    pthread_mutex_destroy(&j.L.mu);
    return rc;
}

int gm_pool_start(gm_pool *pool, size_t n, gm_task_fn fn, void *user)
{
    struct gm_pool_job *j = calloc(1, sizeof *j);
    if (j) j->tid = calloc((size_t)pool->n, sizeof *j->tid);
    if (j && j->tid) j->args = calloc((size_t)pool->n, sizeof *j->args);
    if (!j || !j->tid || !j->args) {
        if (j) free(j->tid), free(j);
        return gm_error(pool->ctx, GM_ERR_NOMEM, "out of memory");
    }
    loop_init(&j->L, pool, NULL, n, fn, user);
    /* one worker: no thread beside the caller's, so --threads 1 means one */
    if (pool->n > 1) spawn(pool, j, 0);
    if (j->started == 0) run_worker(&j->L, &pool->workers[0]);
    pool->job = j;
    return GM_OK;
}

int gm_pool_wait(gm_pool *pool)
{
    struct gm_pool_job *j = pool->job;
    if (!j) return GM_OK;
    pool->job = NULL;
    int rc = finish(pool, j, 0);
    free(j->tid), free(j->args), free(j);
    return rc;
}
