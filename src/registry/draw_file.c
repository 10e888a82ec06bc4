/*
 * draw_file.c -- the published draw: the record draw.csv and the two lists
 * beside it (docs/draw.md, "The record"), written all or nothing, and
 * `draw --verify`, which redoes the draw from those files alone.
 */
#include "registry/draw_impl.h"

#include "core/atomic.h"
#include "core/context_impl.h"
#include "core/text.h"
#include "registry/registry_impl.h"

#include <greenmine/draw.h>
#include <greenmine/model.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RECORD_FORMAT "greenmine-draw-1"

static const char *const pick_header[] = {"rank",     "licence_no", "county",
                                          "industry", "inspectors", "inspector_names"};

/* dir ("" or ending in '/') and the companions' names for record `path`. */
static void companion_names(const char *path, char *dir, size_t dlen, char *mines, char *insp,
                            size_t nlen)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    snprintf(dir, dlen, "%.*s", (int)(base - path), path);
    size_t bl = strlen(base);
    int csv = bl > 4 && strcasecmp(base + bl - 4, ".csv") == 0;
    int stem = (int)(csv ? bl - 4 : bl);
    snprintf(mines, nlen, "%.*s.mines.csv", stem, base);
    snprintf(insp, nlen, "%.*s.inspectors.csv", stem, base);
}

/* The pick's cells: rank, licence, county, industry, ids, names. */
static int pick_cells(const gm_draw *d, size_t k, gm_dbuf *b)
{
    const gm_draw_lists *l = d->lists;
    const gm_draw_mine *m = &l->mines[d->picks[k].mine];
    char rank[32];
    snprintf(rank, sizeof rank, "%zu", k + 1);
    gm_dbuf ids = {0}, names = {0};
    int rc = GM_OK;
    for (int i = 0; i < d->per_mine && rc == GM_OK; i++) {
        const gm_draw_inspector *in = &l->inspectors[d->picks[k].inspectors[i]];
        if (i) rc = gm_dbuf_add(&ids, ";", 1);
        if (rc == GM_OK && i) rc = gm_dbuf_add(&names, ";", 1);
        if (rc == GM_OK) rc = gm_dbuf_add(&ids, in->inspector_id, strlen(in->inspector_id));
        if (rc == GM_OK) rc = gm_dbuf_add(&names, in->name, strlen(in->name));
    }
    const char *v[6] = {rank, m->licence_no, m->county, m->industry, ids.data, names.data};
    for (int i = 0; i < 6 && rc == GM_OK; i++)
        rc = gm_dbuf_cell(b, v[i], i == 5);
    free(ids.data), free(names.data);
    return rc;
}

static int kv(gm_dbuf *b, const char *k, const char *v)
{
    int rc = gm_dbuf_cell(b, k, 0);
    return rc == GM_OK ? gm_dbuf_cell(b, v, 1) : rc;
}

static int record_bytes(const gm_draw *d, const char *mines_file, const char *insp_file, gm_dbuf *b)
{
    char id[32], date[GM_DATE_TEXT], share[16] = "", count[32] = "", per[16], floor_[16], cand[32];
    snprintf(id, sizeof id, "%ld", d->draw_id);
    gm_date_text(d->date, date);
    if (d->share_bp)
        gm_draw_share_text(d->share_bp, share);
    else
        snprintf(count, sizeof count, "%ld", d->count);
    snprintf(per, sizeof per, "%d", d->per_mine);
    snprintf(floor_, sizeof floor_, "%d", d->floor_per_county);
    snprintf(cand, sizeof cand, "%zu", d->lists->n_mines);
    const char *rows[][2] = {{"format", RECORD_FORMAT},
                             {"draw_id", id},
                             {"date", date},
                             {"seed", d->seed},
                             {"share_percent", share},
                             {"count", count},
                             {"per_mine", per},
                             {"floor_per_county", floor_},
                             {"county", d->county},
                             {"industry", d->industry},
                             {"candidates", cand},
                             {"mines_file", mines_file},
                             {"mines_sha256", d->lists->mines_sha256},
                             {"inspectors_file", insp_file},
                             {"inspectors_sha256", d->lists->inspectors_sha256},
                             {"drawn_at", d->drawn_at},
                             {"drawn_by", d->drawn_by}};
    int rc = kv(b, "key", "value");
    for (size_t i = 0; i < sizeof rows / sizeof *rows && rc == GM_OK; i++)
        rc = kv(b, rows[i][0], rows[i][1]);
    for (int i = 0; i < 6 && rc == GM_OK; i++)
        rc = gm_dbuf_cell(b, pick_header[i], i == 5);
    for (size_t k = 0; k < d->n_picks && rc == GM_OK; k++)
        rc = pick_cells(d, k, b);
    return rc;
}

int gm_draw_write(gm_context *ctx, const gm_draw *d, const char *path)
{
    char dir[4096], mines[1024], insp[1024];
    companion_names(path, dir, sizeof dir, mines, insp, sizeof mines);
    gm_dbuf rec = {0};
    if (record_bytes(d, mines, insp, &rec) != GM_OK) {
        free(rec.data);
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    }
    const char *names[3] = {mines, insp, NULL};
    const char *data[3] = {d->lists->mines_csv, d->lists->inspectors_csv, rec.data};
    size_t lens[3] = {d->lists->mines_csv_len, d->lists->inspectors_csv_len, rec.len};
    char final[3][5200];
    gm_atomic file[3] = {{0}};
    int rc = GM_OK;
    for (int i = 0; i < 3 && rc == GM_OK; i++) {
        const char *slash = strrchr(path, '/');
        const char *base = i == 2 ? (slash ? slash + 1 : path) : names[i];
        snprintf(final[i], sizeof final[i], "%s%s", dir, base);
        rc = gm_atomic_begin(ctx, final[i], GM_ATOMIC_OPEN | GM_ATOMIC_SYNC, "", &file[i]);
        if (rc == GM_OK) fwrite(data[i], 1, lens[i], file[i].f);
    }
    /* the lists first, the record that names them last */
    if (rc == GM_OK)
        rc = gm_atomic_commit_all(ctx, file, 3);
    else
        for (int i = 0; i < 3; i++)
            gm_atomic_abandon(&file[i]);
    free(rec.data);
    return rc;
}

/* ---- verify ------------------------------------------------------------------ */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    gm_dbuf b = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        if (gm_dbuf_add(&b, buf, n) != GM_OK) {
            free(b.data);
            fclose(f);
            return NULL;
        }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(b.data);
        return NULL;
    }
    if (!b.data) b.data = calloc(1, 1);
    *len = b.len;
    return b.data;
}

typedef struct record {
    char **keys, **values;
    size_t n_kv;
    char ***picks; /* 6 cells each */
    size_t *pick_line;
    size_t n_picks;
} record;

static void record_free(record *r)
{
    for (size_t i = 0; i < r->n_kv; i++)
        free(r->keys[i]), free(r->values[i]);
    free(r->keys), free(r->values);
    for (size_t i = 0; i < r->n_picks; i++)
        gm_cells_free(r->picks[i], 6);
    free(r->picks), free(r->pick_line);
}

static const char *rec_get(const record *r, const char *k)
{
    for (size_t i = 0; i < r->n_kv; i++)
        if (!strcmp(r->keys[i], k)) return r->values[i];
    return NULL;
}

static int record_parse(gm_context *ctx, const char *path, const char *data, size_t len, record *r)
{
    if (len == 0 || data[len - 1] != '\n' || !gm_utf8_valid(data, len, NULL))
        return gm_error(ctx, GM_ERR_USAGE,
                        "%s: not a draw record (empty, not UTF-8 or not ending with a line feed)",
                        path);
    size_t start = 0, line = 0;
    int part = 0; /* 0 header, 1 key/value, 2 picks */
    while (start < len) {
        const char *nl = memchr(data + start, '\n', len - start);
        size_t l = (size_t)(nl - (data + start)), nc = 0;
        line++;
        char **c = gm_cells_read(data + start, l, &nc);
        start += l + 1;
        if (!c)
            return gm_error(ctx, GM_ERR_USAGE, "%s line %zu: not a line of quoted cells", path,
                            line);
        if (part == 0) {
            int ok = nc == 2 && !strcmp(c[0], "key") && !strcmp(c[1], "value");
            gm_cells_free(c, nc);
            if (!ok)
                return gm_error(ctx, GM_ERR_USAGE,
                                "%s line 1: not a draw record (\"key\",\"value\")", path);
            part = 1;
        } else if (part == 1 && nc == 6 && !strcmp(c[0], "rank")) {
            for (int i = 0; i < 6; i++)
                if (strcmp(c[i], pick_header[i])) {
                    gm_cells_free(c, nc);
                    return gm_error(ctx, GM_ERR_USAGE, "%s line %zu: column %d is not \"%s\"", path,
                                    line, i + 1, pick_header[i]);
                }
            gm_cells_free(c, nc);
            part = 2;
        } else if (part == 1) {
            if (nc != 2) {
                gm_cells_free(c, nc);
                return gm_error(ctx, GM_ERR_USAGE, "%s line %zu: expected \"key\",\"value\"", path,
                                line);
            }
            char **k = realloc(r->keys, (r->n_kv + 1) * sizeof *k);
            if (k) r->keys = k;
            char **v = realloc(r->values, (r->n_kv + 1) * sizeof *v);
            if (v) r->values = v;
            if (!k || !v) {
                gm_cells_free(c, nc);
                return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            }
            r->keys[r->n_kv] = c[0], r->values[r->n_kv++] = c[1];
            free(c);
        } else {
            if (nc != 6) {
                gm_cells_free(c, nc);
                return gm_error(ctx, GM_ERR_USAGE, "%s line %zu: a pick has 6 cells, not %zu", path,
                                line, nc);
            }
            char ***p = realloc(r->picks, (r->n_picks + 1) * sizeof *p);
            if (p) r->picks = p;
            size_t *pl = realloc(r->pick_line, (r->n_picks + 1) * sizeof *pl);
            if (pl) r->pick_line = pl;
            if (!p || !pl) {
                gm_cells_free(c, nc);
                return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            }
            r->pick_line[r->n_picks] = line;
            r->picks[r->n_picks++] = c;
        }
    }
    if (part != 2) return gm_error(ctx, GM_ERR_USAGE, "%s: no \"rank\" line (no picks part)", path);
    static const char *const need[] = {"format",
                                       "date",
                                       "seed",
                                       "share_percent",
                                       "count",
                                       "per_mine",
                                       "floor_per_county",
                                       "candidates",
                                       "mines_file",
                                       "mines_sha256",
                                       "inspectors_file",
                                       "inspectors_sha256"};
    for (size_t i = 0; i < sizeof need / sizeof *need; i++)
        if (!rec_get(r, need[i]))
            return gm_error(ctx, GM_ERR_USAGE, "%s: the record has no \"%s\"", path, need[i]);
    if (strcmp(rec_get(r, "format"), RECORD_FORMAT))
        return gm_error(ctx, GM_ERR_USAGE, "%s: format is not %s", path, RECORD_FORMAT);
    return GM_OK;
}

/* A whole non-negative number, or -1. */
static long number(const char *s)
{
    if (!*s) return -1;
    long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 100000000) return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

static const char *companion_safe(const char *name)
{
    /* a companion sits beside the record: no folders, no way up */
    return (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) ? NULL : name;
}

int gm_draw_verify(gm_context *ctx, const char *path, int *matches, char *diff, size_t diff_len,
                   size_t *n_picks)
{
    *matches = 0, *n_picks = 0;
    diff[0] = '\0';
    size_t len = 0, mlen = 0, ilen = 0;
    char *data = slurp(path, &len), *mdata = NULL, *idata = NULL;
    if (!data) return gm_error(ctx, GM_ERR_OPEN, "cannot read %s: %s", path, strerror(errno));
    record r = {0};
    gm_draw_lists *lists = NULL;
    gm_draw *d = NULL;
    char dir[4096], mname[5200], iname[5200], dummy[1024];
    companion_names(path, dir, sizeof dir, dummy, dummy, sizeof dummy);
    int rc = record_parse(ctx, path, data, len, &r);
    if (rc != GM_OK) goto done;
    *n_picks = r.n_picks;
    const char *mf = companion_safe(rec_get(&r, "mines_file"));
    const char *inf = companion_safe(rec_get(&r, "inspectors_file"));
    if (!mf || !inf) {
        rc = gm_error(ctx, GM_ERR_USAGE, "%s: a list's file name is empty or not beside the record",
                      path);
        goto done;
    }
    snprintf(mname, sizeof mname, "%s%s", dir, mf);
    snprintf(iname, sizeof iname, "%s%s", dir, inf);
    /* both lists are read, then each checked against its SHA-256 in the record */
    const char *files[2] = {mname, iname}, *what[2] = {"the mine list", "the inspector list"};
    const char *keys[2] = {"mines_sha256", "inspectors_sha256"};
    char **datas[2] = {&mdata, &idata};
    size_t *lens[2] = {&mlen, &ilen};
    for (int k = 0; k < 2; k++)
        if (!(*datas[k] = slurp(files[k], lens[k]))) {
            rc = gm_error(ctx, GM_ERR_OPEN, "cannot read %s (%s): %s", files[k], what[k],
                          strerror(errno));
            goto done;
        }
    for (int k = 0; k < 2; k++) {
        char hex[65];
        gm_draw_sha256_hex(*datas[k], *lens[k], hex);
        if (strcmp(hex, rec_get(&r, keys[k]))) {
            snprintf(diff, diff_len, "the SHA-256 of %s is %s, the record says %s", files[k], hex,
                     rec_get(&r, keys[k]));
            goto done;
        }
    }
    rc = gm_draw_lists_parse(ctx, mdata, mlen, mname, idata, ilen, iname, &lists);
    if (rc != GM_OK) goto done;

    gm_draw_params p = {0};
    p.date = gm_registry_date_parse(rec_get(&r, "date"));
    p.seed = rec_get(&r, "seed");
    const char *share = rec_get(&r, "share_percent"), *count = rec_get(&r, "count");
    long per = number(rec_get(&r, "per_mine")), fl = number(rec_get(&r, "floor_per_county"));
    long cand = number(rec_get(&r, "candidates"));
    if (*share && (rc = gm_draw_parse_share(ctx, share, &p.share_bp)) != GM_OK) goto done;
    p.count = *share ? 0 : number(count);
    if (!p.date || per < 1 || per > 1000 || fl < 0 || (!*share && p.count < 1)) {
        rc = gm_error(ctx, GM_ERR_USAGE,
                      "%s: date, per_mine, floor_per_county or share/count is not valid", path);
        goto done;
    }
    p.per_mine = (int)per, p.floor_per_county = (int)fl;
    if (cand < 0 || (size_t)cand != lists->n_mines) {
        snprintf(diff, diff_len, "the record says %s candidates, the mine list holds %zu",
                 rec_get(&r, "candidates"), lists->n_mines);
        goto done;
    }
    rc = gm_draw_compute(ctx, lists, &p, &d);
    if (rc != GM_OK) {
        /* a draw the lists do not allow at all does not match any record */
        snprintf(diff, diff_len, "recomputed, the draw cannot be done: %s", gm_context_errmsg(ctx));
        rc = GM_OK;
        goto done;
    }
    for (size_t k = 0; k < d->n_picks || k < r.n_picks; k++) {
        if (k >= r.n_picks) {
            snprintf(diff, diff_len, "%s: the record has %zu picks, the draw gives %zu", path,
                     r.n_picks, d->n_picks);
            goto done;
        }
        if (k >= d->n_picks) {
            snprintf(diff, diff_len,
                     "%s line %zu: pick %zu is not in the recomputed draw (%zu picks)", path,
                     r.pick_line[k], k + 1, d->n_picks);
            goto done;
        }
        gm_dbuf b = {0};
        if (pick_cells(d, k, &b) != GM_OK) {
            free(b.data);
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            goto done;
        }
        size_t nc = 0;
        char **want = gm_cells_read(b.data, b.len - 1, &nc);
        free(b.data);
        if (!want) {
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            goto done;
        }
        for (int i = 0; i < 6; i++)
            if (strcmp(want[i], r.picks[k][i])) {
                char *a = gm_term_escape(r.picks[k][i]), *w = gm_term_escape(want[i]);
                snprintf(diff, diff_len,
                         "%s line %zu: pick %zu's %s is %s in the record, %s when recomputed", path,
                         r.pick_line[k], k + 1, pick_header[i], a ? a : "?", w ? w : "?");
                free(a), free(w);
                gm_cells_free(want, nc);
                goto done;
            }
        gm_cells_free(want, nc);
    }
    *matches = 1;
done:
    gm_draw_free(d);
    gm_draw_lists_free(lists);
    record_free(&r);
    free(data), free(mdata), free(idata);
    return rc;
}
