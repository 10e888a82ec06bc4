/*
 * memtext.c -- text built in memory by a writer function (memtext.h).
 */
#include "out/memtext.h"

#include "core/context_impl.h"

#include <stdlib.h>

int gm_memtext(gm_context *ctx, void (*fn)(FILE *f, const void *data), const void *data, char **out)
{
    char *buf = NULL;
    size_t len = 0;
    *out = NULL;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    fn(f, data);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || !buf) {
        free(buf);
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    }
    *out = buf;
    return GM_OK;
}
