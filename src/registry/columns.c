/*
 * columns.c -- the registry's tables (columns.h): the column lists made into
 * tables, and the CREATE TABLE, INSERT and SELECT made from them.
 */
#include "registry/columns.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define GM_COL_DEF(P, name, type, constraint, since) {#name, GM_COL_##type, constraint, since},
#define TABLE(var, NAME, since, key, LIST, geom, constraint)                                       \
    static const gm_column var##_columns[] = {LIST(GM_COL_DEF, _)};                                \
    const gm_db_table var = {                                                                      \
        NAME, since,     key, var##_columns, sizeof var##_columns / sizeof *var##_columns,         \
        geom, constraint};

#define VERSION_KEY "UNIQUE (snapshot_id, seq)"

TABLE(gm_table_snapshot, "snapshot", 1, "snapshot_id", GM_SNAPSHOT_COLUMNS, GM_GEOM_NONE, NULL)
TABLE(gm_table_source, "source", 1, NULL, GM_SOURCE_COLUMNS, GM_GEOM_NONE,
      "PRIMARY KEY (snapshot_id, layer)")
TABLE(gm_table_parcel, "parcel", 1, NULL, GM_PARCEL_COLUMNS, GM_GEOM_NONE, NULL)
TABLE(gm_table_parcel_version, "parcel_version", 1, "version_id", GM_PARCEL_VERSION_COLUMNS,
      GM_GEOM_NOT_NULL, VERSION_KEY)
TABLE(gm_table_mine_version, "mine_version", 1, "version_id", GM_MINE_VERSION_COLUMNS, GM_GEOM_NULL,
      VERSION_KEY)
TABLE(gm_table_zone_version, "zone_version", 1, "version_id", GM_ZONE_VERSION_COLUMNS,
      GM_GEOM_NOT_NULL, VERSION_KEY)
TABLE(gm_table_redline_version, "redline_version", 1, "version_id", GM_REDLINE_VERSION_COLUMNS,
      GM_GEOM_NOT_NULL, VERSION_KEY)
TABLE(gm_table_licence, "licence", 3, NULL, GM_LICENCE_COLUMNS, GM_GEOM_NONE, NULL)
TABLE(gm_table_event, "event", 3, "event_id", GM_EVENT_COLUMNS, GM_GEOM_NONE, NULL)
TABLE(gm_table_threshold_set, "threshold_set", 3, "set_id", GM_THRESHOLD_SET_COLUMNS, GM_GEOM_NONE,
      NULL)
TABLE(gm_table_threshold, "threshold", 3, NULL, GM_THRESHOLD_COLUMNS, GM_GEOM_NONE, NULL)
TABLE(gm_table_draw, "draw", 4, "draw_id", GM_DRAW_COLUMNS, GM_GEOM_NONE, NULL)
TABLE(gm_table_draw_pick, "draw_pick", 4, NULL, GM_DRAW_PICK_COLUMNS, GM_GEOM_NONE,
      "PRIMARY KEY (draw_id, rank), UNIQUE (draw_id, licence_no)")
TABLE(gm_table_inspector, "inspector", 4, NULL, GM_INSPECTOR_COLUMNS, GM_GEOM_NONE,
      "PRIMARY KEY (draw_id, seq), UNIQUE (draw_id, inspector_id)")
TABLE(gm_table_app_user, "app_user", 5, "user_id", GM_APP_USER_COLUMNS, GM_GEOM_NONE,
      "CHECK ((role = 'province') = (scope IS NULL))")
TABLE(gm_table_session, "session", 5, NULL, GM_SESSION_COLUMNS, GM_GEOM_NONE, NULL)
TABLE(gm_table_serve_result, "serve_result", 6, NULL, GM_SERVE_RESULT_COLUMNS, GM_GEOM_NONE, NULL)

const gm_db_table *const gm_registry_tables[] = {
    &gm_table_snapshot,        &gm_table_source,       &gm_table_parcel,
    &gm_table_parcel_version,  &gm_table_mine_version, &gm_table_zone_version,
    &gm_table_redline_version, &gm_table_licence,      &gm_table_event,
    &gm_table_threshold_set,   &gm_table_threshold,    &gm_table_draw,
    &gm_table_draw_pick,       &gm_table_inspector,    &gm_table_app_user,
    &gm_table_session,         &gm_table_serve_result, NULL};

const gm_db_table *gm_table_named(const char *name)
{
    for (const gm_db_table *const *t = gm_registry_tables; *t; t++)
        if (strcmp((*t)->name, name) == 0) return *t;
    return NULL;
}

/* ---- building statements ---------------------------------------------------- */

/* A statement being written; `overflow` once it did not fit. */
typedef struct sql_buf {
    char text[2048];
    size_t at;
    int overflow;
} sql_buf;

static void put(sql_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->text + b->at, sizeof b->text - b->at, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof b->text - b->at)
        b->overflow = 1;
    else
        b->at += (size_t)n;
}

static int too_long(gm_registry *reg, const gm_db_table *t)
{
    return gm_error(reg->ctx, GM_ERR_INTERNAL, "registry: a statement on table %s is too long",
                    t->name);
}

static const char *type_sql(gm_col_type type, gm_db_kind kind)
{
    int pg = kind == GM_DB_POSTGIS;
    switch (type) {
    case GM_COL_TEXT:
        return "TEXT";
    case GM_COL_INT:
        return "INTEGER";
    case GM_COL_INT64:
        return pg ? "BIGINT" : "INTEGER";
    case GM_COL_BIGINT:
        return "BIGINT";
    case GM_COL_REAL:
        return pg ? "DOUBLE PRECISION" : "REAL";
    }
    return "TEXT";
}

/* "name TYPE constraint" */
static void put_column(sql_buf *b, const gm_column *c, gm_db_kind kind)
{
    put(b, "%s %s%s%s", c->name, type_sql(c->type, kind), *c->constraint ? " " : "", c->constraint);
}

static int prepare(gm_registry *reg, const gm_db_table *t, sql_buf *b, const char *tail,
                   gm_stmt **out)
{
    if (tail) put(b, " %s", tail);
    if (b->overflow) return too_long(reg, t);
    return gm_db_prepare(reg->db, b->text, out);
}

int gm_table_prepare_insert(gm_registry *reg, const gm_db_table *t, const char *tail, gm_stmt **out)
{
    sql_buf b = {.at = 0};
    put(&b, "INSERT INTO %s (", t->name);
    for (size_t i = 0; i < t->n; i++)
        put(&b, "%s%s", i ? ", " : "", t->columns[i].name);
    if (t->geom != GM_GEOM_NONE) put(&b, ", geom");
    put(&b, ") VALUES (");
    for (size_t i = 0; i < t->n; i++)
        put(&b, i ? ", ?" : "?");
    if (t->geom != GM_GEOM_NONE) put(&b, ", ST_GeomFromWKB(?, 4490)");
    put(&b, ")");
    return prepare(reg, t, &b, tail, out);
}

int gm_table_prepare_select_with(gm_registry *reg, const gm_db_table *t, const char *more,
                                 const char *tail, gm_stmt **out)
{
    sql_buf b = {.at = 0};
    put(&b, "SELECT ");
    for (size_t i = 0; i < t->n; i++)
        put(&b, "%s%s", i ? ", " : "", t->columns[i].name);
    if (t->geom != GM_GEOM_NONE) put(&b, ", ST_AsBinary(geom)");
    if (t->key) put(&b, ", %s", t->key);
    if (more) put(&b, ", %s", more);
    put(&b, " FROM %s", t->name);
    return prepare(reg, t, &b, tail, out);
}

int gm_table_prepare_select(gm_registry *reg, const gm_db_table *t, const char *tail, gm_stmt **out)
{
    return gm_table_prepare_select_with(reg, t, NULL, tail, out);
}

int gm_table_geom_column(const gm_db_table *t)
{
    assert(t->geom != GM_GEOM_NONE);
    return (int)t->n;
}

int gm_table_key_column(const gm_db_table *t)
{
    assert(t->key);
    return (int)t->n + (t->geom != GM_GEOM_NONE);
}

/* ---- the schema ------------------------------------------------------------------ */

static int run(gm_registry *reg, const gm_db_table *t, const sql_buf *b)
{
    return b->overflow ? too_long(reg, t) : gm_db_exec(reg->db, b->text);
}

/* CREATE TABLE with the columns up to `version`, then the geometry column
 * (SpatiaLite: AddGeometryColumn) and its spatial index. */
static int create_table(gm_registry *reg, const gm_db_table *t, int version)
{
    gm_db_kind kind = reg->db_kind;
    int pg = kind == GM_DB_POSTGIS;
    sql_buf b = {.at = 0};
    put(&b, "CREATE TABLE %s (", t->name);
    const char *sep = "";
    if (t->key) {
        put(&b, "%s %s", t->key,
            pg ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY");
        sep = ", ";
    }
    for (size_t i = 0; i < t->n; i++) {
        if (t->columns[i].since > version) continue;
        put(&b, "%s", sep);
        put_column(&b, &t->columns[i], kind);
        sep = ", ";
    }
    if (pg && t->geom != GM_GEOM_NONE)
        put(&b, ", geom geometry(MultiPolygon, 4490)%s",
            t->geom == GM_GEOM_NOT_NULL ? " NOT NULL" : "");
    if (t->constraint) put(&b, ", %s", t->constraint);
    put(&b, ")");
    int rc = run(reg, t, &b);
    if (rc != GM_OK || t->geom == GM_GEOM_NONE) return rc;
    sql_buf g = {.at = 0}, index = {.at = 0};
    if (pg) {
        put(&index, "CREATE INDEX %s_geom ON %s USING GIST (geom)", t->name, t->name);
    } else {
        put(&g, "SELECT AddGeometryColumn('%s', 'geom', 4490, 'MULTIPOLYGON', 'XY', %d)", t->name,
            t->geom == GM_GEOM_NOT_NULL);
        put(&index, "SELECT CreateSpatialIndex('%s', 'geom')", t->name);
        rc = run(reg, t, &g);
    }
    return rc == GM_OK ? run(reg, t, &index) : rc;
}

int gm_table_migrate(gm_registry *reg, const gm_db_table *t, int version)
{
    if (t->since == version) return create_table(reg, t, version);
    int rc = GM_OK;
    for (size_t i = 0; t->since < version && i < t->n && rc == GM_OK; i++) {
        if (t->columns[i].since != version) continue;
        sql_buf b = {.at = 0};
        put(&b, "ALTER TABLE %s ADD COLUMN ", t->name);
        put_column(&b, &t->columns[i], reg->db_kind);
        rc = run(reg, t, &b);
    }
    return rc;
}

int gm_tables_alter(gm_registry *reg, int version)
{
    int rc = GM_OK;
    for (const gm_db_table *const *t = gm_registry_tables; *t && rc == GM_OK; t++)
        if ((*t)->since < version) rc = gm_table_migrate(reg, *t, version);
    return rc;
}
