/* SPDX-License-Identifier: MIT */
/* Values raster + class raster + QGIS sidecars + preview, in one place for score and change. */
#include "mapset.h"

#include "../core/ctx.h"
#include "preview.h"
#include "style.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>

lb_status lb_mapset_write(lb_ctx *ctx, const lb_outdir *out, const lb_mapset *m,
                          struct json_object *outputs)
{
    const lb_style value_style = {
        .kind = LB_STYLE_RASTER_BREAKS, .classes = m->classes_ct, .band = 1};
    const lb_style class_style = {
        .kind = LB_STYLE_RASTER_CLASSES, .classes = m->classes_ct, .band = 1};
    /* in this order (the preview only when asked for): the values are written first, since
     * their fill may produce the classes */
    enum { VALUES, VALUES_QML, CLASSES, CLASSES_QML, PREVIEW, N_OUT };
    const char *const stem[N_OUT][2] = {{m->value_stem, ".tif"},
                                        {m->value_stem, ".qml"},
                                        {m->class_stem, ".tif"},
                                        {m->class_stem, ".qml"},
                                        {m->class_stem, ".png"}};
    lb_status st = LB_OK;
    for (int f = 0; st == LB_OK && f < N_OUT - !m->preview; f++) {
        char file[256];
        snprintf(file, sizeof(file), "%s%s%s", stem[f][0], m->suffix, stem[f][1]);
        char *path = lb_outdir_tmp_path(out, file);
        if (!path)
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        else if (f == VALUES)
            st = lb_write_raster_float_bands(ctx, path, m->grid, m->n_bands, m->fill, m->user,
                                             m->names, m->units, m->ro);
        else if (f == VALUES_QML || f == CLASSES_QML)
            st = lb_style_write_qml(ctx, path, f == VALUES_QML ? &value_style : &class_style);
        else if (f == CLASSES)
            st = lb_write_raster_classes(ctx, path, m->grid, m->classes, m->classes_ct, m->ro);
        else
            st = lb_preview_png(ctx, path, m->grid, m->classes, m->classes_ct, 1, m->areas);
        free(path);
        if (st == LB_OK)
            json_object_array_add(outputs, json_object_new_string(file));
        if (st == LB_OK && f == CLASSES) { /* the category names */
            char *aux = lb_core_strfmt("%s.aux.xml", file);
            json_object_array_add(outputs, aux ? json_object_new_string(aux) : NULL);
            free(aux);
        }
    }
    return st;
}
