/* SPDX-License-Identifier: MIT */
/* QGIS styles for the outputs: QML documents built from a class table (score classes,
 * dimension classes or development classes alike), .qml sidecars that QGIS applies when it
 * opens a file, the GeoPackage table layer_styles that QGIS reads a layer's styles from, and
 * per-year GeoPackage views that QGIS lists as layers of their own. */
#ifndef LB_IO_STYLE_H
#define LB_IO_STYLE_H

#include "write.h"

typedef enum lb_style_kind {
    LB_STYLE_RASTER_CLASSES, /* a class raster: paletted, pixel value k is class k */
    LB_STYLE_RASTER_BREAKS,  /* a continuous raster: discrete pseudocolour on the table's breaks */
    LB_STYLE_VECTOR_CLASSES, /* polygons categorized on a class field (integer 1..n, or the
                                values given) */
    LB_STYLE_VECTOR_OUTLINE, /* polygons as one hollow symbol: outline in colours[0], legend
                                entry labels[0] (focus areas drawn over other layers) */
} lb_style_kind;

/* What to style and how. Pointers are borrowed. */
typedef struct lb_style {
    lb_style_kind kind;
    const lb_class_table *classes;
    const char *field; /* VECTOR_CLASSES: the class field, e.g. "kscore" */
    int band;          /* RASTER_*: 1-based band; 0 means 1 */
    int outline;       /* VECTOR_CLASSES: 1 = thin grey outlines (areas), 0 = none (grid cells) */
    const char *const *values; /* VECTOR_CLASSES: the field's value of class k as text
                                  ("ring_0_250"); NULL = the class numbers 1..n */
} lb_style;

/* The legend of a dimension score (a deviation from the reference, centred on 0): the classes
 * of lb_model_classify() on @p bands (8 ascending cut-points), labelled with a word and the
 * range ("iets zwakker (−0,05 tot −0,02)"), coloured red → pale → green. Filled in place;
 * out->ct points into *out (do not copy the struct). @p title may be NULL. */
typedef struct lb_style_dim_legend {
    double bands[8];
    char text[9][96];
    const char *labels[9];
    char title[128];
    lb_class_table ct;
} lb_style_dim_legend;
void lb_style_dim_legend_init(lb_style_dim_legend *out, const double bands[8], const char *title);

/* The QML document for @p s (UTF-8, every attribute value XML-escaped). Classes are exact on
 * class rasters and class fields. RASTER_BREAKS needs the table's breaks; QGIS's discrete shader
 * puts a value equal to a break in the lower class (the class raster and class fields, made from
 * unrounded scores, put it in the upper one). *out is the caller's (free()).
 * LB_OK, LB_ERR_ARG (bad class table, no field, no breaks), LB_ERR_NOMEM. */
lb_status lb_style_qml(lb_ctx *ctx, const lb_style *s, char **out);

/* Write lb_style_qml() to @p path, replacing a file of that name.
 * LB_OK, LB_ERR_ARG, LB_ERR_IO (path in the message), LB_ERR_NOMEM. */
lb_status lb_style_write_qml(lb_ctx *ctx, const char *path, const lb_style *s);

struct json_object;
struct lb_outdir;
/* A class map a planner drags into QGIS: BASE.tif (@p classes on @p g, paletted with @p ct's
 * colours and category names, see lb_write_raster_classes) and its sidecar BASE.qml, both into
 * @p out's temporary directory; their names (BASE.tif, BASE.tif.aux.xml, BASE.qml) are appended
 * to @p outputs. */
lb_status lb_style_write_class_map(lb_ctx *ctx, const struct lb_outdir *out, const char *base,
                                   const lb_grid *g, const unsigned char *classes,
                                   const lb_class_table *ct, const lb_raster_opts *ro,
                                   struct json_object *outputs);

/* The QGIS sidecar of a data file: same directory and base name, extension ".qml" (QGIS looks
 * for "scores_2022.qml" beside "scores_2022.tif"). Caller frees; NULL when out of memory. */
char *lb_style_sidecar_path(const char *data_path);

/* Store @p s in GeoPackage @p gpkg as style @p style_name (NULL = the layer name) of layer
 * @p layer, in the table layer_styles with QGIS's schema (created when absent, through OGR).
 * With @p as_default the style becomes the layer's default (an earlier default is cleared), so
 * QGIS opens the layer styled. A style of the same name for the layer is replaced.
 * @p description may be NULL. LB_OK, LB_ERR_ARG, LB_ERR_IO (no such layer, GDAL failures),
 * LB_ERR_NOMEM. */
lb_status lb_io_gpkg_add_style(lb_ctx *ctx, const char *gpkg, const char *layer, const lb_style *s,
                               const char *style_name, const char *description, int as_default);

/* Add to GeoPackage @p gpkg the view @p view: the rows of layer @p base whose integer field
 * @p field equals @p value (all fields, the base's fid and geometry), registered in
 * gpkg_contents and gpkg_geometry_columns so that GDAL and QGIS list it as a layer of its own
 * (e.g. "buurten_2022" of the long layer "buurten"); an index on the base's @p field is created
 * once. The view has no rows of its own: the file grows by a few hundred bytes.
 * LB_OK, LB_ERR_ARG, LB_ERR_IO (no such layer, SQLite errors, a view of that name), LB_ERR_NOMEM.
 */
lb_status lb_io_gpkg_add_view(lb_ctx *ctx, const char *gpkg, const char *base, const char *view,
                              const char *field, long long value);

#endif
