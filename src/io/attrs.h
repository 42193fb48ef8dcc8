/* SPDX-License-Identifier: MIT */
/* Attribute tables as text: any OGR layer (CSV, GPKG, DBF, ...) with or without geometry,
 * for lookups such as code lists and gemeente -> region tables. */
#ifndef LB_IO_ATTRS_H
#define LB_IO_ATTRS_H

#include <leefbaar/core.h>

#include <stddef.h>

typedef struct lb_attrs {
    char *path;
    char *layer;
    size_t n_rows, n_fields;
    char **field;     /* field names */
    char **cell;      /* cell[row * n_fields + field]; NULL = NULL/unset */
    int has_geometry; /* the layer has a geometry column */
} lb_attrs;

/* Read every feature of @p layer (NULL: the first) of @p path, all fields as text, keeping
 * features without geometry. @p where (may be NULL) is an OGR SQL attribute filter. Errors
 * name the file and layer (missing file, no such layer listing the layers, bad filter, no
 * rows). *out is owned by the caller (lb_attrs_destroy). */
lb_status lb_attrs_read(lb_ctx *ctx, const char *path, const char *layer, const char *where,
                        lb_attrs **out);

/* Free. NULL is a no-op. */
void lb_attrs_destroy(lb_attrs *a);

/* Index of field @p name (case-insensitive), or -1. */
int lb_attrs_field(const lb_attrs *a, const char *name);

/* Cell text (borrowed; NULL when null). */
static inline const char *lb_attrs_cell(const lb_attrs *a, size_t row, int field)
{
    return field < 0 ? NULL : a->cell[row * a->n_fields + (size_t)field];
}

#endif
