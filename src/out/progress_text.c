/*
 * progress_text.c -- the `progress --json` object and `--csv` table, built in
 * the library so that the CLI and greenmine serve (/api/progress) answer the
 * same text.
 */
#include "core/context_impl.h"
#include "core/text.h"
#include "out/memtext.h"

#include <greenmine/report.h>

#include <stdio.h>
#include <stdlib.h>

static void put_date(FILE *f, int d, int quoted)
{
    if (!d) {
        fputs(quoted ? "null" : "", f);
        return;
    }
    fprintf(f, quoted ? "\"%04d-%02d-%02d\"" : "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100);
}

static void put_num(FILE *f, double v, int present, const char *null_text)
{
    if (present)
        fprintf(f, "%.6f", v);
    else
        fputs(null_text, f);
}

static void put_count(FILE *f, long v, const char *null_text)
{
    if (v >= 0)
        fprintf(f, "%ld", v);
    else
        fputs(null_text, f);
}

static void write_json(FILE *f, const void *data)
{
    const gm_progress_series *p = data;
    fprintf(f, "{\"period_start\": ");
    put_date(f, p->period_start, 1);
    fprintf(f,
            ", \"targets\": {\"restoration_ha\": %.1f, \"reclamation_ha\": %.1f, "
            "\"large_medium_share\": %.2f, \"green_mines\": %d, \"green_large\": %d, "
            "\"green_medium\": %d, \"green_small\": %d, \"by\": ",
            GM_TARGET_RESTORATION_HA, GM_TARGET_RECLAMATION_HA, GM_TARGET_LARGE_MEDIUM_SHARE,
            GM_TARGET_GREEN_MINES, GM_TARGET_GREEN_LARGE, GM_TARGET_GREEN_MEDIUM,
            GM_TARGET_GREEN_SMALL);
    put_date(f, GM_TARGET_DATE, 1);
    fprintf(f, "},\n \"series\": [");
    static const char *kind[] = {"restoration", "reclamation"};
    for (size_t i = 0; i < p->n; i++) {
        const gm_progress_row *r = &p->rows[i];
        fprintf(f, "%s\n  {\"as_of\": ", i ? "," : "");
        put_date(f, r->as_of, 1);
        fprintf(f, ", \"snapshot_id\": %ld, \"zone\": ", r->snapshot_id);
        gm_json_fputs(f, r->zone);
        fprintf(f, ", \"zone_id\": ");
        gm_json_fputs(f, r->zone_id);
        for (int k = 0; k < 2; k++) {
            fprintf(f, ", \"%s_done_ha\": %.6f, \"%s_increment_ha\": %.6f, \"%s_target_ha\": ",
                    kind[k], r->done_ha[k], kind[k], r->increment_ha[k], kind[k]);
            put_num(f, r->target_ha[k], r->target_ha[k] > 0, "null");
            fprintf(f, ", \"%s_pct_of_target\": ", kind[k]);
            put_num(f, r->target_ha[k] > 0 ? 100.0 * r->done_ha[k] / r->target_ha[k] : 0,
                    r->target_ha[k] > 0, "null");
            fprintf(f, ", \"%s_projected\": ", kind[k]);
            put_date(f, r->projected[k], 1);
        }
        fprintf(f, ", \"mines\": %zu, \"large_medium_mines\": %zu, \"conflict_mines\": %zu",
                r->mines, r->large_medium_mines, r->conflict_mines);
        fprintf(f, ", \"large_medium_share\": ");
        put_num(f, r->large_medium_share, !r->zone, "null");
        fprintf(f, ", \"green_mines\": ");
        put_count(f, r->green_mines, "null");
        fprintf(f, ", \"green_large\": ");
        put_count(f, r->green_large, "null");
        fprintf(f, ", \"green_medium\": ");
        put_count(f, r->green_medium, "null");
        fprintf(f, ", \"green_small\": ");
        put_count(f, r->green_small, "null");
        fprintf(f, "}");
    }
    fprintf(f, "\n]}\n");
}

static void write_csv(FILE *f, const void *data)
{
    const gm_progress_series *p = data;
    fprintf(f, "as_of,snapshot_id,zone,zone_id,restoration_done_ha,reclamation_done_ha,"
               "restoration_increment_ha,reclamation_increment_ha,restoration_target_ha,"
               "reclamation_target_ha,restoration_projected,reclamation_projected,mines,"
               "large_medium_mines,conflict_mines,large_medium_share,green_mines,green_large,"
               "green_medium,green_small\n");
    for (size_t i = 0; i < p->n; i++) {
        const gm_progress_row *r = &p->rows[i];
        put_date(f, r->as_of, 0);
        fprintf(f, ",%ld,", r->snapshot_id);
        gm_csv_fputs(f, r->zone);
        fputc(',', f);
        gm_csv_fputs(f, r->zone_id);
        fprintf(f, ",%.6f,%.6f,%.6f,%.6f,", r->done_ha[0], r->done_ha[1], r->increment_ha[0],
                r->increment_ha[1]);
        put_num(f, r->target_ha[0], r->target_ha[0] > 0, "");
        fputc(',', f);
        put_num(f, r->target_ha[1], r->target_ha[1] > 0, "");
        fputc(',', f);
        put_date(f, r->projected[0], 0);
        fputc(',', f);
        put_date(f, r->projected[1], 0);
        fprintf(f, ",%zu,%zu,%zu,", r->mines, r->large_medium_mines, r->conflict_mines);
        put_num(f, r->large_medium_share, !r->zone, "");
        fputc(',', f);
        put_count(f, r->green_mines, "");
        fputc(',', f);
        put_count(f, r->green_large, "");
        fputc(',', f);
        put_count(f, r->green_medium, "");
        fputc(',', f);
        put_count(f, r->green_small, "");
        fputc('\n', f);
    }
}

int gm_progress_json(gm_context *ctx, const gm_progress_series *p, char **out)
{
    return gm_memtext(ctx, write_json, p, out);
}

int gm_progress_csv(gm_context *ctx, const gm_progress_series *p, char **out)
{
    return gm_memtext(ctx, write_csv, p, out);
}
