/*
 * users.c -- the desk's users and sessions in the registry (greenmine/users.h):
 * argon2id password strings, session secrets of which only a hash is stored,
 * CSRF tokens derived from the session's secret, and sign-in throttling in
 * the user's row, so servers sharing a PostGIS registry share all of it.
 */
#include "registry/columns.h"

#include <greenmine/users.h>

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOCK_FIRST_S 30
#define LOCK_MAX_S 900

const char *gm_role_name(gm_role r)
{
    static const char *names[] = {"province", "county", "agency", "inspector"};
    return (unsigned)r <= GM_ROLE_INSPECTOR ? names[r] : "?";
}

int gm_role_parse(gm_context *ctx, const char *s, gm_role *out)
{
    static const char *zh[] = {"省级", "市县", "第三方机构", "检查人员"};
    for (int r = GM_ROLE_PROVINCE; s && r <= GM_ROLE_INSPECTOR; r++)
        if (strcmp(s, gm_role_name((gm_role)r)) == 0 || strcmp(s, zh[r]) == 0) {
            *out = (gm_role)r;
            return GM_OK;
        }
    return gm_error(ctx, GM_ERR_USAGE,
                    "role '%.40s': expected province, county, agency or inspector", s ? s : "");
}

/* 1 when s is a role's stored code (then *out is the role), else 0. */
static int role_known(const char *s, gm_role *out)
{
    for (int r = GM_ROLE_PROVINCE; s && r <= GM_ROLE_INSPECTOR; r++)
        if (strcmp(s, gm_role_name((gm_role)r)) == 0) {
            *out = (gm_role)r;
            return 1;
        }
    return 0;
}

void gm_user_clear(gm_user *u)
{
    if (!u) return;
    free(u->name);
    free(u->scope);
    memset(u, 0, sizeof *u);
}

void gm_users_free(gm_user *users, size_t n)
{
    for (size_t i = 0; users && i < n; i++)
        gm_user_clear(&users[i]);
    free(users);
}

void gm_session_clear(gm_session *s)
{
    if (!s) return;
    gm_user_clear(&s->user);
    sodium_memzero(s, sizeof *s);
}

static int crypto_ready(gm_context *ctx)
{
    if (sodium_init() < 0) return gm_error(ctx, GM_ERR_INTERNAL, "libsodium cannot start");
    return GM_OK;
}

/* ---- input checks ---------------------------------------------------------- */

/* Printable UTF-8, no spaces, slashes or quotes, 1..64 bytes. */
static int name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 64) return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f || *p == '/' || *p == '\\' || *p == '"' || *p == '\'' ||
            *p == '<' || *p == '>' || *p == '&')
            return 0;
    return 1;
}

static int scope_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 200) return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f) return 0;
    return 1;
}

static int password_ok(gm_context *ctx, const char *pw)
{
    size_t n = pw ? strlen(pw) : 0;
    if (n < GM_PASSWORD_MIN)
        return gm_error(ctx, GM_ERR_USAGE, "the password is too short: at least %d characters",
                        GM_PASSWORD_MIN);
    if (n > GM_PASSWORD_MAX)
        return gm_error(ctx, GM_ERR_USAGE, "the password is too long: at most %d bytes",
                        GM_PASSWORD_MAX);
    return GM_OK;
}

static int hash_password(gm_context *ctx, const char *pw, char out[crypto_pwhash_STRBYTES])
{
    if (crypto_pwhash_str_alg(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return gm_error(ctx, GM_ERR_NOMEM, "cannot hash the password (out of memory)");
    return GM_OK;
}

/* A statement's text/int parameters, p[i] its parameter i + 1. */
typedef struct param {
    const char *text;
    long long num;
    int is_num;
} param;
#define T(s) ((param){.text = (s)})
#define N(v) ((param){.num = (v), .is_num = 1})

/* Binds p to st, runs it and frees it; GM_OK or an error. */
static int bind_run(gm_stmt *st, const param *p, int n)
{
    int rc;
    for (int i = 0; i < n; i++)
        if (p[i].is_num)
            gm_stmt_bind_int(st, i + 1, p[i].num);
        else
            gm_stmt_bind_text(st, i + 1, p[i].text);
    rc = gm_stmt_step(st);
    gm_stmt_free(st);
    return rc < 0 ? rc : GM_OK;
}

/* Runs one statement with text/int parameters; GM_OK or an error. */
static int run(gm_registry *reg, const char *sql, const param *p, int n)
{
    gm_stmt *st = NULL;
    int rc = gm_db_prepare(reg->db, sql, &st);
    return rc == GM_OK ? bind_run(st, p, n) : rc;
}

/* A row of app_user (gm_table_prepare_select) into u. */
static void user_from_row(gm_stmt *st, gm_user *u)
{
    u->user_id = gm_stmt_int(st, gm_table_key_column(&gm_table_app_user));
    u->name = gm_strdup(gm_stmt_text(st, USER_name));
    /* the schema's CHECK allows only the four codes; should another get in,
     * fail closed: the least powerful role, not the most */
    if (!role_known(gm_stmt_text(st, USER_role), &u->role)) u->role = GM_ROLE_INSPECTOR;
    const char *scope = gm_stmt_text(st, USER_scope), *created = gm_stmt_text(st, USER_created),
               *disabled = gm_stmt_text(st, USER_disabled);
    u->scope = scope ? gm_strdup(scope) : NULL;
    snprintf(u->created, sizeof u->created, "%s", created ? created : "");
    snprintf(u->disabled, sizeof u->disabled, "%s", disabled ? disabled : "");
}

/* The active-or-not user of a name into u (u->name NULL when none), and the
 * hash; `where` is the SELECT's tail, with one parameter p. */
static int load_user(gm_registry *reg, const char *where, const param *p, gm_user *u, char *hash,
                     size_t hash_cap, long long *failures, long long *locked_until)
{
    gm_stmt *st = NULL;
    int rc = gm_table_prepare_select(reg, &gm_table_app_user, where, &st);
    if (rc != GM_OK) return rc;
    if (p->is_num)
        gm_stmt_bind_int(st, 1, p->num);
    else
        gm_stmt_bind_text(st, 1, p->text);
    memset(u, 0, sizeof *u);
    int step = gm_stmt_step(st);
    if (step == 1) {
        user_from_row(st, u);
        const char *stored = gm_stmt_text(st, USER_password_hash);
        if (hash) snprintf(hash, hash_cap, "%s", stored ? stored : "");
        if (failures) *failures = gm_stmt_int(st, USER_failures);
        if (locked_until) *locked_until = gm_stmt_int(st, USER_locked_until);
        if (!u->name) rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    } else if (step < 0) {
        rc = step;
    }
    gm_stmt_free(st);
    return rc;
}

/* ---- users ------------------------------------------------------------------- */

int gm_users_add(gm_registry *reg, const char *name, gm_role role, const char *scope,
                 const char *password)
{
    gm_context *ctx = reg->ctx;
    if (!name_ok(name))
        return gm_error(ctx, GM_ERR_USAGE,
                        "user name '%.64s': expected 1 to 64 bytes without spaces, slashes, "
                        "quotes or markup characters",
                        name ? name : "");
    if (role == GM_ROLE_PROVINCE && scope && *scope)
        return gm_error(ctx, GM_ERR_USAGE,
                        "user %s: a province user has no county, agency or inspector id", name);
    if (role != GM_ROLE_PROVINCE && !scope_ok(scope))
        return gm_error(ctx, GM_ERR_USAGE, "user %s: %s %s user needs its %s", name,
                        role == GM_ROLE_COUNTY ? "a" : "an", gm_role_name(role),
                        role == GM_ROLE_COUNTY   ? "county (--county NAME)"
                        : role == GM_ROLE_AGENCY ? "agency (--agency NAME)"
                                                 : "inspector id (--inspector ID)");
    int rc = password_ok(ctx, password);
    if (rc == GM_OK) rc = crypto_ready(ctx);
    if (rc != GM_OK) return rc;
    gm_user old;
    if ((rc = load_user(reg, "WHERE name = ?", &T(name), &old, NULL, 0, NULL, NULL)) != GM_OK)
        return rc;
    int taken = old.name != NULL;
    gm_user_clear(&old);
    if (taken)
        return gm_error(ctx, GM_ERR_USAGE,
                        "user %s exists already (a removed user's name stays taken)", name);
    char hash[crypto_pwhash_STRBYTES], now[32];
    if ((rc = hash_password(ctx, password, hash)) != GM_OK) return rc;
    gm_registry_now(now);
    const param p[USER_NCOLS] = {[USER_name] = T(name),
                                 [USER_role] = T(gm_role_name(role)),
                                 [USER_scope] = T(role == GM_ROLE_PROVINCE ? NULL : scope),
                                 [USER_password_hash] = T(hash),
                                 [USER_created] = T(now),
                                 [USER_disabled] = T(NULL),
                                 [USER_failures] = N(0),
                                 [USER_locked_until] = N(0)};
    gm_stmt *st = NULL;
    if ((rc = gm_table_prepare_insert(reg, &gm_table_app_user, NULL, &st)) == GM_OK)
        rc = bind_run(st, p, USER_NCOLS);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

/* The active user of a name, or a usage error naming it. */
static int active_user(gm_registry *reg, const char *name, gm_user *u)
{
    int rc = load_user(reg, "WHERE name = ?", &T(name), u, NULL, 0, NULL, NULL);
    if (rc != GM_OK) return rc;
    if (!u->name) return gm_error(reg->ctx, GM_ERR_USAGE, "no user %.64s", name ? name : "");
    if (u->disabled[0]) {
        rc = gm_error(reg->ctx, GM_ERR_USAGE, "user %s was removed on %s", u->name, u->disabled);
        gm_user_clear(u);
    }
    return rc;
}

int gm_users_remove(gm_registry *reg, const char *name)
{
    gm_user u;
    int rc = active_user(reg, name, &u);
    if (rc != GM_OK) return rc;
    char now[32];
    gm_registry_now(now);
    if ((rc = gm_db_exec(reg->db, "BEGIN")) == GM_OK) {
        rc = run(reg, "UPDATE app_user SET disabled = ? WHERE user_id = ?",
                 (param[]){T(now), N(u.user_id)}, 2);
        if (rc == GM_OK) rc = run(reg, "DELETE FROM session WHERE user_id = ?", &N(u.user_id), 1);
        rc = rc == GM_OK ? gm_db_exec(reg->db, "COMMIT") : (gm_db_rollback(reg->db), rc);
    }
    gm_user_clear(&u);
    return rc;
}

int gm_users_passwd(gm_registry *reg, const char *name, const char *password)
{
    int rc = password_ok(reg->ctx, password);
    if (rc == GM_OK) rc = crypto_ready(reg->ctx);
    if (rc != GM_OK) return rc;
    gm_user u;
    if ((rc = active_user(reg, name, &u)) != GM_OK) return rc;
    char hash[crypto_pwhash_STRBYTES];
    if ((rc = hash_password(reg->ctx, password, hash)) == GM_OK &&
        (rc = gm_db_exec(reg->db, "BEGIN")) == GM_OK) {
        rc = run(reg,
                 "UPDATE app_user SET password_hash = ?, failures = 0, locked_until = 0 WHERE "
                 "user_id = ?",
                 (param[]){T(hash), N(u.user_id)}, 2);
        if (rc == GM_OK) rc = run(reg, "DELETE FROM session WHERE user_id = ?", &N(u.user_id), 1);
        rc = rc == GM_OK ? gm_db_exec(reg->db, "COMMIT") : (gm_db_rollback(reg->db), rc);
    }
    sodium_memzero(hash, sizeof hash);
    gm_user_clear(&u);
    return rc;
}

int gm_users_list(gm_registry *reg, gm_user **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    gm_stmt *st = NULL;
    long long now = (long long)time(NULL);
    int rc = gm_table_prepare_select_with(reg, &gm_table_app_user,
                                          "(SELECT count(*) FROM session s WHERE s.user_id = "
                                          "app_user.user_id AND s.expires > ?)",
                                          "ORDER BY name", &st);
    if (rc != GM_OK) return rc;
    gm_stmt_bind_int(st, 1, now);
    gm_user *users = NULL;
    size_t count = 0;
    int step;
    while ((step = gm_stmt_step(st)) == 1) {
        gm_user *nu = realloc(users, (count + 1) * sizeof *nu);
        if (!nu) {
            step = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
            break;
        }
        users = nu;
        gm_user *u = &users[count++];
        memset(u, 0, sizeof *u);
        user_from_row(st, u);
        u->sessions = gm_stmt_int(st, gm_table_key_column(&gm_table_app_user) + 1);
    }
    gm_stmt_free(st);
    if (step < 0) {
        gm_users_free(users, count);
        return step;
    }
    *out = users;
    *n = count;
    return GM_OK;
}

/* ---- sessions ------------------------------------------------------------------ */

static void to_hex(const unsigned char *b, size_t n, char *out)
{
    sodium_bin2hex(out, n * 2 + 1, b, n);
}

/* 1 when token is well-formed (64 hex digits), then the stored hash of its
 * secret and the session's CSRF token (each when asked for); else 0. */
static int token_valid(const char *token, char hash_hex[65], char csrf_hex[65])
{
    unsigned char secret[32], h[32];
    size_t got = 0;
    if (!token || strlen(token) != 64 ||
        sodium_hex2bin(secret, sizeof secret, token, 64, NULL, &got, NULL) != 0 || got != 32)
        return 0;
    if (hash_hex) {
        crypto_generichash(h, sizeof h, secret, sizeof secret, NULL, 0);
        to_hex(h, sizeof h, hash_hex);
    }
    if (csrf_hex) {
        static const char label[] = "greenmine csrf v1";
        crypto_generichash(h, sizeof h, (const unsigned char *)label, sizeof label - 1, secret,
                           sizeof secret);
        to_hex(h, sizeof h, csrf_hex);
    }
    sodium_memzero(secret, sizeof secret);
    return 1;
}

/* A known argon2id string (of a password nobody has) for unknown names, so
 * that they cost what a known name costs. */
static const char *dummy_hash(void)
{
    /* as long as a stored hash may be: libsodium declares the argument that size */
    static const char h[crypto_pwhash_STRBYTES] =
        "$argon2id$v=19$m=65536,t=2,p=1$xFkAaWG8UVCq+Ak+1AsPgw$"
        "CA4wpX4i6CKG4AHley8YftdzYdJwkyL03m5SEv+Be1w";
    return h;
}

int gm_users_signin(gm_registry *reg, const char *name, const char *password, long ttl_s,
                    gm_signin_result *result, long *retry_after, gm_session *out)
{
    gm_context *ctx = reg->ctx;
    *result = GM_SIGNIN_BAD;
    *retry_after = 0;
    memset(out, 0, sizeof *out);
    int rc = crypto_ready(ctx);
    if (rc != GM_OK) return rc;
    if (ttl_s <= 0) ttl_s = GM_SESSION_TTL_DEFAULT;
    long long now = (long long)time(NULL);
    gm_user u;
    char hash[crypto_pwhash_STRBYTES + 1] = "";
    long long failures = 0, locked_until = 0;
    int named = name_ok(name);
    if (named && (rc = load_user(reg, "WHERE name = ?", &T(name), &u, hash, sizeof hash, &failures,
                                 &locked_until)) != GM_OK)
        return rc;
    if (!named) memset(&u, 0, sizeof u);
    if (u.name && !u.disabled[0] && locked_until > now) {
        *result = GM_SIGNIN_THROTTLED;
        *retry_after = (long)(locked_until - now);
        gm_user_clear(&u);
        return GM_OK;
    }
    size_t pwlen = password ? strlen(password) : 0;
    int known = u.name && !u.disabled[0] && hash[0];
    int good = crypto_pwhash_str_verify(known ? hash : dummy_hash(), password ? password : "",
                                        pwlen > GM_PASSWORD_MAX ? 0 : pwlen) == 0 &&
               known && pwlen <= GM_PASSWORD_MAX;
    sodium_memzero(hash, sizeof hash);
    if (!good) {
        if (known) { /* throttle the name: 30 s after 5 failures, doubling, at most 15 min */
            /* counted in SQL, so failures tried at once on several servers all count */
            rc = run(reg, "UPDATE app_user SET failures = failures + 1 WHERE user_id = ?",
                     &N(u.user_id), 1);
            gm_stmt *st = NULL;
            if (rc == GM_OK && (rc = gm_table_prepare_select(reg, &gm_table_app_user,
                                                             "WHERE user_id = ?", &st)) == GM_OK) {
                gm_stmt_bind_int(st, 1, u.user_id);
                int step = gm_stmt_step(st);
                if (step == 1) failures = gm_stmt_int(st, USER_failures);
                if (step < 0) rc = step;
                gm_stmt_free(st);
            }
            long long lock = 0;
            if (rc == GM_OK && failures >= GM_SIGNIN_FREE_FAILURES) {
                lock = LOCK_FIRST_S;
                for (long long k = GM_SIGNIN_FREE_FAILURES; k < failures && lock < LOCK_MAX_S; k++)
                    lock *= 2;
                if (lock > LOCK_MAX_S) lock = LOCK_MAX_S;
                rc = run(reg, "UPDATE app_user SET locked_until = ? WHERE user_id = ?",
                         (param[]){N(now + lock), N(u.user_id)}, 2);
            }
        }
        gm_user_clear(&u);
        return rc;
    }
    /* a new secret; the registry keeps only its hash */
    unsigned char secret[32];
    char token_hash[65], now_text[32];
    randombytes_buf(secret, sizeof secret);
    to_hex(secret, sizeof secret, out->token);
    sodium_memzero(secret, sizeof secret);
    token_valid(out->token, token_hash, out->csrf); /* made just above: valid */
    out->expires = now + ttl_s;
    gm_registry_now(now_text);
    rc = run(reg, "DELETE FROM session WHERE expires <= ?", &N(now), 1);
    if (rc == GM_OK)
        rc = run(reg, "UPDATE app_user SET failures = 0, locked_until = 0 WHERE user_id = ?",
                 &N(u.user_id), 1);
    gm_stmt *st = NULL;
    if (rc == GM_OK && (rc = gm_table_prepare_insert(reg, &gm_table_session, NULL, &st)) == GM_OK)
        rc = bind_run(st,
                      (const param[SESSION_NCOLS]){[SESSION_token_hash] = T(token_hash),
                                                   [SESSION_user_id] = N(u.user_id),
                                                   [SESSION_created] = T(now_text),
                                                   [SESSION_expires] = N(out->expires)},
                      SESSION_NCOLS);
    if (rc != GM_OK) {
        gm_user_clear(&u);
        gm_session_clear(out);
        return rc;
    }
    out->user = u;
    *result = GM_SIGNIN_OK;
    return GM_OK;
}

int gm_session_find(gm_registry *reg, const char *token, gm_session *out)
{
    memset(out, 0, sizeof *out);
    int rc = crypto_ready(reg->ctx);
    if (rc != GM_OK) return rc;
    char token_hash[65], csrf[65];
    if (!token_valid(token, token_hash, csrf)) return GM_OK; /* not a token of ours */
    gm_stmt *st = NULL;
    rc = gm_table_prepare_select(reg, &gm_table_session, "WHERE token_hash = ?", &st);
    if (rc != GM_OK) return rc;
    gm_stmt_bind_text(st, 1, token_hash);
    long long user_id = 0, expires = 0;
    int step = gm_stmt_step(st);
    if (step == 1)
        user_id = gm_stmt_int(st, SESSION_user_id), expires = gm_stmt_int(st, SESSION_expires);
    gm_stmt_free(st);
    if (step < 0) return step;
    if (step == 0 || expires <= (long long)time(NULL)) return GM_OK;
    gm_user u;
    if ((rc = load_user(reg, "WHERE user_id = ?", &N(user_id), &u, NULL, 0, NULL, NULL)) != GM_OK)
        return rc;
    if (!u.name || u.disabled[0]) {
        gm_user_clear(&u);
        return GM_OK;
    }
    snprintf(out->token, sizeof out->token, "%s", token);
    memcpy(out->csrf, csrf, sizeof csrf);
    out->expires = expires;
    out->user = u;
    return GM_OK;
}

int gm_session_end(gm_registry *reg, const char *token)
{
    char token_hash[65];
    int rc = crypto_ready(reg->ctx);
    if (rc != GM_OK || !token_valid(token, token_hash, NULL)) return rc;
    return run(reg, "DELETE FROM session WHERE token_hash = ?", &T(token_hash), 1);
}

int gm_session_csrf_ok(const gm_session *s, const char *given)
{
    if (!s || !s->user.name || !given || strlen(given) != 64 || strlen(s->csrf) != 64) return 0;
    return sodium_memcmp(s->csrf, given, 64) == 0;
}

/* ---- the spot checks an inspector was drawn for ---------------------------------- */

static int id_in_list(const char *list, const char *id)
{
    size_t k = strlen(id);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ';');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == k && strncmp(p, id, k) == 0) return 1;
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

int gm_users_inspector_drawn(gm_registry *reg, const char *draw_id, const char *licence_no,
                             const char *inspector_id, int *drawn)
{
    *drawn = 0;
    if (!draw_id || !licence_no || !inspector_id || !*inspector_id) return GM_OK;
    /* draw_pick: migration 4 (B's draws), always before this one */
    gm_stmt *st = NULL;
    int step, rc;
    rc = gm_table_prepare_select(reg, &gm_table_draw_pick,
                                 "WHERE CAST(draw_id AS TEXT) = ? AND licence_no = ?", &st);
    if (rc != GM_OK) return rc;
    gm_stmt_bind_text(st, 1, draw_id);
    gm_stmt_bind_text(st, 2, licence_no);
    while ((step = gm_stmt_step(st)) == 1)
        if (id_in_list(gm_stmt_text(st, PICK_inspectors), inspector_id)) *drawn = 1;
    gm_stmt_free(st);
    return step < 0 ? step : GM_OK;
}
