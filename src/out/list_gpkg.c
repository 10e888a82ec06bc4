/*
 * list_gpkg.c -- the public list of green mines (名录) as a GeoPackage styled
 * for QGIS and as CSV (greenmine/publish.h). Only fields fit to publish: the
 * licence, the enterprise, where the mine is, when and in which batch it was
 * listed, who verified it, its latest spot check and credit grade -- nothing
 * of who entered what, no event ids, documents, findings or inspectors.
 */
#include "core/atomic.h"
#include "core/context_impl.h"
#include "core/text.h"
#include "io/crs.h"
#include "io/gdal.h"
#include "out/memtext.h"
#include "out/styles.h"

#include <greenmine/publish.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_LAYER "green_mine_list"

/* The public columns, in order: name, OGR type, width (0 = free). */
static const struct {
    const char *name;
    OGRFieldType type;
} columns[] = {
    {"licence_no", OFTString},
    {"mine_name", OFTString},
    {"enterprise", OFTString},
    {"credit_code", OFTString},
    {"industry", OFTString},
    {"mineral", OFTString},
    {"scale", OFTString},
    {"city", OFTString},
    {"county", OFTString},
    {"zone", OFTString},
    {"is_new", OFTInteger},
    {"batch", OFTString},
    {"listed_on", OFTDate},
    {"verified_by", OFTString},
    {"verified_on", OFTDate},
    {"last_spot_check", OFTDate},
    {"spot_check_result", OFTString},
    {"credit_grade", OFTString},
    {"credit_year", OFTInteger},
    {"mine_ha", OFTReal},
    {"list_as_of", OFTDate},
};
#define N_COLUMNS (sizeof columns / sizeof *columns)

static int licence_new(const gm_licence *l)
{
    if (l->is_new != GM_FLAG_UNKNOWN) return l->is_new == GM_FLAG_YES;
    return l->licensed_on >= GM_PLAN_DATE;
}

/* Column i of entry e as text (NULL = no value); dates as YYYY-MM-DD in buf. */
static const char *cell(const gm_list_entry *e, int as_of, size_t i, char buf[32])
{
    const gm_licence *l = e->licence;
    const gm_mine_state *s = e->state;
    int date = 0;
    switch (i) {
    case 0:
        return l->licence_no;
    case 1:
        return e->mine_name;
    case 2:
        return l->enterprise;
    case 3:
        return l->credit_code;
    case 4:
        return l->industry ? gm_industry_name(l->industry) : NULL;
    case 5:
        return l->mineral;
    case 6:
        return l->scale ? gm_scale_name(l->scale) : NULL;
    case 7:
        return l->city;
    case 8:
        return l->county;
    case 9:
        return e->zone;
    case 10:
        return licence_new(l) ? "1" : "0";
    case 11:
        return s->batch;
    case 12:
        date = s->listed_on;
        break;
    case 13:
        return s->verification_agency;
    case 14:
        date = s->last_verification;
        break;
    case 15:
        date = s->last_spot_check;
        break;
    case 16:
        return s->last_spot_check ? gm_result_name(s->spot_check_result) : NULL;
    case 17:
        return s->credit_grade;
    case 18:
        if (!s->credit_grade) return NULL;
        snprintf(buf, 32, "%d", s->credit_year);
        return buf;
    case 19:
        if (!e->geom) return NULL;
        snprintf(buf, 32, "%.6f", e->area_ha);
        return buf;
    case 20:
        date = as_of;
        break;
    }
    if (!date) return NULL;
    snprintf(buf, 32, "%04d-%02d-%02d", date / 10000, date / 100 % 100, date % 100);
    return buf;
}

static void write_csv(FILE *f, const void *data)
{
    const gm_public_list *l = data;
    char buf[32];
    fputs("\xEF\xBB\xBF", f); /* a BOM: spreadsheets then read UTF-8 */
    for (size_t c = 0; c < N_COLUMNS; c++)
        fprintf(f, "%s%s", c ? "," : "", columns[c].name);
    fputc('\n', f);
    for (size_t i = 0; i < l->n; i++) {
        for (size_t c = 0; c < N_COLUMNS; c++) {
            const char *v = cell(&l->entries[i], l->as_of, c, buf);
            if (c) fputc(',', f);
            if (!v) continue;
            if (columns[c].type == OFTString)
                gm_csv_fputs(f, v);
            else
                fputs(v, f); /* numbers and dates we formatted */
        }
        fputc('\n', f);
    }
}

int gm_list_csv(gm_context *ctx, const gm_public_list *l, char **out)
{
    return gm_memtext(ctx, write_csv, l, out);
}

static int fail(gm_context *ctx, const char *path, const char *what)
{
    return gm_error(ctx, GM_ERR_WRITE, "%s: cannot write %s: %s", path, what, CPLGetLastErrorMsg());
}

static int write_rows(gm_context *ctx, GDALDatasetH ds, OGRSpatialReferenceH srs, const char *path,
                      const gm_public_list *l)
{
    const char *opts[] = {"FID=fid", "GEOMETRY_NAME=geom", "SPATIAL_INDEX=YES", NULL};
    OGRLayerH layer = GDALDatasetCreateLayer(ds, LIST_LAYER, srs, wkbMultiPolygon, (char **)opts);
    if (!layer) return fail(ctx, path, "layer " LIST_LAYER);
    for (size_t c = 0; c < N_COLUMNS; c++) {
        OGRFieldDefnH fd = OGR_Fld_Create(columns[c].name, columns[c].type);
        OGRErr err = OGR_L_CreateField(layer, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE) return fail(ctx, path, "a field");
    }
    GEOSWKBWriter *wkb = GEOSWKBWriter_create_r(ctx->geos);
    if (!wkb) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    int rc = GM_OK;
    if (GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE)
        rc = fail(ctx, path, "(transaction)");
    for (size_t i = 0; rc == GM_OK && i < l->n; i++) {
        const gm_list_entry *e = &l->entries[i];
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
        char buf[32];
        for (size_t c = 0; c < N_COLUMNS; c++) {
            const char *v = cell(e, l->as_of, c, buf);
            if (!v) continue;
            if (columns[c].type == OFTInteger)
                OGR_F_SetFieldInteger(f, (int)c, atoi(v));
            else if (columns[c].type == OFTReal)
                OGR_F_SetFieldDouble(f, (int)c, strtod(v, NULL));
            else
                OGR_F_SetFieldString(f, (int)c, v); /* dates parse from YYYY-MM-DD */
        }
        if (e->geom) {
            size_t size = 0;
            unsigned char *b = GEOSWKBWriter_write_r(ctx->geos, wkb, e->geom, &size);
            OGRGeometryH g = NULL;
            if (!b || OGR_G_CreateFromWkbEx(b, NULL, &g, size) != OGRERR_NONE || !g)
                rc = gm_error(ctx, GM_ERR_INTERNAL, "%s: cannot encode the boundary of %s", path,
                              e->licence->licence_no);
            if (b) GEOSFree_r(ctx->geos, b);
            if (g) OGR_F_SetGeometryDirectly(f, OGR_G_ForceToMultiPolygon(g));
        }
        if (rc == GM_OK && OGR_L_CreateFeature(layer, f) != OGRERR_NONE)
            rc = fail(ctx, path, "a mine");
        OGR_F_Destroy(f);
    }
    GEOSWKBWriter_destroy_r(ctx->geos, wkb);
    if (rc == GM_OK && GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
        rc = fail(ctx, path, "(commit)");
    return rc;
}

int gm_write_list_gpkg(gm_context *ctx, const char *path, const gm_public_list *l)
{
    gm_gdal_register();
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    if (!drv) return gm_error(ctx, GM_ERR_INTERNAL, "GDAL has no GPKG driver");
    /* the temporary name keeps the .gpkg extension the driver needs */
    gm_atomic file;
    int rc = gm_atomic_begin(ctx, path, 0, ".gpkg", &file);
    if (rc != GM_OK) return rc;
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH ds = GDALCreate(drv, file.tmp, 0, 0, 0, GDT_Unknown, NULL);
    OGRSpatialReferenceH srs = gm_crs_cgcs2000();
    rc = ds && srs ? write_rows(ctx, ds, srs, path, l) : fail(ctx, path, "the GeoPackage");
    if (rc == GM_OK) rc = gm_style_gpkg_layer(ctx, ds, path, LIST_LAYER);
    if (srs) OSRDestroySpatialReference(srs);
    if (ds) {
        CPLErrorReset();
        GDALClose(ds);
        if (rc == GM_OK && CPLGetLastErrorType() >= CE_Failure)
            rc = fail(ctx, path, "the GeoPackage (closing)");
    }
    CPLPopErrorHandler();
    if (rc != GM_OK) {
        gm_atomic_abandon(&file);
        return rc;
    }
    return gm_atomic_commit(ctx, &file);
}
