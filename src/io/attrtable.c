/* SPDX-License-Identifier: MIT */
/* Reading whole attribute tables through OGR, geometry or not. */
#define _POSIX_C_SOURCE 200809L /* strcasecmp */

#include "attrtable.h"

#include "../core/ctx.h"
#include "gdal_env.h"

#include <errno.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

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

/* Grow every per-row array to hold @p cap rows. */
static int grow_rows(lb_attr_table *t, size_t cap)
{
    int64_t *fid = realloc(t->fid, cap * sizeof(*fid));
    if (!fid)
        return 0;
    t->fid = fid;
    for (size_t c = 0; c < t->n_cols; c++) {
        char **tx = realloc(t->text[c], cap * sizeof(*tx));
        if (!tx)
            return 0;
        t->text[c] = tx;
        if (t->num[c]) {
            double *v = realloc(t->num[c], cap * sizeof(*v));
            if (!v)
                return 0;
            t->num[c] = v;
        }
    }
    return 1;
}

static lb_status read_rows(lb_ctx *ctx, lb_attr_table *t, OGRLayerH lyr)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    int nf = OGR_FD_GetFieldCount(defn);
    t->n_cols = (size_t)(nf > 0 ? nf : 0);
    size_t nc = t->n_cols ? t->n_cols : 1;
    t->names = calloc(nc, sizeof(*t->names));
    t->num = calloc(nc, sizeof(*t->num));
    t->text = calloc(nc, sizeof(*t->text));
    if (!t->names || !t->num || !t->text)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory reading '%s'", t->path);
    size_t cap = 64;
    for (size_t c = 0; c < t->n_cols; c++) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, (int)c);
        OGRFieldType ty = OGR_Fld_GetType(fd);
        t->names[c] = lb_strdup(OGR_Fld_GetNameRef(fd));
        t->text[c] = calloc(cap, sizeof(char *));
        if (ty == OFTInteger || ty == OFTInteger64 || ty == OFTReal)
            t->num[c] = malloc(cap * sizeof(double));
        if (!t->names[c] || !t->text[c] ||
            ((ty == OFTInteger || ty == OFTInteger64 || ty == OFTReal) && !t->num[c]))
            return lb_error(ctx, LB_ERR_NOMEM, "out of memory reading '%s'", t->path);
    }
    t->fid = malloc(cap * sizeof(*t->fid));
    if (!t->fid)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory reading '%s'", t->path);
    OGR_L_ResetReading(lyr);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
        if (t->n_rows == cap) {
            cap *= 2;
            if (!grow_rows(t, cap)) {
                OGR_F_Destroy(f);
                return lb_error(ctx, LB_ERR_NOMEM, "out of memory reading '%s'", t->path);
            }
        }
        size_t r = t->n_rows;
        t->fid[r] = OGR_F_GetFID(f);
        int ok = 1;
        for (size_t c = 0; c < t->n_cols; c++) {
            int set = OGR_F_IsFieldSetAndNotNull(f, (int)c);
            t->text[c][r] = NULL;
            if (t->num[c]) {
                double v = set ? OGR_F_GetFieldAsDouble(f, (int)c) : NAN;
                t->num[c][r] = isfinite(v) ? v : NAN;
            }
            if (set && !t->num[c] &&
                !(t->text[c][r] = lb_strdup(OGR_F_GetFieldAsString(f, (int)c))))
                ok = 0;
        }
        t->n_rows++;
        OGR_F_Destroy(f);
        if (!ok)
            return lb_error(ctx, LB_ERR_NOMEM, "out of memory reading '%s'", t->path);
    }
    return LB_OK;
}

lb_status lb_attr_table_read(lb_ctx *ctx, const char *path, const char *layer, lb_attr_table **out)
{
    lb_gdal_init();
    struct stat sb;
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
    /* A CSV of scores always has a header line; GDAL would take a first line holding a number
     * (a row-number column named "1") for data. */
    if (strcmp(GDALGetDriverShortName(GDALGetDatasetDriver(ds)), "CSV") == 0) {
        static const char *const csv_open[] = {"HEADERS=YES", NULL};
        GDALClose(ds);
        lb_cpl_begin(&cap);
        ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR, NULL,
                        csv_open, NULL);
        lb_cpl_end(&cap);
        if (!ds)
            return lb_error(ctx, LB_ERR_IO, "'%s' is not a readable CSV table (%s)", path, cap.msg);
    }
    lb_status st = LB_OK;
    lb_attr_table *t = calloc(1, sizeof(*t));
    if (!t) {
        GDALClose(ds);
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    t->path = lb_strdup(path);
    int nl = GDALDatasetGetLayerCount(ds);
    OGRLayerH lyr = NULL;
    if (nl == 0) {
        st = lb_error(ctx, LB_ERR_DATA, "'%s' holds no table", path);
    } else if (!layer) {
        lyr = GDALDatasetGetLayer(ds, 0);
    } else if (!(lyr = GDALDatasetGetLayerByName(ds, layer))) {
        char list[768] = "";
        for (int i = 0; i < nl; i++)
            lb_list_append(list, sizeof(list), OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
        st = lb_error(ctx, LB_ERR_DATA, "'%s' has no layer '%s' (layers: %s)", path, layer, list);
    }
    if (st == LB_OK) {
        const char *drv = GDALGetDriverShortName(GDALGetDatasetDriver(ds));
        t->layer = lb_strdup(OGR_L_GetName(lyr));
        t->driver = lb_strdup(drv);
        t->has_geometry = OGR_FD_GetGeomFieldCount(OGR_L_GetLayerDefn(lyr)) > 0;
        t->data_line = strcmp(drv, "CSV") == 0 ? 2 : 0;
        if (!t->path || !t->layer || !t->driver)
            st = lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    if (st == LB_OK)
        st = read_rows(ctx, t, lyr);
    if (st == LB_OK && t->n_rows == 0)
        st = lb_error(ctx, LB_ERR_DATA, "'%s' layer '%s' has no rows", path, t->layer);
    GDALClose(ds);
    if (st != LB_OK) {
        lb_attr_table_destroy(t);
        return st;
    }
    *out = t;
    return LB_OK;
}
