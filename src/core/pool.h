/*
 * pool.h -- run an indexed loop on the context's worker threads.
 *
 * Each worker owns a GEOS handle made before any thread starts (GEOS wants
 * handles created up front) and kept until gm_pool_free(), so geometries a
 * worker creates may outlive the loop. Tasks write only to their own slot i of
 * shared result arrays; whatever they read is built before the loop and
 * never changed during it.
 */
#ifndef GM_POOL_H
#define GM_POOL_H

#include "core/context_impl.h"

typedef struct gm_geomstore gm_geomstore;

typedef struct gm_worker {
    GEOSContextHandle_t geos;
    gm_geomstore *store; /* prepared geometries kept across runs, or NULL (core/prepared.h) */
    int id;              /* 0 .. threads-1 */
    int errcode;
    char errmsg[512];
} gm_worker;

/* A task: works on item i; returns GM_OK, or the result of gm_worker_error(). */
typedef int (*gm_task_fn)(gm_worker *w, size_t i, void *user);

typedef struct gm_pool gm_pool;

/* A pool of gm_context_threads(ctx) workers. Free with gm_pool_free(). */
int gm_pool_new(gm_context *ctx, gm_pool **out);
void gm_pool_free(gm_pool *pool);
int gm_pool_size(const gm_pool *pool);
/* Worker t's GEOS handle, to free what that worker made. */
GEOSContextHandle_t gm_pool_worker_geos(gm_pool *pool, int t);

/* Lends a one-worker pool a store of prepared geometries kept by the caller
 * across runs (core/prepared.h); ignored by a pool of several workers. */
void gm_pool_set_store(gm_pool *pool, gm_geomstore *store);

/* Runs fn for i in [0, n) and waits. On the first failing task the rest are
 * skipped and its code and message are set on the context. `stage` names the
 * loop in progress reports (NULL: none, for a loop inside a larger stage). */
int gm_pool_run(gm_pool *pool, const char *stage, size_t n, gm_task_fn fn, void *user);

/* Starts fn for i in [0, n) on the workers' threads and returns at once, so
 * the caller can prepare the next loop's input meanwhile (without the pool);
 * gm_pool_wait() then waits for it and reports as gm_pool_run() does. One
 * started loop at a time. With one worker the loop runs inside
 * gm_pool_start(). */
int gm_pool_start(gm_pool *pool, size_t n, gm_task_fn fn, void *user);
int gm_pool_wait(gm_pool *pool);

/* Records a task's failure on its worker and returns code. */
int gm_worker_error(gm_worker *w, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
