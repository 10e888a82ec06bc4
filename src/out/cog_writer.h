/*
 * cog_writer.h -- a Cloud-Optimized GeoTIFF of one Float32 band written
 * straight from compressed tiles: the layout GDAL's COG driver makes (all
 * IFDs first, the full resolution's first, then the tiles from the smallest
 * overview to the full resolution, each level's in row-major order, each tile
 * framed by GDAL's 4-byte size leader and last-4-bytes trailer), without GDAL
 * reading anything back. Absent tiles (offset and size 0) read as nodata,
 * as GDAL's SPARSE_OK files do. Classic TIFF, or BigTIFF past 4 GiB.
 *
 * The tiles are DEFLATE with the floating-point predictor (TIFF predictor 3),
 * as GDAL's COMPRESS=DEFLATE PREDICTOR=YES writes them. No GDAL here: the
 * georeferencing and metadata tags are copied from a tiny GeoTIFF that GDAL
 * made (gm_cog_tags_from_tiff), so GDAL keeps the say on how a CRS is
 * encoded.
 */
#ifndef GM_COG_WRITER_H
#define GM_COG_WRITER_H

#include "core/context_impl.h"

#include <stddef.h>
#include <stdint.h>

#define GM_COG_TILE 512

/* One compressed tile; size 0 = absent (nodata). Owned by its level. */
typedef struct gm_cog_blob {
    unsigned char *data;
    size_t size;
} gm_cog_blob;

/* One resolution: level 0 is the full resolution, level k the k-th overview. */
typedef struct gm_cog_level {
    size_t width, height; /* cells */
    size_t tcols, trows;  /* tiles: ceil(width / GM_COG_TILE), ... */
    gm_cog_blob *tiles;   /* [trow * tcols + tcol] */
} gm_cog_level;

/* A TIFF tag copied as it is: `value` holds count values of `type` in
 * little-endian order (size bytes). */
typedef struct gm_cog_tag {
    uint16_t tag, type;
    uint64_t count;
    unsigned char *value;
    size_t size;
} gm_cog_tag;

typedef struct gm_cog_tags {
    gm_cog_tag *t;
    size_t n;
} gm_cog_tags;

/* Copies from the little-endian classic TIFF in buf (its first IFD) the tags
 * listed in `wanted` (n_wanted of them) that it holds. Free with
 * gm_cog_tags_free(). GM_ERR_INTERNAL when buf is not such a TIFF. */
int gm_cog_tags_from_tiff(const unsigned char *buf, size_t size, const uint16_t *wanted,
                          size_t n_wanted, gm_cog_tags *out);
void gm_cog_tags_free(gm_cog_tags *tags);

/* The DEFLATE level (libdeflate's scale, 1..12). */
#ifndef GM_COG_LEVEL
#define GM_COG_LEVEL 6
#endif

/* A per-thread tile encoder (its compressor and scratch); `fill` is the value
 * of the cells outside the data (nodata), which it encodes fastest. */
typedef struct gm_cog_encoder gm_cog_encoder;
gm_cog_encoder *gm_cog_encoder_new(float fill);
void gm_cog_encoder_free(gm_cog_encoder *e);
/* The cells [lo, hi) of one tile row that may hold data (the others are the
 * fill); lo >= hi: none. */
typedef struct gm_cog_span {
    uint16_t lo, hi;
} gm_cog_span;

/* Compresses a GM_COG_TILE x GM_COG_TILE tile of cells (row-major) into a
 * new blob (caller frees blob->data). Rows outside [r0, r1) are all fill and
 * are not read (the caller need not write them). With `spans` (one per tile
 * row), row r's cells outside spans[r] are fill and are not read either, and
 * the work on a row is the span's, not the row's; without, each row is read
 * whole and compared with the fill. GM_OK or GM_ERR_NOMEM. */
int gm_cog_encode(gm_cog_encoder *e, const float *cells, size_t r0, size_t r1,
                  const gm_cog_span *spans, gm_cog_blob *blob);

/* Writes the file at `path` (created or truncated; removed again on failure):
 * levels[0] the full resolution, levels[1..] the overviews, each smaller than
 * the one before. `main_tags` go into the full resolution's IFD, `all_tags`
 * into every IFD. Errors name the path. */
int gm_cog_write(gm_context *ctx, const char *path, const gm_cog_level *levels, int n_levels,
                 const gm_cog_tags *main_tags, const gm_cog_tags *all_tags);

/* The bytes gm_cog_write needs at most besides the tiles' own. */
uint64_t gm_cog_overhead(const gm_cog_level *levels, int n_levels, const gm_cog_tags *main_tags,
                         const gm_cog_tags *all_tags);

#endif
