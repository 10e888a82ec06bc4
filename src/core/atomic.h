/*
 * atomic.h -- a file written whole or not at all: written under a temporary
 * name beside its target (the same folder, so rename() replaces the target
 * in one step) and renamed onto it only when complete. On any failure the
 * temporary file is removed and the target is left as it was. Every output
 * file of the engine and the CLI is put in place through here.
 *
 *   gm_atomic a;
 *   int rc = gm_atomic_begin(ctx, path, GM_ATOMIC_OPEN, "", &a);
 *   if (rc != GM_OK) return rc;
 *   fputs(text, a.f);
 *   return gm_atomic_commit(ctx, &a);      (or gm_atomic_abandon(&a))
 *
 * Ownership: from a successful gm_atomic_begin, the gm_atomic owns its
 * temporary name, the temporary file and `f`; exactly one of gm_atomic_commit,
 * gm_atomic_commit_all or gm_atomic_abandon must follow, and each releases all
 * of it whatever it returns. `target` is borrowed and must outlive the
 * gm_atomic.
 *
 * Messages (GM_ERR_WRITE, on the context, naming the target, never the
 * temporary name): "PATH: cannot write: REASON" when the temporary file
 * cannot be made, written or closed; "PATH: cannot move the finished file
 * into place: REASON" when the rename fails.
 *
 * The one other commit is gm_run's set of outputs (src/run/run.c): they are
 * written in a scratch folder under their final names, since the QGIS
 * project names its neighbours, and moved one by one with gm_atomic_rename.
 *
 * Thread-safe: no state; two writers of the same target get two names.
 */
#ifndef GM_ATOMIC_H
#define GM_ATOMIC_H

#include <greenmine/context.h>

#include <stdio.h>

enum {
    /* create the temporary file (exclusively, mode 0666 less the umask, as
     * fopen does) and open it for writing as `f`; without it the name is
     * one no file has, for a GDAL driver to create (GPKG refuses an
     * existing file) */
    GM_ATOMIC_OPEN = 1,
    /* fsync the file before it is renamed (the draw's published files) */
    GM_ATOMIC_SYNC = 2
};

typedef struct gm_atomic {
    const char *target; /* borrowed */
    char *tmp;          /* DIR/.BASE.PID.tmpSUFFIX (.BASE.PID.N.tmpSUFFIX when taken) */
    FILE *f;            /* with GM_ATOMIC_OPEN, else NULL */
    int flags;
} gm_atomic;

/* Chooses the temporary name beside `target`, ending in `suffix` ("" or the
 * extension a driver needs, ".gpkg"), and with GM_ATOMIC_OPEN creates it.
 * On failure `*out` is left empty (abandoning it is harmless). */
int gm_atomic_begin(gm_context *ctx, const char *target, int flags, const char *suffix,
                    gm_atomic *out);

/* Closes `f` (checking every write), syncs with GM_ATOMIC_SYNC, renames the
 * temporary file onto the target. */
int gm_atomic_commit(gm_context *ctx, gm_atomic *a);

/* The files of `a[0..n)` together: all closed and checked first, then renamed
 * in order; on the first failure the rest are abandoned (those renamed stay). */
int gm_atomic_commit_all(gm_context *ctx, gm_atomic *a, size_t n);

/* Removes the temporary file (if made) and releases everything. */
void gm_atomic_abandon(gm_atomic *a);

/* The whole of `text` (NUL-terminated) as the file `target`: begin, write,
 * commit. */
int gm_atomic_write_text(gm_context *ctx, const char *target, const char *text);

/* rename(from, to) with the message above, naming `to`; `from` is left on
 * failure (its owner removes it). */
int gm_atomic_rename(gm_context *ctx, const char *from, const char *to);

#endif
