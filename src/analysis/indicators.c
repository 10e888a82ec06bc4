/*
 * indicators.c -- the management indicators and the yearly figures
 * (greenmine/indicators.h): counts over the licences' statuses on a date,
 * which gm_mine_statuses derives from the event log. Nothing here reads a
 * file or a database.
 */
#include "core/context_impl.h"

#include <greenmine/indicators.h>

#include <stdlib.h>
#include <string.h>

double gm_three_rates_baseline(gm_industry i)
{
    switch (i) { /* the plan, end of 2015 */
    case GM_INDUSTRY_COAL:
        return 0.5661;
    case GM_INDUSTRY_NONFERROUS:
        return 0.7677;
    case GM_INDUSTRY_FERROUS:
        return 0.6799;
    case GM_INDUSTRY_PRECIOUS:
        return 0.8233;
    case GM_INDUSTRY_CHEMICAL:
        return 0.2833;
    case GM_INDUSTRY_NONMETAL:
        return 0.3616;
    default:
        return -1;
    }
}

const char *gm_area_level_name(gm_area_level l)
{
    static const char *names[] = {"province", "zone", "city", "county"};
    return l >= GM_AREA_PROVINCE && l <= GM_AREA_COUNTY ? names[l] : "";
}

double gm_rates_share(const gm_rates_count *c)
{
    return c->judged > 0 ? (double)c->compliant / (double)c->judged : -1;
}

/* New (to be built to the standard): flagged so, or, with no flag, licensed
 * on or after the plan's date. */
static int licence_is_new(const gm_licence *l)
{
    if (l->is_new != GM_FLAG_UNKNOWN) return l->is_new == GM_FLAG_YES;
    return l->licensed_on >= GM_PLAN_DATE;
}

static int licence_counts(const gm_licence *l, int as_of)
{
    return !l->licensed_on || l->licensed_on <= as_of;
}

static void add_rates(gm_rates_count *c, int reported, int verdict)
{
    c->mines++;
    c->reported += reported;
    c->judged += verdict >= 0;
    c->compliant += verdict == 1;
}

/* Adds licence `l` with its state on the date (`now`) and on the last day of
 * the year before (`before`, for the year's spot checks) to area `a`. */
static void add_licence(gm_indicator_area *a, const gm_licence *l, const gm_mine_state *now,
                        const gm_mine_state *before, const gm_threshold_list *thresholds)
{
    a->licences++;
    if (now->standing >= 0 && now->standing < GM_STANDINGS_END) a->standing[now->standing]++;
    int scale = l->scale >= 0 && l->scale < GM_SCALE_SLOTS ? (int)l->scale : 0;
    int industry = l->industry >= 0 && l->industry < GM_INDUSTRY_SLOTS ? (int)l->industry : 0;
    int fresh = licence_is_new(l);
    if (now->standing == GM_STANDING_LISTED) {
        a->listed++;
        a->listed_scale[scale]++;
        if (!fresh) a->listed_existing++, a->listed_existing_scale[scale]++;
    }
    if (fresh) {
        a->new_mines++;
        a->new_built +=
            now->standing == GM_STANDING_VERIFIED || now->standing == GM_STANDING_LISTED;
    }
    if (l->scale == GM_SCALE_LARGE || l->scale == GM_SCALE_MEDIUM) {
        int reported = now->rates_year > 0, verdict = -1;
        if (reported) {
            const gm_threshold *t =
                thresholds ? gm_threshold_for(thresholds, l->industry, l->mineral) : NULL;
            verdict = gm_three_rates_compliant(t, now->mining_recovery, now->beneficiation_recovery,
                                               now->utilisation);
        }
        add_rates(&a->rates, reported, verdict);
        add_rates(&a->rates_industry[industry], reported, verdict);
    }
    a->spot_checks_all += now->spot_checks;
    a->spot_checks_failed_all += now->spot_checks_failed;
    a->spot_checks += now->spot_checks - (before ? before->spot_checks : 0);
    a->spot_checks_failed += now->spot_checks_failed - (before ? before->spot_checks_failed : 0);
    a->blacklisted += now->standing == GM_STANDING_BLACKLISTED;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct non-empty names of one field of the licences, sorted. */
static const char **distinct(const gm_licence_list *lic, int city, size_t *n)
{
    const char **v = malloc((lic->n ? lic->n : 1) * sizeof *v);
    size_t k = 0;
    if (!v) return NULL;
    for (size_t i = 0; i < lic->n; i++) {
        const char *s = city ? lic->items[i].city : lic->items[i].county;
        if (s && *s) v[k++] = s;
    }
    qsort(v, k, sizeof *v, by_name);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (!u || strcmp(v[u - 1], v[i]) != 0) v[u++] = v[i];
    *n = u;
    return v;
}

static size_t find_name(const gm_indicator_area *a, size_t from, size_t to, const char *name)
{
    for (size_t i = from; i < to; i++)
        if (a[i].name && strcmp(a[i].name, name) == 0) return i;
    return (size_t)-1;
}

/* Statuses of every licence on `as_of` and on the last day of the year
 * before. Both arrays are the caller's (free). */
static int two_dates(gm_context *ctx, const gm_indicator_input *in, int as_of, gm_mine_state **now,
                     gm_mine_state **before)
{
    *now = *before = NULL;
    int rc = gm_mine_statuses(ctx, in->licences, in->events, as_of, now);
    if (rc == GM_OK)
        rc = gm_mine_statuses(ctx, in->licences, in->events, (as_of / 10000 - 1) * 10000 + 1231,
                              before);
    if (rc != GM_OK) free(*now), *now = NULL;
    return rc;
}

int gm_indicators_compute(gm_context *ctx, const gm_indicator_input *in, int as_of,
                          gm_indicators **out)
{
    *out = NULL;
    gm_mine_state *now = NULL, *before = NULL;
    int rc = two_dates(ctx, in, as_of, &now, &before);
    if (rc != GM_OK) return rc;
    size_t n_city = 0, n_county = 0;
    const char **cities = distinct(in->licences, 1, &n_city);
    const char **counties = distinct(in->licences, 0, &n_county);
    gm_indicators *ind = calloc(1, sizeof *ind);
    size_t n = 1 + in->n_zones + n_city + n_county;
    if (ind) ind->areas = calloc(n, sizeof *ind->areas);
    if (!cities || !counties || !ind || !ind->areas) {
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        goto done;
    }
    ind->as_of = as_of;
    ind->n = n;
    if (in->thresholds) {
        ind->threshold_set = in->thresholds->set_id;
        if (in->thresholds->label && !(ind->threshold_label = strdup(in->thresholds->label))) {
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            goto done;
        }
    }
    size_t z0 = 1, c0 = z0 + in->n_zones, k0 = c0 + n_city;
    ind->areas[0].level = GM_AREA_PROVINCE;
    for (size_t i = 0; i + 1 < n; i++) {
        gm_indicator_area *a = &ind->areas[i + 1];
        const char *name = i < in->n_zones            ? in->zones[i]
                           : i < in->n_zones + n_city ? cities[i - in->n_zones]
                                                      : counties[i - in->n_zones - n_city];
        a->level = i < in->n_zones            ? GM_AREA_ZONE
                   : i < in->n_zones + n_city ? GM_AREA_CITY
                                              : GM_AREA_COUNTY;
        if (!(a->name = strdup(name ? name : ""))) {
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            goto done;
        }
    }
    for (size_t i = 0; i < in->licences->n; i++) {
        const gm_licence *l = &in->licences->items[i];
        if (!licence_counts(l, as_of)) continue;
        add_licence(&ind->areas[0], l, &now[i], &before[i], in->thresholds);
        size_t at;
        if (in->licence_zone && in->licence_zone[i] &&
            (at = find_name(ind->areas, z0, c0, in->licence_zone[i])) != (size_t)-1)
            add_licence(&ind->areas[at], l, &now[i], &before[i], in->thresholds);
        if (l->city && *l->city && (at = find_name(ind->areas, c0, k0, l->city)) != (size_t)-1)
            add_licence(&ind->areas[at], l, &now[i], &before[i], in->thresholds);
        if (l->county && *l->county && (at = find_name(ind->areas, k0, n, l->county)) != (size_t)-1)
            add_licence(&ind->areas[at], l, &now[i], &before[i], in->thresholds);
    }
    *out = ind, ind = NULL;
done:
    gm_indicators_free(ind);
    free(cities), free(counties), free(now), free(before);
    return rc;
}

void gm_indicators_free(gm_indicators *ind)
{
    if (!ind) return;
    for (size_t i = 0; ind->areas && i < ind->n; i++)
        free(ind->areas[i].name);
    free(ind->areas);
    free(ind->threshold_label);
    free(ind);
}

const gm_indicator_area *gm_indicators_find(const gm_indicators *ind, gm_area_level level,
                                            const char *name)
{
    for (size_t i = 0; i < ind->n; i++) {
        const gm_indicator_area *a = &ind->areas[i];
        if (a->level != level) continue;
        if (!name ? !a->name : a->name && strcmp(a->name, name) == 0) return a;
    }
    return NULL;
}

/* ---- the yearly report ----------------------------------------------------- */

static int in_area(const gm_licence *l, gm_area_level level, const char *name)
{
    if (level == GM_AREA_PROVINCE) return 1;
    const char *v = level == GM_AREA_CITY ? l->city : l->county;
    return v && name && strcmp(v, name) == 0;
}

static int by_date(const void *a, const void *b)
{
    const gm_event *x = ((const gm_yearly_event *)a)->event,
                   *y = ((const gm_yearly_event *)b)->event;
    if (x->event_date != y->event_date) return x->event_date < y->event_date ? -1 : 1;
    return (x->event_id > y->event_id) - (x->event_id < y->event_id);
}

/* GM_OK or GM_ERR_NOMEM (the caller says it). */
static int push(gm_yearly_event **v, size_t *n, const gm_licence *l, const gm_event *e)
{
    gm_yearly_event *g = realloc(*v, (*n + 1) * sizeof **v);
    if (!g) return GM_ERR_NOMEM;
    g[*n].licence = l, g[*n].event = e;
    *v = g, (*n)++;
    return GM_OK;
}

int gm_yearly_compute(gm_context *ctx, const gm_indicator_input *in, int year, gm_area_level level,
                      const char *name, gm_yearly **out)
{
    *out = NULL;
    if (level == GM_AREA_ZONE)
        return gm_error(ctx, GM_ERR_USAGE,
                        "a yearly report is for the province, a city or a "
                        "county");
    int found = level == GM_AREA_PROVINCE;
    for (size_t i = 0; !found && i < in->licences->n; i++)
        found = in_area(&in->licences->items[i], level, name);
    if (!found)
        return gm_error(ctx, GM_ERR_USAGE, "no licence is recorded in %s %s",
                        gm_area_level_name(level), name ? name : "");
    int end = year * 10000 + 1231, start = (year - 1) * 10000 + 1231;
    gm_mine_state *now = NULL, *before = NULL, *older = NULL;
    gm_yearly *y = calloc(1, sizeof *y);
    int rc = two_dates(ctx, in, end, &now, &before);
    if (rc == GM_OK)
        rc = gm_mine_statuses(ctx, in->licences, in->events, (year - 2) * 10000 + 1231, &older);
    if (rc != GM_OK) goto done;
    if (!y || (name && !(y->name = strdup(name)))) {
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        goto done;
    }
    y->year = year, y->level = level;
    y->end.level = y->start.level = level;
    for (size_t i = 0; i < in->licences->n; i++) {
        const gm_licence *l = &in->licences->items[i];
        if (!in_area(l, level, name)) continue;
        if (licence_counts(l, end)) {
            add_licence(&y->end, l, &now[i], &before[i], in->thresholds);
            int ind = l->industry >= 0 && l->industry < GM_INDUSTRY_SLOTS ? (int)l->industry : 0;
            int sc = l->scale >= 0 && l->scale < GM_SCALE_SLOTS ? (int)l->scale : 0;
            y->by_industry[ind][now[i].standing]++;
            y->by_scale[sc][now[i].standing]++;
            if (now[i].standing == GM_STANDING_BLACKLISTED) {
                const gm_licence **b = realloc(y->blacklisted, (y->n_blacklisted + 1) * sizeof *b);
                if (!b) goto nomem;
                b[y->n_blacklisted++] = l;
                y->blacklisted = b;
            }
        }
        if (licence_counts(l, start))
            add_licence(&y->start, l, &before[i], &older[i], in->thresholds);
        size_t first = 0, count = 0;
        gm_event_list_range(in->events, l->licence_no, &first, &count);
        const gm_event *all = in->events->items + first;
        for (size_t k = 0; k < count; k++) {
            const gm_event *e = &all[k];
            if (e->event_date / 10000 != year || !gm_event_counts(all, count, e)) continue;
            int pushed = GM_OK;
            if (e->kind == GM_EVENT_LISTING)
                pushed = push(&y->listings, &y->n_listings, l, e);
            else if (e->kind == GM_EVENT_SPOT_CHECK)
                pushed = push(&y->spot_checks, &y->n_spot_checks, l, e);
            else if (e->kind == GM_EVENT_BLACKLISTING || e->kind == GM_EVENT_LIFTING)
                pushed = push(&y->blacklist, &y->n_blacklist, l, e);
            if (pushed != GM_OK) goto nomem;
        }
    }
    if (y->n_listings) qsort(y->listings, y->n_listings, sizeof *y->listings, by_date);
    if (y->n_spot_checks) qsort(y->spot_checks, y->n_spot_checks, sizeof *y->spot_checks, by_date);
    if (y->n_blacklist) qsort(y->blacklist, y->n_blacklist, sizeof *y->blacklist, by_date);
    *out = y, y = NULL;
    goto done;
nomem:
    rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
done:
    gm_yearly_free(y);
    free(now), free(before), free(older);
    return rc;
}

void gm_yearly_free(gm_yearly *y)
{
    if (!y) return;
    free(y->name);
    free(y->listings), free(y->spot_checks), free(y->blacklist), free(y->blacklisted);
    free(y);
}
