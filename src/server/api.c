/*
 * api.c -- the JSON API of `greenmine serve`: /api/check (the check --json
 * object, computed by gm_check over only the features near the
 * applications, as the CLI reads them), /api/results/{id}, /api/health,
 * /api/zones and /api/layers/{kind}. Every value from the data or the request
 * leaves as JSON escaped by json-c or gm_check_json; uploads live in /vsimem/
 * under a name the server makes, and messages never show that path.
 */
#include "server/server_impl.h"

#include "core/context_impl.h"

#include <greenmine/mgmt_data.h>
#include <greenmine/publish.h>
#include <greenmine/registry.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <json-c/json.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static void reply_take(srv_reply *rp, int status, const char *mime, char *body)
{
    free(rp->body);
    rp->status = status;
    rp->mime = mime;
    rp->body = body;
    rp->len = body ? strlen(body) : 0;
}

static void reply_json(srv_reply *rp, int status, json_object *o)
{
    char *s = strdup(json_object_to_json_string_ext(o, JSON_FLAGS));
    json_object_put(o);
    if (!s) {
        rp->status = 500;
        return;
    }
    reply_take(rp, status, "application/json; charset=utf-8", s);
}

void srv_error(srv_reply *rp, int status, const char *msg, const char *field)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "error", json_object_new_string(msg));
    json_object_object_add(o, "field", field ? json_object_new_string(field) : NULL);
    reply_json(rp, status, o);
}

/* s with every occurrence of `what` removed (the server's /vsimem/ folder). */
static char *strip(const char *s, const char *what)
{
    char *out = strdup(s ? s : "");
    size_t k = strlen(what);
    char *p;
    while (out && k && (p = strstr(out, what)))
        memmove(p, p + k, strlen(p + k) + 1);
    return out;
}

static void random_id(char id[33])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) { /* never seen; still unique enough */
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        for (size_t i = 0; i < sizeof b; i++)
            b[i] = (unsigned char)((t.tv_nsec >> (i % 4 * 8)) ^ (t.tv_sec >> (i % 8)) ^ i * 37);
    }
    for (int i = 0; i < 16; i++)
        snprintf(id + 2 * i, 3, "%02x", b[i]);
}

static void utc_now(char out[32])
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    struct tm tm;
    gmtime_r(&t.tv_sec, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *basename_of(const char *path)
{
    const char *b = path ? strrchr(path, '/') : NULL;
    return b ? b + 1 : path;
}

/* ---- /api/health, /api/zones ------------------------------------------- */

static json_object *layer_info(const gm_inputs *in, gm_layer_kind k, size_t n)
{
    if (!in->source[k]) return NULL;
    json_object *o = json_object_new_object();
    /* the data's name, never the server's path to it */
    const char *src =
        strncmp(in->source[k], "PG:", 3) == 0 ? "PostGIS" : basename_of(in->source[k]);
    json_object_object_add(o, "source", json_object_new_string(src));
    json_object_object_add(o, "layer", in->layer[k] ? json_object_new_string(in->layer[k]) : NULL);
    json_object_object_add(o, "features", json_object_new_int64((int64_t)n));
    json_object_object_add(o, "sha256",
                           in->checksum[k] ? json_object_new_string(in->checksum[k]) : NULL);
    return o;
}

static json_object *data_info(const gm_server *srv, const srv_data *d)
{
    const gm_inputs *in = d->in;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "loaded_at", json_object_new_string(d->loaded_at));
    json_object *layers = json_object_new_object();
    json_object_object_add(layers, "redlines", layer_info(in, GM_LAYER_REDLINES, in->n_redlines));
    json_object_object_add(layers, "zones", layer_info(in, GM_LAYER_ZONES, in->n_zones));
    json_object_object_add(layers, "mines", layer_info(in, GM_LAYER_MINES, in->n_mines));
    json_object_object_add(o, "layers", layers);
    json_object *ext = json_object_new_array();
    for (int i = 0; i < 4; i++)
        json_object_array_add(ext, json_object_new_double(d->extent[i]));
    json_object_object_add(o, "extent", ext);
    (void)srv;
    return o;
}

/* The data's description a result records: made once per loaded set. */
static char *data_ref(gm_server *srv, srv_data *d)
{
    pthread_mutex_lock(&srv->mu);
    if (!d->data_ref) {
        json_object *di = data_info(srv, d);
        d->data_ref = strdup(json_object_to_json_string_ext(di, JSON_FLAGS));
        json_object_put(di);
    }
    char *ref = d->data_ref ? strdup(d->data_ref) : NULL;
    pthread_mutex_unlock(&srv->mu);
    return ref;
}

static void api_health(gm_server *srv, srv_data *d, srv_reply *rp)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "status", json_object_new_string("ok"));
    json_object_object_add(o, "version", json_object_new_string(gm_version()));
    json_object_object_add(o, "data", data_info(srv, d));
    json_object_object_add(o, "registry", json_object_new_boolean(srv->opt.db != NULL));
    json_object_object_add(o, "basemap",
                           srv->opt.basemap ? json_object_new_string(srv->opt.basemap) : NULL);
    json_object *lim = json_object_new_object();
    json_object_object_add(lim, "max_body_bytes",
                           json_object_new_int64((int64_t)srv->opt.max_body));
    json_object_object_add(lim, "max_vertices",
                           json_object_new_int64((int64_t)srv->opt.max_vertices));
    json_object_object_add(lim, "max_applications",
                           json_object_new_int64((int64_t)srv->opt.max_applications));
    json_object_object_add(lim, "max_seconds", json_object_new_double(srv->opt.max_seconds));
    json_object_object_add(o, "limits", lim);
    reply_json(rp, 200, o);
}

static void api_zones(GEOSContextHandle_t h, srv_data *d, srv_reply *rp)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < d->in->n_zones; i++) {
        const gm_zone *z = &d->in->zones[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "zone_id",
                               z->zone_id ? json_object_new_string(z->zone_id) : NULL);
        json_object_object_add(o, "name", z->name ? json_object_new_string(z->name) : NULL);
        json_object_object_add(o, "target_restoration_ha", json_object_new_double(z->target_ha[0]));
        json_object_object_add(o, "target_reclamation_ha", json_object_new_double(z->target_ha[1]));
        double b[4];
        GEOSGeom_getXMin_r(h, z->geom, &b[0]), GEOSGeom_getYMin_r(h, z->geom, &b[1]);
        GEOSGeom_getXMax_r(h, z->geom, &b[2]), GEOSGeom_getYMax_r(h, z->geom, &b[3]);
        json_object *bb = json_object_new_array();
        for (int k = 0; k < 4; k++)
            json_object_array_add(bb, json_object_new_double(b[k]));
        json_object_object_add(o, "bbox", bb);
        json_object_array_add(arr, o);
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "zones", arr);
    reply_json(rp, 200, o);
}

/* ---- /api/layers/{kind} -------------------------------------------------- */

#define LAYER_MAX_FEATURES 5000
#define LAYER_MAX_VERTICES 400000

static int parse_bbox(const char *s, double b[4])
{
    char *end;
    for (int i = 0; i < 4; i++) {
        b[i] = strtod(s, &end);
        if (end == s || !isfinite(b[i])) return GM_ERR_USAGE;
        s = end;
        if (i < 3) {
            if (*s != ',') return GM_ERR_USAGE;
            s++;
        }
    }
    if (*s || b[0] >= b[2] || b[1] >= b[3] || b[1] < -90 || b[3] > 90) return GM_ERR_USAGE;
    return GM_OK;
}

static json_object *feature_props(const srv_data *d, int kind, size_t i)
{
    json_object *p = json_object_new_object();
#define STR(k, v) json_object_object_add(p, k, (v) ? json_object_new_string(v) : NULL)
    if (kind == SRV_REDLINES) {
        const gm_redline *r = &d->in->redlines[i];
        STR("redline_id", r->redline_id);
        STR("name", r->name);
        STR("category", r->category);
    } else if (kind == SRV_ZONES) {
        const gm_zone *z = &d->in->zones[i];
        STR("zone_id", z->zone_id);
        STR("name", z->name);
    } else {
        const gm_mine *m = &d->in->mines[i];
        STR("mine_id", m->mine_id);
        STR("name", m->name);
        STR("mineral", m->mineral);
    }
#undef STR
    return p;
}

/* A GeoJSON layer being written: the view's box (plus 5 %), the
 * simplification tolerance, and the bounds on its size. */
typedef struct layer_out {
    GEOSContextHandle_t h;
    GEOSGeoJSONWriter *w;
    FILE *f;
    char *buf;
    size_t len;
    double box[4], tol;
    size_t features, vertices;
    int truncated;
} layer_out;

/* Reads bbox and zoom (the box defaults to `extent`); GM_OK, or GM_ERR_USAGE with rp set. */
static int layer_begin(GEOSContextHandle_t h, const srv_request *rq, const double extent[4],
                       layer_out *L, srv_reply *rp)
{
    double b[4];
    memcpy(b, extent, sizeof b);
    if (rq->query_bbox && parse_bbox(rq->query_bbox, b) != GM_OK) {
        srv_error(rp, 400, "bbox: expected lon_min,lat_min,lon_max,lat_max in degrees", "bbox");
        return GM_ERR_USAGE;
    }
    int zoom = -1;
    if (rq->query_zoom) {
        char *end;
        long z = strtol(rq->query_zoom, &end, 10);
        if (*end || z < 0 || z > 24) {
            srv_error(rp, 400, "zoom: expected 0..24", "zoom");
            return GM_ERR_USAGE;
        }
        zoom = (int)z;
    }
    /* Half a screen pixel at this zoom (256-px tiles): invisible, and it
     * bounds what a view costs whatever the data's detail. Without a zoom:
     * a 1024-px wide view of the box. */
    double deg_px = zoom >= 0 ? 360.0 / (256.0 * ldexp(1.0, zoom)) : (b[2] - b[0]) / 1024.0;
    double mx = (b[2] - b[0]) * 0.05, my = (b[3] - b[1]) * 0.05;
    *L = (layer_out){.h = h, .tol = deg_px / 2};
    L->box[0] = b[0] - mx, L->box[1] = b[1] - my, L->box[2] = b[2] + mx, L->box[3] = b[3] + my;
    L->f = open_memstream(&L->buf, &L->len);
    L->w = L->f ? GEOSGeoJSONWriter_create_r(h) : NULL;
    if (!L->w) {
        if (L->f) fclose(L->f);
        free(L->buf);
        srv_error(rp, 500, "out of memory", NULL);
        return GM_ERR_USAGE;
    }
    fputs("{\"type\": \"FeatureCollection\", \"features\": [", L->f);
    return GM_OK;
}

/* Adds one feature, clipped and simplified; 1 once the layer is full. */
static int layer_add(layer_out *L, const GEOSGeometry *g, json_object *props)
{
    GEOSContextHandle_t h = L->h;
    GEOSGeometry *clip = GEOSClipByRect_r(h, g, L->box[0], L->box[1], L->box[2], L->box[3]);
    GEOSGeometry *s = clip ? GEOSTopologyPreserveSimplify_r(h, clip, L->tol) : NULL;
    if (clip) GEOSGeom_destroy_r(h, clip);
    if (!s || GEOSisEmpty_r(h, s)) {
        if (s) GEOSGeom_destroy_r(h, s);
        json_object_put(props);
        return 0;
    }
    int nv = GEOSGetNumCoordinates_r(h, s);
    if (L->features >= LAYER_MAX_FEATURES || L->vertices + (size_t)nv > LAYER_MAX_VERTICES) {
        L->truncated = 1;
        GEOSGeom_destroy_r(h, s);
        json_object_put(props);
        return 1;
    }
    char *gj = GEOSGeoJSONWriter_writeGeometry_r(h, L->w, s, -1);
    GEOSGeom_destroy_r(h, s);
    if (gj) {
        fprintf(L->f, "%s\n{\"type\": \"Feature\", \"geometry\": %s, \"properties\": %s}",
                L->features ? "," : "", gj, json_object_to_json_string_ext(props, JSON_FLAGS));
        GEOSFree_r(h, gj);
        L->features++;
        L->vertices += (size_t)nv;
    }
    json_object_put(props);
    return 0;
}

static void layer_end(layer_out *L, srv_reply *rp)
{
    fprintf(L->f, "\n], \"truncated\": %s, \"tolerance_deg\": %.3g}\n",
            L->truncated ? "true" : "false", L->tol);
    fclose(L->f);
    GEOSGeoJSONWriter_destroy_r(L->h, L->w);
    reply_take(rp, 200, "application/geo+json; charset=utf-8", L->buf);
}

static void api_layer(GEOSContextHandle_t h, srv_data *d, const srv_request *rq, int kind,
                      srv_reply *rp)
{
    layer_out L;
    if (layer_begin(h, rq, d->extent, &L, rp) != GM_OK) return;
    GEOSGeometry *box = GEOSGeom_createRectangle_r(h, L.box[0], L.box[1], L.box[2], L.box[3]);
    gm_hits hits = {0};
    if (!box || !d->index[kind] || gm_index_query(d->index[kind], h, box, &hits) != 0) hits.n = 0;
    for (size_t k = 0; k < hits.n; k++) {
        size_t i = hits.items[k];
        const GEOSGeometry *g = d->geoms[kind][i];
        if (g && layer_add(&L, g, feature_props(d, kind, i))) break;
    }
    gm_hits_free(&hits);
    if (box) GEOSGeom_destroy_r(h, box);
    layer_end(&L, rp);
}

/* ---- /api/layers/parcels: from the registry ------------------------------ */

typedef struct parcels_job {
    layer_out *L;
    GEOSWKBReader *r;
} parcels_job;

static int parcel_feature(void *user, const gm_parcel_row *row)
{
    parcels_job *job = user;
    GEOSContextHandle_t h = job->L->h;
    GEOSGeometry *g = GEOSWKBReader_read_r(h, job->r, row->wkb, row->wkb_len);
    if (!g) return 0;
    json_object *p = json_object_new_object();
#define STR(k, v) json_object_object_add(p, k, (v) ? json_object_new_string(v) : NULL)
    STR("parcel_id", row->parcel_id);
    STR("kind", row->kind);
    STR("status", row->status);
    STR("completed_on", row->completed_on);
#undef STR
    /* the year the map colours by: counted in that year's progress */
    int year = row->completed_on && strlen(row->completed_on) >= 4 ? atoi(row->completed_on) : 0;
    json_object_object_add(p, "completed_year", year > 0 ? json_object_new_int(year) : NULL);
    json_object_object_add(p, "area_ha", json_object_new_double(row->area_ha));
    int full = layer_add(job->L, g, p);
    GEOSGeom_destroy_r(h, g);
    return full;
}

/* The latest snapshot's parcels in the view, read from the registry at each
 * request (the server keeps no state of its own). */
static void api_parcels(gm_server *srv, gm_context *ctx, srv_data *d, const srv_request *rq,
                        srv_reply *rp)
{
    if (!srv->opt.db) {
        srv_error(rp, 404, "no registry: start greenmine serve with --db", NULL);
        return;
    }
    layer_out L;
    if (layer_begin(ctx->geos, rq, d->extent, &L, rp) != GM_OK) return;
    gm_registry *reg = NULL;
    parcels_job job = {&L, GEOSWKBReader_create_r(ctx->geos)};
    int rc = job.r ? gm_registry_open(ctx, srv->opt.db, 0, &reg) : GM_ERR_NOMEM;
    if (rc == GM_OK) rc = gm_registry_parcels_in(reg, L.box, parcel_feature, &job);
    gm_registry_close(reg);
    if (job.r) GEOSWKBReader_destroy_r(ctx->geos, job.r);
    layer_end(&L, rp);
    if (rc != GM_OK) {
        srv_error(rp, 503, "the registry cannot be read now", NULL);
        gm_log(ctx, GM_LOG_WARNING, "registry: %s", gm_context_errmsg(ctx));
    }
}

/* ---- POST /api/check ------------------------------------------------------ */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* The upload's name as the server will use it: the last path component,
 * printable, no leading dot; "" when nothing is left. */
static void safe_name(const char *given, char out[128])
{
    const char *b = given;
    for (const char *p = given; *p; p++)
        if (*p == '/' || *p == '\\') b = p + 1;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)b; *p && n < 120; p++)
        if (*p >= 0x20 && *p != 0x7f && *p != ':' && !(n == 0 && *p == '.')) out[n++] = (char)*p;
    out[n] = '\0';
}

/* What the CLI would accept as --crs from a client: an authority code only
 * (OGR would read a file named there). */
static int crs_ok(const char *s)
{
    if (strncasecmp(s, "EPSG:", 5) != 0 && strncasecmp(s, "ESRI:", 5) != 0) return 0;
    size_t n = strlen(s + 5);
    if (n < 1 || n > 7) return 0;
    for (const char *p = s + 5; *p; p++)
        if (!isdigit((unsigned char)*p)) return 0;
    return 1;
}

typedef struct check_input {
    char dir[96];  /* /vsimem/greenmine/ID/ */
    char arg[400]; /* what gm_applications_add reads */
    char *text;    /* pasted text passed directly (WKT/GeoJSON geometry), or NULL */
    const char *field;
} check_input;

/* Puts data into the request's /vsimem/ folder under name; returns the path. */
static int put_file(check_input *ci, const char *name, const char *data, size_t len, char *path,
                    size_t cap)
{
    snprintf(path, cap, "%s%s", ci->dir, name);
    GByte *copy = CPLMalloc(len ? len : 1);
    if (len) memcpy(copy, data, len);
    VSILFILE *f = VSIFileFromMemBuffer(path, copy, len, TRUE);
    if (!f) {
        CPLFree(copy);
        return GM_ERR_NOMEM;
    }
    VSIFCloseL(f);
    return GM_OK;
}

/* A readable zip holding a .shp, .gpkg, .geojson or .kml somewhere. */
static int zip_has_layer(const char *vsizip)
{
    char **list = VSIReadDirRecursive(vsizip);
    int found = 0;
    for (char **p = list; p && *p && !found; p++)
        found = ends_with(*p, ".shp") || ends_with(*p, ".gpkg") || ends_with(*p, ".geojson") ||
                ends_with(*p, ".kml");
    CSLDestroy(list);
    return found;
}

/* Decides how the request's application is read; sets rp on bad input. */
static int prepare_input(const srv_request *rq, check_input *ci, srv_reply *rp)
{
    const char *fname = rq->file_name ? rq->file_name : rq->query_filename;
    const char *data = rq->file_name ? rq->file_data : (rq->form_text ? rq->form_text : rq->body);
    size_t len =
        rq->file_name ? rq->file_len : (rq->form_text ? strlen(rq->form_text) : rq->body_len);
    char path[300];
    ci->field = fname ? "file" : "text";
    if (!data || !len) {
        srv_error(rp, 400, "no application: send corner points, WKT, GeoJSON or a file", ci->field);
        return GM_ERR_USAGE;
    }
    if (fname) {
        char name[128];
        safe_name(fname, name);
        if (!name[0]) {
            srv_error(rp, 400, "the file has no usable name", "file");
            return GM_ERR_USAGE;
        }
        int corners = ends_with(name, ".txt") || ends_with(name, ".csv") || ends_with(name, ".dat");
        int zip = ends_with(name, ".zip");
        int dataset = ends_with(name, ".gpkg") || ends_with(name, ".geojson") ||
                      ends_with(name, ".json") || ends_with(name, ".kml");
        if (!corners && !zip && !dataset) {
            srv_error(rp, 422,
                      "unsupported file type: send a corner-point .txt/.csv/.dat, a zipped "
                      "shapefile (.zip), a GeoPackage, GeoJSON or KML",
                      "file");
            return GM_ERR_USAGE;
        }
        if (put_file(ci, name, data, len, path, sizeof path) != GM_OK) {
            srv_error(rp, 500, "cannot hold the upload", "file");
            return GM_ERR_USAGE;
        }
        snprintf(ci->arg, sizeof ci->arg, "%s%s",
                 corners ? "corners:"
                 : zip   ? "/vsizip/"
                         : "",
                 path);
        if (zip && !zip_has_layer(ci->arg)) {
            char msg[300];
            snprintf(msg, sizeof msg, "%s: not a zip archive holding a shapefile or GeoPackage",
                     name);
            srv_error(rp, 422, msg, "file");
            return GM_ERR_USAGE;
        }
        return GM_OK;
    }
    /* Pasted text: WKT or a GeoJSON geometry as the CLI takes them; a
     * GeoJSON Feature(Collection) as a dataset; anything else is corner points. */
    if (memchr(data, '\0', len)) {
        srv_error(rp, 422, "the text holds a NUL byte", "text");
        return GM_ERR_USAGE;
    }
    const char *p = data;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (*p == '{' && strstr(p, "\"Feature")) {
        if (put_file(ci, "pasted.geojson", data, len, path, sizeof path) != GM_OK) goto hold;
        snprintf(ci->arg, sizeof ci->arg, "%s", path);
    } else if (*p == '{' || strncasecmp(p, "POLYGON", 7) == 0 ||
               strncasecmp(p, "MULTIPOLYGON", 12) == 0) {
        ci->text = strndup(p, len - (size_t)(p - data));
        if (!ci->text) goto hold;
    } else {
        char name[128] = "pasted.txt";
        if (rq->query_filename) safe_name(rq->query_filename, name);
        if (put_file(ci, name[0] ? name : "pasted.txt", data, len, path, sizeof path) != GM_OK)
            goto hold;
        snprintf(ci->arg, sizeof ci->arg, "corners:%s", path);
    }
    return GM_OK;
hold:
    srv_error(rp, 500, "cannot hold the request", "text");
    return GM_ERR_NOMEM;
}

/* The features of `kind` whose envelope meets box, in layer order: what the
 * CLI's spatial filter reads. */
static int subset(GEOSContextHandle_t h, const srv_data *d, int kind, const GEOSGeometry *box,
                  gm_hits *hits)
{
    hits->n = 0;
    if (!d->index[kind]) return 0;
    return gm_index_query(d->index[kind], h, box, hits);
}

/* The features a result's map draws, taken from the check (which then no
 * longer owns them): rendering GeoJSON waits for the first GET. */
typedef struct result_parts {
    GEOSGeometry **geoms;
    char **props;
    size_t n, cap;
} result_parts;

/* Takes *geom with its properties. A buffer is taken as NULL (lazy): drawn
 * from the application before it when rendered. */
static int part_add(result_parts *p, GEOSGeometry **geom, json_object *props, int lazy)
{
    int ok = 1;
    if ((lazy || *geom) && p->n == p->cap) {
        size_t c = p->cap ? p->cap * 2 : 8;
        GEOSGeometry **g = realloc(p->geoms, c * sizeof *g);
        if (g) p->geoms = g;
        char **s = g ? realloc(p->props, c * sizeof *s) : NULL;
        if (s) p->props = s, p->cap = c;
        ok = g && s;
    }
    if (ok && (lazy || *geom)) {
        char *s = strdup(json_object_to_json_string_ext(props, JSON_FLAGS));
        if (s) {
            p->geoms[p->n] = lazy ? NULL : *geom;
            p->props[p->n++] = s;
            if (!lazy) *geom = NULL;
        }
        ok = s != NULL;
    }
    json_object_put(props);
    return ok ? 0 : -1;
}

static void parts_free(GEOSContextHandle_t h, GEOSGeometry **geoms, char **props, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (geoms[i]) GEOSGeom_destroy_r(h, geoms[i]);
        free(props[i]);
    }
    free(geoms);
    free(props);
}

static int result_take(const gm_inputs *view, gm_applications *apps, gm_check_results *res,
                       double buffer_m, result_parts *p)
{
    int rc = 0;
    for (size_t i = 0; i < apps->n; i++) {
        gm_check_result *r = &res->items[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "kind", json_object_new_string("application"));
        json_object_object_add(o, "id",
                               json_object_new_string(apps->items[i].id ? apps->items[i].id : ""));
        json_object_object_add(o, "verdict", json_object_new_string(gm_verdict_name(r->verdict)));
        if (!apps->items[i].geom) continue;
        rc |= part_add(p, &apps->items[i].geom, o, 0);
        if (buffer_m > 0) {
            o = json_object_new_object();
            json_object_object_add(o, "kind", json_object_new_string("buffer"));
            json_object_object_add(o, "application", json_object_new_int64((int64_t)i));
            rc |= part_add(p, &r->buffer, o, 1);
        }
        for (size_t k = 0; k < r->n_redlines; k++) {
            o = json_object_new_object();
            json_object_object_add(o, "kind", json_object_new_string("redline_overlap"));
            json_object_object_add(o, "application", json_object_new_int64((int64_t)i));
            const char *rid = view->redlines[r->redlines[k].index].redline_id;
            json_object_object_add(o, "redline_id", rid ? json_object_new_string(rid) : NULL);
            json_object_object_add(o, "overlap_ha",
                                   json_object_new_double(r->redlines[k].overlap_ha));
            rc |= part_add(p, &r->redlines[k].geom, o, 0);
        }
        for (size_t k = 0; k < r->n_mines; k++) {
            o = json_object_new_object();
            json_object_object_add(o, "kind", json_object_new_string("mine_overlap"));
            json_object_object_add(o, "application", json_object_new_int64((int64_t)i));
            const char *mid = view->mines[r->mines[k].index].mine_id;
            json_object_object_add(o, "mine_id", mid ? json_object_new_string(mid) : NULL);
            json_object_object_add(o, "overlap_ha", json_object_new_double(r->mines[k].overlap_ha));
            rc |= part_add(p, &r->mines[k].geom, o, 0);
        }
    }
    return rc;
}

/* The FeatureCollection of a result's features; a buffer (NULL) is made
 * from the application before it, as gm_check makes it. */
static char *render_geojson(gm_context *ctx, GEOSGeometry *const *geoms, char *const *props,
                            size_t n, double buffer_m)
{
    GEOSContextHandle_t h = ctx->geos;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    GEOSGeoJSONWriter *w = GEOSGeoJSONWriter_create_r(h);
    const GEOSGeometry *app = NULL;
    int first = 1;
    fputs("{\"type\": \"FeatureCollection\", \"features\": [", f);
    for (size_t i = 0; w && i < n; i++) {
        GEOSGeometry *made = NULL;
        const GEOSGeometry *g = geoms[i];
        if (!g && app && gm_check_buffer(ctx, app, buffer_m, &made) == GM_OK) g = made;
        char *gj = g ? GEOSGeoJSONWriter_writeGeometry_r(h, w, g, -1) : NULL;
        if (geoms[i] && strstr(props[i], "\"kind\":\"application\"")) app = geoms[i];
        if (made) GEOSGeom_destroy_r(h, made);
        if (!gj) continue;
        fprintf(f, "%s\n{\"type\": \"Feature\", \"geometry\": %s, \"properties\": %s}",
                first ? "" : ",", gj, props[i]);
        first = 0;
        GEOSFree_r(h, gj);
    }
    fputs("\n]}", f);
    fclose(f);
    if (w) GEOSGeoJSONWriter_destroy_r(h, w);
    return buf;
}

static void result_clear(GEOSContextHandle_t h, srv_result *r)
{
    free(r->json), free(r->geojson), free(r->data_ref);
    parts_free(h, r->geoms, r->props, r->n_geoms);
    memset(r, 0, sizeof *r);
}

void srv_results_free(gm_server *srv)
{
    GEOSContextHandle_t h = GEOS_init_r();
    for (size_t i = 0; srv->results && i < srv->opt.max_results; i++)
        result_clear(h, &srv->results[i]);
    GEOS_finish_r(h);
    free(srv->results);
    srv->results = NULL;
}

/* Keeps a result (taking json, the parts, ref), dropping the oldest when full. */
static void result_keep(gm_server *srv, GEOSContextHandle_t h, const char id[33],
                        const char *checked_at, char *json, result_parts *parts, double buffer_m,
                        char *ref)
{
    pthread_mutex_lock(&srv->mu);
    srv_result *r = &srv->results[srv->next_result];
    result_clear(h, r);
    memcpy(r->id, id, 33);
    r->json = json, r->data_ref = ref;
    r->geoms = parts->geoms, r->props = parts->props, r->n_geoms = parts->n;
    r->buffer_m = buffer_m;
    *parts = (result_parts){0};
    snprintf(r->checked_at, sizeof r->checked_at, "%s", checked_at);
    srv->next_result = (srv->next_result + 1) % srv->opt.max_results;
    if (srv->n_results < srv->opt.max_results) srv->n_results++;
    pthread_mutex_unlock(&srv->mu);
}

static char *result_body(const char *id, const char *checked_at, const char *data_ref,
                         const char *json, const char *geojson)
{
    char *body = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&body, &len);
    if (!f) return NULL;
    fprintf(f,
            "{\"id\": \"%s\", \"checked_at\": \"%s\", \"data\": %s,\n\"check\": %s,\n"
            "\"geometry\": %s}\n",
            id, checked_at, data_ref, json, geojson);
    fclose(f);
    return body;
}

/* A result id as the server makes them: 32 hex digits. */
static int id_ok(const char *id)
{
    size_t n = 0;
    for (; id[n]; n++)
        if (!isxdigit((unsigned char)id[n]) || isupper((unsigned char)id[n])) return 0;
    return n == 32;
}

static void api_result(gm_server *srv, gm_context *ctx, const char *id, srv_reply *rp)
{
    GEOSContextHandle_t h = ctx->geos;
    char *body = NULL;
    int found = 0;
    if (!id_ok(id)) {
        srv_error(rp, 404, "no such result", "id");
        return;
    }
    pthread_mutex_lock(&srv->mu);
    for (size_t i = 0; i < srv->n_results; i++) {
        srv_result *r = &srv->results[i];
        if (strcmp(r->id, id) != 0) continue;
        found = 1;
        if (!r->geojson) {
            r->geojson = render_geojson(ctx, r->geoms, r->props, r->n_geoms, r->buffer_m);
            if (!r->geojson) break;
            parts_free(h, r->geoms, r->props, r->n_geoms);
            r->geoms = NULL, r->props = NULL, r->n_geoms = 0;
        }
        body = result_body(r->id, r->checked_at, r->data_ref, r->json, r->geojson);
        break;
    }
    pthread_mutex_unlock(&srv->mu);
    if (!found && srv->opt.db) { /* kept by this or another server, before or now */
        gm_registry *reg = NULL;
        char *at = NULL, *ref = NULL, *json = NULL, *geo = NULL;
        int rc = gm_registry_open(ctx, srv->opt.db, 0, &reg);
        if (rc == GM_OK) rc = gm_registry_result_get(reg, id, &at, &ref, &json, &geo);
        gm_registry_close(reg);
        if (rc != GM_OK) {
            srv_error(rp, 503, "the registry cannot be read now", NULL);
            gm_log(ctx, GM_LOG_WARNING, "registry: %s", gm_context_errmsg(ctx));
            return;
        }
        if (at) body = result_body(id, at, ref, json, geo);
        free(at), free(ref), free(json), free(geo);
    }
    if (body)
        reply_take(rp, 200, "application/json; charset=utf-8", body);
    else
        srv_error(rp, 404,
                  srv->opt.db ? "no such result"
                              : "no such result (without --db, results are kept while the server "
                                "runs)",
                  "id");
}

static int parse_buffer(const char *s, double *out)
{
    char *end;
    double b = strtod(s, &end);
    if (end == s || *end || !(b >= 0) || !isfinite(b) || b > 1e5) return GM_ERR_USAGE;
    *out = b;
    return GM_OK;
}

static void api_check(gm_server *srv, gm_context *ctx, srv_data *d, const srv_request *rq,
                      srv_reply *rp)
{
    GEOSContextHandle_t h = ctx->geos;
    const char *bs = rq->form_buffer ? rq->form_buffer : rq->query_buffer;
    const char *crs = rq->form_crs ? rq->form_crs : rq->query_crs;
    double buffer = 0;
    char msg[1200];
    if (bs && *bs && parse_buffer(bs, &buffer) != GM_OK) {
        snprintf(msg, sizeof msg, "buffer %.40s: expected metres, 0..100000", bs);
        srv_error(rp, 400, msg, "buffer");
        return;
    }
    if (crs && *crs && !crs_ok(crs)) {
        srv_error(rp, 400, "crs: expected an authority code such as EPSG:4546", "crs");
        return;
    }
    check_input ci = {0};
    char id[33];
    random_id(id);
    snprintf(ci.dir, sizeof ci.dir, "/vsimem/greenmine/%s/", id);
    gm_applications *apps = NULL;
    gm_check_results *res = NULL;
    gm_hits hits[3] = {{0}};
    gm_redline *rl = NULL;
    gm_zone *zn = NULL;
    gm_mine *mn = NULL;
    GEOSGeometry *box = NULL;
    char *json = NULL;
    if (prepare_input(rq, &ci, rp) != GM_OK) goto done;
    gm_application_options ao = {.crs = crs && *crs ? crs : NULL};
    gm_load_options lo = {.lenient = 1};
    ao.load = &lo;
    srv_deadline_arm(srv->opt.max_seconds);
    int rc = gm_applications_new(&apps);
    if (rc == GM_OK) rc = gm_applications_add(ctx, apps, ci.text ? ci.text : ci.arg, &ao);
    if (rc != GM_OK && srv_deadline_expired()) goto too_long;
    if (rc == GM_OK && apps->n == 0) rc = gm_error(ctx, GM_ERR_GEOMETRY, "no polygon found");
    if (rc != GM_OK) {
        char zip[120];
        snprintf(zip, sizeof zip, "/vsizip/%s", ci.dir);
        char *m1 = strip(gm_context_errmsg(ctx), zip);
        char *m2 = m1 ? strip(m1, ci.dir) : NULL;
        srv_error(rp, GM_IS_INPUT_ERROR(rc) ? 422 : 500, m2 ? m2 : "bad input", ci.field);
        free(m1), free(m2);
        goto done;
    }
    if (apps->n > srv->opt.max_applications) {
        snprintf(msg, sizeof msg, "%zu applications in one request; the limit is %zu", apps->n,
                 srv->opt.max_applications);
        srv_error(rp, 413, msg, ci.field);
        goto done;
    }
    for (size_t i = 0; i < apps->n; i++) {
        int nv = GEOSGetNumCoordinates_r(h, apps->items[i].geom);
        if (nv < 0 || (size_t)nv > srv->opt.max_vertices) {
            snprintf(msg, sizeof msg, "application %.100s has %d vertices; the limit is %zu",
                     apps->items[i].id ? apps->items[i].id : "?", nv, srv->opt.max_vertices);
            srv_error(rp, 413, msg, ci.field);
            goto done;
        }
        /* origins name the upload as the client sent it, never our folder */
        char zip[120];
        snprintf(zip, sizeof zip, "/vsizip/%s", ci.dir);
        char *o1 = strip(apps->items[i].origin, zip);
        char *o2 = o1 ? strip(o1, ci.dir) : NULL;
        free(o1);
        if (o2) {
            free(apps->items[i].origin);
            apps->items[i].origin = o2;
        }
    }
    /* Only what the CLI would read: the features near the applications. */
    double radius = fmax(buffer, GM_CHECK_NEAREST_RADIUS_M), bb[4];
    if ((rc = gm_applications_bbox(ctx, apps, radius + 100.0, bb)) != GM_OK ||
        !(box = GEOSGeom_createRectangle_r(h, bb[0], bb[1], bb[2], bb[3]))) {
        srv_error(rp, 500, "cannot place the application", ci.field);
        goto done;
    }
    for (int k = 0; k < 3; k++)
        if (subset(h, d, k, box, &hits[k]) != 0) {
            srv_error(rp, 500, "out of memory", NULL);
            goto done;
        }
    rl = calloc(hits[0].n + 1, sizeof *rl);
    zn = calloc(hits[1].n + 1, sizeof *zn);
    mn = calloc(hits[2].n + 1, sizeof *mn);
    if (!rl || !zn || !mn) {
        srv_error(rp, 500, "out of memory", NULL);
        goto done;
    }
    gm_inputs view = {.redlines = rl, .zones = zn, .mines = mn};
    for (size_t k = 0; k < hits[0].n; k++)
        rl[view.n_redlines++] = d->in->redlines[hits[0].items[k]];
    for (size_t k = 0; k < hits[1].n; k++)
        zn[view.n_zones++] = d->in->zones[hits[1].items[k]];
    for (size_t k = 0; k < hits[2].n; k++)
        if (d->in->mines[hits[2].items[k]].geom)
            mn[view.n_mines++] = d->in->mines[hits[2].items[k]];
    /* the red lines and zones prepared by earlier checks on this thread */
    gm_check_options co = {
        .buffer_m = buffer, .store = srv_store_take(srv, d), .no_buffer_geoms = 1};
    rc = gm_check(ctx, &view, apps, &co, &res);
    /* GEOS's interruption is process-wide: a check stopped for another
     * request's deadline (deadline.c) runs again */
    for (int again = 0; rc != GM_OK && !srv_deadline_expired() && again < 3 &&
                        strstr(gm_context_errmsg(ctx), "nterrupt");
         again++)
        rc = gm_check(ctx, &view, apps, &co, &res);
    srv_store_give(srv, d, co.store);
    if (rc != GM_OK && srv_deadline_expired()) goto too_long;
    if (rc != GM_OK ||
        (rc = gm_check_json(ctx, &view, apps, res, srv->opt.redlines, &json)) != GM_OK) {
        srv_error(rp, GM_IS_INPUT_ERROR(rc) ? 422 : 500, gm_context_errmsg(ctx), NULL);
        goto done;
    }
    result_parts parts = {0};
    char *ref = data_ref(srv, d);
    char *copy = strdup(json);
    char now[32];
    utc_now(now);
    int kept = result_take(&view, apps, res, buffer, &parts) == 0 && ref && copy;
    if (kept && srv->opt.db) { /* in the registry too: the URL outlives the process */
        char *geo = render_geojson(ctx, parts.geoms, parts.props, parts.n, buffer);
        gm_registry *reg = NULL;
        if (!geo || (rc = gm_registry_open(ctx, srv->opt.db, 0, &reg)) != GM_OK ||
            (rc = gm_registry_result_put(reg, id, now, ref, json, geo)) != GM_OK) {
            kept = 0;
            gm_log(ctx, GM_LOG_WARNING, "registry: cannot keep result %s: %s", id,
                   gm_context_errmsg(ctx));
        }
        gm_registry_close(reg);
        free(geo);
    }
    if (kept) {
        result_keep(srv, h, id, now, copy, &parts, buffer, ref);
        snprintf(rp->location, sizeof rp->location, "/api/results/%s", id);
    } else {
        free(ref), free(copy);
    }
    parts_free(h, parts.geoms, parts.props, parts.n);
    reply_take(rp, 200, "application/json; charset=utf-8", json);
    json = NULL;
    goto done;
too_long:
    snprintf(msg, sizeof msg,
             "the check took longer than the limit of %g s and was stopped; send fewer or "
             "simpler applications",
             srv->opt.max_seconds);
    srv_error(rp, 503, msg, NULL);
done:
    srv_deadline_arm(0);
    free(json);
    free(rl), free(zn), free(mn);
    for (int k = 0; k < 3; k++)
        gm_hits_free(&hits[k]);
    if (box) GEOSGeom_destroy_r(h, box);
    gm_check_results_free(ctx, res);
    gm_applications_free(ctx, apps);
    free(ci.text);
    char dir[96];
    snprintf(dir, sizeof dir, "/vsimem/greenmine/%s", id);
    VSIRmdirRecursive(dir);
}

/* ---- /api/progress ------------------------------------------------------------ */

/* Read from the registry at each request: the server keeps no progress of its
 * own, so any number of servers on one PostGIS answer the same, and a new
 * snapshot shows at once. */
static void api_progress(gm_server *srv, gm_context *ctx, const srv_request *rq, int csv,
                         srv_reply *rp)
{
    if (!srv->opt.db) {
        srv_error(rp, 404, "no registry: start greenmine serve with --db", NULL);
        return;
    }
    gm_registry *reg = NULL;
    gm_progress_series *p = NULL;
    gm_progress_options po = GM_PROGRESS_OPTIONS_INIT;
    po.zone = rq->query_zone && *rq->query_zone ? rq->query_zone : NULL;
    char *text = NULL;
    int rc = gm_registry_open(ctx, srv->opt.db, 0, &reg);
    if (rc == GM_OK) rc = gm_registry_progress(reg, &po, &p);
    if (rc == GM_OK) rc = (csv ? gm_progress_csv : gm_progress_json)(ctx, p, &text);
    if (rc == GM_OK) {
        reply_take(rp, 200, csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
                   text);
        if (csv) rp->attachment = "greenmine-progress.csv";
    } else if (GM_IS_INPUT_ERROR(rc)) {
        srv_error(rp, po.zone ? 404 : 422, gm_context_errmsg(ctx), po.zone ? "zone" : NULL);
    } else {
        /* the registry's own message may name the server's files: say less */
        srv_error(rp, 503, "the registry cannot be read now", NULL);
        gm_log(ctx, GM_LOG_WARNING, "registry: %s", gm_context_errmsg(ctx));
    }
    gm_progress_series_free(p);
    gm_registry_close(reg);
}

/* ---- /api/indicators ---------------------------------------------------------- */

/* The management indicators (`progress --indicators --json/--csv`) as of
 * ?as_of=YYYY-MM-DD (default today, UTC), read from the registry at each
 * request like /api/progress. */
static void api_indicators(gm_server *srv, gm_context *ctx, const srv_request *rq, int csv,
                           srv_reply *rp)
{
    if (!srv->opt.db) {
        srv_error(rp, 404, "no registry: start greenmine serve with --db", NULL);
        return;
    }
    int as_of = 0;
    if (rq->query_as_of && *rq->query_as_of) {
        if (gm_parse_date(rq->query_as_of, &as_of) != GM_OK || !as_of) {
            srv_error(rp, 422, "as_of: not a date (YYYY-MM-DD)", "as_of");
            return;
        }
    } else {
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        as_of = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    }
    gm_registry *reg = NULL;
    gm_indicators *ind = NULL;
    char *text = NULL;
    int rc = gm_registry_open(ctx, srv->opt.db, 0, &reg);
    if (rc == GM_OK) rc = gm_registry_indicators(reg, as_of, &ind);
    if (rc == GM_OK) rc = (csv ? gm_indicators_csv : gm_indicators_json)(ctx, ind, &text);
    if (rc == GM_OK) {
        reply_take(rp, 200, csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
                   text);
        if (csv) rp->attachment = "greenmine-indicators.csv";
    } else if (GM_IS_INPUT_ERROR(rc)) {
        srv_error(rp, 422, gm_context_errmsg(ctx), NULL);
    } else {
        srv_error(rp, 503, "the registry cannot be read now", NULL);
        gm_log(ctx, GM_LOG_WARNING, "registry: %s", gm_context_errmsg(ctx));
    }
    gm_indicators_free(ind);
    gm_registry_close(reg);
}

void srv_api(gm_server *srv, const srv_request *rq, srv_reply *rp)
{
    gm_context *ctx = NULL;
    if (gm_context_new(&ctx) != GM_OK) {
        srv_error(rp, 500, "cannot create an engine context", NULL);
        return;
    }
    srv_data *d = srv_data_acquire(srv);
    const char *p = rq->path + 4; /* after "/api" */
    int get = strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0;
    int post = strcmp(rq->method, "POST") == 0;
    if (srv_manage(srv, ctx, rq, rp)) {
        /* answered: the desk's users and management routes */
    } else if (strcmp(p, "/check") == 0) {
        if (post)
            api_check(srv, ctx, d, rq, rp);
        else
            srv_error(rp, 405, "POST the application to /api/check", NULL);
    } else if (!get) {
        srv_error(rp, 405, "method not allowed", NULL);
    } else if (strcmp(p, "/health") == 0) {
        api_health(srv, d, rp);
    } else if (strcmp(p, "/zones") == 0) {
        api_zones(ctx->geos, d, rp);
    } else if (strncmp(p, "/results/", 9) == 0) {
        api_result(srv, ctx, p + 9, rp);
    } else if (strcmp(p, "/layers/redlines") == 0) {
        api_layer(ctx->geos, d, rq, SRV_REDLINES, rp);
    } else if (strcmp(p, "/layers/zones") == 0) {
        api_layer(ctx->geos, d, rq, SRV_ZONES, rp);
    } else if (strcmp(p, "/layers/mines") == 0) {
        api_layer(ctx->geos, d, rq, SRV_MINES, rp);
    } else if (strcmp(p, "/progress") == 0 || strcmp(p, "/progress.csv") == 0) {
        api_progress(srv, ctx, rq, strcmp(p, "/progress.csv") == 0, rp);
    } else if (strcmp(p, "/indicators") == 0 || strcmp(p, "/indicators.csv") == 0) {
        api_indicators(srv, ctx, rq, strcmp(p, "/indicators.csv") == 0, rp);
    } else if (strcmp(p, "/layers/parcels") == 0) {
        api_parcels(srv, ctx, d, rq, rp);
    } else {
        srv_error(rp, 404, "no such API path (see /api for the OpenAPI description)", NULL);
    }
    srv_data_release(srv, ctx, d);
    gm_context_free(ctx);
}
