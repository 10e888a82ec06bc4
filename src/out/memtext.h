/*
 * memtext.h -- text built in memory by a writer function (the JSON and CSV
 * the CLI prints and the desk answers). Private to src/out.
 */
#ifndef GM_MEMTEXT_H
#define GM_MEMTEXT_H

#include <greenmine/context.h>

#include <stdio.h>

/* Runs fn(f, data) on a memory stream and gives back what it wrote (*out,
 * NUL-terminated, the caller's to free). GM_ERR_NOMEM on failure. */
int gm_memtext(gm_context *ctx, void (*fn)(FILE *f, const void *data), const void *data,
               char **out);

#endif
