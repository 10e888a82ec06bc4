/*
 * test_users.c -- the desk's users in a registry (include/greenmine/users.h):
 * roles, the checks on adding, sign-in, the session and its CSRF token, the
 * throttle's lock doubling from 30 s to its 15-minute cap (the lock is
 * cleared through SQL between attempts, as if its time had passed), expiry,
 * and what passwd and remove end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
/* after the three above, which it needs */
#include <cmocka.h>

#include "registry/registry_impl.h"
#define TESTREG_NAME "users"
#include "testreg.h"

#include <greenmine/users.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long one_int(const char *sql)
{
    gm_stmt *st = NULL;
    assert_int_equal(gm_db_prepare(reg->db, sql, &st), GM_OK);
    assert_int_equal(gm_stmt_step(st), 1);
    long long v = gm_stmt_int(st, 0);
    gm_stmt_free(st);
    return v;
}

static void test_roles(void **state)
{
    (void)state;
    gm_role r;
    assert_int_equal(gm_role_parse(ctx, "agency", &r), GM_OK);
    assert_int_equal(r, GM_ROLE_AGENCY);
    assert_int_equal(gm_role_parse(ctx, "市县", &r), GM_OK);
    assert_int_equal(r, GM_ROLE_COUNTY);
    assert_int_equal(gm_role_parse(ctx, "admin", &r), GM_ERR_USAGE);
    assert_string_equal(gm_role_name(GM_ROLE_INSPECTOR), "inspector");
}

static void test_add_checks(void **state)
{
    (void)state;
    assert_int_equal(gm_users_add(reg, "a b", GM_ROLE_PROVINCE, NULL, "long-enough-1"),
                     GM_ERR_USAGE);
    assert_int_equal(gm_users_add(reg, "<x>", GM_ROLE_PROVINCE, NULL, "long-enough-1"),
                     GM_ERR_USAGE);
    assert_int_equal(gm_users_add(reg, "p", GM_ROLE_PROVINCE, "澧县", "long-enough-1"),
                     GM_ERR_USAGE);
    assert_int_equal(gm_users_add(reg, "c", GM_ROLE_COUNTY, NULL, "long-enough-1"), GM_ERR_USAGE);
    assert_int_equal(gm_users_add(reg, "c", GM_ROLE_COUNTY, "澧县", "123456789"), GM_ERR_USAGE);
    assert_int_equal(gm_users_add(reg, "c", GM_ROLE_COUNTY, "澧县", "1234567890"), GM_OK);
    assert_int_equal(gm_users_add(reg, "c", GM_ROLE_AGENCY, "x", "1234567890"), GM_ERR_USAGE);
    gm_user *u = NULL;
    size_t n = 0;
    assert_int_equal(gm_users_list(reg, &u, &n), GM_OK);
    assert_int_equal(n, 1);
    assert_string_equal(u[0].name, "c");
    assert_int_equal(u[0].role, GM_ROLE_COUNTY);
    assert_string_equal(u[0].scope, "澧县");
    gm_users_free(u, n);
}

static int hex64(const char *s)
{
    if (strlen(s) != 64) return 0;
    for (; *s; s++)
        if (!strchr("0123456789abcdef", *s)) return 0;
    return 1;
}

static void test_sessions(void **state)
{
    (void)state;
    assert_int_equal(gm_users_add(reg, "s", GM_ROLE_AGENCY, "机构", "session-pass-1"), GM_OK);
    gm_signin_result res;
    long wait;
    gm_session a, b, f;
    assert_int_equal(gm_users_signin(reg, "s", "session-pass-1", 0, &res, &wait, &a), GM_OK);
    assert_int_equal(res, GM_SIGNIN_OK);
    assert_true(hex64(a.token) && hex64(a.csrf) && strcmp(a.token, a.csrf) != 0);
    long long now = (long long)time(NULL);
    assert_true(a.expires >= now + GM_SESSION_TTL_DEFAULT - 5 &&
                a.expires <= now + GM_SESSION_TTL_DEFAULT);
    assert_int_equal(gm_users_signin(reg, "s", "session-pass-1", 1, &res, &wait, &b), GM_OK);
    assert_string_not_equal(a.token, b.token);
    assert_int_equal(gm_session_find(reg, a.token, &f), GM_OK);
    assert_non_null(f.user.name);
    assert_string_equal(f.user.scope, "机构");
    assert_string_equal(f.csrf, a.csrf);
    assert_true(gm_session_csrf_ok(&f, a.csrf));
    assert_false(gm_session_csrf_ok(&f, b.csrf));
    assert_false(gm_session_csrf_ok(&f, NULL));
    assert_false(gm_session_csrf_ok(&f, ""));
    gm_session_clear(&f);
    /* b lasts 1 s */
    sleep(2);
    assert_int_equal(gm_session_find(reg, b.token, &f), GM_OK);
    assert_null(f.user.name);
    /* not a token of ours, a changed one */
    assert_int_equal(gm_session_find(reg, "zz", &f), GM_OK);
    assert_null(f.user.name);
    char changed[65];
    memcpy(changed, a.token, sizeof changed);
    changed[0] = changed[0] == '0' ? '1' : '0';
    assert_int_equal(gm_session_find(reg, changed, &f), GM_OK);
    assert_null(f.user.name);
    /* passwd ends it; the new password works, the old not */
    assert_int_equal(gm_users_passwd(reg, "s", "session-pass-2"), GM_OK);
    assert_int_equal(gm_session_find(reg, a.token, &f), GM_OK);
    assert_null(f.user.name);
    gm_session c;
    assert_int_equal(gm_users_signin(reg, "s", "session-pass-1", 0, &res, &wait, &c), GM_OK);
    assert_int_equal(res, GM_SIGNIN_BAD);
    assert_int_equal(gm_users_signin(reg, "s", "session-pass-2", 0, &res, &wait, &c), GM_OK);
    assert_int_equal(res, GM_SIGNIN_OK);
    /* sign-out, then remove */
    assert_int_equal(gm_session_end(reg, c.token), GM_OK);
    assert_int_equal(gm_session_find(reg, c.token, &f), GM_OK);
    assert_null(f.user.name);
    gm_session_clear(&c);
    assert_int_equal(gm_users_signin(reg, "s", "session-pass-2", 0, &res, &wait, &c), GM_OK);
    assert_int_equal(gm_users_remove(reg, "s"), GM_OK);
    assert_int_equal(gm_session_find(reg, c.token, &f), GM_OK);
    assert_null(f.user.name);
    assert_int_equal(gm_users_signin(reg, "s", "session-pass-2", 0, &res, &wait, &f), GM_OK);
    assert_int_equal(res, GM_SIGNIN_BAD);
    assert_int_equal(gm_users_remove(reg, "s"), GM_ERR_USAGE); /* already removed */
    assert_int_equal(gm_users_add(reg, "s", GM_ROLE_PROVINCE, NULL, "another-pass-1"),
                     GM_ERR_USAGE);
    gm_session_clear(&a), gm_session_clear(&b), gm_session_clear(&c);
    /* the rows: removed, never deleted */
    assert_int_equal(
        one_int("SELECT count(*) FROM app_user WHERE name = 's' AND disabled IS NOT NULL"), 1);
    assert_int_not_equal(gm_db_exec(reg->db, "DELETE FROM app_user WHERE name = 's'"), GM_OK);
}

/* The lock after failure k: none before 5, then 30 s doubling, at most 900 s. */
static void test_throttle(void **state)
{
    (void)state;
    assert_int_equal(gm_users_add(reg, "t", GM_ROLE_PROVINCE, NULL, "throttle-pass-1"), GM_OK);
    const long want[] = {0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900};
    gm_signin_result res;
    long wait;
    gm_session s;
    for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
        /* the lock starts during the sign-in, however long its hashing takes */
        long long before = (long long)time(NULL);
        assert_int_equal(gm_users_signin(reg, "t", "wrong-password", 0, &res, &wait, &s), GM_OK);
        long long after = (long long)time(NULL);
        assert_int_equal(res, GM_SIGNIN_BAD);
        long long until = one_int("SELECT locked_until FROM app_user WHERE name = 't'");
        if (want[k] == 0) {
            assert_int_equal(until, 0);
        } else {
            assert_true(until >= before + want[k] && until <= after + want[k]);
            /* locked: even the right password is refused, with the wait */
            assert_int_equal(gm_users_signin(reg, "t", "throttle-pass-1", 0, &res, &wait, &s),
                             GM_OK);
            assert_int_equal(res, GM_SIGNIN_THROTTLED);
            assert_true(wait > 0 && wait <= want[k]);
            /* as if the time had passed */
            assert_int_equal(
                gm_db_exec(reg->db, "UPDATE app_user SET locked_until = 0 WHERE name = 't'"),
                GM_OK);
        }
    }
    assert_int_equal(gm_users_signin(reg, "t", "throttle-pass-1", 0, &res, &wait, &s), GM_OK);
    assert_int_equal(res, GM_SIGNIN_OK);
    assert_int_equal(one_int("SELECT failures FROM app_user WHERE name = 't'"), 0);
    gm_session_clear(&s);
}

/* A registry kept open between requests: fit only outside a transaction. */
static void test_keep(void **state)
{
    (void)state;
    gm_context *other = NULL;
    assert_int_equal(gm_context_new(&other), GM_OK);
    assert_int_equal(gm_registry_set_context(reg, other), 1);
    assert_int_equal(gm_db_exec(reg->db, "BEGIN"), GM_OK);
    assert_int_equal(gm_registry_set_context(reg, ctx), 0);
    assert_int_equal(gm_db_exec(reg->db, "COMMIT"), GM_OK);
    assert_int_equal(gm_registry_set_context(reg, ctx), 1);
    /* errors now go to ctx, not to other */
    assert_int_not_equal(gm_db_exec(reg->db, "SELECT nonsense FROM nowhere"), GM_OK);
    assert_true(strstr(gm_context_errmsg(ctx), "nowhere") != NULL);
    assert_string_equal(gm_context_errmsg(other), "");
    gm_context_free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles),    cmocka_unit_test(test_add_checks),
        cmocka_unit_test(test_sessions), cmocka_unit_test(test_throttle),
        cmocka_unit_test(test_keep),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
