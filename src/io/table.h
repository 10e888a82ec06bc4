/*
 * table.h -- a spreadsheet as rows of text: the CSV and XLSX files counties
 * send (events, licences, thresholds), read through GDAL. Every cell is read
 * as text (the caller parses it); a CSV that is not UTF-8 is read as GB18030
 * (GBK), what Excel on a Chinese Windows saves. Row numbers are the ones a
 * spreadsheet shows: the header is row 1.
 */
#ifndef GM_TABLE_H
#define GM_TABLE_H

#include <greenmine/context.h>

#include <stddef.h>

typedef struct gm_table {
    char *file_name; /* the path's last part, for messages */
    char *sheet;     /* the sheet (layer) read */
    size_t n_cols;
    char **cols; /* the header's names, trimmed */
    size_t n_rows;
    char **cells; /* n_rows x n_cols, row-major; NULL for an empty cell; trimmed */
    long *row_no; /* each row's number in the spreadsheet */
    int recoded;  /* 1 when the file was read as GB18030 */
} gm_table;

/* Reads `path` (.csv, .xlsx, or anything GDAL reads as a table); sheet NULL =
 * the first. Rows without any value are skipped. GM_ERR_OPEN when it cannot be
 * read. Free with gm_table_free. */
int gm_table_read(gm_context *ctx, const char *path, const char *sheet, gm_table **out);
void gm_table_free(gm_table *t);

/* Makes row r the header: the rows up to and including it are dropped (a sheet
 * with a title above its header). Row numbers stay the spreadsheet's. */
void gm_table_header_at(gm_table *t, size_t r);

/* The cell of row r, column c (c < 0: NULL). */
static inline const char *gm_table_cell(const gm_table *t, size_t r, int c)
{
    return c < 0 ? NULL : t->cells[r * t->n_cols + (size_t)c];
}

#endif
