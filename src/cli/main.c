/*
 * main.c -- `greenmine COMMAND ...`: dispatches to the commands.
 */
#include "cli/cli.h"

#include <cpl_conv.h>

#include <stdlib.h>
#include <string.h>

static const char main_help[] =
    "greenmine -- spatial analysis for the province's green-mining plan\n"
    "\n"
    "Usage: greenmine COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  analyze    mines x red lines x zones, restoration and reclamation progress,\n"
    "             written to a GeoPackage, coverage GeoTIFFs and a QGIS project\n"
    "             (see 'greenmine analyze --help')\n"
    "  check      is a mining-right application clear of the red lines?\n"
    "             (see 'greenmine check --help')\n"
    "  demo       analyze the synthetic demo data in data/demo\n"
    "  ingest     record the layers as a dated snapshot in a registry\n"
    "             (SpatiaLite file or PG:...), see 'greenmine ingest --help'\n"
    "  progress   restoration and reclamation per snapshot and zone, against\n"
    "             the targets, from a registry\n"
    "  report     a self-contained HTML report of a registry or an analyze run\n"
    "  licences   the mines' licences in a registry: import, list\n"
    "  events     the mines' append-only event log: import, add, list\n"
    "  status     each mine's status on a date, derived from its events\n"
    "  thresholds the three-rate minimums per industry and mineral: import, list\n"
    "  draw       the double-random spot-check draw (双随机抽查), recorded and\n"
    "             published; draw --verify redoes one (see 'greenmine draw --help')\n"
    "  draws      the public record of the draws and their results (HTML or CSV)\n"
    "  yearly     the yearly report (年报) of the province, a city or a county\n"
    "  list       the public list of green mines (名录), GeoPackage for QGIS or CSV\n"
    "  serve      the check page and JSON API in a browser (see 'greenmine serve --help')\n"
    "  users      the desk's users: add, passwd, remove, list (see 'greenmine users --help')\n"
    "  version    print the version\n"
    "\n"
    "Every command takes --help. Documentation: docs/cli.md, docs/check.md,\n"
    "docs/registry.md, docs/management.md, docs/architecture.md.\n";

int main(int argc, char **argv)
{
    /* GDAL's block cache defaults to 5 % of RAM; the rasters stream tile by tile and
     * never reuse a block, so a big cache only raises the peak memory (1.5 GB on
     * the demo). The user's GDAL_CACHEMAX still wins. */
    if (!getenv("GDAL_CACHEMAX")) CPLSetConfigOption("GDAL_CACHEMAX", "256");
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(main_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? GM_EXIT_BAD_INPUT : GM_EXIT_OK;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "analyze") == 0) return gm_cmd_analyze(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0) return gm_cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "demo") == 0) return gm_cmd_demo(argc - 1, argv + 1);
    if (strcmp(cmd, "ingest") == 0) return gm_cmd_ingest(argc - 1, argv + 1);
    if (strcmp(cmd, "progress") == 0) return gm_cmd_progress(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0) return gm_cmd_report(argc - 1, argv + 1);
    if (strcmp(cmd, "draw") == 0) return gm_cmd_draw(argc - 1, argv + 1);
    if (strcmp(cmd, "draws") == 0) return gm_cmd_draws(argc - 1, argv + 1);
    if (strcmp(cmd, "yearly") == 0) return gm_cmd_yearly(argc - 1, argv + 1);
    if (strcmp(cmd, "list") == 0) return gm_cmd_list(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0) return gm_cmd_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "licences") == 0 || strcmp(cmd, "licenses") == 0)
        return gm_cmd_licences(argc - 1, argv + 1);
    if (strcmp(cmd, "events") == 0) return gm_cmd_events(argc - 1, argv + 1);
    if (strcmp(cmd, "status") == 0) return gm_cmd_status(argc - 1, argv + 1);
    if (strcmp(cmd, "thresholds") == 0) return gm_cmd_thresholds(argc - 1, argv + 1);
    if (strcmp(cmd, "users") == 0) return gm_cmd_users(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("greenmine %s\n", gm_version());
        return GM_EXIT_OK;
    }
    fprintf(stderr, "greenmine: error: unknown command '%s' (see 'greenmine --help')\n", cmd);
    return GM_EXIT_BAD_INPUT;
}
