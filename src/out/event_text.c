/*
 * event_text.c -- one event as `events list --json/--csv` prints it and the
 * desk (greenmine serve) answers it: one field list, so the CLI and the desk
 * give the same fields in the same order (greenmine/publish.h).
 */
#include "core/context_impl.h"
#include "core/text.h"
#include "out/memtext.h"

#include <greenmine/publish.h>

#include <assert.h>
#include <math.h>
#include <stdio.h>

typedef enum { F_ID, F_TEXT, F_DATE, F_BOOL, F_INT, F_REAL } ftype;

typedef struct fvalue {
    const char *text;
    long long i; /* F_INT: 0 = null */
    double r;    /* F_REAL: NAN = null */
} fvalue;

typedef struct field {
    const char *name;
    ftype type;
    int in_csv; /* kind_zh is for JSON readers only: the CSV keeps its columns */
    fvalue v;
} field;

/* name, type, in the CSV, the value (of e, counts, by). */
#define EVENT_FIELDS(X)                                                                            \
    X(event_id, F_ID, 1, .i = e->event_id)                                                         \
    X(licence_no, F_TEXT, 1, .text = e->licence_no)                                                \
    X(kind, F_TEXT, 1, .text = gm_event_kind_name(e->kind))                                        \
    X(kind_zh, F_TEXT, 0, .text = gm_event_kind_name_zh(e->kind))                                  \
    X(event_date, F_DATE, 1, .i = e->event_date)                                                   \
    X(counts, F_BOOL, 1, .i = counts)                                                              \
    X(supersedes, F_INT, 1, .i = e->supersedes)                                                    \
    X(superseded_by, F_INT, 1, .i = by)                                                            \
    X(void, F_BOOL, 1, .i = e->is_void)                                                            \
    X(score, F_REAL, 1, .r = e->score)                                                             \
    X(document, F_TEXT, 1, .text = e->document)                                                    \
    X(agency, F_TEXT, 1, .text = e->agency)                                                        \
    X(result, F_TEXT, 1, .text = e->result ? gm_result_name(e->result) : NULL)                     \
    X(batch, F_TEXT, 1, .text = e->batch)                                                          \
    X(draw_id, F_TEXT, 1, .text = e->draw_id)                                                      \
    X(inspectors, F_TEXT, 1, .text = e->inspectors)                                                \
    X(findings, F_TEXT, 1, .text = e->findings)                                                    \
    X(reason, F_TEXT, 1, .text = e->reason)                                                        \
    X(year, F_INT, 1, .i = e->year)                                                                \
    X(grade, F_TEXT, 1, .text = e->grade)                                                          \
    X(mining_recovery, F_REAL, 1, .r = e->mining_recovery)                                         \
    X(beneficiation_recovery, F_REAL, 1, .r = e->beneficiation_recovery)                           \
    X(utilisation, F_REAL, 1, .r = e->utilisation)                                                 \
    X(entered_by, F_TEXT, 1, .text = e->entered_by)                                                \
    X(entered_at, F_TEXT, 1, .text = e->entered_at)

#define AS_FIELD(name, type, in_csv, value) {#name, type, in_csv, {value}},

typedef struct row {
    const gm_event *all, *e;
    size_t n;
    int json;
} row;

static void put_value(FILE *f, const field *x, int json)
{
    const char *null = json ? "null" : "";
    char d[GM_DATE_TEXT];
    switch (x->type) {
    case F_ID:
        fprintf(f, "%lld", x->v.i);
        break;
    case F_TEXT:
        (json ? gm_json_fputs : gm_csv_fputs)(f, x->v.text);
        break;
    case F_DATE:
        if (!x->v.i)
            fputs(null, f);
        else
            fprintf(f, json ? "\"%s\"" : "%s", gm_date_text((int)x->v.i, d));
        break;
    case F_BOOL:
        fputs(json ? (x->v.i ? "true" : "false") : (x->v.i ? "1" : "0"), f);
        break;
    case F_INT:
        if (!x->v.i)
            fputs(null, f);
        else
            fprintf(f, "%lld", x->v.i);
        break;
    case F_REAL:
        if (isnan(x->v.r))
            fputs(null, f);
        else
            fprintf(f, "%.10g", x->v.r);
        break;
    }
}

static void write_row(FILE *f, const void *data)
{
    const row *r = data;
    const gm_event *e = r->e;
    int counts = e ? gm_event_counts(r->all, r->n, e) : 0;
    long long by = e ? gm_event_superseded_by(r->all, r->n, e) : 0;
    gm_event none;
    if (!e) { /* the CSV header: the names only */
        gm_event_init(&none);
        e = &none;
    }
    const field fields[] = {EVENT_FIELDS(AS_FIELD)};
    int first = 1;
    if (r->json) fputc('{', f);
    for (size_t k = 0; k < sizeof fields / sizeof *fields; k++) {
        const field *x = &fields[k];
        if (!r->json && !x->in_csv) continue;
        if (!first) fputs(r->json ? ", " : ",", f);
        first = 0;
        if (r->json)
            fprintf(f, "\"%s\": ", x->name);
        else if (!r->e)
            fputs(x->name, f);
        if (r->e) put_value(f, x, r->json);
    }
    fputs(r->json ? "}" : "\r\n", f);
}

int gm_event_json(gm_context *ctx, const gm_event *all, size_t n, const gm_event *e, char **out)
{
    assert(e && out);
    const row r = {.all = all, .n = n, .e = e, .json = 1};
    return gm_memtext(ctx, write_row, &r, out);
}

int gm_event_csv(gm_context *ctx, const gm_event *all, size_t n, const gm_event *e, char **out)
{
    assert(out);
    const row r = {.all = all, .n = n, .e = e, .json = 0};
    return gm_memtext(ctx, write_row, &r, out);
}
