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

#endif
