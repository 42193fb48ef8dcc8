/* SPDX-License-Identifier: MIT */
/* A result table: rows of units with an optional RD geometry and typed columns. The hand-off
 * between the pipeline and the writers. */
#ifndef LB_DATA_TABLE_H
#define LB_DATA_TABLE_H

#include <leefbaar/core.h>
#include <leefbaar/result.h> /* lb_col_type, LB_INT_NULL and the accessors of lb_table */

#include <stddef.h>
#include <stdint.h>

/* Column storage is fixed so that column pointers stay valid. The bound is what a GeoPackage
 * layer can hold: SQLite's default SQLITE_MAX_COLUMN is 2000, and the layer also needs its fid
 * and geometry columns. (It was 256, which refused models of more than ~120 indicators: a
 * units table has x_<id> and c_<id> per indicator.) */
#define LB_TABLE_MAX_COLS 1990

typedef struct lb_column {
    char *name;
    lb_col_type type;
    double *real;     /* LB_COL_REAL: n_rows values, NaN = missing (written as NULL) */
    int64_t *integer; /* LB_COL_INT: n_rows values, LB_INT_NULL = missing */
    char **text;      /* LB_COL_TEXT: n_rows strings, NULL = missing */
    char *text_block; /* LB_COL_TEXT: when set, every text[] points into this one allocation
                         (lb_table_text_block), freed with it; else each string is its own */
    int decimals;     /* LB_COL_REAL: digits kept on output (rounding only there); -1 = all */
} lb_column;

typedef struct lb_table {
    char *name; /* what the table becomes ("change", a layer); NULL until a result names it */
    size_t n_rows;
    size_t n_cols;
    lb_column *cols;
    unsigned char **wkb; /* n_rows WKB geometries in EPSG:28992, or NULL for no geometry */
    size_t *wkb_size;
} lb_table;

/* Create an empty table of @p n_rows rows. *out is owned by the caller (lb_table_destroy). */
lb_status lb_table_create(lb_ctx *ctx, size_t n_rows, lb_table **out);

/* Add a column; returns it through @p out (borrowed, valid while the table lives: column
 * storage never moves). Values are initialised to missing. LB_ERR_ARG beyond
 * LB_TABLE_MAX_COLS columns. */
lb_status lb_table_add(lb_ctx *ctx, lb_table *t, const char *name, lb_col_type type,
                       lb_column **out);

/* Add real column @p name holding @p values (t->n_rows doubles from malloc() or
 * lb_bigmem_alloc()), which the table takes, also on failure: a column of a national grid
 * without copying it. */
lb_status lb_table_add_reals(lb_ctx *ctx, lb_table *t, const char *name, double *values,
                             lb_column **out);

/* Let text column @p c hold its strings in one block of @p bytes, *@p out (borrowed): the
 * caller writes the strings into it and points c->text[] at them (rows may share a string);
 * the table frees the block, never a string of it on its own. The column must have no strings
 * yet. For tables of hundreds of thousands of rows: one allocation instead of one per row.
 * LB_ERR_NOMEM. */
lb_status lb_table_text_block(lb_ctx *ctx, lb_column *c, size_t bytes, char **out);

/* Give the table geometries: takes ownership of each wkb[i] (malloc'd). */
lb_status lb_table_set_geometry(lb_ctx *ctx, lb_table *t, size_t row, unsigned char *wkb,
                                size_t size);

/* Column by name, NULL when absent. Borrowed. */
lb_column *lb_table_col(const lb_table *t, const char *name);

/* Free everything. NULL is a no-op. */
void lb_table_destroy(lb_table *t);

#endif
