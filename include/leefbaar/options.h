/* SPDX-License-Identifier: MIT */
/* Options of an operation as an opaque handle with string setters: keys are the long option
 * names of the command line, so adding an option never changes a caller's binary layout. */
#ifndef LEEFBAAR_OPTIONS_H
#define LEEFBAAR_OPTIONS_H

#include "core.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The options of one call of one operation. Opaque; create with lb_opts_create(). */
typedef struct lb_opts lb_opts;

/**
 * Create an empty option set for @p operation: "score", "change", "diagnose", "waterbed",
 * "scores" (lb_scores_open) or "demo".
 * @param out receives the new set; the caller frees it with lb_opts_destroy().
 * @return LB_OK; LB_ERR_ARG for an unknown operation (the message lists the operations);
 *         LB_ERR_NOMEM.
 */
LB_API lb_status lb_opts_create(lb_ctx *ctx, const char *operation, lb_opts **out);

/** Free an option set. NULL is a no-op. */
LB_API void lb_opts_destroy(lb_opts *o);

/** The operation @p o was created for ("score", ...). Borrowed, static. */
LB_API const char *lb_opts_operation(const lb_opts *o);

/**
 * Set @p key (a long option name without "--", e.g. "model", "input", "year", "csv-sep") to
 * @p value exactly as the command line would take it. A flag ("preview", "overwrite", ...)
 * takes NULL or "true"/"false" (also "1"/"0", "yes"/"no"). A repeatable key ("input",
 * "scores", "where", "join", "co", ...) appends @p value to its list; any other key replaces
 * its value. The value is checked here (a number, one of a few words, NAME=VALUE, ...) and
 * copied.
 * @return LB_OK; LB_ERR_ARG for an unknown key (the message lists the operation's keys) or a
 *         value that does not parse (the message names the key and the value; @p o is then
 *         unchanged); LB_ERR_NOMEM.
 */
LB_API lb_status lb_opts_set(lb_ctx *ctx, lb_opts *o, const char *key, const char *value);

/** The value of @p key as set (for a list its last item; a flag "true" or "false"); NULL when
 *  unset or not a key of the operation. Borrowed: valid until @p key is set or cleared. */
LB_API const char *lb_opts_get(const lb_opts *o, const char *key);

/** Unset @p key (a list becomes empty). LB_OK, or LB_ERR_ARG for an unknown key. */
LB_API lb_status lb_opts_clear(lb_ctx *ctx, lb_opts *o, const char *key);

/**
 * Check that @p o is complete for its operation: the required keys and the combinations the
 * operation needs (e.g. change: "from" and "to", or "scores"). With @p writing non-zero also
 * what lb_result_write() needs ("output"). Every operation calls this first; a command line
 * calls it to tell a usage error from a failed run.
 * @return LB_OK or LB_ERR_ARG naming what is missing.
 */
LB_API lb_status lb_opts_check(lb_ctx *ctx, const lb_opts *o, int writing);

/* Introspection, for bindings, shell completion and manual pages: the operation's keys in
 * the order of its --help. Strings are borrowed and static. */

/** Number of keys of the operation of @p o. */
LB_API size_t lb_opts_key_count(const lb_opts *o);
/** Name of key @p i ("model"); NULL past the end. */
LB_API const char *lb_opts_key_name(const lb_opts *o, size_t i);
/** One line of help for key @p i; NULL past the end. */
LB_API const char *lb_opts_key_help(const lb_opts *o, size_t i);
/** 1 when key @p i appends on every lb_opts_set() (a list), else 0 (also past the end). */
LB_API int lb_opts_key_repeatable(const lb_opts *o, size_t i);
/** 1 when key @p i is a flag (takes no value on the command line), else 0. */
LB_API int lb_opts_key_is_flag(const lb_opts *o, size_t i);
/**
 * Index of the key named @p name, or of the key it is another spelling of: the command
 * line's short options ("o" for "output", "i" for "input", "s_srs" for "s-srs") and the
 * spellings of the API contract ("raster-format" for "of", "basename" for "name",
 * "geojson-rd" for "geojson-crs rd"). -1 when the operation has no such key.
 */
LB_API long lb_opts_key_find(const lb_opts *o, const char *name);

#ifdef __cplusplus
}
#endif

#endif
