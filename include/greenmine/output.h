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

#ifdef __cplusplus
extern "C" {
#endif

/* Writes `path` (created, or replaced atomically). The parent directory is
 * created when missing. */
int gm_write_gpkg(gm_context *ctx, const char *path, const gm_inputs *in, const gm_results *res,
                  const gm_analysis_options *opts);

#define GM_RASTER_NODATA -9999.0

typedef struct gm_raster_options {
    double cell_m; /* cell size in metres (default 30) */
    int as_of;     /* YYYYMMDD, recorded in the rasters' metadata */
} gm_raster_options;
#define GM_RASTER_OPTIONS_INIT                                                                     \
    {                                                                                              \
        30.0, 20201231                                                                             \
    }

/* Writes DIR/restoration_coverage.tif (share of each cell covered by completed
 * restoration or reclamation inside the zones; nodata where a cell does not
 * overlap a zone) and DIR/redline_conflict.tif (share of each cell inside a
 * red line and a mine; nodata where a cell does not overlap a mine), each with
 * a .qml sidecar. `opts` NULL = GM_RASTER_OPTIONS_INIT. */
int gm_write_rasters(gm_context *ctx, const char *dir, const gm_inputs *in, const gm_results *res,
                     const gm_raster_options *opts);

/* Writes a QGIS project at `path` showing the GeoPackage `gpkg_path` (which
 * must be in the same folder) and whichever rasters exist there. */
int gm_write_qgis_project(gm_context *ctx, const char *path, const char *gpkg_path,
                          const gm_inputs *in, const gm_results *res);

#ifdef __cplusplus
}
#endif
#endif
