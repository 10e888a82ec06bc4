/*
 * server.c -- the HTTP side of `greenmine serve` on libmicrohttpd: a pool of
 * threads, bodies read up to the limit (multipart uploads through MHD's post
 * processor), the pages served from memory, /api handed to api.c, and the
 * reply's security headers. The server never opens a path a client names.
 */
/* VSIStatBufL is a struct stat64 */
#define _LARGEFILE64_SOURCE 1
#include "server/server_impl.h"

#include "core/context_impl.h"

#include <greenmine/registry.h>

#include <cpl_vsi.h>
#include <microhttpd.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define DEFAULT_LEAFLET "/usr/share/javascript/leaflet"

/* ---- the pages, read once ---------------------------------------------- */

static const char *mime_of(const char *name)
{
    static const struct {
        const char *ext, *mime;
    } t[] = {{".html", "text/html; charset=utf-8"},
             {".js", "text/javascript; charset=utf-8"},
             {".css", "text/css; charset=utf-8"},
             {".json", "application/json; charset=utf-8"},
             {".png", "image/png"},
             {".svg", "image/svg+xml"},
             {".ico", "image/x-icon"}};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t k = strlen(t[i].ext);
        if (n >= k && strcasecmp(name + n - k, t[i].ext) == 0) return t[i].mime;
    }
    return NULL;
}

static int read_all(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return GM_ERR_OPEN;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 65536 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *p = realloc(buf, cap + 1);
            if (!p) {
                free(buf);
                fclose(f);
                return GM_ERR_NOMEM;
            }
            buf = p;
        }
        size_t got = fread(buf + n, 1, 65536, f);
        n += got;
        if (got < 65536) break;
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return GM_OK;
}

/* Reads the files of dir with a known type into memory as url_prefix/NAME. */
static int add_dir(gm_server *srv, const char *dir, const char *url_prefix)
{
    DIR *dp = opendir(dir);
    if (!dp) return GM_ERR_OPEN;
    struct dirent *e;
    while ((e = readdir(dp))) {
        const char *mime = mime_of(e->d_name);
        if (e->d_name[0] == '.' || !mime) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        srv_file *nf = realloc(srv->files, (srv->n_files + 1) * sizeof *nf);
        if (!nf) break;
        srv->files = nf;
        srv_file *f = &srv->files[srv->n_files];
        size_t ul = strlen(url_prefix) + strlen(e->d_name) + 2;
        if (!(f->url = malloc(ul))) break;
        snprintf(f->url, ul, "%s/%s", url_prefix, e->d_name);
        f->mime = mime;
        if (read_all(path, &f->body, &f->len) != GM_OK) {
            free(f->url);
            continue;
        }
        srv->n_files++;
    }
    closedir(dp);
    return GM_OK;
}

static const srv_file *find_file(const gm_server *srv, const char *url)
{
    for (size_t i = 0; i < srv->n_files; i++)
        if (strcmp(srv->files[i].url, url) == 0) return &srv->files[i];
    return NULL;
}

/* ---- one connection's request ------------------------------------------- */

typedef struct conn {
    srv_request rq;
    char *body;
    size_t len, cap;
    size_t raw; /* body bytes received */
    int too_big, multipart;
    struct MHD_PostProcessor *pp;
    char *form[3]; /* text, buffer, crs */
    size_t form_len[3];
} conn;

static int grow(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 8192;
        while (c < *len + n + 1)
            c *= 2;
        char *p = realloc(*buf, c);
        if (!p) return GM_ERR_NOMEM;
        *buf = p, *cap = c;
    }
    memcpy(*buf + *len, data, n);
    *len += n;
    (*buf)[*len] = '\0';
    return GM_OK;
}

static enum MHD_Result on_post(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size)
{
    conn *c = cls;
    (void)kind, (void)content_type, (void)transfer_encoding, (void)off;
    char **dst = NULL;
    size_t *dlen = NULL, cap = 0;
    if (strcmp(key, "file") == 0 && filename) {
        if (!c->rq.file_name) {
            c->rq.file_name = strdup(filename);
            c->len = c->cap = 0; /* the file's bytes go to body */
        }
        dst = &c->body, dlen = &c->len;
        cap = c->cap;
        if (grow(dst, dlen, &cap, data, size) != GM_OK) return MHD_NO;
        c->cap = cap;
        return MHD_YES;
    }
    int k = strcmp(key, "text") == 0     ? 0
            : strcmp(key, "buffer") == 0 ? 1
            : strcmp(key, "crs") == 0    ? 2
                                         : -1;
    if (k < 0) return MHD_YES; /* unknown fields are ignored */
    char *p = realloc(c->form[k], c->form_len[k] + size + 1);
    if (!p) return MHD_NO;
    memcpy(p + c->form_len[k], data, size);
    c->form_len[k] += size;
    p[c->form_len[k]] = '\0';
    c->form[k] = p;
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)connection, (void)toe;
    conn *c = *con_cls;
    if (!c) return;
    if (c->pp) MHD_destroy_post_processor(c->pp);
    free(c->body);
    free(c->rq.file_name);
    for (int k = 0; k < 3; k++)
        free(c->form[k]);
    free(c);
    *con_cls = NULL;
}

static enum MHD_Result send_reply(struct MHD_Connection *cn, const srv_reply *rp, int head)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(head ? 0 : rp->len, rp->body, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", rp->mime ? rp->mime : "text/plain");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    /* Only our own files run in the pages; data never becomes markup. */
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data: *; style-src 'self'; "
                            "script-src 'self'; object-src 'none'; frame-ancestors 'none'");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (rp->attachment) {
        char cd[160];
        snprintf(cd, sizeof cd, "attachment; filename=\"%s\"", rp->attachment);
        MHD_add_response_header(r, "Content-Disposition", cd);
    }
    if (rp->set_cookie[0]) MHD_add_response_header(r, "Set-Cookie", rp->set_cookie);
    if (rp->retry_after > 0) {
        char ra[24];
        snprintf(ra, sizeof ra, "%ld", rp->retry_after);
        MHD_add_response_header(r, "Retry-After", ra);
    }
    if (rp->location[0]) {
        MHD_add_response_header(r, "Location", rp->location);
        MHD_add_response_header(r, "X-Greenmine-Result", rp->location + strlen("/api/results/"));
    }
    enum MHD_Result ok = MHD_queue_response(cn, (unsigned)rp->status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *cn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    gm_server *srv = cls;
    (void)version;
    conn *c = *con_cls;
    if (!c) { /* first call: headers only */
        if (!(c = calloc(1, sizeof *c))) return MHD_NO;
        *con_cls = c;
        const char *ct = MHD_lookup_connection_value(cn, MHD_HEADER_KIND, "Content-Type");
        const char *cl = MHD_lookup_connection_value(cn, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > srv->opt.max_body) c->too_big = 1;
        if (!c->too_big && ct && strncasecmp(ct, "multipart/form-data", 19) == 0) {
            c->multipart = 1;
            c->pp = MHD_create_post_processor(cn, 65536, on_post, c);
            if (!c->pp) c->multipart = 0;
        }
        if (c->too_big) { /* answer now; MHD closes the connection after */
            srv_reply rp = {0};
            char msg[160];
            snprintf(msg, sizeof msg, "the request body is larger than the limit of %zu bytes",
                     srv->opt.max_body);
            srv_error(&rp, 413, msg, "body");
            enum MHD_Result ok = send_reply(cn, &rp, 0);
            free(rp.body);
            return ok;
        }
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (c->too_big) return MHD_YES;
        c->raw += n;
        if (c->raw > srv->opt.max_body) {
            c->too_big = 1;
            return MHD_YES;
        }
        if (c->multipart) {
            if (MHD_post_process(c->pp, upload_data, n) != MHD_YES) c->too_big = 1;
            return MHD_YES;
        }
        if (grow(&c->body, &c->len, &c->cap, upload_data, n) != GM_OK) c->too_big = 1;
        return MHD_YES;
    }
    /* The whole request is in. */
    srv_reply rp = {0};
    int head = strcmp(method, "HEAD") == 0;
    if (c->too_big) {
        char msg[160];
        snprintf(msg, sizeof msg, "the request body is larger than the limit of %zu bytes",
                 srv->opt.max_body);
        srv_error(&rp, 413, msg, "body");
    } else if (strncmp(url, "/api/", 5) == 0) {
        srv_request *rq = &c->rq;
        rq->method = method;
        rq->path = url;
        rq->conn = cn;
#define Q(k) MHD_lookup_connection_value(cn, MHD_GET_ARGUMENT_KIND, k)
        rq->query_buffer = Q("buffer");
        rq->query_crs = Q("crs");
        rq->query_filename = Q("filename");
        rq->query_bbox = Q("bbox");
        rq->query_zoom = Q("zoom");
        rq->query_zone = Q("zone");
        rq->query_as_of = Q("as_of");
#undef Q
        if (c->multipart) {
            rq->form_text = c->form[0];
            rq->form_buffer = c->form[1];
            rq->form_crs = c->form[2];
            if (rq->file_name) rq->file_data = c->body, rq->file_len = c->len;
        } else {
            rq->body = c->body;
            rq->body_len = c->len;
        }
        srv_api(srv, rq, &rp);
    } else if (strcmp(method, "GET") != 0 && !head) {
        srv_error(&rp, 405, "method not allowed", NULL);
    } else {
        /* "/" and the per-result and per-zone URLs are the page; it reads
         * the rest of the path itself. "/api" is the OpenAPI file. */
        const char *u = url;
        if (strcmp(u, "/") == 0 || strncmp(u, "/r/", 3) == 0) u = "/index.html";
        if (strcmp(u, "/progress") == 0 || strncmp(u, "/progress/", 10) == 0) u = "/progress.html";
        if (strcmp(u, "/api") == 0) u = "/openapi.json";
        if (srv_manage_page(u)) u = srv_manage_page(u);
        const srv_file *f = find_file(srv, u);
        if (f) {
            rp.status = 200;
            rp.mime = f->mime;
            rp.body = malloc(f->len ? f->len : 1);
            if (rp.body) memcpy(rp.body, f->body, f->len);
            rp.len = f->len;
        } else {
            srv_error(&rp, 404, "not found", NULL);
        }
    }
    if (rp.status == 0) srv_error(&rp, 500, "internal error", NULL);
    enum MHD_Result ok = send_reply(cn, &rp, head);
    free(rp.body);
    return ok;
}

/* ---- the server ---------------------------------------------------------- */

static const char *own(gm_server *srv, const char *s)
{
    if (!s) return NULL;
    char **o = realloc(srv->owned, (srv->n_owned + 1) * sizeof *o);
    if (!o) return NULL;
    srv->owned = o;
    return srv->owned[srv->n_owned++] = strdup(s);
}

int gm_server_new(gm_context *ctx, const gm_serve_options *opts, gm_server **out)
{
    *out = NULL;
    if (!opts || !opts->redlines) return gm_error(ctx, GM_ERR_USAGE, "--redlines is required");
    gm_server *srv = calloc(1, sizeof *srv);
    if (!srv) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&srv->mu, NULL);
    gm_serve_options *o = &srv->opt;
    *o = *opts;
    o->redlines = own(srv, opts->redlines);
    o->zones = own(srv, opts->zones);
    o->mines = own(srv, opts->mines);
    o->encoding = own(srv, opts->encoding);
    o->db = own(srv, opts->db);
    o->host = own(srv, opts->host ? opts->host : "127.0.0.1");
    o->web_dir = own(srv, opts->web_dir);
    o->leaflet_dir = own(srv, opts->leaflet_dir ? opts->leaflet_dir : DEFAULT_LEAFLET);
    o->basemap = own(srv, opts->basemap);
    const char **fields = calloc(opts->n_fields + 1, sizeof *fields);
    if (fields) {
        for (size_t i = 0; i < opts->n_fields; i++)
            fields[i] = own(srv, opts->fields[i]);
        char **o2 = realloc(srv->owned, (srv->n_owned + 1) * sizeof *o2);
        if (o2) {
            srv->owned = o2;
            srv->owned[srv->n_owned++] = (char *)fields; /* freed with the copies */
        } else {
            free(fields);
            fields = NULL;
        }
    }
    o->fields = fields;
    if (!o->threads) o->threads = 4;
    if (!o->max_body) o->max_body = 20u << 20;
    if (!o->max_vertices) o->max_vertices = 200000;
    if (!o->max_applications) o->max_applications = 1000;
    if (!o->timeout_s) o->timeout_s = 30;
    if (!o->max_results) o->max_results = 2000;
    if (!(o->max_seconds > 0)) o->max_seconds = 20;
    srv->results = calloc(o->max_results, sizeof *srv->results);
    if (!srv->results || !fields) {
        gm_server_free(srv);
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    }
    if (o->web_dir && add_dir(srv, o->web_dir, "") != GM_OK) {
        gm_server_free(srv);
        return gm_error(ctx, GM_ERR_OPEN, "%s: cannot read the pages", o->web_dir);
    }
    if (o->web_dir && add_dir(srv, o->leaflet_dir, "/leaflet") == GM_OK) {
        char images[4200];
        snprintf(images, sizeof images, "%s/images", o->leaflet_dir);
        add_dir(srv, images, "/leaflet/images");
    } else if (o->web_dir) {
        gm_log(ctx, GM_LOG_WARNING,
               "%s: no Leaflet there (Debian's libjs-leaflet); the maps stay blank",
               o->leaflet_dir);
    }
    int rc = GM_OK;
    if (o->db) { /* the registry must exist and open now, not at the first request */
        VSIStatBufL st;
        gm_registry *reg = NULL;
        if (strncmp(o->db, "PG:", 3) != 0 && VSIStatL(o->db, &st) != 0)
            rc = gm_error(ctx, GM_ERR_OPEN,
                          "%s: no such registry (create it with greenmine ingest)", o->db);
        if (rc == GM_OK) rc = gm_registry_open(ctx, o->db, 0, &reg);
        gm_registry_close(reg);
    }
    if (rc == GM_OK) rc = srv_data_load(ctx, o, &srv->data);
    if (rc != GM_OK) {
        gm_server_free(srv);
        return rc;
    }
    *out = srv;
    return GM_OK;
}

int gm_server_start(gm_context *ctx, gm_server *srv)
{
    struct sockaddr_in6 a6 = {0};
    struct sockaddr_in a4 = {0};
    const struct sockaddr *sa = NULL;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (inet_pton(AF_INET, srv->opt.host, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)srv->opt.port);
        sa = (const struct sockaddr *)&a4;
    } else if (inet_pton(AF_INET6, srv->opt.host, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)srv->opt.port);
        sa = (const struct sockaddr *)&a6;
        flags |= MHD_USE_IPv6;
    } else {
        return gm_error(ctx, GM_ERR_USAGE, "--listen %s: expected an IP address and a port",
                        srv->opt.host);
    }
    srv_deadline_install(); /* the time limit of a check */
    srv->daemon = MHD_start_daemon(
        flags, (uint16_t)srv->opt.port, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)srv->opt.threads, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, srv, MHD_OPTION_CONNECTION_TIMEOUT, srv->opt.timeout_s,
        MHD_OPTION_CONNECTION_LIMIT, 1024u, MHD_OPTION_END);
    if (!srv->daemon)
        return gm_error(ctx, GM_ERR_OPEN, "cannot listen on %s:%d (in use?)", srv->opt.host,
                        srv->opt.port);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : srv->opt.port;
    return GM_OK;
}

int gm_server_port(const gm_server *srv)
{
    return srv->port;
}

int gm_server_reload(gm_context *ctx, gm_server *srv)
{
    srv_data *d = NULL;
    int rc = srv_data_load(ctx, &srv->opt, &d);
    if (rc != GM_OK) return rc;
    pthread_mutex_lock(&srv->mu);
    srv_data *old = srv->data;
    srv->data = d;
    pthread_mutex_unlock(&srv->mu);
    srv_data_release(srv, ctx, old); /* freed now, or by the last request using it */
    return GM_OK;
}

void gm_server_free(gm_server *srv)
{
    if (!srv) return;
    if (srv->daemon) MHD_stop_daemon(srv->daemon);
    if (srv->data) {
        gm_context *ctx = NULL;
        if (gm_context_new(&ctx) == GM_OK) {
            srv_data_release(srv, ctx, srv->data);
            gm_context_free(ctx);
        }
    }
    srv_results_free(srv);
    srv_manage_free(srv);
    for (size_t i = 0; i < srv->n_files; i++)
        free(srv->files[i].url), free(srv->files[i].body);
    free(srv->files);
    for (size_t i = 0; i < srv->n_owned; i++)
        free(srv->owned[i]);
    free(srv->owned);
    pthread_mutex_destroy(&srv->mu);
    free(srv);
}
