/*
 * xml.c -- XML/HTML text escaping (see xml.h).
 */
#include "out/xml.h"

#include "core/text.h"

#include <string.h>

const char *gm_xml_entity(char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&apos;";
    default:
        return NULL;
    }
}

void gm_xml_fputs(FILE *f, const char *s)
{
    size_t len = s ? strlen(s) : 0, i = 0, n;
    char buf[8];
    while (i < len) {
        const char *e = gm_xml_entity(s[i]);
        if (e) {
            fputs(e, f);
            n = 1;
        } else if (gm_text_unsafe(s + i, len - i, &n, buf, 1)) {
            fputs(buf, f); /* XML 1.0 has no way to hold a control character: show it */
        } else {
            fwrite(s + i, 1, n, f);
        }
        i += n;
    }
}
