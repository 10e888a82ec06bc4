/*
 * cmd_analyze.c -- `greenmine analyze` and `greenmine demo`: load the four
 * layers, analyse, write the GeoPackage, print the summary.
 */
#include "cli/cli.h"
#include "core/context_impl.h" /* gm_error, for the project's rename */

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
    "  -o, --output FILE  the GeoPackage to write (default greenmine.gpkg); written\n"
    "                     to a temporary file and renamed into place\n"
    "  --as-of DATE       last day counted, YYYY-MM-DD (default 2020-12-31)\n"
    "  --from DATE        first day counted, YYYY-MM-DD (default 2016-01-01)\n"
    "  --threads N        worker threads for loading and the overlay (default 1);\n"
    "                     with 2 or more the four inputs are read side by side\n"
    "                     and the GeoPackage is written while the analysis runs\n"
    "  --field L.F=S      read canonical field F of layer L (mines, redlines,\n"
    "                     parcels, zones) from source field S; repeatable\n"
    "  --encoding ENC     attribute encoding of shapefile inputs (default: the\n"
    "                     .cpg file, or GBK when a shapefile declares none)\n"
    "  --cell M           raster cell size in metres (default 30)\n"
    "  --no-rasters       write no GeoTIFFs (the project then shows the vectors only)\n"
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
    "feature; no output is written), 1 any other failure.\n";

static const char demo_help[] =
    "Usage: greenmine demo [-o DIR] [--as-of DATE] [--threads N] [--cell M]\n"
    "                      [--no-rasters] [--quiet]\n"
    "\n"
    "Runs `greenmine analyze` on the synthetic demo data shipped in data/demo\n"
    "(GREENMINE_DATA overrides where it is looked for) and writes DIR/greenmine.gpkg,\n"
    "DIR/restoration_coverage.tif, DIR/redline_conflict.tif (with .qml styles) and\n"
    "DIR/greenmine.qgs (default DIR: greenmine-demo). Open greenmine.qgs in QGIS.\n"
    "\n"
    "Options:\n"
    "  -o, --output DIR   folder for the outputs (default greenmine-demo)\n"
    "  --as-of DATE       last day counted, YYYY-MM-DD (default 2020-12-31)\n"
    "  --threads N        worker threads for loading and the overlay (default 1);\n"
    "                     with 2 or more the four inputs are read side by side\n"
    "                     and the GeoPackage is written while the analysis runs\n"
    "  --cell M           raster cell size in metres (default 30)\n"
    "  --no-rasters       write no GeoTIFFs\n"
    "  -q, --quiet        print nothing but errors\n"
    "  -h, --help         this help\n";

typedef struct analyze_args {
    const char *source[GM_LAYER_KINDS];
    const char *output;
    const char *encoding;
    const char **fields;
    size_t n_fields;
    gm_analysis_options opts;
    int threads;
    double cell_m;
    int no_rasters;
    int has_tile;
    gm_tile tile;
    const char *zone; /* --zone NAME, or NULL */
} analyze_args;

static void print_date(int yyyymmdd)
{
    printf("%04d-%02d-%02d", yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
}

static void print_summary(const analyze_args *a, const gm_inputs *in, const gm_results *res)
{
    printf("greenmine analyze: period ");
    print_date(a->opts.period_start);
    printf(" .. ");
    print_date(a->opts.as_of);
    printf(" (both days included)\n");
    if (a->has_tile)
        printf("Partition: tile %g:%ld,%ld\n", a->tile.size_deg, a->tile.col, a->tile.row);
    if (a->zone)
        printf("Partition: zone %s%s\n", a->zone,
               strcmp(a->zone, "-") == 0 ? " (the rest of the province, outside every zone)" : "");
    if (a->has_tile || a->zone) printf("(the province figures are this partition's share)\n");
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
    printf("\nOutput: %s (EPSG:4490)\n", a->output);
    if (!a->no_rasters)
        printf("Rasters: restoration_coverage.tif, redline_conflict.tif (%g m cells, %s)\n",
               a->cell_m, "Albers equal-area on CGCS2000");
}

/* Intersects box b with c in place; 0 when they do not meet. */
static int box_and(double b[4], const double c[4])
{
    b[0] = b[0] > c[0] ? b[0] : c[0], b[1] = b[1] > c[1] ? b[1] : c[1];
    b[2] = b[2] < c[2] ? b[2] : c[2], b[3] = b[3] < c[3] ? b[3] : c[3];
    return b[0] <= b[2] && b[1] <= b[3];
}

/* With --tile or --zone, read only what the partition needs (OGR spatial
 * filters): the mines that may lie in its zone, the red lines near its mines,
 * the parcels meeting its tile and zone; the zones in full. */
static int partition_filter(gm_context *ctx, const gm_inputs *in, const analyze_args *a,
                            const gm_zone_partition *zp, gm_layer_kind k, gm_load_options *lo)
{
    double zb[4], b[4];
    int has_zb = a->zone && gm_zone_box(ctx, in, zp, zb);
    lo->has_bbox = 0;
    if (k == GM_LAYER_MINES && has_zb) { /* a mine's largest part is inside its zone */
        lo->has_bbox = 1;
        memcpy(lo->bbox, zb, sizeof zb);
    } else if (k == GM_LAYER_PARCELS && (a->has_tile || has_zb)) {
        lo->has_bbox = 1;
        if (a->has_tile) gm_tile_box(&a->tile, lo->bbox);
        /* both: their overlap (apart, the zone's box; the clips then leave nothing) */
        if (has_zb && (!a->has_tile || !box_and(lo->bbox, zb))) memcpy(lo->bbox, zb, sizeof zb);
    } else if (k == GM_LAYER_REDLINES) {
        /* the box of the mines (with none: the tile's or the zone's, else all) */
        lo->has_bbox = 1;
        if (gm_inputs_mines_box(ctx, in, b))
            memcpy(lo->bbox, b, sizeof b);
        else if (a->has_tile)
            gm_tile_box(&a->tile, lo->bbox);
        else if (has_zb)
            memcpy(lo->bbox, zb, sizeof zb);
        else
            lo->has_bbox = 0;
    }
    return GM_OK;
}

/* After loading layer k: keep what the partition owns. */
static int partition_keep(gm_context *ctx, gm_inputs *in, const analyze_args *a,
                          gm_zone_partition *zp, gm_layer_kind k)
{
    int rc = GM_OK;
    if (k == GM_LAYER_ZONES && a->zone) rc = gm_zone_find(ctx, in, a->zone, zp);
    if (k == GM_LAYER_MINES && a->has_tile) rc = gm_inputs_keep_tile_mines(ctx, in, &a->tile);
    if (rc == GM_OK && k == GM_LAYER_MINES && a->zone) rc = gm_inputs_keep_zone_mines(ctx, in, zp);
    if (k == GM_LAYER_PARCELS && a->has_tile)
        rc = gm_inputs_clip_parcels_to_tile(ctx, in, &a->tile);
    if (rc == GM_OK && k == GM_LAYER_PARCELS && a->zone)
        rc = gm_inputs_clip_parcels_to_zone(ctx, in, zp);
    return rc;
}

/* Parcels that can count toward neither kind need no geometry. */
static int can_count(const gm_parcel *p, void *user)
{
    const gm_analysis_options *o = user;
    return gm_parcel_qualifies(p, GM_RESTORATION, o) || gm_parcel_qualifies(p, GM_RECLAMATION, o);
}

/* The project beside the GeoPackage `base` in `dir`, written under a
 * temporary name and renamed into place, so a failed run leaves no
 * half-written project. */
static int write_project(gm_context *ctx, const char *project, const char *dir, const char *base,
                         int rasters, const gm_inputs *in, const gm_results *res)
{
    char gpkg[4200], cov[4200], con[4200], tmp[4300];
    snprintf(gpkg, sizeof gpkg, "%s/%s", dir, base);
    snprintf(cov, sizeof cov, "%s/restoration_coverage.tif", dir);
    snprintf(con, sizeof con, "%s/redline_conflict.tif", dir);
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", project, (long)getpid());
    gm_project_files files = {.gpkg = {base, gpkg}};
    if (rasters) {
        files.coverage_tif = (gm_project_file){"restoration_coverage.tif", cov};
        files.conflict_tif = (gm_project_file){"redline_conflict.tif", con};
    }
    int rc = gm_write_qgis_project(ctx, tmp, &files, in, res);
    if (rc == GM_OK && rename(tmp, project) != 0) {
        unlink(tmp);
        rc = gm_error(ctx, GM_ERR_WRITE, "%s: cannot move the project into place", project);
    }
    return rc;
}

static int run_analysis(gm_cli *cli, const analyze_args *a)
{
    gm_context *ctx = NULL;
    gm_inputs *in = NULL;
    gm_results *res = NULL;
    if (gm_context_new(&ctx) != GM_OK) {
        fprintf(stderr, "greenmine: error: cannot create the engine context\n");
        return GM_EXIT_FAILURE;
    }
    gm_cli_attach(cli, ctx);
    gm_context_set_threads(ctx, a->threads);
    int exit_code = GM_EXIT_OK;
    int rc = gm_inputs_new(&in);
    gm_load_options lo = {.encoding = a->encoding,
                          .fields = a->fields,
                          .n_fields = a->n_fields,
                          .keep_parcel_geometry = can_count,
                          .keep_user = (void *)&a->opts};
    /* a zone partition reads the zones first: they decide which mines and
     * parcels it owns */
    static const gm_layer_kind whole_order[] = {GM_LAYER_MINES, GM_LAYER_REDLINES, GM_LAYER_PARCELS,
                                                GM_LAYER_ZONES};
    static const gm_layer_kind zone_order[] = {GM_LAYER_ZONES, GM_LAYER_MINES, GM_LAYER_REDLINES,
                                               GM_LAYER_PARCELS};
    const gm_layer_kind *order = a->zone ? zone_order : whole_order;
    gm_zone_partition zp = {.zone = GM_ZONE_OUTSIDE};
    if (rc == GM_OK && !a->has_tile && !a->zone) { /* the whole province: all layers at once */
        static const gm_layer_kind largest_first[] = {GM_LAYER_PARCELS, GM_LAYER_REDLINES,
                                                      GM_LAYER_MINES, GM_LAYER_ZONES};
        const char *src[GM_LAYER_KINDS];
        for (int i = 0; i < GM_LAYER_KINDS; i++)
            src[i] = a->source[largest_first[i]];
        rc = gm_load_layers(ctx, in, GM_LAYER_KINDS, largest_first, src, &lo);
        order = NULL;
    }
    for (int i = 0; order && i < GM_LAYER_KINDS && rc == GM_OK; i++) {
        gm_layer_kind k = order[i];
        if (a->has_tile || a->zone) rc = partition_filter(ctx, in, a, &zp, k, &lo);
        if (rc == GM_OK) rc = gm_load_layer(ctx, in, k, a->source[k], &lo);
        if (rc == GM_OK) rc = partition_keep(ctx, in, a, &zp, k);
    }
    if (rc == GM_OK && a->zone) rc = gm_inputs_keep_zone(ctx, in, &zp);
    /* with threads to spare, the GeoPackage's mine layers are written while
     * the unions run (--threads 1 keeps to one thread) */
    gm_gpkg_writer *gw = NULL;
    gm_analysis_options opts = a->opts;
    if (rc == GM_OK && (rc = gm_gpkg_writer_new(ctx, a->output, &a->opts, &gw)) == GM_OK &&
        gm_context_threads(ctx) > 1)
        opts.mines_done = gm_gpkg_writer_mines_done, opts.mines_done_user = gw;
    if (rc == GM_OK) rc = gm_analyze(ctx, in, &opts, &res);
    if (rc == GM_OK && a->zone) rc = gm_results_zone_share(ctx, res, &zp);
    gm_gpkg_writer_release(gw, rc == GM_OK ? res : NULL);
    gm_inputs_drop_overlay_geometries(ctx, in); /* meanwhile: the outputs do not need them */
    int wrc = gm_gpkg_writer_finish(gw, in, rc == GM_OK ? res : NULL);
    if (rc == GM_OK) rc = wrc;
    /* the rasters and the project go beside the GeoPackage */
    char dir[4096], project[4200];
    const char *slash = strrchr(a->output, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - a->output) : 1,
             slash ? a->output : ".");
    const char *base = slash ? slash + 1 : a->output;
    const char *dot = strrchr(base, '.');
    snprintf(project, sizeof project, "%s/%.*s.qgs", dir,
             dot ? (int)(dot - base) : (int)strlen(base), base);
    if (rc == GM_OK && !a->no_rasters) {
        gm_raster_options ro = {.cell_m = a->cell_m, .as_of = a->opts.as_of};
        rc = gm_write_rasters(ctx, dir, in, res, &ro);
    }
    if (rc == GM_OK) rc = write_project(ctx, project, dir, base, !a->no_rasters, in, res);
    gm_cli_progress_done(cli);
    if (rc != GM_OK)
        exit_code = gm_cli_fail(cli, ctx, rc);
    else if (!cli->quiet)
        print_summary(a, in, res);
    gm_zone_partition_clear(ctx, &zp);
    gm_results_free(ctx, res);
    gm_inputs_free(ctx, in);
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
    OPT_ZONE
};

static const struct option long_options[] = {{"mines", required_argument, NULL, OPT_MINES},
                                             {"redlines", required_argument, NULL, OPT_REDLINES},
                                             {"parcels", required_argument, NULL, OPT_PARCELS},
                                             {"zones", required_argument, NULL, OPT_ZONES},
                                             {"output", required_argument, NULL, 'o'},
                                             {"as-of", required_argument, NULL, OPT_AS_OF},
                                             {"from", required_argument, NULL, OPT_FROM},
                                             {"threads", required_argument, NULL, OPT_THREADS},
                                             {"field", required_argument, NULL, OPT_FIELD},
                                             {"encoding", required_argument, NULL, OPT_ENCODING},
                                             {"cell", required_argument, NULL, OPT_CELL},
                                             {"no-rasters", no_argument, NULL, OPT_NO_RASTERS},
                                             {"tile", required_argument, NULL, OPT_TILE},
                                             {"zone", required_argument, NULL, OPT_ZONE},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};

/* Parses the options both commands share; returns -1 to go on, else an exit code. */
static int parse(const char *command, int argc, char **argv, analyze_args *a, gm_cli *cli,
                 const char *help)
{
    a->threads = 1;
    a->cell_m = 30.0;
    a->opts = (gm_analysis_options)GM_ANALYSIS_OPTIONS_INIT;
    a->fields = calloc((size_t)argc, sizeof *a->fields);
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
            a->source[c - OPT_MINES] = optarg;
            break;
        case 'o':
            a->output = optarg;
            break;
        case OPT_AS_OF:
        case OPT_FROM: {
            int d = 0;
            if (gm_parse_date(optarg, &d) != GM_OK || d == 0)
                return gm_cli_usage_error(command, "%s %s: not a date (YYYY-MM-DD)",
                                          c == OPT_AS_OF ? "--as-of" : "--from", optarg);
            *(c == OPT_AS_OF ? &a->opts.as_of : &a->opts.period_start) = d;
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
            a->fields[a->n_fields++] = optarg;
            break;
        case OPT_ENCODING:
            a->encoding = optarg;
            break;
        case OPT_CELL: {
            char *end;
            double m = strtod(optarg, &end);
            if (*end || !(m >= 1.0 && m <= 10000.0))
                return gm_cli_usage_error(command, "--cell %s: expected metres, 1..10000", optarg);
            a->cell_m = m;
            break;
        }
        case OPT_NO_RASTERS:
            a->no_rasters = 1;
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
            a->has_tile = 1;
            a->tile = (gm_tile){.size_deg = size, .col = col, .row = row};
            break;
        }
        case OPT_ZONE:
            if (strcmp(command, "analyze") != 0)
                return gm_cli_usage_error(command, "--zone is for 'analyze'");
            if (!*optarg)
                return gm_cli_usage_error(command, "--zone: expected a zone's name or zone_id, "
                                                   "or - for the rest of the province");
            a->zone = optarg;
            break;
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
    if (a->opts.period_start > a->opts.as_of)
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
            if (!a.source[k]) rc = gm_cli_usage_error("analyze", "%s is required", opt[k]);
    }
    if (rc < 0) {
        if (!a.output) a.output = "greenmine.gpkg";
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
        a.source[k] = paths[k];
    }
    snprintf(output, sizeof output, "%s/greenmine.gpkg", a.output ? a.output : "greenmine-demo");
    a.output = output;
    rc = run_analysis(&cli, &a);
    free(a.fields);
    return rc;
}
