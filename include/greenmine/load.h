/*
 * greenmine/load.h -- reading the four input layers through GDAL/OGR.
 *
 * A source is `PATH`, `PATH:LAYER` or a `PG:` connection string (optionally
 * ending in `:LAYER`). Fields are matched by the contract's canonical names and
 * their Chinese and pinyin-initial aliases, case-insensitively; options map
 * anything else. Geometries are linearised, flattened to 2D, transformed to
 * CGCS2000 geographic (x = longitude, y = latitude, whatever axis order the
 * source CRS declares) and normalised (valid, polygonal).
 */
#ifndef GREENMINE_LOAD_H
#define GREENMINE_LOAD_H

#include <greenmine/context.h>
#include <greenmine/model.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gm_load_options {
    /* Attribute encoding of shapefiles (e.g. "GBK", "UTF-8"); NULL = the .cpg,
     * or GBK when a shapefile declares no encoding at all. */
    const char *encoding;
    /* Field mappings "LAYER.CANONICAL=SOURCE", e.g. "mines.mine_id=XKZH". */
    const char *const *fields;
    size_t n_fields;
    /* Read only features that may meet this CGCS2000 lon/lat box: lon_min,
     * lat_min, lon_max, lat_max (degrees). The box (edges densified) is
     * transformed to the layer's CRS and handed to OGR as a spatial filter,
     * so a GeoPackage answers from its R-tree instead of reading every
     * feature. has_bbox 0 = read everything. */
    int has_bbox;
    double bbox[4];
    /* Required fields may be missing (for `check`: applications, existing
     * mines); a missing id becomes "LAYER.FID". */
    int lenient;
    /* Parcels only: when set, a parcel's geometry is kept only if this returns
     * non-zero (it sees the parsed attributes); the others keep their record
     * with geom NULL. `analyze` keeps only parcels that can count, so a
     * province's other parcels never stay in memory. Geometries are still read
     * and checked, so warnings and counts are the same (only a kept geometry is
     * densified). Called on the loader's worker threads too: it must be pure. */
    int (*keep_parcel_geometry)(const gm_parcel *p, void *user);
    void *keep_user;
    /* Identifiers (mine_id, redline_id, parcel_id, zone_id) must be unique in
     * a layer: a second feature with one already seen is an input error
     * naming both features -- except for the kinds whose bit (1u << kind) is
     * set here (or with lenient), which keep both with a warning naming both
     * (a parcel kept so is counted once by the unions and recorded by the
     * registry as a 'duplicate' version). */
    unsigned allow_duplicate_ids;
    /* Red lines only, for `analyze`: a red line proven simple with any mixture
     * of straight and geodesic edges (core/simple.h) gets its geodesic points
     * only on the edges an overlay with one of the mines already read into
     * `in` can reach (io/reach.c), which gives the overlaps of the red line
     * densified in full, bit for bit, for a fraction of its points. The mines
     * must be read first: gm_load_layers() reads them before the red lines;
     * with no mines layer read yet, red lines are densified in full. */
    int redlines_near_mines;
} gm_load_options;

/* Reads one layer into `in` (replacing nothing: call once per kind). On bad
 * input returns a GM_ERR_OPEN / _FIELD / _CRS / _GEOMETRY code with a message
 * naming the file, layer, field or feature. `opts` may be NULL. */
int gm_load_layer(gm_context *ctx, gm_inputs *in, gm_layer_kind kind, const char *source,
                  const gm_load_options *opts);

/* Reads n layers of different kinds into `in` as gm_load_layer() would one by
 * one, but side by side when the context has several threads: the layers are
 * taken in the order given (list the largest first), each read on its own
 * thread (with one thread: one by one, in the kinds' order). Warnings are said
 * in the order of the kinds (mines, red lines, parcels, zones) whatever the
 * threads, and the error returned is that of the first failing layer in that
 * order. */
int gm_load_layers(gm_context *ctx, gm_inputs *in, size_t n, const gm_layer_kind *kinds,
                   const char *const *sources, const gm_load_options *opts);

#ifdef __cplusplus
}
#endif
#endif
