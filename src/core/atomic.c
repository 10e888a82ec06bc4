/*
 * atomic.c -- temporary file beside the target, renamed into place
 * (atomic.h has the promises).
 */
#include "core/atomic.h"

#include "core/context_impl.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Enough tries to step past leftovers of killed runs whose pid came back. */
#define MAX_TRIES 100

static int cannot_write(gm_context *ctx, const char *target, int err)
{
    return gm_error(ctx, GM_ERR_WRITE, "%s: cannot write: %s", target, strerror(err));
}

int gm_atomic_begin(gm_context *ctx, const char *target, int flags, const char *suffix,
                    gm_atomic *out)
{
    assert(ctx && target && suffix && out);
    *out = (gm_atomic){.target = target, .flags = flags};
    const char *base = strrchr(target, '/');
    base = base ? base + 1 : target;
    size_t n = strlen(target) + strlen(suffix) + 48;
    char *tmp = malloc(n);
    if (!tmp) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    int err = EEXIST;
    for (int i = 1; i <= MAX_TRIES && err == EEXIST; i++) {
        if (i == 1)
            snprintf(tmp, n, "%.*s.%s.%ld.tmp%s", (int)(base - target), target, base,
                     (long)getpid(), suffix);
        else
            snprintf(tmp, n, "%.*s.%s.%ld.%d.tmp%s", (int)(base - target), target, base,
                     (long)getpid(), i, suffix);
        if (flags & GM_ATOMIC_OPEN) {
            int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
            err = fd < 0 ? errno : 0;
            if (fd >= 0 && !(out->f = fdopen(fd, "wb"))) {
                err = errno;
                close(fd);
                unlink(tmp);
            }
        } else {
            struct stat st;
            err = lstat(tmp, &st) == 0 ? EEXIST : 0;
        }
    }
    if (err) {
        free(tmp);
        return cannot_write(ctx, target, err);
    }
    out->tmp = tmp;
    return GM_OK;
}

/* Closes and syncs the temporary file: what is left before the rename. */
static int finish(gm_context *ctx, gm_atomic *a)
{
    int err = 0;
    if (a->f) {
        if (fflush(a->f) != 0 || ferror(a->f)) err = errno ? errno : EIO;
        if (!err && (a->flags & GM_ATOMIC_SYNC) && fsync(fileno(a->f)) != 0) err = errno;
        if (fclose(a->f) != 0 && !err) err = errno;
        a->f = NULL;
    } else if (a->flags & GM_ATOMIC_SYNC) {
        int fd = open(a->tmp, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) != 0) err = errno;
        if (fd >= 0) close(fd);
    }
    return err ? cannot_write(ctx, a->target, err) : GM_OK;
}

int gm_atomic_rename(gm_context *ctx, const char *from, const char *to)
{
    if (rename(from, to) != 0)
        return gm_error(ctx, GM_ERR_WRITE, "%s: cannot move the finished file into place: %s", to,
                        strerror(errno));
    return GM_OK;
}

int gm_atomic_commit_all(gm_context *ctx, gm_atomic *a, size_t n)
{
    int rc = GM_OK;
    for (size_t i = 0; i < n && rc == GM_OK; i++) {
        assert(a[i].tmp);
        rc = finish(ctx, &a[i]);
    }
    for (size_t i = 0; i < n && rc == GM_OK; i++)
        if ((rc = gm_atomic_rename(ctx, a[i].tmp, a[i].target)) == GM_OK) {
            free(a[i].tmp);
            a[i].tmp = NULL;
        }
    for (size_t i = 0; i < n; i++)
        gm_atomic_abandon(&a[i]);
    return rc;
}

int gm_atomic_commit(gm_context *ctx, gm_atomic *a)
{
    return gm_atomic_commit_all(ctx, a, 1);
}

int gm_atomic_write_text(gm_context *ctx, const char *target, const char *text)
{
    gm_atomic file;
    int rc = gm_atomic_begin(ctx, target, GM_ATOMIC_OPEN, "", &file);
    if (rc != GM_OK) return rc;
    fputs(text, file.f);
    return gm_atomic_commit(ctx, &file);
}

void gm_atomic_abandon(gm_atomic *a)
{
    if (!a) return;
    if (a->f) fclose(a->f);
    if (a->tmp) unlink(a->tmp);
    free(a->tmp);
    a->f = NULL;
    a->tmp = NULL;
}
