/*
 * font_embed.c -- an installed CJK font subset to a document's characters,
 * base64 in a CSS @font-face rule (see font_embed.h).
 */
#include "out/font_embed.h"

#include "core/atomic.h"
#include "core/context_impl.h"
#include "out/xml.h"

#include <hb-subset.h>
#include <hb.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Where Debian puts the fonts of fonts-noto-cjk and fonts-wqy-*; the index
 * is the face in a collection (.ttc): Noto's Simplified Chinese is the third. */
static const struct {
    const char *path;
    unsigned index;
} fonts[] = {
    {"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2},
    {"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0},
    {"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0},
};

/* The next code point of UTF-8 text; a malformed byte counts as itself. */
static uint32_t next_code_point(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t c = s[0];
    int n = c < 0x80             ? 0
            : (c & 0xE0) == 0xC0 ? 1
            : (c & 0xF0) == 0xE0 ? 2
            : (c & 0xF8) == 0xF0 ? 3
                                 : 0;
    if (n) c &= 0x3F >> n;
    int i = 1;
    for (; i <= n && (s[i] & 0xC0) == 0x80; i++)
        c = c << 6 | (s[i] & 0x3F);
    if (i <= n) c = s[0], i = 1; /* truncated sequence */
    *p = s + i;
    return c;
}

static char *base64(const unsigned char *data, size_t n)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
    if (!out) return NULL;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16;
        if (i + 1 < n) v |= (uint32_t)data[i + 1] << 8;
        if (i + 2 < n) v |= data[i + 2];
        *o++ = digits[v >> 18 & 63];
        *o++ = digits[v >> 12 & 63];
        *o++ = i + 1 < n ? digits[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? digits[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

int gm_font_face_css(gm_context *ctx, const char *text, char **css, const char **font_file)
{
    *css = NULL;
    *font_file = NULL;
    /* $GREENMINE_CJK_FONT first: "path" or "path#index" */
    char env_path[4096] = "";
    unsigned index = 0;
    const char *env = getenv("GREENMINE_CJK_FONT");
    if (env && *env) {
        snprintf(env_path, sizeof env_path, "%s", env);
        char *hash = strrchr(env_path, '#');
        if (hash) *hash = '\0', index = (unsigned)strtoul(hash + 1, NULL, 10);
        if (access(env_path, R_OK) != 0)
            return gm_error(ctx, GM_ERR_OPEN, "GREENMINE_CJK_FONT: %s: cannot read the font",
                            env_path);
        *font_file = env;
    }
    const char *path = *font_file ? env_path : NULL;
    for (size_t i = 0; !path && i < sizeof fonts / sizeof *fonts; i++)
        if (access(fonts[i].path, R_OK) == 0) path = fonts[i].path, index = fonts[i].index;
    if (!path) return GM_OK;
    if (!*font_file) *font_file = path;

    hb_blob_t *blob = hb_blob_create_from_file_or_fail(path);
    if (!blob) return gm_error(ctx, GM_ERR_OPEN, "%s: cannot read the font", path);
    hb_face_t *face = hb_face_create(blob, index);
    hb_blob_destroy(blob);
    hb_subset_input_t *input = hb_subset_input_create_or_fail();
    if (!input) {
        hb_face_destroy(face);
        return gm_error(ctx, GM_ERR_NOMEM, "out of memory");
    }
    /* printable ASCII always: digits and Latin come from the same font */
    hb_set_t *unicodes = hb_subset_input_unicode_set(input);
    hb_set_add_range(unicodes, 0x20, 0x7E);
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p;)
        hb_set_add(unicodes, next_code_point(&p));
    /* hinting is for screens at small sizes; without it the file is smaller */
    hb_subset_input_set_flags(input, HB_SUBSET_FLAGS_NO_HINTING);
    hb_face_t *sub = hb_subset_or_fail(face, input);
    hb_subset_input_destroy(input);
    hb_face_destroy(face);
    if (!sub) return gm_error(ctx, GM_ERR_INTERNAL, "%s: cannot subset the font", path);
    hb_blob_t *out = hb_face_reference_blob(sub);
    hb_face_destroy(sub);
    unsigned n = 0;
    const char *data = hb_blob_get_data(out, &n);
    char *b64 = n ? base64((const unsigned char *)data, n) : NULL;
    hb_blob_destroy(out);
    if (!b64)
        return gm_error(ctx, n ? GM_ERR_NOMEM : GM_ERR_INTERNAL, "%s: cannot subset the font",
                        path);
    const char *fmt = "@font-face { font-family: '" GM_EMBEDDED_FONT_FAMILY
                      "'; font-style: normal; font-weight: 100 900; "
                      "src: url(data:font/ttf;base64,%s) format('truetype'); }\n";
    size_t len = strlen(fmt) + strlen(b64);
    *css = malloc(len);
    if (*css) snprintf(*css, len, fmt, b64);
    free(b64);
    return *css ? GM_OK : gm_error(ctx, GM_ERR_NOMEM, "out of memory");
}

int gm_html_page_write(gm_context *ctx, const char *path, const char *title, const char *css,
                       const char *body, size_t body_len)
{
    /* the glyphs of the body, inline: prints the same on a machine without a
     * CJK font */
    char *font_css = NULL;
    const char *font_file = NULL;
    int rc = gm_font_face_css(ctx, body, &font_css, &font_file);
    if (rc != GM_OK) return rc;
    if (!font_css)
        gm_log(ctx, GM_LOG_WARNING,
               "%s: no CJK font installed (fonts-wqy-microhei or fonts-noto-cjk, or set "
               "GREENMINE_CJK_FONT): the report embeds none and shows boxes where the reader "
               "lacks one",
               path);
    gm_atomic file;
    if ((rc = gm_atomic_begin(ctx, path, GM_ATOMIC_OPEN, "", &file)) != GM_OK) {
        free(font_css);
        return rc;
    }
    FILE *f = file.f;
    fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
    gm_xml_fputs(f, title);
    fprintf(f, "</title>\n<style>\n%s%s</style>\n</head>\n", font_css ? font_css : "", css);
    fwrite(body, 1, body_len, f);
    free(font_css);
    return gm_atomic_commit(ctx, &file);
}
