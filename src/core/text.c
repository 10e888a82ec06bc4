/*
 * text.c -- escaping untrusted text for JSON, CSV and the terminal, and
 * UTF-8 validation (see text.h). One decoder for all of them, so a byte
 * sequence is judged the same way by every writer.
 */
#include "core/text.h"

#include <stdlib.h>
#include <string.h>

/* Decodes the UTF-8 character at p (len bytes available) into *cp; returns
 * its length, or 0 when the bytes there are not well-formed UTF-8. */
static size_t utf8_decode(const unsigned char *p, size_t len, unsigned *cp)
{
    if (!len) return 0;
    unsigned c = p[0];
    size_t n;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 2, min = 0x80, c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, min = 0x800, c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0; /* a continuation byte, C0/C1 (overlong) or F5..FF */
    }
    if (len < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (p[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return n;
}

int gm_utf8_valid(const char *s, size_t len, size_t *bad_at)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned cp;
        size_t n = utf8_decode(p + i, len - i, &cp);
        if (!n) {
            if (bad_at) *bad_at = i;
            return 0;
        }
        i += n;
    }
    return 1;
}

static int is_control(unsigned cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

static int is_bidi_override(unsigned cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

int gm_text_has_controls(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = s ? strlen(s) : 0, i = 0;
    while (i < len) {
        unsigned cp;
        size_t n = utf8_decode(p + i, len - i, &cp);
        if (!n) {
            i++;
            continue;
        }
        if (is_control(cp)) return 1;
        i += n;
    }
    return 0;
}

int gm_text_unsafe(const char *s, size_t len, size_t *used, char buf[8], int keep_space)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned cp;
    size_t n = utf8_decode(p, len, &cp);
    if (!n) { /* a byte that is not UTF-8: show the byte */
        snprintf(buf, 8, "\\x%02X", p[0]);
        *used = 1;
        return 1;
    }
    *used = n;
    if (keep_space && (cp == '\t' || cp == '\n' || cp == '\r')) return 0;
    if (is_control(cp)) {
        snprintf(buf, 8, cp < 0x80 ? "\\x%02X" : "\\u%04X", cp);
        return 1;
    }
    if (!keep_space && is_bidi_override(cp)) {
        snprintf(buf, 8, "\\u%04X", cp);
        return 1;
    }
    return 0;
}

/* ---- a sink: a FILE or a growing string ---------------------------------- */

typedef struct sink {
    FILE *f;
    char *p;
    size_t n, cap;
    int oom;
} sink;

static void emit(sink *k, const char *s, size_t n)
{
    if (k->f) {
        fwrite(s, 1, n, k->f);
        return;
    }
    if (k->oom) return;
    if (k->n + n + 1 > k->cap) {
        size_t cap = k->cap ? k->cap : 64;
        while (cap < k->n + n + 1)
            cap *= 2;
        char *q = realloc(k->p, cap);
        if (!q) {
            k->oom = 1;
            return;
        }
        k->p = q, k->cap = cap;
    }
    memcpy(k->p + k->n, s, n);
    k->n += n;
    k->p[k->n] = '\0';
}

static void emits(sink *k, const char *s)
{
    emit(k, s, strlen(s));
}

static char *finish(sink *k)
{
    if (!k->oom && !k->p) emit(k, "", 0);
    if (k->oom) {
        free(k->p);
        return NULL;
    }
    return k->p;
}

/* ---- JSON ----------------------------------------------------------------- */

static void json(sink *k, const char *s)
{
    if (!s) {
        emits(k, "null");
        return;
    }
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s), i = 0;
    emits(k, "\"");
    while (i < len) {
        unsigned cp;
        size_t n = utf8_decode(p + i, len - i, &cp);
        char buf[8];
        if (!n) {
            emits(k, "\\ufffd");
            i++;
            continue;
        }
        if (cp == '"' || cp == '\\') {
            buf[0] = '\\', buf[1] = (char)cp, buf[2] = '\0';
            emits(k, buf);
        } else if (is_control(cp) || cp == 0x2028 || cp == 0x2029 || cp == '<' || cp == '>' ||
                   cp == '&') {
            snprintf(buf, sizeof buf, "\\u%04x", cp);
            emits(k, buf);
        } else {
            emit(k, s + i, n);
        }
        i += n;
    }
    emits(k, "\"");
}

/* Runs writer w on s into a FILE, or into a new string. */
static void to_file(FILE *f, void (*w)(sink *, const char *), const char *s)
{
    sink k = {.f = f};
    w(&k, s);
}

static char *to_string(void (*w)(sink *, const char *), const char *s)
{
    sink k = {0};
    w(&k, s);
    return finish(&k);
}

void gm_json_fputs(FILE *f, const char *s)
{
    to_file(f, json, s);
}

char *gm_json_quote(const char *s)
{
    return to_string(json, s);
}

/* ---- CSV ------------------------------------------------------------------ */

void gm_csv_fputs(FILE *f, const char *s)
{
    if (!s) return;
    sink k = {.f = f};
    emits(&k, "\"");
    if (s[0] && strchr("=+-@\t\r", s[0])) emits(&k, "'");
    size_t len = strlen(s), i = 0;
    while (i < len) {
        size_t n;
        char buf[8];
        if (gm_text_unsafe(s + i, len - i, &n, buf, 1))
            emits(&k, buf);
        else if (s[i] == '"')
            emits(&k, "\"\"");
        else
            emit(&k, s + i, n);
        i += n;
    }
    emits(&k, "\"");
}

/* ---- terminal ------------------------------------------------------------- */

static void term(sink *k, const char *s)
{
    size_t len = s ? strlen(s) : 0, i = 0;
    while (i < len) {
        size_t n;
        char buf[8];
        if (gm_text_unsafe(s + i, len - i, &n, buf, 0))
            emits(k, buf);
        else
            emit(k, s + i, n);
        i += n;
    }
}

void gm_term_fputs(FILE *f, const char *s)
{
    to_file(f, term, s);
}

char *gm_term_escape(const char *s)
{
    return to_string(term, s);
}

static int is_wide(unsigned cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

int gm_term_width(const char *s)
{
    size_t len = s ? strlen(s) : 0, i = 0;
    int cols = 0;
    while (i < len) {
        size_t n;
        char buf[8];
        unsigned cp;
        if (gm_text_unsafe(s + i, len - i, &n, buf, 0)) {
            cols += (int)strlen(buf);
        } else {
            utf8_decode((const unsigned char *)s + i, len - i, &cp);
            cols += is_wide(cp) ? 2 : 1;
        }
        i += n;
    }
    return cols;
}
