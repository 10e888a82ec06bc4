/*
 * manage.c -- the desk's management routes (docs/serve.md, "The management
 * desk"): sign in and out, the mines with their status and event history,
 * the public list of green mines as of a date, and POST /api/events, which
 * records one event through the registry's event API (greenmine/events.h:
 * the workflow rules are enforced there) after auth.c has said the signed-in
 * user may. Everything is read from the registry at each request: the
 * server keeps no state, so servers sharing a PostGIS registry agree.
 */
#include "core/context_impl.h"
#include "server/auth.h"

#include <greenmine/publish.h>

#include <microhttpd.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *srv_manage_page(const char *url)
{
    if (strcmp(url, "/signin") == 0 || strcmp(url, "/mines") == 0 ||
        strncmp(url, "/mines/", 7) == 0 || strcmp(url, "/list") == 0 || strcmp(url, "/draws") == 0)
        return "/desk.html";
    return NULL;
}

void srv_registry_failed(srv_reply *rp, gm_context *ctx)
{
    srv_error(rp, 503, "the registry cannot be read or written now (登记库暂时无法访问)", NULL);
    gm_log(ctx, GM_LOG_WARNING, "registry: %s", gm_context_errmsg(ctx));
}

static const char *query(const srv_request *rq, const char *key)
{
    const char *v =
        rq->conn ? MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, key) : NULL;
    return v && *v ? v : NULL;
}

/* A strict YYYY-MM-DD into YYYYMMDD; 0 when it is not one. */
static int iso_date(const char *s)
{
    int d = 0;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) return 0;
    if (gm_parse_date(s, &d) != GM_OK) return 0;
    return d;
}

static int today(void)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

static json_object *date_json(int d)
{
    char buf[GM_DATE_TEXT];
    return d > 0 ? json_object_new_string(gm_date_text(d, buf)) : NULL;
}

static json_object *num_json(double v)
{
    return isnan(v) ? NULL : json_object_new_double(v);
}

/* ?as_of=YYYY-MM-DD (default today); -1 with rp set when malformed. */
static int as_of_arg(const srv_request *rq, srv_reply *rp)
{
    const char *s = query(rq, "as_of");
    if (!s) return today();
    int d = iso_date(s);
    if (!d) {
        srv_error(rp, 400, "as_of: expected a date YYYY-MM-DD", "as_of");
        return -1;
    }
    return d;
}

/* ---- reading ------------------------------------------------------------------- */

static json_object *licence_json(const gm_licence *l)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "licence_no", srv_json_str(l->licence_no));
    json_object_object_add(o, "enterprise", srv_json_str(l->enterprise));
    json_object_object_add(o, "credit_code", srv_json_str(l->credit_code));
    json_object_object_add(o, "industry",
                           l->industry ? srv_json_str(gm_industry_name(l->industry)) : NULL);
    json_object_object_add(o, "industry_zh",
                           l->industry ? srv_json_str(gm_industry_name_zh(l->industry)) : NULL);
    json_object_object_add(o, "mineral", srv_json_str(l->mineral));
    json_object_object_add(o, "scale", l->scale ? srv_json_str(gm_scale_name(l->scale)) : NULL);
    json_object_object_add(o, "scale_zh",
                           l->scale ? srv_json_str(gm_scale_name_zh(l->scale)) : NULL);
    json_object_object_add(o, "county", srv_json_str(l->county));
    json_object_object_add(o, "city", srv_json_str(l->city));
    json_object_object_add(o, "licensed_on", date_json(l->licensed_on));
    json_object_object_add(
        o, "is_new",
        l->is_new == GM_FLAG_UNKNOWN ? NULL : json_object_new_boolean(l->is_new == GM_FLAG_YES));
    return o;
}

static json_object *state_json(const gm_mine_state *s)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "standing", json_object_new_string(gm_standing_name(s->standing)));
    json_object_object_add(o, "standing_zh",
                           json_object_new_string(gm_standing_name_zh(s->standing)));
    json_object_object_add(o, "last_self_assessment", date_json(s->last_self_assessment));
    json_object_object_add(o, "last_verification", date_json(s->last_verification));
    json_object_object_add(
        o, "verification_result",
        s->verification_result ? srv_json_str(gm_result_name(s->verification_result)) : NULL);
    json_object_object_add(o, "verification_agency", srv_json_str(s->verification_agency));
    json_object_object_add(o, "listed_on", date_json(s->listed_on));
    json_object_object_add(o, "batch", srv_json_str(s->batch));
    json_object_object_add(o, "last_spot_check", date_json(s->last_spot_check));
    json_object_object_add(o, "spot_check_result",
                           s->spot_check_result ? srv_json_str(gm_result_name(s->spot_check_result))
                                                : NULL);
    json_object_object_add(o, "blacklisted_on", date_json(s->blacklisted_on));
    json_object_object_add(o, "blacklist_reason", srv_json_str(s->blacklist_reason));
    json_object_object_add(o, "lifted_on", date_json(s->lifted_on));
    json_object_object_add(o, "credit_year",
                           s->credit_year ? json_object_new_int(s->credit_year) : NULL);
    json_object_object_add(o, "credit_grade", srv_json_str(s->credit_grade));
    json_object_object_add(o, "rates_year",
                           s->rates_year ? json_object_new_int(s->rates_year) : NULL);
    json_object_object_add(o, "mining_recovery", num_json(s->mining_recovery));
    json_object_object_add(o, "beneficiation_recovery", num_json(s->beneficiation_recovery));
    json_object_object_add(o, "utilisation", num_json(s->utilisation));
    json_object_object_add(o, "events", json_object_new_int64((int64_t)s->events));
    return o;
}

/* An event as `events list --json` gives it (gm_event_json); `all`, `n`: the
 * events of its licence. NULL (JSON null) when out of memory. */
static json_object *event_json(gm_context *ctx, const gm_event *all, size_t n, const gm_event *e)
{
    char *text = NULL;
    json_object *o =
        gm_event_json(ctx, all, n, e, &text) == GM_OK ? json_tokener_parse(text) : NULL;
    free(text);
    return o;
}

/* The public list's row: public fields only. */
static json_object *listed_json(const gm_licence *l, const gm_mine_state *st)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "licence_no", srv_json_str(l->licence_no));
    json_object_object_add(o, "enterprise", srv_json_str(l->enterprise));
    json_object_object_add(o, "county", srv_json_str(l->county));
    json_object_object_add(o, "city", srv_json_str(l->city));
    json_object_object_add(o, "industry",
                           l->industry ? srv_json_str(gm_industry_name(l->industry)) : NULL);
    json_object_object_add(o, "industry_zh",
                           l->industry ? srv_json_str(gm_industry_name_zh(l->industry)) : NULL);
    json_object_object_add(o, "scale", l->scale ? srv_json_str(gm_scale_name(l->scale)) : NULL);
    json_object_object_add(o, "scale_zh",
                           l->scale ? srv_json_str(gm_scale_name_zh(l->scale)) : NULL);
    json_object_object_add(o, "listed_on", date_json(st->listed_on));
    json_object_object_add(o, "batch", srv_json_str(st->batch));
    return o;
}

/* GET /api/mines[?county=&as_of=]: every licence with its standing; GET
 * /api/list[?as_of=] (public_list): the public list (名录), the mines listed
 * on the date, public fields only. */
static void api_mines(gm_context *ctx, gm_registry *reg, const srv_request *rq, int public_list,
                      srv_reply *rp)
{
    int as_of = as_of_arg(rq, rp);
    if (as_of < 0) return;
    const char *county = public_list ? NULL : query(rq, "county");
    gm_licence_list *lic = NULL;
    gm_event_list *ev = NULL;
    gm_mine_state *st = NULL;
    if (gm_registry_licences(reg, &lic) != GM_OK ||
        gm_registry_events(reg, NULL, 0, &ev) != GM_OK ||
        gm_mine_statuses(ctx, lic, ev, as_of, &st) != GM_OK) {
        srv_registry_failed(rp, ctx);
    } else {
        json_object *arr = json_object_new_array();
        for (size_t i = 0; i < lic->n; i++) {
            const gm_licence *l = &lic->items[i];
            if (county && (!l->county || strcmp(l->county, county) != 0)) continue;
            if (public_list && st[i].standing != GM_STANDING_LISTED) continue;
            json_object *o = public_list ? listed_json(l, &st[i]) : licence_json(l);
            if (!public_list) json_object_object_add(o, "status", state_json(&st[i]));
            json_object_array_add(arr, o);
        }
        json_object *o = json_object_new_object();
        json_object_object_add(o, "as_of", date_json(as_of));
        json_object_object_add(o, "mines", arr);
        srv_reply_json(rp, 200, o);
    }
    free(st);
    gm_event_list_free(ev);
    gm_licence_list_free(lic);
}

/* GET /api/mines/{licence}[?as_of=]: the licence, its status and every event. */
static void api_mine(gm_context *ctx, gm_registry *reg, const srv_request *rq, const char *no,
                     srv_reply *rp)
{
    int as_of = as_of_arg(rq, rp);
    if (as_of < 0) return;
    gm_licence_list *lic = NULL;
    gm_event_list *ev = NULL;
    gm_mine_state st;
    if (gm_registry_licences(reg, &lic) != GM_OK || gm_registry_events(reg, no, 0, &ev) != GM_OK) {
        srv_registry_failed(rp, ctx);
    } else if (!gm_licence_find(lic, no)) {
        srv_error(rp, 404, "no such licence in the registry (登记库中没有此采矿许可证)",
                  "licence_no");
    } else if (gm_mine_status_at(ctx, ev->items, ev->n, as_of, &st) != GM_OK) {
        srv_error(rp, 500, gm_context_errmsg(ctx), NULL);
    } else {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "as_of", date_json(as_of));
        json_object_object_add(o, "licence", licence_json(gm_licence_find(lic, no)));
        json_object_object_add(o, "status", state_json(&st));
        json_object *arr = json_object_new_array();
        for (size_t i = 0; i < ev->n; i++)
            json_object_array_add(arr, event_json(ctx, ev->items, ev->n, &ev->items[i]));
        json_object_object_add(o, "events", arr);
        srv_reply_json(rp, 200, o);
    }
    gm_event_list_free(ev);
    gm_licence_list_free(lic);
}

/* GET /api/draws: the spot-check draws (双随机, the public record of
 * docs/draw.md) with each pick's result once entered; /api/draws.csv the
 * record as `greenmine draws -o draws.csv` writes it. Open to all. */
static void api_draws(gm_context *ctx, gm_registry *reg, int csv, srv_reply *rp)
{
    gm_draw_record *r = NULL;
    if (gm_registry_draws(reg, &r) != GM_OK) {
        srv_registry_failed(rp, ctx);
        return;
    }
    if (csv) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        int rc = f ? gm_draw_record_csv(ctx, r, f) : GM_ERR_NOMEM;
        if (f) fclose(f);
        if (rc == GM_OK && buf) {
            free(rp->body);
            rp->status = 200, rp->mime = "text/csv; charset=utf-8";
            rp->body = buf, rp->len = len, buf = NULL;
            rp->attachment = "greenmine-draws.csv";
        } else {
            srv_error(rp, 500, gm_context_errmsg(ctx), NULL);
        }
        free(buf);
        gm_draw_record_free(r);
        return;
    }
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < r->n_draws; i++) {
        const gm_draw *d = r->draws[i];
        json_object *o = json_object_new_object();
        char share[16] = "";
        if (d->share_bp) gm_draw_share_text(d->share_bp, share);
        json_object_object_add(o, "draw_id", json_object_new_int64(d->draw_id));
        json_object_object_add(o, "date", date_json(d->date));
        json_object_object_add(o, "seed", srv_json_str(d->seed));
        json_object_object_add(o, "share_percent",
                               d->share_bp ? json_object_new_string(share) : NULL);
        json_object_object_add(o, "count", d->share_bp ? NULL : json_object_new_int64(d->count));
        json_object_object_add(o, "per_mine", json_object_new_int(d->per_mine));
        json_object_object_add(o, "county", srv_json_str(d->county));
        json_object_object_add(o, "industry", srv_json_str(d->industry));
        json_object_object_add(o, "drawn_at", srv_json_str(d->drawn_at));
        json_object_object_add(o, "drawn_by", srv_json_str(d->drawn_by));
        json_object_object_add(o, "candidates",
                               json_object_new_int64(d->lists ? (int64_t)d->lists->n_mines : 0));
        json_object_object_add(o, "mines_sha256",
                               d->lists ? srv_json_str(d->lists->mines_sha256) : NULL);
        json_object_object_add(o, "inspectors_sha256",
                               d->lists ? srv_json_str(d->lists->inspectors_sha256) : NULL);
        json_object *picks = json_object_new_array();
        for (size_t k = 0; d->lists && k < d->n_picks; k++) {
            const gm_draw_mine *m = &d->lists->mines[d->picks[k].mine];
            json_object *p = json_object_new_object();
            json_object_object_add(p, "rank", json_object_new_int64((int64_t)k + 1));
            json_object_object_add(p, "licence_no", srv_json_str(m->licence_no));
            json_object_object_add(p, "county", srv_json_str(m->county));
            json_object_object_add(p, "industry", srv_json_str(m->industry));
            json_object *ins = json_object_new_array();
            for (int j = 0; j < d->per_mine; j++) {
                const gm_draw_inspector *in = &d->lists->inspectors[d->picks[k].inspectors[j]];
                json_object *io = json_object_new_object();
                json_object_object_add(io, "inspector_id", srv_json_str(in->inspector_id));
                json_object_object_add(io, "name", srv_json_str(in->name));
                json_object_array_add(ins, io);
            }
            json_object_object_add(p, "inspectors", ins);
            const gm_draw_result *res = gm_draw_record_result(r, d->draw_id, m->licence_no);
            json_object *ro = NULL;
            if (res) {
                ro = json_object_new_object();
                json_object_object_add(ro, "event_date", date_json(res->event_date));
                json_object_object_add(ro, "result", srv_json_str(res->result));
                json_object_object_add(ro, "findings", srv_json_str(res->findings));
            }
            json_object_object_add(p, "result", ro);
            json_object_array_add(picks, p);
        }
        json_object_object_add(o, "picks", picks);
        json_object_array_add(arr, o);
    }
    gm_draw_record_free(r);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "draws", arr);
    srv_reply_json(rp, 200, o);
}

/* ---- POST /api/events ---------------------------------------------------------------- */

/* A body member as text (strings as given, numbers printed); NULL when absent or empty. */
static const char *text_of(json_object *body, const char *key, char *buf, size_t cap)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(body, key, &v) || !v) return NULL;
    const char *s = NULL;
    if (json_object_is_type(v, json_type_string))
        s = json_object_get_string(v);
    else if (json_object_is_type(v, json_type_int))
        snprintf(buf, cap, "%lld", (long long)json_object_get_int64(v)), s = buf;
    else if (json_object_is_type(v, json_type_double))
        snprintf(buf, cap, "%.17g", json_object_get_double(v)), s = buf;
    else if (json_object_is_type(v, json_type_boolean))
        s = json_object_get_boolean(v) ? "1" : "0";
    else
        s = ""; /* arrays, objects: refused by the callers below as not text */
    while (s && isspace((unsigned char)*s))
        s++;
    return s && *s ? s : NULL;
}

/* Sets rp to a 400 naming the field; GM_ERR_USAGE, for the set_* below to return. */
static int bad(srv_reply *rp, const char *field, const char *what)
{
    char msg[300];
    snprintf(msg, sizeof msg, "%s: %s", field, what);
    srv_error(rp, 400, msg, field);
    return GM_ERR_USAGE;
}

static int set_text(json_object *body, const char *key, char **dst, srv_reply *rp)
{
    char buf[64];
    const char *s = text_of(body, key, buf, sizeof buf);
    if (!s) return GM_OK;
    if (strlen(s) > 2000) return bad(rp, key, "longer than 2,000 bytes");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 && *p != '\n' && *p != '\t') return bad(rp, key, "control characters");
    return (*dst = strdup(s)) ? GM_OK : bad(rp, key, "out of memory");
}

static int set_number(json_object *body, const char *key, double *dst, srv_reply *rp)
{
    char buf[64];
    const char *s = text_of(body, key, buf, sizeof buf);
    if (!s) return GM_OK;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (end == s || *end || errno || !isfinite(v)) return bad(rp, key, "expected a number");
    *dst = v;
    return GM_OK;
}

static int set_int(json_object *body, const char *key, long long *dst, srv_reply *rp)
{
    char buf[64];
    const char *s = text_of(body, key, buf, sizeof buf);
    if (!s) return GM_OK;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno || v < 0) return bad(rp, key, "expected a whole number");
    *dst = v;
    return GM_OK;
}

/* The body's fields into ev (entered_by is the session's user); GM_OK, or GM_ERR_USAGE
 * with rp set. */
static int parse_event(json_object *body, gm_event *ev, srv_reply *rp)
{
    char buf[64];
    const char *s;
    if (set_text(body, "licence_no", &ev->licence_no, rp)) return GM_ERR_USAGE;
    if (!ev->licence_no)
        return bad(rp, "licence_no", "the licence number is missing (请填写采矿许可证号)");
    if (!(s = text_of(body, "kind", buf, sizeof buf)))
        return bad(rp, "kind", "the kind of event is missing (请选择事项)");
    if (gm_parse_event_kind(s, &ev->kind) != GM_OK || ev->kind == GM_EVENT_UNKNOWN)
        return bad(rp, "kind", "unknown kind of event");
    if (!(s = text_of(body, "event_date", buf, sizeof buf)))
        return bad(rp, "event_date", "the date is missing (请填写日期)");
    if (!(ev->event_date = iso_date(s))) return bad(rp, "event_date", "expected a date YYYY-MM-DD");
    long long n = 0;
    if (set_int(body, "supersedes", &n, rp)) return GM_ERR_USAGE;
    ev->supersedes = n;
    n = 0;
    if (set_int(body, "void", &n, rp)) return GM_ERR_USAGE;
    ev->is_void = n != 0;
    if (set_number(body, "score", &ev->score, rp) ||
        set_text(body, "document", &ev->document, rp) ||
        set_text(body, "agency", &ev->agency, rp) || set_text(body, "batch", &ev->batch, rp) ||
        set_text(body, "draw_id", &ev->draw_id, rp) ||
        set_text(body, "inspectors", &ev->inspectors, rp) ||
        set_text(body, "findings", &ev->findings, rp) ||
        set_text(body, "reason", &ev->reason, rp) || set_text(body, "grade", &ev->grade, rp) ||
        set_number(body, "mining_recovery", &ev->mining_recovery, rp) ||
        set_number(body, "beneficiation_recovery", &ev->beneficiation_recovery, rp) ||
        set_number(body, "utilisation", &ev->utilisation, rp))
        return GM_ERR_USAGE;
    if ((s = text_of(body, "result", buf, sizeof buf)) &&
        (gm_parse_result(s, &ev->result) != GM_OK || ev->result == GM_RESULT_NONE))
        return bad(rp, "result", "expected pass or fail (通过/不通过)");
    n = 0;
    if (set_int(body, "year", &n, rp)) return GM_ERR_USAGE;
    if (n && (n < 1900 || n > 2999)) return bad(rp, "year", "expected a year such as 2019");
    ev->year = (int)n;
    return GM_OK;
}

/* The form field a broken rule belongs next to. */
static const char *rule_field(gm_rule rule, const char *msg)
{
    switch (rule) {
    case GM_RULE_LICENCE_EXISTS:
        return "licence_no";
    case GM_RULE_FUTURE:
    case GM_RULE_BEFORE_LICENCE:
    case GM_RULE_DATE_ORDER:
        return "event_date";
    case GM_RULE_SUPERSEDES:
        return "supersedes";
    case GM_RULE_FIELDS: {
        static const char *fields[] = {"score",
                                       "document",
                                       "agency",
                                       "result",
                                       "batch",
                                       "draw_id",
                                       "inspectors",
                                       "findings",
                                       "reason",
                                       "year",
                                       "grade",
                                       "mining_recovery",
                                       "beneficiation_recovery",
                                       "utilisation"};
        for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
            if (msg && strstr(msg, fields[i])) return fields[i];
        return "kind";
    }
    default:
        return "kind";
    }
}

static void api_event_post(gm_context *ctx, gm_registry *reg, const srv_request *rq,
                           const gm_session *s, srv_reply *rp)
{
    json_object *body = srv_json_body(rq, rp);
    if (!body) return;
    gm_event ev, old;
    gm_event_init(&ev);
    gm_event_init(&old);
    gm_licence_list *lic = NULL;
    char why[600];
    if (!srv_auth_write_ok(rq, s, body, rp) || parse_event(body, &ev, rp) != GM_OK) goto done;
    if (gm_registry_licences(reg, &lic) != GM_OK) {
        srv_registry_failed(rp, ctx);
        goto done;
    }
    const gm_licence *l = gm_licence_find(lic, ev.licence_no);
    if (!l) {
        snprintf(why, sizeof why,
                 "licence %.100s: no such licence in the registry (登记库中没有此采矿许可证)",
                 ev.licence_no);
        srv_error(rp, 422, why, "licence_no");
        goto done;
    }
    if (ev.supersedes && gm_registry_event(reg, ev.supersedes, &old) != GM_OK) {
        snprintf(why, sizeof why, "supersedes: no event %lld", ev.supersedes);
        srv_error(rp, 422, why, "supersedes");
        goto done;
    }
    /* the one check of who may write what: before anything is written */
    int may = 0;
    if (srv_may_record(reg, &s->user, &ev, l, ev.supersedes ? &old : NULL, why, sizeof why, &may) !=
        GM_OK) {
        srv_registry_failed(rp, ctx);
        goto done;
    }
    if (!may) {
        srv_error(rp, 403, why, NULL);
        goto done;
    }
    ev.entered_by = strdup(s->user.name);
    long long id = 0;
    gm_rule rule = GM_RULE_OK;
    int rc = ev.entered_by ? gm_registry_append_event(reg, &ev, &id, &rule) : GM_ERR_NOMEM;
    if (rc == GM_OK) {
        gm_event stored;
        gm_event_init(&stored);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "event_id", json_object_new_int64(id));
        if (gm_registry_event(reg, id, &stored) == GM_OK)
            json_object_object_add(o, "event", event_json(ctx, &stored, 1, &stored));
        gm_event_clear(&stored);
        srv_reply_json(rp, 201, o);
    } else if (GM_IS_INPUT_ERROR(rc)) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "error", json_object_new_string(gm_context_errmsg(ctx)));
        json_object_object_add(o, "field",
                               json_object_new_string(rule_field(rule, gm_context_errmsg(ctx))));
        json_object_object_add(o, "rule", rule ? json_object_new_string(gm_rule_name(rule)) : NULL);
        srv_reply_json(rp, 422, o);
    } else {
        srv_registry_failed(rp, ctx);
    }
done:
    gm_event_clear(&ev);
    gm_event_clear(&old);
    gm_licence_list_free(lic);
    json_object_put(body);
}

/* ---- registries kept open ---------------------------------------------------------- */

/* Opening a registry (SpatiaLite's start, the schema check) costs more than
 * the desk's queries, so a request takes one kept open by an earlier request
 * (at most one per request thread). They hold no state of the server's own:
 * every answer is still read from the registry at each request. */
static gm_registry *reg_take(gm_server *srv, gm_context *ctx)
{
    gm_registry *reg = NULL;
    pthread_mutex_lock(&srv->mu);
    if (srv->n_idle_regs) reg = srv->idle_regs[--srv->n_idle_regs];
    pthread_mutex_unlock(&srv->mu);
    if (reg && gm_registry_set_context(reg, ctx)) return reg;
    gm_registry_close(reg);
    reg = NULL;
    return gm_registry_open(ctx, srv->opt.db, 0, &reg) == GM_OK ? reg : NULL;
}

/* Keeps reg for the next request, unless the request failed on the server's
 * side or the connection is not fit (closed, a transaction left open). */
static void reg_give(gm_server *srv, gm_registry *reg, int failed)
{
    if (!reg) return;
    if (failed || !gm_registry_set_context(reg, NULL)) {
        gm_registry_close(reg);
        return;
    }
    pthread_mutex_lock(&srv->mu);
    size_t cap = (size_t)(srv->opt.threads > 0 ? srv->opt.threads : 1);
    if (!srv->idle_regs) srv->idle_regs = calloc(cap, sizeof *srv->idle_regs);
    if (srv->idle_regs && srv->n_idle_regs < cap) {
        srv->idle_regs[srv->n_idle_regs++] = reg;
        reg = NULL;
    }
    pthread_mutex_unlock(&srv->mu);
    gm_registry_close(reg);
}

void srv_manage_free(gm_server *srv)
{
    for (size_t i = 0; i < srv->n_idle_regs; i++)
        gm_registry_close(srv->idle_regs[i]);
    free(srv->idle_regs);
    srv->idle_regs = NULL;
    srv->n_idle_regs = 0;
}

/* ---- the routes ------------------------------------------------------------------- */

int srv_manage(gm_server *srv, gm_context *ctx, const srv_request *rq, srv_reply *rp)
{
    const char *p = rq->path + 4; /* after "/api" */
    enum { SESSION, SIGNIN, SIGNOUT, EVENTS, MINES, MINE, LIST, DRAWS, DRAWS_CSV } route;
    if (strcmp(p, "/session") == 0)
        route = SESSION;
    else if (strcmp(p, "/signin") == 0)
        route = SIGNIN;
    else if (strcmp(p, "/signout") == 0)
        route = SIGNOUT;
    else if (strcmp(p, "/events") == 0)
        route = EVENTS;
    else if (strcmp(p, "/mines") == 0)
        route = MINES;
    else if (strncmp(p, "/mines/", 7) == 0 && p[7])
        route = MINE;
    else if (strcmp(p, "/list") == 0)
        route = LIST;
    else if (strcmp(p, "/draws") == 0)
        route = DRAWS;
    else if (strcmp(p, "/draws.csv") == 0)
        route = DRAWS_CSV;
    else
        return 0;
    int get = strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0;
    int post = strcmp(rq->method, "POST") == 0;
    int writes = route == SIGNIN || route == SIGNOUT || route == EVENTS;
    if (writes ? !post : !get) {
        srv_error(rp, 405, writes ? "POST here" : "GET here", NULL);
        return 1;
    }
    if (!srv->opt.db) {
        srv_error(rp, 404, "no registry: start greenmine serve with --db", NULL);
        return 1;
    }
    gm_registry *reg = NULL;
    gm_session s;
    memset(&s, 0, sizeof s);
    if (route == SESSION && !srv_auth_has_cookie(rq)) { /* every page asks; most are anonymous */
        srv_auth_whoami(&s, rp);
        return 1;
    }
    if (!(reg = reg_take(srv, ctx)) || (route != SIGNIN && srv_auth_find(reg, rq, &s) != GM_OK)) {
        srv_registry_failed(rp, ctx);
    } else {
        switch (route) {
        case SESSION:
            srv_auth_whoami(&s, rp);
            break;
        case SIGNIN:
            srv_auth_signin(srv, ctx, reg, rq, rp);
            break;
        case SIGNOUT:
            srv_auth_signout(srv, ctx, reg, rq, &s, rp);
            break;
        case EVENTS:
            api_event_post(ctx, reg, rq, &s, rp);
            break;
        case MINES:
            api_mines(ctx, reg, rq, 0, rp);
            break;
        case MINE:
            api_mine(ctx, reg, rq, p + 7, rp);
            break;
        case LIST:
            api_mines(ctx, reg, rq, 1, rp);
            break;
        case DRAWS:
        case DRAWS_CSV:
            api_draws(ctx, reg, route == DRAWS_CSV, rp);
            break;
        }
    }
    gm_session_clear(&s);
    reg_give(srv, reg, rp->status >= 500);
    return 1;
}
