/*
 * test_gpkg_rtree.c -- the bulk-loaded spatial index (src/out/gpkg_rtree.c),
 * checked by SQLite itself and against the boxes the test drew:
 * SQLite's rtreecheck() (its own consistency check of nodes, parents and
 * rowids), every feature's box held by its entry to within float rounding,
 * window queries through the index against a brute-force scan of the boxes,
 * GDAL's spatial filter against the same, the GeoPackage triggers
 * keeping the index in step when GDAL later adds, moves and deletes features,
 * and the triggers and extension row word for word as GDAL's own index's.
 */
#include "testutil.h"

#include "out/gpkg_rtree.h"

#include <greenmine/context.h>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <sqlite3.h>
#include <unistd.h>

static gm_context *ctx;

typedef struct drawn {
    double minx, maxx, miny, maxy;
} drawn;

/* n boxes across a province-sized lon/lat extent, some long and thin. */
static drawn *draw_boxes(size_t n, unsigned seed)
{
    drawn *d = malloc((n ? n : 1) * sizeof *d);
    for (size_t i = 0; i < n; i++) {
        double x = 108 + 6 * test_rnd(&seed), y = 24 + 6 * test_rnd(&seed);
        double w = 0.0005 + 0.02 * test_rnd(&seed) * test_rnd(&seed);
        double hgt = i % 7 ? w * (0.5 + test_rnd(&seed)) : 0.3 * test_rnd(&seed);
        d[i] = (drawn){x, x + w, y, y + hgt};
    }
    return d;
}

static OGRGeometryH box_polygon(const drawn *b)
{
    OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
    OGR_G_AddPoint_2D(ring, b->minx, b->miny);
    OGR_G_AddPoint_2D(ring, b->maxx, b->miny);
    OGR_G_AddPoint_2D(ring, b->maxx, b->maxy);
    OGR_G_AddPoint_2D(ring, b->minx, b->maxy);
    OGR_G_AddPoint_2D(ring, b->minx, b->miny);
    OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon),
                 mp = OGR_G_CreateGeometry(wkbMultiPolygon);
    OGR_G_AddGeometryDirectly(poly, ring);
    OGR_G_AddGeometryDirectly(mp, poly);
    return mp;
}

/* A GeoPackage with layer "t" of n boxes (fids 1..n; every fifth without a
 * geometry) and the index built over it; the entries as the writer makes
 * them, from OGR's envelope. */
static void make_file(const char *path, const drawn *d, size_t n)
{
    unlink(path);
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GPKG"), path, 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(ds);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4490);
    const char *opts[] = {"GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=NO", NULL};
    OGRLayerH l = GDALDatasetCreateLayer(ds, "t", srs, wkbMultiPolygon, (char **)opts);
    OSRDestroySpatialReference(srs);
    assert_non_null(l);
    assert_int_equal(GDALDatasetStartTransaction(ds, FALSE), OGRERR_NONE);
    gm_rtree_entry *e = malloc((n ? n : 1) * sizeof *e);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
        if (i % 5 != 4) OGR_F_SetGeometryDirectly(f, box_polygon(&d[i]));
        assert_int_equal(OGR_L_CreateFeature(l, f), OGRERR_NONE);
        assert_int_equal(OGR_F_GetFID(f), (GIntBig)(i + 1));
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (g) {
            OGREnvelope env;
            OGR_G_GetEnvelope(g, &env);
            e[m++] = (gm_rtree_entry){OGR_F_GetFID(f), env.MinX, env.MaxX, env.MinY, env.MaxY};
        }
        OGR_F_Destroy(f);
    }
    assert_int_equal(OGR_L_SyncToDisk(l), OGRERR_NONE);
    assert_int_equal(gm_gpkg_rtree_build(ctx, ds, path, "t", "geom", "fid", e, m), GM_OK);
    assert_int_equal(GDALDatasetCommitTransaction(ds), OGRERR_NONE);
    free(e);
    GDALClose(ds);
}

/* make_file's file at path, open for update. */
static GDALDatasetH made_for_update(const char *path, const drawn *d, size_t n)
{
    make_file(path, d, n);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
    assert_non_null(ds);
    return ds;
}

static char *text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *v = sqlite3_column_text(st, 0);
    char *s = strdup(v ? (const char *)v : "");
    sqlite3_finalize(st);
    return s;
}

static long long number(sqlite3 *db, const char *sql)
{
    char *s = text(db, sql);
    long long v = atoll(s);
    free(s);
    return v;
}

static int overlaps(const drawn *b, double x0, double y0, double x1, double y1)
{
    return b->maxx >= x0 && b->minx <= x1 && b->maxy >= y0 && b->miny <= y1;
}

/* Within float rounding of the window: what the index may add. */
static int nearly_overlaps(const drawn *b, double x0, double y0, double x1, double y1)
{
    double eps = 1e-4;
    return overlaps(b, x0 - eps, y0 - eps, x1 + eps, y1 + eps);
}

/* The index of n boxes against SQLite's check and the boxes themselves. */
static void check_index(const char *path, const drawn *d, size_t n)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char *check = text(db, "SELECT rtreecheck('rtree_t_geom')");
    assert_string_equal(check, "ok");
    free(check);
    size_t with_geom = n - n / 5;
    assert_int_equal(number(db, "SELECT count(*) FROM rtree_t_geom"), (long long)with_geom);
    assert_int_equal(number(db, "SELECT count(*) FROM gpkg_extensions WHERE table_name = 't' AND "
                                "column_name = 'geom' AND extension_name = 'gpkg_rtree_index'"),
                     1);
    assert_int_equal(number(db, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND "
                                "name LIKE 'rtree_t_geom_%'"),
                     6);
    /* each entry holds its box, to within a float's rounding */
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT id, minx, maxx, miny, maxy FROM rtree_t_geom",
                                        -1, &st, NULL),
                     SQLITE_OK);
    size_t seen = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(st, 0);
        assert_true(id >= 1 && id <= (long long)n && (id - 1) % 5 != 4);
        const drawn *b = &d[id - 1];
        double v[4] = {sqlite3_column_double(st, 1), sqlite3_column_double(st, 2),
                       sqlite3_column_double(st, 3), sqlite3_column_double(st, 4)};
        assert_true(v[0] <= b->minx && v[1] >= b->maxx && v[2] <= b->miny && v[3] >= b->maxy);
        assert_true(b->minx - v[0] < 1e-5 && v[1] - b->maxx < 1e-5);
        assert_true(b->miny - v[2] < 1e-5 && v[3] - b->maxy < 1e-5);
        seen++;
    }
    sqlite3_finalize(st);
    assert_int_equal(seen, with_geom);
    /* windows through the index against a scan of the boxes */
    unsigned seed = 7;
    for (int q = 0; q < 60; q++) {
        double x0 = 108 + 6 * test_rnd(&seed), y0 = 24 + 6 * test_rnd(&seed);
        double x1 = x0 + 0.5 * test_rnd(&seed), y1 = y0 + 0.5 * test_rnd(&seed);
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT id FROM rtree_t_geom WHERE maxx >= %.17g AND minx <= %.17g AND "
                 "maxy >= %.17g AND miny <= %.17g",
                 x0, x1, y0, y1);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        unsigned char *hit = calloc(n + 1, 1);
        while (sqlite3_step(st) == SQLITE_ROW) {
            long long id = sqlite3_column_int64(st, 0);
            assert_true(nearly_overlaps(&d[id - 1], x0, y0, x1, y1));
            hit[id] = 1;
        }
        sqlite3_finalize(st);
        for (size_t i = 0; i < n; i++)
            if (i % 5 != 4 && overlaps(&d[i], x0, y0, x1, y1)) assert_true(hit[i + 1]);
        free(hit);
    }
    sqlite3_close(db);

    /* GDAL's spatial filter goes through the index */
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "t");
    OGR_L_SetSpatialFilterRect(l, 110, 25, 110.7, 25.4);
    size_t want = 0;
    for (size_t i = 0; i < n; i++)
        want += i % 5 != 4 && overlaps(&d[i], 110, 25, 110.7, 25.4);
    assert_int_equal((size_t)OGR_L_GetFeatureCount(l, TRUE), want);
    GDALClose(ds);
}

/* From an empty index (the root alone a leaf) to three levels (51 cells a
 * node: 2,601 entries fill two). */
static void sizes(void **state)
{
    (void)state;
    const size_t n[] = {0, 1, 5, 51, 64, 2601, 2602, 3300, 20000};
    for (size_t k = 0; k < sizeof n / sizeof *n; k++) {
        drawn *d = draw_boxes(n[k], (unsigned)(11 + k));
        const char *path = GM_TEST_TMP "/rtree_sizes.gpkg";
        make_file(path, d, n[k]);
        check_index(path, d, n[k]);
        unlink(path);
        free(d);
    }
}

/* After the bulk load the GeoPackage triggers keep the index in step:
 * GDAL adds, moves and deletes features, and the index still checks out. */
static void edits_after(void **state)
{
    (void)state;
    size_t n = 3000;
    drawn *d = draw_boxes(n + 1, 5);
    const char *path = GM_TEST_TMP "/rtree_edits.gpkg";
    GDALDatasetH ds = made_for_update(path, d, n);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "t");
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l)); /* a new one: fid n + 1 */
    OGR_F_SetGeometryDirectly(f, box_polygon(&d[n]));
    assert_int_equal(OGR_L_CreateFeature(l, f), OGRERR_NONE);
    OGR_F_Destroy(f);
    f = OGR_L_GetFeature(l, 1); /* the first moved onto the second's box */
    OGR_F_SetGeometryDirectly(f, box_polygon(&d[1]));
    assert_int_equal(OGR_L_SetFeature(l, f), OGRERR_NONE);
    OGR_F_Destroy(f);
    assert_int_equal(OGR_L_DeleteFeature(l, 3), OGRERR_NONE);
    GDALClose(ds);
    d[0] = d[1];
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char *check = text(db, "SELECT rtreecheck('rtree_t_geom')");
    assert_string_equal(check, "ok");
    free(check);
    assert_int_equal(number(db, "SELECT count(*) FROM rtree_t_geom"), (long long)(n - n / 5));
    assert_int_equal(number(db, "SELECT count(*) FROM rtree_t_geom WHERE id = 3"), 0);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM rtree_t_geom WHERE id = %zu AND minx <= %.17g",
             n + 1, d[n].minx);
    assert_int_equal(number(db, sql), 1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM rtree_t_geom WHERE id = 1 AND minx <= %.17g "
             "AND minx > %.17g",
             d[1].minx, d[1].minx - 1e-4); /* SQLite's own rounding: two floats down */
    assert_int_equal(number(db, sql), 1);
    sqlite3_close(db);
    unlink(path);
    free(d);
}

/* Each trigger's text, name and table renamed to "X": in name order. */
static char *triggers(sqlite3 *db, const char *table)
{
    char sql[256], *all = calloc(1, 1);
    snprintf(
        sql, sizeof sql,
        "SELECT replace(replace(sql, 'rtree_%s_geom', 'rtree_X_geom'), '\"%s\"', '\"X\"') "
        "FROM sqlite_master WHERE type = 'trigger' AND tbl_name = '%s' AND name LIKE 'rtree%%' "
        "ORDER BY name",
        table, table, table);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        all = realloc(all, strlen(all) + strlen(t) + 2);
        strcat(strcat(all, t), "\n");
    }
    sqlite3_finalize(st);
    return all;
}

/* The index is GDAL's but for the way it is filled: the same triggers, word
 * for word, and the same extension row as GDAL's own index on a layer of
 * the same file. */
static void as_gdal_makes_it(void **state)
{
    (void)state;
    drawn *d = draw_boxes(10, 9);
    const char *path = GM_TEST_TMP "/rtree_gdal.gpkg";
    GDALDatasetH ds = made_for_update(path, d, 10);
    const char *opts[] = {"GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=YES", NULL};
    OGRLayerH l = GDALDatasetCreateLayer(ds, "g", OGR_L_GetSpatialRef(GDALDatasetGetLayer(ds, 0)),
                                         wkbMultiPolygon, (char **)opts);
    assert_non_null(l);
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
    OGR_F_SetGeometryDirectly(f, box_polygon(&d[0]));
    assert_int_equal(OGR_L_CreateFeature(l, f), OGRERR_NONE);
    OGR_F_Destroy(f);
    GDALClose(ds);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char *ours = triggers(db, "t"), *gdal = triggers(db, "g");
    assert_true(strlen(gdal) > 1000); /* GDAL's six */
    assert_string_equal(ours, gdal);
    free(ours), free(gdal);
    assert_int_equal(
        number(db, "SELECT count(*) FROM gpkg_extensions a JOIN gpkg_extensions b ON "
                   "a.table_name = 't' AND b.table_name = 'g' AND a.column_name = b.column_name "
                   "AND a.extension_name = b.extension_name AND a.definition = b.definition AND "
                   "a.scope = b.scope AND a.extension_name = 'gpkg_rtree_index'"),
        1);
    sqlite3_close(db);
    unlink(path);
    free(d);
}

/* A layer indexed twice: an error naming the file and the layer, and the
 * first index left as it was. */
static void twice_fails(void **state)
{
    (void)state;
    drawn *d = draw_boxes(100, 3);
    const char *path = GM_TEST_TMP "/rtree_twice.gpkg";
    GDALDatasetH ds = made_for_update(path, d, 100);
    gm_rtree_entry e = {1, 0, 1, 0, 1};
    assert_int_equal(gm_gpkg_rtree_build(ctx, ds, "the file", "t", "geom", "fid", &e, 1),
                     GM_ERR_WRITE);
    assert_non_null(strstr(gm_context_errmsg(ctx), "the file: cannot index layer t"));
    GDALClose(ds);
    check_index(path, d, 100);
    unlink(path);
    free(d);
}

static int setup(void **state)
{
    (void)state;
    GDALAllRegister();
    return gm_context_new(&ctx);
}

static int teardown(void **state)
{
    (void)state;
    gm_context_free(ctx);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sizes),
        cmocka_unit_test(edits_after),
        cmocka_unit_test(twice_fails),
        cmocka_unit_test(as_gdal_makes_it),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
