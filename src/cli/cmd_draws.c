/*
 * cmd_draws.c -- `greenmine draws`: the public record of the spot-check
 * draws (HTML or CSV), or one draw's published files again (--draw N).
 */
#include "cli/cli.h"

#include "core/atomic.h"
#include "core/text.h"

#include <greenmine/draw.h>
#include <greenmine/registry.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char draws_help[] =
    "Usage: greenmine draws --db DB -o FILE.html | FILE.csv\n"
    "       greenmine draws --db DB --draw N -o draw.csv\n"
    "\n"
    "The public record of the double-random spot checks (一公开): every draw with its\n"
    "date, seed, parameters, the SHA-256 of its two published lists, each drawn mine\n"
    "with its inspectors, and the spot check's result once entered (a spot_check\n"
    "event naming the draw).\n"
    "\n"
    "  --db DB         the registry (SpatiaLite file or PG:CONNINFO)\n"
    "  -o, --output F  F.html: one self-contained page (Chinese with English, the\n"
    "                  two lists of each draw included); F.csv: one line per pick\n"
    "  --draw N        write draw N's own files again: the record F.csv and its\n"
    "                  lists beside it, as 'greenmine draw' wrote them (for\n"
    "                  'greenmine draw --verify')\n"
    "  -q, --quiet     print nothing but errors\n"
    "  -h, --help      this help\n";

enum { OPT_DB = 256, OPT_DRAW };
static const struct option options[] = {
    {"db", required_argument, NULL, OPT_DB},  {"draw", required_argument, NULL, OPT_DRAW},
    {"output", required_argument, NULL, 'o'}, {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && strcasecmp(s + n - k, suffix) == 0;
}

int gm_cmd_draws(int argc, char **argv)
{
    gm_cli cli = {0};
    const char *db = NULL, *output = NULL;
    long draw_id = 0;
    int c, exit_code = -1;
    optind = 1;
    while (exit_code < 0 && (c = getopt_long(argc, argv, "o:qh", options, NULL)) != -1) {
        switch (c) {
        case OPT_DB:
            db = optarg;
            break;
        case OPT_DRAW: {
            char *end = NULL;
            draw_id = strtol(optarg, &end, 10);
            if (end == optarg || *end || draw_id < 1)
                exit_code =
                    gm_cli_usage_error("draws", "--draw %s: expected a draw number", optarg);
            break;
        }
        case 'o':
            output = optarg;
            break;
        case 'q':
            cli.quiet = 1;
            break;
        case 'h':
            fputs(draws_help, stdout);
            exit_code = GM_EXIT_OK;
            break;
        default:
            exit_code = gm_cli_usage_error("draws", "unknown option");
        }
    }
    if (exit_code < 0 && optind < argc)
        exit_code = gm_cli_usage_error("draws", "unexpected argument '%s'", argv[optind]);
    if (exit_code < 0 && !output) exit_code = gm_cli_usage_error("draws", "-o FILE is required");
    int is_html = output && (ends_with(output, ".html") || ends_with(output, ".htm"));
    if (exit_code < 0 && !is_html && !ends_with(output, ".csv"))
        exit_code = gm_cli_usage_error("draws", "-o %s: give a .html or .csv file", output);
    if (exit_code < 0 && draw_id && is_html)
        exit_code = gm_cli_usage_error("draws", "--draw writes the draw's record: -o NAME.csv");
    if (exit_code < 0) exit_code = gm_cli_check_registry("draws", db);
    if (exit_code >= 0) return exit_code;

    gm_context *ctx = NULL;
    gm_registry *reg = NULL;
    gm_draw_record *r = NULL;
    if (gm_context_new(&ctx) != GM_OK) {
        fprintf(stderr, "greenmine: error: cannot create the engine context\n");
        return GM_EXIT_FAILURE;
    }
    gm_cli_attach(&cli, ctx);
    int rc = gm_registry_open(ctx, db, 0, &reg);
    if (rc == GM_OK) rc = gm_registry_draws(reg, &r);
    if (rc == GM_OK && draw_id) {
        const gm_draw *d = NULL;
        for (size_t i = 0; i < r->n_draws; i++)
            if (r->draws[i]->draw_id == draw_id) d = r->draws[i];
        if (!d) {
            fprintf(stderr, "greenmine: error: draws: the registry has no draw %ld\n", draw_id);
            exit_code = GM_EXIT_BAD_INPUT;
        } else if ((rc = gm_draw_write(ctx, d, output)) == GM_OK && !cli.quiet) {
            printf("draw %ld written to ", draw_id);
            gm_term_fputs(stdout, output);
            printf(" and its two lists beside it\n");
        }
    } else if (rc == GM_OK) {
        gm_atomic file; /* a temporary file beside the target, renamed when complete */
        if ((rc = gm_atomic_begin(ctx, output, GM_ATOMIC_OPEN, "", &file)) == GM_OK) {
            rc = is_html ? gm_draw_record_html(ctx, r, file.f) : gm_draw_record_csv(ctx, r, file.f);
            /* a failed write is the commit's to say (it names the file and
             * never renames a file with an error) */
            if (rc == GM_OK || ferror(file.f))
                rc = gm_atomic_commit(ctx, &file);
            else
                gm_atomic_abandon(&file);
        }
        if (rc == GM_OK && !cli.quiet) {
            printf("%zu draw%s written to ", r->n_draws, r->n_draws == 1 ? "" : "s");
            gm_term_fputs(stdout, output);
            fputc('\n', stdout);
        }
    }
    if (rc != GM_OK)
        exit_code = gm_cli_fail(&cli, ctx, rc);
    else if (exit_code < 0)
        exit_code = GM_EXIT_OK;
    gm_draw_record_free(r);
    gm_registry_close(reg);
    gm_context_free(ctx);
    return exit_code;
}
