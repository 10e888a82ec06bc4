/*
 * auth.c -- who is asking, and may they: the session cookie, the CSRF token
 * of every write, signing in and out, and srv_may_record(), the one place
 * that decides which role may record which event on which mine. Sessions
 * and throttling live in the registry (greenmine/users.h), so servers
 * sharing a PostGIS registry share them and keep nothing of their own.
 */
#include "server/auth.h"

#include <json-c/json.h>
#include <microhttpd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SESSION_COOKIE "gm_session"
#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

void srv_reply_json(srv_reply *rp, int status, json_object *o)
{
    const char *s = json_object_to_json_string_ext(o, JSON_FLAGS);
    char *copy = s ? strdup(s) : NULL;
    json_object_put(o);
    free(rp->body);
    rp->body = copy;
    rp->len = copy ? strlen(copy) : 0;
    rp->status = copy ? status : 500;
    rp->mime = "application/json; charset=utf-8";
}

json_object *srv_json_str(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

json_object *srv_user_json(const gm_user *u)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", srv_json_str(u->name));
    json_object_object_add(o, "role", json_object_new_string(gm_role_name(u->role)));
    json_object_object_add(o, "scope", srv_json_str(u->scope));
    return o;
}

int srv_auth_has_cookie(const srv_request *rq)
{
    const char *t =
        rq->conn ? MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, SESSION_COOKIE) : NULL;
    return t && *t;
}

int srv_auth_find(gm_registry *reg, const srv_request *rq, gm_session *s)
{
    memset(s, 0, sizeof *s);
    const char *token =
        rq->conn ? MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, SESSION_COOKIE) : NULL;
    if (!token || !*token) return GM_OK;
    return gm_session_find(reg, token, s);
}

/* A JSON body: writes take application/json only, which a cross-site HTML
 * form cannot send (CORS would ask first, and no CORS is granted). */
static int is_json(const srv_request *rq)
{
    const char *ct =
        rq->conn ? MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Content-Type") : NULL;
    return ct && strncasecmp(ct, "application/json", 16) == 0;
}

json_object *srv_json_body(const srv_request *rq, srv_reply *rp)
{
    if (!is_json(rq)) {
        srv_error(rp, 415, "send the fields as JSON (Content-Type: application/json)", "body");
        return NULL;
    }
    json_object *o = rq->body ? json_tokener_parse(rq->body) : NULL;
    if (!o || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        srv_error(rp, 400, "the body is not a JSON object", "body");
        return NULL;
    }
    return o;
}

int srv_auth_write_ok(const srv_request *rq, const gm_session *s, json_object *body, srv_reply *rp)
{
    if (!s->user.name) {
        srv_error(rp, 401, "sign in first (登录后才能记录)", NULL);
        return 0;
    }
    /* the token as a header (JSON calls) or as the form's hidden csrf field */
    const char *given =
        rq->conn ? MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "X-CSRF-Token") : NULL;
    json_object *f = NULL;
    if (!given && body && json_object_object_get_ex(body, "csrf", &f) &&
        json_object_is_type(f, json_type_string))
        given = json_object_get_string(f);
    if (!gm_session_csrf_ok(s, given)) {
        srv_error(rp, 403,
                  given ? "the CSRF token is wrong: reload the page (CSRF 令牌不符)"
                        : "the CSRF token is missing (X-CSRF-Token) (缺少 CSRF 令牌)",
                  "csrf");
        return 0;
    }
    return 1;
}

static void set_cookie(const gm_server *srv, srv_reply *rp, const char *token, long max_age)
{
    snprintf(rp->set_cookie, sizeof rp->set_cookie,
             SESSION_COOKIE "=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Strict%s", token, max_age,
             srv->opt.secure_cookies ? "; Secure" : "");
}

static json_object *session_json(const gm_session *s)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "user", s->user.name ? srv_user_json(&s->user) : NULL);
    json_object_object_add(o, "csrf", s->user.name ? json_object_new_string(s->csrf) : NULL);
    json_object_object_add(o, "expires", s->user.name ? json_object_new_int64(s->expires) : NULL);
    return o;
}

void srv_auth_whoami(const gm_session *s, srv_reply *rp)
{
    srv_reply_json(rp, 200, session_json(s));
}

static const char *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

void srv_auth_signin(gm_server *srv, gm_context *ctx, gm_registry *reg, const srv_request *rq,
                     srv_reply *rp)
{
    json_object *body = srv_json_body(rq, rp);
    if (!body) return;
    const char *name = member(body, "name"), *password = member(body, "password");
    if (!name || !*name) {
        srv_error(rp, 400, "the user name is missing (请输入用户名)", "name");
    } else if (!password || !*password) {
        srv_error(rp, 400, "the password is missing (请输入密码)", "password");
    } else {
        gm_signin_result res;
        long wait = 0;
        gm_session s;
        int rc = gm_users_signin(reg, name, password, srv->opt.session_ttl_s, &res, &wait, &s);
        if (rc != GM_OK) {
            srv_registry_failed(rp, ctx);
        } else if (res == GM_SIGNIN_THROTTLED) {
            char msg[200];
            snprintf(
                msg, sizeof msg,
                "too many wrong passwords: try again in %ld s (密码错误次数过多，请 %ld 秒后再试)",
                wait, wait);
            srv_error(rp, 429, msg, "password");
            rp->retry_after = wait;
        } else if (res != GM_SIGNIN_OK) {
            srv_error(rp, 401, "wrong user name or password (用户名或密码错误)", "password");
        } else {
            set_cookie(srv, rp, s.token,
                       srv->opt.session_ttl_s > 0 ? srv->opt.session_ttl_s
                                                  : GM_SESSION_TTL_DEFAULT);
            srv_reply_json(rp, 200, session_json(&s));
        }
        gm_session_clear(&s);
    }
    json_object_put(body);
}

void srv_auth_signout(gm_server *srv, gm_context *ctx, gm_registry *reg, const srv_request *rq,
                      const gm_session *s, srv_reply *rp)
{
    json_object *body = srv_json_body(rq, rp);
    if (!body) return;
    if (srv_auth_write_ok(rq, s, body, rp)) {
        if (gm_session_end(reg, s->token) != GM_OK) {
            srv_registry_failed(rp, ctx);
        } else {
            set_cookie(srv, rp, "", 0);
            json_object *o = json_object_new_object();
            json_object_object_add(o, "user", NULL);
            srv_reply_json(rp, 200, o);
        }
    }
    json_object_put(body);
}

/* ---- who may record what ---------------------------------------------------- */

/* A refusal: *may 0 and the reason in why. */
static int say(int *may, char *why, size_t n, const char *fmt, const char *a, const char *b)
{
    snprintf(why, n, fmt, a ? a : "", b ? b : "");
    *may = 0;
    return GM_OK;
}

static int allow(int *may)
{
    *may = 1;
    return GM_OK;
}

/* Is `id` one of the ';'-separated ids of `list`? */
static int in_list(const char *list, const char *id)
{
    size_t k = strlen(id);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ';');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        while (n && *p == ' ')
            p++, n--;
        while (n && p[n - 1] == ' ')
            n--;
        if (n == k && strncmp(p, id, k) == 0) return 1;
        p = e ? e + 1 : p + n;
    }
    return 0;
}

int srv_may_record(gm_registry *reg, const gm_user *u, gm_event *ev, const gm_licence *lic,
                   const gm_event *superseded, char *why, size_t n, int *may)
{
    const char *kind = gm_event_kind_name(ev->kind);
    switch (u->role) {
    case GM_ROLE_PROVINCE:
        return allow(may);
    case GM_ROLE_COUNTY:
        if (ev->kind != GM_EVENT_SELF_ASSESSMENT)
            return say(may, why, n,
                       "a county user records self-assessments only, not %s (市县用户只能录入自评)",
                       kind, NULL);
        if (!lic->county || strcmp(lic->county, u->scope) != 0)
            return say(may, why, n,
                       "this mine is in %s, not in your county %s (不是本县市区的矿山)",
                       lic->county ? lic->county : "another county", u->scope);
        return allow(may);
    case GM_ROLE_AGENCY:
        if (ev->kind != GM_EVENT_VERIFICATION)
            return say(may, why, n,
                       "an agency records verifications only, not %s (第三方机构只能录入评估)",
                       kind, NULL);
        if (ev->agency && *ev->agency && strcmp(ev->agency, u->scope) != 0)
            return say(may, why, n, "you record for %s, not for %s (只能以本机构名义录入)",
                       u->scope, ev->agency);
        if (superseded && (!superseded->agency || strcmp(superseded->agency, u->scope) != 0))
            return say(may, why, n,
                       "only %s's own verifications can be corrected by it (只能更正本机构的评估)",
                       u->scope, NULL);
        if (!ev->agency || !*ev->agency) {
            free(ev->agency);
            ev->agency = strdup(u->scope);
        }
        return allow(may);
    case GM_ROLE_INSPECTOR: {
        if (ev->kind != GM_EVENT_SPOT_CHECK)
            return say(
                may, why, n,
                "an inspector records spot-check results only, not %s (检查人员只能录入抽查结果)",
                kind, NULL);
        if (!ev->draw_id || !*ev->draw_id)
            return say(may, why, n, "name the draw (draw_id) you were drawn in (请填写抽查批次)",
                       NULL, NULL);
        int drawn = 0;
        int rc = gm_users_inspector_drawn(reg, ev->draw_id, ev->licence_no, u->scope, &drawn);
        if (rc != GM_OK) return rc;
        if (!drawn)
            return say(may, why, n,
                       "inspector %s was not drawn for this mine in draw %s (未被抽中检查此矿山)",
                       u->scope, ev->draw_id);
        if (superseded && (!superseded->draw_id || strcmp(superseded->draw_id, ev->draw_id) != 0))
            return say(may, why, n, "only a result of draw %s can be corrected here%s", ev->draw_id,
                       NULL);
        if (!ev->inspectors || !*ev->inspectors) {
            free(ev->inspectors);
            ev->inspectors = strdup(u->scope);
        } else if (!in_list(ev->inspectors, u->scope)) {
            return say(may, why, n, "the inspectors must include you (%s) (检查人员须包括本人)",
                       u->scope, NULL);
        }
        return allow(may);
    }
    }
    return say(may, why, n, "unknown role%s%s", NULL, NULL);
}
