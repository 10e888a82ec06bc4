/*
 * cmd_ingest.c -- `greenmine ingest`: load the layers given, record them as a
 * dated snapshot in the registry, say what changed since the last one.
 */
#include "cli/cli.h"

#include "core/text.h"

#include <greenmine/registry.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char ingest_help[] =
    "Usage: greenmine ingest --db DB --as-of DATE --parcels SRC [--mines SRC]\n"
    "                        [--zones SRC] [--redlines SRC] [--field LAYER.FIELD=SOURCE]...\n"
    "                        [--encoding ENC] [--busy-timeout SECONDS] [--quiet]\n"
    "\n"
    "Records the layers as they stood on DATE as a new snapshot of the registry DB,\n"
    "in one transaction, with each source's file name and SHA-256. Snapshots are\n"
    "appended in date order and never rewritten. A parcel id seen before is tracked\n"
    "(one parcel, several versions); a changed geometry is reported. Mines, zones\n"
    "and red lines not given are those of the latest earlier snapshot.\n"
    "\n"
    "  --db DB             registry: a SpatiaLite file (created when missing) or\n"
    "                      PG:CONNINFO for PostgreSQL + PostGIS\n"
    "  --as-of DATE        the snapshot's date, YYYY-MM-DD (required; after every\n"
    "                      snapshot already recorded)\n"
    "  --parcels SRC       restoration / reclamation parcels (required)\n"
    "  --mines SRC         mine boundaries\n"
    "  --zones SRC         demonstration zones (optional fields restoration_target,\n"
    "                      reclamation_target: the zone's own targets in ha)\n"
    "  --redlines SRC      ecological protection red lines\n"
    "  --field L.F=S       read canonical field F of layer L from source field S\n"
    "  --encoding ENC      attribute encoding of shapefile inputs\n"
    "  --allow-duplicate-ids  keep mines, red lines, parcels or zones whose identifier\n"
    "                      repeats, with a warning naming both features (default:\n"
    "                      refused, exit 2, nothing recorded); a repeated parcel_id\n"
    "                      is then recorded as a 'duplicate' version\n"
    "  --busy-timeout S    wait up to S seconds for another writer (default 30)\n"
    "  -q, --quiet         print nothing but errors\n"
    "  -h, --help          this help\n"
    "\n"
    "Exit status: 0 recorded, 2 bad input (nothing recorded), 1 any other failure\n"
    "(nothing recorded; a registry locked by another writer past the timeout).\n";

enum {
    OPT_DB = 256,
    OPT_AS_OF,
    OPT_MINES,
    OPT_REDLINES,
    OPT_PARCELS,
    OPT_ZONES,
    OPT_FIELD,
    OPT_ENCODING,
    OPT_BUSY,
    OPT_DUPS
};

static const struct option options[] = {{"db", required_argument, NULL, OPT_DB},
                                        {"as-of", required_argument, NULL, OPT_AS_OF},
                                        {"mines", required_argument, NULL, OPT_MINES},
                                        {"redlines", required_argument, NULL, OPT_REDLINES},
                                        {"parcels", required_argument, NULL, OPT_PARCELS},
                                        {"zones", required_argument, NULL, OPT_ZONES},
                                        {"field", required_argument, NULL, OPT_FIELD},
                                        {"encoding", required_argument, NULL, OPT_ENCODING},
                                        {"allow-duplicate-ids", no_argument, NULL, OPT_DUPS},
                                        {"busy-timeout", required_argument, NULL, OPT_BUSY},
                                        {"quiet", no_argument, NULL, 'q'},
                                        {"help", no_argument, NULL, 'h'},
                                        {NULL, 0, NULL, 0}};

static void print_report(const gm_ingest_report *r, const char *db)
{
    char d[GM_DATE_TEXT];
    printf("greenmine ingest: snapshot %ld as of %s recorded in %s\n", r->snapshot_id,
           gm_date_text(r->as_of, d), db);
    if (r->previous_as_of) printf("  previous snapshot: %s\n", gm_date_text(r->previous_as_of, d));
    printf("\nSources\n");
    for (size_t i = 0; i < r->n_sources; i++) {
        const gm_source_info *s = &r->sources[i];
        printf("  %-9s %6ld features  %s  sha256 %s\n", s->layer, s->features,
               s->file_name ? s->file_name : s->source, s->sha256 ? s->sha256 : "(database)");
    }
    printf("\nParcels\n");
    for (int k = 0; k <= GM_CHANGE_DROPPED; k++)
        printf("  %-11s %6zu\n", gm_parcel_change_name((gm_parcel_change_kind)k), r->counts[k]);
    if (r->n_changes) printf("\nChanges since the previous snapshot\n");
    for (size_t i = 0; i < r->n_changes; i++) {
        const gm_parcel_change *c = &r->changes[i];
        printf("  %-11s ", gm_parcel_change_name(c->kind));
        gm_term_fputs(stdout, c->parcel_id); /* an id from the data */
        if (c->kind == GM_CHANGE_GEOMETRY)
            printf(": %.4f ha -> %.4f ha (%.4f ha changed)", c->old_ha, c->new_ha, c->changed_ha);
        putchar('\n');
    }
}

int gm_cmd_ingest(int argc, char **argv)
{
    gm_cli cli = {0};
    const char *db = NULL, *source[GM_LAYER_KINDS] = {NULL, NULL, NULL, NULL}, *encoding = NULL;
    const char **fields = calloc((size_t)argc, sizeof *fields);
    size_t n_fields = 0;
    int as_of = 0, busy_s = 30, c, exit_code = -1;
    unsigned allow_duplicates = 0;
    optind = 1;
    while (exit_code < 0 && (c = getopt_long(argc, argv, "qh", options, NULL)) != -1) {
        switch (c) {
        case OPT_DB:
            db = optarg;
            break;
        case OPT_AS_OF:
            if (gm_parse_date(optarg, &as_of) != GM_OK || as_of == 0)
                exit_code =
                    gm_cli_usage_error("ingest", "--as-of %s: not a date (YYYY-MM-DD)", optarg);
            break;
        case OPT_MINES:
        case OPT_REDLINES:
        case OPT_PARCELS:
        case OPT_ZONES:
            source[c - OPT_MINES] = optarg;
            break;
        case OPT_FIELD:
            fields[n_fields++] = optarg;
            break;
        case OPT_ENCODING:
            encoding = optarg;
            break;
        case OPT_DUPS:
            allow_duplicates = ~0u;
            break;
        case OPT_BUSY: {
            char *end;
            long s = strtol(optarg, &end, 10);
            if (*end || s < 0 || s > 86400)
                exit_code =
                    gm_cli_usage_error("ingest", "--busy-timeout %s: expected 0..86400", optarg);
            busy_s = (int)s;
            break;
        }
        case 'q':
            cli.quiet = 1;
            break;
        case 'h':
            fputs(ingest_help, stdout);
            exit_code = GM_EXIT_OK;
            break;
        default:
            exit_code = gm_cli_usage_error("ingest", "unknown option");
        }
    }
    if (exit_code < 0 && optind < argc)
        exit_code = gm_cli_usage_error("ingest", "unexpected argument '%s'", argv[optind]);
    if (exit_code < 0 && !db) exit_code = gm_cli_usage_error("ingest", "--db is required");
    if (exit_code < 0 && !as_of) exit_code = gm_cli_usage_error("ingest", "--as-of is required");
    if (exit_code < 0 && !source[GM_LAYER_PARCELS])
        exit_code = gm_cli_usage_error("ingest", "--parcels is required");
    if (exit_code >= 0) {
        free(fields);
        return exit_code;
    }
#ifdef GM_TEST_HOOKS
    const char *hook = getenv("GREENMINE_TEST_KILL_AFTER");
    if (hook && *hook) cli.kill_after = (size_t)strtoul(hook, NULL, 10);
#endif

    gm_context *ctx = NULL;
    gm_inputs *in = NULL;
    gm_registry *reg = NULL;
    gm_ingest_report *report = NULL;
    if (gm_context_new(&ctx) != GM_OK) {
        free(fields);
        fprintf(stderr, "greenmine: error: cannot create the engine context\n");
        return GM_EXIT_FAILURE;
    }
    gm_cli_attach(&cli, ctx);
    gm_load_options lo = {.encoding = encoding,
                          .fields = fields,
                          .n_fields = n_fields,
                          .allow_duplicate_ids = allow_duplicates};
    int rc = gm_inputs_new(&in);
    for (int k = 0; k < GM_LAYER_KINDS && rc == GM_OK; k++)
        if (source[k]) rc = gm_load_layer(ctx, in, (gm_layer_kind)k, source[k], &lo);
    /* the registry is opened only once the inputs are known good */
    if (rc == GM_OK) rc = gm_registry_open(ctx, db, busy_s * 1000, &reg);
    if (rc == GM_OK) rc = gm_registry_ingest(reg, in, as_of, &report);
    gm_cli_progress_done(&cli);
    if (rc != GM_OK)
        exit_code = gm_cli_fail(&cli, ctx, rc);
    else {
        exit_code = GM_EXIT_OK;
        if (!cli.quiet) print_report(report, db);
    }
    gm_ingest_report_free(report);
    gm_registry_close(reg);
    gm_inputs_free(ctx, in);
    gm_context_free(ctx);
    free(fields);
    return exit_code;
}
