/*
 * draw_roster.c -- the inspector roster for the draw: any table OGR reads
 * (CSV, XLSX, ODS, a GeoPackage table), first layer, columns matched by name
 * or alias (docs/draw.md). Every bad row is named, nothing is half-read.
 */
#include "core/context_impl.h"
#include "core/text.h"
#include "io/gdal.h"
#include "io/source.h"

#include <greenmine/draw.h>

#include <cpl_conv.h>
#include <ogr_api.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { COL_ID, COL_NAME, COL_COUNTY, COL_AGENCY, N_COLS };

/* Aliases, lower-case ASCII or Chinese; the first is the canonical name. */
static const char *const aliases[N_COLS][10] = {
    {"inspector_id", "id", "编号", "人员编号", "执法证号", "执法证编号", "检查人员编号",
     "执法人员编号", NULL},
    {"name", "姓名", "检查人员", "执法人员", NULL},
    {"county", "县", "县市区", "所在县市区", "所在县", "所在地", "地区", NULL},
    {"agency", "单位", "所属单位", "工作单位", "机构", NULL},
};

static int column_of(const char *field)
{
    char trimmed[256];
    size_t n = strlen(field);
    while (n && field[n - 1] == ' ')
        n--;
    while (n && *field == ' ')
        field++, n--;
    snprintf(trimmed, sizeof trimmed, "%.*s", (int)n, field);
    for (int c = 0; c < N_COLS; c++)
        for (int a = 0; aliases[c][a]; a++)
            if (strcasecmp(trimmed, aliases[c][a]) == 0) return c;
    return -1;
}

/* The value without surrounding spaces, malloc'd. */
static char *trimmed_value(OGRFeatureH f, int field)
{
    const char *v =
        field >= 0 && OGR_F_IsFieldSetAndNotNull(f, field) ? OGR_F_GetFieldAsString(f, field) : "";
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    while (n && (*v == ' ' || *v == '\t'))
        v++, n--;
    char *s = malloc(n + 1);
    if (s) memcpy(s, v, n), s[n] = '\0';
    return s;
}

static int id_cmp(const void *a, const void *b)
{
    return strcmp(((const gm_draw_inspector *)a)->inspector_id,
                  ((const gm_draw_inspector *)b)->inspector_id);
}

static int read_roster(gm_context *ctx, const char *path, gm_draw_inspector **out, size_t *n_out)
{
    GDALDatasetH ds = NULL;
    if (gm_source_open(ctx, path, NULL, &ds) != GM_OK)
        return gm_error_prefix(ctx, "inspector roster %s: ", path);
    OGRLayerH layer = GDALDatasetGetLayerCount(ds) > 0 ? GDALDatasetGetLayer(ds, 0) : NULL;
    if (!layer) {
        GDALClose(ds);
        return gm_error(ctx, GM_ERR_OPEN, "inspector roster %s: no table in it", path);
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int col[N_COLS] = {-1, -1, -1, -1};
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++) {
        int c = column_of(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
        if (c < 0) continue;
        if (col[c] >= 0) {
            GDALClose(ds);
            return gm_error(ctx, GM_ERR_FIELD,
                            "inspector roster %s: two columns can be '%s' (columns %d and %d)",
                            path, aliases[c][0], col[c] + 1, i + 1);
        }
        col[c] = i;
    }
    if (col[COL_ID] < 0 || col[COL_NAME] < 0) {
        GDALClose(ds);
        return gm_error(ctx, GM_ERR_FIELD,
                        "inspector roster %s: no column '%s' (or 编号, 人员编号, 执法证号) and "
                        "'%s' (or 姓名); county (所在县市区) and agency (所属单位) are optional",
                        path, col[COL_ID] < 0 ? "inspector_id" : "(found)",
                        col[COL_NAME] < 0 ? "name" : "(found)");
    }
    gm_draw_inspector *a = NULL;
    size_t n = 0, *row_of = NULL;
    char problems[2048] = "";
    size_t used = 0, n_bad = 0, row = 1; /* row 1 is the header */
    int rc = GM_OK;
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
        row++;
        gm_draw_inspector in = {trimmed_value(f, col[COL_ID]), trimmed_value(f, col[COL_NAME]),
                                trimmed_value(f, col[COL_COUNTY]),
                                trimmed_value(f, col[COL_AGENCY])};
        OGR_F_Destroy(f);
        if (!in.inspector_id || !in.name || !in.county || !in.agency) {
            free(in.inspector_id), free(in.name), free(in.county), free(in.agency);
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            break;
        }
        /* a row left wholly empty in a spreadsheet is no inspector */
        if (!in.inspector_id[0] && !in.name[0] && !in.county[0] && !in.agency[0]) {
            free(in.inspector_id), free(in.name), free(in.county), free(in.agency);
            continue;
        }
        const char *why = NULL;
        const char *vals[] = {in.inspector_id, in.name, in.county, in.agency};
        for (int c = 0; c < N_COLS && !why; c++)
            if (!gm_utf8_valid(vals[c], strlen(vals[c]), NULL) || gm_text_has_controls(vals[c]))
                why = "a value is not UTF-8 text or holds control characters";
        if (!why && !in.inspector_id[0]) why = "no inspector id";
        if (!why && strchr(in.inspector_id, ';')) why = "the id holds ';'";
        if (!why && !in.name[0]) why = "no name";
        char twice[96];
        for (size_t k = 0; !why && k < n; k++) /* a roster is small: a linear scan will do */
            if (!strcmp(a[k].inspector_id, in.inspector_id)) {
                snprintf(twice, sizeof twice, "its id is also on row %zu", row_of[k]);
                why = twice;
            }
        if (why) {
            n_bad++;
            if (n_bad <= 20 && used < sizeof problems)
                used += (size_t)snprintf(problems + used, sizeof problems - used, "%srow %zu: %s",
                                         n_bad > 1 ? "; " : "", row, why);
            free(in.inspector_id), free(in.name), free(in.county), free(in.agency);
            continue;
        }
        gm_draw_inspector *g = realloc(a, (n + 1) * sizeof *a);
        size_t *r = realloc(row_of, (n + 1) * sizeof *r);
        if (g) a = g;
        if (r) row_of = r;
        if (!g || !r) {
            free(in.inspector_id), free(in.name), free(in.county), free(in.agency);
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            break;
        }
        row_of[n] = row;
        a[n++] = in;
    }
    GDALClose(ds);
    if (rc == GM_OK) {
        if (n_bad)
            rc = gm_error(ctx, GM_ERR_USAGE, "inspector roster %s: %zu bad row%s, none read: %s%s",
                          path, n_bad, n_bad == 1 ? "" : "s", problems, n_bad > 20 ? "; ..." : "");
        else if (n == 0)
            rc = gm_error(ctx, GM_ERR_USAGE, "inspector roster %s: no inspectors in it", path);
    }
    free(row_of);
    if (rc != GM_OK) {
        gm_draw_inspectors_free(a, n);
        return rc;
    }
    qsort(a, n, sizeof *a, id_cmp);
    *out = a, *n_out = n;
    return GM_OK;
}

int gm_draw_roster_read(gm_context *ctx, const char *path, gm_draw_inspector **out, size_t *n_out)
{
    gm_gdal_register();
    /* a spreadsheet's first row is its header, whatever its cells hold (GDAL's
     * guess takes an all-text roster's header for data); the drivers read the
     * sheet lazily, so the options hold until the file is closed */
    CPLSetThreadLocalConfigOption("OGR_XLSX_HEADERS", "FORCE");
    CPLSetThreadLocalConfigOption("OGR_ODS_HEADERS", "FORCE");
    int rc = read_roster(ctx, path, out, n_out);
    CPLSetThreadLocalConfigOption("OGR_XLSX_HEADERS", NULL);
    CPLSetThreadLocalConfigOption("OGR_ODS_HEADERS", NULL);
    return rc;
}
