/*
 * fuzz_applications.c -- libFuzzer target: the application text parser of
 * `check` (gm_applications_add) on WKT, GeoJSON and corner-point text. The
 * first byte picks the form: 0 WKT (the text after "POLYGON"), 1 GeoJSON
 * (after '{'), 2 a corner-point file (written to a temporary file, read
 * through "corners:PATH"). Invariants: the status is GM_OK or an input error
 * with a message; an accepted application has a valid, non-empty polygonal
 * geometry in China's lon/lat box.
 */
#include "core/context_impl.h"

#include <greenmine/applications.h>
#include <greenmine/context.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gm_context *ctx;
static char corner_path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    if (!ctx) {
        if (gm_context_new(&ctx) != GM_OK) abort();
        snprintf(corner_path, sizeof corner_path, "/tmp/gm-fuzz-corners-%ld.txt", (long)getpid());
    }
    int form = data[0] % 3;
    static const char *prefix[] = {"POLYGON", "{", ""};
    size_t plen = strlen(prefix[form]);
    char *text = malloc(plen + size);
    if (!text) return 0;
    memcpy(text, prefix[form], plen);
    memcpy(text + plen, data + 1, size - 1);
    text[plen + size - 1] = '\0';
    char arg[80];
    const char *what = text;
    if (form == 2) {
        FILE *f = fopen(corner_path, "wb");
        if (!f) abort();
        fwrite(data + 1, 1, size - 1, f);
        fclose(f);
        snprintf(arg, sizeof arg, "corners:%s", corner_path);
        what = arg;
    }
    gm_applications *apps = NULL;
    if (gm_applications_new(&apps) != GM_OK) abort();
    int rc = gm_applications_add(ctx, apps, what, NULL);
    if (rc != GM_OK) {
        if (!GM_IS_INPUT_ERROR(rc) && rc != GM_ERR_NOMEM) abort();
        if (!gm_context_errmsg(ctx)[0]) abort();
    }
    for (size_t i = 0; rc == GM_OK && i < apps->n; i++) {
        const GEOSGeometry *g = apps->items[i].geom;
        if (!g || GEOSisEmpty_r(ctx->geos, g) || GEOSisValid_r(ctx->geos, g) != 1) {
            char *why = g ? GEOSisValidReason_r(ctx->geos, g) : NULL;
            fprintf(stderr, "fuzz_applications: application %zu accepted %s\n", i,
                    !g    ? "without a geometry"
                    : why ? why
                          : "empty");
            abort();
        }
        double x0, y0, x1, y1;
        if (!GEOSGeom_getXMin_r(ctx->geos, g, &x0) || !GEOSGeom_getXMax_r(ctx->geos, g, &x1) ||
            !GEOSGeom_getYMin_r(ctx->geos, g, &y0) || !GEOSGeom_getYMax_r(ctx->geos, g, &y1))
            abort();
        if (x0 < 70 || x1 > 140 || y0 < 0 || y1 > 60) abort();
    }
    gm_applications_free(ctx, apps);
    free(text);
    return 0;
}
