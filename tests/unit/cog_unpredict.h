/*
 * cog_unpredict.h -- for the tests of the rasters' tile encoder
 * (tests/unit/test_raster.c, tests/fuzz/fuzz_cog.c): TIFF predictor 3
 * (Technical Note 3) undone on a decompressed tile, written independently
 * of the encoder's predictor: per row, a running byte sum, then the byte
 * planes (most significant first) back into floats.
 */
#ifndef GM_TESTS_COG_UNPREDICT_H
#define GM_TESTS_COG_UNPREDICT_H

#include "out/cog_writer.h"

#include <stdint.h>
#include <string.h>

static inline void cog_unpredict(const unsigned char *in, float *out)
{
    const size_t w = GM_COG_TILE;
    unsigned char row[GM_COG_TILE * 4];
    for (size_t r = 0; r < w; r++) {
        unsigned char acc = 0;
        for (size_t j = 0; j < 4 * w; j++)
            row[j] = acc = (unsigned char)(acc + in[r * 4 * w + j]);
        for (size_t i = 0; i < w; i++) {
            uint32_t bits = (uint32_t)row[i] << 24 | (uint32_t)row[w + i] << 16 |
                            (uint32_t)row[2 * w + i] << 8 | row[3 * w + i];
            memcpy(&out[r * w + i], &bits, 4);
        }
    }
}

#endif
