/*
 * results.c -- what greenmine serve keeps in the registry: each check under
 * its id (so a result's URL outlives the process and any server on the same
 * PostGIS answers it), and the latest snapshot's parcels in a box for the
 * progress page's map. Values go through bound parameters only.
 */
#include "registry/columns.h"

#include <stdlib.h>
#include <string.h>

int gm_registry_result_put(gm_registry *reg, const char *id, const char *checked_at,
                           const char *data_ref, const char *check_json, const char *geometry_json)
{
    gm_stmt *st = NULL;
    int rc = gm_table_prepare_insert(reg, &gm_table_serve_result,
                                     "ON CONFLICT (result_id) DO NOTHING", &st);
    if (rc != GM_OK) return rc;
    gm_stmt_bind_text(st, GM_PARAM(RESULT_result_id), id);
    gm_stmt_bind_text(st, GM_PARAM(RESULT_checked_at), checked_at);
    gm_stmt_bind_text(st, GM_PARAM(RESULT_data_ref), data_ref);
    gm_stmt_bind_text(st, GM_PARAM(RESULT_check_json), check_json);
    gm_stmt_bind_text(st, GM_PARAM(RESULT_geometry_json), geometry_json);
    if (gm_stmt_step(st) < 0) rc = gm_context_errcode(reg->ctx);
    gm_stmt_free(st);
    return rc;
}

int gm_registry_result_get(gm_registry *reg, const char *id, char **checked_at, char **data_ref,
                           char **check_json, char **geometry_json)
{
    *checked_at = *data_ref = *check_json = *geometry_json = NULL;
    gm_stmt *st = NULL;
    int rc = gm_table_prepare_select(reg, &gm_table_serve_result, "WHERE result_id = ?", &st);
    if (rc != GM_OK) return rc;
    gm_stmt_bind_text(st, 1, id);
    int got = gm_stmt_step(st);
    if (got < 0) {
        rc = gm_context_errcode(reg->ctx);
    } else if (got == 1) {
        *checked_at = gm_strdup(gm_stmt_text(st, RESULT_checked_at));
        *data_ref = gm_strdup(gm_stmt_text(st, RESULT_data_ref));
        *check_json = gm_strdup(gm_stmt_text(st, RESULT_check_json));
        *geometry_json = gm_strdup(gm_stmt_text(st, RESULT_geometry_json));
        if (!*checked_at || !*data_ref || !*check_json || !*geometry_json) {
            free(*checked_at), free(*data_ref), free(*check_json), free(*geometry_json);
            *checked_at = *data_ref = *check_json = *geometry_json = NULL;
            rc = gm_error(reg->ctx, GM_ERR_NOMEM, "out of memory");
        }
    }
    gm_stmt_free(st);
    return rc;
}

int gm_registry_parcels_in(gm_registry *reg, const double bbox[4],
                           int (*fn)(void *user, const gm_parcel_row *row), void *user)
{
    const char *sql =
        reg->db_kind == GM_DB_POSTGIS
            ? "SELECT parcel_id, kind, status, completed_on, area_ha, ST_AsBinary(geom) FROM "
              "parcel_current WHERE geom && ST_MakeEnvelope(?, ?, ?, ?, 4490) ORDER BY version_id"
            : "SELECT parcel_id, kind, status, completed_on, area_ha, ST_AsBinary(geom) FROM "
              "parcel_current WHERE MbrIntersects(geom, BuildMbr(?, ?, ?, ?)) ORDER BY version_id";
    gm_stmt *st = NULL;
    int rc = gm_db_prepare(reg->db, sql, &st);
    if (rc != GM_OK) return rc;
    for (int i = 0; i < 4; i++)
        gm_stmt_bind_double(st, i + 1, bbox[i]);
    int got;
    while ((got = gm_stmt_step(st)) == 1) {
        gm_parcel_row row = {.parcel_id = gm_stmt_text(st, 0),
                             .kind = gm_stmt_text(st, 1),
                             .status = gm_stmt_text(st, 2),
                             .completed_on = gm_stmt_text(st, 3),
                             .area_ha = gm_stmt_double(st, 4)};
        row.wkb = gm_stmt_blob(st, 5, &row.wkb_len);
        if (row.wkb && fn(user, &row) != 0) break;
    }
    if (got < 0) rc = gm_context_errcode(reg->ctx);
    gm_stmt_free(st);
    return rc;
}
