/*
 * progress_series.c -- progress year by year: every snapshot's layers are
 * loaded back from the registry and run through gm_analyze() with the
 * snapshot's date as the as-of date, so each figure follows exactly the rules
 * of `greenmine analyze`. This file only lines the results up, takes
 * differences between consecutive snapshots and projects the pace forward.
 */
#include "registry/registry_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Days since 1970-01-01 of a YYYYMMDD date (proleptic Gregorian). */
static long days_of(int ymd)
{
    long y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int date_of(long z)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    if (y > 9999) return 99991231;
    return (int)(y * 10000 + m * 100 + d);
}

void gm_progress_series_free(gm_progress_series *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->n; i++)
        free(p->rows[i].zone), free(p->rows[i].zone_id);
    free(p->rows);
    free(p);
}

static int zone_matches(const gm_zone *z, const char *want)
{
    return !want || (z->name && strcmp(z->name, want) == 0) ||
           (z->zone_id && strcmp(z->zone_id, want) == 0);
}

/* The same area's row of an earlier snapshot (NULL when it had none). */
static const gm_progress_row *previous_row(const gm_progress_series *p, size_t before,
                                           const gm_progress_row *row)
{
    for (size_t i = before; i-- > 0;) {
        const gm_progress_row *o = &p->rows[i];
        if (o->snapshot_id == row->snapshot_id) continue;
        if (!row->zone_id && !o->zone_id) return o;
        if (row->zone_id && o->zone_id && strcmp(row->zone_id, o->zone_id) == 0) return o;
    }
    return NULL;
}

void gm_progress_row_project(gm_progress_series *p, size_t at)
{
    int period_start = p->period_start;
    gm_progress_row *row = &p->rows[at];
    const gm_progress_row *prev = previous_row(p, at, row);
    long since = prev ? days_of(prev->as_of) : days_of(period_start) - 1;
    long days = days_of(row->as_of) - since;
    for (int k = 0; k < 2; k++) {
        row->increment_ha[k] = row->done_ha[k] - (prev ? prev->done_ha[k] : 0.0);
        row->projected[k] = 0;
        if (row->target_ha[k] <= 0) continue;
        if (row->done_ha[k] >= row->target_ha[k]) {
            /* met: keep the date it was first seen met */
            row->projected[k] = prev && prev->done_ha[k] >= row->target_ha[k] && prev->projected[k]
                                    ? prev->projected[k]
                                    : row->as_of;
            continue;
        }
        double pace = days > 0 ? row->increment_ha[k] / (double)days : 0.0; /* ha per day */
        if (pace <= 0) continue;
        double more = ceil((row->target_ha[k] - row->done_ha[k]) / pace);
        if (more > 3650000.0) continue; /* beyond any useful horizon: never */
        row->projected[k] = date_of(days_of(row->as_of) + (long)more);
    }
}

static int push_row(gm_registry *reg, gm_progress_series *p, size_t *cap, gm_progress_row **out)
{
    if (p->n == *cap) {
        size_t c = *cap ? *cap * 2 : 32;
        gm_progress_row *more = realloc(p->rows, c * sizeof *more);
        if (!more) return gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
        p->rows = more;
        *cap = c;
    }
    *out = &p->rows[p->n++];
    memset(*out, 0, sizeof **out);
    return GM_OK;
}

int gm_progress_row_fill(gm_progress_row *row, const gm_inputs *in, const gm_results *res, int zone)
{
    row->green_mines = row->green_large = row->green_medium = row->green_small = -1;
    if (zone < 0) {
        for (int k = 0; k < 2; k++)
            row->done_ha[k] = res->done_ha[k];
        row->target_ha[GM_RESTORATION] = GM_TARGET_RESTORATION_HA;
        row->target_ha[GM_RECLAMATION] = GM_TARGET_RECLAMATION_HA;
        row->mines = in->n_mines;
        row->large_medium_mines = res->large_medium_mines;
        row->mines_known_scale = res->mines_known_scale;
        row->conflict_mines = res->conflict_mines;
        row->large_medium_share = res->large_medium_share;
        return GM_OK;
    }
    const gm_zone *z = &in->zones[zone];
    const gm_zone_result *zr = &res->zones[zone];
    row->zone = gm_strdup(z->name ? z->name : "");
    row->zone_id = gm_strdup(z->zone_id ? z->zone_id : "");
    if (!row->zone || !row->zone_id) return GM_ERR_NOMEM;
    for (int k = 0; k < 2; k++) {
        row->done_ha[k] = zr->done_ha[k];
        row->target_ha[k] = z->target_ha[k];
    }
    row->mines = zr->mines;
    row->large_medium_mines = zr->large_medium_mines;
    row->conflict_mines = zr->conflict_mines;
    return GM_OK;
}

static void green_counts(const gm_inputs *in, gm_progress_row *row)
{
    long known = 0, all = 0, by[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < in->n_mines; i++) {
        const gm_mine *m = &in->mines[i];
        if (m->green == GM_FLAG_UNKNOWN) continue;
        known++;
        if (m->green != GM_FLAG_YES) continue;
        all++;
        by[m->scale]++;
    }
    row->green_mines = known ? all : -1;
    row->green_large = known ? by[GM_SCALE_LARGE] : -1;
    row->green_medium = known ? by[GM_SCALE_MEDIUM] : -1;
    row->green_small = known ? by[GM_SCALE_SMALL] : -1;
}

int gm_registry_progress(gm_registry *reg, const gm_progress_options *opts,
                         gm_progress_series **out)
{
    static const gm_progress_options defaults = GM_PROGRESS_OPTIONS_INIT;
    if (!opts) opts = &defaults;
    *out = NULL;
    gm_snapshots *snaps = NULL;
    gm_progress_series *p = calloc(1, sizeof *p);
    if (!p) return gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    p->period_start = opts->period_start;
    size_t cap = 0;
    int zone_found = 0;
    int rc = gm_registry_snapshots(reg, &snaps);
    for (size_t s = 0; rc == GM_OK && s < snaps->n; s++) {
        const gm_snapshot *snap = &snaps->items[s];
        gm_inputs *in = NULL;
        gm_results *res = NULL;
        gm_analysis_options ao = {.period_start = opts->period_start, .as_of = snap->as_of};
        if (ao.period_start > ao.as_of) continue; /* a snapshot before the period */
        gm_progress(reg->ctx, "progress", s, snaps->n);
        rc = gm_registry_load(reg, snap->id, &in);
        if (rc == GM_OK) rc = gm_analyze(reg->ctx, in, &ao, &res);
        gm_progress_row *row = NULL;
        if (rc == GM_OK && !opts->zone && (rc = push_row(reg, p, &cap, &row)) == GM_OK) {
            row->snapshot_id = snap->id;
            row->as_of = snap->as_of;
            gm_progress_row_fill(row, in, res, -1);
            green_counts(in, row);
            gm_progress_row_project(p, p->n - 1);
        }
        for (size_t z = 0; rc == GM_OK && z < in->n_zones; z++) {
            const gm_zone *zone = &in->zones[z];
            if (!zone_matches(zone, opts->zone)) continue;
            zone_found = 1;
            if ((rc = push_row(reg, p, &cap, &row)) != GM_OK) break;
            row->snapshot_id = snap->id;
            row->as_of = snap->as_of;
            if (gm_progress_row_fill(row, in, res, (int)z) != GM_OK) {
                rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
                break;
            }
            gm_progress_row_project(p, p->n - 1);
        }
        gm_results_free(reg->ctx, res);
        gm_inputs_free(reg->ctx, in);
    }
    if (rc == GM_OK && opts->zone && !zone_found)
        rc = gm_error(reg->ctx, GM_ERR_USAGE, "registry %s: no zone named '%s' in any snapshot",
                      reg->target, opts->zone);
    gm_snapshots_free(snaps);
    if (rc != GM_OK) {
        gm_progress_series_free(p);
        return rc;
    }
    *out = p;
    return GM_OK;
}
