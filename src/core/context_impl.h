/*
 * context_impl.h -- what a gm_context holds, for the engine's own files only.
 * Nothing here is public API; the CLI and users see include/greenmine/context.h.
 */
#ifndef GM_CONTEXT_IMPL_H
#define GM_CONTEXT_IMPL_H

#include <greenmine/context.h>
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
};

/* Sets the context's error and returns `code`, so `return gm_error(...)` reads
 * naturally. printf-style message, one line, no trailing period. */
int gm_error(gm_context *ctx, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Sends a message to the log callback (dropped when none is set). Thread-safe. */
void gm_log(gm_context *ctx, gm_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void gm_progress(gm_context *ctx, const char *stage, size_t done, size_t total);

/* The last message GEOS gave on the caller's handle ("" if none). */
const char *gm_geos_message(const gm_context *ctx);

/* A strdup that treats NULL as NULL. */
char *gm_strdup(const char *s);

#endif
