/*
 * test_raster.c -- the rasters gm_write_raster writes, read back with GDAL:
 * every cell against GEOS's own intersection area of that cell's square with
 * the same projected polygons (a second computation that shares nothing with
 * src/core/coverage.c), the overviews against the mean of the data cells under
 * them, the estimate against the file, failures leave nothing; and the tile
 * encoder's streams decoded by libdeflate and an independent TIFF predictor 3
 * decoder.
 */
#include "cog_unpredict.h"
#include "testutil.h"
#define GM_TESTCTX_INPUTS
#include "testctx.h"

#include "core/project.h"
#include "out/cog_writer.h"

#include <greenmine/analysis.h>
#include <greenmine/output.h>

#include <gdal.h>
#include <libdeflate.h>
#include <zlib.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#define NODATA ((float)GM_RASTER_NODATA)

/* A lon/lat star around (cx, cy) (degrees), n points, radii r0/r1. */
static GEOSGeometry *star(double cx, double cy, double r0, double r1, int n)
{
    char buf[8192];
    size_t at = (size_t)snprintf(buf, sizeof buf, "POLYGON((");
    for (int i = 0; i <= n; i++) {
        double a = 2 * M_PI * (i % n) / n, rr = i % 2 ? r0 : r1;
        at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%.9f %.9f", i ? "," : "",
                               cx + rr * cos(a), cy + rr * sin(a) * 0.9);
    }
    snprintf(buf + at, sizeof buf - at, "))");
    return wkt(h, buf);
}

/* Zones, mines on red lines and restored parcels with slanted edges, so that
 * most boundary cells are partly covered; two zones far apart make empty
 * tiles between them. */
static gm_inputs *fixture(void)
{
    gm_inputs *in = fresh();
    zone(in, "A", star(112.05, 28.05, 0.03, 0.05, 14));
    zone(in, "B", star(112.75, 28.02, 0.02, 0.03, 10));
    done(in, star(112.05, 28.05, 0.004, 0.012, 22));
    done(in, star(112.07, 28.06, 0.003, 0.008, 18)); /* overlaps the first */
    done(in, star(112.75, 28.02, 0.005, 0.009, 12));
    mine(in, "M1", GM_SCALE_LARGE, star(112.10, 28.10, 0.004, 0.008, 12));
    mine(in, "M2", GM_SCALE_SMALL, star(112.30, 28.00, 0.003, 0.005, 8));
    redline(in, "R", star(112.105, 28.095, 0.003, 0.006, 16));
    return in;
}

static GEOSGeometry *projected_union(gm_projector *pj, GEOSGeometry **g, size_t n)
{
    GEOSGeometry **p = calloc(n ? n : 1, sizeof *p);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (g[i]) assert_non_null(p[k++] = gm_project_geometry(h, pj, g[i]));
    GEOSGeometry *c = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, p, (unsigned)k);
    free(p);
    GEOSGeometry *u = GEOSUnaryUnion_r(h, c);
    GEOSGeom_destroy_r(h, c);
    assert_non_null(u);
    return u;
}

static double cell_area(const GEOSGeometry *g, const GEOSPreparedGeometry *pg, double x0, double y1,
                        double cell)
{
    GEOSGeometry *sq = GEOSGeom_createRectangle_r(h, x0, y1 - cell, x0 + cell, y1);
    double a = 0;
    if (GEOSPreparedIntersects_r(h, pg, sq)) {
        GEOSGeometry *x = GEOSIntersection_r(h, g, sq);
        GEOSArea_r(h, x, &a);
        GEOSGeom_destroy_r(h, x);
    }
    GEOSGeom_destroy_r(h, sq);
    return a / (cell * cell);
}

/* Every cell of `path` against GEOS: mask (nodata where it covers <= 1e-9)
 * and value (within tol beyond Float32 rounding). Returns the number of
 * partly covered cells seen. */
static size_t compare_cells(const char *path, GEOSGeometry *mask, GEOSGeometry *value, double tol)
{
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    assert_non_null(ds);
    double gt[6];
    GDALGetGeoTransform(ds, gt);
    int w = GDALGetRasterXSize(ds), hgt = GDALGetRasterYSize(ds);
    float *a = malloc((size_t)w * hgt * sizeof *a);
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    assert_int_equal(GDALRasterIO(b, GF_Read, 0, 0, w, hgt, a, w, hgt, GDT_Float32, 0, 0), CE_None);
    const GEOSPreparedGeometry *pm = GEOSPrepare_r(h, mask), *pv = GEOSPrepare_r(h, value);
    size_t partial = 0, data = 0;
    double worst = 0;
    for (int r = 0; r < hgt; r++)
        for (int c = 0; c < w; c++) {
            double x0 = gt[0] + c * gt[1], y1 = gt[3] + r * gt[5];
            float got = a[(size_t)r * w + c];
            double m = cell_area(mask, pm, x0, y1, gt[1]);
            if (m > 1e-11 && m < 1e-7) continue; /* at the threshold itself */
            if (m <= 1e-9) {
                if (got != NODATA) fail_msg("%s cell %d,%d: %g, expected nodata", path, r, c, got);
                continue;
            }
            if (got == NODATA) fail_msg("%s cell %d,%d: nodata, mask covers %g", path, r, c, m);
            double want = fmin(1.0, fmax(0.0, cell_area(value, pv, x0, y1, gt[1])));
            double err = fabs(got - want);
            worst = fmax(worst, err);
            if (err > tol + want * 0x1p-24)
                fail_msg("%s cell %d,%d: %.9g, GEOS %.9g", path, r, c, got, want);
            data++;
            partial += want > 0 && want < 1;
        }
    print_message("%s: %d x %d cells, %zu data, %zu partly covered; largest difference from "
                  "GEOS %.3g\n",
                  path, w, hgt, data, partial, worst);
    /* overviews: the mean of the data cells under each cell */
    for (int o = 0; o < GDALGetOverviewCount(b); o++) {
        GDALRasterBandH ob = GDALGetOverview(b, o);
        int ow = GDALGetRasterBandXSize(ob), oh = GDALGetRasterBandYSize(ob), f = 2 << o;
        assert_int_equal(ow, (w + f - 1) / f);
        assert_int_equal(oh, (hgt + f - 1) / f);
        float *v = malloc((size_t)ow * oh * sizeof *v);
        assert_int_equal(GDALRasterIO(ob, GF_Read, 0, 0, ow, oh, v, ow, oh, GDT_Float32, 0, 0),
                         CE_None);
        for (int r = 0; r < oh; r++)
            for (int c = 0; c < ow; c++) {
                double s = 0;
                int n = 0;
                for (int i = r * f; i < (r + 1) * f && i < hgt; i++)
                    for (int k = c * f; k < (c + 1) * f && k < w; k++)
                        if (a[(size_t)i * w + k] != NODATA) s += a[(size_t)i * w + k], n++;
                float got = v[(size_t)r * ow + c];
                if (n == 0 && got != NODATA)
                    fail_msg("%s overview %d cell %d,%d: %g over no data", path, o, r, c, got);
                if (n > 0 && fabs(got - s / n) > 1e-6)
                    fail_msg("%s overview %d cell %d,%d: %.9g, mean %.9g", path, o, r, c, got,
                             s / n);
            }
        free(v);
    }
    GEOSPreparedGeom_destroy_r(h, pm);
    GEOSPreparedGeom_destroy_r(h, pv);
    free(a);
    GDALClose(ds);
    return partial;
}

static void cells_against_geos(void **state)
{
    (void)state;
    GDALAllRegister();
    gm_inputs *in = fixture();
    gm_results *res;
    gm_context_set_threads(ctx, 2);
    assert_int_equal(gm_analyze(ctx, in, NULL, &res), GM_OK);
    gm_projector pj;
    assert_int_equal(gm_projector_init(&pj), GM_OK);
    /* 60 m cells: three tiles across, the middle one empty for the coverage;
     * both rasters in one memory, so the conflict raster computes in the
     * buffers the coverage raster gave back (any cell they kept shows below) */
    gm_raster_options ro = GM_RASTER_OPTIONS_INIT;
    ro.cell_m = 60;
    ro.memory = gm_raster_memory_new();
    assert_non_null(ro.memory);
    const char *tif = GM_TEST_TMP "/raster_cov.tif", *qml = GM_TEST_TMP "/raster_cov.qml";
    assert_int_equal(gm_write_raster(ctx, GM_RASTER_COVERAGE, tif, qml, in, res, &ro), GM_OK);
    struct stat st;
    assert_int_equal(stat(qml, &st), 0);
    GEOSGeometry *zones[2] = {in->zones[0].geom, in->zones[1].geom};
    GEOSGeometry *mask = projected_union(&pj, zones, 2);
    GEOSGeometry **done = calloc(2 * res->n_zones, sizeof *done);
    for (size_t z = 0; z < res->n_zones; z++)
        done[2 * z] = res->zones[z].done[0], done[2 * z + 1] = res->zones[z].done[1];
    GEOSGeometry *value = projected_union(&pj, done, 2 * res->n_zones);
    assert_true(compare_cells(tif, mask, value, 1e-9) > 100);
    GEOSGeom_destroy_r(h, mask);
    GEOSGeom_destroy_r(h, value);
    free(done);

    /* the estimate: the same grid, bounds that hold */
    gm_raster_estimate_info est;
    assert_int_equal(gm_raster_estimate(ctx, in, &ro, &est), GM_OK);
    GDALDatasetH ds = GDALOpen(tif, GA_ReadOnly);
    assert_int_equal(est.kind[GM_RASTER_COVERAGE].width, (size_t)GDALGetRasterXSize(ds));
    assert_int_equal(est.kind[GM_RASTER_COVERAGE].height, (size_t)GDALGetRasterYSize(ds));
    GDALClose(ds);
    assert_int_equal(stat(tif, &st), 0);
    assert_true(est.kind[GM_RASTER_COVERAGE].bytes >= (unsigned long long)st.st_size);
    assert_true(est.bytes >= est.kind[GM_RASTER_COVERAGE].bytes);
    assert_true(est.kind[GM_RASTER_CONFLICT].cells > 0);

    /* the conflict raster: mask = mines, value = their red-line overlaps */
    const char *ctif = GM_TEST_TMP "/raster_con.tif";
    assert_int_equal(gm_write_raster(ctx, GM_RASTER_CONFLICT, ctif, NULL, in, res, &ro), GM_OK);
    GEOSGeometry *mines[2] = {in->mines[0].geom, in->mines[1].geom};
    GEOSGeometry *mmask = projected_union(&pj, mines, 2);
    GEOSGeometry **ov = calloc(res->n_overlaps + 1, sizeof *ov);
    for (size_t i = 0; i < res->n_overlaps; i++)
        ov[i] = res->overlaps[i].geom;
    GEOSGeometry *mval = projected_union(&pj, ov, res->n_overlaps);
    assert_true(compare_cells(ctif, mmask, mval, 1e-9) > 10);
    GEOSGeom_destroy_r(h, mmask);
    GEOSGeom_destroy_r(h, mval);
    free(ov);

    /* a path that cannot be written: an error naming it, nothing left */
    const char *bad = GM_TEST_TMP "/no such dir/x.tif";
    assert_int_equal(gm_write_raster(ctx, GM_RASTER_COVERAGE, bad, NULL, in, res, &ro),
                     GM_ERR_WRITE);
    assert_non_null(strstr(gm_context_errmsg(ctx), "no such dir/x.tif"));
    /* a grid too large: refused by the estimate as by the writer */
    ro.cell_m = 0.05;
    assert_int_equal(gm_raster_estimate(ctx, in, &ro, &est), GM_ERR_USAGE);
    unlink(tif);
    unlink(qml);
    unlink(ctif);
    gm_raster_memory_free(ro.memory);
    gm_projector_free(&pj);
    gm_results_free(ctx, res);
    gm_inputs_free(ctx, in);
}

/* The conflict raster's dissolve: a mine digitised twice over one red line
 * (a group of copies, taken as it is), a mine across two red lines that
 * overlap each other (two different pieces that meet: the union the analysis
 * kept), a mine digitised twice across both (copies and different pieces in
 * one group), and a mine wholly inside one red line and across another (the
 * mine stands for both pieces, its polygon copied from the mask) -- every
 * cell against GEOS's union of the overlaps. Fails when a group of different
 * pieces is taken for copies, when a mine's first piece stands for its union
 * or its partial piece for the whole, or when a copy takes another polygon. */
static void conflict_groups_against_geos(void **state)
{
    (void)state;
    GDALAllRegister();
    gm_inputs *in = fresh();
    zone(in, "Z", star(112.1, 28.05, 0.08, 0.1, 12));
    mine(in, "TWICE-A", GM_SCALE_SMALL, star(112.05, 28.05, 0.004, 0.008, 12));
    mine(in, "TWICE-B", GM_SCALE_SMALL, star(112.05, 28.05, 0.004, 0.008, 12));
    redline(in, "R1", star(112.055, 28.045, 0.003, 0.006, 16));
    mine(in, "ACROSS", GM_SCALE_SMALL, star(112.15, 28.05, 0.004, 0.008, 10));
    redline(in, "R2", star(112.147, 28.052, 0.003, 0.005, 14));
    redline(in, "R3", star(112.153, 28.048, 0.003, 0.005, 18));
    mine(in, "BOTH-A", GM_SCALE_SMALL, star(112.152, 28.047, 0.003, 0.006, 10));
    mine(in, "BOTH-B", GM_SCALE_SMALL, star(112.152, 28.047, 0.003, 0.006, 10));
    mine(in, "WHOLE", GM_SCALE_SMALL, star(112.1, 28.1, 0.003, 0.005, 12));
    redline(in, "R4", star(112.104, 28.1, 0.002, 0.003, 12));
    redline(in, "R5", star(112.1, 28.1, 0.012, 0.015, 20));
    mine(in, "AFTER", GM_SCALE_SMALL, star(112.02, 28.1, 0.003, 0.005, 12));
    redline(in, "R6", star(112.022, 28.1, 0.002, 0.004, 12));
    gm_results *res;
    assert_int_equal(gm_analyze(ctx, in, NULL, &res), GM_OK);
    assert_true(res->n_overlaps >= 11);
    /* the unions kept: only where a mine has several pieces, none whole */
    assert_int_equal(res->mines[5].n_overlaps, 2);
    assert_null(res->mines[5].conflict_union);
    assert_int_equal(res->mines[0].n_overlaps, 1);
    assert_null(res->mines[0].conflict_union);
    assert_int_equal(res->mines[2].n_overlaps, 2);
    assert_non_null(res->mines[2].conflict_union);
    { /* the kept union is the union of the mine's two pieces (GEOS's own, here) */
        const gm_overlap *o2 = res->overlaps + res->mines[2].first_overlap;
        GEOSGeometry *pair = GEOSUnion_r(h, o2[0].geom, o2[1].geom);
        assert_int_equal(GEOSEquals_r(h, pair, res->mines[2].conflict_union), 1);
        GEOSGeom_destroy_r(h, pair);
    }
    gm_projector pj;
    assert_int_equal(gm_projector_init(&pj), GM_OK);
    gm_raster_options ro = GM_RASTER_OPTIONS_INIT;
    ro.cell_m = 30;
    const char *tif = GM_TEST_TMP "/raster_groups.tif";
    assert_int_equal(gm_write_raster(ctx, GM_RASTER_CONFLICT, tif, NULL, in, res, &ro), GM_OK);
    GEOSGeometry **m = calloc(in->n_mines, sizeof *m);
    for (size_t i = 0; i < in->n_mines; i++)
        m[i] = in->mines[i].geom;
    GEOSGeometry **ov = calloc(res->n_overlaps, sizeof *ov);
    for (size_t i = 0; i < res->n_overlaps; i++)
        ov[i] = res->overlaps[i].geom;
    GEOSGeometry *mask = projected_union(&pj, m, in->n_mines);
    GEOSGeometry *value = projected_union(&pj, ov, res->n_overlaps);
    /* 1e-4, not 1e-9: the reference unions the overlaps after projecting them,
     * the engine before, so where two pieces cross, the nodes and the edges
     * between them follow different curves (measured here up to 2.4e-6 of a
     * cell); a piece left out is off by a whole part of a cell (0.16 here) */
    assert_true(compare_cells(tif, mask, value, 1e-4) > 50);
    /* without the kept unions (results read back, or not kept): the pieces
     * dissolved by the raster itself, the same cells */
    gm_results *bare;
    gm_analysis_options ao = GM_ANALYSIS_OPTIONS_INIT;
    ao.keep_conflict_unions = 0;
    assert_int_equal(gm_analyze(ctx, in, &ao, &bare), GM_OK);
    for (size_t i = 0; i < bare->n_mines; i++)
        assert_null(bare->mines[i].conflict_union);
    assert_int_equal(gm_write_raster(ctx, GM_RASTER_CONFLICT, tif, NULL, in, bare, &ro), GM_OK);
    assert_true(compare_cells(tif, mask, value, 1e-4) > 50);
    gm_results_free(ctx, bare);
    GEOSGeom_destroy_r(h, mask);
    GEOSGeom_destroy_r(h, value);
    free(m), free(ov);
    unlink(tif);
    gm_projector_free(&pj);
    gm_results_free(ctx, res);
    gm_inputs_free(ctx, in);
}

/* A zone many tiles wide (10 m cells, 512-cell tiles of 5 km): its interior
 * tiles are data everywhere without their mask being computed, the tiles its
 * border crosses are not -- the data cells cover the zone's area to within a
 * band of cells along its border, and the fractions add up to the completed
 * area. */
static void interior_tiles(void **state)
{
    (void)state;
    GDALAllRegister();
    gm_inputs *in = fresh();
    zone(in, "Z", star(112.0, 28.0, 0.09, 0.11, 40));
    done(in, star(112.0, 28.0, 0.01, 0.02, 20));
    mine(in, "M1", GM_SCALE_SMALL, star(112.05, 28.05, 0.003, 0.005, 8));
    redline(in, "R", star(112.05, 28.05, 0.002, 0.004, 8));
    gm_results *res;
    assert_int_equal(gm_analyze(ctx, in, NULL, &res), GM_OK);
    gm_raster_options ro = GM_RASTER_OPTIONS_INIT;
    ro.cell_m = 10;
    const char *tif = GM_TEST_TMP "/raster_interior.tif";
    assert_int_equal(gm_write_raster(ctx, GM_RASTER_COVERAGE, tif, NULL, in, res, &ro), GM_OK);
    GDALDatasetH ds = GDALOpen(tif, GA_ReadOnly);
    assert_non_null(ds);
    int w = GDALGetRasterXSize(ds), hgt = GDALGetRasterYSize(ds);
    assert_true(w > 4 * 512 && hgt > 4 * 512);
    float *a = malloc((size_t)w * hgt * sizeof *a);
    assert_int_equal(
        GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, w, hgt, a, w, hgt, GDT_Float32, 0, 0),
        CE_None);
    size_t data = 0;
    double sum = 0;
    for (size_t i = 0; i < (size_t)w * hgt; i++)
        if (a[i] != NODATA) data++, sum += a[i];
    free(a);
    GDALClose(ds);
    gm_projector pj;
    assert_int_equal(gm_projector_init(&pj), GM_OK);
    GEOSGeometry *z = gm_project_geometry(h, &pj, in->zones[0].geom);
    GEOSGeometry *d = gm_project_geometry(h, &pj, res->zones[0].done[0]);
    assert_non_null(z);
    assert_non_null(d);
    double za, zp, da;
    assert_true(GEOSArea_r(h, z, &za) && GEOSLength_r(h, z, &zp) && GEOSArea_r(h, d, &da));
    /* every cell the border crosses is data: up to ~1.5 cells of band along it */
    double got = (double)data * 100.0;
    print_message("interior: %d x %d cells, data %.6g m2, zone %.6g m2 (border %.6g m)\n", w, hgt,
                  got, za, zp);
    assert_true(got >= za && got <= za + 2.0 * zp * 10.0);
    assert_true(fabs(sum * 100.0 - da) <= 1e-6 * da);
    GEOSGeom_destroy_r(h, z);
    GEOSGeom_destroy_r(h, d);
    gm_projector_free(&pj);
    unlink(tif);
    gm_results_free(ctx, res);
    gm_inputs_free(ctx, in);
}

/* ---- the tile encoder ------------------------------------------------------ */

/* Whether cell i is read by the encoder: in rows [r0, r1) and its row's span. */
static int encoded(size_t i, size_t r0, size_t r1, const gm_cog_span *spans)
{
    size_t r = i / GM_COG_TILE, c = i % GM_COG_TILE;
    return r >= r0 && r < r1 && (!spans || (c >= spans[r].lo && c < spans[r].hi));
}

/* Encodes, decodes, and compares: rows outside [r0, r1), and with spans the
 * cells outside their row's, must come back as nodata whatever they hold.
 * With spans, the stream must also be the one the whole rows give (the
 * cells outside the spans set to nodata): the span's shortcuts change the
 * work, never a byte. */
static void round_trip(gm_cog_encoder *e, const float *cells, size_t r0, size_t r1,
                       const gm_cog_span *spans)
{
    const size_t n = (size_t)GM_COG_TILE * GM_COG_TILE;
    gm_cog_blob blob = {0};
    assert_int_equal(gm_cog_encode(e, cells, r0, r1, spans, &blob), GM_OK);
    unsigned char *raw = malloc(n * 4);
    float *back = malloc(n * sizeof *back);
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    size_t got = 0;
    assert_int_equal(libdeflate_zlib_decompress(d, blob.data, blob.size, raw, n * 4, &got),
                     LIBDEFLATE_SUCCESS);
    assert_int_equal(got, n * 4);
    /* zlib agrees, byte for byte: it checks the stream's Huffman codes are
     * complete, as GDAL's inflate may */
    unsigned char *zraw = malloc(n * 4);
    uLongf zgot = (uLongf)(n * 4);
    assert_int_equal(uncompress(zraw, &zgot, blob.data, (uLong)blob.size), Z_OK);
    assert_int_equal(zgot, n * 4);
    assert_memory_equal(zraw, raw, n * 4);
    free(zraw);
    cog_unpredict(raw, back);
    for (size_t i = 0; i < n; i++) {
        float want = encoded(i, r0, r1, spans) ? cells[i] : NODATA;
        if (memcmp(&back[i], &want, 4) != 0)
            fail_msg("cell %zu: %.9g, encoded %.9g", i, back[i], want);
    }
    if (spans) {
        float *whole = malloc(n * sizeof *whole);
        for (size_t i = 0; i < n; i++)
            whole[i] = encoded(i, r0, r1, spans) ? cells[i] : NODATA;
        gm_cog_blob ref = {0};
        assert_int_equal(gm_cog_encode(e, whole, r0, r1, NULL, &ref), GM_OK);
        assert_int_equal(ref.size, blob.size);
        assert_memory_equal(ref.data, blob.data, blob.size);
        free(ref.data);
        free(whole);
    }
    libdeflate_free_decompressor(d);
    free(raw);
    free(back);
    free(blob.data);
}

static void encoder_round_trips(void **state)
{
    (void)state;
    const size_t n = (size_t)GM_COG_TILE * GM_COG_TILE;
    float *cells = malloc(n * sizeof *cells);
    gm_cog_encoder *e = gm_cog_encoder_new(NODATA);
    assert_non_null(e);
    /* sparse: a few data cells in a box, garbage outside it (never read) */
    for (size_t i = 0; i < n; i++)
        cells[i] = i / GM_COG_TILE < 100 || i / GM_COG_TILE >= 140 ? 123.0f : NODATA;
    for (size_t r = 100; r < 140; r++)
        for (size_t c = 200; c < 260; c++)
            cells[r * GM_COG_TILE + c] = (float)((r * 7 + c * 13) % 17) / 16.0f;
    round_trip(e, cells, 100, 140, NULL);
    /* all data, constant: the whole tile in rows like the one above */
    for (size_t i = 0; i < n; i++)
        cells[i] = 0.0f;
    round_trip(e, cells, 0, GM_COG_TILE, NULL);
    /* all data, noisy: too much for the fast pass, libdeflate's */
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        cells[i] = (float)(x >> 8) / (float)(1u << 24);
    }
    round_trip(e, cells, 0, GM_COG_TILE, NULL);
    /* runs that end at a row's end and matches of every length */
    for (size_t i = 0; i < n; i++)
        cells[i] = (float)((i / 3 + i / GM_COG_TILE) % 5) * 0.25f;
    round_trip(e, cells, 7, 300, NULL);
    /* data rows repeated in threes, nodata rows among them: reused bytes and checksums */
    for (size_t i = 0; i < n; i++) {
        size_t r = i / GM_COG_TILE, c = i % GM_COG_TILE;
        cells[i] = r % 7 == 5 ? NODATA : (float)((r / 3 * 11 + c / 40) % 9) / 8.0f;
    }
    round_trip(e, cells, 3, 500, NULL);
    /* the caller's spans: the cells outside hold garbage (never read). Rows
     * without a span among data rows alike and unlike (the fast pass), and
     * among noise (libdeflate's) */
    gm_cog_span spans[GM_COG_TILE];
    for (size_t r = 0; r < GM_COG_TILE; r++)
        spans[r] = r % 7 != 5 && r % 11 != 4 ? (gm_cog_span){0, GM_COG_TILE} : (gm_cog_span){0, 0};
    for (size_t i = 0; i < n; i++)
        if (!encoded(i, 0, GM_COG_TILE, spans)) cells[i] = 123.0f;
    round_trip(e, cells, 3, 500, spans);
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        cells[i] = encoded(i, 0, GM_COG_TILE, spans) ? (float)(x >> 8) / (float)(1u << 24) : 123.0f;
    }
    round_trip(e, cells, 0, GM_COG_TILE, spans);
    /* narrow spans anywhere in the row: at its ends, one cell wide, across
     * and inside the predictor's 16-cell chunks and the 64-byte words; a span
     * repeated (the row above's bytes reused), moved with the same cells
     * (equal bytes another way), and next to rows without one */
    static const gm_cog_span shapes[] = {
        {0, 1},     {0, 17},    {5, 6},     {15, 16},   {16, 32}, {17, 40}, {100, 164}, {200, 201},
        {250, 300}, {480, 511}, {495, 512}, {511, 512}, {0, 512}, {1, 511}, {300, 300}, {64, 65}};
    size_t n_shapes = sizeof shapes / sizeof *shapes;
    for (size_t r = 0; r < GM_COG_TILE; r++)
        spans[r] = shapes[(r / 3) % n_shapes];
    for (size_t i = 0; i < n; i++) {
        size_t r = i / GM_COG_TILE, c = i % GM_COG_TILE;
        cells[i] = !encoded(i, 0, GM_COG_TILE, spans) ? 123.0f
                   : (c + r / 4) % 5 == 0             ? NODATA
                   : (c + r / 4) % 3 == 0             ? 0.0f
                                                      : (float)((c * 5 + r / 4) % 13) / 12.0f;
    }
    round_trip(e, cells, 0, GM_COG_TILE, spans);
    round_trip(e, cells, 40, 200, spans);
    /* noise in every span: libdeflate's, from the spans' rows */
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        if (encoded(i, 0, GM_COG_TILE, spans)) cells[i] = (float)(x >> 8) / (float)(1u << 24);
    }
    round_trip(e, cells, 0, GM_COG_TILE, spans);
    gm_cog_encoder_free(e);
    free(cells);
}

/* gm_project_densify_ring writes GEOSDensify_r's points, bit for bit: the
 * library it stands in for is the reference. Long edges at odd angles (points
 * added), an edge of exactly two steps, short edges and a repeated point. */
static void densify_as_geos(void **state)
{
    (void)state;
    const char *rings[] = {
        "POLYGON((112.0 28.0, 112.0137 28.00031, 112.01371 28.0217, 111.99123 28.0091, 112.0 "
        "28.0))",
        "POLYGON((112.0 28.0, 112.002 28.0, 112.002 28.0004, 112.002 28.0004, 112.0 28.0009, "
        "112.0 28.0))",
        "POLYGON((113.123456789 27.987654321, 113.2 27.987654321, 113.17 28.1, 113.123456789 "
        "27.987654321))",
    };
    for (size_t k = 0; k < sizeof rings / sizeof rings[0]; k++) {
        GEOSGeometry *g = wkt(h, rings[k]);
        GEOSGeometry *d = GEOSDensify_r(h, g, GM_PROJECT_DENSIFY_DEG);
        assert_non_null(d);
        const GEOSCoordSequence *gs = GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, g));
        const GEOSCoordSequence *ds = GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, d));
        unsigned gn = 0, dn = 0;
        assert_true(GEOSCoordSeq_getSize_r(h, gs, &gn) && GEOSCoordSeq_getSize_r(h, ds, &dn));
        double *in = malloc(2 * gn * sizeof *in), *want = malloc(2 * dn * sizeof *want);
        assert_true(GEOSCoordSeq_copyToBuffer_r(h, gs, in, 0, 0));
        assert_true(GEOSCoordSeq_copyToBuffer_r(h, ds, want, 0, 0));
        double *out = NULL;
        size_t len = 0, cap = 0;
        int inserted = 0;
        assert_int_equal(gm_project_densify_ring(in, gn, &out, &len, &cap, &inserted), dn);
        assert_true(inserted);
        assert_memory_equal(out, want, 2 * dn * sizeof *out);
        free(out);
        free(in);
        free(want);
        GEOSGeom_destroy_r(h, d);
        GEOSGeom_destroy_r(h, g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(cells_against_geos, setup, teardown),
        cmocka_unit_test_setup_teardown(conflict_groups_against_geos, setup, teardown),
        cmocka_unit_test_setup_teardown(interior_tiles, setup, teardown),
        cmocka_unit_test(encoder_round_trips),
        cmocka_unit_test_setup_teardown(densify_as_geos, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
