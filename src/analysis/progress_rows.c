/*
 * progress_rows.c -- the arithmetic of progress rows: a row's figures from one
 * analysis, its increment since the same area's row before, and the date its
 * target is met at that pace. Shared by the registry's series and the reader
 * of one analyze GeoPackage, so both say the same thing of the same figures.
 */
#include "core/context_impl.h"

#include <greenmine/progress.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

void gm_source_info_clear(gm_source_info *s)
{
    if (!s) return;
    free(s->layer), free(s->source), free(s->file_name), free(s->sha256), free(s->crs);
    memset(s, 0, sizeof *s);
}

void gm_snapshots_free(gm_snapshots *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        gm_snapshot *x = &s->items[i];
        free(x->ingested_at), free(x->greenmine_version);
        for (size_t k = 0; k < x->n_sources; k++)
            gm_source_info_clear(&x->sources[k]);
        free(x->sources);
    }
    free(s->items);
    free(s);
}

void gm_progress_series_free(gm_progress_series *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->n; i++)
        free(p->rows[i].zone), free(p->rows[i].zone_id);
    free(p->rows);
    free(p);
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
    assert(at < p->n);
    gm_progress_row *row = &p->rows[at];
    const gm_progress_row *prev = previous_row(p, at, row);
    long since = prev ? gm_date_days(prev->as_of) : gm_date_days(p->period_start) - 1;
    long days = gm_date_days(row->as_of) - since;
    for (int k = 0; k < GM_PARCEL_KINDS; k++) {
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
        row->projected[k] = gm_date_from_days(gm_date_days(row->as_of) + (long)more);
    }
}

int gm_progress_row_fill(gm_progress_row *row, const gm_inputs *in, const gm_results *res, int zone)
{
    assert(zone < 0 || (size_t)zone < in->n_zones);
    row->green_mines = row->green_large = row->green_medium = row->green_small = -1;
    if (zone < 0) {
        for (int k = 0; k < GM_PARCEL_KINDS; k++)
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
    for (int k = 0; k < GM_PARCEL_KINDS; k++) {
        row->done_ha[k] = zr->done_ha[k];
        row->target_ha[k] = z->target_ha[k];
    }
    row->mines = zr->mines;
    row->large_medium_mines = zr->large_medium_mines;
    row->conflict_mines = zr->conflict_mines;
    return GM_OK;
}

void gm_progress_row_green(gm_progress_row *row, const gm_inputs *in)
{
    long known = 0, all = 0, by[GM_SCALE_SMALL + 1] = {0};
    for (size_t i = 0; i < in->n_mines; i++) {
        const gm_mine *m = &in->mines[i];
        if (m->green == GM_FLAG_UNKNOWN) continue;
        known++;
        if (m->green != GM_FLAG_YES) continue;
        all++;
        if ((unsigned)m->scale <= GM_SCALE_SMALL) by[m->scale]++;
    }
    row->green_mines = known ? all : -1;
    row->green_large = known ? by[GM_SCALE_LARGE] : -1;
    row->green_medium = known ? by[GM_SCALE_MEDIUM] : -1;
    row->green_small = known ? by[GM_SCALE_SMALL] : -1;
}
