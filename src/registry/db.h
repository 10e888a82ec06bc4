/*
 * db.h -- the registry's two database backends behind one small interface:
 * SpatiaLite (sqlite3 + the spatialite extension, per-connection state only)
 * and PostgreSQL + PostGIS (libpq). SQL is written once with `?` placeholders;
 * the PostgreSQL side renumbers them to $1, $2 ... Every value goes through a
 * bound parameter; nothing here ever pastes a value into SQL text.
 */
#ifndef GM_REGISTRY_DB_H
#define GM_REGISTRY_DB_H

#include <greenmine/context.h>

#include <stddef.h>

typedef enum gm_db_kind { GM_DB_SPATIALITE = 0, GM_DB_POSTGIS = 1 } gm_db_kind;

typedef struct gm_db gm_db;
typedef struct gm_stmt gm_stmt;

/* Opens (creating a SpatiaLite file when missing) `target`: a file path, or a
 * libpq connection string after "PG:". A writer that finds the database
 * locked waits up to busy_ms, then fails with GM_ERR_BUSY. Errors are set on
 * ctx. */
int gm_db_open(gm_context *ctx, const char *target, int busy_ms, gm_db **out);
void gm_db_close(gm_db *db);
/* Errors go to ctx from now on (a connection kept for the next user).
 * Returns 1 when the connection is fit to keep: open, no transaction. */
int gm_db_set_context(gm_db *db, gm_context *ctx);
gm_db_kind gm_db_kind_of(const gm_db *db);

/* Runs SQL without parameters or results (DDL, BEGIN, COMMIT). */
int gm_db_exec(gm_db *db, const char *sql);
/* BEGIN that takes the registry's write lock at once, waiting up to the busy
 * timeout (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN and a transaction-level
 * advisory lock that every greenmine writer takes). */
int gm_db_begin_write(gm_db *db);
int gm_db_rollback(gm_db *db);

/* Prepares one statement. */
int gm_db_prepare(gm_db *db, const char *sql, gm_stmt **out);
/* Parameters are 1-based. Text and blobs are copied. A bind that fails sets
 * the error on ctx and is returned again by the next gm_stmt_step (until
 * gm_stmt_reset), so a run of binds needs only the step checked. */
int gm_stmt_bind_text(gm_stmt *st, int i, const char *value); /* NULL binds NULL */
int gm_stmt_bind_int(gm_stmt *st, int i, long long value);
int gm_stmt_bind_double(gm_stmt *st, int i, double value);
int gm_stmt_bind_blob(gm_stmt *st, int i, const void *data, size_t n); /* NULL binds NULL */
int gm_stmt_bind_null(gm_stmt *st, int i);
/* Runs or advances: 1 = a row is available, 0 = done, < 0 = error (on ctx). */
int gm_stmt_step(gm_stmt *st);
/* Columns of the current row, 0-based. Pointers stay valid until the next step. */
int gm_stmt_is_null(gm_stmt *st, int col);
const char *gm_stmt_text(gm_stmt *st, int col); /* NULL for NULL */
long long gm_stmt_int(gm_stmt *st, int col);
double gm_stmt_double(gm_stmt *st, int col);
const unsigned char *gm_stmt_blob(gm_stmt *st, int col, size_t *n); /* NULL for NULL */
/* Clears bindings and results so the statement can run again. */
int gm_stmt_reset(gm_stmt *st);
void gm_stmt_free(gm_stmt *st);

/* A quoted identifier ("name", doubled inner quotes) into buf. */
const char *gm_db_quote_ident(const char *name, char *buf, size_t len);

#endif
