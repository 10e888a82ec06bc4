/*
 * source.c -- from a user's source string to an open GDAL dataset.
 */
/* VSIStatBufL is a struct stat64 */
#define _LARGEFILE64_SOURCE 1
#include "io/source.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Through GDAL's VSI: real files, and /vsimem/ and /vsizip/ paths (the server's uploads). */
static int exists(const char *path)
{
    VSIStatBufL st;
    return VSIStatL(path, &st) == 0;
}

void gm_source_split(const char *source, char *path, size_t path_len, char *layer, size_t layer_len)
{
    snprintf(path, path_len, "%s", source);
    layer[0] = '\0';
    if (exists(source)) return;
    const char *colon = strrchr(source, ':');
    if (!colon || colon[1] == '\0') return;
    int is_pg = strncasecmp(source, "PG:", 3) == 0;
    if (is_pg) {
        /* PG:dbname=x host=y:layer -- a layer part has no '=' and no space */
        if (colon - source < 3 || strchr(colon + 1, '=') || strchr(colon + 1, ' ')) return;
    } else {
        char prefix[4096];
        snprintf(prefix, sizeof prefix, "%.*s", (int)(colon - source), source);
        if (!exists(prefix)) return;
    }
    snprintf(path, path_len, "%.*s", (int)(colon - source), source);
    snprintf(layer, layer_len, "%s", colon + 1);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* True when a shapefile carries no code page at all: no .cpg beside it and a
 * zero language driver id (byte 29) in its .dbf. Chinese GIS software writes
 * such files in the system code page, GBK. */
static int shapefile_without_encoding(const char *shp)
{
    char other[4096];
    size_t stem = strlen(shp) - 4;
    const char *cpg[] = {".cpg", ".CPG"};
    for (int i = 0; i < 2; i++) {
        snprintf(other, sizeof other, "%.*s%s", (int)stem, shp, cpg[i]);
        if (exists(other)) return 0;
    }
    const char *dbf[] = {".dbf", ".DBF"};
    for (int i = 0; i < 2; i++) {
        snprintf(other, sizeof other, "%.*s%s", (int)stem, shp, dbf[i]);
        FILE *f = fopen(other, "rb");
        if (!f) continue;
        unsigned char head[32];
        size_t got = fread(head, 1, sizeof head, f);
        fclose(f);
        return got == sizeof head && head[29] == 0;
    }
    return 0;
}

GDALDatasetH gm_source_open(const char *path, const char *encoding, char *err, size_t errlen)
{
    int is_pg = strncasecmp(path, "PG:", 3) == 0;
    if (!is_pg && !exists(path)) {
        snprintf(err, errlen, "%s: no such file or directory", path);
        return NULL;
    }
    char *open_options[2] = {NULL, NULL};
    char option[96];
    if (ends_with(path, ".shp") || ends_with(path, ".dbf")) {
        if (encoding)
            snprintf(option, sizeof option, "ENCODING=%s", encoding);
        else if (ends_with(path, ".shp") && shapefile_without_encoding(path))
            snprintf(option, sizeof option, "ENCODING=CP936");
        else
            option[0] = '\0';
        if (option[0]) open_options[0] = option;
    }
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
                                 (const char *const *)open_options, NULL);
    CPLPopErrorHandler();
    if (!ds) {
        const char *why = CPLGetLastErrorMsg();
        if (why && *why)
            snprintf(err, errlen, "%s: cannot open as a vector dataset: %s", path, why);
        else
            snprintf(err, errlen, "%s: not a vector format GDAL can read", path);
    }
    return ds;
}
