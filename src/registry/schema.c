/*
 * schema.c -- the registry's schema: numbered migrations, applied in order
 * inside one transaction each, recorded in schema_version. A database newer
 * than this library is refused rather than guessed at. docs/registry.md
 * describes every table and view; keep the two together.
 */
#include "registry/columns.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Statements of one migration for one backend; NULL ends the list. A
 * migration runs `before` (if any), then makes the tables of columns.h it
 * creates or changes (gm_tables_migrate), then the rest. */
typedef struct migration {
    int version;
    const char *description;
    const char *const *lite;
    const char *const *pg;
    const char *const *lite_before, *const *pg_before;
} migration;

/* ---- 1: snapshots, sources, versions of the four layers ----------------- */

/* Before the tables (columns.h): the version table and the spatial metadata. */
static const char *const v1_lite_before[] = {
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT "
    "NULL, description TEXT NOT NULL)",
    "SELECT InitSpatialMetaData(0, 'NONE')",
    "SELECT InsertEpsgSrid(4490) WHERE NOT EXISTS (SELECT 1 FROM spatial_ref_sys WHERE srid = "
    "4490)",
    NULL};

static const char *const v1_pg_before[] = {
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT "
    "NULL, description TEXT NOT NULL)",
    "CREATE EXTENSION IF NOT EXISTS postgis", NULL};

/* After them: snapshot, source, parcel, parcel_version, mine_version,
 * zone_version, redline_version, each *_version with its spatial index. */
static const char *const v1[] = {
    "CREATE INDEX parcel_version_parcel ON parcel_version (parcel_id, snapshot_id)", NULL};

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

/* licence and event: columns.h */
#define THRESHOLD_SET_COLUMNS(ID)                                                                  \
    "CREATE TABLE threshold_set (set_id " ID ", effective_from TEXT NOT NULL, label TEXT, "        \
    "file_name TEXT, loaded_by TEXT NOT NULL, loaded_at TEXT NOT NULL)"
#define THRESHOLD_COLUMNS(REAL)                                                                    \
    "CREATE TABLE threshold (set_id BIGINT NOT NULL REFERENCES threshold_set, industry TEXT NOT "  \
    "NULL, mineral TEXT, mining_recovery " REAL ", beneficiation_recovery " REAL                   \
    ", utilisation " REAL ", note TEXT)"
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

static const char *const v3_lite[] = {
    "CREATE INDEX event_licence ON event (licence_no, event_date, event_id)",
    THRESHOLD_SET_COLUMNS("INTEGER PRIMARY KEY"),
    THRESHOLD_COLUMNS("REAL"),
    "CREATE INDEX threshold_set_rows ON threshold (set_id)",
    VIEW_EVENT_LOG,
    VIEW_EVENT_CURRENT,
    VIEW_THRESHOLD_CURRENT,
    LITE_APPEND_ONLY("licence"),
    LITE_APPEND_ONLY("event"),
    LITE_APPEND_ONLY("threshold_set"),
    LITE_APPEND_ONLY("threshold"),
    NULL};

static const char *const v3_pg[] = {
    "CREATE INDEX event_licence ON event (licence_no, event_date, event_id)",
    THRESHOLD_SET_COLUMNS("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
    THRESHOLD_COLUMNS("DOUBLE PRECISION"),
    "CREATE INDEX threshold_set_rows ON threshold (set_id)",
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

#define DRAW_COLUMNS(ID)                                                                           \
    "CREATE TABLE draw (draw_id " ID ", draw_date TEXT NOT NULL, drawn_at TEXT NOT NULL, "         \
    "drawn_by TEXT NOT NULL, seed TEXT NOT NULL, share_percent TEXT, count_requested INTEGER, "    \
    "per_mine INTEGER NOT NULL, floor_per_county INTEGER NOT NULL, county TEXT, industry TEXT, "   \
    "candidates INTEGER NOT NULL, mines_sha256 TEXT NOT NULL, inspectors_sha256 TEXT NOT NULL, "   \
    "mines_csv TEXT NOT NULL, inspectors_csv TEXT NOT NULL, greenmine_version TEXT NOT NULL)"
#define DRAW_PICK_TABLE                                                                            \
    "CREATE TABLE draw_pick (draw_id BIGINT NOT NULL REFERENCES draw, rank INTEGER NOT NULL, "     \
    "licence_no TEXT NOT NULL REFERENCES licence, county TEXT, industry TEXT, inspectors TEXT "    \
    "NOT "                                                                                         \
    "NULL, inspector_names TEXT NOT NULL, PRIMARY KEY (draw_id, rank), UNIQUE (draw_id, "          \
    "licence_no))"
#define INSPECTOR_TABLE                                                                            \
    "CREATE TABLE inspector (draw_id BIGINT NOT NULL REFERENCES draw, seq INTEGER NOT NULL, "      \
    "inspector_id TEXT NOT NULL, name TEXT NOT NULL, county TEXT, agency TEXT, PRIMARY KEY "       \
    "(draw_id, seq), UNIQUE (draw_id, inspector_id))"
/* each pick with the result of its spot check once entered (NULLs while pending) */
#define VIEW_SPOT_CHECK_ASSIGNMENT                                                                 \
    "CREATE VIEW spot_check_assignment AS SELECT d.draw_id, d.draw_date, p.rank, p.licence_no, "   \
    "p.county, p.industry, p.inspectors, p.inspector_names, e.event_id, e.event_date AS "          \
    "checked_on, e.result, e.findings FROM draw_pick p JOIN draw d ON d.draw_id = p.draw_id LEFT " \
    "JOIN event_current e ON e.kind = 'spot_check' AND e.licence_no = p.licence_no AND "           \
    "e.draw_id = CAST(p.draw_id AS TEXT)"

static const char *const v4_lite[] = {DRAW_COLUMNS("INTEGER PRIMARY KEY"),
                                      DRAW_PICK_TABLE,
                                      INSPECTOR_TABLE,
                                      VIEW_SPOT_CHECK_ASSIGNMENT,
                                      LITE_APPEND_ONLY("draw"),
                                      LITE_APPEND_ONLY("draw_pick"),
                                      LITE_APPEND_ONLY("inspector"),
                                      NULL};

static const char *const v4_pg[] = {DRAW_COLUMNS("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
                                    DRAW_PICK_TABLE,
                                    INSPECTOR_TABLE,
                                    VIEW_SPOT_CHECK_ASSIGNMENT,
                                    PG_APPEND_ONLY("draw"),
                                    PG_APPEND_ONLY("draw_pick"),
                                    PG_APPEND_ONLY("inspector"),
                                    NULL};
/* ---- 5: the desk's users and sessions (greenmine/users.h) ------------------ */

/* A user is disabled, never deleted: events name who entered them. Sessions
 * hold only the hash of their secret; failures/locked_until throttle sign-in. */
#define APP_USER_COLUMNS(id, epoch)                                                                \
    "CREATE TABLE app_user (user_id " id ", name TEXT NOT NULL UNIQUE, role TEXT NOT NULL CHECK "  \
    "(role IN ('province', 'county', 'agency', 'inspector')), scope TEXT, password_hash TEXT NOT " \
    "NULL, created TEXT NOT NULL, disabled TEXT, failures INTEGER NOT NULL DEFAULT 0, "            \
    "locked_until " epoch " NOT NULL DEFAULT 0, CHECK ((role = 'province') = (scope IS NULL)))"
#define SESSION_COLUMNS(ref, epoch)                                                                \
    "CREATE TABLE session (token_hash TEXT PRIMARY KEY, user_id " ref " NOT NULL REFERENCES "      \
    "app_user, created TEXT NOT NULL, expires " epoch " NOT NULL)"

static const char *const v5_lite[] = {
    APP_USER_COLUMNS("INTEGER PRIMARY KEY", "INTEGER"), SESSION_COLUMNS("INTEGER", "INTEGER"),
    "CREATE INDEX session_by_user ON session (user_id)",
    "CREATE TRIGGER app_user_no_delete BEFORE DELETE ON app_user BEGIN SELECT RAISE(ABORT, "
    "'greenmine registry: users are disabled, never deleted'); END",
    NULL};

static const char *const v5_pg[] = {
    APP_USER_COLUMNS("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BIGINT"),
    SESSION_COLUMNS("BIGINT", "BIGINT"),
    "CREATE INDEX session_by_user ON session (user_id)",
    "CREATE FUNCTION greenmine_user_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'greenmine registry: users are disabled, never deleted'; END $$",
    "CREATE TRIGGER app_user_no_delete BEFORE DELETE ON app_user FOR EACH ROW EXECUTE FUNCTION "
    "greenmine_user_no_delete()",
    NULL};

/* ---- 6: checks kept for their URLs (greenmine serve) -------------------- */

static const char *const v6_lite[] = {
    "CREATE TABLE serve_result (result_id TEXT PRIMARY KEY, checked_at TEXT NOT NULL, data_ref "
    "TEXT NOT NULL, check_json TEXT NOT NULL, geometry_json TEXT NOT NULL)",
    NULL};

static const char *const v6_pg[] = {
    "CREATE TABLE serve_result (result_id TEXT PRIMARY KEY, checked_at TEXT NOT NULL, data_ref "
    "TEXT NOT NULL, check_json TEXT NOT NULL, geometry_json TEXT NOT NULL)",
    NULL};

static const migration migrations[] = {
    {1, "snapshots, sources, parcel/mine/zone/red-line versions, spatial indexes", v1, v1,
     v1_lite_before, v1_pg_before},
    {2,
     "views snapshot_layer, parcel_history, parcel_current, parcel_changes; append-only "
     "triggers",
     v2_lite, v2_pg, NULL, NULL},
    {3,
     "management records: licence, event (append-only), threshold_set, threshold; views "
     "event_log, event_current, threshold_current",
     v3_lite, v3_pg, NULL, NULL},
    {4, "spot-check draws: draw, draw_pick, inspector; view spot_check_assignment", v4_lite, v4_pg,
     NULL, NULL},
    {5, "the desk's users and sessions: app_user, session", v5_lite, v5_pg, NULL, NULL},
    {6, "serve_result: checks kept for their URLs by greenmine serve", v6_lite, v6_pg, NULL, NULL},
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
        int lite = reg->db_kind == GM_DB_SPATIALITE;
        const char *const *before = lite ? mg->lite_before : mg->pg_before;
        for (; before && *before && rc == GM_OK; before++)
            rc = gm_db_exec(reg->db, *before);
        if (rc == GM_OK) rc = gm_tables_migrate(reg, mg->version);
        for (const char *const *sql = lite ? mg->lite : mg->pg; *sql && rc == GM_OK; sql++)
            rc = gm_db_exec(reg->db, *sql);
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
