/*
 * test_columns.c -- the registry's column lists (src/registry/columns.h)
 * against the schema registries have: a fresh SpatiaLite registry's tables
 * are, to the letter, those of the hand-written migrations (the texts below
 * are what sqlite_master held in registries made by greenmine ed17c66 for
 * migrations 1 and 3's licence and event, and by 16d718d for the rest), so
 * registries made before and after are one schema;
 * the INSERT and SELECT made from the lists name every column once, in the
 * list's order; and a column added by a later migration is an ALTER TABLE.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* after the three above, which it needs */
#include <cmocka.h>

#include "registry/columns.h"
#define TESTREG_NAME "columns"
#include "testreg.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* sqlite_master.sql of each table in a registry made by ed17c66 (after
 * SpatiaLite's AddGeometryColumn, which appends "geom"). */
static const struct {
    const char *table, *sql;
} before[] = {
    {"snapshot",
     "CREATE TABLE snapshot (snapshot_id INTEGER PRIMARY KEY, as_of TEXT NOT NULL UNIQUE, in"
     "gested_at TEXT NOT NULL, greenmine_version TEXT NOT NULL)"},
    {"source",
     "CREATE TABLE source (snapshot_id INTEGER NOT NULL REFERENCES snapshot, layer TEXT NOT "
     "NULL, source TEXT NOT NULL, file_name TEXT, sha256 TEXT, layer_name TEXT, crs TEXT, fe"
     "atures INTEGER NOT NULL, PRIMARY KEY (snapshot_id, layer))"},
    {"parcel",
     "CREATE TABLE parcel (parcel_id TEXT PRIMARY KEY, first_snapshot_id INTEGER NOT NULL RE"
     "FERENCES snapshot)"},
    {"parcel_version",
     "CREATE TABLE parcel_version (version_id INTEGER PRIMARY KEY, snapshot_id INTEGER NOT N"
     "ULL REFERENCES snapshot, seq INTEGER NOT NULL, parcel_id TEXT NOT NULL REFERENCES parc"
     "el, fid INTEGER, kind TEXT, status TEXT, completed_on TEXT, legacy INTEGER, area_ha RE"
     "AL NOT NULL, change TEXT NOT NULL, changed_ha REAL, \"geom\" MULTIPOLYGON NOT NULL DEF"
     "AULT '', UNIQUE (snapshot_id, seq))"},
    {"mine_version",
     "CREATE TABLE mine_version (version_id INTEGER PRIMARY KEY, snapshot_id INTEGER NOT NUL"
     "L REFERENCES snapshot, seq INTEGER NOT NULL, mine_id TEXT, name TEXT, mineral TEXT, in"
     "dustry TEXT, scale TEXT, status TEXT, green INTEGER, fid INTEGER, area_ha REAL, \"geom"
     "\" MULTIPOLYGON, UNIQUE (snapshot_id, seq))"},
    {"zone_version",
     "CREATE TABLE zone_version (version_id INTEGER PRIMARY KEY, snapshot_id INTEGER NOT NUL"
     "L REFERENCES snapshot, seq INTEGER NOT NULL, zone_id TEXT, name TEXT, restoration_targ"
     "et_ha REAL, reclamation_target_ha REAL, fid INTEGER, area_ha REAL NOT NULL, \"geom\" M"
     "ULTIPOLYGON NOT NULL DEFAULT '', UNIQUE (snapshot_id, seq))"},
    {"redline_version",
     "CREATE TABLE redline_version (version_id INTEGER PRIMARY KEY, snapshot_id INTEGER NOT "
     "NULL REFERENCES snapshot, seq INTEGER NOT NULL, redline_id TEXT, name TEXT, category T"
     "EXT, fid INTEGER, area_ha REAL NOT NULL, \"geom\" MULTIPOLYGON NOT NULL DEFAULT '', UN"
     "IQUE (snapshot_id, seq))"},
    {"licence",
     "CREATE TABLE licence (licence_no TEXT PRIMARY KEY, name TEXT, enterprise TEXT, credit_"
     "code TEXT, industry TEXT, mineral TEXT, scale TEXT, county TEXT, city TEXT, licensed_o"
     "n TEXT, is_new INTEGER, entered_by TEXT NOT NULL, entered_at TEXT NOT NULL)"},
    {"event",
     "CREATE TABLE event (event_id INTEGER PRIMARY KEY, licence_no TEXT NOT NULL REFERENCES "
     "licence, kind TEXT NOT NULL CHECK (kind IN ('self_assessment', 'verification', 'listin"
     "g', 'spot_check', 'blacklisting', 'lifting', 'credit_rating', 'three_rates')), event_d"
     "ate TEXT NOT NULL, entered_by TEXT NOT NULL, entered_at TEXT NOT NULL, supersedes BIGI"
     "NT UNIQUE REFERENCES event, is_void INTEGER NOT NULL DEFAULT 0 CHECK (is_void IN (0, 1"
     ")), score REAL, document TEXT, agency TEXT, result TEXT CHECK (result IN ('pass', 'fai"
     "l')), batch TEXT, draw_id TEXT, inspectors TEXT, findings TEXT, reason TEXT, year INTE"
     "GER, grade TEXT, mining_recovery REAL, beneficiation_recovery REAL, utilisation REAL)"},
    /* migrations 3 to 6, as greenmine 16d718d wrote them by hand */
    {"threshold_set",
     "CREATE TABLE threshold_set (set_id INTEGER PRIMARY KEY, effective_from TEXT NOT NULL"
     ", label TEXT, file_name TEXT, loaded_by TEXT NOT NULL, loaded_at TEXT NOT NULL)"},
    {"threshold",
     "CREATE TABLE threshold (set_id BIGINT NOT NULL REFERENCES threshold_set, industry TE"
     "XT NOT NULL, mineral TEXT, mining_recovery REAL, beneficiation_recovery REAL, utilis"
     "ation REAL, note TEXT)"},
    {"draw", "CREATE TABLE draw (draw_id INTEGER PRIMARY KEY, draw_date TEXT NOT NULL, drawn_at TE"
             "XT NOT NULL, drawn_by TEXT NOT NULL, seed TEXT NOT NULL, share_percent TEXT, count_r"
             "equested INTEGER, per_mine INTEGER NOT NULL, floor_per_county INTEGER NOT NULL, coun"
             "ty TEXT, industry TEXT, candidates INTEGER NOT NULL, mines_sha256 TEXT NOT NULL, ins"
             "pectors_sha256 TEXT NOT NULL, mines_csv TEXT NOT NULL, inspectors_csv TEXT NOT NULL,"
             " greenmine_version TEXT NOT NULL)"},
    {"draw_pick",
     "CREATE TABLE draw_pick (draw_id BIGINT NOT NULL REFERENCES draw, rank INTEGER NOT NU"
     "LL, licence_no TEXT NOT NULL REFERENCES licence, county TEXT, industry TEXT, inspect"
     "ors TEXT NOT NULL, inspector_names TEXT NOT NULL, PRIMARY KEY (draw_id, rank), UNIQU"
     "E (draw_id, licence_no))"},
    {"inspector",
     "CREATE TABLE inspector (draw_id BIGINT NOT NULL REFERENCES draw, seq INTEGER NOT NUL"
     "L, inspector_id TEXT NOT NULL, name TEXT NOT NULL, county TEXT, agency TEXT, PRIMARY"
     " KEY (draw_id, seq), UNIQUE (draw_id, inspector_id))"},
    {"app_user",
     "CREATE TABLE app_user (user_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, role "
     "TEXT NOT NULL CHECK (role IN ('province', 'county', 'agency', 'inspector')), scope T"
     "EXT, password_hash TEXT NOT NULL, created TEXT NOT NULL, disabled TEXT, failures INT"
     "EGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0, CHECK ((role = 'pr"
     "ovince') = (scope IS NULL)))"},
    {"session",
     "CREATE TABLE session (token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENC"
     "ES app_user, created TEXT NOT NULL, expires INTEGER NOT NULL)"},
    {"serve_result",
     "CREATE TABLE serve_result (result_id TEXT PRIMARY KEY, checked_at TEXT NOT NULL, dat"
     "a_ref TEXT NOT NULL, check_json TEXT NOT NULL, geometry_json TEXT NOT NULL)"},
};

static const char *one_text(const char *sql, const char *param)
{
    static char buf[2048];
    gm_stmt *st = NULL;
    assert_int_equal(gm_db_prepare(reg->db, sql, &st), GM_OK);
    if (param) gm_stmt_bind_text(st, 1, param);
    assert_int_equal(gm_stmt_step(st), 1);
    snprintf(buf, sizeof buf, "%s", gm_stmt_text(st, 0) ? gm_stmt_text(st, 0) : "(null)");
    gm_stmt_free(st);
    return buf;
}

static void test_same_schema_as_before(void **state)
{
    (void)state;
    size_t n_tables = 0;
    for (const gm_db_table *const *t = gm_registry_tables; *t; t++)
        n_tables++;
    assert_int_equal(n_tables, sizeof before / sizeof *before);
    for (size_t i = 0; i < sizeof before / sizeof *before; i++)
        assert_string_equal(
            one_text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                     before[i].table),
            before[i].sql);
}

/* The registry's own tables, indexes, views and triggers come in the order
 * registries made by 16d718d have them in sqlite_master (each table among
 * the indexes and views of its migration), SpatiaLite's own left out. */
static void test_same_order_as_before(void **state)
{
    (void)state;
    const char *want =
        "table:snapshot table:source table:parcel table:parcel_version table:mine_version "
        "table:zone_version table:redline_version index:parcel_version_parcel "
        "view:snapshot_layer view:parcel_history view:parcel_current view:parcel_changes "
        "trigger:snapshot_append_only trigger:snapshot_no_delete "
        "trigger:parcel_version_append_only trigger:parcel_version_no_delete table:licence "
        "table:event index:event_licence table:threshold_set table:threshold "
        "index:threshold_set_rows view:event_log view:event_current view:threshold_current "
        "trigger:licence_append_only trigger:licence_no_delete trigger:event_append_only "
        "trigger:event_no_delete trigger:threshold_set_append_only "
        "trigger:threshold_set_no_delete trigger:threshold_append_only "
        "trigger:threshold_no_delete table:draw table:draw_pick table:inspector "
        "view:spot_check_assignment trigger:draw_append_only trigger:draw_no_delete "
        "trigger:draw_pick_append_only trigger:draw_pick_no_delete "
        "trigger:inspector_append_only trigger:inspector_no_delete table:app_user "
        "table:session index:session_by_user trigger:app_user_no_delete table:serve_result";
    assert_string_equal(
        one_text("SELECT group_concat(o, ' ') FROM (SELECT type || ':' || name AS o FROM "
                 "sqlite_master WHERE rowid >= (SELECT rowid FROM sqlite_master WHERE name = "
                 "'snapshot') AND name NOT LIKE '%\\_geom' ESCAPE '\\' AND name NOT LIKE "
                 "'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'idx\\_%' ESCAPE '\\' ORDER BY rowid)",
                 NULL),
        want);
}

/* The SELECT made from a list gives its columns in order, then geom, then
 * the key; an event written through the lists reads back field for field. */
static void test_insert_select(void **state)
{
    (void)state;
    gm_stmt *st = NULL;
    assert_int_equal(gm_table_prepare_select(reg, &gm_table_zone_version, "LIMIT 0", &st), GM_OK);
    gm_stmt_free(st);
    assert_int_equal(ZV_snapshot_id, 0);
    assert_int_equal(ZV_seq, 1);
    assert_int_equal(ZV_zone_id, 2);
    assert_int_equal(ZV_area_ha, 7);
    assert_int_equal(gm_table_geom_column(&gm_table_zone_version), 8);
    assert_int_equal(gm_table_key_column(&gm_table_zone_version), 9);
    assert_int_equal(EVENT_utilisation, 20);
    assert_int_equal(gm_table_key_column(&gm_table_event), 21);
    assert_int_equal(gm_db_exec(reg->db,
                                "INSERT INTO licence (licence_no, entered_by, entered_at) VALUES "
                                "('L1', 'x', 'now')"),
                     GM_OK);
    assert_int_equal(gm_table_prepare_insert(reg, &gm_table_event, "RETURNING event_id", &st),
                     GM_OK);
    gm_stmt_bind_text(st, GM_PARAM(EVENT_licence_no), "L1");
    gm_stmt_bind_text(st, GM_PARAM(EVENT_kind), "three_rates");
    gm_stmt_bind_text(st, GM_PARAM(EVENT_event_date), "2020-01-02");
    gm_stmt_bind_text(st, GM_PARAM(EVENT_entered_by), "x");
    gm_stmt_bind_text(st, GM_PARAM(EVENT_entered_at), "now");
    gm_stmt_bind_int(st, GM_PARAM(EVENT_is_void), 0);
    gm_stmt_bind_int(st, GM_PARAM(EVENT_year), 2019);
    gm_stmt_bind_double(st, GM_PARAM(EVENT_utilisation), 61.5);
    assert_int_equal(gm_stmt_step(st), 1);
    long long id = gm_stmt_int(st, 0);
    gm_stmt_free(st);
    char want[96];
    snprintf(want, sizeof want, "three_rates|2019|61.5|%lld", id);
    assert_string_equal(one_text("SELECT kind || '|' || year || '|' || utilisation || '|' || "
                                 "event_id FROM event WHERE score IS NULL",
                                 NULL),
                        want);
    assert_int_equal(gm_table_prepare_select(reg, &gm_table_event, "WHERE event_id = ?", &st),
                     GM_OK);
    gm_stmt_bind_int(st, 1, id);
    assert_int_equal(gm_stmt_step(st), 1);
    assert_string_equal(gm_stmt_text(st, EVENT_kind), "three_rates");
    assert_int_equal(gm_stmt_int(st, EVENT_year), 2019);
    assert_true(gm_stmt_double(st, EVENT_utilisation) == 61.5);
    assert_true(gm_stmt_is_null(st, EVENT_score));
    assert_int_equal(gm_stmt_int(st, gm_table_key_column(&gm_table_event)), id);
    gm_stmt_free(st);
}

/* A table of migration 1 with a column of migration 2: created without it,
 * then altered; a later migration changes nothing. */
static void test_column_added_later(void **state)
{
    (void)state;
    static const gm_column cols[] = {{"a", GM_COL_TEXT, "NOT NULL", 0}, {"b", GM_COL_REAL, "", 2}};
    const gm_db_table t = {"later_table", 1, "id", cols, 2, GM_GEOM_NONE, NULL};
    const char *info =
        "SELECT group_concat(name || ' ' || type, ', ') FROM pragma_table_info('later_table')";
    assert_int_equal(gm_table_migrate(reg, &t, 1), GM_OK);
    assert_string_equal(one_text(info, NULL), "id INTEGER, a TEXT");
    assert_int_equal(gm_table_migrate(reg, &t, 2), GM_OK);
    assert_int_equal(gm_table_migrate(reg, &t, 3), GM_OK);
    assert_string_equal(one_text(info, NULL), "id INTEGER, a TEXT, b REAL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_schema_as_before),
        cmocka_unit_test(test_same_order_as_before),
        cmocka_unit_test(test_insert_select),
        cmocka_unit_test(test_column_added_later),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
