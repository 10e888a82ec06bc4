/*
 * cmd_yearly.c -- `greenmine yearly`: the yearly report of the province, a
 * city or a county (HTML for A4, or CSV), and `greenmine list`: the public
 * list of green mines (GeoPackage styled for QGIS, or CSV). The records come
 * from the registry (greenmine/mgmt_data.h), the figures from
 * greenmine/indicators.h; this file joins them and hands them to the writers.
 */
#include "cli/cli.h"

#include "core/atomic.h"

#include <greenmine/mgmt_data.h>
#include <greenmine/publish.h>
#include <greenmine/registry.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char yearly_help[] =
    "Usage: greenmine yearly --db DB --year YYYY [--county NAME | --city NAME]\n"
    "                        [-o FILE.html | -o FILE.csv | --csv] [--from DATE] [--quiet]\n"
    "\n"
    "The yearly report (年报) of the province, a city or a county: the headline\n"
    "figures at the end of the year beside the year before (licences, green mines\n"
    "listed, existing mines converted against 100, new mines built to the\n"
    "standard, three-rate compliance of large and medium mines against 85 %,\n"
    "spot checks, the blacklist, hectares restored and reclaimed), the mines by\n"
    "status and industry and by status and scale, three-rate compliance by\n"
    "industry beside the 2015 baseline, the year's listings, spot checks and\n"
    "blacklist changes. Every figure is a count of the registry's licences and\n"
    "events (docs/management.md defines them).\n"
    "\n"
    "The HTML is one self-contained file in Chinese for A4 (inline CSS, the\n"
    "glyphs it uses embedded from an installed CJK font, no script, nothing\n"
    "fetched). Hectares come from the registry's snapshots as `greenmine\n"
    "progress` computes them: the province's, or the zone named like the county\n"
    "or city, at the year's last snapshot, less the year before's.\n"
    "\n"
    "  --db DB        the registry (SpatiaLite file or PG:CONNINFO)\n"
    "  --year YYYY    the year reported (status on 31 December)\n"
    "  --county NAME  a county's report (the licences' county; a city's name\n"
    "                 no county has is taken as the city)\n"
    "  --city NAME    a city's report (the licences' city)\n"
    "  -o, --output FILE  the report (default 年报.html; FILE.csv writes CSV)\n"
    "  --csv          CSV (to stdout unless -o is given)\n"
    "  --from DATE    first day counted for hectares (default 2016-01-01)\n"
    "  -q, --quiet    print nothing but errors\n"
    "  -h, --help     this help\n";

static const char list_help[] =
    "Usage: greenmine list --db DB [--as-of DATE] [--county NAME]\n"
    "                      [-o FILE.gpkg | -o FILE.csv | --csv] [--quiet]\n"
    "\n"
    "The public list of green mines (名录) on a date: every mine whose standing is\n"
    "'listed' then (a blacklisted mine is off the list until listed again), with\n"
    "only the fields fit to publish -- licence number, mine, enterprise and its\n"
    "unified social credit code, industry, mineral, scale, city, county,\n"
    "demonstration zone, new or existing, batch and date of listing, the agency\n"
    "that verified it and when, its latest spot check and result, its credit\n"
    "grade, its area -- and nothing internal (no event ids, who entered what,\n"
    "documents, findings or inspectors).\n"
    "\n"
    "The GeoPackage has one layer, green_mine_list (EPSG:4490), the mines'\n"
    "boundaries from the latest snapshot on or before the date, with a default\n"
    "QGIS style (by scale, labels, Chinese field titles and value maps): open it\n"
    "in QGIS and it shows styled. A mine the snapshot lacks is listed without a\n"
    "geometry. The CSV has the same columns, no geometry, UTF-8 with a BOM.\n"
    "\n"
    "  --db DB        the registry (SpatiaLite file or PG:CONNINFO)\n"
    "  --as-of DATE   the list's date (default today)\n"
    "  --county NAME  only this county's (or city's) mines\n"
    "  -o, --output FILE  the list (default 名录.gpkg; FILE.csv writes CSV)\n"
    "  --csv          CSV (to stdout unless -o is given)\n"
    "  -q, --quiet    print nothing but errors\n"
    "  -h, --help     this help\n";

enum { OPT_DB = 256, OPT_YEAR, OPT_COUNTY, OPT_CITY, OPT_CSV, OPT_FROM, OPT_AS_OF };
static const struct option options[] = {{"db", required_argument, NULL, OPT_DB},
                                        {"year", required_argument, NULL, OPT_YEAR},
                                        {"county", required_argument, NULL, OPT_COUNTY},
                                        {"city", required_argument, NULL, OPT_CITY},
                                        {"output", required_argument, NULL, 'o'},
                                        {"csv", no_argument, NULL, OPT_CSV},
                                        {"from", required_argument, NULL, OPT_FROM},
                                        {"as-of", required_argument, NULL, OPT_AS_OF},
                                        {"quiet", no_argument, NULL, 'q'},
                                        {"help", no_argument, NULL, 'h'},
                                        {NULL, 0, NULL, 0}};

typedef struct args {
    gm_cli cli;
    const char *db, *county, *city, *output;
    int year, csv, from, as_of;
} args;

static int ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcasecmp(s + a - b, tail) == 0;
}

static int today(void)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* Parses the options shared by both commands; -1 to go on, else an exit code. */
static int parse(const char *cmd, const char *help, int argc, char **argv, args *a)
{
    int c, exit_code = -1;
    optind = 1;
    while (exit_code < 0 && (c = getopt_long(argc, argv, "o:qh", options, NULL)) != -1) {
        switch (c) {
        case OPT_DB:
            a->db = optarg;
            break;
        case OPT_YEAR: {
            char *end = NULL;
            long y = strtol(optarg, &end, 10);
            if (strcmp(cmd, "yearly") != 0 || !end || *end || y < 1900 || y > 9998)
                exit_code = gm_cli_usage_error(cmd, "--year %s: not a year", optarg);
            a->year = (int)y;
            break;
        }
        case OPT_COUNTY:
            a->county = optarg;
            break;
        case OPT_CITY:
            if (strcmp(cmd, "yearly") != 0)
                exit_code = gm_cli_usage_error(cmd, "--city: use --county NAME");
            a->city = optarg;
            break;
        case 'o':
            a->output = optarg;
            break;
        case OPT_CSV:
            a->csv = 1;
            break;
        case OPT_FROM:
            if (strcmp(cmd, "yearly") != 0 || gm_parse_date(optarg, &a->from) != GM_OK || !a->from)
                exit_code = gm_cli_usage_error(cmd, "--from %s: not a date", optarg);
            break;
        case OPT_AS_OF:
            if (strcmp(cmd, "list") != 0 || gm_parse_date(optarg, &a->as_of) != GM_OK || !a->as_of)
                exit_code = gm_cli_usage_error(cmd, "--as-of %s: not a date", optarg);
            break;
        case 'q':
            a->cli.quiet = 1;
            break;
        case 'h':
            fputs(help, stdout);
            exit_code = GM_EXIT_OK;
            break;
        default:
            exit_code = gm_cli_usage_error(cmd, "unknown option");
        }
    }
    if (exit_code < 0 && optind < argc)
        exit_code = gm_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (exit_code < 0 && a->county && a->city)
        exit_code = gm_cli_usage_error(cmd, "--county and --city: give one of them");
    if (exit_code < 0 && strcmp(cmd, "yearly") == 0 && !a->year)
        exit_code = gm_cli_usage_error(cmd, "--year is required");
    if (exit_code < 0 && a->output && ends_with(a->output, ".csv")) a->csv = 1;
    if (exit_code < 0 && a->output && a->csv && !ends_with(a->output, ".csv"))
        exit_code = gm_cli_usage_error(cmd, "--csv writes CSV: name the output FILE.csv");
    if (exit_code < 0) exit_code = gm_cli_check_registry(cmd, a->db);
    return exit_code;
}

/* The CLI's own errors (the library's go through gm_cli_fail): said here,
 * then passed on as this status so the caller stops and exits. */
#define GM_SAID (-1000)

/* The exit code of a finished command: -1 when rc is GM_OK (the caller
 * reports its success), else the error said once. */
static int exit_for(gm_cli *cli, gm_context *ctx, int rc)
{
    gm_cli_progress_done(cli);
    if (rc == GM_OK) return -1;
    if (rc == GM_SAID) return GM_EXIT_BAD_INPUT;
    if (rc == GM_ERR_NOMEM && !gm_context_errcode(ctx)) {
        fprintf(stderr, "greenmine: error: out of memory\n");
        return GM_EXIT_FAILURE;
    }
    return gm_cli_fail(cli, ctx, rc);
}

/* Writes text to the output file (temporary file renamed) or stdout. */
static int put_text(gm_context *ctx, const char *path, const char *text)
{
    if (path) return gm_atomic_write_text(ctx, path, text);
    fputs(text, stdout);
    return GM_OK;
}

/* The level and name of the area asked for: a county, else a city of that name. */
static int area_of(const gm_licence_list *l, const args *a, gm_area_level *level, const char **name)
{
    *level = GM_AREA_PROVINCE, *name = NULL;
    const char *want = a->county ? a->county : a->city;
    if (!want) return GM_OK;
    int county = 0, city = 0;
    for (size_t i = 0; i < l->n; i++) {
        county += l->items[i].county && strcmp(l->items[i].county, want) == 0;
        city += l->items[i].city && strcmp(l->items[i].city, want) == 0;
    }
    if (a->county && county)
        *level = GM_AREA_COUNTY;
    else if (city)
        *level = GM_AREA_CITY;
    else {
        fprintf(stderr, "greenmine: error: no licence in the registry names the %s '%s'\n",
                a->county ? "county (or city)" : "city", want);
        return GM_SAID;
    }
    *name = want;
    return GM_OK;
}

/* Hectares for the report: the area's progress rows (the province's, or the
 * zone named like the area), at the year's last snapshot and the year
 * before's. Leaves have_hectares 0 when there is no such zone or snapshot. */
static int yearly_hectares(gm_registry *reg, const gm_mgmt_data *d, const args *a, const char *name,
                           gm_yearly_report *r)
{
    gm_progress_options po = GM_PROGRESS_OPTIONS_INIT;
    if (a->from) po.period_start = a->from;
    r->period_start = po.period_start;
    if (name) {
        int found = 0;
        for (size_t z = 0; z < d->input.n_zones; z++)
            found |= d->zones[z] && strcmp(d->zones[z], name) == 0;
        if (!found) return GM_OK;
        po.zone = name;
        r->hectares_zone = name;
    }
    gm_progress_series *p = NULL;
    int rc = gm_registry_progress(reg, &po, &p);
    if (rc != GM_OK) return rc;
    const gm_progress_row *now = NULL, *before = NULL;
    for (size_t i = 0; i < p->n; i++) {
        const gm_progress_row *row = &p->rows[i];
        if (name ? !row->zone || strcmp(row->zone, name) != 0 : row->zone != NULL) continue;
        if (row->as_of / 10000 == a->year) now = row;
        if (row->as_of / 10000 < a->year) before = row;
    }
    if (now) {
        r->have_hectares = 1;
        r->hectares_as_of = now->as_of;
        r->hectares_before = before ? before->as_of : 0;
        for (int k = 0; k < 2; k++) {
            r->done_ha[k] = now->done_ha[k];
            r->year_ha[k] = now->done_ha[k] - (before ? before->done_ha[k] : 0);
            r->target_ha[k] = now->target_ha[k];
        }
    }
    gm_progress_series_free(p);
    return GM_OK;
}

/* Per licence its mine's name: the licence's, else the snapshot's mines
 * layer's (NULL = none); caller frees the array. */
static const char **mine_names(const gm_mgmt_data *d)
{
    const char **v = calloc(d->licences->n ? d->licences->n : 1, sizeof *v);
    for (size_t i = 0; v && i < d->licences->n; i++) {
        v[i] = d->licences->items[i].name;
        if (!v[i] && d->in && d->mine_of[i] >= 0) v[i] = d->in->mines[d->mine_of[i]].name;
    }
    return v;
}

int gm_cmd_yearly(int argc, char **argv)
{
    args a = {0};
    int exit_code = parse("yearly", yearly_help, argc, argv, &a);
    if (exit_code >= 0) return exit_code;
    if (!a.output && !a.csv) a.output = "年报.html";
    gm_context *ctx = NULL;
    gm_registry *reg = NULL;
    gm_mgmt_data *d = NULL;
    gm_yearly *y = NULL;
    const char **names = NULL;
    char *text = NULL;
    if (gm_context_new(&ctx) != GM_OK) {
        fprintf(stderr, "greenmine: error: cannot create the engine context\n");
        return GM_EXIT_FAILURE;
    }
    gm_cli_attach(&a.cli, ctx);
    gm_area_level level = GM_AREA_PROVINCE;
    const char *name = NULL;
    gm_yearly_report r = {0};
    int rc = gm_registry_open(ctx, a.db, 0, &reg);
    if (rc == GM_OK) rc = gm_registry_mgmt_load(reg, a.year * 10000 + 1231, a.from, &d);
    if (rc == GM_OK) rc = area_of(d->licences, &a, &level, &name);
    if (rc == GM_OK) rc = gm_yearly_compute(ctx, &d->input, a.year, level, name, &y);
    if (rc == GM_OK) rc = yearly_hectares(reg, d, &a, name, &r);
    if (rc == GM_OK && !(names = mine_names(d))) rc = GM_ERR_NOMEM;
    if (rc == GM_OK) {
        r.yearly = y;
        r.area_label = name ? name : "湖南省";
        r.registry = a.db;
        r.thresholds = d->thresholds;
        r.licences = d->licences;
        r.mine_name = names;
        if (a.csv) {
            rc = gm_yearly_csv(ctx, &r, &text);
            if (rc == GM_OK) rc = put_text(ctx, a.output, text);
        } else {
            rc = gm_write_yearly_html(ctx, a.output, &r);
        }
    }
    if ((exit_code = exit_for(&a.cli, ctx, rc)) < 0) {
        exit_code = GM_EXIT_OK;
        if (!a.cli.quiet && a.output)
            printf("greenmine yearly: %s (%s %d: %ld licences, %ld listed, %ld spot checks)\n",
                   a.output, name ? name : "province", a.year, y->end.licences, y->end.listed,
                   y->end.spot_checks);
    }
    free(text);
    free(names);
    gm_yearly_free(y);
    gm_mgmt_data_free(ctx, d);
    gm_registry_close(reg);
    gm_context_free(ctx);
    return exit_code;
}

int gm_cmd_list(int argc, char **argv)
{
    args a = {0};
    int exit_code = parse("list", list_help, argc, argv, &a);
    if (exit_code >= 0) return exit_code;
    if (!a.output && !a.csv) a.output = "名录.gpkg";
    if (!a.as_of) a.as_of = today();
    gm_context *ctx = NULL;
    gm_registry *reg = NULL;
    gm_mgmt_data *d = NULL;
    gm_mine_state *st = NULL;
    gm_list_entry *entries = NULL;
    char *text = NULL;
    size_t n = 0;
    if (gm_context_new(&ctx) != GM_OK) {
        fprintf(stderr, "greenmine: error: cannot create the engine context\n");
        return GM_EXIT_FAILURE;
    }
    gm_cli_attach(&a.cli, ctx);
    gm_area_level level = GM_AREA_PROVINCE;
    const char *name = NULL;
    int rc = gm_registry_open(ctx, a.db, 0, &reg);
    if (rc == GM_OK) rc = gm_registry_mgmt_load(reg, a.as_of, 0, &d);
    if (rc == GM_OK) rc = area_of(d->licences, &a, &level, &name);
    if (rc == GM_OK) rc = gm_mine_statuses(ctx, d->licences, d->events, a.as_of, &st);
    if (rc == GM_OK && !(entries = calloc(d->licences->n ? d->licences->n : 1, sizeof *entries)))
        rc = GM_ERR_NOMEM;
    for (size_t i = 0; rc == GM_OK && i < d->licences->n; i++) {
        const gm_licence *l = &d->licences->items[i];
        if (st[i].standing != GM_STANDING_LISTED) continue;
        const char *v = level == GM_AREA_CITY ? l->city : l->county;
        if (name && (!v || strcmp(v, name) != 0)) continue;
        gm_list_entry *e = &entries[n++];
        e->licence = l; /* the licence list is sorted by number: so is the list */
        e->state = &st[i];
        long m = d->in ? d->mine_of[i] : -1;
        e->mine_name = l->name;
        if (m >= 0) {
            if (!e->mine_name) e->mine_name = d->in->mines[m].name;
            e->geom = d->in->mines[m].geom;
            e->area_ha = d->res->mines[m].mine_ha;
        }
        e->zone = d->licence_zone ? d->licence_zone[i] : NULL;
    }
    if (rc == GM_OK) {
        gm_public_list pl = {
            .entries = entries, .n = n, .as_of = a.as_of, .boundaries_as_of = d->snapshot_as_of};
        if (a.csv) {
            rc = gm_list_csv(ctx, &pl, &text);
            if (rc == GM_OK) rc = put_text(ctx, a.output, text);
        } else {
            rc = gm_write_list_gpkg(ctx, a.output, &pl);
        }
    }
    if ((exit_code = exit_for(&a.cli, ctx, rc)) < 0) {
        exit_code = GM_EXIT_OK;
        char ds[GM_DATE_TEXT], bs[GM_DATE_TEXT];
        if (!a.cli.quiet && a.output)
            printf("greenmine list: %s (%zu green mines as of %s; boundaries from the snapshot "
                   "of %s)\n",
                   a.output, n, gm_date_text(a.as_of, ds),
                   d->snapshot_as_of ? gm_date_text(d->snapshot_as_of, bs) : "(none)");
    }
    free(text);
    free(entries);
    free(st);
    gm_mgmt_data_free(ctx, d);
    gm_registry_close(reg);
    gm_context_free(ctx);
    return exit_code;
}
