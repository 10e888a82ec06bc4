/*
 * applications.c -- reading applications for `check`: OGR datasets (through
 * the loader), WKT/GeoJSON text, and corner-point files (corners.c parses the
 * text; here the zone prefix or --crs becomes a CRS, coordinates are checked
 * against the zone, rings are closed, nested and repaired, and everything is
 * transformed to CGCS2000 lon/lat).
 */
#include "core/context_impl.h"
#include "core/normalise.h"
#include "io/corners.h"

#include <greenmine/check.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* How far outside its zone's nominal strip a corner may lie (degrees of
 * longitude): mines straddling a zone boundary are surveyed in one zone. */
#define GM_ZONE_MARGIN_DEG 0.5

int gm_applications_new(gm_applications **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? GM_OK : GM_ERR_NOMEM;
}

void gm_applications_free(gm_context *ctx, gm_applications *apps)
{
    if (!apps) return;
    for (size_t i = 0; i < apps->n; i++) {
        gm_application *a = &apps->items[i];
        free(a->id), free(a->origin), free(a->repair_note);
        if (a->geom) GEOSGeom_destroy_r(ctx->geos, a->geom);
    }
    free(apps->items);
    free(apps);
}

/* Takes ownership of id, geom, origin and note (also on failure). */
static int push(gm_context *ctx, gm_applications *apps, char *id, GEOSGeometry *geom, char *origin,
                char *note)
{
    if (apps->n == apps->cap) {
        size_t c = apps->cap ? apps->cap * 2 : 16;
        gm_application *p = realloc(apps->items, c * sizeof *p);
        if (!p) {
            free(id), free(origin), free(note);
            GEOSGeom_destroy_r(ctx->geos, geom);
            return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        }
        apps->items = p;
        apps->cap = c;
    }
    apps->items[apps->n++] = (gm_application){
        .id = id, .geom = geom, .origin = origin, .repaired = note != NULL, .repair_note = note};
    return GM_OK;
}

static OGRSpatialReferenceH srs_from(const char *text)
{
    OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
    if (OSRSetFromUserInput(s, text) != OGRERR_NONE) {
        OSRDestroySpatialReference(s);
        return NULL;
    }
    OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
    return s;
}

/* A transformation from `src` to CGCS2000 lon/lat, GIS axis order. */
static OGRCoordinateTransformationH to_cgcs2000(OGRSpatialReferenceH src)
{
    OGRSpatialReferenceH dst = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(dst, 4490);
    OSRSetAxisMappingStrategy(dst, OAMS_TRADITIONAL_GIS_ORDER);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(src, dst);
    CPLPopErrorHandler();
    OSRDestroySpatialReference(dst);
    return ct;
}

/* Normalises a lon/lat GEOS geometry (taken), warning where it was repaired. */
static int finish(gm_context *ctx, gm_applications *apps, const char *label, char *id,
                  GEOSGeometry *g, char *note)
{
    char why[256];
    GEOSGeometry *ok = NULL;
    unsigned flags = 0;
    if (gm_normalise_polygonal_why(ctx->geos, g, &ok, &flags, why, sizeof why) != 0) {
        free(id), free(note);
        return gm_error(ctx, GM_ERR_GEOMETRY, "%s: geometry cannot be repaired (%s)", label,
                        gm_geos_message(ctx));
    }
    if (!ok) {
        free(id), free(note);
        return gm_error(ctx, GM_ERR_GEOMETRY, "%s: %s", label,
                        flags & GM_NORM_NOT_POLYGONAL ? "not a polygon"
                                                      : "empty geometry: no boundary to check");
    }
    if ((flags & GM_NORM_REPAIRED) && !note) {
        char buf[400];
        snprintf(buf, sizeof buf, "%s (lon/lat)", why);
        note = gm_strdup(buf);
    }
    if (flags & GM_NORM_REPAIRED)
        gm_log(ctx, GM_LOG_WARNING,
               "%s: invalid boundary: %s; evaluated after repair (GEOS MakeValid, structure)",
               label, note);
    return push(ctx, apps, id, ok, gm_strdup(label), note);
}

static int china_check(gm_context *ctx, OGRGeometryH g, const char *label, const char *crs)
{
    OGREnvelope e;
    OGR_G_GetEnvelope(g, &e);
    if (e.MinX < 70 || e.MaxX > 140 || e.MinY < 0 || e.MaxY > 60)
        return gm_error(ctx, GM_ERR_GEOMETRY,
                        "%s: lies at lon %.4f..%.4f, lat %.4f..%.4f from %s, outside China: wrong "
                        "--crs, or X and Y swapped?",
                        label, e.MinX, e.MaxX, e.MinY, e.MaxY, crs);
    return GM_OK;
}

/* ---- WKT / GeoJSON on the command line --------------------------------- */

static int add_text(gm_context *ctx, gm_applications *apps, const char *arg,
                    const gm_application_options *opts)
{
    char id[32], label[96];
    snprintf(id, sizeof id, "arg%zu", apps->n + 1);
    snprintf(label, sizeof label, "application %s (command-line %s)", id,
             arg[0] == '{' ? "GeoJSON" : "WKT");
    const char *crs = opts && opts->crs ? opts->crs : "EPSG:4490";
    OGRGeometryH g = NULL;
    if (arg[0] == '{') {
        g = OGR_G_CreateGeometryFromJson(arg);
    } else {
        char *p = (char *)arg;
        CPLPushErrorHandler(CPLQuietErrorHandler);
        OGR_G_CreateFromWkt(&p, NULL, &g);
        CPLPopErrorHandler();
    }
    if (!g) return gm_error(ctx, GM_ERR_USAGE, "%s: not a readable geometry", label);
    int rc = GM_OK;
    OGRSpatialReferenceH srs = srs_from(crs);
    OGRCoordinateTransformationH ct = srs ? to_cgcs2000(srs) : NULL;
    if (!ct) {
        rc = gm_error(ctx, GM_ERR_CRS, "%s: --crs %s: not a CRS PROJ can transform to CGCS2000",
                      label, crs);
        goto done;
    }
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t != wkbPolygon && t != wkbMultiPolygon) {
        rc = gm_error(ctx, GM_ERR_GEOMETRY, "%s: a %s, not a polygon", label,
                      OGR_G_GetGeometryName(g));
        goto done;
    }
    OGR_G_FlattenTo2D(g);
    if (OGR_G_Transform(g, ct) != OGRERR_NONE) {
        rc = gm_error(ctx, GM_ERR_CRS, "%s: cannot be transformed from %s", label, crs);
        goto done;
    }
    if ((rc = china_check(ctx, g, label, crs)) != GM_OK) goto done;
    size_t size = (size_t)OGR_G_WkbSize(g);
    unsigned char *wkb = malloc(size);
    if (!wkb) {
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        goto done;
    }
    OGR_G_ExportToIsoWkb(g, wkbNDR, wkb);
    GEOSGeometry *geos = GEOSGeomFromWKB_buf_r(ctx->geos, wkb, size);
    free(wkb);
    if (!geos) {
        rc = gm_error(ctx, GM_ERR_GEOMETRY, "%s: unreadable geometry", label);
        goto done;
    }
    rc = finish(ctx, apps, label, gm_strdup(id), geos, NULL);
done:
    if (ct) OCTDestroyCoordinateTransformation(ct);
    if (srs) OSRDestroySpatialReference(srs);
    OGR_G_DestroyGeometry(g);
    return rc;
}

/* ---- corner-point files -------------------------------------------------- */

typedef struct corner_crs {
    OGRSpatialReferenceH srs;
    char label[96];          /* "EPSG:4526 (CGCS2000 3-degree zone 37, from the prefix)" */
    double lon_min, lon_max; /* where its corners may lie */
    double add_prefix;       /* added to every Y (a 带号 line for unprefixed Y) */
} corner_crs;

static int gk_epsg(int zone, int *width)
{
    if (zone >= 25 && zone <= 45) return *width = 3, 4513 + zone - 25;
    if (zone >= 13 && zone <= 23) return *width = 6, 4491 + zone - 13;
    return 0;
}

static int zone_crs(gm_context *ctx, const char *name, int zone, int line, corner_crs *c,
                    const char *why)
{
    int width = 0, epsg = gk_epsg(zone, &width);
    if (!epsg)
        return gm_error(ctx, GM_ERR_GEOMETRY,
                        "%s line %d: zone %d is not a CGCS2000 Gauss-Kruger zone (3-degree 25-45, "
                        "6-degree 13-23): wrong coordinates, or X and Y swapped?",
                        name, line, zone);
    double cm = width == 3 ? 3.0 * zone : 6.0 * zone - 3.0;
    c->lon_min = cm - width / 2.0 - GM_ZONE_MARGIN_DEG;
    c->lon_max = cm + width / 2.0 + GM_ZONE_MARGIN_DEG;
    c->srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(c->srs, epsg);
    OSRSetAxisMappingStrategy(c->srs, OAMS_TRADITIONAL_GIS_ORDER);
    snprintf(c->label, sizeof c->label, "EPSG:%d (CGCS2000 %d-degree zone %d, CM %.0fE, %s)", epsg,
             width, zone, cm, why);
    return GM_OK;
}

/* Decides the CRS: the zone prefix of the eastings, else --crs, else 带号. */
static int decide_crs(gm_context *ctx, const char *name, const gm_corner_file *f,
                      const gm_application_options *opts, corner_crs *c)
{
    int zone = 0, zone_line = 0, plain_line = 0;
    for (size_t b = 0; b < f->n_blocks; b++)
        for (size_t r = 0; r < f->blocks[b].n_rings; r++) {
            const gm_corner_ring *ring = &f->blocks[b].rings[r];
            for (size_t k = 0; k < ring->n; k++) {
                double e, ex;
                int zy = gm_gk_zone_prefix(ring->y[k], &e);
                int zx = gm_gk_zone_prefix(ring->x[k], &ex);
                int line = ring->line[k];
                if ((zx && !zy) || (!zy && ring->x[k] < 1e6 && ring->y[k] > 2e6))
                    return gm_error(ctx, GM_ERR_GEOMETRY,
                                    "%s line %d: X %.2f looks like an easting and Y %.2f like a "
                                    "northing: X and Y swapped? (X is the northing, Y the easting)",
                                    name, line, ring->x[k], ring->y[k]);
                if (zy && zone && zy != zone)
                    return gm_error(ctx, GM_ERR_GEOMETRY,
                                    "%s line %d: zone prefix %d, but line %d has zone %d", name,
                                    line, zy, zone_line, zone);
                if (zy && !zone) zone = zy, zone_line = line;
                if (!zy && !plain_line) plain_line = line;
            }
        }
    if (zone && plain_line)
        return gm_error(ctx, GM_ERR_GEOMETRY,
                        "%s line %d: Y has no zone prefix, but line %d has zone %d", name,
                        plain_line, zone_line, zone);
    if (zone) {
        if (f->zone && f->zone != zone)
            return gm_error(ctx, GM_ERR_GEOMETRY,
                            "%s: the file states 带号=%d but the eastings carry zone %d", name,
                            f->zone, zone);
        return zone_crs(ctx, name, zone, zone_line, c, "from the zone prefix");
    }
    if (opts && opts->crs) {
        c->srs = srs_from(opts->crs);
        if (!c->srs) return gm_error(ctx, GM_ERR_CRS, "--crs %s: not a CRS PROJ knows", opts->crs);
        double w, s, e, n;
        const char *area = NULL;
        c->lon_min = 70, c->lon_max = 140;
        if (OSRGetAreaOfUse(c->srs, &w, &s, &e, &n, &area) && w > -1000) {
            c->lon_min = w - GM_ZONE_MARGIN_DEG;
            c->lon_max = e + GM_ZONE_MARGIN_DEG;
        }
        snprintf(c->label, sizeof c->label, "%s (--crs)", opts->crs);
        return GM_OK;
    }
    if (f->crs_name[0] && (strstr(f->crs_name, "西安") || strstr(f->crs_name, "北京") ||
                           strstr(f->crs_name, "1980") || strstr(f->crs_name, "1954")))
        return gm_error(ctx, GM_ERR_CRS,
                        "%s: coordinates in %s, not CGCS2000: give --crs (e.g. EPSG:2383)", name,
                        f->crs_name);
    if (f->zone) {
        int width = f->zone_width == 6 ? 6 : 3;
        int z = f->zone;
        /* 带号 with 3-degree numbering is 25-45, 6-degree 13-23. */
        int ok = (width == 3 && z >= 25 && z <= 45) || (width == 6 && z >= 13 && z <= 23);
        if (!ok)
            return gm_error(ctx, GM_ERR_GEOMETRY, "%s: 带号=%d is not a %d-degree zone", name, z,
                            width);
        c->add_prefix = z * 1e6;
        return zone_crs(ctx, name, z, 0, c, "from 带号");
    }
    return gm_error(ctx, GM_ERR_CRS,
                    "%s: the eastings (Y) carry no zone prefix and the file states no 带号: give "
                    "--crs (e.g. EPSG:4546, CGCS2000 3-degree CM 111E without prefix)",
                    name);
}

static GEOSGeometry *plane_ring(GEOSContextHandle_t h, const gm_corner_ring *r, double add)
{
    GEOSCoordSequence *seq = GEOSCoordSeq_create_r(h, (unsigned)r->n + 1, 2);
    if (!seq) return NULL;
    for (size_t k = 0; k <= r->n; k++) {
        size_t i = k % r->n; /* closes the ring */
        GEOSCoordSeq_setXY_r(h, seq, (unsigned)k, r->y[i] + add, r->x[i]);
    }
    return GEOSGeom_createLinearRing_r(h, seq);
}

/* One block's rings as polygons: a ring inside an earlier shell is its hole. */
static int block_polygons(gm_context *ctx, const char *name, const gm_corner_block *blk, double add,
                          GEOSGeometry ***polys, size_t *n_polys)
{
    GEOSContextHandle_t h = ctx->geos;
    size_t n = blk->n_rings;
    GEOSGeometry **shells = calloc(n, sizeof *shells);
    GEOSGeometry ***holes = calloc(n, sizeof *holes);
    unsigned *n_holes = calloc(n, sizeof *n_holes);
    int rc = GM_OK;
    if (!shells || !holes || !n_holes) {
        rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t r = 0; r < n; r++) {
        const gm_corner_ring *ring = &blk->rings[r];
        int a = ring->line[0], b = ring->line[ring->n ? ring->n - 1 : 0];
        if (ring->n < 3) {
            rc = gm_error(ctx, GM_ERR_GEOMETRY,
                          "%s lines %d-%d: a ring of %zu point%s; a boundary needs at least 3",
                          name, a, b, ring->n, ring->n == 1 ? "" : "s");
            goto done;
        }
        if (!ring->closed)
            gm_log(ctx, GM_LOG_WARNING,
                   "%s lines %d-%d: ring not closed (the last point does not repeat the first); "
                   "closed by joining line %d to line %d",
                   name, a, b, b, a);
        GEOSGeometry *lr = plane_ring(h, ring, add);
        if (!lr) {
            rc = gm_error(ctx, GM_ERR_INTERNAL, "cannot build a ring");
            goto done;
        }
        size_t owner = n;
        for (size_t s = 0; s < r && owner == n; s++) {
            if (!shells[s]) continue;
            GEOSGeometry *shell_poly =
                GEOSGeom_createPolygon_r(h, GEOSGeom_clone_r(h, shells[s]), NULL, 0);
            GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, ring->y[0] + add, ring->x[0]);
            if (shell_poly && pt && GEOSContains_r(h, shell_poly, pt) == 1) owner = s;
            if (shell_poly) GEOSGeom_destroy_r(h, shell_poly);
            if (pt) GEOSGeom_destroy_r(h, pt);
        }
        if (owner == n) {
            shells[r] = lr;
            continue;
        }
        GEOSGeometry **hl = realloc(holes[owner], (n_holes[owner] + 1) * sizeof *hl);
        if (!hl) {
            GEOSGeom_destroy_r(h, lr);
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            goto done;
        }
        holes[owner] = hl;
        hl[n_holes[owner]++] = lr;
    }
    for (size_t s = 0; s < n; s++) {
        if (!shells[s]) continue;
        GEOSGeometry *p = GEOSGeom_createPolygon_r(h, shells[s], holes[s], n_holes[s]);
        shells[s] = NULL;
        free(holes[s]);
        holes[s] = NULL;
        n_holes[s] = 0;
        GEOSGeometry **grown = p ? realloc(*polys, (*n_polys + 1) * sizeof *grown) : NULL;
        if (!grown) {
            if (p) GEOSGeom_destroy_r(h, p);
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            goto done;
        }
        *polys = grown;
        (*polys)[(*n_polys)++] = p;
    }
done:
    for (size_t s = 0; s < n && shells && holes && n_holes; s++) {
        if (shells[s]) GEOSGeom_destroy_r(h, shells[s]);
        for (unsigned k = 0; holes[s] && k < n_holes[s]; k++)
            GEOSGeom_destroy_r(h, holes[s][k]);
        free(holes[s]);
    }
    free(shells), free(holes), free(n_holes);
    return rc;
}

typedef struct to_lonlat {
    OGRCoordinateTransformationH ct;
    int failed;
} to_lonlat;

static int transform_point(double *x, double *y, void *user)
{
    to_lonlat *t = user;
    int ok = 0;
    if (!OCTTransformEx(t->ct, 1, x, y, NULL, &ok) || !ok) t->failed = 1;
    return 1;
}

/* Where a plane point lies in lon/lat; 0 when PROJ cannot tell. */
static int corner_lonlat(OGRCoordinateTransformationH ct, double e, double n, double *lon,
                         double *lat)
{
    int ok = 0;
    *lon = e, *lat = n;
    return OCTTransformEx(ct, 1, lon, lat, NULL, &ok) && ok;
}

static int add_corners(gm_context *ctx, gm_applications *apps, const char *path,
                       const gm_application_options *opts)
{
    GEOSContextHandle_t h = ctx->geos;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char id[256];
    snprintf(id, sizeof id, "%s", base);
    char *dot = strrchr(id, '.');
    if (dot && dot != id) *dot = '\0';

    /* Through GDAL's VSI, so that a server's upload in /vsimem/ reads like a file. */
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (!fp) return gm_error(ctx, GM_ERR_OPEN, "%s: cannot open: no such file?", path);
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *p = realloc(text, cap);
            if (!p) {
                VSIFCloseL(fp);
                free(text);
                return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            }
            text = p;
        }
        size_t got = VSIFReadL(text + len, 1, 4096, fp);
        len += got;
        if (got < 4096) break;
    }
    VSIFCloseL(fp);
    text[len] = '\0';

    gm_corner_file *f = NULL;
    corner_crs c = {0};
    OGRCoordinateTransformationH ct = NULL;
    GEOSGeometry **polys = NULL, *plane = NULL, *geo = NULL;
    size_t n_polys = 0;
    char err[600], *note = NULL;
    int rc = gm_corners_parse(text, path, &f, err, sizeof err);
    free(text);
    if (rc != GM_OK) return gm_error(ctx, rc, "%s", err);
    if ((rc = decide_crs(ctx, path, f, opts, &c)) != GM_OK) goto done;
    if (!(ct = to_cgcs2000(c.srs))) {
        rc = gm_error(ctx, GM_ERR_CRS, "%s: PROJ cannot transform %s to CGCS2000", path, c.label);
        goto done;
    }
    /* Every corner must lie in its zone (or the --crs's area): a wrong zone
     * or swapped axes land elsewhere. */
    for (size_t b = 0; b < f->n_blocks; b++)
        for (size_t r = 0; r < f->blocks[b].n_rings; r++) {
            const gm_corner_ring *ring = &f->blocks[b].rings[r];
            for (size_t k = 0; k < ring->n; k++) {
                double lon, lat;
                int ok = corner_lonlat(ct, ring->y[k] + c.add_prefix, ring->x[k], &lon, &lat);
                if (!ok || lon < c.lon_min || lon > c.lon_max || lat < 0 || lat > 60) {
                    if (ok)
                        rc = gm_error(ctx, GM_ERR_GEOMETRY,
                                      "%s line %d: X %.2f, Y %.2f lies at %.4fE %.4fN, outside %s "
                                      "(%.1f-%.1fE): wrong zone or CRS, or X and Y swapped?",
                                      path, ring->line[k], ring->x[k], ring->y[k], lon, lat,
                                      c.label, c.lon_min, c.lon_max);
                    else
                        rc = gm_error(ctx, GM_ERR_GEOMETRY,
                                      "%s line %d: X %.2f, Y %.2f cannot be transformed from %s: "
                                      "wrong zone or CRS, or X and Y swapped?",
                                      path, ring->line[k], ring->x[k], ring->y[k], c.label);
                    goto done;
                }
            }
        }
    for (size_t b = 0; b < f->n_blocks; b++)
        if ((rc = block_polygons(ctx, path, &f->blocks[b], c.add_prefix, &polys, &n_polys)) !=
            GM_OK)
            goto done;
    plane = n_polys == 1
                ? polys[0]
                : GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)n_polys);
    free(polys);
    polys = NULL;
    n_polys = 0;
    if (!plane) {
        rc = gm_error(ctx, GM_ERR_INTERNAL, "cannot build the boundary");
        goto done;
    }
    /* Validity in the file's own coordinates, so the crossing is reported
     * where the planner can find it in the table. */
    char *reason = NULL;
    GEOSGeometry *where = NULL;
    if (GEOSisValidDetail_r(h, plane, 0, &reason, &where) == 0) {
        char buf[400];
        double e = 0, nn = 0;
        if (where && GEOSGeomTypeId_r(h, where) == GEOS_POINT) {
            GEOSGeomGetX_r(h, where, &e);
            GEOSGeomGetY_r(h, where, &nn);
        }
        snprintf(buf, sizeof buf, "%s at X %.2f, Y %.2f", reason ? reason : "invalid", nn,
                 e - c.add_prefix);
        note = gm_strdup(buf);
    }
    if (reason) GEOSFree_r(h, reason);
    if (where) GEOSGeom_destroy_r(h, where);
    to_lonlat t = {ct, 0};
    geo = GEOSGeom_transformXY_r(h, plane, transform_point, &t);
    if (!geo || t.failed) {
        rc = gm_error(ctx, GM_ERR_CRS, "%s: cannot transform the corners from %s", path, c.label);
        goto done;
    }
    char label[700];
    snprintf(label, sizeof label, "%s [%s]", path, c.label);
    rc = finish(ctx, apps, label, gm_strdup(id), geo, note);
    geo = NULL;
    note = NULL;
done:
    for (size_t k = 0; k < n_polys; k++)
        GEOSGeom_destroy_r(h, polys[k]);
    free(polys);
    if (plane) GEOSGeom_destroy_r(h, plane);
    if (geo) GEOSGeom_destroy_r(h, geo);
    free(note);
    if (ct) OCTDestroyCoordinateTransformation(ct);
    if (c.srs) OSRDestroySpatialReference(c.srs);
    gm_corners_free(f);
    return rc;
}

/* ---- OGR datasets -------------------------------------------------------- */

static int add_dataset(gm_context *ctx, gm_applications *apps, const char *source,
                       const gm_application_options *opts)
{
    gm_inputs *tmp = NULL;
    gm_load_options lo = {0};
    if (opts && opts->load) lo = *opts->load;
    lo.lenient = 1;
    lo.has_bbox = 0;
    int rc = gm_inputs_new(&tmp);
    if (rc != GM_OK) return gm_error(ctx, rc, "out of memory");
    rc = gm_load_layer(ctx, tmp, GM_LAYER_MINES, source, &lo);
    for (size_t i = 0; rc == GM_OK && i < tmp->n_mines; i++) {
        gm_mine *m = &tmp->mines[i];
        char label[600];
        snprintf(label, sizeof label, "%s (layer %s) feature %ld", source, tmp->layer[0], m->fid);
        if (!m->geom) continue; /* the loader warned: empty */
        rc = push(ctx, apps, m->mine_id, m->geom, gm_strdup(label), NULL);
        m->mine_id = NULL;
        m->geom = NULL;
    }
    gm_inputs_free(ctx, tmp);
    return rc;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

int gm_applications_add(gm_context *ctx, gm_applications *apps, const char *arg,
                        const gm_application_options *opts)
{
    /* once: each call rescans the driver plugins (milliseconds per check in serve) */
    if (GDALGetDriverCount() == 0) GDALAllRegister();
    const char *p = arg;
    while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    if (*p == '{' || strncasecmp(p, "POLYGON", 7) == 0 || strncasecmp(p, "MULTIPOLYGON", 12) == 0)
        return add_text(ctx, apps, p, opts);
    if (strncmp(arg, "corners:", 8) == 0) return add_corners(ctx, apps, arg + 8, opts);
    struct stat st;
    if (stat(arg, &st) == 0 && S_ISREG(st.st_mode) &&
        (ends_with(arg, ".txt") || ends_with(arg, ".csv") || ends_with(arg, ".dat")))
        return add_corners(ctx, apps, arg, opts);
    return add_dataset(ctx, apps, arg, opts);
}

int gm_applications_bbox(gm_context *ctx, const gm_applications *apps, double margin_m,
                         double box[4])
{
    GEOSContextHandle_t h = ctx->geos;
    if (!apps->n) return gm_error(ctx, GM_ERR_USAGE, "no application to check");
    box[0] = box[1] = 1e300;
    box[2] = box[3] = -1e300;
    for (size_t i = 0; i < apps->n; i++) {
        double x0, y0, x1, y1;
        GEOSGeom_getXMin_r(h, apps->items[i].geom, &x0);
        GEOSGeom_getYMin_r(h, apps->items[i].geom, &y0);
        GEOSGeom_getXMax_r(h, apps->items[i].geom, &x1);
        GEOSGeom_getYMax_r(h, apps->items[i].geom, &y1);
        box[0] = fmin(box[0], x0), box[1] = fmin(box[1], y0);
        box[2] = fmax(box[2], x1), box[3] = fmax(box[3], y1);
    }
    /* Generous: >= 110.5 km per degree of latitude, 111.3 km cos(lat) of longitude. */
    double dlat = margin_m / 110500.0 * 1.02 + 1e-6;
    double lat = fmax(fabs(box[1] - dlat), fabs(box[3] + dlat));
    double dlon =
        margin_m / (111300.0 * cos(fmin(lat, 89.0) * 3.14159265358979323846 / 180)) * 1.02 + 1e-6;
    box[0] -= dlon, box[2] += dlon, box[1] -= dlat, box[3] += dlat;
    return GM_OK;
}
