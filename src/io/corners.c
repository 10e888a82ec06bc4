/*
 * corners.c -- parser of corner-point files (拐点坐标). The forms accepted are
 * those of docs/check.md: plain "点号,X,Y" tables (comma, enumeration comma,
 * tab or spaces), two-column notice tables, the mining-right form with
 * "*,..." lines ending each block, the land-survey exchange form
 * ("[属性描述]" keys, "...,@" block headers, "点号,圈号,X,Y" points), and
 * latitude/longitude in degrees-minutes-seconds or degrees. Anything that
 * looks like a point but is not one, or could be read two ways, is an error
 * naming the line: a wrong guess here would silently move a mine.
 */
#include "io/corners.h"

#include "core/context_impl.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_TOKENS 24

int gm_gk_zone_prefix(double y, double *easting)
{
    *easting = y;
    if (!(fabs(y) >= 1e7) || !(fabs(y) < 1e8)) return 0; /* 8-digit integer part only */
    int zone = (int)floor(y / 1e6);
    *easting = y - zone * 1e6;
    return zone;
}

void gm_corners_free(gm_corner_file *f)
{
    if (!f) return;
    for (size_t b = 0; b < f->n_blocks; b++) {
        gm_corner_block *blk = &f->blocks[b];
        for (size_t r = 0; r < blk->n_rings; r++)
            free(blk->rings[r].x), free(blk->rings[r].y), free(blk->rings[r].line);
        free(blk->rings);
        free(blk->name);
    }
    for (size_t k = 0; k < f->n_keys; k++)
        free(f->keys[k].key), free(f->keys[k].value);
    free(f->keys);
    free(f->blocks);
    free(f);
}

const char *gm_corners_key(const gm_corner_file *f, const char *key, int *line)
{
    for (size_t k = f->n_keys; k-- > 0;)
        if (strcmp(f->keys[k].key, key) == 0) {
            if (line) *line = f->keys[k].line;
            return f->keys[k].value;
        }
    return NULL;
}

/* ---- encodings ----------------------------------------------------------- */

/* Length of the valid UTF-8 prefix of s[0..len). */
static size_t utf8_valid_prefix(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (!n || i + n > len || (n == 2 && c < 0xC2)) return i;
        for (size_t k = 1; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80) return i;
        if (n == 3 && c == 0xE0 && s[i + 1] < 0xA0) return i; /* overlong */
        if (n == 4 && (c > 0xF4 || (c == 0xF0 && s[i + 1] < 0x90))) return i;
        i += n;
    }
    return i;
}

static int line_of(const char *s, size_t upto)
{
    int line = 1;
    for (size_t i = 0; i < upto; i++)
        line += s[i] == '\n';
    return line;
}

/* GM_OK; GM_ERR_USAGE (iconv knows no `from`), GM_ERR_NOMEM, or GM_ERR_OPEN
 * (not in `from` from byte *bad on); the caller words it. */
static int convert(const char *bytes, size_t len, const char *from, char **out, size_t *bad)
{
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1) return GM_ERR_USAGE;
    size_t cap = len * 4 + 16;
    char *buf = malloc(cap);
    if (!buf) {
        iconv_close(cd);
        return GM_ERR_NOMEM;
    }
    char *in = (char *)bytes, *o = buf;
    size_t inleft = len, outleft = cap - 1;
    size_t r = iconv(cd, &in, &inleft, &o, &outleft);
    iconv_close(cd);
    if (r == (size_t)-1) {
        *bad = (size_t)(in - bytes);
        free(buf);
        return GM_ERR_OPEN;
    }
    *o = '\0';
    *out = buf;
    return GM_OK;
}

int gm_corners_decode(gm_context *ctx, const char *bytes, size_t len, const char *encoding,
                      const char *name, char *used, size_t usedlen, char **out)
{
    const unsigned char *u = (const unsigned char *)bytes;
    *out = NULL;
    const char *from = NULL;
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        from = "UTF-8"; /* the BOM says so */
    else if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE)
        from = "UTF-16LE", bytes += 2, len -= 2;
    else if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF)
        from = "UTF-16BE", bytes += 2, len -= 2;
    else if (utf8_valid_prefix(u, len) == len)
        from = "UTF-8";
    else
        from = encoding && *encoding ? encoding : "GB18030";
    snprintf(used, usedlen, "%s", from);
    if (strcmp(from, "UTF-8") == 0) {
        size_t ok = utf8_valid_prefix(u, len);
        if (ok != len) {
            return gm_error(ctx, GM_ERR_OPEN,
                            "%s line %d: not valid UTF-8 although the file starts with a BOM", name,
                            line_of(bytes, ok));
        }
        if (memchr(bytes, '\0', len)) {
            return gm_error(
                ctx, GM_ERR_OPEN, "%s line %d: a NUL byte: not a text file", name,
                line_of(bytes, (size_t)((const char *)memchr(bytes, '\0', len) - bytes)));
        }
        *out = malloc(len + 1);
        if (!*out) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        memcpy(*out, bytes, len);
        (*out)[len] = '\0';
        return GM_OK;
    }
    size_t bad = 0;
    int r = convert(bytes, len, from, out, &bad);
    if (r == GM_ERR_USAGE)
        return gm_error(ctx, r, "--encoding %s: not an encoding iconv knows", from);
    if (r == GM_ERR_NOMEM) return gm_error(ctx, r, "out of memory");
    if (r == GM_ERR_OPEN)
        return gm_error(ctx, r,
                        "%s line %d: neither UTF-8 nor %s (byte %zu); give --encoding with the "
                        "file's encoding",
                        name, line_of(bytes, bad), from, bad + 1);
    return GM_OK;
}

/* ---- lines and tokens ---------------------------------------------------- */

static char *trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

#define SEP_MARK '\x01'

static int starts(const char *p, const char *utf8)
{
    return strncmp(p, utf8, strlen(utf8)) == 0;
}

static const char *const deg_marks[] = {"°", "º", "˚", "度", NULL};
static const char *const min_marks[] = {"′", "'", "’", "分", "＇", NULL};
static const char *const sec_marks[] = {"″", "\"", "”", "秒", "′′", "''", "’’", NULL};

static size_t match_mark(const char *p, const char *const *marks)
{
    size_t best = 0; /* the longest ("′′" before "′") */
    for (int k = 0; marks[k]; k++)
        if (starts(p, marks[k]) && strlen(marks[k]) > best) best = strlen(marks[k]);
    return best;
}

/* The marks ending a degree, minute or second (after which a blank before
 * the next number is no field separator). */
static const char *const angle_marks[] = {"°",  "º",  "˚", "度", "′", "'",  "’",
                                          "分", "＇", "″", "\"", "”", "秒", NULL};

/* In place: full-width digits, signs and separators to ASCII; the
 * enumeration comma "、" and "|" become field separators (commas when the
 * line has commas, else blanks); blanks after an angle mark are dropped. */
static void normalise_line(char *s)
{
    char *w = s;
    for (const char *p = s; *p;) {
        const unsigned char *u = (const unsigned char *)p;
        if (u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99) { /* ０-９ */
            *w++ = (char)('0' + (u[2] - 0x90)), p += 3;
        } else if (starts(p, "．")) {
            *w++ = '.', p += 3;
        } else if (starts(p, "－")) {
            *w++ = '-', p += 3;
        } else if (starts(p, "＋")) {
            *w++ = '+', p += 3;
        } else if (starts(p, "，")) {
            *w++ = ',', p += 3;
        } else if (starts(p, "；")) {
            *w++ = ';', p += 3;
        } else if (starts(p, "＝")) {
            *w++ = '=', p += 3;
        } else if (starts(p, "　")) { /* ideographic space */
            *w++ = ' ', p += 3;
        } else if (starts(p, "、") || starts(p, "｜")) {
            *w++ = SEP_MARK, p += 3;
        } else if (*p == '|') {
            *w++ = SEP_MARK, p++;
        } else {
            int mark = 0, seconds = 0;
            for (int k = 0; angle_marks[k]; k++)
                if (starts(p, angle_marks[k]) && w > s && isdigit((unsigned char)w[-1])) {
                    size_t n = strlen(angle_marks[k]);
                    seconds = match_mark(angle_marks[k], sec_marks) == n;
                    memmove(w, p, n);
                    w += n, p += n, mark = 1;
                    break;
                }
            /* "28° 14′ 30″": the blank after a degree or minute mark joins the
             * next part when that number ends in a minute or second mark. */
            if (mark && !seconds) {
                const char *q = p;
                while (*q == ' ' || *q == '\t')
                    q++;
                const char *r = q;
                while (isdigit((unsigned char)*r) || *r == '.')
                    r++;
                if (r > q && (match_mark(r, min_marks) || match_mark(r, sec_marks))) p = q;
            }
            if (mark) continue;
            *w++ = *p++;
        }
    }
    *w = '\0';
    char sep = strpbrk(s, ",;") ? ',' : ' ';
    for (char *p = s; *p; p++)
        if (*p == SEP_MARK) *p = sep;
}

/* Splits on commas/semicolons (empty fields kept) or, without them, on runs
 * of blanks. Trailing empty fields (a spreadsheet's trailing comma) are
 * dropped. *comma_mode tells which. */
static int tokenize(char *line, char **tok, int *comma_mode)
{
    int n = 0;
    *comma_mode = strpbrk(line, ",;") != NULL;
    if (*comma_mode) {
        char *p = line;
        while (n < MAX_TOKENS) {
            char *sep = strpbrk(p, ",;");
            if (sep) *sep = '\0';
            tok[n++] = trim(p);
            if (!sep) break;
            p = sep + 1;
        }
    } else {
        char *save = NULL;
        for (char *t = strtok_r(line, " \t", &save); t && n < MAX_TOKENS;
             t = strtok_r(NULL, " \t", &save))
            tok[n++] = t;
    }
    while (n > 0 && tok[n - 1][0] == '\0')
        n--;
    return n;
}

static int parse_number(const char *t, double *v)
{
    if (!*t) return 0;
    char *end;
    *v = strtod(t, &end);
    return *end == '\0' && isfinite(*v) && !isalpha((unsigned char)t[strlen(t) - 1]);
}

/* A point number: 1, 12, J1, J12, JD3, 5a. */
static int is_point_id(const char *t)
{
    const char *p = t;
    int letters = 0;
    while (isalpha((unsigned char)*p) && letters < 3)
        p++, letters++;
    if (!isdigit((unsigned char)*p)) return 0;
    while (isdigit((unsigned char)*p))
        p++;
    if (isalpha((unsigned char)*p)) p++;
    return *p == '\0';
}

/* Its number (J12 -> 12), -1 when it has a letter after the digits or is
 * above 1e9 (no parcel has so many points; the callers add 1 to it, which
 * overflowed at LONG_MAX: fuzz finding 4). */
static long point_number(const char *t)
{
    while (isalpha((unsigned char)*t))
        t++;
    char *end;
    long v = strtol(t, &end, 10);
    return *end || v > 1000000000L ? -1 : v;
}

static int looks_numeric(const char *t)
{
    double v;
    return parse_number(t, &v);
}

/* strcasestr without _GNU_SOURCE: ASCII case-insensitive containment. */
static int ci_contains(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; *s; s++)
        if (strncasecmp(s, needle, n) == 0) return 1;
    return 0;
}

/* ---- angles -------------------------------------------------------------- */

static int read_num(const char **p, double *v, int *integral)
{
    char *end;
    if (!isdigit((unsigned char)**p)) return 0;
    *v = strtod(*p, &end);
    *integral = 1;
    for (const char *q = *p; q < end; q++)
        if (*q == '.') *integral = 0;
    *p = end;
    return 1;
}

/* An angle as written: degrees, minutes, seconds and which were there. */
typedef struct dms {
    double d, m, s;
    int has_m, has_s, d_int, m_int;
    int s_without_m; /* 113°16′′: seconds marks right after the degrees */
} dms;

/* 1 when t is written as degrees-minutes-seconds (a broken one too), with its
 * parts in *a; 0 when it is no angle. */
static int dms_parts(const char *t, dms *a)
{
    *a = (dms){.d_int = 1, .m_int = 1};
    const char *p = t;
    int s_int;
    if (!read_num(&p, &a->d, &a->d_int)) return 0;
    size_t k;
    if (*p == ' ') { /* "113 16 00.000" */
        const char *q = p;
        while (*q == ' ')
            q++;
        if (!read_num(&q, &a->m, &a->m_int)) return 0;
        while (*q == ' ')
            q++;
        a->has_m = 1;
        a->has_s = read_num(&q, &a->s, &s_int);
        return *q == '\0';
    }
    if (!(k = match_mark(p, deg_marks))) return 0;
    p += k;
    if (read_num(&p, &a->m, &a->m_int)) {
        a->has_m = 1;
        if ((k = match_mark(p, sec_marks)) && k > 1 && starts(p, "′′")) {
            a->s_without_m = 1;
            return 1;
        }
        if (!(k = match_mark(p, min_marks))) {
            if (*p) return 0;
        }
        p += k;
        if (read_num(&p, &a->s, &s_int)) {
            a->has_s = 1;
            p += match_mark(p, sec_marks);
        }
    }
    return *p == '\0';
}

static int dms_value(gm_context *ctx, const char *t, const dms *a, double *deg)
{
    if (a->s_without_m) return gm_error(ctx, GM_ERR_GEOMETRY, "'%s': seconds without minutes", t);
    if ((a->has_m && !a->d_int) || (a->has_s && !a->m_int))
        return gm_error(ctx, GM_ERR_GEOMETRY,
                        "'%s': only the last of degrees, minutes, seconds may have decimals", t);
    if (a->m >= 60 || a->s >= 60)
        return gm_error(ctx, GM_ERR_GEOMETRY, "'%s': %s %g is not below 60", t,
                        a->m >= 60 ? "minutes" : "seconds", a->m >= 60 ? a->m : a->s);
    if (a->d > 180) return gm_error(ctx, GM_ERR_GEOMETRY, "'%s': %g degrees", t, a->d);
    *deg = a->d + a->m / 60.0 + a->s / 3600.0;
    return GM_OK;
}

/* A plain number read as ddd.mmss. */
typedef struct packed {
    long d;
    double m, s;
    int neg;
} packed;

/* ddd.mmss from the text (not the double, which would round): 113.160012 =
 * 113 degrees 16 minutes 00.12 seconds; "113.16" = 113 degrees 16 minutes.
 * 0 when t has no integral degrees. Minutes and seconds are not checked. */
static int packed_parts(const char *t, packed *a)
{
    const char *p = t;
    *a = (packed){0};
    if (*p == '+' || *p == '-') a->neg = *p == '-', p++;
    char *end;
    a->d = strtol(p, &end, 10);
    if (end == p) return 0;
    if (*end == '.') {
        const char *f = end + 1;
        size_t n = strlen(f);
        char mm[3] = {f[0] ? f[0] : '0', n > 1 ? f[1] : '0', 0};
        a->m = atof(mm);
        if (n > 2) {
            char ss[64];
            snprintf(ss, sizeof ss, "%c%c.%s", f[2], n > 3 ? f[3] : '0', n > 4 ? f + 4 : "0");
            a->s = atof(ss);
        }
    }
    return 1;
}

static double packed_deg(const packed *a)
{
    return (a->neg ? -1 : 1) * (a->d + a->m / 60.0 + a->s / 3600.0);
}

/* 1 when a plain number cannot be ddd.mmss, with the reason (a text kept for
 * the file's angles_why and the error alike) in why. */
static int packed_impossible(const packed *a, char *why, size_t whylen)
{
    if (a->m < 60 && a->s < 60) return 0;
    snprintf(why, whylen, "as ddd.mmss %ld degrees %g minutes %g seconds: %s not below 60", a->d,
             a->m, a->s, a->m >= 60 ? "minutes" : "seconds");
    return 1;
}

int gm_parse_angle(gm_context *ctx, const char *t, gm_angle_format format, double *deg)
{
    double v;
    dms a;
    packed pk;
    char why[160];
    if (!parse_number(t, &v)) {
        if (!dms_parts(t, &a)) return gm_error(ctx, GM_ERR_GEOMETRY, "'%s' is not a number", t);
        return dms_value(ctx, t, &a, deg);
    }
    if (format != GM_ANGLES_PACKED) { /* a plain number */
        *deg = v;
        return GM_OK;
    }
    if (!packed_parts(t, &pk)) return gm_error(ctx, GM_ERR_GEOMETRY, "'%s' is not a number", t);
    if (packed_impossible(&pk, why, sizeof why))
        return gm_error(ctx, GM_ERR_GEOMETRY, "'%s': %s", t, why);
    *deg = packed_deg(&pk);
    return GM_OK;
}

/* An explicit degrees-minutes-seconds token (not a plain number). */
static int is_explicit_angle(const char *t)
{
    dms a;
    return !looks_numeric(t) && dms_parts(t, &a);
}

/* "度分秒", "ddd.mmss": packed; "十进制", "decimal": decimal degrees. */
static int angle_word(const char *s)
{
    if (strstr(s, "度分秒") || ci_contains(s, "dms") || ci_contains(s, "dd.mmss") ||
        strstr(s, "度.分秒"))
        return GM_ANGLES_PACKED;
    if (strstr(s, "十进制") || ci_contains(s, "decimal") || strstr(s, "(度)") ||
        strstr(s, "（度）") || strstr(s, "(°)"))
        return GM_ANGLES_DECIMAL;
    return GM_ANGLES_UNSTATED;
}

/* ---- the parser ---------------------------------------------------------- */

typedef struct pending {
    char id[32];
    double x, y;
    int line, col; /* col 0 = left, 1 = right column */
} pending;

typedef struct parser {
    const char *name;
    gm_corner_file *f;
    gm_corner_block *blk; /* current block, NULL = none yet */
    gm_corner_ring *ring; /* current ring */
    char first_id[32];    /* point number of the ring's first point */
    long ring_no;         /* 圈号 of the current ring (-1 = no such column) */
    char pending_name[96];
    int pending_header; /* the "@" header waiting for its block's first point */
    long pending_points;
    double pending_area;
    int pending_decimals;
    gm_angle_format mode; /* how plain degree numbers are read in this pass */
    int stated, stated_line;
    char stated_what[96];
    int kind, kind_line; /* 1 metres, 2 degrees: of the first point */
    int plain_line;      /* first plain degree number */
    char plain_tok[40];
    int impossible_line; /* first plain degree number that cannot be ddd.mmss */
    char impossible_tok[40];
    char impossible_why[160];
    pending *two; /* a two-column table being read */
    size_t n_two, cap_two;
    int oom;
    gm_context *ctx; /* where a bad line's message goes */
} parser;

static void end_block(parser *p)
{
    p->blk = NULL;
    p->ring = NULL;
}

static gm_corner_ring *new_ring(parser *p, int line)
{
    if (!p->blk) {
        gm_corner_block *b = realloc(p->f->blocks, (p->f->n_blocks + 1) * sizeof *b);
        if (!b) return p->oom = 1, NULL;
        p->f->blocks = b;
        p->blk = &b[p->f->n_blocks++];
        memset(p->blk, 0, sizeof *p->blk);
        p->blk->line = line;
        p->blk->stated_points = -1;
        p->blk->stated_area_ha = -1;
        if (p->pending_name[0]) p->blk->name = strdup(p->pending_name);
        p->pending_name[0] = '\0';
        if (p->pending_header) {
            p->blk->header_line = p->pending_header;
            p->blk->stated_points = p->pending_points;
            p->blk->stated_area_ha = p->pending_area;
            p->blk->area_decimals = p->pending_decimals;
            p->pending_header = 0;
        }
    }
    gm_corner_ring *r = realloc(p->blk->rings, (p->blk->n_rings + 1) * sizeof *r);
    if (!r) return p->oom = 1, NULL;
    p->blk->rings = r;
    p->ring = &r[p->blk->n_rings++];
    memset(p->ring, 0, sizeof *p->ring);
    return p->ring;
}

/* GM_OK, GM_ERR_NOMEM, or GM_ERR_GEOMETRY (a bad line; the message on p->ctx). */
static int add_point(parser *p, const char *id, long ring_no, double x, double y, int line)
{
    gm_corner_ring *r = p->ring;
    int restart = 0;
    if (r && ring_no >= 0 && ring_no != p->ring_no) restart = 1; /* 圈号 changed */
    if (r && r->closed) restart = 1; /* the previous ring was closed: a new one */
    /* The ring's first point number again, elsewhere: numbering restarted;
     * close by (under a metre, or 1e-5 degree): a closing line mistyped. */
    if (r && !restart && id && r->n >= 3 && strcmp(id, p->first_id) == 0 &&
        (x != r->x[0] || y != r->y[0])) {
        double near = p->f->geographic ? 1e-5 : 1.0;
        if (fabs(x - r->x[0]) < near && fabs(y - r->y[0]) < near) {
            gm_error(p->ctx, GM_ERR_GEOMETRY,
                     "%s line %d: point %s repeats line %d's point %s but not its coordinates "
                     "(%.10g, %.10g here, %.10g, %.10g there): a mistyped closing point?",
                     p->name, line, id, r->line[0], id, x, y, r->x[0], r->y[0]);
            return GM_ERR_GEOMETRY;
        }
        restart = 1;
    }
    if (!r || restart) {
        if (!(r = new_ring(p, line))) return GM_ERR_NOMEM;
        snprintf(p->first_id, sizeof p->first_id, "%s", id ? id : "");
        p->ring_no = ring_no;
    }
    p->blk->point_lines++;
    p->blk->last_line = line;
    if (r->n >= 3 && x == r->x[0] && y == r->y[0]) { /* the closing point */
        r->closed = 1;
        return 0;
    }
    if (r->n == r->cap) {
        size_t c = r->cap ? r->cap * 2 : 16;
        double *nx = realloc(r->x, c * sizeof *nx);
        if (nx) r->x = nx;
        double *ny = realloc(r->y, c * sizeof *ny);
        if (ny) r->y = ny;
        int *nl = realloc(r->line, c * sizeof *nl);
        if (nl) r->line = nl;
        if (!nx || !ny || !nl) return p->oom = 1, GM_ERR_NOMEM;
        r->cap = c;
    }
    r->x[r->n] = x, r->y[r->n] = y, r->line[r->n] = line;
    r->n++;
    return 0;
}

static int fail(parser *p, int line, const char *fmt, const char *a, const char *b)
{
    char msg[400];
    /* a long quoted line is cut: its start is enough to find it */
    if (snprintf(msg, sizeof msg, fmt, a, b) >= (int)sizeof msg)
        memcpy(msg + sizeof msg - 4, "...", 4);
    gm_error(p->ctx, GM_ERR_GEOMETRY, "%s line %d: %s", p->name, line, msg);
    return GM_ERR_GEOMETRY;
}

/* "带号=38", "几度分带=3", "坐标系=2000国家大地坐标系", "坐标格式=度分秒": every
 * key is kept; the ones the reading depends on are interpreted. */
static int key_value(parser *p, char *line, int lineno)
{
    char *eq = strchr(line, '=');
    *eq = '\0';
    char *key = trim(line), *val = trim(eq + 1);
    gm_corner_kv *kv = realloc(p->f->keys, (p->f->n_keys + 1) * sizeof *kv);
    if (!kv) return p->oom = 1, GM_ERR_NOMEM;
    p->f->keys = kv;
    kv = &kv[p->f->n_keys++];
    kv->key = strdup(key), kv->value = strdup(val), kv->line = lineno;
    if (!kv->key || !kv->value) return p->oom = 1, GM_ERR_NOMEM;
    if (strcmp(key, "带号") == 0 || strcmp(key, "分带号") == 0) {
        const char *d = val;
        while (*d && !isdigit((unsigned char)*d))
            d++;
        p->f->zone = atoi(d);
        if (!*d) return fail(p, lineno, "带号=%s: no zone number%s", val, "");
    } else if (strcmp(key, "几度分带") == 0 || strcmp(key, "分带") == 0 ||
               strcmp(key, "分带方式") == 0) {
        const char *d = val;
        while (*d && !isdigit((unsigned char)*d))
            d++;
        p->f->zone_width = atoi(d);
        if (p->f->zone_width != 3 && p->f->zone_width != 6)
            return fail(p, lineno, "%s=%s: zones are 3 or 6 degrees wide", key, val);
    } else if (strcmp(key, "坐标系") == 0 || strcmp(key, "坐标系统") == 0 ||
               strcmp(key, "大地基准") == 0) {
        snprintf(p->f->crs_name, sizeof p->f->crs_name, "%s", val);
        p->f->crs_line = lineno;
        p->f->crs_title_line = 0;
    } else if (strcmp(key, "坐标格式") == 0 || strcmp(key, "经纬度格式") == 0 ||
               strcmp(key, "角度格式") == 0 || strcmp(key, "坐标单位") == 0 ||
               strcmp(key, "计量单位") == 0 || strcmp(key, "角度单位") == 0 ||
               strcmp(key, "单位") == 0) {
        int w = angle_word(val);
        if (w && !p->stated) {
            p->stated = w, p->stated_line = lineno;
            snprintf(p->stated_what, sizeof p->stated_what, "%s=%s", key, val);
        }
    }
    return 0;
}

/* One coordinate: metres (a number over 180) or degrees. *deg says which. */
static int coordinate(parser *p, const char *t, double *v, int *deg, int lineno)
{
    if (parse_number(t, v) && fabs(*v) > 180) {
        *deg = 0;
        return 0;
    }
    *deg = 1;
    int plain = looks_numeric(t);
    if (gm_parse_angle(p->ctx, t, plain ? p->mode : GM_ANGLES_DECIMAL, v) != GM_OK)
        return fail(p, lineno, "%s%s", gm_context_errmsg(p->ctx), "");
    if (plain) {
        if (!p->plain_line) {
            p->plain_line = lineno;
            snprintf(p->plain_tok, sizeof p->plain_tok, "%s", t);
        }
        packed pk;
        if (!p->impossible_line && packed_parts(t, &pk) &&
            packed_impossible(&pk, p->impossible_why, sizeof p->impossible_why)) {
            p->impossible_line = lineno;
            snprintf(p->impossible_tok, sizeof p->impossible_tok, "%s", t);
        }
    }
    return 0;
}

/* Both coordinates of a point, and the file's kind (metres or degrees). */
static int point_xy(parser *p, const char *tx, const char *ty, double *x, double *y, int lineno)
{
    int dx, dy;
    if (!*tx || !*ty) return fail(p, lineno, "missing coordinate%s%s", "", "");
    if (coordinate(p, tx, x, &dx, lineno) || coordinate(p, ty, y, &dy, lineno))
        return GM_ERR_GEOMETRY;
    if (dx != dy)
        return fail(p, lineno, "'%s' and '%s': one in degrees, the other in metres", tx, ty);
    int kind = dx ? 2 : 1;
    if (!p->kind) {
        p->kind = kind, p->kind_line = lineno;
        p->f->geographic = dx;
    } else if (p->kind != kind) {
        char other[32];
        snprintf(other, sizeof other, "%d", p->kind_line);
        return fail(p, lineno, "coordinates in %s, but line %s has them in the other unit",
                    dx ? "degrees" : "metres", other);
    }
    return 0;
}

/* A two-column table (拐点 X Y | 拐点 X Y) ends: its points in the order the
 * point numbers tell (down the left column then the right, or across each
 * row); numbers that tell neither are an error. */
static int flush_two(parser *p)
{
    size_t n = p->n_two;
    if (!n) return 0;
    p->n_two = 0;
    pending *t = p->two;
    pending *left[512], *right[512];
    size_t nl = 0, nr = 0;
    for (size_t k = 0; k < n && nl < 512 && nr < 512; k++) {
        if (t[k].col)
            right[nr++] = &t[k];
        else
            left[nl++] = &t[k];
    }
    pending *order[1024];
    /* column-major: left then right; row-major: as stored */
    for (int attempt = 0; attempt < 2; attempt++) {
        size_t m = 0;
        if (attempt == 0) {
            for (size_t k = 0; k < nl; k++)
                order[m++] = left[k];
            for (size_t k = 0; k < nr; k++)
                order[m++] = right[k];
        } else {
            for (size_t k = 0; k < n; k++)
                order[m++] = &t[k];
        }
        int ok = 1;
        for (size_t k = 1; k < m && ok; k++) {
            long a = point_number(order[k - 1]->id), b = point_number(order[k]->id);
            int closing = k == m - 1 && strcmp(order[k]->id, order[0]->id) == 0;
            if (a < 0 || b < 0 || (b != a + 1 && !closing)) ok = 0;
        }
        if (!ok) continue;
        for (size_t k = 0; k < m; k++)
            if (add_point(p, order[k]->id, -1, order[k]->x, order[k]->y, order[k]->line) != 0)
                return p->oom ? GM_ERR_NOMEM : GM_ERR_GEOMETRY;
        return 0;
    }
    char a[64], b[32];
    snprintf(a, sizeof a, "%d-%d", t[0].line, t[n - 1].line);
    snprintf(b, sizeof b, "%s", nr ? right[0]->id : "?");
    return fail(p, t[0].line,
                "a two-column table (lines %s) whose point numbers tell no reading order "
                "(consecutive down the columns or across the rows; the right column starts "
                "at point %s)",
                a, b);
}

static int push_two(parser *p, const char *id, double x, double y, int line, int col)
{
    if (p->n_two == p->cap_two) {
        size_t c = p->cap_two ? p->cap_two * 2 : 32;
        if (c > 1024) return fail(p, line, "a two-column table of over 1000 points%s%s", "", "");
        pending *q = realloc(p->two, c * sizeof *q);
        if (!q) return p->oom = 1, GM_ERR_NOMEM;
        p->two = q, p->cap_two = c;
    }
    pending *q = &p->two[p->n_two++];
    snprintf(q->id, sizeof q->id, "%s", id);
    q->x = x, q->y = y, q->line = line, q->col = col;
    return 0;
}

/* Three blank-separated numbers that are degrees, minutes, seconds. */
static int dms_triple(char **t)
{
    double d, m, s;
    if (!parse_number(t[0], &d) || !parse_number(t[1], &m) || !parse_number(t[2], &s)) return 0;
    return d >= 0 && d <= 180 && d == floor(d) && m >= 0 && m < 60 && m == floor(m) && s >= 0 &&
           s < 60 && !strchr(t[0], '.') && !strchr(t[1], '.');
}

/* One point line (tokens already split); the same returns as add_point. */
static int point_line(parser *p, char **tok, int n, int comma_mode, int lineno, const char *line)
{
    char joined[2][128];
    char *v[MAX_TOKENS] = {0};
    for (int k = 0; k < n; k++)
        v[k] = tok[k];
    /* "1 28 16 00.000 113 16 00.000": degrees, minutes, seconds in blanks */
    if (!comma_mode && (n == 7 || n == 6)) {
        int first = n == 7;
        if (dms_triple(v + first) && dms_triple(v + first + 3) && (first ? is_point_id(v[0]) : 1)) {
            snprintf(joined[0], sizeof joined[0], "%s %s %s", v[first], v[first + 1], v[first + 2]);
            snprintf(joined[1], sizeof joined[1], "%s %s %s", v[first + 3], v[first + 4],
                     v[first + 5]);
            char *id = first ? v[0] : NULL;
            n = first + 2;
            if (first) v[0] = id;
            v[first] = joined[0], v[first + 1] = joined[1];
        }
    }
    /* "1 2705381.95 38348613.52 | 5 2704981.95 38349013.52": two columns */
    if (n == 6 && is_point_id(v[0]) && is_point_id(v[3])) {
        double x0, y0, x1, y1;
        if (point_xy(p, v[1], v[2], &x0, &y0, lineno) || point_xy(p, v[4], v[5], &x1, &y1, lineno))
            return GM_ERR_GEOMETRY;
        if (push_two(p, v[0], x0, y0, lineno, 0) || push_two(p, v[3], x1, y1, lineno, 1))
            return p->oom ? GM_ERR_NOMEM : GM_ERR_GEOMETRY;
        return 0;
    }
    if (p->n_two && n == 3 && is_point_id(v[0])) { /* the last row: left column only */
        double x, y;
        if (point_xy(p, v[1], v[2], &x, &y, lineno)) return GM_ERR_GEOMETRY;
        if (push_two(p, v[0], x, y, lineno, 0)) return p->oom ? GM_ERR_NOMEM : GM_ERR_GEOMETRY;
        return flush_two(p);
    }
    int rc = flush_two(p);
    if (rc) return rc;
    /* "1": the ring's first point number alone closes it */
    if (n == 1 && p->ring && p->ring->n >= 3 && strcmp(v[0], p->first_id) == 0) {
        p->ring->closed = 1;
        p->blk->point_lines++;
        p->blk->last_line = lineno;
        return 0;
    }
    const char *id = v[0];
    int first = 1;
    if (n == 2 && (is_explicit_angle(v[0]) ||
                   (looks_numeric(v[0]) && (strchr(v[0], '.') || atof(v[0]) > 1e5)))) {
        id = NULL; /* "X,Y" without a point number */
        first = 0;
    }
    int coords = n - first;
    char what[64];
    snprintf(what, sizeof what, "%d", n);
    if (coords < 2)
        return fail(p, lineno, "missing coordinate (expected 点号,X,Y): '%s'%s", line, "");
    if (coords > 3)
        return fail(p, lineno, "%s columns; expected 点号,X,Y or 点号,圈号,X,Y: '%s'", what, line);
    long ring_no = -1;
    const char *tx = v[first], *ty = v[first + 1];
    if (coords == 3) {
        double rn = 0;
        if (!*v[first]) return fail(p, lineno, "missing coordinate: '%s'%s", line, "");
        if (!parse_number(v[first], &rn) || rn != floor(rn) || rn < 0 || rn > 1e9)
            return fail(p, lineno, "ring number (圈号) '%s' is not a whole number%s", v[first],
                        rn > 1e9 ? " of at most 1,000,000,000" : "");
        ring_no = (long)rn;
        tx = v[first + 1], ty = v[first + 2];
    }
    if (!*tx || !*ty) return fail(p, lineno, "missing coordinate: '%s'%s", line, "");
    double x, y;
    if (point_xy(p, tx, ty, &x, &y, lineno)) return GM_ERR_GEOMETRY;
    return add_point(p, id, ring_no, x, y, lineno);
}

/* "界址点数,地块面积,地块编号,地块名称,面,图幅号,用途,地类编码,@" */
static int block_header(parser *p, char *line, int lineno)
{
    end_block(p);
    char *tok[MAX_TOKENS];
    int comma;
    int n = tokenize(line, tok, &comma);
    const char *label = n > 3 && tok[3][0] ? tok[3] : n > 2 ? tok[2] : "";
    snprintf(p->pending_name, sizeof p->pending_name, "%s", label);
    p->pending_header = lineno;
    p->pending_points = -1;
    p->pending_area = -1;
    p->pending_decimals = 0;
    double v = 0;
    if (n > 0 && tok[0][0] && strcmp(tok[0], "@") != 0) {
        if (!parse_number(tok[0], &v) || v != floor(v) || v < 0 || v > 1e9)
            return fail(p, lineno, "block header: 界址点数 '%s' is not a whole number%s", tok[0],
                        v > 1e9 ? " of at most 1,000,000,000" : "");
        p->pending_points = (long)v;
    }
    if (n > 1 && tok[1][0] && strcmp(tok[1], "@") != 0) {
        if (!parse_number(tok[1], &v) || v < 0)
            return fail(p, lineno, "block header: 地块面积 '%s' is not a number%s", tok[1], "");
        p->pending_area = v;
        const char *dot = strchr(tok[1], '.');
        p->pending_decimals = dot ? (int)strlen(dot + 1) : 0;
    }
    return 0;
}

static int parse_pass(parser *p, const char *text)
{
    char *copy = strdup(text);
    if (!copy) return p->oom = 1, GM_ERR_NOMEM;
    char *cur = copy;
    int rc = 0;
    if ((unsigned char)cur[0] == 0xEF && (unsigned char)cur[1] == 0xBB &&
        (unsigned char)cur[2] == 0xBF)
        cur += 3; /* UTF-8 BOM */
    for (int lineno = 1; cur && rc == 0; lineno++) {
        char *nl = strchr(cur, '\n');
        if (nl) *nl = '\0';
        char *line = trim(cur);
        cur = nl ? nl + 1 : NULL;
        if (!*line || line[0] == '#' || line[0] == '[' || starts(line, "【"))
            continue; /* blank, comment, [属性描述] / 【地块坐标】 section */
        normalise_line(line);
        line = trim(line);
        if (strchr(line, '=')) {
            if ((rc = flush_two(p)) == 0) rc = key_value(p, line, lineno);
            continue;
        }
        if (line[0] == '*') { /* "*,面积,开采标高上限,下限,,块段号": ends a block */
            if ((rc = flush_two(p)) == 0) end_block(p);
            continue;
        }
        if (strchr(line, '@')) { /* "点数,面积,地块号,地块名称,面,...,@": a new block */
            if ((rc = flush_two(p)) == 0) rc = block_header(p, line, lineno);
            continue;
        }
        char buf[1024], shown[1024];
        snprintf(buf, sizeof buf, "%s", line);
        snprintf(shown, sizeof shown, "%s", line);
        char *tok[MAX_TOKENS];
        int comma;
        int n = tokenize(buf, tok, &comma);
        if (n == 0) continue;
        int closing_number = n == 1 && p->ring && strcmp(tok[0], p->first_id) == 0;
        if (!closing_number && !is_point_id(tok[0]) && !looks_numeric(tok[0]) &&
            !is_explicit_angle(tok[0]) && !(n >= 3 && dms_triple(tok))) {
            /* A title ("点号 X坐标 Y坐标", "矿区2", "拐点 纬度(度分秒) 经度"):
             * between points, a new block; its unit words are read. */
            if ((rc = flush_two(p)) != 0) break;
            /* "拐点坐标（1980西安坐标系）": a title naming the datum states it,
             * unless a 坐标系= line does. */
            if ((strstr(shown, "坐标系") || ci_contains(shown, "CGCS")) && !p->f->crs_line) {
                snprintf(p->f->crs_name, sizeof p->f->crs_name, "%.120s", shown);
                p->f->crs_title_line = lineno;
            }
            int w = angle_word(shown);
            if (w && !p->stated) {
                p->stated = w, p->stated_line = lineno;
                snprintf(p->stated_what, sizeof p->stated_what, "the column title '%.60s'", shown);
            }
            end_block(p);
            if (n == 1) snprintf(p->pending_name, sizeof p->pending_name, "%s", tok[0]);
            continue;
        }
        rc = point_line(p, tok, n, comma, lineno, shown);
    }
    if (rc == 0) rc = flush_two(p);
    free(copy);
    return rc;
}

static void free_blocks(gm_corner_file *f)
{
    gm_corner_kv *keys = f->keys;
    size_t n_keys = f->n_keys;
    f->keys = NULL, f->n_keys = 0;
    gm_corner_file tmp = *f;
    for (size_t b = 0; b < tmp.n_blocks; b++) {
        gm_corner_block *blk = &tmp.blocks[b];
        for (size_t r = 0; r < blk->n_rings; r++)
            free(blk->rings[r].x), free(blk->rings[r].y), free(blk->rings[r].line);
        free(blk->rings);
        free(blk->name);
    }
    free(tmp.blocks);
    for (size_t k = 0; k < n_keys; k++)
        free(keys[k].key), free(keys[k].value);
    free(keys);
    memset(f, 0, sizeof *f);
}

int gm_corners_parse_opts(gm_context *ctx, const char *text, const char *name,
                          const gm_corners_options *opts, gm_corner_file **out)
{
    *out = NULL;
    gm_angle_format cli = opts ? opts->angles : GM_ANGLES_UNSTATED;
    int rc = GM_OK;
    parser p = {.ring_no = -1, .name = name, .ctx = ctx, .mode = cli};
    p.f = calloc(1, sizeof *p.f);
    if (!p.f) goto oom;
    /* Pass 1 reads plain degree numbers as the options say (else decimal);
     * the file's own statement and what its numbers allow decide pass 2. */
    int r = parse_pass(&p, text);
    if (r == GM_ERR_NOMEM || p.oom) goto oom;
    if (r == GM_ERR_GEOMETRY) {
        rc = GM_ERR_GEOMETRY;
        goto done;
    }
    gm_angle_format want = cli;
    if (cli && p.stated && (int)cli != p.stated) {
        rc = gm_error(ctx, GM_ERR_USAGE, "%s line %d: %s says %s, but %s says %s", name,
                      p.stated_line, p.stated_what,
                      p.stated == GM_ANGLES_PACKED ? "ddd.mmss" : "decimal degrees",
                      cli == GM_ANGLES_PACKED ? "--dms" : "--decimal-degrees",
                      cli == GM_ANGLES_PACKED ? "ddd.mmss" : "decimal degrees");
        goto done;
    }
    if (cli)
        snprintf(p.f->angles_why, sizeof p.f->angles_why, "%s",
                 cli == GM_ANGLES_PACKED ? "--dms" : "--decimal-degrees");
    else if (p.stated) {
        want = (gm_angle_format)p.stated;
        snprintf(p.f->angles_why, sizeof p.f->angles_why, "line %d: %s", p.stated_line,
                 p.stated_what);
    }
    if (p.plain_line && !want) {
        if (!p.impossible_line) {
            double dv = atof(p.plain_tok), pv = 0;
            packed pk;
            if (packed_parts(p.plain_tok, &pk)) pv = packed_deg(&pk);
            rc = gm_error(ctx, GM_ERR_GEOMETRY,
                          "%s line %d: '%s' may be decimal degrees (%.6f) or ddd.mmss (%.6f "
                          "degrees): say which with --dms or --decimal-degrees, or a line "
                          "坐标格式=度分秒 / 坐标格式=十进制度",
                          name, p.plain_line, p.plain_tok, dv, pv);
            goto done;
        }
        want = GM_ANGLES_DECIMAL; /* ddd.mmss is impossible: decimal is no guess */
        snprintf(p.f->angles_why, sizeof p.f->angles_why, "line %d: '%s' cannot be ddd.mmss (%s)",
                 p.impossible_line, p.impossible_tok, p.impossible_why);
    }
    if (p.plain_line && want != p.mode) { /* pass 2 with the format decided */
        char why[320];
        snprintf(why, sizeof why, "%s", p.f->angles_why);
        free_blocks(p.f);
        snprintf(p.f->angles_why, sizeof p.f->angles_why, "%s", why);
        p = (parser){.ring_no = -1,
                     .name = name,
                     .ctx = ctx,
                     .mode = want,
                     .f = p.f,
                     .two = p.two,
                     .cap_two = p.cap_two};
        r = parse_pass(&p, text);
        if (r == GM_ERR_NOMEM || p.oom) goto oom;
        if (r == GM_ERR_GEOMETRY) {
            rc = GM_ERR_GEOMETRY;
            goto done;
        }
    }
    p.f->angles = p.plain_line ? want : GM_ANGLES_UNSTATED;
    if (p.f->n_blocks == 0) {
        rc = gm_error(ctx, GM_ERR_GEOMETRY, "%s: no corner points found (expected lines 点号,X,Y)",
                      name);
    }
    goto done;
oom:
    rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
done:
    free(p.two);
    if (rc != GM_OK)
        gm_corners_free(p.f);
    else
        *out = p.f;
    return rc;
}

int gm_corners_parse(gm_context *ctx, const char *text, const char *name, gm_corner_file **out)
{
    return gm_corners_parse_opts(ctx, text, name, NULL, out);
}
