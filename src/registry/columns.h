/*
 * columns.h -- the registry's tables written once: each table's columns are
 * one X-macro list here, and that list drives its CREATE TABLE (in the
 * migration that creates it, schema.c), its INSERT and its SELECT (columns.c),
 * and the enum naming each column's place in both. For src/registry/ only.
 *
 * A list entry is X(P, name, TYPE, "constraint", since): TYPE is TEXT, INT
 * (INTEGER), INT64 (SQLite INTEGER, PostgreSQL BIGINT), BIGINT (both) or REAL
 * (SQLite REAL, PostgreSQL DOUBLE PRECISION); since is 0 for a column the
 * table was created with, else the migration that adds it (an ALTER TABLE
 * made from the list: append the column, never reorder, and write its
 * migration's number). The generated key (`snapshot_id`, `event_id`) and the
 * geometry are not in the lists: a gm_db_table names them.
 *
 * Statements list the columns in the list's order, then the geometry (as
 * WKB), then the generated key: so COL is the 0-based column of a SELECT and
 * COL + 1 the parameter of an INSERT.
 */
#ifndef GM_REGISTRY_COLUMNS_H
#define GM_REGISTRY_COLUMNS_H

#include "registry/registry_impl.h"

#include <stddef.h>

/* ---- migration 1: the snapshots -------------------------------------------- */

#define GM_SNAPSHOT_COLUMNS(X, P)                                                                  \
    X(P, as_of, TEXT, "NOT NULL UNIQUE", 0)                                                        \
    X(P, ingested_at, TEXT, "NOT NULL", 0)                                                         \
    X(P, greenmine_version, TEXT, "NOT NULL", 0)

#define GM_SOURCE_COLUMNS(X, P)                                                                    \
    X(P, snapshot_id, INT64, "NOT NULL REFERENCES snapshot", 0)                                    \
    X(P, layer, TEXT, "NOT NULL", 0)                                                               \
    X(P, source, TEXT, "NOT NULL", 0)                                                              \
    X(P, file_name, TEXT, "", 0)                                                                   \
    X(P, sha256, TEXT, "", 0)                                                                      \
    X(P, layer_name, TEXT, "", 0)                                                                  \
    X(P, crs, TEXT, "", 0)                                                                         \
    X(P, features, INT64, "NOT NULL", 0)

#define GM_PARCEL_COLUMNS(X, P)                                                                    \
    X(P, parcel_id, TEXT, "PRIMARY KEY", 0)                                                        \
    X(P, first_snapshot_id, INT64, "NOT NULL REFERENCES snapshot", 0)

/* The first two columns of every *_version table. */
#define GM_VERSION_KEY_COLUMNS(X, P)                                                               \
    X(P, snapshot_id, INT64, "NOT NULL REFERENCES snapshot", 0)                                    \
    X(P, seq, INT, "NOT NULL", 0)

#define GM_PARCEL_VERSION_COLUMNS(X, P)                                                            \
    GM_VERSION_KEY_COLUMNS(X, P)                                                                   \
    X(P, parcel_id, TEXT, "NOT NULL REFERENCES parcel", 0)                                         \
    X(P, fid, INT64, "", 0)                                                                        \
    X(P, kind, TEXT, "", 0)                                                                        \
    X(P, status, TEXT, "", 0)                                                                      \
    X(P, completed_on, TEXT, "", 0)                                                                \
    X(P, legacy, INT, "", 0)                                                                       \
    X(P, area_ha, REAL, "NOT NULL", 0)                                                             \
    X(P, change, TEXT, "NOT NULL", 0)                                                              \
    X(P, changed_ha, REAL, "", 0)

#define GM_MINE_VERSION_COLUMNS(X, P)                                                              \
    GM_VERSION_KEY_COLUMNS(X, P)                                                                   \
    X(P, mine_id, TEXT, "", 0)                                                                     \
    X(P, name, TEXT, "", 0)                                                                        \
    X(P, mineral, TEXT, "", 0)                                                                     \
    X(P, industry, TEXT, "", 0)                                                                    \
    X(P, scale, TEXT, "", 0)                                                                       \
    X(P, status, TEXT, "", 0)                                                                      \
    X(P, green, INT, "", 0)                                                                        \
    X(P, fid, INT64, "", 0)                                                                        \
    X(P, area_ha, REAL, "", 0)

#define GM_ZONE_VERSION_COLUMNS(X, P)                                                              \
    GM_VERSION_KEY_COLUMNS(X, P)                                                                   \
    X(P, zone_id, TEXT, "", 0)                                                                     \
    X(P, name, TEXT, "", 0)                                                                        \
    X(P, restoration_target_ha, REAL, "", 0)                                                       \
    X(P, reclamation_target_ha, REAL, "", 0)                                                       \
    X(P, fid, INT64, "", 0)                                                                        \
    X(P, area_ha, REAL, "NOT NULL", 0)

#define GM_REDLINE_VERSION_COLUMNS(X, P)                                                           \
    GM_VERSION_KEY_COLUMNS(X, P)                                                                   \
    X(P, redline_id, TEXT, "", 0)                                                                  \
    X(P, name, TEXT, "", 0)                                                                        \
    X(P, category, TEXT, "", 0)                                                                    \
    X(P, fid, INT64, "", 0)                                                                        \
    X(P, area_ha, REAL, "NOT NULL", 0)

/* ---- migration 3: the management records ------------------------------------ */

#define GM_LICENCE_COLUMNS(X, P)                                                                   \
    X(P, licence_no, TEXT, "PRIMARY KEY", 0)                                                       \
    X(P, name, TEXT, "", 0)                                                                        \
    X(P, enterprise, TEXT, "", 0)                                                                  \
    X(P, credit_code, TEXT, "", 0)                                                                 \
    X(P, industry, TEXT, "", 0)                                                                    \
    X(P, mineral, TEXT, "", 0)                                                                     \
    X(P, scale, TEXT, "", 0)                                                                       \
    X(P, county, TEXT, "", 0)                                                                      \
    X(P, city, TEXT, "", 0)                                                                        \
    X(P, licensed_on, TEXT, "", 0)                                                                 \
    X(P, is_new, INT, "", 0)                                                                       \
    X(P, entered_by, TEXT, "NOT NULL", 0)                                                          \
    X(P, entered_at, TEXT, "NOT NULL", 0)

#define GM_EVENT_KINDS_SQL                                                                         \
    "('self_assessment', 'verification', 'listing', 'spot_check', 'blacklisting', 'lifting', "     \
    "'credit_rating', 'three_rates')"

#define GM_EVENT_COLUMNS(X, P)                                                                     \
    X(P, licence_no, TEXT, "NOT NULL REFERENCES licence", 0)                                       \
    X(P, kind, TEXT, "NOT NULL CHECK (kind IN " GM_EVENT_KINDS_SQL ")", 0)                         \
    X(P, event_date, TEXT, "NOT NULL", 0)                                                          \
    X(P, entered_by, TEXT, "NOT NULL", 0)                                                          \
    X(P, entered_at, TEXT, "NOT NULL", 0)                                                          \
    X(P, supersedes, BIGINT, "UNIQUE REFERENCES event", 0)                                         \
    X(P, is_void, INT, "NOT NULL DEFAULT 0 CHECK (is_void IN (0, 1))", 0)                          \
    X(P, score, REAL, "", 0)                                                                       \
    X(P, document, TEXT, "", 0)                                                                    \
    X(P, agency, TEXT, "", 0)                                                                      \
    X(P, result, TEXT, "CHECK (result IN ('pass', 'fail'))", 0)                                    \
    X(P, batch, TEXT, "", 0)                                                                       \
    X(P, draw_id, TEXT, "", 0)                                                                     \
    X(P, inspectors, TEXT, "", 0)                                                                  \
    X(P, findings, TEXT, "", 0)                                                                    \
    X(P, reason, TEXT, "", 0)                                                                      \
    X(P, year, INT, "", 0)                                                                         \
    X(P, grade, TEXT, "", 0)                                                                       \
    X(P, mining_recovery, REAL, "", 0)                                                             \
    X(P, beneficiation_recovery, REAL, "", 0)                                                      \
    X(P, utilisation, REAL, "", 0)

/* thresholds: a loaded set (its key set_id) and its rows */
#define GM_THRESHOLD_SET_COLUMNS(X, P)                                                             \
    X(P, effective_from, TEXT, "NOT NULL", 0)                                                      \
    X(P, label, TEXT, "", 0)                                                                       \
    X(P, file_name, TEXT, "", 0)                                                                   \
    X(P, loaded_by, TEXT, "NOT NULL", 0)                                                           \
    X(P, loaded_at, TEXT, "NOT NULL", 0)

#define GM_THRESHOLD_COLUMNS(X, P)                                                                 \
    X(P, set_id, BIGINT, "NOT NULL REFERENCES threshold_set", 0)                                   \
    X(P, industry, TEXT, "NOT NULL", 0)                                                            \
    X(P, mineral, TEXT, "", 0)                                                                     \
    X(P, mining_recovery, REAL, "", 0)                                                             \
    X(P, beneficiation_recovery, REAL, "", 0)                                                      \
    X(P, utilisation, REAL, "", 0)                                                                 \
    X(P, note, TEXT, "", 0)

/* ---- migration 4: the spot-check draws ------------------------------------------ */

#define GM_DRAW_COLUMNS(X, P)                                                                      \
    X(P, draw_date, TEXT, "NOT NULL", 0)                                                           \
    X(P, drawn_at, TEXT, "NOT NULL", 0)                                                            \
    X(P, drawn_by, TEXT, "NOT NULL", 0)                                                            \
    X(P, seed, TEXT, "NOT NULL", 0)                                                                \
    X(P, share_percent, TEXT, "", 0)                                                               \
    X(P, count_requested, INT, "", 0)                                                              \
    X(P, per_mine, INT, "NOT NULL", 0)                                                             \
    X(P, floor_per_county, INT, "NOT NULL", 0)                                                     \
    X(P, county, TEXT, "", 0)                                                                      \
    X(P, industry, TEXT, "", 0)                                                                    \
    X(P, candidates, INT, "NOT NULL", 0)                                                           \
    X(P, mines_sha256, TEXT, "NOT NULL", 0)                                                        \
    X(P, inspectors_sha256, TEXT, "NOT NULL", 0)                                                   \
    X(P, mines_csv, TEXT, "NOT NULL", 0)                                                           \
    X(P, inspectors_csv, TEXT, "NOT NULL", 0)                                                      \
    X(P, greenmine_version, TEXT, "NOT NULL", 0)

#define GM_DRAW_PICK_COLUMNS(X, P)                                                                 \
    X(P, draw_id, BIGINT, "NOT NULL REFERENCES draw", 0)                                           \
    X(P, rank, INT, "NOT NULL", 0)                                                                 \
    X(P, licence_no, TEXT, "NOT NULL REFERENCES licence", 0)                                       \
    X(P, county, TEXT, "", 0)                                                                      \
    X(P, industry, TEXT, "", 0)                                                                    \
    X(P, inspectors, TEXT, "NOT NULL", 0)                                                          \
    X(P, inspector_names, TEXT, "NOT NULL", 0)

#define GM_INSPECTOR_COLUMNS(X, P)                                                                 \
    X(P, draw_id, BIGINT, "NOT NULL REFERENCES draw", 0)                                           \
    X(P, seq, INT, "NOT NULL", 0)                                                                  \
    X(P, inspector_id, TEXT, "NOT NULL", 0)                                                        \
    X(P, name, TEXT, "NOT NULL", 0)                                                                \
    X(P, county, TEXT, "", 0)                                                                      \
    X(P, agency, TEXT, "", 0)

/* ---- migration 5: the desk's users and sessions --------------------------------- */

/* A user is disabled, never deleted: events name who entered them. Sessions
 * hold only the hash of their secret; failures/locked_until throttle sign-in. */
#define GM_APP_USER_COLUMNS(X, P)                                                                  \
    X(P, name, TEXT, "NOT NULL UNIQUE", 0)                                                         \
    X(P, role, TEXT, "NOT NULL CHECK (role IN ('province', 'county', 'agency', 'inspector'))", 0)  \
    X(P, scope, TEXT, "", 0)                                                                       \
    X(P, password_hash, TEXT, "NOT NULL", 0)                                                       \
    X(P, created, TEXT, "NOT NULL", 0)                                                             \
    X(P, disabled, TEXT, "", 0)                                                                    \
    X(P, failures, INT, "NOT NULL DEFAULT 0", 0)                                                   \
    X(P, locked_until, INT64, "NOT NULL DEFAULT 0", 0)

#define GM_SESSION_COLUMNS(X, P)                                                                   \
    X(P, token_hash, TEXT, "PRIMARY KEY", 0)                                                       \
    X(P, user_id, INT64, "NOT NULL REFERENCES app_user", 0)                                        \
    X(P, created, TEXT, "NOT NULL", 0)                                                             \
    X(P, expires, INT64, "NOT NULL", 0)

/* ---- migration 6: checks kept for their URLs (greenmine serve) ------------------ */

#define GM_SERVE_RESULT_COLUMNS(X, P)                                                              \
    X(P, result_id, TEXT, "PRIMARY KEY", 0)                                                        \
    X(P, checked_at, TEXT, "NOT NULL", 0)                                                          \
    X(P, data_ref, TEXT, "NOT NULL", 0)                                                            \
    X(P, check_json, TEXT, "NOT NULL", 0)                                                          \
    X(P, geometry_json, TEXT, "NOT NULL", 0)

/* ---- the tables ---------------------------------------------------------------- */

/* Each column's place: SNAPSHOT_as_of, ..., SNAPSHOT_NCOLS. */
#define GM_COL_ENUM(P, name, type, constraint, since) P##name,
/* clang-format off */
enum { GM_SNAPSHOT_COLUMNS(GM_COL_ENUM, SNAPSHOT_) SNAPSHOT_NCOLS };
enum { GM_SOURCE_COLUMNS(GM_COL_ENUM, SOURCE_) SOURCE_NCOLS };
enum { GM_PARCEL_COLUMNS(GM_COL_ENUM, PARCEL_) PARCEL_NCOLS };
enum { GM_PARCEL_VERSION_COLUMNS(GM_COL_ENUM, PV_) PV_NCOLS };
enum { GM_MINE_VERSION_COLUMNS(GM_COL_ENUM, MV_) MV_NCOLS };
enum { GM_ZONE_VERSION_COLUMNS(GM_COL_ENUM, ZV_) ZV_NCOLS };
enum { GM_REDLINE_VERSION_COLUMNS(GM_COL_ENUM, RV_) RV_NCOLS };
enum { GM_LICENCE_COLUMNS(GM_COL_ENUM, LICENCE_) LICENCE_NCOLS };
enum { GM_EVENT_COLUMNS(GM_COL_ENUM, EVENT_) EVENT_NCOLS };
enum { GM_THRESHOLD_SET_COLUMNS(GM_COL_ENUM, TSET_) TSET_NCOLS };
enum { GM_THRESHOLD_COLUMNS(GM_COL_ENUM, THRESHOLD_) THRESHOLD_NCOLS };
enum { GM_DRAW_COLUMNS(GM_COL_ENUM, DRAW_) DRAW_NCOLS };
enum { GM_DRAW_PICK_COLUMNS(GM_COL_ENUM, PICK_) PICK_NCOLS };
enum { GM_INSPECTOR_COLUMNS(GM_COL_ENUM, INSPECTOR_) INSPECTOR_NCOLS };
enum { GM_APP_USER_COLUMNS(GM_COL_ENUM, USER_) USER_NCOLS };
enum { GM_SESSION_COLUMNS(GM_COL_ENUM, SESSION_) SESSION_NCOLS };
enum { GM_SERVE_RESULT_COLUMNS(GM_COL_ENUM, RESULT_) RESULT_NCOLS };
/* clang-format on */
/* The INSERT parameter of a column (1-based). */
#define GM_PARAM(col) ((col) + 1)

typedef enum gm_col_type {
    GM_COL_TEXT,
    GM_COL_INT,
    GM_COL_INT64,
    GM_COL_BIGINT,
    GM_COL_REAL
} gm_col_type;

typedef struct gm_column {
    const char *name;
    gm_col_type type;
    const char *constraint; /* after the type; "" for none */
    int since;              /* 0: with the table; else the migration adding it */
} gm_column;

typedef enum gm_geom_column { GM_GEOM_NONE, GM_GEOM_NULL, GM_GEOM_NOT_NULL } gm_geom_column;

typedef struct gm_db_table {
    const char *name;
    int since;       /* the migration that creates it */
    const char *key; /* the generated key column, NULL = none */
    const gm_column *columns;
    size_t n;
    gm_geom_column geom;    /* a MultiPolygon `geom` in EPSG:4490, spatially indexed */
    const char *constraint; /* after the columns ("UNIQUE (snapshot_id, seq)"), NULL = none */
} gm_db_table;

extern const gm_db_table gm_table_snapshot, gm_table_source, gm_table_parcel,
    gm_table_parcel_version, gm_table_mine_version, gm_table_zone_version, gm_table_redline_version,
    gm_table_licence, gm_table_event, gm_table_threshold_set, gm_table_threshold, gm_table_draw,
    gm_table_draw_pick, gm_table_inspector, gm_table_app_user, gm_table_session,
    gm_table_serve_result;
/* Every table above in the order they are created; NULL-terminated. */
extern const gm_db_table *const gm_registry_tables[];
/* The table of gm_registry_tables with that name, NULL when none. */
const gm_db_table *gm_table_named(const char *name);

/* Prepares "INSERT INTO t (columns[, geom]) VALUES (?, ...[,
 * ST_GeomFromWKB(?, 4490)])" followed by " tail" (NULL: nothing; e.g.
 * "RETURNING snapshot_id"). */
int gm_table_prepare_insert(gm_registry *reg, const gm_db_table *t, const char *tail,
                            gm_stmt **out);
/* Prepares "SELECT columns[, ST_AsBinary(geom)][, key] FROM t" followed by
 * " tail" (NULL: nothing; e.g. "WHERE snapshot_id = ? ORDER BY seq"). */
int gm_table_prepare_select(gm_registry *reg, const gm_db_table *t, const char *tail,
                            gm_stmt **out);
/* The same with " , more" after the key: further expressions (a correlated
 * count), at gm_table_key_column(t) + 1 on. */
int gm_table_prepare_select_with(gm_registry *reg, const gm_db_table *t, const char *more,
                                 const char *tail, gm_stmt **out);
/* The 0-based column of the geometry / of the key in such a SELECT. */
int gm_table_geom_column(const gm_db_table *t);
int gm_table_key_column(const gm_db_table *t);

/* What migration `version` does to table t: creates it when it is the
 * table's (CREATE TABLE with the columns up to that version, the geometry
 * and its spatial index), or adds the columns that version adds. */
int gm_table_migrate(gm_registry *reg, const gm_db_table *t, int version);
/* The columns migration `version` adds to the tables created before it
 * (ALTER TABLE). The tables a migration creates are steps of its statement
 * list (GM_CREATE_TABLE), so they come in their place among its indexes. */
int gm_tables_alter(gm_registry *reg, int version);
/* A step of a migration's statement list (schema.c): create the table of
 * gm_registry_tables of that name here. */
#define GM_CREATE_TABLE_MARK "@table "
#define GM_CREATE_TABLE(name) GM_CREATE_TABLE_MARK name

#endif
