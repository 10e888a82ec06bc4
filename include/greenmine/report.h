/*
 * greenmine/report.h -- the HTML report a zone government can sign: one
 * self-contained file (no network: inline CSS and SVG), in Chinese with
 * English where useful, laid out for A4 printing.
 *
 * It shows the headline figures against the targets, a map of the zones
 * coloured by progress, a chart of progress by snapshot toward each target,
 * the mines in red-line conflict and where the data came from. Every figure
 * is also in a data-* attribute (data-figure / data-value, data-as-of ...) so
 * that a test can compare the page with the registry.
 */
#ifndef GREENMINE_REPORT_H
#define GREENMINE_REPORT_H

#include <greenmine/analysis.h>
#include <greenmine/registry.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gm_report_data {
    const gm_progress_series *progress; /* the series: province rows (zone NULL) and zone rows */
    const gm_snapshots *snapshots;      /* provenance */
    const gm_inputs *in;                /* the layers of the latest snapshot */
    const gm_results *res;              /* gm_analyze on them, as of that snapshot */
    int as_of;                          /* the latest snapshot's date, YYYYMMDD */
    const char *zone;                   /* NULL = the province; else a zone's name */
    const char *registry;               /* where the data came from, for the provenance */
} gm_report_data;

/* Writes the report to `path` (a temporary file beside it, renamed into
 * place). Nothing in it refers to anything outside the file. */
int gm_write_report_html(gm_context *ctx, const char *path, const gm_report_data *d);

#ifdef __cplusplus
}
#endif
#endif
