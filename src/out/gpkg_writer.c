/*
 * gpkg_writer.c -- the GeoPackages of `analyze` and `check`, through OGR's GPKG driver.
 * Writes to a temporary file in the target's folder and renames it into place;
 * on any failure the temporary file is removed and the target left untouched.
 */
#include "out/gpkg_writer.h"

#include "core/atomic.h"
#include "core/context_impl.h"
#include "io/crs.h"
#include "io/gdal.h"
#include "out/gpkg_rtree.h"
#include "out/styles.h"

#include <greenmine/check.h>
#include <greenmine/load.h>
#include <greenmine/output.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct writer {
    gm_context *ctx;
    GDALDatasetH ds;
    OGRSpatialReferenceH srs;
    GEOSWKBWriter *wkb;
    const char *path;   /* the file's name, for messages */
    const char *run_id; /* recorded in the file's metadata when set */
    /* the spatial layer being written and its features' boxes: its index is
     * built in bulk once they are all in (layer_done), not row by row */
    OGRLayerH layer;
    const char *layer_name;
    gm_rtree_entry *boxes;
    size_t n_boxes, cap_boxes;
} writer;

typedef struct column {
    const char *name;
    OGRFieldType type;
    int width; /* 0 = unlimited */
} column;

static int fail(writer *w, const char *what)
{
    return gm_error(w->ctx, GM_ERR_WRITE, "%s: cannot write %s: %s", w->path, what,
                    CPLGetLastErrorMsg()[0] ? CPLGetLastErrorMsg() : "unknown error");
}

/* The spatial layer just written gets its index (a no-op when there is
 * none): its table made if GDAL still defers it (no features), then the
 * bulk-loaded rtree, in the caller's transaction. */
static int layer_done(writer *w)
{
    if (!w->layer) return GM_OK;
    OGRLayerH l = w->layer;
    w->layer = NULL;
    if (OGR_L_SyncToDisk(l) != OGRERR_NONE) return fail(w, w->layer_name);
    return gm_gpkg_rtree_build(w->ctx, w->ds, w->path, w->layer_name, "geom", "fid", w->boxes,
                               w->n_boxes);
}

/* A layer; a spatial one without GDAL's spatial index, which layer_done
 * builds. NULL on failure (or when the layer before cannot be indexed). */
static OGRLayerH make_layer(writer *w, const char *name, int spatial, const column *cols, size_t n)
{
    if (layer_done(w) != GM_OK) return NULL;
    const char *options[] = {"GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=NO", NULL};
    OGRLayerH l = GDALDatasetCreateLayer(w->ds, name, spatial ? w->srs : NULL,
                                         spatial ? wkbMultiPolygon : wkbNone, (char **)options);
    if (!l) return NULL;
    if (spatial) w->layer = l, w->layer_name = name, w->n_boxes = 0;
    for (size_t i = 0; i < n; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(cols[i].name, cols[i].type);
        if (cols[i].width) OGR_Fld_SetWidth(fd, cols[i].width);
        OGRErr err = OGR_L_CreateField(l, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE) return NULL;
    }
    return l;
}

/* One GEOS ring as an OGR linear ring (coordinates copied in bulk), or NULL. */
static OGRGeometryH ogr_ring(GEOSContextHandle_t h, const GEOSGeometry *ring)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n) || n < 4) return NULL;
    double *xy = malloc(2 * (size_t)n * sizeof *xy);
    OGRGeometryH r = xy ? OGR_G_CreateGeometry(wkbLinearRing) : NULL;
    if (r && GEOSCoordSeq_copyToBuffer_r(h, seq, xy, 0, 0))
        OGR_G_SetPoints(r, (int)n, xy, 2 * sizeof *xy, xy + 1, 2 * sizeof *xy, NULL, 0);
    else if (r) {
        OGR_G_DestroyGeometry(r);
        r = NULL;
    }
    free(xy);
    return r;
}

/* A GEOS Polygon or MultiPolygon as an OGR MultiPolygon, built directly: a
 * province's restored areas are one MultiPolygon per zone, and going through
 * WKB copies them twice. NULL for anything else (empty parts included). */
static OGRGeometryH ogr_multipolygon(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) return NULL;
    OGRGeometryH mp = OGR_G_CreateGeometry(wkbMultiPolygon);
    int parts = type == GEOS_POLYGON ? 1 : GEOSGetNumGeometries_r(h, g), ok = mp != NULL;
    for (int i = 0; ok && i < parts; i++) {
        const GEOSGeometry *p = type == GEOS_POLYGON ? g : GEOSGetGeometryN_r(h, g, i);
        OGRGeometryH poly = GEOSisEmpty_r(h, p) ? NULL : OGR_G_CreateGeometry(wkbPolygon);
        OGRGeometryH shell = poly ? ogr_ring(h, GEOSGetExteriorRing_r(h, p)) : NULL;
        ok = shell && OGR_G_AddGeometryDirectly(poly, shell) == OGRERR_NONE;
        int holes = ok ? GEOSGetNumInteriorRings_r(h, p) : 0;
        for (int k = 0; ok && k < holes; k++) {
            OGRGeometryH hole = ogr_ring(h, GEOSGetInteriorRingN_r(h, p, k));
            ok = hole && OGR_G_AddGeometryDirectly(poly, hole) == OGRERR_NONE;
        }
        ok = ok && OGR_G_AddGeometryDirectly(mp, poly) == OGRERR_NONE;
        if (!ok && poly) OGR_G_DestroyGeometry(poly);
    }
    if (!ok && mp) {
        OGR_G_DestroyGeometry(mp);
        mp = NULL;
    }
    return mp;
}

/* Sets the feature's geometry from a GEOS geometry (NULL leaves it empty). */
static int set_geometry(writer *w, OGRFeatureH f, const GEOSGeometry *g)
{
    if (!g) return GM_OK;
    OGRGeometryH direct = ogr_multipolygon(w->ctx->geos, g);
    if (direct) {
        OGR_F_SetGeometryDirectly(f, direct);
        return GM_OK;
    }
    size_t size = 0;
    unsigned char *buf = GEOSWKBWriter_write_r(w->ctx->geos, w->wkb, g, &size);
    if (!buf) return gm_error(w->ctx, GM_ERR_INTERNAL, "cannot encode a geometry as WKB");
    OGRGeometryH og = NULL;
    OGRErr err = OGR_G_CreateFromWkbEx(buf, NULL, &og, size);
    GEOSFree_r(w->ctx->geos, buf);
    if (err != OGRERR_NONE || !og)
        return gm_error(w->ctx, GM_ERR_INTERNAL, "cannot decode a WKB geometry");
    og = OGR_G_ForceToMultiPolygon(og);
    OGR_F_SetGeometryDirectly(f, og);
    return GM_OK;
}

static int commit_feature(writer *w, OGRLayerH l, OGRFeatureH f, const char *what)
{
    OGRGeometryH g = l == w->layer ? OGR_F_GetGeometryRef(f) : NULL;
    OGREnvelope e;
    int boxed = g && !OGR_G_IsEmpty(g);
    if (boxed) OGR_G_GetEnvelope(g, &e);
    if (boxed && w->n_boxes == w->cap_boxes) {
        size_t cap = w->cap_boxes ? 2 * w->cap_boxes : 1024;
        gm_rtree_entry *b = realloc(w->boxes, cap * sizeof *b);
        if (!b) {
            OGR_F_Destroy(f);
            return gm_error(w->ctx, GM_ERR_NOMEM, "out of memory");
        }
        w->boxes = b, w->cap_boxes = cap;
    }
    OGRErr err = OGR_L_CreateFeature(l, f);
    if (err == OGRERR_NONE && boxed)
        w->boxes[w->n_boxes++] = (gm_rtree_entry){OGR_F_GetFID(f), e.MinX, e.MaxX, e.MinY, e.MaxY};
    OGR_F_Destroy(f);
    return err == OGRERR_NONE ? GM_OK : fail(w, what);
}

static const char *zone_name(const gm_inputs *in, int z)
{
    return z >= 0 && in->zones[z].name ? in->zones[z].name : "";
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The ids of the red lines a mine overlaps, sorted, comma-separated. Caller frees. */
static char *redline_ids(const gm_inputs *in, const gm_results *res, const gm_mine_result *r)
{
    const char **ids = malloc((r->n_overlaps ? r->n_overlaps : 1) * sizeof *ids);
    if (!ids) return NULL;
    size_t len = 1;
    for (size_t k = 0; k < r->n_overlaps; k++) {
        const char *id = in->redlines[res->overlaps[r->first_overlap + k].redline].redline_id;
        ids[k] = id ? id : "";
        len += strlen(ids[k]) + 1;
    }
    qsort(ids, r->n_overlaps, sizeof *ids, cmp_str);
    char *out = calloc(len, 1);
    for (size_t k = 0; out && k < r->n_overlaps; k++) {
        if (k) strcat(out, ",");
        strcat(out, ids[k]);
    }
    free(ids);
    return out;
}

static int write_mine_conflicts(writer *w, const gm_inputs *in, const gm_results *res)
{
    static const column cols[] = {
        {"mine_id", OFTString, 0},    {"name", OFTString, 0},
        {"scale", OFTString, 8},      {"zone_name", OFTString, 0},
        {"mine_ha", OFTReal, 0},      {"redline_conflict_ha", OFTReal, 0},
        {"conflict_pct", OFTReal, 0}, {"redline_ids", OFTString, 0},
        {"verdict", OFTString, 8},
    };
    OGRLayerH l = make_layer(w, "mine_conflicts", 1, cols, sizeof cols / sizeof *cols);
    if (!l) return fail(w, "layer mine_conflicts");
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
    for (size_t i = 0; i < in->n_mines; i++) {
        const gm_mine *m = &in->mines[i];
        const gm_mine_result *r = &res->mines[i];
        OGRFeatureH f = OGR_F_Create(defn);
        char *ids = redline_ids(in, res, r);
        if (!ids) {
            OGR_F_Destroy(f);
            return gm_error(w->ctx, GM_ERR_NOMEM, "out of memory");
        }
        OGR_F_SetFieldString(f, 0, m->mine_id ? m->mine_id : "");
        if (m->name) OGR_F_SetFieldString(f, 1, m->name);
        OGR_F_SetFieldString(f, 2, gm_scale_name(m->scale));
        OGR_F_SetFieldString(f, 3, zone_name(in, r->zone));
        OGR_F_SetFieldDouble(f, 4, r->mine_ha);
        OGR_F_SetFieldDouble(f, 5, r->conflict_ha);
        OGR_F_SetFieldDouble(f, 6, r->mine_ha > 0 ? 100.0 * r->conflict_ha / r->mine_ha : 0.0);
        OGR_F_SetFieldString(f, 7, ids);
        OGR_F_SetFieldString(f, 8, r->conflict_ha > 0 ? "conflict" : "clear");
        free(ids);
        if (set_geometry(w, f, m->geom) != GM_OK) {
            OGR_F_Destroy(f);
            return GM_ERR_INTERNAL;
        }
        int rc = commit_feature(w, l, f, "a mine_conflicts feature");
        if (rc != GM_OK) return rc;
    }
    return GM_OK;
}

static int write_conflict_areas(writer *w, const gm_inputs *in, const gm_results *res)
{
    static const column cols[] = {
        {"mine_id", OFTString, 0}, {"redline_id", OFTString, 0},   {"category", OFTString, 0},
        {"area_ha", OFTReal, 0},   {"redline_name", OFTString, 0},
    };
    OGRLayerH l = make_layer(w, "conflict_areas", 1, cols, sizeof cols / sizeof *cols);
    if (!l) return fail(w, "layer conflict_areas");
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
    for (size_t k = 0; k < res->n_overlaps; k++) {
        const gm_overlap *o = &res->overlaps[k];
        const gm_redline *rl = &in->redlines[o->redline];
        OGRFeatureH f = OGR_F_Create(defn);
        OGR_F_SetFieldString(f, 0, in->mines[o->mine].mine_id ? in->mines[o->mine].mine_id : "");
        OGR_F_SetFieldString(f, 1, rl->redline_id ? rl->redline_id : "");
        if (rl->category) OGR_F_SetFieldString(f, 2, rl->category);
        OGR_F_SetFieldDouble(f, 3, o->area_ha);
        if (rl->name) OGR_F_SetFieldString(f, 4, rl->name);
        if (set_geometry(w, f, o->geom) != GM_OK) {
            OGR_F_Destroy(f);
            return GM_ERR_INTERNAL;
        }
        int rc = commit_feature(w, l, f, "a conflict_areas feature");
        if (rc != GM_OK) return rc;
    }
    return GM_OK;
}

static int write_zone_progress(writer *w, const gm_inputs *in, const gm_results *res)
{
    static const column cols[] = {
        {"zone_id", OFTString, 0},
        {"name", OFTString, 0},
        {"restoration_done_ha", OFTReal, 0},
        {"reclamation_done_ha", OFTReal, 0},
        {"mines", OFTInteger, 0},
        {"large_medium_mines", OFTInteger, 0},
        {"conflict_mines", OFTInteger, 0},
        {"zone_ha", OFTReal, 0},
    };
    OGRLayerH l = make_layer(w, "zone_progress", 1, cols, sizeof cols / sizeof *cols);
    if (!l) return fail(w, "layer zone_progress");
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
    for (size_t z = 0; z < in->n_zones; z++) {
        const gm_zone_result *r = &res->zones[z];
        OGRFeatureH f = OGR_F_Create(defn);
        OGR_F_SetFieldString(f, 0, in->zones[z].zone_id ? in->zones[z].zone_id : "");
        OGR_F_SetFieldString(f, 1, zone_name(in, (int)z));
        OGR_F_SetFieldDouble(f, 2, r->done_ha[GM_RESTORATION]);
        OGR_F_SetFieldDouble(f, 3, r->done_ha[GM_RECLAMATION]);
        OGR_F_SetFieldInteger(f, 4, (int)r->mines);
        OGR_F_SetFieldInteger(f, 5, (int)r->large_medium_mines);
        OGR_F_SetFieldInteger(f, 6, (int)r->conflict_mines);
        OGR_F_SetFieldDouble(f, 7, r->zone_ha);
        if (set_geometry(w, f, in->zones[z].geom) != GM_OK) {
            OGR_F_Destroy(f);
            return GM_ERR_INTERNAL;
        }
        int rc = commit_feature(w, l, f, "a zone_progress feature");
        if (rc != GM_OK) return rc;
    }
    return GM_OK;
}

static int write_restored(writer *w, OGRLayerH l, const char *zone, int k, double ha,
                          const GEOSGeometry *g)
{
    if (!g) return GM_OK;
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
    OGR_F_SetFieldString(f, 0, zone);
    OGR_F_SetFieldString(f, 1, gm_parcel_kind_name(k));
    OGR_F_SetFieldDouble(f, 2, ha);
    if (set_geometry(w, f, g) != GM_OK) {
        OGR_F_Destroy(f);
        return GM_ERR_INTERNAL;
    }
    return commit_feature(w, l, f, "a restored_areas feature");
}

static int write_restored_areas(writer *w, const gm_inputs *in, const gm_results *res)
{
    static const column cols[] = {
        {"zone_name", OFTString, 0}, {"kind", OFTString, 12}, {"area_ha", OFTReal, 0}};
    OGRLayerH l = make_layer(w, "restored_areas", 1, cols, sizeof cols / sizeof *cols);
    if (!l) return fail(w, "layer restored_areas");
    int rc = GM_OK;
    for (int k = 0; k < 2 && rc == GM_OK; k++) {
        for (size_t z = 0; z < in->n_zones && rc == GM_OK; z++)
            rc = write_restored(w, l, zone_name(in, (int)z), k, res->zones[z].done_ha[k],
                                res->zones[z].done[k]);
        /* outside every zone: zone_name '' (the province total is the sum) */
        if (rc == GM_OK)
            rc = write_restored(w, l, "", k, res->outside_done_ha[k], res->outside_done[k]);
    }
    return rc;
}

static int indicator(writer *w, OGRLayerH l, const char *name, double value, double target,
                     const char *unit)
{
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
    OGR_F_SetFieldString(f, 0, name);
    OGR_F_SetFieldDouble(f, 1, value);
    if (target > 0) {
        OGR_F_SetFieldDouble(f, 2, target);
        OGR_F_SetFieldDouble(f, 4, 100.0 * value / target);
    }
    OGR_F_SetFieldString(f, 3, unit);
    return commit_feature(w, l, f, "a province_indicators row");
}

static int write_indicators(writer *w, const gm_inputs *in, const gm_results *res,
                            const gm_analysis_options *opts)
{
    static const column cols[] = {{"indicator", OFTString, 0},
                                  {"value", OFTReal, 0},
                                  {"target", OFTReal, 0},
                                  {"unit", OFTString, 8},
                                  {"pct_of_target", OFTReal, 0}};
    OGRLayerH l = make_layer(w, "province_indicators", 0, cols, sizeof cols / sizeof *cols);
    if (!l) return fail(w, "layer province_indicators");
    int rc = indicator(w, l, "restoration_done_ha", res->done_ha[GM_RESTORATION],
                       GM_TARGET_RESTORATION_HA, "ha");
    if (rc == GM_OK)
        rc = indicator(w, l, "reclamation_done_ha", res->done_ha[GM_RECLAMATION],
                       GM_TARGET_RECLAMATION_HA, "ha");
    if (rc == GM_OK)
        rc = indicator(w, l, "large_medium_share", res->large_medium_share,
                       GM_TARGET_LARGE_MEDIUM_SHARE, "ratio");
    if (rc == GM_OK) rc = indicator(w, l, "mines", (double)in->n_mines, 0, "count");
    if (rc == GM_OK)
        rc = indicator(w, l, "large_medium_mines", (double)res->large_medium_mines, 0, "count");
    if (rc == GM_OK)
        rc = indicator(w, l, "conflict_mines", (double)res->conflict_mines, 0, "count");
    if (rc == GM_OK) rc = indicator(w, l, "redline_conflict_ha", res->conflict_ha, 0, "ha");
    if (rc == GM_OK)
        rc = indicator(w, l, "completed_parcels_without_date", (double)res->completed_without_date,
                       0, "count");
    /* green mines, when the mines carry the flag: the run's report reads them
     * back (the mine layer has no green field) */
    long green_known = 0, green[4] = {0, 0, 0, 0}; /* all, large, medium, small */
    for (size_t i = 0; i < in->n_mines; i++) {
        const gm_mine *m = &in->mines[i];
        green_known += m->green != GM_FLAG_UNKNOWN;
        if (m->green != GM_FLAG_YES) continue;
        green[0]++;
        if (m->scale == GM_SCALE_LARGE) green[1]++;
        if (m->scale == GM_SCALE_MEDIUM) green[2]++;
        if (m->scale == GM_SCALE_SMALL) green[3]++;
    }
    static const char *const green_rows[] = {"green_mines", "green_large", "green_medium",
                                             "green_small"};
    for (int g = 0; g < 4 && green_known && rc == GM_OK; g++)
        rc = indicator(w, l, green_rows[g], (double)green[g], 0, "count");
    if (rc == GM_OK)
        rc = indicator(w, l, "period_start", (double)opts->period_start, 0, "yyyymmdd");
    if (rc == GM_OK) rc = indicator(w, l, "as_of", (double)opts->as_of, 0, "yyyymmdd");
    return rc;
}

/* mkdir -p of path's parent folder: GM_OK, or GM_ERR_WRITE with errno set
 * (the caller names the file). */
static int make_parent(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) return GM_OK;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) return GM_ERR_WRITE;
        *p = '/';
    }
    return mkdir(dir, 0777) != 0 && errno != EEXIST ? GM_ERR_WRITE : GM_OK;
}

typedef int (*layer_fn)(writer *, const gm_inputs *, const gm_results *);

/* Creates the GeoPackage `path`: at write_path, left there for the caller to
 * put in place (removed on failure), or, with write_path NULL, through a
 * temporary file beside `path` renamed into place only when everything
 * succeeded. `body` writes the layers. */
static int write_file(gm_context *ctx, const char *path, const char *write_path, const char *run_id,
                      int (*body)(writer *, const void *), const void *user)
{
    gm_gdal_register();
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    if (!drv) return gm_error(ctx, GM_ERR_INTERNAL, "GDAL has no GPKG driver");
    gm_atomic file = {0};
    if (!write_path) {
        if (make_parent(path) != GM_OK)
            return gm_error(ctx, GM_ERR_WRITE, "%s: cannot create its folder: %s", path,
                            strerror(errno));
        /* The temporary name keeps the .gpkg extension the driver needs. */
        int rc = gm_atomic_begin(ctx, path, 0, ".gpkg", &file);
        if (rc != GM_OK) return rc;
        write_path = file.tmp;
    }

    writer w = {.ctx = ctx, .path = path, .run_id = run_id};
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    w.ds = GDALCreate(drv, write_path, 0, 0, 0, GDT_Unknown, NULL);
    int rc = GM_OK;
    if (!w.ds) {
        rc = fail(&w, "the GeoPackage");
        goto done;
    }
    w.srs = gm_crs_cgcs2000();
    w.wkb = GEOSWKBWriter_create_r(ctx->geos);
    rc = body(&w, user);
    if (rc == GM_OK) rc = layer_done(&w);
    if (rc == GM_OK && run_id &&
        GDALSetMetadataItem(w.ds, "GREENMINE_RUN_ID", run_id, NULL) != CE_None)
        rc = fail(&w, "(run id)");
done:
    free(w.boxes);
    if (w.wkb) GEOSWKBWriter_destroy_r(ctx->geos, w.wkb);
    if (w.srs) OSRDestroySpatialReference(w.srs);
    if (w.ds) {
        CPLErrorReset();
        GDALClose(w.ds); /* returns void in GDAL 3.6: read the error state */
        if (rc == GM_OK && CPLGetLastErrorType() >= CE_Failure)
            rc = fail(&w, "the GeoPackage (closing)");
    }
    CPLPopErrorHandler();
    if (rc != GM_OK) {
        if (file.tmp)
            gm_atomic_abandon(&file);
        else
            unlink(write_path);
        return rc;
    }
    return file.tmp ? gm_atomic_commit(ctx, &file) : GM_OK;
}

typedef struct analysis_out {
    const gm_inputs *in;
    const gm_results *res;
    const gm_analysis_options *opts;
} analysis_out;

/* Each layer in a transaction of its own: one journal per layer, not per feature. */
static int write_layers(writer *w, const analysis_out *a, const layer_fn *layers, size_t n,
                        size_t first)
{
    int rc = GM_OK;
    for (size_t i = 0; i < n && rc == GM_OK; i++) {
        if (GDALDatasetStartTransaction(w->ds, FALSE) != OGRERR_NONE)
            return fail(w, "(transaction)");
        rc = layers[i](w, a->in, a->res);
        if (rc == GM_OK) rc = layer_done(w);
        if (rc == GM_OK && GDALDatasetCommitTransaction(w->ds) != OGRERR_NONE)
            rc = fail(w, "(commit)");
        gm_progress(w->ctx, "writing", first + i + 1, 5);
    }
    return rc;
}

/* The mines' layers: they need only the red-line conflicts. */
static int write_mine_layers(writer *w, const analysis_out *a)
{
    static const layer_fn layers[] = {write_mine_conflicts, write_conflict_areas};
    return write_layers(w, a, layers, 2, 0); /* with their spatial indexes */
}

/* The zones', the province's and the styles: they need the whole analysis. */
static int write_other_layers(writer *w, const analysis_out *a)
{
    static const layer_fn layers[] = {write_zone_progress, write_restored_areas};
    int rc = write_layers(w, a, layers, 2, 2);
    if (rc == GM_OK) rc = write_indicators(w, a->in, a->res, a->opts);
    /* QGIS default styles, field titles and provenance (src/out/styles.c) */
    if (rc == GM_OK) rc = gm_style_gpkg(w->ctx, w->ds, w->path, a->in, a->res, a->opts);
    gm_progress(w->ctx, "writing", 5, 5);
    return rc;
}

static int analysis_body(writer *w, const void *user)
{
    int rc = write_mine_layers(w, user);
    return rc == GM_OK ? write_other_layers(w, user) : rc;
}

int gm_write_gpkg(gm_context *ctx, const char *path, const gm_inputs *in, const gm_results *res,
                  const gm_analysis_options *opts)
{
    static const gm_analysis_options defaults = GM_ANALYSIS_OPTIONS_INIT;
    analysis_out a = {in, res, opts ? opts : &defaults};
    return write_file(ctx, path, NULL, NULL, analysis_body, &a);
}

/* ---- the same, begun while the analysis still runs ----------------------
 * The GeoPackage is written on a thread of its own: the mines' layers (and
 * their spatial indexes) as soon as the red-line conflicts are known, while
 * the workers compute the unions; the rest once the whole analysis is done.
 * Writing is serial (OGR and SQLite), so on two cores this takes most of it
 * off the end of the run. The thread has its own context (GEOS handle, error)
 * and makes every GDAL call on that dataset. */
struct gm_gpkg_writer {
    gm_context *ctx; /* the caller's: the error is reported there */
    gm_context *own; /* the thread's */
    char *path, *write_path, *run_id;
    analysis_out a;
    gm_analysis_options opts;
    pthread_t tid;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int state; /* 0: the analysis runs, 1: write the rest, 2: give up */
    int rc;
};

static int staged_body(writer *w, const void *user)
{
    gm_gpkg_writer *g = (gm_gpkg_writer *)user;
    int rc = write_mine_layers(w, &g->a);
    pthread_mutex_lock(&g->mu);
    while (g->state == 0)
        pthread_cond_wait(&g->cv, &g->mu);
    int go = g->state == 1;
    pthread_mutex_unlock(&g->mu);
    if (rc != GM_OK) return rc;
    if (!go) return gm_error(w->ctx, GM_ERR_INTERNAL, "the analysis failed");
    return write_other_layers(w, &g->a);
}

static void *writer_main(void *arg)
{
    gm_gpkg_writer *g = arg;
    g->rc = write_file(g->own, g->path, g->write_path, g->run_id, staged_body, g);
    return NULL;
}

static void writer_free(gm_gpkg_writer *g)
{
    if (!g) return;
    gm_context_free(g->own);
    free(g->path), free(g->write_path), free(g->run_id);
    free(g);
}

int gm_gpkg_writer_new(gm_context *ctx, const char *path, const char *write_path,
                       const char *run_id, const gm_analysis_options *opts, gm_gpkg_writer **out)
{
    static const gm_analysis_options defaults = GM_ANALYSIS_OPTIONS_INIT;
    gm_gpkg_writer *g = calloc(1, sizeof *g);
    *out = NULL;
    if (!g || !(g->path = gm_strdup(path)) ||
        (write_path && !(g->write_path = gm_strdup(write_path))) ||
        (run_id && !(g->run_id = gm_strdup(run_id))) || gm_context_new(&g->own) != GM_OK) {
        writer_free(g);
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    }
    g->ctx = ctx;
    g->opts = opts ? *opts : defaults;
    g->a.opts = &g->opts;
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    *out = g;
    return GM_OK;
}

void gm_gpkg_writer_mines_done(void *gw, const gm_inputs *in, const gm_results *res)
{
    gm_gpkg_writer *g = gw;
    if (g->started) return;
    g->a.in = in, g->a.res = res;
    g->started = pthread_create(&g->tid, NULL, writer_main, g) == 0;
}

void gm_gpkg_writer_release(gm_gpkg_writer *g, const gm_results *res)
{
    if (!g || !g->started) return;
    pthread_mutex_lock(&g->mu);
    if (g->state == 0) g->state = res ? 1 : 2;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

int gm_gpkg_writer_finish(gm_gpkg_writer *g, const gm_inputs *in, const gm_results *res)
{
    if (!g) return GM_OK;
    int rc = GM_OK;
    if (res) gm_progress(g->ctx, "writing", 0, 1);
    if (g->started) {
        gm_gpkg_writer_release(g, res);
        pthread_join(g->tid, NULL);
        rc = g->rc;
    } else if (res) { /* the analysis never reached the mines: write it all here */
        g->a.in = in, g->a.res = res;
        rc = write_file(g->own, g->path, g->write_path, g->run_id, analysis_body, &g->a);
    }
    if (res && rc != GM_OK) rc = gm_error(g->ctx, rc, "%s", gm_context_errmsg(g->own));
    if (res && rc == GM_OK) gm_progress(g->ctx, "writing", 1, 1);
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    writer_free(g);
    return res ? rc : GM_OK;
}

/* ---- greenmine check ---------------------------------------------------- */

typedef struct check_out {
    const gm_inputs *in;
    const gm_applications *apps;
    const gm_check_results *res;
} check_out;

/* Ids of an application's hits, comma-separated in hit order. Caller frees. */
static char *hit_ids(const gm_check_hit *hits, size_t n, int mines, const gm_inputs *in)
{
    size_t len = 1;
    for (size_t k = 0; k < n; k++) {
        const char *id =
            mines ? in->mines[hits[k].index].mine_id : in->redlines[hits[k].index].redline_id;
        len += (id ? strlen(id) : 0) + 1;
    }
    char *out = calloc(len, 1);
    for (size_t k = 0; out && k < n; k++) {
        const char *id =
            mines ? in->mines[hits[k].index].mine_id : in->redlines[hits[k].index].redline_id;
        if (k) strcat(out, ",");
        strcat(out, id ? id : "");
    }
    return out;
}

static int check_applications(writer *w, const check_out *c)
{
    static const column cols[] = {
        {"app_id", OFTString, 0},
        {"verdict", OFTString, 8},
        {"area_ha", OFTReal, 0},
        {"redline_overlap_ha", OFTReal, 0},
        {"overlap_pct", OFTReal, 0},
        {"redline_ids", OFTString, 0},
        {"nearest_redline_id", OFTString, 0},
        {"distance_m", OFTReal, 0},
        {"zone_name", OFTString, 0},
        {"mine_overlap_ha", OFTReal, 0},
        {"mine_ids", OFTString, 0},
        {"repaired", OFTString, 0},
        {"origin", OFTString, 0},
        {"datum_warning", OFTString, 0}, /* a ballpark datum change (corner files) */
    };
    OGRLayerH l = make_layer(w, "applications", 1, cols, sizeof cols / sizeof *cols);
    if (!l) return fail(w, "layer applications");
    for (size_t i = 0; i < c->apps->n; i++) {
        const gm_application *a = &c->apps->items[i];
        const gm_check_result *r = &c->res->items[i];
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
        char *rl = hit_ids(r->redlines, r->n_redlines, 0, c->in);
        char *mn = hit_ids(r->mines, r->n_mines, 1, c->in);
        OGR_F_SetFieldString(f, 0, a->id ? a->id : "");
        OGR_F_SetFieldString(f, 1, gm_verdict_name(r->verdict));
        OGR_F_SetFieldDouble(f, 2, r->area_ha);
        OGR_F_SetFieldDouble(f, 3, r->redline_overlap_ha);
        OGR_F_SetFieldDouble(f, 4, r->overlap_pct);
        OGR_F_SetFieldString(f, 5, rl ? rl : "");
        if (r->nearest >= 0) {
            const char *id = c->in->redlines[r->nearest].redline_id;
            OGR_F_SetFieldString(f, 6, id ? id : "");
            OGR_F_SetFieldDouble(f, 7, r->distance_m);
        }
        OGR_F_SetFieldString(f, 8, zone_name(c->in, r->zone));
        OGR_F_SetFieldDouble(f, 9, r->mine_overlap_ha);
        OGR_F_SetFieldString(f, 10, mn ? mn : "");
        if (a->repair_note) OGR_F_SetFieldString(f, 11, a->repair_note);
        if (a->origin) OGR_F_SetFieldString(f, 12, a->origin);
        if (a->datum_note) OGR_F_SetFieldString(f, 13, a->datum_note);
        free(rl), free(mn);
        if (set_geometry(w, f, a->geom) != GM_OK) {
            OGR_F_Destroy(f);
            return GM_ERR_INTERNAL;
        }
        int rc = commit_feature(w, l, f, "an applications feature");
        if (rc != GM_OK) return rc;
    }
    return GM_OK;
}

static int check_overlaps(writer *w, const check_out *c, int mines)
{
    static const column rcols[] = {{"app_id", OFTString, 0},
                                   {"redline_id", OFTString, 0},
                                   {"name", OFTString, 0},
                                   {"category", OFTString, 0},
                                   {"overlap_ha", OFTReal, 0}};
    static const column mcols[] = {
        {"app_id", OFTString, 0}, {"mine_id", OFTString, 0}, {"overlap_ha", OFTReal, 0}};
    const char *name = mines ? "mine_overlaps" : "redline_overlaps";
    OGRLayerH l = mines ? make_layer(w, name, 1, mcols, 3) : make_layer(w, name, 1, rcols, 5);
    if (!l) return fail(w, name);
    for (size_t i = 0; i < c->apps->n; i++) {
        const gm_check_result *r = &c->res->items[i];
        const gm_check_hit *hits = mines ? r->mines : r->redlines;
        size_t n = mines ? r->n_mines : r->n_redlines;
        for (size_t k = 0; k < n; k++) {
            OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
            OGR_F_SetFieldString(f, 0, c->apps->items[i].id ? c->apps->items[i].id : "");
            if (mines) {
                const char *id = c->in->mines[hits[k].index].mine_id;
                OGR_F_SetFieldString(f, 1, id ? id : "");
                OGR_F_SetFieldDouble(f, 2, hits[k].overlap_ha);
            } else {
                const gm_redline *x = &c->in->redlines[hits[k].index];
                OGR_F_SetFieldString(f, 1, x->redline_id ? x->redline_id : "");
                if (x->name) OGR_F_SetFieldString(f, 2, x->name);
                if (x->category) OGR_F_SetFieldString(f, 3, x->category);
                OGR_F_SetFieldDouble(f, 4, hits[k].overlap_ha);
            }
            if (set_geometry(w, f, hits[k].geom) != GM_OK) {
                OGR_F_Destroy(f);
                return GM_ERR_INTERNAL;
            }
            int rc = commit_feature(w, l, f, name);
            if (rc != GM_OK) return rc;
        }
    }
    return GM_OK;
}

static int check_buffers(writer *w, const check_out *c)
{
    static const column cols[] = {{"app_id", OFTString, 0}, {"buffer_m", OFTReal, 0}};
    OGRLayerH l = make_layer(w, "buffers", 1, cols, 2);
    if (!l) return fail(w, "layer buffers");
    for (size_t i = 0; i < c->apps->n; i++) {
        const gm_check_result *r = &c->res->items[i];
        if (!r->buffer) continue;
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
        OGR_F_SetFieldString(f, 0, c->apps->items[i].id ? c->apps->items[i].id : "");
        OGR_F_SetFieldDouble(f, 1, c->res->buffer_m);
        if (set_geometry(w, f, r->buffer) != GM_OK) {
            OGR_F_Destroy(f);
            return GM_ERR_INTERNAL;
        }
        int rc = commit_feature(w, l, f, "a buffers feature");
        if (rc != GM_OK) return rc;
    }
    return GM_OK;
}

static int check_body(writer *w, const void *user)
{
    const check_out *c = user;
    int rc = GM_OK;
    for (int step = 0; step < 4 && rc == GM_OK; step++) {
        if (GDALDatasetStartTransaction(w->ds, FALSE) != OGRERR_NONE)
            return fail(w, "(transaction)");
        rc = step == 0   ? check_applications(w, c)
             : step == 1 ? check_overlaps(w, c, 0)
             : step == 2 ? check_overlaps(w, c, 1)
                         : check_buffers(w, c);
        if (rc == GM_OK) rc = layer_done(w);
        if (rc == GM_OK && GDALDatasetCommitTransaction(w->ds) != OGRERR_NONE)
            rc = fail(w, "(commit)");
    }
    return rc;
}

int gm_write_check_gpkg(gm_context *ctx, const char *path, const gm_inputs *in,
                        const gm_applications *apps, const gm_check_results *res)
{
    check_out c = {in, apps, res};
    return write_file(ctx, path, NULL, NULL, check_body, &c);
}
