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
 *
 * The data comes from a registry (every snapshot) or from the GeoPackage of
 * one `greenmine analyze` run (one snapshot: gm_analysis_run_read).
 */
#ifndef GREENMINE_REPORT_H
#define GREENMINE_REPORT_H

#include <greenmine/analysis.h>
#include <greenmine/progress.h>

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
    int single_run; /* 1: from one analyze GeoPackage (`registry` is its path): one
                       snapshot, so the charts hold one point and say why */
} gm_report_data;

/* One `greenmine analyze` run read back from its GeoPackage (layers
 * zone_progress, mine_conflicts, conflict_areas, province_indicators and the
 * provenance in gpkg_metadata; docs/outputs.md), shaped as report input.
 * Everything here is owned by the run; gm_analysis_run_free releases it. */
typedef struct gm_analysis_run {
    gm_inputs *in;   /* zones (id, name, geometry; no targets: the GeoPackage has none),
                        mines (id, name, scale, geometry), red lines (ids only), no parcels */
    gm_results *res; /* the figures as written: per zone, per mine, the overlaps (area
                        only), the province's totals */
    gm_progress_series *progress; /* one snapshot: the province row, then the zones'
                                     (only `zone`'s when one is asked for) */
    gm_snapshots *snapshots;      /* one snapshot: as_of, run start, the inputs */
    int period_start, as_of;      /* YYYYMMDD, from province_indicators */
} gm_analysis_run;

/* Reads the GeoPackage at `path`. `zone` (a zone's name or id, or NULL)
 * limits the progress rows to that zone; one the file lacks is GM_ERR_USAGE.
 * A missing layer or field is GM_ERR_OPEN / GM_ERR_FIELD naming it. */
int gm_analysis_run_read(gm_context *ctx, const char *path, const char *zone,
                         gm_analysis_run **out);
void gm_analysis_run_free(gm_context *ctx, gm_analysis_run *run);

/* The `progress --json` object / the `--csv` table of a series (the CLI
 * prints them, `serve` answers them), UTF-8 text ending in a newline, text
 * values escaped (docs/robustness.md: JSON escapes, CSV cells that could start
 * a spreadsheet formula neutralised); *out is the caller's: free(). */
int gm_progress_json(gm_context *ctx, const gm_progress_series *p, char **out);
int gm_progress_csv(gm_context *ctx, const gm_progress_series *p, char **out);

/* Writes the report to `path` (a temporary file beside it, renamed into
 * place). Nothing in it refers to anything outside the file. */
int gm_write_report_html(gm_context *ctx, const char *path, const gm_report_data *d);

#ifdef __cplusplus
}
#endif
#endif
