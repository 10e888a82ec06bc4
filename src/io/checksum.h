/*
 * checksum.h -- SHA-256 of input files, for the outputs' provenance.
 */
#ifndef GM_CHECKSUM_H
#define GM_CHECKSUM_H

#include <gdal.h>
#include <stddef.h>

/* Lower-case hex SHA-256 (65 bytes with the NUL) of the file at path.
 * Returns GM_OK, or GM_ERR_OPEN when it cannot be read (GM_ERR_NOMEM,
 * GM_ERR_INTERNAL): a status without a message, for it runs on the checksum
 * thread, which has no context; the caller words it. */
int gm_sha256_file(const char *path, char hex[65]);

/* Lower-case hex SHA-256 of len bytes. */
void gm_sha256_hex(const void *data, size_t len, char hex[65]);

/* The checksum of a dataset's files (GDALGetFileList): with one file, the
 * SHA-256 of that file (what `sha256sum FILE` prints); with several (a
 * shapefile's .shp/.dbf/.shx..., a FileGDB folder), the SHA-256 of the
 * `sha256sum` lines "HEX  NAME\n" of each file, sorted by file name (NAME
 * without folder). NULL when the dataset has no files (PG:) or one cannot be
 * read. Caller frees. */
char *gm_dataset_checksum(GDALDatasetH ds);

/* The same for a list of files (GDALGetFileList's; sorted in place). Touches
 * no GDAL dataset, so it may run on its own thread while the layer is read. */
char *gm_files_checksum(char **files);

#endif
