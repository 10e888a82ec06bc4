/*
 * greenmine/management.h -- the green-mine management system's records: the
 * mining licences, the append-only event log of each mine (self-assessment,
 * third-party verification, listing, spot check, blacklisting, lifting,
 * credit rating, three-rate figures), the workflow rules, and a mine's status
 * on any date derived from its events. Pure C: no database, no files; the
 * registry (greenmine/events.h) stores and loads these records and calls the
 * rules here before it appends anything, and so do the CLI and the desk.
 *
 * Nothing is edited in place. A correction is a new event whose `supersedes`
 * names the event it replaces (same licence, same kind); the replaced event no
 * longer counts. A withdrawal is a correction with `is_void` set: it replaces
 * the event with nothing. An event counts when no other event supersedes it
 * and it is not void.
 *
 * Status on date D ("as of D", as known now): the counting events dated on or
 * before D, applied in order of (event_date, event_id). docs/management.md
 * describes the derivation and every rule.
 *
 * Ownership: a gm_licence, gm_event or gm_threshold owns its strings (free
 * them with gm_licence_clear / gm_event_clear / gm_threshold_clear); the
 * lists own their elements (gm_*_list_free). A gm_mine_state's strings point
 * into the events it was derived from and live as long as those.
 */
#ifndef GREENMINE_MANAGEMENT_H
#define GREENMINE_MANAGEMENT_H

#include <greenmine/context.h>
#include <greenmine/model.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The plan's date: a licence granted on or after it is a new mine, which
 * must be built to the green-mine standard (licensed after the plan). */
#define GM_PLAN_DATE 20171231

/* Today's date (YYYYMMDD) in the province: China Standard Time, UTC+8, no
 * daylight saving. The day of entry of the rules ("not in the future") and the
 * CLI's default as-of date: an event entered at 07:00 in Changsha is of that
 * day, which in UTC is still the day before. */
int gm_management_today(void);

/* ---- vocabularies (stored code, Chinese name) ----------------------------- */

#define GM_EVENT_KIND_LIST(X)                                                                      \
    X(GM_EVENT_SELF_ASSESSMENT, "self_assessment", "自评")                                         \
    X(GM_EVENT_VERIFICATION, "verification", "第三方评估")                                         \
    X(GM_EVENT_LISTING, "listing", "入选名录")                                                     \
    X(GM_EVENT_SPOT_CHECK, "spot_check", "抽查")                                                   \
    X(GM_EVENT_BLACKLISTING, "blacklisting", "列入黑名单")                                         \
    X(GM_EVENT_LIFTING, "lifting", "移出黑名单")                                                   \
    X(GM_EVENT_CREDIT_RATING, "credit_rating", "信用评价")                                         \
    X(GM_EVENT_THREE_RATES, "three_rates", "三率")
/* A mine's standing on a date, derived from its events. */
#define GM_STANDING_LIST(X)                                                                        \
    X(GM_STANDING_NONE, "none", "未自评")                                                          \
    X(GM_STANDING_ASSESSED, "assessed", "已自评")                                                  \
    X(GM_STANDING_VERIFIED, "verified", "评估通过")                                                \
    X(GM_STANDING_LISTED, "listed", "已入选名录")                                                  \
    X(GM_STANDING_BLACKLISTED, "blacklisted", "黑名单")
/* The outcome of a verification or a spot check. */
#define GM_RESULT_LIST(X)                                                                          \
    X(GM_RESULT_PASS, "pass", "通过")                                                              \
    X(GM_RESULT_FAIL, "fail", "不通过")
/* The workflow rules, each with a stable code (error messages and the
 * import's report name them). */
#define GM_RULE_LIST(X)                                                                            \
    X(GM_RULE_LICENCE_EXISTS, "licence_exists", "the licence must be recorded first")              \
    X(GM_RULE_FIELDS, "fields", "the event's kind needs these fields, in range")                   \
    X(GM_RULE_FUTURE, "not_in_future", "an event is not dated after the day it is entered")        \
    X(GM_RULE_BEFORE_LICENCE, "after_licence", "an event is not dated before the licence")         \
    X(GM_RULE_DATE_ORDER, "date_order",                                                            \
      "a new workflow event is not dated before the licence's latest one")                         \
    X(GM_RULE_SUPERSEDES, "supersedes",                                                            \
      "a correction replaces an existing, not yet replaced event of the same licence and kind")    \
    X(GM_RULE_VERIFY_NEEDS_ASSESSMENT, "verification_after_self_assessment",                       \
      "a verification needs a self-assessment before it")                                          \
    X(GM_RULE_LISTING_NEEDS_VERIFICATION, "listing_needs_verification",                            \
      "no listing without a passed verification after the last self-assessment")                   \
    X(GM_RULE_BLACKLISTED_NOT_LISTED, "blacklisted_not_listed",                                    \
      "a blacklisted mine cannot be listed until lifted after a new passed verification")          \
    X(GM_RULE_ALREADY_LISTED, "already_listed", "a listed mine is not listed again")               \
    X(GM_RULE_ALREADY_BLACKLISTED, "already_blacklisted",                                          \
      "a blacklisted mine is not blacklisted again")                                               \
    X(GM_RULE_LIFTING_NEEDS_BLACKLISTING, "lifting_needs_blacklisting",                            \
      "only a blacklisted mine can be lifted")                                                     \
    X(GM_RULE_LIFTING_NEEDS_VERIFICATION, "lifting_needs_verification",                            \
      "a mine is lifted only after a passed verification later than its blacklisting")             \
    X(GM_RULE_DUPLICATE, "duplicate",                                                              \
      "an event the log holds already (same licence, kind, date and fields) is not recorded "      \
      "twice")

#define GM_ENUMERATOR_(name, code, zh) name,
typedef enum gm_event_kind {
    GM_EVENT_UNKNOWN = 0,
    GM_EVENT_KIND_LIST(GM_ENUMERATOR_) GM_EVENT_KINDS_END
} gm_event_kind;
typedef enum gm_standing { GM_STANDING_LIST(GM_ENUMERATOR_) GM_STANDINGS_END } gm_standing;
typedef enum gm_result { GM_RESULT_NONE = 0, GM_RESULT_LIST(GM_ENUMERATOR_) } gm_result;
typedef enum gm_rule { GM_RULE_OK = 0, GM_RULE_LIST(GM_ENUMERATOR_) GM_RULES_END } gm_rule;
#undef GM_ENUMERATOR_

/* Stored codes and Chinese names ("" out of range); static strings. */
const char *gm_event_kind_name(gm_event_kind k);
const char *gm_event_kind_name_zh(gm_event_kind k);
const char *gm_standing_name(gm_standing s);
const char *gm_standing_name_zh(gm_standing s);
const char *gm_result_name(gm_result r);
const char *gm_result_name_zh(gm_result r);
const char *gm_rule_name(gm_rule r);        /* "listing_needs_verification" */
const char *gm_rule_description(gm_rule r); /* the rule in words (English) */
/* Parsers: the code or the Chinese name (or a few common spellings: 自评价,
 * 评估, 合格/不合格, 是/否 ...), case- and space-insensitive. GM_OK, or
 * GM_ERR_FIELD with *out UNKNOWN/NONE. NULL or "" gives UNKNOWN/NONE and GM_OK. */
int gm_parse_event_kind(const char *text, gm_event_kind *out);
int gm_parse_result(const char *text, gm_result *out);

/* ---- records -------------------------------------------------------------- */

/* A mine is its mining licence (采矿许可证号 = the mines layer's mine_id). */
typedef struct gm_licence {
    char *licence_no;  /* required */
    char *name;        /* the mine's name (矿山名称) */
    char *enterprise;  /* enterprise name (采矿权人) */
    char *credit_code; /* unified social credit code (18 characters, check digit verified) */
    gm_industry industry;
    char *mineral; /* main mineral, for the three-rate thresholds; may be NULL */
    gm_scale scale;
    char *county;    /* the county-level government, as the zones name it (浏阳市, 澧县) */
    char *city;      /* prefecture-level city (长沙市); may be NULL */
    int licensed_on; /* YYYYMMDD, 0 = unknown */
    gm_flag is_new;  /* licensed after the plan (on or after GM_PLAN_DATE) */
    char *entered_by, *entered_at; /* set by the registry */
} gm_licence;

typedef struct gm_licence_list {
    gm_licence *items; /* sorted by licence_no (strcmp) */
    size_t n;
} gm_licence_list;

/* An event. Unused numeric fields are NAN (scores, rates) or 0 (year), unused
 * strings NULL. */
typedef struct gm_event {
    long long event_id; /* 0 until stored; ascending in entry order */
    char *licence_no;
    gm_event_kind kind;
    int event_date;                /* YYYYMMDD */
    char *entered_by;              /* user name, the CLI's --by or $USER */
    char *entered_at;              /* UTC, "YYYY-MM-DDTHH:MM:SSZ"; set by the registry */
    long long supersedes;          /* the event this one corrects, 0 = none */
    int is_void;                   /* a withdrawal: with supersedes, replaces it by nothing */
    double score;                  /* self_assessment, verification (0..100) */
    char *document;                /* self_assessment: document reference; others may carry one */
    char *agency;                  /* verification: the third-party agency */
    gm_result result;              /* verification, spot_check */
    char *batch;                   /* listing: the list's batch (e.g. "2019-1") */
    char *draw_id;                 /* spot_check: the draw it came from */
    char *inspectors;              /* spot_check: inspector ids, ";"-separated */
    char *findings;                /* spot_check */
    char *reason;                  /* blacklisting (required), lifting, corrections */
    int year;                      /* credit_rating, three_rates */
    char *grade;                   /* credit_rating (A, B, C, D ... as the province grades) */
    double mining_recovery;        /* three_rates, percent: 开采回采率 */
    double beneficiation_recovery; /* 选矿回收率 */
    double utilisation;            /* 综合利用率 */
} gm_event;

typedef struct gm_event_list {
    gm_event *items; /* sorted by licence_no, event_date, event_id */
    size_t n;
} gm_event_list;

/* Minimum three rates (percent) of an industry, optionally of one mineral
 * (NULL = every mineral of the industry without its own row). NAN = no
 * minimum for that rate. */
typedef struct gm_threshold {
    gm_industry industry;
    char *mineral;
    double mining_recovery, beneficiation_recovery, utilisation;
    char *note;
} gm_threshold;

typedef struct gm_threshold_list {
    gm_threshold *items;
    size_t n;
    long long set_id;   /* the import they came from (0 = none loaded) */
    int effective_from; /* YYYYMMDD */
    char *file_name, *loaded_at, *loaded_by, *label; /* label: e.g. "example, not official" */
} gm_threshold_list;

/* An empty event (numbers NAN / 0, strings NULL). */
void gm_event_init(gm_event *ev);
/* Frees the strings and re-initialises. NULL allowed. */
void gm_event_clear(gm_event *ev);
void gm_licence_clear(gm_licence *l);
void gm_threshold_clear(gm_threshold *t);
void gm_event_list_free(gm_event_list *l);
void gm_licence_list_free(gm_licence_list *l);
void gm_threshold_list_free(gm_threshold_list *l);
/* Deep copies (GM_ERR_NOMEM on failure; dst is then cleared). */
int gm_event_copy(gm_context *ctx, const gm_event *src, gm_event *dst);
int gm_licence_copy(gm_context *ctx, const gm_licence *src, gm_licence *dst);

/* The licence with this number in a sorted list, or NULL. */
const gm_licence *gm_licence_find(const gm_licence_list *l, const char *licence_no);
/* The events of one licence in a sorted list: *first and *count (0 when none). */
void gm_event_list_range(const gm_event_list *l, const char *licence_no, size_t *first,
                         size_t *count);

/* 1 when the unified social credit code (GB 32100-2015) has 18 valid
 * characters and its check digit is right. */
int gm_credit_code_valid(const char *code);

/* ---- the rules ------------------------------------------------------------ */

/* Checks that `ev` may be appended to the events of its licence, `history`
 * (that licence's stored events, any order, all of them: corrections and
 * superseded ones too) on day `today` (YYYYMMDD, the entry's date; UTC).
 * `lic` is the licence record, NULL when none is recorded. `ev->event_id`
 * may be 0; it is taken to come after every stored event.
 *
 * Returns GM_RULE_OK, or the first rule broken with the reason in `why`
 * (naming the licence, the rule and the events involved, e.g. "licence
 * C43...: listing on 2019-05-01 needs a passed verification after the last
 * self-assessment (2019-03-02); the last verification (2019-02-01) is
 * before it [listing_needs_verification]").
 *
 * Fields: self_assessment needs a score 0..100 or a document; verification
 * an agency and a result (score 0..100 optional); listing a batch;
 * spot_check a result; blacklisting a reason; credit_rating a year and a
 * grade; three_rates a year and at least one rate, each 0..100. A void
 * correction (a withdrawal) needs the kind of the event it withdraws and a
 * reason.
 *
 * A correction (supersedes != 0) replaces its event in the timeline: the
 * whole corrected timeline must still keep every rule (correcting a
 * verification to 'fail' under a later listing is refused; withdraw or
 * correct the listing first). A new event that is not a correction must not
 * be dated before the licence's latest counting workflow event
 * (self_assessment, verification, listing, spot_check, blacklisting,
 * lifting); credit ratings and three-rate figures are yearly records that may
 * come late. A new event equal to a counting one in every field but its id
 * and entry (the same file imported twice) is a duplicate. */
gm_rule gm_event_check(const gm_licence *lic, const gm_event *history, size_t n, const gm_event *ev,
                       int today, char *why, size_t why_len);

/* 1 when `ev` counts: not void and not superseded by an event in `all`. */
int gm_event_counts(const gm_event *all, size_t n, const gm_event *ev);
/* The id of the event in `all` that supersedes `ev`, 0 = none. */
long long gm_event_superseded_by(const gm_event *all, size_t n, const gm_event *ev);

/* ---- status on a date ----------------------------------------------------- */

typedef struct gm_mine_state {
    const char *licence_no;
    gm_standing standing;
    int last_self_assessment;      /* date, 0 = none */
    int last_verification;         /* date of the latest verification, 0 = none */
    gm_result verification_result; /* its result */
    double verification_score;     /* NAN when none */
    const char *verification_agency;
    int listed_on;       /* date of the listing in force (standing listed), else 0 */
    const char *batch;   /* its batch */
    int ever_listed;     /* date of the first listing, 0 = never */
    int last_spot_check; /* date, 0 = none */
    gm_result spot_check_result;
    int spot_checks, spot_checks_failed; /* counting, up to the date */
    int blacklisted_on;                  /* date (standing blacklisted), else 0 */
    const char *blacklist_reason;
    int lifted_on; /* the latest lifting, 0 = none */
    int credit_year;
    const char *credit_grade; /* latest by year, NULL = none */
    int rates_year;           /* latest three-rate figures by year, 0 = none */
    double mining_recovery, beneficiation_recovery, utilisation; /* NAN when none */
    size_t events; /* counting events up to the date */
} gm_mine_state;

/* The status of one mine on `as_of` (YYYYMMDD; 0 = every event) from its
 * events `ev[0..n)` (one licence, any order; corrections and superseded
 * events included: they are honoured here). Pure: the caller's array is not
 * changed; *out's strings point into it. GM_ERR_NOMEM on allocation failure. */
int gm_mine_status_at(gm_context *ctx, const gm_event *ev, size_t n, int as_of, gm_mine_state *out);

/* The status of every licence of `lic` on `as_of` from `events` (a sorted
 * gm_event_list). out[i] belongs to lic->items[i]; free *out with free(). */
int gm_mine_statuses(gm_context *ctx, const gm_licence_list *lic, const gm_event_list *events,
                     int as_of, gm_mine_state **out);

/* The threshold that applies to a mine of this industry and mineral: the
 * row of that industry and mineral, else the industry's row without a
 * mineral; NULL when none. Minerals compare case-insensitively. */
const gm_threshold *gm_threshold_for(const gm_threshold_list *t, gm_industry industry,
                                     const char *mineral);

/* 1 when the three rates (NAN = not reported) meet every minimum of `t`
 * that is set; 0 when a reported rate is below its minimum or a rate with a
 * minimum is not reported; -1 when t is NULL (no threshold: not judged). */
int gm_three_rates_compliant(const gm_threshold *t, double mining_recovery,
                             double beneficiation_recovery, double utilisation);

#ifdef __cplusplus
}
#endif
#endif
