/* SPDX-License-Identifier: MIT */
/* The result of one call (include/leefbaar/result.h) from the inside: a container of named
 * tables and rasters (filled on demand by a callback), the provenance as JSON text, the
 * call's warnings, and the operation's own writer behind a small method table. */
#ifndef LB_DATA_RESULT_H
#define LB_DATA_RESULT_H

#include <leefbaar/result.h>

#include "table.h"

#include <stddef.h>

/* What lb_result_write() hands to an operation's writer: the write keys of the options,
 * parsed. Strings are borrowed from the options. */
/** The files of a score result that lb_result_write writes (lb_write_opts.outputs) (run.json is
 * always written). */
enum {
    LB_OUT_GPKG = 1 << 0,    /**< scores.gpkg layer <units> (with its QGIS style) */
    LB_OUT_GRID = 1 << 1,    /**< scores.gpkg layer grid: one polygon per scored cell */
    LB_OUT_GEOJSON = 1 << 2, /**< <units>.geojson and its QGIS sidecar <units>.qml */
    LB_OUT_CSV = 1 << 3,     /**< <units>.csv; with units "grid" grid.csv (the cells) */
    LB_OUT_TIF = 1 << 4,     /**< scores_<year>.tif and class_<year>.tif with sidecars */
    LB_OUT_ALL = (1 << 5) - 1
};

/** Parse a comma-separated list of output names (gpkg, grid, geojson, csv, tif, all) into
 *  LB_OUT_* bits in @p out. LB_ERR_ARG naming the unknown name (or an empty list). */
lb_status lb_result_outputs_parse(lb_ctx *ctx, const char *list, unsigned *out);

typedef struct lb_write_opts {
    const char *outdir;                  /* "output": required */
    int overwrite;                       /* "overwrite" */
    unsigned outputs;                    /* "outputs": LB_OUT_* bits of score; 0 = all */
    char csv_sep;                        /* "csv-sep": ',' (default) or ';' */
    int full_precision;                  /* "full-precision" */
    int geojson_rd;                      /* "geojson-crs rd" */
    const char *raster_format;           /* "of": NULL = COG */
    const char *const *creation_options; /* "co": NAME=VALUE, NULL-terminated; NULL = none */
    int preview;                         /* "preview" */
    const char *basename;                /* diagnose's "name": NULL = the wijk code */
    int viewer;                          /* "viewer": also OUTDIR/viewer (score, change) */
    const char *viewer_lib;              /* "viewer-lib": the web-map library's folder */
    const char *viewer_title;            /* "viewer-title": the page's title; NULL = default */
} lb_write_opts;

/* Fill band @p band (0-based) of raster @p r into @p out (nx * ny, north row first, NaN =
 * no data); @p user is the raster's payload. */
typedef lb_status (*lb_raster_fill_fn)(lb_ctx *ctx, const lb_raster *r, size_t band, float *out,
                                       void *user);

struct lb_raster {
    char *name;
    size_t nx, ny, n_bands;
    double gt[6];
    char **band_names; /* n_bands names */
    lb_raster_fill_fn fill;
    void *user; /* borrowed: the result's payload (or part of it) outlives the raster */
};

/* What each operation plugs into its results. */
typedef struct lb_result_ops {
    /* Write @p r's files as the command line does. */
    lb_status (*write)(lb_ctx *ctx, const lb_result *r, const lb_write_opts *w);
    /* Free the payload (NULL for a payload that needs no freeing). */
    void (*destroy)(void *payload);
} lb_result_ops;

struct lb_result {
    char *operation;
    lb_table **tables;
    size_t n_tables, cap_tables;
    lb_raster **rasters;
    size_t n_rasters, cap_rasters;
    char *provenance; /* JSON text; NULL until set ("{}" is reported then) */
    char **warnings;
    size_t n_warnings;
    const lb_result_ops *ops; /* NULL: the result writes no files */
    void *payload;            /* the operation's state for its writer and raster fills */
};

/* Create an empty result of @p operation; @p ops may be NULL. The payload is set with
 * lb_result_set_payload. *out is owned by the caller (lb_result_destroy). */
lb_status lb_result_create(lb_ctx *ctx, const char *operation, const lb_result_ops *ops,
                           lb_result **out);

/* Give @p r the operation's payload, freed by ops->destroy when @p r is destroyed. */
void lb_result_set_payload(lb_result *r, void *payload);

/* The payload (borrowed). */
void *lb_result_payload(const lb_result *r);

/* Add table @p t under @p name (copied into t->name). Takes ownership of @p t, also on
 * failure (then it is destroyed). LB_ERR_ARG for a name already used. */
lb_status lb_result_add_table(lb_ctx *ctx, lb_result *r, const char *name, lb_table *t);

/* Add a raster of @p n_bands bands named @p band_names (copied), filled by @p fill with
 * @p user. @p out (may be NULL) receives it, borrowed. */
lb_status lb_result_add_raster(lb_ctx *ctx, lb_result *r, const char *name, size_t nx, size_t ny,
                               const double gt[6], size_t n_bands, const char *const *band_names,
                               lb_raster_fill_fn fill, void *user, lb_raster **out);

/* Set the provenance (run.json document) as JSON text, copied. */
lb_status lb_result_set_provenance(lb_ctx *ctx, lb_result *r, const char *json);

/* Copy the warnings collected on @p ctx (since the call reset them) into @p r. */
lb_status lb_result_take_warnings(lb_ctx *ctx, lb_result *r);

/* Write @p r with already parsed write options (what lb_result_write does after reading the
 * write keys). LB_ERR_ARG when the result writes no files. */
lb_status lb_result_write_with(lb_ctx *ctx, const lb_result *r, const lb_write_opts *w);

#endif
