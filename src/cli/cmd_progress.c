/*
 * cmd_progress.c -- `greenmine progress`: the registry's progress series per
 * snapshot and area, as a table, CSV or JSON. The figures come from
 * gm_registry_progress (gm_analyze on each snapshot); this file only prints.
 */
#include "cli/cli.h"
#include "core/text.h"

#include <greenmine/registry.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char progress_help[] =
    "Usage: greenmine progress --db DB [--zone NAME] [--from DATE] [--json | --csv]\n"
    "                          [--quiet]\n"
    "\n"
    "Restoration and reclamation completed per snapshot, for the province and each\n"
    "zone: cumulative hectares as of the snapshot's date (the rules of 'analyze',\n"
    "unions counted once), the increment since the previous snapshot, the targets\n"
    "(2,000 ha and 500 ha by 2020 for the province; a zone's own when its layer\n"
    "carries them) and the date each target is met at the latest pace (straight\n"
    "line); the large + medium share against 7 %; green mines against 100\n"
    "(35 large, 50 medium, 15 small) when the mines carry the green flag.\n"
    "\n"
    "  --db DB        the registry (SpatiaLite file or PG:CONNINFO)\n"
    "  --zone NAME    only this zone (name or zone_id)\n"
    "  --from DATE    first day counted (default 2016-01-01)\n"
    "  --json         {\"series\": [...]}, one object per snapshot and area (zone null\n"
    "                 for the province)\n"
    "  --csv          the same as CSV, one row per snapshot and area\n"
    "  -q, --quiet    print nothing but the result and errors\n"
    "  -h, --help     this help\n";

enum { OPT_DB = 256, OPT_ZONE, OPT_FROM, OPT_JSON, OPT_CSV };
static const struct option options[] = {{"db", required_argument, NULL, OPT_DB},
                                        {"zone", required_argument, NULL, OPT_ZONE},
                                        {"from", required_argument, NULL, OPT_FROM},
                                        {"json", no_argument, NULL, OPT_JSON},
                                        {"csv", no_argument, NULL, OPT_CSV},
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

int gm_cmd_progress(int argc, char **argv)
{
    gm_cli cli = {0};
    const char *db = NULL;
    gm_progress_options po = GM_PROGRESS_OPTIONS_INIT;
    int format = 0, c, exit_code = -1; /* 0 table, 1 json, 2 csv */
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
    if (gm_context_new(&ctx) != GM_OK) {
        fprintf(stderr, "greenmine: error: cannot create the engine context\n");
        return GM_EXIT_FAILURE;
    }
    cli.quiet = 1; /* stdout is the result: engine notes and bars stay off */
    gm_cli_attach(&cli, ctx);
    int rc = gm_registry_open(ctx, db, 0, &reg);
    if (rc == GM_OK) rc = gm_registry_progress(reg, &po, &p);
    if (rc != GM_OK)
        exit_code = gm_cli_fail(&cli, ctx, rc);
    else {
        exit_code = GM_EXIT_OK;
        char *text = NULL;
        if (format == 0)
            print_table(p);
        else if ((rc = (format == 1 ? gm_progress_json : gm_progress_csv)(ctx, p, &text)) != GM_OK)
            exit_code = gm_cli_fail(&cli, ctx, rc);
        else
            fputs(text, stdout);
        free(text);
    }
    gm_progress_series_free(p);
    gm_registry_close(reg);
    gm_context_free(ctx);
    return exit_code;
}
