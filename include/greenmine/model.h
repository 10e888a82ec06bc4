/*
 * greenmine/model.h -- the four input layers as the engine sees them, and the
 * parsing of their attribute values (Chinese or English, see the contract).
 *
 * Geometries are GEOS geometries in CGCS2000 geographic coordinates
 * (x = longitude, y = latitude, degrees), valid and polygonal, or NULL when the
 * source feature had no usable geometry. A gm_inputs owns every string and
 * geometry it holds; gm_inputs_free() (greenmine/load.h) releases them.
 */
#ifndef GREENMINE_MODEL_H
#define GREENMINE_MODEL_H

#include <geos_c.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gm_scale {
    GM_SCALE_UNKNOWN = 0,
    GM_SCALE_LARGE,
    GM_SCALE_MEDIUM,
    GM_SCALE_SMALL
} gm_scale;

typedef enum gm_mine_status {
    GM_MINE_STATUS_UNKNOWN = 0,
    GM_MINE_NEW,
    GM_MINE_PRODUCING,
    GM_MINE_CLOSED
} gm_mine_status;

typedef enum gm_industry {
    GM_INDUSTRY_UNKNOWN = 0,
    GM_INDUSTRY_COAL,
    GM_INDUSTRY_NONFERROUS,
    GM_INDUSTRY_FERROUS,
    GM_INDUSTRY_PRECIOUS,
    GM_INDUSTRY_CHEMICAL,
    GM_INDUSTRY_NONMETAL,
    GM_INDUSTRY_SAND_GRAVEL,
    GM_INDUSTRY_CEMENT,
    GM_INDUSTRY_STONE
} gm_industry;

typedef enum gm_parcel_kind {
    GM_KIND_UNKNOWN = 0,
    GM_KIND_RESTORATION,
    GM_KIND_RECLAMATION
} gm_parcel_kind;

typedef enum gm_parcel_status {
    GM_PARCEL_STATUS_UNKNOWN = 0,
    GM_PARCEL_PLANNED,
    GM_PARCEL_IN_PROGRESS,
    GM_PARCEL_COMPLETED
} gm_parcel_status;

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

/* Canonical English names, for outputs ("large", "restoration", ...). Static. */
const char *gm_scale_name(gm_scale s);
const char *gm_parcel_kind_name(gm_parcel_kind k);

#ifdef __cplusplus
}
#endif
#endif
