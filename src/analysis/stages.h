/*
 * stages.h -- the analysis stages gm_analyze() runs in order. Each fills its
 * part of gm_results; none reads another's output except analyze.c.
 */
#ifndef GM_STAGES_H
#define GM_STAGES_H

#include "core/index.h"
#include "core/pool.h"
#include "core/prepared.h"
#include "core/window.h"

#include <greenmine/analysis.h>

/* The zones as the stages overlay them: an STRtree, each worker's prepared
 * copies and window pieces (core/window.h). One per run, shared by the stages. */
typedef struct gm_zoneset {
    GEOSGeometry **geoms; /* borrowed from the inputs */
    size_t n;
    gm_index *index;
    gm_prepcache prep;
    gm_windows windows;
} gm_zoneset;

/* Builds zs over in->zones for pool's workers; free it with gm_zoneset_free
 * (with the same pool) before the inputs. */
int gm_zoneset_init(gm_context *ctx, gm_zoneset *zs, const gm_inputs *in, gm_pool *pool);
void gm_zoneset_free(gm_context *ctx, gm_zoneset *zs, gm_pool *pool);

/* Per mine: area, red-line overlaps (each red line's own, and their union),
 * the zone holding the largest part. Fills res->mines and res->overlaps;
 * keep_unions: also each mine's conflict_union. */
int gm_stage_conflicts(gm_context *ctx, gm_pool *pool, const gm_inputs *in, gm_zoneset *zs,
                       int keep_unions, gm_results *res);

/* Just the zone of each mine (the rule gm_stage_conflicts applies: the zone
 * holding the largest part; a tie goes to the zone first in the layer):
 * zone_of[i] = zone index, or -1 (outside every zone, or no geometry). */
int gm_stage_mine_zones(gm_context *ctx, gm_pool *pool, const gm_inputs *in, int *zone_of);

/* Restoration and reclamation: union of qualifying parcels per connected
 * group, clipped to each zone. Fills res->done_ha, res->zones[].done*, and
 * res->outside_done*. */
int gm_stage_progress(gm_context *ctx, gm_pool *pool, const gm_inputs *in, gm_zoneset *zs,
                      const gm_analysis_options *opts, gm_results *res);

/* Clones every polygon of pieces[0..n) into one MultiPolygon (NULL when there
 * is none). The pieces must not overlap each other. Frees nothing. */
GEOSGeometry *gm_collect_polygons(GEOSContextHandle_t h, GEOSGeometry *const *pieces, size_t n);

/* mine ∩ other as polygons only (touching lines and points dropped); NULL on
 * GEOS failure. `prep` is other's prepared copy. */
GEOSGeometry *gm_polygonal_intersection(GEOSContextHandle_t h, const GEOSGeometry *a,
                                        const GEOSGeometry *other,
                                        const GEOSPreparedGeometry *prep);

/* How gm_redline_piece intersects: the red line whole; through
 * gm_redline_near; or (tests only) through it with that answer thrown away as
 * if GEOS had failed on it, so the fallback runs. */
enum { GM_NEAR_NO, GM_NEAR_YES, GM_NEAR_FAILS };

/* mine ∩ redline as polygons only, as the conflicts stage takes a piece: with
 * GM_NEAR_YES, of gm_redline_near's copy of the red line when it gives one,
 * and of the red line whole when that intersection fails. NULL on GEOS failure. */
GEOSGeometry *gm_redline_piece(GEOSContextHandle_t h, const GEOSGeometry *mine,
                               const GEOSGeometry *redline, int near_mode);

/* A copy of redline (a Polygon without holes, of 256 points or more) without
 * the ring points GEOS 3.11's overlay would cut away unseen when intersecting
 * it with mine, so that GEOSIntersection_r gives the same answer from fewer
 * points; NULL when nothing is worth leaving out. conflicts.c says how. */
GEOSGeometry *gm_redline_near(GEOSContextHandle_t h, const GEOSGeometry *mine,
                              const GEOSGeometry *redline);

/* 1 when the running GEOS clips as gm_redline_near reads it (3.11). */
int gm_redline_near_known(void);

#endif
