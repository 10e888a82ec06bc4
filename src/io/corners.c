/*
 * corners.c -- parser of corner-point files (拐点坐标). The forms accepted are
 * those of docs/check.md: plain "点号,X,Y" tables (comma, tab or spaces), the
 * mining-right form with "*,..." lines ending each block, the land-survey
 * exchange form ("[属性描述]" keys, "...,@" block headers, "点号,圈号,X,Y"
 * points). Anything that looks like a point but is not one is an error
 * naming the line: a wrong guess here would silently move a mine.
 */
#include "io/corners.h"

#include <greenmine/context.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 16

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
    free(f->blocks);
    free(f);
}

static char *trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Splits on commas/semicolons (empty fields kept) or, without them, on runs
 * of blanks. Full-width commas count as commas. Trailing empty fields (a
 * spreadsheet's trailing comma) are dropped. */
static int tokenize(char *line, char **tok)
{
    for (char *p = line; *p; p++) { /* "，" (EF BC 8C) and "；" (EF BC 9B) -> ASCII */
        if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBC &&
            ((unsigned char)p[2] == 0x8C || (unsigned char)p[2] == 0x9B)) {
            p[0] = ',', p[1] = ' ', p[2] = ' ';
        }
    }
    int n = 0;
    if (strpbrk(line, ",;")) {
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
    return *end == '\0' && isfinite(*v);
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

static int looks_numeric(const char *t)
{
    double v;
    return parse_number(t, &v);
}

typedef struct parser {
    gm_corner_file *f;
    gm_corner_block *blk; /* current block, NULL = none yet */
    gm_corner_ring *ring; /* current ring */
    char first_id[32];    /* point number of the ring's first point */
    long ring_no;         /* 圈号 of the current ring (-1 = no such column) */
    char pending_name[96];
    int oom;
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
        if (p->pending_name[0]) p->blk->name = strdup(p->pending_name);
        p->pending_name[0] = '\0';
    }
    gm_corner_ring *r = realloc(p->blk->rings, (p->blk->n_rings + 1) * sizeof *r);
    if (!r) return p->oom = 1, NULL;
    p->blk->rings = r;
    p->ring = &r[p->blk->n_rings++];
    memset(p->ring, 0, sizeof *p->ring);
    return p->ring;
}

static int add_point(parser *p, const char *id, long ring_no, double x, double y, int line)
{
    gm_corner_ring *r = p->ring;
    int restart = 0;
    if (r && ring_no >= 0 && ring_no != p->ring_no) restart = 1; /* 圈号 changed */
    if (r && r->closed) restart = 1; /* the previous ring was closed: a new one */
    /* The ring's first point number again, elsewhere: numbering restarted. */
    if (r && !restart && id && r->n >= 3 && strcmp(id, p->first_id) == 0 &&
        (x != r->x[0] || y != r->y[0]))
        restart = 1;
    if (!r || restart) {
        if (!(r = new_ring(p, line))) return -1;
        snprintf(p->first_id, sizeof p->first_id, "%s", id ? id : "");
        p->ring_no = ring_no;
    }
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
        if (!nx || !ny || !nl) return p->oom = 1, -1;
        r->cap = c;
    }
    r->x[r->n] = x, r->y[r->n] = y, r->line[r->n] = line;
    r->n++;
    return 0;
}

/* "带号=38", "几度分带=3", "坐标系=2000国家大地坐标系" */
static void key_value(parser *p, char *line)
{
    char *eq = strchr(line, '=');
    *eq = '\0';
    char *key = trim(line), *val = trim(eq + 1);
    if (strcmp(key, "带号") == 0)
        p->f->zone = atoi(val);
    else if (strcmp(key, "几度分带") == 0 || strcmp(key, "分带") == 0)
        p->f->zone_width = atoi(val);
    else if (strcmp(key, "坐标系") == 0)
        snprintf(p->f->crs_name, sizeof p->f->crs_name, "%s", val);
}

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(err, errlen, __VA_ARGS__);                                                        \
        rc = GM_ERR_GEOMETRY;                                                                      \
        goto done;                                                                                 \
    } while (0)

int gm_corners_parse(const char *text, const char *name, gm_corner_file **out, char *err,
                     size_t errlen)
{
    *out = NULL;
    int rc = GM_OK;
    parser p = {.ring_no = -1};
    p.f = calloc(1, sizeof *p.f);
    char *copy = strdup(text);
    if (!p.f || !copy) {
        snprintf(err, errlen, "out of memory");
        rc = GM_ERR_NOMEM;
        goto done;
    }
    char *cur = copy;
    if ((unsigned char)cur[0] == 0xEF && (unsigned char)cur[1] == 0xBB &&
        (unsigned char)cur[2] == 0xBF)
        cur += 3; /* UTF-8 BOM */
    for (int lineno = 1; cur; lineno++) {
        char *nl = strchr(cur, '\n');
        if (nl) *nl = '\0';
        char *line = trim(cur);
        cur = nl ? nl + 1 : NULL;
        if (!*line || line[0] == '#' || line[0] == '[') continue;
        if (strchr(line, '=')) {
            key_value(&p, line);
            continue;
        }
        if (line[0] == '*') { /* "*,面积,深度...": the mining-right form ends a block */
            end_block(&p);
            continue;
        }
        if (strchr(line, '@')) { /* "点数,面积,地块号,地块名称,面,...,@": a new block */
            end_block(&p);
            char *tok[MAX_TOKENS];
            int n = tokenize(line, tok);
            const char *label = n > 3 && tok[3][0] ? tok[3] : n > 2 ? tok[2] : "";
            snprintf(p.pending_name, sizeof p.pending_name, "%s", label);
            continue;
        }
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", line);
        char *tok[MAX_TOKENS];
        int n = tokenize(buf, tok);
        if (n == 0) continue;
        if (!is_point_id(tok[0]) && !looks_numeric(tok[0])) {
            /* A title ("点号 X坐标 Y坐标", "矿区2"): between points, a new block. */
            end_block(&p);
            if (n == 1) snprintf(p.pending_name, sizeof p.pending_name, "%s", tok[0]);
            continue;
        }
        double v[3];
        const char *id = tok[0];
        int first = 1;
        if (n == 2 && looks_numeric(tok[0]) && (strchr(tok[0], '.') || atof(tok[0]) > 1e5)) {
            id = NULL; /* "X,Y" without a point number */
            first = 0;
        }
        int coords = n - first;
        if (coords < 2)
            FAIL("%s line %d: missing coordinate (expected 点号,X,Y): '%s'", name, lineno, line);
        if (coords > 3)
            FAIL("%s line %d: %d columns; expected 点号,X,Y or 点号,圈号,X,Y: '%s'", name, lineno,
                 n, line);
        for (int k = 0; k < coords; k++) {
            const char *t = tok[first + k];
            if (!*t) FAIL("%s line %d: missing coordinate: '%s'", name, lineno, line);
            if (!parse_number(t, &v[k]))
                FAIL("%s line %d: '%s' is not a number: '%s'", name, lineno, t, line);
        }
        long ring_no = -1;
        double x = v[0], y = v[1];
        if (coords == 3) {
            if (v[0] != floor(v[0]) || v[0] < 0)
                FAIL("%s line %d: ring number (圈号) '%s' is not a whole number", name, lineno,
                     tok[first]);
            ring_no = (long)v[0];
            x = v[1], y = v[2];
        }
        if (add_point(&p, id, ring_no, x, y, lineno) != 0) {
            snprintf(err, errlen, "out of memory");
            rc = GM_ERR_NOMEM;
            goto done;
        }
    }
    if (p.f->n_blocks == 0) {
        snprintf(err, errlen, "%s: no corner points found (expected lines 点号,X,Y)", name);
        rc = GM_ERR_GEOMETRY;
    }
done:
    free(copy);
    if (rc != GM_OK)
        gm_corners_free(p.f);
    else
        *out = p.f;
    return rc;
}
