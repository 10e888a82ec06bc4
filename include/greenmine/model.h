/*
 * greenmine/model.h -- the four input layers as the engine sees them, and the
 * parsing of their attribute values (Chinese or English, see the contract).
 *
 * Geometries are GEOS geometries in CGCS2000 geographic coordinates
 * (x = longitude, y = latitude, degrees), valid and polygonal, or NULL when the
 * source feature had no usable geometry. A gm_inputs owns every string and
 * geometry it holds; gm_inputs_free() releases them.
 */
#ifndef GREENMINE_MODEL_H
#define GREENMINE_MODEL_H

#include <greenmine/context.h>

#include <geos_c.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The contract's vocabularies, each written once: enumerator, stored code
 * (the contract's English value) and Chinese display name. The enums, the
 * gm_*_name() and gm_*_name_zh() functions are generated from these lists;
 * the parsers (values.c) accept the code, the Chinese name and more aliases. */
#define GM_SCALES(X)                                                                               \
    X(GM_SCALE_LARGE, "large", "大型")                                                             \
    X(GM_SCALE_MEDIUM, "medium", "中型")                                                           \
    X(GM_SCALE_SMALL, "small", "小型")
#define GM_MINE_STATUSES(X)                                                                        \
    X(GM_MINE_NEW, "new", "新建")                                                                  \
    X(GM_MINE_PRODUCING, "producing", "生产")                                                      \
    X(GM_MINE_CLOSED, "closed", "闭坑")
#define GM_INDUSTRIES(X)                                                                           \
    X(GM_INDUSTRY_COAL, "coal", "煤炭")                                                            \
    X(GM_INDUSTRY_NONFERROUS, "nonferrous", "有色金属")                                            \
    X(GM_INDUSTRY_FERROUS, "ferrous", "黑色金属")                                                  \
    X(GM_INDUSTRY_PRECIOUS, "precious", "贵金属")                                                  \
    X(GM_INDUSTRY_CHEMICAL, "chemical", "化工")                                                    \
    X(GM_INDUSTRY_NONMETAL, "nonmetal", "非金属")                                                  \
    X(GM_INDUSTRY_SAND_GRAVEL, "sand_gravel", "砂石")                                              \
    X(GM_INDUSTRY_CEMENT, "cement", "水泥")                                                        \
    X(GM_INDUSTRY_STONE, "stone", "石材")
/* Restoration of legacy mine land and land reclamation: the two kinds of
 * progress. Their values index every per-kind array (done_ha[GM_RESTORATION]). */
#define GM_PARCEL_KIND_LIST(X)                                                                     \
    X(GM_RESTORATION, "restoration", "恢复治理")                                                   \
    X(GM_RECLAMATION, "reclamation", "土地复垦")
#define GM_PARCEL_STATUSES(X)                                                                      \
    X(GM_PARCEL_PLANNED, "planned", "规划")                                                        \
    X(GM_PARCEL_IN_PROGRESS, "in_progress", "在建")                                                \
    X(GM_PARCEL_COMPLETED, "completed", "已完成")

#define GM_ENUMERATOR_(name, code, zh) name,
typedef enum gm_scale { GM_SCALE_UNKNOWN = 0, GM_SCALES(GM_ENUMERATOR_) } gm_scale;
typedef enum gm_mine_status {
    GM_MINE_STATUS_UNKNOWN = 0,
    GM_MINE_STATUSES(GM_ENUMERATOR_)
} gm_mine_status;
typedef enum gm_industry { GM_INDUSTRY_UNKNOWN = 0, GM_INDUSTRIES(GM_ENUMERATOR_) } gm_industry;
typedef enum gm_parcel_kind {
    GM_KIND_UNKNOWN = -1,
    GM_PARCEL_KIND_LIST(GM_ENUMERATOR_) GM_PARCEL_KINDS /* how many: 2 */
} gm_parcel_kind;
typedef enum gm_parcel_status {
    GM_PARCEL_STATUS_UNKNOWN = 0,
    GM_PARCEL_STATUSES(GM_ENUMERATOR_)
} gm_parcel_status;
#undef GM_ENUMERATOR_

/* Tri-state flags (green, legacy). */
typedef enum gm_flag { GM_FLAG_UNKNOWN = -1, GM_FLAG_NO = 0, GM_FLAG_YES = 1 } gm_flag;

typedef struct gm_mine {
    char *mine_id, *name, *mineral;
    gm_industry industry;
    gm_scale scale;
    gm_mine_status status;
    gm_flag green;
    GEOSGeometry *geom; /* NULL when empty: still a mine, counted in the share */
    long fid;           /* source feature id, for messages */
} gm_mine;

typedef struct gm_redline {
    char *redline_id, *name, *category;
    GEOSGeometry *geom; /* never NULL (empty red lines are skipped on load) */
    long fid;
} gm_redline;

typedef struct gm_parcel {
    char *parcel_id;
    gm_parcel_kind kind;
    gm_parcel_status status;
    int completed_on; /* YYYYMMDD, 0 when absent */
    gm_flag legacy;
    GEOSGeometry *geom; /* NULL only when the loader was told to drop it (load.h) */
    long fid;
} gm_parcel;

typedef struct gm_zone {
    char *zone_id, *name;
    double target_ha[2]; /* the zone's own restoration / reclamation targets, 0 = none */
    GEOSGeometry *geom;  /* never NULL */
    long fid;
} gm_zone;

/* The four layers, loaded and normalised. */
typedef struct gm_inputs {
    gm_mine *mines;
    size_t n_mines;
    gm_redline *redlines;
    size_t n_redlines;
    gm_parcel *parcels;
    size_t n_parcels;
    gm_zone *zones;
    size_t n_zones;
    /* Per layer, indexed by gm_layer_kind (mines, redlines, parcels, zones):
     * where it came from and what normalisation did to it. */
    char *source[4];    /* the path or connection string as given */
    char *layer[4];     /* the OGR layer read */
    char *crs[4];       /* the source CRS, "EPSG:4525" or its name */
    size_t features[4]; /* features read */
    size_t repaired[4]; /* invalid geometries repaired by MakeValid */
    size_t empty[4];    /* empty geometries (skipped, or kept as NULL for mines) */
    char *checksum[4];  /* SHA-256 (hex) of the source's files, NULL for PG: sources
                           (see docs/outputs.md for files with sidecars) */
} gm_inputs;

/* ---- attribute values ----------------------------------------------------
 * Each parser accepts the contract's English and Chinese spellings, case- and
 * surrounding-space-insensitive, and returns GM_OK, or GM_ERR_FIELD with *out
 * set to the UNKNOWN value when the text is not recognised. NULL or "" gives
 * UNKNOWN and GM_OK (a missing value is not a malformed one). */
int gm_parse_scale(const char *text, gm_scale *out);
int gm_parse_mine_status(const char *text, gm_mine_status *out);
int gm_parse_industry(const char *text, gm_industry *out);
int gm_parse_parcel_kind(const char *text, gm_parcel_kind *out);
int gm_parse_parcel_status(const char *text, gm_parcel_status *out);
int gm_parse_flag(const char *text, gm_flag *out);

/* Dates: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD or 2018年6月30日, optionally
 * followed by a time. *out = YYYYMMDD; 0 and GM_OK for NULL/"". A malformed or
 * impossible date (2019-02-30) gives GM_ERR_FIELD. */
int gm_parse_date(const char *text, int *out);

/* The stored codes ("large", "restoration", ...) and the Chinese display names
 * ("大型", "恢复治理", ...); "" for UNKNOWN or a value out of range. Static. */
const char *gm_scale_name(gm_scale v);
const char *gm_scale_name_zh(gm_scale v);
const char *gm_mine_status_name(gm_mine_status v);
const char *gm_mine_status_name_zh(gm_mine_status v);
const char *gm_industry_name(gm_industry v);
const char *gm_industry_name_zh(gm_industry v);
const char *gm_parcel_kind_name(gm_parcel_kind v);
const char *gm_parcel_kind_name_zh(gm_parcel_kind v);
const char *gm_parcel_status_name(gm_parcel_status v);
const char *gm_parcel_status_name_zh(gm_parcel_status v);

/* ---- dates -----------------------------------------------------------------
 * Dates are ints YYYYMMDD everywhere; these are the only conversions. */
#define GM_DATE_TEXT 11 /* "YYYY-MM-DD" and its NUL */
/* "YYYY-MM-DD" in buf, returned; "" for 0 (no date). */
const char *gm_date_text(int yyyymmdd, char buf[GM_DATE_TEXT]);
/* Days since 1970-01-01 (proleptic Gregorian), and back (clamped to 9999-12-31). */
long gm_date_days(int yyyymmdd);
int gm_date_from_days(long days);

/* Whatever the source CRS, data for the province must land in China: a
 * lon/lat box outside this one means a wrong CRS or swapped axes. */
#define GM_CHINA_LON_MIN 70.0
#define GM_CHINA_LON_MAX 140.0
#define GM_CHINA_LAT_MIN 0.0
#define GM_CHINA_LAT_MAX 60.0
static inline int gm_in_china(double lon_min, double lat_min, double lon_max, double lat_max)
{
    return lon_min >= GM_CHINA_LON_MIN && lon_max <= GM_CHINA_LON_MAX &&
           lat_min >= GM_CHINA_LAT_MIN && lat_max <= GM_CHINA_LAT_MAX;
}

/* The input layers, in the order every per-layer array uses. */
typedef enum gm_layer_kind {
    GM_LAYER_MINES = 0,
    GM_LAYER_REDLINES = 1,
    GM_LAYER_PARCELS = 2,
    GM_LAYER_ZONES = 3
} gm_layer_kind;
#define GM_LAYER_KINDS 4
/* "mines", "redlines", "parcels", "zones"; "?" out of range. Static. */
const char *gm_layer_kind_name(gm_layer_kind kind);

/* An empty gm_inputs; free with gm_inputs_free(). */
int gm_inputs_new(gm_inputs **out);
/* Frees everything `in` holds, then `in` itself. NULL is allowed. */
void gm_inputs_free(gm_context *ctx, gm_inputs *in);
/* Frees the red lines' and parcels' geometries (their records stay). Nothing
 * after gm_analyze() needs them -- the GeoPackage, rasters and project use the
 * zones, the mines and the results -- and at a province's scale they are most
 * of the memory: dropping them before the outputs lowers the run's peak. */
void gm_inputs_drop_overlay_geometries(gm_context *ctx, gm_inputs *in);

#ifdef __cplusplus
}
#endif
#endif
