/*
 * report_html.c -- the self-contained HTML report (greenmine/report.h):
 * inline CSS, inline SVG map and charts drawn from the geometries and the
 * progress series, no script, no external resource. Written to a temporary
 * file and renamed into place.
 */
#include "core/context_impl.h"
#include "out/font_embed.h"
#include "out/xml.h"

#include <greenmine/area.h>
#include <greenmine/report.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GM_PI 3.14159265358979323846
#define MAP_W 640.0
#define MAP_H 440.0
#define CHART_W 640.0
#define CHART_H 260.0

static void date_text(int d, char buf[16])
{
    snprintf(buf, 16, "%04d-%02d-%02d", (d / 10000) % 10000, d / 100 % 100, d % 100);
}

/* Days since 1970-01-01 of a YYYYMMDD date, for placing dates on an axis. */
static double day_number(int ymd)
{
    long y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return (double)(era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468);
}

/* A figure: visible text, and the exact value in data-* for machines. */
static void figure(FILE *f, const char *name, double value, int decimals, const char *unit)
{
    fprintf(f, "<span class=\"fig\" data-figure=\"%s\" data-value=\"%.6f\">%.*f</span>%s", name,
            value, decimals, value, unit ? unit : "");
}

/* ---- the map ------------------------------------------------------------- */

typedef struct view {
    double lon0, lat1, kx, scale, off_x, off_y;
} view;

static void put_ring(FILE *f, GEOSContextHandle_t h, const GEOSGeometry *ring, const view *v)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n) || n < 3) return;
    for (unsigned i = 0; i < n; i++) {
        double x, y;
        GEOSCoordSeq_getXY_r(h, cs, i, &x, &y);
        fprintf(f, "%c%.1f %.1f", i ? 'L' : 'M', v->off_x + (x - v->lon0) * v->kx * v->scale,
                v->off_y + (v->lat1 - y) * v->scale);
    }
    fputc('Z', f);
}

static void put_path(FILE *f, GEOSContextHandle_t h, const GEOSGeometry *g, const view *v)
{
    int parts = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < parts; i++) {
        const GEOSGeometry *poly = GEOSGetGeometryN_r(h, g, i);
        if (GEOSGeomTypeId_r(h, poly) != GEOS_POLYGON) continue;
        put_ring(f, h, GEOSGetExteriorRing_r(h, poly), v);
        int holes = GEOSGetNumInteriorRings_r(h, poly);
        for (int k = 0; k < holes; k++)
            put_ring(f, h, GEOSGetInteriorRingN_r(h, poly, k), v);
    }
}

/* Progress of zone z for the map's colour: share of its own restoration
 * target, or (no target) of the best zone's restored area. */
static double zone_level(const gm_report_data *d, size_t z, double best)
{
    const gm_zone *zone = &d->in->zones[z];
    double done = d->res->zones[z].done_ha[GM_RESTORATION];
    if (zone->target_ha[GM_RESTORATION] > 0) return done / zone->target_ha[GM_RESTORATION];
    return best > 0 ? done / best : 0.0;
}

static const char *level_colour(double level)
{
    static const char *c[] = {"#f7fcf5", "#c7e9c0", "#74c476", "#31a354", "#006d2c"};
    int i = level <= 0 ? 0 : level < 0.25 ? 1 : level < 0.5 ? 2 : level < 1.0 ? 3 : 4;
    return c[i];
}

static void write_map(FILE *f, GEOSContextHandle_t h, const gm_report_data *d)
{
    const gm_inputs *in = d->in;
    double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9, best = 0, any_target = 0;
    for (size_t z = 0; z < in->n_zones; z++) {
        double a, b, c, e;
        if (!GEOSGeom_getXMin_r(h, in->zones[z].geom, &a) ||
            !GEOSGeom_getYMin_r(h, in->zones[z].geom, &b) ||
            !GEOSGeom_getXMax_r(h, in->zones[z].geom, &c) ||
            !GEOSGeom_getYMax_r(h, in->zones[z].geom, &e))
            continue;
        x0 = fmin(x0, a), y0 = fmin(y0, b), x1 = fmax(x1, c), y1 = fmax(y1, e);
        best = fmax(best, d->res->zones[z].done_ha[GM_RESTORATION]);
        any_target += in->zones[z].target_ha[GM_RESTORATION] > 0;
    }
    if (x1 <= x0 || y1 <= y0) {
        fputs("<p>（无区域几何 / no zone geometry）</p>\n", f);
        return;
    }
    view v;
    v.kx = cos((y0 + y1) / 2 * GM_PI / 180.0); /* equirectangular at the mid latitude */
    v.lon0 = x0;
    v.lat1 = y1;
    double w = (x1 - x0) * v.kx, hgt = y1 - y0;
    v.scale = fmin((MAP_W - 20) / w, (MAP_H - 20) / hgt);
    v.off_x = (MAP_W - w * v.scale) / 2;
    v.off_y = (MAP_H - hgt * v.scale) / 2;
    double tol = fmax(w, hgt) / 1500.0; /* ~ half a pixel: smaller files, same picture */
    fprintf(f,
            "<svg class=\"map\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
            "aria-label=\"zones coloured by restoration progress\">\n",
            MAP_W, MAP_H);
    for (size_t z = 0; z < in->n_zones; z++) {
        const gm_zone *zone = &in->zones[z];
        const gm_zone_result *zr = &d->res->zones[z];
        double level = zone_level(d, z, best);
        int chosen = d->zone && zone->name && strcmp(zone->name, d->zone) == 0;
        GEOSGeometry *simple = GEOSTopologyPreserveSimplify_r(h, zone->geom, tol);
        fprintf(f, "<path class=\"zone%s\" data-zone=\"", chosen ? " chosen" : "");
        gm_xml_fputs(f, zone->name);
        fprintf(f, "\" data-restoration-ha=\"%.6f\" data-reclamation-ha=\"%.6f\" fill=\"%s\" d=\"",
                zr->done_ha[0], zr->done_ha[1], level_colour(level));
        put_path(f, h, simple ? simple : zone->geom, &v);
        fputs("\"><title>", f);
        gm_xml_fputs(f, zone->name);
        fprintf(f, ": 恢复治理 %.2f ha, 土地复垦 %.2f ha</title></path>\n", zr->done_ha[0],
                zr->done_ha[1]);
        if (simple) GEOSGeom_destroy_r(h, simple);
    }
    for (size_t z = 0; z < in->n_zones; z++) {
        GEOSGeometry *pt = GEOSPointOnSurface_r(h, in->zones[z].geom);
        double x, y;
        if (pt && GEOSGeomGetX_r(h, pt, &x) && GEOSGeomGetY_r(h, pt, &y)) {
            fprintf(f, "<text class=\"label\" x=\"%.1f\" y=\"%.1f\">",
                    v.off_x + (x - v.lon0) * v.kx * v.scale, v.off_y + (v.lat1 - y) * v.scale);
            gm_xml_fputs(f, in->zones[z].name);
            fputs("</text>\n", f);
        }
        if (pt) GEOSGeom_destroy_r(h, pt);
    }
    fputs("</svg>\n<p class=\"legend\">", f);
    static const char *labels_target[] = {"0", "&lt; 25 %", "25–50 %", "50–100 %", "≥ 100 %"};
    static const char *labels_rel[] = {"0", "&lt; 25 %", "25–50 %", "50–&lt;100 %", "最多 max"};
    static const double levels[] = {0, 0.1, 0.3, 0.7, 1.0};
    fputs(any_target ? "颜色：恢复治理完成占本区目标 (restoration as share of the zone's target)："
                     : "颜色：恢复治理面积相对最多的区 (restoration relative to the leading "
                       "zone)：",
          f);
    for (int i = 0; i < 5; i++)
        fprintf(f, " <span class=\"swatch\" style=\"background:%s\"></span>%s",
                level_colour(levels[i]), any_target ? labels_target[i] : labels_rel[i]);
    fputs("</p>\n", f);
}

/* ---- the chart ----------------------------------------------------------- */

/* A round step for about five ticks up to `max`: 1, 2, 2.5 or 5 times a
 * power of ten, and one the target is a multiple of, so the target line sits
 * on a tick (500 ha: 250, not 200). */
static double nice_step(double max, double target)
{
    double raw = max / 5, p = pow(10, floor(log10(raw)));
    static const double m[] = {1, 2, 2.5, 5};
    for (int e = 0; e < 3; e++, p *= 10)
        for (int i = 0; i < 4; i++) {
            double step = m[i] * p, q = target / step;
            if (step >= raw && (target <= 0 || fabs(q - round(q)) < 1e-9)) return step;
        }
    return pow(10, floor(log10(raw)) + 1);
}

static int row_in(const gm_progress_row *r, const char *zone)
{
    return (zone == NULL) == (r->zone == NULL) && (!zone || strcmp(zone, r->zone) == 0);
}

static void write_chart(FILE *f, const gm_report_data *d, int k, const char *title)
{
    const gm_progress_series *p = d->progress;
    const char *zone = d->zone;
    double target = 0, top = 0;
    int first = p->period_start, last = GM_TARGET_DATE;
    const gm_progress_row *latest = NULL, *earliest = NULL;
    for (size_t i = 0; i < p->n; i++) {
        const gm_progress_row *r = &p->rows[i];
        if (!row_in(r, zone)) continue;
        target = r->target_ha[k];
        top = fmax(top, r->done_ha[k]);
        if (r->as_of > last) last = r->as_of;
        if (!earliest) earliest = r;
        latest = r;
    }
    /* a target that will be missed is the case that matters: the pace line
     * runs to the date it would be met, the axis stretched up to ten years
     * past the target date, beyond that the line is cut at the axis' end */
    int projected =
        latest && latest->projected[k] && latest->done_ha[k] < target ? latest->projected[k] : 0;
    if (projected > last) last = projected < last + 100000 ? projected : last + 100000;
    double step = nice_step(fmax(fmax(top, target), 1e-9) * 1.05, target);
    top = ceil(fmax(top, target) * 1.05 / step) * step;
    if (top <= 0) top = step = 1;
    const double L = 60, R = 20, T = 20, B = 40;
    double t0 = day_number(first), t1 = day_number(last);
    double pw = CHART_W - L - R, ph = CHART_H - T - B;
#define CX(t) (L + ((t)-t0) / (t1 - t0) * pw)
#define CY(v) (T + ph - (v) / top * ph)
    fprintf(f,
            "<figure><figcaption>%s</figcaption>\n<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" "
            "data-chart=\"%s\">\n",
            title, CHART_W, CHART_H, k == GM_RESTORATION ? "restoration" : "reclamation");
    fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", L,
            T + ph, L + pw, T + ph);
    fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", L, T, L,
            T + ph);
    int years = last / 10000 - first / 10000 + 1, every = years > 12 ? 2 : 1;
    for (int y = first / 10000; y <= last / 10000 + 1; y++) {
        double t = day_number(y * 10000 + 101);
        if (t < t0 || t > t1) continue;
        fprintf(f,
                "<line class=\"grid\" data-year=\"%d\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                "y2=\"%.1f\"/>",
                y, CX(t), T, CX(t), T + ph);
        if (y % every == 0)
            fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%d</text>", CX(t), T + ph + 16,
                    y);
        fputc('\n', f);
    }
    for (int i = 0; i * step <= top + step * 1e-9; i++) {
        double v = i * step;
        fprintf(f,
                "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                "<text class=\"tick y\" data-tick=\"%g\" x=\"%.1f\" y=\"%.1f\">%g</text>\n",
                L, CY(v), L + pw, CY(v), v, L - 6, CY(v) + 4, v);
    }
    if (target > 0)
        fprintf(f,
                "<line class=\"target\" data-value=\"%g\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                "y2=\"%.1f\"/><text class=\"tick\" x=\"%.1f\" y=\"%.1f\">目标 target %.0f ha "
                "(2020-12-31)</text>\n",
                target, L, CY(target), L + pw, CY(target), L + 110, CY(target) - 5, target);
    /* from zero at the period's start to the first snapshot nothing was
     * measured: dotted and grey, not the data's line */
    if (earliest)
        fprintf(f,
                "<line class=\"start\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"><title>"
                "统计期起点，未测 period start, not measured</title></line>\n",
                CX(t0), CY(0.0), CX(day_number(earliest->as_of)), CY(earliest->done_ha[k]));
    fputs("<polyline class=\"done\" points=\"", f);
    for (size_t i = 0, n = 0; i < p->n; i++) {
        const gm_progress_row *r = &p->rows[i];
        if (!row_in(r, zone)) continue;
        fprintf(f, "%s%.1f,%.1f", n++ ? " " : "", CX(day_number(r->as_of)), CY(r->done_ha[k]));
    }
    fputs("\"/>\n", f);
    if (projected) {
        double xa = day_number(latest->as_of), ya = latest->done_ha[k];
        double xb = day_number(projected), yb = target;
        if (xb > t1) /* cut at the axis' end, on the same line */
            yb = ya + (target - ya) * (t1 - xa) / (xb - xa), xb = t1;
        char ds[16];
        date_text(projected, ds);
        fprintf(f,
                "<line class=\"projection\" data-projected=\"%s\" x1=\"%.1f\" y1=\"%.1f\" "
                "x2=\"%.1f\" y2=\"%.1f\"/><text class=\"tick proj\" x=\"%.1f\" y=\"%.1f\">"
                "按当前进度 %s 达标 at this pace</text>\n",
                ds, CX(xa), CY(ya), CX(xb), CY(yb), CX(xb) - 4, CY(yb) + 16, ds);
    }
    for (size_t i = 0; i < p->n; i++) {
        const gm_progress_row *r = &p->rows[i];
        if (!row_in(r, zone)) continue;
        char ds[16];
        date_text(r->as_of, ds);
        fprintf(f,
                "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" data-as-of=\"%s\" "
                "data-value=\"%.6f\"><title>%s: %.2f ha</title></circle>"
                "<text class=\"val\" x=\"%.1f\" y=\"%.1f\">%.1f</text>\n",
                CX(day_number(r->as_of)), CY(r->done_ha[k]), ds, r->done_ha[k], ds, r->done_ha[k],
                CX(day_number(r->as_of)), CY(r->done_ha[k]) - 8, r->done_ha[k]);
    }
#undef CX
#undef CY
    fputs("</svg><p class=\"legend\">实线：各期快照累计 measured; 点线：统计期起点（未测）"
          "period start (not measured); 虚线：按当前进度推算 at the current pace; "
          "红色虚线：目标 target.</p></figure>\n",
          f);
}

/* ---- sections ------------------------------------------------------------ */

static const gm_progress_row *latest_row(const gm_report_data *d)
{
    const gm_progress_row *row = NULL;
    for (size_t i = 0; i < d->progress->n; i++) {
        const gm_progress_row *r = &d->progress->rows[i];
        if ((d->zone == NULL) != (r->zone == NULL)) continue;
        if (d->zone && strcmp(d->zone, r->zone) != 0) continue;
        row = r;
    }
    return row;
}

static void write_headline(FILE *f, const gm_report_data *d)
{
    const gm_progress_row *r = latest_row(d);
    fputs("<h2>主要指标 Headline figures</h2>\n<table class=\"head\">\n"
          "<thead><tr><th>指标 indicator</th><th>完成 done</th><th>目标 target</th><th>完成率</th>"
          "<th>本期增量 increment</th><th>按当前进度达标 met by (pace)</th></tr></thead>\n",
          f);
    if (!r) {
        fputs("</table><p>无数据 no data</p>\n", f);
        return;
    }
    static const char *what[] = {"历史遗留矿山地质环境恢复治理<br><small>restoration of legacy "
                                 "mine land</small>",
                                 "土地复垦<br><small>land reclamation</small>"};
    static const char *key[] = {"restoration", "reclamation"};
    for (int k = 0; k < 2; k++) {
        char name[64], ds[16];
        fprintf(f, "<tr><td>%s</td><td>", what[k]);
        snprintf(name, sizeof name, "%s_done_ha", key[k]);
        figure(f, name, r->done_ha[k], 2, " ha");
        fputs("</td><td>", f);
        if (r->target_ha[k] > 0) {
            snprintf(name, sizeof name, "%s_target_ha", key[k]);
            figure(f, name, r->target_ha[k], 0, " ha");
            fprintf(f, "</td><td>%.1f %%", 100.0 * r->done_ha[k] / r->target_ha[k]);
        } else {
            fputs("—</td><td>—", f);
        }
        fputs("</td><td>", f);
        snprintf(name, sizeof name, "%s_increment_ha", key[k]);
        figure(f, name, r->increment_ha[k], 2, " ha");
        fputs("</td><td>", f);
        if (r->projected[k]) {
            date_text(r->projected[k], ds);
            fprintf(f, "<span data-figure=\"%s_projected\" data-value=\"%s\">%s</span>%s", key[k],
                    ds, ds,
                    r->done_ha[k] >= r->target_ha[k]   ? " 已达标 met"
                    : r->projected[k] > GM_TARGET_DATE ? " <b class=\"late\">晚于 2020 late</b>"
                                                       : " 按期 on track");
        } else {
            fputs(r->target_ha[k] > 0 ? "无进展 no progress" : "—", f);
        }
        fputs("</td></tr>\n", f);
    }
    if (!d->zone) {
        fputs("<tr><td>大中型矿山比例<br><small>large + medium mines</small></td><td>", f);
        figure(f, "large_medium_share_pct", 100.0 * r->large_medium_share, 2, " %");
        fprintf(f, " (%zu / %zu)</td><td>≥ %.0f %%</td><td>%s</td><td></td><td></td></tr>\n",
                r->large_medium_mines, r->mines_known_scale, 100 * GM_TARGET_LARGE_MEDIUM_SHARE,
                r->large_medium_share >= GM_TARGET_LARGE_MEDIUM_SHARE ? "已达标 met" : "未达标");
        fputs("<tr><td>绿色矿山<br><small>green mines (large / medium / small)</small></td><td>",
              f);
        if (r->green_mines >= 0) {
            figure(f, "green_mines", (double)r->green_mines, 0, "");
            long unknown = r->green_mines - r->green_large - r->green_medium - r->green_small;
            fprintf(f, " (%ld / %ld / %ld", r->green_large, r->green_medium, r->green_small);
            if (unknown > 0) /* or the three do not add up to the total */
                fprintf(f,
                        "；另 <span data-figure=\"green_unknown_scale\" data-value=\"%ld\">"
                        "%ld</span> 座规模未登记 %ld without a recorded scale",
                        unknown, unknown, unknown);
            fputs(")", f);
        } else {
            fputs("未登记 not recorded", f);
        }
        fprintf(f, "</td><td>%d (%d / %d / %d)</td><td>", GM_TARGET_GREEN_MINES,
                GM_TARGET_GREEN_LARGE, GM_TARGET_GREEN_MEDIUM, GM_TARGET_GREEN_SMALL);
        if (r->green_mines >= 0)
            fprintf(f, "%.0f %%", 100.0 * (double)r->green_mines / GM_TARGET_GREEN_MINES);
        fputs("</td><td></td><td></td></tr>\n", f);
    }
    fputs("<tr><td>生态红线冲突矿山<br><small>mines in red-line conflict</small></td><td>", f);
    figure(f, "conflict_mines", (double)r->conflict_mines, 0, "");
    fputs("</td><td>0</td><td></td><td></td><td></td></tr>\n</table>\n", f);
}

/* The province less the zones, for the snapshot `as_of`: what was done
 * outside every zone, so the zone rows and this row add up to the province. */
static void write_outside_row(FILE *f, const gm_progress_series *p, int as_of)
{
    double v[4] = {0, 0, 0, 0};
    int province = 0, zones = 0;
    for (size_t i = 0; i < p->n; i++) {
        const gm_progress_row *r = &p->rows[i];
        if (r->as_of != as_of) continue;
        double sign = r->zone ? -1 : 1;
        province += !r->zone, zones += r->zone != NULL;
        v[0] += sign * r->done_ha[0], v[1] += sign * r->increment_ha[0];
        v[2] += sign * r->done_ha[1], v[3] += sign * r->increment_ha[1];
    }
    if (province != 1 || !zones) return;
    char ds[16];
    date_text(as_of, ds);
    fprintf(f,
            "<tr class=\"outside\" data-outside-as-of=\"%s\"><td>%s</td><td>示范区外 outside "
            "the zones<br><small>全省减各区 province less the zones</small></td>"
            "<td data-outside-field=\"restoration_done_ha\" data-value=\"%.6f\">%.2f</td>"
            "<td data-outside-field=\"restoration_increment_ha\" data-value=\"%.6f\">%+.2f</td>"
            "<td data-outside-field=\"reclamation_done_ha\" data-value=\"%.6f\">%.2f</td>"
            "<td data-outside-field=\"reclamation_increment_ha\" data-value=\"%.6f\">%+.2f</td>"
            "</tr>\n",
            ds, ds, v[0], v[0], v[1], v[1], v[2], v[2], v[3], v[3]);
}

static void write_series(FILE *f, const gm_report_data *d)
{
    fputs("<h2>逐年进展 Progress by snapshot</h2>\n<table class=\"series\">\n<thead><tr><th>截至 "
          "as of"
          "</th><th>区域 area</th><th>恢复治理 ha<br><small>restoration</small></th><th>本期增量"
          "</th><th>土地复垦 ha<br><small>reclamation</small></th><th>本期增量</th></tr></thead>\n",
          f);
    for (size_t i = 0; i < d->progress->n; i++) {
        const gm_progress_row *r = &d->progress->rows[i];
        if (d->zone && (!r->zone || strcmp(d->zone, r->zone) != 0)) continue;
        char ds[16];
        date_text(r->as_of, ds);
        fprintf(f, "<tr data-as-of=\"%s\" data-zone=\"", ds);
        gm_xml_fputs(f, r->zone ? r->zone : "");
        fprintf(f, "\"%s><td>%s</td><td>", r->zone ? "" : " class=\"province\"", ds);
        gm_xml_fputs(f, r->zone ? r->zone : "全省 province");
        fprintf(f,
                "</td><td data-field=\"restoration_done_ha\" data-value=\"%.6f\">%.2f</td>"
                "<td data-field=\"restoration_increment_ha\" data-value=\"%.6f\">%+.2f</td>"
                "<td data-field=\"reclamation_done_ha\" data-value=\"%.6f\">%.2f</td>"
                "<td data-field=\"reclamation_increment_ha\" data-value=\"%.6f\">%+.2f</td></tr>\n",
                r->done_ha[0], r->done_ha[0], r->increment_ha[0], r->increment_ha[0], r->done_ha[1],
                r->done_ha[1], r->increment_ha[1], r->increment_ha[1]);
        if (!d->zone && (i + 1 == d->progress->n || d->progress->rows[i + 1].as_of != r->as_of))
            write_outside_row(f, d->progress, r->as_of);
    }
    fputs("</table>\n", f);
}

static int by_conflict(const void *a, const void *b, void *res)
{
    (void)res;
    const double *x = a, *y = b;
    return (x[1] < y[1]) - (x[1] > y[1]);
}

static void write_conflicts(FILE *f, const gm_report_data *d)
{
    const gm_inputs *in = d->in;
    const gm_results *res = d->res;
    fputs("<h2>生态保护红线冲突矿山 Mines in red-line conflict</h2>\n", f);
    /* [index, conflict_ha] pairs, largest conflict first */
    double *order = malloc((in->n_mines ? in->n_mines : 1) * 2 * sizeof *order);
    size_t n = 0;
    for (size_t i = 0; order && i < in->n_mines; i++) {
        if (res->mines[i].conflict_ha <= 0) continue;
        int z = res->mines[i].zone;
        if (d->zone && (z < 0 || !in->zones[z].name || strcmp(in->zones[z].name, d->zone) != 0))
            continue;
        order[2 * n] = (double)i;
        order[2 * n + 1] = res->mines[i].conflict_ha;
        n++;
    }
    for (size_t i = 1; i < n; i++) /* insertion sort: a few hundred rows at most */
        for (size_t j = i; j > 0 && by_conflict(order + 2 * j - 2, order + 2 * j, NULL) > 0; j--) {
            double t0 = order[2 * j - 2], t1 = order[2 * j - 1];
            order[2 * j - 2] = order[2 * j], order[2 * j - 1] = order[2 * j + 1];
            order[2 * j] = t0, order[2 * j + 1] = t1;
        }
    fprintf(f,
            "<p>共 <span data-figure=\"conflict_table_rows\" data-value=\"%zu\">%zu</span> "
            "座矿山与生态保护红线重叠（重叠红线只计一次）。%zu mines overlap the ecological "
            "protection red lines (overlapping red lines counted once).</p>\n",
            n, n, n);
    if (n) {
        fputs("<table "
              "class=\"conflicts\">\n<thead><tr><th>采矿许可证号<br><small>mine_id</small></th>"
              "<th>矿山名称 name</th><th>规模 scale</th><th>区域 zone</th><th>矿区面积 ha</th>"
              "<th>冲突面积 ha<br><small>conflict</small></th><th>%</th><th>红线 red lines</th>"
              "</tr></thead>\n",
              f);
    }
    for (size_t o = 0; o < n; o++) {
        size_t i = (size_t)order[2 * o];
        const gm_mine *m = &in->mines[i];
        const gm_mine_result *r = &res->mines[i];
        fputs("<tr data-mine-id=\"", f);
        gm_xml_fputs(f, m->mine_id);
        fprintf(f, "\" data-conflict-ha=\"%.6f\"><td>", r->conflict_ha);
        gm_xml_fputs(f, m->mine_id);
        fputs("</td><td>", f);
        gm_xml_fputs(f, m->name);
        fprintf(f, "</td><td>%s</td><td>", m->scale ? gm_scale_name(m->scale) : "");
        if (r->zone >= 0) gm_xml_fputs(f, in->zones[r->zone].name);
        fprintf(f, "</td><td>%.2f</td><td>%.4f</td><td>%.1f</td><td>", r->mine_ha, r->conflict_ha,
                r->mine_ha > 0 ? 100.0 * r->conflict_ha / r->mine_ha : 0.0);
        for (size_t k = 0, shown = 0; k < r->n_overlaps; k++) {
            const gm_overlap *ov = &res->overlaps[r->first_overlap + k];
            if (ov->area_ha < GM_NOISE_HA) continue;
            if (shown++) fputs(", ", f);
            gm_xml_fputs(f, in->redlines[ov->redline].redline_id);
        }
        fputs("</td></tr>\n", f);
    }
    if (n) fputs("</table>\n", f);
    free(order);
}

static void write_provenance(FILE *f, const gm_report_data *d)
{
    fputs(d->single_run
              ? "<h2>数据来源 Data provenance</h2>\n<p>分析结果 analysis GeoPackage: <code>"
              : "<h2>数据来源 Data provenance</h2>\n<p>登记库 registry: <code>",
          f);
    /* a PG: connection string may hold a password: show only its kind */
    if (d->registry && strncmp(d->registry, "PG:", 3) == 0)
        fputs("PostgreSQL + PostGIS", f);
    else
        gm_xml_fputs(f, d->registry);
    fprintf(f,
            "</code>. greenmine %s. 面积为 CGCS2000 椭球面积 (GRS 80 geodesic areas); "
            "重叠图斑只计一次 (overlaps count once); 统计期自 %04d-%02d-%02d 起。</p>\n",
            gm_version(), d->progress->period_start / 10000, d->progress->period_start / 100 % 100,
            d->progress->period_start % 100);
    fprintf(
        f,
        "<table class=\"prov\">\n<thead><tr><th>快照 snapshot</th><th>截至 as of</th><th>图层 layer"
        "</th><th>文件 file</th><th>要素 features</th><th>SHA-256</th><th>%s</th></tr></thead>\n",
        d->single_run ? "运行 run started" : "录入 ingested");
    for (size_t i = 0; i < d->snapshots->n; i++) {
        const gm_snapshot *s = &d->snapshots->items[i];
        char ds[16];
        date_text(s->as_of, ds);
        for (size_t k = 0; k < s->n_sources; k++) {
            const gm_source_info *src = &s->sources[k];
            fprintf(f, "<tr data-snapshot=\"%ld\"><td>%ld</td><td>%s</td><td>", s->id, s->id, ds);
            gm_xml_fputs(f, src->layer);
            fputs("</td><td>", f);
            gm_xml_fputs(f, src->file_name ? src->file_name : "(数据库 database)");
            fprintf(f, "</td><td>%ld</td><td class=\"sha\">", src->features);
            gm_xml_fputs(f, src->sha256 ? src->sha256 : "—");
            fputs("</td><td>", f);
            gm_xml_fputs(f, s->ingested_at);
            fputs("</td></tr>\n", f);
        }
    }
    fputs("</table>\n", f);
}

static const char css[] =
    "@page { size: A4; margin: 14mm 12mm; }\n"
    "body { font-family: '" GM_EMBEDDED_FONT_FAMILY
    "', 'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'WenQuanYi "
    "Micro Hei', 'Microsoft YaHei', sans-serif; font-size: 10.5pt; color: #222; max-width: 190mm; "
    "margin: 0 auto; }\n"
    "h1 { font-size: 17pt; margin: 0 0 2mm; } h2 { font-size: 13pt; border-bottom: 1px solid "
    "#999; margin: 6mm 0 2mm; break-after: avoid; page-break-after: avoid; }\n"
    ".sub { color: #555; margin: 0 0 4mm; }\n"
    "table { border-collapse: collapse; width: 100%; margin: 2mm 0; }\n"
    "th, td { border: 1px solid #bbb; padding: 1mm 1.5mm; text-align: left; vertical-align: top; "
    "}\n"
    "th { background: #eef3ea; font-weight: 600; } small { color: #666; }\n"
    "tr { break-inside: avoid; page-break-inside: avoid; }\n"
    "thead { display: table-header-group; } tr.outside td { font-style: italic; }\n"
    ".closing { break-inside: avoid; page-break-inside: avoid; }\n"
    ".sign { break-before: avoid; page-break-before: avoid; }\n"
    "td.sha { font-family: monospace; font-size: 7pt; word-break: break-all; }\n"
    "tr.province td { font-weight: 600; }\n"
    ".fig { font-weight: 700; } .late { color: #b00; }\n"
    "svg { width: 100%; height: auto; display: block; }\n"
    "svg.map path.zone { stroke: #335; stroke-width: 0.8; }\n"
    "svg.map path.chosen { stroke: #c00; stroke-width: 2.5; }\n"
    "svg text.label { font-size: 12px; text-anchor: middle; fill: #111; }\n"
    "svg.chart .axis { stroke: #333; } svg.chart .grid { stroke: #ddd; }\n"
    "svg.chart .target { stroke: #c00; stroke-dasharray: 6 4; }\n"
    "svg.chart .done { fill: none; stroke: #2a7a2a; stroke-width: 2.5; }\n"
    "svg.chart .projection { stroke: #2a7a2a; stroke-width: 1.5; stroke-dasharray: 5 4; }\n"
    "svg.chart .start { stroke: #999; stroke-width: 1.5; stroke-dasharray: 1 3; }\n"
    "svg.chart .tick.proj { text-anchor: end; fill: #2a7a2a; }\n"
    "svg.chart .point { fill: #2a7a2a; } svg.chart .tick { font-size: 11px; fill: #444; }\n"
    "svg.chart .tick.y { text-anchor: end; } svg.chart .val { font-size: 10px; text-anchor: "
    "middle; fill: #2a7a2a; }\n"
    "figure { margin: 2mm 0; break-inside: avoid; page-break-inside: avoid; }\n"
    "figcaption { font-weight: 600; }\n"
    ".swatch { display: inline-block; width: 10px; height: 10px; border: 1px solid #777; "
    "margin: 0 2px 0 8px; }\n"
    ".legend { font-size: 9pt; color: #444; } .note { font-size: 9.5pt; color: #444; }\n"
    ".sign { margin-top: 10mm; display: flex; gap: 20mm; } .sign div { flex: 1; border-top: 1px "
    "solid #333; padding-top: 1mm; }\n"
    "@media print { .map, .chart { max-height: 110mm; } a { color: inherit; } }\n";

int gm_write_report_html(gm_context *ctx, const char *path, const gm_report_data *d)
{
    char ds[16];
    /* the body first, in memory: the embedded font holds its characters */
    char *body = NULL;
    size_t body_len = 0;
    FILE *f = open_memstream(&body, &body_len);
    if (!f) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    date_text(d->as_of, ds);
    const char *area = d->zone ? d->zone : "湖南省";
    fprintf(f, "<body data-as-of=\"%s\" data-zone=\"", ds);
    gm_xml_fputs(f, d->zone ? d->zone : "");
    fputs("\">\n<h1>", f);
    gm_xml_fputs(f, area);
    fprintf(f,
            "绿色矿山建设进展报告</h1>\n<p class=\"sub\">Green-mine programme progress "
            "report — 截至 as of <b>%s</b>",
            ds);
    if (d->single_run)
        fputs("（一次分析运行 one analysis run）</p>\n", f);
    else
        fprintf(f, "（%zu 期快照 snapshots）</p>\n", d->snapshots->n);
    write_headline(f, d);
    fputs("<h2>示范区进展 Zones</h2>\n", f);
    write_map(f, ctx->geos, d);
    fputs("<h2>目标进展 Progress toward the 2020 targets</h2>\n", f);
    write_chart(f, d, GM_RESTORATION,
                "历史遗留矿山恢复治理（累计 ha） Restoration of legacy mine land, cumulative");
    write_chart(f, d, GM_RECLAMATION, "土地复垦（累计 ha） Land reclamation, cumulative");
    if (d->single_run) /* one run: the line is period start to the one as-of date */
        fputs("<p class=\"note\" data-note=\"single-run\">本报告来自一次分析运行，只有一个时点"
              "（自统计期起点至截至日）；逐年进展需将各年数据录入登记库（greenmine ingest）。"
              "<br><small>This report comes from one analysis run: one point, from the period "
              "start to the as-of date. For progress year by year, ingest each year into a "
              "registry and run greenmine report --db.</small></p>\n",
              f);
    write_series(f, d);
    write_conflicts(f, d);
    /* the provenance and the signatures on one page when they fit: not two
     * table rows and the signature lines alone on the last page */
    fputs("<section class=\"closing\">\n", f);
    write_provenance(f, d);
    fputs("<div class=\"sign\"><div>编制单位（盖章） Prepared by</div><div>负责人签字 "
          "Signature</div><div>日期 Date</div></div>\n</section>\n</body>\n</html>\n",
          f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || !body) {
        free(body);
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    }

    char title[512];
    snprintf(title, sizeof title, "%s 绿色矿山建设进展报告 %s", area, ds);
    int rc = gm_html_page_write(ctx, path, title, css, body, body_len);
    free(body);
    return rc;
}
