/*
 * registry.c -- opening a registry, recording a snapshot (ingest), listing
 * snapshots and rebuilding a snapshot's layers as gm_inputs. Geometries go in
 * and out as 2D WKB through bound parameters (ST_GeomFromWKB / ST_AsBinary,
 * which SpatiaLite and PostGIS both know); they were normalised on loading and
 * come back bit for bit, so nothing is repaired twice.
 */
#include "io/source.h"
#include "registry/columns.h"

#include <greenmine/area.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- small helpers ------------------------------------------------------- */

const char *gm_registry_date_text(int d, char buf[GM_DATE_TEXT])
{
    return d > 0 ? gm_date_text(d, buf) : NULL;
}

int gm_registry_date_parse(const char *text)
{
    int d = 0;
    if (!text || gm_parse_date(text, &d) != GM_OK) return 0;
    return d;
}

const char *gm_parcel_change_name(gm_parcel_change_kind k)
{
    static const char *names[] = {"new",        "unchanged", "geometry",
                                  "attributes", "duplicate", "dropped"};
    return (unsigned)k <= GM_CHANGE_DROPPED ? names[k] : "?";
}

/* A vocabulary's stored code, or NULL (SQL NULL) for an unknown value. */
static const char *code_or_null(const char *code)
{
    return code && *code ? code : NULL;
}

static const char *layer_of(int kind)
{
    return gm_layer_kind_name((gm_layer_kind)kind);
}

/* ---- open / close -------------------------------------------------------- */

int gm_registry_open(gm_context *ctx, const char *db, int busy_ms, gm_registry **out)
{
    *out = NULL;
    gm_registry *reg = calloc(1, sizeof *reg);
    if (!reg || !(reg->target = gm_strdup(db))) {
        free(reg);
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    }
    reg->ctx = ctx;
    int rc = gm_db_open(ctx, db, busy_ms > 0 ? busy_ms : GM_REGISTRY_BUSY_MS_DEFAULT, &reg->db);
    if (rc == GM_OK) {
        reg->db_kind = gm_db_kind_of(reg->db);
        rc = gm_registry_migrate(reg);
    }
    if (rc != GM_OK) {
        gm_registry_close(reg);
        return rc;
    }
    *out = reg;
    return GM_OK;
}

int gm_registry_set_context(gm_registry *reg, gm_context *ctx)
{
    reg->ctx = ctx;
    return gm_db_set_context(reg->db, ctx);
}

void gm_registry_close(gm_registry *reg)
{
    if (!reg) return;
    gm_db_close(reg->db);
    free(reg->target);
    free(reg);
}

int gm_registry_schema_version(const gm_registry *reg)
{
    return reg->schema_version;
}

/* ---- snapshots ----------------------------------------------------------- */

int gm_registry_snapshots(gm_registry *reg, gm_snapshots **out)
{
    *out = NULL;
    gm_snapshots *s = calloc(1, sizeof *s);
    gm_stmt *st = NULL, *src = NULL;
    if (!s) return gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    int rc = gm_table_prepare_select(reg, &gm_table_snapshot, "ORDER BY as_of", &st);
    if (rc == GM_OK)
        rc = gm_table_prepare_select(reg, &gm_table_source, "WHERE snapshot_id = ? ORDER BY layer",
                                     &src);
    int step;
    while (rc == GM_OK && (step = gm_stmt_step(st)) == 1) {
        gm_snapshot *more = realloc(s->items, (s->n + 1) * sizeof *more);
        if (!more) {
            rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
            break;
        }
        s->items = more;
        gm_snapshot *x = &s->items[s->n++];
        memset(x, 0, sizeof *x);
        x->id = (long)gm_stmt_int(st, gm_table_key_column(&gm_table_snapshot));
        x->as_of = gm_registry_date_parse(gm_stmt_text(st, SNAPSHOT_as_of));
        x->ingested_at = gm_strdup(gm_stmt_text(st, SNAPSHOT_ingested_at));
        x->greenmine_version = gm_strdup(gm_stmt_text(st, SNAPSHOT_greenmine_version));
        gm_stmt_reset(src);
        gm_stmt_bind_int(src, 1, x->id);
        int row;
        while ((row = gm_stmt_step(src)) == 1) {
            gm_source_info *si = realloc(x->sources, (x->n_sources + 1) * sizeof *si);
            if (!si) {
                rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
                break;
            }
            x->sources = si;
            si = &x->sources[x->n_sources++];
            si->layer = gm_strdup(gm_stmt_text(src, SOURCE_layer));
            si->source = gm_strdup(gm_stmt_text(src, SOURCE_source));
            si->file_name = gm_strdup(gm_stmt_text(src, SOURCE_file_name));
            si->sha256 = gm_strdup(gm_stmt_text(src, SOURCE_sha256));
            si->crs = gm_strdup(gm_stmt_text(src, SOURCE_crs));
            si->features = (long)gm_stmt_int(src, SOURCE_features);
        }
        if (row < 0) rc = row;
    }
    if (rc == GM_OK && step < 0) rc = step;
    gm_stmt_free(st);
    gm_stmt_free(src);
    if (rc != GM_OK) {
        gm_snapshots_free(s);
        return rc;
    }
    *out = s;
    return GM_OK;
}

/* ---- geometry <-> WKB ---------------------------------------------------- */

/* 2D WKB of g as a MultiPolygon (a Polygon is wrapped). Free with GEOSFree_r. */
static unsigned char *to_wkb(GEOSContextHandle_t h, const GEOSGeometry *g, size_t *n)
{
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(h);
    if (!w) return NULL;
    GEOSWKBWriter_setOutputDimension_r(h, w, 2);
    GEOSWKBWriter_setByteOrder_r(h, w, GEOS_WKB_NDR);
    unsigned char *out = NULL;
    if (GEOSGeomTypeId_r(h, g) == GEOS_POLYGON) {
        GEOSGeometry *part = GEOSGeom_clone_r(h, g);
        GEOSGeometry *mp =
            part ? GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, &part, 1) : NULL;
        if (mp) {
            out = GEOSWKBWriter_write_r(h, w, mp, n);
            GEOSGeom_destroy_r(h, mp);
        }
    } else {
        out = GEOSWKBWriter_write_r(h, w, g, n);
    }
    GEOSWKBWriter_destroy_r(h, w);
    return out;
}

static int bind_geom(gm_registry *reg, gm_stmt *st, int i, const GEOSGeometry *g)
{
    if (!g) return gm_stmt_bind_null(st, i);
    GEOSContextHandle_t h = reg->ctx->geos;
    size_t n = 0;
    unsigned char *wkb = to_wkb(h, g, &n);
    if (!wkb) return gm_error(reg->ctx, GM_ERR_INTERNAL, "cannot write a geometry as WKB");
    int rc = gm_stmt_bind_blob(st, i, wkb, n);
    GEOSFree_r(h, wkb);
    return rc;
}

static GEOSGeometry *column_geom(gm_registry *reg, gm_stmt *st, int col)
{
    size_t n = 0;
    const unsigned char *wkb = gm_stmt_blob(st, col, &n);
    if (!wkb) return NULL;
    GEOSContextHandle_t h = reg->ctx->geos;
    GEOSWKBReader *r = GEOSWKBReader_create_r(h);
    GEOSGeometry *g = r ? GEOSWKBReader_read_r(h, r, wkb, n) : NULL;
    if (r) GEOSWKBReader_destroy_r(h, r);
    return g;
}

/* ---- ingest -------------------------------------------------------------- */

/* The latest recorded version of a parcel. */
typedef struct prior {
    char *parcel_id;
    long snapshot_id;
    char *kind, *status, *completed_on;
    long long legacy; /* -1 = NULL */
    GEOSGeometry *geom;
    double area_ha;
    int seen; /* present in the new snapshot */
} prior;

static int by_prior_id(const void *a, const void *b)
{
    return strcmp(((const prior *)a)->parcel_id, ((const prior *)b)->parcel_id);
}

static void priors_free(gm_registry *reg, prior *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(p[i].parcel_id), free(p[i].kind), free(p[i].status), free(p[i].completed_on);
        if (p[i].geom) GEOSGeom_destroy_r(reg->ctx->geos, p[i].geom);
    }
    free(p);
}

/* Every parcel's latest version (duplicates inside a snapshot aside). */
static int load_priors(gm_registry *reg, prior **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    gm_stmt *st = NULL;
    int rc = gm_table_prepare_select(reg, &gm_table_parcel_version,
                                     "WHERE version_id IN (SELECT max(version_id) FROM "
                                     "parcel_version WHERE change <> 'duplicate' GROUP BY "
                                     "parcel_id)",
                                     &st);
    if (rc != GM_OK) return rc;
    prior *p = NULL;
    size_t n = 0;
    int step;
    while ((step = gm_stmt_step(st)) == 1) {
        prior *more = realloc(p, (n + 1) * sizeof *p);
        if (!more) {
            rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
            break;
        }
        p = more;
        prior *x = &p[n++];
        memset(x, 0, sizeof *x);
        x->parcel_id = gm_strdup(gm_stmt_text(st, PV_parcel_id));
        x->snapshot_id = (long)gm_stmt_int(st, PV_snapshot_id);
        x->kind = gm_strdup(gm_stmt_text(st, PV_kind));
        x->status = gm_strdup(gm_stmt_text(st, PV_status));
        x->completed_on = gm_strdup(gm_stmt_text(st, PV_completed_on));
        x->legacy = gm_stmt_is_null(st, PV_legacy) ? -1 : gm_stmt_int(st, PV_legacy);
        x->geom = column_geom(reg, st, gm_table_geom_column(&gm_table_parcel_version));
        x->area_ha = gm_stmt_double(st, PV_area_ha);
        if (!x->parcel_id || !x->geom) {
            rc = gm_error(reg->ctx, GM_ERR_INTERNAL, "registry: unreadable parcel version");
            break;
        }
    }
    if (rc == GM_OK && step < 0) rc = step;
    gm_stmt_free(st);
    if (rc != GM_OK) {
        priors_free(reg, p, n);
        return rc;
    }
    if (n) qsort(p, n, sizeof *p, by_prior_id);
    *out = p;
    *n_out = n;
    return GM_OK;
}

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int add_change(gm_registry *reg, gm_ingest_report *r, const char *id,
                      gm_parcel_change_kind k, double old_ha, double new_ha, double changed_ha)
{
    gm_parcel_change *more = realloc(r->changes, (r->n_changes + 1) * sizeof *more);
    if (!more) return gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    r->changes = more;
    gm_parcel_change *c = &r->changes[r->n_changes++];
    c->parcel_id = gm_strdup(id);
    c->kind = k;
    c->old_ha = old_ha;
    c->new_ha = new_ha;
    c->changed_ha = changed_ha;
    return GM_OK;
}

void gm_ingest_report_free(gm_ingest_report *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n_changes; i++)
        free(r->changes[i].parcel_id);
    for (size_t i = 0; i < r->n_sources; i++)
        gm_source_info_clear(&r->sources[i]);
    free(r->changes);
    free(r->sources);
    free(r);
}

/* Fills r->sources from `in` (file names and checksums), before any lock. */
static int describe_sources(gm_registry *reg, const gm_inputs *in, gm_ingest_report *r)
{
    r->sources = calloc(GM_LAYER_KINDS, sizeof *r->sources);
    if (!r->sources) return gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    static const int order[] = {GM_LAYER_PARCELS, GM_LAYER_MINES, GM_LAYER_ZONES,
                                GM_LAYER_REDLINES};
    for (int o = 0; o < GM_LAYER_KINDS; o++) {
        int k = order[o];
        if (!in->source[k]) continue;
        gm_source_info *s = &r->sources[r->n_sources++];
        s->layer = gm_strdup(layer_of(k));
        s->source = gm_strdup(in->source[k]);
        s->crs = gm_strdup(in->crs[k]);
        s->features = (long)in->features[k];
        if (strncasecmp(in->source[k], "PG:", 3) == 0) continue; /* a database: no file */
        char path[4096], layer[256];
        gm_source_split(in->source[k], path, sizeof path, layer, sizeof layer);
        const char *slash = strrchr(path, '/');
        s->file_name = gm_strdup(slash ? slash + 1 : path);
        s->sha256 = gm_strdup(in->checksum[k]); /* the loader's (src/io/checksum.c) */
    }
    return GM_OK;
}

static int insert_sources(gm_registry *reg, const gm_inputs *in, gm_ingest_report *r)
{
    gm_stmt *st = NULL;
    int rc = gm_table_prepare_insert(reg, &gm_table_source, NULL, &st);
    for (size_t i = 0; rc == GM_OK && i < r->n_sources; i++) {
        const gm_source_info *s = &r->sources[i];
        int k = 0;
        while (k < GM_LAYER_KINDS && strcmp(layer_of(k), s->layer) != 0)
            k++;
        gm_stmt_reset(st);
        gm_stmt_bind_int(st, GM_PARAM(SOURCE_snapshot_id), r->snapshot_id);
        gm_stmt_bind_text(st, GM_PARAM(SOURCE_layer), s->layer);
        gm_stmt_bind_text(st, GM_PARAM(SOURCE_source), s->source);
        gm_stmt_bind_text(st, GM_PARAM(SOURCE_file_name), s->file_name);
        gm_stmt_bind_text(st, GM_PARAM(SOURCE_sha256), s->sha256);
        gm_stmt_bind_text(st, GM_PARAM(SOURCE_layer_name),
                          k < GM_LAYER_KINDS ? in->layer[k] : NULL);
        gm_stmt_bind_text(st, GM_PARAM(SOURCE_crs), s->crs);
        gm_stmt_bind_int(st, GM_PARAM(SOURCE_features), s->features);
        if (gm_stmt_step(st) < 0) rc = gm_context_errcode(reg->ctx);
    }
    gm_stmt_free(st);
    return rc;
}

static int insert_parcels(gm_registry *reg, const gm_inputs *in, long prev_snapshot,
                          gm_ingest_report *r)
{
    GEOSContextHandle_t h = reg->ctx->geos;
    prior *priors = NULL;
    size_t n_priors = 0;
    gm_stmt *ins = NULL, *track = NULL;
    char **seen_ids = NULL; /* ids already in this snapshot, sorted as we go */
    size_t n_seen = 0;
    int rc = load_priors(reg, &priors, &n_priors);
    if (rc == GM_OK)
        rc = gm_table_prepare_insert(reg, &gm_table_parcel, "ON CONFLICT (parcel_id) DO NOTHING",
                                     &track);
    if (rc == GM_OK) rc = gm_table_prepare_insert(reg, &gm_table_parcel_version, NULL, &ins);
    if (rc == GM_OK && !(seen_ids = calloc(in->n_parcels + 1, sizeof *seen_ids)))
        rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == GM_OK && i < in->n_parcels; i++) {
        const gm_parcel *p = &in->parcels[i];
        const char *id = p->parcel_id ? p->parcel_id : "";
        char date[11];
        const char *kind = code_or_null(gm_parcel_kind_name(p->kind));
        const char *status = code_or_null(gm_parcel_status_name(p->status));
        const char *done = gm_registry_date_text(p->completed_on, date);
        long long legacy = p->legacy == GM_FLAG_UNKNOWN ? -1 : (long long)p->legacy;
        double area = gm_geodesic_area_ha(h, p->geom), changed = 0.0;
        gm_parcel_change_kind change;

        /* binary search of the ids already stored in this snapshot */
        size_t lo = 0, hi = n_seen;
        int dup = 0;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            int c = strcmp(seen_ids[mid], id);
            if (c == 0) {
                dup = 1;
                break;
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        prior key = {.parcel_id = (char *)id};
        prior *before =
            n_priors ? bsearch(&key, priors, n_priors, sizeof *priors, by_prior_id) : NULL;
        if (dup) {
            change = GM_CHANGE_DUPLICATE;
        } else {
            memmove(seen_ids + lo + 1, seen_ids + lo, (n_seen - lo) * sizeof *seen_ids);
            seen_ids[lo] = (char *)id;
            n_seen++;
            if (!before) {
                change = GM_CHANGE_NEW;
            } else {
                before->seen = 1;
                GEOSGeometry *diff = GEOSSymDifference_r(h, before->geom, p->geom);
                if (!diff) {
                    rc = gm_error(reg->ctx, GM_ERR_INTERNAL, "parcel %s: cannot compare geometries",
                                  id);
                    break;
                }
                changed = gm_geodesic_area_ha(h, diff);
                GEOSGeom_destroy_r(h, diff);
                if (changed >= GM_NOISE_HA)
                    change = GM_CHANGE_GEOMETRY;
                else if (same_text(before->kind, kind) && same_text(before->status, status) &&
                         same_text(before->completed_on, done) && before->legacy == legacy)
                    change = GM_CHANGE_UNCHANGED, changed = 0.0;
                else
                    change = GM_CHANGE_ATTRIBUTES, changed = 0.0;
            }
        }
        r->counts[change]++;
        if (change == GM_CHANGE_GEOMETRY || change == GM_CHANGE_ATTRIBUTES ||
            change == GM_CHANGE_DUPLICATE)
            rc = add_change(reg, r, id, change, before ? before->area_ha : 0.0, area, changed);
        if (rc != GM_OK) break;

        gm_stmt_reset(track);
        gm_stmt_bind_text(track, GM_PARAM(PARCEL_parcel_id), id);
        gm_stmt_bind_int(track, GM_PARAM(PARCEL_first_snapshot_id), r->snapshot_id);
        if (gm_stmt_step(track) < 0) {
            rc = gm_context_errcode(reg->ctx);
            break;
        }
        gm_stmt_reset(ins);
        gm_stmt_bind_int(ins, GM_PARAM(PV_snapshot_id), r->snapshot_id);
        gm_stmt_bind_int(ins, GM_PARAM(PV_seq), (long long)i);
        gm_stmt_bind_text(ins, GM_PARAM(PV_parcel_id), id);
        gm_stmt_bind_int(ins, GM_PARAM(PV_fid), p->fid);
        gm_stmt_bind_text(ins, GM_PARAM(PV_kind), kind);
        gm_stmt_bind_text(ins, GM_PARAM(PV_status), status);
        gm_stmt_bind_text(ins, GM_PARAM(PV_completed_on), done);
        if (legacy < 0)
            gm_stmt_bind_null(ins, GM_PARAM(PV_legacy));
        else
            gm_stmt_bind_int(ins, GM_PARAM(PV_legacy), legacy);
        gm_stmt_bind_double(ins, GM_PARAM(PV_area_ha), area);
        gm_stmt_bind_text(ins, GM_PARAM(PV_change), gm_parcel_change_name(change));
        if (change == GM_CHANGE_GEOMETRY)
            gm_stmt_bind_double(ins, GM_PARAM(PV_changed_ha), changed);
        else
            gm_stmt_bind_null(ins, GM_PARAM(PV_changed_ha));
        if ((rc = bind_geom(reg, ins, GM_PARAM(PV_NCOLS), p->geom)) != GM_OK) break;
        if (gm_stmt_step(ins) < 0) {
            rc = gm_context_errcode(reg->ctx);
            break;
        }
        gm_progress(reg->ctx, "ingest parcels", i + 1, in->n_parcels);
    }
    /* parcels of the previous snapshot that this one no longer has */
    for (size_t i = 0; rc == GM_OK && i < n_priors; i++)
        if (!priors[i].seen && priors[i].snapshot_id == prev_snapshot) {
            r->counts[GM_CHANGE_DROPPED]++;
            rc = add_change(reg, r, priors[i].parcel_id, GM_CHANGE_DROPPED, priors[i].area_ha, 0.0,
                            0.0);
        }
    free(seen_ids);
    gm_stmt_free(ins);
    gm_stmt_free(track);
    priors_free(reg, priors, n_priors);
    return rc;
}

static int insert_mines(gm_registry *reg, const gm_inputs *in, long snapshot)
{
    GEOSContextHandle_t h = reg->ctx->geos;
    gm_stmt *st = NULL;
    int rc = gm_table_prepare_insert(reg, &gm_table_mine_version, NULL, &st);
    for (size_t i = 0; rc == GM_OK && i < in->n_mines; i++) {
        const gm_mine *m = &in->mines[i];
        gm_stmt_reset(st);
        gm_stmt_bind_int(st, GM_PARAM(MV_snapshot_id), snapshot);
        gm_stmt_bind_int(st, GM_PARAM(MV_seq), (long long)i);
        gm_stmt_bind_text(st, GM_PARAM(MV_mine_id), m->mine_id);
        gm_stmt_bind_text(st, GM_PARAM(MV_name), m->name);
        gm_stmt_bind_text(st, GM_PARAM(MV_mineral), m->mineral);
        gm_stmt_bind_text(st, GM_PARAM(MV_industry), code_or_null(gm_industry_name(m->industry)));
        gm_stmt_bind_text(st, GM_PARAM(MV_scale), code_or_null(gm_scale_name(m->scale)));
        gm_stmt_bind_text(st, GM_PARAM(MV_status), code_or_null(gm_mine_status_name(m->status)));
        if (m->green == GM_FLAG_UNKNOWN)
            gm_stmt_bind_null(st, GM_PARAM(MV_green));
        else
            gm_stmt_bind_int(st, GM_PARAM(MV_green), m->green);
        gm_stmt_bind_int(st, GM_PARAM(MV_fid), m->fid);
        gm_stmt_bind_double(st, GM_PARAM(MV_area_ha),
                            m->geom ? gm_geodesic_area_ha(h, m->geom) : 0.0);
        if ((rc = bind_geom(reg, st, GM_PARAM(MV_NCOLS), m->geom)) == GM_OK && gm_stmt_step(st) < 0)
            rc = gm_context_errcode(reg->ctx);
    }
    gm_stmt_free(st);
    return rc;
}

static int insert_zones(gm_registry *reg, const gm_inputs *in, long snapshot)
{
    GEOSContextHandle_t h = reg->ctx->geos;
    gm_stmt *st = NULL;
    int rc = gm_table_prepare_insert(reg, &gm_table_zone_version, NULL, &st);
    for (size_t i = 0; rc == GM_OK && i < in->n_zones; i++) {
        const gm_zone *z = &in->zones[i];
        gm_stmt_reset(st);
        gm_stmt_bind_int(st, GM_PARAM(ZV_snapshot_id), snapshot);
        gm_stmt_bind_int(st, GM_PARAM(ZV_seq), (long long)i);
        gm_stmt_bind_text(st, GM_PARAM(ZV_zone_id), z->zone_id);
        gm_stmt_bind_text(st, GM_PARAM(ZV_name), z->name);
        static const int target_col[2] = {[GM_RESTORATION] = ZV_restoration_target_ha,
                                          [GM_RECLAMATION] = ZV_reclamation_target_ha};
        for (int k = 0; k < 2; k++)
            if (z->target_ha[k] > 0)
                gm_stmt_bind_double(st, GM_PARAM(target_col[k]), z->target_ha[k]);
            else
                gm_stmt_bind_null(st, GM_PARAM(target_col[k]));
        gm_stmt_bind_int(st, GM_PARAM(ZV_fid), z->fid);
        gm_stmt_bind_double(st, GM_PARAM(ZV_area_ha), gm_geodesic_area_ha(h, z->geom));
        if ((rc = bind_geom(reg, st, GM_PARAM(ZV_NCOLS), z->geom)) == GM_OK && gm_stmt_step(st) < 0)
            rc = gm_context_errcode(reg->ctx);
    }
    gm_stmt_free(st);
    return rc;
}

static int insert_redlines(gm_registry *reg, const gm_inputs *in, long snapshot)
{
    GEOSContextHandle_t h = reg->ctx->geos;
    gm_stmt *st = NULL;
    int rc = gm_table_prepare_insert(reg, &gm_table_redline_version, NULL, &st);
    for (size_t i = 0; rc == GM_OK && i < in->n_redlines; i++) {
        const gm_redline *x = &in->redlines[i];
        gm_stmt_reset(st);
        gm_stmt_bind_int(st, GM_PARAM(RV_snapshot_id), snapshot);
        gm_stmt_bind_int(st, GM_PARAM(RV_seq), (long long)i);
        gm_stmt_bind_text(st, GM_PARAM(RV_redline_id), x->redline_id);
        gm_stmt_bind_text(st, GM_PARAM(RV_name), x->name);
        gm_stmt_bind_text(st, GM_PARAM(RV_category), x->category);
        gm_stmt_bind_int(st, GM_PARAM(RV_fid), x->fid);
        gm_stmt_bind_double(st, GM_PARAM(RV_area_ha), gm_geodesic_area_ha(h, x->geom));
        if ((rc = bind_geom(reg, st, GM_PARAM(RV_NCOLS), x->geom)) == GM_OK && gm_stmt_step(st) < 0)
            rc = gm_context_errcode(reg->ctx);
    }
    gm_stmt_free(st);
    return rc;
}

/* The latest snapshot: its id and date (0, 0 when there is none). */
static int latest_snapshot(gm_registry *reg, long *id, int *as_of)
{
    *id = 0;
    *as_of = 0;
    gm_stmt *st = NULL;
    int rc = gm_db_prepare(
        reg->db, "SELECT snapshot_id, as_of FROM snapshot ORDER BY as_of DESC LIMIT 1", &st);
    if (rc != GM_OK) return rc;
    int step = gm_stmt_step(st);
    if (step == 1) {
        *id = (long)gm_stmt_int(st, 0);
        *as_of = gm_registry_date_parse(gm_stmt_text(st, 1));
    }
    gm_stmt_free(st);
    return step < 0 ? step : GM_OK;
}

int gm_registry_ingest(gm_registry *reg, const gm_inputs *in, int as_of, gm_ingest_report **out)
{
    *out = NULL;
    if (!in->source[GM_LAYER_PARCELS])
        return gm_error(reg->ctx, GM_ERR_USAGE, "an ingest needs the parcels layer");
    gm_ingest_report *r = calloc(1, sizeof *r);
    if (!r) return gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    r->as_of = as_of;
    int rc = describe_sources(reg, in, r);
    int began = 0;
    if (rc == GM_OK && (rc = gm_db_begin_write(reg->db)) == GM_OK) began = 1;
    long prev_id = 0;
    if (rc == GM_OK) rc = latest_snapshot(reg, &prev_id, &r->previous_as_of);
    char date[11], prev[11], now[32];
    if (rc == GM_OK && r->previous_as_of >= as_of)
        rc = gm_error(reg->ctx, GM_ERR_USAGE,
                      "registry %s: --as-of %s is not after the latest snapshot (%s); snapshots "
                      "are appended in date order and never rewritten",
                      reg->target, gm_registry_date_text(as_of, date),
                      gm_registry_date_text(r->previous_as_of, prev));
    gm_stmt *st = NULL;
    if (rc == GM_OK)
        rc = gm_table_prepare_insert(reg, &gm_table_snapshot, "RETURNING snapshot_id", &st);
    if (rc == GM_OK) {
        gm_registry_now(now);
        gm_stmt_bind_text(st, GM_PARAM(SNAPSHOT_as_of), gm_registry_date_text(as_of, date));
        gm_stmt_bind_text(st, GM_PARAM(SNAPSHOT_ingested_at), now);
        gm_stmt_bind_text(st, GM_PARAM(SNAPSHOT_greenmine_version), gm_version());
        int step = gm_stmt_step(st);
        if (step == 1)
            r->snapshot_id = (long)gm_stmt_int(st, 0);
        else
            rc = step < 0 ? step : gm_error(reg->ctx, GM_ERR_INTERNAL, "no snapshot id returned");
        gm_stmt_free(st);
    }
    if (rc == GM_OK) rc = insert_sources(reg, in, r);
    if (rc == GM_OK) rc = insert_parcels(reg, in, prev_id, r);
    if (rc == GM_OK && in->source[GM_LAYER_MINES]) rc = insert_mines(reg, in, r->snapshot_id);
    if (rc == GM_OK && in->source[GM_LAYER_ZONES]) rc = insert_zones(reg, in, r->snapshot_id);
    if (rc == GM_OK && in->source[GM_LAYER_REDLINES]) rc = insert_redlines(reg, in, r->snapshot_id);
    if (rc == GM_OK) rc = gm_db_exec(reg->db, "COMMIT");
    if (rc != GM_OK) {
        if (began) gm_db_rollback(reg->db);
        gm_ingest_report_free(r);
        return rc;
    }
    *out = r;
    return GM_OK;
}

/* ---- load a snapshot back ------------------------------------------------ */

/* The snapshot whose rows of `layer` are in force at `snapshot_id` (0 = none). */
static int layer_snapshot(gm_registry *reg, long snapshot_id, const char *layer, long *out)
{
    *out = 0;
    gm_stmt *st = NULL;
    int rc = gm_db_prepare(reg->db,
                           "SELECT data_snapshot_id FROM snapshot_layer WHERE snapshot_id = ? AND "
                           "layer = ?",
                           &st);
    if (rc != GM_OK) return rc;
    gm_stmt_bind_int(st, 1, snapshot_id);
    gm_stmt_bind_text(st, 2, layer);
    int step = gm_stmt_step(st);
    if (step == 1 && !gm_stmt_is_null(st, 0)) *out = (long)gm_stmt_int(st, 0);
    gm_stmt_free(st);
    return step < 0 ? step : GM_OK;
}

/* Sets in->source/layer/crs/features of one kind from its source row. */
static int load_source_row(gm_registry *reg, long data_snapshot, int kind, gm_inputs *in)
{
    gm_stmt *st = NULL;
    int rc =
        gm_table_prepare_select(reg, &gm_table_source, "WHERE snapshot_id = ? AND layer = ?", &st);
    if (rc != GM_OK) return rc;
    gm_stmt_bind_int(st, 1, data_snapshot);
    gm_stmt_bind_text(st, 2, layer_of(kind));
    int step = gm_stmt_step(st);
    if (step == 1) {
        in->source[kind] = gm_strdup(gm_stmt_text(st, SOURCE_source));
        in->layer[kind] = gm_strdup(gm_stmt_text(st, SOURCE_layer_name));
        in->crs[kind] = gm_strdup(gm_stmt_text(st, SOURCE_crs));
        in->features[kind] = (size_t)gm_stmt_int(st, SOURCE_features);
    }
    gm_stmt_free(st);
    return step < 0 ? step : GM_OK;
}

/* Reads the rows of table t of a snapshot in order and grows *array by one
 * element of `size` per row, calling fill() on it. */
typedef int (*fill_fn)(gm_registry *reg, gm_stmt *st, void *elem);
static int load_rows(gm_registry *reg, const gm_db_table *t, long snapshot, void **array, size_t *n,
                     size_t size, fill_fn fill)
{
    gm_stmt *st = NULL;
    int rc = gm_table_prepare_select(reg, t, "WHERE snapshot_id = ? ORDER BY seq", &st);
    if (rc != GM_OK) return rc;
    gm_stmt_bind_int(st, 1, snapshot);
    int step;
    size_t cap = 0;
    while ((step = gm_stmt_step(st)) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            void *more = realloc(*array, cap * size);
            if (!more) {
                rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
                break;
            }
            *array = more;
        }
        void *elem = (char *)*array + *n * size;
        memset(elem, 0, size);
        (*n)++;
        if ((rc = fill(reg, st, elem)) != GM_OK) break;
    }
    if (rc == GM_OK && step < 0) rc = step;
    gm_stmt_free(st);
    return rc;
}

static int fill_parcel(gm_registry *reg, gm_stmt *st, void *elem)
{
    gm_parcel *p = elem;
    p->parcel_id = gm_strdup(gm_stmt_text(st, PV_parcel_id));
    gm_parse_parcel_kind(gm_stmt_text(st, PV_kind), &p->kind);
    gm_parse_parcel_status(gm_stmt_text(st, PV_status), &p->status);
    p->completed_on = gm_registry_date_parse(gm_stmt_text(st, PV_completed_on));
    p->legacy =
        gm_stmt_is_null(st, PV_legacy) ? GM_FLAG_UNKNOWN : (gm_flag)gm_stmt_int(st, PV_legacy);
    p->fid = (long)gm_stmt_int(st, PV_fid);
    p->geom = column_geom(reg, st, gm_table_geom_column(&gm_table_parcel_version));
    return p->geom ? GM_OK : gm_error(reg->ctx, GM_ERR_INTERNAL, "registry: unreadable parcel");
}

static int fill_mine(gm_registry *reg, gm_stmt *st, void *elem)
{
    gm_mine *m = elem;
    m->mine_id = gm_strdup(gm_stmt_text(st, MV_mine_id));
    m->name = gm_strdup(gm_stmt_text(st, MV_name));
    m->mineral = gm_strdup(gm_stmt_text(st, MV_mineral));
    gm_parse_industry(gm_stmt_text(st, MV_industry), &m->industry);
    gm_parse_scale(gm_stmt_text(st, MV_scale), &m->scale);
    gm_parse_mine_status(gm_stmt_text(st, MV_status), &m->status);
    m->green = gm_stmt_is_null(st, MV_green) ? GM_FLAG_UNKNOWN : (gm_flag)gm_stmt_int(st, MV_green);
    m->fid = (long)gm_stmt_int(st, MV_fid);
    /* NULL: an empty mine, still a mine */
    m->geom = column_geom(reg, st, gm_table_geom_column(&gm_table_mine_version));
    return GM_OK;
}

static int fill_zone(gm_registry *reg, gm_stmt *st, void *elem)
{
    gm_zone *z = elem;
    z->zone_id = gm_strdup(gm_stmt_text(st, ZV_zone_id));
    z->name = gm_strdup(gm_stmt_text(st, ZV_name));
    static const int target_col[2] = {
        [GM_RESTORATION] = ZV_restoration_target_ha, [GM_RECLAMATION] = ZV_reclamation_target_ha};
    for (int k = 0; k < 2; k++)
        z->target_ha[k] =
            gm_stmt_is_null(st, target_col[k]) ? 0.0 : gm_stmt_double(st, target_col[k]);
    z->fid = (long)gm_stmt_int(st, ZV_fid);
    z->geom = column_geom(reg, st, gm_table_geom_column(&gm_table_zone_version));
    return z->geom ? GM_OK : gm_error(reg->ctx, GM_ERR_INTERNAL, "registry: unreadable zone");
}

static int fill_redline(gm_registry *reg, gm_stmt *st, void *elem)
{
    gm_redline *x = elem;
    x->redline_id = gm_strdup(gm_stmt_text(st, RV_redline_id));
    x->name = gm_strdup(gm_stmt_text(st, RV_name));
    x->category = gm_strdup(gm_stmt_text(st, RV_category));
    x->fid = (long)gm_stmt_int(st, RV_fid);
    x->geom = column_geom(reg, st, gm_table_geom_column(&gm_table_redline_version));
    return x->geom ? GM_OK : gm_error(reg->ctx, GM_ERR_INTERNAL, "registry: unreadable red line");
}

int gm_registry_load(gm_registry *reg, long snapshot_id, gm_inputs **out)
{
    *out = NULL;
    gm_inputs *in = NULL;
    int rc = gm_inputs_new(&in);
    if (rc != GM_OK) return gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    for (int k = 0; k < GM_LAYER_KINDS && rc == GM_OK; k++) {
        long data = 0;
        if ((rc = layer_snapshot(reg, snapshot_id, layer_of(k), &data)) != GM_OK || !data) continue;
        if ((rc = load_source_row(reg, data, k, in)) != GM_OK) break;
        switch (k) {
        case GM_LAYER_MINES:
            rc = load_rows(reg, &gm_table_mine_version, data, (void **)&in->mines, &in->n_mines,
                           sizeof(gm_mine), fill_mine);
            break;
        case GM_LAYER_REDLINES:
            rc = load_rows(reg, &gm_table_redline_version, data, (void **)&in->redlines,
                           &in->n_redlines, sizeof(gm_redline), fill_redline);
            break;
        case GM_LAYER_PARCELS:
            rc = load_rows(reg, &gm_table_parcel_version, data, (void **)&in->parcels,
                           &in->n_parcels, sizeof(gm_parcel), fill_parcel);
            break;
        default:
            rc = load_rows(reg, &gm_table_zone_version, data, (void **)&in->zones, &in->n_zones,
                           sizeof(gm_zone), fill_zone);
        }
    }
    if (rc != GM_OK) {
        gm_inputs_free(reg->ctx, in);
        return rc;
    }
    *out = in;
    return GM_OK;
}
