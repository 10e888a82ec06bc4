/*
 * greenmine/check.h -- is an application for a mining right clear of the
 * ecological red lines? (`greenmine check`)
 *
 * Per application polygon: its ellipsoidal area; its overlap with the union of
 * the red lines it meets (overlapping red lines never counted twice), each red
 * line's own overlap; the nearest red line and its geodesic distance; the
 * demonstration zone holding its largest part; its overlaps with existing
 * mining rights. Verdict:
 *   conflict  red-line overlap >= GM_NOISE_HA;
 *   near      no overlap, and distance <= buffer_m with buffer_m > 0 (touching
 *             only, distance 0, is near, never conflict);
 *   clear     otherwise.
 *
 * Distances: the closest pair of points is found in an ellipsoidal azimuthal
 * equidistant projection centred on the application (GeographicLib geodesics),
 * and its length is the geodesic between the two points on GRS 80. The result
 * is never shorter than the true minimum and exceeds it by at most about
 * 2 (r/R)^2 / 6 relative, r the points' distance from the centre: < 4e-6 for
 * anything within 20 km (docs/check.md). Applications are densified along
 * their geodesic edges (<= 50 m) before the overlay, so cut points stay on
 * the edges the areas assume.
 *
 * Applications come from OGR datasets, WKT/GeoJSON text or corner-point files
 * (拐点坐标, see docs/check.md): gm_applications_add() in
 * greenmine/applications.h reads any of them.
 * Ownership as everywhere: *out belongs to the caller, free with the named
 * function; geometries in results are owned by the result.
 */
#ifndef GREENMINE_CHECK_H
#define GREENMINE_CHECK_H

#include <greenmine/context.h>
#include <greenmine/model.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Red lines farther than this (metres) from an application are not searched
 * for the nearest one when the buffer is smaller: nearest_redline is "none". */
#define GM_CHECK_NEAREST_RADIUS_M 5000.0

typedef enum gm_verdict { GM_VERDICT_CLEAR = 0, GM_VERDICT_NEAR, GM_VERDICT_CONFLICT } gm_verdict;

/* One application: an id and a valid polygonal lon/lat geometry. */
typedef struct gm_application {
    char *id;
    GEOSGeometry *geom;
    char *origin;      /* where it came from: "file.txt", "a.gpkg (layer x) feature 3" */
    int repaired;      /* its boundary was invalid (self-intersecting) and repaired */
    char *repair_note; /* where it crossed, when repaired; else NULL */
    /* Corner-point files and text with --crs (else NULL / 0): */
    char *crs;         /* the CRS its coordinates were read in, and why */
    char *operation;   /* PROJ's operation from that CRS to CGCS2000 lon/lat */
    int ballpark;      /* that operation changes the datum without a datum shift */
    double accuracy_m; /* its accuracy as PROJ states it, -1 = unknown */
    char *datum_note;  /* when ballpark: what it means for the figures; else NULL */
} gm_application;

typedef struct gm_applications {
    gm_application *items;
    size_t n, cap;
} gm_applications;

typedef struct gm_check_options {
    double buffer_m; /* the buffer rule in metres; 0 = off */
    /* Prepared red lines, zones and mines kept by the caller across checks
     * (greenmine serve: one per request slot, with a one-thread context);
     * NULL = prepared for this check only. Same answers either way. */
    struct gm_geomstore *store;
    int no_buffer_geoms; /* leave each result's buffer NULL (gm_check_buffer makes it later) */
} gm_check_options;

/* One overlap: with red line (or existing mine) `index` of gm_inputs. */
typedef struct gm_check_hit {
    size_t index;
    double overlap_ha;
    GEOSGeometry *geom; /* application ∩ that red line / mine, polygonal */
} gm_check_hit;

typedef struct gm_check_result {
    gm_verdict verdict;
    double area_ha;
    double redline_overlap_ha; /* area(app ∩ ∪ red lines hit); 0 below GM_NOISE_HA */
    double overlap_pct;        /* of area_ha */
    gm_check_hit *redlines;    /* every red line overlapped, in red-line order */
    size_t n_redlines;
    long nearest;        /* index of the nearest red line, -1 = none within the radius */
    double distance_m;   /* to it (0 when touching or overlapping); -1 when none */
    int zone;            /* index of the zone holding the largest part, -1 = none */
    gm_check_hit *mines; /* existing mining rights overlapped (own kind of conflict) */
    size_t n_mines;
    double mine_overlap_ha; /* area(app ∩ ∪ mines hit) */
    GEOSGeometry *buffer;   /* the application widened by buffer_m; NULL when off */
} gm_check_result;

typedef struct gm_check_results {
    gm_check_result *items; /* one per application, in order */
    size_t n;
    double buffer_m;
    double radius_m; /* how far the nearest red line was searched */
} gm_check_results;

/* Checks every application against in->redlines, in->zones and in->mines
 * (each may be empty). Uses gm_context_threads(ctx) workers. `opts` NULL =
 * no buffer. Free *out with gm_check_results_free(). */
int gm_check(gm_context *ctx, const gm_inputs *in, const gm_applications *apps,
             const gm_check_options *opts, gm_check_results **out);
void gm_check_results_free(gm_context *ctx, gm_check_results *res);

/* The buffer polygon gm_check gives an application (its `buffer`), made on
 * its own: for a caller that skipped it (no_buffer_geoms) and draws it later.
 * buffer_m > 0. Free *out with GEOSGeom_destroy_r. */
int gm_check_buffer(gm_context *ctx, const GEOSGeometry *app, double buffer_m, GEOSGeometry **out);

/* "clear", "near", "conflict". Static. */
const char *gm_verdict_name(gm_verdict v);

#ifdef __cplusplus
}
#endif
#endif
