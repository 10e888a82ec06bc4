/*
 * json_text.h -- writing JSON text by hand where the layout is part of the
 * contract (`check --json`, `progress --json`): one string escaper for both.
 */
#ifndef GM_JSON_TEXT_H
#define GM_JSON_TEXT_H

#include <stdio.h>

/* s as a JSON string ("..." with " \ and control characters escaped), or null. */
void gm_json_put_string(FILE *f, const char *s);

#endif
