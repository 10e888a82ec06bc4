/*
 * greenmine/registry.h -- the registry: dated snapshots of the input layers,
 * kept in SpatiaLite (a file, the default) or PostgreSQL + PostGIS ("PG:..."),
 * and the progress the engine computes from them year by year.
 *
 * A snapshot records the parcels (and, when given, mines, zones and red lines)
 * as they stood on its as-of date, with each source's file name and SHA-256.
 * Snapshots are appended, never rewritten. A layer not given at an ingest is
 * the one of the latest earlier snapshot that had it. Progress is gm_analyze()
 * run on a snapshot's layers with the snapshot's date as the as-of date: the
 * same rules as `greenmine analyze`, nothing recomputed in SQL.
 *
 * The schema is created and upgraded by gm_registry_open (table
 * schema_version, numbered migrations); docs/registry.md documents it.
 * Every value reaches SQL as a bound parameter.
 */
#ifndef GREENMINE_REGISTRY_H
#define GREENMINE_REGISTRY_H

#include <greenmine/analysis.h>
#include <greenmine/context.h>
#include <greenmine/load.h>
#include <greenmine/model.h>
#include <greenmine/progress.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The schema version this library creates and upgrades to. */
#define GM_REGISTRY_SCHEMA_VERSION 6
/* How long a writer waits for another's lock before failing (GM_ERR_BUSY). */
#define GM_REGISTRY_BUSY_MS_DEFAULT 30000

typedef struct gm_registry gm_registry;

/* Opens the registry at `db` (a file path, created when missing, or a libpq
 * connection string prefixed "PG:"), creating or upgrading its schema. ctx is
 * borrowed and receives every error; it must outlive the registry.
 * busy_ms: how long to wait for another writer (0 = default). */
int gm_registry_open(gm_context *ctx, const char *db, int busy_ms, gm_registry **out);
void gm_registry_close(gm_registry *reg);
/* Hands an open registry to another context (its errors go there from now
 * on): a server keeps connections open for its next requests, each request
 * with its own context. Returns 1 when the registry is fit to be kept (its
 * connection open, no transaction left open), else 0: close it. */
int gm_registry_set_context(gm_registry *reg, gm_context *ctx);
/* The schema version found in the database after opening. */
int gm_registry_schema_version(const gm_registry *reg);

int gm_registry_snapshots(gm_registry *reg, gm_snapshots **out);

typedef enum gm_parcel_change_kind {
    GM_CHANGE_NEW = 0,    /* first seen in this snapshot */
    GM_CHANGE_UNCHANGED,  /* seen before, same geometry and attributes */
    GM_CHANGE_GEOMETRY,   /* seen before, geometry differs (>= GM_NOISE_HA) */
    GM_CHANGE_ATTRIBUTES, /* seen before, same geometry, other attributes */
    GM_CHANGE_DUPLICATE,  /* its id appears earlier in the same source */
    GM_CHANGE_DROPPED     /* in the previous snapshot, not in this one */
} gm_parcel_change_kind;

/* "new", "unchanged", "geometry", "attributes", "duplicate", "dropped". Static. */
const char *gm_parcel_change_name(gm_parcel_change_kind k);

typedef struct gm_parcel_change {
    char *parcel_id;
    gm_parcel_change_kind kind;
    double old_ha, new_ha; /* 0 when absent */
    double changed_ha;     /* area of the symmetric difference (geometry changes) */
} gm_parcel_change;

typedef struct gm_ingest_report {
    long snapshot_id;
    int as_of;
    int previous_as_of;                   /* 0 when this is the first snapshot */
    size_t counts[GM_CHANGE_DROPPED + 1]; /* parcels per gm_parcel_change_kind */
    gm_parcel_change *changes;            /* geometry, attribute, duplicate and dropped rows */
    size_t n_changes;
    gm_source_info *sources;
    size_t n_sources;
} gm_ingest_report;

/* Records `in` as the snapshot of `as_of` (YYYYMMDD), in one transaction.
 * `in` must hold parcels; its mines, zones and red lines are recorded when
 * in->source[kind] is set. as_of must be later than every snapshot already
 * there (GM_ERR_USAGE otherwise: snapshots are never rewritten). On any
 * failure the registry is left as it was. */
int gm_registry_ingest(gm_registry *reg, const gm_inputs *in, int as_of, gm_ingest_report **out);
void gm_ingest_report_free(gm_ingest_report *r);

/* Rebuilds the layers in force at snapshot `snapshot_id` (parcels of that
 * snapshot; mines, zones, red lines of the latest snapshot up to it that had
 * them) as gm_inputs, ready for gm_analyze. Free with gm_inputs_free. */
int gm_registry_load(gm_registry *reg, long snapshot_id, gm_inputs **out);

/* ---- checks kept for their URLs (greenmine serve) ------------------------ */

/* Keeps one check under its id: the check JSON, the GeoJSON its map draws
 * and the data it used ({"loaded_at": ..., "layers": ...}). An id kept
 * before is left as it was. */
int gm_registry_result_put(gm_registry *reg, const char *id, const char *checked_at,
                           const char *data_ref, const char *check_json, const char *geometry_json);
/* The check kept under id: GM_OK with every *out set (malloc'd, the caller
 * frees), or GM_OK with every *out NULL when there is none. */
int gm_registry_result_get(gm_registry *reg, const char *id, char **checked_at, char **data_ref,
                           char **check_json, char **geometry_json);

/* ---- parcels on a map ---------------------------------------------------- */

/* One parcel of the latest snapshot, as gm_registry_parcels_in hands it over. */
typedef struct gm_parcel_row {
    const char *parcel_id, *kind, *status, *completed_on; /* completed_on: YYYY-MM-DD or NULL */
    double area_ha;
    const unsigned char *wkb; /* EPSG:4490, 2D */
    size_t wkb_len;
} gm_parcel_row;

/* Calls fn for each parcel of the latest snapshot whose box meets
 * bbox (lon_min, lat_min, lon_max, lat_max), in parcel order, until fn
 * returns non-zero. Rows are valid during the call only. */
int gm_registry_parcels_in(gm_registry *reg, const double bbox[4],
                           int (*fn)(void *user, const gm_parcel_row *row), void *user);

/* ---- progress ----------------------------------------------------------- */

typedef struct gm_progress_options {
    int period_start; /* YYYYMMDD, default 20160101 */
    const char *zone; /* NULL = province and every zone; else that zone's name (or id) */
} gm_progress_options;
#define GM_PROGRESS_OPTIONS_INIT                                                                   \
    {                                                                                              \
        20160101, NULL                                                                             \
    }

/* Runs gm_analyze on every snapshot and gathers the series. A zone name that
 * no snapshot has is GM_ERR_USAGE. Free with gm_progress_series_free. */
int gm_registry_progress(gm_registry *reg, const gm_progress_options *opts,
                         gm_progress_series **out);

#ifdef __cplusplus
}
#endif
#endif
