/* SPDX-License-Identifier: MIT */
/* Attribute tables as the columns of lb_attr_table: a thin adapter over the one table reader,
 * lb_vlayer_read_table_where (io/vector.c). */
#define _POSIX_C_SOURCE 200809L /* strcasecmp */

#include "attrtable.h"

#include "../core/ctx.h"
#include "vector.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void lb_attr_table_destroy(lb_attr_table *t)
{
    if (!t)
        return;
    for (size_t c = 0; c < t->n_cols; c++) {
        if (t->text && t->text[c])
            for (size_t r = 0; r < t->n_rows; r++)
                free(t->text[c][r]);
        if (t->text)
            free(t->text[c]);
        if (t->num)
            free(t->num[c]);
        if (t->names)
            free(t->names[c]);
    }
    free(t->text);
    free(t->num);
    free(t->names);
    free(t->fid);
    free(t->path);
    free(t->layer);
    free(t->driver);
    free(t);
}

long lb_attr_table_col(const lb_attr_table *t, const char *name)
{
    for (size_t c = 0; c < t->n_cols; c++)
        if (strcasecmp(t->names[c], name) == 0)
            return (long)c;
    return -1;
}

/* Hand the rows and fields of @p l over to a new table (the layer keeps what is not moved). */
static lb_status take_layer(lb_ctx *ctx, const char *path, lb_vlayer *l, lb_attr_table **out)
{
    lb_status st = LB_OK;
    size_t nc = l->n_fields ? l->n_fields : 1;
    lb_attr_table *t = calloc(1, sizeof(*t));
    if (!t) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory reading '%s'", path);
        goto cleanup;
    }
    t->path = lb_core_strdup(path);
    t->names = calloc(nc, sizeof(*t->names));
    t->num = calloc(nc, sizeof(*t->num));
    t->text = calloc(nc, sizeof(*t->text));
    if (!t->path || !t->names || !t->num || !t->text) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory reading '%s'", path);
        goto cleanup;
    }
    t->n_cols = l->n_fields;
    t->n_rows = l->n;
    t->layer = l->layer;
    l->layer = NULL;
    t->driver = l->driver;
    l->driver = NULL;
    t->has_geometry = l->has_geometry;
    t->data_line = t->driver && strcmp(t->driver, "CSV") == 0 ? 2 : 0;
    t->fid = l->fid;
    l->fid = NULL;
    for (size_t c = 0; c < l->n_fields; c++) {
        lb_field *f = &l->fields[c];
        t->names[c] = f->name;
        f->name = NULL;
        if (f->is_string) {
            t->text[c] = f->str;
            f->str = NULL;
        } else {
            /* numbers stay numbers: text[c] holds only NULLs (see attrtable.h) */
            t->num[c] = f->num;
            f->num = NULL;
            t->text[c] = calloc(l->n ? l->n : 1, sizeof(char *));
            if (!t->text[c]) {
                st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory reading '%s'", path);
                goto cleanup;
            }
        }
    }
    *out = t;
    t = NULL;
cleanup:
    lb_attr_table_destroy(t);
    return st;
}

lb_status lb_attr_table_read(lb_ctx *ctx, const char *path, const char *layer, lb_attr_table **out)
{
    return lb_attr_table_read_where(ctx, path, layer, NULL, out);
}

lb_status lb_attr_table_read_where(lb_ctx *ctx, const char *path, const char *layer,
                                   const char *where, lb_attr_table **out)
{
    /* The one table reader (lb_vlayer_read_table_where): the same CSV handling, number parser
     * and messages as every other table; the input is named by its file name. Text fields are
     * used as text here (codes, names), so no warning about values that are no number. */
    const char *slash = strrchr(path, '/');
    lb_source src = {.name = slash ? slash + 1 : path, .path = path, .layer = layer};
    lb_vlayer *l = NULL;
    lb_status st = lb_vlayer_read_table_where(ctx, &src, where, 0, &l);
    if (st == LB_OK)
        st = take_layer(ctx, path, l, out);
    lb_vlayer_destroy(l);
    return st;
}
