/*
 * cmd_serve.c -- `greenmine serve`: parses the options, starts the server
 * (greenmine/serve.h), prints the URL, and waits for signals: SIGHUP reloads
 * the layers, SIGINT/SIGTERM stop after the requests in flight.
 */
#include "cli/cli.h"

#include <greenmine/serve.h>

#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char serve_help[] =
    "Usage: greenmine serve --redlines SRC [--zones SRC] [--mines SRC] [--db REGISTRY]\n"
    "                       [--listen HOST:PORT] [--basemap URL] [--threads N]\n"
    "                       [--max-body BYTES] [--max-vertices N] [--max-applications N]\n"
    "                       [--timeout S] [--max-seconds S] [--field LAYER.FIELD=SOURCE]... "
    "[--encoding ENC]\n"
    "                       [--session-ttl S] [--secure-cookies]\n"
    "       greenmine serve --demo [--listen HOST:PORT]\n"
    "\n"
    "The planner's desk in a browser: a check page (drop a corner-point file, a\n"
    "zipped shapefile, a GeoPackage, GeoJSON or KML, paste corner points or WKT,\n"
    "or draw a polygon; the verdict, hectares, every red line hit, the nearest red\n"
    "line, the zone, the map; each result has its own URL and an A4 print view)\n"
    "and a JSON API:\n"
    "  POST /api/check            the application as the body (text, or a file\n"
    "                             with ?filename=, or multipart field 'file' or\n"
    "                             'text'); ?buffer=M&crs=EPSG:N. Answers exactly\n"
    "                             the `check --json` object; Location: its result\n"
    "  GET  /api/results/ID       a kept result with its geometries\n"
    "  GET  /api/health, /api/zones, /api/layers/{redlines,zones,mines}?bbox=&zoom=\n"
    "  GET  /api/progress[.csv]?zone=   with --db: the `progress --json` object\n"
    "                             (or the --csv table), read from the registry\n"
    "  GET  /api                  the OpenAPI description\n"
    "With --db, the management desk (users: 'greenmine users --help'):\n"
    "  GET  /list, /mines, /mines/LICENCE, /signin   the pages\n"
    "  GET  /api/list?as_of=D     the public list of green mines on D (open)\n"
    "  GET  /api/mines[/LICENCE]  mines, status, event history (open)\n"
    "  GET  /api/session          who is signed in, and the session's CSRF token\n"
    "  POST /api/signin, /api/signout   JSON {name, password}; an HttpOnly\n"
    "                             SameSite=Strict cookie\n"
    "  POST /api/events           record an event (JSON; header X-CSRF-Token);\n"
    "                             401 not signed in, 403 not the user's to record\n"
    "                             or a wrong CSRF token (nothing written), 422 a\n"
    "                             broken workflow rule\n"
    "Errors are JSON {\"error\": ..., \"field\": ...} with 400/401/403/404/405/413/422/429.\n"
    "The layers are read once at start; SIGHUP reads them again (requests in flight\n"
    "finish on the old data). See docs/serve.md.\n"
    "\n"
    "Options:\n"
    "  --redlines SRC          ecological protection red lines -- required\n"
    "  --zones SRC             green-mining demonstration zones\n"
    "  --mines SRC             existing mining rights\n"
    "  --db REGISTRY           a registry (SpatiaLite file or PG:...) for the progress\n"
    "                          page /progress and /api/progress; read at each request,\n"
    "                          so several servers on one PostGIS answer the same;\n"
    "                          and the management desk (/list, /draws, /mines, /signin)\n"
    "  --demo                  serve the demo data (data/demo)\n"
    "  --listen HOST:PORT      where to listen (default 127.0.0.1:8080; port 0 = any)\n"
    "  --basemap URL           an XYZ tile layer for the maps, e.g.\n"
    "                          https://tiles.example.cn/{z}/{x}/{y}.png (default none)\n"
    "  --threads N             request threads (default 4)\n"
    "  --max-body BYTES        request body limit (default 20971520 = 20 MB)\n"
    "  --max-vertices N        vertices per application (default 200000)\n"
    "  --max-applications N    applications per request (default 1000)\n"
    "  --timeout S             close idle or trickling connections after S s (default 30)\n"
    "  --max-seconds S         compute time per request (default 20; decimals allowed):\n"
    "                          a longer check is stopped and answered 503\n"
    "  --session-ttl S         a sign-in lasts S seconds (default 28800 = 8 hours)\n"
    "  --secure-cookies        mark the session cookie Secure (behind a TLS proxy)\n"
    "  --field L.F=S           map a field (layers redlines, zones, mines); repeatable\n"
    "  --encoding ENC          attribute encoding of shapefile inputs\n"
    "  -q, --quiet             print nothing but errors\n"
    "  -h, --help              this help\n"
    "\n"
    "Exit status: 0 stopped by SIGINT/SIGTERM, 2 bad input or options, 1 other failure.\n";

enum {
    OPT_REDLINES = 256,
    OPT_ZONES,
    OPT_MINES,
    OPT_DEMO,
    OPT_LISTEN,
    OPT_BASEMAP,
    OPT_THREADS,
    OPT_MAX_BODY,
    OPT_MAX_VERTICES,
    OPT_MAX_APPS,
    OPT_TIMEOUT,
    OPT_MAX_SECONDS,
    OPT_FIELD,
    OPT_ENCODING,
    OPT_WEB,
    OPT_DB,
    OPT_SESSION_TTL,
    OPT_SECURE_COOKIES
};

static const struct option long_options[] = {
    {"redlines", required_argument, NULL, OPT_REDLINES},
    {"zones", required_argument, NULL, OPT_ZONES},
    {"mines", required_argument, NULL, OPT_MINES},
    {"demo", no_argument, NULL, OPT_DEMO},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"basemap", required_argument, NULL, OPT_BASEMAP},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"max-body", required_argument, NULL, OPT_MAX_BODY},
    {"max-vertices", required_argument, NULL, OPT_MAX_VERTICES},
    {"max-applications", required_argument, NULL, OPT_MAX_APPS},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"max-seconds", required_argument, NULL, OPT_MAX_SECONDS},
    {"field", required_argument, NULL, OPT_FIELD},
    {"encoding", required_argument, NULL, OPT_ENCODING},
    {"web", required_argument, NULL, OPT_WEB}, /* the pages' folder (tests, packagers) */
    {"db", required_argument, NULL, OPT_DB},
    {"session-ttl", required_argument, NULL, OPT_SESSION_TTL},
    {"secure-cookies", no_argument, NULL, OPT_SECURE_COOKIES},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* A whole number in [lo, hi], or -1. */
static long long count_arg(const char *s, long long lo, long long hi)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    return (end == s || *end || v < lo || v > hi) ? -1 : v;
}

static const char *first_readable(const char *env, const char *build, const char *install,
                                  const char *probe, char *buf, size_t cap)
{
    const char *e = getenv(env);
    if (e && *e) return e;
    snprintf(buf, cap, "%s/%s", build, probe);
    if (access(buf, R_OK) == 0) return build;
    return install;
}

int gm_cmd_serve(int argc, char **argv)
{
    gm_serve_options o = {0};
    gm_cli cli = {0};
    const char **fields = calloc((size_t)argc + 1, sizeof *fields);
    const char *listen = "127.0.0.1:8080";
    int demo = 0, c;
    char host[256], probe[4096];
    if (!fields) return GM_EXIT_FAILURE;
    o.fields = fields;
    optind = 1;
    int rc = -1;
    while (rc < 0 && (c = getopt_long(argc, argv, "qh", long_options, NULL)) != -1) {
        long long v;
        switch (c) {
        case OPT_REDLINES:
            o.redlines = optarg;
            break;
        case OPT_ZONES:
            o.zones = optarg;
            break;
        case OPT_MINES:
            o.mines = optarg;
            break;
        case OPT_DEMO:
            demo = 1;
            break;
        case OPT_LISTEN:
            listen = optarg;
            break;
        case OPT_BASEMAP:
            o.basemap = optarg;
            break;
        case OPT_WEB:
            o.web_dir = optarg;
            break;
        case OPT_DB:
            o.db = optarg;
            break;
        case OPT_ENCODING:
            o.encoding = optarg;
            break;
        case OPT_FIELD:
            fields[o.n_fields++] = optarg;
            break;
        case OPT_THREADS:
            if ((v = count_arg(optarg, 1, 256)) < 0)
                rc = gm_cli_usage_error("serve", "--threads %s: expected 1..256", optarg);
            o.threads = (int)v;
            break;
        case OPT_MAX_BODY:
            if ((v = count_arg(optarg, 1024, 1LL << 32)) < 0)
                rc = gm_cli_usage_error("serve", "--max-body %s: expected bytes, 1024..4294967296",
                                        optarg);
            o.max_body = (size_t)v;
            break;
        case OPT_MAX_VERTICES:
            if ((v = count_arg(optarg, 4, 100000000)) < 0)
                rc =
                    gm_cli_usage_error("serve", "--max-vertices %s: expected 4..100000000", optarg);
            o.max_vertices = (size_t)v;
            break;
        case OPT_MAX_APPS:
            if ((v = count_arg(optarg, 1, 1000000)) < 0)
                rc = gm_cli_usage_error("serve", "--max-applications %s: expected 1..1000000",
                                        optarg);
            o.max_applications = (size_t)v;
            break;
        case OPT_TIMEOUT:
            if ((v = count_arg(optarg, 1, 86400)) < 0)
                rc =
                    gm_cli_usage_error("serve", "--timeout %s: expected seconds, 1..86400", optarg);
            o.timeout_s = (unsigned)v;
            break;
        case OPT_MAX_SECONDS: {
            char *end;
            double sec = strtod(optarg, &end);
            if (end == optarg || *end || !(sec >= 0.01 && sec <= 3600))
                rc = gm_cli_usage_error("serve", "--max-seconds %s: expected seconds, 0.01..3600",
                                        optarg);
            o.max_seconds = sec;
            break;
        }
        case OPT_SESSION_TTL:
            if ((v = count_arg(optarg, 1, 30LL * 86400)) < 0)
                rc = gm_cli_usage_error("serve", "--session-ttl %s: expected seconds, 1..2592000",
                                        optarg);
            o.session_ttl_s = (long)v;
            break;
        case OPT_SECURE_COOKIES:
            o.secure_cookies = 1;
            break;
        case 'q':
            cli.quiet = 1;
            break;
        case 'h':
            fputs(serve_help, stdout);
            rc = GM_EXIT_OK;
            break;
        default:
            rc = gm_cli_usage_error("serve", "unknown option");
        }
    }
    if (rc < 0 && optind < argc)
        rc = gm_cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
    char paths[3][4096];
    if (rc < 0 && demo) {
        if (o.redlines || o.zones || o.mines)
            rc = gm_cli_usage_error("serve", "--demo takes no --redlines, --zones or --mines");
        const char *dir = first_readable("GREENMINE_DATA", GM_DEMO_DIR_BUILD, GM_DEMO_DIR_INSTALL,
                                         "redlines.gpkg", probe, sizeof probe);
        snprintf(paths[0], sizeof paths[0], "%s/redlines.gpkg", dir);
        snprintf(paths[1], sizeof paths[1], "%s/zones.geojson", dir);
        snprintf(paths[2], sizeof paths[2], "%s/mines.shp", dir);
        o.redlines = paths[0], o.zones = paths[1], o.mines = paths[2];
    }
    if (rc < 0 && !o.redlines)
        rc = gm_cli_usage_error("serve", "--redlines (or --demo) is required");
    /* HOST:PORT; [v6]:PORT for IPv6 */
    const char *colon = strrchr(listen, ':');
    long long port = colon ? count_arg(colon + 1, 0, 65535) : -1;
    size_t hl = colon ? (size_t)(colon - listen) : 0;
    if (rc < 0 && (port < 0 || hl == 0 || hl >= sizeof host))
        rc = gm_cli_usage_error("serve", "--listen %s: expected HOST:PORT, e.g. 127.0.0.1:8080",
                                listen);
    if (rc >= 0) {
        free(fields);
        return rc;
    }
    if (listen[0] == '[' && hl >= 2 && listen[hl - 1] == ']')
        snprintf(host, sizeof host, "%.*s", (int)(hl - 2), listen + 1);
    else
        snprintf(host, sizeof host, "%.*s", (int)hl, listen);
    o.host = host;
    o.port = (int)port;
    if (!o.web_dir)
        o.web_dir = first_readable("GREENMINE_WEB", GM_WEB_DIR_BUILD, GM_WEB_DIR_INSTALL,
                                   "index.html", probe, sizeof probe);

    /* The signals are waited for here; every other thread (the server's,
     * GDAL's) inherits the mask and never sees them. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGHUP);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);

    gm_context *ctx = NULL;
    gm_server *srv = NULL;
    if (gm_context_new(&ctx) != GM_OK) {
        free(fields);
        return GM_EXIT_FAILURE;
    }
    gm_cli_attach(&cli, ctx);
    /* the layers load (and reload) on every core; each request has its own
     * one-thread context */
    gm_context_set_threads(ctx, gm_cli_cores());
    int st = gm_server_new(ctx, &o, &srv);
    if (st == GM_OK) st = gm_server_start(ctx, srv);
    gm_cli_progress_done(&cli);
    int exit_code = GM_EXIT_OK;
    if (st != GM_OK) {
        exit_code = gm_cli_fail(&cli, ctx, st);
    } else {
        const char *shown = strcmp(host, "0.0.0.0") == 0 ? "127.0.0.1" : host;
        int v6 = strchr(shown, ':') != NULL;
        printf("greenmine serve: http://%s%s%s:%d/\n", v6 ? "[" : "", shown, v6 ? "]" : "",
               gm_server_port(srv));
        fflush(stdout);
        for (;;) {
            int sig = 0;
            if (sigwait(&sigs, &sig) != 0) break;
            if (sig != SIGHUP) break;
            st = gm_server_reload(ctx, srv);
            if (st != GM_OK)
                fprintf(stderr,
                        "greenmine: warning: reload failed, still serving the old data: %s\n",
                        gm_context_errmsg(ctx));
            else if (!cli.quiet)
                fprintf(stderr, "greenmine: reloaded the layers\n");
        }
        if (!cli.quiet) fprintf(stderr, "greenmine: stopping\n");
    }
    gm_server_free(srv);
    gm_context_free(ctx);
    free(fields);
    return exit_code;
}
