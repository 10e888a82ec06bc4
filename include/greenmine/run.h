/*
 * greenmine/run.h -- one whole `greenmine analyze` run: load the four layers,
 * analyse, and write the GeoPackage, the two rasters and the QGIS project as
 * one set. The command line and the server call this, nothing else.
 *
 * gm_run owns the order of loading (all layers side by side, or a
 * partition's own order), the partitions (--tile, --zone), the GeoPackage's
 * writer thread and freeing what the outputs no longer need.
 *
 * The outputs are one set, all or nothing (docs/cli.md, "One set"):
 *  - before any work, the output path is checked (not empty, not a folder,
 *    device, FIFO or symbolic link; its folder writable) and, once the zones
 *    are loaded, the rasters' grid against GM_RUN_MAX_RASTER_CELLS and the
 *    free space;
 *  - every file is written under a temporary name in the output folder,
 *    ".greenmine-tmp.PID.RUNID.NAME", and only when all of them are complete
 *    are they renamed into place: the rasters (with their .qml), the project,
 *    the GeoPackage last. Each file records the run's id (GeoPackage metadata
 *    item GREENMINE_RUN_ID, GeoTIFF tag GREENMINE_RUN_ID, the project's
 *    metadata identifier), so a reader can tell a set from a mix;
 *  - a failed run renames nothing and removes its temporary files, whatever
 *    the error: the previous set stays exactly as it was;
 *  - temporary files of processes that no longer run are removed from the
 *    output folder at the start of every run.
 */
#ifndef GREENMINE_RUN_H
#define GREENMINE_RUN_H

#include <greenmine/analysis.h>
#include <greenmine/context.h>
#include <greenmine/load.h>
#include <greenmine/model.h>
#include <greenmine/output.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The largest raster grid a run writes unless told otherwise: 4e9 cells,
 * e.g. a 1,900 x 2,100 km box at 30 m. */
#define GM_RUN_MAX_RASTER_CELLS 4000000000.0

typedef struct gm_run_options {
    const char *source[GM_LAYER_KINDS]; /* by gm_layer_kind; all four required */
    const char *output;                 /* the GeoPackage; the rest goes beside it */
    gm_load_options load;               /* encoding and field mappings (the rest is gm_run's) */
    gm_analysis_options analysis;       /* the period (mines_done is gm_run's) */
    int no_rasters;                     /* 1: write no GeoTIFFs */
    gm_raster_options raster;           /* cell size (as_of and run_id are gm_run's) */
    double max_raster_cells;            /* 0 = GM_RUN_MAX_RASTER_CELLS */
    const gm_tile *tile;                /* one tile's partition, or NULL */
    const char *zone;                   /* one zone's partition (name, id or "-"), or NULL */
} gm_run_options;

typedef struct gm_run_report {
    char run_id[17]; /* 16 hex digits, recorded in every output */
    gm_inputs *in;   /* what was loaded (the partition's share; red lines' and
                        parcels' geometries dropped) */
    gm_results *res; /* the analysis */
    char *gpkg;      /* the files written, as placed; rasters NULL when none */
    char *coverage_tif, *conflict_tif, *project;
} gm_run_report;

/* Runs the analysis and writes its outputs. On success *out holds the report
 * (free with gm_run_report_free); on failure *out is NULL, nothing was put in
 * place and the context holds the error. */
int gm_run(gm_context *ctx, const gm_run_options *opts, gm_run_report **out);
void gm_run_report_free(gm_context *ctx, gm_run_report *r);

#ifdef __cplusplus
}
#endif
#endif
