/*
 * cmd_progress.c -- `greenmine progress`: the registry's progress series per
 * snapshot and area, as a table, CSV or JSON. The figures come from
 * gm_registry_progress (gm_analyze on each snapshot); this file only prints.
 */
#include "cli/cli.h"

#include "core/text.h"

#include <greenmine/mgmt_data.h>
#include <greenmine/publish.h>
#include <greenmine/registry.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char progress_help[] =
    "Usage: greenmine progress --db DB [--zone NAME] [--from DATE] [--json | --csv]\n"
    "                          [--as-of DATE] [--indicators] [--quiet]\n"
    "\n"
    "Restoration and reclamation completed per snapshot, for the province and each\n"
    "zone: cumulative hectares as of the snapshot's date (the rules of 'analyze',\n"
    "unions counted once), the increment since the previous snapshot, the targets\n"
    "(2,000 ha and 500 ha by 2020 for the province; a zone's own when its layer\n"
    "carries them) and the date each target is met at the latest pace (straight\n"
    "line); the large + medium share against 7 %; green mines against 100\n"
    "(35 large, 50 medium, 15 small) when the mines carry the green flag.\n"
    "\n"
    "When the registry holds licences (greenmine licences import), the management\n"
    "indicators follow, as of --as-of (default today), for the province, each\n"
    "zone, each city and each county: green mines listed against 100 (existing\n"
    "mines: 35 large, 50 medium, 15 small), new mines built to the standard (share\n"
    "of new mines verified or listed), three-rate compliance of large and medium\n"
    "mines against 85 %, by industry beside the 2015 baseline (58.03 %), spot\n"
    "checks done and failed (that year, and all), mines on the blacklist.\n"
    "docs/management.md defines each figure.\n"
    "\n"
    "  --db DB        the registry (SpatiaLite file or PG:CONNINFO)\n"
    "  --zone NAME    only this zone (name or zone_id; the indicators: the\n"
    "                 province and the zone of that name)\n"
    "  --from DATE    first day counted (default 2016-01-01)\n"
    "  --json         {\"series\": [...]}, one object per snapshot and area (zone null\n"
    "                 for the province)\n"
    "  --csv          the same as CSV, one row per snapshot and area (with\n"
    "                 --indicators: the indicators, one row per area)\n"
    "  --as-of DATE   the indicators' date (default today)\n"
    "  --indicators   only the management indicators (no hectares: no analysis\n"
    "                 of every snapshot); with --json, the indicators object\n"
    "  -q, --quiet    print nothing but the result and errors\n"
    "  -h, --help     this help\n";

enum { OPT_DB = 256, OPT_ZONE, OPT_FROM, OPT_JSON, OPT_CSV, OPT_AS_OF, OPT_INDICATORS };
static const struct option options[] = {{"db", required_argument, NULL, OPT_DB},
                                        {"zone", required_argument, NULL, OPT_ZONE},
                                        {"from", required_argument, NULL, OPT_FROM},
                                        {"json", no_argument, NULL, OPT_JSON},
                                        {"csv", no_argument, NULL, OPT_CSV},
                                        {"as-of", required_argument, NULL, OPT_AS_OF},
                                        {"indicators", no_argument, NULL, OPT_INDICATORS},
                                        {"quiet", no_argument, NULL, 'q'},
                                        {"help", no_argument, NULL, 'h'},
                                        {NULL, 0, NULL, 0}};

static void put_date(FILE *f, int d, int quoted)
{
    if (!d) {
        fputs(quoted ? "null" : "", f);
        return;
    }
    fprintf(f, quoted ? "\"%04d-%02d-%02d\"" : "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100);
}

static void print_pct(const gm_progress_row *r, int k)
{
    if (r->target_ha[k] > 0)
        printf(" %5.1f%%", 100.0 * r->done_ha[k] / r->target_ha[k]);
    else
        printf(" %6s", "-");
}

static void print_table(const gm_progress_series *p)
{
    printf("greenmine progress (period from %04d-%02d-%02d; targets by 2020-12-31)\n\n",
           p->period_start / 10000, p->period_start / 100 % 100, p->period_start % 100);
    printf("as of       ");
    gm_cli_print_padded(stdout, "area", 12);
    printf("%12s %10s %7s %11s %12s %10s %7s %11s %8s %9s\n", "restored ha", "+year", "of tgt",
           "met by", "reclaimed ha", "+year", "of tgt", "met by", "L+M %", "green");
    for (size_t i = 0; i < p->n; i++) {
        const gm_progress_row *r = &p->rows[i];
        put_date(stdout, r->as_of, 0);
        printf("  ");
        gm_cli_print_padded(stdout, r->zone ? r->zone : "(province)", 12);
        for (int k = 0; k < 2; k++) {
            printf("%*.2f %10.2f", k ? 12 : 12, r->done_ha[k], r->increment_ha[k]);
            print_pct(r, k);
            printf(" ");
            if (r->projected[k])
                put_date(stdout, r->projected[k], 0);
            else
                printf("%10s", r->target_ha[k] > 0 ? "never" : "-");
            printf(" ");
        }
        if (!r->zone)
            printf("%7.2f%%", 100.0 * r->large_medium_share);
        else
            printf("%8s", "");
        if (r->green_mines >= 0)
            printf(" %4ld/%d\n", r->green_mines, GM_TARGET_GREEN_MINES);
        else
            printf(" %9s\n", "-");
    }
    if (p->n) {
        const gm_progress_row *last = NULL;
        for (size_t i = 0; i < p->n; i++)
            if (!p->rows[i].zone) last = &p->rows[i];
        if (last && last->green_mines >= 0) {
            printf("\ngreen mines at the last snapshot: %ld large of %d, %ld medium of %d, %ld "
                   "small of %d",
                   last->green_large, GM_TARGET_GREEN_LARGE, last->green_medium,
                   GM_TARGET_GREEN_MEDIUM, last->green_small, GM_TARGET_GREEN_SMALL);
            /* say so when the three do not add up to the total */
            long unknown =
                last->green_mines - last->green_large - last->green_medium - last->green_small;
            if (unknown > 0) printf(", %ld without a recorded scale", unknown);
            printf(" (%ld in all)\n", last->green_mines);
        }
    }
}

static void print_share(long num, long den)
{
    if (den > 0)
        printf(" %3ld/%-3ld %5.1f%%", num, den, 100.0 * (double)num / (double)den);
    else
        printf(" %3ld/%-3ld %6s", num, den, "-");
}

/* The management indicators as a table: one line per area, then the
 * province's three-rate compliance by industry beside the 2015 baseline. */
static void print_indicators(const gm_indicators *ind)
{
    printf("\nmanagement indicators as of %04d-%02d-%02d (three-rate thresholds: %s%s%s)\n\n",
           ind->as_of / 10000, ind->as_of / 100 % 100, ind->as_of % 100,
           ind->threshold_set ? "loaded" : "none loaded", ind->threshold_label ? ", " : "",
           ind->threshold_label ? ind->threshold_label : "");
    printf("level    ");
    gm_cli_print_padded(stdout, "area", 12);
    printf(" %5s %6s %-11s %5s  %-18s %-18s %6s %6s %5s\n", "mines", "listed", "existing L/M/S",
           "of100", "new built", "3-rate L+M", "checks", "failed", "black");
    for (size_t i = 0; i < ind->n; i++) {
        const gm_indicator_area *a = &ind->areas[i];
        char lms[32];
        printf("%-9s", gm_area_level_name(a->level));
        if (a->name) {
            char *safe = gm_term_escape(a->name);
            gm_cli_print_padded(stdout, safe ? safe : "", 12);
            free(safe);
        } else {
            gm_cli_print_padded(stdout, "(province)", 12);
        }
        snprintf(lms, sizeof lms, "%ld (%ld/%ld/%ld)", a->listed_existing,
                 a->listed_existing_scale[GM_SCALE_LARGE],
                 a->listed_existing_scale[GM_SCALE_MEDIUM],
                 a->listed_existing_scale[GM_SCALE_SMALL]);
        printf(" %5ld %6ld %-14s %4.0f%%", a->licences, a->listed, lms,
               100.0 * (double)a->listed_existing / GM_TARGET_GREEN_MINES);
        print_share(a->new_built, a->new_mines);
        printf("   ");
        print_share(a->rates.compliant, a->rates.judged);
        printf(" %6ld %6ld %5ld\n", a->spot_checks, a->spot_checks_failed, a->blacklisted);
    }
    const gm_indicator_area *p = &ind->areas[0];
    printf("\nthree-rate compliance of large and medium mines, province: ");
    if (p->rates.judged)
        printf("%.1f%%", 100.0 * gm_rates_share(&p->rates));
    else
        printf("-");
    printf(" (target %.0f%% by 2020; 2015: %.2f%%); %ld of %ld reported\n",
           100 * GM_TARGET_THREE_RATES, 100 * GM_BASELINE_THREE_RATES_2015, p->rates.reported,
           p->rates.mines);
    for (int k = 1; k < GM_INDUSTRY_SLOTS; k++) {
        const gm_rates_count *c = &p->rates_industry[k];
        double base = gm_three_rates_baseline((gm_industry)k);
        if (!c->mines && base < 0) continue;
        printf("  %-12s", gm_industry_name((gm_industry)k));
        print_share(c->compliant, c->judged);
        if (base >= 0)
            printf("   2015: %5.2f%%\n", 100 * base);
        else
            printf("   2015: -\n");
    }
    printf("green mines listed: %ld in all; existing %ld of %d (%ld of %d large, %ld of %d "
           "medium, %ld of %d small); new mines built to standard %ld of %ld\n",
           p->listed, p->listed_existing, GM_TARGET_GREEN_MINES,
           p->listed_existing_scale[GM_SCALE_LARGE], GM_TARGET_GREEN_LARGE,
           p->listed_existing_scale[GM_SCALE_MEDIUM], GM_TARGET_GREEN_MEDIUM,
           p->listed_existing_scale[GM_SCALE_SMALL], GM_TARGET_GREEN_SMALL, p->new_built,
           p->new_mines);
}

/* With --zone: keeps the province and that zone's row (by name) and drops
 * the rest, in place (the dropped names are freed). */
static void keep_zone(gm_indicators *ind, const char *zone)
{
    size_t k = 0;
    for (size_t i = 0; i < ind->n; i++) {
        gm_indicator_area *a = &ind->areas[i];
        int keep = a->level == GM_AREA_PROVINCE ||
                   (a->level == GM_AREA_ZONE && a->name && strcmp(a->name, zone) == 0);
        if (keep)
            ind->areas[k++] = *a;
        else
            free(a->name);
    }
    ind->n = k;
}

/* Today (UTC) as YYYYMMDD. */
static int today(void)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

int gm_cmd_progress(int argc, char **argv)
{
    gm_cli cli = {0};
    const char *db = NULL;
    gm_progress_options po = GM_PROGRESS_OPTIONS_INIT;
    int format = 0, c, exit_code = -1; /* 0 table, 1 json, 2 csv */
    int as_of = 0, only_indicators = 0;
    optind = 1;
    while (exit_code < 0 && (c = getopt_long(argc, argv, "qh", options, NULL)) != -1) {
        switch (c) {
        case OPT_DB:
            db = optarg;
            break;
        case OPT_ZONE:
            po.zone = optarg;
            break;
        case OPT_FROM:
            if (gm_parse_date(optarg, &po.period_start) != GM_OK || !po.period_start)
                exit_code = gm_cli_usage_error("progress", "--from %s: not a date", optarg);
            break;
        case OPT_AS_OF:
            if (gm_parse_date(optarg, &as_of) != GM_OK || !as_of)
                exit_code = gm_cli_usage_error("progress", "--as-of %s: not a date", optarg);
            break;
        case OPT_INDICATORS:
            only_indicators = 1;
            break;
        case OPT_JSON:
        case OPT_CSV:
            if (format && format != (c == OPT_JSON ? 1 : 2))
                exit_code = gm_cli_usage_error("progress", "--json and --csv exclude each other");
            format = c == OPT_JSON ? 1 : 2;
            break;
        case 'q':
            cli.quiet = 1;
            break;
        case 'h':
            fputs(progress_help, stdout);
            exit_code = GM_EXIT_OK;
            break;
        default:
            exit_code = gm_cli_usage_error("progress", "unknown option");
        }
    }
    if (exit_code < 0 && optind < argc)
        exit_code = gm_cli_usage_error("progress", "unexpected argument '%s'", argv[optind]);
    if (exit_code < 0) exit_code = gm_cli_check_registry("progress", db);
    if (exit_code >= 0) return exit_code;

    gm_context *ctx = NULL;
    gm_registry *reg = NULL;
    gm_progress_series *p = NULL;
    gm_indicators *ind = NULL;
    gm_licence_list *lic = NULL;
    if (gm_context_new(&ctx) != GM_OK) {
        fprintf(stderr, "greenmine: error: cannot create the engine context\n");
        return GM_EXIT_FAILURE;
    }
    cli.quiet = 1; /* stdout is the result: engine notes and bars stay off */
    gm_cli_attach(&cli, ctx);
    int rc = gm_registry_open(ctx, db, 0, &reg);
    if (rc == GM_OK && !only_indicators) rc = gm_registry_progress(reg, &po, &p);
    /* the indicators when the registry holds licences (or when asked for) */
    if (rc == GM_OK) rc = gm_registry_licences(reg, &lic);
    if (rc == GM_OK && (lic->n || only_indicators))
        rc = gm_registry_indicators(reg, as_of ? as_of : today(), &ind);
    if (rc == GM_OK && ind && po.zone) keep_zone(ind, po.zone);
    if (rc != GM_OK)
        exit_code = gm_cli_fail(&cli, ctx, rc);
    else {
        exit_code = GM_EXIT_OK;
        char *text = NULL, *itext = NULL;
        if (format == 0) {
            if (p) print_table(p);
            if (ind) print_indicators(ind);
        } else if (only_indicators) {
            if ((rc = (format == 1 ? gm_indicators_json : gm_indicators_csv)(ctx, ind, &text)) !=
                GM_OK)
                exit_code = gm_cli_fail(&cli, ctx, rc);
            else
                fputs(text, stdout);
        } else if ((rc = (format == 1 ? gm_progress_json : gm_progress_csv)(ctx, p, &text)) !=
                   GM_OK) {
            exit_code = gm_cli_fail(&cli, ctx, rc);
        } else if (format == 1 && ind) {
            /* the series object gains "indicators": {...} as its last key */
            size_t len = strlen(text);
            if ((rc = gm_indicators_json(ctx, ind, &itext)) != GM_OK) {
                exit_code = gm_cli_fail(&cli, ctx, rc);
            } else {
                while (len && (text[len - 1] == '\n' || text[len - 1] == '}'))
                    if (text[--len] == '}') break;
                printf("%.*s,\n \"indicators\": %s}\n", (int)len, text, itext);
            }
        } else {
            fputs(text, stdout);
        }
        free(text);
        free(itext);
    }
    gm_licence_list_free(lic);
    gm_indicators_free(ind);
    gm_progress_series_free(p);
    gm_registry_close(reg);
    gm_context_free(ctx);
    return exit_code;
}
