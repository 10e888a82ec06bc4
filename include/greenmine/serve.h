/*
 * greenmine/serve.h -- `greenmine serve`: the planner's desk over HTTP.
 *
 * A server loads the red lines, zones and existing mines once, indexes them,
 * and answers POST /api/check with exactly the `check --json` object
 * (gm_check_json), plus GET /api/health, /api/zones, /api/layers/{kind},
 * /api/progress[.csv] (with a registry: the `progress --json` object, read
 * from the registry at each request, so servers on one PostGIS agree),
 * /api/results/{id}, the OpenAPI file at /api and the static pages
 * (docs/serve.md). With a registry, also the management desk: the public
 * list, the draws, the mines and their events (open), sign-in and the
 * recording of events by signed-in users (greenmine/users.h; sessions and
 * users live in the registry, so the servers keep no state of their own).
 * Requests run on a pool of threads, each request with its own gm_context
 * (its own GEOS handle); the loaded data is shared read-only
 * and replaced as a whole by gm_server_reload() while requests that started
 * before finish on the old data.
 *
 * Ownership: gm_server_new()'s *out is the caller's, freed by
 * gm_server_free(); the strings in gm_serve_options are copied.
 */
#ifndef GREENMINE_SERVE_H
#define GREENMINE_SERVE_H

#include <greenmine/context.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gm_serve_options {
    const char *redlines, *zones, *mines; /* OGR sources; red lines required */
    const char *db;       /* a registry (SpatiaLite file or PG:...) for /api/progress, or NULL */
    const char *encoding; /* of shapefile inputs; NULL = .cpg or GBK */
    const char *const *fields; /* "LAYER.FIELD=SOURCE" mappings */
    size_t n_fields;
    const char *host;        /* address to bind; NULL = "127.0.0.1" */
    int port;                /* 0 = any free port (gm_server_port() tells which) */
    const char *web_dir;     /* the pages (index.html, app.js, ...); NULL = API only */
    const char *leaflet_dir; /* Debian's libjs-leaflet; NULL = /usr/share/javascript/leaflet */
    const char *basemap;     /* an XYZ tile URL template for the pages, or NULL */
    int threads;             /* request threads; 0 = 4 */
    size_t max_body;         /* bytes per request body; 0 = 20 MB */
    size_t max_vertices;     /* per application; 0 = 200,000 */
    size_t max_applications; /* per request; 0 = 1,000 */
    unsigned timeout_s;      /* an idle or trickling connection is closed after; 0 = 30 */
    size_t max_results;      /* results kept for their URLs (oldest dropped); 0 = 2,000 */
    double max_seconds;      /* compute time per request, then 503; 0 = 20 s */
    long session_ttl_s;      /* a sign-in lasts this long; 0 = 8 hours (greenmine/users.h) */
    int secure_cookies;      /* mark the session cookie Secure (behind a TLS proxy) */
} gm_serve_options;

typedef struct gm_server gm_server;

/* Loads the data and the pages; does not listen yet. Bad input (a layer
 * that cannot be read) returns its GM_ERR_* code with the loader's message. */
int gm_server_new(gm_context *ctx, const gm_serve_options *opts, gm_server **out);
/* Binds host:port and starts answering on the server's own threads. */
int gm_server_start(gm_context *ctx, gm_server *srv);
/* The port bound (after gm_server_start). */
int gm_server_port(const gm_server *srv);
/* Reads the layers again and swaps them in; on failure the old data stays. */
int gm_server_reload(gm_context *ctx, gm_server *srv);
/* Stops listening (requests in flight finish first) and frees everything. */
void gm_server_free(gm_server *srv);

#ifdef __cplusplus
}
#endif
#endif
