/*
 * reach.h -- where the mines can reach a red line: the edges of a red line an
 * overlay with one of the mines can see, so that only those are densified
 * (gm_load_options.redlines_near_mines, load.h; why it gives the same
 * overlaps: reach.c).
 */
#ifndef GM_REACH_H
#define GM_REACH_H

#include <greenmine/model.h>

#include <geos_c.h>
#include <stddef.h>

typedef struct gm_reach gm_reach;

/* The reach of in's mines (read-only afterwards: shared by the loader's
 * workers). NULL when out of memory or GEOS fails. Free with gm_reach_free. */
gm_reach *gm_reach_new(GEOSContextHandle_t h, const gm_inputs *in);
void gm_reach_free(gm_reach *R);

/* For the ring of n points xy (closed) with its edges' sags
 * (gm_densify_ring_sags): chord[i] = 1 when edge i gets points (sag > 0) yet
 * may stay a chord -- no mine reaches it and it cannot make the ring's
 * envelope; 0 otherwise. */
void gm_reach_chords(const gm_reach *R, const double *xy, size_t n, const double *sag,
                     unsigned char *chord);

#endif
