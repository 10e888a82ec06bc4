/*
 * analyze.c -- gm_analyze(): runs the stages and derives the counts and
 * indicators. The only file that knows the order of the analysis.
 */
#include "analysis/stages.h"

#include <greenmine/area.h>

#include <stdlib.h>
#include <time.h>

static void count_mines(const gm_inputs *in, gm_results *res)
{
    for (size_t i = 0; i < in->n_mines; i++) {
        const gm_mine *m = &in->mines[i];
        const gm_mine_result *r = &res->mines[i];
        int large_medium = m->scale == GM_SCALE_LARGE || m->scale == GM_SCALE_MEDIUM;
        int conflict = r->conflict_ha > 0.0;
        if (m->scale != GM_SCALE_UNKNOWN) res->mines_known_scale++;
        res->large_medium_mines += (size_t)large_medium;
        res->conflict_mines += (size_t)conflict;
        res->conflict_ha += r->conflict_ha;
        if (r->zone >= 0) {
            gm_zone_result *z = &res->zones[r->zone];
            z->mines++;
            z->large_medium_mines += (size_t)large_medium;
            z->conflict_mines += (size_t)conflict;
        }
    }
    res->large_medium_share = res->mines_known_scale
                                  ? (double)res->large_medium_mines / (double)res->mines_known_scale
                                  : 0.0;
}

typedef struct zone_area_job {
    const gm_inputs *in;
    gm_results *res;
} zone_area_job;

/* A zone's area (thousands of densified vertices: worth a worker). */
static int zone_area_task(gm_worker *w, size_t z, void *user)
{
    zone_area_job *j = user;
    j->res->zones[z].zone_ha = gm_geodesic_area_ha(w->geos, j->in->zones[z].geom);
    return GM_OK;
}

int gm_analyze(gm_context *ctx, const gm_inputs *in, const gm_analysis_options *opts,
               gm_results **out)
{
    static const gm_analysis_options defaults = GM_ANALYSIS_OPTIONS_INIT;
    if (!opts) opts = &defaults;
    *out = NULL;
    if (opts->period_start > opts->as_of)
        return gm_error(ctx, GM_ERR_USAGE, "the period starts (%d) after the as-of date (%d)",
                        opts->period_start, opts->as_of);
    gm_results *res = calloc(1, sizeof *res);
    if (!res) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    res->started_at = (long long)time(NULL);
    res->zones = calloc(in->n_zones ? in->n_zones : 1, sizeof *res->zones);
    res->n_zones = in->n_zones;
    if (!res->zones) {
        free(res);
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    }
    gm_pool *pool = NULL;
    gm_zoneset zs = {0};
    zone_area_job za = {in, res};
    int rc = gm_pool_new(ctx, &pool);
    if (rc == GM_OK) rc = gm_pool_run(pool, NULL, in->n_zones, zone_area_task, &za);
    if (rc == GM_OK && (rc = gm_zoneset_init(ctx, &zs, in, pool)) == GM_OK) {
        rc = gm_stage_conflicts(ctx, pool, in, &zs, opts->keep_conflict_unions, res);
        if (rc == GM_OK && opts->mines_done) opts->mines_done(opts->mines_done_user, in, res);
        if (rc == GM_OK) rc = gm_stage_progress(ctx, pool, in, &zs, opts, res);
        gm_zoneset_free(ctx, &zs, pool);
    }
    gm_pool_free(pool);
    if (rc != GM_OK) {
        gm_results_free(ctx, res);
        return rc;
    }
    count_mines(in, res);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    res->analysis_seconds =
        (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    *out = res;
    return GM_OK;
}

void gm_results_free(gm_context *ctx, gm_results *res)
{
    if (!res) return;
    GEOSContextHandle_t h = ctx->geos;
    for (size_t i = 0; i < res->n_overlaps; i++)
        if (!res->overlaps[i].whole) GEOSGeom_destroy_r(h, res->overlaps[i].geom);
    for (size_t i = 0; i < res->n_mines; i++)
        if (res->mines[i].conflict_union) GEOSGeom_destroy_r(h, res->mines[i].conflict_union);
    for (size_t z = 0; z < res->n_zones; z++)
        for (int k = 0; k < 2; k++)
            if (res->zones[z].done[k]) GEOSGeom_destroy_r(h, res->zones[z].done[k]);
    for (int k = 0; k < 2; k++)
        if (res->outside_done[k]) GEOSGeom_destroy_r(h, res->outside_done[k]);
    free(res->overlaps);
    free(res->zones);
    free(res->mines);
    free(res);
}
