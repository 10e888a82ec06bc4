/*
 * fuzz_serve.c -- libFuzzer target: `greenmine serve`'s request handling
 * (srv_api: the body or upload read into applications, the check, the
 * answer; the layer, zone, result and progress paths), without a socket.
 * The server is made once (gm_server_new, never started) on the
 * integration fixture (tests/integration/data) and each input becomes one
 * request as the connection code would hand it over once its body is in:
 *
 *   METHOD URL\n            the request line; URL = path[?k=v&...], the
 *                           query %-decoded as libmicrohttpd does
 *   BODY                    the raw body, or, when it begins "FORM\n",
 *                           multipart fields separated by "\n--\n", each
 *                           "name[; filename]\n" then its data (text,
 *                           buffer, crs; file with a file name), gathered
 *                           as server.c's on_post gathers them
 *
 * Invariants (beyond no crash, leak or undefined behaviour): the status is
 * one the API documents (200, 400, 404, 405, 413, 422; never 500); a JSON
 * answer parses whole, and an error is {"error": text, ...}; a check
 * answered 200 holds its applications and is kept: GET /api/results/ID
 * gives the same check back; no upload is left in /vsimem/greenmine/.
 */
#include "server/server_impl.h"

#include <greenmine/context.h>
#include <greenmine/serve.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <ctype.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef GM_SOURCE_DIR
#define GM_SOURCE_DIR "."
#endif

static gm_server *srv;

static void make_server(void)
{
    CPLSetErrorHandler(CPLQuietErrorHandler);
    gm_context *ctx = NULL;
    if (gm_context_new(&ctx) != GM_OK) abort();
    const char *dir = getenv("GM_FUZZ_SERVE_DATA");
    char rl[4096], zn[4096], mn[4096];
    if (!dir) dir = GM_SOURCE_DIR "/tests/integration/data";
    snprintf(rl, sizeof rl, "%s/redlines.gpkg", dir);
    snprintf(zn, sizeof zn, "%s/zones.gdb", dir);
    snprintf(mn, sizeof mn, "%s/mines.shp", dir);
    /* few results kept: the ring holds every check answered 200 */
    gm_serve_options o = {.redlines = rl, .zones = zn, .mines = mn, .max_results = 4};
    if (gm_server_new(ctx, &o, &srv) != GM_OK) {
        fprintf(stderr, "fuzz_serve: cannot load %s: %s\n", dir, gm_context_errmsg(ctx));
        abort();
    }
    gm_context_free(ctx);
}

static int hex(int c)
{
    return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

/* %XX and '+' decoded in place, as libmicrohttpd hands query values over. */
static void unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r == '+') {
            *w++ = ' ';
        } else if (*r == '%' && hex((unsigned char)r[1]) >= 0 && hex((unsigned char)r[2]) >= 0) {
            *w++ = (char)(hex((unsigned char)r[1]) * 16 + hex((unsigned char)r[2]));
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

/* Splits the URL's query into the request's known keys (the last wins). */
static void query(char *q, srv_request *rq)
{
    for (char *kv = strtok(q, "&"); kv; kv = strtok(NULL, "&")) {
        char *v = strchr(kv, '=');
        if (v)
            *v++ = '\0';
        else
            v = kv + strlen(kv);
        unescape(kv);
        unescape(v);
        if (strcmp(kv, "buffer") == 0)
            rq->query_buffer = v;
        else if (strcmp(kv, "crs") == 0)
            rq->query_crs = v;
        else if (strcmp(kv, "filename") == 0)
            rq->query_filename = v;
        else if (strcmp(kv, "bbox") == 0)
            rq->query_bbox = v;
        else if (strcmp(kv, "zoom") == 0)
            rq->query_zoom = v;
        else if (strcmp(kv, "zone") == 0)
            rq->query_zone = v;
    }
}

static char *append(char *to, size_t *len, const char *data, size_t n)
{
    char *p = realloc(to, *len + n + 1);
    if (!p) abort();
    memcpy(p + *len, data, n);
    *len += n;
    p[*len] = '\0';
    return p;
}

/* The multipart fields as on_post gathers them: text, buffer and crs
 * appended; the first file part names the upload, every file part's bytes
 * are its data; other fields ignored. */
static void form(const char *b, size_t n, srv_request *rq, char *fields[3], size_t lens[3])
{
    const char *end = b + n;
    while (b < end) {
        const char *sep = memmem(b, (size_t)(end - b), "\n--\n", 4);
        const char *stop = sep ? sep : end;
        const char *nl = memchr(b, '\n', (size_t)(stop - b));
        const char *hdr_end = nl ? nl : stop, *d = nl ? nl + 1 : stop;
        char hdr[256];
        size_t hl = (size_t)(hdr_end - b) < sizeof hdr - 1 ? (size_t)(hdr_end - b) : sizeof hdr - 1;
        memcpy(hdr, b, hl);
        hdr[hl] = '\0';
        char *fn = strstr(hdr, "; ");
        if (fn) *fn = '\0', fn += 2;
        if (strcmp(hdr, "file") == 0 && fn) {
            if (!rq->file_name) rq->file_name = strdup(fn);
            rq->file_data = append(rq->file_data, &rq->file_len, d, (size_t)(stop - d));
        } else {
            int k = strcmp(hdr, "text") == 0     ? 0
                    : strcmp(hdr, "buffer") == 0 ? 1
                    : strcmp(hdr, "crs") == 0    ? 2
                                                 : -1;
            if (k >= 0) fields[k] = append(fields[k], &lens[k], d, (size_t)(stop - d));
        }
        b = sep ? sep + 4 : end;
    }
    rq->form_text = fields[0], rq->form_buffer = fields[1], rq->form_crs = fields[2];
}

/* The reply's JSON, parsed whole (NULL when it is not JSON). */
static json_object *parse(const srv_reply *rp)
{
    json_tokener *t = json_tokener_new();
    json_object *o = json_tokener_parse_ex(t, rp->body, (int)rp->len);
    int whole = json_tokener_get_error(t) == json_tokener_success &&
                json_tokener_get_parse_end(t) <= rp->len;
    if (whole) /* nothing but white space after it */
        for (size_t i = json_tokener_get_parse_end(t); i < rp->len; i++)
            if (!isspace((unsigned char)rp->body[i])) whole = 0;
    json_tokener_free(t);
    if (!whole) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static void verify(const srv_request *rq, const srv_reply *rp)
{
    static const int known[] = {200, 400, 404, 405, 413, 422};
    int ok = 0;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        ok |= rp->status == known[i];
    if (!ok || !rp->mime || (rp->len && !rp->body)) {
        fprintf(stderr, "fuzz_serve: %s %s answered %d: %.*s\n", rq->method, rq->path, rp->status,
                (int)(rp->len < 400 ? rp->len : 400), rp->body ? rp->body : "");
        abort();
    }
    if (strncmp(rp->mime, "application/json", 16) != 0) return;
    json_object *o = parse(rp);
    if (!o) {
        fprintf(stderr, "fuzz_serve: not JSON: %.*s\n", (int)(rp->len < 400 ? rp->len : 400),
                rp->body);
        abort();
    }
    json_object *v = NULL;
    if (rp->status != 200 &&
        (!json_object_object_get_ex(o, "error", &v) || !json_object_is_type(v, json_type_string) ||
         !json_object_get_string_len(v)))
        abort(); /* an error says what is wrong */
    if (rp->status == 200 && strcmp(rq->path, "/api/check") == 0) {
        if (!json_object_object_get_ex(o, "applications", &v) ||
            !json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)
            abort();
        if (strncmp(rp->location, "/api/results/", 13) != 0) abort();
        /* the kept result gives the same check back */
        srv_request get = {.method = "GET", .path = rp->location};
        srv_reply r2 = {0};
        srv_api(srv, &get, &r2);
        json_object *kept = r2.status == 200 ? parse(&r2) : NULL, *check = NULL;
        if (!kept || !json_object_object_get_ex(kept, "check", &check) ||
            !json_object_equal(check, o))
            abort();
        json_object_put(kept);
        free(r2.body);
    }
    json_object_put(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!srv) make_server();
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl || nl - data > 2000) return 0;
    char line[2048];
    memcpy(line, data, (size_t)(nl - data));
    line[nl - data] = '\0';
    char *url = strchr(line, ' ');
    if (!url) return 0;
    *url++ = '\0';
    /* what reaches srv_api: server.c sends only paths under /api/ there */
    if (strncmp(url, "/api/", 5) != 0) return 0;
    srv_request rq = {.method = line};
    char *q = strchr(url, '?');
    if (q) *q++ = '\0', query(q, &rq);
    unescape(url); /* libmicrohttpd decodes the path too */
    if (strncmp(url, "/api/", 5) != 0) return 0;
    rq.path = url;

    const char *body = (const char *)nl + 1;
    size_t blen = size - (size_t)(nl - data) - 1;
    char *copy = NULL, *fields[3] = {NULL, NULL, NULL};
    size_t lens[3] = {0, 0, 0};
    if (blen >= 5 && memcmp(body, "FORM\n", 5) == 0) {
        form(body + 5, blen - 5, &rq, fields, lens);
    } else if (blen) { /* the connection code NUL-terminates what it gathered */
        size_t clen = 0;
        copy = append(NULL, &clen, body, blen);
        rq.body = copy, rq.body_len = blen;
    }
    srv_reply rp = {0};
    srv_api(srv, &rq, &rp);
    if (getenv("GM_FUZZ_SERVE_TRACE")) /* what each input was answered, to check the seeds */
        fprintf(stderr, "%s %s: %d %.*s\n", rq.method, rq.path, rp.status,
                (int)(rp.len < 160 ? rp.len : 160), rp.body ? rp.body : "");
    verify(&rq, &rp);
    free(rp.body);
    free(copy);
    free(rq.file_name);
    free(rq.file_data);
    for (int k = 0; k < 3; k++)
        free(fields[k]);
    /* an upload lives only as long as its request */
    char **left = VSIReadDir("/vsimem/greenmine");
    if (left && left[0]) {
        fprintf(stderr, "fuzz_serve: left in /vsimem/greenmine: %s\n", left[0]);
        abort();
    }
    CSLDestroy(left);
    return 0;
}
