/*
 * draw_impl.h -- what the draw's files share inside src/registry/: the
 * canonical CSV cells of docs/draw.md (section 2) and a growable buffer.
 */
#ifndef GM_DRAW_IMPL_H
#define GM_DRAW_IMPL_H

#include <stddef.h>

typedef struct gm_dbuf {
    char *data; /* NUL-terminated; free() */
    size_t len, cap;
} gm_dbuf;

int gm_dbuf_add(gm_dbuf *b, const char *s, size_t n);
/* One canonical cell of value v (NULL = empty), then ',' or, when last, LF. */
int gm_dbuf_cell(gm_dbuf *b, const char *v, int last);
/* The decoded cells of one canonical line (without its LF); NULL when the
 * line is not canonical. Free with gm_cells_free. */
char **gm_cells_read(const char *line, size_t len, size_t *n);
void gm_cells_free(char **cells, size_t n);
/* Lower-case hex SHA-256 of len bytes (OpenSSL). */
void gm_draw_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
