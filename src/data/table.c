/* SPDX-License-Identifier: MIT */
/* Result tables: typed columns plus optional RD geometry per row. */
#include "table.h"

#include "../core/bigmem.h"
#include "../core/ctx.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

lb_status lb_table_create(lb_ctx *ctx, size_t n_rows, lb_table **out)
{
    lb_table *t = calloc(1, sizeof(*t));
    if (!t)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for a table of %zu rows", n_rows);
    t->n_rows = n_rows;
    t->cols = calloc(LB_TABLE_MAX_COLS, sizeof(*t->cols));
    if (!t->cols) {
        free(t);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for a table of %zu rows", n_rows);
    }
    *out = t;
    return LB_OK;
}

/* lb_table_add, or with @p reals (taken, also on failure) a real column holding them. */
static lb_status add_column(lb_ctx *ctx, lb_table *t, const char *name, lb_col_type type,
                            double *reals, lb_column **out)
{
    if (t->n_cols == LB_TABLE_MAX_COLS) {
        free(reals);
        return lb_ctx_error(ctx, LB_ERR_ARG, "a table has at most %d columns; cannot add '%s'",
                            LB_TABLE_MAX_COLS, name);
    }
    lb_column *c = &t->cols[t->n_cols];
    memset(c, 0, sizeof(*c));
    c->name = lb_core_strdup(name);
    c->type = type;
    c->decimals = -1;
    size_t n = t->n_rows ? t->n_rows : 1;
    int ok = c->name != NULL;
    /* a national grid's columns are MBs each: on huge pages, not faulted in page by page */
    if (ok && reals) {
        c->real = reals;
    } else if (ok && type == LB_COL_REAL) {
        c->real = lb_bigmem_alloc(n * sizeof(double));
        ok = c->real != NULL;
        for (size_t i = 0; ok && i < t->n_rows; i++)
            c->real[i] = NAN;
    } else if (ok && type == LB_COL_INT) {
        c->integer = lb_bigmem_alloc(n * sizeof(int64_t));
        ok = c->integer != NULL;
        for (size_t i = 0; ok && i < t->n_rows; i++)
            c->integer[i] = LB_INT_NULL;
    } else if (ok) {
        c->text = lb_bigmem_alloc(n * sizeof(char *));
        ok = c->text != NULL;
        for (size_t i = 0; ok && i < n; i++)
            c->text[i] = NULL;
    }
    if (!ok) {
        free(reals); /* not the column's: only its name can have failed */
        free(c->name);
        free(c->real);
        free(c->integer);
        free(c->text);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory adding column '%s'", name);
    }
    t->n_cols++;
    *out = c;
    return LB_OK;
}

lb_status lb_table_add(lb_ctx *ctx, lb_table *t, const char *name, lb_col_type type,
                       lb_column **out)
{
    return add_column(ctx, t, name, type, NULL, out);
}

lb_status lb_table_add_reals(lb_ctx *ctx, lb_table *t, const char *name, double *values,
                             lb_column **out)
{
    return add_column(ctx, t, name, LB_COL_REAL, values, out);
}

lb_status lb_table_text_block(lb_ctx *ctx, lb_column *c, size_t bytes, char **out)
{
    if (c->type != LB_COL_TEXT || c->text_block)
        return lb_ctx_error(ctx, LB_ERR_INTERNAL, "column '%s' cannot take a text block", c->name);
    c->text_block = lb_bigmem_alloc(bytes);
    if (!c->text_block)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the %zu bytes of column '%s'",
                            bytes, c->name);
    *out = c->text_block;
    return LB_OK;
}

lb_status lb_table_set_geometry(lb_ctx *ctx, lb_table *t, size_t row, unsigned char *wkb,
                                size_t size)
{
    if (!t->wkb) {
        size_t n = t->n_rows ? t->n_rows : 1;
        t->wkb = calloc(n, sizeof(*t->wkb));
        t->wkb_size = calloc(n, sizeof(*t->wkb_size));
        if (!t->wkb || !t->wkb_size) {
            free(wkb);
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for table geometries");
        }
    }
    free(t->wkb[row]);
    t->wkb[row] = wkb;
    t->wkb_size[row] = size;
    return LB_OK;
}

lb_column *lb_table_col(const lb_table *t, const char *name)
{
    for (size_t i = 0; i < t->n_cols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return &t->cols[i];
    return NULL;
}

void lb_table_destroy(lb_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_cols; i++) {
        lb_column *c = &t->cols[i];
        if (c->text && !c->text_block)
            for (size_t r = 0; r < t->n_rows; r++)
                free(c->text[r]);
        free(c->text_block);
        free(c->text);
        free(c->real);
        free(c->integer);
        free(c->name);
    }
    free(t->cols);
    if (t->wkb)
        for (size_t r = 0; r < t->n_rows; r++)
            free(t->wkb[r]);
    free(t->wkb);
    free(t->wkb_size);
    free(t->name);
    free(t);
}
