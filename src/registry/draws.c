/*
 * draws.c -- the draw in the registry: the candidates on a date (listed
 * mines, from the event log, with the inspectors the history rule bars), the
 * record of a draw (tables draw, draw_pick, inspector; migration 4), and the
 * draws read back with their spot checks' results for the public record.
 */
#include "core/context_impl.h"
#include "core/text.h"
#include "registry/columns.h"

#include <greenmine/draw.h>
#include <greenmine/events.h>
#include <greenmine/management.h>

#include <stdlib.h>
#include <string.h>

/* The first day of "the two years up to `date`": the same day two years
 * earlier (28 February for 29 February). */
static int two_years_before(int date)
{
    int y = date / 10000 - 2, m = date / 100 % 100, d = date % 100;
    if (m == 2 && d == 29) d = 28;
    return y * 10000 + m * 100 + d;
}

/* Adds the ids of `list` (separated by ';', ',' or '、', spaces trimmed) that
 * are on the roster to *ids. */
static int add_ids(const char *list, const gm_draw_inspector *roster, size_t n_roster, char ***ids,
                   size_t *n)
{
    if (!list) return GM_OK;
    const char *p = list;
    while (*p) {
        size_t len = 0;
        while (p[len] && p[len] != ';' && p[len] != ',' &&
               strncmp(p + len, "\xe3\x80\x81", 3) != 0) /* 、 */
            len++;
        const char *s = p;
        size_t l = len;
        while (l && (*s == ' ' || *s == '\t'))
            s++, l--;
        while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
            l--;
        for (size_t i = 0; l && i < n_roster; i++)
            if (strlen(roster[i].inspector_id) == l && !memcmp(roster[i].inspector_id, s, l)) {
                char **g = realloc(*ids, (*n + 1) * sizeof *g);
                if (!g) return GM_ERR_NOMEM;
                *ids = g;
                if (!((*ids)[*n] = strdup(roster[i].inspector_id))) return GM_ERR_NOMEM;
                (*n)++;
                break;
            }
        p += len;
        if (*p == ';' || *p == ',')
            p++;
        else if (*p)
            p += 3;
    }
    return GM_OK;
}

int gm_registry_draw_lists(gm_registry *reg, const gm_draw_params *p,
                           const gm_draw_inspector *roster, size_t n_roster, gm_draw_lists **out)
{
    gm_context *ctx = reg->ctx;
    gm_licence_list *lic = NULL;
    gm_event_list *ev = NULL;
    gm_mine_state *st = NULL;
    gm_draw_mine *cand = NULL;
    size_t n_cand = 0;
    char now[32];
    gm_registry_now(now);
    if (p->date > gm_registry_date_parse(now)) {
        char date[GM_DATE_TEXT];
        return gm_error(ctx, GM_ERR_USAGE,
                        "--date %s is after today: a draw is made from the mines listed on its "
                        "day",
                        gm_date_text(p->date, date));
    }
    int rc = gm_registry_licences(reg, &lic);
    if (rc == GM_OK) rc = gm_registry_events(reg, NULL, p->date, &ev);
    if (rc == GM_OK) rc = gm_mine_statuses(ctx, lic, ev, p->date, &st);
    if (rc != GM_OK) goto done;
    cand = calloc(lic->n ? lic->n : 1, sizeof *cand);
    if (!cand) {
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        goto done;
    }
    int from = two_years_before(p->date);
    int county_seen = 0;
    for (size_t i = 0; i < lic->n; i++) {
        const gm_licence *l = &lic->items[i];
        const char *county = l->county ? l->county : "";
        const char *industry = l->industry ? gm_industry_name(l->industry) : "";
        if (p->county && *p->county && strcmp(county, p->county)) continue;
        county_seen = 1;
        if (p->industry && *p->industry && strcmp(industry, p->industry)) continue;
        if (st[i].standing != GM_STANDING_LISTED) continue;
        gm_draw_mine *m = &cand[n_cand++];
        m->licence_no = l->licence_no, m->county = (char *)county;
        m->industry = (char *)industry;
        size_t first = 0, count = 0;
        gm_event_list_range(ev, l->licence_no, &first, &count);
        for (size_t k = first; k < first + count && rc == GM_OK; k++) {
            const gm_event *e = &ev->items[k];
            if (e->event_date < from || e->event_date > p->date) continue;
            if (!gm_event_counts(ev->items + first, count, e)) continue;
            if (e->kind == GM_EVENT_VERIFICATION) {
                /* the agency that verified it: every roster member of that agency */
                for (size_t r = 0; r < n_roster && e->agency && *e->agency; r++)
                    if (roster[r].agency[0] && !strcmp(roster[r].agency, e->agency))
                        rc = add_ids(roster[r].inspector_id, roster, n_roster, &m->barred,
                                     &m->n_barred);
                if (rc == GM_OK)
                    rc = add_ids(e->inspectors, roster, n_roster, &m->barred, &m->n_barred);
            } else if (e->kind == GM_EVENT_SPOT_CHECK) {
                rc = add_ids(e->inspectors, roster, n_roster, &m->barred, &m->n_barred);
            }
        }
        if (rc != GM_OK) {
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            goto done;
        }
    }
    /* a roster county spelt unlike every licence's county (浏阳 for 浏阳市) would
     * silently never apply the county rule: refused before anything is drawn */
    for (size_t r = 0; r < n_roster; r++) {
        int known = !roster[r].county[0];
        for (size_t i = 0; !known && i < lic->n; i++)
            known = lic->items[i].county && !strcmp(lic->items[i].county, roster[r].county);
        if (!known) {
            char *id = gm_term_escape(roster[r].inspector_id);
            char *cty = gm_term_escape(roster[r].county);
            rc = gm_error(ctx, GM_ERR_USAGE,
                          "inspector %s: county %s is no licence's county in the registry, so "
                          "the county rule would never apply to them; spell it as the licences "
                          "do, or leave it empty for an inspector whose county has no licence",
                          id ? id : "?", cty ? cty : "?");
            free(id), free(cty);
            goto done;
        }
    }
    if (p->county && *p->county && !county_seen) {
        rc = gm_error(ctx, GM_ERR_USAGE,
                      "--county %s: no licence in the registry is of that county", p->county);
        goto done;
    }
    if (n_cand == 0) {
        char date[GM_DATE_TEXT];
        rc = gm_error(ctx, GM_ERR_USAGE,
                      "no mine is on the green-mine list on %s%s%s%s%s: nothing to draw from",
                      gm_date_text(p->date, date), p->county ? " in " : "",
                      p->county ? p->county : "", p->industry ? ", industry " : "",
                      p->industry ? p->industry : "");
        goto done;
    }
    rc = gm_draw_lists_make(ctx, cand, n_cand, roster, n_roster, out);
done:
    if (cand)
        for (size_t i = 0; i < n_cand; i++) {
            for (size_t k = 0; k < cand[i].n_barred; k++)
                free(cand[i].barred[k]);
            free(cand[i].barred);
        }
    free(cand);
    free(st);
    gm_event_list_free(ev);
    gm_licence_list_free(lic);
    return rc;
}

/* ids and names of a pick, joined with ';' (malloc'd). */
static int pick_join(const gm_draw *d, size_t k, char **ids, char **names)
{
    size_t li = 1, ln = 1;
    for (int i = 0; i < d->per_mine; i++) {
        const gm_draw_inspector *in = &d->lists->inspectors[d->picks[k].inspectors[i]];
        li += strlen(in->inspector_id) + 1, ln += strlen(in->name) + 1;
    }
    *ids = calloc(li, 1), *names = calloc(ln, 1);
    if (!*ids || !*names) return GM_ERR_NOMEM;
    for (int i = 0; i < d->per_mine; i++) {
        const gm_draw_inspector *in = &d->lists->inspectors[d->picks[k].inspectors[i]];
        if (i) strcat(*ids, ";"), strcat(*names, ";");
        strcat(*ids, in->inspector_id), strcat(*names, in->name);
    }
    return GM_OK;
}

int gm_registry_draw_record(gm_registry *reg, gm_draw *d, const char *by)
{
    if (!d->n_picks)
        return gm_error(reg->ctx, GM_ERR_USAGE, "a draw without picks is not recorded");
    char now[32], date[GM_DATE_TEXT], share[16];
    gm_registry_now(now);
    gm_date_text(d->date, date);
    if (d->share_bp) gm_draw_share_text(d->share_bp, share);
    gm_stmt *st = NULL;
    long id = 0;
    int rc = gm_db_begin_write(reg->db);
    if (rc != GM_OK) return rc;
    rc = gm_table_prepare_insert(reg, &gm_table_draw, "RETURNING draw_id", &st);
    if (rc == GM_OK) {
        gm_stmt_bind_text(st, GM_PARAM(DRAW_draw_date), date);
        gm_stmt_bind_text(st, GM_PARAM(DRAW_drawn_at), now);
        gm_stmt_bind_text(st, GM_PARAM(DRAW_drawn_by), by);
        gm_stmt_bind_text(st, GM_PARAM(DRAW_seed), d->seed);
        gm_stmt_bind_text(st, GM_PARAM(DRAW_share_percent), d->share_bp ? share : NULL);
        if (d->share_bp)
            gm_stmt_bind_null(st, GM_PARAM(DRAW_count_requested));
        else
            gm_stmt_bind_int(st, GM_PARAM(DRAW_count_requested), d->count);
        gm_stmt_bind_int(st, GM_PARAM(DRAW_per_mine), d->per_mine);
        gm_stmt_bind_int(st, GM_PARAM(DRAW_floor_per_county), d->floor_per_county);
        gm_stmt_bind_text(st, GM_PARAM(DRAW_county), d->county);
        gm_stmt_bind_text(st, GM_PARAM(DRAW_industry), d->industry);
        gm_stmt_bind_int(st, GM_PARAM(DRAW_candidates), (long long)d->lists->n_mines);
        gm_stmt_bind_text(st, GM_PARAM(DRAW_mines_sha256), d->lists->mines_sha256);
        gm_stmt_bind_text(st, GM_PARAM(DRAW_inspectors_sha256), d->lists->inspectors_sha256);
        gm_stmt_bind_text(st, GM_PARAM(DRAW_mines_csv), d->lists->mines_csv);
        gm_stmt_bind_text(st, GM_PARAM(DRAW_inspectors_csv), d->lists->inspectors_csv);
        gm_stmt_bind_text(st, GM_PARAM(DRAW_greenmine_version), gm_version());
        int row = gm_stmt_step(st);
        if (row == 1) id = (long)gm_stmt_int(st, 0);
        rc = row < 0
                 ? row
                 : (row == 1 ? GM_OK : gm_error(reg->ctx, GM_ERR_INTERNAL, "the draw got no id"));
    }
    gm_stmt_free(st), st = NULL;
    if (rc == GM_OK) rc = gm_table_prepare_insert(reg, &gm_table_draw_pick, NULL, &st);
    for (size_t k = 0; rc == GM_OK && k < d->n_picks; k++) {
        const gm_draw_mine *m = &d->lists->mines[d->picks[k].mine];
        char *ids = NULL, *names = NULL;
        if (pick_join(d, k, &ids, &names) != GM_OK) {
            free(ids), free(names);
            rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
            break;
        }
        gm_stmt_reset(st);
        gm_stmt_bind_int(st, GM_PARAM(PICK_draw_id), id);
        gm_stmt_bind_int(st, GM_PARAM(PICK_rank), (long long)k + 1);
        gm_stmt_bind_text(st, GM_PARAM(PICK_licence_no), m->licence_no);
        gm_stmt_bind_text(st, GM_PARAM(PICK_county), m->county);
        gm_stmt_bind_text(st, GM_PARAM(PICK_industry), m->industry);
        gm_stmt_bind_text(st, GM_PARAM(PICK_inspectors), ids);
        gm_stmt_bind_text(st, GM_PARAM(PICK_inspector_names), names);
        int row = gm_stmt_step(st);
        free(ids), free(names);
        if (row < 0) rc = row;
    }
    gm_stmt_free(st), st = NULL;
    if (rc == GM_OK) rc = gm_table_prepare_insert(reg, &gm_table_inspector, NULL, &st);
    for (size_t i = 0; rc == GM_OK && i < d->lists->n_inspectors; i++) {
        const gm_draw_inspector *in = &d->lists->inspectors[i];
        gm_stmt_reset(st);
        gm_stmt_bind_int(st, GM_PARAM(INSPECTOR_draw_id), id);
        gm_stmt_bind_int(st, GM_PARAM(INSPECTOR_seq), (long long)i + 1);
        gm_stmt_bind_text(st, GM_PARAM(INSPECTOR_inspector_id), in->inspector_id);
        gm_stmt_bind_text(st, GM_PARAM(INSPECTOR_name), in->name);
        gm_stmt_bind_text(st, GM_PARAM(INSPECTOR_county), in->county);
        gm_stmt_bind_text(st, GM_PARAM(INSPECTOR_agency), in->agency);
        int row = gm_stmt_step(st);
        if (row < 0) rc = row;
    }
    gm_stmt_free(st);
    if (rc == GM_OK) rc = gm_db_exec(reg->db, "COMMIT");
    if (rc != GM_OK) {
        gm_db_rollback(reg->db);
        return rc;
    }
    d->draw_id = id;
    snprintf(d->drawn_at, sizeof d->drawn_at, "%s", now);
    free(d->drawn_by);
    d->drawn_by = strdup(by);
    return d->drawn_by ? GM_OK : gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
}

/* ---- reading back ------------------------------------------------------------ */

void gm_draw_record_free(gm_draw_record *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n_draws; i++)
        gm_draw_free(r->draws[i]);
    free(r->draws);
    for (size_t i = 0; i < r->n_results; i++) {
        free(r->results[i].licence_no), free(r->results[i].result);
        free(r->results[i].findings), free(r->results[i].inspectors);
    }
    free(r->results);
    free(r);
}

const gm_draw_result *gm_draw_record_result(const gm_draw_record *r, long draw_id,
                                            const char *licence_no)
{
    for (size_t i = 0; i < r->n_results; i++)
        if (r->results[i].draw_id == draw_id && !strcmp(r->results[i].licence_no, licence_no))
            return &r->results[i];
    return NULL;
}

static char *dup_text(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

/* The draw of the current row of `st` (columns of the SELECT below). */
static int read_draw(gm_registry *reg, gm_stmt *st, gm_draw **out)
{
    gm_context *ctx = reg->ctx;
    gm_draw *d = calloc(1, sizeof *d);
    if (!d) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    d->draw_id = (long)gm_stmt_int(st, gm_table_key_column(&gm_table_draw));
    d->date = gm_registry_date_parse(gm_stmt_text(st, DRAW_draw_date));
    const char *at = gm_stmt_text(st, DRAW_drawn_at);
    snprintf(d->drawn_at, sizeof d->drawn_at, "%s", at ? at : "");
    d->drawn_by = dup_text(gm_stmt_text(st, DRAW_drawn_by));
    d->seed = dup_text(gm_stmt_text(st, DRAW_seed));
    int rc = GM_OK;
    if (!gm_stmt_is_null(st, DRAW_share_percent))
        rc = gm_draw_parse_share(ctx, gm_stmt_text(st, DRAW_share_percent), &d->share_bp);
    d->count =
        gm_stmt_is_null(st, DRAW_count_requested) ? 0 : (long)gm_stmt_int(st, DRAW_count_requested);
    d->per_mine = (int)gm_stmt_int(st, DRAW_per_mine);
    d->floor_per_county = (int)gm_stmt_int(st, DRAW_floor_per_county);
    d->county = dup_text(gm_stmt_text(st, DRAW_county));
    d->industry = dup_text(gm_stmt_text(st, DRAW_industry));
    char name_m[64], name_i[64];
    snprintf(name_m, sizeof name_m, "draw %ld's mine list", d->draw_id);
    snprintf(name_i, sizeof name_i, "draw %ld's inspector list", d->draw_id);
    size_t ml = 0, il = 0;
    const char *m = gm_stmt_text(st, DRAW_mines_csv), *i = gm_stmt_text(st, DRAW_inspectors_csv);
    if (m) ml = strlen(m);
    if (i) il = strlen(i);
    if (rc == GM_OK)
        rc = gm_draw_lists_parse(ctx, m ? m : "", ml, name_m, i ? i : "", il, name_i, &d->lists);
    if (rc != GM_OK) {
        gm_draw_free(d);
        return rc;
    }
    *out = d;
    return GM_OK;
}

static int mine_index(const gm_draw_lists *l, const char *licence_no, size_t *at)
{
    size_t lo = 0, hi = l->n_mines;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(l->mines[mid].licence_no, licence_no);
        if (!c) return *at = mid, 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int inspector_index(const gm_draw_lists *l, const char *id, size_t len, size_t *at)
{
    for (size_t i = 0; i < l->n_inspectors; i++)
        if (strlen(l->inspectors[i].inspector_id) == len &&
            !memcmp(l->inspectors[i].inspector_id, id, len))
            return *at = i, 1;
    return 0;
}

static int read_picks(gm_registry *reg, gm_stmt *st, gm_draw *d)
{
    gm_stmt_reset(st);
    gm_stmt_bind_int(st, 1, d->draw_id);
    int row;
    while ((row = gm_stmt_step(st)) == 1) {
        const char *lic = gm_stmt_text(st, PICK_licence_no),
                   *ids = gm_stmt_text(st, PICK_inspectors);
        gm_draw_pick *g = realloc(d->picks, (d->n_picks + 1) * sizeof *g);
        if (!g) return gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
        d->picks = g;
        gm_draw_pick *pk = &d->picks[d->n_picks];
        pk->inspectors = calloc((size_t)(d->per_mine > 0 ? d->per_mine : 1), sizeof(size_t));
        if (!pk->inspectors) return gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
        d->n_picks++;
        int ok = lic && ids && mine_index(d->lists, lic, &pk->mine);
        const char *p = ids ? ids : "";
        for (int k = 0; ok && k < d->per_mine; k++) {
            size_t len = strcspn(p, ";");
            ok = inspector_index(d->lists, p, len, &pk->inspectors[k]);
            p += len + (p[len] == ';');
        }
        if (!ok)
            return gm_error(reg->ctx, GM_ERR_INTERNAL,
                            "draw %ld: pick %zu is not on the draw's own lists (registry damaged?)",
                            d->draw_id, d->n_picks);
    }
    return row < 0 ? row : GM_OK;
}

int gm_registry_draws(gm_registry *reg, gm_draw_record **out)
{
    gm_context *ctx = reg->ctx;
    gm_draw_record *r = calloc(1, sizeof *r);
    if (!r) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    gm_stmt *st = NULL, *picks = NULL;
    gm_event_list *ev = NULL;
    int rc = gm_table_prepare_select(reg, &gm_table_draw, "ORDER BY draw_id", &st);
    if (rc == GM_OK)
        rc = gm_table_prepare_select(reg, &gm_table_draw_pick, "WHERE draw_id = ? ORDER BY rank",
                                     &picks);
    int row = 0;
    while (rc == GM_OK && (row = gm_stmt_step(st)) == 1) {
        gm_draw *d = NULL;
        if ((rc = read_draw(reg, st, &d)) != GM_OK) break;
        gm_draw **g = realloc(r->draws, (r->n_draws + 1) * sizeof *g);
        if (!g) {
            gm_draw_free(d);
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            break;
        }
        r->draws = g;
        r->draws[r->n_draws++] = d;
    }
    if (rc == GM_OK && row < 0) rc = row;
    for (size_t i = 0; rc == GM_OK && i < r->n_draws; i++)
        rc = read_picks(reg, picks, r->draws[i]);
    gm_stmt_free(st), gm_stmt_free(picks);
    /* results: the spot checks that count and name a draw */
    if (rc == GM_OK) rc = gm_registry_events(reg, NULL, 0, &ev);
    for (size_t i = 0; rc == GM_OK && ev && i < ev->n; i++) {
        const gm_event *e = &ev->items[i];
        if (e->kind != GM_EVENT_SPOT_CHECK || !e->draw_id || !*e->draw_id) continue;
        size_t first = 0, count = 0;
        gm_event_list_range(ev, e->licence_no, &first, &count);
        if (!gm_event_counts(ev->items + first, count, e)) continue;
        char *end = NULL;
        long id = strtol(e->draw_id, &end, 10);
        if (*end) continue; /* not a draw of this registry */
        gm_draw_result *g = realloc(r->results, (r->n_results + 1) * sizeof *g);
        if (!g) {
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            break;
        }
        r->results = g;
        gm_draw_result *x = &r->results[r->n_results++];
        *x = (gm_draw_result){id,
                              strdup(e->licence_no),
                              e->event_date,
                              strdup(gm_result_name(e->result)),
                              dup_text(e->findings),
                              dup_text(e->inspectors)};
        if (!x->licence_no || !x->result) rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    }
    gm_event_list_free(ev);
    if (rc != GM_OK) {
        gm_draw_record_free(r);
        return rc;
    }
    *out = r;
    return GM_OK;
}

int gm_registry_draw_assignment(gm_registry *reg, long draw_id, const char *licence_no,
                                char **inspectors)
{
    *inspectors = NULL;
    gm_stmt *st = NULL;
    int rc = gm_table_prepare_select(reg, &gm_table_draw_pick,
                                     "WHERE draw_id = ? AND licence_no = ?", &st);
    if (rc != GM_OK) return rc;
    gm_stmt_bind_int(st, 1, draw_id);
    gm_stmt_bind_text(st, 2, licence_no);
    int row = gm_stmt_step(st);
    if (row == 1) {
        const char *ids = gm_stmt_text(st, PICK_inspectors);
        *inspectors = strdup(ids ? ids : "");
        rc = *inspectors ? GM_OK : gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    } else if (row == 0) {
        rc = gm_error(reg->ctx, GM_ERR_USAGE, "draw %ld did not pick licence %s", draw_id,
                      licence_no);
    } else {
        rc = row;
    }
    gm_stmt_free(st);
    return rc;
}
