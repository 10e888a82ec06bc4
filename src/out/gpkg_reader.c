/*
 * gpkg_reader.c -- one `greenmine analyze` run read back from its
 * GeoPackage (greenmine/report.h gm_analysis_run_read), so that `greenmine
 * report --gpkg` draws the same report as from a registry: the figures are
 * taken as written, nothing is recomputed.
 */
#include "core/context_impl.h"
#include "io/gdal.h"

#include <greenmine/load.h>
#include <greenmine/progress.h>
#include <greenmine/report.h>

#include <gdal.h>
#include <ogr_api.h>

#include <stdlib.h>
#include <string.h>

typedef struct reader {
    gm_context *ctx;
    const char *path;
    GDALDatasetH ds;
    gm_analysis_run *run;
    long green[4]; /* green mines: all, large, medium, small; -1 = not in the file */
} reader;

static OGRLayerH layer(reader *r, const char *name, int *rc)
{
    OGRLayerH l = GDALDatasetGetLayerByName(r->ds, name);
    if (!l)
        *rc = gm_error(r->ctx, GM_ERR_OPEN, "%s: no layer %s (not a greenmine analyze GeoPackage?)",
                       r->path, name);
    return l;
}

/* Field indices by name; any missing is GM_ERR_FIELD naming it. */
static int fields(reader *r, OGRLayerH l, const char *const *names, int n, int *idx)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
    for (int i = 0; i < n; i++) {
        idx[i] = OGR_FD_GetFieldIndex(defn, names[i]);
        if (idx[i] < 0)
            return gm_error(r->ctx, GM_ERR_FIELD, "%s: layer %s has no field %s", r->path,
                            OGR_L_GetName(l), names[i]);
    }
    return GM_OK;
}

static char *text(OGRFeatureH f, int i)
{
    return OGR_F_IsFieldSetAndNotNull(f, i) ? gm_strdup(OGR_F_GetFieldAsString(f, i)) : NULL;
}

/* The feature's geometry as GEOS (as stored: CGCS2000 lon/lat), or NULL. */
static GEOSGeometry *geometry(reader *r, OGRFeatureH f)
{
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (!g || OGR_G_IsEmpty(g)) return NULL;
    int size = OGR_G_WkbSize(g);
    unsigned char *wkb = malloc((size_t)size);
    GEOSGeometry *out = NULL;
    if (wkb && OGR_G_ExportToWkb(g, wkbNDR, wkb) == OGRERR_NONE)
        out = GEOSGeomFromWKB_buf_r(r->ctx->geos, wkb, (size_t)size);
    free(wkb);
    return out;
}

static int zone_index(const gm_inputs *in, const char *name)
{
    for (size_t z = 0; name && *name && z < in->n_zones; z++)
        if (in->zones[z].name && strcmp(in->zones[z].name, name) == 0) return (int)z;
    return -1;
}

static int read_zones(reader *r)
{
    static const char *const names[] = {"zone_id",
                                        "name",
                                        "restoration_done_ha",
                                        "reclamation_done_ha",
                                        "mines",
                                        "large_medium_mines",
                                        "conflict_mines",
                                        "zone_ha"};
    int idx[8], rc = GM_OK;
    OGRLayerH l = layer(r, "zone_progress", &rc);
    if (rc == GM_OK) rc = fields(r, l, names, 8, idx);
    if (rc != GM_OK) return rc;
    gm_inputs *in = r->run->in;
    gm_results *res = r->run->res;
    size_t n = (size_t)OGR_L_GetFeatureCount(l, 1);
    in->zones = calloc(n ? n : 1, sizeof *in->zones);
    res->zones = calloc(n ? n : 1, sizeof *res->zones);
    if (!in->zones || !res->zones) return gm_error(r->ctx, GM_ERR_NOMEM, "out of memory");
    OGRFeatureH f;
    OGR_L_ResetReading(l);
    while (rc == GM_OK && in->n_zones < n && (f = OGR_L_GetNextFeature(l)) != NULL) {
        gm_zone *z = &in->zones[in->n_zones];
        gm_zone_result *zr = &res->zones[in->n_zones];
        z->zone_id = text(f, idx[0]);
        z->name = text(f, idx[1]);
        z->fid = (long)OGR_F_GetFID(f);
        z->geom = geometry(r, f);
        zr->done_ha[GM_RESTORATION] = OGR_F_GetFieldAsDouble(f, idx[2]);
        zr->done_ha[GM_RECLAMATION] = OGR_F_GetFieldAsDouble(f, idx[3]);
        zr->mines = (size_t)OGR_F_GetFieldAsInteger(f, idx[4]);
        zr->large_medium_mines = (size_t)OGR_F_GetFieldAsInteger(f, idx[5]);
        zr->conflict_mines = (size_t)OGR_F_GetFieldAsInteger(f, idx[6]);
        zr->zone_ha = OGR_F_GetFieldAsDouble(f, idx[7]);
        if (!z->geom)
            rc = gm_error(r->ctx, GM_ERR_GEOMETRY,
                          "%s: layer zone_progress: feature %ld has no "
                          "geometry",
                          r->path, z->fid);
        in->n_zones++;
        res->n_zones++;
        OGR_F_Destroy(f);
    }
    return rc;
}

static int read_mines(reader *r)
{
    static const char *const names[] = {"mine_id",   "name",    "scale",
                                        "zone_name", "mine_ha", "redline_conflict_ha"};
    int idx[6], rc = GM_OK;
    OGRLayerH l = layer(r, "mine_conflicts", &rc);
    if (rc == GM_OK) rc = fields(r, l, names, 6, idx);
    if (rc != GM_OK) return rc;
    gm_inputs *in = r->run->in;
    gm_results *res = r->run->res;
    size_t n = (size_t)OGR_L_GetFeatureCount(l, 1);
    in->mines = calloc(n ? n : 1, sizeof *in->mines);
    res->mines = calloc(n ? n : 1, sizeof *res->mines);
    if (!in->mines || !res->mines) return gm_error(r->ctx, GM_ERR_NOMEM, "out of memory");
    OGRFeatureH f;
    OGR_L_ResetReading(l);
    while (in->n_mines < n && (f = OGR_L_GetNextFeature(l)) != NULL) {
        gm_mine *m = &in->mines[in->n_mines];
        gm_mine_result *mr = &res->mines[in->n_mines];
        m->mine_id = text(f, idx[0]);
        m->name = text(f, idx[1]);
        gm_parse_scale(OGR_F_GetFieldAsString(f, idx[2]), &m->scale);
        m->green = GM_FLAG_UNKNOWN; /* not in the GeoPackage */
        m->fid = (long)OGR_F_GetFID(f);
        m->geom = geometry(r, f);
        mr->zone = zone_index(in, OGR_F_GetFieldAsString(f, idx[3]));
        mr->mine_ha = OGR_F_GetFieldAsDouble(f, idx[4]);
        mr->conflict_ha = OGR_F_GetFieldAsDouble(f, idx[5]);
        res->mines_known_scale += m->scale != GM_SCALE_UNKNOWN;
        in->n_mines++;
        res->n_mines++;
        OGR_F_Destroy(f);
    }
    return rc;
}

static size_t mine_of(const gm_inputs *in, const char *id)
{
    for (size_t i = 0; id && i < in->n_mines; i++)
        if (in->mines[i].mine_id && strcmp(in->mines[i].mine_id, id) == 0) return i;
    return (size_t)-1;
}

/* conflict_areas: one overlap per row; the red lines are their ids. The
 * overlaps are grouped by mine, as gm_results keeps them. */
static int read_overlaps(reader *r)
{
    static const char *const names[] = {"mine_id", "redline_id", "area_ha"};
    int idx[3], rc = GM_OK;
    OGRLayerH l = layer(r, "conflict_areas", &rc);
    if (rc == GM_OK) rc = fields(r, l, names, 3, idx);
    if (rc != GM_OK) return rc;
    gm_inputs *in = r->run->in;
    gm_results *res = r->run->res;
    size_t n = (size_t)OGR_L_GetFeatureCount(l, 1);
    gm_overlap *raw = calloc(n ? n : 1, sizeof *raw);
    in->redlines = calloc(n ? n : 1, sizeof *in->redlines);
    res->overlaps = calloc(n ? n : 1, sizeof *res->overlaps);
    if (!raw || !in->redlines || !res->overlaps) {
        free(raw);
        return gm_error(r->ctx, GM_ERR_NOMEM, "out of memory");
    }
    size_t got = 0;
    OGRFeatureH f;
    OGR_L_ResetReading(l);
    while (got < n && (f = OGR_L_GetNextFeature(l)) != NULL) {
        size_t m = mine_of(in, OGR_F_GetFieldAsString(f, idx[0]));
        const char *rid = OGR_F_GetFieldAsString(f, idx[1]);
        if (m != (size_t)-1) {
            size_t k = 0;
            while (k < in->n_redlines && strcmp(in->redlines[k].redline_id, rid) != 0)
                k++;
            if (k == in->n_redlines) {
                in->redlines[k].redline_id = gm_strdup(rid);
                in->redlines[k].fid = -1;
                in->n_redlines++;
            }
            raw[got].mine = m;
            raw[got].redline = k;
            raw[got].area_ha = OGR_F_GetFieldAsDouble(f, idx[2]);
            got++;
        }
        OGR_F_Destroy(f);
    }
    for (size_t m = 0; m < in->n_mines; m++) {
        res->mines[m].first_overlap = res->n_overlaps;
        for (size_t k = 0; k < got; k++)
            if (raw[k].mine == m) res->overlaps[res->n_overlaps++] = raw[k];
        res->mines[m].n_overlaps = res->n_overlaps - res->mines[m].first_overlap;
    }
    free(raw);
    return GM_OK;
}

static int read_indicators(reader *r)
{
    static const char *const names[] = {"indicator", "value"};
    int idx[2] = {-1, -1}, rc = GM_OK;
    OGRLayerH l = layer(r, "province_indicators", &rc);
    if (rc == GM_OK) rc = fields(r, l, names, 2, idx);
    if (rc != GM_OK) return rc;
    gm_results *res = r->run->res;
    OGRFeatureH f;
    OGR_L_ResetReading(l);
    while ((f = OGR_L_GetNextFeature(l)) != NULL) {
        const char *k = OGR_F_GetFieldAsString(f, idx[0]);
        double v = OGR_F_GetFieldAsDouble(f, idx[1]);
        if (strcmp(k, "restoration_done_ha") == 0) res->done_ha[GM_RESTORATION] = v;
        if (strcmp(k, "reclamation_done_ha") == 0) res->done_ha[GM_RECLAMATION] = v;
        if (strcmp(k, "large_medium_share") == 0) res->large_medium_share = v;
        if (strcmp(k, "large_medium_mines") == 0) res->large_medium_mines = (size_t)v;
        if (strcmp(k, "conflict_mines") == 0) res->conflict_mines = (size_t)v;
        if (strcmp(k, "redline_conflict_ha") == 0) res->conflict_ha = v;
        if (strcmp(k, "completed_parcels_without_date") == 0)
            res->completed_without_date = (size_t)v;
        if (strcmp(k, "period_start") == 0) r->run->period_start = (int)v;
        if (strcmp(k, "as_of") == 0) r->run->as_of = (int)v;
        static const char *const green_rows[] = {"green_mines", "green_large", "green_medium",
                                                 "green_small"};
        for (int g = 0; g < 4; g++)
            if (strcmp(k, green_rows[g]) == 0) r->green[g] = (long)v;
        OGR_F_Destroy(f);
    }
    if (!r->run->as_of || !r->run->period_start)
        return gm_error(r->ctx, GM_ERR_FIELD,
                        "%s: layer province_indicators has no as_of or period_start row", r->path);
    return GM_OK;
}

/* The provenance JSON in gpkg_metadata, through SQLite's JSON functions. A
 * file without it gives a snapshot without sources. */
static int read_provenance(reader *r, gm_snapshot *s)
{
    static const char head[] =
        "SELECT json_extract(metadata, '$.run_started'), json_extract(metadata, "
        "'$.engine_version') FROM gpkg_metadata WHERE md_standard_uri = "
        "'urn:greenmine:provenance:1'";
    static const char inputs[] =
        "SELECT json_extract(i.value, '$.kind'), json_extract(i.value, '$.source'), "
        "json_extract(i.value, '$.crs'), json_extract(i.value, '$.features'), "
        "json_extract(i.value, '$.sha256') FROM gpkg_metadata m, json_each(m.metadata, "
        "'$.inputs') i WHERE m.md_standard_uri = 'urn:greenmine:provenance:1'";
    CPLPushErrorHandler(CPLQuietErrorHandler); /* no gpkg_metadata: no provenance */
    OGRLayerH l = GDALDatasetExecuteSQL(r->ds, head, NULL, NULL);
    CPLPopErrorHandler();
    if (!l) return GM_OK;
    OGRFeatureH f = OGR_L_GetNextFeature(l);
    if (f) {
        s->ingested_at = text(f, 0);
        s->greenmine_version = text(f, 1);
        OGR_F_Destroy(f);
    }
    GDALDatasetReleaseResultSet(r->ds, l);
    l = GDALDatasetExecuteSQL(r->ds, inputs, NULL, NULL);
    if (!l) return GM_OK;
    size_t cap = (size_t)OGR_L_GetFeatureCount(l, 1);
    s->sources = calloc(cap ? cap : 1, sizeof *s->sources);
    int rc = s->sources ? GM_OK : gm_error(r->ctx, GM_ERR_NOMEM, "out of memory");
    while (rc == GM_OK && s->n_sources < cap && (f = OGR_L_GetNextFeature(l)) != NULL) {
        gm_source_info *src = &s->sources[s->n_sources++];
        src->layer = text(f, 0);
        src->source = text(f, 1);
        src->crs = text(f, 2);
        src->features = (long)OGR_F_GetFieldAsInteger64(f, 3);
        src->sha256 = text(f, 4);
        /* the file's name, as the registry records it; none for a database */
        if (src->source && strncmp(src->source, "PG:", 3) != 0) {
            const char *slash = strrchr(src->source, '/');
            src->file_name = gm_strdup(slash ? slash + 1 : src->source);
        }
        OGR_F_Destroy(f);
    }
    GDALDatasetReleaseResultSet(r->ds, l);
    return rc;
}

static int zone_matches(const gm_zone *z, const char *want)
{
    return !want || (z->name && strcmp(z->name, want) == 0) ||
           (z->zone_id && strcmp(z->zone_id, want) == 0);
}

/* The one-snapshot series: the province's row (no zone asked), the zones'. */
static int make_series(reader *r, const char *zone)
{
    gm_analysis_run *run = r->run;
    const gm_inputs *in = run->in;
    const gm_results *res = run->res;
    gm_progress_series *p = calloc(1, sizeof *p);
    if (!p) return gm_error(r->ctx, GM_ERR_NOMEM, "out of memory");
    run->progress = p;
    p->period_start = run->period_start;
    p->rows = calloc(in->n_zones + 1, sizeof *p->rows);
    if (!p->rows) return gm_error(r->ctx, GM_ERR_NOMEM, "out of memory");
    if (!zone) {
        gm_progress_row *row = &p->rows[p->n++];
        row->snapshot_id = 1;
        row->as_of = run->as_of;
        gm_progress_row_fill(row, in, res, -1);
        row->green_mines = r->green[0], row->green_large = r->green[1];
        row->green_medium = r->green[2], row->green_small = r->green[3];
        gm_progress_row_project(p, p->n - 1);
    }
    for (size_t z = 0; z < in->n_zones; z++) {
        if (!zone_matches(&in->zones[z], zone)) continue;
        gm_progress_row *row = &p->rows[p->n++];
        row->snapshot_id = 1;
        row->as_of = run->as_of;
        if (gm_progress_row_fill(row, in, res, (int)z) != GM_OK)
            return gm_error(r->ctx, GM_ERR_NOMEM, "out of memory");
        gm_progress_row_project(p, p->n - 1);
    }
    if (zone && p->n == 0)
        return gm_error(r->ctx, GM_ERR_USAGE, "%s: no zone named '%s' in layer zone_progress",
                        r->path, zone);
    return GM_OK;
}

int gm_analysis_run_read(gm_context *ctx, const char *path, const char *zone, gm_analysis_run **out)
{
    static const char *const drivers[] = {"GPKG", NULL};
    *out = NULL;
    reader r = {.ctx = ctx, .path = path, .green = {-1, -1, -1, -1}};
    int rc = GM_OK;
    r.run = calloc(1, sizeof *r.run);
    if (!r.run) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    rc = gm_inputs_new(&r.run->in);
    if (rc == GM_OK && !(r.run->res = calloc(1, sizeof *r.run->res)))
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    if (rc != GM_OK) goto done;
    gm_gdal_register();
    r.ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, NULL, NULL);
    if (!r.ds) {
        rc = gm_error(ctx, GM_ERR_OPEN, "%s: cannot open as a GeoPackage", path);
        goto done;
    }
    rc = read_indicators(&r);
    if (rc == GM_OK) rc = read_zones(&r);
    if (rc == GM_OK) rc = read_mines(&r);
    if (rc == GM_OK) rc = read_overlaps(&r);
    if (rc == GM_OK) rc = make_series(&r, zone);
    if (rc != GM_OK) goto done;
    gm_snapshots *s = calloc(1, sizeof *s);
    if (s) s->items = calloc(1, sizeof *s->items);
    if (!s || !s->items) {
        free(s);
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        goto done;
    }
    r.run->snapshots = s;
    s->n = 1;
    s->items[0].id = 1;
    s->items[0].as_of = r.run->as_of;
    rc = read_provenance(&r, &s->items[0]);
done:
    if (r.ds) GDALClose(r.ds);
    if (rc != GM_OK) {
        gm_analysis_run_free(ctx, r.run);
        return rc;
    }
    *out = r.run;
    return GM_OK;
}

void gm_analysis_run_free(gm_context *ctx, gm_analysis_run *run)
{
    if (!run) return;
    gm_inputs_free(ctx, run->in);
    gm_results_free(ctx, run->res);
    gm_progress_series_free(run->progress);
    gm_snapshots_free(run->snapshots);
    free(run);
}
