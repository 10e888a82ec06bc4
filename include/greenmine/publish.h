/*
 * greenmine/publish.h -- what the management system publishes: the
 * indicators as text (`progress --json/--csv`, the desk), the yearly report of
 * the province, a city or a county (one self-contained HTML file for A4, and
 * CSV), and the public list of green mines (名录: a GeoPackage styled for
 * QGIS, and CSV). Plain structs in, files or text out: the CLI (or the desk)
 * loads the records from the registry (greenmine/mgmt_data.h).
 *
 * Ownership: the writers only read their input; text given back through
 * `out` is the caller's (free()).
 */
#ifndef GREENMINE_PUBLISH_H
#define GREENMINE_PUBLISH_H

#include <greenmine/indicators.h>
#include <greenmine/management.h>
#include <greenmine/progress.h>

#include <geos_c.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- indicators ------------------------------------------------------------ */

/* The indicators as one JSON object {"as_of": ..., "targets": ..., "areas":
 * [...]} / as CSV (one row per area; the by-industry figures as
 * rates_<industry>_judged / _compliant columns), UTF-8, ending in a newline;
 * text values escaped. */
int gm_indicators_json(gm_context *ctx, const gm_indicators *ind, char **out);
int gm_indicators_csv(gm_context *ctx, const gm_indicators *ind, char **out);

/* ---- events ------------------------------------------------------------------ */

/* One event as `events list --json` prints it and the desk answers it: a JSON
 * object on one line, no newline, {"event_id", "licence_no", "kind",
 * "kind_zh", "event_date", "counts", "supersedes", "superseded_by", "void",
 * the kind's fields, "entered_by", "entered_at"} (docs/management.md), empty
 * values null. `all`, `n`: the events of its licence (corrections included),
 * which say whether it counts and what superseded it. */
int gm_event_json(gm_context *ctx, const gm_event *all, size_t n, const gm_event *e, char **out);
/* The same as a CSV row ending in CRLF, every field but kind_zh; e == NULL
 * gives the header row. */
int gm_event_csv(gm_context *ctx, const gm_event *all, size_t n, const gm_event *e, char **out);

/* ---- the yearly report -------------------------------------------------------- */

typedef struct gm_yearly_report {
    const gm_yearly *yearly;
    const char *area_label; /* e.g. "浏阳市" or "湖南省" */
    /* hectares from the registry's snapshots (`progress`): the area's row (the
     * province's, or the zone named like the county or city) at the last
     * snapshot of the year and at the last one of the year before */
    int have_hectares;   /* 0: no zone of that name, or no snapshot in the year */
    int hectares_as_of;  /* the snapshot's date */
    int hectares_before; /* the earlier snapshot's date, 0 = none (since period start) */
    double done_ha[2];   /* cumulative, [GM_RESTORATION], [GM_RECLAMATION] */
    double year_ha[2];   /* done_ha minus the earlier snapshot's */
    double target_ha[2]; /* 0 = none */
    int period_start;
    const char *hectares_zone;           /* the zone whose row the hectares are, NULL = province */
    const char *registry;                /* where the data came from (a PG: string is not shown) */
    const gm_threshold_list *thresholds; /* in force at the year's end (label, set) */
    /* the mines' names by licence (licences->items[i] -> mine_name[i], NULL =
     * unknown), from the licence records or the snapshot's mines layer */
    const gm_licence_list *licences;
    const char *const *mine_name;
} gm_yearly_report;

/* Writes the yearly report to `path` (a temporary file beside it, renamed
 * into place): Chinese, A4, everything inline (CSS, the glyphs used cut from
 * an installed CJK font), every figure also in data-* attributes. */
int gm_write_yearly_html(gm_context *ctx, const char *path, const gm_yearly_report *r);
/* The same figures as CSV: section,key,label,value rows. */
int gm_yearly_csv(gm_context *ctx, const gm_yearly_report *r, char **out);

/* ---- the public list -------------------------------------------------------- */

/* One listed mine: its licence, its status on the list's date, and its
 * boundary from the snapshot (NULL when the snapshot has no such mine). */
typedef struct gm_list_entry {
    const gm_licence *licence;
    const gm_mine_state *state;
    const char *mine_name;    /* the mines layer's name, NULL = unknown */
    const char *zone;         /* its demonstration zone, NULL = none */
    const GEOSGeometry *geom; /* CGCS2000 lon/lat; NULL = none */
    double area_ha;           /* its ellipsoidal area, 0 when no geometry */
} gm_list_entry;

typedef struct gm_public_list {
    const gm_list_entry *entries; /* sorted by licence number */
    size_t n;
    int as_of;            /* the list's date */
    int boundaries_as_of; /* the snapshot the boundaries come from, 0 = none */
} gm_public_list;

/* The list as a GeoPackage (layer `green_mine_list`, EPSG:4490, a default
 * QGIS style in layer_styles, Chinese field titles), written to a temporary
 * file and renamed into place. Only public fields: nothing of who entered
 * what, no internal ids, no documents or inspectors. */
int gm_write_list_gpkg(gm_context *ctx, const char *path, const gm_public_list *l);
/* The same rows as CSV (no geometry; UTF-8 with a BOM for spreadsheets). */
int gm_list_csv(gm_context *ctx, const gm_public_list *l, char **out);

#ifdef __cplusplus
}
#endif
#endif
