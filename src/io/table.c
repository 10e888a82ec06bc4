/*
 * table.c -- spreadsheets (CSV, XLSX) as rows of text, through OGR (table.h).
 * XLSX: the first row is always the header and every cell is read as text
 * (GDAL's XLSX options, set for this thread only); OGR's feature id is the
 * sheet's row number. CSV: OGR's feature id counts records from 1, so the
 * spreadsheet row is the id + 1.
 */
/* VSIStatBufL is a struct stat64 */
#define _LARGEFILE64_SOURCE 1
#include "io/table.h"

#include "core/context_impl.h"
#include "core/text.h"
#include "io/gdal.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void gm_table_free(gm_table *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n_cols; i++)
        free(t->cols[i]);
    for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
        free(t->cells[i]);
    free(t->cols);
    free(t->cells);
    free(t->row_no);
    free(t->file_name);
    free(t->sheet);
    free(t);
}

void gm_table_header_at(gm_table *t, size_t r)
{
    assert(r < t->n_rows);
    for (size_t c = 0; c < t->n_cols; c++) {
        free(t->cols[c]);
        t->cols[c] = t->cells[r * t->n_cols + c];
    }
    for (size_t i = 0; i < r * t->n_cols; i++)
        free(t->cells[i]);
    size_t keep = t->n_rows - r - 1;
    memmove(t->cells, t->cells + (r + 1) * t->n_cols, keep * t->n_cols * sizeof *t->cells);
    memmove(t->row_no, t->row_no + r + 1, keep * sizeof *t->row_no);
    t->n_rows = keep;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* A trimmed copy (ASCII space, U+3000 ideographic space, a UTF-8 BOM), or
 * NULL for an empty value. *nomem set when the copy failed. */
static char *trimmed(const char *s, int *nomem)
{
    if (!s) return NULL;
    if (strncmp(s, "\xef\xbb\xbf", 3) == 0) s += 3;
    for (;;) {
        if (isspace((unsigned char)*s))
            s++;
        else if (strncmp(s, "\xe3\x80\x80", 3) == 0)
            s += 3;
        else
            break;
    }
    size_t n = strlen(s);
    for (;;) {
        if (n && isspace((unsigned char)s[n - 1]))
            n--;
        else if (n >= 3 && memcmp(s + n - 3, "\xe3\x80\x80", 3) == 0)
            n -= 3;
        else
            break;
    }
    if (!n) return NULL;
    char *c = malloc(n + 1);
    if (!c) {
        *nomem = 1;
        return NULL;
    }
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

/* Replaces *s by its GB18030 -> UTF-8 recoding: GM_OK or GM_ERR_NOMEM (the
 * caller says it). */
static int recode(char **s)
{
    if (!*s) return GM_OK;
    char *u = CPLRecode(*s, "GB18030", CPL_ENC_UTF8);
    if (!u) return GM_ERR_NOMEM;
    char *c = gm_strdup(u);
    CPLFree(u);
    if (!c) return GM_ERR_NOMEM;
    free(*s);
    *s = c;
    return GM_OK;
}

static int not_utf8(const char *s)
{
    return s && !gm_utf8_valid(s, strlen(s), NULL);
}

int gm_table_read(gm_context *ctx, const char *path, const char *sheet, gm_table **out)
{
    *out = NULL;
    const char *slash = strrchr(path, '/');
    const char *file = slash ? slash + 1 : path;
    VSIStatBufL sb;
    if (VSIStatL(path, &sb) != 0) return gm_error(ctx, GM_ERR_OPEN, "%s: no such file", path);
    int xlsx = ends_with(path, ".xlsx");
    int csv = ends_with(path, ".csv") || ends_with(path, ".txt");
    /* XLSX: header always, text always; for this thread only (no global state) */
    char *old_headers = NULL, *old_types = NULL;
    if (xlsx) {
        const char *h = CPLGetThreadLocalConfigOption("OGR_XLSX_HEADERS", NULL);
        const char *f = CPLGetThreadLocalConfigOption("OGR_XLSX_FIELD_TYPES", NULL);
        old_headers = h ? CPLStrdup(h) : NULL;
        old_types = f ? CPLStrdup(f) : NULL;
        CPLSetThreadLocalConfigOption("OGR_XLSX_HEADERS", "FORCE");
        CPLSetThreadLocalConfigOption("OGR_XLSX_FIELD_TYPES", "STRING");
    }
    const char *const csv_options[] = {"HEADERS=YES", "AUTODETECT_TYPE=NO",
                                       "EMPTY_STRING_AS_NULL=YES", NULL};
    const char *const drivers_csv[] = {"CSV", NULL};
    gm_gdal_register();
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, csv ? drivers_csv : NULL,
                                 csv ? csv_options : NULL, NULL);
    CPLPopErrorHandler();
    int rc = GM_OK;
    gm_table *t = NULL;
    if (!ds) {
        const char *msg = CPLGetLastErrorMsg();
        rc = gm_error(ctx, GM_ERR_OPEN, "%s: cannot be read as a spreadsheet (CSV or XLSX)%s%s",
                      path, msg && *msg ? ": " : "", msg ? msg : "");
        goto done;
    }
    OGRLayerH layer = sheet ? GDALDatasetGetLayerByName(ds, sheet) : GDALDatasetGetLayer(ds, 0);
    if (!layer) {
        rc = sheet ? gm_error(ctx, GM_ERR_OPEN, "%s: no sheet named %s", path, sheet)
                   : gm_error(ctx, GM_ERR_OPEN, "%s: no sheet", path);
        goto done;
    }
    t = calloc(1, sizeof *t);
    if (!t) goto nomem;
    t->file_name = gm_strdup(file);
    t->sheet = gm_strdup(OGR_L_GetName(layer));
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    t->n_cols = (size_t)OGR_FD_GetFieldCount(defn);
    if (t->n_cols == 0) {
        rc = gm_error(ctx, GM_ERR_OPEN, "%s: sheet %s has no columns", path, t->sheet);
        goto done;
    }
    t->cols = calloc(t->n_cols, sizeof *t->cols);
    if (!t->cols) goto nomem;
    int nomem = 0;
    for (size_t c = 0; c < t->n_cols; c++)
        t->cols[c] = trimmed(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, (int)c)), &nomem);
    if (nomem) goto nomem;
    size_t cap = 0;
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
        if (t->n_rows == cap) {
            cap = cap ? cap * 2 : 64;
            char **cells = realloc(t->cells, cap * t->n_cols * sizeof *cells);
            long *rows = realloc(t->row_no, cap * sizeof *rows);
            if (cells) t->cells = cells;
            if (rows) t->row_no = rows;
            if (!cells || !rows) {
                OGR_F_Destroy(f);
                goto nomem;
            }
        }
        char **row = t->cells + t->n_rows * t->n_cols;
        int any = 0;
        for (size_t c = 0; c < t->n_cols; c++) {
            row[c] = OGR_F_IsFieldSetAndNotNull(f, (int)c)
                         ? trimmed(OGR_F_GetFieldAsString(f, (int)c), &nomem)
                         : NULL;
            any |= row[c] != NULL;
        }
        long fid = (long)OGR_F_GetFID(f);
        OGR_F_Destroy(f);
        if (nomem) {
            t->n_rows++; /* freed with the table */
            goto nomem;
        }
        if (!any) { /* an empty line: not a row */
            for (size_t c = 0; c < t->n_cols; c++)
                free(row[c]);
            continue;
        }
        t->row_no[t->n_rows++] = xlsx ? fid : fid + 1;
    }
    /* a CSV that is not UTF-8 came from Excel on a Chinese Windows: GBK */
    int gbk = 0;
    for (size_t c = 0; c < t->n_cols && !gbk; c++)
        gbk = not_utf8(t->cols[c]);
    for (size_t i = 0; i < t->n_rows * t->n_cols && !gbk; i++)
        gbk = not_utf8(t->cells[i]);
    if (gbk) {
        t->recoded = 1;
        for (size_t c = 0; c < t->n_cols; c++)
            if (recode(&t->cols[c]) != GM_OK) goto nomem;
        for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
            if (recode(&t->cells[i]) != GM_OK) goto nomem;
    }
    goto done;
nomem:
    rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
done:
    if (ds) GDALClose(ds);
    if (xlsx) {
        CPLSetThreadLocalConfigOption("OGR_XLSX_HEADERS", old_headers);
        CPLSetThreadLocalConfigOption("OGR_XLSX_FIELD_TYPES", old_types);
        CPLFree(old_headers);
        CPLFree(old_types);
    }
    if (rc != GM_OK) {
        gm_table_free(t);
        return rc;
    }
    *out = t;
    return GM_OK;
}
