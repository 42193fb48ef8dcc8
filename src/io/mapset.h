/* SPDX-License-Identifier: MIT */
/* A map set: a Float32 raster of values and the Byte raster of their classes, with the QGIS
 * sidecars, the class raster's category names and optionally a PNG preview — what score runs
 * write per year and change writes per period. */
#ifndef LB_IO_MAPSET_H
#define LB_IO_MAPSET_H

#include "outdir.h"
#include "preview.h"
#include "write.h"

#include <json-c/json_object.h>

typedef struct lb_mapset {
    const char *value_stem; /* "scores" → <value_stem><suffix>.tif and .qml */
    const char *class_stem; /* "class" → <class_stem><suffix>.tif, .qml, .tif.aux.xml, .png */
    const char *suffix;     /* "_2022", "_2020_2022" or "" */
    const lb_grid *grid;
    size_t n_bands; /* value bands, produced one at a time by fill */
    lb_band_fill_fn fill;
    void *user;
    const char *const *names;         /* band descriptions */
    const char *const *units;         /* band units (may be NULL) */
    const unsigned char *classes;     /* lb_grid_ncells values, read after the value raster is
                                         written (fill may produce them) */
    const lb_class_table *classes_ct; /* legend of the classes, breaks for the value style */
    const lb_raster_opts *ro;
    int preview;
    const lb_preview_areas *areas; /* drawn over the preview; NULL: none */
} lb_mapset;

/* Write the set into the temporary directory of @p out and append every file name written to
 * the JSON array @p outputs. LB_OK or the first writer's error. */
lb_status lb_mapset_write(lb_ctx *ctx, const lb_outdir *out, const lb_mapset *m,
                          struct json_object *outputs);

#endif
