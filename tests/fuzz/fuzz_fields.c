/*
 * fuzz_fields.c -- libFuzzer target: field alias resolution
 * (gm_fields_resolve_ex) and the value vocabularies (gm_parse_*). The input's
 * first byte picks the layer kind and leniency; its lines are source field
 * names, those with '=' also tried as --field overrides. Invariants: every
 * resolved index is -1 or a valid field position, the status is one of the
 * documented ones, and a parsed value is one of its enum's.
 */
#include "io/fields.h"

#include <greenmine/context.h>
#include <greenmine/model.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* one context for every input (the resolver sets only its message) */
static gm_context *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ctx && gm_context_new(&ctx) != GM_OK) abort();
    if (size < 1) return 0;
    gm_layer_kind kind = (gm_layer_kind)(data[0] % GM_LAYER_KINDS);
    int lenient = data[0] >> 7;
    char *text = malloc(size);
    if (!text) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    const char *names[64], *over[64];
    size_t n = 0, n_over = 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && n < 64;
         line = strtok_r(NULL, "\n", &save)) {
        names[n++] = line;
        if (strchr(line, '=')) over[n_over++] = line;
    }
    int idx[GM_MAX_FIELDS];
    int rc = gm_fields_resolve_ex(ctx, kind, names, n, over, n_over, lenient, idx);
    if (rc != GM_OK && rc != GM_ERR_FIELD && rc != GM_ERR_USAGE) abort();
    if (rc == GM_OK)
        for (size_t k = 0; k < GM_MAX_FIELDS && gm_field_canonical(kind, k); k++)
            if (idx[k] < -1 || idx[k] >= (int)n) abort();
    for (size_t i = 0; i < n; i++) {
        gm_scale s;
        gm_industry ind;
        gm_mine_status ms;
        gm_parcel_kind pk;
        gm_parcel_status ps;
        gm_flag flag;
        int date;
        if (gm_parse_scale(names[i], &s) == GM_OK && (s < GM_SCALE_UNKNOWN || s > GM_SCALE_SMALL))
            abort();
        gm_parse_industry(names[i], &ind);
        gm_parse_mine_status(names[i], &ms);
        gm_parse_parcel_kind(names[i], &pk);
        gm_parse_parcel_status(names[i], &ps);
        gm_parse_flag(names[i], &flag);
        if (gm_parse_date(names[i], &date) == GM_OK && date != 0) {
            int y = date / 10000, m = date / 100 % 100, d = date % 100;
            if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31) abort();
        }
    }
    free(text);
    return 0;
}
