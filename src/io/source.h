/*
 * source.h -- opening an OGR source given as PATH, PATH:LAYER or PG:...[:LAYER],
 * with the shapefile encoding rules. The only place that decides how a
 * user's source string maps to a GDAL dataset and layer.
 */
#ifndef GM_SOURCE_H
#define GM_SOURCE_H

#include <greenmine/context.h>

#include <gdal.h>

#include <stddef.h>

/* Splits `source` into the dataset to open and the layer name ("" = choose).
 * A path that exists is never split, so "C:" style names and colons inside
 * file names survive. */
void gm_source_split(const char *source, char *path, size_t path_len, char *layer,
                     size_t layer_len);

/* Opens `path` read-only as a vector dataset (*out). `encoding` (or NULL)
 * applies to shapefiles; a shapefile with neither .cpg nor a code page in its
 * .dbf is read as GBK. GM_OK, or GM_ERR_OPEN with the reason on ctx. */
int gm_source_open(gm_context *ctx, const char *path, const char *encoding, GDALDatasetH *out);

/* As gm_source_open, but a shapefile whose text is in an encoding other than
 * UTF-8 (--encoding, its .cpg or .dbf code page, or GBK by default) is opened
 * without GDAL's recoding, which drops the bytes that do not decode: its
 * strings come back as stored, and `decode` (cap bytes) receives the encoding
 * they must be decoded from (gm_text_decode); "" when OGR's strings are
 * already UTF-8 (or meant to be). */
int gm_source_open_raw(gm_context *ctx, const char *path, const char *encoding, char *decode,
                       size_t cap, GDALDatasetH *out);

/* Decodes n bytes of `text` from `encoding` to UTF-8, strictly: returns a
 * malloc'd NUL-terminated string, or NULL with *bad set to the offset of the
 * first byte that does not decode (*bad = (size_t)-1: out of memory or an
 * encoding iconv does not know). */
char *gm_text_decode(const char *encoding, const char *text, size_t n, size_t *bad);

/* The same with a decoder opened once (a loader's worker decodes every
 * feature's fields with its own): NULL when iconv does not know `encoding`.
 * A decoder is used by one thread at a time. */
typedef struct gm_decoder gm_decoder;
gm_decoder *gm_decoder_open(const char *encoding);
char *gm_decoder_decode(gm_decoder *d, const char *text, size_t n, size_t *bad);
void gm_decoder_close(gm_decoder *d);

#endif
