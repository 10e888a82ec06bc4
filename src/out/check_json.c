/*
 * check_json.c -- the `check --json` object, built once for the CLI and the
 * server (greenmine serve's POST /api/check answers exactly this text), so
 * the two agree to the last digit.
 */
#include "core/context_impl.h"
#include "core/text.h"

#include <greenmine/output.h>

#include <stdio.h>
#include <stdlib.h>

static void write_json(FILE *f, const gm_inputs *in, const gm_applications *apps,
                       const gm_check_results *res, const char *redlines_source)
{
    fprintf(f, "{\"buffer_m\": %.3f, \"search_radius_m\": %.1f, \"redlines_read\": %zu,\n",
            res->buffer_m, res->radius_m, in->n_redlines);
    fprintf(f, " \"redlines_source\": ");
    gm_json_fputs(f, redlines_source);
    fprintf(f, ",\n \"applications\": [");
    for (size_t i = 0; i < apps->n; i++) {
        const gm_application *ap = &apps->items[i];
        const gm_check_result *r = &res->items[i];
        fprintf(f, "%s\n  {\"id\": ", i ? "," : "");
        gm_json_fputs(f, ap->id);
        fprintf(f,
                ", \"verdict\": \"%s\", \"area_ha\": %.6f, \"redline_overlap_ha\": %.6f, "
                "\"overlap_pct\": %.4f,\n   \"redlines\": [",
                gm_verdict_name(r->verdict), r->area_ha, r->redline_overlap_ha, r->overlap_pct);
        for (size_t k = 0; k < r->n_redlines; k++) {
            const gm_redline *x = &in->redlines[r->redlines[k].index];
            fprintf(f, "%s{\"id\": ", k ? ", " : "");
            gm_json_fputs(f, x->redline_id);
            fprintf(f, ", \"name\": ");
            gm_json_fputs(f, x->name);
            fprintf(f, ", \"category\": ");
            gm_json_fputs(f, x->category);
            fprintf(f, ", \"overlap_ha\": %.6f}", r->redlines[k].overlap_ha);
        }
        fprintf(f, "],\n   \"nearest_redline\": ");
        if (r->nearest >= 0) {
            fprintf(f, "{\"id\": ");
            gm_json_fputs(f, in->redlines[r->nearest].redline_id);
            fprintf(f, ", \"name\": ");
            gm_json_fputs(f, in->redlines[r->nearest].name);
            fprintf(f, ", \"distance_m\": %.3f}", r->distance_m);
        } else {
            fprintf(f, "null");
        }
        fprintf(f, ", \"zone\": ");
        gm_json_fputs(f, r->zone >= 0 ? in->zones[r->zone].name : NULL);
        fprintf(f, ",\n   \"mine_overlaps\": [");
        for (size_t k = 0; k < r->n_mines; k++) {
            fprintf(f, "%s{\"mine_id\": ", k ? ", " : "");
            gm_json_fputs(f, in->mines[r->mines[k].index].mine_id);
            fprintf(f, ", \"overlap_ha\": %.6f}", r->mines[k].overlap_ha);
        }
        fprintf(f, "], \"mine_overlap_ha\": %.6f, \"mine_conflict\": %s,\n   \"repaired\": ",
                r->mine_overlap_ha, r->n_mines ? "true" : "false");
        gm_json_fputs(f, ap->repair_note);
        fprintf(f, ", \"origin\": ");
        gm_json_fputs(f, ap->origin);
        fprintf(f, ",\n   \"crs\": ");
        gm_json_fputs(f, ap->crs);
        fprintf(f, ", \"transformation\": ");
        if (ap->operation) {
            fprintf(f, "{\"operation\": ");
            gm_json_fputs(f, ap->operation);
            fprintf(f, ", \"ballpark\": %s, \"accuracy_m\": ", ap->ballpark ? "true" : "false");
            if (ap->accuracy_m >= 0)
                fprintf(f, "%g", ap->accuracy_m);
            else
                fprintf(f, "null");
            fprintf(f, "}");
        } else {
            fprintf(f, "null");
        }
        fprintf(f, ", \"datum_warning\": ");
        gm_json_fputs(f, ap->datum_note);
        fprintf(f, "}");
    }
    fprintf(f, "\n]}\n");
}

int gm_check_json(gm_context *ctx, const gm_inputs *in, const gm_applications *apps,
                  const gm_check_results *res, const char *redlines_source, char **out)
{
    char *buf = NULL;
    size_t len = 0;
    *out = NULL;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    write_json(f, in, apps, res, redlines_source);
    if (fclose(f) != 0 || !buf) {
        free(buf);
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    }
    *out = buf;
    return GM_OK;
}
