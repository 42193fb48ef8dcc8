/* SPDX-License-Identifier: MIT */
/* Attribute tables of any OGR layer (CSV, DBF, GeoPackage, GeoJSON): every row, every field,
 * with or without geometry, as columns. Read by the one table reader, lb_vlayer_read_table_where
 * (io/vector.h): the same CSV handling (separator, BOM, quotes, shape check), the same number
 * parser and the same error messages as every other table input. */
#ifndef LB_IO_ATTRTABLE_H
#define LB_IO_ATTRTABLE_H

#include <leefbaar/core.h>

#include <stddef.h>
#include <stdint.h>

typedef struct lb_attr_table {
    char *path;
    char *layer;      /* the layer read */
    char *driver;     /* OGR driver short name, e.g. "CSV" */
    int has_geometry; /* the layer has a geometry field (read it with lb_vlayer_read) */
    size_t n_rows;
    size_t n_cols;
    char **names;  /* field names in file order */
    double **num;  /* num[c][r] for numeric OGR fields (NaN = NULL or a CBS special value);
                      NULL for text fields (every CSV field is text) */
    char ***text;  /* text[c][r] of text fields, trimmed; NULL = NULL, empty or unset, and
                      always NULL for numeric fields (format num[c][r] instead: tables can be
                      large) */
    int64_t *fid;  /* feature id of row r */
    int data_line; /* CSV: file line of row 0 (2 after a header line); 0 for other formats */
} lb_attr_table;

/* Read all rows and fields of @p layer (NULL = the first layer) of @p path. Rows without
 * geometry are kept. Errors (LB_ERR_IO, LB_ERR_DATA) are those of lb_vlayer_read_table: they
 * name the file (as the input) and list the layers when @p layer is absent. *out is owned by
 * the caller (lb_attr_table_destroy). */
lb_status lb_attr_table_read(lb_ctx *ctx, const char *path, const char *layer, lb_attr_table **out);

/* As lb_attr_table_read, keeping only the rows that match the OGR SQL attribute filter
 * @p where (NULL keeps all). A filter OGR cannot parse is LB_ERR_DATA naming it; a filter
 * matching no row is LB_ERR_DATA like an empty table. */
lb_status lb_attr_table_read_where(lb_ctx *ctx, const char *path, const char *layer,
                                   const char *where, lb_attr_table **out);

/* Free a table. NULL is a no-op. */
void lb_attr_table_destroy(lb_attr_table *t);

/* Index of the field named @p name compared case-insensitively, or -1. */
long lb_attr_table_col(const lb_attr_table *t, const char *name);

#endif
