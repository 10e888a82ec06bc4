/*
 * qgis_project.c -- greenmine.qgs beside the outputs: one double-click opens
 * the analysis as a styled map. Layers are referenced by relative paths (the
 * folder can be moved); the vectors are drawn above the rasters; each layer
 * carries the same style as its default style in the GeoPackage, so the
 * project does not depend on QGIS reading layer_styles. The map is shown in
 * the rasters' equal-area CRS (src/core/project.h).
 *
 * Layer ids are long and prefixed: QGIS 3.22 replaces ids of 10 characters
 * or fewer with new ones on reading, which leaves the layer tree pointing at
 * nothing (the layer is listed but never drawn).
 */
#include "core/context_impl.h"
#include "core/crs.h"
#include "core/project.h"
#include "io/crs.h"
#include "out/styles.h"
#include "out/xml.h"

#include <cpl_conv.h>
#include <ogr_srs_api.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct out {
    FILE *f;
} out;

static void put_srs(FILE *f, const char *wkt, const char *proj4, const char *authid,
                    const char *description, int geographic)
{
    fputs("<spatialrefsys nativeFormat=\"Wkt\"><wkt>", f);
    gm_xml_fputs(f, wkt);
    fputs("</wkt><proj4>", f);
    gm_xml_fputs(f, proj4);
    fprintf(f, "</proj4><srsid>0</srsid><srid>0</srid><authid>%s</authid><description>", authid);
    gm_xml_fputs(f, description);
    fprintf(f,
            "</description><projectionacronym></projectionacronym><ellipsoidacronym>"
            "EPSG:7019</ellipsoidacronym><geographicflag>%s</geographicflag>"
            "</spatialrefsys>\n",
            geographic ? "true" : "false");
}

/* The zones' extent in the grid CRS, with a margin; 0 when there are none. */
static int map_extent(gm_context *ctx, const gm_inputs *in, double ext[4])
{
    gm_projector pj;
    if (gm_projector_init(&pj) != GM_OK) return 0;
    ext[0] = ext[1] = INFINITY;
    ext[2] = ext[3] = -INFINITY;
    for (size_t z = 0; z < in->n_zones; z++) {
        GEOSGeometry *p = gm_project_geometry(ctx->geos, &pj, in->zones[z].geom);
        double b[4];
        if (p && GEOSGeom_getXMin_r(ctx->geos, p, &b[0]) &&
            GEOSGeom_getYMin_r(ctx->geos, p, &b[1]) && GEOSGeom_getXMax_r(ctx->geos, p, &b[2]) &&
            GEOSGeom_getYMax_r(ctx->geos, p, &b[3])) {
            ext[0] = fmin(ext[0], b[0]), ext[1] = fmin(ext[1], b[1]);
            ext[2] = fmax(ext[2], b[2]), ext[3] = fmax(ext[3], b[3]);
        }
        if (p) GEOSGeom_destroy_r(ctx->geos, p);
    }
    gm_projector_free(&pj);
    if (!isfinite(ext[0])) return 0;
    double mx = 0.05 * (ext[2] - ext[0]), my = 0.05 * (ext[3] - ext[1]);
    ext[0] -= mx, ext[2] += mx, ext[1] -= my, ext[3] += my;
    return 1;
}

/* The id of a layer in the project: "greenmine_" + the layer's name. */
static void layer_id(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "greenmine_%s", name);
}

/* The raster file's base name without ".tif", for its id. */
static void raster_id(char *buf, size_t size, gm_raster_kind k)
{
    const char *f = gm_raster_file_name(k);
    const char *dot = strrchr(f, '.');
    snprintf(buf, size, "greenmine_%.*s", dot ? (int)(dot - f) : (int)strlen(f), f);
}

/* What the project references: the GeoPackage, and the rasters given. */
static const gm_project_file *raster_file(const gm_project_files *files, gm_raster_kind k)
{
    const gm_project_file *r =
        k == GM_RASTER_COVERAGE ? &files->coverage_tif : &files->conflict_tif;
    return r->name ? r : NULL;
}

int gm_write_qgis_project(gm_context *ctx, const char *path, const gm_project_files *files,
                          const gm_inputs *in, const gm_results *res)
{
    if (!files || !files->gpkg.name)
        return gm_error(ctx, GM_ERR_USAGE, "%s: the project needs the GeoPackage's name", path);
    const char *gpkg = files->gpkg.name;

    char *wkt4490 = NULL;
    OGRSpatialReferenceH srs = gm_crs_cgcs2000();
    const char *wkt_opts[] = {"FORMAT=WKT2_2019", NULL};
    if (srs) OSRExportToWktEx(srs, &wkt4490, wkt_opts);
    if (srs) OSRDestroySpatialReference(srs);

    size_t len = 0;
    char *text = NULL, id[128];
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        CPLFree(wkt4490);
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    }
    int rc = GM_OK;
    fprintf(f, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
               "<qgis projectname=\"greenmine\" version=\"3.22.16-Białowieża\">\n"
               "<homePath path=\"\"/>\n<title>绿色矿山空间分析 greenmine</title>\n<projectCrs>");
    put_srs(f, GM_GRID_CRS_WKT, GM_GRID_CRS_PROJ4, "", GM_GRID_CRS_NAME, 0);
    fputs("</projectCrs>\n", f);

    /* Layer tree: top of the list is drawn on top. Vectors, then rasters. */
    fputs("<layer-tree-group>\n<customproperties/>\n", f);
    for (size_t i = 0; i < gm_n_styled_layers; i++) {
        layer_id(id, sizeof id, gm_styled_layers[i]);
        fprintf(f, "<layer-tree-layer id=\"%s\" name=\"%s\" providerKey=\"ogr\" source=\"./", id,
                gm_layer_title(gm_styled_layers[i]));
        gm_xml_fputs(f, gpkg);
        fprintf(f, "|layername=%s\" checked=\"Qt::Checked\" expanded=\"1\"/>\n",
                gm_styled_layers[i]);
    }
    for (int k = GM_RASTER_KINDS - 1; k >= 0; k--) {
        const gm_project_file *r = raster_file(files, (gm_raster_kind)k);
        if (!r) continue;
        raster_id(id, sizeof id, (gm_raster_kind)k);
        fprintf(f, "<layer-tree-layer id=\"%s\" name=\"%s\" providerKey=\"gdal\" source=\"./", id,
                gm_raster_title((gm_raster_kind)k));
        gm_xml_fputs(f, r->name);
        fputs("\" checked=\"Qt::Checked\" expanded=\"1\"/>\n", f);
    }
    fputs("<custom-order enabled=\"0\"/>\n</layer-tree-group>\n", f);

    double ext[4];
    if (map_extent(ctx, in, ext)) {
        fprintf(f,
                "<mapcanvas name=\"theMapCanvas\" annotationsVisible=\"1\"><units>meters</units>"
                "<extent><xmin>%.3f</xmin><ymin>%.3f</ymin><xmax>%.3f</xmax><ymax>%.3f</ymax>"
                "</extent><rotation>0</rotation><destinationsrs>",
                ext[0], ext[1], ext[2], ext[3]);
        put_srs(f, GM_GRID_CRS_WKT, GM_GRID_CRS_PROJ4, "", GM_GRID_CRS_NAME, 0);
        fputs("</destinationsrs><rendermaptile>0</rendermaptile></mapcanvas>\n", f);
    }

    fputs("<projectlayers>\n", f);
    for (size_t i = 0; i < gm_n_styled_layers && rc == GM_OK; i++) {
        const char *layer = gm_styled_layers[i];
        int spatial = strcmp(layer, "province_indicators") != 0;
        char *body = gm_style_layer_body(layer, res);
        if (!body) {
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            break;
        }
        layer_id(id, sizeof id, layer);
        fprintf(f,
                "<maplayer type=\"vector\" %s labelsEnabled=\"%d\" readOnly=\"0\" "
                "styleCategories=\"AllStyleCategories\" hasScaleBasedVisibilityFlag=\"0\" "
                "minScale=\"100000000\" maxScale=\"0\">\n<id>%s</id>\n<datasource>./",
                spatial ? "geometry=\"Polygon\" wkbType=\"MultiPolygon\""
                        : "geometry=\"No geometry\" wkbType=\"NoGeometry\"",
                strstr(body, "<labeling") != NULL, id);
        gm_xml_fputs(f, gpkg);
        fprintf(f, "|layername=%s</datasource>\n<layername>%s</layername>\n", layer,
                gm_layer_title(layer));
        if (spatial) {
            fputs("<srs>", f);
            put_srs(f, wkt4490, "+proj=longlat +ellps=GRS80 +no_defs", GM_CRS_CGCS2000,
                    "China Geodetic Coordinate System 2000", 1);
            fputs("</srs>", f);
        }
        fprintf(f, "<provider encoding=\"UTF-8\">ogr</provider>\n%s</maplayer>\n", body);
        free(body);
    }
    for (int k = 0; k < GM_RASTER_KINDS && rc == GM_OK; k++) {
        const gm_project_file *r = raster_file(files, (gm_raster_kind)k);
        if (!r) continue;
        char *body = gm_style_raster_body((gm_raster_kind)k);
        if (!body) {
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            break;
        }
        raster_id(id, sizeof id, (gm_raster_kind)k);
        fprintf(f,
                "<maplayer type=\"raster\" styleCategories=\"AllStyleCategories\" "
                "hasScaleBasedVisibilityFlag=\"0\" minScale=\"1e+08\" maxScale=\"0\">\n"
                "<id>%s</id>\n<datasource>./",
                id);
        gm_xml_fputs(f, r->name);
        fprintf(f, "</datasource>\n<layername>%s</layername>\n",
                gm_raster_title((gm_raster_kind)k));
        fputs("<srs>", f);
        put_srs(f, GM_GRID_CRS_WKT, GM_GRID_CRS_PROJ4, "", GM_GRID_CRS_NAME, 0);
        fputs("</srs>", f);
        fprintf(f,
                "<provider>gdal</provider>\n<noData><noDataList useSrcNoData=\"1\" "
                "bandNo=\"1\"/></noData>\n%s</maplayer>\n",
                body);
        free(body);
    }
    fputs("</projectlayers>\n<layerorder>\n", f);
    for (size_t i = 0; i < gm_n_styled_layers; i++) {
        layer_id(id, sizeof id, gm_styled_layers[i]);
        fprintf(f, "<layer id=\"%s\"/>\n", id);
    }
    for (int k = GM_RASTER_KINDS - 1; k >= 0; k--)
        if (raster_file(files, (gm_raster_kind)k)) {
            raster_id(id, sizeof id, (gm_raster_kind)k);
            fprintf(f, "<layer id=\"%s\"/>\n", id);
        }
    fputs("</layerorder>\n<projectMetadata><identifier>", f);
    gm_xml_fputs(f, files->run_id ? files->run_id : "");
    fputs("</identifier><title>绿色矿山空间分析 greenmine</title><type>dataset</type>"
          "<language>zh-CN</language></projectMetadata>\n",
          f);
    /* ProjectionsEnabled: without it QGIS 3.22 ignores <projectCrs> */
    fputs("<properties><Paths><Absolute type=\"bool\">false</Absolute></Paths>"
          "<SpatialRefSys><ProjectionsEnabled type=\"int\">1</ProjectionsEnabled></SpatialRefSys>"
          "</properties>\n</qgis>\n",
          f);
    int bad = ferror(f);
    fclose(f);
    CPLFree(wkt4490);
    if (rc == GM_OK && (bad || !text)) rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    /* exactly at `path`; a failed write leaves no file behind */
    if (rc == GM_OK) rc = gm_write_text_file_at(ctx, path, text);
    free(text);
    return rc;
}
