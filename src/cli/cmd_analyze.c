/*
 * cmd_analyze.c -- `greenmine analyze` and `greenmine demo`: load the four
 * layers, analyse, write the GeoPackage, print the summary.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char analyze_help[] =
    "Usage: greenmine analyze --mines SRC --redlines SRC --parcels SRC --zones SRC\n"
    "                         [-o FILE] [--as-of DATE] [--from DATE] [--threads N]\n"
    "                         [--field LAYER.FIELD=SOURCE]... [--encoding ENC]\n"
    "                         [--cell M] [--no-rasters] [--tile SIZE:COL,ROW]\n"
    "                         [--zone NAME] [--quiet]\n"
    "\n"
    "Overlays mines with the ecological red lines and the demonstration zones,\n"
    "measures restoration and reclamation progress, and writes the GeoPackage of\n"
    "the data contract (EPSG:4490, CGCS2000 longitude/latitude) with default QGIS\n"
    "styles, Chinese field titles and the run's provenance. Beside it, in the same\n"
    "folder: restoration_coverage.tif and redline_conflict.tif (exact cell\n"
    "fractions, Cloud-Optimized GeoTIFF, Albers equal-area on CGCS2000, each with\n"
    "a .qml style) and a QGIS project named like the GeoPackage (greenmine.qgs).\n"
    "\n"
    "Inputs (SRC = PATH, PATH:LAYER, or a PG: connection string, any OGR format\n"
    "and any CRS PROJ knows):\n"
    "  --mines SRC        mine boundaries (polygons)\n"
    "  --redlines SRC     ecological protection red lines (polygons)\n"
    "  --parcels SRC      restoration / reclamation parcels (polygons)\n"
    "  --zones SRC        green-mining demonstration zones (polygons)\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE  the GeoPackage to write (default greenmine.gpkg). The four\n"
    "                     outputs are one set: written under temporary names and put\n"
    "                     in place together only when all are complete; a failed,\n"
    "                     killed or interrupted run leaves the previous set as it was\n"
    "                     (docs/cli.md, \"One set\"). FILE must not be a folder,\n"
    "                     device, FIFO or symbolic link\n"
    "  --as-of DATE       last day counted, YYYY-MM-DD (default 2020-12-31)\n"
    "  --from DATE        first day counted, YYYY-MM-DD (default 2016-01-01)\n"
    "  --threads N        worker threads for loading and the overlay (default: the\n"
    "                     processors online); with 2 or more the four inputs are\n"
    "                     read side by side and the GeoPackage is written while\n"
    "                     the analysis runs; the outputs are the same for any N\n"
    "  --field L.F=S      read canonical field F of layer L (mines, redlines,\n"
    "                     parcels, zones) from source field S; repeatable\n"
    "  --encoding ENC     attribute encoding of shapefile inputs (default: the\n"
    "                     .cpg file, or GBK when a shapefile declares none)\n"
    "  --allow-duplicate-ids  keep mines, red lines, parcels or zones whose identifier\n"
    "                     repeats, with a warning naming both features (default:\n"
    "                     refused, exit 2); overlapping parcels count once anyway\n"
    "  --cell M           raster cell size in metres (default 30)\n"
    "  --no-rasters       write no GeoTIFFs (the project then shows the vectors only)\n"
    "  --max-raster-cells N  refuse rasters whose grid would hold more than N cells\n"
    "                     (default 4e9); checked, with the free space, before the\n"
    "                     analysis starts\n"
    "  --tile SIZE:COL,ROW  run one partition: the cell lon [COL*SIZE, (COL+1)*SIZE) x\n"
    "                     lat [ROW*SIZE, (ROW+1)*SIZE) degrees. It owns the mines whose\n"
    "                     bounding box's south-west corner lies in it and the parcels'\n"
    "                     parts inside it; the runs of all cells add up to the whole\n"
    "                     run (docs/performance.md). E.g. --tile 1:112,27\n"
    "  --zone NAME        run one zone's partition (NAME: the zone's name or zone_id;\n"
    "                     - = the rest of the province, outside every zone). It\n"
    "                     owns the mines whose zone_name is the zone and the\n"
    "                     parcels' parts inside it, and writes that zone's\n"
    "                     zone_progress row (the whole run's row); its province\n"
    "                     hectares leave out what zones earlier in the zones layer\n"
    "                     hold, so the runs of every zone and of - add up to the\n"
    "                     whole run (docs/performance.md). With --tile: the part\n"
    "                     of the zone's partition in the tile. E.g. --zone 浏阳市\n"
    "  -q, --quiet        print nothing but errors\n"
    "  -h, --help         this help\n"
    "\n"
    "Fields are found by the contract's names and aliases (e.g. mine_id, 采矿许可证号,\n"
    "许可证号, XKZH, KSBH); values may be Chinese or English (大型 / large).\n"
    "Exit status: 0 done, 2 bad input (the message names file, layer, field or\n"
    "feature), 1 any other failure, 128+N stopped by signal N (Ctrl-C: 130). Only\n"
    "exit 0 replaces the outputs.\n";

static const char demo_help[] =
    "Usage: greenmine demo [-o DIR] [--as-of DATE] [--threads N] [--cell M]\n"
    "                      [--no-rasters] [--quiet]\n"
    "\n"
    "Runs `greenmine analyze` on the synthetic demo data shipped in data/demo\n"
    "(GREENMINE_DATA overrides where it is looked for) and writes DIR/greenmine.gpkg,\n"
    "DIR/restoration_coverage.tif, DIR/redline_conflict.tif (with .qml styles) and\n"
    "DIR/greenmine.qgs (default DIR: greenmine-demo). Open greenmine.qgs in QGIS.\n"
    "The demo's parcels repeat some parcel ids on purpose (a parcel digitised\n"
    "twice): the demo keeps them with a warning, as --allow-duplicate-ids would.\n"
    "\n"
    "Options:\n"
    "  -o, --output DIR   folder for the outputs (default greenmine-demo)\n"
    "  --as-of DATE       last day counted, YYYY-MM-DD (default 2020-12-31)\n"
    "  --threads N        worker threads for loading and the overlay (default: the\n"
    "                     processors online); with 2 or more the four inputs are\n"
    "                     read side by side and the GeoPackage is written while\n"
    "                     the analysis runs; the outputs are the same for any N\n"
    "  --cell M           raster cell size in metres (default 30)\n"
    "  --no-rasters       write no GeoTIFFs\n"
    "  -q, --quiet        print nothing but errors\n"
    "  -h, --help         this help\n";

typedef struct analyze_args {
    gm_run_options run;
    const char **fields;
    int threads;
    gm_tile tile;
} analyze_args;

static void print_summary(const analyze_args *a, const gm_run_report *rep)
{
    const gm_run_options *o = &a->run;
    const gm_inputs *in = rep->in;
    const gm_results *res = rep->res;
    char d1[GM_DATE_TEXT], d2[GM_DATE_TEXT];
    printf("greenmine analyze: period %s .. %s (both days included)\n",
           gm_date_text(o->analysis.period_start, d1), gm_date_text(o->analysis.as_of, d2));
    if (o->tile)
        printf("Partition: tile %g:%ld,%ld\n", o->tile->size_deg, o->tile->col, o->tile->row);
    if (o->zone)
        printf("Partition: zone %s%s\n", o->zone,
               strcmp(o->zone, "-") == 0 ? " (the rest of the province, outside every zone)" : "");
    if (o->tile || o->zone) printf("(the province figures are this partition's share)\n");
    printf("\n");
    printf("Inputs\n");
    static const char *what[] = {"mines", "red lines", "parcels", "zones"};
    size_t kept[] = {in->n_mines, in->n_redlines, in->n_parcels, in->n_zones};
    for (int k = 0; k < GM_LAYER_KINDS; k++)
        printf("  %-10s %6zu  from %s [%s]; %zu repaired, %zu empty\n", what[k], kept[k],
               in->source[k], in->crs[k] ? in->crs[k] : "?", in->repaired[k], in->empty[k]);

    printf("\nProvince (targets for 2020)\n");
    double r = res->done_ha[GM_RESTORATION], c = res->done_ha[GM_RECLAMATION];
    printf("  restoration of legacy mine land  %10.2f ha of %6.0f ha  %6.1f %%  (%zu parcels)\n", r,
           GM_TARGET_RESTORATION_HA, 100.0 * r / GM_TARGET_RESTORATION_HA,
           res->parcels_counted[GM_RESTORATION]);
    printf("  land reclamation                 %10.2f ha of %6.0f ha  %6.1f %%  (%zu parcels)\n", c,
           GM_TARGET_RECLAMATION_HA, 100.0 * c / GM_TARGET_RECLAMATION_HA,
           res->parcels_counted[GM_RECLAMATION]);
    printf("  large + medium mines             %10.2f %% (%zu of %zu with a known scale; "
           "target >= %.0f %%)\n",
           100.0 * res->large_medium_share, res->large_medium_mines, res->mines_known_scale,
           100.0 * GM_TARGET_LARGE_MEDIUM_SHARE);
    printf("  mines in red-line conflict       %10zu mines, %.2f ha in conflict\n",
           res->conflict_mines, res->conflict_ha);
    if (res->completed_without_date)
        printf("  completed parcels without a date %10zu (not counted)\n",
               res->completed_without_date);

    printf("\nDemonstration zones\n  ");
    gm_cli_print_padded(stdout, "zone", 12);
    printf("%14s %14s %7s %13s %9s\n", "restored ha", "reclaimed ha", "mines", "large+medium",
           "conflict");
    for (size_t z = 0; z < in->n_zones; z++) {
        const gm_zone_result *zr = &res->zones[z];
        printf("  ");
        gm_cli_print_padded(stdout, in->zones[z].name ? in->zones[z].name : "?", 12);
        printf("%14.2f %14.2f %7zu %13zu %9zu\n", zr->done_ha[GM_RESTORATION],
               zr->done_ha[GM_RECLAMATION], zr->mines, zr->large_medium_mines, zr->conflict_mines);
    }
    printf("  ");
    gm_cli_print_padded(stdout, "(outside)", 12);
    printf("%14.2f %14.2f\n", res->outside_done_ha[GM_RESTORATION],
           res->outside_done_ha[GM_RECLAMATION]);
    printf("\nOutput: %s (EPSG:4490)\n", o->output);
    if (rep->coverage_tif || rep->conflict_tif)
        printf("Rasters: restoration_coverage.tif, redline_conflict.tif (%g m cells, %s)\n",
               o->raster.cell_m, "Albers equal-area on CGCS2000");
}

static int run_analysis(gm_cli *cli, analyze_args *a)
{
    gm_context *ctx = NULL;
    if (gm_context_new(&ctx) != GM_OK) {
        fprintf(stderr, "greenmine: error: cannot create the engine context\n");
        return GM_EXIT_FAILURE;
    }
    gm_cli_attach(cli, ctx);
    gm_context_set_threads(ctx, a->threads);
    gm_cli_stop_on_signals(ctx); /* Ctrl-C, SIGTERM: the run's temporary files go too */
    gm_run_report *rep = NULL;
    int rc = gm_run(ctx, &a->run, &rep);
    gm_cli_progress_done(cli);
    int exit_code = GM_EXIT_OK;
    if (rc != GM_OK)
        exit_code = gm_cli_fail(cli, ctx, rc);
    else if (!cli->quiet)
        print_summary(a, rep);
    gm_run_report_free(ctx, rep);
    gm_cli_stop_on_signals(NULL);
    gm_context_free(ctx);
    return exit_code;
}

enum {
    OPT_MINES = 256,
    OPT_REDLINES,
    OPT_PARCELS,
    OPT_ZONES,
    OPT_AS_OF,
    OPT_FROM,
    OPT_THREADS,
    OPT_FIELD,
    OPT_ENCODING,
    OPT_CELL,
    OPT_NO_RASTERS,
    OPT_TILE,
    OPT_ZONE,
    OPT_MAX_CELLS,
    OPT_DUPS
};

static const struct option long_options[] = {
    {"mines", required_argument, NULL, OPT_MINES},
    {"redlines", required_argument, NULL, OPT_REDLINES},
    {"parcels", required_argument, NULL, OPT_PARCELS},
    {"zones", required_argument, NULL, OPT_ZONES},
    {"output", required_argument, NULL, 'o'},
    {"as-of", required_argument, NULL, OPT_AS_OF},
    {"from", required_argument, NULL, OPT_FROM},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"field", required_argument, NULL, OPT_FIELD},
    {"encoding", required_argument, NULL, OPT_ENCODING},
    {"allow-duplicate-ids", no_argument, NULL, OPT_DUPS},
    {"cell", required_argument, NULL, OPT_CELL},
    {"no-rasters", no_argument, NULL, OPT_NO_RASTERS},
    {"tile", required_argument, NULL, OPT_TILE},
    {"zone", required_argument, NULL, OPT_ZONE},
    {"max-raster-cells", required_argument, NULL, OPT_MAX_CELLS},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* Parses the options both commands share; returns -1 to go on, else an exit code. */
static int parse(const char *command, int argc, char **argv, analyze_args *a, gm_cli *cli,
                 const char *help)
{
    a->threads = gm_cli_cores();
    a->run.raster = (gm_raster_options)GM_RASTER_OPTIONS_INIT;
    a->run.analysis = (gm_analysis_options)GM_ANALYSIS_OPTIONS_INIT;
    a->fields = calloc((size_t)argc, sizeof *a->fields);
    a->run.load.fields = a->fields;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:qh", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_MINES:
        case OPT_REDLINES:
        case OPT_PARCELS:
        case OPT_ZONES:
            if (strcmp(command, "analyze") != 0)
                return gm_cli_usage_error(command, "option %s is for 'analyze'", argv[optind - 2]);
            a->run.source[c - OPT_MINES] = optarg;
            break;
        case 'o':
            a->run.output = optarg;
            break;
        case OPT_AS_OF:
        case OPT_FROM: {
            int d = 0;
            if (gm_parse_date(optarg, &d) != GM_OK || d == 0)
                return gm_cli_usage_error(command, "%s %s: not a date (YYYY-MM-DD)",
                                          c == OPT_AS_OF ? "--as-of" : "--from", optarg);
            *(c == OPT_AS_OF ? &a->run.analysis.as_of : &a->run.analysis.period_start) = d;
            break;
        }
        case OPT_THREADS: {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 256)
                return gm_cli_usage_error(command, "--threads %s: expected 1..256", optarg);
            a->threads = (int)n;
            break;
        }
        case OPT_FIELD:
            if (strcmp(command, "analyze") != 0)
                return gm_cli_usage_error(command, "--field is for 'analyze'");
            a->fields[a->run.load.n_fields++] = optarg;
            break;
        case OPT_ENCODING:
            a->run.load.encoding = optarg;
            break;
        case OPT_DUPS:
            a->run.load.allow_duplicate_ids = ~0u;
            break;
        case OPT_CELL: {
            char *end;
            double m = strtod(optarg, &end);
            if (*end || !(m >= 1.0 && m <= 10000.0))
                return gm_cli_usage_error(command, "--cell %s: expected metres, 1..10000", optarg);
            a->run.raster.cell_m = m;
            break;
        }
        case OPT_NO_RASTERS:
            a->run.no_rasters = 1;
            break;
        case OPT_TILE: {
            double size;
            long col, row;
            int used = 0;
            if (strcmp(command, "analyze") != 0)
                return gm_cli_usage_error(command, "--tile is for 'analyze'");
            if (sscanf(optarg, "%lf:%ld,%ld%n", &size, &col, &row, &used) != 3 ||
                optarg[used] != '\0' || !(size > 0.0 && size <= 360.0))
                return gm_cli_usage_error(
                    command, "--tile %s: expected SIZE:COL,ROW (degrees, e.g. 1:112,27)", optarg);
            a->tile = (gm_tile){.size_deg = size, .col = col, .row = row};
            a->run.tile = &a->tile;
            break;
        }
        case OPT_ZONE:
            if (strcmp(command, "analyze") != 0)
                return gm_cli_usage_error(command, "--zone is for 'analyze'");
            if (!*optarg)
                return gm_cli_usage_error(command, "--zone: expected a zone's name or zone_id, "
                                                   "or - for the rest of the province");
            a->run.zone = optarg;
            break;
        case OPT_MAX_CELLS: {
            char *end;
            double n = strtod(optarg, &end);
            if (*end || !(n >= 1.0 && n <= 1e13))
                return gm_cli_usage_error(command, "--max-raster-cells %s: expected 1..1e13",
                                          optarg);
            a->run.max_raster_cells = n;
            break;
        }
        case 'q':
            cli->quiet = 1;
            break;
        case 'h':
            fputs(help, stdout);
            return GM_EXIT_OK;
        default:
            return gm_cli_usage_error(command, "unknown option");
        }
    }
    if (optind < argc) return gm_cli_usage_error(command, "unexpected argument '%s'", argv[optind]);
    if (a->run.output && !*a->run.output)
        return gm_cli_usage_error(command, "-o: the path is empty");
    if (a->run.analysis.period_start > a->run.analysis.as_of)
        return gm_cli_usage_error(command, "--from is after --as-of");
    return -1;
}

int gm_cmd_analyze(int argc, char **argv)
{
    analyze_args a = {0};
    gm_cli cli = {0};
    int rc = parse("analyze", argc, argv, &a, &cli, analyze_help);
    if (rc < 0) {
        static const char *opt[] = {"--mines", "--redlines", "--parcels", "--zones"};
        for (int k = 0; k < GM_LAYER_KINDS && rc < 0; k++)
            if (!a.run.source[k]) rc = gm_cli_usage_error("analyze", "%s is required", opt[k]);
    }
    if (rc < 0) {
        if (!a.run.output) a.run.output = "greenmine.gpkg";
        rc = run_analysis(&cli, &a);
    }
    free(a.fields);
    return rc;
}

/* The demo data folder: $GREENMINE_DATA, the source tree, or the install. */
static const char *demo_dir(void)
{
    const char *env = getenv("GREENMINE_DATA");
    if (env && *env) return env;
    if (access(GM_DEMO_DIR_BUILD "/mines.shp", R_OK) == 0) return GM_DEMO_DIR_BUILD;
    return GM_DEMO_DIR_INSTALL;
}

int gm_cmd_demo(int argc, char **argv)
{
    analyze_args a = {0};
    gm_cli cli = {0};
    int rc = parse("demo", argc, argv, &a, &cli, demo_help);
    if (rc >= 0) {
        free(a.fields);
        return rc;
    }
    const char *dir = demo_dir();
    static const char *files[] = {"mines.shp", "redlines.gpkg", "parcels.gpkg", "zones.geojson"};
    char paths[GM_LAYER_KINDS][4096], output[4096];
    for (int k = 0; k < GM_LAYER_KINDS; k++) {
        snprintf(paths[k], sizeof paths[k], "%s/%s", dir, files[k]);
        a.run.source[k] = paths[k];
    }
    snprintf(output, sizeof output, "%s/greenmine.gpkg",
             a.run.output ? a.run.output : "greenmine-demo");
    /* the demo's parcels repeat some TBBH on purpose (data/README.md: a parcel
     * digitised twice); the demo keeps them and shows the warnings */
    a.run.load.allow_duplicate_ids |= 1u << GM_LAYER_PARCELS;
    a.run.output = output;
    rc = run_analysis(&cli, &a);
    free(a.fields);
    return rc;
}
