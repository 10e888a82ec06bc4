/*
 * cmd_check.c -- `greenmine check`: is an application for a mining right
 * clear of the red lines? Reads the applications, then only the red lines,
 * zones and mines near them, checks, and prints a table, JSON or a
 * GeoPackage. Exit 0 all clear, 3 any conflict or near, 2 bad input.
 */
#include "cli/cli.h"

#include "core/text.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GM_EXIT_NOT_CLEAR 3

static const char check_help[] =
    "Usage: greenmine check --redlines SRC [--zones SRC] [--mines SRC] [--buffer M]\n"
    "                       [--crs CRS] [--json | --gpkg FILE] [--threads N]\n"
    "                       [--field LAYER.FIELD=SOURCE]... [--encoding ENC]\n"
    "                       [--dms | --decimal-degrees] [--quiet]\n"
    "                       APPLICATION...\n"
    "\n"
    "Checks applications for mining rights against the ecological red lines:\n"
    "  conflict  overlaps a red line (>= 1e-6 ha): hectares, % of the application,\n"
    "            every red line hit with its own overlap (the total never counts\n"
    "            overlapping red lines twice);\n"
    "  near      no overlap, but within --buffer metres of a red line (touching\n"
    "            only, 0 m, is near when a buffer is set);\n"
    "  clear     otherwise.\n"
    "Also: the nearest red line and its geodesic distance (searched within\n"
    "max(buffer, 5000 m)), the demonstration zone holding the largest part, and\n"
    "overlaps with existing mining rights (--mines), a conflict of their own kind.\n"
    "Only features near the applications are read (OGR spatial filter; a\n"
    "GeoPackage answers from its R-tree).\n"
    "\n"
    "APPLICATION is one of:\n"
    "  PATH, PATH:LAYER, PG:...   a polygon dataset, one application per feature\n"
    "                             (id from mine_id/采矿许可证号/XKZH..., else LAYER.FID)\n"
    "  FILE.txt|.csv|.dat         a corner-point file (拐点坐标): 点号,X,Y lines, X the\n"
    "  corners:FILE               northing, Y the easting with or without the zone\n"
    "                             prefix (37512345.67 = zone 37), or latitude and\n"
    "                             longitude (113°16′00″, 113 16 00, ddd.mmss or\n"
    "                             decimal degrees); 点号、X、Y and two-column tables,\n"
    "                             the mining-right (*) and land exchange ([属性描述],\n"
    "                             @) forms, UTF-8 or GBK -- all in docs/check.md.\n"
    "                             The file's 坐标系= (CGCS2000, Xian 1980, Beijing\n"
    "                             1954, WGS 84) decides the datum, else CGCS2000;\n"
    "                             its 界址点数 and 地块面积 must match the points.\n"
    "  'POLYGON((...))', '{...}'  WKT or GeoJSON text (lon/lat CGCS2000, or --crs)\n"
    "\n"
    "Options:\n"
    "  --redlines SRC     ecological protection red lines (polygons) -- required\n"
    "  --zones SRC        green-mining demonstration zones (polygons)\n"
    "  --mines SRC        existing mining rights (polygons)\n"
    "  --buffer M         the buffer rule in metres (default 0 = off)\n"
    "  --crs CRS          CRS of WKT/GeoJSON text and of corner files, e.g. EPSG:4546\n"
    "                     (CGCS2000 3-degree CM 111E without prefix). Needed only for\n"
    "                     eastings without zone prefix or 带号 line (a prefix gives\n"
    "                     the zone: 3-degree 25-45, 6-degree 13-23); when given it\n"
    "                     must agree with the file's 坐标系=, prefix and 带号, else\n"
    "                     exit 2 naming both. A datum change PROJ can only do as a\n"
    "                     ballpark (no shift, e.g. Xian 1980 here) is reported.\n"
    "  --json             print {\"applications\": [...]} instead of the table\n"
    "  --gpkg FILE        also write applications, redline_overlaps, mine_overlaps\n"
    "                     and buffers to a GeoPackage (EPSG:4490) for QGIS\n"
    "  --threads N        worker threads (default 1)\n"
    "  --field L.F=S      map a field (layers redlines, zones, mines); repeatable\n"
    "  --encoding ENC     attribute encoding of shapefile inputs, and the encoding\n"
    "                     of corner files that are not UTF-8 (default GB18030 = GBK)\n"
    "  --dms              plain degree numbers in corner files are ddd.mmss\n"
    "                     (113.1630 = 113°16′30″)\n"
    "  --decimal-degrees  ... are decimal degrees (113.1630 = 113.163°). Without\n"
    "                     either, the file's 坐标格式= line or column title decides;\n"
    "                     a file that could be either is refused (exit 2)\n"
    "  -q, --quiet        print nothing but errors (the exit status answers)\n"
    "  -h, --help         this help\n"
    "\n"
    "Exit status: 0 every application clear, 3 any conflict or near (or overlapping\n"
    "an existing mine), 2 bad input (one line naming the file, line or feature),\n"
    "1 any other failure.\n";

typedef struct check_args {
    const char *redlines, *zones, *mines, *crs, *gpkg, *encoding;
    int angles; /* gm_application_options.angles: 1 --decimal-degrees, 2 --dms */
    const char **fields;
    size_t n_fields;
    double buffer;
    int json, threads;
    char **apps;
    size_t n_apps;
} check_args;

static void print_table(const check_args *a, const gm_inputs *in, const gm_applications *apps,
                        const gm_check_results *res)
{
    size_t counts[3] = {0, 0, 0};
    for (size_t i = 0; i < res->n; i++)
        counts[res->items[i].verdict]++;
    printf("greenmine check: %zu application%s against %zu red lines near them (%s)", apps->n,
           apps->n == 1 ? "" : "s", in->n_redlines, a->redlines);
    if (res->buffer_m > 0)
        printf(", buffer %.0f m", res->buffer_m);
    else
        printf(", no buffer");
    printf("\n  %zu conflict, %zu near, %zu clear\n\n  ", counts[GM_VERDICT_CONFLICT],
           counts[GM_VERDICT_NEAR], counts[GM_VERDICT_CLEAR]);
    int width = 14; /* the longest id, plus a space */
    for (size_t i = 0; i < apps->n; i++)
        if (apps->items[i].id && (int)strlen(apps->items[i].id) + 2 > width)
            width = (int)strlen(apps->items[i].id) + 2;
    gm_cli_print_padded(stdout, "application", width);
    printf("%-9s %12s %12s %7s  ", "verdict", "area ha", "red line ha", "%");
    gm_cli_print_padded(stdout, "zone", 10);
    printf("nearest red line\n");
    for (size_t i = 0; i < apps->n; i++) {
        const gm_check_result *r = &res->items[i];
        printf("  ");
        gm_cli_print_padded(stdout, apps->items[i].id ? apps->items[i].id : "?", width);
        printf("%-9s %12.4f %12.4f %7.2f  ", gm_verdict_name(r->verdict), r->area_ha,
               r->redline_overlap_ha, r->overlap_pct);
        gm_cli_print_padded(stdout, r->zone >= 0 ? in->zones[r->zone].name : "-", 10);
        if (r->nearest >= 0) {
            gm_term_fputs(stdout, in->redlines[r->nearest].redline_id);
            printf(", %.1f m\n", r->distance_m);
        } else
            printf("none within %.0f m\n", res->radius_m);
        for (size_t k = 0; k < r->n_redlines; k++) {
            const gm_redline *x = &in->redlines[r->redlines[k].index];
            printf("      red line ");
            gm_term_fputs(stdout, x->redline_id);
            putchar(' ');
            gm_term_fputs(stdout, x->name);
            printf(" (");
            gm_term_fputs(stdout, x->category ? x->category : "?");
            printf("): %.4f ha\n", r->redlines[k].overlap_ha);
        }
        for (size_t k = 0; k < r->n_mines; k++) {
            printf("      existing mining right ");
            gm_term_fputs(stdout, in->mines[r->mines[k].index].mine_id);
            printf(": %.4f ha overlap\n", r->mines[k].overlap_ha);
        }
        if (apps->items[i].repair_note) {
            printf("      boundary repaired before the check: ");
            gm_term_fputs(stdout, apps->items[i].repair_note);
            putchar('\n');
        }
        if (apps->items[i].crs) {
            printf("      read in ");
            gm_term_fputs(stdout, apps->items[i].crs);
            putchar('\n');
        }
        if (apps->items[i].datum_note) {
            printf("      WARNING: ");
            gm_term_fputs(stdout, apps->items[i].datum_note);
            printf(" (PROJ: ");
            gm_term_fputs(stdout, apps->items[i].operation ? apps->items[i].operation : "?");
            printf(")\n");
        }
    }
    if (a->gpkg) printf("\nOutput: %s (EPSG:4490)\n", a->gpkg);
}

static int run_check(gm_cli *cli, const check_args *a)
{
    gm_context *ctx = NULL;
    gm_inputs *in = NULL;
    gm_applications *apps = NULL;
    gm_check_results *res = NULL;
    if (gm_context_new(&ctx) != GM_OK) {
        fprintf(stderr, "greenmine: error: cannot create the engine context\n");
        return GM_EXIT_FAILURE;
    }
    gm_cli_attach(cli, ctx);
    gm_context_set_threads(ctx, a->threads);
    gm_load_options lo = {.encoding = a->encoding, .fields = a->fields, .n_fields = a->n_fields};
    gm_application_options ao = {
        .crs = a->crs, .load = &lo, .angles = a->angles, .encoding = a->encoding};
    int rc = gm_inputs_new(&in);
    if (rc == GM_OK) rc = gm_applications_new(&apps);
    for (size_t i = 0; rc == GM_OK && i < a->n_apps; i++)
        rc = gm_applications_add(ctx, apps, a->apps[i], &ao);
    /* Only what lies near the applications is read: the search radius, and
     * a little more so that a red line just outside it is still seen. */
    double radius = fmax(a->buffer, GM_CHECK_NEAREST_RADIUS_M);
    if (rc == GM_OK) rc = gm_applications_bbox(ctx, apps, radius + 100.0, lo.bbox);
    lo.has_bbox = 1;
    if (rc == GM_OK) rc = gm_load_layer(ctx, in, GM_LAYER_REDLINES, a->redlines, &lo);
    if (rc == GM_OK && a->zones) rc = gm_load_layer(ctx, in, GM_LAYER_ZONES, a->zones, &lo);
    if (rc == GM_OK && a->mines) {
        gm_load_options ml = lo;
        ml.lenient = 1; /* existing mines need no scale here */
        rc = gm_load_layer(ctx, in, GM_LAYER_MINES, a->mines, &ml);
    }
    gm_check_options co = {.buffer_m = a->buffer};
    if (rc == GM_OK) rc = gm_check(ctx, in, apps, &co, &res);
    if (rc == GM_OK && a->gpkg) rc = gm_write_check_gpkg(ctx, a->gpkg, in, apps, res);
    gm_cli_progress_done(cli);
    int exit_code = GM_EXIT_OK;
    if (rc != GM_OK) {
        exit_code = gm_cli_fail(cli, ctx, rc);
    } else {
        for (size_t i = 0; i < res->n; i++)
            if (res->items[i].verdict != GM_VERDICT_CLEAR || res->items[i].n_mines)
                exit_code = GM_EXIT_NOT_CLEAR;
        char *json = NULL;
        if (a->json && (rc = gm_check_json(ctx, in, apps, res, a->redlines, &json)) != GM_OK)
            exit_code = gm_cli_fail(cli, ctx, rc);
        else if (a->json)
            fputs(json, stdout);
        else if (!cli->quiet)
            print_table(a, in, apps, res);
        free(json);
    }
    gm_check_results_free(ctx, res);
    gm_applications_free(ctx, apps);
    gm_inputs_free(ctx, in);
    gm_context_free(ctx);
    return exit_code;
}

enum {
    OPT_REDLINES = 256,
    OPT_ZONES,
    OPT_MINES,
    OPT_BUFFER,
    OPT_CRS,
    OPT_JSON,
    OPT_GPKG,
    OPT_THREADS,
    OPT_FIELD,
    OPT_ENCODING,
    OPT_DMS,
    OPT_DECIMAL
};

static const struct option long_options[] = {{"redlines", required_argument, NULL, OPT_REDLINES},
                                             {"zones", required_argument, NULL, OPT_ZONES},
                                             {"mines", required_argument, NULL, OPT_MINES},
                                             {"buffer", required_argument, NULL, OPT_BUFFER},
                                             {"crs", required_argument, NULL, OPT_CRS},
                                             {"json", no_argument, NULL, OPT_JSON},
                                             {"gpkg", required_argument, NULL, OPT_GPKG},
                                             {"threads", required_argument, NULL, OPT_THREADS},
                                             {"field", required_argument, NULL, OPT_FIELD},
                                             {"encoding", required_argument, NULL, OPT_ENCODING},
                                             {"dms", no_argument, NULL, OPT_DMS},
                                             {"decimal-degrees", no_argument, NULL, OPT_DECIMAL},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};

static int parse(int argc, char **argv, check_args *a, gm_cli *cli)
{
    a->threads = 1;
    a->fields = calloc((size_t)argc, sizeof *a->fields);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "qh", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_REDLINES:
            a->redlines = optarg;
            break;
        case OPT_ZONES:
            a->zones = optarg;
            break;
        case OPT_MINES:
            a->mines = optarg;
            break;
        case OPT_BUFFER: {
            char *end;
            double b = strtod(optarg, &end);
            if (*end || !(b >= 0) || !isfinite(b) || b > 1e5)
                return gm_cli_usage_error("check", "--buffer %s: expected metres, 0..100000",
                                          optarg);
            a->buffer = b;
            break;
        }
        case OPT_CRS:
            a->crs = optarg;
            break;
        case OPT_JSON:
            a->json = 1;
            break;
        case OPT_GPKG:
            a->gpkg = optarg;
            break;
        case OPT_THREADS: {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 256)
                return gm_cli_usage_error("check", "--threads %s: expected 1..256", optarg);
            a->threads = (int)n;
            break;
        }
        case OPT_FIELD:
            a->fields[a->n_fields++] = optarg;
            break;
        case OPT_ENCODING:
            a->encoding = optarg;
            break;
        case OPT_DMS:
        case OPT_DECIMAL:
            if (a->angles && a->angles != (c == OPT_DMS ? 2 : 1))
                return gm_cli_usage_error("check",
                                          "--dms and --decimal-degrees exclude each other");
            a->angles = c == OPT_DMS ? 2 : 1;
            break;
        case 'q':
            cli->quiet = 1;
            break;
        case 'h':
            fputs(check_help, stdout);
            return GM_EXIT_OK;
        default:
            return gm_cli_usage_error("check", "unknown option");
        }
    }
    if (!a->redlines) return gm_cli_usage_error("check", "--redlines is required");
    if (a->json && a->gpkg)
        return gm_cli_usage_error("check", "--json and --gpkg exclude each other");
    if (optind >= argc) return gm_cli_usage_error("check", "no APPLICATION given");
    a->apps = argv + optind;
    a->n_apps = (size_t)(argc - optind);
    return -1;
}

int gm_cmd_check(int argc, char **argv)
{
    check_args a = {0};
    gm_cli cli = {0};
    int rc = parse(argc, argv, &a, &cli);
    if (rc < 0) rc = run_check(&cli, &a);
    free(a.fields);
    return rc;
}
