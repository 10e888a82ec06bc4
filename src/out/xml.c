/*
 * xml.c -- XML/HTML text escaping (see xml.h).
 */
#include "out/xml.h"

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
    for (; s && *s; s++) {
        const char *e = gm_xml_entity(*s);
        if (e)
            fputs(e, f);
        else
            fputc(*s, f);
    }
}
