/*
 * styles.h -- how greenmine's outputs look in QGIS: the QML styles of the
 * GeoPackage layers and the rasters, Chinese field aliases, and the
 * GeoPackage's default styles (layer_styles), data-column titles
 * (gpkg_data_columns) and run provenance (gpkg_metadata). Private to src/out.
 */
#ifndef GM_STYLES_H
#define GM_STYLES_H

#include <greenmine/output.h>

#include <gdal.h>

/* The raster outputs (gm_raster_kind, greenmine/output.h), for their styles and the project. */
/* "restoration_coverage.tif", "redline_conflict.tif" */
const char *gm_raster_file_name(gm_raster_kind kind);
/* Chinese layer title of a raster */
const char *gm_raster_title(gm_raster_kind kind);

/* The styled vector layers, in drawing order top first (the project uses it). */
extern const char *const gm_styled_layers[];
extern const size_t gm_n_styled_layers;
/* Chinese title of an output layer ("mine_conflicts" -> "矿山红线冲突"). */
const char *gm_layer_title(const char *layer);

/* The inside of a layer's QML (renderer, labels, aliases...): the children of
 * <qgis> in a .qml file and of <maplayer> in a project. NULL when out of
 * memory. Caller frees. `res` sets the class breaks of zone_progress. */
char *gm_style_layer_body(const char *layer, const gm_results *res);
/* A complete QML document for the layer, or for a raster. Caller frees. */
char *gm_style_layer_qml(const char *layer, const gm_results *res);
char *gm_style_raster_body(gm_raster_kind kind);
char *gm_style_raster_qml(gm_raster_kind kind);

/* Writes the default styles, the field titles and the provenance into the
 * open GeoPackage `ds` (whose layers are written). */
int gm_style_gpkg(gm_context *ctx, GDALDatasetH ds, const char *path, const gm_inputs *in,
                  const gm_results *res, const gm_analysis_options *opts);

/* Writes the default style and the field titles of one layer that is not
 * part of an analysis run (the public list: "green_mine_list") into `ds`. */
int gm_style_gpkg_layer(gm_context *ctx, GDALDatasetH ds, const char *path, const char *layer);

/* Writes `text` exactly at `path` (removed again on failure); through a
 * temporary file renamed into place: gm_atomic_write_text (core/atomic.h). */
int gm_write_text_file_at(gm_context *ctx, const char *path, const char *text);

#endif
