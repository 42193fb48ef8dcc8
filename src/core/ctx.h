/* SPDX-License-Identifier: MIT */
/* Private part of the context: error setting, logging and progress for library modules. */
#ifndef LB_CORE_CTX_H
#define LB_CORE_CTX_H

#include <leefbaar/core.h>

#include <stdarg.h>

/* Set the context's error message and return @p s, so callers can write
 * `return lb_ctx_error(ctx, LB_ERR_IO, "open '%s': ...", path);`. */
lb_status lb_ctx_error(lb_ctx *ctx, lb_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the current error message with more context ("reading 'x.gpkg': " + old). */
lb_status lb_ctx_error_prefix(lb_ctx *ctx, lb_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clear the error message. */
void lb_ctx_error_clear(lb_ctx *ctx);

/* Forget the warnings kept so far. Every library run (lb_score_run, lb_change_run,
 * lb_diagnose_run, lb_waterbed_run, lb_demo_run) calls it first, so that its run.json and
 * lb_ctx_warning() hold its own warnings only, not those of an earlier run on the same ctx. */
void lb_ctx_warnings_reset(lb_ctx *ctx);

/* Divert warnings: while @p fn is set, lb_ctx_log(LB_LOG_WARN) hands the message to @p fn
 * instead of keeping it and passing it to the log callback; NULL restores the normal path. For
 * a stage that runs another stage many times (scan: one diagnosis per wijk) and reports a
 * warning repeated by every run once, with its count. */
void lb_ctx_warnings_divert(lb_ctx *ctx, void (*fn)(void *user, const char *msg), void *user);

/* Log a message; warnings are also kept (see lb_ctx_warning). */
void lb_ctx_log(lb_ctx *ctx, lb_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Report progress; returns LB_ERR_CANCELLED (with message) when the callback asks to cancel. */
lb_status lb_ctx_progress(lb_ctx *ctx, double done, const char *stage);

/* Objects that a module keeps per context. Core knows none of their types: the module that
 * owns a slot creates its object on first use, stores it with its destructor, and
 * lb_ctx_destroy() calls the destructors (last slot first). So core depends on no module. */
typedef enum lb_ctx_slot {
    LB_CTX_SLOT_GEOS = 0, /* geom: the GEOSContextHandle_t (lb_geom_geos_handle) */
    LB_CTX_N_SLOTS
} lb_ctx_slot;

/* The object in @p slot, or NULL when none is set. Borrowed. */
void *lb_ctx_slot_get(const lb_ctx *ctx, lb_ctx_slot slot);

/* Keep @p obj in @p slot; lb_ctx_destroy() frees it with @p destroy (may be NULL). An object
 * already in the slot is destroyed first. */
void lb_ctx_slot_set(lb_ctx *ctx, lb_ctx_slot slot, void *obj, void (*destroy)(void *));

/* Duplicate a string (strict C17 has no strdup). NULL in gives NULL out. */
char *lb_core_strdup(const char *s);

/* Case-insensitive ASCII string equality; NULL equals nothing. */
int lb_core_str_ieq(const char *a, const char *b);

/* Duplicate a string without its leading and trailing white space (DBF and StatLine pad their
 * text: "GM0363    "). NULL in gives NULL out. */
char *lb_core_strdup_trim(const char *s);

/* @p s (not NULL) without its leading and trailing spaces, tabs and line ends, in place: its
 * first character, and in *@p n the length (what lb_core_strdup_trim copies). */
const char *lb_core_trim(const char *s, size_t *n);

/* Formatted allocation; NULL on failure. Caller frees. */
char *lb_core_strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Append @p name to the comma-separated list in @p buf (of @p size bytes, NUL-terminated),
 * truncating safely; for messages like "(fields: a, b, c)". */
void lb_core_list_append(char *buf, size_t size, const char *name);

#define LB_PI 3.14159265358979323846

#endif
