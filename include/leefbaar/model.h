/* SPDX-License-Identifier: MIT */
/* Model files: the declarative description of indicators, dimensions, reference and classes. */
#ifndef LEEFBAAR_MODEL_H
#define LEEFBAAR_MODEL_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A parsed, validated model. Opaque. */
typedef struct lb_model lb_model;

/**
 * Load and validate a model file (YAML). Errors name the file, line and column, e.g.
 * "models/x.yaml:12:5: unknown indicator kind 'nearest' (kinds: attribute, ratio, ...)".
 * @param path the model file.
 * @param out receives the model; free it with lb_model_destroy().
 * @return LB_OK, LB_ERR_IO (cannot read), LB_ERR_MODEL (malformed or inconsistent), LB_ERR_NOMEM.
 */
LB_API lb_status lb_model_load(lb_ctx *ctx, const char *path, lb_model **out);

/** Destroy a model. NULL is a no-op. */
LB_API void lb_model_destroy(lb_model *m);

/** Model name and version as declared ("leefbaar-default", 1). Borrowed. */
LB_API const char *lb_model_name(const lb_model *m);
LB_API int lb_model_version(const lb_model *m);

/** SHA-256 of the model file's bytes as 64 hex digits. Borrowed. */
LB_API const char *lb_model_hash(const lb_model *m);

/** Number of dimensions, and the code / label of dimension @p i. Borrowed strings. */
LB_API size_t lb_model_dimension_count(const lb_model *m);
LB_API const char *lb_model_dimension_code(const lb_model *m, size_t i);
LB_API const char *lb_model_dimension_label(const lb_model *m, size_t i);

/** Number of indicators, and a one-line description of indicator @p i, e.g.
 *  "social_rent_share  won  ratio(buurten: P_HUURCORP/WONINGEN)  zscore  coef -0.020".
 *  Written into @p buf (truncated to @p size). */
LB_API size_t lb_model_indicator_count(const lb_model *m);
LB_API void lb_model_indicator_describe(const lb_model *m, size_t i, char *buf, size_t size);

/** The distinct input names the model's indicators and weight refer to, in order of first
 *  use. Borrowed; @p i < lb_model_input_count(). */
LB_API size_t lb_model_input_count(const lb_model *m);
LB_API const char *lb_model_input_name(const lb_model *m, size_t i);

#ifdef __cplusplus
}
#endif

#endif
