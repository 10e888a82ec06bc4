/*
 * cmd_draw.c -- `greenmine draw`: the double-random spot-check draw from a
 * registry, recorded there and written as draw.csv with its two published
 * lists; `greenmine draw --verify draw.csv` redoes a draw from those files.
 * The algorithm is gm_draw_compute (docs/draw.md); this file parses and prints.
 */
#include "cli/cli.h"

#include "core/text.h"

#include <greenmine/draw.h>
#include <greenmine/registry.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char draw_help[] =
    "Usage: greenmine draw --db DB --date DATE (--share P% | --count N) --inspectors FILE\n"
    "                      --seed TEXT -o draw.csv [--per-mine K] [--county C]\n"
    "                      [--industry I] [--floor-per-county F] [--by NAME]\n"
    "       greenmine draw --verify draw.csv\n"
    "\n"
    "The double-random spot check (双随机抽查): draws mines from the green mines\n"
    "listed on DATE (status from the registry's event log) and, for each, K\n"
    "inspectors from the roster, under the conflict-of-interest rules: no inspector\n"
    "from the mine's own county, none who verified or inspected it in the two years\n"
    "up to DATE. When the rules leave a drawn mine too few inspectors, it names the\n"
    "mine and why, and draws nothing (exit 2).\n"
    "\n"
    "Anyone can redo the draw: it depends on the seed and the two published lists\n"
    "only (algorithm: docs/draw.md). It is recorded in the registry (tables draw,\n"
    "draw_pick, inspector) and written as draw.csv (the record: parameters, seed,\n"
    "the lists' SHA-256, the picks) with draw.mines.csv and draw.inspectors.csv.\n"
    "\n"
    "  --db DB               the registry (SpatiaLite file or PG:CONNINFO)\n"
    "  --date DATE           the draw's date: mines listed on that day\n"
    "  --share P%            draw P percent of the candidates, rounded up (5%, 2.5%)\n"
    "  --count N             draw N mines\n"
    "  --inspectors FILE     the roster (CSV, XLSX, ...; first table): columns\n"
    "                        inspector_id (编号, 人员编号, 执法证号), name (姓名),\n"
    "                        county (所在县市区, 县市区; empty = provincial) and agency\n"
    "                        (所属单位, 工作单位) -- county and agency optional\n"
    "  --per-mine K          inspectors per mine (default 2)\n"
    "  --seed TEXT           the seed, published before the draw (any text; UTF-8)\n"
    "  --county C            only mines of county C\n"
    "  --industry I          only mines of industry I (coal, nonferrous, ... or 煤炭 ...)\n"
    "  --floor-per-county F  at least F mines of every county among the candidates\n"
    "                        (all of them when a county has fewer)\n"
    "  --by NAME             who makes the draw (default $USER)\n"
    "  -o, --output FILE     the record (FILE.csv; the lists go beside it)\n"
    "  --verify FILE         recompute the draw recorded in FILE from its lists and\n"
    "                        seed: exit 0 when it matches, 1 naming the first\n"
    "                        difference, 2 when a file cannot be read\n"
    "  --busy-timeout S      wait up to S seconds for another writer (default 30)\n"
    "  -q, --quiet           print nothing but errors\n"
    "  -h, --help            this help\n";

enum {
    OPT_DB = 256,
    OPT_DATE,
    OPT_SHARE,
    OPT_COUNT,
    OPT_INSPECTORS,
    OPT_PER_MINE,
    OPT_SEED,
    OPT_COUNTY,
    OPT_INDUSTRY,
    OPT_FLOOR,
    OPT_BY,
    OPT_VERIFY,
    OPT_BUSY
};
static const struct option options[] = {{"db", required_argument, NULL, OPT_DB},
                                        {"date", required_argument, NULL, OPT_DATE},
                                        {"share", required_argument, NULL, OPT_SHARE},
                                        {"count", required_argument, NULL, OPT_COUNT},
                                        {"inspectors", required_argument, NULL, OPT_INSPECTORS},
                                        {"per-mine", required_argument, NULL, OPT_PER_MINE},
                                        {"seed", required_argument, NULL, OPT_SEED},
                                        {"county", required_argument, NULL, OPT_COUNTY},
                                        {"industry", required_argument, NULL, OPT_INDUSTRY},
                                        {"floor-per-county", required_argument, NULL, OPT_FLOOR},
                                        {"by", required_argument, NULL, OPT_BY},
                                        {"verify", required_argument, NULL, OPT_VERIFY},
                                        {"busy-timeout", required_argument, NULL, OPT_BUSY},
                                        {"output", required_argument, NULL, 'o'},
                                        {"quiet", no_argument, NULL, 'q'},
                                        {"help", no_argument, NULL, 'h'},
                                        {NULL, 0, NULL, 0}};

/* A whole number in [lo, hi], or -1. */
static long whole(const char *s, long lo, long hi)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    return (end == s || *end || v < lo || v > hi) ? -1 : v;
}

static int verify(gm_cli *cli, const char *path)
{
    gm_context *ctx = NULL;
    if (gm_context_new(&ctx) != GM_OK) {
        fprintf(stderr, "greenmine: error: cannot create the engine context\n");
        return GM_EXIT_FAILURE;
    }
    int matches = 0, exit_code;
    size_t n = 0;
    char diff[2048];
    int rc = gm_draw_verify(ctx, path, &matches, diff, sizeof diff, &n);
    if (rc != GM_OK) {
        /* an unreadable or malformed record is the user's input (exit 2) */
        exit_code = gm_cli_fail(cli, ctx, rc);
    } else if (matches) {
        if (!cli->quiet) {
            gm_term_fputs(stdout, path);
            printf(": the draw matches (%zu pick%s)\n", n, n == 1 ? "" : "s");
        }
        exit_code = GM_EXIT_OK;
    } else {
        fputs("greenmine: draw --verify: ", stderr);
        gm_term_fputs(stderr, path);
        fputs(": DOES NOT MATCH: ", stderr);
        gm_term_fputs(stderr, diff);
        fputc('\n', stderr);
        exit_code = GM_EXIT_FAILURE;
    }
    gm_context_free(ctx);
    return exit_code;
}

int gm_cmd_draw(int argc, char **argv)
{
    gm_cli cli = {0};
    const char *db = NULL, *roster_path = NULL, *output = NULL, *verify_path = NULL;
    const char *by = getenv("USER");
    gm_draw_params p = {0};
    p.per_mine = 2;
    int have_share = 0, have_count = 0, busy_s = 30, c, exit_code = -1;
    char industry[32] = "";
    optind = 1;
    while (exit_code < 0 && (c = getopt_long(argc, argv, "o:qh", options, NULL)) != -1) {
        switch (c) {
        case OPT_DB:
            db = optarg;
            break;
        case OPT_DATE:
            if (gm_parse_date(optarg, &p.date) != GM_OK || !p.date)
                exit_code = gm_cli_usage_error("draw", "--date %s: not a date", optarg);
            break;
        case OPT_SHARE: {
            gm_context *ctx = NULL;
            if (gm_context_new(&ctx) != GM_OK) return GM_EXIT_FAILURE;
            if (gm_draw_parse_share(ctx, optarg, &p.share_bp) != GM_OK)
                exit_code = gm_cli_usage_error("draw", "%s", gm_context_errmsg(ctx));
            gm_context_free(ctx);
            have_share = 1;
            break;
        }
        case OPT_COUNT:
            if ((p.count = whole(optarg, 1, 1000000)) < 0)
                exit_code = gm_cli_usage_error("draw",
                                               "--count %s: expected a number of mines, 1 "
                                               "or more",
                                               optarg);
            have_count = 1;
            break;
        case OPT_INSPECTORS:
            roster_path = optarg;
            break;
        case OPT_PER_MINE: {
            long v = whole(optarg, 1, 100);
            if (v < 0)
                exit_code = gm_cli_usage_error("draw", "--per-mine %s: expected 1..100", optarg);
            p.per_mine = (int)v;
            break;
        }
        case OPT_SEED:
            p.seed = optarg;
            break;
        case OPT_COUNTY:
            p.county = optarg;
            break;
        case OPT_INDUSTRY: {
            gm_industry ind = GM_INDUSTRY_UNKNOWN;
            if (gm_parse_industry(optarg, &ind) != GM_OK || ind == GM_INDUSTRY_UNKNOWN)
                exit_code = gm_cli_usage_error(
                    "draw",
                    "--industry %s: not one of coal, nonferrous, ferrous, precious, chemical, "
                    "nonmetal, sand_gravel, cement, stone (or 煤炭, 有色金属 ...)",
                    optarg);
            else
                snprintf(industry, sizeof industry, "%s", gm_industry_name(ind));
            break;
        }
        case OPT_FLOOR: {
            long v = whole(optarg, 0, 100000);
            if (v < 0)
                exit_code =
                    gm_cli_usage_error("draw", "--floor-per-county %s: expected 0 or more", optarg);
            p.floor_per_county = (int)v;
            break;
        }
        case OPT_BY:
            by = optarg;
            break;
        case OPT_VERIFY:
            verify_path = optarg;
            break;
        case OPT_BUSY: {
            long s = whole(optarg, 0, 86400);
            if (s < 0)
                exit_code =
                    gm_cli_usage_error("draw", "--busy-timeout %s: expected 0..86400", optarg);
            busy_s = (int)s;
            break;
        }
        case 'o':
            output = optarg;
            break;
        case 'q':
            cli.quiet = 1;
            break;
        case 'h':
            fputs(draw_help, stdout);
            exit_code = GM_EXIT_OK;
            break;
        default:
            exit_code = gm_cli_usage_error("draw", "unknown option");
        }
    }
    if (exit_code < 0 && optind < argc)
        exit_code = gm_cli_usage_error("draw", "unexpected argument '%s'", argv[optind]);
    if (exit_code >= 0) return exit_code;
    if (verify_path) {
        if (db || output || roster_path || p.seed || have_share || have_count)
            return gm_cli_usage_error("draw", "--verify takes the record file alone");
        return verify(&cli, verify_path);
    }
    if (!p.date) return gm_cli_usage_error("draw", "--date is required");
    if (have_share == have_count)
        return gm_cli_usage_error("draw", "give either --share P%% or --count N");
    if (!roster_path) return gm_cli_usage_error("draw", "--inspectors FILE is required");
    if (!p.seed) return gm_cli_usage_error("draw", "--seed TEXT is required");
    if (!output) return gm_cli_usage_error("draw", "-o FILE is required (the record, draw.csv)");
    if ((exit_code = gm_cli_check_registry("draw", db)) >= 0) return exit_code;
    if (!by || !*by) by = "unknown";
    if (industry[0]) p.industry = industry;

    gm_context *ctx = NULL;
    gm_registry *reg = NULL;
    gm_draw_inspector *roster = NULL;
    size_t n_roster = 0;
    gm_draw_lists *lists = NULL;
    gm_draw *d = NULL;
    if (gm_context_new(&ctx) != GM_OK) {
        fprintf(stderr, "greenmine: error: cannot create the engine context\n");
        return GM_EXIT_FAILURE;
    }
    gm_cli_attach(&cli, ctx);
    int rc = gm_draw_roster_read(ctx, roster_path, &roster, &n_roster);
    if (rc == GM_OK) rc = gm_registry_open(ctx, db, busy_s * 1000, &reg);
    if (rc == GM_OK) rc = gm_registry_draw_lists(reg, &p, roster, n_roster, &lists);
    if (rc == GM_OK) rc = gm_draw_compute(ctx, lists, &p, &d);
    if (rc == GM_OK) rc = gm_registry_draw_record(reg, d, by);
    if (rc == GM_OK && (rc = gm_draw_write(ctx, d, output)) != GM_OK) {
        fprintf(stderr,
                "greenmine: error: the draw is recorded in the registry as draw %ld, but its "
                "files could not be written; 'greenmine draws' publishes it again\n",
                d->draw_id);
    }
    if (rc != GM_OK) {
        exit_code = gm_cli_fail(&cli, ctx, rc);
        /* a draw the rules do not allow: every mine short of inspectors, one a line */
        for (size_t k = 0; d && !d->n_picks && k < d->n_shortages; k++) {
            const gm_draw_shortage *sh = &d->shortages[k];
            const gm_draw_mine *m = &d->lists->mines[sh->mine];
            fputs("  mine ", stderr);
            gm_term_fputs(stderr, m->licence_no);
            fputs(" (", stderr);
            gm_term_fputs(stderr, m->county[0] ? m->county : "no county");
            fprintf(stderr,
                    "): %zu on the roster, %zu from its own county, %zu verified or inspected "
                    "it in the last two years, %zu eligible, %d needed\n",
                    d->lists->n_inspectors, sh->by_county, sh->by_history, sh->eligible,
                    d->per_mine);
        }
    } else {
        exit_code = GM_EXIT_OK;
        if (!cli.quiet) {
            char date[GM_DATE_TEXT];
            printf("draw %ld of %s: %zu of %zu candidate mine%s, %d inspector%s each "
                   "(roster of %zu)\n",
                   d->draw_id, gm_date_text(d->date, date), d->n_picks, d->lists->n_mines,
                   d->lists->n_mines == 1 ? "" : "s", d->per_mine, d->per_mine == 1 ? "" : "s",
                   d->lists->n_inspectors);
            for (size_t k = 0; k < d->n_picks; k++) {
                const gm_draw_mine *m = &d->lists->mines[d->picks[k].mine];
                printf("  %3zu  ", k + 1);
                gm_term_fputs(stdout, m->licence_no);
                fputs("  ", stdout);
                gm_term_fputs(stdout, m->county);
                fputs("  ", stdout);
                for (int i = 0; i < d->per_mine; i++) {
                    const gm_draw_inspector *in = &d->lists->inspectors[d->picks[k].inspectors[i]];
                    if (i) fputs(", ", stdout);
                    gm_term_fputs(stdout, in->name);
                    fputs(" (", stdout);
                    gm_term_fputs(stdout, in->inspector_id);
                    fputs(")", stdout);
                }
                fputc('\n', stdout);
            }
            printf("mine list SHA-256 %s\ninspector list SHA-256 %s\nwritten: ",
                   d->lists->mines_sha256, d->lists->inspectors_sha256);
            gm_term_fputs(stdout, output);
            fputs(" and its two lists beside it\n", stdout);
        }
    }
    gm_draw_free(d);
    gm_draw_lists_free(lists);
    gm_draw_inspectors_free(roster, n_roster);
    gm_registry_close(reg);
    gm_context_free(ctx);
    return exit_code;
}
