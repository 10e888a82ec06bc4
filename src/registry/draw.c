/*
 * draw.c -- the spot-check draw of docs/draw.md: the published lists' exact
 * bytes, the SHA-256 stream, uniform integers by rejection, Fisher-Yates, the
 * county floor and the inspector rules. docs/draw.md is the specification;
 * tests/cli/draw_reference.py reimplements it from there, so any change here
 * is a change of the published algorithm and must go there first.
 */
#include "registry/draw_impl.h"

#include "core/context_impl.h"
#include "core/text.h"

#include <greenmine/draw.h>

#include <openssl/sha.h>

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growable byte buffer ---------------------------------------------- */

int gm_dbuf_add(gm_dbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p) return GM_ERR_NOMEM;
        b->data = p, b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return GM_OK;
}

/* One cell of docs/draw.md section 2: quoted, '"' doubled, a leading ' before
 * = + - @ ' (no spreadsheet runs it as a formula, and reading it back is
 * unambiguous). */
int gm_dbuf_cell(gm_dbuf *b, const char *v, int last)
{
    if (!v) v = "";
    int rc = gm_dbuf_add(b, "\"", 1);
    if (rc == GM_OK && strchr("=+-@'", v[0]) && v[0]) rc = gm_dbuf_add(b, "'", 1);
    for (const char *p = v; rc == GM_OK && *p; p++)
        rc = *p == '"' ? gm_dbuf_add(b, "\"\"", 2) : gm_dbuf_add(b, p, 1);
    if (rc == GM_OK) rc = gm_dbuf_add(b, last ? "\"\n" : "\",", 2);
    return rc;
}

/* Splits one canonical line (no LF) into cells, decoded; NULL when the line
 * is not in the canonical form. Free with gm_cells_free. */
char **gm_cells_read(const char *line, size_t len, size_t *n)
{
    char **cells = NULL;
    size_t nc = 0, i = 0;
    while (i < len) {
        if (line[i] != '"') goto bad;
        i++;
        char *v = malloc(len + 1);
        if (!v) goto bad;
        size_t k = 0;
        for (;;) {
            if (i >= len) {
                free(v);
                goto bad;
            }
            if (line[i] == '"') {
                if (i + 1 < len && line[i + 1] == '"') {
                    v[k++] = '"', i += 2;
                    continue;
                }
                i++;
                break;
            }
            v[k++] = line[i++];
        }
        v[k] = '\0';
        if (v[0] == '\'') memmove(v, v + 1, k);
        char **grown = realloc(cells, (nc + 2) * sizeof *cells);
        if (!grown) {
            free(v);
            goto bad;
        }
        cells = grown;
        cells[nc++] = v;
        cells[nc] = NULL;
        if (i < len) {
            if (line[i] != ',' || i + 1 == len) goto bad;
            i++;
        }
    }
    if (!cells) cells = calloc(1, sizeof *cells);
    *n = nc;
    return cells;
bad:
    gm_cells_free(cells, nc);
    return NULL;
}

void gm_cells_free(char **cells, size_t n)
{
    if (!cells) return;
    for (size_t i = 0; i < n; i++)
        free(cells[i]);
    free(cells);
}

/* ---- the lists ------------------------------------------------------------ */

static int bytes_cmp(const char *a, const char *b)
{
    return strcmp(a, b);
}

static int mine_cmp(const void *a, const void *b)
{
    return bytes_cmp(((const gm_draw_mine *)a)->licence_no, ((const gm_draw_mine *)b)->licence_no);
}
static int inspector_cmp(const void *a, const void *b)
{
    return bytes_cmp(((const gm_draw_inspector *)a)->inspector_id,
                     ((const gm_draw_inspector *)b)->inspector_id);
}
static int str_cmp(const void *a, const void *b)
{
    return bytes_cmp(*(char *const *)a, *(char *const *)b);
}

static char *dup(const char *s)
{
    return strdup(s ? s : "");
}

void gm_draw_inspectors_free(gm_draw_inspector *a, size_t n)
{
    if (!a) return;
    for (size_t i = 0; i < n; i++)
        free(a[i].inspector_id), free(a[i].name), free(a[i].county), free(a[i].agency);
    free(a);
}

static void mines_free(gm_draw_mine *m, size_t n)
{
    if (!m) return;
    for (size_t i = 0; i < n; i++) {
        free(m[i].licence_no), free(m[i].county), free(m[i].industry);
        for (size_t k = 0; k < m[i].n_barred; k++)
            free(m[i].barred[k]);
        free(m[i].barred);
    }
    free(m);
}

void gm_draw_lists_free(gm_draw_lists *l)
{
    if (!l) return;
    mines_free(l->mines, l->n_mines);
    gm_draw_inspectors_free(l->inspectors, l->n_inspectors);
    free(l->mines_csv), free(l->inspectors_csv);
    free(l);
}

void gm_draw_sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(data, len, md);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* A value the lists may carry: UTF-8, no control characters. */
static int check_text(gm_context *ctx, const char *what, const char *key, const char *v)
{
    if (!gm_utf8_valid(v, strlen(v), NULL) || gm_text_has_controls(v)) {
        char *safe = gm_term_escape(key);
        int rc = gm_error(ctx, GM_ERR_USAGE,
                          "%s of %s is not valid UTF-8 text or holds control characters", what,
                          safe ? safe : "?");
        free(safe);
        return rc;
    }
    return GM_OK;
}

static int check_id(gm_context *ctx, const char *what, const char *v)
{
    int rc = check_text(ctx, what, v, v);
    if (rc != GM_OK) return rc;
    if (!v[0]) return gm_error(ctx, GM_ERR_USAGE, "a %s is empty", what);
    if (strchr(v, ';')) {
        char *safe = gm_term_escape(v);
        rc = gm_error(ctx, GM_ERR_USAGE, "%s %s holds ';' (ids are joined with ';')", what,
                      safe ? safe : "?");
        free(safe);
    }
    return rc;
}

static int write_lists(gm_draw_lists *l)
{
    gm_dbuf b = {0};
    int rc = GM_OK;
    static const char *const mh[] = {"licence_no", "county", "industry", "barred"};
    static const char *const ih[] = {"inspector_id", "name", "county", "agency"};
    for (int i = 0; i < 4 && rc == GM_OK; i++)
        rc = gm_dbuf_cell(&b, mh[i], i == 3);
    for (size_t i = 0; i < l->n_mines && rc == GM_OK; i++) {
        const gm_draw_mine *m = &l->mines[i];
        gm_dbuf barred = {0};
        for (size_t k = 0; k < m->n_barred && rc == GM_OK; k++) {
            if (k) rc = gm_dbuf_add(&barred, ";", 1);
            if (rc == GM_OK) rc = gm_dbuf_add(&barred, m->barred[k], strlen(m->barred[k]));
        }
        if (rc == GM_OK) rc = gm_dbuf_cell(&b, m->licence_no, 0);
        if (rc == GM_OK) rc = gm_dbuf_cell(&b, m->county, 0);
        if (rc == GM_OK) rc = gm_dbuf_cell(&b, m->industry, 0);
        if (rc == GM_OK) rc = gm_dbuf_cell(&b, barred.data ? barred.data : "", 1);
        free(barred.data);
    }
    if (rc != GM_OK) {
        free(b.data);
        return rc;
    }
    l->mines_csv = b.data, l->mines_csv_len = b.len;
    b = (gm_dbuf){0};
    for (int i = 0; i < 4 && rc == GM_OK; i++)
        rc = gm_dbuf_cell(&b, ih[i], i == 3);
    for (size_t i = 0; i < l->n_inspectors && rc == GM_OK; i++) {
        const gm_draw_inspector *p = &l->inspectors[i];
        rc = gm_dbuf_cell(&b, p->inspector_id, 0);
        if (rc == GM_OK) rc = gm_dbuf_cell(&b, p->name, 0);
        if (rc == GM_OK) rc = gm_dbuf_cell(&b, p->county, 0);
        if (rc == GM_OK) rc = gm_dbuf_cell(&b, p->agency, 1);
    }
    if (rc != GM_OK) {
        free(b.data);
        return rc;
    }
    l->inspectors_csv = b.data, l->inspectors_csv_len = b.len;
    gm_draw_sha256_hex(l->mines_csv, l->mines_csv_len, l->mines_sha256);
    gm_draw_sha256_hex(l->inspectors_csv, l->inspectors_csv_len, l->inspectors_sha256);
    return GM_OK;
}

int gm_draw_lists_make(gm_context *ctx, const gm_draw_mine *mines, size_t n_mines,
                       const gm_draw_inspector *inspectors, size_t n_inspectors,
                       gm_draw_lists **out)
{
    assert(out);
    gm_draw_lists *l = calloc(1, sizeof *l);
    if (!l) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    int rc = GM_OK;
    l->mines = calloc(n_mines ? n_mines : 1, sizeof *l->mines);
    l->inspectors = calloc(n_inspectors ? n_inspectors : 1, sizeof *l->inspectors);
    if (!l->mines || !l->inspectors) {
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n_inspectors; i++, l->n_inspectors++) {
        gm_draw_inspector *d = &l->inspectors[i];
        const gm_draw_inspector *s = &inspectors[i];
        d->inspector_id = dup(s->inspector_id), d->name = dup(s->name);
        d->county = dup(s->county), d->agency = dup(s->agency);
        if (!d->inspector_id || !d->name || !d->county || !d->agency) {
            l->n_inspectors++;
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            goto done;
        }
        if ((rc = check_id(ctx, "inspector id", d->inspector_id)) != GM_OK ||
            (rc = check_text(ctx, "the name", d->inspector_id, d->name)) != GM_OK ||
            (rc = check_text(ctx, "the county", d->inspector_id, d->county)) != GM_OK ||
            (rc = check_text(ctx, "the agency", d->inspector_id, d->agency)) != GM_OK) {
            l->n_inspectors++;
            goto done;
        }
    }
    qsort(l->inspectors, l->n_inspectors, sizeof *l->inspectors, inspector_cmp);
    for (size_t i = 1; i < l->n_inspectors; i++)
        if (!strcmp(l->inspectors[i].inspector_id, l->inspectors[i - 1].inspector_id)) {
            char *safe = gm_term_escape(l->inspectors[i].inspector_id);
            rc = gm_error(ctx, GM_ERR_USAGE, "inspector id %s appears twice in the roster",
                          safe ? safe : "?");
            free(safe);
            goto done;
        }
    for (size_t i = 0; i < n_mines; i++, l->n_mines++) {
        gm_draw_mine *d = &l->mines[i];
        const gm_draw_mine *s = &mines[i];
        d->licence_no = dup(s->licence_no), d->county = dup(s->county);
        d->industry = dup(s->industry);
        d->barred = calloc(s->n_barred ? s->n_barred : 1, sizeof *d->barred);
        if (!d->licence_no || !d->county || !d->industry || !d->barred) {
            l->n_mines++;
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            goto done;
        }
        for (size_t k = 0; k < s->n_barred; k++, d->n_barred++)
            if (!(d->barred[k] = strdup(s->barred[k]))) {
                l->n_mines++;
                rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
                goto done;
            }
        if ((rc = check_id(ctx, "licence number", d->licence_no)) != GM_OK ||
            (rc = check_text(ctx, "the county", d->licence_no, d->county)) != GM_OK ||
            (rc = check_text(ctx, "the industry", d->licence_no, d->industry)) != GM_OK) {
            l->n_mines++;
            goto done;
        }
        qsort(d->barred, d->n_barred, sizeof *d->barred, str_cmp);
        /* the barred ids are roster members, once each */
        size_t kept = 0;
        for (size_t k = 0; k < d->n_barred; k++) {
            gm_draw_inspector key = {.inspector_id = d->barred[k]};
            if ((kept && !strcmp(d->barred[kept - 1], d->barred[k])) ||
                !bsearch(&key, l->inspectors, l->n_inspectors, sizeof key, inspector_cmp)) {
                free(d->barred[k]);
                continue;
            }
            d->barred[kept++] = d->barred[k];
        }
        d->n_barred = kept;
    }
    qsort(l->mines, l->n_mines, sizeof *l->mines, mine_cmp);
    for (size_t i = 1; i < l->n_mines; i++)
        if (!strcmp(l->mines[i].licence_no, l->mines[i - 1].licence_no)) {
            char *safe = gm_term_escape(l->mines[i].licence_no);
            rc = gm_error(ctx, GM_ERR_USAGE, "licence %s appears twice among the candidates",
                          safe ? safe : "?");
            free(safe);
            goto done;
        }
    if ((rc = write_lists(l)) != GM_OK) rc = gm_error(ctx, rc, "out of memory");
done:
    if (rc != GM_OK) {
        gm_draw_lists_free(l);
        return rc;
    }
    *out = l;
    return GM_OK;
}

/* Splits canonical bytes into lines of cells; every line must have `ncols`. */
static int parse_table(gm_context *ctx, const char *data, size_t len, const char *name,
                       const char *const *header, size_t ncols, char ****rows, size_t *nrows)
{
    *rows = NULL, *nrows = 0;
    if (len == 0 || data[len - 1] != '\n')
        return gm_error(ctx, GM_ERR_USAGE, "%s: empty, or the last line has no line feed", name);
    if (!gm_utf8_valid(data, len, NULL)) return gm_error(ctx, GM_ERR_USAGE, "%s: not UTF-8", name);
    size_t line = 0, start = 0;
    char ***r = NULL;
    size_t n = 0;
    int rc = GM_OK;
    while (start < len) {
        const char *nl = memchr(data + start, '\n', len - start);
        size_t l = (size_t)(nl - (data + start));
        line++;
        size_t nc = 0;
        char **cells = gm_cells_read(data + start, l, &nc);
        if (!cells || nc != ncols) {
            gm_cells_free(cells, nc);
            rc = gm_error(ctx, GM_ERR_USAGE,
                          "%s line %zu: not a line of %zu quoted cells (docs/draw.md, section 2)",
                          name, line, ncols);
            goto done;
        }
        if (line == 1) {
            for (size_t i = 0; i < ncols; i++)
                if (strcmp(cells[i], header[i])) {
                    gm_cells_free(cells, nc);
                    rc = gm_error(ctx, GM_ERR_USAGE, "%s line 1: column %zu is not \"%s\"", name,
                                  i + 1, header[i]);
                    goto done;
                }
            gm_cells_free(cells, nc);
        } else {
            char ***grown = realloc(r, (n + 1) * sizeof *r);
            if (!grown) {
                gm_cells_free(cells, nc);
                rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
                goto done;
            }
            r = grown;
            r[n++] = cells;
        }
        start += l + 1;
    }
done:
    if (rc != GM_OK) {
        for (size_t i = 0; i < n; i++)
            gm_cells_free(r[i], ncols);
        free(r);
        return rc;
    }
    *rows = r, *nrows = n;
    return GM_OK;
}

static void free_table(char ***rows, size_t n, size_t ncols)
{
    for (size_t i = 0; i < n; i++)
        gm_cells_free(rows[i], ncols);
    free(rows);
}

int gm_draw_lists_parse(gm_context *ctx, const char *mines_csv, size_t mines_len,
                        const char *mines_name, const char *inspectors_csv, size_t inspectors_len,
                        const char *inspectors_name, gm_draw_lists **out)
{
    static const char *const mh[] = {"licence_no", "county", "industry", "barred"};
    static const char *const ih[] = {"inspector_id", "name", "county", "agency"};
    char ***mr = NULL, ***ir = NULL;
    size_t nm = 0, ni = 0;
    gm_draw_mine *mines = NULL;
    gm_draw_inspector *insp = NULL;
    gm_draw_lists *l = NULL;
    int rc = parse_table(ctx, mines_csv, mines_len, mines_name, mh, 4, &mr, &nm);
    if (rc == GM_OK)
        rc = parse_table(ctx, inspectors_csv, inspectors_len, inspectors_name, ih, 4, &ir, &ni);
    if (rc != GM_OK) goto done;
    mines = calloc(nm ? nm : 1, sizeof *mines);
    insp = calloc(ni ? ni : 1, sizeof *insp);
    if (!mines || !insp) {
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < ni; i++)
        insp[i] = (gm_draw_inspector){ir[i][0], ir[i][1], ir[i][2], ir[i][3]};
    for (size_t i = 0; i < nm; i++) {
        mines[i] = (gm_draw_mine){mr[i][0], mr[i][1], mr[i][2], NULL, 0};
        char *b = mr[i][3];
        if (!*b) continue;
        size_t k = 1;
        for (char *p = b; *p; p++)
            k += *p == ';';
        mines[i].barred = calloc(k, sizeof(char *));
        if (!mines[i].barred) {
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            goto done;
        }
        for (char *save = NULL, *t = strtok_r(b, ";", &save); t; t = strtok_r(NULL, ";", &save))
            mines[i].barred[mines[i].n_barred++] = t;
    }
    rc = gm_draw_lists_make(ctx, mines, nm, insp, ni, &l);
    if (rc != GM_OK) goto done;
    /* the published bytes must be the canonical ones (sorted, nothing dropped) */
    if (l->mines_csv_len != mines_len || memcmp(l->mines_csv, mines_csv, mines_len)) {
        rc = gm_error(ctx, GM_ERR_USAGE,
                      "%s: not in the canonical form (sorted by licence, barred ids sorted and on "
                      "the roster; docs/draw.md, section 2)",
                      mines_name);
    } else if (l->inspectors_csv_len != inspectors_len ||
               memcmp(l->inspectors_csv, inspectors_csv, inspectors_len)) {
        rc = gm_error(ctx, GM_ERR_USAGE,
                      "%s: not in the canonical form (sorted by inspector id; docs/draw.md, "
                      "section 2)",
                      inspectors_name);
    }
done:
    if (mines)
        for (size_t i = 0; i < nm; i++)
            free(mines[i].barred);
    free(mines), free(insp);
    free_table(mr, nm, 4), free_table(ir, ni, 4);
    if (rc != GM_OK) {
        gm_draw_lists_free(l);
        return rc;
    }
    *out = l;
    return GM_OK;
}

/* ---- share ------------------------------------------------------------------ */

int gm_draw_parse_share(gm_context *ctx, const char *text, int *bp)
{
    const char *p = text;
    long whole = 0, frac = 0;
    int nw = 0, nf = 0;
    while (*p >= '0' && *p <= '9' && nw < 4)
        whole = whole * 10 + (*p++ - '0'), nw++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9' && nf < 3)
            frac = frac * 10 + (*p++ - '0'), nf++;
    }
    while (*p == ' ')
        p++;
    if (*p == '%') p++;
    long v = whole * 100 + (nf == 1 ? frac * 10 : frac);
    if (!nw || *p || nf > 2 || (text[nw] == '.' && nf == 0) || v < 1 || v > 10000)
        return gm_error(ctx, GM_ERR_USAGE,
                        "--share '%s': give a percentage above 0 and at most 100, with at most "
                        "two decimals (5%%, 2.5%%)",
                        text);
    *bp = (int)v;
    return GM_OK;
}

void gm_draw_share_text(int bp, char buf[16])
{
    if (bp % 100 == 0)
        snprintf(buf, 16, "%d", bp / 100);
    else if (bp % 10 == 0)
        snprintf(buf, 16, "%d.%d", bp / 100, bp % 100 / 10);
    else
        snprintf(buf, 16, "%d.%02d", bp / 100, bp % 100);
}

/* ---- the stream --------------------------------------------------------------- */

typedef struct stream {
    unsigned char key[SHA256_DIGEST_LENGTH];
    unsigned char block[SHA256_DIGEST_LENGTH];
    uint64_t next_block;
    size_t used; /* bytes of `block` read */
} stream;

static void stream_init(stream *s, const char *seed)
{
    SHA256((const unsigned char *)seed, strlen(seed), s->key);
    s->next_block = 0;
    s->used = sizeof s->block; /* empty: the first read computes block 0 */
}

static uint64_t next64(stream *s)
{
    uint64_t x = 0;
    for (int i = 0; i < 8; i++) {
        if (s->used == sizeof s->block) {
            unsigned char in[SHA256_DIGEST_LENGTH + 8];
            memcpy(in, s->key, sizeof s->key);
            for (int k = 0; k < 8; k++)
                in[SHA256_DIGEST_LENGTH + k] = (unsigned char)(s->next_block >> (56 - 8 * k));
            SHA256(in, sizeof in, s->block);
            s->next_block++;
            s->used = 0;
        }
        x = x << 8 | s->block[s->used++];
    }
    return x;
}

/* An integer in [0, n), by rejection: only x < 2^64 - (2^64 mod n) is used. */
static uint64_t uniform(stream *s, uint64_t n)
{
    assert(n >= 1);
    uint64_t rem = (0 - n) % n; /* 2^64 mod n */
    for (;;) {
        uint64_t x = next64(s);
        if (x <= UINT64_MAX - rem) return x % n;
    }
}

static void shuffle(stream *s, size_t *a, size_t m)
{
    for (size_t i = m; i-- > 1;) {
        size_t j = (size_t)uniform(s, (uint64_t)i + 1);
        size_t t = a[i];
        a[i] = a[j], a[j] = t;
    }
}

/* ---- the draw ------------------------------------------------------------------- */

static int barred(const gm_draw_mine *m, const char *id)
{
    return bsearch(&id, m->barred, m->n_barred, sizeof *m->barred, str_cmp) != NULL;
}

static int county_rule(const gm_draw_mine *m, const gm_draw_inspector *i)
{
    return !i->county[0] || !m->county[0] || strcmp(i->county, m->county) != 0;
}

void gm_draw_free(gm_draw *d)
{
    if (!d) return;
    free(d->seed), free(d->county), free(d->industry), free(d->drawn_by);
    gm_draw_lists_free(d->lists);
    for (size_t i = 0; i < d->n_picks; i++)
        free(d->picks[i].inspectors);
    free(d->picks), free(d->shortages);
    free(d);
}

/* The lists were checked when made, so copying them can only run out of memory. */
static gm_draw_lists *lists_copy(gm_context *ctx, const gm_draw_lists *l)
{
    gm_draw_lists *c = NULL;
    gm_draw_lists_make(ctx, l->mines, l->n_mines, l->inspectors, l->n_inspectors, &c);
    return c;
}

static char *dup_or_null(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

int gm_draw_compute(gm_context *ctx, const gm_draw_lists *lists, const gm_draw_params *p,
                    gm_draw **out)
{
    assert(out && lists && p);
    size_t c = lists->n_mines;
    if (!p->seed || !p->seed[0])
        return gm_error(ctx, GM_ERR_USAGE, "the seed is empty (give --seed TEXT)");
    if (!gm_utf8_valid(p->seed, strlen(p->seed), NULL) || gm_text_has_controls(p->seed))
        return gm_error(ctx, GM_ERR_USAGE,
                        "the seed is not valid UTF-8 text or holds control characters");
    if (p->per_mine < 1) return gm_error(ctx, GM_ERR_USAGE, "--per-mine must be at least 1");
    if (p->floor_per_county < 0)
        return gm_error(ctx, GM_ERR_USAGE, "--floor-per-county must be 0 or more");
    if (c == 0) return gm_error(ctx, GM_ERR_USAGE, "no candidate mines: nothing to draw from");
    size_t n;
    if (p->share_bp > 0) {
        assert(p->share_bp <= 10000);
        n = (c * (size_t)p->share_bp + 9999) / 10000;
    } else {
        if (p->count < 1 || (size_t)p->count > c)
            return gm_error(ctx, GM_ERR_USAGE, "--count %ld: there are %zu candidate mines",
                            p->count, c);
        n = (size_t)p->count;
    }
    gm_draw *d = calloc(1, sizeof *d);
    size_t *order = malloc(c * sizeof *order);
    unsigned char *sel = calloc(c, 1);
    size_t *elig = malloc((lists->n_inspectors + 1) * sizeof *elig);
    int rc = GM_OK;
    if (!d || !order || !sel || !elig) goto nomem;
    d->date = p->date, d->share_bp = p->share_bp, d->count = p->share_bp ? 0 : p->count;
    d->per_mine = p->per_mine, d->floor_per_county = p->floor_per_county;
    d->seed = strdup(p->seed);
    d->county = dup_or_null(p->county), d->industry = dup_or_null(p->industry);
    if (!d->seed || (p->county && *p->county && !d->county) ||
        (p->industry && *p->industry && !d->industry) || !(d->lists = lists_copy(ctx, lists)))
        goto nomem;

    stream s;
    stream_init(&s, p->seed);
    for (size_t i = 0; i < c; i++)
        order[i] = i;
    shuffle(&s, order, c);

    size_t nsel = 0;
    if (p->floor_per_county > 0)
        for (size_t i = 0; i < c; i++) {
            /* the first F of its county in the shuffled order: count those before it */
            const char *cty = lists->mines[order[i]].county;
            int before = 0;
            for (size_t k = 0; k < i && before < p->floor_per_county; k++)
                before += !strcmp(lists->mines[order[k]].county, cty);
            if (before < p->floor_per_county) sel[i] = 1, nsel++;
        }
    for (size_t i = 0; i < c && nsel < n; i++)
        if (!sel[i]) sel[i] = 1, nsel++;

    d->picks = calloc(nsel, sizeof *d->picks);
    if (!d->picks) goto nomem;
    for (size_t i = 0; i < c; i++)
        if (sel[i]) d->picks[d->n_picks++].mine = order[i];

    /* every pick must have enough eligible inspectors before any is drawn */
    for (size_t k = 0; k < d->n_picks; k++) {
        const gm_draw_mine *m = &lists->mines[d->picks[k].mine];
        gm_draw_shortage sh = {d->picks[k].mine, 0, 0, 0};
        for (size_t i = 0; i < lists->n_inspectors; i++) {
            const gm_draw_inspector *in = &lists->inspectors[i];
            if (!county_rule(m, in))
                sh.by_county++;
            else if (barred(m, in->inspector_id))
                sh.by_history++;
            else
                sh.eligible++;
        }
        if (sh.eligible >= (size_t)p->per_mine) continue;
        gm_draw_shortage *g = realloc(d->shortages, (d->n_shortages + 1) * sizeof *g);
        if (!g) goto nomem;
        d->shortages = g;
        d->shortages[d->n_shortages++] = sh;
    }
    if (d->n_shortages) {
        /* the first mine in the message; every one is in d->shortages */
        const gm_draw_shortage *sh = &d->shortages[0];
        const gm_draw_mine *m = &lists->mines[sh->mine];
        char *lic = gm_term_escape(m->licence_no), *cty = gm_term_escape(m->county);
        char msg[1024];
        snprintf(msg, sizeof msg,
                 "the draw cannot be done: the inspector rules leave %zu drawn mine%s fewer than "
                 "%d inspectors (nothing drawn); mine %s (%s): %zu on the roster, %zu from its "
                 "own county, %zu verified or inspected it in the last two years, %zu eligible",
                 d->n_shortages, d->n_shortages == 1 ? "" : "s", p->per_mine, lic ? lic : "?",
                 cty && *cty ? cty : "no county", lists->n_inspectors, sh->by_county,
                 sh->by_history, sh->eligible);
        free(lic), free(cty);
        for (size_t k = 0; k < d->n_picks; k++)
            free(d->picks[k].inspectors);
        free(d->picks);
        d->picks = NULL, d->n_picks = 0;
        free(order), free(sel), free(elig);
        *out = d;
        return gm_error(ctx, GM_ERR_USAGE, "%s", msg);
    }
    for (size_t k = 0; k < d->n_picks; k++) {
        const gm_draw_mine *m = &lists->mines[d->picks[k].mine];
        size_t ne = 0;
        for (size_t i = 0; i < lists->n_inspectors; i++)
            if (county_rule(m, &lists->inspectors[i]) &&
                !barred(m, lists->inspectors[i].inspector_id))
                elig[ne++] = i;
        shuffle(&s, elig, ne);
        d->picks[k].inspectors = malloc((size_t)p->per_mine * sizeof(size_t));
        if (!d->picks[k].inspectors) goto nomem;
        memcpy(d->picks[k].inspectors, elig, (size_t)p->per_mine * sizeof(size_t));
    }
    free(order), free(sel), free(elig);
    *out = d;
    return rc;
nomem:
    gm_draw_free(d);
    free(order), free(sel), free(elig);
    return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
}
