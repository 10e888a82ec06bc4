/*
 * indicators_text.c -- the management indicators as JSON and CSV
 * (greenmine/publish.h), built in the library so that `greenmine progress`
 * and the desk (/api/indicators) answer the same text.
 */
#include "core/context_impl.h"
#include "core/text.h"
#include "out/memtext.h"

#include <greenmine/publish.h>

#include <stdio.h>
#include <stdlib.h>

static void put_share(FILE *f, long num, long den, const char *null_text)
{
    if (den > 0)
        fprintf(f, "%.6f", (double)num / (double)den);
    else
        fputs(null_text, f);
}

static void put_rates_json(FILE *f, const gm_rates_count *c, double baseline)
{
    fprintf(f,
            "{\"mines\": %ld, \"reported\": %ld, \"judged\": %ld, \"compliant\": %ld, \"share\": ",
            c->mines, c->reported, c->judged, c->compliant);
    put_share(f, c->compliant, c->judged, "null");
    fputs(", \"baseline_2015\": ", f);
    if (baseline >= 0)
        fprintf(f, "%.4f", baseline);
    else
        fputs("null", f);
    fputc('}', f);
}

static void put_scales_json(FILE *f, const long *v)
{
    fprintf(f, "{\"large\": %ld, \"medium\": %ld, \"small\": %ld, \"unknown\": %ld}",
            v[GM_SCALE_LARGE], v[GM_SCALE_MEDIUM], v[GM_SCALE_SMALL], v[GM_SCALE_UNKNOWN]);
}

static void write_json(FILE *f, const void *data)
{
    const gm_indicators *ind = data;
    fprintf(f,
            "{\"as_of\": \"%04d-%02d-%02d\",\n \"targets\": {\"green_mines\": %d, "
            "\"green_large\": %d, \"green_medium\": %d, \"green_small\": %d, "
            "\"new_built_share\": 1.0, \"three_rates\": %.2f, \"three_rates_baseline_2015\": "
            "%.4f, \"three_rates_baseline_2015_by_industry\": {",
            ind->as_of / 10000, ind->as_of / 100 % 100, ind->as_of % 100, GM_TARGET_GREEN_MINES,
            GM_TARGET_GREEN_LARGE, GM_TARGET_GREEN_MEDIUM, GM_TARGET_GREEN_SMALL,
            GM_TARGET_THREE_RATES, GM_BASELINE_THREE_RATES_2015);
    for (int i = 1, n = 0; i < GM_INDUSTRY_SLOTS; i++)
        if (gm_three_rates_baseline((gm_industry)i) >= 0)
            fprintf(f, "%s\"%s\": %.4f", n++ ? ", " : "", gm_industry_name((gm_industry)i),
                    gm_three_rates_baseline((gm_industry)i));
    fprintf(f, "}, \"by\": \"2020-12-31\"},\n \"thresholds\": {\"set_id\": %lld, \"label\": ",
            ind->threshold_set);
    gm_json_fputs(f, ind->threshold_label);
    fputs("},\n \"areas\": [", f);
    for (size_t i = 0; i < ind->n; i++) {
        const gm_indicator_area *a = &ind->areas[i];
        fprintf(f, "%s\n  {\"level\": \"%s\", \"name\": ", i ? "," : "",
                gm_area_level_name(a->level));
        gm_json_fputs(f, a->name);
        fprintf(f, ", \"licences\": %ld, \"by_standing\": {", a->licences);
        for (int s = 0; s < GM_STANDINGS_END; s++)
            fprintf(f, "%s\"%s\": %ld", s ? ", " : "", gm_standing_name((gm_standing)s),
                    a->standing[s]);
        fprintf(f, "}, \"listed\": %ld, \"listed_by_scale\": ", a->listed);
        put_scales_json(f, a->listed_scale);
        fprintf(f,
                ", \"listed_existing\": %ld, \"listed_existing_by_scale\": ", a->listed_existing);
        put_scales_json(f, a->listed_existing_scale);
        fprintf(f, ", \"new_mines\": %ld, \"new_built\": %ld, \"new_built_share\": ", a->new_mines,
                a->new_built);
        put_share(f, a->new_built, a->new_mines, "null");
        fputs(", \"three_rates\": ", f);
        put_rates_json(f, &a->rates, GM_BASELINE_THREE_RATES_2015);
        fputs(", \"three_rates_by_industry\": {", f);
        for (int k = 1; k < GM_INDUSTRY_SLOTS; k++) {
            fprintf(f, "%s\"%s\": ", k > 1 ? ", " : "", gm_industry_name((gm_industry)k));
            put_rates_json(f, &a->rates_industry[k], gm_three_rates_baseline((gm_industry)k));
        }
        fprintf(f,
                "}, \"spot_checks\": %ld, \"spot_checks_failed\": %ld, \"spot_checks_all\": %ld, "
                "\"spot_checks_failed_all\": %ld, \"blacklisted\": %ld}",
                a->spot_checks, a->spot_checks_failed, a->spot_checks_all,
                a->spot_checks_failed_all, a->blacklisted);
    }
    fputs("\n]}\n", f);
}

static void write_csv(FILE *f, const void *data)
{
    const gm_indicators *ind = data;
    fputs("as_of,level,name,licences,listed,listed_large,listed_medium,listed_small,"
          "listed_existing,listed_existing_large,listed_existing_medium,listed_existing_small,"
          "new_mines,new_built,new_built_share,rates_mines,rates_reported,rates_judged,"
          "rates_compliant,rates_share,spot_checks,spot_checks_failed,spot_checks_all,"
          "spot_checks_failed_all,blacklisted",
          f);
    for (int k = 1; k < GM_INDUSTRY_SLOTS; k++)
        fprintf(f, ",rates_%s_judged,rates_%s_compliant", gm_industry_name((gm_industry)k),
                gm_industry_name((gm_industry)k));
    fputc('\n', f);
    for (size_t i = 0; i < ind->n; i++) {
        const gm_indicator_area *a = &ind->areas[i];
        fprintf(f, "%04d-%02d-%02d,%s,", ind->as_of / 10000, ind->as_of / 100 % 100,
                ind->as_of % 100, gm_area_level_name(a->level));
        gm_csv_fputs(f, a->name);
        fprintf(f, ",%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,", a->licences, a->listed,
                a->listed_scale[GM_SCALE_LARGE], a->listed_scale[GM_SCALE_MEDIUM],
                a->listed_scale[GM_SCALE_SMALL], a->listed_existing,
                a->listed_existing_scale[GM_SCALE_LARGE], a->listed_existing_scale[GM_SCALE_MEDIUM],
                a->listed_existing_scale[GM_SCALE_SMALL], a->new_mines, a->new_built);
        put_share(f, a->new_built, a->new_mines, "");
        fprintf(f, ",%ld,%ld,%ld,%ld,", a->rates.mines, a->rates.reported, a->rates.judged,
                a->rates.compliant);
        put_share(f, a->rates.compliant, a->rates.judged, "");
        fprintf(f, ",%ld,%ld,%ld,%ld,%ld", a->spot_checks, a->spot_checks_failed,
                a->spot_checks_all, a->spot_checks_failed_all, a->blacklisted);
        for (int k = 1; k < GM_INDUSTRY_SLOTS; k++)
            fprintf(f, ",%ld,%ld", a->rates_industry[k].judged, a->rates_industry[k].compliant);
        fputc('\n', f);
    }
}

int gm_indicators_json(gm_context *ctx, const gm_indicators *ind, char **out)
{
    return gm_memtext(ctx, write_json, ind, out);
}

int gm_indicators_csv(gm_context *ctx, const gm_indicators *ind, char **out)
{
    return gm_memtext(ctx, write_csv, ind, out);
}
