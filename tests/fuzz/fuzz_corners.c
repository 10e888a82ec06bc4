/*
 * fuzz_corners.c -- libFuzzer target: the corner-point file parser
 * (io/corners.h) on any bytes. Invariants: it returns GM_OK or
 * GM_ERR_GEOMETRY with a message naming the file; a parsed file's rings hold
 * finite coordinates and the line of every point lies within the text.
 */
#include "io/corners.h"

#include <greenmine/context.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* one context for every input (the parser sets only its message) */
static gm_context *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ctx && gm_context_new(&ctx) != GM_OK) abort();
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    gm_corner_file *f = NULL;
    int rc = gm_corners_parse(ctx, text, "fuzz.txt", &f);
    if (rc != GM_OK && rc != GM_ERR_GEOMETRY) abort();
    if (rc != GM_OK && strncmp(gm_context_errmsg(ctx), "fuzz.txt", 8) != 0)
        abort(); /* the message names the file */
    if (rc == GM_OK) {
        for (size_t b = 0; b < f->n_blocks; b++)
            for (size_t r = 0; r < f->blocks[b].n_rings; r++) {
                const gm_corner_ring *ring = &f->blocks[b].rings[r];
                for (size_t i = 0; i < ring->n; i++) {
                    if (!isfinite(ring->x[i]) || !isfinite(ring->y[i])) abort();
                    if (ring->line[i] < 1 || (size_t)ring->line[i] > lines) abort();
                }
            }
        gm_corners_free(f);
    }
    free(text);
    return 0;
}
