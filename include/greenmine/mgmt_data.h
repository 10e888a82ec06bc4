/*
 * greenmine/mgmt_data.h -- the management records of a registry gathered for
 * the indicators, the yearly report and the public list: the licences, the
 * whole event log, the three-rate thresholds in force on a date, and (when
 * the registry holds a snapshot on or before that date) the mines' layer of
 * that snapshot, analysed, which tells each licence's mine boundary and its
 * demonstration zone (the zone holding its largest part, as `analyze` says).
 *
 * Ownership: *out belongs to the caller; gm_mgmt_data_free releases it
 * (everything inside, including `in` and `res`).
 */
#ifndef GREENMINE_MGMT_DATA_H
#define GREENMINE_MGMT_DATA_H

#include <greenmine/analysis.h>
#include <greenmine/events.h>
#include <greenmine/indicators.h>
#include <greenmine/registry.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gm_mgmt_data {
    int as_of; /* YYYYMMDD */
    gm_licence_list *licences;
    gm_event_list *events;         /* every event (corrections included) */
    gm_threshold_list *thresholds; /* in force on as_of */
    gm_snapshots *snapshots;
    long snapshot_id; /* the snapshot in force on as_of (the latest on or before
                         it), 0 = none: no zones, no boundaries */
    int snapshot_as_of;
    gm_inputs *in;             /* that snapshot's layers (NULL when none) */
    gm_results *res;           /* gm_analyze on them as of the snapshot's date */
    long *mine_of;             /* per licence: the index of its mine in in->mines, -1 = none */
    const char **licence_zone; /* per licence: its zone's name (into in), NULL = none */
    const char **zones;        /* the snapshot's zone names, in order */
    gm_indicator_input input;  /* the above, ready for gm_indicators_compute */
} gm_mgmt_data;

/* Loads the management records and, when a snapshot is in force on `as_of`
 * (YYYYMMDD), its layers and their analysis (period_start: the analysis'
 * first day, 0 = 2016-01-01). */
int gm_registry_mgmt_load(gm_registry *reg, int as_of, int period_start, gm_mgmt_data **out);
void gm_mgmt_data_free(gm_context *ctx, gm_mgmt_data *d);

/* gm_registry_mgmt_load then gm_indicators_compute. */
int gm_registry_indicators(gm_registry *reg, int as_of, gm_indicators **out);

#ifdef __cplusplus
}
#endif
#endif
