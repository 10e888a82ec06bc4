/*
 * cmd_report.c -- `greenmine report`: the registry's progress series and its
 * latest snapshot analysed (--db), or one analyze run's GeoPackage read back
 * (--gpkg), written as one self-contained HTML file.
 */
#include "cli/cli.h"

#include <greenmine/registry.h>
#include <greenmine/report.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char report_help[] =
    "Usage: greenmine report --db DB [-o FILE] [--zone NAME] [--from DATE] [--quiet]\n"
    "       greenmine report --gpkg FILE [-o FILE] [--zone NAME] [--quiet]\n"
    "\n"
    "Writes one self-contained HTML file (no network access, inline SVG; prints on\n"
    "A4) for the province or one zone, in Chinese with English: the headline\n"
    "figures of the latest snapshot against the targets, a map of the zones\n"
    "coloured by progress, the progress by snapshot toward each target, the mines\n"
    "in red-line conflict, and where the data came from (files and SHA-256).\n"
    "The glyphs the page uses are embedded, cut from an installed CJK font\n"
    "($GREENMINE_CJK_FONT = FILE[#INDEX], else Noto Sans CJK SC or WenQuanYi at\n"
    "Debian's paths), so it prints the same on a machine without a CJK font.\n"
    "\n"
    "With --gpkg the data is one `greenmine analyze` run, read back from its\n"
    "GeoPackage as written (nothing is recomputed): one snapshot, its as-of\n"
    "date; the charts hold that one point and say so. The GeoPackage carries\n"
    "no zone targets, so the map colours zones relative to the leading zone.\n"
    "\n"
    "  --db DB        the registry (SpatiaLite file or PG:CONNINFO)\n"
    "  --gpkg FILE    instead of --db: the GeoPackage of one analyze run\n"
    "  -o, --output FILE  the HTML file (default report.html)\n"
    "  --zone NAME    a zone's report instead of the province's\n"
    "  --from DATE    first day counted (default 2016-01-01; --db only: an\n"
    "                 analyze run's period is the one it was run with)\n"
    "  -q, --quiet    print nothing but errors\n"
    "  -h, --help     this help\n";

enum { OPT_DB = 256, OPT_GPKG, OPT_ZONE, OPT_FROM };
static const struct option options[] = {{"db", required_argument, NULL, OPT_DB},
                                        {"gpkg", required_argument, NULL, OPT_GPKG},
                                        {"output", required_argument, NULL, 'o'},
                                        {"zone", required_argument, NULL, OPT_ZONE},
                                        {"from", required_argument, NULL, OPT_FROM},
                                        {"quiet", no_argument, NULL, 'q'},
                                        {"help", no_argument, NULL, 'h'},
                                        {NULL, 0, NULL, 0}};

/* --gpkg: the report of one analyze run. */
static int report_gpkg(gm_cli *cli, const char *gpkg, const char *output, const char *zone)
{
    gm_context *ctx = NULL;
    gm_analysis_run *run = NULL;
    int exit_code;
    if (gm_context_new(&ctx) != GM_OK) {
        fprintf(stderr, "greenmine: error: cannot create the engine context\n");
        return GM_EXIT_FAILURE;
    }
    gm_cli_attach(cli, ctx);
    int rc = gm_analysis_run_read(ctx, gpkg, zone, &run);
    if (rc == GM_OK) {
        gm_report_data d = {.progress = run->progress,
                            .snapshots = run->snapshots,
                            .in = run->in,
                            .res = run->res,
                            .as_of = run->as_of,
                            .zone = zone,
                            .registry = gpkg,
                            .single_run = 1};
        rc = gm_write_report_html(ctx, output, &d);
    }
    gm_cli_progress_done(cli);
    if (rc != GM_OK) {
        exit_code = gm_cli_fail(cli, ctx, rc);
    } else {
        exit_code = GM_EXIT_OK;
        char d[GM_DATE_TEXT];
        if (!cli->quiet)
            printf("greenmine report: %s (as of %s, one analysis run)\n", output,
                   gm_date_text(run->as_of, d));
    }
    gm_analysis_run_free(ctx, run);
    gm_context_free(ctx);
    return exit_code;
}

int gm_cmd_report(int argc, char **argv)
{
    gm_cli cli = {0};
    const char *db = NULL, *gpkg = NULL, *output = "report.html";
    int from_given = 0;
    gm_progress_options po = GM_PROGRESS_OPTIONS_INIT;
    int c, exit_code = -1;
    optind = 1;
    while (exit_code < 0 && (c = getopt_long(argc, argv, "o:qh", options, NULL)) != -1) {
        switch (c) {
        case OPT_DB:
            db = optarg;
            break;
        case OPT_GPKG:
            gpkg = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case OPT_ZONE:
            po.zone = optarg;
            break;
        case OPT_FROM:
            if (gm_parse_date(optarg, &po.period_start) != GM_OK || !po.period_start)
                exit_code = gm_cli_usage_error("report", "--from %s: not a date", optarg);
            from_given = 1;
            break;
        case 'q':
            cli.quiet = 1;
            break;
        case 'h':
            fputs(report_help, stdout);
            exit_code = GM_EXIT_OK;
            break;
        default:
            exit_code = gm_cli_usage_error("report", "unknown option");
        }
    }
    if (exit_code < 0 && optind < argc)
        exit_code = gm_cli_usage_error("report", "unexpected argument '%s'", argv[optind]);
    if (exit_code < 0 && gpkg) {
        if (db)
            exit_code = gm_cli_usage_error("report", "--db and --gpkg: give one of them");
        else if (from_given)
            exit_code = gm_cli_usage_error("report", "--from applies to --db only (an analyze "
                                                     "run keeps its own period)");
        else if (access(gpkg, R_OK) != 0)
            exit_code = gm_cli_usage_error("report", "--gpkg %s: no such file", gpkg);
        if (exit_code >= 0) return exit_code;
        return report_gpkg(&cli, gpkg, output, po.zone);
    }
    if (exit_code < 0 && !db)
        exit_code = gm_cli_usage_error("report", "--db or --gpkg is required");
    if (exit_code < 0) exit_code = gm_cli_check_registry("report", db);
    if (exit_code >= 0) return exit_code;

    gm_context *ctx = NULL;
    gm_registry *reg = NULL;
    gm_progress_series *p = NULL;
    gm_snapshots *snaps = NULL;
    gm_inputs *in = NULL;
    gm_results *res = NULL;
    if (gm_context_new(&ctx) != GM_OK) {
        fprintf(stderr, "greenmine: error: cannot create the engine context\n");
        return GM_EXIT_FAILURE;
    }
    gm_cli_attach(&cli, ctx);
    int rc = gm_registry_open(ctx, db, 0, &reg);
    if (rc == GM_OK) rc = gm_registry_progress(reg, &po, &p);
    if (rc == GM_OK) rc = gm_registry_snapshots(reg, &snaps);
    if (rc == GM_OK && snaps->n == 0) rc = gm_context_errcode(ctx), exit_code = -2;
    const gm_snapshot *last = rc == GM_OK && snaps->n ? &snaps->items[snaps->n - 1] : NULL;
    gm_analysis_options ao = {.period_start = po.period_start, .as_of = last ? last->as_of : 0};
    if (last) rc = gm_registry_load(reg, last->id, &in);
    if (last && rc == GM_OK) rc = gm_analyze(ctx, in, &ao, &res);
    if (last && rc == GM_OK) {
        gm_report_data d = {.progress = p,
                            .snapshots = snaps,
                            .in = in,
                            .res = res,
                            .as_of = last->as_of,
                            .zone = po.zone,
                            .registry = db};
        rc = gm_write_report_html(ctx, output, &d);
    }
    gm_cli_progress_done(&cli);
    if (exit_code == -2) {
        fprintf(stderr, "greenmine: error: registry %s holds no snapshot yet (greenmine ingest)\n",
                db);
        exit_code = GM_EXIT_BAD_INPUT;
    } else if (rc != GM_OK) {
        exit_code = gm_cli_fail(&cli, ctx, rc);
    } else {
        exit_code = GM_EXIT_OK;
        char d[GM_DATE_TEXT];
        if (!cli.quiet)
            printf("greenmine report: %s (as of %s, %zu snapshots)\n", output,
                   gm_date_text(last->as_of, d), snaps->n);
    }
    gm_results_free(ctx, res);
    gm_inputs_free(ctx, in);
    gm_snapshots_free(snaps);
    gm_progress_series_free(p);
    gm_registry_close(reg);
    gm_context_free(ctx);
    return exit_code;
}
