/*
 * draws_publish.c -- the public record of the draws ("one public", 一公开):
 * one self-contained HTML page (Chinese with English; no script, nothing
 * fetched) or one CSV line per pick. Every value comes from the registry and
 * is escaped where it lands: HTML text and attributes here, CSV cells through
 * gm_csv_fputs (the CSV-injection rule of docs/robustness.md).
 */
#include "core/context_impl.h"
#include "core/text.h"

#include <greenmine/draw.h>
#include <greenmine/model.h>

#include <stdio.h>
#include <string.h>

/* HTML text or attribute value: & < > " ' as entities, control characters
 * shown as visible \xHH (an HTML page cannot hold them as text). */
static void html(FILE *f, const char *s)
{
    size_t len = s ? strlen(s) : 0, i = 0, n;
    char buf[8];
    while (i < len) {
        const char *e = NULL;
        switch (s[i]) {
        case '&':
            e = "&amp;";
            break;
        case '<':
            e = "&lt;";
            break;
        case '>':
            e = "&gt;";
            break;
        case '"':
            e = "&quot;";
            break;
        case '\'':
            e = "&#39;";
            break;
        default:
            break;
        }
        if (e) {
            fputs(e, f);
            n = 1;
        } else if (gm_text_unsafe(s + i, len - i, &n, buf, 1)) {
            fputs(buf, f);
        } else {
            fwrite(s + i, 1, n, f);
        }
        i += n;
    }
}

static const char *industry_zh(const char *code)
{
    gm_industry ind = GM_INDUSTRY_UNKNOWN;
    if (code && *code && gm_parse_industry(code, &ind) == GM_OK && ind != GM_INDUSTRY_UNKNOWN)
        return gm_industry_name_zh(ind);
    return "";
}

static void how_many(const gm_draw *d, char *buf, size_t len)
{
    char share[16];
    if (d->share_bp) {
        gm_draw_share_text(d->share_bp, share);
        snprintf(buf, len, "%s%%", share);
    } else {
        snprintf(buf, len, "%ld", d->count);
    }
}

static const char css[] =
    "body{font-family:'Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei',sans-serif;"
    "margin:2em auto;max-width:1100px;color:#222;line-height:1.45}\n"
    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #999}\n"
    ".en{color:#555;font-size:.9em}\n"
    "table{border-collapse:collapse;width:100%;margin:.6em 0}\n"
    "th,td{border:1px solid #bbb;padding:.25em .45em;text-align:left;vertical-align:top}\n"
    "th{background:#eef3ee}\n"
    "td.hash,code{font-family:monospace;font-size:.85em;word-break:break-all}\n"
    ".pass{color:#15651f}.fail{color:#a31515;font-weight:bold}.pending{color:#777}\n"
    "pre{white-space:pre-wrap;word-break:break-all;font-size:.8em;background:#f6f6f6;padding:.5em}"
    "\n"
    "@page{size:A4;margin:14mm 12mm}\n"
    "@media print{tr,dl{break-inside:avoid}details{display:none}}\n";

static void row(FILE *f, const char *zh, const char *en, const char *value, int hash)
{
    fprintf(f, "<tr><th>%s <span class=\"en\">%s</span></th><td%s>", zh, en,
            hash ? " class=\"hash\"" : "");
    html(f, value);
    fputs("</td></tr>\n", f);
}

int gm_draw_record_html(gm_context *ctx, const gm_draw_record *r, FILE *f)
{
    fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<title>双随机抽查公示 Spot-check draws</title>\n<style>\n",
          f);
    fputs(css, f);
    fputs("</style>\n</head>\n<body>\n"
          "<h1>双随机抽查公示 <span class=\"en\">Double-random spot checks: the public "
          "record</span></h1>\n"
          "<p>每次抽查的矿山和检查人员均由公开的随机种子和两份公开名单决定，任何人可按 "
          "docs/draw.md 的算法复算（<code>greenmine draw --verify</code>）。"
          "<br><span class=\"en\">Each draw follows from its published seed and its two "
          "published lists alone; anyone can redo it with the algorithm of docs/draw.md "
          "(<code>greenmine draw --verify</code>). The lists are below each draw; their "
          "SHA-256 is what <code>sha256sum</code> prints for the files.</span></p>\n",
          f);
    if (r->n_draws == 0)
        fputs("<p>尚无抽查记录。<span class=\"en\">No draw recorded yet.</span></p>\n", f);
    for (size_t i = 0; i < r->n_draws; i++) {
        const gm_draw *d = r->draws[i];
        char date[GM_DATE_TEXT], buf[64], n[32];
        gm_date_text(d->date, date);
        fprintf(f,
                "<section id=\"draw-%ld\" data-draw-id=\"%ld\">\n<h2>第 %ld 次抽查 "
                "<span class=\"en\">Draw %ld</span> — ",
                d->draw_id, d->draw_id, d->draw_id, d->draw_id);
        html(f, date);
        fputs("</h2>\n<table class=\"params\">\n", f);
        row(f, "抽查日期", "date (mines listed on)", date, 0);
        row(f, "随机种子", "seed", d->seed, 0);
        how_many(d, buf, sizeof buf);
        row(f, d->share_bp ? "抽取比例" : "抽取数量", d->share_bp ? "share" : "count", buf, 0);
        snprintf(n, sizeof n, "%d", d->per_mine);
        row(f, "每矿检查人员", "inspectors per mine", n, 0);
        snprintf(n, sizeof n, "%d", d->floor_per_county);
        row(f, "每县最少", "floor per county", n, 0);
        row(f, "县市区范围", "county filter", d->county ? d->county : "—", 0);
        row(f, "行业范围", "industry filter", d->industry ? d->industry : "—", 0);
        snprintf(n, sizeof n, "%zu", d->lists->n_mines);
        row(f, "候选矿山", "candidate mines", n, 0);
        snprintf(n, sizeof n, "%zu", d->lists->n_inspectors);
        row(f, "检查人员名录", "inspectors on the roster", n, 0);
        row(f, "矿山名单 SHA-256", "mine list SHA-256", d->lists->mines_sha256, 1);
        row(f, "检查人员名单 SHA-256", "inspector list SHA-256", d->lists->inspectors_sha256, 1);
        row(f, "抽取时间", "drawn at (UTC)", d->drawn_at, 0);
        row(f, "抽取人", "drawn by", d->drawn_by, 0);
        fputs("</table>\n<table class=\"picks\">\n<tr><th>序号<br><span class=\"en\">rank</span>"
              "</th><th>采矿许可证号<br><span class=\"en\">licence</span></th><th>县市区<br>"
              "<span class=\"en\">county</span></th><th>行业<br><span class=\"en\">industry"
              "</span></th><th>检查人员<br><span class=\"en\">inspectors</span></th><th>抽查结果"
              "<br><span class=\"en\">result</span></th><th>检查日期<br><span class=\"en\">"
              "checked on</span></th><th>发现问题<br><span class=\"en\">findings</span></th>"
              "</tr>\n",
              f);
        for (size_t k = 0; k < d->n_picks; k++) {
            const gm_draw_mine *m = &d->lists->mines[d->picks[k].mine];
            const gm_draw_result *res = gm_draw_record_result(r, d->draw_id, m->licence_no);
            fprintf(f, "<tr data-draw-id=\"%ld\" data-rank=\"%zu\" data-licence=\"", d->draw_id,
                    k + 1);
            html(f, m->licence_no);
            fprintf(f, "\"><td>%zu</td><td>", k + 1);
            html(f, m->licence_no);
            fputs("</td><td>", f);
            html(f, m->county);
            fputs("</td><td>", f);
            html(f, industry_zh(m->industry));
            fputs(" <span class=\"en\">", f);
            html(f, m->industry);
            fputs("</span></td><td>", f);
            for (int j = 0; j < d->per_mine; j++) {
                const gm_draw_inspector *in = &d->lists->inspectors[d->picks[k].inspectors[j]];
                if (j) fputs("<br>", f);
                html(f, in->name);
                fputs(" <span class=\"en\">(", f);
                html(f, in->inspector_id);
                fputs(")</span>", f);
            }
            fputs("</td>", f);
            if (res) {
                int pass = !strcmp(res->result, "pass");
                fprintf(f, "<td class=\"%s\" data-result=\"", pass ? "pass" : "fail");
                html(f, res->result);
                fprintf(f, "\">%s <span class=\"en\">", pass ? "通过" : "不通过");
                html(f, res->result);
                fprintf(f, "</span></td><td>%s</td><td>", gm_date_text(res->event_date, date));
                html(f, res->findings ? res->findings : "");
                fputs("</td></tr>\n", f);
            } else {
                fputs("<td class=\"pending\" data-result=\"\">待检查 <span class=\"en\">pending"
                      "</span></td><td>—</td><td></td></tr>\n",
                      f);
            }
        }
        fputs("</table>\n<details><summary>矿山名单 <span class=\"en\">the mine list</span> "
              "(draw.mines.csv)</summary>\n<pre class=\"mines\">",
              f);
        html(f, d->lists->mines_csv);
        fputs("</pre></details>\n<details><summary>检查人员名单 <span class=\"en\">the inspector "
              "list</span> (draw.inspectors.csv)</summary>\n<pre class=\"inspectors\">",
              f);
        html(f, d->lists->inspectors_csv);
        fputs("</pre></details>\n</section>\n", f);
    }
    fputs("</body>\n</html>\n", f);
    if (ferror(f)) return gm_error(ctx, GM_ERR_WRITE, "cannot write the record");
    return GM_OK;
}

int gm_draw_record_csv(gm_context *ctx, const gm_draw_record *r, FILE *f)
{
    fputs("draw_id,draw_date,seed,share_percent,count,per_mine,floor_per_county,county_filter,"
          "industry_filter,candidates,mines_sha256,inspectors_sha256,drawn_at,drawn_by,rank,"
          "licence_no,county,industry,inspectors,inspector_names,result,checked_on,findings\r\n",
          f);
    for (size_t i = 0; i < r->n_draws; i++) {
        const gm_draw *d = r->draws[i];
        char date[GM_DATE_TEXT], share[16] = "";
        if (d->share_bp) gm_draw_share_text(d->share_bp, share);
        for (size_t k = 0; k < d->n_picks; k++) {
            const gm_draw_mine *m = &d->lists->mines[d->picks[k].mine];
            const gm_draw_result *res = gm_draw_record_result(r, d->draw_id, m->licence_no);
            fprintf(f, "%ld,%s,", d->draw_id, gm_date_text(d->date, date));
            gm_csv_fputs(f, d->seed);
            fprintf(f, ",%s,", share);
            if (!d->share_bp) fprintf(f, "%ld", d->count);
            fprintf(f, ",%d,%d,", d->per_mine, d->floor_per_county);
            gm_csv_fputs(f, d->county);
            fputc(',', f);
            gm_csv_fputs(f, d->industry);
            fprintf(f, ",%zu,%s,%s,", d->lists->n_mines, d->lists->mines_sha256,
                    d->lists->inspectors_sha256);
            gm_csv_fputs(f, d->drawn_at);
            fputc(',', f);
            gm_csv_fputs(f, d->drawn_by);
            fprintf(f, ",%zu,", k + 1);
            gm_csv_fputs(f, m->licence_no);
            fputc(',', f);
            gm_csv_fputs(f, m->county);
            fputc(',', f);
            gm_csv_fputs(f, m->industry);
            for (int pass = 0; pass < 2; pass++) {
                /* ids, then names, joined with ';', each list one escaped cell */
                char cell[4096] = "";
                size_t used = 0;
                for (int j = 0; j < d->per_mine && used < sizeof cell; j++) {
                    const gm_draw_inspector *in = &d->lists->inspectors[d->picks[k].inspectors[j]];
                    used += (size_t)snprintf(cell + used, sizeof cell - used, "%s%s", j ? ";" : "",
                                             pass ? in->name : in->inspector_id);
                }
                fputc(',', f);
                gm_csv_fputs(f, cell);
            }
            if (res) {
                fputc(',', f);
                gm_csv_fputs(f, res->result);
                fprintf(f, ",%s,", gm_date_text(res->event_date, date));
                gm_csv_fputs(f, res->findings);
            } else {
                fputs(",,,", f);
            }
            fputs("\r\n", f);
        }
    }
    if (ferror(f)) return gm_error(ctx, GM_ERR_WRITE, "cannot write the record");
    return GM_OK;
}
