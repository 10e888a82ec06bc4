/*
 * cmd_events.c -- the management records on the command line: `licences`,
 * `events`, `status` and `thresholds` (docs/management.md). The records, the
 * rules and the status come from the library (greenmine/events.h,
 * greenmine/management.h); this file parses options and prints.
 */
#include "cli/cli.h"

#include "core/text.h"

#include <greenmine/events.h>
#include <greenmine/management.h>
#include <greenmine/publish.h>

#include <getopt.h>
#include <math.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* ---- help ------------------------------------------------------------------ */

static const char events_help[] =
    "Usage: greenmine events import --db DB FILE.csv|FILE.xlsx [--by NAME] [--sheet NAME]\n"
    "       greenmine events add --db DB --licence L --kind K --date D [FIELDS] [--by NAME]\n"
    "       greenmine events list --db DB [--licence L] [--county C] [--kind K] [--as-of D]\n"
    "                             [--json | --csv]\n"
    "\n"
    "The append-only event log of the mines (docs/management.md). Kinds:\n"
    "self_assessment 自评, verification 第三方评估, listing 入选名录, spot_check 抽查,\n"
    "blacklisting 列入黑名单, lifting 移出黑名单, credit_rating 信用评价, three_rates 三率.\n"
    "Every event is checked against the licence's recorded history before it is\n"
    "recorded: the licence must exist; no listing without a passed verification after\n"
    "the last self-assessment; a blacklisted mine is listed again only after a new\n"
    "passed verification and a lifting; a new event is not dated before the licence's\n"
    "latest one, nor after today (UTC+8). Nothing is edited: a correction is a new event with\n"
    "--supersedes ID (and --void to withdraw the event).\n"
    "\n"
    "import: a spreadsheet (CSV in UTF-8 or GBK, or XLSX), one event per row, columns\n"
    "  named in English or Chinese (licence_no 采矿许可证号, kind 事件类型, event_date\n"
    "  日期, score 得分, document 文号, agency 评估机构, result 结果, batch 批次, draw_id\n"
    "  抽取编号, inspectors 检查人员, findings 发现问题, reason 原因, year 年度, grade\n"
    "  信用等级, mining_recovery 开采回采率, beneficiation_recovery 选矿回收率,\n"
    "  utilisation 综合利用率, supersedes 更正事件, void 撤销). All or nothing: a file\n"
    "  with any bad row records nothing, and every bad row is named with its row\n"
    "  number (the header is row 1) and the rule it breaks (exit 2).\n"
    "add: one event; FIELDS are --score N --document T --agency A --result pass|fail\n"
    "  --batch B --draw ID --inspectors 'ID;ID' --findings T --reason T --year Y\n"
    "  --grade G --mining-recovery P --beneficiation-recovery P --utilisation P\n"
    "  --supersedes ID --void. A correction (--supersedes ID) needs only what changes:\n"
    "  the licence, kind, date and other fields come from event ID; a withdrawal is\n"
    "  --supersedes ID --void --reason TEXT.\n"
    "list: the log, oldest first per licence, with each event's id, whether it counts\n"
    "  (not superseded, not void) and what superseded it; --as-of D: events dated up to D\n"
    "  (and the corrections of those); --county C: the events of that county's licences;\n"
    "  --kind K: of that kind.\n"
    "\n"
    "  --db DB             the registry (SpatiaLite file or PG:CONNINFO)\n"
    "  --by NAME           who enters the events (default: $USER)\n"
    "  --sheet NAME        the XLSX sheet to read (default: the first)\n"
    "  --check             import: check every row as an import would, record nothing\n"
    "  --busy-timeout S    wait up to S seconds for another writer (default 30)\n"
    "  --json, --csv       list: machine-readable output\n"
    "  -q, --quiet         print nothing but errors\n"
    "  -h, --help          this help\n"
    "\n"
    "Exit status: 0 recorded, 2 bad input or a broken rule (nothing recorded),\n"
    "1 any other failure (nothing recorded; a registry locked past the timeout).\n";

static const char licences_help[] =
    "Usage: greenmine licences import --db DB FILE.csv|FILE.xlsx [--by NAME] [--sheet NAME]\n"
    "       greenmine licences list --db DB [--county C] [--json | --csv]\n"
    "\n"
    "The mines of the management system: one row per mining licence. Columns (English\n"
    "or Chinese): licence_no 采矿许可证号 (required), name 矿山名称, enterprise\n"
    "企业名称/采矿权人, credit_code 统一社会信用代码 (18 characters, check digit\n"
    "verified), industry 行业 (required: coal 煤炭, nonferrous 有色金属, ferrous\n"
    "黑色金属, precious 贵金属, chemical 化工, nonmetal 非金属, sand_gravel 砂石, cement\n"
    "水泥, stone 石材), mineral 矿种, scale 规模 (required: large/medium/small,\n"
    "大型/中型/小型), county 县市区 (required), city 市州, licensed_on 发证日期,\n"
    "is_new 新建矿山 (default: licensed on or after 2017-12-31, the plan's date).\n"
    "All or nothing, like 'events import'. A licence recorded already with the same\n"
    "fields is left as it is; with other fields the row is refused (licences are not\n"
    "rewritten).\n"
    "\n"
    "  --db DB  --by NAME  --sheet NAME  --check  --busy-timeout S  --json  --csv  -q  -h\n";

static const char status_help[] =
    "Usage: greenmine status --db DB [--as-of DATE] [--county C] [--licence L]\n"
    "                        [--json | --csv]\n"
    "\n"
    "Each mine's status on DATE (default: today, China Standard Time), derived from its events as "
    "recorded\n"
    "now (corrections honoured, withdrawn and superseded events left out):\n"
    "none (no self-assessment), assessed, verified (passed a verification after its\n"
    "last self-assessment), listed (on the list of green mines: date and batch),\n"
    "blacklisted; with the last verification and spot check, the credit grade, the\n"
    "latest three rates and whether they meet the thresholds in force on DATE\n"
    "('thresholds import'). docs/management.md describes the derivation.\n"
    "\n"
    "  --db DB        the registry\n"
    "  --as-of DATE   the date (YYYY-MM-DD)\n"
    "  --county C     only the mines of this county (as the licences name it)\n"
    "  --licence L    only this licence\n"
    "  --json, --csv  machine-readable output\n"
    "  -h, --help     this help\n";

static const char thresholds_help[] =
    "Usage: greenmine thresholds import --db DB FILE.csv|FILE.xlsx [--from DATE]\n"
    "                                   [--label TEXT] [--by NAME]\n"
    "       greenmine thresholds list --db DB [--as-of DATE] [--json | --csv]\n"
    "\n"
    "The minimum three rates (三率, percent) per industry and mineral, as the province\n"
    "sets them. Columns: industry 行业 (required), mineral 矿种 (empty: the industry's\n"
    "default), mining_recovery 开采回采率, beneficiation_recovery 选矿回收率,\n"
    "utilisation 综合利用率 (at least one), note 备注. An import is a new set in force\n"
    "from --from (default 2016-01-01); earlier sets stay for earlier dates. --label\n"
    "says what the figures are (the demo's: \"example, not official figures\").\n"
    "\n"
    "  --db DB  --by NAME  --sheet NAME  --check  --busy-timeout S  --json  --csv  -q  -h\n";

/* ---- options shared by the subcommands ---------------------------------------- */

enum {
    OPT_DB = 256,
    OPT_BY,
    OPT_SHEET,
    OPT_BUSY,
    OPT_JSON,
    OPT_CSV,
    OPT_LICENCE,
    OPT_KIND,
    OPT_DATE,
    OPT_AS_OF,
    OPT_COUNTY,
    OPT_FROM,
    OPT_LABEL,
    OPT_SCORE,
    OPT_DOCUMENT,
    OPT_AGENCY,
    OPT_RESULT,
    OPT_BATCH,
    OPT_DRAW,
    OPT_INSPECTORS,
    OPT_FINDINGS,
    OPT_REASON,
    OPT_YEAR,
    OPT_GRADE,
    OPT_MINING,
    OPT_BENEFICIATION,
    OPT_UTILISATION,
    OPT_SUPERSEDES,
    OPT_VOID,
    OPT_CHECK
};

static const struct option options[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"by", required_argument, NULL, OPT_BY},
    {"sheet", required_argument, NULL, OPT_SHEET},
    {"busy-timeout", required_argument, NULL, OPT_BUSY},
    {"json", no_argument, NULL, OPT_JSON},
    {"csv", no_argument, NULL, OPT_CSV},
    {"licence", required_argument, NULL, OPT_LICENCE},
    {"license", required_argument, NULL, OPT_LICENCE},
    {"kind", required_argument, NULL, OPT_KIND},
    {"date", required_argument, NULL, OPT_DATE},
    {"as-of", required_argument, NULL, OPT_AS_OF},
    {"county", required_argument, NULL, OPT_COUNTY},
    {"from", required_argument, NULL, OPT_FROM},
    {"label", required_argument, NULL, OPT_LABEL},
    {"score", required_argument, NULL, OPT_SCORE},
    {"document", required_argument, NULL, OPT_DOCUMENT},
    {"agency", required_argument, NULL, OPT_AGENCY},
    {"result", required_argument, NULL, OPT_RESULT},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"draw", required_argument, NULL, OPT_DRAW},
    {"inspectors", required_argument, NULL, OPT_INSPECTORS},
    {"findings", required_argument, NULL, OPT_FINDINGS},
    {"reason", required_argument, NULL, OPT_REASON},
    {"year", required_argument, NULL, OPT_YEAR},
    {"grade", required_argument, NULL, OPT_GRADE},
    {"mining-recovery", required_argument, NULL, OPT_MINING},
    {"beneficiation-recovery", required_argument, NULL, OPT_BENEFICIATION},
    {"utilisation", required_argument, NULL, OPT_UTILISATION},
    {"utilization", required_argument, NULL, OPT_UTILISATION},
    {"supersedes", required_argument, NULL, OPT_SUPERSEDES},
    {"void", no_argument, NULL, OPT_VOID},
    {"check", no_argument, NULL, OPT_CHECK},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

typedef struct args {
    const char *command; /* "events import", for messages */
    const char *db, *by, *sheet, *licence, *county, *label, *file;
    int busy_s, format; /* format: 0 table, 1 json, 2 csv */
    int date, as_of, from;
    int quiet, check_only;
    gm_event ev; /* events add: the fields given (strings borrowed from argv) */
    int has_kind;
} args;

static int number_arg(const char *cmd, const char *opt, const char *text, double lo, double hi,
                      double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end || !(v >= lo && v <= hi))
        return gm_cli_usage_error(cmd, "%s %s: expected a number %g..%g", opt, text, lo, hi);
    *out = v;
    return -1;
}

static int date_arg(const char *cmd, const char *opt, const char *text, int *out)
{
    if (gm_parse_date(text, out) != GM_OK || !*out)
        return gm_cli_usage_error(cmd, "%s %s: not a date (YYYY-MM-DD)", opt, text);
    return -1;
}

/* Parses argv; -1 to go on, else the exit code. */
static int parse(args *a, int argc, char **argv, const char *help, int allowed_positional)
{
    int c, exit_code = -1;
    double v = 0;
    a->busy_s = 30;
    gm_event_init(&a->ev);
    optind = 1;
    while (exit_code < 0 && (c = getopt_long(argc, argv, "qh", options, NULL)) != -1) {
        switch (c) {
        case OPT_DB:
            a->db = optarg;
            break;
        case OPT_BY:
            a->by = optarg;
            break;
        case OPT_SHEET:
            a->sheet = optarg;
            break;
        case OPT_BUSY:
            exit_code = number_arg(a->command, "--busy-timeout", optarg, 0, 86400, &v);
            a->busy_s = (int)v;
            break;
        case OPT_JSON:
        case OPT_CSV:
            if (a->format && a->format != (c == OPT_JSON ? 1 : 2))
                exit_code = gm_cli_usage_error(a->command, "--json and --csv exclude each other");
            a->format = c == OPT_JSON ? 1 : 2;
            break;
        case OPT_LICENCE:
            a->licence = a->ev.licence_no = optarg;
            break;
        case OPT_KIND:
            if (gm_parse_event_kind(optarg, &a->ev.kind) != GM_OK || !a->ev.kind)
                exit_code = gm_cli_usage_error(
                    a->command,
                    "--kind %s: not an event kind (self_assessment, verification, listing, "
                    "spot_check, blacklisting, lifting, credit_rating, three_rates)",
                    optarg);
            a->has_kind = 1;
            break;
        case OPT_DATE:
            exit_code = date_arg(a->command, "--date", optarg, &a->date);
            a->ev.event_date = a->date;
            break;
        case OPT_AS_OF:
            exit_code = date_arg(a->command, "--as-of", optarg, &a->as_of);
            break;
        case OPT_FROM:
            exit_code = date_arg(a->command, "--from", optarg, &a->from);
            break;
        case OPT_COUNTY:
            a->county = optarg;
            break;
        case OPT_LABEL:
            a->label = optarg;
            break;
        case OPT_SCORE:
            exit_code = number_arg(a->command, "--score", optarg, 0, 100, &a->ev.score);
            break;
        case OPT_DOCUMENT:
            a->ev.document = optarg;
            break;
        case OPT_AGENCY:
            a->ev.agency = optarg;
            break;
        case OPT_RESULT:
            if (gm_parse_result(optarg, &a->ev.result) != GM_OK || !a->ev.result)
                exit_code = gm_cli_usage_error(a->command, "--result %s: pass or fail", optarg);
            break;
        case OPT_BATCH:
            a->ev.batch = optarg;
            break;
        case OPT_DRAW:
            a->ev.draw_id = optarg;
            break;
        case OPT_INSPECTORS:
            a->ev.inspectors = optarg;
            break;
        case OPT_FINDINGS:
            a->ev.findings = optarg;
            break;
        case OPT_REASON:
            a->ev.reason = optarg;
            break;
        case OPT_YEAR:
            exit_code = number_arg(a->command, "--year", optarg, 1990, 2100, &v);
            a->ev.year = (int)v;
            break;
        case OPT_GRADE:
            a->ev.grade = optarg;
            break;
        case OPT_MINING:
            exit_code =
                number_arg(a->command, "--mining-recovery", optarg, 0, 100, &a->ev.mining_recovery);
            break;
        case OPT_BENEFICIATION:
            exit_code = number_arg(a->command, "--beneficiation-recovery", optarg, 0, 100,
                                   &a->ev.beneficiation_recovery);
            break;
        case OPT_UTILISATION:
            exit_code = number_arg(a->command, "--utilisation", optarg, 0, 100, &a->ev.utilisation);
            break;
        case OPT_SUPERSEDES:
            exit_code = number_arg(a->command, "--supersedes", optarg, 1, 9e15, &v);
            a->ev.supersedes = (long long)v;
            break;
        case OPT_VOID:
            a->ev.is_void = 1;
            break;
        case OPT_CHECK:
            a->check_only = 1;
            break;
        case 'q':
            a->quiet = 1;
            break;
        case 'h':
            fputs(help, stdout);
            exit_code = GM_EXIT_OK;
            break;
        default:
            exit_code = gm_cli_usage_error(a->command, "unknown option");
        }
    }
    if (exit_code >= 0) return exit_code;
    if (optind < argc && allowed_positional && !a->file) a->file = argv[optind++];
    if (optind < argc)
        return gm_cli_usage_error(a->command, "unexpected argument '%s'", argv[optind]);
    if (allowed_positional && !a->file)
        return gm_cli_usage_error(a->command, "which file? (FILE.csv or FILE.xlsx)");
    if (!a->by || !*a->by) {
        a->by = getenv("USER");
        if (!a->by || !*a->by) {
            struct passwd *pw = getpwuid(getuid());
            a->by = pw ? pw->pw_name : NULL;
        }
    }
    return -1;
}

/* Opens the registry for a command; -1 and *reg on success, else the exit code. */
static int open_registry(gm_cli *cli, args *a, int writes, gm_context **ctx, gm_registry **reg)
{
    *ctx = NULL;
    *reg = NULL;
    if (!writes) {
        int e = gm_cli_check_registry(a->command, a->db);
        if (e >= 0) return e;
    } else if (!a->db) {
        return gm_cli_usage_error(a->command, "--db is required");
    }
    if (writes && (!a->by || !*a->by))
        return gm_cli_usage_error(a->command, "who enters this? give --by NAME");
    if (gm_context_new(ctx) != GM_OK) {
        fprintf(stderr, "greenmine: error: cannot create the engine context\n");
        return GM_EXIT_FAILURE;
    }
    gm_cli_attach(cli, *ctx);
#ifdef GM_TEST_HOOKS
    const char *hook = getenv("GREENMINE_TEST_KILL_AFTER");
    if (hook && *hook) cli->kill_after = (size_t)strtoul(hook, NULL, 10);
    hook = getenv("GREENMINE_TEST_SLOW_MS");
    if (hook && *hook) cli->slow_ms = (int)strtol(hook, NULL, 10);
#endif
    int rc = gm_registry_open(*ctx, a->db, a->busy_s * 1000, reg);
    if (rc != GM_OK) {
        int e = gm_cli_fail(cli, *ctx, rc);
        gm_context_free(*ctx);
        *ctx = NULL;
        return e;
    }
    return -1;
}

static void close_registry(gm_context *ctx, gm_registry *reg)
{
    gm_registry_close(reg);
    gm_context_free(ctx);
}

/* ---- imports ------------------------------------------------------------------- */

typedef int (*import_fn)(gm_registry *, const char *, const gm_import_options *,
                         gm_import_report **);

static int run_import(args *a, import_fn fn, const char *what)
{
    gm_cli cli = {.quiet = a->quiet};
    gm_context *ctx;
    gm_registry *reg;
    int e = open_registry(&cli, a, 1, &ctx, &reg);
    if (e >= 0) return e;
    gm_import_options opt = {.entered_by = a->by,
                             .sheet = a->sheet,
                             .effective_from = a->from,
                             .label = a->label,
                             .check_only = a->check_only};
    gm_import_report *r = NULL;
    int rc = fn(reg, a->file, &opt, &r);
    gm_cli_progress_done(&cli);
    if (r && r->n_problems) {
        /* every bad row, one line each, then the summary */
        for (size_t i = 0; i < r->n_problems; i++) {
            fputs("greenmine: error: ", stderr);
            gm_term_fputs(stderr, r->file_name);
            fputs(": ", stderr);
            gm_term_fputs(stderr, r->problems[i].message);
            fputc('\n', stderr);
        }
    }
    if (rc != GM_OK)
        e = gm_cli_fail(&cli, ctx, rc);
    else {
        e = GM_EXIT_OK;
        if (!a->quiet) {
            printf("greenmine %s: %zu %s %s from ", a->command, r->recorded, what,
                   a->check_only ? "would be recorded (--check: nothing was)" : "recorded");
            gm_term_fputs(stdout, r->file_name);
            if (r->unchanged) printf(" (%zu recorded already, unchanged)", r->unchanged);
            if (r->first_id) printf(" (events %lld..%lld)", r->first_id, r->last_id);
            if (r->set_id) printf(" (threshold set %lld)", r->set_id);
            putchar('\n');
        }
    }
    gm_import_report_free(r);
    close_registry(ctx, reg);
    return e;
}

/* ---- output helpers ------------------------------------------------------------ */

static void put_date(FILE *f, int d, int format)
{
    char buf[GM_DATE_TEXT];
    if (!d)
        fputs(format == 1 ? "null" : format == 2 ? "" : "-", f);
    else if (format == 1)
        fprintf(f, "\"%s\"", gm_date_text(d, buf));
    else
        fputs(gm_date_text(d, buf), f);
}

static void put_text(FILE *f, const char *s, int format)
{
    if (format == 1)
        gm_json_fputs(f, s);
    else if (format == 2)
        gm_csv_fputs(f, s);
    else
        gm_term_fputs(f, s && *s ? s : "-");
}

static void put_real(FILE *f, double v, int format)
{
    if (isnan(v))
        fputs(format == 1 ? "null" : format == 2 ? "" : "-", f);
    else
        fprintf(f, "%.10g", v);
}

static void put_int(FILE *f, long long v, int format)
{
    if (!v)
        fputs(format == 1 ? "null" : format == 2 ? "" : "-", f);
    else
        fprintf(f, "%lld", v);
}

/* ---- events -------------------------------------------------------------------- */

/* A correction given only what changes: the rest from the event it corrects. */
static void inherit(gm_event *ev, const gm_event *orig)
{
    if (!ev->licence_no) ev->licence_no = orig->licence_no;
    if (!ev->kind) ev->kind = orig->kind;
    if (!ev->event_date) ev->event_date = orig->event_date;
    if (ev->is_void) return; /* a withdrawal carries nothing else */
    if (isnan(ev->score)) ev->score = orig->score;
    if (!ev->result) ev->result = orig->result;
    if (!ev->year) ev->year = orig->year;
    if (isnan(ev->mining_recovery)) ev->mining_recovery = orig->mining_recovery;
    if (isnan(ev->beneficiation_recovery))
        ev->beneficiation_recovery = orig->beneficiation_recovery;
    if (isnan(ev->utilisation)) ev->utilisation = orig->utilisation;
    char **mine[] = {&ev->document,   &ev->agency,   &ev->batch, &ev->draw_id,
                     &ev->inspectors, &ev->findings, &ev->grade};
    char *const theirs[] = {orig->document,   orig->agency,   orig->batch, orig->draw_id,
                            orig->inspectors, orig->findings, orig->grade};
    for (size_t i = 0; i < sizeof mine / sizeof *mine; i++)
        if (!*mine[i]) *mine[i] = theirs[i];
    /* the reason of a correction is its own (why it corrects), never inherited */
}

static int events_add(args *a)
{
    if (!a->ev.supersedes) {
        if (!a->licence) return gm_cli_usage_error(a->command, "--licence is required");
        if (!a->has_kind) return gm_cli_usage_error(a->command, "--kind is required");
        if (!a->date) return gm_cli_usage_error(a->command, "--date is required");
    }
    gm_cli cli = {.quiet = a->quiet};
    gm_context *ctx;
    gm_registry *reg;
    int e = open_registry(&cli, a, 1, &ctx, &reg);
    if (e >= 0) return e;
    a->ev.entered_by = (char *)a->by; /* borrowed: never freed here */
    gm_event orig;
    gm_event_init(&orig);
    int rc = GM_OK;
    if (a->ev.supersedes && (rc = gm_registry_event(reg, a->ev.supersedes, &orig)) == GM_OK)
        inherit(&a->ev, &orig); /* borrows orig's strings until the end */
    long long id = 0;
    if (rc == GM_OK) rc = gm_registry_append_event(reg, &a->ev, &id, NULL);
    if (rc != GM_OK)
        e = gm_cli_fail(&cli, ctx, rc);
    else {
        e = GM_EXIT_OK;
        if (!a->quiet) {
            char d[GM_DATE_TEXT];
            printf("greenmine events add: event %lld recorded: %s%s of %s for licence ", id,
                   a->ev.is_void      ? "withdrawal of a "
                   : a->ev.supersedes ? "correction of a "
                                      : "",
                   gm_event_kind_name(a->ev.kind), gm_date_text(a->ev.event_date, d));
            gm_term_fputs(stdout, a->ev.licence_no);
            putchar('\n');
        }
    }
    gm_event_clear(&orig);
    close_registry(ctx, reg);
    return e;
}

/* An event as JSON (format 1) or a CSV row (2): the writer the desk uses too. */
static int print_event(gm_context *ctx, const gm_event_list *l, size_t i, int format)
{
    const gm_event *e = &l->items[i];
    size_t first = 0, count = 0;
    gm_event_list_range(l, e->licence_no, &first, &count);
    char *text = NULL;
    int rc = (format == 1 ? gm_event_json : gm_event_csv)(ctx, &l->items[first], count, e, &text);
    if (rc == GM_OK) printf("%s%s", format == 1 ? "    " : "", text);
    free(text);
    return rc;
}

/* One line per event for a terminal: id, licence, date, kind, the kind's fields. */
static void print_event_line(const gm_event_list *l, size_t i)
{
    const gm_event *e = &l->items[i];
    size_t first = 0, count = 0;
    gm_event_list_range(l, e->licence_no, &first, &count);
    int counts = gm_event_counts(&l->items[first], count, e);
    char d[GM_DATE_TEXT];
    printf("%6lld  ", e->event_id);
    gm_cli_print_padded(stdout, e->licence_no, 24);
    printf("  %s  %-15s %s", gm_date_text(e->event_date, d), gm_event_kind_name(e->kind),
           counts ? "" : "(does not count) ");
    if (e->supersedes) printf("corrects %lld%s ", e->supersedes, e->is_void ? " (withdrawn)" : "");
    if (e->result) printf("%s ", gm_result_name(e->result));
    if (!isnan(e->score)) printf("score %.4g ", e->score);
    const char *labels[] = {"agency", "batch", "draw", "reason", "grade", "document"};
    const char *values[] = {e->agency, e->batch, e->draw_id, e->reason, e->grade, e->document};
    for (int k = 0; k < 6; k++)
        if (values[k]) {
            printf("%s ", labels[k]);
            gm_term_fputs(stdout, values[k]);
            putchar(' ');
        }
    if (e->year) printf("year %d ", e->year);
    if (e->kind == GM_EVENT_THREE_RATES) {
        const double rates[3] = {e->mining_recovery, e->beneficiation_recovery, e->utilisation};
        printf("rates (mining/beneficiation/utilisation %%) ");
        for (int k = 0; k < 3; k++) {
            if (isnan(rates[k]))
                fputs("-", stdout);
            else
                printf("%.4g", rates[k]);
            fputs(k < 2 ? "/" : " ", stdout);
        }
    }
    printf("[by ");
    gm_term_fputs(stdout, e->entered_by);
    printf("]\n");
}

static int events_list(args *a)
{
    gm_cli cli = {.quiet = 1};
    gm_context *ctx;
    gm_registry *reg;
    int e = open_registry(&cli, a, 0, &ctx, &reg);
    if (e >= 0) return e;
    gm_event_list *l = NULL;
    gm_licence_list *lic = NULL;
    int rc = gm_registry_events(reg, a->licence, a->as_of, &l);
    if (rc == GM_OK && a->county) rc = gm_registry_licences(reg, &lic);
    if (rc != GM_OK)
        e = gm_cli_fail(&cli, ctx, rc);
    else {
        e = GM_EXIT_OK;
        if (a->format == 1) fputs("{\"events\": [\n", stdout);
        if (a->format == 2) {
            char *header = NULL;
            if ((rc = gm_event_csv(ctx, NULL, 0, NULL, &header)) == GM_OK) fputs(header, stdout);
            free(header);
        }
        size_t shown = 0;
        for (size_t i = 0; rc == GM_OK && i < l->n; i++) {
            const gm_event *ev = &l->items[i];
            if (a->has_kind && ev->kind != a->ev.kind) continue;
            if (a->county) {
                const gm_licence *x = gm_licence_find(lic, ev->licence_no);
                if (!x || !x->county || strcmp(x->county, a->county) != 0) continue;
            }
            if (a->format == 0)
                print_event_line(l, i);
            else {
                if (a->format == 1 && shown) fputs(",\n", stdout);
                rc = print_event(ctx, l, i, a->format);
            }
            shown++;
        }
        if (rc != GM_OK)
            e = gm_cli_fail(&cli, ctx, rc);
        else if (a->format == 1)
            fputs(shown ? "\n]}\n" : "]}\n", stdout);
        if (a->format == 0 && !shown) printf("(no events)\n");
    }
    gm_licence_list_free(lic);
    gm_event_list_free(l);
    close_registry(ctx, reg);
    return e;
}

int gm_cmd_events(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : NULL;
    if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        fputs(events_help, sub ? stdout : stderr);
        return sub ? GM_EXIT_OK : GM_EXIT_BAD_INPUT;
    }
    args a = {0};
    int e;
    if (strcmp(sub, "import") == 0) {
        a.command = "events import";
        if ((e = parse(&a, argc - 1, argv + 1, events_help, 1)) >= 0) return e;
        return run_import(&a, gm_registry_import_events, "events");
    }
    if (strcmp(sub, "add") == 0) {
        a.command = "events add";
        if ((e = parse(&a, argc - 1, argv + 1, events_help, 0)) >= 0) return e;
        return events_add(&a);
    }
    if (strcmp(sub, "list") == 0) {
        a.command = "events list";
        if ((e = parse(&a, argc - 1, argv + 1, events_help, 0)) >= 0) return e;
        return events_list(&a);
    }
    return gm_cli_usage_error("events", "unknown subcommand '%s' (import, add, list)", sub);
}

/* ---- licences -------------------------------------------------------------------- */

static const char *flag_text(gm_flag f)
{
    return f == GM_FLAG_YES ? "1" : f == GM_FLAG_NO ? "0" : "";
}

static int licences_list(args *a)
{
    gm_cli cli = {.quiet = 1};
    gm_context *ctx;
    gm_registry *reg;
    int e = open_registry(&cli, a, 0, &ctx, &reg);
    if (e >= 0) return e;
    gm_licence_list *l = NULL;
    int rc = gm_registry_licences(reg, &l);
    if (rc != GM_OK) {
        e = gm_cli_fail(&cli, ctx, rc);
        close_registry(ctx, reg);
        return e;
    }
    static const char *const cols[] = {
        "licence_no", "name", "enterprise",  "credit_code", "industry",   "mineral",   "scale",
        "county",     "city", "licensed_on", "is_new",      "entered_by", "entered_at"};
    const size_t nc = sizeof cols / sizeof *cols;
    int f = a->format;
    if (f == 1) fputs("{\"licences\": [\n", stdout);
    if (f == 2) {
        for (size_t c = 0; c < nc; c++)
            printf("%s%s", c ? "," : "", cols[c]);
        fputs("\r\n", stdout);
    }
    size_t shown = 0;
    for (size_t i = 0; i < l->n; i++) {
        const gm_licence *x = &l->items[i];
        if (a->county && (!x->county || strcmp(x->county, a->county) != 0)) continue;
        if (f == 0) {
            gm_cli_print_padded(stdout, x->licence_no, 24);
            printf("  ");
            gm_cli_print_padded(stdout, x->name ? x->name : "-", 20);
            printf("  ");
            gm_cli_print_padded(stdout, x->county ? x->county : "-", 10);
            printf("  %-11s %-6s %s\n", gm_industry_name(x->industry), gm_scale_name(x->scale),
                   x->is_new == GM_FLAG_YES  ? "new"
                   : x->is_new == GM_FLAG_NO ? "existing"
                                             : "-");
            shown++;
            continue;
        }
        if (f == 1) fprintf(stdout, "%s    {", shown ? ",\n" : "");
        const char *text[] = {x->licence_no,
                              x->name,
                              x->enterprise,
                              x->credit_code,
                              gm_industry_name(x->industry),
                              x->mineral,
                              gm_scale_name(x->scale),
                              x->county,
                              x->city};
        for (size_t c = 0; c < nc; c++) {
            if (c) fputs(f == 1 ? ", " : ",", stdout);
            if (f == 1) printf("\"%s\": ", cols[c]);
            if (c < 9)
                put_text(stdout, text[c] && *text[c] ? text[c] : NULL, f);
            else if (c == 9)
                put_date(stdout, x->licensed_on, f);
            else if (c == 10)
                fputs(f == 1 ? (x->is_new == GM_FLAG_UNKNOWN ? "null"
                                : x->is_new == GM_FLAG_YES   ? "true"
                                                             : "false")
                             : flag_text(x->is_new),
                      stdout);
            else
                put_text(stdout, c == 11 ? x->entered_by : x->entered_at, f);
        }
        fputs(f == 1 ? "}" : "\r\n", stdout);
        shown++;
    }
    if (f == 1) fputs("\n]}\n", stdout);
    gm_licence_list_free(l);
    close_registry(ctx, reg);
    return GM_EXIT_OK;
}

int gm_cmd_licences(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : NULL;
    if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        fputs(licences_help, sub ? stdout : stderr);
        return sub ? GM_EXIT_OK : GM_EXIT_BAD_INPUT;
    }
    args a = {0};
    int e;
    if (strcmp(sub, "import") == 0) {
        a.command = "licences import";
        if ((e = parse(&a, argc - 1, argv + 1, licences_help, 1)) >= 0) return e;
        return run_import(&a, gm_registry_import_licences, "licences");
    }
    if (strcmp(sub, "list") == 0) {
        a.command = "licences list";
        if ((e = parse(&a, argc - 1, argv + 1, licences_help, 0)) >= 0) return e;
        return licences_list(&a);
    }
    return gm_cli_usage_error("licences", "unknown subcommand '%s' (import, list)", sub);
}

/* ---- thresholds ------------------------------------------------------------------ */

static int thresholds_list(args *a)
{
    gm_cli cli = {.quiet = 1};
    gm_context *ctx;
    gm_registry *reg;
    int e = open_registry(&cli, a, 0, &ctx, &reg);
    if (e >= 0) return e;
    gm_threshold_list *t = NULL;
    int rc = gm_registry_thresholds(reg, a->as_of, &t);
    if (rc != GM_OK) {
        e = gm_cli_fail(&cli, ctx, rc);
        close_registry(ctx, reg);
        return e;
    }
    int f = a->format;
    if (f == 0) {
        if (!t->set_id)
            printf("(no thresholds in force%s)\n", a->as_of ? " on that date" : "");
        else {
            char d[GM_DATE_TEXT];
            printf("three-rate thresholds: set %lld, in force from %s, ", t->set_id,
                   gm_date_text(t->effective_from, d));
            gm_term_fputs(stdout, t->file_name);
            if (t->label) {
                printf(" -- ");
                gm_term_fputs(stdout, t->label);
            }
            printf("\n\n%-12s %-12s %9s %9s %9s\n", "industry", "mineral", "mining %", "benef. %",
                   "util. %");
        }
    }
    if (f == 1) {
        printf("{\"set_id\": %lld, \"effective_from\": ", t->set_id);
        put_date(stdout, t->effective_from, 1);
        printf(", \"label\": ");
        gm_json_fputs(stdout, t->label);
        printf(", \"file_name\": ");
        gm_json_fputs(stdout, t->file_name);
        printf(", \"thresholds\": [\n");
    }
    if (f == 2)
        fputs("industry,mineral,mining_recovery,beneficiation_recovery,utilisation,note,set_id,"
              "label\r\n",
              stdout);
    for (size_t i = 0; i < t->n; i++) {
        const gm_threshold *x = &t->items[i];
        const double v[3] = {x->mining_recovery, x->beneficiation_recovery, x->utilisation};
        if (f == 0) {
            printf("%-12s ", gm_industry_name(x->industry));
            gm_cli_print_padded(stdout, x->mineral ? x->mineral : "(all)", 12);
            for (int k = 0; k < 3; k++)
                if (isnan(v[k]))
                    printf(" %9s", "-");
                else
                    printf(" %9.2f", v[k]);
            putchar('\n');
            continue;
        }
        const char *sep = f == 1 ? ", " : ",";
        if (f == 1) fputs("    {\"industry\": ", stdout);
        put_text(stdout, gm_industry_name(x->industry), f);
        fputs(sep, stdout);
        if (f == 1) fputs("\"mineral\": ", stdout);
        put_text(stdout, x->mineral, f);
        const char *names[3] = {"mining_recovery", "beneficiation_recovery", "utilisation"};
        for (int k = 0; k < 3; k++) {
            fputs(sep, stdout);
            if (f == 1) printf("\"%s\": ", names[k]);
            put_real(stdout, v[k], f);
        }
        fputs(sep, stdout);
        if (f == 1) fputs("\"note\": ", stdout);
        put_text(stdout, x->note, f);
        if (f == 2) {
            printf(",%lld,", t->set_id);
            put_text(stdout, t->label, f);
        }
        fputs(f == 1 ? (i + 1 < t->n ? "},\n" : "}\n") : "\r\n", stdout);
    }
    if (f == 1) fputs("]}\n", stdout);
    gm_threshold_list_free(t);
    close_registry(ctx, reg);
    return GM_EXIT_OK;
}

int gm_cmd_thresholds(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : NULL;
    if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        fputs(thresholds_help, sub ? stdout : stderr);
        return sub ? GM_EXIT_OK : GM_EXIT_BAD_INPUT;
    }
    args a = {0};
    int e;
    if (strcmp(sub, "import") == 0) {
        a.command = "thresholds import";
        if ((e = parse(&a, argc - 1, argv + 1, thresholds_help, 1)) >= 0) return e;
        return run_import(&a, gm_registry_import_thresholds, "thresholds");
    }
    if (strcmp(sub, "list") == 0) {
        a.command = "thresholds list";
        if ((e = parse(&a, argc - 1, argv + 1, thresholds_help, 0)) >= 0) return e;
        return thresholds_list(&a);
    }
    return gm_cli_usage_error("thresholds", "unknown subcommand '%s' (import, list)", sub);
}

/* ---- status ---------------------------------------------------------------------- */

static const char *const status_fields[] = {"licence_no",
                                            "name",
                                            "county",
                                            "city",
                                            "industry",
                                            "scale",
                                            "is_new",
                                            "status",
                                            "listed_on",
                                            "batch",
                                            "ever_listed",
                                            "last_self_assessment",
                                            "last_verification",
                                            "verification_result",
                                            "last_spot_check",
                                            "spot_check_result",
                                            "spot_checks",
                                            "spot_checks_failed",
                                            "blacklisted_on",
                                            "blacklist_reason",
                                            "credit_year",
                                            "credit_grade",
                                            "rates_year",
                                            "mining_recovery",
                                            "beneficiation_recovery",
                                            "utilisation",
                                            "three_rates_compliant",
                                            "events"};

int gm_cmd_status(int argc, char **argv)
{
    args a = {.command = "status"};
    int e = parse(&a, argc, argv, status_help, 0);
    if (e >= 0) return e;
    gm_cli cli = {.quiet = 1};
    gm_context *ctx;
    gm_registry *reg;
    if ((e = open_registry(&cli, &a, 0, &ctx, &reg)) >= 0) return e;
    int as_of = a.as_of ? a.as_of : gm_management_today();
    gm_licence_list *lic = NULL;
    gm_event_list *ev = NULL;
    gm_threshold_list *th = NULL;
    gm_mine_state *st = NULL;
    int rc = gm_registry_licences(reg, &lic);
    if (rc == GM_OK) rc = gm_registry_events(reg, a.licence, as_of, &ev);
    if (rc == GM_OK) rc = gm_registry_thresholds(reg, as_of, &th);
    if (rc == GM_OK) rc = gm_mine_statuses(ctx, lic, ev, as_of, &st);
    if (rc != GM_OK) {
        e = gm_cli_fail(&cli, ctx, rc);
        goto done;
    }
    if (a.licence && !gm_licence_find(lic, a.licence)) {
        fputs("greenmine: error: no licence ", stderr);
        gm_term_fputs(stderr, a.licence);
        fputs(" is recorded\n", stderr);
        e = GM_EXIT_BAD_INPUT;
        goto done;
    }
    int f = a.format;
    char d[GM_DATE_TEXT];
    if (f == 0) {
        printf("greenmine status as of %s\n\n", gm_date_text(as_of, d));
        printf("%-24s  ", "licence");
        gm_cli_print_padded(stdout, "county", 10);
        printf("  %-6s %-11s  %-10s %-10s  %-22s %-16s %s\n", "scale", "status", "since", "batch",
               "last verification", "last spot check", "credit / three rates");
    }
    if (f == 1) {
        printf("{\"as_of\": ");
        put_date(stdout, as_of, 1);
        printf(", \"mines\": [\n");
    }
    if (f == 2) {
        for (size_t c = 0; c < sizeof status_fields / sizeof *status_fields; c++)
            printf("%s%s", c ? "," : "", status_fields[c]);
        fputs("\r\n", stdout);
    }
    size_t shown = 0;
    for (size_t i = 0; i < lic->n; i++) {
        const gm_licence *l = &lic->items[i];
        const gm_mine_state *s = &st[i];
        if (a.county && (!l->county || strcmp(l->county, a.county) != 0)) continue;
        if (a.licence && strcmp(l->licence_no, a.licence) != 0) continue;
        const gm_threshold *t = gm_threshold_for(th, l->industry, l->mineral);
        int compliant = s->rates_year
                            ? gm_three_rates_compliant(t, s->mining_recovery,
                                                       s->beneficiation_recovery, s->utilisation)
                            : -1;
        int since = s->standing == GM_STANDING_LISTED        ? s->listed_on
                    : s->standing == GM_STANDING_BLACKLISTED ? s->blacklisted_on
                    : s->standing == GM_STANDING_VERIFIED    ? s->last_verification
                    : s->standing == GM_STANDING_ASSESSED    ? s->last_self_assessment
                                                             : 0;
        if (f == 0) {
            gm_cli_print_padded(stdout, l->licence_no, 24);
            printf("  ");
            gm_cli_print_padded(stdout, l->county ? l->county : "-", 10);
            printf("  %-6s %-11s  ", gm_scale_name(l->scale), gm_standing_name(s->standing));
            put_date(stdout, since, 0);
            printf("%s ", since ? "" : "         ");
            gm_cli_print_padded(stdout, s->batch ? s->batch : "-", 10);
            printf("  ");
            if (s->last_verification) {
                put_date(stdout, s->last_verification, 0);
                printf(" %-11s", gm_result_name(s->verification_result));
            } else
                printf("%-22s", "-");
            printf(" ");
            if (s->last_spot_check) {
                put_date(stdout, s->last_spot_check, 0);
                printf(" %-5s", gm_result_name(s->spot_check_result));
            } else
                printf("%-16s", "-");
            printf(" ");
            if (s->credit_grade) {
                printf("%d ", s->credit_year);
                gm_term_fputs(stdout, s->credit_grade);
            } else
                printf("-");
            if (s->rates_year)
                printf(" / %d %s", s->rates_year,
                       compliant == 1   ? "meets"
                       : compliant == 0 ? "below"
                                        : "(no threshold)");
            putchar('\n');
            shown++;
            continue;
        }
        if (f == 1) printf("%s    {", shown ? ",\n" : "");
        const char *sep = f == 1 ? ", " : ",";
        for (size_t c = 0; c < sizeof status_fields / sizeof *status_fields; c++) {
            if (c) fputs(sep, stdout);
            if (f == 1) printf("\"%s\": ", status_fields[c]);
            switch (c) {
            case 0:
                put_text(stdout, l->licence_no, f);
                break;
            case 1:
                put_text(stdout, l->name, f);
                break;
            case 2:
                put_text(stdout, l->county, f);
                break;
            case 3:
                put_text(stdout, l->city, f);
                break;
            case 4:
                put_text(stdout,
                         *gm_industry_name(l->industry) ? gm_industry_name(l->industry) : NULL, f);
                break;
            case 5:
                put_text(stdout, *gm_scale_name(l->scale) ? gm_scale_name(l->scale) : NULL, f);
                break;
            case 6:
                fputs(f == 1 ? (l->is_new == GM_FLAG_UNKNOWN ? "null"
                                : l->is_new == GM_FLAG_YES   ? "true"
                                                             : "false")
                             : flag_text(l->is_new),
                      stdout);
                break;
            case 7:
                put_text(stdout, gm_standing_name(s->standing), f);
                break;
            case 8:
                put_date(stdout, s->listed_on, f);
                break;
            case 9:
                put_text(stdout, s->batch, f);
                break;
            case 10:
                put_date(stdout, s->ever_listed, f);
                break;
            case 11:
                put_date(stdout, s->last_self_assessment, f);
                break;
            case 12:
                put_date(stdout, s->last_verification, f);
                break;
            case 13:
                put_text(stdout,
                         s->verification_result ? gm_result_name(s->verification_result) : NULL, f);
                break;
            case 14:
                put_date(stdout, s->last_spot_check, f);
                break;
            case 15:
                put_text(stdout, s->spot_check_result ? gm_result_name(s->spot_check_result) : NULL,
                         f);
                break;
            case 16:
                printf("%d", s->spot_checks);
                break;
            case 17:
                printf("%d", s->spot_checks_failed);
                break;
            case 18:
                put_date(stdout, s->blacklisted_on, f);
                break;
            case 19:
                put_text(stdout, s->blacklist_reason, f);
                break;
            case 20:
                put_int(stdout, s->credit_year, f);
                break;
            case 21:
                put_text(stdout, s->credit_grade, f);
                break;
            case 22:
                put_int(stdout, s->rates_year, f);
                break;
            case 23:
                put_real(stdout, s->mining_recovery, f);
                break;
            case 24:
                put_real(stdout, s->beneficiation_recovery, f);
                break;
            case 25:
                put_real(stdout, s->utilisation, f);
                break;
            case 26:
                fputs(compliant < 0 ? (f == 1 ? "null" : "")
                      : compliant   ? (f == 1 ? "true" : "1")
                                    : (f == 1 ? "false" : "0"),
                      stdout);
                break;
            case 27:
                printf("%zu", s->events);
                break;
            }
        }
        fputs(f == 1 ? "}" : "\r\n", stdout);
        shown++;
    }
    if (f == 1) fputs("\n]}\n", stdout);
    if (f == 0 && !shown) printf("(no mines)\n");
    e = GM_EXIT_OK;
done:
    free(st);
    gm_threshold_list_free(th);
    gm_event_list_free(ev);
    gm_licence_list_free(lic);
    close_registry(ctx, reg);
    return e;
}
