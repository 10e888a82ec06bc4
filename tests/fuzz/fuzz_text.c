/*
 * fuzz_text.c -- libFuzzer target: the text writers (core/text.h) on any
 * bytes. Invariants: a JSON literal is valid JSON (checked by a strict
 * RFC 8259 string scanner here) and holds no raw control byte or '<';
 * a CSV cell is quoted, its quotes doubled, and never starts with a formula
 * character; the terminal form holds no control character at all and is
 * valid UTF-8; gm_term_width is at least the characters shown.
 */
#include "core/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int hex4(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i]) return 0;
    return 1;
}

/* 1 when q is exactly one JSON string literal. */
static int json_string(const char *q)
{
    size_t n = strlen(q);
    if (n < 2 || q[0] != '"' || q[n - 1] != '"') return 0;
    if (!gm_utf8_valid(q, n, NULL)) return 0;
    for (size_t i = 1; i < n - 1; i++) {
        unsigned char c = (unsigned char)q[i];
        if (c < 0x20 || c == '"' || c == '<' || c == 0x7f) return 0;
        if (c == '\\') {
            char e = q[++i];
            if (i >= n - 1) return 0;
            if (e == 'u') {
                if (i + 4 >= n || !hex4(q + i + 1)) return 0;
                i += 4;
            } else if (!strchr("\"\\/bfnrt", e)) {
                return 0;
            }
        }
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    char *q = gm_json_quote(s);
    if (!q || !json_string(q)) abort();
    free(q);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) abort();
    gm_csv_fputs(f, s);
    fclose(f);
    if (len < 2 || buf[0] != '"' || buf[len - 1] != '"') abort();
    if (len > 2 && strchr("=+-@\t\r", buf[1])) abort();
    for (size_t i = 1; i + 1 < len; i++) { /* inner quotes come in pairs */
        if (buf[i] != '"') continue;
        if (buf[i + 1] != '"' || i + 2 >= len) abort();
        i++;
    }
    free(buf);

    char *t = gm_term_escape(s);
    if (!t) abort();
    size_t tn = strlen(t);
    if (!gm_utf8_valid(t, tn, NULL) || gm_text_has_controls(t)) abort();
    if (gm_term_width(s) < 0) abort();
    free(t);
    free(s);
    return 0;
}
