/*
 * greenmine/events.h -- the management records in the registry (SpatiaLite
 * or PostgreSQL + PostGIS alike): licences, the append-only event log and
 * the three-rate thresholds (the records and rules: greenmine/management.h;
 * the tables: docs/management.md).
 *
 * Every write runs in one write transaction under the registry's writer lock
 * (the one ingest takes): the rules of gm_event_check are applied against the
 * history as stored at that moment, so two writers never both pass the rules
 * on the same history, and a failed, killed or refused write leaves the
 * registry as it was. Events are never updated or deleted (triggers refuse
 * it): a correction is a new event (gm_event.supersedes).
 *
 * Ownership: lists and reports returned through `out` belong to the caller
 * (gm_*_list_free, gm_import_report_free). Input records are only read.
 */
#ifndef GREENMINE_EVENTS_H
#define GREENMINE_EVENTS_H

#include <greenmine/context.h>
#include <greenmine/management.h>
#include <greenmine/registry.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- reading -------------------------------------------------------------- */

/* Every licence, sorted by licence_no. */
int gm_registry_licences(gm_registry *reg, gm_licence_list **out);

/* Events, sorted by licence_no (strcmp), event_date, event_id: those of
 * `licence_no` (NULL = every licence) dated on or before `up_to` (YYYYMMDD,
 * 0 = all), and the corrections of those whatever their own date, so that
 * gm_mine_status_at(..., up_to) leaves a corrected event out. Corrections
 * and the events they supersede are all returned (the log as stored);
 * gm_event_counts / gm_mine_status_at honour them. */
int gm_registry_events(gm_registry *reg, const char *licence_no, int up_to, gm_event_list **out);

/* One event by id (GM_ERR_USAGE when there is none). Clear *out with
 * gm_event_clear. */
int gm_registry_event(gm_registry *reg, long long event_id, gm_event *out);

/* The three-rate thresholds in force on `as_of` (YYYYMMDD, 0 = the latest
 * import): the latest import whose effective_from is on or before it. An
 * empty list (set_id 0) when none applies. */
int gm_registry_thresholds(gm_registry *reg, int as_of, gm_threshold_list **out);

/* ---- writing one record --------------------------------------------------- */

/* Appends one event after checking the rules (gm_event_check) against the
 * licence's stored events, in one write transaction. entered_by must be set;
 * entered_at is set here (UTC now); "today" of the rules is
 * gm_management_today() (UTC+8). A broken rule is GM_ERR_USAGE with the reason on ctx, naming the
 * licence and the rule (*rule, when not NULL, receives it). *event_id (may
 * be NULL) receives the new id. */
int gm_registry_append_event(gm_registry *reg, const gm_event *ev, long long *event_id,
                             gm_rule *rule);

/* Records one licence. A licence already recorded with the same fields is
 * left as it is (*added = 0); with other fields it is GM_ERR_USAGE (licences
 * are not rewritten either). */
int gm_registry_add_licence(gm_registry *reg, const gm_licence *l, int *added);

/* ---- bulk: all or nothing ------------------------------------------------- */

typedef struct gm_import_problem {
    long row;      /* the spreadsheet's row number (the header is row 1); 0 = the file */
    gm_rule rule;  /* the rule broken, GM_RULE_FIELDS for a value that does not parse */
    char *message; /* one line: names the row, the licence and the reason */
} gm_import_problem;

typedef struct gm_import_report {
    char *file_name;
    size_t rows;                 /* data rows read */
    size_t recorded;             /* rows recorded (0 whenever a problem was found) */
    size_t unchanged;            /* licences / thresholds already recorded exactly so */
    long long first_id, last_id; /* event ids recorded, 0 when none */
    long long set_id;            /* thresholds: the new set */
    gm_import_problem *problems; /* every bad row, in row order */
    size_t n_problems;
} gm_import_report;
void gm_import_report_free(gm_import_report *r);

typedef struct gm_import_options {
    const char *entered_by; /* events, licences, thresholds: who (required) */
    const char *sheet;      /* the sheet / layer to read (NULL = the first) */
    int effective_from;     /* thresholds: YYYYMMDD, 0 = 2016-01-01 */
    const char *label;      /* thresholds: e.g. "example, not official figures" */
    int check_only;         /* check every row as an import would, then record nothing:
                               report->recorded is what would be recorded */
} gm_import_options;

/* Appends events as one: every row is checked (fields, then the rules
 * against the stored history plus the earlier rows, applied in order of
 * date, then row), and either all are recorded in one transaction or --
 * when any row is bad -- none, and the report lists every bad row. rows[i]
 * is evs[i]'s row number for the report (NULL: 1, 2, ...). Returns GM_OK,
 * GM_ERR_USAGE when rows were refused (ctx: "N of M rows refused; nothing
 * recorded"), or another error. *out is set in both the first two cases. */
int gm_registry_append_events(gm_registry *reg, const gm_event *evs, const long *rows, size_t n,
                              const char *file_name, gm_import_report **out);

/* Reads a spreadsheet (CSV, UTF-8 or GBK/GB18030, or XLSX, through GDAL)
 * and appends its rows: events, licences or thresholds. Columns are matched
 * by their English or Chinese names (docs/management.md lists them); values
 * as in gm_parse_*. A file with any bad row records nothing; *out names
 * every bad row (return GM_ERR_USAGE). A file that cannot be read, or lacks
 * a required column, is GM_ERR_OPEN / GM_ERR_FIELD with *out NULL. */
int gm_registry_import_events(gm_registry *reg, const char *path, const gm_import_options *opt,
                              gm_import_report **out);
int gm_registry_import_licences(gm_registry *reg, const char *path, const gm_import_options *opt,
                                gm_import_report **out);
/* Thresholds are loaded as a new set (the earlier sets stay, for dates
 * before its effective_from). */
int gm_registry_import_thresholds(gm_registry *reg, const char *path, const gm_import_options *opt,
                                  gm_import_report **out);

#ifdef __cplusplus
}
#endif
#endif
