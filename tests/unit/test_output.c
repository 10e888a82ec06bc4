/*
 * test_output.c -- the analysis GeoPackage written while the analysis runs
 * (gm_gpkg_writer) is the one gm_write_gpkg writes after it, also when the red
 * lines' and parcels' geometries are dropped meanwhile, and a run that fails
 * leaves neither the file nor its temporary behind.
 */
#include "testutil.h"
#define GM_TESTCTX_INPUTS
#include "testctx.h"

#include <greenmine/analysis.h>
#include <greenmine/load.h>
#include <greenmine/output.h>

#include "out/gpkg_writer.h"

#include <cpl_conv.h>
#include <dirent.h>
#include <gdal.h>
#include <ogr_api.h>
#include <sys/stat.h>
#include <unistd.h>

/* Two mines (one on a red line), a zone, and a restored parcel in it. */
static gm_inputs *fixture(void)
{
    gm_inputs *in = fresh();
    mine(in, "M1", GM_SCALE_LARGE, r(0, 0, 2, 2));
    mine(in, "M2", GM_SCALE_SMALL, r(5, 5, 6, 6));
    redline(in, "R", r(1, 0, 3, 1));
    zone(in, "Z", r(-1, -1, 10, 10));
    done(in, r(3, 3, 4, 5));
    return in;
}

/* Every layer's rows as text (attributes and WKT, in order): what a reader sees. */
static char *dump(const char *path)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    size_t cap = 1 << 16, n = 0;
    char *out = calloc(cap, 1);
    for (int i = 0; i < GDALDatasetGetLayerCount(ds); i++) {
        OGRLayerH l = GDALDatasetGetLayer(ds, i);
        if (strcmp(OGR_L_GetName(l), "layer_styles") == 0) continue; /* update_time differs */
        OGRFeatureH f;
        while ((f = OGR_L_GetNextFeature(l)) != NULL) {
            for (int k = 0; k < OGR_F_GetFieldCount(f); k++) {
                const char *v = OGR_F_GetFieldAsString(f, k);
                size_t len = strlen(v) + 2;
                if (n + len + 1 > cap) out = realloc(out, cap = 2 * (cap + len));
                n += (size_t)snprintf(out + n, cap - n, "%s|", v);
            }
            char *wkt = NULL;
            if (OGR_F_GetGeometryRef(f)) OGR_G_ExportToWkt(OGR_F_GetGeometryRef(f), &wkt);
            size_t len = (wkt ? strlen(wkt) : 0) + 2;
            if (n + len + 1 > cap) out = realloc(out, cap = 2 * (cap + len));
            n += (size_t)snprintf(out + n, cap - n, "%s\n", wkt ? wkt : "");
            CPLFree(wkt);
            OGR_F_Destroy(f);
        }
    }
    GDALClose(ds);
    return out;
}

/* Files in dir whose name contains `part`. */
static int files_with(const char *dir, const char *part)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += strstr(e->d_name, part) != NULL;
    if (d) closedir(d);
    return n;
}

/* A field of the feature of `layer` whose `key_field` is `key`, as a double. */
static double field(const char *path, const char *layer, const char *key_field, const char *key,
                    const char *name)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, layer);
    assert_non_null(l);
    double v = NAN;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) != NULL) {
        if (strcmp(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, key_field)), key) == 0)
            v = OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, name));
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    return v;
}

/* A run as the CLI makes it on two threads: the fixture analysed with a writer
 * to `path` begun when the mines are done. The caller finishes the writer and
 * calls end_run(). */
typedef struct run {
    gm_inputs *in;
    gm_results *res;
    gm_gpkg_writer *w;
} run;

static run start(const char *path)
{
    run r = {fixture(), NULL, NULL};
    gm_context_set_threads(ctx, 2);
    assert_int_equal(gm_gpkg_writer_new(ctx, path, path, NULL, NULL, &r.w), GM_OK);
    gm_analysis_options opts = GM_ANALYSIS_OPTIONS_INIT;
    opts.mines_done = gm_gpkg_writer_mines_done, opts.mines_done_user = r.w;
    assert_int_equal(gm_analyze(ctx, r.in, &opts, &r.res), GM_OK);
    return r;
}

static void end_run(run *r)
{
    gm_results_free(ctx, r->res);
    gm_inputs_free(ctx, r->in);
    gm_context_set_threads(ctx, 1);
}

static void test_written_during_equals_written_after(void **state)
{
    (void)state;
    GDALAllRegister();
    const char *after = GM_TEST_TMP "/output_after.gpkg",
               *during = GM_TEST_TMP "/output_during.gpkg";
    run r = start(during);
    assert_int_equal(gm_write_gpkg(ctx, after, r.in, r.res, NULL), GM_OK); /* all inputs at hand */
    gm_gpkg_writer_release(r.w, r.res);
    gm_inputs_drop_overlay_geometries(ctx, r.in); /* as the CLI does while the rest is written */
    assert_null(r.in->redlines[0].geom);
    assert_null(r.in->parcels[0].geom);
    assert_int_equal(gm_gpkg_writer_finish(r.w, r.in, r.res), GM_OK);
    char *a = dump(after), *b = dump(during);
    assert_string_equal(a, b);
    /* and what they hold is the fixture's answer, from the band formula: M1
     * (0..2 x 0..2) meets the red line (1..3 x 0..1) in 1..2 x 0..1; M2 is
     * clear; the zone holds the restored 3..4 x 3..5 */
    assert_rel(field(during, "mine_conflicts", "mine_id", "M1", "redline_conflict_ha"),
               ha(1, 0, 2, 1), 1e-9);
    assert_rel(field(during, "mine_conflicts", "mine_id", "M1", "mine_ha"), ha(0, 0, 2, 2), 1e-9);
    assert_true(field(during, "mine_conflicts", "mine_id", "M2", "redline_conflict_ha") == 0.0);
    assert_rel(field(during, "zone_progress", "zone_id", "Z", "restoration_done_ha"),
               ha(3, 3, 4, 5), 1e-9);
    assert_rel(field(during, "province_indicators", "indicator", "restoration_done_ha", "value"),
               ha(3, 3, 4, 5), 1e-9);
    free(a), free(b);
    end_run(&r);
}

/* The analysis fails after the mines' layers were begun: nothing is left. */
static void test_failed_run_leaves_nothing(void **state)
{
    (void)state;
    const char *dir = GM_TEST_TMP "/output_failed", *path = GM_TEST_TMP "/output_failed/out.gpkg";
    mkdir(dir, 0755);
    unlink(path); /* left by an earlier run */
    run r = start(path);
    assert_int_equal(gm_gpkg_writer_finish(r.w, r.in, NULL), GM_OK); /* as if a later step failed */
    assert_int_equal(files_with(dir, "out.gpkg"), 0);
    end_run(&r);
}

/* A GeoPackage that cannot be written is an error of the run, named at the end. */
static void test_write_error_reported(void **state)
{
    (void)state;
    const char *path = "/proc/greenmine-cannot-write/out.gpkg";
    run r = start(path);
    assert_int_equal(gm_gpkg_writer_finish(r.w, r.in, r.res), GM_ERR_WRITE);
    assert_non_null(strstr(gm_context_errmsg(ctx), path));
    end_run(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_written_during_equals_written_after),
        cmocka_unit_test(test_failed_run_leaves_nothing),
        cmocka_unit_test(test_write_error_reported),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
