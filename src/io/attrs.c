/* SPDX-License-Identifier: MIT */
/* Attribute tables as text through OGR: code lists and lookup tables. */
#include "attrs.h"

#include "../core/ctx.h"
#include "gdal_env.h"

#include <errno.h>
#include <gdal.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

void lb_attrs_destroy(lb_attrs *a)
{
    if (!a)
        return;
    if (a->cell)
        for (size_t i = 0; i < a->n_rows * a->n_fields; i++)
            free(a->cell[i]);
    if (a->field)
        for (size_t f = 0; f < a->n_fields; f++)
            free(a->field[f]);
    free(a->cell);
    free(a->field);
    free(a->path);
    free(a->layer);
    free(a);
}

int lb_attrs_field(const lb_attrs *a, const char *name)
{
    for (size_t f = 0; f < a->n_fields; f++)
        if (strcasecmp(a->field[f], name) == 0)
            return (int)f;
    return -1;
}

static OGRLayerH find_layer(lb_ctx *ctx, GDALDatasetH ds, const char *path, const char *layer)
{
    int nl = GDALDatasetGetLayerCount(ds);
    if (nl == 0) {
        lb_error(ctx, LB_ERR_DATA, "'%s' holds no table or vector layer", path);
        return NULL;
    }
    if (!layer)
        return GDALDatasetGetLayer(ds, 0);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, layer);
    if (l)
        return l;
    char list[768] = "";
    for (int i = 0; i < nl; i++)
        lb_list_append(list, sizeof(list), OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
    lb_error(ctx, LB_ERR_DATA, "'%s' has no layer '%s' (layers: %s)", path, layer, list);
    return NULL;
}

/* Append the text cells of one feature; 0 on out of memory. */
static int add_row(lb_attrs *a, OGRFeatureH f, size_t *cap)
{
    if (a->n_rows == *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        char **c = realloc(a->cell, nc * (a->n_fields ? a->n_fields : 1) * sizeof(*c));
        if (!c)
            return 0;
        a->cell = c;
        *cap = nc;
    }
    char **row = a->cell + a->n_rows * a->n_fields;
    for (size_t k = 0; k < a->n_fields; k++)
        row[k] = NULL;
    a->n_rows++;
    for (size_t k = 0; k < a->n_fields; k++) {
        if (!OGR_F_IsFieldSetAndNotNull(f, (int)k))
            continue;
        row[k] = lb_strdup(OGR_F_GetFieldAsString(f, (int)k));
        if (!row[k])
            return 0;
    }
    return 1;
}

lb_status lb_attrs_read(lb_ctx *ctx, const char *path, const char *layer, const char *where,
                        lb_attrs **out)
{
    lb_gdal_init();
    struct stat sb;
    if (!path)
        return lb_error(ctx, LB_ERR_ARG, "a table path is required");
    if (stat(path, &sb) != 0 && strncmp(path, "/vsi", 4) != 0)
        return lb_error(ctx, LB_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    lb_cpl_capture cap;
    lb_cpl_begin(&cap);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                                 NULL, NULL, NULL);
    lb_cpl_end(&cap);
    if (!ds)
        return lb_error(ctx, LB_ERR_IO, "'%s' is not a readable table (%s)", path,
                        cap.msg[0] ? cap.msg : "no driver recognises it");
    lb_status st = LB_OK;
    lb_attrs *a = calloc(1, sizeof(*a));
    OGRLayerH lyr = a ? find_layer(ctx, ds, path, layer) : NULL;
    if (!a) {
        st = lb_error(ctx, LB_ERR_NOMEM, "out of memory reading '%s'", path);
        goto cleanup;
    }
    if (!lyr) {
        st = LB_ERR_DATA;
        goto cleanup;
    }
    a->path = lb_strdup(path);
    a->layer = lb_strdup(OGR_L_GetName(lyr));
    a->has_geometry = OGR_L_GetGeomType(lyr) != wkbNone;
    if (where) {
        lb_cpl_begin(&cap);
        OGRErr e = OGR_L_SetAttributeFilter(lyr, where);
        lb_cpl_end(&cap);
        if (e != OGRERR_NONE) {
            st = lb_error(ctx, LB_ERR_DATA, "'%s' layer '%s': bad filter \"%s\": %s", path,
                          a->layer, where, cap.msg);
            goto cleanup;
        }
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    int nf = OGR_FD_GetFieldCount(defn);
    a->n_fields = nf > 0 ? (size_t)nf : 0;
    a->field = calloc(a->n_fields ? a->n_fields : 1, sizeof(*a->field));
    if (!a->field || !a->path || !a->layer) {
        st = lb_error(ctx, LB_ERR_NOMEM, "out of memory reading '%s'", path);
        goto cleanup;
    }
    for (size_t k = 0; k < a->n_fields; k++)
        if (!(a->field[k] = lb_strdup(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, (int)k))))) {
            st = lb_error(ctx, LB_ERR_NOMEM, "out of memory reading '%s'", path);
            goto cleanup;
        }
    size_t cap_rows = 0;
    OGRFeatureH f;
    OGR_L_ResetReading(lyr);
    while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
        int ok = add_row(a, f, &cap_rows);
        OGR_F_Destroy(f);
        if (!ok) {
            st = lb_error(ctx, LB_ERR_NOMEM, "out of memory reading '%s'", path);
            goto cleanup;
        }
    }
    if (a->n_rows == 0) {
        st = lb_error(ctx, LB_ERR_DATA, "'%s' layer '%s'%s%s%s has no rows", path, a->layer,
                      where ? " (filter \"" : "", where ? where : "", where ? "\")" : "");
        goto cleanup;
    }
    *out = a;
    a = NULL;
cleanup:
    lb_attrs_destroy(a);
    GDALClose(ds);
    return st;
}
