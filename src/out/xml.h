/*
 * xml.h -- escaping text for the XML and HTML the outputs write (QML styles,
 * the QGIS project, the HTML report). One table of entities for all of them.
 */
#ifndef GM_XML_H
#define GM_XML_H

#include <stdio.h>

/* The entity for one of XML's five special characters, or NULL for any other. */
const char *gm_xml_entity(char c);

/* Writes s (NULL = nothing) to f with the special characters escaped; a
 * control character other than tab, LF, CR (which XML 1.0 cannot hold) or a
 * byte that is not UTF-8 is written as the visible text \xHH (core/text.h). */
void gm_xml_fputs(FILE *f, const char *s);

#endif
