/*
 * font_embed.h -- the glyphs a document uses, cut out of an installed CJK
 * font (HarfBuzz's subsetter) and given back as a CSS @font-face rule with
 * the font inline, so an HTML file prints the same on a machine without a
 * CJK font. Private to src/out.
 */
#ifndef GM_FONT_EMBED_H
#define GM_FONT_EMBED_H

#include <greenmine/context.h>

/* The family name the rule declares. */
#define GM_EMBEDDED_FONT_FAMILY "greenmine-cjk"

/* A CSS "@font-face { ... }" rule holding the glyphs of every character of
 * `text` (UTF-8) and of printable ASCII, subset from the first font found:
 * $GREENMINE_CJK_FONT (a file, optionally "file#index" for a collection),
 * then Noto Sans CJK SC and WenQuanYi Micro Hei / Zen Hei at their Debian
 * paths. Sets *css (caller frees) and *font_file (the font used, static or
 * from the environment; not to be freed); *css NULL and GM_OK when no font
 * is installed (the caller says so). */
int gm_font_face_css(gm_context *ctx, const char *text, char **css, const char **font_file);

/* Writes an HTML page to `path` through a temporary file renamed into place:
 * the doctype and head (charset, `title` as text, `css` after an @font-face
 * holding the glyphs of `body`, cut by gm_font_face_css), then `body` (the
 * <body> element and the closing </html>). With no CJK font installed the
 * page is written without one and a warning says so. */
int gm_html_page_write(gm_context *ctx, const char *path, const char *title, const char *css,
                       const char *body, size_t body_len);

#endif
