/*
 * greenmine/users.h -- who may write to a registry: the desk's users, their
 * roles, passwords and sign-in sessions, kept in the registry itself (tables
 * app_user and session, migration 5), so any number of `greenmine serve
 * --db PG:...` processes share them and keep no state of their own.
 *
 * Passwords are stored as libsodium argon2id strings (crypto_pwhash_str,
 * OPSLIMIT/MEMLIMIT_INTERACTIVE: 2 passes over 64 MiB, salt and parameters
 * inside the string), never in clear. A session is 32 random bytes given to
 * the browser once (a cookie); the registry keeps only its BLAKE2b hash. The
 * CSRF token of a session is derived from the session's secret (keyed
 * BLAKE2b), so every server of a registry computes the same one and none
 * stores it. Comparisons of secrets are constant-time.
 *
 * Sign-in throttling: after GM_SIGNIN_FREE_FAILURES failed passwords in a row
 * a user's name is locked for 30 s, doubling with every further failure up to
 * 15 minutes; a locked name is refused without looking at the password.
 *
 * Ownership: every gm_user and gm_session filled here is the caller's, freed
 * with gm_user_clear() / gm_users_free() / gm_session_clear().
 */
#ifndef GREENMINE_USERS_H
#define GREENMINE_USERS_H

#include <greenmine/context.h>
#include <greenmine/registry.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The roles (docs/serve.md, "Who may do what"). */
typedef enum gm_role {
    GM_ROLE_PROVINCE = 0, /* the province's administrators: everything */
    GM_ROLE_COUNTY,       /* a city or county government: scope = its county's name */
    GM_ROLE_AGENCY,       /* a third-party agency: scope = the agency's name */
    GM_ROLE_INSPECTOR     /* an inspector of the roster: scope = the inspector id */
} gm_role;

/* "province", "county", "agency", "inspector". Static. */
const char *gm_role_name(gm_role r);
/* The code (or its Chinese name: 省级, 市县, 第三方机构, 检查人员) -> role; GM_ERR_USAGE otherwise.
 */
int gm_role_parse(gm_context *ctx, const char *s, gm_role *out);

#define GM_PASSWORD_MIN 10   /* bytes */
#define GM_PASSWORD_MAX 1024 /* bytes */
#define GM_SIGNIN_FREE_FAILURES 5
#define GM_SESSION_TTL_DEFAULT (8 * 3600) /* seconds */

typedef struct gm_user {
    long long user_id;
    char *name;
    gm_role role;
    char *scope;        /* county, agency or inspector id; NULL for the province */
    char created[32];   /* UTC, YYYY-MM-DDTHH:MM:SSZ */
    char disabled[32];  /* when removed ("" while active) */
    long long sessions; /* open sessions (gm_users_list only) */
} gm_user;

void gm_user_clear(gm_user *u);
void gm_users_free(gm_user *users, size_t n);

/* Adds a user. name: 1..64 bytes of printable UTF-8 without spaces, '/' or
 * quotes; unique among all users ever added (a removed user's name stays
 * taken, as events name who entered them). scope must be given for every role
 * but the province and is refused for it. password: GM_PASSWORD_MIN..MAX
 * bytes. Bad input is GM_ERR_USAGE with a message naming the problem. */
int gm_users_add(gm_registry *reg, const char *name, gm_role role, const char *scope,
                 const char *password);
/* Disables a user (kept, for the history) and ends its sessions. */
int gm_users_remove(gm_registry *reg, const char *name);
/* Sets a new password, clears the throttle and ends the user's sessions. */
int gm_users_passwd(gm_registry *reg, const char *name, const char *password);
/* Every user, active and removed, by name. */
int gm_users_list(gm_registry *reg, gm_user **out, size_t *n);

/* A signed-in session as the server sees it. */
typedef struct gm_session {
    char token[65];    /* the secret, hex: only ever sent to the browser */
    char csrf[65];     /* the session's CSRF token, hex */
    long long expires; /* Unix time */
    gm_user user;      /* user.name == NULL: no session */
} gm_session;

void gm_session_clear(gm_session *s);

typedef enum gm_signin_result {
    GM_SIGNIN_OK = 0,
    GM_SIGNIN_BAD,      /* unknown name, removed user or wrong password (one answer for all) */
    GM_SIGNIN_THROTTLED /* too many failures: *retry_after seconds to wait */
} gm_signin_result;

/* Checks name and password and, when right, opens a session of ttl_s seconds
 * (0 = GM_SESSION_TTL_DEFAULT) into *out. An unknown name costs the same hash
 * as a known one. Expired sessions are deleted on the way. */
int gm_users_signin(gm_registry *reg, const char *name, const char *password, long ttl_s,
                    gm_signin_result *result, long *retry_after, gm_session *out);
/* The session of a token (as the cookie gave it); out->user.name stays NULL
 * when the token is unknown, expired or its user removed. */
int gm_session_find(gm_registry *reg, const char *token, gm_session *out);
/* Ends a session (signing out). An unknown token is no error. */
int gm_session_end(gm_registry *reg, const char *token);
/* Was inspector `inspector_id` drawn for the mine `licence_no` in draw
 * `draw_id` (the draw's record, table draw_pick)? *drawn = 0 when not, or
 * when the registry holds no draws. */
int gm_users_inspector_drawn(gm_registry *reg, const char *draw_id, const char *licence_no,
                             const char *inspector_id, int *drawn);
/* Constant-time: is `given` the session's CSRF token? */
int gm_session_csrf_ok(const gm_session *s, const char *given);

#ifdef __cplusplus
}
#endif
#endif
