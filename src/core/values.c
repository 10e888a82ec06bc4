/*
 * values.c -- attribute vocabularies of the contract, in English and Chinese.
 * A value that is present but not recognised is an error for the caller to
 * report; it is never guessed.
 */
#include "core/values.h"

#include <greenmine/context.h>
#include <greenmine/model.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gm_value_fold(const char *text, char *buf, size_t len)
{
    while (*text && (isspace((unsigned char)*text) || strncmp(text, "\xe3\x80\x80", 3) == 0))
        text += isspace((unsigned char)*text) ? 1 : 3;
    size_t n = 0;
    for (; *text && n + 1 < len; text++)
        buf[n++] = (char)tolower((unsigned char)*text);
    while (n > 0) {
        if (isspace((unsigned char)buf[n - 1]))
            n--;
        else if (n >= 3 && memcmp(buf + n - 3, "\xe3\x80\x80", 3) == 0)
            n -= 3;
        else
            break;
    }
    buf[n] = '\0';
}

int gm_value_lookup(const char *text, const gm_value_term *terms, int unknown, int *out)
{
    *out = unknown;
    if (!text) return GM_OK;
    char buf[128];
    gm_value_fold(text, buf, sizeof buf);
    if (!buf[0]) return GM_OK;
    for (const gm_value_term *t = terms; t->text; t++)
        if (strcmp(buf, t->text) == 0) {
            *out = t->value;
            return GM_OK;
        }
    return GM_ERR_FIELD;
}

#define PARSER(fn, type, unknown, table)                                                           \
    int fn(const char *text, type *out)                                                            \
    {                                                                                              \
        int v;                                                                                     \
        int rc = gm_value_lookup(text, table, unknown, &v);                                        \
        *out = (type)v;                                                                            \
        return rc;                                                                                 \
    }

static const gm_value_term scales[] = {{"large", GM_SCALE_LARGE}, {"大型", GM_SCALE_LARGE},
                                       {"大", GM_SCALE_LARGE},    {"medium", GM_SCALE_MEDIUM},
                                       {"中型", GM_SCALE_MEDIUM}, {"中", GM_SCALE_MEDIUM},
                                       {"small", GM_SCALE_SMALL}, {"小型", GM_SCALE_SMALL},
                                       {"小", GM_SCALE_SMALL},    {NULL, 0}};
PARSER(gm_parse_scale, gm_scale, GM_SCALE_UNKNOWN, scales)

static const gm_value_term mine_statuses[] = {{"new", GM_MINE_NEW},
                                              {"新建", GM_MINE_NEW},
                                              {"筹建", GM_MINE_NEW},
                                              {"producing", GM_MINE_PRODUCING},
                                              {"生产", GM_MINE_PRODUCING},
                                              {"在产", GM_MINE_PRODUCING},
                                              {"正常生产", GM_MINE_PRODUCING},
                                              {"closed", GM_MINE_CLOSED},
                                              {"闭坑", GM_MINE_CLOSED},
                                              {"关闭", GM_MINE_CLOSED},
                                              {"已关闭", GM_MINE_CLOSED},
                                              {NULL, 0}};
PARSER(gm_parse_mine_status, gm_mine_status, GM_MINE_STATUS_UNKNOWN, mine_statuses)

static const gm_value_term industries[] = {{"coal", GM_INDUSTRY_COAL},
                                           {"煤炭", GM_INDUSTRY_COAL},
                                           {"nonferrous", GM_INDUSTRY_NONFERROUS},
                                           {"non-ferrous", GM_INDUSTRY_NONFERROUS},
                                           {"有色金属", GM_INDUSTRY_NONFERROUS},
                                           {"ferrous", GM_INDUSTRY_FERROUS},
                                           {"黑色金属", GM_INDUSTRY_FERROUS},
                                           {"precious", GM_INDUSTRY_PRECIOUS},
                                           {"贵金属", GM_INDUSTRY_PRECIOUS},
                                           {"chemical", GM_INDUSTRY_CHEMICAL},
                                           {"化工", GM_INDUSTRY_CHEMICAL},
                                           {"nonmetal", GM_INDUSTRY_NONMETAL},
                                           {"non-metal", GM_INDUSTRY_NONMETAL},
                                           {"非金属", GM_INDUSTRY_NONMETAL},
                                           {"sand_gravel", GM_INDUSTRY_SAND_GRAVEL},
                                           {"sand & gravel", GM_INDUSTRY_SAND_GRAVEL},
                                           {"砂石", GM_INDUSTRY_SAND_GRAVEL},
                                           {"cement", GM_INDUSTRY_CEMENT},
                                           {"水泥", GM_INDUSTRY_CEMENT},
                                           {"stone", GM_INDUSTRY_STONE},
                                           {"dimension_stone", GM_INDUSTRY_STONE},
                                           {"石材", GM_INDUSTRY_STONE},
                                           {NULL, 0}};
PARSER(gm_parse_industry, gm_industry, GM_INDUSTRY_UNKNOWN, industries)

static const gm_value_term kinds[] = {{"restoration", GM_RESTORATION},
                                      {"恢复治理", GM_RESTORATION},
                                      {"地质环境恢复治理", GM_RESTORATION},
                                      {"治理", GM_RESTORATION},
                                      {"reclamation", GM_RECLAMATION},
                                      {"土地复垦", GM_RECLAMATION},
                                      {"复垦", GM_RECLAMATION},
                                      {NULL, 0}};
PARSER(gm_parse_parcel_kind, gm_parcel_kind, GM_KIND_UNKNOWN, kinds)

static const gm_value_term parcel_statuses[] = {{"planned", GM_PARCEL_PLANNED},
                                                {"规划", GM_PARCEL_PLANNED},
                                                {"计划", GM_PARCEL_PLANNED},
                                                {"in_progress", GM_PARCEL_IN_PROGRESS},
                                                {"in progress", GM_PARCEL_IN_PROGRESS},
                                                {"in-progress", GM_PARCEL_IN_PROGRESS},
                                                {"在建", GM_PARCEL_IN_PROGRESS},
                                                {"实施中", GM_PARCEL_IN_PROGRESS},
                                                {"completed", GM_PARCEL_COMPLETED},
                                                {"complete", GM_PARCEL_COMPLETED},
                                                {"已完成", GM_PARCEL_COMPLETED},
                                                {"完成", GM_PARCEL_COMPLETED},
                                                {"已验收", GM_PARCEL_COMPLETED},
                                                {NULL, 0}};
PARSER(gm_parse_parcel_status, gm_parcel_status, GM_PARCEL_STATUS_UNKNOWN, parcel_statuses)

static const gm_value_term flags[] = {
    {"1", GM_FLAG_YES}, {"true", GM_FLAG_YES}, {"t", GM_FLAG_YES}, {"yes", GM_FLAG_YES},
    {"y", GM_FLAG_YES}, {"是", GM_FLAG_YES},   {"0", GM_FLAG_NO},  {"false", GM_FLAG_NO},
    {"f", GM_FLAG_NO},  {"no", GM_FLAG_NO},    {"n", GM_FLAG_NO},  {"否", GM_FLAG_NO},
    {NULL, 0}};
PARSER(gm_parse_flag, gm_flag, GM_FLAG_UNKNOWN, flags)

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* Reads 1..maxd digits; returns how many, 0 if none. */
static int digits(const char *s, int maxd, int *value)
{
    int n = 0, v = 0;
    while (n < maxd && isdigit((unsigned char)s[n]))
        v = v * 10 + (s[n++] - '0');
    *value = v;
    return n;
}

int gm_parse_date(const char *text, int *out)
{
    *out = 0;
    if (!text) return GM_OK;
    char buf[64];
    gm_value_fold(text, buf, sizeof buf);
    if (!buf[0]) return GM_OK;
    const char *s = buf;
    int y, m, d, n;
    if ((n = digits(s, 8, &y)) == 8) { /* YYYYMMDD */
        d = y % 100;
        m = y / 100 % 100;
        y /= 10000;
        s += 8;
    } else if (n == 4) {
        s += 4;
        const char *seps[] = {"-", "/", ".", "年"};
        size_t k;
        for (k = 0; k < 4; k++)
            if (strncmp(s, seps[k], strlen(seps[k])) == 0) break;
        if (k == 4) return GM_ERR_FIELD;
        s += strlen(seps[k]);
        if (!(n = digits(s, 2, &m))) return GM_ERR_FIELD;
        s += n;
        const char *sep2 = k == 3 ? "月" : seps[k];
        if (strncmp(s, sep2, strlen(sep2)) != 0) return GM_ERR_FIELD;
        s += strlen(sep2);
        if (!(n = digits(s, 2, &d))) return GM_ERR_FIELD;
        s += n;
        if (k == 3 && strncmp(s, "日", strlen("日")) == 0) s += strlen("日");
    } else {
        return GM_ERR_FIELD;
    }
    /* a time of day may follow ("2018/06/30 00:00:00", "2018-06-30T08:00") */
    if (*s && *s != ' ' && *s != 't') return GM_ERR_FIELD;
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return GM_ERR_FIELD;
    *out = y * 10000 + m * 100 + d;
    return GM_OK;
}

/* gm_X_name() and gm_X_name_zh() from the vocabulary lists of model.h. */
#define GM_CASE_CODE_(name, code, zh)                                                              \
    case name:                                                                                     \
        return code;
#define GM_CASE_ZH_(name, code, zh)                                                                \
    case name:                                                                                     \
        return zh;
#define GM_NAMES_(type, list)                                                                      \
    const char *type##_name(type v)                                                                \
    {                                                                                              \
        switch (v) {                                                                               \
            list(GM_CASE_CODE_) default : return "";                                               \
        }                                                                                          \
    }                                                                                              \
    const char *type##_name_zh(type v)                                                             \
    {                                                                                              \
        switch (v) {                                                                               \
            list(GM_CASE_ZH_) default : return "";                                                 \
        }                                                                                          \
    }
GM_NAMES_(gm_scale, GM_SCALES)
GM_NAMES_(gm_mine_status, GM_MINE_STATUSES)
GM_NAMES_(gm_industry, GM_INDUSTRIES)
GM_NAMES_(gm_parcel_kind, GM_PARCEL_KIND_LIST)
GM_NAMES_(gm_parcel_status, GM_PARCEL_STATUSES)

const char *gm_date_text(int d, char buf[GM_DATE_TEXT])
{
    if (d <= 0) {
        buf[0] = '\0';
        return buf;
    }
    snprintf(buf, GM_DATE_TEXT, "%04d-%02d-%02d", d / 10000 % 10000, d / 100 % 100, d % 100);
    return buf;
}

long gm_date_days(int ymd)
{
    long y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int gm_date_from_days(long z)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    if (y > 9999) return 99991231;
    return (int)(y * 10000 + m * 100 + d);
}
