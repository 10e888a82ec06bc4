/*
 * events.c -- licences, the event log and the three-rate thresholds in the
 * registry (greenmine/events.h). Every write takes the registry's writer lock
 * (gm_db_begin_write) before it reads the history the rules are checked
 * against, so the check and the insert see the same log; the rules
 * themselves are gm_event_check (src/analysis/management.c).
 */
#include "registry/events_impl.h"

#include "registry/columns.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- rows <-> records ------------------------------------------------------- */

static double column_real(gm_stmt *st, int col)
{
    return gm_stmt_is_null(st, col) ? NAN : gm_stmt_double(st, col);
}

static int read_event(gm_registry *reg, gm_stmt *st, gm_event *ev)
{
    gm_event_init(ev);
    ev->event_id = gm_stmt_int(st, gm_table_key_column(&gm_table_event));
    ev->licence_no = gm_strdup(gm_stmt_text(st, EVENT_licence_no));
    gm_parse_event_kind(gm_stmt_text(st, EVENT_kind), &ev->kind);
    ev->event_date = gm_registry_date_parse(gm_stmt_text(st, EVENT_event_date));
    ev->entered_by = gm_strdup(gm_stmt_text(st, EVENT_entered_by));
    ev->entered_at = gm_strdup(gm_stmt_text(st, EVENT_entered_at));
    ev->supersedes = gm_stmt_is_null(st, EVENT_supersedes) ? 0 : gm_stmt_int(st, EVENT_supersedes);
    ev->is_void = (int)gm_stmt_int(st, EVENT_is_void);
    ev->score = column_real(st, EVENT_score);
    ev->document = gm_strdup(gm_stmt_text(st, EVENT_document));
    ev->agency = gm_strdup(gm_stmt_text(st, EVENT_agency));
    gm_parse_result(gm_stmt_text(st, EVENT_result), &ev->result);
    ev->batch = gm_strdup(gm_stmt_text(st, EVENT_batch));
    ev->draw_id = gm_strdup(gm_stmt_text(st, EVENT_draw_id));
    ev->inspectors = gm_strdup(gm_stmt_text(st, EVENT_inspectors));
    ev->findings = gm_strdup(gm_stmt_text(st, EVENT_findings));
    ev->reason = gm_strdup(gm_stmt_text(st, EVENT_reason));
    ev->year = gm_stmt_is_null(st, EVENT_year) ? 0 : (int)gm_stmt_int(st, EVENT_year);
    ev->grade = gm_strdup(gm_stmt_text(st, EVENT_grade));
    ev->mining_recovery = column_real(st, EVENT_mining_recovery);
    ev->beneficiation_recovery = column_real(st, EVENT_beneficiation_recovery);
    ev->utilisation = column_real(st, EVENT_utilisation);
    if (!ev->licence_no) return gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    return GM_OK;
}

static void bind_real(gm_stmt *st, int i, double v)
{
    if (isnan(v))
        gm_stmt_bind_null(st, i);
    else
        gm_stmt_bind_double(st, i, v);
}

static const char *or_null(const char *s)
{
    return s && *s ? s : NULL;
}

/* INSERT one event; *id receives its id. */
static int insert_event(gm_registry *reg, gm_stmt *st, const gm_event *ev, const char *now,
                        long long *id)
{
    char d[GM_DATE_TEXT];
    gm_stmt_reset(st);
    gm_stmt_bind_text(st, GM_PARAM(EVENT_licence_no), ev->licence_no);
    gm_stmt_bind_text(st, GM_PARAM(EVENT_kind), gm_event_kind_name(ev->kind));
    gm_stmt_bind_text(st, GM_PARAM(EVENT_event_date), gm_registry_date_text(ev->event_date, d));
    gm_stmt_bind_text(st, GM_PARAM(EVENT_entered_by), ev->entered_by);
    gm_stmt_bind_text(st, GM_PARAM(EVENT_entered_at), now);
    if (ev->supersedes)
        gm_stmt_bind_int(st, GM_PARAM(EVENT_supersedes), ev->supersedes);
    else
        gm_stmt_bind_null(st, GM_PARAM(EVENT_supersedes));
    gm_stmt_bind_int(st, GM_PARAM(EVENT_is_void), ev->is_void ? 1 : 0);
    bind_real(st, GM_PARAM(EVENT_score), ev->score);
    gm_stmt_bind_text(st, GM_PARAM(EVENT_document), or_null(ev->document));
    gm_stmt_bind_text(st, GM_PARAM(EVENT_agency), or_null(ev->agency));
    gm_stmt_bind_text(st, GM_PARAM(EVENT_result), ev->result ? gm_result_name(ev->result) : NULL);
    gm_stmt_bind_text(st, GM_PARAM(EVENT_batch), or_null(ev->batch));
    gm_stmt_bind_text(st, GM_PARAM(EVENT_draw_id), or_null(ev->draw_id));
    gm_stmt_bind_text(st, GM_PARAM(EVENT_inspectors), or_null(ev->inspectors));
    gm_stmt_bind_text(st, GM_PARAM(EVENT_findings), or_null(ev->findings));
    gm_stmt_bind_text(st, GM_PARAM(EVENT_reason), or_null(ev->reason));
    if (ev->year)
        gm_stmt_bind_int(st, GM_PARAM(EVENT_year), ev->year);
    else
        gm_stmt_bind_null(st, GM_PARAM(EVENT_year));
    gm_stmt_bind_text(st, GM_PARAM(EVENT_grade), or_null(ev->grade));
    bind_real(st, GM_PARAM(EVENT_mining_recovery), ev->mining_recovery);
    bind_real(st, GM_PARAM(EVENT_beneficiation_recovery), ev->beneficiation_recovery);
    bind_real(st, GM_PARAM(EVENT_utilisation), ev->utilisation);
    int step = gm_stmt_step(st);
    if (step == 1) {
        *id = gm_stmt_int(st, 0);
        return GM_OK;
    }
    return step < 0 ? step : gm_error(reg->ctx, GM_ERR_INTERNAL, "no event id returned");
}

static int prepare_insert_event(gm_registry *reg, gm_stmt **st)
{
    return gm_table_prepare_insert(reg, &gm_table_event, "RETURNING event_id", st);
}

static int read_licence(gm_registry *reg, gm_stmt *st, gm_licence *l)
{
    memset(l, 0, sizeof *l);
    l->licence_no = gm_strdup(gm_stmt_text(st, LICENCE_licence_no));
    l->name = gm_strdup(gm_stmt_text(st, LICENCE_name));
    l->enterprise = gm_strdup(gm_stmt_text(st, LICENCE_enterprise));
    l->credit_code = gm_strdup(gm_stmt_text(st, LICENCE_credit_code));
    gm_parse_industry(gm_stmt_text(st, LICENCE_industry), &l->industry);
    l->mineral = gm_strdup(gm_stmt_text(st, LICENCE_mineral));
    gm_parse_scale(gm_stmt_text(st, LICENCE_scale), &l->scale);
    l->county = gm_strdup(gm_stmt_text(st, LICENCE_county));
    l->city = gm_strdup(gm_stmt_text(st, LICENCE_city));
    l->licensed_on = gm_registry_date_parse(gm_stmt_text(st, LICENCE_licensed_on));
    l->is_new = gm_stmt_is_null(st, LICENCE_is_new) ? GM_FLAG_UNKNOWN
                : gm_stmt_int(st, LICENCE_is_new)   ? GM_FLAG_YES
                                                    : GM_FLAG_NO;
    l->entered_by = gm_strdup(gm_stmt_text(st, LICENCE_entered_by));
    l->entered_at = gm_strdup(gm_stmt_text(st, LICENCE_entered_at));
    if (!l->licence_no) return gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    return GM_OK;
}

/* ---- reading ----------------------------------------------------------------- */

static int by_licence_no(const void *a, const void *b)
{
    return strcmp(((const gm_licence *)a)->licence_no, ((const gm_licence *)b)->licence_no);
}

static int by_licence_date_id(const void *a, const void *b)
{
    const gm_event *x = a, *y = b;
    int c = strcmp(x->licence_no, y->licence_no);
    if (c) return c;
    if (x->event_date != y->event_date) return x->event_date < y->event_date ? -1 : 1;
    return x->event_id < y->event_id ? -1 : x->event_id > y->event_id;
}

int gm_registry_licences(gm_registry *reg, gm_licence_list **out)
{
    *out = NULL;
    gm_licence_list *l = calloc(1, sizeof *l);
    if (!l) return gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    gm_stmt *st = NULL;
    int rc = gm_table_prepare_select(reg, &gm_table_licence, NULL, &st);
    int step = 0;
    size_t cap = 0;
    while (rc == GM_OK && (step = gm_stmt_step(st)) == 1) {
        if (l->n == cap) { /* doubling: a province has thousands of licences */
            cap = cap ? cap * 2 : 64;
            gm_licence *more = realloc(l->items, cap * sizeof *more);
            if (!more) {
                rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
                break;
            }
            l->items = more;
        }
        rc = read_licence(reg, st, &l->items[l->n++]);
    }
    if (rc == GM_OK && step < 0) rc = step;
    gm_stmt_free(st);
    if (rc != GM_OK) {
        gm_licence_list_free(l);
        return rc;
    }
    /* in C, not SQL: PostgreSQL's collation would order otherwise than strcmp */
    if (l->n) qsort(l->items, l->n, sizeof *l->items, by_licence_no);
    *out = l;
    return GM_OK;
}

/* One licence (found = 0 when there is none). */
static int load_licence(gm_registry *reg, const char *licence_no, gm_licence *l, int *found)
{
    *found = 0;
    memset(l, 0, sizeof *l);
    gm_stmt *st = NULL;
    int rc = gm_table_prepare_select(reg, &gm_table_licence, "WHERE licence_no = ?", &st);
    if (rc != GM_OK) return rc;
    gm_stmt_bind_text(st, 1, licence_no);
    int step = gm_stmt_step(st);
    if (step == 1) {
        rc = read_licence(reg, st, l);
        *found = rc == GM_OK;
    } else if (step < 0)
        rc = step;
    gm_stmt_free(st);
    return rc;
}

int gm_registry_events(gm_registry *reg, const char *licence_no, int up_to, gm_event_list **out)
{
    *out = NULL;
    /* up to a date: also the corrections of those events, whatever their own date, so
     * that the status as of that date honours them (management.h) */
    char where[256];
    snprintf(where, sizeof where, "WHERE %s AND %s", licence_no ? "licence_no = ?" : "1 = 1",
             up_to ? "(event_date <= ? OR supersedes IN (SELECT event_id FROM event WHERE "
                     "event_date <= ?))"
                   : "1 = 1");
    gm_event_list *l = calloc(1, sizeof *l);
    if (!l) return gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    gm_stmt *st = NULL;
    int rc = gm_table_prepare_select(reg, &gm_table_event, where, &st);
    char d[GM_DATE_TEXT];
    int p = 1;
    if (rc == GM_OK && licence_no) gm_stmt_bind_text(st, p++, licence_no);
    if (rc == GM_OK && up_to) {
        gm_stmt_bind_text(st, p++, gm_registry_date_text(up_to, d));
        gm_stmt_bind_text(st, p++, gm_registry_date_text(up_to, d));
    }
    int step = 0;
    size_t cap = 0;
    while (rc == GM_OK && (step = gm_stmt_step(st)) == 1) {
        if (l->n == cap) {
            cap = cap ? cap * 2 : 64;
            gm_event *more = realloc(l->items, cap * sizeof *more);
            if (!more) {
                rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
                break;
            }
            l->items = more;
        }
        rc = read_event(reg, st, &l->items[l->n++]);
    }
    if (rc == GM_OK && step < 0) rc = step;
    gm_stmt_free(st);
    if (rc != GM_OK) {
        gm_event_list_free(l);
        return rc;
    }
    if (l->n) qsort(l->items, l->n, sizeof *l->items, by_licence_date_id);
    *out = l;
    return GM_OK;
}

int gm_registry_event(gm_registry *reg, long long event_id, gm_event *out)
{
    gm_event_init(out);
    gm_stmt *st = NULL;
    int rc = gm_table_prepare_select(reg, &gm_table_event, "WHERE event_id = ?", &st);
    if (rc != GM_OK) return rc;
    gm_stmt_bind_int(st, 1, event_id);
    int step = gm_stmt_step(st);
    if (step == 1)
        rc = read_event(reg, st, out);
    else if (step == 0)
        rc = gm_error(reg->ctx, GM_ERR_USAGE, "registry %s: there is no event %lld", reg->target,
                      event_id);
    else
        rc = step;
    gm_stmt_free(st);
    if (rc != GM_OK) gm_event_clear(out);
    return rc;
}

int gm_registry_thresholds(gm_registry *reg, int as_of, gm_threshold_list **out)
{
    *out = NULL;
    gm_threshold_list *l = calloc(1, sizeof *l);
    if (!l) return gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    char d[GM_DATE_TEXT];
    gm_stmt *st = NULL;
    int rc = gm_table_prepare_select(reg, &gm_table_threshold_set,
                                     as_of ? "WHERE effective_from <= ? ORDER BY effective_from "
                                             "DESC, set_id DESC LIMIT 1"
                                           : "ORDER BY effective_from DESC, set_id DESC LIMIT 1",
                                     &st);
    if (rc == GM_OK && as_of) gm_stmt_bind_text(st, 1, gm_registry_date_text(as_of, d));
    int step = rc == GM_OK ? gm_stmt_step(st) : rc;
    if (step == 1) {
        l->set_id = gm_stmt_int(st, gm_table_key_column(&gm_table_threshold_set));
        l->effective_from = gm_registry_date_parse(gm_stmt_text(st, TSET_effective_from));
        l->label = gm_strdup(gm_stmt_text(st, TSET_label));
        l->file_name = gm_strdup(gm_stmt_text(st, TSET_file_name));
        l->loaded_by = gm_strdup(gm_stmt_text(st, TSET_loaded_by));
        l->loaded_at = gm_strdup(gm_stmt_text(st, TSET_loaded_at));
    } else if (step < 0)
        rc = step;
    gm_stmt_free(st);
    st = NULL;
    if (rc == GM_OK && l->set_id) {
        rc = gm_table_prepare_select(reg, &gm_table_threshold, "WHERE set_id = ?", &st);
        if (rc == GM_OK) gm_stmt_bind_int(st, 1, l->set_id);
        while (rc == GM_OK && (step = gm_stmt_step(st)) == 1) {
            gm_threshold *more = realloc(l->items, (l->n + 1) * sizeof *more);
            if (!more) {
                rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
                break;
            }
            l->items = more;
            gm_threshold *t = &l->items[l->n++];
            memset(t, 0, sizeof *t);
            gm_parse_industry(gm_stmt_text(st, THRESHOLD_industry), &t->industry);
            t->mineral = gm_strdup(gm_stmt_text(st, THRESHOLD_mineral));
            t->mining_recovery = column_real(st, THRESHOLD_mining_recovery);
            t->beneficiation_recovery = column_real(st, THRESHOLD_beneficiation_recovery);
            t->utilisation = column_real(st, THRESHOLD_utilisation);
            t->note = gm_strdup(gm_stmt_text(st, THRESHOLD_note));
        }
        if (rc == GM_OK && step < 0) rc = step;
        gm_stmt_free(st);
    }
    if (rc != GM_OK) {
        gm_threshold_list_free(l);
        return rc;
    }
    *out = l;
    return GM_OK;
}

/* ---- writing ------------------------------------------------------------------- */

int gm_registry_append_event(gm_registry *reg, const gm_event *ev, long long *event_id,
                             gm_rule *rule)
{
    if (event_id) *event_id = 0;
    if (rule) *rule = GM_RULE_OK;
    if (!ev->entered_by || !*ev->entered_by)
        return gm_error(reg->ctx, GM_ERR_USAGE, "an event needs who entered it");
    int rc = gm_db_begin_write(reg->db);
    if (rc != GM_OK) return rc;
    gm_licence lic;
    int found = 0;
    gm_event_list *history = NULL;
    gm_stmt *st = NULL;
    char now[32], why[1024];
    gm_registry_now(now);
    if (ev->licence_no) rc = load_licence(reg, ev->licence_no, &lic, &found);
    if (rc == GM_OK && found) rc = gm_registry_events(reg, ev->licence_no, 0, &history);
    if (rc == GM_OK) {
        gm_rule r =
            gm_event_check(found ? &lic : NULL, history ? history->items : NULL,
                           history ? history->n : 0, ev, gm_management_today(), why, sizeof why);
        if (rule) *rule = r;
        if (r != GM_RULE_OK) rc = gm_error(reg->ctx, GM_ERR_USAGE, "%s", why);
    }
    long long id = 0;
    if (rc == GM_OK) rc = prepare_insert_event(reg, &st);
    if (rc == GM_OK) rc = insert_event(reg, st, ev, now, &id);
    gm_stmt_free(st);
    if (rc == GM_OK) rc = gm_db_exec(reg->db, "COMMIT");
    if (rc != GM_OK) gm_db_rollback(reg->db);
    if (found) gm_licence_clear(&lic);
    gm_event_list_free(history);
    if (rc == GM_OK && event_id) *event_id = id;
    return rc;
}

static int same_text(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* "" when l and m hold the same record, else the first field that differs. */
static const char *licence_difference(const gm_licence *l, const gm_licence *m)
{
    if (!same_text(l->name, m->name)) return "name";
    if (!same_text(l->enterprise, m->enterprise)) return "enterprise";
    if (!same_text(l->credit_code, m->credit_code)) return "credit_code";
    if (l->industry != m->industry) return "industry";
    if (!same_text(l->mineral, m->mineral)) return "mineral";
    if (l->scale != m->scale) return "scale";
    if (!same_text(l->county, m->county)) return "county";
    if (!same_text(l->city, m->city)) return "city";
    if (l->licensed_on != m->licensed_on) return "licensed_on";
    if (l->is_new != m->is_new) return "is_new";
    return "";
}

int gm_registry_insert_licence(gm_registry *reg, gm_stmt **st, const gm_licence *l, const char *now)
{
    int rc = GM_OK;
    if (!*st) rc = gm_table_prepare_insert(reg, &gm_table_licence, NULL, st);
    if (rc != GM_OK) return rc;
    char d[GM_DATE_TEXT];
    gm_stmt *s = *st;
    gm_stmt_reset(s);
    gm_stmt_bind_text(s, GM_PARAM(LICENCE_licence_no), l->licence_no);
    gm_stmt_bind_text(s, GM_PARAM(LICENCE_name), or_null(l->name));
    gm_stmt_bind_text(s, GM_PARAM(LICENCE_enterprise), or_null(l->enterprise));
    gm_stmt_bind_text(s, GM_PARAM(LICENCE_credit_code), or_null(l->credit_code));
    gm_stmt_bind_text(s, GM_PARAM(LICENCE_industry), or_null(gm_industry_name(l->industry)));
    gm_stmt_bind_text(s, GM_PARAM(LICENCE_mineral), or_null(l->mineral));
    gm_stmt_bind_text(s, GM_PARAM(LICENCE_scale), or_null(gm_scale_name(l->scale)));
    gm_stmt_bind_text(s, GM_PARAM(LICENCE_county), or_null(l->county));
    gm_stmt_bind_text(s, GM_PARAM(LICENCE_city), or_null(l->city));
    gm_stmt_bind_text(s, GM_PARAM(LICENCE_licensed_on), gm_registry_date_text(l->licensed_on, d));
    if (l->is_new == GM_FLAG_UNKNOWN)
        gm_stmt_bind_null(s, GM_PARAM(LICENCE_is_new));
    else
        gm_stmt_bind_int(s, GM_PARAM(LICENCE_is_new), l->is_new == GM_FLAG_YES);
    gm_stmt_bind_text(s, GM_PARAM(LICENCE_entered_by), l->entered_by);
    gm_stmt_bind_text(s, GM_PARAM(LICENCE_entered_at), now);
    int step = gm_stmt_step(s);
    return step < 0 ? step : GM_OK;
}

/* The licence as it will be stored: is_new from the date when not given. */
void gm_registry_licence_defaults(gm_licence *l)
{
    if (l->is_new == GM_FLAG_UNKNOWN && l->licensed_on)
        l->is_new = l->licensed_on >= GM_PLAN_DATE ? GM_FLAG_YES : GM_FLAG_NO;
}

int gm_registry_check_licence(const gm_licence *l, const gm_licence *stored, char *why, size_t len)
{
    if (!l->licence_no || !*l->licence_no) {
        snprintf(why, len, "no licence number");
        return GM_ERR_FIELD;
    }
    if (l->credit_code && *l->credit_code && !gm_credit_code_valid(l->credit_code)) {
        snprintf(why, len,
                 "licence %s: unified social credit code %s is not valid (18 characters, check "
                 "digit per GB 32100-2015)",
                 l->licence_no, l->credit_code);
        return GM_ERR_FIELD;
    }
    if (stored) {
        const char *diff = licence_difference(l, stored);
        if (*diff) {
            snprintf(why, len,
                     "licence %s is recorded already with another %s; licences are not "
                     "rewritten",
                     l->licence_no, diff);
            return GM_ERR_USAGE;
        }
    }
    return GM_OK;
}

int gm_registry_add_licence(gm_registry *reg, const gm_licence *l_in, int *added)
{
    if (added) *added = 0;
    if (!l_in->entered_by || !*l_in->entered_by)
        return gm_error(reg->ctx, GM_ERR_USAGE, "a licence needs who entered it");
    gm_licence l = *l_in;
    gm_registry_licence_defaults(&l);
    int rc = gm_db_begin_write(reg->db);
    if (rc != GM_OK) return rc;
    gm_licence stored;
    int found = 0;
    char why[1024], now[32];
    gm_stmt *st = NULL;
    gm_registry_now(now);
    if (l.licence_no) rc = load_licence(reg, l.licence_no, &stored, &found);
    if (rc == GM_OK) {
        int bad = gm_registry_check_licence(&l, found ? &stored : NULL, why, sizeof why);
        if (bad != GM_OK) rc = gm_error(reg->ctx, bad, "%s", why);
    }
    if (rc == GM_OK && !found) rc = gm_registry_insert_licence(reg, &st, &l, now);
    gm_stmt_free(st);
    if (rc == GM_OK) rc = gm_db_exec(reg->db, "COMMIT");
    if (rc != GM_OK) gm_db_rollback(reg->db);
    if (found) gm_licence_clear(&stored);
    if (rc == GM_OK && added) *added = !found;
    return rc;
}

/* ---- bulk events ------------------------------------------------------------------ */

void gm_import_report_free(gm_import_report *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n_problems; i++)
        free(r->problems[i].message);
    free(r->problems);
    free(r->file_name);
    free(r);
}

int gm_import_report_add(gm_import_report *r, long row, gm_rule rule, const char *message)
{
    gm_import_problem *more = realloc(r->problems, (r->n_problems + 1) * sizeof *more);
    if (!more) return GM_ERR_NOMEM;
    r->problems = more;
    char *m = malloc(strlen(message) + 32);
    if (!m) return GM_ERR_NOMEM;
    if (row > 0)
        sprintf(m, "row %ld: %s", row, message);
    else
        strcpy(m, message);
    r->problems[r->n_problems].row = row;
    r->problems[r->n_problems].rule = rule;
    r->problems[r->n_problems].message = m;
    r->n_problems++;
    return GM_OK;
}

static int by_row(const void *a, const void *b)
{
    const gm_import_problem *x = a, *y = b;
    return x->row < y->row ? -1 : x->row > y->row;
}

void gm_import_report_sort(gm_import_report *r)
{
    if (r->n_problems > 1) qsort(r->problems, r->n_problems, sizeof *r->problems, by_row);
}

/* The order rows are checked and recorded in: licence, date, row. */
typedef struct pending {
    const gm_event *ev;
    long row;
} pending;

static int by_licence_date_row(const void *a, const void *b)
{
    const pending *x = a, *y = b;
    int c = strcmp(x->ev->licence_no ? x->ev->licence_no : "",
                   y->ev->licence_no ? y->ev->licence_no : "");
    if (c) return c;
    if (x->ev->event_date != y->ev->event_date)
        return x->ev->event_date < y->ev->event_date ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

int gm_registry_append_events_locked(gm_registry *reg, const gm_event *evs, const long *rows,
                                     size_t n, gm_import_report *r)
{
    gm_licence_list *lic = NULL;
    gm_event_list *stored = NULL;
    pending *order = NULL;
    gm_event *history = NULL;
    gm_stmt *st = NULL;
    char now[32], why[1024];
    gm_registry_now(now);
    int today = gm_management_today();
    int rc = gm_registry_licences(reg, &lic);
    if (rc == GM_OK) rc = gm_registry_events(reg, NULL, 0, &stored);
    if (rc == GM_OK) {
        order = malloc((n ? n : 1) * sizeof *order);
        history = malloc((stored->n + n + 1) * sizeof *history);
        if (!order || !history) rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    }
    long long max_id = 0;
    for (size_t i = 0; rc == GM_OK && i < stored->n; i++)
        if (stored->items[i].event_id > max_id) max_id = stored->items[i].event_id;
    for (size_t i = 0; rc == GM_OK && i < n; i++) {
        order[i].ev = &evs[i];
        order[i].row = rows ? rows[i] : (long)i + 1;
    }
    if (rc == GM_OK && n) qsort(order, n, sizeof *order, by_licence_date_row);
    /* check each licence's rows against its stored events and its earlier good rows;
     * good rows get provisional ids after every stored one, in the order they
     * will be inserted */
    size_t n_history = 0, good = 0;
    const char *current = NULL;
    for (size_t i = 0; rc == GM_OK && i < n; i++) {
        const gm_event *ev = order[i].ev;
        const char *no = ev->licence_no ? ev->licence_no : "";
        if (!current || strcmp(current, no) != 0) {
            current = no;
            size_t first = 0, count = 0;
            gm_event_list_range(stored, no, &first, &count);
            if (count) memcpy(history, stored->items + first, count * sizeof *history);
            n_history = count;
        }
        if (!ev->entered_by || !*ev->entered_by) {
            rc = gm_error(reg->ctx, GM_ERR_USAGE, "an event needs who entered it");
            break;
        }
        gm_rule rule = gm_event_check(gm_licence_find(lic, no), history, n_history, ev, today, why,
                                      sizeof why);
        if (rule != GM_RULE_OK) {
            if (gm_import_report_add(r, order[i].row, rule, why) != GM_OK)
                rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
            order[i].ev = NULL; /* not recorded, not part of the history */
            continue;
        }
        history[n_history] = *ev; /* shallow: the caller's strings */
        history[n_history].event_id = max_id + (long long)++good;
        n_history++;
    }
    if (rc == GM_OK && r->n_problems) {
        gm_import_report_sort(r);
        rc = gm_error(reg->ctx, GM_ERR_USAGE, "%s: %zu of %zu rows refused; nothing recorded",
                      r->file_name ? r->file_name : "events", r->n_problems, r->rows ? r->rows : n);
    }
    if (rc == GM_OK && n) rc = prepare_insert_event(reg, &st);
    for (size_t i = 0; rc == GM_OK && i < n; i++) {
        long long id = 0;
        rc = insert_event(reg, st, order[i].ev, now, &id);
        if (rc != GM_OK) break;
        if (!r->first_id) r->first_id = id;
        r->last_id = id;
        r->recorded++;
        gm_progress(reg->ctx, "import events", i + 1, n);
    }
    gm_stmt_free(st);
    free(history);
    free(order);
    gm_event_list_free(stored);
    gm_licence_list_free(lic);
    return rc;
}

int gm_registry_append_events(gm_registry *reg, const gm_event *evs, const long *rows, size_t n,
                              const char *file_name, gm_import_report **out)
{
    *out = NULL;
    gm_import_report *r = calloc(1, sizeof *r);
    if (!r) return gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    r->file_name = gm_strdup(file_name);
    r->rows = n;
    int rc = gm_db_begin_write(reg->db);
    if (rc == GM_OK) {
        rc = gm_registry_append_events_locked(reg, evs, rows, n, r);
        if (rc == GM_OK) rc = gm_db_exec(reg->db, "COMMIT");
        if (rc != GM_OK) gm_db_rollback(reg->db);
    }
    if (rc != GM_OK) {
        r->recorded = 0;
        r->first_id = r->last_id = 0;
    }
    if (rc == GM_OK || (rc == GM_ERR_USAGE && r->n_problems))
        *out = r;
    else
        gm_import_report_free(r);
    return rc;
}
