/*
 * events_import.c -- the spreadsheets counties send, into the registry:
 * events, licences, three-rate thresholds (greenmine/events.h). A file is
 * recorded whole or not at all: every row is parsed and checked first, and
 * the report names every bad row with its spreadsheet row number.
 *
 * The column names each canonical field accepts (English, Chinese, the
 * usual variants) are the tables below; docs/management.md lists them.
 */
#include "registry/events_impl.h"

#include "io/fields.h"
#include "io/table.h"
#include "registry/columns.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct column_def {
    const char *canonical;
    const char *aliases[8]; /* NULL-terminated */
    int required;
} column_def;

enum {
    EV_LICENCE,
    EV_KIND,
    EV_DATE,
    EV_SCORE,
    EV_DOCUMENT,
    EV_AGENCY,
    EV_RESULT,
    EV_BATCH,
    EV_DRAW,
    EV_INSPECTORS,
    EV_FINDINGS,
    EV_REASON,
    EV_YEAR,
    EV_GRADE,
    EV_MINING,
    EV_BENEFICIATION,
    EV_UTILISATION,
    EV_SUPERSEDES,
    EV_VOID,
    EV_COUNT
};
static const column_def event_columns[EV_COUNT] = {
    {"licence_no", {"采矿许可证号", "许可证号", "采矿证号", "mine_id", "licence", "XKZH", NULL}, 1},
    {"kind", {"事件", "事件类型", "类型", "event", "type", NULL}, 1},
    {"event_date", {"日期", "事件日期", "时间", "date", NULL}, 1},
    {"score", {"得分", "分数", "评分", NULL}, 0},
    {"document", {"文件", "文号", "文件编号", "报告编号", "document_ref", NULL}, 0},
    {"agency", {"评估机构", "第三方机构", "机构", NULL}, 0},
    {"result", {"结果", "结论", NULL}, 0},
    {"batch", {"批次", "名录批次", NULL}, 0},
    {"draw_id", {"抽取编号", "抽查编号", "draw", NULL}, 0},
    {"inspectors", {"检查人员", "抽查人员", "执法人员", NULL}, 0},
    {"findings", {"发现问题", "检查情况", "问题", NULL}, 0},
    {"reason", {"原因", "理由", "说明", NULL}, 0},
    {"year", {"年度", "年份", NULL}, 0},
    {"grade", {"信用等级", "等级", NULL}, 0},
    {"mining_recovery", {"开采回采率", "回采率", NULL}, 0},
    {"beneficiation_recovery", {"选矿回收率", "回收率", NULL}, 0},
    {"utilisation", {"综合利用率", "utilization", NULL}, 0},
    {"supersedes", {"更正事件", "更正", "corrects", NULL}, 0},
    {"void", {"撤销", "作废", "withdrawn", NULL}, 0},
};

enum {
    LI_LICENCE,
    LI_NAME,
    LI_ENTERPRISE,
    LI_CREDIT,
    LI_INDUSTRY,
    LI_MINERAL,
    LI_SCALE,
    LI_COUNTY,
    LI_CITY,
    LI_LICENSED_ON,
    LI_IS_NEW,
    LI_COUNT
};
static const column_def licence_columns[LI_COUNT] = {
    {"licence_no", {"采矿许可证号", "许可证号", "采矿证号", "mine_id", "licence", "XKZH", NULL}, 1},
    {"name", {"矿山名称", "KSMC", "mine_name", NULL}, 0},
    {"enterprise", {"企业名称", "采矿权人", "矿业权人", "company", NULL}, 0},
    {"credit_code", {"统一社会信用代码", "信用代码", "uscc", NULL}, 0},
    {"industry", {"行业", "HY", NULL}, 1},
    {"mineral", {"矿种", "开采矿种", "主矿种", "KZ", NULL}, 0},
    {"scale", {"规模", "生产规模", "GM", NULL}, 1},
    {"county", {"县市区", "县(市、区)", "县（市、区）", "县区", "所在县", "县", NULL}, 1},
    {"city", {"市州", "所在市", "市", NULL}, 0},
    {"licensed_on", {"发证日期", "首次发证日期", "登记日期", NULL}, 0},
    {"is_new", {"新建矿山", "是否新建", "new", NULL}, 0},
};

enum { TH_INDUSTRY, TH_MINERAL, TH_MINING, TH_BENEFICIATION, TH_UTILISATION, TH_NOTE, TH_COUNT };
static const column_def threshold_columns[TH_COUNT] = {
    {"industry", {"行业", "HY", NULL}, 1},
    {"mineral", {"矿种", "开采矿种", "KZ", NULL}, 0},
    {"mining_recovery", {"开采回采率", "回采率", NULL}, 0},
    {"beneficiation_recovery", {"选矿回收率", "回收率", NULL}, 0},
    {"utilisation", {"综合利用率", "utilization", NULL}, 0},
    {"note", {"备注", "说明", NULL}, 0},
};

static int name_matches(const column_def *d, const char *name)
{
    if (!name) return 0;
    if (gm_field_name_equal(name, d->canonical)) return 1;
    for (const char *const *a = d->aliases; *a; a++)
        if (gm_field_name_equal(name, *a)) return 1;
    return 0;
}

/* 1 when the names (of a header, or of a row that may be one) hold every
 * required field. */
static int has_required(char *const *names, size_t n_names, const column_def *defs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!defs[i].required) continue;
        size_t c = 0;
        while (c < n_names && !name_matches(&defs[i], names[c]))
            c++;
        if (c == n_names) return 0;
    }
    return 1;
}

/* idx[i] = the table's column for canonical field i, or -1. A sheet whose
 * first row is a title (2019年浏阳市绿色矿山事件表) has its header below: the
 * first of the next rows that names every required field becomes the header. */
static int match_columns(gm_context *ctx, gm_table *t, const column_def *defs, size_t n, int *idx)
{
    if (!has_required(t->cols, t->n_cols, defs, n)) {
        for (size_t r = 0; r < t->n_rows && r < 10; r++) {
            if (!has_required(t->cells + r * t->n_cols, t->n_cols, defs, n)) continue;
            gm_log(ctx, GM_LOG_INFO, "%s: the header is row %ld (the rows above it are not read)",
                   t->file_name, t->row_no[r]);
            gm_table_header_at(t, r);
            break;
        }
    }
    for (size_t i = 0; i < n; i++) {
        idx[i] = -1;
        for (size_t c = 0; c < t->n_cols; c++) {
            if (!name_matches(&defs[i], t->cols[c])) continue;
            if (idx[i] >= 0)
                return gm_error(ctx, GM_ERR_FIELD,
                                "%s: columns '%s' and '%s' both mean %s; keep one", t->file_name,
                                t->cols[idx[i]], t->cols[c], defs[i].canonical);
            idx[i] = (int)c;
        }
        if (defs[i].required && idx[i] < 0) {
            char names[256] = "";
            size_t at = 0;
            for (const char *const *a = defs[i].aliases; *a && at + 40 < sizeof names; a++)
                at += (size_t)snprintf(names + at, sizeof names - at, ", %s", *a);
            return gm_error(ctx, GM_ERR_FIELD, "%s: no column %s (or%s)", t->file_name,
                            defs[i].canonical, names + 1);
        }
    }
    for (size_t c = 0; c < t->n_cols; c++) {
        int used = 0;
        for (size_t i = 0; i < n; i++)
            used |= idx[i] == (int)c;
        if (!used && t->cols[c])
            gm_log(ctx, GM_LOG_WARNING, "%s: column '%s' is not read (unknown name)", t->file_name,
                   t->cols[c]);
    }
    return GM_OK;
}

/* A number, possibly with a trailing % (or ％); GM_OK with NAN for an empty cell. */
static int parse_number(const char *s, double *out)
{
    *out = NAN;
    if (!s) return GM_OK;
    char *end;
    double v = strtod(s, &end);
    if (end == s) return GM_ERR_FIELD;
    while (*end == ' ')
        end++;
    if (*end == '%')
        end++;
    else if (strncmp(end, "\xef\xbc\x85", 3) == 0)
        end += 3;
    if (*end || !isfinite(v)) return GM_ERR_FIELD;
    *out = v;
    return GM_OK;
}

static int parse_integer(const char *s, long long *out)
{
    *out = 0;
    if (!s) return GM_OK;
    char *end;
    double v = strtod(s, &end); /* XLSX may hand "2019.0" */
    if (end == s || *end || v != floor(v) || fabs(v) > 9e15) return GM_ERR_FIELD;
    *out = (long long)v;
    return GM_OK;
}

/* A problem of a row's values: "licence L: COLUMN 'text' is not ... [fields]". */
static int bad_value(gm_import_report *r, long row, const char *licence, const char *column,
                     const char *text, const char *expected)
{
    char msg[640];
    snprintf(msg, sizeof msg, "licence %s: %s '%.200s' is not %s [fields]",
             licence && *licence ? licence : "(none)", column, text ? text : "", expected);
    return gm_import_report_add(r, row, GM_RULE_FIELDS, msg);
}

static char *cell_dup(const gm_table *t, size_t r, int c, int *nomem)
{
    const char *s = gm_table_cell(t, r, c);
    if (!s) return NULL;
    char *d = gm_strdup(s);
    if (!d) *nomem = 1;
    return d;
}

/* Parses row i into ev; problems go to rep (returns 1 when the row is bad). */
static int parse_event_row(const gm_table *t, size_t i, const int *idx, const char *by,
                           gm_event *ev, gm_import_report *rep, int *nomem)
{
    long row = t->row_no[i];
    size_t before = rep->n_problems;
    gm_event_init(ev);
    ev->licence_no = cell_dup(t, i, idx[EV_LICENCE], nomem);
    const char *lic = ev->licence_no;
    const char *s;
    if (!lic) gm_import_report_add(rep, row, GM_RULE_FIELDS, "no licence number [fields]");
    s = gm_table_cell(t, i, idx[EV_KIND]);
    if (gm_parse_event_kind(s, &ev->kind) != GM_OK || ev->kind == GM_EVENT_UNKNOWN)
        bad_value(rep, row, lic, "kind", s,
                  "an event kind (self_assessment 自评, verification 第三方评估, listing 入选名录, "
                  "spot_check 抽查, blacklisting 列入黑名单, lifting 移出黑名单, credit_rating "
                  "信用评价, three_rates 三率)");
    s = gm_table_cell(t, i, idx[EV_DATE]);
    if (gm_parse_date(s, &ev->event_date) != GM_OK || !ev->event_date)
        bad_value(rep, row, lic, "event_date", s, "a date (YYYY-MM-DD)");
    s = gm_table_cell(t, i, idx[EV_SCORE]);
    if (parse_number(s, &ev->score) != GM_OK) bad_value(rep, row, lic, "score", s, "a number");
    s = gm_table_cell(t, i, idx[EV_RESULT]);
    if (gm_parse_result(s, &ev->result) != GM_OK)
        bad_value(rep, row, lic, "result", s, "pass/fail (通过/不通过, 合格/不合格)");
    long long y = 0;
    s = gm_table_cell(t, i, idx[EV_YEAR]);
    if (parse_integer(s, &y) != GM_OK || y < 0 || y > 9999)
        bad_value(rep, row, lic, "year", s, "a year");
    else
        ev->year = (int)y;
    const int rate_col[3] = {EV_MINING, EV_BENEFICIATION, EV_UTILISATION};
    double *rates[3] = {&ev->mining_recovery, &ev->beneficiation_recovery, &ev->utilisation};
    for (int k = 0; k < 3; k++) {
        s = gm_table_cell(t, i, idx[rate_col[k]]);
        if (parse_number(s, rates[k]) != GM_OK)
            bad_value(rep, row, lic, event_columns[rate_col[k]].canonical, s, "a percentage");
    }
    s = gm_table_cell(t, i, idx[EV_SUPERSEDES]);
    if (parse_integer(s, &ev->supersedes) != GM_OK || ev->supersedes < 0)
        bad_value(rep, row, lic, "supersedes", s, "an event id");
    gm_flag v = GM_FLAG_UNKNOWN;
    s = gm_table_cell(t, i, idx[EV_VOID]);
    if (gm_parse_flag(s, &v) != GM_OK) bad_value(rep, row, lic, "void", s, "1/0 (是/否)");
    ev->is_void = v == GM_FLAG_YES;
    ev->document = cell_dup(t, i, idx[EV_DOCUMENT], nomem);
    ev->agency = cell_dup(t, i, idx[EV_AGENCY], nomem);
    ev->batch = cell_dup(t, i, idx[EV_BATCH], nomem);
    ev->draw_id = cell_dup(t, i, idx[EV_DRAW], nomem);
    ev->inspectors = cell_dup(t, i, idx[EV_INSPECTORS], nomem);
    ev->findings = cell_dup(t, i, idx[EV_FINDINGS], nomem);
    ev->reason = cell_dup(t, i, idx[EV_REASON], nomem);
    ev->grade = cell_dup(t, i, idx[EV_GRADE], nomem);
    ev->entered_by = gm_strdup(by);
    if (!ev->entered_by) *nomem = 1;
    return rep->n_problems > before;
}

static gm_import_report *new_report(gm_registry *reg, const gm_table *t)
{
    gm_import_report *r = calloc(1, sizeof *r);
    if (!r) {
        gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
        return NULL;
    }
    r->file_name = gm_strdup(t->file_name);
    r->rows = t->n_rows;
    return r;
}

/* What every import does last: commit or roll back, hand out the report. */
static int finish(gm_registry *reg, const gm_import_options *opt, int rc, int began,
                  gm_import_report *r, gm_import_report **out)
{
    if (began) {
        if (rc == GM_OK && !opt->check_only) rc = gm_db_exec(reg->db, "COMMIT");
        if (rc != GM_OK || opt->check_only) gm_db_rollback(reg->db);
    }
    if (rc == GM_OK && opt->check_only && r) /* what would be recorded; no ids were kept */
        r->first_id = r->last_id = r->set_id = 0;
    if (rc != GM_OK && r) {
        r->recorded = 0;
        r->first_id = r->last_id = r->set_id = 0;
    }
    if (r && (rc == GM_OK || (rc == GM_ERR_USAGE && r->n_problems)))
        *out = r;
    else
        gm_import_report_free(r);
    return rc;
}

/* What every import does first: who, the sheet, its columns, a report. On
 * failure nothing is left to free. */
static int open_sheet(gm_registry *reg, const char *path, const gm_import_options *opt,
                      const column_def *defs, size_t n, int *idx, gm_table **t,
                      gm_import_report **r)
{
    *t = NULL;
    *r = NULL;
    if (!opt || !opt->entered_by || !*opt->entered_by)
        return gm_error(reg->ctx, GM_ERR_USAGE, "an import needs who enters it (--by)");
    int rc = gm_table_read(reg->ctx, path, opt->sheet, t);
    if (rc == GM_OK) rc = match_columns(reg->ctx, *t, defs, n, idx);
    if (rc == GM_OK && (*t)->n_rows == 0)
        rc = gm_error(reg->ctx, GM_ERR_USAGE, "%s: no rows", (*t)->file_name);
    if (rc == GM_OK && !(*r = new_report(reg, *t))) rc = GM_ERR_NOMEM;
    if (rc != GM_OK) {
        gm_table_free(*t);
        *t = NULL;
    }
    return rc;
}

int gm_registry_import_events(gm_registry *reg, const char *path, const gm_import_options *opt,
                              gm_import_report **out)
{
    *out = NULL;
    int idx[EV_COUNT];
    gm_table *t;
    gm_import_report *r;
    int rc = open_sheet(reg, path, opt, event_columns, EV_COUNT, idx, &t, &r);
    if (rc != GM_OK) return rc;
    gm_event *evs = NULL;
    long *rows = NULL;
    size_t n = 0;
    int nomem = 0, began = 0;
    if (rc == GM_OK) {
        evs = calloc(t->n_rows ? t->n_rows : 1, sizeof *evs);
        rows = calloc(t->n_rows ? t->n_rows : 1, sizeof *rows);
        if (!evs || !rows) rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; rc == GM_OK && i < t->n_rows; i++) {
        if (parse_event_row(t, i, idx, opt->entered_by, &evs[n], r, &nomem))
            gm_event_clear(&evs[n]); /* named in the report; not checked further */
        else
            rows[n++] = t->row_no[i];
        if (nomem) rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    }
    if (rc == GM_OK && (rc = gm_db_begin_write(reg->db)) == GM_OK) began = 1;
    if (rc == GM_OK) rc = gm_registry_append_events_locked(reg, evs, rows, n, r);
    rc = finish(reg, opt, rc, began, r, out);
    for (size_t i = 0; i < n; i++)
        gm_event_clear(&evs[i]);
    free(evs);
    free(rows);
    gm_table_free(t);
    return rc;
}

/* ---- licences ---------------------------------------------------------------- */

static int parse_licence_row(const gm_table *t, size_t i, const int *idx, const char *by,
                             gm_licence *l, gm_import_report *rep, int *nomem)
{
    long row = t->row_no[i];
    size_t before = rep->n_problems;
    memset(l, 0, sizeof *l);
    l->licence_no = cell_dup(t, i, idx[LI_LICENCE], nomem);
    const char *lic = l->licence_no, *s;
    if (!lic) gm_import_report_add(rep, row, GM_RULE_FIELDS, "no licence number [fields]");
    l->name = cell_dup(t, i, idx[LI_NAME], nomem);
    l->enterprise = cell_dup(t, i, idx[LI_ENTERPRISE], nomem);
    l->credit_code = cell_dup(t, i, idx[LI_CREDIT], nomem);
    s = gm_table_cell(t, i, idx[LI_INDUSTRY]);
    if (gm_parse_industry(s, &l->industry) != GM_OK || l->industry == GM_INDUSTRY_UNKNOWN)
        bad_value(rep, row, lic, "industry", s,
                  "one of the nine industries (coal 煤炭, nonferrous 有色金属, ferrous 黑色金属, "
                  "precious 贵金属, chemical 化工, nonmetal 非金属, sand_gravel 砂石, cement "
                  "水泥, stone 石材)");
    l->mineral = cell_dup(t, i, idx[LI_MINERAL], nomem);
    s = gm_table_cell(t, i, idx[LI_SCALE]);
    if (gm_parse_scale(s, &l->scale) != GM_OK || l->scale == GM_SCALE_UNKNOWN)
        bad_value(rep, row, lic, "scale", s, "large/medium/small (大型/中型/小型)");
    l->county = cell_dup(t, i, idx[LI_COUNTY], nomem);
    if (!l->county) bad_value(rep, row, lic, "county", "", "a county name");
    l->city = cell_dup(t, i, idx[LI_CITY], nomem);
    s = gm_table_cell(t, i, idx[LI_LICENSED_ON]);
    if (gm_parse_date(s, &l->licensed_on) != GM_OK)
        bad_value(rep, row, lic, "licensed_on", s, "a date (YYYY-MM-DD)");
    l->is_new = GM_FLAG_UNKNOWN;
    s = gm_table_cell(t, i, idx[LI_IS_NEW]);
    if (gm_parse_flag(s, &l->is_new) != GM_OK) bad_value(rep, row, lic, "is_new", s, "1/0 (是/否)");
    l->entered_by = gm_strdup(by);
    if (!l->entered_by) *nomem = 1;
    gm_registry_licence_defaults(l);
    return rep->n_problems > before;
}

int gm_registry_import_licences(gm_registry *reg, const char *path, const gm_import_options *opt,
                                gm_import_report **out)
{
    *out = NULL;
    int idx[LI_COUNT];
    gm_table *t;
    gm_import_report *r;
    int rc = open_sheet(reg, path, opt, licence_columns, LI_COUNT, idx, &t, &r);
    if (rc != GM_OK) return rc;
    gm_licence *ls = NULL;
    gm_licence_list *stored = NULL;
    int *fresh = NULL; /* 1 = to insert */
    int nomem = 0, began = 0;
    char why[1024], now[32];
    if (rc == GM_OK) {
        ls = calloc(t->n_rows ? t->n_rows : 1, sizeof *ls);
        fresh = calloc(t->n_rows ? t->n_rows : 1, sizeof *fresh);
        if (!ls || !fresh) rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    }
    if (rc == GM_OK && (rc = gm_db_begin_write(reg->db)) == GM_OK) began = 1;
    if (rc == GM_OK) rc = gm_registry_licences(reg, &stored);
    for (size_t i = 0; rc == GM_OK && i < t->n_rows; i++) {
        long row = t->row_no[i];
        int bad = parse_licence_row(t, i, idx, opt->entered_by, &ls[i], r, &nomem);
        if (nomem) {
            rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
            break;
        }
        if (bad) continue;
        /* the same licence earlier in the file: it must say the same */
        const gm_licence *twin = NULL;
        for (size_t j = 0; j < i && !twin; j++)
            if (ls[j].licence_no && strcmp(ls[j].licence_no, ls[i].licence_no) == 0) twin = &ls[j];
        const gm_licence *have = gm_licence_find(stored, ls[i].licence_no);
        int bad_rc = gm_registry_check_licence(&ls[i], have ? have : twin, why, sizeof why);
        if (bad_rc == GM_OK && have && twin)
            bad_rc = gm_registry_check_licence(&ls[i], twin, why, sizeof why);
        if (bad_rc != GM_OK) {
            char msg[1100];
            snprintf(msg, sizeof msg, "%s%s [%s]", why,
                     twin && !have ? " (an earlier row of this file)" : "",
                     bad_rc == GM_ERR_FIELD ? "fields" : "licence_unchanged");
            gm_import_report_add(r, row, GM_RULE_FIELDS, msg);
            continue;
        }
        if (have || twin)
            r->unchanged++;
        else
            fresh[i] = 1;
    }
    if (rc == GM_OK && r->n_problems) {
        gm_import_report_sort(r);
        rc = gm_error(reg->ctx, GM_ERR_USAGE, "%s: %zu of %zu rows refused; nothing recorded",
                      t->file_name, r->n_problems, t->n_rows);
    }
    gm_stmt *st = NULL;
    gm_registry_now(now);
    for (size_t i = 0; rc == GM_OK && i < t->n_rows; i++) {
        if (!fresh[i]) continue;
        rc = gm_registry_insert_licence(reg, &st, &ls[i], now);
        if (rc == GM_OK) r->recorded++;
        gm_progress(reg->ctx, "import licences", i + 1, t->n_rows);
    }
    gm_stmt_free(st);
    rc = finish(reg, opt, rc, began, r, out);
    for (size_t i = 0; ls && i < t->n_rows; i++)
        gm_licence_clear(&ls[i]);
    free(ls);
    free(fresh);
    gm_licence_list_free(stored);
    gm_table_free(t);
    return rc;
}

/* ---- thresholds --------------------------------------------------------------- */

int gm_registry_import_thresholds(gm_registry *reg, const char *path, const gm_import_options *opt,
                                  gm_import_report **out)
{
    *out = NULL;
    int idx[TH_COUNT];
    gm_table *t;
    gm_import_report *r;
    int rc = open_sheet(reg, path, opt, threshold_columns, TH_COUNT, idx, &t, &r);
    if (rc != GM_OK) return rc;
    gm_threshold *th = NULL;
    int began = 0;
    if (rc == GM_OK && idx[TH_MINING] < 0 && idx[TH_BENEFICIATION] < 0 && idx[TH_UTILISATION] < 0)
        rc = gm_error(reg->ctx, GM_ERR_FIELD,
                      "%s: no rate column (mining_recovery 开采回采率, beneficiation_recovery "
                      "选矿回收率, utilisation 综合利用率)",
                      t->file_name);
    if (rc == GM_OK && !(th = calloc(t->n_rows, sizeof *th)))
        rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    int nomem = 0;
    for (size_t i = 0; rc == GM_OK && i < t->n_rows; i++) {
        long row = t->row_no[i];
        gm_threshold *x = &th[i];
        x->mining_recovery = x->beneficiation_recovery = x->utilisation = NAN;
        const char *s = gm_table_cell(t, i, idx[TH_INDUSTRY]);
        char what[64];
        if (gm_parse_industry(s, &x->industry) != GM_OK || x->industry == GM_INDUSTRY_UNKNOWN)
            bad_value(r, row, "-", "industry", s, "one of the nine industries");
        x->mineral = cell_dup(t, i, idx[TH_MINERAL], &nomem);
        x->note = cell_dup(t, i, idx[TH_NOTE], &nomem);
        const int cols[3] = {TH_MINING, TH_BENEFICIATION, TH_UTILISATION};
        double *v[3] = {&x->mining_recovery, &x->beneficiation_recovery, &x->utilisation};
        int any = 0;
        for (int k = 0; k < 3; k++) {
            s = gm_table_cell(t, i, idx[cols[k]]);
            if (parse_number(s, v[k]) != GM_OK || (!isnan(*v[k]) && (*v[k] < 0 || *v[k] > 100)))
                bad_value(r, row, "-", threshold_columns[cols[k]].canonical, s,
                          "a percentage 0..100");
            any |= !isnan(*v[k]);
        }
        if (!any)
            gm_import_report_add(r, row, GM_RULE_FIELDS, "no minimum rate in this row [fields]");
        for (size_t j = 0; j < i; j++) {
            const char *a = th[j].mineral ? th[j].mineral : "", *b = x->mineral ? x->mineral : "";
            if (th[j].industry == x->industry && x->industry && gm_field_name_equal(a, b)) {
                snprintf(what, sizeof what, "the same industry and mineral as row %ld [fields]",
                         t->row_no[j]);
                gm_import_report_add(r, row, GM_RULE_FIELDS, what);
                break;
            }
        }
        if (nomem) rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
    }
    if (rc == GM_OK && r->n_problems) {
        gm_import_report_sort(r);
        rc = gm_error(reg->ctx, GM_ERR_USAGE, "%s: %zu of %zu rows refused; nothing recorded",
                      t->file_name, r->n_problems, t->n_rows);
    }
    if (rc == GM_OK && (rc = gm_db_begin_write(reg->db)) == GM_OK) began = 1;
    gm_stmt *st = NULL;
    char now[32], d[GM_DATE_TEXT];
    gm_registry_now(now);
    if (rc == GM_OK)
        rc = gm_table_prepare_insert(reg, &gm_table_threshold_set, "RETURNING set_id", &st);
    if (rc == GM_OK) {
        gm_stmt_bind_text(
            st, GM_PARAM(TSET_effective_from),
            gm_registry_date_text(opt->effective_from ? opt->effective_from : 20160101, d));
        gm_stmt_bind_text(st, GM_PARAM(TSET_label), opt->label);
        gm_stmt_bind_text(st, GM_PARAM(TSET_file_name), t->file_name);
        gm_stmt_bind_text(st, GM_PARAM(TSET_loaded_by), opt->entered_by);
        gm_stmt_bind_text(st, GM_PARAM(TSET_loaded_at), now);
        int step = gm_stmt_step(st);
        if (step == 1)
            r->set_id = gm_stmt_int(st, 0);
        else
            rc = step < 0 ? step : gm_error(reg->ctx, GM_ERR_INTERNAL, "no set id returned");
    }
    gm_stmt_free(st);
    st = NULL;
    if (rc == GM_OK) rc = gm_table_prepare_insert(reg, &gm_table_threshold, NULL, &st);
    for (size_t i = 0; rc == GM_OK && i < t->n_rows; i++) {
        const gm_threshold *x = &th[i];
        gm_stmt_reset(st);
        gm_stmt_bind_int(st, GM_PARAM(THRESHOLD_set_id), r->set_id);
        gm_stmt_bind_text(st, GM_PARAM(THRESHOLD_industry), gm_industry_name(x->industry));
        gm_stmt_bind_text(st, GM_PARAM(THRESHOLD_mineral), x->mineral);
        const struct {
            int col;
            double v;
        } rate[3] = {{THRESHOLD_mining_recovery, x->mining_recovery},
                     {THRESHOLD_beneficiation_recovery, x->beneficiation_recovery},
                     {THRESHOLD_utilisation, x->utilisation}};
        for (int k = 0; k < 3; k++)
            if (isnan(rate[k].v))
                gm_stmt_bind_null(st, GM_PARAM(rate[k].col));
            else
                gm_stmt_bind_double(st, GM_PARAM(rate[k].col), rate[k].v);
        gm_stmt_bind_text(st, GM_PARAM(THRESHOLD_note), x->note);
        if (gm_stmt_step(st) < 0) rc = gm_context_errcode(reg->ctx);
        if (rc == GM_OK) r->recorded++;
    }
    gm_stmt_free(st);
    rc = finish(reg, opt, rc, began, r, out);
    for (size_t i = 0; th && i < t->n_rows; i++)
        gm_threshold_clear(&th[i]);
    free(th);
    gm_table_free(t);
    return rc;
}
