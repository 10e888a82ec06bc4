/*
 * source.c -- from a user's source string to an open GDAL dataset.
 */
/* VSIStatBufL is a struct stat64 */
#define _LARGEFILE64_SOURCE 1
#include "io/source.h"

#include "core/context_impl.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>

#include <ctype.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Opens path with one open option (or none). */
static int open_with(gm_context *ctx, const char *path, const char *option, GDALDatasetH *out)
{
    char *open_options[2] = {(char *)option, NULL};
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    *out = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
                      (const char *const *)open_options, NULL);
    CPLPopErrorHandler();
    if (*out) return GM_OK;
    const char *why = CPLGetLastErrorMsg();
    if (why && *why)
        return gm_error(ctx, GM_ERR_OPEN, "%s: cannot open as a vector dataset: %s", path, why);
    return gm_error(ctx, GM_ERR_OPEN, "%s: not a vector format GDAL can read", path);
}

static int is_utf8_name(const char *e)
{
    return strcasecmp(e, "UTF-8") == 0 || strcasecmp(e, "UTF8") == 0 ||
           strcasecmp(e, "CP65001") == 0;
}

int gm_source_open_raw(gm_context *ctx, const char *path, const char *encoding, char *decode,
                       size_t cap, GDALDatasetH *out)
{
    decode[0] = '\0';
    *out = NULL;
    int shp = ends_with(path, ".shp"), dbf = ends_with(path, ".dbf");
    if ((!shp && !dbf) || !exists(path)) return gm_source_open(ctx, path, encoding, out);
    char enc[64] = "";
    if (encoding && *encoding) {
        snprintf(enc, sizeof enc, "%s", encoding);
    } else if (shp && shapefile_without_encoding(path)) {
        snprintf(enc, sizeof enc, "CP936");
    } else { /* what GDAL reads from the .cpg or the .dbf's code page */
        GDALDatasetH ds = NULL;
        int rc = open_with(ctx, path, NULL, &ds);
        if (rc != GM_OK) return rc;
        OGRLayerH l = GDALDatasetGetLayerCount(ds) > 0 ? GDALDatasetGetLayer(ds, 0) : NULL;
        const char *e = l ? GDALGetMetadataItem(l, "SOURCE_ENCODING", "SHAPEFILE") : NULL;
        if (!e || !*e || is_utf8_name(e)) { /* UTF-8, or no recoding at all */
            *out = ds;
            return GM_OK;
        }
        snprintf(enc, sizeof enc, "%s", e);
        GDALClose(ds);
    }
    if (is_utf8_name(enc)) return gm_source_open(ctx, path, encoding, out);
    /* iconv must know it, or the user learns now rather than per feature */
    size_t bad = 0;
    char *probe = gm_text_decode(enc, "a", 1, &bad);
    if (!probe)
        return gm_error(ctx, GM_ERR_OPEN,
                        "%s: encoding '%s' is unknown (try GBK, GB18030, UTF-8, CP1252)", path,
                        enc);
    free(probe);
    int rc = open_with(ctx, path, "ENCODING=", out);
    if (rc == GM_OK) snprintf(decode, cap, "%s", enc);
    return rc;
}

struct gm_decoder {
    iconv_t cd;
};

gm_decoder *gm_decoder_open(const char *encoding)
{
    iconv_t cd = iconv_open("UTF-8", encoding);
    if (cd == (iconv_t)-1) return NULL;
    gm_decoder *d = malloc(sizeof *d);
    if (!d) {
        iconv_close(cd);
        return NULL;
    }
    d->cd = cd;
    return d;
}

void gm_decoder_close(gm_decoder *d)
{
    if (!d) return;
    iconv_close(d->cd);
    free(d);
}

char *gm_decoder_decode(gm_decoder *d, const char *text, size_t n, size_t *bad)
{
    *bad = (size_t)-1;
    size_t cap = n * 4 + 1; /* no encoding grows a byte into more than 4 of UTF-8 */
    char *out = malloc(cap);
    if (!out) return NULL;
    iconv(d->cd, NULL, NULL, NULL, NULL); /* a fresh start: no shift state left */
    char *in = (char *)text, *o = out;
    size_t left = n, room = cap - 1;
    size_t rc = iconv(d->cd, &in, &left, &o, &room);
    /* a truncated sequence at the end (EINVAL) does not decode either */
    if (rc == (size_t)-1 || left) {
        *bad = (size_t)(in - text);
        free(out);
        return NULL;
    }
    *o = '\0';
    return out;
}

char *gm_text_decode(const char *encoding, const char *text, size_t n, size_t *bad)
{
    *bad = (size_t)-1;
    gm_decoder *d = gm_decoder_open(encoding);
    if (!d) return NULL;
    char *out = gm_decoder_decode(d, text, n, bad);
    gm_decoder_close(d);
    return out;
}

int gm_source_open(gm_context *ctx, const char *path, const char *encoding, GDALDatasetH *out)
{
    *out = NULL;
    int is_pg = strncasecmp(path, "PG:", 3) == 0;
    if (!is_pg && !exists(path))
        return gm_error(ctx, GM_ERR_OPEN, "%s: no such file or directory", path);
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
    return open_with(ctx, path, open_options[0], out);
}
