/*
 * management.c -- the management records' vocabularies, the workflow rules
 * and a mine's status on a date (greenmine/management.h). Pure C: the
 * registry and the desk hand their events in, nothing here reads a database.
 *
 * Both the rules and the status are one replay of a licence's counting
 * events in timeline order (date, then entry order; a correction takes the
 * place of the event it replaces). The rules are checked at each step of the
 * replay, so a correction that would leave a later event without its
 * precondition is refused like a new event that lacks it.
 */
#include "core/context_impl.h"
#include "core/values.h"

#include <greenmine/management.h>

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int gm_management_today(void)
{
    time_t t = time(NULL) + 8 * 3600; /* UTC+8 */
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* ---- vocabularies ---------------------------------------------------------- */

#define GM_CODE_(name, code, zh) code,
#define GM_ZH_(name, code, zh) zh,
static const char *const kind_codes[] = {"", GM_EVENT_KIND_LIST(GM_CODE_)};
static const char *const kind_zh[] = {"", GM_EVENT_KIND_LIST(GM_ZH_)};
static const char *const standing_codes[] = {GM_STANDING_LIST(GM_CODE_)};
static const char *const standing_zh[] = {GM_STANDING_LIST(GM_ZH_)};
static const char *const result_codes[] = {"", GM_RESULT_LIST(GM_CODE_)};
static const char *const result_zh[] = {"", GM_RESULT_LIST(GM_ZH_)};
static const char *const rule_codes[] = {"ok", GM_RULE_LIST(GM_CODE_)};
static const char *const rule_text[] = {"", GM_RULE_LIST(GM_ZH_)};
#undef GM_CODE_
#undef GM_ZH_

#define NAME_FN(fn, type, table)                                                                   \
    const char *fn(type v)                                                                         \
    {                                                                                              \
        return (unsigned)v < sizeof table / sizeof *table ? table[v] : "";                         \
    }
NAME_FN(gm_event_kind_name, gm_event_kind, kind_codes)
NAME_FN(gm_event_kind_name_zh, gm_event_kind, kind_zh)
NAME_FN(gm_standing_name, gm_standing, standing_codes)
NAME_FN(gm_standing_name_zh, gm_standing, standing_zh)
NAME_FN(gm_result_name, gm_result, result_codes)
NAME_FN(gm_result_name_zh, gm_result, result_zh)
NAME_FN(gm_rule_name, gm_rule, rule_codes)
NAME_FN(gm_rule_description, gm_rule, rule_text)

static const gm_value_term kind_terms[] = {{"self_assessment", GM_EVENT_SELF_ASSESSMENT},
                                           {"self-assessment", GM_EVENT_SELF_ASSESSMENT},
                                           {"self assessment", GM_EVENT_SELF_ASSESSMENT},
                                           {"自评", GM_EVENT_SELF_ASSESSMENT},
                                           {"自评价", GM_EVENT_SELF_ASSESSMENT},
                                           {"自评估", GM_EVENT_SELF_ASSESSMENT},
                                           {"verification", GM_EVENT_VERIFICATION},
                                           {"第三方评估", GM_EVENT_VERIFICATION},
                                           {"第三方核查", GM_EVENT_VERIFICATION},
                                           {"评估", GM_EVENT_VERIFICATION},
                                           {"核查", GM_EVENT_VERIFICATION},
                                           {"listing", GM_EVENT_LISTING},
                                           {"入选名录", GM_EVENT_LISTING},
                                           {"纳入名录", GM_EVENT_LISTING},
                                           {"入库", GM_EVENT_LISTING},
                                           {"spot_check", GM_EVENT_SPOT_CHECK},
                                           {"spot check", GM_EVENT_SPOT_CHECK},
                                           {"spot-check", GM_EVENT_SPOT_CHECK},
                                           {"抽查", GM_EVENT_SPOT_CHECK},
                                           {"抽检", GM_EVENT_SPOT_CHECK},
                                           {"blacklisting", GM_EVENT_BLACKLISTING},
                                           {"列入黑名单", GM_EVENT_BLACKLISTING},
                                           {"黑名单", GM_EVENT_BLACKLISTING},
                                           {"lifting", GM_EVENT_LIFTING},
                                           {"移出黑名单", GM_EVENT_LIFTING},
                                           {"credit_rating", GM_EVENT_CREDIT_RATING},
                                           {"credit rating", GM_EVENT_CREDIT_RATING},
                                           {"信用评价", GM_EVENT_CREDIT_RATING},
                                           {"信用等级", GM_EVENT_CREDIT_RATING},
                                           {"three_rates", GM_EVENT_THREE_RATES},
                                           {"three rates", GM_EVENT_THREE_RATES},
                                           {"三率", GM_EVENT_THREE_RATES},
                                           {"三率指标", GM_EVENT_THREE_RATES},
                                           {NULL, 0}};

static const gm_value_term result_terms[] = {{"pass", GM_RESULT_PASS},   {"passed", GM_RESULT_PASS},
                                             {"通过", GM_RESULT_PASS},   {"合格", GM_RESULT_PASS},
                                             {"达标", GM_RESULT_PASS},   {"是", GM_RESULT_PASS},
                                             {"fail", GM_RESULT_FAIL},   {"failed", GM_RESULT_FAIL},
                                             {"不通过", GM_RESULT_FAIL}, {"不合格", GM_RESULT_FAIL},
                                             {"未通过", GM_RESULT_FAIL}, {"不达标", GM_RESULT_FAIL},
                                             {"否", GM_RESULT_FAIL},     {NULL, 0}};

int gm_parse_event_kind(const char *text, gm_event_kind *out)
{
    int v;
    int rc = gm_value_lookup(text, kind_terms, 0, &v);
    *out = (gm_event_kind)v;
    return rc;
}

int gm_parse_result(const char *text, gm_result *out)
{
    int v;
    int rc = gm_value_lookup(text, result_terms, 0, &v);
    *out = (gm_result)v;
    return rc;
}

/* ---- records ---------------------------------------------------------------- */

void gm_event_init(gm_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->score = NAN;
    ev->mining_recovery = ev->beneficiation_recovery = ev->utilisation = NAN;
}

void gm_event_clear(gm_event *ev)
{
    if (!ev) return;
    char *strings[] = {ev->licence_no, ev->entered_by, ev->entered_at, ev->document,
                       ev->agency,     ev->batch,      ev->draw_id,    ev->inspectors,
                       ev->findings,   ev->reason,     ev->grade};
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++)
        free(strings[i]);
    gm_event_init(ev);
}

void gm_licence_clear(gm_licence *l)
{
    if (!l) return;
    char *strings[] = {l->licence_no, l->name, l->enterprise, l->credit_code, l->mineral,
                       l->county,     l->city, l->entered_by, l->entered_at};
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++)
        free(strings[i]);
    memset(l, 0, sizeof *l);
    l->is_new = GM_FLAG_UNKNOWN;
}

void gm_threshold_clear(gm_threshold *t)
{
    if (!t) return;
    free(t->mineral);
    free(t->note);
    memset(t, 0, sizeof *t);
    t->mining_recovery = t->beneficiation_recovery = t->utilisation = NAN;
}

void gm_event_list_free(gm_event_list *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++)
        gm_event_clear(&l->items[i]);
    free(l->items);
    free(l);
}

void gm_licence_list_free(gm_licence_list *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++)
        gm_licence_clear(&l->items[i]);
    free(l->items);
    free(l);
}

void gm_threshold_list_free(gm_threshold_list *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++)
        gm_threshold_clear(&l->items[i]);
    free(l->items);
    free(l->file_name);
    free(l->loaded_at);
    free(l->loaded_by);
    free(l->label);
    free(l);
}

/* *dst = copy of src; 0, or -1 when out of memory */
static int dup_into(char **dst, const char *src)
{
    *dst = NULL;
    if (!src) return 0;
    *dst = gm_strdup(src);
    return *dst ? 0 : -1;
}

int gm_event_copy(gm_context *ctx, const gm_event *src, gm_event *dst)
{
    *dst = *src;
    int bad = 0;
    bad |= dup_into(&dst->licence_no, src->licence_no);
    bad |= dup_into(&dst->entered_by, src->entered_by);
    bad |= dup_into(&dst->entered_at, src->entered_at);
    bad |= dup_into(&dst->document, src->document);
    bad |= dup_into(&dst->agency, src->agency);
    bad |= dup_into(&dst->batch, src->batch);
    bad |= dup_into(&dst->draw_id, src->draw_id);
    bad |= dup_into(&dst->inspectors, src->inspectors);
    bad |= dup_into(&dst->findings, src->findings);
    bad |= dup_into(&dst->reason, src->reason);
    bad |= dup_into(&dst->grade, src->grade);
    if (!bad) return GM_OK;
    gm_event_clear(dst);
    return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
}

int gm_licence_copy(gm_context *ctx, const gm_licence *src, gm_licence *dst)
{
    *dst = *src;
    int bad = 0;
    bad |= dup_into(&dst->licence_no, src->licence_no);
    bad |= dup_into(&dst->name, src->name);
    bad |= dup_into(&dst->enterprise, src->enterprise);
    bad |= dup_into(&dst->credit_code, src->credit_code);
    bad |= dup_into(&dst->mineral, src->mineral);
    bad |= dup_into(&dst->county, src->county);
    bad |= dup_into(&dst->city, src->city);
    bad |= dup_into(&dst->entered_by, src->entered_by);
    bad |= dup_into(&dst->entered_at, src->entered_at);
    if (!bad) return GM_OK;
    gm_licence_clear(dst);
    return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
}

const gm_licence *gm_licence_find(const gm_licence_list *l, const char *licence_no)
{
    if (!l || !licence_no) return NULL;
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(l->items[mid].licence_no, licence_no);
        if (c == 0) return &l->items[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void gm_event_list_range(const gm_event_list *l, const char *licence_no, size_t *first,
                         size_t *count)
{
    *first = *count = 0;
    if (!l || !licence_no) return;
    size_t lo = 0, hi = l->n;
    while (lo < hi) { /* the first element not before licence_no */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(l->items[mid].licence_no, licence_no) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < l->n && strcmp(l->items[end].licence_no, licence_no) == 0)
        end++;
    *first = lo;
    *count = end - lo;
}

int gm_credit_code_valid(const char *code)
{
    /* GB 32100-2015: 17 characters of this alphabet, then a check character */
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    if (!code || strlen(code) != 18) return 0;
    int sum = 0;
    for (int i = 0; i < 18; i++) {
        const char *at = strchr(alphabet, toupper((unsigned char)code[i]));
        if (!at || !code[i]) return 0;
        int v = (int)(at - alphabet);
        if (i < 17)
            sum += v * weights[i];
        else
            return v == (31 - sum % 31) % 31;
    }
    return 0;
}

/* ---- the timeline ------------------------------------------------------------ */

static int is_workflow(gm_event_kind k)
{
    return k != GM_EVENT_CREDIT_RATING && k != GM_EVENT_THREE_RATES;
}

static const gm_event *find_id(const gm_event *all, size_t n, long long id)
{
    for (size_t i = 0; i < n; i++)
        if (all[i].event_id == id) return &all[i];
    return NULL;
}

static const gm_event *superseder(const gm_event *all, size_t n, long long id)
{
    if (id <= 0) return NULL;
    for (size_t i = 0; i < n; i++)
        if (all[i].supersedes == id) return &all[i];
    return NULL;
}

int gm_event_counts(const gm_event *all, size_t n, const gm_event *ev)
{
    return !ev->is_void && !superseder(all, n, ev->event_id);
}

long long gm_event_superseded_by(const gm_event *all, size_t n, const gm_event *ev)
{
    const gm_event *by = superseder(all, n, ev->event_id);
    return by ? by->event_id : 0;
}

/* One step of the replay: the event and its place among same-day events. */
typedef struct step {
    const gm_event *ev;
    long long place; /* the id of the first event of its correction chain */
} step;

static long long place_of(const gm_event *all, size_t n, const gm_event *ev, long long new_place)
{
    long long place = ev->event_id > 0 ? ev->event_id : new_place;
    const gm_event *at = ev;
    /* follow the corrections back to the event first entered (bounded: ids
     * only go back, and a chain cannot be longer than the log) */
    for (size_t hops = 0; at->supersedes > 0 && hops <= n; hops++) {
        const gm_event *prev = find_id(all, n, at->supersedes);
        if (!prev) break;
        place = prev->event_id;
        at = prev;
    }
    return place;
}

static int by_timeline(const void *a, const void *b)
{
    const step *x = a, *y = b;
    if (x->ev->event_date != y->ev->event_date)
        return x->ev->event_date < y->ev->event_date ? -1 : 1;
    if (x->place != y->place) return x->place < y->place ? -1 : 1;
    return 0;
}

static void state_init(gm_mine_state *st, const char *licence_no)
{
    memset(st, 0, sizeof *st);
    st->licence_no = licence_no;
    st->standing = GM_STANDING_NONE;
    st->verification_score = NAN;
    st->mining_recovery = st->beneficiation_recovery = st->utilisation = NAN;
}

/* What the replay keeps beside the public state. */
typedef struct replay {
    gm_mine_state st;
    int pass_after_assessment; /* a passed verification came after the last self-assessment */
    int pass_after_blacklist;  /* ... after the blacklisting in force */
} replay;

static const char *date_str(int d, char buf[GM_DATE_TEXT])
{
    return d ? gm_date_text(d, buf) : "?";
}

/* The rule `e` breaks in state r, with the reason in why; GM_RULE_OK when none. */
static gm_rule precondition(const replay *r, const gm_event *e, char *why, size_t len)
{
    char d1[GM_DATE_TEXT], d2[GM_DATE_TEXT];
    const gm_mine_state *st = &r->st;
    switch (e->kind) {
    case GM_EVENT_VERIFICATION:
        if (!st->last_self_assessment) {
            snprintf(why, len, "there is no self-assessment before this verification");
            return GM_RULE_VERIFY_NEEDS_ASSESSMENT;
        }
        break;
    case GM_EVENT_LISTING:
        if (st->standing == GM_STANDING_BLACKLISTED) {
            if (r->pass_after_blacklist)
                snprintf(why, len,
                         "the mine is on the blacklist since %s; it has passed a verification "
                         "since, but has not been lifted",
                         date_str(st->blacklisted_on, d1));
            else
                snprintf(why, len,
                         "the mine is on the blacklist since %s; it needs a new passed "
                         "verification and a lifting first",
                         date_str(st->blacklisted_on, d1));
            return GM_RULE_BLACKLISTED_NOT_LISTED;
        }
        if (st->standing == GM_STANDING_LISTED) {
            snprintf(why, len, "the mine is listed already since %s (batch %s)",
                     date_str(st->listed_on, d1), st->batch ? st->batch : "?");
            return GM_RULE_ALREADY_LISTED;
        }
        if (st->standing != GM_STANDING_VERIFIED) {
            if (!st->last_self_assessment)
                snprintf(why, len, "there is no self-assessment and no verification before it");
            else if (!st->last_verification || st->last_verification < st->last_self_assessment ||
                     !r->pass_after_assessment)
                snprintf(why, len,
                         "no passed verification after the last self-assessment (%s); the last "
                         "verification: %s%s%s",
                         date_str(st->last_self_assessment, d1),
                         st->last_verification ? date_str(st->last_verification, d2) : "none",
                         st->last_verification ? ", " : "",
                         st->last_verification ? gm_result_name(st->verification_result) : "");
            else
                snprintf(why, len, "no passed verification after the last self-assessment (%s)",
                         date_str(st->last_self_assessment, d1));
            return GM_RULE_LISTING_NEEDS_VERIFICATION;
        }
        break;
    case GM_EVENT_BLACKLISTING:
        if (st->standing == GM_STANDING_BLACKLISTED) {
            snprintf(why, len, "the mine is on the blacklist already since %s",
                     date_str(st->blacklisted_on, d1));
            return GM_RULE_ALREADY_BLACKLISTED;
        }
        break;
    case GM_EVENT_LIFTING:
        if (st->standing != GM_STANDING_BLACKLISTED) {
            snprintf(why, len, "the mine is not on the blacklist");
            return GM_RULE_LIFTING_NEEDS_BLACKLISTING;
        }
        if (!r->pass_after_blacklist) {
            snprintf(why, len, "no passed verification since the blacklisting of %s",
                     date_str(st->blacklisted_on, d1));
            return GM_RULE_LIFTING_NEEDS_VERIFICATION;
        }
        break;
    default:
        break;
    }
    return GM_RULE_OK;
}

static void apply(replay *r, const gm_event *e)
{
    gm_mine_state *st = &r->st;
    st->events++;
    switch (e->kind) {
    case GM_EVENT_SELF_ASSESSMENT:
        st->last_self_assessment = e->event_date;
        r->pass_after_assessment = 0;
        if (st->standing == GM_STANDING_NONE || st->standing == GM_STANDING_VERIFIED)
            st->standing = GM_STANDING_ASSESSED;
        break;
    case GM_EVENT_VERIFICATION:
        st->last_verification = e->event_date;
        st->verification_result = e->result;
        st->verification_score = e->score;
        st->verification_agency = e->agency;
        /* the latest verification decides: a later failure undoes an earlier pass */
        r->pass_after_assessment = e->result == GM_RESULT_PASS;
        if (st->standing == GM_STANDING_BLACKLISTED)
            r->pass_after_blacklist = e->result == GM_RESULT_PASS;
        if (st->standing == GM_STANDING_ASSESSED || st->standing == GM_STANDING_VERIFIED)
            st->standing = r->pass_after_assessment ? GM_STANDING_VERIFIED : GM_STANDING_ASSESSED;
        break;
    case GM_EVENT_LISTING:
        st->standing = GM_STANDING_LISTED;
        st->listed_on = e->event_date;
        st->batch = e->batch;
        if (!st->ever_listed) st->ever_listed = e->event_date;
        break;
    case GM_EVENT_SPOT_CHECK:
        st->last_spot_check = e->event_date;
        st->spot_check_result = e->result;
        st->spot_checks++;
        if (e->result == GM_RESULT_FAIL) st->spot_checks_failed++;
        break;
    case GM_EVENT_BLACKLISTING:
        st->standing = GM_STANDING_BLACKLISTED;
        st->blacklisted_on = e->event_date;
        st->blacklist_reason = e->reason;
        st->listed_on = 0; /* the listing is lost with the incentives */
        st->batch = NULL;
        r->pass_after_blacklist = 0;
        break;
    case GM_EVENT_LIFTING:
        st->lifted_on = e->event_date;
        st->blacklisted_on = 0;
        st->blacklist_reason = NULL;
        st->standing = r->pass_after_assessment   ? GM_STANDING_VERIFIED
                       : st->last_self_assessment ? GM_STANDING_ASSESSED
                                                  : GM_STANDING_NONE;
        break;
    case GM_EVENT_CREDIT_RATING:
        if (e->year >= st->credit_year) {
            st->credit_year = e->year;
            st->credit_grade = e->grade;
        }
        break;
    case GM_EVENT_THREE_RATES:
        if (e->year >= st->rates_year) {
            st->rates_year = e->year;
            st->mining_recovery = e->mining_recovery;
            st->beneficiation_recovery = e->beneficiation_recovery;
            st->utilisation = e->utilisation;
        }
        break;
    default:
        break;
    }
}

/* The counting events of ev[0..n) (plus `extra`, not yet stored, when not
 * NULL, minus the event `extra` supersedes) dated up to as_of (0 = all), in
 * timeline order. *out is malloc'd (NULL when none). GM_OK or GM_ERR_NOMEM
 * (the caller says it). */
static int timeline(const gm_event *ev, size_t n, const gm_event *extra, int as_of, step **out,
                    size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    step *s = malloc((n + 1) * sizeof *s);
    if (!s) return GM_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const gm_event *e = &ev[i];
        if (e->is_void || superseder(ev, n, e->event_id)) continue;
        if (extra && extra->supersedes && extra->supersedes == e->event_id) continue;
        if (as_of && e->event_date > as_of) continue;
        s[k].ev = e;
        s[k].place = place_of(ev, n, e, LLONG_MAX);
        k++;
    }
    if (extra && !extra->is_void && (!as_of || extra->event_date <= as_of)) {
        s[k].ev = extra;
        s[k].place = place_of(ev, n, extra, LLONG_MAX);
        k++;
    }
    qsort(s, k, sizeof *s, by_timeline);
    *out = s;
    *n_out = k;
    return GM_OK;
}

int gm_mine_status_at(gm_context *ctx, const gm_event *ev, size_t n, int as_of, gm_mine_state *out)
{
    replay r = {0};
    state_init(&r.st, n ? ev[0].licence_no : NULL);
    step *s = NULL;
    size_t k = 0;
    if (timeline(ev, n, NULL, as_of, &s, &k) != GM_OK)
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < k; i++)
        apply(&r, s[i].ev);
    free(s);
    *out = r.st;
    return GM_OK;
}

int gm_mine_statuses(gm_context *ctx, const gm_licence_list *lic, const gm_event_list *events,
                     int as_of, gm_mine_state **out)
{
    *out = NULL;
    gm_mine_state *st = calloc(lic->n ? lic->n : 1, sizeof *st);
    if (!st) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < lic->n; i++) {
        size_t first = 0, count = 0;
        gm_event_list_range(events, lic->items[i].licence_no, &first, &count);
        int rc = gm_mine_status_at(ctx, count ? &events->items[first] : NULL, count, as_of, &st[i]);
        if (rc != GM_OK) {
            free(st);
            return rc;
        }
        st[i].licence_no = lic->items[i].licence_no;
    }
    *out = st;
    return GM_OK;
}

/* ---- the rules ----------------------------------------------------------------- */

static int blank(const char *s)
{
    if (!s) return 1;
    for (; *s; s++)
        if (!isspace((unsigned char)*s)) return 0;
    return 1;
}

static int percent_ok(double v)
{
    return isnan(v) || (v >= 0.0 && v <= 100.0);
}

/* The fields the kind needs; GM_RULE_OK or GM_RULE_FIELDS with what is missing in why. */
static gm_rule check_fields(const gm_event *e, char *why, size_t len)
{
    const char *kind = gm_event_kind_name(e->kind);
    if (!percent_ok(e->score)) {
        snprintf(why, len, "%s: score %g is not within 0..100", kind, e->score);
        return GM_RULE_FIELDS;
    }
    switch (e->kind) {
    case GM_EVENT_SELF_ASSESSMENT:
        if (isnan(e->score) && blank(e->document)) {
            snprintf(why, len, "self_assessment needs a score or a document reference");
            return GM_RULE_FIELDS;
        }
        break;
    case GM_EVENT_VERIFICATION:
        if (blank(e->agency) || e->result == GM_RESULT_NONE) {
            snprintf(why, len, "verification needs the agency and the result (pass/fail)%s",
                     blank(e->agency) ? ": no agency" : ": no result");
            return GM_RULE_FIELDS;
        }
        break;
    case GM_EVENT_LISTING:
        if (blank(e->batch)) {
            snprintf(why, len, "listing needs the batch");
            return GM_RULE_FIELDS;
        }
        break;
    case GM_EVENT_SPOT_CHECK:
        if (e->result == GM_RESULT_NONE) {
            snprintf(why, len, "spot_check needs the result (pass/fail)");
            return GM_RULE_FIELDS;
        }
        break;
    case GM_EVENT_BLACKLISTING:
        if (blank(e->reason)) {
            snprintf(why, len, "blacklisting needs the reason");
            return GM_RULE_FIELDS;
        }
        break;
    case GM_EVENT_CREDIT_RATING:
        if (e->year < 1990 || e->year > 2100 || blank(e->grade)) {
            snprintf(why, len, "credit_rating needs the year (1990..2100) and the grade");
            return GM_RULE_FIELDS;
        }
        break;
    case GM_EVENT_THREE_RATES:
        if (e->year < 1990 || e->year > 2100) {
            snprintf(why, len, "three_rates needs the year (1990..2100)");
            return GM_RULE_FIELDS;
        }
        if (isnan(e->mining_recovery) && isnan(e->beneficiation_recovery) &&
            isnan(e->utilisation)) {
            snprintf(why, len,
                     "three_rates needs at least one of mining_recovery, "
                     "beneficiation_recovery, utilisation");
            return GM_RULE_FIELDS;
        }
        if (!percent_ok(e->mining_recovery) || !percent_ok(e->beneficiation_recovery) ||
            !percent_ok(e->utilisation)) {
            snprintf(why, len, "three_rates: a rate is not within 0..100 %%");
            return GM_RULE_FIELDS;
        }
        break;
    default:
        break;
    }
    return GM_RULE_OK;
}

static int same_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static int same_num(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* Equal in everything a user enters: kind, date and the kind's fields. */
static int same_event(const gm_event *a, const gm_event *b)
{
    return a->kind == b->kind && a->event_date == b->event_date && a->is_void == b->is_void &&
           a->result == b->result && a->year == b->year && same_num(a->score, b->score) &&
           same_num(a->mining_recovery, b->mining_recovery) &&
           same_num(a->beneficiation_recovery, b->beneficiation_recovery) &&
           same_num(a->utilisation, b->utilisation) && same_str(a->document, b->document) &&
           same_str(a->agency, b->agency) && same_str(a->batch, b->batch) &&
           same_str(a->draw_id, b->draw_id) && same_str(a->inspectors, b->inspectors) &&
           same_str(a->findings, b->findings) && same_str(a->reason, b->reason) &&
           same_str(a->grade, b->grade);
}

/* "licence L: KIND of DATE (event N): WHAT [rule]" into why */
static gm_rule say(gm_rule rule, char *why, size_t len, const char *licence, const gm_event *e,
                   const char *prefix, const char *what)
{
    char d[GM_DATE_TEXT], id[40] = "";
    if (e->event_id > 0) snprintf(id, sizeof id, " (event %lld)", e->event_id);
    if (why && len)
        snprintf(why, len, "licence %s: %s%s of %s%s: %s [%s]", licence ? licence : "?",
                 prefix ? prefix : "", gm_event_kind_name(e->kind), date_str(e->event_date, d), id,
                 what, gm_rule_name(rule));
    return rule;
}

gm_rule gm_event_check(const gm_licence *lic, const gm_event *history, size_t n, const gm_event *ev,
                       int today, char *why, size_t why_len)
{
    char what[400], d1[GM_DATE_TEXT];
    const char *licence = ev->licence_no;
    if (blank(licence))
        return say(GM_RULE_FIELDS, why, why_len, "(none)", ev, NULL, "no licence number");
    if (!lic)
        return say(GM_RULE_LICENCE_EXISTS, why, why_len, licence, ev, NULL,
                   "no such licence is recorded (import the licences first)");
    if (ev->kind <= GM_EVENT_UNKNOWN || ev->kind >= GM_EVENT_KINDS_END)
        return say(GM_RULE_FIELDS, why, why_len, licence, ev, NULL, "unknown event kind");
    if (!ev->event_date) return say(GM_RULE_FIELDS, why, why_len, licence, ev, NULL, "no date");
    if (today && ev->event_date > today) {
        snprintf(what, sizeof what, "the date is after the day of entry (%s)", date_str(today, d1));
        return say(GM_RULE_FUTURE, why, why_len, licence, ev, NULL, what);
    }
    if (lic->licensed_on && ev->event_date < lic->licensed_on) {
        snprintf(what, sizeof what, "the date is before the licence was granted (%s)",
                 date_str(lic->licensed_on, d1));
        return say(GM_RULE_BEFORE_LICENCE, why, why_len, licence, ev, NULL, what);
    }
    const gm_event *target = NULL;
    if (ev->is_void && !ev->supersedes)
        return say(GM_RULE_SUPERSEDES, why, why_len, licence, ev, NULL,
                   "a withdrawal (void) must name the event it withdraws (supersedes)");
    if (ev->supersedes) {
        target = find_id(history, n, ev->supersedes);
        if (!target || strcmp(target->licence_no ? target->licence_no : "", licence) != 0) {
            snprintf(what, sizeof what, "it corrects event %lld, which is no event of this licence",
                     ev->supersedes);
            return say(GM_RULE_SUPERSEDES, why, why_len, licence, ev, NULL, what);
        }
        if (target->kind != ev->kind) {
            snprintf(what, sizeof what, "it corrects event %lld, a %s: a correction keeps the kind",
                     ev->supersedes, gm_event_kind_name(target->kind));
            return say(GM_RULE_SUPERSEDES, why, why_len, licence, ev, NULL, what);
        }
        const gm_event *by = superseder(history, n, target->event_id);
        if (by) {
            snprintf(what, sizeof what,
                     "event %lld was corrected already by event %lld; correct that one instead",
                     target->event_id, by->event_id);
            return say(GM_RULE_SUPERSEDES, why, why_len, licence, ev, NULL, what);
        }
        if (target->is_void) {
            snprintf(what, sizeof what, "event %lld is itself a withdrawal", target->event_id);
            return say(GM_RULE_SUPERSEDES, why, why_len, licence, ev, NULL, what);
        }
    }
    if (ev->is_void && blank(ev->reason))
        return say(GM_RULE_FIELDS, why, why_len, licence, ev, NULL,
                   "a withdrawal (void) needs the reason");
    if (!ev->is_void) {
        gm_rule r = check_fields(ev, what, sizeof what);
        if (r != GM_RULE_OK) return say(r, why, why_len, licence, ev, NULL, what);
    }
    /* the same event again (a file imported twice, a row repeated) */
    if (!ev->supersedes) {
        for (size_t i = 0; i < n; i++) {
            const gm_event *e = &history[i];
            if (!same_event(e, ev) || !gm_event_counts(history, n, e)) continue;
            snprintf(what, sizeof what, "the log holds this event already (event %lld)",
                     e->event_id);
            return say(GM_RULE_DUPLICATE, why, why_len, licence, ev, NULL, what);
        }
    }
    /* a new workflow event goes at the end of the licence's timeline: no back-dating */
    if (!ev->supersedes && is_workflow(ev->kind)) {
        const gm_event *latest = NULL;
        for (size_t i = 0; i < n; i++) {
            const gm_event *e = &history[i];
            if (!is_workflow(e->kind) || !gm_event_counts(history, n, e)) continue;
            if (!latest || e->event_date > latest->event_date) latest = e;
        }
        if (latest && latest->event_date > ev->event_date) {
            snprintf(what, sizeof what,
                     "the licence's latest event is a %s of %s (event %lld); new events are not "
                     "dated before it (a correction may be)",
                     gm_event_kind_name(latest->kind), date_str(latest->event_date, d1),
                     latest->event_id);
            return say(GM_RULE_DATE_ORDER, why, why_len, licence, ev, NULL, what);
        }
    }
    /* replay the timeline with the event in its place, checking every step */
    step *s = NULL;
    size_t k = 0;
    if (timeline(history, n, ev, 0, &s, &k) != GM_OK) {
        if (why && why_len) snprintf(why, why_len, "out of memory");
        return GM_RULE_FIELDS;
    }
    replay r = {0};
    state_init(&r.st, licence);
    gm_rule broken = GM_RULE_OK;
    for (size_t i = 0; i < k && broken == GM_RULE_OK; i++) {
        const gm_event *e = s[i].ev;
        gm_rule rule = precondition(&r, e, what, sizeof what);
        if (rule != GM_RULE_OK) {
            char prefix[160] = "";
            /* a correction can break a later event: name that one */
            if (e != ev)
                snprintf(prefix, sizeof prefix, "%s event %lld would leave the ",
                         ev->is_void ? "withdrawing" : "this correction of", ev->supersedes);
            broken = say(rule, why, why_len, licence, e, prefix, what);
        }
        apply(&r, e);
    }
    free(s);
    return broken;
}

/* ---- three-rate thresholds ------------------------------------------------------ */

const gm_threshold *gm_threshold_for(const gm_threshold_list *t, gm_industry industry,
                                     const char *mineral)
{
    if (!t) return NULL;
    const gm_threshold *general = NULL;
    for (size_t i = 0; i < t->n; i++) {
        const gm_threshold *x = &t->items[i];
        if (x->industry != industry) continue;
        if (blank(x->mineral)) {
            if (!general) general = x;
        } else if (!blank(mineral)) {
            char a[128], b[128];
            gm_value_fold(x->mineral, a, sizeof a);
            gm_value_fold(mineral, b, sizeof b);
            if (strcmp(a, b) == 0) return x;
        }
    }
    return general;
}

int gm_three_rates_compliant(const gm_threshold *t, double mining_recovery,
                             double beneficiation_recovery, double utilisation)
{
    if (!t) return -1;
    const double mins[3] = {t->mining_recovery, t->beneficiation_recovery, t->utilisation};
    const double have[3] = {mining_recovery, beneficiation_recovery, utilisation};
    for (int i = 0; i < 3; i++) {
        if (isnan(mins[i])) continue;
        if (isnan(have[i]) || have[i] < mins[i]) return 0;
    }
    return 1;
}
