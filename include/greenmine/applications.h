/*
 * greenmine/applications.h -- reading applications for mining rights (the
 * polygons `greenmine check` checks) from OGR datasets, WKT / GeoJSON text and
 * corner-point files (拐点坐标, docs/check.md), into CGCS2000 lon/lat.
 */
#ifndef GREENMINE_APPLICATIONS_H
#define GREENMINE_APPLICATIONS_H

#include <greenmine/check.h>
#include <greenmine/load.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gm_application_options {
    /* CRS of WKT/GeoJSON text and of corner-point files without a zone
     * prefix: anything OGR's SetFromUserInput takes ("EPSG:4547"). NULL =
     * text is CGCS2000 lon/lat; corner files need the zone prefix. */
    const char *crs;
    const gm_load_options *load; /* for OGR datasets; may be NULL */
    /* Corner-point files: how plain numbers in degrees are read. 0 = as the
     * file states it (or exit 2 when it could be either), 1 = decimal
     * degrees (--decimal-degrees), 2 = ddd.mmss (--dms). */
    int angles;
    /* Encoding of corner-point files that are not UTF-8 (iconv name); NULL
     * = GB18030 (which includes GBK). */
    const char *encoding;
} gm_application_options;

/* An empty list; free with gm_applications_free() (NULL allowed). */
int gm_applications_new(gm_applications **out);
void gm_applications_free(gm_context *ctx, gm_applications *apps);

/* Reads the applications in `arg` and appends them to apps:
 *  - text starting with POLYGON / MULTIPOLYGON (WKT) or '{' (GeoJSON): one
 *    application, id "arg1", "arg2"... by position;
 *  - a file ending .txt .csv .dat, or any file given as corners:PATH: a
 *    corner-point file, one application whose blocks form a MultiPolygon,
 *    id = the file name without extension;
 *  - anything else: an OGR source (PATH, PATH:LAYER, PG:...), one application
 *    per feature, id from mine_id or its aliases, else "LAYER.FID".
 * Bad input returns GM_ERR_USAGE/_OPEN/_CRS/_GEOMETRY naming the line or feature.
 * Warnings (ring closed, boundary repaired) go to the context's log. */
int gm_applications_add(gm_context *ctx, gm_applications *apps, const char *arg,
                        const gm_application_options *opts);

/* The lon/lat box (lon_min, lat_min, lon_max, lat_max) holding every
 * application widened by `margin_m` metres on each side. GM_ERR_USAGE when
 * there is no application. */
int gm_applications_bbox(gm_context *ctx, const gm_applications *apps, double margin_m,
                         double box[4]);

#ifdef __cplusplus
}
#endif
#endif
