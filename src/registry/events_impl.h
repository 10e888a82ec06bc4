/*
 * events_impl.h -- what events.c shares with the importers (events_import.c),
 * for src/registry/ only.
 */
#ifndef GM_EVENTS_IMPL_H
#define GM_EVENTS_IMPL_H

#include "registry/registry_impl.h"

#include <greenmine/events.h>

/* Adds "row N: message" (row 0: the message alone); GM_ERR_NOMEM on failure. */
int gm_import_report_add(gm_import_report *r, long row, gm_rule rule, const char *message);
/* Problems in row order. */
void gm_import_report_sort(gm_import_report *r);

/* Checks and inserts evs (all or nothing) inside a write transaction the
 * caller holds; problems go to r (then GM_ERR_USAGE and nothing inserted). */
int gm_registry_append_events_locked(gm_registry *reg, const gm_event *evs, const long *rows,
                                     size_t n, gm_import_report *r);

/* is_new from licensed_on when not given. */
void gm_registry_licence_defaults(gm_licence *l);
/* GM_OK, or GM_ERR_FIELD (a bad value) / GM_ERR_USAGE (differs from the
 * stored record) with the reason in why. stored may be NULL. */
int gm_registry_check_licence(const gm_licence *l, const gm_licence *stored, char *why, size_t len);
/* INSERT one licence (*st prepared on first use; free it with gm_stmt_free). */
int gm_registry_insert_licence(gm_registry *reg, gm_stmt **st, const gm_licence *l,
                               const char *now);

#endif
