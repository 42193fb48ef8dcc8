/* SPDX-License-Identifier: MIT */
/* Development between two years (lb_change_run): the pieces tests reach directly. */
#ifndef LB_CHANGE_CHANGE_H
#define LB_CHANGE_CHANGE_H

#include <leefbaar/change.h>

#include "../model/model.h"

#include <stddef.h>

/* Development class of @p delta on @p n ascending cuts: 1 + #{cuts <= delta} (a Δ equal to a
 * cut belongs to the upper class, as lb_classify); 0 for NaN. */
int lb_dev_class(double delta, const double *cuts, size_t n);

/* The development table a run uses: custom cuts (labels and colours of the default table with
 * as many classes), or the default table of @p dev_classes (7 or 9) when the model's has
 * another size, else the model's. @p model_* is the scores' table (model or default).
 * LB_ERR_ARG for a bad count or cuts that do not ascend. Strings in @p out are borrowed. */
typedef struct lb_dev_choice {
    size_t n_cuts;
    double cuts[LB_MAX_DEV_CLASSES - 1];
    const char *labels[LB_MAX_DEV_CLASSES];
    const char *colours[LB_MAX_DEV_CLASSES];
} lb_dev_choice;

lb_status lb_dev_choose(lb_ctx *ctx, const lb_change_options *o, size_t model_n_cuts,
                        const double *model_cuts, char *const *model_labels,
                        char *const *model_colours, lb_dev_choice *out);

#endif
