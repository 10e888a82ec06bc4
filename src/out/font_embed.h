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

#endif
