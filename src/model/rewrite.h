/* SPDX-License-Identifier: MIT */
/* A model file's text with new coefficients, REF, stored means and calibration block, the rest
 * of the text (comments, order, layout) kept byte for byte. */
#ifndef LB_MODEL_REWRITE_H
#define LB_MODEL_REWRITE_H

#include "model.h"

#include <stddef.h>

typedef struct lb_model_edit {
    const double *coef; /* n_ind new coefficients in the file's order (NaN = keep); NULL = none */
    size_t n_ind;
    int set_ref; /* 1: REF becomes @p ref (written where the file has it, else added) */
    double ref;
    const double *means; /* n_dims stored means M_d replacing those the file has (NaN = keep);
                            NULL = keep. A file without reference.means gets none. */
    const char *const *dim_codes; /* n_dims dimension codes, for @p means */
    size_t n_dims;
    const char *calibration; /* YAML text appended at the end ("calibration:\n  ..."),
                                replacing a calibration block the file has; NULL = keep */
} lb_model_edit;

/* The text of model file @p path (@p buf, @p len bytes, as read) with the edits @p e applied
 * at the libyaml marks of the scalars they replace. *out (NUL-terminated, *out_len bytes) is
 * the caller's (free). LB_ERR_MODEL when the text is not a model the edits fit (the message
 * names @p path), LB_ERR_NOMEM. */
lb_status lb_model_rewrite(lb_ctx *ctx, const char *path, const unsigned char *buf, size_t len,
                           const lb_model_edit *e, char **out, size_t *out_len);

/* The bytes of model file @p path, NUL-terminated (the terminator not counted in *len). *out is
 * the caller's (free). LB_ERR_IO naming the file, LB_ERR_NOMEM. */
lb_status lb_model_read_text(lb_ctx *ctx, const char *path, unsigned char **out, size_t *len);

#endif
