/*
 * corners.h -- the corner-point files (拐点坐标) of mining-right applications:
 * text to blocks of rings of (X northing, Y easting) with the line each point
 * came from. Pure text handling, no GDAL and no CRS: applications.c turns the
 * result into geometry. The accepted forms are specified in docs/check.md.
 */
#ifndef GM_CORNERS_H
#define GM_CORNERS_H

#include <stddef.h>

typedef struct gm_corner_ring {
    double *x, *y; /* x = X (northing), y = Y (easting, zone prefix kept) */
    int *line;     /* the file line of each point */
    size_t n, cap;
    int closed; /* the file repeated the first point at the end */
} gm_corner_ring;

typedef struct gm_corner_block {
    char *name; /* from its header line, or NULL */
    int line;   /* line of its first point */
    gm_corner_ring *rings;
    size_t n_rings;
} gm_corner_block;

typedef struct gm_corner_file {
    gm_corner_block *blocks;
    size_t n_blocks;
    int zone;           /* from a 带号= line, 0 = not stated */
    int zone_width;     /* from 几度分带= / 分带=: 3 or 6, 0 = not stated */
    char crs_name[128]; /* from 坐标系=, "" = not stated */
} gm_corner_file;

/* Parses `text` (UTF-8, optional BOM, LF or CRLF). `name` labels messages.
 * On a malformed line returns GM_ERR_GEOMETRY with err = "NAME line N: ...".
 * Rings are returned as written: closing them and checking point counts is
 * the caller's (it warns). Free *out with gm_corners_free(). */
int gm_corners_parse(const char *text, const char *name, gm_corner_file **out, char *err,
                     size_t errlen);
void gm_corners_free(gm_corner_file *f);

/* Splits a prefixed Gauss-Kruger easting: 37512345.67 -> zone 37, 512345.67.
 * Returns the zone, or 0 when y carries no prefix (integer part < 8 digits). */
int gm_gk_zone_prefix(double y, double *easting);

#endif
