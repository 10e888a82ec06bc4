/*
 * db.c -- the SpatiaLite and PostgreSQL backends of the registry (db.h).
 * SpatiaLite is loaded into each connection with spatialite_init_ex() and its
 * own cache, so nothing global is touched. PostgreSQL statements run through
 * PQexecParams with every value a parameter (text, blobs binary).
 */
#include "registry/db.h"

#include "core/context_impl.h"

#include <libpq-fe.h>
#include <sqlite3.h>
/* after sqlite3.h, which it needs */
#include <spatialite.h>

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define GM_DB_MAX_PARAMS 32

struct gm_db {
    gm_db_kind kind;
    gm_context *ctx;
    int busy_ms;
    sqlite3 *lite;
    void *lite_cache; /* spatialite's per-connection state */
    PGconn *pg;
};

struct gm_stmt {
    gm_db *db;
    sqlite3_stmt *lite;
    /* PostgreSQL */
    char *sql;
    int n_params;
    char *values[GM_DB_MAX_PARAMS];
    int lengths[GM_DB_MAX_PARAMS];
    int formats[GM_DB_MAX_PARAMS];
    PGresult *res;
    int row, executed;
    int bind_rc;                           /* the first failed bind, reported by the step */
    unsigned char *blob[GM_DB_MAX_PARAMS]; /* decoded bytea per column */
    size_t blob_len[GM_DB_MAX_PARAMS];
};

gm_db_kind gm_db_kind_of(const gm_db *db)
{
    return db->kind;
}

const char *gm_db_quote_ident(const char *name, char *buf, size_t len)
{
    size_t at = 0;
    if (len < 3) return "\"\"";
    buf[at++] = '"';
    for (const char *p = name; *p && at + 3 < len; p++) {
        if (*p == '"') buf[at++] = '"';
        buf[at++] = *p;
    }
    buf[at++] = '"';
    buf[at] = '\0';
    return buf;
}

static int lite_fail(gm_db *db, int rc, const char *what)
{
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        return gm_error(db->ctx, GM_ERR_BUSY,
                        "the registry is locked by another writer (waited %d s): %s; try again "
                        "when the other writer has finished",
                        db->busy_ms / 1000, what);
    /* a registry that cannot be written is the user's to fix: say which file and why */
    int base = rc & 0xff;
    const char *file = sqlite3_db_filename(db->lite, "main");
    if (base == SQLITE_READONLY || base == SQLITE_FULL || base == SQLITE_IOERR ||
        base == SQLITE_CANTOPEN)
        return gm_error(db->ctx, GM_ERR_WRITE,
                        "registry %s: cannot write (%s); nothing of this write was recorded",
                        file && *file ? file : "?",
                        base == SQLITE_FULL       ? "the disk is full"
                        : base == SQLITE_READONLY ? "read-only file or folder"
                                                  : sqlite3_errmsg(db->lite));
    return gm_error(db->ctx, GM_ERR_INTERNAL, "registry: %s: %s", what, sqlite3_errmsg(db->lite));
}

static int pg_fail(gm_db *db, const char *what, const PGresult *res)
{
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(db->pg);
    char one[512];
    snprintf(one, sizeof one, "%s", msg ? msg : "");
    for (char *p = one; *p; p++)
        if (*p == '\n') *p = ' ';
    size_t n = strlen(one);
    while (n && one[n - 1] == ' ')
        one[--n] = '\0';
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state && (strcmp(state, "55P03") == 0 || strcmp(state, "40P01") == 0))
        return gm_error(db->ctx, GM_ERR_BUSY, "the registry is locked by another writer: %s", one);
    return gm_error(db->ctx, GM_ERR_INTERNAL, "registry (PostgreSQL): %s: %s", what, one);
}

int gm_db_open(gm_context *ctx, const char *target, int busy_ms, gm_db **out)
{
    assert(out);
    *out = NULL;
    gm_db *db = calloc(1, sizeof *db);
    if (!db) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    db->ctx = ctx;
    db->busy_ms = busy_ms;
    int rc = GM_OK;
    if (strncasecmp(target, "PG:", 3) == 0) {
        db->kind = GM_DB_POSTGIS;
        db->pg = PQconnectdb(target + 3);
        if (!db->pg || PQstatus(db->pg) != CONNECTION_OK) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", db->pg ? PQerrorMessage(db->pg) : "out of memory");
            msg[strcspn(msg, "\n")] = '\0';
            rc = gm_error(ctx, GM_ERR_OPEN, "registry %s: cannot connect: %s", target, msg);
            goto done;
        }
        if (PQsetClientEncoding(db->pg, "UTF8") != 0) {
            rc = gm_error(ctx, GM_ERR_OPEN, "registry %s: cannot use UTF-8 on this connection",
                          target);
            goto done;
        }
        char sql[96];
        /* wait for another writer's lock at most busy_ms, then fail clearly */
        snprintf(sql, sizeof sql, "SET lock_timeout = %d", busy_ms);
        if ((rc = gm_db_exec(db, sql)) != GM_OK) goto done;
        rc = gm_db_exec(db, "SET client_min_messages = warning");
    } else {
        db->kind = GM_DB_SPATIALITE;
        if (sqlite3_open_v2(target, &db->lite, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
            SQLITE_OK) {
            rc = gm_error(ctx, GM_ERR_OPEN, "registry %s: cannot open: %s", target,
                          db->lite ? sqlite3_errmsg(db->lite) : "out of memory");
            goto done;
        }
        if (!(db->lite_cache = spatialite_alloc_connection())) {
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            goto done;
        }
        spatialite_init_ex(db->lite, db->lite_cache, 0);
        sqlite3_busy_timeout(db->lite, busy_ms); /* after spatialite, which sets its own */
        /* a file that is not SQLite fails here, before anything is written */
        if (sqlite3_exec(db->lite, "PRAGMA foreign_keys = ON; SELECT count(*) FROM sqlite_master",
                         NULL, NULL, NULL) != SQLITE_OK) {
            rc = gm_error(ctx, GM_ERR_OPEN, "registry %s: not a SQLite/SpatiaLite database: %s",
                          target, sqlite3_errmsg(db->lite));
            goto done;
        }
    }
done:
    if (rc != GM_OK) {
        gm_db_close(db);
        return rc;
    }
    *out = db;
    return GM_OK;
}

int gm_db_set_context(gm_db *db, gm_context *ctx)
{
    db->ctx = ctx;
    if (db->kind == GM_DB_SPATIALITE) return sqlite3_get_autocommit(db->lite) != 0;
    return PQstatus(db->pg) == CONNECTION_OK && PQtransactionStatus(db->pg) == PQTRANS_IDLE;
}

void gm_db_close(gm_db *db)
{
    if (!db) return;
    if (db->lite) sqlite3_close(db->lite);
    if (db->lite_cache) spatialite_cleanup_ex(db->lite_cache);
    if (db->pg) PQfinish(db->pg);
    free(db);
}

int gm_db_exec(gm_db *db, const char *sql)
{
    if (db->kind == GM_DB_SPATIALITE) {
        int rc = sqlite3_exec(db->lite, sql, NULL, NULL, NULL);
        return rc == SQLITE_OK ? GM_OK : lite_fail(db, rc, sql);
    }
    PGresult *res = PQexec(db->pg, sql);
    ExecStatusType s = PQresultStatus(res);
    int rc = (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) ? GM_OK : pg_fail(db, sql, res);
    PQclear(res);
    return rc;
}

/* Every greenmine writer on a PostgreSQL registry takes this advisory lock. */
#define GM_PG_LOCK_KEY 0x67726e6dLL /* "grnm" */

int gm_db_begin_write(gm_db *db)
{
    if (db->kind == GM_DB_SPATIALITE) return gm_db_exec(db, "BEGIN IMMEDIATE");
    int rc = gm_db_exec(db, "BEGIN");
    if (rc != GM_OK) return rc;
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_advisory_xact_lock(%lld)", GM_PG_LOCK_KEY);
    rc = gm_db_exec(db, sql);
    if (rc != GM_OK) gm_db_rollback(db);
    return rc;
}

int gm_db_rollback(gm_db *db)
{
    if (db->kind == GM_DB_SPATIALITE) {
        if (sqlite3_get_autocommit(db->lite)) return GM_OK;
        /* after a failure whose error is on the context already: a ROLLBACK
         * that fails too (the connection is gone) must not replace it, and
         * the transaction ends with the connection either way */
        sqlite3_exec(db->lite, "ROLLBACK", NULL, NULL, NULL);
        return GM_OK;
    }
    PGresult *res = PQexec(db->pg, "ROLLBACK"); /* as above */
    PQclear(res);
    return GM_OK;
}

/* "... ? ..." -> "... $1 ...", outside quoted strings and identifiers. */
static char *renumber(const char *sql, int *n_params)
{
    size_t len = strlen(sql);
    char *out = malloc(len * 4 + 1);
    if (!out) return NULL;
    size_t at = 0;
    int n = 0;
    char quote = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            if (*p == quote) quote = 0;
            out[at++] = *p;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
            out[at++] = *p;
        } else if (*p == '?') {
            at += (size_t)sprintf(out + at, "$%d", ++n);
        } else {
            out[at++] = *p;
        }
    }
    out[at] = '\0';
    *n_params = n;
    return out;
}

int gm_db_prepare(gm_db *db, const char *sql, gm_stmt **out)
{
    *out = NULL;
    gm_stmt *st = calloc(1, sizeof *st);
    if (!st) return gm_error(db->ctx, GM_ERR_NOMEM, "out of memory");
    st->db = db;
    if (db->kind == GM_DB_SPATIALITE) {
        int rc = sqlite3_prepare_v2(db->lite, sql, -1, &st->lite, NULL);
        if (rc != SQLITE_OK) {
            free(st);
            return lite_fail(db, rc, sql);
        }
    } else {
        st->sql = renumber(sql, &st->n_params);
        if (!st->sql || st->n_params > GM_DB_MAX_PARAMS) {
            free(st->sql);
            free(st);
            return gm_error(db->ctx, GM_ERR_INTERNAL, "registry: cannot prepare %s", sql);
        }
    }
    *out = st;
    return GM_OK;
}

static int pg_set(gm_stmt *st, int i, char *value, int length, int format)
{
    if (i < 1 || i > st->n_params) {
        free(value);
        return gm_error(st->db->ctx, GM_ERR_INTERNAL, "registry: parameter %d out of range", i);
    }
    free(st->values[i - 1]);
    st->values[i - 1] = value;
    st->lengths[i - 1] = length;
    st->formats[i - 1] = format;
    return GM_OK;
}

static int bind_null(gm_stmt *st, int i);

/* A SQLite bind's result code as a status (SQLITE_RANGE, _NOMEM, _TOOBIG). */
static int lite_bind(gm_stmt *st, int rc)
{
    return rc == SQLITE_OK ? GM_OK : lite_fail(st->db, rc, "bind");
}

static int bind_text(gm_stmt *st, int i, const char *value)
{
    if (!value) return bind_null(st, i);
    if (st->lite) return lite_bind(st, sqlite3_bind_text(st->lite, i, value, -1, SQLITE_TRANSIENT));
    char *copy = gm_strdup(value);
    if (!copy) return gm_error(st->db->ctx, GM_ERR_NOMEM, "out of memory");
    return pg_set(st, i, copy, 0, 0);
}

static int bind_int(gm_stmt *st, int i, long long value)
{
    if (st->lite) return lite_bind(st, sqlite3_bind_int64(st->lite, i, value));
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", value);
    char *copy = gm_strdup(buf);
    if (!copy) return gm_error(st->db->ctx, GM_ERR_NOMEM, "out of memory");
    return pg_set(st, i, copy, 0, 0);
}

static int bind_double(gm_stmt *st, int i, double value)
{
    if (st->lite) return lite_bind(st, sqlite3_bind_double(st->lite, i, value));
    char buf[40];
    snprintf(buf, sizeof buf, "%.17g", value);
    char *copy = gm_strdup(buf);
    if (!copy) return gm_error(st->db->ctx, GM_ERR_NOMEM, "out of memory");
    return pg_set(st, i, copy, 0, 0);
}

static int bind_blob(gm_stmt *st, int i, const void *data, size_t n)
{
    if (!data) return bind_null(st, i);
    if (st->lite) return lite_bind(st, sqlite3_bind_blob64(st->lite, i, data, n, SQLITE_TRANSIENT));
    char *copy = malloc(n ? n : 1);
    if (!copy) return gm_error(st->db->ctx, GM_ERR_NOMEM, "out of memory");
    memcpy(copy, data, n);
    return pg_set(st, i, copy, (int)n, 1);
}

static int bind_null(gm_stmt *st, int i)
{
    if (st->lite) return lite_bind(st, sqlite3_bind_null(st->lite, i));
    return pg_set(st, i, NULL, 0, 0);
}

/* A failed bind is kept until the step, which reports it: callers bind
 * several values in a row and check the step alone. */
static int sticky(gm_stmt *st, int rc)
{
    if (rc != GM_OK && st->bind_rc == GM_OK) st->bind_rc = rc;
    return rc;
}

int gm_stmt_bind_text(gm_stmt *st, int i, const char *value)
{
    return sticky(st, bind_text(st, i, value));
}

int gm_stmt_bind_int(gm_stmt *st, int i, long long value)
{
    return sticky(st, bind_int(st, i, value));
}

int gm_stmt_bind_double(gm_stmt *st, int i, double value)
{
    return sticky(st, bind_double(st, i, value));
}

int gm_stmt_bind_blob(gm_stmt *st, int i, const void *data, size_t n)
{
    return sticky(st, bind_blob(st, i, data, n));
}

int gm_stmt_bind_null(gm_stmt *st, int i)
{
    return sticky(st, bind_null(st, i));
}

int gm_stmt_step(gm_stmt *st)
{
    if (st->bind_rc != GM_OK) return st->bind_rc;
    if (st->lite) {
        int rc = sqlite3_step(st->lite);
        if (rc == SQLITE_ROW) return 1;
        if (rc == SQLITE_DONE) return 0;
        return lite_fail(st->db, rc, sqlite3_sql(st->lite));
    }
    if (!st->executed) {
        st->executed = 1;
        st->row = -1;
        st->res = PQexecParams(st->db->pg, st->sql, st->n_params, NULL,
                               (const char *const *)st->values, st->lengths, st->formats, 0);
        ExecStatusType s = PQresultStatus(st->res);
        if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) return pg_fail(st->db, st->sql, st->res);
    }
    for (int c = 0; c < GM_DB_MAX_PARAMS; c++) {
        PQfreemem(st->blob[c]);
        st->blob[c] = NULL;
    }
    st->row++;
    return st->row < PQntuples(st->res) ? 1 : 0;
}

int gm_stmt_is_null(gm_stmt *st, int col)
{
    if (st->lite) return sqlite3_column_type(st->lite, col) == SQLITE_NULL;
    return PQgetisnull(st->res, st->row, col);
}

const char *gm_stmt_text(gm_stmt *st, int col)
{
    if (gm_stmt_is_null(st, col)) return NULL;
    if (st->lite) return (const char *)sqlite3_column_text(st->lite, col);
    return PQgetvalue(st->res, st->row, col);
}

long long gm_stmt_int(gm_stmt *st, int col)
{
    if (st->lite) return sqlite3_column_int64(st->lite, col);
    const char *v = gm_stmt_text(st, col);
    return v ? strtoll(v, NULL, 10) : 0;
}

double gm_stmt_double(gm_stmt *st, int col)
{
    if (st->lite) return sqlite3_column_double(st->lite, col);
    const char *v = gm_stmt_text(st, col);
    return v ? strtod(v, NULL) : 0.0;
}

const unsigned char *gm_stmt_blob(gm_stmt *st, int col, size_t *n)
{
    *n = 0;
    if (gm_stmt_is_null(st, col)) return NULL;
    if (st->lite) {
        *n = (size_t)sqlite3_column_bytes(st->lite, col);
        return sqlite3_column_blob(st->lite, col);
    }
    assert(col < GM_DB_MAX_PARAMS); /* the decoded blobs are kept per column */
    if (!st->blob[col])
        st->blob[col] = PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row, col),
                                        &st->blob_len[col]);
    *n = st->blob[col] ? st->blob_len[col] : 0;
    return st->blob[col];
}

int gm_stmt_reset(gm_stmt *st)
{
    st->bind_rc = GM_OK;
    if (st->lite) {
        sqlite3_reset(st->lite);
        sqlite3_clear_bindings(st->lite);
        return GM_OK;
    }
    for (int c = 0; c < GM_DB_MAX_PARAMS; c++) {
        PQfreemem(st->blob[c]);
        st->blob[c] = NULL;
        free(st->values[c]);
        st->values[c] = NULL;
        st->lengths[c] = 0;
        st->formats[c] = 0;
    }
    PQclear(st->res);
    st->res = NULL;
    st->executed = 0;
    return GM_OK;
}

void gm_stmt_free(gm_stmt *st)
{
    if (!st) return;
    if (st->lite)
        sqlite3_finalize(st->lite);
    else
        gm_stmt_reset(st);
    free(st->sql);
    free(st);
}
