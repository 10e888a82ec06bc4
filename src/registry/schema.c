/*
 * schema.c -- the registry's schema: numbered migrations, applied in order
 * inside one transaction each, recorded in schema_version. A database newer
 * than this library is refused rather than guessed at. docs/registry.md
 * describes every table and view; keep the two together.
 */
#include "registry/columns.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Statements of one migration for one backend; NULL ends the list. A
 * migration first adds the columns it adds to older tables (columns.h,
 * gm_tables_alter), then runs its statements in order; a step
 * GM_CREATE_TABLE("name") there creates that table of columns.h. */
typedef struct migration {
    int version;
    const char *description;
    const char *const *lite;
    const char *const *pg;
} migration;

/* ---- 1: snapshots, sources, versions of the four layers ----------------- */

#define V1_TABLES                                                                                  \
    GM_CREATE_TABLE("snapshot"), GM_CREATE_TABLE("source"), GM_CREATE_TABLE("parcel"),             \
        GM_CREATE_TABLE("parcel_version"), GM_CREATE_TABLE("mine_version"),                        \
        GM_CREATE_TABLE("zone_version"), GM_CREATE_TABLE("redline_version"),                       \
        "CREATE INDEX parcel_version_parcel ON parcel_version (parcel_id, snapshot_id)"

/* the version table and the spatial metadata, then the tables (each
 * *_version with its spatial index) */
static const char *const v1_lite[] = {
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT "
    "NULL, description TEXT NOT NULL)",
    "SELECT InitSpatialMetaData(0, 'NONE')",
    "SELECT InsertEpsgSrid(4490) WHERE NOT EXISTS (SELECT 1 FROM spatial_ref_sys WHERE srid = "
    "4490)",
    V1_TABLES, NULL};

static const char *const v1_pg[] = {
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT "
    "NULL, description TEXT NOT NULL)",
    "CREATE EXTENSION IF NOT EXISTS postgis", V1_TABLES, NULL};

/* ---- 2: views for users, and the append-only guard ---------------------- */

#define VIEW_SNAPSHOT_LAYER                                                                        \
    "CREATE VIEW snapshot_layer AS SELECT s.snapshot_id, s.as_of, l.layer, (SELECT "               \
    "src.snapshot_id "                                                                             \
    "FROM source src JOIN snapshot s2 ON s2.snapshot_id = src.snapshot_id WHERE src.layer = "      \
    "l.layer AND s2.as_of <= s.as_of ORDER BY s2.as_of DESC LIMIT 1) AS data_snapshot_id FROM "    \
    "snapshot s CROSS JOIN (SELECT DISTINCT layer FROM source) l"
#define VIEW_PARCEL_HISTORY                                                                        \
    "CREATE VIEW parcel_history AS SELECT v.parcel_id, min(s.as_of) AS first_as_of, max(s.as_of) " \
    "AS last_as_of, count(DISTINCT v.snapshot_id) AS snapshots, sum(CASE WHEN v.change = "         \
    "'geometry' THEN 1 ELSE 0 END) AS geometry_changes FROM parcel_version v JOIN snapshot s ON "  \
    "s.snapshot_id = v.snapshot_id GROUP BY v.parcel_id"
#define VIEW_PARCEL_CURRENT                                                                        \
    "CREATE VIEW parcel_current AS SELECT v.version_id, v.snapshot_id, v.parcel_id, v.kind, "      \
    "v.status, v.completed_on, v.legacy, v.area_ha, v.change, v.geom FROM parcel_version v WHERE " \
    "v.snapshot_id = (SELECT snapshot_id FROM snapshot ORDER BY as_of DESC LIMIT 1)"
#define VIEW_PARCEL_CHANGES                                                                        \
    "CREATE VIEW parcel_changes AS SELECT v.version_id, s.as_of, v.parcel_id, v.change, "          \
    "v.area_ha, v.changed_ha, v.geom FROM parcel_version v JOIN snapshot s ON s.snapshot_id = "    \
    "v.snapshot_id WHERE v.change IN ('geometry', 'attributes', 'duplicate')"

static const char *const v2_lite[] = {
    VIEW_SNAPSHOT_LAYER, VIEW_PARCEL_HISTORY, VIEW_PARCEL_CURRENT, VIEW_PARCEL_CHANGES,
    /* register the geometry views so QGIS and the spatialite shell see layers */
    "INSERT INTO views_geometry_columns (view_name, view_geometry, view_rowid, f_table_name, "
    "f_geometry_column, read_only) VALUES ('parcel_current', 'geom', 'version_id', "
    "'parcel_version', 'geom', 1), ('parcel_changes', 'geom', 'version_id', 'parcel_version', "
    "'geom', 1)",
    "CREATE TRIGGER snapshot_append_only BEFORE UPDATE ON snapshot BEGIN SELECT RAISE(ABORT, "
    "'greenmine registry: snapshots are never rewritten'); END",
    "CREATE TRIGGER snapshot_no_delete BEFORE DELETE ON snapshot BEGIN SELECT RAISE(ABORT, "
    "'greenmine registry: snapshots are never rewritten'); END",
    "CREATE TRIGGER parcel_version_append_only BEFORE UPDATE OF snapshot_id, parcel_id, kind, "
    "status, completed_on, legacy, geom ON parcel_version BEGIN SELECT RAISE(ABORT, 'greenmine "
    "registry: snapshots are never rewritten'); END",
    "CREATE TRIGGER parcel_version_no_delete BEFORE DELETE ON parcel_version BEGIN SELECT "
    "RAISE(ABORT, 'greenmine registry: snapshots are never rewritten'); END",
    NULL};

static const char *const v2_pg[] = {
    VIEW_SNAPSHOT_LAYER,
    VIEW_PARCEL_HISTORY,
    VIEW_PARCEL_CURRENT,
    VIEW_PARCEL_CHANGES,
    "CREATE FUNCTION greenmine_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE "
    "EXCEPTION 'greenmine registry: snapshots are never rewritten'; END $$",
    "CREATE TRIGGER snapshot_append_only BEFORE UPDATE OR DELETE ON snapshot FOR EACH ROW "
    "EXECUTE FUNCTION greenmine_append_only()",
    "CREATE TRIGGER parcel_version_append_only BEFORE UPDATE OR DELETE ON parcel_version FOR "
    "EACH ROW EXECUTE FUNCTION greenmine_append_only()",
    NULL};

/* ---- 3: management records: licences, the event log, three-rate thresholds -
 * (docs/management.md). Append-only like the snapshots: a correction is a new
 * event whose `supersedes` names the one it replaces, at most once. */

#define V3_TABLES                                                                                  \
    GM_CREATE_TABLE("licence"), GM_CREATE_TABLE("event"),                                          \
        "CREATE INDEX event_licence ON event (licence_no, event_date, event_id)",                  \
        GM_CREATE_TABLE("threshold_set"), GM_CREATE_TABLE("threshold"),                            \
        "CREATE INDEX threshold_set_rows ON threshold (set_id)"
/* every event with what replaced it and whether it counts */
#define VIEW_EVENT_LOG                                                                             \
    "CREATE VIEW event_log AS SELECT e.*, c.event_id AS superseded_by, CASE WHEN e.is_void = 0 "   \
    "AND c.event_id IS NULL THEN 1 ELSE 0 END AS counts FROM event e LEFT JOIN event c ON "        \
    "c.supersedes = e.event_id"
/* the events that count (neither void nor replaced), with the licence's county */
#define VIEW_EVENT_CURRENT                                                                         \
    "CREATE VIEW event_current AS SELECT e.*, l.county, l.city, l.industry, l.scale FROM event e " \
    "JOIN licence l ON l.licence_no = e.licence_no WHERE e.is_void = 0 AND NOT EXISTS (SELECT 1 "  \
    "FROM event c WHERE c.supersedes = e.event_id)"
/* the thresholds of the latest set */
#define VIEW_THRESHOLD_CURRENT                                                                     \
    "CREATE VIEW threshold_current AS SELECT s.effective_from, s.label, t.* FROM threshold t "     \
    "JOIN threshold_set s ON s.set_id = t.set_id WHERE t.set_id = (SELECT set_id FROM "            \
    "threshold_set ORDER BY effective_from DESC, set_id DESC LIMIT 1)"
#define LITE_APPEND_ONLY(table)                                                                    \
    "CREATE TRIGGER " table "_append_only BEFORE UPDATE ON " table " BEGIN SELECT RAISE(ABORT, "   \
    "'greenmine registry: " table " rows are never rewritten (a correction is a new event)'); "    \
    "END",                                                                                         \
        "CREATE TRIGGER " table "_no_delete BEFORE DELETE ON " table " BEGIN SELECT RAISE(ABORT, " \
        "'greenmine registry: " table                                                              \
        " rows are never rewritten (a correction is a new event)'); "                              \
        "END"
#define PG_APPEND_ONLY(table)                                                                      \
    "CREATE TRIGGER " table "_append_only BEFORE UPDATE OR DELETE ON " table                       \
    " FOR EACH ROW EXECUTE FUNCTION greenmine_records_append_only()"

static const char *const v3_lite[] = {V3_TABLES,
                                      VIEW_EVENT_LOG,
                                      VIEW_EVENT_CURRENT,
                                      VIEW_THRESHOLD_CURRENT,
                                      LITE_APPEND_ONLY("licence"),
                                      LITE_APPEND_ONLY("event"),
                                      LITE_APPEND_ONLY("threshold_set"),
                                      LITE_APPEND_ONLY("threshold"),
                                      NULL};

static const char *const v3_pg[] = {
    V3_TABLES,
    VIEW_EVENT_LOG,
    VIEW_EVENT_CURRENT,
    VIEW_THRESHOLD_CURRENT,
    "CREATE FUNCTION greenmine_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'greenmine registry: % rows are never rewritten (a correction is a "
    "new event)', TG_TABLE_NAME; END $$",
    PG_APPEND_ONLY("licence"),
    PG_APPEND_ONLY("event"),
    PG_APPEND_ONLY("threshold_set"),
    PG_APPEND_ONLY("threshold"),
    NULL};

/* ---- 4: the spot-check draws (docs/draw.md): each draw with its two
 * published lists' exact text, its picks (the spot-check assignments) and the
 * roster it used. Append-only. */

#define V4_TABLES                                                                                  \
    GM_CREATE_TABLE("draw"), GM_CREATE_TABLE("draw_pick"), GM_CREATE_TABLE("inspector")
/* each pick with the result of its spot check once entered (NULLs while pending) */
#define VIEW_SPOT_CHECK_ASSIGNMENT                                                                 \
    "CREATE VIEW spot_check_assignment AS SELECT d.draw_id, d.draw_date, p.rank, p.licence_no, "   \
    "p.county, p.industry, p.inspectors, p.inspector_names, e.event_id, e.event_date AS "          \
    "checked_on, e.result, e.findings FROM draw_pick p JOIN draw d ON d.draw_id = p.draw_id LEFT " \
    "JOIN event_current e ON e.kind = 'spot_check' AND e.licence_no = p.licence_no AND "           \
    "e.draw_id = CAST(p.draw_id AS TEXT)"

static const char *const v4_lite[] = {V4_TABLES,
                                      VIEW_SPOT_CHECK_ASSIGNMENT,
                                      LITE_APPEND_ONLY("draw"),
                                      LITE_APPEND_ONLY("draw_pick"),
                                      LITE_APPEND_ONLY("inspector"),
                                      NULL};

static const char *const v4_pg[] = {V4_TABLES,
                                    VIEW_SPOT_CHECK_ASSIGNMENT,
                                    PG_APPEND_ONLY("draw"),
                                    PG_APPEND_ONLY("draw_pick"),
                                    PG_APPEND_ONLY("inspector"),
                                    NULL};
/* ---- 5: the desk's users and sessions (greenmine/users.h) ------------------ */

/* app_user and session: columns.h */
#define V5_TABLES                                                                                  \
    GM_CREATE_TABLE("app_user"), GM_CREATE_TABLE("session"),                                       \
        "CREATE INDEX session_by_user ON session (user_id)"

static const char *const v5_lite[] = {
    V5_TABLES,
    "CREATE TRIGGER app_user_no_delete BEFORE DELETE ON app_user BEGIN SELECT RAISE(ABORT, "
    "'greenmine registry: users are disabled, never deleted'); END",
    NULL};

static const char *const v5_pg[] = {
    V5_TABLES,
    "CREATE FUNCTION greenmine_user_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'greenmine registry: users are disabled, never deleted'; END $$",
    "CREATE TRIGGER app_user_no_delete BEFORE DELETE ON app_user FOR EACH ROW EXECUTE FUNCTION "
    "greenmine_user_no_delete()",
    NULL};

/* ---- 6: checks kept for their URLs (greenmine serve) -------------------- */

static const char *const v6[] = {GM_CREATE_TABLE("serve_result"), NULL};

static const migration migrations[] = {
    {1, "snapshots, sources, parcel/mine/zone/red-line versions, spatial indexes", v1_lite, v1_pg},
    {2,
     "views snapshot_layer, parcel_history, parcel_current, parcel_changes; append-only "
     "triggers",
     v2_lite, v2_pg},
    {3,
     "management records: licence, event (append-only), threshold_set, threshold; views "
     "event_log, event_current, threshold_current",
     v3_lite, v3_pg},
    {4, "spot-check draws: draw, draw_pick, inspector; view spot_check_assignment", v4_lite, v4_pg},
    {5, "the desk's users and sessions: app_user, session", v5_lite, v5_pg},
    {6, "serve_result: checks kept for their URLs by greenmine serve", v6, v6},
};

/* The version recorded in the database (0 = a fresh database). */
static int current_version(gm_registry *reg, int *version)
{
    *version = 0;
    const char *probe = reg->db_kind == GM_DB_SPATIALITE
                            ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
                              "'schema_version'"
                            : "SELECT count(*) FROM information_schema.tables WHERE table_schema "
                              "= current_schema() AND table_name = 'schema_version'";
    gm_stmt *st = NULL;
    int rc = gm_db_prepare(reg->db, probe, &st);
    if (rc != GM_OK) return rc;
    int have = 0;
    if ((rc = gm_stmt_step(st)) == 1) have = (int)gm_stmt_int(st, 0), rc = GM_OK;
    gm_stmt_free(st);
    if (rc < 0 || !have) return rc < 0 ? rc : GM_OK;
    rc = gm_db_prepare(reg->db, "SELECT coalesce(max(version), 0) FROM schema_version", &st);
    if (rc != GM_OK) return rc;
    if ((rc = gm_stmt_step(st)) == 1) *version = (int)gm_stmt_int(st, 0), rc = GM_OK;
    gm_stmt_free(st);
    return rc < 0 ? rc : GM_OK;
}

/* One statement of a migration, or the creation of a table of columns.h. */
static int run_step(gm_registry *reg, int version, const char *sql)
{
    size_t mark = strlen(GM_CREATE_TABLE_MARK);
    if (strncmp(sql, GM_CREATE_TABLE_MARK, mark) != 0) return gm_db_exec(reg->db, sql);
    const gm_db_table *t = gm_table_named(sql + mark);
    assert(t && t->since == version); /* a table is created by its own migration */
    return gm_table_migrate(reg, t, version);
}

void gm_registry_now(char buf[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int gm_registry_migrate(gm_registry *reg)
{
    int version = 0;
    int rc = current_version(reg, &version);
    if (rc != GM_OK) return rc;
    if (version > GM_REGISTRY_SCHEMA_VERSION)
        return gm_error(reg->ctx, GM_ERR_OPEN,
                        "registry %s: schema version %d is newer than this greenmine knows (%d); "
                        "use a newer greenmine",
                        reg->target, version, GM_REGISTRY_SCHEMA_VERSION);
    for (size_t m = 0; m < sizeof migrations / sizeof *migrations; m++) {
        const migration *mg = &migrations[m];
        if (mg->version <= version) continue;
        /* the write lock first: two first-time opens must not both migrate */
        if ((rc = gm_db_begin_write(reg->db)) != GM_OK) return rc;
        int now_version = 0;
        if ((rc = current_version(reg, &now_version)) != GM_OK) goto fail;
        if (now_version >= mg->version) { /* another process got there first */
            gm_db_exec(reg->db, "COMMIT");
            continue;
        }
        rc = gm_tables_alter(reg, mg->version);
        const char *const *sql = reg->db_kind == GM_DB_SPATIALITE ? mg->lite : mg->pg;
        for (; *sql && rc == GM_OK; sql++)
            rc = run_step(reg, mg->version, *sql);
        if (rc != GM_OK) goto fail;
        gm_stmt *st = NULL;
        char now[32];
        gm_registry_now(now);
        rc = gm_db_prepare(reg->db,
                           "INSERT INTO schema_version (version, applied_at, description) VALUES "
                           "(?, ?, ?)",
                           &st);
        if (rc == GM_OK) rc = gm_stmt_bind_int(st, 1, mg->version);
        if (rc == GM_OK) rc = gm_stmt_bind_text(st, 2, now);
        if (rc == GM_OK) rc = gm_stmt_bind_text(st, 3, mg->description);
        if (rc == GM_OK && gm_stmt_step(st) < 0) rc = gm_context_errcode(reg->ctx);
        gm_stmt_free(st);
        if (rc == GM_OK) rc = gm_db_exec(reg->db, "COMMIT");
        if (rc != GM_OK) goto fail;
        gm_log(reg->ctx, GM_LOG_INFO, "registry %s: schema upgraded to version %d (%s)",
               reg->target, mg->version, mg->description);
        continue;
    fail:
        gm_db_rollback(reg->db);
        return rc;
    }
    reg->schema_version = GM_REGISTRY_SCHEMA_VERSION;
    return GM_OK;
}
