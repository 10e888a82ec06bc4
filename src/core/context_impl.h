/*
 * context_impl.h -- what a gm_context holds, for the engine's own files only.
 * Nothing here is public API; the CLI and users see include/greenmine/context.h.
 */
#ifndef GM_CONTEXT_IMPL_H
#define GM_CONTEXT_IMPL_H

#include <greenmine/context.h>

#include <assert.h>
#include <geos_c.h>
#include <pthread.h>

struct gm_context {
    GEOSContextHandle_t geos; /* the caller thread's GEOS handle */
    int threads;
    gm_log_fn log;
    void *log_user;
    gm_progress_fn progress;
    void *progress_user;
    int errcode;
    char errmsg[1024];
    char geos_msg[512];     /* last message GEOS reported on `geos` */
    pthread_mutex_t log_mu; /* workers may warn while the caller does too */
    /* gm_context_abort: another thread (a signal's) asks the run to stop */
    pthread_mutex_t abort_mu;
    int aborted;
    void (*abort_hook)(void *user); /* what the run in progress undoes, under abort_mu */
    void *abort_user;
};

/* Sets the context's error and returns `code`, so `return gm_error(...)` reads
 * naturally. printf-style message, one line, no trailing period. */
int gm_error(gm_context *ctx, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Puts printf-style text before the context's message (a caller naming what
 * it was doing: "mines input "), keeps its code and returns it. */
int gm_error_prefix(gm_context *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sends a message to the log callback (dropped when none is set). Thread-safe. */
void gm_log(gm_context *ctx, gm_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void gm_progress(gm_context *ctx, const char *stage, size_t done, size_t total);

/* The last message GEOS gave on the caller's handle ("" if none). */
const char *gm_geos_message(const gm_context *ctx);

/* The run in progress registers what gm_context_abort() must undo (NULL: nothing). */
void gm_context_set_abort_hook(gm_context *ctx, void (*hook)(void *user), void *user);
/* Holds off gm_context_abort() while a run puts its outputs in place; returns
 * 1 (and does not lock) when the run was aborted already. */
int gm_context_abort_lock(gm_context *ctx);
void gm_context_abort_unlock(gm_context *ctx);

/* A strdup that treats NULL as NULL. */
char *gm_strdup(const char *s);

#endif
