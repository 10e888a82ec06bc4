/*
 * greenmine/context.h -- the engine's handle: status codes, errors, logging,
 * progress.
 *
 * Conventions for the whole public API (read once, they hold everywhere):
 *  - Functions return int: GM_OK (0) or a negative gm_status code. The
 *    human-readable reason is kept on the context: gm_context_errmsg().
 *  - An object returned through a first argument named `out` belongs to the
 *    caller and is released with the matching gm_*_free() named in its header.
 *    Strings returned as `const char *` stay owned by the object they came from.
 *  - A gm_context is used by one thread at a time. Worker threads the engine
 *    starts itself get their own GEOS handles (see --threads); no global
 *    mutable state is kept anywhere.
 */
#ifndef GREENMINE_CONTEXT_H
#define GREENMINE_CONTEXT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. Bad input (-10..-19) is the user's to fix (CLI exit 2);
 * the rest are the machine's or ours (CLI exit 1). */
typedef enum gm_status {
    GM_OK = 0,
    GM_ERR_NOMEM = -1,    /* allocation failed */
    GM_ERR_INTERNAL = -2, /* a library call failed unexpectedly */
    GM_ERR_WRITE = -3,    /* an output could not be written */
    GM_ERR_BUSY = -4,     /* a database stayed locked by another writer */
    GM_ERR_USAGE = -10,   /* bad option or argument */
    GM_ERR_OPEN = -11,    /* an input could not be opened or has no such layer */
    GM_ERR_FIELD = -12,   /* a required field is missing or ambiguous */
    GM_ERR_CRS = -13,     /* no CRS, or a CRS PROJ cannot transform */
    GM_ERR_GEOMETRY = -14 /* a geometry of the wrong kind or outside the CRS's area */
} gm_status;

/* True for the codes that mean "fix your input" rather than "we failed". */
#define GM_IS_INPUT_ERROR(st) ((st) <= -10 && (st) >= -19)

typedef enum gm_log_level { GM_LOG_DEBUG = 0, GM_LOG_INFO, GM_LOG_WARNING } gm_log_level;

/* Receives warnings and notes. Called from the thread that runs the engine. */
typedef void (*gm_log_fn)(void *user, gm_log_level level, const char *message);

/* Receives progress: `stage` names the step ("loading mines", "overlay"),
 * `done` of `total` units (total 0 = unknown). May be called often; keep it cheap. */
typedef void (*gm_progress_fn)(void *user, const char *stage, size_t done, size_t total);

typedef struct gm_context gm_context;

/* Creates a context. Free with gm_context_free(). */
int gm_context_new(gm_context **out);
void gm_context_free(gm_context *ctx);

/* The message of the last error set on ctx ("" if none). Owned by ctx, valid
 * until the next call that fails on it. */
const char *gm_context_errmsg(const gm_context *ctx);
/* The code of the last error (GM_OK if none). */
int gm_context_errcode(const gm_context *ctx);

void gm_context_set_log(gm_context *ctx, gm_log_fn fn, void *user);
void gm_context_set_progress(gm_context *ctx, gm_progress_fn fn, void *user);
/* Worker threads for the overlay stages; 0 or 1 = run on the caller's thread. */
void gm_context_set_threads(gm_context *ctx, int threads);
int gm_context_threads(const gm_context *ctx);

/* Stops what the context is doing for good: the temporary files of the run in
 * progress (gm_run) are removed and it will put nothing in place. The one
 * call that may come from another thread while the context works -- a thread
 * that waits for SIGINT / SIGTERM, say, which then ends the process. */
void gm_context_abort(gm_context *ctx);

/* Library version, e.g. "0.1.0". Static string. */
const char *gm_version(void);

#ifdef __cplusplus
}
#endif
#endif
