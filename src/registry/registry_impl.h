/*
 * registry_impl.h -- what a gm_registry holds, for src/registry/ only.
 */
#ifndef GM_REGISTRY_IMPL_H
#define GM_REGISTRY_IMPL_H

#include "core/context_impl.h"
#include "registry/db.h"

#include <greenmine/registry.h>

struct gm_registry {
    gm_context *ctx; /* borrowed */
    gm_db *db;
    gm_db_kind db_kind;
    char *target; /* as given, for messages (a PG: string is shown as given) */
    int schema_version;
};

/* Creates or upgrades the schema (schema.c). */
int gm_registry_migrate(gm_registry *reg);
/* Now, UTC, "YYYY-MM-DDTHH:MM:SSZ". */
void gm_registry_now(char buf[32]);

/* YYYYMMDD <-> "YYYY-MM-DD" (buf of 11). */
const char *gm_registry_date_text(int yyyymmdd, char buf[GM_DATE_TEXT]);
int gm_registry_date_parse(const char *text);

#endif
