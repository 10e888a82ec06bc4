/*
 * greenmine/progress.h -- progress toward the plan's targets as rows: one area
 * (the province or a zone) at one date, its figures against its targets, the
 * increment since the row before and the date the target will be met at that
 * pace; and the snapshots (with their sources) the rows come from.
 *
 * The vocabulary shared by the registry (a series over its snapshots), the
 * reader of one analyze GeoPackage (one snapshot) and the report. The row
 * arithmetic is the analysis's: nothing here touches a file or a database.
 */
#ifndef GREENMINE_PROGRESS_H
#define GREENMINE_PROGRESS_H

#include <greenmine/analysis.h>
#include <greenmine/model.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Green mines to convert by 2020 (the plan): 100 = 35 large, 50 medium, 15 small. */
#define GM_TARGET_GREEN_MINES 100
#define GM_TARGET_GREEN_LARGE 35
#define GM_TARGET_GREEN_MEDIUM 50
#define GM_TARGET_GREEN_SMALL 15
/* The plan's deadline for every target, YYYYMMDD. */
#define GM_TARGET_DATE 20201231

/* Where one ingested layer came from. */
typedef struct gm_source_info {
    char *layer;     /* "parcels", "mines", "zones", "redlines" */
    char *source;    /* as given */
    char *file_name; /* base name of the file, or NULL for a database source */
    char *sha256;    /* hex checksum of the file(s), NULL for a database source */
    char *crs;       /* the source CRS */
    long features;
} gm_source_info;

typedef struct gm_snapshot {
    long id;
    int as_of; /* YYYYMMDD */
    char *ingested_at;
    char *greenmine_version;
    gm_source_info *sources; /* the layers ingested in this snapshot */
    size_t n_sources;
} gm_snapshot;

typedef struct gm_snapshots {
    gm_snapshot *items; /* ordered by as_of */
    size_t n;
} gm_snapshots;

/* Frees the strings of one source (not s itself). */
void gm_source_info_clear(gm_source_info *s);
/* Frees every snapshot and s itself. NULL is allowed. */
void gm_snapshots_free(gm_snapshots *s);

/* One snapshot and one area (the province, or one zone). */
typedef struct gm_progress_row {
    long snapshot_id;
    int as_of;              /* YYYYMMDD */
    char *zone;             /* zone name; NULL for the province */
    char *zone_id;          /* NULL for the province */
    double done_ha[2];      /* [GM_RESTORATION], [GM_RECLAMATION], cumulative to as_of */
    double increment_ha[2]; /* since the previous snapshot (the first: since period start) */
    double target_ha[2];    /* 2000 / 500 for the province; the zone's own, or 0 = none */
    int projected[2];       /* YYYYMMDD when the target is met at the latest pace; the
                               snapshot's date when already met; 0 = never (no pace or no target) */
    size_t mines, large_medium_mines, mines_known_scale, conflict_mines;
    double large_medium_share; /* province only; 0 for zones */
    /* green mines (province only): -1 when no mine carries the green flag */
    long green_mines, green_large, green_medium, green_small;
} gm_progress_row;

typedef struct gm_progress_series {
    gm_progress_row *rows; /* per snapshot (by as_of), the province first, then the zones */
    size_t n;
    int period_start;
} gm_progress_series;

/* Frees the rows (and their strings) and p itself. NULL is allowed. */
void gm_progress_series_free(gm_progress_series *p);
/* Sets row `at`'s increments and projected dates from its done and target
 * figures, against the same area's (zone_id, or the province's) latest
 * earlier row in p; with none, since p->period_start. */
void gm_progress_row_project(gm_progress_series *p, size_t at);
/* Fills a row's figures from one analysis: the province's (zone < 0: the
 * programme's targets) or zone `zone`'s (its own targets; its name and id
 * copied into the row, freed with the series). Green-mine counts are left
 * unknown (-1). Leaves snapshot_id and as_of alone. GM_OK or GM_ERR_NOMEM. */
int gm_progress_row_fill(gm_progress_row *row, const gm_inputs *in, const gm_results *res,
                         int zone);
/* Sets the row's green-mine counts from the mines' green flags (-1 each when no
 * mine carries the flag). */
void gm_progress_row_green(gm_progress_row *row, const gm_inputs *in);

#ifdef __cplusplus
}
#endif
#endif
