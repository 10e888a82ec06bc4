/*
 * yearly_html.c -- the yearly report of the province, a city or a county
 * (年报, greenmine/publish.h): one self-contained HTML file for A4 (inline CSS,
 * the glyphs it uses embedded, no script), and the same figures as CSV. Every
 * figure is also in data-* attributes so a test can read the page Chromium
 * rendered and compare it with figures computed by hand.
 */
#include "core/context_impl.h"
#include "core/text.h"
#include "out/font_embed.h"
#include "out/memtext.h"
#include "out/xml.h"

#include <greenmine/publish.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void date_text(int d, char buf[16])
{
    if (!d)
        snprintf(buf, 16, "—");
    else
        snprintf(buf, 16, "%04d-%02d-%02d", (d / 10000) % 10000, d / 100 % 100, d % 100);
}

/* A figure: visible text and the exact value in data-*. */
static void count(FILE *f, const char *name, long v)
{
    fprintf(f, "<span class=\"fig\" data-figure=\"%s\" data-value=\"%ld\">%ld</span>", name, v, v);
}

static void share(FILE *f, const char *name, long num, long den)
{
    if (den > 0)
        fprintf(f, "<span class=\"fig\" data-figure=\"%s\" data-value=\"%.6f\">%.1f %%</span>",
                name, (double)num / (double)den, 100.0 * (double)num / (double)den);
    else
        fprintf(f, "<span class=\"fig\" data-figure=\"%s\" data-value=\"\">—</span>", name);
}

static void hectares(FILE *f, const char *name, double v)
{
    fprintf(f, "<span class=\"fig\" data-figure=\"%s\" data-value=\"%.6f\">%.2f</span> 公顷", name,
            v, v);
}

static const char *mine_name(const gm_yearly_report *r, const gm_licence *l)
{
    if (r->licences && r->mine_name && l >= r->licences->items &&
        l < r->licences->items + r->licences->n)
        return r->mine_name[l - r->licences->items];
    return NULL;
}

static void headline(FILE *f, const gm_yearly_report *r)
{
    const gm_yearly *y = r->yearly;
    const gm_indicator_area *e = &y->end, *s = &y->start;
    int province = y->level == GM_AREA_PROVINCE;
    fprintf(f,
            "<h2>一、主要指标 Headline figures</h2>\n<table class=\"head\">\n<thead><tr>"
            "<th>指标 indicator</th><th>%d 年末 end of year</th><th>上年末 year before</th>"
            "<th>目标 target (2020)</th></tr></thead>\n",
            y->year);
    fputs("<tr><td>采矿许可证（矿山）数<br><small>licences</small></td><td>", f);
    count(f, "licences", e->licences);
    fprintf(f, "</td><td>%ld</td><td></td></tr>\n", s->licences);
    fputs("<tr><td>绿色矿山（入选名录）<br><small>green mines listed</small></td><td>", f);
    count(f, "listed", e->listed);
    fprintf(f, "（大型 %ld / 中型 %ld / 小型 %ld）</td><td>%ld</td><td></td></tr>\n",
            e->listed_scale[GM_SCALE_LARGE], e->listed_scale[GM_SCALE_MEDIUM],
            e->listed_scale[GM_SCALE_SMALL], s->listed);
    fputs("<tr><td>其中已有矿山转型<br><small>existing mines converted</small></td><td>", f);
    count(f, "listed_existing", e->listed_existing);
    fputs("（大型 ", f);
    count(f, "listed_existing_large", e->listed_existing_scale[GM_SCALE_LARGE]);
    fputs(" / 中型 ", f);
    count(f, "listed_existing_medium", e->listed_existing_scale[GM_SCALE_MEDIUM]);
    fputs(" / 小型 ", f);
    count(f, "listed_existing_small", e->listed_existing_scale[GM_SCALE_SMALL]);
    fprintf(f, "）</td><td>%ld</td><td>%s</td></tr>\n", s->listed_existing,
            province ? "全省 100（35 / 50 / 15）" : "全省 100（本报告为局部 province-wide）");
    fputs("<tr><td>新建矿山按绿色矿山标准建设<br><small>new mines built to the standard"
          "</small></td><td>",
          f);
    count(f, "new_built", e->new_built);
    fputs(" / ", f);
    count(f, "new_mines", e->new_mines);
    fputs("（", f);
    share(f, "new_built_share", e->new_built, e->new_mines);
    fputs("）</td><td>", f);
    fprintf(f, "%ld / %ld</td><td>100 %%</td></tr>\n", s->new_built, s->new_mines);
    fputs("<tr><td>大中型矿山三率达标率<br><small>three-rate compliance, large + medium"
          "</small></td><td>",
          f);
    share(f, "rates_share", e->rates.compliant, e->rates.judged);
    fputs("（", f);
    count(f, "rates_compliant", e->rates.compliant);
    fputs(" / ", f);
    count(f, "rates_judged", e->rates.judged);
    fputs(" 座；", f);
    count(f, "rates_mines", e->rates.mines);
    fputs(" 座中 ", f);
    count(f, "rates_reported", e->rates.reported);
    fputs(" 座已报）</td><td>", f);
    if (s->rates.judged)
        fprintf(f, "%.1f %%", 100.0 * gm_rates_share(&s->rates));
    else
        fputs("—", f);
    fprintf(f, "</td><td>≥ 85 %%（2015 年全省 %.2f %%）</td></tr>\n",
            100 * GM_BASELINE_THREE_RATES_2015);
    fputs("<tr><td>本年抽查<br><small>spot checks this year</small></td><td>", f);
    count(f, "spot_checks", e->spot_checks);
    fputs(" 次，不合格 ", f);
    count(f, "spot_checks_failed", e->spot_checks_failed);
    fprintf(f, " 次</td><td>%ld / %ld</td><td></td></tr>\n", s->spot_checks, s->spot_checks_failed);
    fputs("<tr><td>年末黑名单<br><small>on the blacklist at year end</small></td><td>", f);
    count(f, "blacklisted", e->blacklisted);
    fprintf(f, "</td><td>%ld</td><td>0</td></tr>\n", s->blacklisted);
    static const char *what[] = {"历史遗留矿山恢复治理<br><small>restoration</small>",
                                 "土地复垦<br><small>land reclamation</small>"};
    static const char *key[] = {"restoration", "reclamation"};
    for (int k = 0; k < 2; k++) {
        char name[64], ds[16];
        fprintf(f, "<tr><td>%s</td><td>", what[k]);
        if (r->have_hectares) {
            snprintf(name, sizeof name, "%s_done_ha", key[k]);
            hectares(f, name, r->done_ha[k]);
            fputs("（本年 ", f);
            snprintf(name, sizeof name, "%s_year_ha", key[k]);
            hectares(f, name, r->year_ha[k]);
            date_text(r->hectares_as_of, ds);
            fprintf(f, "；快照 %s）</td><td>%.2f 公顷</td><td>", ds, r->done_ha[k] - r->year_ha[k]);
            if (r->target_ha[k] > 0)
                fprintf(f, "%.0f 公顷</td></tr>\n", r->target_ha[k]);
            else
                fputs("—</td></tr>\n", f);
        } else {
            fputs("<span data-figure=\"", f);
            fprintf(f,
                    "%s_done_ha\" data-value=\"\">无本区快照数据 no zone of this name in "
                    "the registry</span></td><td>—</td><td>—</td></tr>\n",
                    key[k]);
        }
    }
    fputs("</table>\n", f);
}

/* Counts of licences by standing, one row per industry or scale. */
static void crosstab(FILE *f, const char *table, const char *title,
                     const long (*v)[GM_STANDINGS_END], int rows, int industry)
{
    fprintf(f, "<h3>%s</h3>\n<table class=\"grid\" data-table=\"%s\">\n<thead><tr><th></th>", title,
            table);
    for (int s = 0; s < GM_STANDINGS_END; s++)
        fprintf(f, "<th>%s<br><small>%s</small></th>", gm_standing_name_zh((gm_standing)s),
                gm_standing_name((gm_standing)s));
    fputs("<th>合计<br><small>total</small></th></tr></thead>\n", f);
    long col[GM_STANDINGS_END] = {0}, all = 0;
    for (int i = 1; i <= rows; i++) {
        int at = i % rows; /* unknown (0) last */
        long sum = 0;
        for (int s = 0; s < GM_STANDINGS_END; s++)
            sum += v[at][s];
        if (!sum) continue;
        const char *code =
            at ? (industry ? gm_industry_name((gm_industry)at) : gm_scale_name((gm_scale)at))
               : "unknown";
        const char *zh =
            at ? (industry ? gm_industry_name_zh((gm_industry)at) : gm_scale_name_zh((gm_scale)at))
               : "未登记";
        fprintf(f, "<tr data-row=\"%s\"><td>%s</td>", code, zh);
        for (int s = 0; s < GM_STANDINGS_END; s++) {
            fprintf(f, "<td data-col=\"%s\" data-value=\"%ld\">%ld</td>",
                    gm_standing_name((gm_standing)s), v[at][s], v[at][s]);
            col[s] += v[at][s];
        }
        fprintf(f, "<td data-col=\"total\" data-value=\"%ld\">%ld</td></tr>\n", sum, sum);
        all += sum;
    }
    fputs("<tr class=\"total\" data-row=\"total\"><td>合计 total</td>", f);
    for (int s = 0; s < GM_STANDINGS_END; s++)
        fprintf(f, "<td data-col=\"%s\" data-value=\"%ld\">%ld</td>",
                gm_standing_name((gm_standing)s), col[s], col[s]);
    fprintf(f, "<td data-col=\"total\" data-value=\"%ld\">%ld</td></tr>\n</table>\n", all, all);
}

static void rates_table(FILE *f, const gm_yearly_report *r)
{
    const gm_indicator_area *e = &r->yearly->end;
    fputs("<h2>三、大中型矿山三率达标（按行业） Three-rate compliance by industry</h2>\n"
          "<table class=\"grid\" data-table=\"rates\">\n<thead><tr><th>行业 industry</th>"
          "<th>大中型矿山<br><small>mines</small></th><th>已报三率<br><small>reported</small>"
          "</th><th>有指标可评<br><small>judged</small></th><th>达标<br><small>compliant</small>"
          "</th><th>达标率<br><small>share</small></th><th>2015 年基线<br><small>baseline"
          "</small></th></tr></thead>\n",
          f);
    for (int k = 1; k <= GM_INDUSTRY_SLOTS; k++) {
        int at = k % GM_INDUSTRY_SLOTS;
        const gm_rates_count *c = k == GM_INDUSTRY_SLOTS ? &e->rates : &e->rates_industry[at];
        double base = k == GM_INDUSTRY_SLOTS ? GM_BASELINE_THREE_RATES_2015
                                             : gm_three_rates_baseline((gm_industry)at);
        if (k < GM_INDUSTRY_SLOTS && !c->mines) continue;
        const char *code = k == GM_INDUSTRY_SLOTS ? "total" : at ? gm_industry_name(at) : "unknown";
        fprintf(f, "<tr data-row=\"%s\"%s><td>%s</td>", code,
                k == GM_INDUSTRY_SLOTS ? " class=\"total\"" : "",
                k == GM_INDUSTRY_SLOTS ? "合计 all"
                : at                   ? gm_industry_name_zh((gm_industry)at)
                                       : "未登记");
        fprintf(f,
                "<td data-col=\"mines\" data-value=\"%ld\">%ld</td><td data-col=\"reported\" "
                "data-value=\"%ld\">%ld</td><td data-col=\"judged\" data-value=\"%ld\">%ld</td>"
                "<td data-col=\"compliant\" data-value=\"%ld\">%ld</td>",
                c->mines, c->mines, c->reported, c->reported, c->judged, c->judged, c->compliant,
                c->compliant);
        if (c->judged)
            fprintf(f, "<td data-col=\"share\" data-value=\"%.6f\">%.1f %%</td>", gm_rates_share(c),
                    100 * gm_rates_share(c));
        else
            fputs("<td data-col=\"share\" data-value=\"\">—</td>", f);
        if (base >= 0)
            fprintf(f, "<td>%.2f %%</td></tr>\n", 100 * base);
        else
            fputs("<td>—</td></tr>\n", f);
    }
    fputs(
        "</table>\n<p class=\"note\">达标：最近一年报送的开采回采率、选矿回收率、综合利用率均不低于"
        "本行业（及矿种）指标；未报三率或无适用指标的矿山不计入达标率分母。"
        "Compliant: the latest year's three rates all meet the industry's (and mineral's) "
        "minimums; mines without figures or without a threshold are not in the denominator.",
        f);
    if (r->thresholds && r->thresholds->set_id) {
        fputs(" 指标表 thresholds: ", f);
        gm_xml_fputs(f, r->thresholds->file_name ? r->thresholds->file_name : "");
        if (r->thresholds->label) {
            fputs("（", f);
            gm_xml_fputs(f, r->thresholds->label);
            fputs("）", f);
        }
    } else {
        fputs(" 未导入三率指标表 no thresholds loaded.", f);
    }
    fputs("</p>\n", f);
}

static void event_table(FILE *f, const gm_yearly_report *r, const char *table, const char *title,
                        const gm_yearly_event *ev, size_t n, int what)
{
    fprintf(f, "<h2>%s</h2>\n", title);
    if (!n) {
        fprintf(f, "<p data-table=\"%s\" data-rows=\"0\">本年无 none this year.</p>\n", table);
        return;
    }
    fprintf(f,
            "<table class=\"grid\" data-table=\"%s\" data-rows=\"%zu\">\n<thead><tr>"
            "<th>日期 date</th><th>采矿许可证号 licence</th><th>矿山 / 采矿权人 mine</th>"
            "<th>县市区 county</th><th>%s</th><th>%s</th></tr></thead>\n",
            table, n,
            what == 0   ? "批次 batch"
            : what == 1 ? "结果 result"
                        : "变动 change",
            what == 0   ? "文号 document"
            : what == 1 ? "发现问题 findings"
                        : "原因 reason");
    for (size_t i = 0; i < n; i++) {
        const gm_event *e = ev[i].event;
        const gm_licence *l = ev[i].licence;
        char ds[16];
        date_text(e->event_date, ds);
        fprintf(f, "<tr data-licence=\"");
        gm_xml_fputs(f, l->licence_no);
        fprintf(f, "\" data-date=\"%s\" data-kind=\"%s\"", ds, gm_event_kind_name(e->kind));
        if (e->result) fprintf(f, " data-result=\"%s\"", gm_result_name(e->result));
        fprintf(f, "><td>%s</td><td>", ds);
        gm_xml_fputs(f, l->licence_no);
        fputs("</td><td>", f);
        const char *mn = mine_name(r, l);
        gm_xml_fputs(f, mn ? mn : "");
        if (l->enterprise) {
            fputs(mn ? "<br><small>" : "<small>", f);
            gm_xml_fputs(f, l->enterprise);
            fputs("</small>", f);
        }
        fputs("</td><td>", f);
        gm_xml_fputs(f, l->county ? l->county : "");
        fputs("</td><td>", f);
        if (what == 0)
            gm_xml_fputs(f, e->batch ? e->batch : "");
        else if (what == 1)
            fputs(e->result == GM_RESULT_FAIL ? "<b class=\"bad\">不合格 fail</b>" : "合格 pass",
                  f);
        else
            fputs(e->kind == GM_EVENT_BLACKLISTING ? "<b class=\"bad\">列入 added</b>"
                                                   : "移出 lifted",
                  f);
        fputs("</td><td>", f);
        gm_xml_fputs(f, what == 0 ? e->document : what == 1 ? e->findings : e->reason);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void blacklisted_list(FILE *f, const gm_yearly_report *r)
{
    const gm_yearly *y = r->yearly;
    fprintf(
        f,
        "<p>%d 年末仍在黑名单 on the blacklist on %d-12-31: <span data-figure=\"blacklist_end\" "
        "data-value=\"%zu\">%zu</span> 座",
        y->year, y->year, y->n_blacklisted, y->n_blacklisted);
    for (size_t i = 0; i < y->n_blacklisted; i++) {
        const char *mn = mine_name(r, y->blacklisted[i]);
        fputs(i ? "，" : "：", f);
        gm_xml_fputs(f, mn ? mn : y->blacklisted[i]->licence_no);
        fputs("（", f);
        gm_xml_fputs(f, y->blacklisted[i]->licence_no);
        fputs("）", f);
    }
    fputs("。</p>\n", f);
}

static const char css[] =
    "@page { size: A4; margin: 14mm 12mm; }\n"
    "body { font-family: '" GM_EMBEDDED_FONT_FAMILY
    "', 'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'WenQuanYi "
    "Micro Hei', 'Microsoft YaHei', sans-serif; font-size: 10pt; color: #222; max-width: 186mm; "
    "margin: 0 auto; }\n"
    "h1 { font-size: 17pt; margin: 0 0 2mm; } h2 { font-size: 12.5pt; border-bottom: 1px solid "
    "#999; margin: 5mm 0 2mm; break-after: avoid; page-break-after: avoid; }\n"
    "h3 { font-size: 11pt; margin: 3mm 0 1mm; break-after: avoid; page-break-after: avoid; }\n"
    ".sub { color: #555; margin: 0 0 4mm; }\n"
    "table { border-collapse: collapse; width: 100%; margin: 1.5mm 0; }\n"
    "th, td { border: 1px solid #bbb; padding: 0.8mm 1.5mm; text-align: left; vertical-align: "
    "top; }\n"
    "table.grid td[data-value] { text-align: right; } tr[data-date] td:first-child { white-space: "
    "nowrap; }\n"
    "th { background: #eef3ea; font-weight: 600; } small { color: #666; }\n"
    "tr { break-inside: avoid; page-break-inside: avoid; }\n"
    "thead { display: table-header-group; } tr.total td { font-weight: 600; }\n"
    ".fig { font-weight: 700; } .bad { color: #b00; }\n"
    ".note { font-size: 9pt; color: #444; }\n"
    ".closing { break-inside: avoid; page-break-inside: avoid; }\n"
    ".sign { margin-top: 10mm; display: flex; gap: 20mm; } .sign div { flex: 1; border-top: "
    "1px solid #333; padding-top: 1mm; }\n";

int gm_write_yearly_html(gm_context *ctx, const char *path, const gm_yearly_report *r)
{
    const gm_yearly *y = r->yearly;
    char *body = NULL;
    size_t body_len = 0;
    FILE *f = open_memstream(&body, &body_len);
    if (!f) return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    const char *area = r->area_label ? r->area_label : y->name ? y->name : "湖南省";
    fprintf(f, "<body data-year=\"%d\" data-level=\"%s\" data-area=\"", y->year,
            gm_area_level_name(y->level));
    gm_xml_fputs(f, y->name ? y->name : "");
    fputs("\">\n<h1>", f);
    gm_xml_fputs(f, area);
    fprintf(f,
            " %d 年度绿色矿山建设工作报告</h1>\n<p class=\"sub\">Green-mine programme, yearly "
            "report %d — 统计截至 as of <b>%d-12-31</b>；依据登记库中的许可证与事件记录，"
            "每一数字均可追溯到事件。</p>\n",
            y->year, y->year, y->year);
    headline(f, r);
    fputs("<h2>二、矿山状态统计 Mines by status</h2>\n", f);
    crosstab(f, "by_industry", "按行业 by industry",
             (const long(*)[GM_STANDINGS_END])y->by_industry, GM_INDUSTRY_SLOTS, 1);
    crosstab(f, "by_scale", "按规模 by scale", (const long(*)[GM_STANDINGS_END])y->by_scale,
             GM_SCALE_SLOTS, 0);
    fputs(
        "<p class=\"note\">状态为年末（12 月 31 "
        "日）由事件推导：已入选名录＝名录有效（被列入黑名单即失去，"
        "移出后须重新入选）；评估通过＝最近一次自评后第三方评估通过；已自评＝有自评但尚未通过评估；"
        "黑名单＝已列入且未移出。Standing on 31 December, derived from the events.</p>\n",
        f);
    rates_table(f, r);
    event_table(f, r, "listings", "四、本年入选名录 Listed this year", y->listings, y->n_listings,
                0);
    event_table(f, r, "spot_checks", "五、本年抽查（双随机、一公开） Spot checks this year",
                y->spot_checks, y->n_spot_checks, 1);
    event_table(f, r, "blacklist", "六、黑名单变动 Blacklist changes", y->blacklist, y->n_blacklist,
                2);
    blacklisted_list(f, r);
    fputs("<section class=\"closing\">\n<h2>数据说明 Notes</h2>\n<p class=\"note\">", f);
    fprintf(f, "数据来源 registry: <code>");
    if (r->registry && strncmp(r->registry, "PG:", 3) == 0)
        fputs("PostgreSQL + PostGIS", f);
    else
        gm_xml_fputs(f, r->registry ? r->registry : "");
    fprintf(f, "</code>. greenmine %s. ", gm_version());
    if (r->have_hectares) {
        char a[16], b[16];
        date_text(r->hectares_as_of, a);
        date_text(r->hectares_before ? r->hectares_before : r->period_start, b);
        fputs("面积取自登记库快照（与 greenmine progress 相同：CGCS2000 椭球面积，重叠只计一次）",
              f);
        if (r->hectares_zone) {
            fputs("，示范区 ", f);
            gm_xml_fputs(f, r->hectares_zone);
        }
        fprintf(f, "；截至 %s 快照，本年增量为其减去 %s %s。", a,
                r->hectares_before ? "上一年末快照" : "统计期起点", b);
    } else {
        fputs("登记库中没有与本区同名的示范区或本年快照，故无面积数据。", f);
    }
    fputs(" 已有矿山：规划前（2017-12-31 前）取得采矿许可证；新建矿山：此后取得。"
          "三率：大中型矿山最近一年报送数据。抽查：本年内有效（未被更正或撤回）的抽查记录。</p>\n",
          f);
    fputs("<div class=\"sign\"><div>编制单位（盖章） Prepared by</div><div>负责人签字 "
          "Signature</div><div>日期 Date</div></div>\n</section>\n</body>\n</html>\n",
          f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || !body) {
        free(body);
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    }
    char title[512];
    snprintf(title, sizeof title, "%s %d 年度绿色矿山建设工作报告", area, y->year);
    int rc = gm_html_page_write(ctx, path, title, css, body, body_len);
    free(body);
    return rc;
}

/* ---- CSV ----------------------------------------------------------------- */

static void row(FILE *f, const char *section, const char *key, const char *label, const char *value)
{
    gm_csv_fputs(f, section);
    fputc(',', f);
    gm_csv_fputs(f, key);
    fputc(',', f);
    gm_csv_fputs(f, label);
    fputc(',', f);
    gm_csv_fputs(f, value);
    fputc('\n', f);
}

static void row_long(FILE *f, const char *section, const char *key, const char *label, long v)
{
    char b[32];
    snprintf(b, sizeof b, "%ld", v);
    row(f, section, key, label, b);
}

static void row_share(FILE *f, const char *section, const char *key, const char *label, long num,
                      long den)
{
    char b[32] = "";
    if (den > 0) snprintf(b, sizeof b, "%.6f", (double)num / (double)den);
    row(f, section, key, label, b);
}

static void write_csv(FILE *f, const void *data)
{
    const gm_yearly_report *r = data;
    const gm_yearly *y = r->yearly;
    const gm_indicator_area *e = &y->end;
    char b[64], k[96];
    fputs("\xEF\xBB\xBF"
          "section,key,label,value\n",
          f);
    snprintf(b, sizeof b, "%d", y->year);
    row(f, "report", "year", "年度", b);
    row(f, "report", "level", "层级", gm_area_level_name(y->level));
    row(f, "report", "area", "地区", y->name ? y->name : "");
    row_long(f, "headline", "licences", "采矿许可证数", e->licences);
    row_long(f, "headline", "listed", "绿色矿山（名录）", e->listed);
    row_long(f, "headline", "listed_large", "绿色矿山 大型", e->listed_scale[GM_SCALE_LARGE]);
    row_long(f, "headline", "listed_medium", "绿色矿山 中型", e->listed_scale[GM_SCALE_MEDIUM]);
    row_long(f, "headline", "listed_small", "绿色矿山 小型", e->listed_scale[GM_SCALE_SMALL]);
    row_long(f, "headline", "listed_existing", "已有矿山转型", e->listed_existing);
    row_long(f, "headline", "listed_existing_large", "已有矿山转型 大型",
             e->listed_existing_scale[GM_SCALE_LARGE]);
    row_long(f, "headline", "listed_existing_medium", "已有矿山转型 中型",
             e->listed_existing_scale[GM_SCALE_MEDIUM]);
    row_long(f, "headline", "listed_existing_small", "已有矿山转型 小型",
             e->listed_existing_scale[GM_SCALE_SMALL]);
    row_long(f, "headline", "new_mines", "新建矿山", e->new_mines);
    row_long(f, "headline", "new_built", "新建矿山按标准建设", e->new_built);
    row_share(f, "headline", "new_built_share", "新建矿山按标准建设比例", e->new_built,
              e->new_mines);
    row_long(f, "headline", "rates_mines", "大中型矿山", e->rates.mines);
    row_long(f, "headline", "rates_reported", "已报三率", e->rates.reported);
    row_long(f, "headline", "rates_judged", "可评", e->rates.judged);
    row_long(f, "headline", "rates_compliant", "三率达标", e->rates.compliant);
    row_share(f, "headline", "rates_share", "三率达标率", e->rates.compliant, e->rates.judged);
    row_long(f, "headline", "spot_checks", "本年抽查", e->spot_checks);
    row_long(f, "headline", "spot_checks_failed", "本年抽查不合格", e->spot_checks_failed);
    row_long(f, "headline", "blacklisted", "年末黑名单", e->blacklisted);
    static const char *key[] = {"restoration", "reclamation"};
    for (int i = 0; i < 2; i++) {
        snprintf(k, sizeof k, "%s_done_ha", key[i]);
        if (r->have_hectares) snprintf(b, sizeof b, "%.6f", r->done_ha[i]);
        row(f, "headline", k, i ? "土地复垦累计(公顷)" : "恢复治理累计(公顷)",
            r->have_hectares ? b : "");
        snprintf(k, sizeof k, "%s_year_ha", key[i]);
        if (r->have_hectares) snprintf(b, sizeof b, "%.6f", r->year_ha[i]);
        row(f, "headline", k, i ? "土地复垦本年(公顷)" : "恢复治理本年(公顷)",
            r->have_hectares ? b : "");
    }
    for (int t = 0; t < 2; t++)
        for (int i = 0; i < (t ? GM_SCALE_SLOTS : GM_INDUSTRY_SLOTS); i++)
            for (int s = 0; s < GM_STANDINGS_END; s++) {
                long v = t ? y->by_scale[i][s] : y->by_industry[i][s];
                const char *code =
                    i ? (t ? gm_scale_name((gm_scale)i) : gm_industry_name((gm_industry)i))
                      : "unknown";
                snprintf(k, sizeof k, "%s.%s", code, gm_standing_name((gm_standing)s));
                if (v) row_long(f, t ? "by_scale" : "by_industry", k, "", v);
            }
    for (int i = 0; i < GM_INDUSTRY_SLOTS; i++) {
        const gm_rates_count *c = &e->rates_industry[i];
        if (!c->mines) continue;
        const char *code = i ? gm_industry_name((gm_industry)i) : "unknown";
        snprintf(k, sizeof k, "%s.judged", code);
        row_long(f, "rates", k, "", c->judged);
        snprintf(k, sizeof k, "%s.compliant", code);
        row_long(f, "rates", k, "", c->compliant);
    }
    const struct {
        const char *name;
        const gm_yearly_event *ev;
        size_t n;
    } lists[] = {{"listings", y->listings, y->n_listings},
                 {"spot_checks", y->spot_checks, y->n_spot_checks},
                 {"blacklist", y->blacklist, y->n_blacklist}};
    for (size_t t = 0; t < 3; t++)
        for (size_t i = 0; i < lists[t].n; i++) {
            const gm_event *ev = lists[t].ev[i].event;
            char ds[16];
            date_text(ev->event_date, ds);
            row(f, lists[t].name, lists[t].ev[i].licence->licence_no, ds,
                t == 0   ? (ev->batch ? ev->batch : "")
                : t == 1 ? gm_result_name(ev->result)
                         : gm_event_kind_name(ev->kind));
        }
    for (size_t i = 0; i < y->n_blacklisted; i++)
        row(f, "blacklist_end", y->blacklisted[i]->licence_no, "", "blacklisted");
}

int gm_yearly_csv(gm_context *ctx, const gm_yearly_report *r, char **out)
{
    return gm_memtext(ctx, write_csv, r, out);
}
