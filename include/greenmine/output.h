/*
 * greenmine/output.h -- writing the analysis: the GeoPackage, the coverage
 * rasters and a QGIS project (docs/outputs.md).
 *
 * The GeoPackage holds the contract's layers (mine_conflicts, conflict_areas,
 * zone_progress, restored_areas, province_indicators) in CGCS2000 geographic
 * coordinates (EPSG:4490, longitude/latitude), with spatial indexes. It is
 * written to a temporary file beside the target and renamed into place, so a
 * failed run never leaves a half-written output. It also holds each layer's
 * default QGIS style (layer_styles), Chinese field titles and the run's
 * provenance (gpkg_metadata).
 *
 * The rasters are Cloud-Optimized GeoTIFFs of exact cell fractions in an
 * Albers equal-area CRS on CGCS2000 (standard parallels 25N/30N, central
 * meridian 111.5E), Float32, nodata GM_RASTER_NODATA, each with a .qml.
 */
#ifndef GREENMINE_OUTPUT_H
#define GREENMINE_OUTPUT_H

#include <greenmine/analysis.h>
#include <greenmine/check.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Writes `path` (created, or replaced atomically). The parent directory is
 * created when missing. */
int gm_write_gpkg(gm_context *ctx, const char *path, const gm_inputs *in, const gm_results *res,
                  const gm_analysis_options *opts);

#define GM_RASTER_NODATA -9999.0

/* What one raster call leaves for the next: the tile buffers (the second
 * raster computes in the first's instead of having fresh pages faulted in
 * and cleared -- on a virtual machine each fresh 2 MiB costs milliseconds),
 * and the masks gm_raster_estimate projected (gm_write_raster then takes
 * them for the same gm_inputs instead of projecting them again). Made by
 * gm_raster_memory_new (NULL: out of memory), freed, with what it holds, by
 * gm_raster_memory_free (NULL: nothing). Used by one call at a time. */
typedef struct gm_raster_memory gm_raster_memory;
gm_raster_memory *gm_raster_memory_new(void);
void gm_raster_memory_free(gm_raster_memory *m);

typedef struct gm_raster_options {
    double cell_m;            /* cell size in metres (default 30) */
    int as_of;                /* YYYYMMDD, recorded in the rasters' metadata */
    const char *run_id;       /* recorded as GREENMINE_RUN_ID when set (gm_run) */
    gm_raster_memory *memory; /* kept between calls (the caller's), or NULL: the call's own */
} gm_raster_options;
#define GM_RASTER_OPTIONS_INIT                                                                     \
    {                                                                                              \
        30.0, 20201231, NULL, NULL                                                                 \
    }

/* The two rasters. */
typedef enum gm_raster_kind { GM_RASTER_COVERAGE = 0, GM_RASTER_CONFLICT = 1 } gm_raster_kind;
#define GM_RASTER_KINDS 2

/* Writes one raster exactly at `tif_path` and its QGIS style at `qml_path`
 * (NULL: none), with no temporary file or rename inside: the caller names
 * them and moves them into place. On failure neither is left behind. When
 * there is nothing to cover (no zones, or no mines) it logs a warning, writes
 * nothing and returns GM_OK: the caller then finds no file at tif_path.
 * Reads in's zones (coverage) or mines (conflict) and res's zone unions
 * (done[]) or overlaps; uses gm_context_threads(ctx) workers.
 * `opts` NULL = GM_RASTER_OPTIONS_INIT. */
int gm_write_raster(gm_context *ctx, gm_raster_kind kind, const char *tif_path,
                    const char *qml_path, const gm_inputs *in, const gm_results *res,
                    const gm_raster_options *opts);

/* What gm_write_raster would make, known before the analysis: needs only the
 * zones and the mines of `in` (loaded). Each figure is an upper bound. */
typedef struct gm_raster_estimate_info {
    struct {
        size_t width, height;      /* the grid, in cells (0 x 0: nothing to cover) */
        unsigned long long cells;  /* cells that may hold data (in tiles a mask polygon meets) */
        unsigned long long bytes;  /* the file at most, overviews included */
        unsigned long long memory; /* the writer's peak memory at most, in bytes */
    } kind[GM_RASTER_KINDS];
    unsigned long long bytes; /* both files */
} gm_raster_estimate_info;
/* GM_ERR_USAGE (message set) when a grid is too large or the cell size is
 * wrong, as gm_write_raster would fail; GM_OK otherwise. With opts->memory,
 * the masks it projects are left there for gm_write_raster on the same `in`,
 * whose zones and mines must not change in between. */
int gm_raster_estimate(gm_context *ctx, const gm_inputs *in, const gm_raster_options *opts,
                       gm_raster_estimate_info *out);

/* Writes DIR/restoration_coverage.tif (share of each cell covered by completed
 * restoration or reclamation inside the zones; nodata where a cell does not
 * overlap a zone) and DIR/redline_conflict.tif (share of each cell inside a
 * red line and a mine; nodata where a cell does not overlap a mine), each with
 * a .qml sidecar, each through a temporary name renamed into place (a thin
 * wrapper of gm_write_raster). `opts` NULL = GM_RASTER_OPTIONS_INIT. */
int gm_write_rasters(gm_context *ctx, const char *dir, const gm_inputs *in, const gm_results *res,
                     const gm_raster_options *opts);

/* One file the project shows: `name` is its final file name relative to the
 * project's folder (what the project references); `path_now` is where it is
 * while the project is written (read only for extents and statistics). */
typedef struct gm_project_file {
    const char *name;
    const char *path_now;
} gm_project_file;
typedef struct gm_project_files {
    gm_project_file gpkg;         /* required */
    gm_project_file coverage_tif; /* name NULL = no rasters */
    gm_project_file conflict_tif;
    const char *run_id; /* recorded in the project's metadata; may be NULL */
} gm_project_files;

/* Writes a QGIS project exactly at `path` (no temporary file, no rename: the
 * caller decides how the outputs appear) showing `files`. Does not look at
 * the folder for other files. Borrows everything; owns nothing. */
int gm_write_qgis_project(gm_context *ctx, const char *path, const gm_project_files *files,
                          const gm_inputs *in, const gm_results *res);

/* Writes the check to a GeoPackage (EPSG:4490, temporary file renamed into
 * place): applications (one row per application, its verdict and figures),
 * redline_overlaps, mine_overlaps and buffers. */
int gm_write_check_gpkg(gm_context *ctx, const char *path, const gm_inputs *in,
                        const gm_applications *apps, const gm_check_results *res);

/* The `check --json` object for these results (the CLI prints it, `serve`
 * answers it), as UTF-8 text ending in a newline. redlines_source: the red
 * lines' source as the user named it, or NULL. *out is the caller's: free(). */
int gm_check_json(gm_context *ctx, const gm_inputs *in, const gm_applications *apps,
                  const gm_check_results *res, const char *redlines_source, char **out);

#ifdef __cplusplus
}
#endif
#endif
