/*
 * fields.h -- the contract's field names and aliases, and their matching
 * against a layer's field names. No GDAL here: the rules are plain strings.
 */
#ifndef GM_FIELDS_H
#define GM_FIELDS_H

#include <greenmine/load.h>

#define GM_MAX_FIELDS 8

/* Canonical fields of each layer, in a fixed order (the index used by
 * gm_fields_resolve's output). */
enum {
    GM_F_MINE_ID,
    GM_F_MINE_NAME,
    GM_F_MINERAL,
    GM_F_INDUSTRY,
    GM_F_SCALE,
    GM_F_MINE_STATUS,
    GM_F_GREEN
};
enum { GM_F_REDLINE_ID, GM_F_REDLINE_NAME, GM_F_CATEGORY };
enum { GM_F_PARCEL_ID, GM_F_KIND, GM_F_PARCEL_STATUS, GM_F_COMPLETED_ON, GM_F_LEGACY };
enum { GM_F_ZONE_ID, GM_F_ZONE_NAME, GM_F_ZONE_RESTORATION_TARGET, GM_F_ZONE_RECLAMATION_TARGET };

/* Number of canonical fields of a layer kind, and the name of the i-th. */
size_t gm_fields_count(gm_layer_kind kind);
const char *gm_field_canonical(gm_layer_kind kind, size_t i);

/* Matches the layer's field names (UTF-8) to canonical fields.
 * `overrides` are "LAYER.CANONICAL=SOURCE" strings; those for other layers are
 * ignored. out_idx[i] receives the position in `names` of canonical field i, or
 * -1. Returns GM_OK, or GM_ERR_FIELD / GM_ERR_USAGE with the reason on ctx (a
 * required field missing, an override naming an unknown field). */
int gm_fields_resolve(gm_context *ctx, gm_layer_kind kind, const char *const *names, size_t n_names,
                      const char *const *overrides, size_t n_overrides, int *out_idx);

/* The same; with `lenient`, a missing required field is no error (its index
 * stays -1). */
int gm_fields_resolve_ex(gm_context *ctx, gm_layer_kind kind, const char *const *names,
                         size_t n_names, const char *const *overrides, size_t n_overrides,
                         int lenient, int *out_idx);

/* Case-insensitive for ASCII letters, exact for everything else. */
int gm_field_name_equal(const char *a, const char *b);

#endif
