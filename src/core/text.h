/*
 * text.h -- the one place where greenmine decides how a piece of input text
 * (a mine's name, a zone id, a file name) is written out: as a JSON string, as
 * a CSV cell, on a terminal. Input text is never trusted: it may carry broken
 * UTF-8, control characters (ESC sequences that recolour or retitle a
 * terminal), quotes, or spreadsheet formulas. docs/robustness.md states the
 * rules; every writer of text in the tools goes through here.
 *
 * All functions accept NULL for "no value" as said per function; none keeps a
 * pointer to its arguments; strings returned are malloc'd and the caller
 * frees them with free(). Thread-safe: no state.
 */
#ifndef GM_TEXT_H
#define GM_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* 1 when s[0..len) is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), else 0 with *bad_at (if not NULL) the
 * offset of the first byte that does not decode. */
int gm_utf8_valid(const char *s, size_t len, size_t *bad_at);

/* 1 when s (NUL-terminated) contains a C0 control (other than none), DEL or a
 * C1 control (U+0080..U+009F); used to say "contains control characters". */
int gm_text_has_controls(const char *s);

/* JSON string literal of s, quotes included: '"' and '\' escaped, every
 * control character (C0, DEL, C1) and the Unicode line/paragraph separators
 * as \uXXXX, a byte that is not UTF-8 as \ufffd, so the output is always
 * valid JSON (RFC 8259) and safe inside a <script>: '<', '>' and '&' become
 * \u003c, \u003e, \u0026 too. NULL writes the literal null. */
void gm_json_fputs(FILE *f, const char *s);
char *gm_json_quote(const char *s); /* the same, as a string; NULL when out of memory */

/* One CSV cell (RFC 4180) for text s: always quoted, '"' doubled. A cell that
 * begins with '=', '+', '-', '@', a tab or a carriage return gets a leading
 * apostrophe (OWASP "CSV injection": Excel, WPS and LibreOffice would
 * otherwise evaluate it as a formula). Newlines and tabs inside the cell are
 * kept (quoting makes them data); other control characters and bytes that
 * are not UTF-8 are written as the visible text \xHH. NULL = an empty cell. */
void gm_csv_fputs(FILE *f, const char *s);

/* s made safe for a terminal: every control character (C0 including tab and
 * newline, DEL, C1) and the bidirectional overrides (U+202A..U+202E,
 * U+2066..U+2069, which reorder what a reader sees) as the visible text \xHH
 * or \uXXXX, a byte that is not UTF-8 as \xHH; everything else as it is.
 * NULL writes nothing. */
void gm_term_fputs(FILE *f, const char *s);
char *gm_term_escape(const char *s); /* the same, as a string; NULL when out of memory */

/* The columns s takes on a terminal after gm_term_escape (CJK and other wide
 * characters count two). */
int gm_term_width(const char *s);

/* The visible replacement gm_term_fputs writes for the character that
 * starts at s (len bytes available), in buf (at least 8 bytes), with *used
 * the bytes it covers; returns 0 (and *used = its length) when the character
 * is printable and passes as it is. The XML writer uses it too. */
int gm_text_unsafe(const char *s, size_t len, size_t *used, char buf[8], int keep_space);

#endif
