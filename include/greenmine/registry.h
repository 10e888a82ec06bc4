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

#ifdef __cplusplus
extern "C" {
#endif

/* The schema version this library creates and upgrades to. */
#define GM_REGISTRY_SCHEMA_VERSION 2
/* How long a writer waits for another's lock before failing (GM_ERR_BUSY). */
#define GM_REGISTRY_BUSY_MS_DEFAULT 30000

/* Green mines to convert by 2020 (the plan): 100 = 35 large, 50 medium, 15 small. */
#define GM_TARGET_GREEN_MINES 100
#define GM_TARGET_GREEN_LARGE 35
#define GM_TARGET_GREEN_MEDIUM 50
#define GM_TARGET_GREEN_SMALL 15
/* The plan's deadline for every target, YYYYMMDD. */
#define GM_TARGET_DATE 20201231

typedef struct gm_registry gm_registry;

/* Opens the registry at `db` (a file path, created when missing, or a libpq
 * connection string prefixed "PG:"), creating or upgrading its schema. ctx is
 * borrowed and receives every error; it must outlive the registry.
 * busy_ms: how long to wait for another writer (0 = default). */
int gm_registry_open(gm_registry **out, gm_context *ctx, const char *db, int busy_ms);
void gm_registry_close(gm_registry *reg);
/* The schema version found in the database after opening. */
int gm_registry_schema_version(const gm_registry *reg);

/* Where one ingested layer came from. */
typedef struct gm_source_info {
    char *layer;     /* "parcels", "mines", "zones", "redlines" */
    char *source;    /* as given */
    char *file_name; /* base name of the file, or NULL for a database source */
    char *sha256;    /* hex checksum of the file(s), NULL for a database source */
    char *crs;       /* the source CRS */
    long features;
} gm_source_info;

typedef struct gm_snapshot {
    long id;
    int as_of; /* YYYYMMDD */
    char *ingested_at;
    char *greenmine_version;
    gm_source_info *sources; /* the layers ingested in this snapshot */
    size_t n_sources;
} gm_snapshot;

typedef struct gm_snapshots {
    gm_snapshot *items; /* ordered by as_of */
    size_t n;
} gm_snapshots;

int gm_registry_snapshots(gm_registry *reg, gm_snapshots **out);
void gm_snapshots_free(gm_snapshots *s);

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

/* ---- progress ----------------------------------------------------------- */

typedef struct gm_progress_options {
    int period_start; /* YYYYMMDD, default 20160101 */
    const char *zone; /* NULL = province and every zone; else that zone's name (or id) */
} gm_progress_options;
#define GM_PROGRESS_OPTIONS_INIT                                                                   \
    {                                                                                              \
        20160101, NULL                                                                             \
    }

/* One snapshot and one area (the province, or one zone). */
typedef struct gm_progress_row {
    long snapshot_id;
    int as_of;              /* YYYYMMDD */
    char *zone;             /* zone name; NULL for the province */
    char *zone_id;          /* NULL for the province */
    double done_ha[2];      /* [GM_RESTORATION], [GM_RECLAMATION], cumulative to as_of */
    double increment_ha[2]; /* since the previous snapshot (the first: since period start) */
    double target_ha[2];    /* 2000 / 500 for the province; the zone's own, or 0 = none */
    int projected[2];       /* YYYYMMDD when the target is met at the latest pace; the
                               snapshot's date when already met; 0 = never (no pace or no target) */
    size_t mines, large_medium_mines, mines_known_scale, conflict_mines;
    double large_medium_share; /* province only; 0 for zones */
    /* green mines (province only): -1 when no mine carries the green flag */
    long green_mines, green_large, green_medium, green_small;
} gm_progress_row;

typedef struct gm_progress_series {
    gm_progress_row *rows; /* per snapshot (by as_of), the province first, then the zones */
    size_t n;
    int period_start;
} gm_progress_series;

/* Runs gm_analyze on every snapshot and gathers the series. A zone name that
 * no snapshot has is GM_ERR_USAGE. Free with gm_progress_series_free. */
int gm_registry_progress(gm_registry *reg, const gm_progress_options *opts,
                         gm_progress_series **out);
void gm_progress_series_free(gm_progress_series *p);
/* The `progress --json` object / the `--csv` table of a series (the CLI
 * prints them, `serve` answers them), UTF-8 text ending in a newline; *out is
 * the caller's: free(). */
int gm_progress_json(gm_context *ctx, const gm_progress_series *p, char **out);
int gm_progress_csv(gm_context *ctx, const gm_progress_series *p, char **out);
/* Sets row `at`'s increments and projected dates from its done and target
 * figures, against the same area's (zone_id, or the province's) latest
 * earlier row in p; with none, since p->period_start. */
void gm_progress_row_project(gm_progress_series *p, size_t at);
/* Fills a row's figures from one analysis: the province's (zone < 0: the
 * programme's targets) or zone `zone`'s (its own targets; its name and id
 * copied into the row, freed with the series). Green-mine counts are left
 * unknown (-1). Leaves snapshot_id and as_of alone. GM_OK or GM_ERR_NOMEM. */
int gm_progress_row_fill(gm_progress_row *row, const gm_inputs *in, const gm_results *res,
                         int zone);

#ifdef __cplusplus
}
#endif
#endif
