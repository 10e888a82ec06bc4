/*
 * applications.c -- reading applications for `check`: OGR datasets (through
 * the loader), WKT/GeoJSON text, and corner-point files (corners.c parses the
 * text; here the zone prefix or --crs becomes a CRS, coordinates are checked
 * against the zone, rings are closed, nested and repaired, and everything is
 * transformed to CGCS2000 lon/lat).
 */
#include "core/context_impl.h"
#include "core/crs.h"
#include "core/normalise.h"
#include "core/text.h"
#include "io/corners.h"
#include "io/crs.h"
#include "io/gdal.h"

#include <greenmine/applications.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <geodesic.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <proj.h>

#include <math.h>
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
        free(a->crs), free(a->operation), free(a->datum_note);
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
    if (!gm_in_china(e.MinX, e.MinY, e.MaxX, e.MaxY))
        return gm_error(ctx, GM_ERR_GEOMETRY,
                        "%s: lies at lon %.4f..%.4f, lat %.4f..%.4f from %s, outside China: wrong "
                        "--crs, or X and Y swapped?",
                        label, e.MinX, e.MaxX, e.MinY, e.MaxY, crs);
    return GM_OK;
}

static void operation_info(OGRSpatialReferenceH srs, double x, double y, gm_application *a);

/* ---- WKT / GeoJSON on the command line --------------------------------- */

static int add_text(gm_context *ctx, gm_applications *apps, const char *arg,
                    const gm_application_options *opts)
{
    char id[32], label[96];
    snprintf(id, sizeof id, "arg%zu", apps->n + 1);
    snprintf(label, sizeof label, "application %s (command-line %s)", id,
             arg[0] == '{' ? "GeoJSON" : "WKT");
    const char *crs = opts && opts->crs ? opts->crs : GM_CRS_CGCS2000;
    OGRGeometryH g = NULL;
    if (arg[0] == '{') {
        g = OGR_G_CreateGeometryFromJson(arg);
    } else {
        char *p = (char *)arg;
        CPLPushErrorHandler(CPLQuietErrorHandler);
        OGR_G_CreateFromWkt(&p, NULL, &g);
        CPLPopErrorHandler();
        while (g && p && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
            p++;
        if (g && p && *p) { /* "POLYGON((...)) junk": the user meant something else */
            OGR_G_DestroyGeometry(g);
            char *shown = gm_term_escape(p);
            int rc = gm_error(ctx, GM_ERR_USAGE, "%s: text after the geometry: '%.40s'", label,
                              shown ? shown : "?");
            free(shown);
            return rc;
        }
    }
    if (!g) return gm_error(ctx, GM_ERR_USAGE, "%s: not a readable geometry", label);
    int rc = GM_OK;
    /* Without --crs the text is CGCS2000 lon/lat already: no transformation
     * to make (PROJ's would be a no-op; making it costs more than the check
     * of a small application in greenmine serve). */
    int as_is = !(opts && opts->crs);
    OGRSpatialReferenceH srs = as_is ? NULL : gm_crs_from_user(crs);
    OGRCoordinateTransformationH ct = srs ? gm_crs_to_cgcs2000(srs, 0) : NULL;
    if (!ct && !as_is) {
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
    OGREnvelope env;
    OGR_G_GetEnvelope(g, &env); /* a corner in the source CRS, for PROJ's operation */
    if (!as_is && OGR_G_Transform(g, ct) != OGRERR_NONE) {
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
    if (rc == GM_OK && opts && opts->crs) { /* --crs: say which datum change PROJ made */
        gm_application *ap = &apps->items[apps->n - 1];
        char buf[300];
        snprintf(buf, sizeof buf, "%s (--crs)", crs);
        ap->crs = gm_strdup(buf);
        operation_info(srs, env.MinX, env.MinY, ap);
        if (ap->datum_note) gm_log(ctx, GM_LOG_WARNING, "%s: %s", label, ap->datum_note);
    }
done:
    if (ct) OCTDestroyCoordinateTransformation(ct);
    if (srs) OSRDestroySpatialReference(srs);
    OGR_G_DestroyGeometry(g);
    return rc;
}

/* ---- corner-point files -------------------------------------------------- */

/* strcasestr without _GNU_SOURCE: ASCII case-insensitive containment. */
static int ci_contains(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; *s; s++)
        if (strncasecmp(s, needle, n) == 0) return 1;
    return 0;
}

typedef struct corner_crs {
    OGRSpatialReferenceH srs;
    char label[800];         /* "EPSG:4525 (CGCS2000 3-degree zone 37, CM 111E; ...)" */
    double lon_min, lon_max; /* where its corners may lie */
    double add_prefix;       /* added to every Y (a 带号 line for unprefixed Y) */
} corner_crs;

/* The datums corner files name in 坐标系=, with their EPSG codes: geographic,
 * 3-degree Gauss-Kruger zone 25 with prefix, 6-degree zone 13 with prefix. */
typedef struct datum_codes {
    const char *name;
    int geog, gk3_25, gk6_13;
} datum_codes;

enum { D_CGCS2000, D_XIAN1980, D_BEIJING1954, D_WGS84 };
static const datum_codes datums[] = {{"CGCS2000", GM_CRS_CGCS2000_EPSG, 4513, 4491},
                                     {"Xian 1980", 4610, 2349, 2327},
                                     {"Beijing 1954", 4214, 2401, 21413},
                                     {"WGS 84", 4326, 0, 0}};

/* "2000国家大地坐标系", "CGCS2000" / "1980西安坐标系", "西安80", "80国家大地坐标系" /
 * "1954北京坐标系", "北京54" / "WGS84". -1 = none of them. */
static int datum_of(const char *name)
{
    if (strstr(name, "新")) return -1; /* 新1954: no EPSG datum */
    if (strstr(name, "2000") || ci_contains(name, "CGCS")) return D_CGCS2000;
    if (strstr(name, "西安") || strstr(name, "80") || ci_contains(name, "xian")) return D_XIAN1980;
    if (strstr(name, "北京") || strstr(name, "54") || ci_contains(name, "beijing"))
        return D_BEIJING1954;
    if (ci_contains(name, "WGS")) return D_WGS84;
    return -1;
}

static OGRSpatialReferenceH srs_epsg(int code)
{
    char text[32];
    snprintf(text, sizeof text, "EPSG:%d", code);
    return gm_crs_from_user(text);
}

static int zone_width_of(int zone)
{
    return zone >= 25 && zone <= 45 ? 3 : zone >= 13 && zone <= 23 ? 6 : 0;
}

/* The prefixed Gauss-Kruger CRS of `zone` on datum d. */
static int zone_crs(gm_context *ctx, const char *name, int zone, int width, int line, int d,
                    corner_crs *c, const char *why)
{
    if (!zone_width_of(zone) || zone_width_of(zone) != width)
        return gm_error(ctx, GM_ERR_GEOMETRY,
                        "%s line %d: zone %d is not a %sGauss-Kruger zone (3-degree 25-45, "
                        "6-degree 13-23): wrong coordinates, or X and Y swapped?",
                        name, line, zone,
                        zone_width_of(zone) ? (width == 3 ? "3-degree " : "6-degree ") : "");
    double cm = width == 3 ? 3.0 * zone : 6.0 * zone - 3.0;
    c->lon_min = cm - width / 2.0 - GM_ZONE_MARGIN_DEG;
    c->lon_max = cm + width / 2.0 + GM_ZONE_MARGIN_DEG;
    const datum_codes *dc = &datums[d];
    int epsg = width == 3 ? (dc->gk3_25 ? dc->gk3_25 + zone - 25 : 0)
                          : (dc->gk6_13 ? dc->gk6_13 + zone - 13 : 0);
    char code[32] = "";
    if (epsg) {
        c->srs = srs_epsg(epsg);
        snprintf(code, sizeof code, "EPSG:%d", epsg);
    } else { /* no EPSG code (WGS 84 Gauss-Kruger): the same projection, built */
        c->srs = srs_epsg(dc->geog);
        if (c->srs) OSRSetTM(c->srs, 0, cm, 1.0, zone * 1e6 + 500000.0, 0);
        snprintf(code, sizeof code, "%s TM", dc->name);
    }
    if (!c->srs) return gm_error(ctx, GM_ERR_CRS, "%s: PROJ does not know %s", name, code);
    snprintf(c->label, sizeof c->label, "%s (%s %d-degree Gauss-Kruger zone %d, CM %.0fE; %s)",
             code, dc->name, width, zone, cm, why);
    return GM_OK;
}

/* The datum the file states, if any: -1 none, -2 one greenmine does not know. */
static int stated_datum(const gm_corner_file *f)
{
    if (!f->crs_name[0]) return -1;
    int d = datum_of(f->crs_name);
    return d >= 0 ? d : f->crs_title_line ? -1 : -2; /* a title naming no datum states none */
}

/* Where the file states its datum: "line 3: 坐标系=1980西安坐标系". */
static void stated_where(const gm_corner_file *f, char *buf, size_t len)
{
    if (f->crs_title_line)
        snprintf(buf, len, "line %d: the title '%.80s'", f->crs_title_line, f->crs_name);
    else
        snprintf(buf, len, "line %d: 坐标系=%s", f->crs_line, f->crs_name);
}

/* --crs against what the file states: the datum, the zone (prefix or 带号). */
static int crs_option(gm_context *ctx, const char *name, const gm_corner_file *f, int declared,
                      int zone, int zone_line, const char *crs, corner_crs *c)
{
    c->srs = gm_crs_from_user(crs);
    if (!c->srs) return gm_error(ctx, GM_ERR_CRS, "--crs %s: not a CRS PROJ knows", crs);
    int projected = OSRIsProjected(c->srs);
    if (f->geographic == projected)
        return gm_error(ctx, GM_ERR_USAGE,
                        "--crs %s is %s, but %s holds %s: give a %s CRS, or none", crs,
                        projected ? "projected" : "geographic", name,
                        f->geographic ? "latitudes and longitudes" : "projected X/Y in metres",
                        f->geographic ? "geographic" : "projected");
    if (declared >= 0) {
        OGRSpatialReferenceH want = srs_epsg(datums[declared].geog);
        int same = want && OSRIsSameGeogCS(c->srs, want);
        if (want) OSRDestroySpatialReference(want);
        char where[300];
        stated_where(f, where, sizeof where);
        if (!same)
            return gm_error(ctx, GM_ERR_USAGE, "--crs %s (datum %s) conflicts with %s %s (%s)", crs,
                            OSRGetAttrValue(c->srs, "DATUM", 0), name, where,
                            datums[declared].name);
    }
    double w, s, e, n;
    const char *area = NULL;
    c->lon_min = 70, c->lon_max = 140;
    if (OSRGetAreaOfUse(c->srs, &w, &s, &e, &n, &area) && w > -1000) {
        c->lon_min = w - GM_ZONE_MARGIN_DEG;
        c->lon_max = e + GM_ZONE_MARGIN_DEG;
    }
    snprintf(c->label, sizeof c->label, "%s (--crs)", crs);
    int z = zone ? zone : f->zone;
    if (f->geographic || !z) return GM_OK;
    int width = zone ? zone_width_of(zone) : (f->zone_width == 6 ? 6 : 3);
    double zcm = width == 3 ? 3.0 * z : 6.0 * z - 3.0;
    double cm = OSRGetProjParm(c->srs, SRS_PP_CENTRAL_MERIDIAN, -999, NULL);
    double fe = OSRGetProjParm(c->srs, SRS_PP_FALSE_EASTING, -999, NULL);
    int cm_ok = fabs(cm - zcm) < 1e-9;
    if (cm_ok && fabs(fe - (z * 1e6 + 500000.0)) < 1) {
        c->add_prefix = zone ? 0 : z * 1e6; /* a prefixed CRS: give 带号 eastings the prefix */
        return GM_OK;
    }
    if (cm_ok && fabs(fe - 500000.0) < 1) {
        c->add_prefix = zone ? -z * 1e6 : 0; /* an unprefixed CRS: drop the prefix */
        return GM_OK;
    }
    char where[64];
    if (zone)
        snprintf(where, sizeof where, "line %d: the eastings' zone prefix %d", zone_line, zone);
    else
        snprintf(where, sizeof where, "带号=%d", z);
    return gm_error(ctx, GM_ERR_USAGE,
                    "--crs %s (central meridian %gE, false easting %.0f) conflicts with %s %s "
                    "(%d-degree zone, central meridian %gE)",
                    crs, cm, fe, name, where, width, zcm);
}

/* Decides the CRS. Stated beats guessed: --crs and 坐标系= say the datum and
 * must agree; the zone comes from the eastings' prefix or 带号 (and must
 * agree with --crs); CGCS2000 is assumed only when nothing names a datum. */
static int decide_crs(gm_context *ctx, const char *name, const gm_corner_file *f,
                      const gm_application_options *opts, corner_crs *c)
{
    int declared = stated_datum(f);
    const char *crs = opts ? opts->crs : NULL;
    if (declared == -2 && !crs)
        return gm_error(ctx, GM_ERR_CRS,
                        "%s line %d: 坐标系=%s is none of CGCS2000, Xian 1980, Beijing 1954, WGS "
                        "84: give --crs",
                        name, f->crs_line, f->crs_name);
    char datum_why[400];
    if (declared >= 0) {
        char where[300];
        stated_where(f, where, sizeof where);
        snprintf(datum_why, sizeof datum_why, "datum from %s", where);
    } else
        snprintf(datum_why, sizeof datum_why, "CGCS2000 assumed: the file names no 坐标系");
    if (f->geographic) {
        if (crs) return crs_option(ctx, name, f, declared, 0, 0, crs, c);
        int d = declared >= 0 ? declared : D_CGCS2000;
        c->srs = srs_epsg(datums[d].geog);
        c->lon_min = 70, c->lon_max = 140;
        snprintf(c->label, sizeof c->label, "EPSG:%d (%s latitude/longitude; %s)", datums[d].geog,
                 datums[d].name, datum_why);
        return c->srs ? GM_OK
                      : gm_error(ctx, GM_ERR_CRS, "PROJ does not know EPSG:%d", datums[d].geog);
    }
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
    if (zone && f->zone && f->zone != zone)
        return gm_error(ctx, GM_ERR_GEOMETRY,
                        "%s: the file states 带号=%d but the eastings carry zone %d", name, f->zone,
                        zone);
    if (zone && f->zone_width && zone_width_of(zone) && f->zone_width != zone_width_of(zone))
        return gm_error(
            ctx, GM_ERR_GEOMETRY,
            "%s: the file states 几度分带=%d but the eastings' zone prefix %d (line %d) "
            "is a %d-degree zone",
            name, f->zone_width, zone, zone_line, zone_width_of(zone));
    if (crs) return crs_option(ctx, name, f, declared, zone, zone_line, crs, c);
    int d = declared >= 0 ? declared : D_CGCS2000;
    char why[500];
    if (zone) {
        snprintf(why, sizeof why, "zone from the eastings' prefix, %s", datum_why);
        return zone_crs(ctx, name, zone, zone_width_of(zone), zone_line, d, c, why);
    }
    if (f->zone) {
        int width = f->zone_width == 6 ? 6 : 3;
        int z = f->zone;
        /* 带号 with 3-degree numbering is 25-45, 6-degree 13-23. */
        if (zone_width_of(z) != width)
            return gm_error(ctx, GM_ERR_GEOMETRY, "%s: 带号=%d is not a %d-degree zone", name, z,
                            width);
        c->add_prefix = z * 1e6;
        snprintf(why, sizeof why, "zone from 带号, %s", datum_why);
        return zone_crs(ctx, name, z, width, 0, d, c, why);
    }
    return gm_error(ctx, GM_ERR_CRS,
                    "%s: the eastings (Y) carry no zone prefix and the file states no 带号: give "
                    "--crs (e.g. EPSG:4546, CGCS2000 3-degree CM 111E without prefix%s)",
                    name, declared == D_XIAN1980 ? "; EPSG:2382 for Xian 1980" : "");
}

/* Which operation PROJ applies from `srs` to CGCS2000 lon/lat at (x, y) (the
 * CRS's own easting/northing or lon/lat), whether it is a ballpark one (a
 * datum change without any shift), and its stated accuracy. */
static void operation_info(OGRSpatialReferenceH srs, double x, double y, gm_application *a)
{
    a->accuracy_m = -1;
    char *wkt = NULL;
    const char *wopts[] = {"FORMAT=WKT2_2019", NULL};
    if (OSRExportToWktEx(srs, &wkt, wopts) != OGRERR_NONE) {
        CPLFree(wkt);
        return;
    }
    PJ_CONTEXT *pc = proj_context_create();
    PJ *src = proj_create(pc, wkt), *dst = proj_create(pc, GM_CRS_CGCS2000);
    PJ *op = src && dst ? proj_create_crs_to_crs_from_pj(pc, src, dst, NULL, NULL) : NULL;
    PJ *norm = op ? proj_normalize_for_visualization(pc, op) : NULL;
    if (norm) {
        proj_trans(norm, PJ_FWD, proj_coord(x, y, 0, 0));
        PJ *used = proj_trans_get_last_used_operation(norm);
        PJ *which = used ? used : norm;
        const char *nm = proj_get_name(which);
        a->operation = gm_strdup(nm ? nm : "?");
        a->ballpark = proj_coordoperation_has_ballpark_transformation(pc, which) == 1;
        a->accuracy_m = proj_coordoperation_get_accuracy(pc, which);
        if (used) proj_destroy(used);
    }
    proj_destroy(norm), proj_destroy(op), proj_destroy(src), proj_destroy(dst);
    proj_context_destroy(pc);
    CPLFree(wkt);
    if (a->ballpark) {
        char buf[700];
        const char *datum = OSRGetAttrValue(srs, "GEOGCS", 0);
        snprintf(buf, sizeof buf,
                 "the datum change %s -> CGCS2000 is only PROJ's ballpark transformation (no "
                 "transformation with parameters or grid is installed; PROJ applies no datum "
                 "shift, its accuracy unknown, PROJ's documentation: errors of up to a few "
                 "hundred metres): the position, and with it overlaps and distances, may be off "
                 "by that much",
                 datum ? datum : "?");
        a->datum_note = gm_strdup(buf);
    }
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
                          GEOSGeometry ***polys, size_t *n_polys, int *hole)
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
        if (hole) hole[r] = 1;
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

/* The plane area (m²) of a ring in the file's X/Y; offset to its first point
 * so that 8-digit eastings lose no precision. */
static double ring_plane_area(const gm_corner_ring *r)
{
    double a = 0, x0 = r->x[0], y0 = r->y[0];
    for (size_t k = 0; k < r->n; k++) {
        size_t j = (k + 1) % r->n;
        a += (r->y[k] - y0) * (r->x[j] - x0) - (r->y[j] - y0) * (r->x[k] - x0);
    }
    return fabs(a) / 2;
}

/* The ring's area (m²) on its CRS's own ellipsoid: the plane's straight edges
 * densified to 20 m and taken to the CRS's own latitude/longitude (no datum
 * change); for a file in degrees, its points as they are. */
static double ring_ellipsoid_area(const gm_corner_ring *r, double add,
                                  OGRCoordinateTransformationH to_geog,
                                  const struct geod_geodesic *g, int geographic)
{
    struct geod_polygon poly;
    geod_polygon_init(&poly, 0);
    for (size_t k = 0; k < r->n; k++) {
        size_t j = (k + 1) % r->n;
        if (geographic) {
            geod_polygon_addpoint(g, &poly, r->x[k], r->y[k]);
            continue;
        }
        double len = hypot(r->x[j] - r->x[k], r->y[j] - r->y[k]);
        int steps = (int)ceil(len / 20.0);
        steps = steps < 1 ? 1 : steps;
        for (int s = 0; s < steps; s++) {
            double t = (double)s / steps;
            double e = r->y[k] + (r->y[j] - r->y[k]) * t + add;
            double n = r->x[k] + (r->x[j] - r->x[k]) * t;
            int ok = 0;
            if (OCTTransformEx(to_geog, 1, &e, &n, NULL, &ok) && ok)
                geod_polygon_addpoint(g, &poly, n, e);
        }
    }
    double area = 0, perimeter = 0;
    geod_polygon_compute(g, &poly, 0, 1, &area, &perimeter);
    return fabs(area);
}

/* The exchange form's own checks: a block's header states its 界址点数 (its
 * coordinate lines, closing repeats included) and 地块面积 (ha); both must
 * match, the area within the rounding the header uses, as the plane area of
 * the file's projection or the area on its ellipsoid. */
static int check_block(gm_context *ctx, const char *name, const gm_corner_file *f, size_t b,
                       const corner_crs *c, OGRCoordinateTransformationH to_geog,
                       const struct geod_geodesic *g, const int *hole)
{
    const gm_corner_block *blk = &f->blocks[b];
    char label[200];
    snprintf(label, sizeof label, "block %zu%s%s%s", b + 1, blk->name && blk->name[0] ? " (" : "",
             blk->name && blk->name[0] ? blk->name : "", blk->name && blk->name[0] ? ")" : "");
    if (blk->stated_points >= 0 && (size_t)blk->stated_points != blk->point_lines)
        return gm_error(ctx, GM_ERR_GEOMETRY,
                        "%s line %d: %s: the header states 界址点数 %ld, but the block has %zu "
                        "coordinate lines (lines %d-%d): a line missing, or one too many?",
                        name, blk->header_line, label, blk->stated_points, blk->point_lines,
                        blk->line, blk->last_line);
    if (blk->stated_area_ha < 0) return GM_OK;
    double plane = 0, ell = 0;
    for (size_t r = 0; r < blk->n_rings; r++) {
        double sign = hole && hole[r] ? -1 : 1;
        if (!f->geographic) plane += sign * ring_plane_area(&blk->rings[r]);
        if (to_geog || f->geographic)
            ell += sign *
                   ring_ellipsoid_area(&blk->rings[r], c->add_prefix, to_geog, g, f->geographic);
    }
    plane /= 1e4, ell /= 1e4;
    int dec = blk->area_decimals;
    double tol = 0.5 * pow(10.0, -dec) * (1 + 1e-9) + 1e-9 * blk->stated_area_ha;
    double stated = blk->stated_area_ha;
    if ((!f->geographic && fabs(plane - stated) <= tol) || fabs(ell - stated) <= tol) return GM_OK;
    int shown = dec + 2 > 4 ? dec + 2 : 4;
    const char *datum = OSRGetAttrValue(c->srs, "DATUM", 0);
    if (f->geographic)
        return gm_error(ctx, GM_ERR_GEOMETRY,
                        "%s line %d: %s: the header states 地块面积 %.*f ha, but its points "
                        "enclose %.*f ha on the %s ellipsoid: a point missing or mistyped?",
                        name, blk->header_line, label, dec, stated, shown, ell,
                        datum ? datum : "?");
    return gm_error(ctx, GM_ERR_GEOMETRY,
                    "%s line %d: %s: the header states 地块面积 %.*f ha, but its points enclose "
                    "%.*f ha in the Gauss-Kruger plane (%.*f ha on the %s ellipsoid): a point "
                    "missing or mistyped?",
                    name, blk->header_line, label, dec, stated, shown, plane, shown, ell,
                    datum ? datum : "?");
}

/* Through GDAL's VSI, so that a server's upload in /vsimem/ reads like a file. */
static int read_file(gm_context *ctx, const char *path, char **text, size_t *len)
{
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (!fp) return gm_error(ctx, GM_ERR_OPEN, "%s: cannot open: no such file?", path);
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *p = realloc(buf, cap);
            if (!p) {
                VSIFCloseL(fp);
                free(buf);
                return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            }
            buf = p;
        }
        size_t got = VSIFReadL(buf + n, 1, 4096, fp);
        n += got;
        if (got < 4096) break;
    }
    VSIFCloseL(fp);
    buf[n] = '\0';
    *text = buf, *len = n;
    return GM_OK;
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

    char *bytes = NULL, *text = NULL;
    size_t len = 0;
    int rc = read_file(ctx, path, &bytes, &len);
    if (rc != GM_OK) return rc;
    const char *enc = opts && opts->encoding ? opts->encoding
                      : opts && opts->load   ? opts->load->encoding
                                             : NULL;
    char used[64];
    rc = gm_corners_decode(ctx, bytes, len, enc, path, used, sizeof used, &text);
    free(bytes);
    if (rc != GM_OK) return rc;

    gm_corner_file *f = NULL;
    corner_crs c = {0};
    OGRCoordinateTransformationH ct = NULL, to_geog = NULL;
    OGRSpatialReferenceH geog = NULL;
    GEOSGeometry **polys = NULL, *plane = NULL, *geo = NULL;
    size_t n_polys = 0;
    int *hole = NULL;
    char *note = NULL;
    gm_corners_options po = {.angles = opts ? (gm_angle_format)opts->angles : GM_ANGLES_UNSTATED};
    rc = gm_corners_parse_opts(ctx, text, path, &po, &f);
    free(text);
    /* Not UTF-8: say how it was read, in case that was the wrong guess. */
    char how[96] = "";
    if (strcmp(used, "UTF-8") != 0) snprintf(how, sizeof how, " (the file read as %s)", used);
    if (rc == GM_OK) rc = decide_crs(ctx, path, f, opts, &c);
    if (rc != GM_OK) {
        if (how[0]) {
            char msg[1200];
            snprintf(msg, sizeof msg, "%s", gm_context_errmsg(ctx));
            rc = gm_error(ctx, rc, "%s%s", msg, how);
        }
        goto done;
    }
    if (f->geographic && f->angles) {
        size_t l = strlen(c.label);
        snprintf(c.label + l, sizeof c.label - l, "; degrees read as %s: %s",
                 f->angles == GM_ANGLES_PACKED ? "ddd.mmss" : "decimal degrees", f->angles_why);
    }
    if (!(ct = gm_crs_to_cgcs2000(c.srs, 0))) {
        rc = gm_error(ctx, GM_ERR_CRS, "%s: PROJ cannot transform %s to CGCS2000", path, c.label);
        goto done;
    }
    /* Every corner must lie in its zone (or the --crs's area, or China for
     * degrees): a wrong zone or swapped axes land elsewhere. */
    for (size_t b = 0; b < f->n_blocks; b++)
        for (size_t r = 0; r < f->blocks[b].n_rings; r++) {
            const gm_corner_ring *ring = &f->blocks[b].rings[r];
            for (size_t k = 0; k < ring->n; k++) {
                double lon, lat;
                if (f->geographic && ring->x[k] > 60 && ring->y[k] <= 60) {
                    rc = gm_error(ctx, GM_ERR_GEOMETRY,
                                  "%s line %d: %.6f in the latitude column and %.6f in the "
                                  "longitude column: swapped? (latitude comes first, like X)",
                                  path, ring->line[k], ring->x[k], ring->y[k]);
                    goto done;
                }
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
    /* The file's own ellipsoid, for the areas its headers state. */
    struct geod_geodesic g;
    OGRErr e1 = OGRERR_NONE, e2 = OGRERR_NONE;
    double a = OSRGetSemiMajor(c.srs, &e1), invf = OSRGetInvFlattening(c.srs, &e2);
    geod_init(&g, a, invf > 0 ? 1.0 / invf : 0.0);
    if (!f->geographic && (geog = OSRCloneGeogCS(c.srs))) {
        OSRSetAxisMappingStrategy(geog, OAMS_TRADITIONAL_GIS_ORDER);
        CPLPushErrorHandler(CPLQuietErrorHandler);
        to_geog = OCTNewCoordinateTransformation(c.srs, geog);
        CPLPopErrorHandler();
    }
    for (size_t b = 0; b < f->n_blocks; b++) {
        free(hole);
        hole = calloc(f->blocks[b].n_rings + 1, sizeof *hole);
        if (!hole) {
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            goto done;
        }
        if ((rc = block_polygons(ctx, path, &f->blocks[b], c.add_prefix, &polys, &n_polys, hole)) !=
            GM_OK)
            goto done;
        if ((rc = check_block(ctx, path, f, b, &c, to_geog, &g, hole)) != GM_OK) goto done;
    }
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
        if (f->geographic)
            snprintf(buf, sizeof buf, "%s at latitude %.7f, longitude %.7f",
                     reason ? reason : "invalid", nn, e);
        else
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
    char label[1200];
    snprintf(label, sizeof label, "%s [%s]", path, c.label);
    rc = finish(ctx, apps, label, gm_strdup(id), geo, note);
    geo = NULL;
    note = NULL;
    if (rc == GM_OK) {
        gm_application *ap = &apps->items[apps->n - 1];
        ap->crs = gm_strdup(c.label);
        const gm_corner_ring *r0 = &f->blocks[0].rings[0];
        operation_info(c.srs, r0->y[0] + c.add_prefix, r0->x[0], ap);
        if (ap->datum_note) gm_log(ctx, GM_LOG_WARNING, "%s: %s", path, ap->datum_note);
    }
done:
    for (size_t k = 0; k < n_polys; k++)
        GEOSGeom_destroy_r(h, polys[k]);
    free(polys);
    free(hole);
    if (plane) GEOSGeom_destroy_r(h, plane);
    if (geo) GEOSGeom_destroy_r(h, geo);
    free(note);
    if (ct) OCTDestroyCoordinateTransformation(ct);
    if (to_geog) OCTDestroyCoordinateTransformation(to_geog);
    if (geog) OSRDestroySpatialReference(geog);
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
    gm_gdal_register();
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
