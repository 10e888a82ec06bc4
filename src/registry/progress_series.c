/*
 * progress_series.c -- progress year by year: every snapshot's layers are
 * loaded back from the registry and run through gm_analyze() with the
 * snapshot's date as the as-of date, so each figure follows exactly the rules
 * of `greenmine analyze`. This file only lines the results up, takes
 * differences between consecutive snapshots and projects the pace forward.
 */
#include "registry/registry_impl.h"

#include <stdlib.h>
#include <string.h>

static int zone_matches(const gm_zone *z, const char *want)
{
    return !want || (z->name && strcmp(z->name, want) == 0) ||
           (z->zone_id && strcmp(z->zone_id, want) == 0);
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
            gm_progress_row_green(row, in);
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
