/*
 * mgmt_data.c -- gathers a registry's management records for the indicators,
 * the yearly report and the public list (greenmine/mgmt_data.h).
 */
#include "registry/registry_impl.h"

#include <greenmine/mgmt_data.h>

#include <stdlib.h>
#include <string.h>

void gm_mgmt_data_free(gm_context *ctx, gm_mgmt_data *d)
{
    if (!d) return;
    gm_licence_list_free(d->licences);
    gm_event_list_free(d->events);
    gm_threshold_list_free(d->thresholds);
    gm_snapshots_free(d->snapshots);
    gm_results_free(ctx, d->res);
    gm_inputs_free(ctx, d->in);
    free(d->mine_of);
    free(d->licence_zone);
    free(d->zones);
    free(d);
}

static int by_id(const void *a, const void *b)
{
    const gm_mine *x = *(const gm_mine *const *)a, *y = *(const gm_mine *const *)b;
    return strcmp(x->mine_id ? x->mine_id : "", y->mine_id ? y->mine_id : "");
}

/* Ties each licence to the snapshot's mine of the same number and its zone. */
static int tie_mines(gm_context *ctx, gm_mgmt_data *d)
{
    const gm_inputs *in = d->in;
    size_t nl = d->licences->n;
    d->mine_of = malloc((nl ? nl : 1) * sizeof *d->mine_of);
    d->licence_zone = calloc(nl ? nl : 1, sizeof *d->licence_zone);
    d->zones = malloc((in->n_zones ? in->n_zones : 1) * sizeof *d->zones);
    const gm_mine **sorted = malloc((in->n_mines ? in->n_mines : 1) * sizeof *sorted);
    if (!d->mine_of || !d->licence_zone || !d->zones || !sorted) {
        free(sorted);
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    }
    for (size_t z = 0; z < in->n_zones; z++)
        d->zones[z] = in->zones[z].name ? in->zones[z].name : in->zones[z].zone_id;
    for (size_t m = 0; m < in->n_mines; m++)
        sorted[m] = &in->mines[m];
    qsort(sorted, in->n_mines, sizeof *sorted, by_id);
    for (size_t i = 0; i < nl; i++) {
        gm_mine key = {.mine_id = d->licences->items[i].licence_no};
        const gm_mine *k = &key, **hit = bsearch(&k, sorted, in->n_mines, sizeof *sorted, by_id);
        d->mine_of[i] = hit ? (long)(*hit - in->mines) : -1;
        int z = hit ? d->res->mines[*hit - in->mines].zone : -1;
        d->licence_zone[i] = z >= 0 ? d->zones[z] : NULL;
    }
    free(sorted);
    return GM_OK;
}

int gm_registry_mgmt_load(gm_registry *reg, int as_of, int period_start, gm_mgmt_data **out)
{
    gm_context *ctx = reg->ctx;
    *out = NULL;
    gm_mgmt_data *d = calloc(1, sizeof *d);
    if (!d) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    d->as_of = as_of;
    int rc = gm_registry_licences(reg, &d->licences);
    if (rc == GM_OK) rc = gm_registry_events(reg, NULL, 0, &d->events);
    if (rc == GM_OK) rc = gm_registry_thresholds(reg, as_of, &d->thresholds);
    if (rc == GM_OK) rc = gm_registry_snapshots(reg, &d->snapshots);
    for (size_t i = 0; rc == GM_OK && i < d->snapshots->n; i++)
        if (d->snapshots->items[i].as_of <= as_of) {
            d->snapshot_id = d->snapshots->items[i].id;
            d->snapshot_as_of = d->snapshots->items[i].as_of;
        }
    if (rc == GM_OK && d->snapshot_id) {
        gm_analysis_options ao = GM_ANALYSIS_OPTIONS_INIT;
        ao.period_start = period_start ? period_start : 20160101;
        ao.as_of = d->snapshot_as_of;
        rc = gm_registry_load(reg, d->snapshot_id, &d->in);
        if (rc == GM_OK) rc = gm_analyze(ctx, d->in, &ao, &d->res);
        if (rc == GM_OK) rc = tie_mines(ctx, d);
    }
    if (rc != GM_OK) {
        gm_mgmt_data_free(ctx, d);
        return rc;
    }
    d->input.licences = d->licences;
    d->input.events = d->events;
    d->input.thresholds = d->thresholds;
    d->input.licence_zone = d->licence_zone;
    d->input.zones = d->zones;
    d->input.n_zones = d->in ? d->in->n_zones : 0;
    *out = d;
    return GM_OK;
}

int gm_registry_indicators(gm_registry *reg, int as_of, gm_indicators **out)
{
    gm_mgmt_data *d = NULL;
    *out = NULL;
    int rc = gm_registry_mgmt_load(reg, as_of, 0, &d);
    if (rc == GM_OK) rc = gm_indicators_compute(reg->ctx, &d->input, as_of, out);
    gm_mgmt_data_free(reg->ctx, d);
    return rc;
}
