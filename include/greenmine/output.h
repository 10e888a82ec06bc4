/*
 * greenmine/output.h -- writing the analysis to a GeoPackage.
 *
 * The GeoPackage holds the contract's layers (mine_conflicts, conflict_areas,
 * zone_progress, restored_areas, province_indicators) in CGCS2000 geographic
 * coordinates (EPSG:4490, longitude/latitude), with spatial indexes. It is
 * written to a temporary file beside the target and renamed into place, so a
 * failed run never leaves a half-written output.
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

#ifdef __cplusplus
}
#endif
#endif
