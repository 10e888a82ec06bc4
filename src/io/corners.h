/*
 * corners.h -- the corner-point files (拐点坐标) of mining-right applications:
 * bytes to UTF-8 text, text to blocks of rings of (X northing, Y easting) or
 * (latitude, longitude) with the line each point came from. Pure text
 * handling, no GDAL and no CRS: applications.c turns the result into
 * geometry. The accepted forms are specified in docs/check.md.
 */
#ifndef GM_CORNERS_H
#define GM_CORNERS_H

#include <greenmine/context.h>

#include <stddef.h>

typedef struct gm_corner_ring {
    double *x, *y; /* x = X (northing) or latitude, y = Y (easting, zone prefix kept)
                      or longitude, in degrees */
    int *line;     /* the file line of each point */
    size_t n, cap;
    int closed; /* the file repeated the first point at the end */
} gm_corner_ring;

typedef struct gm_corner_block {
    char *name; /* from its header line, or NULL */
    int line;   /* line of its first point */
    gm_corner_ring *rings;
    size_t n_rings;
    int header_line;       /* line of its "...,@" header, 0 = none */
    long stated_points;    /* 界址点数 of that header, -1 = not stated */
    double stated_area_ha; /* 地块面积 of that header (hectares), < 0 = not stated */
    int area_decimals;     /* decimals the header wrote the area with */
    size_t point_lines;    /* coordinate lines read for it, closing repeats included */
    int last_line;         /* line of its last point */
} gm_corner_block;

typedef struct gm_corner_kv {
    char *key, *value;
    int line;
} gm_corner_kv;

/* How plain numbers in degrees (28.1630) are read. */
typedef enum gm_angle_format {
    GM_ANGLES_UNSTATED = 0,
    GM_ANGLES_DECIMAL, /* decimal degrees: 28.1630 = 28.163 degrees */
    GM_ANGLES_PACKED   /* ddd.mmss: 28.1630 = 28 degrees 16 minutes 30 seconds */
} gm_angle_format;

typedef struct gm_corner_file {
    gm_corner_block *blocks;
    size_t n_blocks;
    int zone;           /* from a 带号= line, 0 = not stated */
    int zone_width;     /* from 几度分带= / 分带=: 3 or 6, 0 = not stated */
    char crs_name[128]; /* from 坐标系=, "" = not stated */
    int crs_line;       /* its line */
    int crs_title_line; /* crs_name is instead a title line naming a 坐标系 */
    gm_corner_kv *keys; /* every key=value line, in file order */
    size_t n_keys;
    int geographic;       /* the coordinates are degrees: x latitude, y longitude */
    int angles;           /* gm_angle_format plain degree numbers were read with */
    char angles_why[320]; /* where that came from ("--dms", "line 3: 坐标格式=度分秒") */
} gm_corner_file;

typedef struct gm_corners_options {
    gm_angle_format angles; /* --dms / --decimal-degrees; UNSTATED = from the file */
} gm_corners_options;

/* Decodes a text file's bytes to UTF-8 (*out, NUL-terminated, free()): a
 * UTF-8 or UTF-16 BOM decides; else valid UTF-8 is UTF-8; else `encoding`
 * (iconv name, e.g. "GBK"), else GB18030 (which includes GBK and GB2312).
 * `used` receives the encoding's name. Returns GM_OK, or GM_ERR_OPEN with
 * the message "NAME line N: not valid ENC" on ctx when the bytes are not in it. */
int gm_corners_decode(gm_context *ctx, const char *bytes, size_t len, const char *encoding,
                      const char *name, char *used, size_t usedlen, char **out);

/* Parses `text` (UTF-8, optional BOM, LF or CRLF). `name` labels messages.
 * On a malformed or ambiguous line returns GM_ERR_GEOMETRY with the message
 * "NAME line N: ..." on ctx. Rings are returned as written: closing them and
 * checking point counts and areas is the caller's. Free *out with
 * gm_corners_free(). */
int gm_corners_parse(gm_context *ctx, const char *text, const char *name, gm_corner_file **out);
int gm_corners_parse_opts(gm_context *ctx, const char *text, const char *name,
                          const gm_corners_options *opts, gm_corner_file **out);
void gm_corners_free(gm_corner_file *f);

/* The value of header key `key` (the last one given), or NULL. */
const char *gm_corners_key(const gm_corner_file *f, const char *key, int *line);

/* Splits a prefixed Gauss-Kruger easting: 37512345.67 -> zone 37, 512345.67.
 * Returns the zone, or 0 when y carries no prefix (integer part < 8 digits). */
int gm_gk_zone_prefix(double y, double *easting);

/* Reads one angle: 113°16′00.000″, 113°16'00", 113度16分00秒, "113 16 00.000",
 * or a plain number (decimal degrees or ddd.mmss by `format`), into *deg.
 * GM_ERR_GEOMETRY when `t` is no angle ("'T' is not a number") or a broken
 * one ("'T': minutes 61 is not below 60"). */
int gm_parse_angle(gm_context *ctx, const char *t, gm_angle_format format, double *deg);

#endif
