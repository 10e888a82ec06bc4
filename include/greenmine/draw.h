/*
 * greenmine/draw.h -- the double-random spot-check draw (双随机): mines drawn
 * from the listed green mines, inspectors from the roster, under the
 * conflict-of-interest rules, reproducible by anyone from the published seed
 * and the two published candidate lists. docs/draw.md specifies the algorithm
 * (normative; this is one implementation of it), the files and the tables.
 *
 * Ownership: every object returned through `out` belongs to the caller and is
 * freed with the gm_draw_*_free named beside it (each accepts NULL). Input
 * arrays are copied, never kept.
 */
#ifndef GREENMINE_DRAW_H
#define GREENMINE_DRAW_H

#include <greenmine/context.h>
#include <greenmine/registry.h>

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A candidate mine: a licence listed on the draw date. */
typedef struct gm_draw_mine {
    char *licence_no;
    char *county;   /* "" when unknown */
    char *industry; /* the contract's code, "" when unknown */
    char **barred;  /* inspector ids barred by the history rule, sorted (byte order) */
    size_t n_barred;
} gm_draw_mine;

/* An inspector of the roster. county "" = a provincial inspector. */
typedef struct gm_draw_inspector {
    char *inspector_id;
    char *name;
    char *county;
    char *agency;
} gm_draw_inspector;

/* The two published lists: values sorted by key, their exact CSV bytes and
 * SHA-256 (docs/draw.md, section 2). */
typedef struct gm_draw_lists {
    gm_draw_mine *mines; /* sorted by licence_no */
    size_t n_mines;
    gm_draw_inspector *inspectors; /* sorted by inspector_id */
    size_t n_inspectors;
    char *mines_csv; /* NUL-terminated; _len excludes the NUL */
    size_t mines_csv_len;
    char *inspectors_csv;
    size_t inspectors_csv_len;
    char mines_sha256[65]; /* lower-case hex */
    char inspectors_sha256[65];
} gm_draw_lists;

/* Sorts and checks copies of the values (unique non-empty keys, UTF-8, no
 * control characters, no ';' in ids; each barred id on the roster) and writes
 * the lists' bytes. GM_ERR_USAGE names the offending value. */
int gm_draw_lists_make(gm_context *ctx, const gm_draw_mine *mines, size_t n_mines,
                       const gm_draw_inspector *inspectors, size_t n_inspectors,
                       gm_draw_lists **out);
/* Reads two published lists back (their exact bytes); `mines_name` and
 * `inspectors_name` name them in messages. A list that is not in the
 * canonical form of docs/draw.md is GM_ERR_USAGE. */
int gm_draw_lists_parse(gm_context *ctx, const char *mines_csv, size_t mines_len,
                        const char *mines_name, const char *inspectors_csv, size_t inspectors_len,
                        const char *inspectors_name, gm_draw_lists **out);
void gm_draw_lists_free(gm_draw_lists *l);

/* The draw's parameters. */
typedef struct gm_draw_params {
    int date;             /* YYYYMMDD: the mines' status as of that day */
    const char *seed;     /* the published seed text, non-empty */
    int share_bp;         /* share in basis points (5 % = 500); 0 = by count */
    long count;           /* with share_bp 0 */
    int per_mine;         /* inspectors per mine, >= 1 */
    int floor_per_county; /* >= 0 */
    const char *county;   /* the filters, as recorded (NULL = none) */
    const char *industry;
} gm_draw_params;

/* "5%", "5", "2.5 %", "0.25%" -> basis points (1..10000); GM_ERR_USAGE otherwise. */
int gm_draw_parse_share(gm_context *ctx, const char *text, int *bp);
/* Basis points as the record writes them: 500 -> "5", 250 -> "2.5", 25 -> "0.25". */
void gm_draw_share_text(int bp, char buf[16]);

typedef struct gm_draw_pick {
    size_t mine;        /* index into lists->mines */
    size_t *inspectors; /* per_mine indices into lists->inspectors, in drawn order */
} gm_draw_pick;

/* A pick the rules leave without enough inspectors. */
typedef struct gm_draw_shortage {
    size_t mine;       /* index into lists->mines */
    size_t by_county;  /* roster members the county rule takes away */
    size_t by_history; /* ... the history rule takes away (not counted by county) */
    size_t eligible;
} gm_draw_shortage;

/* A draw, computed (gm_draw_compute) or read back (registry, record file). */
typedef struct gm_draw {
    long draw_id; /* 0 until recorded */
    int date;     /* YYYYMMDD */
    char *seed;
    int share_bp; /* 0 = by count */
    long count;   /* requested count (by count), else 0 */
    int per_mine;
    int floor_per_county;
    char *county; /* filters, NULL = none */
    char *industry;
    char drawn_at[32]; /* UTC, "YYYY-MM-DDTHH:MM:SSZ"; "" until recorded */
    char *drawn_by;
    gm_draw_lists *lists;
    gm_draw_pick *picks;
    size_t n_picks;
    gm_draw_shortage *shortages; /* set when the draw cannot be done */
    size_t n_shortages;
} gm_draw;

/* Runs the algorithm of docs/draw.md on `lists` (copied into the draw).
 * When the inspector rules leave a pick with fewer than per_mine inspectors,
 * returns GM_ERR_USAGE with every such pick named in the message, and *out is
 * still set, holding the shortages and no picks (the caller may show them).
 * Bad parameters (count above the candidates, no candidates) are GM_ERR_USAGE
 * with *out untouched. */
int gm_draw_compute(gm_context *ctx, const gm_draw_lists *lists, const gm_draw_params *p,
                    gm_draw **out);
void gm_draw_free(gm_draw *d);

/* Writes the record `path` (draw.csv) and the two lists beside it
 * (NAME.mines.csv, NAME.inspectors.csv), each to a temporary file renamed
 * into place only when all three are complete. */
int gm_draw_write(gm_context *ctx, const gm_draw *d, const char *path);

/* Recomputes the draw recorded in `path` from its lists and seed. Returns
 * GM_OK when the files could be read, with *matches 1, or 0 and `diff` naming
 * the first difference; an unreadable or malformed file is GM_ERR_OPEN /
 * GM_ERR_USAGE. *n_picks: the picks in the record. */
int gm_draw_verify(gm_context *ctx, const char *path, int *matches, char *diff, size_t diff_len,
                   size_t *n_picks);

/* Reads the inspector roster (CSV, XLSX, any table OGR reads; first layer).
 * Columns by name or alias (docs/draw.md): inspector_id, name, county,
 * agency. Rows with an empty id, repeated ids or unsafe text are
 * GM_ERR_USAGE naming every bad row (up to 20). */
int gm_draw_roster_read(gm_context *ctx, const char *path, gm_draw_inspector **out, size_t *n);
void gm_draw_inspectors_free(gm_draw_inspector *a, size_t n);

/* ---- in the registry (migration 4: draw, draw_pick, inspector) ---------- */

/* The candidate mines on p->date: licences whose status is `listed`,
 * narrowed to p->county / p->industry, each with the roster members barred
 * by the history rule; then gm_draw_lists_make. */
int gm_registry_draw_lists(gm_registry *reg, const gm_draw_params *p,
                           const gm_draw_inspector *roster, size_t n_roster, gm_draw_lists **out);

/* Records a computed draw (one transaction: draw, its picks, its roster) and
 * sets d->draw_id, d->drawn_at and d->drawn_by (by: who makes it). */
int gm_registry_draw_record(gm_registry *reg, gm_draw *d, const char *by);

/* The result of a pick's spot check, once entered as a spot_check event. */
typedef struct gm_draw_result {
    long draw_id;
    char *licence_no;
    int event_date; /* YYYYMMDD */
    char *result;   /* "pass" / "fail" */
    char *findings;
    char *inspectors;
} gm_draw_result;

typedef struct gm_draw_record {
    gm_draw **draws; /* oldest first, each with lists and picks */
    size_t n_draws;
    gm_draw_result *results; /* every spot_check event that names a draw */
    size_t n_results;
} gm_draw_record;

/* Every recorded draw with its picks and the results entered so far. */
int gm_registry_draws(gm_registry *reg, gm_draw_record **out);
void gm_draw_record_free(gm_draw_record *r);
/* The result of pick (draw_id, licence_no), or NULL while pending. */
const gm_draw_result *gm_draw_record_result(const gm_draw_record *r, long draw_id,
                                            const char *licence_no);

/* The public record (docs/draw.md, "The public record"): one self-contained
 * HTML page, Chinese with English, every value escaped; or CSV, one line per
 * pick, cells by the CSV-injection rule of docs/robustness.md. */
int gm_draw_record_html(gm_context *ctx, const gm_draw_record *r, FILE *f);
int gm_draw_record_csv(gm_context *ctx, const gm_draw_record *r, FILE *f);

/* The inspectors (ids joined with ';') draw `draw_id` assigned to licence
 * `licence_no`, for checking a spot_check result against its draw; malloc'd.
 * GM_ERR_USAGE when that draw did not pick that licence. */
int gm_registry_draw_assignment(gm_registry *reg, long draw_id, const char *licence_no,
                                char **inspectors);

#ifdef __cplusplus
}
#endif
#endif
