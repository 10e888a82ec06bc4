/*
 * context.c -- the gm_context: GEOS handle, error slot, log and progress
 * callbacks. Must never hold state shared between contexts.
 */
#include "core/context_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void geos_message(const char *message, void *user)
{
    gm_context *ctx = user;
    snprintf(ctx->geos_msg, sizeof ctx->geos_msg, "%s", message);
}

int gm_context_new(gm_context **out)
{
    *out = NULL;
    gm_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return GM_ERR_NOMEM;
    ctx->geos = GEOS_init_r();
    if (!ctx->geos) {
        free(ctx);
        return GM_ERR_NOMEM;
    }
    GEOSContext_setErrorMessageHandler_r(ctx->geos, geos_message, ctx);
    pthread_mutex_init(&ctx->log_mu, NULL);
    pthread_mutex_init(&ctx->abort_mu, NULL);
    ctx->threads = 1;
    *out = ctx;
    return GM_OK;
}

void gm_context_free(gm_context *ctx)
{
    if (!ctx) return;
    GEOS_finish_r(ctx->geos);
    pthread_mutex_destroy(&ctx->log_mu);
    pthread_mutex_destroy(&ctx->abort_mu);
    free(ctx);
}

const char *gm_context_errmsg(const gm_context *ctx)
{
    return ctx->errmsg;
}

int gm_context_errcode(const gm_context *ctx)
{
    return ctx->errcode;
}

void gm_context_set_log(gm_context *ctx, gm_log_fn fn, void *user)
{
    ctx->log = fn;
    ctx->log_user = user;
}

void gm_context_set_progress(gm_context *ctx, gm_progress_fn fn, void *user)
{
    ctx->progress = fn;
    ctx->progress_user = user;
}

void gm_context_set_threads(gm_context *ctx, int threads)
{
    ctx->threads = threads < 1 ? 1 : threads;
}

int gm_context_threads(const gm_context *ctx)
{
    return ctx->threads;
}

const char *gm_version(void)
{
    return GM_VERSION;
}

int gm_error(gm_context *ctx, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
    va_end(ap);
    ctx->errcode = code;
    return code;
}

int gm_error_prefix(gm_context *ctx, const char *fmt, ...)
{
    char prefix[sizeof ctx->errmsg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* prefix + message, cut at the buffer's end like any message */
    size_t cap = sizeof ctx->errmsg, p = strlen(prefix), m = strlen(ctx->errmsg);
    if (p + m >= cap) m = cap - 1 - p;
    memmove(ctx->errmsg + p, ctx->errmsg, m);
    memcpy(ctx->errmsg, prefix, p);
    ctx->errmsg[p + m] = '\0';
    return ctx->errcode;
}

void gm_log(gm_context *ctx, gm_log_level level, const char *fmt, ...)
{
    if (!ctx->log) return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&ctx->log_mu);
    ctx->log(ctx->log_user, level, buf);
    pthread_mutex_unlock(&ctx->log_mu);
}

void gm_progress(gm_context *ctx, const char *stage, size_t done, size_t total)
{
    if (ctx->progress) ctx->progress(ctx->progress_user, stage, done, total);
}

const char *gm_geos_message(const gm_context *ctx)
{
    return ctx->geos_msg;
}

char *gm_strdup(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

void gm_context_abort(gm_context *ctx)
{
    pthread_mutex_lock(&ctx->abort_mu);
    ctx->aborted = 1;
    if (ctx->abort_hook) ctx->abort_hook(ctx->abort_user);
    ctx->abort_hook = NULL;
    pthread_mutex_unlock(&ctx->abort_mu);
}

void gm_context_set_abort_hook(gm_context *ctx, void (*hook)(void *user), void *user)
{
    pthread_mutex_lock(&ctx->abort_mu);
    ctx->abort_hook = hook, ctx->abort_user = user;
    pthread_mutex_unlock(&ctx->abort_mu);
}

int gm_context_abort_lock(gm_context *ctx)
{
    pthread_mutex_lock(&ctx->abort_mu);
    if (!ctx->aborted) return 0;
    pthread_mutex_unlock(&ctx->abort_mu);
    return 1;
}

void gm_context_abort_unlock(gm_context *ctx)
{
    pthread_mutex_unlock(&ctx->abort_mu);
}
