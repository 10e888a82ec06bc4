/*
 * values.h -- what the attribute vocabularies share inside the engine (values.c
 * parses the contract's values; src/analysis/management.c the management
 * records' kinds and results with the same folding).
 */
#ifndef GM_VALUES_H
#define GM_VALUES_H

#include <stddef.h>

/* text into buf without surrounding white space (ASCII and the ideographic
 * space U+3000) and with ASCII letters lower-cased, cut to len - 1 bytes. */
void gm_value_fold(const char *text, char *buf, size_t len);

/* A vocabulary: folded spellings and their values, ended by {NULL, 0}. */
typedef struct gm_value_term {
    const char *text;
    int value;
} gm_value_term;

/* *out = the value of text (folded) in terms: GM_OK; `unknown` and GM_OK for
 * NULL or ""; `unknown` and GM_ERR_FIELD for text not in the vocabulary. */
int gm_value_lookup(const char *text, const gm_value_term *terms, int unknown, int *out);

#endif
