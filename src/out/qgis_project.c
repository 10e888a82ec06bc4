/*
 * qgis_project.c -- greenmine.qgs beside the outputs: one double-click opens
 * the analysis as a styled map. Layers are referenced by relative paths (the
 * folder can be moved); the vectors are drawn above the rasters; each layer
 * carries the same style as its default style in the GeoPackage, so the
 * project does not depend on QGIS reading layer_styles. The map is shown in
 * the rasters' equal-area CRS (src/core/project.h).
 */
#include "out/xml.h"
#include "out/styles.h"

#include "core/context_impl.h"
#include "core/project.h"

#include <cpl_conv.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int gm_write_qgis_project(gm_context *ctx, const char *path, const gm_project_files *files,
                          const gm_inputs *in, const gm_results *res)
{
    const char *gpkg = files->gpkg.name;
    int raster_present[GM_RASTER_KINDS] = {files->coverage_tif.name != NULL,
                                           files->conflict_tif.name != NULL};

    char *wkt4490 = NULL;
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    const char *wkt_opts[] = {"FORMAT=WKT2_2019", NULL};
    if (srs && OSRImportFromEPSG(srs, 4490) == OGRERR_NONE)
        OSRExportToWktEx(srs, &wkt4490, wkt_opts);
    if (srs) OSRDestroySpatialReference(srs);

    size_t len = strlen(path);
    char *text = NULL;
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
    for (size_t i = 0; i < gm_n_styled_layers; i++)
        fprintf(f,
                "<layer-tree-layer id=\"%s\" name=\"%s\" providerKey=\"ogr\" "
                "source=\"./%s|layername=%s\" checked=\"Qt::Checked\" expanded=\"0\"/>\n",
                gm_styled_layers[i], gm_layer_title(gm_styled_layers[i]), gpkg,
                gm_styled_layers[i]);
    for (int k = GM_RASTER_KINDS - 1; k >= 0; k--)
        if (raster_present[k])
            fprintf(f,
                    "<layer-tree-layer id=\"raster_%d\" name=\"%s\" providerKey=\"gdal\" "
                    "source=\"./%s\" checked=\"Qt::Checked\" expanded=\"1\"/>\n",
                    k, gm_raster_title((gm_raster_kind)k), gm_raster_file_name((gm_raster_kind)k));
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
        fprintf(f,
                "<maplayer type=\"vector\" %s labelsEnabled=\"%d\" readOnly=\"0\" "
                "styleCategories=\"AllStyleCategories\" hasScaleBasedVisibilityFlag=\"0\" "
                "minScale=\"100000000\" maxScale=\"0\">\n<id>%s</id>\n"
                "<datasource>./%s|layername=%s</datasource>\n<layername>%s</layername>\n",
                spatial ? "geometry=\"Polygon\" wkbType=\"MultiPolygon\""
                        : "geometry=\"No geometry\" wkbType=\"NoGeometry\"",
                strstr(body, "<labeling") != NULL, layer, gpkg, layer, gm_layer_title(layer));
        if (spatial) fputs("<srs>", f);
        if (spatial)
            put_srs(f, wkt4490, "+proj=longlat +ellps=GRS80 +no_defs", "EPSG:4490",
                    "China Geodetic Coordinate System 2000", 1);
        if (spatial) fputs("</srs>", f);
        fprintf(f, "<provider encoding=\"UTF-8\">ogr</provider>\n%s</maplayer>\n", body);
        free(body);
    }
    for (int k = 0; k < GM_RASTER_KINDS && rc == GM_OK; k++) {
        if (!raster_present[k]) continue;
        char *body = gm_style_raster_body((gm_raster_kind)k);
        if (!body) {
            rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
            break;
        }
        fprintf(f,
                "<maplayer type=\"raster\" styleCategories=\"AllStyleCategories\" "
                "hasScaleBasedVisibilityFlag=\"0\" minScale=\"1e+08\" maxScale=\"0\">\n"
                "<id>raster_%d</id>\n<datasource>./%s</datasource>\n<layername>%s</layername>\n",
                k, gm_raster_file_name((gm_raster_kind)k), gm_raster_title((gm_raster_kind)k));
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
    for (size_t i = 0; i < gm_n_styled_layers; i++)
        fprintf(f, "<layer id=\"%s\"/>\n", gm_styled_layers[i]);
    for (int k = GM_RASTER_KINDS - 1; k >= 0; k--)
        if (raster_present[k]) fprintf(f, "<layer id=\"raster_%d\"/>\n", k);
    /* ProjectionsEnabled: without it QGIS 3.22 ignores <projectCrs> */
    fputs("</layerorder>\n<properties><Paths><Absolute type=\"bool\">false</Absolute></Paths>"
          "<SpatialRefSys><ProjectionsEnabled type=\"int\">1</ProjectionsEnabled></SpatialRefSys>",
          f);
    if (files->run_id) /* the set's id (greenmine/run.h); hex digits only */
        fprintf(f, "<greenmine><run_id type=\"QString\">%.16s</run_id></greenmine>", files->run_id);
    fputs("</properties>\n</qgis>\n", f);
    int bad = ferror(f);
    fclose(f);
    CPLFree(wkt4490);
    if (rc == GM_OK && (bad || !text)) rc = gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    if (rc == GM_OK) rc = gm_write_text_file_at(ctx, path, text);
    free(text);
    return rc;
}
