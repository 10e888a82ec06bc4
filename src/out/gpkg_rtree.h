/*
 * gpkg_rtree.h -- a GeoPackage layer's spatial index (the gpkg_rtree_index
 * extension), bulk-loaded instead of filled one R*-tree insertion per
 * feature.
 *
 *   gm_rtree_entry *e = ...;  (one per feature with a non-empty geometry)
 *   rc = gm_gpkg_rtree_build(ctx, ds, path, "conflict_areas", "geom", "fid", e, n);
 *
 * The layer must have been created without GDAL's own index
 * (SPATIAL_INDEX=NO). The index, its triggers and its gpkg_extensions row are
 * those GDAL's GPKG driver makes; only the way the tree is filled differs.
 */
#ifndef GM_OUT_GPKG_RTREE_H
#define GM_OUT_GPKG_RTREE_H

#include <greenmine/context.h>

#include <gdal.h>
#include <stddef.h>
#include <stdint.h>

/* A feature's id and bounding box (its geometry's envelope, in the layer's CRS). */
typedef struct gm_rtree_entry {
    int64_t fid;
    double minx, maxx, miny, maxy;
} gm_rtree_entry;

/* Creates rtree_<table>_<column> on the GeoPackage ds (opened for update by
 * GDAL) holding the n entries, packed sort-tile-recursive, with the
 * GeoPackage triggers that keep it in step with later edits and the
 * extension's row; in a savepoint of its own (inside the caller's
 * transaction when there is one). Reorders `e`; the caller keeps it. On
 * failure sets an error naming `path` (the file, for messages) and returns
 * GM_ERR_WRITE; the savepoint is rolled back. */
int gm_gpkg_rtree_build(gm_context *ctx, GDALDatasetH ds, const char *path, const char *table,
                        const char *column, const char *fid_column, gm_rtree_entry *e, size_t n);

#endif
