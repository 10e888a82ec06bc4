/*
 * source.h -- opening an OGR source given as PATH, PATH:LAYER or PG:...[:LAYER],
 * with the shapefile encoding rules. The only place that decides how a
 * user's source string maps to a GDAL dataset and layer.
 */
#ifndef GM_SOURCE_H
#define GM_SOURCE_H

#include <gdal.h>
#include <stddef.h>

/* Splits `source` into the dataset to open and the layer name ("" = choose).
 * A path that exists is never split, so "C:" style names and colons inside
 * file names survive. */
void gm_source_split(const char *source, char *path, size_t path_len, char *layer,
                     size_t layer_len);

/* Opens `path` read-only as a vector dataset. `encoding` (or NULL) applies to
 * shapefiles; a shapefile with neither .cpg nor a code page in its .dbf is read
 * as GBK. On failure returns NULL and writes the reason into err. */
GDALDatasetH gm_source_open(const char *path, const char *encoding, char *err, size_t errlen);

#endif
