/*
 * geotiff.c -- the fraction rasters: restoration_coverage.tif (the share of
 * each cell covered by completed restoration or reclamation inside the zones)
 * and redline_conflict.tif (the share of each cell inside a red line, within
 * the mines), as Cloud-Optimized GeoTIFFs with a QML sidecar.
 *
 * Fractions are exact (src/core/coverage.c) in an Albers equal-area CRS
 * (src/core/project.h), so fraction x cell area is an area everywhere. The
 * grid is computed tile by tile (512 x 512, the COG's block size) into a
 * sparse, uncompressed temporary GeoTIFF (compressing it only to decompress
 * it for the COG cost a third of the raster time); tiles that meet no mask
 * polygon are never written and read back as nodata. GDAL's COG driver then writes the final
 * file with AVERAGE overviews (nodata-aware; its default CUBIC overshoots
 * 0..1), sparse too: an all-nodata block is neither compressed nor stored.
 * Both files go to temporary names and are renamed into place.
 */
#include "out/styles.h"

#include "core/context_impl.h"
#include "core/coverage.h"
#include "core/project.h"

#include <greenmine/output.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <errno.h>
#include <gdal.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TILE 512
/* A cell belongs to the mask when a mask polygon covers more than this share
 * of it: any real overlap, but not a shared edge or corner (rounding ~1e-15). */
#define MASK_MIN 1e-9

/* Projected polygons with their bounding boxes. */
typedef struct parts {
    GEOSGeometry **g;
    double (*box)[4]; /* minx, miny, maxx, maxy */
    size_t n, cap;
} parts;

static void parts_free(GEOSContextHandle_t h, parts *p)
{
    for (size_t i = 0; i < p->n; i++)
        GEOSGeom_destroy_r(h, p->g[i]);
    free(p->g);
    free(p->box);
    memset(p, 0, sizeof *p);
}

/* Projects g and appends each of its polygons. */
static int parts_add(GEOSContextHandle_t h, gm_projector *pj, parts *p, const GEOSGeometry *g)
{
    if (!g || GEOSisEmpty_r(h, g)) return GM_OK;
    GEOSGeometry *proj = gm_project_geometry(h, pj, g);
    if (!proj) return GM_ERR_INTERNAL;
    int n = GEOSGetNumGeometries_r(h, proj);
    int rc = GM_OK;
    for (int i = 0; i < n && rc == GM_OK; i++) {
        const GEOSGeometry *part = GEOSGetGeometryN_r(h, proj, i);
        if (GEOSGeomTypeId_r(h, part) != GEOS_POLYGON || GEOSisEmpty_r(h, part)) continue;
        if (p->n == p->cap) {
            size_t cap = p->cap ? 2 * p->cap : 64;
            GEOSGeometry **ng = realloc(p->g, cap * sizeof *ng);
            if (ng) p->g = ng;
            double(*nb)[4] = realloc(p->box, cap * sizeof *nb);
            if (nb) p->box = nb;
            if (!ng || !nb) {
                rc = GM_ERR_NOMEM;
                break;
            }
            p->cap = cap;
        }
        double *b = p->box[p->n];
        if (!GEOSGeom_getXMin_r(h, part, &b[0]) || !GEOSGeom_getYMin_r(h, part, &b[1]) ||
            !GEOSGeom_getXMax_r(h, part, &b[2]) || !GEOSGeom_getYMax_r(h, part, &b[3])) {
            rc = GM_ERR_INTERNAL;
            break;
        }
        if (!(p->g[p->n] = GEOSGeom_clone_r(h, part))) {
            rc = GM_ERR_NOMEM;
            break;
        }
        p->n++;
    }
    GEOSGeom_destroy_r(h, proj);
    return rc;
}

/* The union of a set of lon/lat pieces, projected, as parts. */
static int parts_add_union(GEOSContextHandle_t h, gm_projector *pj, parts *p,
                           GEOSGeometry *const *pieces, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (pieces[i]) count++;
    if (count == 0) return GM_OK;
    GEOSGeometry **clones = malloc(count * sizeof *clones);
    if (!clones) return GM_ERR_NOMEM;
    size_t at = 0;
    for (size_t i = 0; i < n; i++)
        if (pieces[i]) clones[at++] = GEOSGeom_clone_r(h, pieces[i]);
    GEOSGeometry *all =
        GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, clones, (unsigned)count);
    free(clones);
    GEOSGeometry *u = all ? GEOSUnaryUnion_r(h, all) : NULL;
    if (all) GEOSGeom_destroy_r(h, all);
    if (!u) return GM_ERR_INTERNAL;
    int rc = parts_add(h, pj, p, u);
    GEOSGeom_destroy_r(h, u);
    return rc;
}

/* Adds the coverage of the parts meeting the tile's grid to frac. */
static int cover_tile(GEOSContextHandle_t h, const gm_grid *tile, const parts *p, double *frac,
                      int *any)
{
    double minx = tile->x0, maxx = tile->x0 + (double)tile->cols * tile->cell;
    double maxy = tile->y0, miny = tile->y0 - (double)tile->rows * tile->cell;
    *any = 0;
    for (size_t i = 0; i < p->n; i++) {
        const double *b = p->box[i];
        if (b[2] <= minx || b[0] >= maxx || b[3] <= miny || b[1] >= maxy) continue;
        *any = 1;
        int rc = gm_coverage_add(h, tile, p->g[i], frac);
        if (rc != GM_OK) return rc;
    }
    return GM_OK;
}

typedef struct raster_job {
    gm_context *ctx;
    const char *path; /* the final .tif */
    gm_raster_kind kind;
    const char *description;
    parts mask, value; /* mask: where the raster has data; value: what it measures */
    double cell;
    int as_of;
    const char *run_id; /* GREENMINE_RUN_ID, or NULL */
} raster_job;

static int gdal_fail(raster_job *j, const char *what)
{
    return gm_error(j->ctx, GM_ERR_WRITE, "%s: cannot write %s: %s", j->path, what,
                    CPLGetLastErrorMsg()[0] ? CPLGetLastErrorMsg() : "unknown error");
}

/* Computes the grid into the sparse GeoTIFF `src` and returns it open. */
static int compute(raster_job *j, const gm_grid *grid, GDALDatasetH src)
{
    GEOSContextHandle_t h = j->ctx->geos;
    GDALRasterBandH band = GDALGetRasterBand(src, 1);
    double *mask = malloc(TILE * TILE * sizeof *mask), *val = malloc(TILE * TILE * sizeof *val);
    float *out = malloc(TILE * TILE * sizeof *out);
    int rc = mask && val && out ? GM_OK : gm_error(j->ctx, GM_ERR_NOMEM, "out of memory");
    size_t trows = (grid->rows + TILE - 1) / TILE, tcols = (grid->cols + TILE - 1) / TILE;
    for (size_t tr = 0; tr < trows && rc == GM_OK; tr++) {
        for (size_t tc = 0; tc < tcols && rc == GM_OK; tc++) {
            size_t r0 = tr * TILE, c0 = tc * TILE;
            size_t nr = grid->rows - r0 < TILE ? grid->rows - r0 : TILE;
            size_t nc = grid->cols - c0 < TILE ? grid->cols - c0 : TILE;
            gm_grid tile = gm_grid_window(grid, r0, c0, nr, nc);
            memset(mask, 0, nr * nc * sizeof *mask);
            int any = 0;
            if ((rc = cover_tile(h, &tile, &j->mask, mask, &any)) != GM_OK) break;
            if (!any) continue; /* sparse: stays nodata */
            int data = 0;
            for (size_t i = 0; i < nr * nc && !data; i++)
                data = mask[i] > MASK_MIN;
            if (!data) continue;
            memset(val, 0, nr * nc * sizeof *val);
            if ((rc = cover_tile(h, &tile, &j->value, val, &any)) != GM_OK) break;
            for (size_t i = 0; i < nr * nc; i++)
                out[i] = mask[i] > MASK_MIN ? (float)fmin(1.0, fmax(0.0, val[i]))
                                            : (float)GM_RASTER_NODATA;
            if (GDALRasterIO(band, GF_Write, (int)c0, (int)r0, (int)nc, (int)nr, out, (int)nc,
                             (int)nr, GDT_Float32, 0, 0) != CE_None)
                rc = gdal_fail(j, "a block");
            gm_progress(j->ctx,
                        j->kind == GM_RASTER_COVERAGE ? "coverage raster" : "conflict raster",
                        tr * tcols + tc + 1, trows * tcols);
        }
    }
    if (rc == GM_ERR_INTERNAL || rc == GM_ERR_NOMEM)
        rc = gm_error(j->ctx, rc, "%s: cannot compute the cell fractions", j->path);
    free(mask);
    free(val);
    free(out);
    return rc;
}

static int write_raster(raster_job *j)
{
    gm_context *ctx = j->ctx;
    if (j->mask.n == 0) {
        gm_log(ctx, GM_LOG_WARNING, "%s: not written: nothing to cover (no polygons)", j->path);
        unlink(j->path);
        return GM_OK;
    }
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (size_t i = 0; i < j->mask.n; i++) {
        minx = fmin(minx, j->mask.box[i][0]), miny = fmin(miny, j->mask.box[i][1]);
        maxx = fmax(maxx, j->mask.box[i][2]), maxy = fmax(maxy, j->mask.box[i][3]);
    }
    gm_grid grid;
    gm_grid_snap(&grid, minx, miny, maxx, maxy, j->cell);
    if (grid.rows > 200000 || grid.cols > 200000)
        return gm_error(ctx, GM_ERR_USAGE,
                        "%s: a %zu x %zu grid is too large; choose a larger --cell", j->path,
                        grid.rows, grid.cols);

    char src_path[4300], tmp_path[4300];
    snprintf(src_path, sizeof src_path, "%s.%ld.src.tmp.tif", j->path, (long)getpid());
    snprintf(tmp_path, sizeof tmp_path, "%s.%ld.tmp.tif", j->path, (long)getpid());
    int rc = GM_OK;
    GDALDatasetH src = NULL, cog = NULL;
    OGRSpatialReferenceH srs = OSRNewSpatialReference(GM_GRID_CRS_WKT);
    GDALDriverH gtiff = GDALGetDriverByName("GTiff"), cog_drv = GDALGetDriverByName("COG");
    if (!srs || !gtiff || !cog_drv) {
        rc = gm_error(ctx, GM_ERR_INTERNAL, "GDAL lacks the GTiff or COG driver or the grid CRS");
        goto done;
    }
    char bs[16];
    snprintf(bs, sizeof bs, "%d", TILE);
    const char *src_opts[] = {"TILED=YES",      "BLOCKXSIZE=512",   "BLOCKYSIZE=512",
                              "SPARSE_OK=TRUE", "BIGTIFF=IF_SAFER", NULL};
    CPLErrorReset();
    src = GDALCreate(gtiff, src_path, (int)grid.cols, (int)grid.rows, 1, GDT_Float32,
                     (char **)src_opts);
    if (!src) {
        rc = gdal_fail(j, "its temporary grid");
        goto done;
    }
    double gt[6] = {grid.x0, grid.cell, 0, grid.y0, 0, -grid.cell};
    GDALSetGeoTransform(src, gt);
    GDALSetSpatialRef(src, srs);
    GDALRasterBandH band = GDALGetRasterBand(src, 1);
    GDALSetRasterNoDataValue(band, GM_RASTER_NODATA);
    GDALSetDescription(band, j->description);
    char cell[32], asof[16];
    snprintf(cell, sizeof cell, "%g", grid.cell);
    snprintf(asof, sizeof asof, "%04d-%02d-%02d", j->as_of / 10000, j->as_of / 100 % 100,
             j->as_of % 100);
    GDALSetMetadataItem(src, "GREENMINE_VERSION", gm_version(), NULL);
    GDALSetMetadataItem(src, "GREENMINE_AS_OF", asof, NULL);
    GDALSetMetadataItem(src, "GREENMINE_CELL_M", cell, NULL);
    GDALSetMetadataItem(src, "GREENMINE_MEANING", j->description, NULL);
    GDALSetMetadataItem(src, "GREENMINE_GRID_CRS", GM_GRID_CRS_PROJ4, NULL);
    if (j->run_id) GDALSetMetadataItem(src, "GREENMINE_RUN_ID", j->run_id, NULL);
    if ((rc = compute(j, &grid, src)) != GM_OK) goto done;
    GDALFlushCache(src);

    const char *cog_opts[] = {"COMPRESS=DEFLATE",
                              "PREDICTOR=YES",
                              "LEVEL=6",
                              "BLOCKSIZE=512",
                              "RESAMPLING=AVERAGE",
                              "OVERVIEWS=IGNORE_EXISTING",
                              "NUM_THREADS=ALL_CPUS",
                              "BIGTIFF=IF_SAFER",
                              "SPARSE_OK=TRUE",
                              NULL};
    CPLErrorReset();
    cog = GDALCreateCopy(cog_drv, tmp_path, src, FALSE, (char **)cog_opts, NULL, NULL);
    if (!cog) {
        rc = gdal_fail(j, "the Cloud-Optimized GeoTIFF");
        goto done;
    }
    CPLErrorReset();
    GDALClose(cog);
    cog = NULL;
    if (CPLGetLastErrorType() >= CE_Failure) {
        rc = gdal_fail(j, "the Cloud-Optimized GeoTIFF (closing)");
        goto done;
    }
    if (rename(tmp_path, j->path) != 0)
        rc = gm_error(ctx, GM_ERR_WRITE, "%s: cannot move the finished file into place: %s",
                      j->path, strerror(errno));
done:
    if (src) GDALClose(src);
    if (cog) GDALClose(cog);
    if (srs) OSRDestroySpatialReference(srs);
    unlink(src_path);
    if (rc != GM_OK) unlink(tmp_path);
    return rc;
}

/* The .qml sidecar QGIS applies on load: same base name as the .tif. */
static int write_sidecar(gm_context *ctx, const char *tif, gm_raster_kind kind)
{
    char qml_path[4200];
    snprintf(qml_path, sizeof qml_path, "%.*s.qml", (int)(strlen(tif) - 4), tif);
    char *qml = gm_style_raster_qml(kind);
    if (!qml) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    int rc = gm_write_text_file(ctx, qml_path, qml);
    free(qml);
    return rc;
}

int gm_write_rasters(gm_context *ctx, const char *dir, const gm_inputs *in, const gm_results *res,
                     const gm_raster_options *opts)
{
    static const gm_raster_options defaults = GM_RASTER_OPTIONS_INIT;
    if (!opts) opts = &defaults;
    if (!(opts->cell_m > 0) || opts->cell_m > 100000)
        return gm_error(ctx, GM_ERR_USAGE, "cell size %g m: expected more than 0", opts->cell_m);
    GDALAllRegister();
    gm_progress(ctx, "raster polygons", 0, 0); /* projecting and dissolving them takes a while */
    GEOSContextHandle_t h = ctx->geos;
    gm_projector pj;
    int rc = gm_projector_init(&pj);
    if (rc != GM_OK) return gm_error(ctx, rc, "PROJ cannot project to %s", GM_GRID_CRS_NAME);
    raster_job jobs[GM_RASTER_KINDS] = {{0}};
    char paths[GM_RASTER_KINDS][4200];
    for (int k = 0; k < GM_RASTER_KINDS; k++) {
        snprintf(paths[k], sizeof paths[k], "%s/%s", dir && *dir ? dir : ".",
                 gm_raster_file_name((gm_raster_kind)k));
        jobs[k] = (raster_job){.ctx = ctx,
                               .path = paths[k],
                               .kind = (gm_raster_kind)k,
                               .cell = opts->cell_m,
                               .as_of = opts->as_of,
                               .run_id = opts->run_id};
    }
    jobs[GM_RASTER_COVERAGE].description =
        "fraction of the cell covered by completed restoration or reclamation inside the "
        "demonstration zones (nodata: the cell does not overlap any zone)";
    jobs[GM_RASTER_CONFLICT].description =
        "fraction of the cell inside an ecological red line and a mine (nodata: the cell does "
        "not overlap any mine)";

    /* coverage: mask = zones; value = (restoration ∪ reclamation) ∩ zones, one union
     * (zones may overlap, and a restored area may also be reclaimed) */
    for (size_t z = 0; z < in->n_zones && rc == GM_OK; z++)
        rc = parts_add(h, &pj, &jobs[GM_RASTER_COVERAGE].mask, in->zones[z].geom);
    GEOSGeometry **done = calloc(2 * (res->n_zones ? res->n_zones : 1), sizeof *done);
    if (!done && rc == GM_OK) rc = GM_ERR_NOMEM;
    for (size_t z = 0; done && z < res->n_zones; z++)
        for (int k = 0; k < 2; k++)
            done[2 * z + (size_t)k] = res->zones[z].done[k];
    if (rc == GM_OK)
        rc = parts_add_union(h, &pj, &jobs[GM_RASTER_COVERAGE].value, done, 2 * res->n_zones);
    free(done);
    /* conflict: mask = mines; value = ∪ (mine ∩ red line) */
    for (size_t i = 0; i < in->n_mines && rc == GM_OK; i++)
        rc = parts_add(h, &pj, &jobs[GM_RASTER_CONFLICT].mask, in->mines[i].geom);
    GEOSGeometry **ov = calloc(res->n_overlaps ? res->n_overlaps : 1, sizeof *ov);
    if (!ov && rc == GM_OK) rc = GM_ERR_NOMEM;
    for (size_t i = 0; ov && i < res->n_overlaps; i++)
        ov[i] = res->overlaps[i].geom;
    if (rc == GM_OK)
        rc = parts_add_union(h, &pj, &jobs[GM_RASTER_CONFLICT].value, ov, res->n_overlaps);
    free(ov);
    if (rc != GM_OK)
        rc = gm_error(ctx, rc, "cannot project the polygons to %s: %s", GM_GRID_CRS_NAME,
                      gm_geos_message(ctx));

    CPLPushErrorHandler(CPLQuietErrorHandler);
    for (int k = 0; k < GM_RASTER_KINDS && rc == GM_OK; k++) {
        rc = write_raster(&jobs[k]);
        if (rc == GM_OK && access(jobs[k].path, F_OK) == 0)
            rc = write_sidecar(ctx, jobs[k].path, (gm_raster_kind)k);
    }
    CPLPopErrorHandler();
    for (int k = 0; k < GM_RASTER_KINDS; k++) {
        parts_free(h, &jobs[k].mask);
        parts_free(h, &jobs[k].value);
    }
    gm_projector_free(&pj);
    return rc;
}
