/*
 * auth.h -- the desk's users in the server (auth.c) and what manage.c shares
 * with it: sessions from the cookie, the CSRF check of every write, sign-in
 * and sign-out, and srv_may_record(), the one place deciding who may record
 * what.
 */
#ifndef GM_SERVER_AUTH_H
#define GM_SERVER_AUTH_H

#include "server/server_impl.h"

#include <greenmine/draw.h>
#include <greenmine/events.h>
#include <greenmine/management.h>
#include <greenmine/users.h>
#include <json-c/json.h>

/* rp = the JSON of o (taken), with status. */
void srv_reply_json(srv_reply *rp, int status, json_object *o);
/* A JSON string, or JSON null for NULL. */
json_object *srv_json_str(const char *s);
json_object *srv_user_json(const gm_user *u);
/* 503 "the registry cannot be read now"; the registry's own message (which
 * may name the server's files) goes to the log only. */
void srv_registry_failed(srv_reply *rp, gm_context *ctx);

/* Does the request carry a session cookie at all? */
int srv_auth_has_cookie(const srv_request *rq);
/* The session of the request's cookie (s->user.name NULL when none). */
int srv_auth_find(gm_registry *reg, const srv_request *rq, gm_session *s);
/* The request's JSON object body, or NULL with rp set (415 not JSON, 400 bad). */
json_object *srv_json_body(const srv_request *rq, srv_reply *rp);
/* Signed in (else 401) and the CSRF token right (X-CSRF-Token header or the
 * body's "csrf" member; else 403)? 1 when the write may go on. */
int srv_auth_write_ok(const srv_request *rq, const gm_session *s, json_object *body, srv_reply *rp);

void srv_auth_whoami(const gm_session *s, srv_reply *rp);
void srv_auth_signin(gm_server *srv, gm_context *ctx, gm_registry *reg, const srv_request *rq,
                     srv_reply *rp);
void srv_auth_signout(gm_server *srv, gm_context *ctx, gm_registry *reg, const srv_request *rq,
                      const gm_session *s, srv_reply *rp);

/* May user u record ev on the mine lic (ev->supersedes: `superseded`, else
 * NULL)? *may 1 yes; 0 no, the reason in why (a result, shown with the 403).
 * Returns GM_OK, or the registry's failure (on its ctx). May fill in ev's
 * agency / inspectors with the user's own when left empty. */
int srv_may_record(gm_registry *reg, const gm_user *u, gm_event *ev, const gm_licence *lic,
                   const gm_event *superseded, char *why, size_t n, int *may);

#endif
