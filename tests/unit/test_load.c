/*
 * test_load.c -- reading layers through OGR: CRSs (Gauss-Kruger with zone
 * prefix, EPSG:4490's axis order), GBK shapefiles, curves, Z, and every kind of
 * bad input. Fixtures are written by the test itself with OGR into the build
 * tree, from lon/lat geometry whose area is known in closed form.
 */
#include "testutil.h"

#include "core/context_impl.h"

#include <greenmine/analysis.h>
#include <greenmine/area.h>
#include <greenmine/load.h>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <sys/stat.h>
#include <unistd.h>

static gm_context *ctx;

typedef struct row {
    const char *wkt; /* in lon/lat; NULL = no geometry */
    const char *values[8];
} row;

/* Writes a one-layer dataset. Geometries given in lon/lat are transformed to
 * `epsg` (traditional GIS order) before writing. lco: layer creation options. */
static void write_layer(const char *path, const char *driver, int epsg, OGRwkbGeometryType type,
                        const char *const *fields, const row *rows, size_t n, char **lco)
{
    GDALAllRegister();
    unlink(path);
    GDALDriverH drv = GDALGetDriverByName(driver);
    GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(ds);
    OGRSpatialReferenceH srs = NULL, ll = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(ll, 4490);
    OSRSetAxisMappingStrategy(ll, OAMS_TRADITIONAL_GIS_ORDER);
    if (epsg) {
        srs = OSRNewSpatialReference(NULL);
        OSRImportFromEPSG(srs, epsg);
        OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    }
    OGRLayerH l = GDALDatasetCreateLayer(ds, "layer", srs, type, lco);
    assert_non_null(l);
    size_t nf = 0;
    for (; fields[nf]; nf++) {
        OGRFieldDefnH fd = OGR_Fld_Create(fields[nf], OFTString);
        OGR_L_CreateField(l, fd, TRUE);
        OGR_Fld_Destroy(fd);
    }
    OGRCoordinateTransformationH ct =
        srs && epsg != 4490 ? OCTNewCoordinateTransformation(ll, srs) : NULL;
    for (size_t i = 0; i < n; i++) {
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
        for (size_t k = 0; k < nf; k++)
            if (rows[i].values[k]) OGR_F_SetFieldString(f, (int)k, rows[i].values[k]);
        if (rows[i].wkt) {
            OGRGeometryH g = NULL;
            char *text = (char *)rows[i].wkt;
            assert_int_equal(OGR_G_CreateFromWkt(&text, NULL, &g), OGRERR_NONE);
            if (ct) assert_int_equal(OGR_G_Transform(g, ct), OGRERR_NONE);
            OGR_F_SetGeometryDirectly(f, g);
        }
        assert_int_equal(OGR_L_CreateFeature(l, f), OGRERR_NONE);
        OGR_F_Destroy(f);
    }
    if (ct) OCTDestroyCoordinateTransformation(ct);
    if (srs) OSRDestroySpatialReference(srs);
    OSRDestroySpatialReference(ll);
    GDALClose(ds);
}

static const char *tmp(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    mkdir(GM_TEST_TMP, 0777);
    snprintf(buf[k], sizeof buf[k], "%s/%s", GM_TEST_TMP, name);
    return buf[k];
}

static int setup(void **state)
{
    (void)state;
    return gm_context_new(&ctx);
}

static int teardown(void **state)
{
    (void)state;
    gm_context_free(ctx);
    return 0;
}

static const char *mine_fields[] = {"mine_id", "scale", NULL};

static int load(gm_inputs **in, gm_layer_kind kind, const char *src, const gm_load_options *o)
{
    assert_int_equal(gm_inputs_new(in), GM_OK);
    return gm_load_layer(ctx, *in, kind, src, o);
}

/* A mine stored in CGCS2000 3-degree GK zone 38 (eastings with the "38"
 * prefix), 1.35 degrees west of the central meridian: its area is the
 * geodesic one, not the planar one, which is 5e-4 too large there. */
static void test_gauss_kruger_area_is_geodesic(void **state)
{
    (void)state;
    char *w = rect_wkt(112.60, 27.00, 112.70, 27.05, 0.0005);
    row rows[] = {{w, {"C1", "大型"}}};
    const char *path = tmp("gk38.gpkg");
    write_layer(path, "GPKG", 4526, wkbPolygon, mine_fields, rows, 1, NULL);
    free(w);
    gm_inputs *in;
    assert_int_equal(load(&in, GM_LAYER_MINES, path, NULL), GM_OK);
    assert_int_equal(in->n_mines, 1);
    assert_string_equal(in->crs[GM_LAYER_MINES], "EPSG:4526");
    double expected = band_area_m2(112.60, 27.00, 112.70, 27.05);
    assert_rel(gm_geodesic_area_m2(ctx->geos, in->mines[0].geom), expected, 1e-8);

    /* the planar shortcut in the source CRS is far outside the tolerance */
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    OGRFeatureH f = OGR_L_GetNextFeature(GDALDatasetGetLayer(ds, 0));
    double planar = OGR_G_Area(OGR_F_GetGeometryRef(f));
    assert_true(fabs(planar - expected) / expected > 1e-4);
    OGR_F_Destroy(f);
    GDALClose(ds);
    gm_inputs_free(ctx, in);
}

/* EPSG:4490 declares latitude first; data are stored longitude first and must
 * come out as x = longitude. */
static void test_epsg4490_axis_order(void **state)
{
    (void)state;
    row rows[] = {{"POLYGON((112 28,112.01 28,112.01 28.01,112 28.01,112 28))", {"Z1", "浏阳市"}}};
    const char *fields[] = {"BH", "MC", NULL};
    const char *formats[][2] = {{"zones4490.gpkg", "GPKG"},
                                {"zones4490.geojson", "GeoJSON"},
                                {"zones4490.shp", "ESRI Shapefile"}};
    for (int i = 0; i < 3; i++) {
        const char *path = tmp(formats[i][0]);
        char *utf8[] = {"ENCODING=UTF-8", NULL};
        write_layer(path, formats[i][1], 4490, wkbPolygon, fields, rows, 1, i == 2 ? utf8 : NULL);
        gm_inputs *in;
        assert_int_equal(load(&in, GM_LAYER_ZONES, path, NULL), GM_OK);
        assert_int_equal(in->n_zones, 1);
        double x, y;
        GEOSGeometry *c = GEOSGetCentroid_r(ctx->geos, in->zones[0].geom);
        GEOSGeomGetX_r(ctx->geos, c, &x);
        GEOSGeomGetY_r(ctx->geos, c, &y);
        assert_rel(x, 112.005,
                   1e-7); /* geodesic densification moves the planar centroid by ~6e-8 deg */
        assert_rel(y, 28.005,
                   1e-7); /* geodesic densification moves the planar centroid by ~6e-8 deg */
        assert_string_equal(in->zones[0].name, "浏阳市");
        GEOSGeom_destroy_r(ctx->geos, c);
        gm_inputs_free(ctx, in);
    }
}

/* GBK shapefiles: with a .cpg, and with none at all (read as GBK). */
static void test_gbk_shapefile(void **state)
{
    (void)state;
    const char *fields[] = {"许可证号", "矿山名称", "规模", NULL};
    row rows[] = {{"POLYGON((112 28,112.01 28,112.01 28.01,112 28.01,112 28))",
                   {"C43001", "湘南煤矿", "中型"}}};
    char *lco[] = {"ENCODING=CP936", NULL};
    const char *path = tmp("gbk.shp");
    write_layer(path, "ESRI Shapefile", 4490, wkbPolygon, fields, rows, 1, lco);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) { /* no .cpg: the engine must still read GBK */
            assert_int_equal(unlink(tmp("gbk.cpg")), 0);
        }
        gm_inputs *in;
        int rc = load(&in, GM_LAYER_MINES, path, NULL);
        if (rc != GM_OK) fail_msg("pass %d: %s", pass, gm_context_errmsg(ctx));
        assert_string_equal(in->mines[0].mine_id, "C43001");
        assert_string_equal(in->mines[0].name, "湘南煤矿");
        assert_int_equal(in->mines[0].scale, GM_SCALE_MEDIUM);
        gm_inputs_free(ctx, in);
    }
    /* --encoding overrides: read as UTF-8 the GBK names are not found */
    gm_inputs *in;
    gm_load_options o = {.encoding = "UTF-8"};
    assert_int_equal(load(&in, GM_LAYER_MINES, path, &o), GM_ERR_FIELD);
    gm_inputs_free(ctx, in);
}

/* A circle of 500 m radius drawn as a CircularString in GK (at the central
 * meridian, where the scale factor is 1 to 3e-9): linearised finely enough to
 * keep pi r^2 within 1e-6 (OGR's default 4-degree step would be 8e-4 off). */
static void test_curves_linearised_finely(void **state)
{
    (void)state;
    const char *path = tmp("curve.gpkg");
    row rows[] = {{NULL, {"P1", "恢复治理", "已完成", "2018-05-01", "是"}}};
    const char *fields[] = {"TBBH", "LX", "ZT", "WCRQ", "LSYL", NULL};
    write_layer(path, "GPKG", 4546, wkbCurvePolygon, fields, rows, 1, NULL);
    /* add the curve geometry directly in the projected CRS (CM 111E) */
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    OGRFeatureH f = OGR_L_GetFeature(l, 1);
    OGRGeometryH g = NULL;
    char *text = "CURVEPOLYGON(CIRCULARSTRING(499500 3100000,500500 3100000,499500 3100000))";
    assert_int_equal(OGR_G_CreateFromWkt(&text, NULL, &g), OGRERR_NONE);
    OGR_F_SetGeometryDirectly(f, g);
    assert_int_equal(OGR_L_SetFeature(l, f), OGRERR_NONE);
    OGR_F_Destroy(f);
    GDALClose(ds);
    gm_inputs *in;
    assert_int_equal(load(&in, GM_LAYER_PARCELS, path, NULL), GM_OK);
    assert_int_equal(in->n_parcels, 1);
    assert_rel(gm_geodesic_area_m2(ctx->geos, in->parcels[0].geom), PI * 500.0 * 500.0, 1e-6);
    gm_inputs_free(ctx, in);
}

/* Z is dropped; an empty parcel is skipped and counted. */
static void test_z_dropped_and_empty_skipped(void **state)
{
    (void)state;
    const char *path = tmp("z.gpkg");
    const char *fields[] = {"TBBH", "LX", "ZT", "WCRQ", "LSYL", NULL};
    row rows[] = {
        {"POLYGON Z((112 28 5,112.01 28 5,112.01 28.01 7,112 28.01 5,112 28 5))",
         {"P1", "土地复垦", "completed", "2019-01-01", "0"}},
        {"POLYGON EMPTY", {"P2", "土地复垦", "completed", "2019-01-01", "0"}},
        {NULL, {"P3", "土地复垦", "completed", "2019-01-01", "0"}},
    };
    write_layer(path, "GPKG", 4490, wkbUnknown, fields, rows, 3, NULL);
    gm_inputs *in;
    assert_int_equal(load(&in, GM_LAYER_PARCELS, path, NULL), GM_OK);
    assert_int_equal(in->n_parcels, 1);
    assert_int_equal(in->empty[GM_LAYER_PARCELS], 2);
    assert_int_equal(in->features[GM_LAYER_PARCELS], 3);
    assert_int_equal(GEOSHasZ_r(ctx->geos, in->parcels[0].geom), 0);
    assert_rel(gm_geodesic_area_m2(ctx->geos, in->parcels[0].geom),
               band_area_m2(112, 28, 112.01, 28.01), 1e-3); /* straight chords, no densify */
    assert_int_equal(in->parcels[0].kind, GM_RECLAMATION);
    assert_int_equal(in->parcels[0].completed_on, 20190101);
    gm_inputs_free(ctx, in);
}

static void expect_error(const char *src, gm_layer_kind kind, int code, const char *needle)
{
    gm_inputs *in;
    int rc = load(&in, kind, src, NULL);
    if (rc != code) fail_msg("%s: expected %d, got %d (%s)", src, code, rc, gm_context_errmsg(ctx));
    if (!strstr(gm_context_errmsg(ctx), needle))
        fail_msg("message '%s' lacks '%s'", gm_context_errmsg(ctx), needle);
    gm_inputs_free(ctx, in);
}

static void test_bad_inputs(void **state)
{
    (void)state;
    expect_error(tmp("nope.gpkg"), GM_LAYER_MINES, GM_ERR_OPEN, "no such file");

    const char *pts = tmp("points.gpkg");
    row prow[] = {{"POINT(112 28)", {"C1", "small"}}};
    write_layer(pts, "GPKG", 4490, wkbPoint, mine_fields, prow, 1, NULL);
    expect_error(pts, GM_LAYER_MINES, GM_ERR_GEOMETRY, "points");

    /* a point among polygons in an untyped layer: the feature is named */
    const char *mixed = tmp("mixed.gpkg");
    row mrow[] = {{"POLYGON((112 28,112.01 28,112.01 28.01,112 28))", {"C1", "small"}},
                  {"POINT(112 28)", {"C2", "small"}}};
    write_layer(mixed, "GPKG", 4490, wkbUnknown, mine_fields, mrow, 2, NULL);
    expect_error(mixed, GM_LAYER_MINES, GM_ERR_GEOMETRY, "feature 2 (mine_id C2)");

    /* no CRS: a shapefile without its .prj */
    const char *noprj = tmp("noprj.shp");
    row nrow[] = {{"POLYGON((112 28,112.01 28,112.01 28.01,112 28))", {"C1", "small"}}};
    write_layer(noprj, "ESRI Shapefile", 4490, wkbPolygon, mine_fields, nrow, 1, NULL);
    unlink(tmp("noprj.prj"));
    expect_error(noprj, GM_LAYER_MINES, GM_ERR_CRS, "no CRS");

    /* a CRS PROJ cannot transform to CGCS2000 (an engineering CRS) */
    write_layer(noprj, "ESRI Shapefile", 4490, wkbPolygon, mine_fields, nrow, 1, NULL);
    FILE *prj = fopen(tmp("noprj.prj"), "w");
    fputs("LOCAL_CS[\"mine grid\",UNIT[\"metre\",1],AXIS[\"X\",EAST],AXIS[\"Y\",NORTH]]", prj);
    fclose(prj);
    expect_error(noprj, GM_LAYER_MINES, GM_ERR_CRS, "cannot transform");

    /* required field missing, named with its aliases */
    const char *nofield = tmp("nofield.gpkg");
    const char *fields[] = {"mine_id", NULL};
    write_layer(nofield, "GPKG", 4490, wkbPolygon, fields, nrow, 1, NULL);
    expect_error(nofield, GM_LAYER_MINES, GM_ERR_FIELD, "'scale'");

    /* no such layer */
    char src[600];
    snprintf(src, sizeof src, "%s:nolayer", nofield);
    expect_error(src, GM_LAYER_MINES, GM_ERR_OPEN, "no layer named 'nolayer'");

    /* X and Y swapped in a lon/lat file: lands outside China */
    const char *swapped = tmp("swapped.gpkg");
    row srow[] = {{"POLYGON((28 112,28.01 112,28.01 112.01,28 112))", {"C1", "small"}}};
    write_layer(swapped, "GPKG", 4490, wkbPolygon, mine_fields, srow, 1, NULL);
    expect_error(swapped, GM_LAYER_MINES, GM_ERR_GEOMETRY, "X and Y swapped");
}

/* PATH:LAYER picks a layer of a multi-layer source. */
static void test_path_layer_syntax(void **state)
{
    (void)state;
    const char *path = tmp("named.gpkg");
    row rows[] = {{"POLYGON((112 28,112.01 28,112.01 28.01,112 28))", {"C9", "大型"}}};
    write_layer(path, "GPKG", 4490, wkbPolygon, mine_fields, rows, 1, NULL);
    char src[600];
    snprintf(src, sizeof src, "%s:layer", path);
    gm_inputs *in;
    assert_int_equal(load(&in, GM_LAYER_MINES, src, NULL), GM_OK);
    assert_string_equal(in->mines[0].mine_id, "C9");
    assert_string_equal(in->layer[GM_LAYER_MINES], "layer");
    gm_inputs_free(ctx, in);
}

/* Long edges (the loader densifies along geodesics): a 4-vertex mine 0.1
 * degree wide cut in two by red lines meeting on the 112.05E meridian. The two
 * overlaps must add up to the whole mine; overlaid in plain lon/lat the cut
 * points would sit ~1 m off the geodesic edges, 6e-5 of the area. */
static void test_long_edges_follow_geodesics(void **state)
{
    (void)state;
    const char *mines = tmp("long_mine.gpkg"), *reds = tmp("long_red.gpkg");
    row m[] = {{"POLYGON((112 28,112.1 28,112.1 28.1,112 28.1,112 28))", {"C1", "small"}}};
    write_layer(mines, "GPKG", 4490, wkbPolygon, mine_fields, m, 1, NULL);
    const char *rf[] = {"redline_id", NULL};
    row rl[] = {{"POLYGON((111.9 27.9,112.05 27.9,112.05 28.2,111.9 28.2,111.9 27.9))", {"W"}},
                {"POLYGON((112.05 27.9,112.2 27.9,112.2 28.2,112.05 28.2,112.05 27.9))", {"E"}}};
    write_layer(reds, "GPKG", 4490, wkbPolygon, rf, rl, 2, NULL);
    gm_inputs *in;
    assert_int_equal(load(&in, GM_LAYER_MINES, mines, NULL), GM_OK);
    assert_int_equal(gm_load_layer(ctx, in, GM_LAYER_REDLINES, reds, NULL), GM_OK);
    gm_results *res = NULL;
    assert_int_equal(gm_analyze(ctx, in, NULL, &res), GM_OK);
    const gm_mine_result *r = &res->mines[0];
    assert_int_equal(r->n_overlaps, 2);
    assert_rel(r->conflict_ha, r->mine_ha, 1e-9);
    assert_rel(res->overlaps[0].area_ha + res->overlaps[1].area_ha, r->mine_ha, 1e-9);
    gm_results_free(ctx, res);
    gm_inputs_free(ctx, in);
}

/* Red lines read with redlines_near_mines get their geodesic points only
 * near the mines read before them, and every overlap is the one of the red
 * lines densified in full, bit for bit: a 40-corner red line 20 km across
 * (1.6 km edges) with a mine across its north-east edge, one inside by its
 * south-west edge and one outside, far east, beside a 4-corner red line that
 * holds the far mine whole. Red lines read before any mine are densified in
 * full. */
static void test_redlines_near_mines(void **state)
{
    (void)state;
    const char *mines = tmp("near_mines.gpkg"), *reds = tmp("near_reds.gpkg");
    /* across the edge at 50 degrees, inside by the edge at 230 degrees: neither
     * edge makes the red line's envelope, so only the mines get them densified */
    row m[] = {
        {"POLYGON((112.0593 28.0716,112.0693 28.0716,112.0693 28.0816,112.0593 28.0816,"
         "112.0593 28.0716))",
         {"NORTH", "small"}},
        {"POLYGON((111.9384 27.927,111.9434 27.927,111.9434 27.932,111.9384 27.932,"
         "111.9384 27.927))",
         {"SOUTH", "small"}},
        {"POLYGON((112.5 28,112.51 28,112.51 28.01,112.5 28.01,112.5 28))", {"EAST", "small"}}};
    write_layer(mines, "GPKG", 4490, wkbPolygon, mine_fields, m, 3, NULL);
    char circle[4096];
    int at = snprintf(circle, sizeof circle, "POLYGON((");
    for (int k = 0; k <= 40; k++) {
        double a = 2 * PI * (k % 40) / 40 + 0.01; /* no corner exactly north */
        at += snprintf(circle + at, sizeof circle - (size_t)at, "%s%.12f %.12f", k ? "," : "",
                       112.0 + 0.1 * cos(a), 28.0 + 0.1 * sin(a));
    }
    snprintf(circle + at, sizeof circle - (size_t)at, "))");
    const char *rf[] = {"redline_id", NULL};
    row rl[] = {
        {circle, {"ROUND"}},
        {"POLYGON((112.45 27.95,112.56 27.95,112.56 28.06,112.45 28.06,112.45 27.95))", {"BOX"}}};
    write_layer(reds, "GPKG", 4490, wkbPolygon, rf, rl, 2, NULL);
    gm_load_options near = {.redlines_near_mines = 1};
    gm_inputs *full, *part, *first;
    assert_int_equal(load(&full, GM_LAYER_MINES, mines, NULL), GM_OK);
    assert_int_equal(gm_load_layer(ctx, full, GM_LAYER_REDLINES, reds, NULL), GM_OK);
    assert_int_equal(load(&part, GM_LAYER_MINES, mines, NULL), GM_OK);
    assert_int_equal(gm_load_layer(ctx, part, GM_LAYER_REDLINES, reds, &near), GM_OK);
    assert_int_equal(load(&first, GM_LAYER_REDLINES, reds, &near), GM_OK); /* no mines yet */
    int n_full = GEOSGetNumCoordinates_r(ctx->geos, full->redlines[0].geom);
    int n_part = GEOSGetNumCoordinates_r(ctx->geos, part->redlines[0].geom);
    assert_true(n_full > 41 * 10);                   /* 1.6 km edges, 50 m steps */
    assert_true(n_part > 41 && n_part < n_full / 2); /* densified near the mines only */
    assert_int_equal(GEOSGetNumCoordinates_r(ctx->geos, first->redlines[0].geom), n_full);
    gm_results *a = NULL, *b = NULL;
    assert_int_equal(gm_analyze(ctx, full, NULL, &a), GM_OK);
    assert_int_equal(gm_analyze(ctx, part, NULL, &b), GM_OK);
    assert_int_equal(a->n_overlaps, 3);
    assert_int_equal(b->n_overlaps, a->n_overlaps);
    for (size_t k = 0; k < a->n_overlaps; k++) {
        assert_int_equal(b->overlaps[k].mine, a->overlaps[k].mine);
        assert_int_equal(b->overlaps[k].redline, a->overlaps[k].redline);
        assert_true(b->overlaps[k].area_ha == a->overlaps[k].area_ha);
        size_t la = 0, lb = 0;
        unsigned char *wa = GEOSGeomToWKB_buf_r(ctx->geos, a->overlaps[k].geom, &la);
        unsigned char *wb = GEOSGeomToWKB_buf_r(ctx->geos, b->overlaps[k].geom, &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(wa, wb, la);
        GEOSFree_r(ctx->geos, wa), GEOSFree_r(ctx->geos, wb);
    }
    for (size_t i = 0; i < 3; i++)
        assert_true(b->mines[i].conflict_ha == a->mines[i].conflict_ha);
    assert_true(a->mines[0].conflict_ha > 0 && a->mines[0].conflict_ha < a->mines[0].mine_ha);
    gm_results_free(ctx, a), gm_results_free(ctx, b);
    gm_inputs_free(ctx, full), gm_inputs_free(ctx, part), gm_inputs_free(ctx, first);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gauss_kruger_area_is_geodesic),
        cmocka_unit_test(test_epsg4490_axis_order),
        cmocka_unit_test(test_gbk_shapefile),
        cmocka_unit_test(test_curves_linearised_finely),
        cmocka_unit_test(test_z_dropped_and_empty_skipped),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_path_layer_syntax),
        cmocka_unit_test(test_long_edges_follow_geodesics),
        cmocka_unit_test(test_redlines_near_mines),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
