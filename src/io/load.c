/*
 * load.c -- OGR features to gm_inputs records: field mapping, value parsing,
 * linearisation, 2D, reprojection to CGCS2000 lon/lat, normalisation.
 * Everything about a bad input is said here, naming file, layer and feature;
 * nothing downstream ever sees an invalid or non-polygonal geometry.
 */
#include "core/context_impl.h"
#include "core/densify.h"
#include "core/normalise.h"
#include "core/pool.h"
#include "core/simple.h"
#include "core/text.h"
#include "io/checksum.h"
#include "io/crs.h"
#include "io/fields.h"
#include "io/gdal.h"
#include "io/reach.h"
#include "io/source.h"

#include <greenmine/load.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Arc step for linearising curves: 0.1 degree of arc keeps a full circle's
 * area within 5e-7 relative (error ~ step^2 / 6), inside the contract's 1e-6. */
#define GM_ARC_STEP_DEG 0.1
/* Warnings of one kind printed per layer before they are only counted. */
#define GM_WARN_LIMIT 5

/* ---- per-layer reading state --------------------------------------------- */

/* Warning categories, each listed GM_WARN_LIMIT times per layer, then counted. */
enum { W_EMPTY, W_REPAIRED, W_VALUE, W_DATE, W_DROPPED, W_UNDATED, W_DUPLICATE, W_KINDS };

/* Identifiers seen in one layer (borrowed from the records, which outlive
 * it) with the FID of the feature that had each first: open addressing. */
typedef struct idset {
    const char **key;
    long *fid;
    size_t n, cap;
} idset;

static size_t id_hash(const char *s)
{
    size_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Adds id (first seen at fid): *seen 1 and *first the earlier FID when the id
 * was there already, else 0. GM_OK, or GM_ERR_NOMEM (the caller says it). */
static int idset_add(idset *t, const char *id, long fid, int *seen, long *first)
{
    *seen = 0;
    if (2 * (t->n + 1) > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 1024;
        const char **key = calloc(cap, sizeof *key);
        long *fids = calloc(cap, sizeof *fids);
        if (!key || !fids) {
            free(key), free(fids);
            return GM_ERR_NOMEM;
        }
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->key[i]) continue;
            size_t j = id_hash(t->key[i]) & (cap - 1);
            while (key[j])
                j = (j + 1) & (cap - 1);
            key[j] = t->key[i], fids[j] = t->fid[i];
        }
        free(t->key), free(t->fid);
        t->key = key, t->fid = fids, t->cap = cap;
    }
    size_t j = id_hash(id) & (t->cap - 1);
    for (; t->key[j]; j = (j + 1) & (t->cap - 1))
        if (strcmp(t->key[j], id) == 0) {
            *first = t->fid[j];
            *seen = 1;
            return GM_OK;
        }
    t->key[j] = id, t->fid[j] = fid, t->n++;
    return GM_OK;
}
typedef struct reader {
    gm_context *ctx;
    gm_inputs *in;
    gm_layer_kind kind;
    const char *source;
    const char *layer_name;
    OGRLayerH layer;
    OGRCoordinateTransformationH ct;
    int idx[GM_MAX_FIELDS];
    size_t n, cap;          /* records stored so far */
    size_t warned[W_KINDS]; /* per warning category */
    int lenient;            /* gm_load_options.lenient */
    const gm_reach *reach;  /* red lines: where the mines are (redlines_near_mines), or NULL */
    int filtered;           /* read near a box only (gm_load_options.has_bbox) */
    int allow_duplicates;   /* this kind's gm_load_options.allow_duplicate_ids bit, or lenient */
    idset ids;              /* the identifiers seen so far, to refuse a second one */
    int (*keep_parcel)(const gm_parcel *p, void *user);
    void *keep_user;
    char decode[64]; /* the shapefile's encoding when OGR hands its bytes as stored */
} reader;

static void warn(reader *r, int category, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void warn(reader *r, int category, const char *fmt, ...)
{
    if (r->warned[category]++ >= GM_WARN_LIMIT) return;
    char buf[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    gm_log(r->ctx, GM_LOG_WARNING, "%s", buf);
}

static void warn_summary(reader *r)
{
    static const char *what[] = {"empty geometries",         "repaired geometries",
                                 "unrecognised values",      "unreadable dates",
                                 "dropped point/line parts", "completed parcels without a date",
                                 "duplicate identifiers"};
    for (int c = 0; c < W_KINDS; c++)
        if (r->warned[c] > GM_WARN_LIMIT)
            gm_log(r->ctx, GM_LOG_WARNING, "%s: %zu more %s not listed", r->source,
                   r->warned[c] - GM_WARN_LIMIT, what[c]);
}

/* A feature's label for messages: "mines.shp (layer mines) feature 12 (mine_id C43...)" */
static void feature_label(reader *r, OGRFeatureH f, char *buf, size_t len)
{
    const char *id = NULL;
    if (r->idx[0] >= 0 && OGR_F_IsFieldSetAndNotNull(f, r->idx[0]))
        id = OGR_F_GetFieldAsString(f, r->idx[0]);
    if (id && *id)
        snprintf(buf, len, "%s (layer %s) feature %lld (%s %s)", r->source, r->layer_name,
                 (long long)OGR_F_GetFID(f), gm_field_canonical(r->kind, 0), id);
    else
        snprintf(buf, len, "%s (layer %s) feature %lld", r->source, r->layer_name,
                 (long long)OGR_F_GetFID(f));
}

static char *field_text(reader *r, OGRFeatureH f, int canonical)
{
    int at = r->idx[canonical];
    if (at < 0 || !OGR_F_IsFieldSetAndNotNull(f, at)) return NULL;
    return gm_strdup(OGR_F_GetFieldAsString(f, at));
}

static const char *field_ref(reader *r, OGRFeatureH f, int canonical)
{
    int at = r->idx[canonical];
    if (at < 0 || !OGR_F_IsFieldSetAndNotNull(f, at)) return NULL;
    return OGR_F_GetFieldAsString(f, at);
}

/* Parses a vocabulary value, warning (not failing) when it is not recognised:
 * one odd value must not stop a province's analysis, but it must be seen. */
#define PARSE_VALUE(r, s, canonical, parser, out)                                                  \
    do {                                                                                           \
        const char *text_ = field_ref(r, (s)->f, canonical);                                       \
        if (parser(text_, out) != GM_OK)                                                           \
            slot_warn(s, W_VALUE, "%s: %s '%s' not recognised; treated as unknown", label(s),      \
                      gm_field_canonical((r)->kind, canonical), text_);                            \
    } while (0)

static int grow(reader *r, void **array, size_t elem)
{
    if (r->n < r->cap) return GM_OK;
    size_t cap = r->cap ? r->cap * 2 : 256;
    void *p = realloc(*array, cap * elem);
    if (!p) return gm_error(r->ctx, GM_ERR_NOMEM, "out of memory reading %s", r->source);
    memset((char *)p + r->cap * elem, 0, (cap - r->cap) * elem);
    *array = p;
    r->cap = cap;
    return GM_OK;
}

static const char *geometry_kind(OGRwkbGeometryType t)
{
    switch (wkbFlatten(t)) {
    case wkbPoint:
    case wkbMultiPoint:
        return "points";
    case wkbLineString:
    case wkbMultiLineString:
    case wkbCircularString:
    case wkbCompoundCurve:
    case wkbMultiCurve:
        return "lines";
    default:
        return NULL;
    }
}

/* What one worker needs to convert geometries: its own GEOS handle, WKB
 * reader and coordinate transformation (neither is safe to share). */
typedef struct converter {
    GEOSContextHandle_t h;
    GEOSWKBReader *wkb;
    OGRCoordinateTransformationH ct;
    const char *geos_msg; /* the last GEOS message on h */
    gm_decoder *dec;      /* a raw shapefile's decoder (reader.decode), or NULL */
    /* a simple polygon's ring on its way (convert_ring): as read and transformed
     * (x, y, z, ok: cap points), x y interleaved (xy), densified (dense), where
     * each corner went in it (at) */
    double *x, *y, *z, *xy, *dense, *sag;
    unsigned char *chord; /* the edges left straight (reach.h) */
    int *ok;
    size_t *at;
    size_t cap, cap_dense;
} converter;

static void converter_free_buffers(converter *c)
{
    free(c->x), free(c->y), free(c->z), free(c->xy), free(c->dense), free(c->ok), free(c->at),
        free(c->sag), free(c->chord);
}

static int converter_reserve(converter *c, size_t n)
{
    if (n <= c->cap) return 0;
    size_t cap = n > 2 * c->cap ? n : 2 * c->cap;
    converter_free_buffers(c);
    c->dense = NULL, c->cap_dense = 0;
    c->x = malloc(cap * sizeof *c->x), c->y = malloc(cap * sizeof *c->y);
    c->z = calloc(cap, sizeof *c->z), c->xy = malloc(2 * cap * sizeof *c->xy);
    c->ok = malloc(cap * sizeof *c->ok), c->at = malloc(cap * sizeof *c->at);
    c->sag = malloc(cap * sizeof *c->sag), c->chord = malloc(cap);
    c->cap = c->x && c->y && c->z && c->xy && c->ok && c->at && c->sag && c->chord ? cap : 0;
    return c->cap ? 0 : -1;
}

/* A warning found on a worker, said by the reader in input order. */
typedef struct note {
    int category;
    char *text;
} note;
#define GM_SLOT_NOTES 8

/* One feature of a batch: converted and parsed on a worker (which then frees
 * the feature), consumed in order by the reader. */
typedef struct slot {
    OGRFeatureH f;
    reader *r; /* for its label */
    GEOSGeometry *geom;
    unsigned flags;
    int dropped;     /* a parcel that cannot count: its record keeps no geometry */
    int rc;          /* GM_OK, or the input error stated in msg */
    char why[256];   /* why the geometry was repaired, and where */
    char label[600]; /* made on first use (label()): most features need none */
    char msg[1024];
    union {
        gm_mine mine;
        gm_redline redline;
        gm_parcel parcel;
        gm_zone zone;
    } rec;
    note notes[GM_SLOT_NOTES];
    int n_notes;
} slot;

/* The feature's label for a message, while the slot holds the feature. */
static const char *label(slot *s)
{
    if (!s->label[0]) feature_label(s->r, s->f, s->label, sizeof s->label);
    return s->label;
}

static int slot_error(slot *s, int code, const char *fmt, const char *detail)
{
    snprintf(s->msg, sizeof s->msg, fmt, label(s), detail);
    return s->rc = code;
}

static void slot_warn(slot *s, int category, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void slot_warn(slot *s, int category, const char *fmt, ...)
{
    if (s->n_notes == GM_SLOT_NOTES) return;
    char buf[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    s->notes[s->n_notes++] = (note){category, gm_strdup(buf)};
}

/* 1 when a vertex of g is NaN or infinite (json-c reads NaN, a shapefile can
 * hold one): such a vertex is never data, and MakeValid would quietly drop
 * it. *at receives the vertex's position in g's vertex order. */
static int has_non_finite(OGRGeometryH g, int *at)
{
    int parts = OGR_G_GetGeometryCount(g);
    if (parts > 0) {
        for (int i = 0; i < parts; i++)
            if (has_non_finite(OGR_G_GetGeometryRef(g, i), at)) return 1;
        return 0;
    }
    int n = OGR_G_GetPointCount(g);
    for (int i = 0; i < n; i++, (*at)++)
        if (!isfinite(OGR_G_GetX(g, i)) || !isfinite(OGR_G_GetY(g, i))) return 1;
    return 0;
}

/* The common feature -- a polygon of one ring -- at the cost of reading: its
 * coordinates are taken from OGR once into this worker's buffers, transformed
 * there in one call (what OGR_G_Transform does, without its copies), proven
 * simple (core/simple.h) and densified (gm_densify_ring_xy) in place, and
 * handed to GEOS once, as the finished ring: no WKB, no GEOS geometry made only
 * to be copied out again. Whatever is not plainly that -- holes, parts, a
 * non-finite or untransformable vertex, an open ring, a place outside China, a
 * ring not proven simple, before or after densification, no memory -- returns
 * 0 with g untouched, and goes the general way below, which says what is wrong
 * or repairs it; so the result is the same either way. 1: done (s->geom). */
static int convert_ring(converter *c, slot *s, OGRGeometryH g)
{
    if (wkbFlatten(OGR_G_GetGeometryType(g)) != wkbPolygon || OGR_G_GetGeometryCount(g) != 1)
        return 0;
    OGRGeometryH ring = OGR_G_GetGeometryRef(g, 0);
    int n = ring ? OGR_G_GetPointCount(ring) : 0;
    if (n < 4 || converter_reserve(c, (size_t)n) != 0) return 0;
    OGR_G_GetPoints(ring, c->x, sizeof *c->x, c->y, sizeof *c->y, NULL, 0);
    for (int i = 0; i < n; i++)
        if (!isfinite(c->x[i]) || !isfinite(c->y[i])) return 0;
    /* OGRSimpleCurve::transform's call: z 0 for a 2D ring, every point must pass */
    memset(c->z, 0, (size_t)n * sizeof *c->z);
    OCTTransformEx(c->ct, n, c->x, c->y, c->z, c->ok);
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (int i = 0; i < n; i++) {
        if (!c->ok[i]) return 0;
        double x = c->x[i], y = c->y[i];
        x0 = x < x0 ? x : x0, x1 = x > x1 ? x : x1, y0 = y < y0 ? y : y0, y1 = y > y1 ? y : y1;
        c->xy[2 * i] = x, c->xy[2 * i + 1] = y;
    }
    if (!gm_in_china(x0, y0, x1, y1) || !gm_ring_surely_simple(c->xy, (size_t)n)) return 0;
    const double *done = c->xy;
    size_t used = (size_t)n;
    /* a red line simple with any of its edges straight or geodesic: points
     * only on the edges a mine can reach (reach.c) */
    int proven = 0;
    if (s->r->reach && !s->dropped) {
        gm_densify_ring_sags(c->xy, (size_t)n, GM_DENSIFY_M, c->sag);
        if (gm_sparse_ring_surely_simple(c->xy, (size_t)n, c->sag)) {
            gm_reach_chords(s->r->reach, c->xy, (size_t)n, c->sag, c->chord);
            used = gm_densify_ring_xy_some(c->xy, (size_t)n, GM_DENSIFY_M, c->chord, &c->dense,
                                           &c->cap_dense, c->at);
            if (used == 0) return 0;
            if (used != (size_t)n) done = c->dense;
            proven = 1;
        }
    }
    if (!s->dropped && !proven) { /* one that cannot count is checked, not densified */
        used =
            gm_densify_ring_xy_at(c->xy, (size_t)n, GM_DENSIFY_M, &c->dense, &c->cap_dense, c->at);
        if (used == 0) return 0;
        if (used != (size_t)n) done = c->dense;
    }
    s->geom = NULL, s->flags = 0, s->why[0] = '\0';
    if (s->dropped) return 1; /* proven valid: its geometry would be dropped anyway */
    GEOSContextHandle_t h = c->h;
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromBuffer_r(h, done, (unsigned)used, 0, 0);
    GEOSGeometry *shell = seq ? GEOSGeom_createLinearRing_r(h, seq) : NULL;
    s->geom = shell ? GEOSGeom_createPolygon_r(h, shell, NULL, 0) : NULL;
    if (!s->geom && shell) GEOSGeom_destroy_r(h, shell);
    /* densified: proven from its edges' chains, or again point by point, or
     * (over GRID_MAX edges) judged by GEOS, as gm_densify_revalidate does; one
     * that is not valid goes the general way */
    if (s->geom && done == c->dense && !proven &&
        !gm_densified_ring_surely_simple(done, used, c->at, (size_t)n - 1) &&
        !gm_ring_surely_simple(done, used) && GEOSisValid_r(h, s->geom) != 1) {
        GEOSGeom_destroy_r(h, s->geom);
        s->geom = NULL;
    }
    return s->geom != NULL;
}

/* OGR geometry (borrowed) -> normalised GEOS geometry in lon/lat in s->geom, or
 * NULL with s->flags saying why. Touches only s, r's read-only fields and c, so
 * features convert on any worker. Returns GM_OK or an input error (in s->msg). */
static int convert_geometry(reader *r, converter *c, slot *s)
{
    GEOSContextHandle_t h = c->h;
    OGRFeatureH f = s->f;
    s->geom = NULL;
    s->flags = 0;
    s->rc = GM_OK;
    OGRGeometryH src = OGR_F_GetGeometryRef(f);
    if (!src || OGR_G_IsEmpty(src)) {
        s->flags = GM_NORM_EMPTY;
        return GM_OK;
    }
    const char *src_type = OGR_G_GetGeometryName(src); /* a static string */
    /* the feature is read once: take its geometry rather than copy it */
    OGRGeometryH g = OGR_G_HasCurveGeometry(src, TRUE)
                         ? OGR_G_GetLinearGeometry(src, GM_ARC_STEP_DEG, NULL)
                         : OGR_F_StealGeometry(f);
    if (!g) {
        snprintf(s->msg, sizeof s->msg, "out of memory reading %s", r->source);
        return s->rc = GM_ERR_NOMEM;
    }
    OGR_G_FlattenTo2D(g);
    if (convert_ring(c, s, g)) {
        OGR_G_DestroyGeometry(g);
        return GM_OK;
    }
    int vertex = 0;
    if (has_non_finite(g, &vertex)) {
        OGR_G_DestroyGeometry(g);
        snprintf(s->msg, sizeof s->msg,
                 "%s: vertex %d has a NaN or infinite coordinate (not data: fix or delete the "
                 "feature)",
                 label(s), vertex + 1);
        return s->rc = GM_ERR_GEOMETRY;
    }
    if (OGR_G_Transform(g, c->ct) != OGRERR_NONE) {
        OGR_G_DestroyGeometry(g);
        return slot_error(s, GM_ERR_CRS, "%s: coordinates cannot be transformed to CGCS2000 (%s)",
                          "outside the CRS's area of use?");
    }
    OGREnvelope env;
    OGR_G_GetEnvelope(g, &env);
    if (!gm_in_china(env.MinX, env.MinY, env.MaxX, env.MaxY)) {
        OGR_G_DestroyGeometry(g);
        snprintf(s->msg, sizeof s->msg,
                 "%s: lies at lon %.4f..%.4f, lat %.4f..%.4f after transformation from %s, "
                 "outside China: wrong CRS, or X and Y swapped?",
                 label(s), env.MinX, env.MaxX, env.MinY, env.MaxY, r->in->crs[r->kind]);
        return s->rc = GM_ERR_GEOMETRY;
    }
    size_t size = (size_t)OGR_G_WkbSize(g);
    unsigned char *wkb = malloc(size ? size : 1);
    if (!wkb) {
        OGR_G_DestroyGeometry(g);
        snprintf(s->msg, sizeof s->msg, "out of memory reading %s", r->source);
        return s->rc = GM_ERR_NOMEM;
    }
    OGR_G_ExportToIsoWkb(g, wkbNDR, wkb);
    OGR_G_DestroyGeometry(g);
    GEOSGeometry *geos = GEOSWKBReader_read_r(h, c->wkb, wkb, size);
    free(wkb);
    if (!geos) return slot_error(s, GM_ERR_GEOMETRY, "%s: unreadable geometry (%s)", c->geos_msg);
    if (gm_normalise_polygonal_why(h, geos, &s->geom, &s->flags, s->why, sizeof s->why) != 0)
        return slot_error(s, GM_ERR_GEOMETRY, "%s: geometry cannot be repaired (%s)", c->geos_msg);
    if (s->flags & GM_NORM_EMPTY) {
        /* the source had vertices, yet no area is left (two distinct points, all
         * collinear, ...): a geometry that cannot be used counts nowhere, so the
         * run is refused rather than the feature counted without a shape */
        snprintf(s->msg, sizeof s->msg,
                 "%s: degenerate geometry (%s): it has no area; fix or delete the feature",
                 label(s), s->why[0] ? s->why : "collapses to nothing when made valid");
        return s->rc = GM_ERR_GEOMETRY;
    }
    if (s->flags & GM_NORM_NOT_POLYGONAL) {
        if (s->geom) GEOSGeom_destroy_r(h, s->geom);
        s->geom = NULL;
        snprintf(s->msg, sizeof s->msg, "%s: a %s where %s polygons belong", label(s), src_type,
                 gm_layer_kind_name(r->kind));
        return s->rc = GM_ERR_GEOMETRY;
    }
    if (s->geom && !s->dropped && gm_densify_revalidate(h, &s->geom, &s->flags) != 0) {
        if (s->geom) GEOSGeom_destroy_r(h, s->geom);
        s->geom = NULL;
        return slot_error(s, GM_ERR_GEOMETRY, "%s: geometry cannot be densified (%s)", c->geos_msg);
    }
    return GM_OK;
}

/* ---- one record per layer kind ------------------------------------------
 * Parsed on the worker into the slot (field values, ids copied), warnings
 * kept as notes; the reader appends the record and says the notes in order. */

static void parse_mine(reader *r, slot *s)
{
    OGRFeatureH f = s->f;
    gm_mine *m = &s->rec.mine;
    m->mine_id = field_text(r, f, GM_F_MINE_ID);
    if (!m->mine_id && r->lenient) { /* no id field: the feature names itself */
        char id[320];
        snprintf(id, sizeof id, "%s.%lld", r->layer_name, (long long)OGR_F_GetFID(f));
        m->mine_id = gm_strdup(id);
    }
    m->name = field_text(r, f, GM_F_MINE_NAME);
    m->mineral = field_text(r, f, GM_F_MINERAL);
    PARSE_VALUE(r, s, GM_F_INDUSTRY, gm_parse_industry, &m->industry);
    PARSE_VALUE(r, s, GM_F_SCALE, gm_parse_scale, &m->scale);
    PARSE_VALUE(r, s, GM_F_MINE_STATUS, gm_parse_mine_status, &m->status);
    PARSE_VALUE(r, s, GM_F_GREEN, gm_parse_flag, &m->green);
}

static void parse_redline(reader *r, slot *s)
{
    gm_redline *x = &s->rec.redline;
    x->redline_id = field_text(r, s->f, GM_F_REDLINE_ID);
    x->name = field_text(r, s->f, GM_F_REDLINE_NAME);
    x->category = field_text(r, s->f, GM_F_CATEGORY);
}

static void parse_parcel(reader *r, slot *s)
{
    gm_parcel *p = &s->rec.parcel;
    p->parcel_id = field_text(r, s->f, GM_F_PARCEL_ID);
    PARSE_VALUE(r, s, GM_F_KIND, gm_parse_parcel_kind, &p->kind);
    PARSE_VALUE(r, s, GM_F_PARCEL_STATUS, gm_parse_parcel_status, &p->status);
    PARSE_VALUE(r, s, GM_F_LEGACY, gm_parse_flag, &p->legacy);
    const char *date = field_ref(r, s->f, GM_F_COMPLETED_ON);
    if (gm_parse_date(date, &p->completed_on) != GM_OK)
        slot_warn(s, W_DATE, "%s: completed_on '%s' is not a date (YYYY-MM-DD); treated as no date",
                  label(s), date);
    if (p->status == GM_PARCEL_COMPLETED && p->completed_on == 0)
        slot_warn(s, W_UNDATED, "%s: completed but without a completion date: not counted",
                  label(s));
    /* one that can count nowhere keeps no geometry (checked, never densified) */
    s->dropped = r->keep_parcel && !r->keep_parcel(p, r->keep_user);
}

/* A zone's own target in hectares: a number >= 0, else 0 (none) with a warning. */
static double zone_target(reader *r, slot *s, int canonical)
{
    const char *text = field_ref(r, s->f, canonical);
    if (!text || !*text) return 0.0;
    char *end;
    double v = strtod(text, &end);
    while (*end == ' ')
        end++;
    if (end == text || *end || !(v >= 0.0)) {
        slot_warn(s, W_VALUE, "%s: %s '%s' is not a number of hectares; no target", label(s),
                  gm_field_canonical(r->kind, (size_t)canonical), text);
        return 0.0;
    }
    return v;
}

static void parse_zone(reader *r, slot *s)
{
    gm_zone *z = &s->rec.zone;
    z->zone_id = field_text(r, s->f, GM_F_ZONE_ID);
    z->name = field_text(r, s->f, GM_F_ZONE_NAME);
    if (!z->zone_id) /* zone_id is optional: the name identifies a zone too */
        z->zone_id = gm_strdup(z->name ? z->name : "");
    z->target_ha[0] = zone_target(r, s, GM_F_ZONE_RESTORATION_TARGET);
    z->target_ha[1] = zone_target(r, s, GM_F_ZONE_RECLAMATION_TARGET);
}

static void parse_record(reader *r, slot *s)
{
    long fid = (long)OGR_F_GetFID(s->f);
    switch (r->kind) {
    case GM_LAYER_MINES:
        parse_mine(r, s), s->rec.mine.fid = fid;
        break;
    case GM_LAYER_REDLINES:
        parse_redline(r, s), s->rec.redline.fid = fid;
        break;
    case GM_LAYER_PARCELS:
        parse_parcel(r, s), s->rec.parcel.fid = fid;
        break;
    case GM_LAYER_ZONES:
        parse_zone(r, s), s->rec.zone.fid = fid;
        break;
    }
}

/* Every text field the layer maps must be UTF-8 once decoded by the source's
 * declared encoding (GeoJSON and GeoPackage are UTF-8 by definition): bytes
 * that are not would reach every output as they are, so the feature is
 * refused, naming the field and the first such byte. A shapefile read as
 * stored (r->decode) is decoded here, strictly, and its values put back into
 * the feature as UTF-8 (GDAL's own recoding would have dropped such bytes
 * without a word); the label is then made again from the decoded id. */
static int check_text(reader *r, converter *c, slot *s)
{
    OGRFeatureDefnH defn = OGR_F_GetDefnRef(s->f);
    int raw = r->decode[0] != '\0';
    for (size_t k = 0; k < GM_MAX_FIELDS && gm_field_canonical(r->kind, k); k++) {
        int at = r->idx[k];
        if (at < 0 || !OGR_F_IsFieldSetAndNotNull(s->f, at)) continue;
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, at);
        if (OGR_Fld_GetType(fd) != OFTString) continue; /* numbers and dates are ASCII */
        const char *text = OGR_F_GetFieldAsString(s->f, at);
        size_t bad;
        char *utf8 = raw ? gm_decoder_decode(c->dec, text, strlen(text), &bad) : NULL;
        if (raw ? utf8 != NULL : gm_utf8_valid(text, strlen(text), &bad)) {
            if (utf8) OGR_F_SetFieldString(s->f, at, utf8);
            free(utf8);
            continue;
        }
        char *shown = gm_term_escape(text), source[160] = "";
        if (!raw) /* a raw shapefile's column name is in its encoding: not shown */
            snprintf(source, sizeof source, " (%s)", OGR_Fld_GetNameRef(fd));
        /* (a long label may cut the message's end: the return value says so) */
        int len =
            snprintf(s->msg, sizeof s->msg,
                     "%s: field %s%s is not valid text in its declared encoding%s%s: byte %zu of "
                     "'%.200s' does not decode (%s)",
                     label(s), gm_field_canonical(r->kind, k), source, raw ? " " : "", r->decode,
                     bad + 1, shown ? shown : "?",
                     raw ? "fix the value, or give the right --encoding"
                         : "re-save it as UTF-8, or give --encoding");
        (void)len;
        free(shown);
        return s->rc = bad == (size_t)-1 ? GM_ERR_NOMEM : GM_ERR_FIELD;
    }
    if (raw) feature_label(r, s->f, s->label, sizeof s->label);
    return GM_OK;
}

/* Frees what a slot holds that no record took. */
static void slot_clear(GEOSContextHandle_t h, gm_layer_kind kind, slot *s)
{
    if (s->geom) GEOSGeom_destroy_r(h, s->geom);
    s->geom = NULL;
    switch (kind) {
    case GM_LAYER_MINES:
        free(s->rec.mine.mine_id), free(s->rec.mine.name), free(s->rec.mine.mineral);
        break;
    case GM_LAYER_REDLINES:
        free(s->rec.redline.redline_id), free(s->rec.redline.name);
        free(s->rec.redline.category);
        break;
    case GM_LAYER_PARCELS:
        free(s->rec.parcel.parcel_id);
        break;
    case GM_LAYER_ZONES:
        free(s->rec.zone.zone_id), free(s->rec.zone.name);
        break;
    }
    memset(&s->rec, 0, sizeof s->rec);
    for (int k = 0; k < s->n_notes; k++)
        free(s->notes[k].text);
    s->n_notes = 0;
    if (s->f) OGR_F_Destroy(s->f);
    s->f = NULL;
}

/* Features are read in batches by this thread (OGR drivers are not
 * thread-safe), converted and parsed on the pool's workers, then recorded
 * here in input order, so warnings, errors and records are the same for any
 * number of threads. */
#define GM_LOAD_BATCH 512

typedef struct batch {
    reader *r;
    slot *slots;
    converter *conv; /* one per worker */
} batch;

static int convert_task(gm_worker *w, size_t i, void *user)
{
    batch *b = user;
    converter *c = &b->conv[w->id];
    slot *s = &b->slots[i];
    c->geos_msg = w->errmsg;
    s->dropped = 0, s->n_notes = 0, s->rc = GM_OK;
    memset(&s->rec, 0, sizeof s->rec);
    s->r = b->r, s->label[0] = '\0';
    if (b->r->decode[0]) /* made before check_text decodes the fields, as its message says */
        label(s);
    CPLPushErrorHandler(CPLQuietErrorHandler); /* per thread: errors are reported by slot */
    if (check_text(b->r, c, s) == GM_OK) {
        parse_record(b->r, s);        /* first: a dropped parcel is not densified */
        convert_geometry(b->r, c, s); /* an input error stays in the slot */
    }
    CPLPopErrorHandler();
    if (s->flags & (GM_NORM_REPAIRED | GM_NORM_DROPPED_PARTS | GM_NORM_EMPTY))
        label(s);                /* record() says so, after the feature is gone */
    if (s->dropped && s->geom) { /* it can count nowhere: do not hold it */
        GEOSGeom_destroy_r(c->h, s->geom);
        s->geom = NULL;
    }
    OGR_F_Destroy(s->f); /* here, not on the reader's thread */
    s->f = NULL;
    return GM_OK;
}

/* The identifier a record is known by (NULL: none). */
static const char *record_id(gm_layer_kind kind, const slot *s)
{
    switch (kind) {
    case GM_LAYER_MINES:
        return s->rec.mine.mine_id;
    case GM_LAYER_REDLINES:
        return s->rec.redline.redline_id;
    case GM_LAYER_PARCELS:
        return s->rec.parcel.parcel_id;
    case GM_LAYER_ZONES:
        return s->rec.zone.zone_id;
    }
    return NULL;
}

/* Every per-feature figure (the registry, the report, the QGIS join) is keyed
 * by the identifier: a second feature with the same one is refused, naming
 * both, unless duplicates are allowed -- then both stay, with a warning. */
static int check_duplicate(reader *r, slot *s)
{
    const char *id = record_id(r->kind, s);
    if (!id || !*id) return GM_OK; /* no identifier: nothing to confuse */
    long first = 0;
    long fid = r->kind == GM_LAYER_MINES      ? s->rec.mine.fid
               : r->kind == GM_LAYER_REDLINES ? s->rec.redline.fid
               : r->kind == GM_LAYER_PARCELS  ? s->rec.parcel.fid
                                              : s->rec.zone.fid;
    int seen = 0;
    if (idset_add(&r->ids, id, fid, &seen, &first) != GM_OK)
        return gm_error(r->ctx, GM_ERR_NOMEM, "out of memory reading %s", r->source);
    if (!seen) return GM_OK;
    const char *field = gm_field_canonical(r->kind, 0);
    if (r->allow_duplicates) {
        warn(r, W_DUPLICATE, "%s (layer %s): features %ld and %ld have the same %s '%s'; both kept",
             r->source, r->layer_name, first, fid, field, id);
        return GM_OK;
    }
    return gm_error(r->ctx, GM_ERR_FIELD,
                    "%s (layer %s): features %ld and %ld have the same %s '%s' (an identifier "
                    "must be unique; --allow-duplicate-ids keeps both)",
                    r->source, r->layer_name, first, fid, field, id);
}

/* Records slot s (its geometry and record pass to the inputs); GM_OK or an
 * error set on ctx. */
static int record(reader *r, slot *s)
{
    if (s->rc != GM_OK) return gm_error(r->ctx, s->rc, "%s", s->msg);
    unsigned flags = s->flags;
    if (flags & GM_NORM_REPAIRED) {
        r->in->repaired[r->kind]++;
        warn(r, W_REPAIRED,
             "%s: invalid geometry (%s, lon/lat) repaired (GEOS MakeValid, structure)", s->label,
             s->why);
    }
    if (flags & GM_NORM_DROPPED_PARTS)
        warn(r, W_DROPPED, "%s: point/line parts of a collection ignored", s->label);
    if (flags & GM_NORM_EMPTY) {
        r->in->empty[r->kind]++;
        warn(r, W_EMPTY, "%s: empty geometry %s", s->label,
             r->kind == GM_LAYER_MINES ? "(still counted as a mine)" : "skipped");
    }
    r->in->features[r->kind]++;
    if (r->kind != GM_LAYER_MINES && (flags & GM_NORM_EMPTY))
        return GM_OK; /* skipped, said above; slot_clear frees its record */
    int rc = check_duplicate(r, s);
    if (rc != GM_OK) return rc;
    void **array = r->kind == GM_LAYER_MINES      ? (void **)&r->in->mines
                   : r->kind == GM_LAYER_REDLINES ? (void **)&r->in->redlines
                   : r->kind == GM_LAYER_PARCELS  ? (void **)&r->in->parcels
                                                  : (void **)&r->in->zones;
    size_t size = r->kind == GM_LAYER_MINES      ? sizeof(gm_mine)
                  : r->kind == GM_LAYER_REDLINES ? sizeof(gm_redline)
                  : r->kind == GM_LAYER_PARCELS  ? sizeof(gm_parcel)
                                                 : sizeof(gm_zone);
    if (grow(r, array, size) != GM_OK) return GM_ERR_NOMEM;
    switch (r->kind) {
    case GM_LAYER_MINES:
        s->rec.mine.geom = s->geom;
        break;
    case GM_LAYER_REDLINES:
        s->rec.redline.geom = s->geom;
        break;
    case GM_LAYER_PARCELS:
        s->rec.parcel.geom = s->geom;
        break;
    case GM_LAYER_ZONES:
        s->rec.zone.geom = s->geom;
        break;
    }
    memcpy((char *)*array + r->n++ * size, &s->rec, size);
    memset(&s->rec, 0, sizeof s->rec);
    s->geom = NULL;
    for (int k = 0; k < s->n_notes; k++)
        if (s->notes[k].text) warn(r, s->notes[k].category, "%s", s->notes[k].text);
    return GM_OK;
}

/* Reads up to GM_LOAD_BATCH features into slots; returns how many. */
static size_t read_batch(reader *r, slot *slots)
{
    size_t n = 0;
    OGRFeatureH f;
    while (n < GM_LOAD_BATCH && (f = OGR_L_GetNextFeature(r->layer)) != NULL)
        slots[n++].f = f;
    return n;
}

/* Records a converted batch in order and frees what is left of it. */
static int record_batch(reader *r, slot *slots, size_t n, int rc)
{
    for (size_t i = 0; i < n; i++) {
        if (rc == GM_OK) rc = record(r, &slots[i]);
        slot_clear(r->ctx->geos, r->kind, &slots[i]);
    }
    return rc;
}

static int read_features(reader *r)
{
    GIntBig total = OGR_L_GetFeatureCount(r->layer, FALSE);
    size_t step = total > 200 ? (size_t)total / 200 : 1, done = 0, next_report = step;
    char stage[64];
    snprintf(stage, sizeof stage, "loading %s", gm_layer_kind_name(r->kind));
    gm_pool *pool = NULL;
    /* two batches: the workers convert one while this thread reads the next */
    batch b[2] = {{.r = r}, {.r = r}};
    converter *conv = NULL;
    int rc = gm_pool_new(r->ctx, &pool);
    int nw = pool ? gm_pool_size(pool) : 0;
    if (rc == GM_OK) {
        b[0].slots = calloc(GM_LOAD_BATCH, sizeof *b[0].slots);
        b[1].slots = calloc(GM_LOAD_BATCH, sizeof *b[1].slots);
        b[0].conv = b[1].conv = conv = calloc((size_t)nw, sizeof *conv);
        if (!b[0].slots || !b[1].slots || !conv)
            rc = gm_error(r->ctx, GM_ERR_NOMEM, "out of memory");
    }
    for (int t = 0; rc == GM_OK && t < nw; t++) {
        conv[t].h = gm_pool_worker_geos(pool, t);
        conv[t].wkb = GEOSWKBReader_create_r(conv[t].h);
        conv[t].ct = OCTClone(r->ct);
        conv[t].dec = r->decode[0] ? gm_decoder_open(r->decode) : NULL;
        if (!conv[t].wkb || !conv[t].ct || (r->decode[0] && !conv[t].dec))
            rc = gm_error(r->ctx, GM_ERR_NOMEM, "cannot set up a reader for %s", r->source);
    }
    OGR_L_ResetReading(r->layer);
    size_t n = rc == GM_OK ? read_batch(r, b[0].slots) : 0;
    int cur = 0;
    if (n) rc = gm_pool_start(pool, n, convert_task, &b[cur]);
    while (rc == GM_OK && n) {
        size_t next = read_batch(r, b[!cur].slots); /* while the workers convert */
        rc = gm_pool_wait(pool);
        if (rc == GM_OK && next) rc = gm_pool_start(pool, next, convert_task, &b[!cur]);
        rc = record_batch(r, b[cur].slots, n, rc);
        done += n;
        if (done >= next_report) {
            gm_progress(r->ctx, stage, done, total > 0 ? (size_t)total : 0);
            next_report = done + step;
        }
        if (rc != GM_OK && next) { /* stop: let the started loop end, free its batch */
            gm_pool_wait(pool);
            record_batch(r, b[!cur].slots, next, rc);
            next = 0;
        }
        cur = !cur;
        n = next;
    }
    for (int t = 0; conv && t < nw; t++) {
        if (conv[t].wkb) GEOSWKBReader_destroy_r(conv[t].h, conv[t].wkb);
        if (conv[t].ct) OCTDestroyCoordinateTransformation(conv[t].ct);
        gm_decoder_close(conv[t].dec);
        converter_free_buffers(&conv[t]);
    }
    free(conv);
    free(b[0].slots);
    free(b[1].slots);
    gm_pool_free(pool);
    if (rc == GM_OK && CPLGetLastErrorType() == CE_Failure && CPLGetLastErrorMsg()[0])
        rc = gm_error(r->ctx, GM_ERR_OPEN, "%s (layer %s): read error: %s", r->source,
                      r->layer_name, CPLGetLastErrorMsg());
    switch (r->kind) {
    case GM_LAYER_MINES:
        r->in->n_mines = r->n;
        break;
    case GM_LAYER_REDLINES:
        r->in->n_redlines = r->n;
        break;
    case GM_LAYER_PARCELS:
        r->in->n_parcels = r->n;
        break;
    case GM_LAYER_ZONES:
        r->in->n_zones = r->n;
        break;
    }
    gm_progress(r->ctx, stage, done, done);
    warn_summary(r);
    if (rc == GM_OK && done == 0) /* filtered: none near, which is no fault of the layer */
        gm_log(r->ctx, r->filtered ? GM_LOG_DEBUG : GM_LOG_WARNING, "%s (layer %s): no features%s",
               r->source, r->layer_name, r->filtered ? " near the applications" : "");
    return rc;
}

/* ---- layer, fields, CRS ------------------------------------------------- */

static OGRLayerH pick_layer(gm_context *ctx, GDALDatasetH ds, const char *path, const char *want,
                            gm_layer_kind kind)
{
    if (want[0]) {
        OGRLayerH l = GDALDatasetGetLayerByName(ds, want);
        if (!l) gm_error(ctx, GM_ERR_OPEN, "%s: no layer named '%s'", path, want);
        return l;
    }
    int n = GDALDatasetGetLayerCount(ds);
    if (n == 1) return GDALDatasetGetLayer(ds, 0);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, gm_layer_kind_name(kind));
    if (l) return l;
    char names[512] = "";
    size_t used = 0;
    for (int i = 0; i < n && used + 1 < sizeof names; i++) {
        int w = snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
                         OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
        if (w > 0) used += (size_t)w;
    }
    if (n == 0)
        gm_error(ctx, GM_ERR_OPEN, "%s: no vector layer in it", path);
    else
        gm_error(ctx, GM_ERR_OPEN,
                 "%s: %d layers and none named '%s'; say which with PATH:LAYER (layers: %s)", path,
                 n, gm_layer_kind_name(kind), names);
    return NULL;
}

static int resolve_fields(gm_context *ctx, reader *r, const gm_load_options *opts)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(r->layer);
    int n = OGR_FD_GetFieldCount(defn);
    const char **names = calloc((size_t)(n > 0 ? n : 1), sizeof *names);
    if (!names) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    char **decoded = r->decode[0] ? calloc((size_t)(n > 0 ? n : 1), sizeof *decoded) : NULL;
    for (int i = 0; i < n; i++) {
        names[i] = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
        size_t bad;
        /* a raw shapefile's column names are in its encoding too (矿山名称 in GBK);
         * one that does not decode keeps its bytes and matches no alias */
        if (decoded && (decoded[i] = gm_text_decode(r->decode, names[i], strlen(names[i]), &bad)))
            names[i] = decoded[i];
    }
    int rc = gm_fields_resolve_ex(ctx, r->kind, names, (size_t)n, opts ? opts->fields : NULL,
                                  opts ? opts->n_fields : 0, r->lenient, r->idx);
    for (int i = 0; decoded && i < n; i++)
        free(decoded[i]);
    free(decoded);
    free(names);
    if (rc != GM_OK) return gm_error_prefix(ctx, "%s (layer %s): ", r->source, r->layer_name);
    return GM_OK;
}

static char *crs_label(OGRSpatialReferenceH srs)
{
    const char *auth = OSRGetAuthorityName(srs, NULL);
    const char *code = OSRGetAuthorityCode(srs, NULL);
    char buf[256];
    if (auth && code)
        snprintf(buf, sizeof buf, "%s:%s", auth, code);
    else
        snprintf(buf, sizeof buf, "%s", OSRGetName(srs) ? OSRGetName(srs) : "unnamed CRS");
    return gm_strdup(buf);
}

static int setup_transform(gm_context *ctx, reader *r)
{
    OGRSpatialReferenceH layer_srs = OGR_L_GetSpatialRef(r->layer);
    if (!layer_srs)
        return gm_error(ctx, GM_ERR_CRS,
                        "%s (layer %s): no CRS (a shapefile needs its .prj; other formats must "
                        "declare one)",
                        r->source, r->layer_name);
    r->in->crs[r->kind] = crs_label(layer_srs);
    /* Data are stored x = easting/longitude whatever the CRS's official axis
     * order (EPSG:4490 says latitude first): GIS order on both sides. */
    CPLErrorReset();
    r->ct = gm_crs_to_cgcs2000(layer_srs, 0);
    if (!r->ct)
        return gm_error(ctx, GM_ERR_CRS,
                        "%s (layer %s): PROJ cannot transform its CRS (%s) to CGCS2000: %s",
                        r->source, r->layer_name, r->in->crs[r->kind],
                        CPLGetLastErrorMsg()[0] ? CPLGetLastErrorMsg() : "unknown CRS");
    return GM_OK;
}

/* Restricts the layer to features that may meet the lon/lat box: its edges,
 * densified (a straight edge in lon/lat is curved in a projected CRS), are
 * transformed to the layer's CRS and their envelope becomes OGR's spatial
 * filter -- which a GeoPackage answers from its R-tree. */
static int set_bbox_filter(gm_context *ctx, reader *r, const double box[4])
{
    enum { STEPS = 16 };
    OGRCoordinateTransformationH ct = gm_crs_to_cgcs2000(OGR_L_GetSpatialRef(r->layer), 1);
    if (!ct)
        return gm_error(ctx, GM_ERR_CRS, "%s (layer %s): cannot transform a search box to its CRS",
                        r->source, r->layer_name);
    double x[4 * STEPS], y[4 * STEPS];
    int ok[4 * STEPS];
    for (int k = 0; k < STEPS; k++) {
        double t = (double)k / STEPS;
        double lon = box[0] + t * (box[2] - box[0]), lat = box[1] + t * (box[3] - box[1]);
        x[k] = lon, y[k] = box[1];                                             /* south edge */
        x[STEPS + k] = box[2] - (lon - box[0]), y[STEPS + k] = box[3];         /* north edge */
        x[2 * STEPS + k] = box[0], y[2 * STEPS + k] = lat;                     /* west edge */
        x[3 * STEPS + k] = box[2], y[3 * STEPS + k] = box[3] - (lat - box[1]); /* east edge */
    }
    int done = OCTTransformEx(ct, 4 * STEPS, x, y, NULL, ok);
    OCTDestroyCoordinateTransformation(ct);
    double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
    for (int k = 0; k < 4 * STEPS; k++) {
        if (!ok[k]) continue;
        x0 = x[k] < x0 ? x[k] : x0, x1 = x[k] > x1 ? x[k] : x1;
        y0 = y[k] < y0 ? y[k] : y0, y1 = y[k] > y1 ? y[k] : y1;
    }
    if (!done || x0 > x1) /* the box lies outside the CRS: read everything */
        return GM_OK;
    OGR_L_SetSpatialFilterRect(r->layer, x0, y0, x1, y1);
    return GM_OK;
}

typedef struct checksum_job {
    char **files; /* GDALGetFileList's */
    char *hex;    /* the result, or NULL */
} checksum_job;

static void *checksum_main(void *arg)
{
    checksum_job *j = arg;
    j->hex = gm_files_checksum(j->files);
    return NULL;
}

#define BY_FID(type)                                                                               \
    static int by_fid_##type(const void *a, const void *b)                                         \
    {                                                                                              \
        const type *x = a, *y = b;                                                                 \
        return x->fid < y->fid ? -1 : x->fid > y->fid;                                             \
    }
BY_FID(gm_redline)
BY_FID(gm_zone)
BY_FID(gm_mine)
#undef BY_FID

/* A database's spatial index hands the features near a box over in its own
 * order (a GeoPackage's R-tree, PostGIS's GiST), and its plain reads in
 * storage order; red lines, zones and mines from one are kept in FID order,
 * so `check` (which reads near the applications) and `serve` (which reads
 * everything) list the same red lines in the same order. */
static void fid_order(GDALDatasetH ds, gm_inputs *in, gm_layer_kind kind)
{
    GDALDriverH drv = GDALGetDatasetDriver(ds);
    const char *name = drv ? GDALGetDriverShortName(drv) : "";
    if (strcmp(name, "GPKG") != 0 && strcmp(name, "SQLite") != 0 && strcmp(name, "PostgreSQL") != 0)
        return;
    if (kind == GM_LAYER_REDLINES && in->n_redlines > 1)
        qsort(in->redlines, in->n_redlines, sizeof *in->redlines, by_fid_gm_redline);
    else if (kind == GM_LAYER_ZONES && in->n_zones > 1)
        qsort(in->zones, in->n_zones, sizeof *in->zones, by_fid_gm_zone);
    else if (kind == GM_LAYER_MINES && in->n_mines > 1)
        qsort(in->mines, in->n_mines, sizeof *in->mines, by_fid_gm_mine);
}

int gm_load_layer(gm_context *ctx, gm_inputs *in, gm_layer_kind kind, const char *source,
                  const gm_load_options *opts)
{
    gm_gdal_register();
    char path[4096], layer_name[256];
    gm_source_split(source, path, sizeof path, layer_name, sizeof layer_name);
    reader r = {.ctx = ctx,
                .in = in,
                .kind = kind,
                .source = source,
                .lenient = opts ? opts->lenient : 0,
                .allow_duplicates =
                    opts && (opts->lenient || (opts->allow_duplicate_ids & (1u << kind))),
                .keep_parcel = opts ? opts->keep_parcel_geometry : NULL,
                .keep_user = opts ? opts->keep_user : NULL};
    in->source[kind] = gm_strdup(source);
    /* the mines read before: where they can reach the red lines (none read: in full) */
    if (opts && opts->redlines_near_mines && kind == GM_LAYER_REDLINES &&
        in->source[GM_LAYER_MINES])
        r.reach = gm_reach_new(ctx->geos, in);

    GDALDatasetH ds = NULL;
    if (gm_source_open_raw(ctx, path, opts ? opts->encoding : NULL, r.decode, sizeof r.decode,
                           &ds) != GM_OK)
        return gm_error_prefix(ctx, "%s input ", gm_layer_kind_name(kind));
    int rc = GM_OK, summing = 0;
    checksum_job sum = {0};
    pthread_t sum_thread;
    r.layer = pick_layer(ctx, ds, path, layer_name, kind);
    if (!r.layer) {
        rc = GM_ERR_OPEN;
        goto done;
    }
    r.layer_name = OGR_L_GetName(r.layer);
    in->layer[kind] = gm_strdup(r.layer_name);
    const char *what = geometry_kind(OGR_L_GetGeomType(r.layer));
    if (what) {
        rc = gm_error(ctx, GM_ERR_GEOMETRY, "%s (layer %s): holds %s; %s must be polygons", source,
                      r.layer_name, what, gm_layer_kind_name(kind));
        goto done;
    }
    if ((rc = resolve_fields(ctx, &r, opts)) != GM_OK) goto done;
    if ((rc = setup_transform(ctx, &r)) != GM_OK) goto done;
    if (opts && opts->has_bbox && (rc = set_bbox_filter(ctx, &r, opts->bbox)) != GM_OK) goto done;
    r.filtered = opts && opts->has_bbox;
    /* the checksum (for the provenance) reads the files on its own thread meanwhile;
     * with --threads 1 after the features, on this one */
    sum.files = GDALGetFileList(ds);
    summing =
        gm_context_threads(ctx) > 1 && pthread_create(&sum_thread, NULL, checksum_main, &sum) == 0;
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    rc = read_features(&r);
    CPLPopErrorHandler();
    if (rc == GM_OK) fid_order(ds, in, kind);
    if (summing)
        pthread_join(sum_thread, NULL);
    else
        checksum_main(&sum);
    in->checksum[kind] = sum.hex;
    sum.hex = NULL;
done:
    gm_reach_free((gm_reach *)r.reach);
    free(r.ids.key), free(r.ids.fid);
    CSLDestroy(sum.files);
    free(sum.hex);
    if (r.ct) OCTDestroyCoordinateTransformation(r.ct);
    GDALClose(ds);
    return rc;
}
