/*
 * server_impl.h -- what the server's files share: the loaded data (swapped
 * whole on reload, counted by the requests using it), the kept results, the
 * pages held in memory, and one request's reply.
 */
#ifndef GM_SERVER_IMPL_H
#define GM_SERVER_IMPL_H

#include "core/index.h"

#include <greenmine/applications.h>
#include <greenmine/check.h>
#include <greenmine/output.h>
#include <greenmine/report.h>
#include <greenmine/load.h>
#include <greenmine/serve.h>
#include <pthread.h>
#include <stddef.h>

/* The layers as loaded once, with an index per layer; read-only while shared. */
typedef struct srv_data {
    gm_inputs *in;
    GEOSGeometry **geoms[3]; /* red lines, zones, mines: arrays the indexes point into */
    gm_index *index[3];
    double extent[4]; /* lon/lat box of the zones and red lines */
    char loaded_at[32];
    char *data_ref; /* {"loaded_at": ..., "layers": ...}: what a result records */
    int refs;       /* requests using it, +1 while it is the server's current data */
    /* Prepared geometries kept across checks, one per request thread, taken
     * by one check at a time (guarded by the server's mutex). */
    struct gm_geomstore **stores;
    unsigned char *store_busy;
    int n_stores;
} srv_data;
enum { SRV_REDLINES = 0, SRV_ZONES = 1, SRV_MINES = 2 };

/* A check kept for its URL: the check JSON and the geometries the page draws. */
typedef struct srv_result {
    char id[33];
    char *json;           /* the check --json text */
    char *geojson;        /* FeatureCollection: applications, overlaps, buffers; NULL until
                             the first GET renders it from the geometries */
    GEOSGeometry **geoms; /* the features until then, each with its properties */
    char **props;
    size_t n_geoms;
    double buffer_m; /* the buffers are drawn from the applications when rendered */
    char *data_ref;  /* {"redlines": ..., "sha256": ..., "loaded_at": ...} */
    char checked_at[32];
} srv_result;

/* A file of the pages, read at start: no client path is ever opened. */
typedef struct srv_file {
    char *url; /* "/app.js", "/leaflet/leaflet.js" */
    const char *mime;
    char *body;
    size_t len;
} srv_file;

struct gm_server {
    gm_serve_options opt; /* strings owned (copied) */
    char **owned;         /* the copies, freed at the end */
    size_t n_owned;
    pthread_mutex_t mu; /* guards data, results */
    srv_data *data;
    srv_result *results; /* ring of opt.max_results */
    size_t n_results, next_result;
    srv_file *files;
    size_t n_files;
    struct MHD_Daemon *daemon;
    int port;
    struct gm_registry **idle_regs; /* registries kept open for the desk (manage.c) */
    size_t n_idle_regs;
};

/* One reply: status and a body (owned, malloc'd). */
typedef struct srv_reply {
    int status;
    const char *mime;
    char *body;
    size_t len;
    char location[80];      /* a Location header when set */
    const char *attachment; /* a download's file name, or NULL */
    char set_cookie[200];   /* a Set-Cookie header when set (auth.c) */
    long retry_after;       /* a Retry-After header (seconds) when > 0 */
} srv_reply;

/* A request as the API sees it, once its body is read. */
typedef struct srv_request {
    const char *method, *path;
    const char *query_buffer, *query_crs, *query_filename, *query_bbox, *query_zoom, *query_zone;
    const char *query_as_of; /* /api/indicators?as_of=YYYY-MM-DD */
    const char *body;        /* raw body (NUL-terminated), when not multipart */
    size_t body_len;
    /* multipart/form-data fields */
    char *form_text, *form_buffer, *form_crs;
    char *file_name, *file_data;
    size_t file_len;
    struct MHD_Connection *conn; /* headers, cookies and other query values (manage.c) */
} srv_request;

/* data.c */
int srv_data_load(gm_context *ctx, const gm_serve_options *o, srv_data **out);
srv_data *srv_data_acquire(gm_server *srv);
/* A free store of d's for one check (NULL when none is: the check prepares
 * its own), and its return. */
struct gm_geomstore *srv_store_take(gm_server *srv, srv_data *d);
void srv_store_give(gm_server *srv, srv_data *d, struct gm_geomstore *s);
void srv_data_release(gm_server *srv, gm_context *ctx, srv_data *d);
void srv_data_free(gm_context *ctx, srv_data *d);

/* deadline.c: the time limit of a request. GEOS stops at its next
 * checkpoint once the calling thread's deadline has passed. */
void srv_deadline_install(void);
void srv_deadline_arm(double seconds); /* for this thread's request; <= 0 disarms */
int srv_deadline_expired(void);        /* this thread's request ran out of time */

/* api.c: fills the reply for a request under /api. */
void srv_api(gm_server *srv, const srv_request *rq, srv_reply *rp);
/* {"error": msg, "field": field} with the status. */
void srv_error(srv_reply *rp, int status, const char *msg, const char *field);
void srv_results_free(gm_server *srv);
/* manage.c: the desk's users and management routes (sign-in, events, mines,
 * the public list); 1 when it answered the request. */
int srv_manage(gm_server *srv, gm_context *ctx, const srv_request *rq, srv_reply *rp);
/* manage.c: closes the registries kept open for the desk. */
void srv_manage_free(gm_server *srv);
/* manage.c: the page file serving a desk URL ("/signin", "/mines/X" ...), or NULL. */
const char *srv_manage_page(const char *url);

#endif
