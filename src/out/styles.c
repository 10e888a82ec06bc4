/*
 * styles.c -- greenmine's outputs as a finished map in QGIS (see styles.h):
 * QML documents in the form QGIS 3.22 writes them, the GeoPackage's
 * layer_styles table in QGIS's own schema, Chinese field aliases, and the
 * run's provenance in gpkg_metadata. Only writes into a GeoPackage that
 * gpkg_writer.c has opened; never touches the contract's layers.
 */
#include "out/styles.h"

#include "core/context_impl.h"
#include "core/text.h"
#include "out/xml.h"

#include <greenmine/load.h>

#include <cpl_error.h>
#include <ogr_api.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- a growing string ---------------------------------------------------- */

typedef struct sbuf {
    char *s;
    size_t n, cap;
    int oom;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf *b, const char *fmt, ...)
{
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = b->cap ? b->cap : 4096;
        while (cap <= b->n + (size_t)k)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

/* Appends text with XML's special characters escaped, control characters
 * shown (out/xml.h). */
static void put_xml(sbuf *b, const char *text)
{
    size_t len = text ? strlen(text) : 0, i = 0, n;
    char buf[8];
    while (i < len) {
        const char *e = gm_xml_entity(text[i]);
        if (e)
            put(b, "%s", e), n = 1;
        else if (gm_text_unsafe(text + i, len - i, &n, buf, 1))
            put(b, "%s", buf);
        else
            put(b, "%.*s", (int)n, text + i);
        i += n;
    }
}

static char *finish(sbuf *b)
{
    if (b->oom) {
        free(b->s);
        return NULL;
    }
    return b->s ? b->s : calloc(1, 1);
}

/* ---- names and aliases ----------------------------------------------------- */

typedef struct alias {
    const char *layer, *field, *title;
} alias;

/* The Chinese titles users see. `fid` is the GeoPackage's key, first in QGIS. */
static const alias aliases[] = {
    {"mine_conflicts", "fid", "要素编号"},
    {"mine_conflicts", "mine_id", "采矿许可证号"},
    {"mine_conflicts", "name", "矿山名称"},
    {"mine_conflicts", "scale", "生产规模"},
    {"mine_conflicts", "zone_name", "所在示范区"},
    {"mine_conflicts", "mine_ha", "矿区面积(公顷)"},
    {"mine_conflicts", "redline_conflict_ha", "红线冲突面积(公顷)"},
    {"mine_conflicts", "conflict_pct", "冲突面积占比(%)"},
    {"mine_conflicts", "redline_ids", "涉及红线编号"},
    {"mine_conflicts", "verdict", "冲突结论"},
    {"conflict_areas", "fid", "要素编号"},
    {"conflict_areas", "mine_id", "采矿许可证号"},
    {"conflict_areas", "redline_id", "红线编号"},
    {"conflict_areas", "category", "红线类型"},
    {"conflict_areas", "area_ha", "冲突面积(公顷)"},
    {"conflict_areas", "redline_name", "红线名称"},
    {"zone_progress", "fid", "要素编号"},
    {"zone_progress", "zone_id", "示范区编号"},
    {"zone_progress", "name", "示范区名称"},
    {"zone_progress", "restoration_done_ha", "已完成恢复治理面积(公顷)"},
    {"zone_progress", "reclamation_done_ha", "已完成土地复垦面积(公顷)"},
    {"zone_progress", "mines", "矿山数"},
    {"zone_progress", "large_medium_mines", "大中型矿山数"},
    {"zone_progress", "conflict_mines", "红线冲突矿山数"},
    {"zone_progress", "zone_ha", "示范区面积(公顷)"},
    {"restored_areas", "fid", "要素编号"},
    {"restored_areas", "zone_name", "所在示范区"},
    {"restored_areas", "kind", "类型"},
    {"restored_areas", "area_ha", "面积(公顷)"},
    {"province_indicators", "fid", "要素编号"},
    {"province_indicators", "indicator", "指标"},
    {"province_indicators", "value", "数值"},
    {"province_indicators", "target", "目标值"},
    {"province_indicators", "unit", "单位"},
    {"province_indicators", "pct_of_target", "完成目标比例(%)"},
    /* the public list of green mines (greenmine list, src/out/list_gpkg.c) */
    {"green_mine_list", "fid", "要素编号"},
    {"green_mine_list", "licence_no", "采矿许可证号"},
    {"green_mine_list", "mine_name", "矿山名称"},
    {"green_mine_list", "enterprise", "采矿权人"},
    {"green_mine_list", "credit_code", "统一社会信用代码"},
    {"green_mine_list", "industry", "行业"},
    {"green_mine_list", "mineral", "主要矿种"},
    {"green_mine_list", "scale", "生产规模"},
    {"green_mine_list", "city", "市州"},
    {"green_mine_list", "county", "县市区"},
    {"green_mine_list", "zone", "所在示范区"},
    {"green_mine_list", "is_new", "新建矿山"},
    {"green_mine_list", "batch", "名录批次"},
    {"green_mine_list", "listed_on", "入选名录日期"},
    {"green_mine_list", "verified_by", "第三方评估机构"},
    {"green_mine_list", "verified_on", "第三方评估日期"},
    {"green_mine_list", "last_spot_check", "最近抽查日期"},
    {"green_mine_list", "spot_check_result", "最近抽查结果"},
    {"green_mine_list", "credit_grade", "信用等级"},
    {"green_mine_list", "credit_year", "信用评价年度"},
    {"green_mine_list", "mine_ha", "矿区面积(公顷)"},
    {"green_mine_list", "list_as_of", "名录截至日期"},
};

/* The overlap of a mine and a red line is drawn above the mine's fill, or
 * the conflict would be hidden under the very mine it concerns. */
const char *const gm_styled_layers[] = {"conflict_areas", "mine_conflicts", "restored_areas",
                                        "zone_progress", "province_indicators"};
const size_t gm_n_styled_layers = sizeof gm_styled_layers / sizeof *gm_styled_layers;

/* The zones' progress measure: restored hectares per 100 km² of zone, so a
 * large zone is not darker for its size alone (absolute hectares mostly
 * show the zone's area). Numbers of a few units, not thousandths. */
#define ZONE_MEASURE "if(\"zone_ha\" > 0, \"restoration_done_ha\" * 10000 / \"zone_ha\", 0)"
#define ZONE_PER_HA 10000.0
#define ZONE_UNIT "公顷/百平方公里"

const char *gm_layer_title(const char *layer)
{
    static const char *const titles[][2] = {
        {"mine_conflicts", "矿山红线冲突"},
        {"conflict_areas", "红线冲突区域"},
        {"restored_areas", "已完成治理复垦区"},
        {"zone_progress", "示范区恢复治理进展（" ZONE_UNIT "）"},
        {"province_indicators", "全省指标"},
    };
    for (size_t i = 0; i < sizeof titles / sizeof *titles; i++)
        if (strcmp(titles[i][0], layer) == 0) return titles[i][1];
    return layer;
}

const char *gm_raster_file_name(gm_raster_kind kind)
{
    return kind == GM_RASTER_COVERAGE ? "restoration_coverage.tif" : "redline_conflict.tif";
}

const char *gm_raster_title(gm_raster_kind kind)
{
    return kind == GM_RASTER_COVERAGE ? "治理复垦覆盖率" : "矿区红线占比";
}

/* ---- QML pieces ------------------------------------------------------------ */

static const char qml_doctype[] = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n";
#define QGIS_VERSION "3.22.16-Białowieża"

typedef struct fill {
    const char *color;   /* "r,g,b,a" */
    const char *style;   /* solid, b_diagonal, no ... */
    const char *outline; /* "r,g,b,a" */
    double outline_mm;
    const char *hatch;  /* a second layer of diagonal lines in this colour, or NULL */
    const char *marker; /* a circle of this colour on each feature, or NULL: it keeps
                           features seen that are smaller than a pixel */
} fill;

static void put_props(sbuf *b, const char *const *keys, const char *const *vals, size_t n,
                      const char *indent)
{
    put(b, "%s<Option type=\"Map\">\n", indent);
    for (size_t i = 0; i < n; i++)
        put(b, "%s  <Option name=\"%s\" type=\"QString\" value=\"%s\"/>\n", indent, keys[i],
            vals[i]);
    put(b, "%s</Option>\n", indent);
    for (size_t i = 0; i < n; i++)
        put(b, "%s<prop k=\"%s\" v=\"%s\"/>\n", indent, keys[i], vals[i]);
}

static void put_simple_fill(sbuf *b, const char *color, const char *style, const char *outline,
                            double outline_mm)
{
    static const char *const keys[] = {"color",         "style",         "outline_color",
                                       "outline_style", "outline_width", "outline_width_unit",
                                       "joinstyle"};
    char width[32];
    snprintf(width, sizeof width, "%g", outline_mm);
    const char *const vals[] = {color, style, outline, outline_mm > 0 ? "solid" : "no",
                                width, "MM",  "bevel"};
    put(b, "        <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n");
    put_props(b, keys, vals, sizeof keys / sizeof *keys, "          ");
    put(b, "        </layer>\n");
}

static void put_centroid_marker(sbuf *b, const char *name, const char *color)
{
    static const char *const ckeys[] = {"point_on_surface", "point_on_all_parts", "clip_points",
                                        "clip_on_current_part_only"};
    static const char *const cvals[] = {"1", "0", "0", "0"};
    static const char *const mkeys[] = {"name",
                                        "color",
                                        "outline_color",
                                        "outline_style",
                                        "outline_width",
                                        "outline_width_unit",
                                        "size",
                                        "size_unit",
                                        "angle",
                                        "offset",
                                        "offset_unit",
                                        "scale_method",
                                        "horizontal_anchor_point",
                                        "vertical_anchor_point"};
    const char *const mvals[] = {"circle", color, "0,0,0,255", "solid", "0.4",      "MM", "3.2",
                                 "MM",     "0",   "0,0",       "MM",    "diameter", "1",  "1"};
    put(b, "        <layer class=\"CentroidFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n");
    put_props(b, ckeys, cvals, sizeof ckeys / sizeof *ckeys, "          ");
    put(b,
        "          <symbol type=\"marker\" name=\"@%s@1\" alpha=\"1\" clip_to_extent=\"1\" "
        "force_rhr=\"0\">\n            <layer class=\"SimpleMarker\" enabled=\"1\" "
        "locked=\"0\" pass=\"0\">\n",
        name);
    put_props(b, mkeys, mvals, sizeof mkeys / sizeof *mkeys, "              ");
    put(b, "            </layer>\n          </symbol>\n        </layer>\n");
}

static void put_fill_symbol(sbuf *b, const char *name, const fill *f)
{
    put(b,
        "      <symbol type=\"fill\" name=\"%s\" alpha=\"1\" clip_to_extent=\"1\" "
        "force_rhr=\"0\">\n",
        name);
    put_simple_fill(b, f->color, f->style, f->outline, f->outline_mm);
    if (f->hatch) put_simple_fill(b, f->hatch, "b_diagonal", f->hatch, 0);
    if (f->marker) put_centroid_marker(b, name, f->marker);
    put(b, "      </symbol>\n");
}

typedef struct category {
    const char *value, *label;
    fill f;
} category;

static void put_categorized(sbuf *b, const char *attr, const category *cats, size_t n)
{
    put(b,
        "  <renderer-v2 type=\"categorizedSymbol\" attr=\"%s\" symbollevels=\"0\" "
        "enableorderby=\"0\" forceraster=\"0\" referencescale=\"-1\">\n    <categories>\n",
        attr);
    for (size_t i = 0; i < n; i++) {
        put(b, "      <category render=\"true\" symbol=\"%zu\" value=\"%s\" label=\"", i,
            cats[i].value);
        put_xml(b, cats[i].label);
        put(b, "\"/>\n");
    }
    put(b, "    </categories>\n    <symbols>\n");
    for (size_t i = 0; i < n; i++) {
        char name[24];
        snprintf(name, sizeof name, "%zu", i);
        put_fill_symbol(b, name, &cats[i].f);
    }
    put(b, "    </symbols>\n    <rotation/>\n    <sizescale/>\n  </renderer-v2>\n");
}

static void put_single(sbuf *b, const fill *f)
{
    put(b, "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" "
           "forceraster=\"0\" referencescale=\"-1\">\n    <symbols>\n");
    put_fill_symbol(b, "0", f);
    put(b, "    </symbols>\n    <rotation/>\n    <sizescale/>\n  </renderer-v2>\n");
}

/* Natural breaks (Fisher–Jenks, exact): splits the sorted v[0..n) into k
 * classes minimising the squared deviations within the classes; start[c] is
 * the index of class c's first value. 0 when out of memory. */
static int natural_breaks(const double *v, size_t n, size_t k, size_t *start)
{
    double *s1 = calloc(n + 1, sizeof *s1), *s2 = calloc(n + 1, sizeof *s2);
    double *cost = malloc((k + 1) * (n + 1) * sizeof *cost);
    size_t *from = malloc((k + 1) * (n + 1) * sizeof *from);
    int ok = s1 && s2 && cost && from;
    for (size_t i = 0; ok && i < n; i++)
        s1[i + 1] = s1[i] + v[i], s2[i + 1] = s2[i] + v[i] * v[i];
#define SSD(i, j) /* values i..j-1 */                                                              \
    (s2[j] - s2[i] - (s1[j] - s1[i]) * (s1[j] - s1[i]) / (double)((j) - (i)))
#define AT(c, j) ((c) * (n + 1) + (j))
    for (size_t j = 1; ok && j <= n; j++)
        cost[AT(1, j)] = SSD(0, j), from[AT(1, j)] = 0;
    for (size_t c = 2; ok && c <= k; c++)
        for (size_t j = c; j <= n; j++) {
            cost[AT(c, j)] = INFINITY;
            for (size_t i = c - 1; i < j; i++) { /* class c holds values i..j-1 */
                double t = cost[AT(c - 1, i)] + SSD(i, j);
                if (t < cost[AT(c, j)]) cost[AT(c, j)] = t, from[AT(c, j)] = i;
            }
        }
    for (size_t c = k, j = n; ok && c >= 1; c--) {
        start[c - 1] = c == 1 ? 0 : from[AT(c, j)];
        j = start[c - 1];
    }
#undef SSD
#undef AT
    free(s1), free(s2), free(cost), free(from);
    return ok;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Classes of the zones' progress from the data (natural breaks, at most 5).
 * Each class runs from the midpoint between neighbouring classes' values, the
 * first from the smallest value and the last to the largest, so the labels
 * state what the map shows. */
static void put_graduated(sbuf *b, const gm_results *res)
{
    static const char *ramp[] = {"247,247,247,170", "204,204,204,170", "150,150,150,170",
                                 "99,99,99,170", "37,37,37,170"};
    size_t n = res ? res->n_zones : 0;
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) {
        b->oom = 1;
        return;
    }
    for (size_t z = 0; z < n; z++)
        v[z] = res->zones[z].zone_ha > 0
                   ? res->zones[z].done_ha[GM_RESTORATION] * ZONE_PER_HA / res->zones[z].zone_ha
                   : 0;
    qsort(v, n, sizeof *v, by_value);
    size_t distinct = n > 0;
    for (size_t i = 1; i < n; i++)
        distinct += v[i] != v[i - 1];
    size_t k = distinct < 5 ? distinct : 5, start[5] = {0};
    if (k > 1 && !natural_breaks(v, n, k, start)) {
        free(v);
        b->oom = 1;
        return;
    }
    double lo[5], hi[5];
    if (k == 0) { /* no zones: one empty class, so the layer still has a legend */
        k = 1;
        lo[0] = hi[0] = 0;
    } else {
        for (size_t c = 0; c < k; c++) {
            size_t last = c + 1 < k ? start[c + 1] - 1 : n - 1;
            lo[c] = c == 0 ? v[0] : (v[start[c] - 1] + v[start[c]]) / 2;
            hi[c] = c + 1 < k ? (v[last] + v[last + 1]) / 2 : v[n - 1];
        }
    }
    free(v);
    /* enough decimals that neighbouring bounds print differently */
    int decimals = 1;
    for (; decimals < 4; decimals++) {
        int clash = 0;
        for (size_t c = 0; c < k; c++) {
            char x[32], y[32];
            snprintf(x, sizeof x, "%.*f", decimals, lo[c]);
            snprintf(y, sizeof y, "%.*f", decimals, hi[c]);
            clash |= k > 1 && strcmp(x, y) == 0;
        }
        if (!clash) break;
    }
    put(b, "  <renderer-v2 type=\"graduatedSymbol\" attr=\"");
    put_xml(b, ZONE_MEASURE);
    put(b, "\" graduatedMethod=\"GraduatedColor\" symbollevels=\"0\" enableorderby=\"0\" "
           "forceraster=\"0\" referencescale=\"-1\">\n    <ranges>\n");
    for (size_t c = 0; c < k; c++) {
        /* the outer bounds a hair wider: QGIS computes the value again */
        double l = c == 0 ? lo[c] - 1e-9 * fmax(1, fabs(lo[c])) : lo[c];
        double h = c + 1 == k ? hi[c] + 1e-9 * fmax(1, fabs(hi[c])) : hi[c];
        put(b,
            "      <range render=\"true\" symbol=\"%zu\" lower=\"%.12g\" upper=\"%.12g\" "
            "label=\"%.*f – %.*f " ZONE_UNIT "\"/>\n",
            c, l, h, decimals, lo[c], decimals, hi[c]);
    }
    put(b, "    </ranges>\n    <symbols>\n");
    for (size_t c = 0; c < k; c++) {
        char name[24];
        snprintf(name, sizeof name, "%zu", c);
        /* with fewer classes, spread them over the ramp */
        size_t shade = k > 1 ? c * 4 / (k - 1) : 2;
        fill f = {ramp[shade], "solid", "60,60,60,255", 0.4, NULL, NULL};
        put_fill_symbol(b, name, &f);
    }
    put(b,
        "    </symbols>\n    <classificationMethod id=\"Jenks\">\n"
        "      <symmetricMode enabled=\"0\" symmetrypoint=\"0\" astride=\"0\"/>\n"
        "      <labelFormat format=\"%%1 – %%2 " ZONE_UNIT "\" labelprecision=\"%d\" "
        "trimtrailingzeroes=\"0\"/>\n      <parameters><Option/></parameters>\n"
        "      <extraInformation/>\n    </classificationMethod>\n"
        "    <rotation/>\n    <sizescale/>\n  </renderer-v2>\n",
        decimals);
}

/* Labels from an expression; maxscale_denominator 0 = at every scale. */
static void put_labels(sbuf *b, const char *expression, double size_pt, double visible_below_scale)
{
    put(b, "  <labeling type=\"simple\">\n    <settings calloutType=\"simple\">\n"
           "      <text-style fieldName=\"");
    put_xml(b, expression);
    put(b,
        "\" isExpression=\"1\" fontFamily=\"Noto Sans CJK SC\" namedStyle=\"Regular\" "
        "fontSize=\"%g\" fontSizeUnit=\"Point\" fontWeight=\"50\" fontItalic=\"0\" "
        "textColor=\"30,30,30,255\" textOpacity=\"1\" multilineHeight=\"1\" "
        "allowHtml=\"0\" capitalization=\"0\" blendMode=\"0\">\n"
        "        <families><family name=\"Noto Sans CJK SC\"/><family name=\"WenQuanYi Zen "
        "Hei\"/><family name=\"Sans Serif\"/></families>\n"
        "        <text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferSizeUnits=\"MM\" "
        "bufferColor=\"255,255,255,255\" bufferOpacity=\"0.9\" bufferNoFill=\"1\" "
        "bufferJoinStyle=\"128\" bufferBlendMode=\"0\"/>\n      </text-style>\n"
        "      <text-format multilineAlign=\"3\" wrapChar=\"\" autoWrapLength=\"0\" "
        "formatNumbers=\"0\" decimals=\"3\" plussign=\"0\"/>\n"
        "      <placement placement=\"1\" centroidWhole=\"0\" centroidInside=\"1\" "
        "fitInPolygonOnly=\"0\" dist=\"0\" distUnits=\"MM\" priority=\"5\" quadOffset=\"4\" "
        "offsetType=\"0\" polygonPlacementFlags=\"2\" placementFlags=\"10\"/>\n"
        "      <rendering drawLabels=\"1\" scaleVisibility=\"%d\" scaleMin=\"0\" "
        "scaleMax=\"%g\" obstacle=\"1\" obstacleFactor=\"1\" obstacleType=\"1\" "
        "displayAll=\"0\" upsidedownLabels=\"0\" labelPerPart=\"0\" mergeLines=\"0\" "
        "minFeatureSize=\"0\" limitNumLabels=\"0\" maxNumLabels=\"2000\" zIndex=\"0\" "
        "fontLimitPixelSize=\"0\" fontMinPixelSize=\"3\" fontMaxPixelSize=\"10000\"/>\n"
        "      <dd_properties><Option type=\"Map\"><Option name=\"name\" type=\"QString\" "
        "value=\"\"/><Option name=\"properties\"/><Option name=\"type\" type=\"QString\" "
        "value=\"collection\"/></Option></dd_properties>\n"
        "    </settings>\n  </labeling>\n",
        size_pt, visible_below_scale > 0, visible_below_scale);
}

/* The Chinese words QGIS shows for the contract's stored codes (value maps:
 * the attribute table and identify results show the word, the file keeps the
 * code). */
typedef struct value_word {
    const char *layer, *field, *code, *word;
} value_word;

static const value_word value_words[] = {
    {"mine_conflicts", "verdict", "conflict", "红线冲突"},
    {"mine_conflicts", "verdict", "near", "临近红线"},
    {"mine_conflicts", "verdict", "clear", "无冲突"},
    {"mine_conflicts", "scale", "large", "大型"},
    {"mine_conflicts", "scale", "medium", "中型"},
    {"mine_conflicts", "scale", "small", "小型"},
    {"conflict_areas", "category", "nature_reserve", "自然保护区"},
    {"conflict_areas", "category", "water_source", "饮用水水源保护区"},
    {"conflict_areas", "category", "forest_park", "森林公园"},
    {"conflict_areas", "category", "prohibited_mining", "禁止开采区"},
    {"conflict_areas", "category", "scenic_area", "风景名胜区"},
    {"conflict_areas", "category", "wetland_park", "湿地公园"},
    {"conflict_areas", "category", "geopark", "地质公园"},
    {"restored_areas", "kind", "restoration", "恢复治理"},
    {"restored_areas", "kind", "reclamation", "土地复垦"},
    {"province_indicators", "indicator", "restoration_done_ha", "历史遗留矿山恢复治理面积"},
    {"province_indicators", "indicator", "reclamation_done_ha", "土地复垦面积"},
    {"province_indicators", "indicator", "large_medium_share", "大中型矿山比例"},
    {"province_indicators", "indicator", "mines", "矿山数"},
    {"province_indicators", "indicator", "large_medium_mines", "大中型矿山数"},
    {"province_indicators", "indicator", "conflict_mines", "红线冲突矿山数"},
    {"province_indicators", "indicator", "redline_conflict_ha", "红线冲突面积"},
    {"province_indicators", "indicator", "green_mines", "绿色矿山数"},
    {"province_indicators", "indicator", "completed_parcels_without_date",
     "缺完成日期的已完成图斑数"},
    {"province_indicators", "indicator", "period_start", "统计期起始日"},
    {"province_indicators", "indicator", "as_of", "截至日期"},
    {"province_indicators", "unit", "ha", "公顷"},
    {"province_indicators", "unit", "count", "个"},
    {"province_indicators", "unit", "ratio", "比例"},
    {"province_indicators", "unit", "yyyymmdd", "年月日"},
    {"green_mine_list", "industry", "coal", "煤炭"},
    {"green_mine_list", "industry", "nonferrous", "有色金属"},
    {"green_mine_list", "industry", "ferrous", "黑色金属"},
    {"green_mine_list", "industry", "precious", "贵金属"},
    {"green_mine_list", "industry", "chemical", "化工"},
    {"green_mine_list", "industry", "nonmetal", "非金属"},
    {"green_mine_list", "industry", "sand_gravel", "砂石"},
    {"green_mine_list", "industry", "cement", "水泥"},
    {"green_mine_list", "industry", "stone", "石材"},
    {"green_mine_list", "scale", "large", "大型"},
    {"green_mine_list", "scale", "medium", "中型"},
    {"green_mine_list", "scale", "small", "小型"},
    {"green_mine_list", "is_new", "1", "新建"},
    {"green_mine_list", "is_new", "0", "已有"},
    {"green_mine_list", "spot_check_result", "pass", "合格"},
    {"green_mine_list", "spot_check_result", "fail", "不合格"},
};

static void put_value_maps(sbuf *b, const char *layer)
{
    const size_t n = sizeof value_words / sizeof *value_words;
    put(b, "  <fieldConfiguration>\n");
    for (size_t i = 0; i < n; i++) {
        if (strcmp(value_words[i].layer, layer) != 0) continue;
        if (i > 0 && strcmp(value_words[i - 1].layer, layer) == 0 &&
            strcmp(value_words[i - 1].field, value_words[i].field) == 0)
            continue; /* the field's map was written with its first word */
        put(b,
            "    <field name=\"%s\" configurationFlags=\"None\">\n"
            "      <editWidget type=\"ValueMap\">\n        <config>\n"
            "          <Option type=\"Map\">\n            <Option name=\"map\" type=\"List\">\n",
            value_words[i].field);
        for (size_t j = i; j < n && strcmp(value_words[j].layer, layer) == 0 &&
                           strcmp(value_words[j].field, value_words[i].field) == 0;
             j++) {
            put(b, "              <Option type=\"Map\"><Option name=\"");
            put_xml(b, value_words[j].word);
            put(b, "\" type=\"QString\" value=\"%s\"/></Option>\n", value_words[j].code);
        }
        put(b, "            </Option>\n          </Option>\n        </config>\n"
               "      </editWidget>\n    </field>\n");
    }
    put(b, "  </fieldConfiguration>\n");
}

static void put_aliases(sbuf *b, const char *layer)
{
    put(b, "  <aliases>\n");
    int index = 0;
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++) {
        if (strcmp(aliases[i].layer, layer) != 0) continue;
        put(b, "    <alias field=\"%s\" index=\"%d\" name=\"", aliases[i].field, index++);
        put_xml(b, aliases[i].title);
        put(b, "\"/>\n");
    }
    put(b, "  </aliases>\n");
}

/* Okabe–Ito's colour-blind-safe colours: one hue per kind of thing on the
 * map (mines by verdict, conflicts, restoration, reclamation); the zones in
 * greys beneath, so their classes never read as one of those kinds. */
#define OI_VERMILLION "213,94,0"
#define OI_PURPLE "204,121,167"
#define OI_ORANGE "230,159,0"
#define OI_BLUE "0,114,178"
#define OI_GREEN "0,158,115"
#define OI_YELLOW "240,228,66"

char *gm_style_layer_body(const char *layer, const gm_results *res)
{
    sbuf b = {0};
    int geometry = 2; /* polygon; 4 = none */
    if (strcmp(layer, "mine_conflicts") == 0) {
        /* a conflict mine also gets a marker: at the opening scale most
         * mines are smaller than a pixel */
        static const category cats[] = {
            {"conflict",
             "红线冲突矿山（与生态保护红线重叠）",
             {OI_PURPLE ",230", "solid", "0,0,0,255", 0.3, NULL, OI_VERMILLION ",255"}},
            {"near", "临近红线矿山", {OI_ORANGE ",230", "solid", "80,50,0,255", 0.3, NULL, NULL}},
            {"clear", "无冲突矿山", {OI_BLUE ",230", "solid", "0,40,70,255", 0.3, NULL, NULL}},
        };
        put_categorized(&b, "verdict", cats, sizeof cats / sizeof *cats);
        put_labels(&b, "\"name\"", 8, 500000);
    } else if (strcmp(layer, "green_mine_list") == 0) {
        /* listed green mines by scale; each with a marker, since at the
         * opening scale a mine is smaller than a pixel */
        static const category cats[] = {
            {"large",
             "大型绿色矿山",
             {OI_GREEN ",235", "solid", "0,0,0,255", 0.3, NULL, OI_GREEN ",255"}},
            {"medium",
             "中型绿色矿山",
             {OI_BLUE ",235", "solid", "0,0,0,255", 0.3, NULL, OI_BLUE ",255"}},
            {"small",
             "小型绿色矿山",
             {OI_YELLOW ",235", "solid", "0,0,0,255", 0.3, NULL, OI_YELLOW ",255"}},
        };
        put_categorized(&b, "scale", cats, sizeof cats / sizeof *cats);
        put_labels(&b, "\"mine_name\"", 8, 500000);
    } else if (strcmp(layer, "conflict_areas") == 0) {
        fill f = {OI_VERMILLION ",255", "solid", "0,0,0,255", 0.4, "0,0,0,255", NULL};
        put_single(&b, &f);
    } else if (strcmp(layer, "restored_areas") == 0) {
        static const category cats[] = {
            {"restoration",
             "已完成恢复治理",
             {OI_GREEN ",235", "solid", "0,70,50,255", 0.2, NULL, NULL}},
            {"reclamation",
             "已完成土地复垦",
             {OI_YELLOW ",235", "solid", "110,100,0,255", 0.2, NULL, NULL}},
        };
        put_categorized(&b, "kind", cats, sizeof cats / sizeof *cats);
    } else if (strcmp(layer, "zone_progress") == 0) {
        put_graduated(&b, res);
        put_labels(&b,
                   "\"name\" || '\\n' || format_number(" ZONE_MEASURE ", 1) || ' " ZONE_UNIT "'",
                   10, 0);
    } else {
        geometry = 4;
    }
    put_value_maps(&b, layer);
    put_aliases(&b, layer);
    put(&b, "  <layerGeometryType>%d</layerGeometryType>\n", geometry);
    return finish(&b);
}

char *gm_style_layer_qml(const char *layer, const gm_results *res)
{
    char *body = gm_style_layer_body(layer, res);
    if (!body) return NULL;
    sbuf b = {0};
    put(&b,
        "%s<qgis version=\"" QGIS_VERSION "\" styleCategories=\"AllStyleCategories\" "
        "labelsEnabled=\"%d\" hasScaleBasedVisibilityFlag=\"0\" minScale=\"100000000\" "
        "maxScale=\"0\" readOnly=\"0\">\n%s</qgis>\n",
        qml_doctype, strstr(body, "<labeling") != NULL, body);
    free(body);
    return finish(&b);
}

char *gm_style_raster_body(gm_raster_kind kind)
{
    /* 0 is transparent, so the map below shows where nothing is covered. */
    /* Okabe–Ito bluish green and vermillion, as the vector layers */
    const char *full = kind == GM_RASTER_COVERAGE ? "#009e73" : "#d55e00";
    const char *half = kind == GM_RASTER_COVERAGE ? "#80cfb9" : "#eaae80";
    sbuf b = {0};
    put(&b,
        "  <pipe>\n    <provider>\n      <resampling enabled=\"false\" "
        "zoomedInResamplingMethod=\"nearestNeighbour\" "
        "zoomedOutResamplingMethod=\"nearestNeighbour\" maxOversampling=\"2\"/>\n"
        "    </provider>\n"
        "    <rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" opacity=\"1\" "
        "alphaBand=\"-1\" classificationMin=\"0\" classificationMax=\"1\" nodataColor=\"\">\n"
        "      <minMaxOrigin><limits>None</limits><extent>WholeRaster</extent>"
        "<statAccuracy>Estimated</statAccuracy><cumulativeCutLower>0.02</cumulativeCutLower>"
        "<cumulativeCutUpper>0.98</cumulativeCutUpper><stdDevFactor>2</stdDevFactor>"
        "</minMaxOrigin>\n      <rastershader>\n        <colorrampshader "
        "colorRampType=\"INTERPOLATED\" classificationMode=\"1\" clip=\"0\" "
        "minimumValue=\"0\" maximumValue=\"1\" labelPrecision=\"2\">\n"
        "          <item value=\"0\" color=\"#ffffff\" alpha=\"0\" label=\"0\"/>\n"
        "          <item value=\"0.001\" color=\"%s\" alpha=\"120\" label=\"&gt; 0\"/>\n"
        "          <item value=\"1\" color=\"%s\" alpha=\"255\" label=\"1\"/>\n"
        "        </colorrampshader>\n      </rastershader>\n    </rasterrenderer>\n"
        "    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
        "    <huesaturation saturation=\"0\" grayscaleMode=\"0\" invertColors=\"0\" "
        "colorizeOn=\"0\" colorizeRed=\"255\" colorizeGreen=\"128\" colorizeBlue=\"128\" "
        "colorizeStrength=\"100\"/>\n    <rasterresampler maxOversampling=\"2\"/>\n"
        "    <resamplingStage>resamplingFilter</resamplingStage>\n  </pipe>\n"
        "  <blendMode>0</blendMode>\n",
        half, full);
    return finish(&b);
}

char *gm_style_raster_qml(gm_raster_kind kind)
{
    char *body = gm_style_raster_body(kind);
    if (!body) return NULL;
    sbuf b = {0};
    put(&b,
        "%s<qgis version=\"" QGIS_VERSION "\" styleCategories=\"AllStyleCategories\" "
        "hasScaleBasedVisibilityFlag=\"0\" minScale=\"1e+08\" maxScale=\"0\">\n%s</qgis>\n",
        qml_doctype, body);
    free(body);
    return finish(&b);
}

int gm_write_text_file_at(gm_context *ctx, const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) return gm_error(ctx, GM_ERR_WRITE, "%s: cannot write: %s", path, strerror(errno));
    size_t len = strlen(text);
    int ok = fwrite(text, 1, len, f) == len;
    int e = errno;
    if (fclose(f) != 0 && ok) ok = 0, e = errno;
    if (!ok) {
        unlink(path);
        return gm_error(ctx, GM_ERR_WRITE, "%s: cannot write: %s", path, strerror(e));
    }
    return GM_OK;
}

/* ---- inside the GeoPackage -------------------------------------------------- */

static int sql(gm_context *ctx, GDALDatasetH ds, const char *path, const char *statement)
{
    CPLErrorReset();
    OGRLayerH r = GDALDatasetExecuteSQL(ds, statement, NULL, NULL);
    if (r) GDALDatasetReleaseResultSet(ds, r);
    if (CPLGetLastErrorType() >= CE_Failure)
        return gm_error(ctx, GM_ERR_WRITE, "%s: cannot write styles or metadata: %s", path,
                        CPLGetLastErrorMsg());
    return GM_OK;
}

/* The SQL string literal of text ('' doubled), appended. */
static void put_sql_text(sbuf *b, const char *text)
{
    put(b, "'");
    for (const char *p = text ? text : ""; *p; p++)
        if (*p == '\'')
            put(b, "''");
        else
            put(b, "%c", *p);
    put(b, "'");
}

/* layer_styles as QGIS's saveStyleToDatabase() makes it: through OGR, so it
 * is registered in gpkg_contents as attributes (QGIS ignores it otherwise). */
static int write_layer_styles(gm_context *ctx, GDALDatasetH ds, const char *path,
                              const gm_results *res, const char *const *layers, size_t n_layers)
{
    static const struct {
        const char *name;
        OGRFieldType type;
        int width;
    } cols[] = {{"f_table_catalog", OFTString, 256},
                {"f_table_schema", OFTString, 256},
                {"f_table_name", OFTString, 256},
                {"f_geometry_column", OFTString, 256},
                {"styleName", OFTString, 30},
                {"styleQML", OFTString, 0},
                {"styleSLD", OFTString, 0},
                {"useAsDefault", OFTInteger, 0},
                {"description", OFTString, 0},
                {"owner", OFTString, 30},
                {"ui", OFTString, 30},
                {"update_time", OFTDateTime, 0}};
    const char *options[] = {"FID=id", NULL};
    OGRLayerH l = GDALDatasetCreateLayer(ds, "layer_styles", NULL, wkbNone, (char **)options);
    if (!l) goto fail;
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(cols[i].name, cols[i].type);
        if (cols[i].width) OGR_Fld_SetWidth(fd, cols[i].width);
        if (cols[i].type == OFTInteger) OGR_Fld_SetSubType(fd, OFSTBoolean);
        if (cols[i].type == OFTDateTime) OGR_Fld_SetDefault(fd, "CURRENT_TIMESTAMP");
        OGRErr err = OGR_L_CreateField(l, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE) goto fail;
    }
    for (size_t i = 0; i < n_layers; i++) {
        const char *layer = layers[i];
        char *qml = gm_style_layer_qml(layer, res);
        if (!qml) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        int spatial = strcmp(layer, "province_indicators") != 0;
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
        OGR_F_SetFieldString(f, 0, ""); /* '' not NULL, or QGIS skips the row */
        OGR_F_SetFieldString(f, 1, "");
        OGR_F_SetFieldString(f, 2, layer);
        OGR_F_SetFieldString(f, 3, spatial ? "geom" : "");
        OGR_F_SetFieldString(f, 4, "greenmine");
        OGR_F_SetFieldString(f, 5, qml);
        OGR_F_SetFieldInteger(f, 7, 1);
        OGR_F_SetFieldString(f, 8, "greenmine default style");
        OGR_F_SetFieldString(f, 9, "greenmine");
        free(qml);
        OGRErr err = OGR_L_CreateFeature(l, f);
        OGR_F_Destroy(f);
        if (err != OGRERR_NONE) goto fail;
    }
    return GM_OK;
fail:
    return gm_error(ctx, GM_ERR_WRITE, "%s: cannot write layer_styles: %s", path,
                    CPLGetLastErrorMsg());
}

/* Titles in gpkg_data_columns (the schema extension). `name` must be unique
 * across the file in older readers, so it is TABLE.COLUMN; the title is the
 * Chinese alias. QGIS 3.22 shows the QML aliases; this is for other readers. */
static int write_data_columns(gm_context *ctx, GDALDatasetH ds, const char *path,
                              const char *only_layer)
{
    static const char *ddl[] = {
        "CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, column_name "
        "TEXT NOT NULL, name TEXT, title TEXT, description TEXT, mime_type TEXT, "
        "constraint_name TEXT, CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), "
        "CONSTRAINT gdc_tn UNIQUE (table_name, name))",
        "CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (constraint_name TEXT NOT "
        "NULL, constraint_type TEXT NOT NULL, value TEXT, min NUMERIC, min_is_inclusive "
        "BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN, description TEXT, CONSTRAINT gdcc_ntv "
        "UNIQUE (constraint_name, constraint_type, value))",
        "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, "
        "scope) SELECT 'gpkg_data_columns', NULL, 'gpkg_schema', "
        "'http://www.geopackage.org/spec/#extension_schema', 'read-write' WHERE NOT EXISTS "
        "(SELECT 1 FROM gpkg_extensions WHERE table_name = 'gpkg_data_columns')",
        "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, "
        "scope) SELECT 'gpkg_data_column_constraints', NULL, 'gpkg_schema', "
        "'http://www.geopackage.org/spec/#extension_schema', 'read-write' WHERE NOT EXISTS "
        "(SELECT 1 FROM gpkg_extensions WHERE table_name = 'gpkg_data_column_constraints')",
    };
    int rc = GM_OK;
    for (size_t i = 0; i < sizeof ddl / sizeof *ddl && rc == GM_OK; i++)
        rc = sql(ctx, ds, path, ddl[i]);
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases && rc == GM_OK; i++) {
        if (strcmp(aliases[i].field, "fid") == 0) continue; /* the key, not a data column */
        if (only_layer ? strcmp(aliases[i].layer, only_layer) != 0
                       : strcmp(aliases[i].layer, "green_mine_list") == 0)
            continue; /* another file's layer */
        sbuf b = {0};
        put(&b, "INSERT INTO gpkg_data_columns (table_name, column_name, name, title) VALUES (");
        put_sql_text(&b, aliases[i].layer);
        put(&b, ", ");
        put_sql_text(&b, aliases[i].field);
        put(&b, ", '%s.%s', ", aliases[i].layer, aliases[i].field);
        put_sql_text(&b, aliases[i].title);
        put(&b, ")");
        char *s = finish(&b);
        if (!s) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
        rc = sql(ctx, ds, path, s);
        free(s);
    }
    return rc;
}

/* JSON string literal, appended (NULL as ""). */
static void put_json(sbuf *b, const char *text)
{
    char *q = gm_json_quote(text ? text : "");
    put(b, "%s", q ? q : "\"\"");
    free(q);
}

static void put_date(sbuf *b, const char *key, int yyyymmdd)
{
    put(b, "  \"%s\": \"%04d-%02d-%02d\",\n", key, yyyymmdd / 10000, yyyymmdd / 100 % 100,
        yyyymmdd % 100);
}

static char *provenance_json(const gm_inputs *in, const gm_results *res,
                             const gm_analysis_options *opts)
{
    sbuf b = {0};
    char when[32] = "", now[32] = "";
    time_t t0 = (time_t)res->started_at, t1 = time(NULL);
    struct tm tm;
    if (gmtime_r(&t0, &tm)) strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (gmtime_r(&t1, &tm)) strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    put(&b, "{\n  \"engine\": \"greenmine\",\n  \"engine_version\": ");
    put_json(&b, gm_version());
    put(&b,
        ",\n  \"run_started\": \"%s\",\n  \"analysis_seconds\": %.3f,\n"
        "  \"written\": \"%s\",\n",
        when, res->analysis_seconds, now);
    put_date(&b, "period_start", opts->period_start);
    put_date(&b, "as_of", opts->as_of);
    put(&b,
        "  \"targets\": {\"restoration_done_ha\": %g, \"reclamation_done_ha\": %g, "
        "\"large_medium_share\": %g},\n  \"inputs\": [\n",
        GM_TARGET_RESTORATION_HA, GM_TARGET_RECLAMATION_HA, GM_TARGET_LARGE_MEDIUM_SHARE);
    for (int k = 0; k < GM_LAYER_KINDS; k++) {
        put(&b, "    {\"kind\": \"%s\", \"source\": ", gm_layer_kind_name((gm_layer_kind)k));
        put_json(&b, in->source[k]);
        put(&b, ", \"layer\": ");
        put_json(&b, in->layer[k]);
        put(&b, ", \"crs\": ");
        put_json(&b, in->crs[k]);
        put(&b,
            ", \"features\": %zu, \"repaired\": %zu, \"empty\": %zu, \"sha256\": ", in->features[k],
            in->repaired[k], in->empty[k]);
        if (in->checksum[k])
            put_json(&b, in->checksum[k]);
        else
            put(&b, "null");
        put(&b, "}%s\n", k + 1 < GM_LAYER_KINDS ? "," : "");
    }
    put(&b, "  ]\n}\n");
    return finish(&b);
}

/* Provenance as one JSON document in gpkg_metadata, referenced with scope
 * 'geopackage' (the metadata extension; the tables are made as GDAL makes them). */
static int write_provenance(gm_context *ctx, GDALDatasetH ds, const char *path, const gm_inputs *in,
                            const gm_results *res, const gm_analysis_options *opts)
{
    static const char *ddl[] = {
        "CREATE TABLE IF NOT EXISTS gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC "
        "NOT NULL, md_scope TEXT NOT NULL DEFAULT 'dataset', md_standard_uri TEXT NOT NULL, "
        "mime_type TEXT NOT NULL DEFAULT 'text/xml', metadata TEXT NOT NULL DEFAULT '')",
        "CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (reference_scope TEXT NOT NULL, "
        "table_name TEXT, column_name TEXT, row_id_value INTEGER, timestamp DATETIME NOT NULL "
        "DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), md_file_id INTEGER NOT NULL, "
        "md_parent_id INTEGER, CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES "
        "gpkg_metadata(id), CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES "
        "gpkg_metadata(id))",
        "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, "
        "scope) SELECT 'gpkg_metadata', NULL, 'gpkg_metadata', "
        "'http://www.geopackage.org/spec120/#extension_metadata', 'read-write' WHERE NOT "
        "EXISTS (SELECT 1 FROM gpkg_extensions WHERE table_name = 'gpkg_metadata')",
        "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, "
        "scope) SELECT 'gpkg_metadata_reference', NULL, 'gpkg_metadata', "
        "'http://www.geopackage.org/spec120/#extension_metadata', 'read-write' WHERE NOT "
        "EXISTS (SELECT 1 FROM gpkg_extensions WHERE table_name = 'gpkg_metadata_reference')",
    };
    int rc = GM_OK;
    for (size_t i = 0; i < sizeof ddl / sizeof *ddl && rc == GM_OK; i++)
        rc = sql(ctx, ds, path, ddl[i]);
    if (rc != GM_OK) return rc;
    char *json = provenance_json(in, res, opts);
    sbuf b = {0};
    if (json) {
        put(&b, "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
                "VALUES ('dataset', 'urn:greenmine:provenance:1', 'application/json', ");
        put_sql_text(&b, json);
        put(&b, ")");
    }
    free(json);
    char *s = json ? finish(&b) : NULL;
    if (!s) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    rc = sql(ctx, ds, path, s);
    free(s);
    if (rc == GM_OK)
        rc = sql(ctx, ds, path,
                 "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, "
                 "row_id_value, md_file_id) SELECT 'geopackage', NULL, NULL, NULL, MAX(id) FROM "
                 "gpkg_metadata WHERE md_standard_uri = 'urn:greenmine:provenance:1'");
    return rc;
}

int gm_style_gpkg(gm_context *ctx, GDALDatasetH ds, const char *path, const gm_inputs *in,
                  const gm_results *res, const gm_analysis_options *opts)
{
    int rc = write_layer_styles(ctx, ds, path, res, gm_styled_layers, gm_n_styled_layers);
    if (rc == GM_OK) rc = write_data_columns(ctx, ds, path, NULL);
    if (rc == GM_OK) rc = write_provenance(ctx, ds, path, in, res, opts);
    return rc;
}

int gm_style_gpkg_layer(gm_context *ctx, GDALDatasetH ds, const char *path, const char *layer)
{
    int rc = write_layer_styles(ctx, ds, path, NULL, &layer, 1);
    if (rc == GM_OK) rc = write_data_columns(ctx, ds, path, layer);
    return rc;
}
