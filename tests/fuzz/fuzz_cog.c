/*
 * fuzz_cog.c -- libFuzzer target: the rasters' tile encoder
 * (src/out/cog_writer.h) on random tiles. The bytes give the tile's data
 * rows [r0, r1) and, row by row, its span of cells that may hold data and
 * what the row holds: the row above again, or cells drawn from nodata, 0, 1
 * and fractions. The cells outside the spans hold garbage. Invariants
 * (docs/robustness.md): the stream decodes (zlib, which also refuses an
 * incomplete Huffman code) to the predicted bytes of exactly the cells in
 * the spans, nodata elsewhere; and it is byte for byte the stream the whole
 * rows give without spans (the spans' shortcuts change the work, never a
 * byte).
 */
#include "../unit/cog_unpredict.h"
#include "out/cog_writer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define W GM_COG_TILE
#define NODATA (-9999.0f)

static gm_cog_encoder *enc;
static float *cells, *whole, *back;
static unsigned char *raw;

static unsigned take(const uint8_t **p, const uint8_t *end)
{
    return *p < end ? *(*p)++ : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const size_t n = (size_t)W * W;
    if (!enc) {
        enc = gm_cog_encoder_new(NODATA);
        cells = malloc(n * sizeof *cells);
        whole = malloc(n * sizeof *whole);
        back = malloc(n * sizeof *back);
        raw = malloc(n * 4);
        if (!enc || !cells || !whole || !back || !raw) abort();
    }
    if (size < 4) return 0;
    const uint8_t *p = data, *end = data + size;
    size_t r0 = take(&p, end) * 2, r1 = r0 + 1 + take(&p, end) * 2;
    if (r1 > W) r1 = W;
    uint32_t x = take(&p, end) | take(&p, end) << 8; /* the fractions' generator */
    gm_cog_span spans[W];
    memset(spans, 0, sizeof spans);
    for (size_t i = 0; i < n; i++)
        cells[i] = 123.0f; /* garbage: never read */
    for (size_t r = r0; r < r1; r++) {
        unsigned kind = take(&p, end);
        if ((kind & 3) == 0 && r > r0) { /* the row above, span and all */
            spans[r] = spans[r - 1];
            memcpy(cells + r * W, cells + (r - 1) * W, W * sizeof *cells);
            continue;
        }
        size_t lo = take(&p, end) * 2, wd = take(&p, end) * 2 + (kind >> 7);
        if (lo > W) lo = W;
        size_t hi = lo + wd > W ? W : lo + wd;
        spans[r] = (gm_cog_span){(uint16_t)lo, (uint16_t)hi};
        unsigned palette = kind >> 2 & 31; /* which values the row may hold */
        for (size_t c = lo; c < hi; c++) {
            x = x * 1103515245u + 12345u;
            unsigned pick = (x >> 16) % 5;
            float v = pick == 0   ? NODATA
                      : pick == 1 ? 0.0f
                      : pick == 2 ? 1.0f
                      : pick == 3 ? (float)((x >> 8) & 0xff) / 255.0f
                                  : (float)(x >> 8) / (float)(1u << 24);
            /* runs: a cell often repeats the one before */
            if (c > lo && ((x >> 4) & 31) < palette) v = cells[r * W + c - 1];
            cells[r * W + c] = v;
        }
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = i / W, c = i % W;
        int in = r >= r0 && r < r1 && c >= spans[r].lo && c < spans[r].hi;
        whole[i] = in ? cells[i] : NODATA;
    }
    gm_cog_blob a = {0}, b = {0};
    if (gm_cog_encode(enc, cells, r0, r1, spans, &a) != GM_OK) abort();
    if (gm_cog_encode(enc, whole, r0, r1, NULL, &b) != GM_OK) abort();
    if (a.size != b.size || memcmp(a.data, b.data, a.size) != 0) abort();
    uLongf got = (uLongf)(n * 4);
    if (uncompress(raw, &got, a.data, (uLong)a.size) != Z_OK || got != n * 4) abort();
    cog_unpredict(raw, back);
    if (memcmp(back, whole, n * sizeof *back) != 0) abort();
    free(a.data);
    free(b.data);
    return 0;
}
