/*
 * greenmine/analysis.h -- the contract's analysis: red-line conflicts of
 * mines, restoration and reclamation progress per zone and for the province,
 * and the province's indicators.
 *
 * Rules (see the data contract): conflict = area(mine ∩ ∪ red lines); progress
 * = area of the union of qualifying parcels, clipped to a zone for a zone's
 * figure; overlaps never count twice; overlaps under GM_NOISE_HA are zero.
 */
#ifndef GREENMINE_ANALYSIS_H
#define GREENMINE_ANALYSIS_H

#include <greenmine/context.h>
#include <greenmine/model.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Overlaps below this (0.01 m²) are reprojection noise: zero. */
#define GM_NOISE_HA 1e-6

#define GM_TARGET_RESTORATION_HA 2000.0
#define GM_TARGET_RECLAMATION_HA 500.0
#define GM_TARGET_LARGE_MEDIUM_SHARE 0.07

struct gm_results;
typedef struct gm_analysis_options {
    int period_start; /* YYYYMMDD, first day counted (inclusive) */
    int as_of;        /* YYYYMMDD, last day counted (inclusive) */
    /* Optional: called on the calling thread once every mine's result (its
     * area, conflict, overlaps and zone) is final, while the rest of the
     * analysis is still to run -- e.g. gm_gpkg_writer_mines_done. */
    void (*mines_done)(void *user, const gm_inputs *in, const struct gm_results *res);
    void *mines_done_user;
    /* Keep each mine's union of pieces (gm_mine_result.conflict_union) for
     * the conflict raster; 0 when no raster will be written (less memory). */
    int keep_conflict_unions;
} gm_analysis_options;
#define GM_ANALYSIS_OPTIONS_INIT                                                                   \
    {                                                                                              \
        20160101, 20201231, NULL, NULL, 1                                                          \
    }

/* One mine's red-line overlap with one red line. */
typedef struct gm_overlap {
    size_t mine, redline; /* indices into gm_inputs */
    double area_ha;       /* this red line's own overlap */
    GEOSGeometry *geom;   /* mine ∩ red line, polygonal; owned unless `whole` */
    int whole;            /* the red line holds the whole mine: geom is then the mine's
                             own geometry, borrowed from gm_inputs (so the results must
                             be freed before the mines are) */
} gm_overlap;

typedef struct gm_mine_result {
    double mine_ha;
    double conflict_ha;   /* area(mine ∩ ∪ red lines), 0 when < GM_NOISE_HA */
    int zone;             /* index of the zone holding its largest part, -1 = none */
    size_t first_overlap; /* its overlaps are overlaps[first_overlap .. +n_overlaps) */
    size_t n_overlaps;
    /* The union of the mine's pieces (kept from computing conflict_ha for the
     * conflict raster, which would otherwise dissolve them again), owned; NULL
     * when it has one piece or fewer, when one piece is the whole mine, or
     * when the options did not keep_conflict_unions. */
    GEOSGeometry *conflict_union;
} gm_mine_result;

typedef struct gm_zone_result {
    double zone_ha;
    double done_ha[2];     /* [GM_RESTORATION], [GM_RECLAMATION] */
    GEOSGeometry *done[2]; /* the dissolved completed area inside the zone, or NULL */
    size_t mines, large_medium_mines, conflict_mines;
} gm_zone_result;

typedef struct gm_results {
    gm_mine_result *mines; /* one per gm_inputs mine */
    size_t n_mines;
    gm_overlap *overlaps; /* grouped by mine */
    size_t n_overlaps;
    gm_zone_result *zones; /* one per gm_inputs zone */
    size_t n_zones;
    /* the province: every qualifying parcel, inside a zone or not */
    double done_ha[2];
    GEOSGeometry *outside_done[2]; /* the part outside every zone, or NULL */
    double outside_done_ha[2];
    size_t parcels_counted[2];     /* parcels that qualified */
    size_t completed_without_date; /* completed parcels ignored for want of a date */
    size_t mines_known_scale, large_medium_mines, conflict_mines;
    double conflict_ha;        /* sum over mines (each mine's own union) */
    double large_medium_share; /* (large + medium) / known scale; 0 if none known */
    long long started_at;      /* when gm_analyze started, seconds since 1970 (UTC) */
    double analysis_seconds;   /* how long gm_analyze took (wall clock) */
} gm_results;

/* Runs the analysis on loaded inputs. `opts` NULL = GM_ANALYSIS_OPTIONS_INIT.
 * Uses gm_context_threads(ctx) workers. Free *out with gm_results_free(). */
int gm_analyze(gm_context *ctx, const gm_inputs *in, const gm_analysis_options *opts,
               gm_results **out);
void gm_results_free(gm_context *ctx, gm_results *res);

/* Partitioned runs. A tile is cell (col, row) of a global grid of size_deg
 * degrees anchored at lon 0, lat 0: lon [col*size, (col+1)*size) x lat
 * [row*size, (row+1)*size), CGCS2000. A tile owns the mines whose envelope's
 * lower-left corner lies in it (each mine in exactly one tile; a mine without
 * geometry in none) and the parcels' parts inside it. Runs of the tiles
 * covering the province add up to the run of the whole province: every mine
 * row once, zone and province hectares and counts as sums (docs/performance.md). */
typedef struct gm_tile {
    double size_deg;
    long col, row;
} gm_tile;

/* The tile's lon/lat box: lon_min, lat_min, lon_max, lat_max. */
void gm_tile_box(const gm_tile *t, double box[4]);
/* Whether the tile holds the point (half-open: the west and south edges do). */
int gm_tile_owns(const gm_tile *t, double lon, double lat);
/* Keeps (in order) only the mines the tile owns; frees the others. */
int gm_inputs_keep_tile_mines(gm_context *ctx, gm_inputs *in, const gm_tile *t);
/* The lon/lat box of all mine geometries: 1, or 0 when no mine has one. */
int gm_inputs_mines_box(gm_context *ctx, const gm_inputs *in, double box[4]);
/* Replaces each parcel by its part inside the tile; frees those outside it. */
int gm_inputs_clip_parcels_to_tile(gm_context *ctx, gm_inputs *in, const gm_tile *t);

/* Zone partitions. A zone partition owns the mines whose zone_name is that
 * zone (the zone holding the largest part of the mine, a tie going to the
 * zone first in the zones layer) and the parcels' parts inside the zone; its
 * zone_progress row is the whole run's row for that zone. The partition
 * GM_ZONE_OUTSIDE (CLI "-") owns the mines outside every zone (and those
 * without geometry) and the parcels' parts outside every zone. Zones may
 * overlap; so that the partitions' province hectares add up to the whole
 * run's, a zone's province share leaves out what the zones before it in the
 * layer already hold (gm_results_zone_share). The call order for a run: load
 * the zones in full; gm_zone_find; load and keep the mines, clip the parcels;
 * gm_inputs_keep_zone; gm_analyze; gm_results_zone_share. */
#define GM_ZONE_OUTSIDE (-1)

typedef struct gm_zone_partition {
    int zone;             /* index into in->zones as loaded in full, or GM_ZONE_OUTSIDE */
    GEOSGeometry *before; /* set by gm_inputs_keep_zone: the union of the zones before
                             this one that overlap it, or NULL; owned, see _clear */
} gm_zone_partition;

/* The partition of the zone called `name` (its name or zone_id; "-" =
 * GM_ZONE_OUTSIDE). An unknown or ambiguous name gives GM_ERR_USAGE and a
 * message listing the zones. */
int gm_zone_find(gm_context *ctx, const gm_inputs *in, const char *name, gm_zone_partition *out);
/* The zone's lon/lat box (as gm_tile_box): 1, or 0 for GM_ZONE_OUTSIDE. */
int gm_zone_box(gm_context *ctx, const gm_inputs *in, const gm_zone_partition *p, double box[4]);
/* Keeps (in order) only the mines the partition owns (gm_analyze's rule,
 * over all the zones loaded); frees the others. */
int gm_inputs_keep_zone_mines(gm_context *ctx, gm_inputs *in, const gm_zone_partition *p);
/* Replaces each parcel by its part inside the zone (GM_ZONE_OUTSIDE: outside
 * every zone); frees those left with nothing. */
int gm_inputs_clip_parcels_to_zone(gm_context *ctx, gm_inputs *in, const gm_zone_partition *p);
/* Keeps only the partition's zone in `in` (none for GM_ZONE_OUTSIDE) and frees
 * the others, after setting p->before. */
int gm_inputs_keep_zone(gm_context *ctx, gm_inputs *in, gm_zone_partition *p);
/* Turns the province hectares of the partition's results into its share:
 * minus the area of its zone's restored areas inside p->before. */
int gm_results_zone_share(gm_context *ctx, gm_results *res, const gm_zone_partition *p);
/* Frees p->before. */
void gm_zone_partition_clear(gm_context *ctx, gm_zone_partition *p);

/* Whether a parcel counts toward kind k's progress under opts (the contract's
 * filter: kind, status completed, a date within the period, legacy for
 * restoration). */
int gm_parcel_qualifies(const gm_parcel *p, gm_parcel_kind k, const gm_analysis_options *opts);

#ifdef __cplusplus
}
#endif
#endif
