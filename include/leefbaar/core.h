/* SPDX-License-Identifier: MIT */
/* leefbaar core: status codes, the context that carries errors, logging and progress. */
#ifndef LEEFBAAR_CORE_H
#define LEEFBAAR_CORE_H

#include <stddef.h>

#if defined(LB_BUILDING_LIBRARY)
#define LB_API __attribute__((visibility("default")))
#else
#define LB_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Status of every fallible call. Values are stable and never renumbered. */
typedef enum lb_status {
    LB_OK = 0,            /**< success */
    LB_ERR_NOMEM = 1,     /**< out of memory */
    LB_ERR_ARG = 2,       /**< invalid argument or option */
    LB_ERR_IO = 3,        /**< a file could not be opened, read or written */
    LB_ERR_CRS = 4,       /**< missing, wrong or suspicious coordinate reference system */
    LB_ERR_GEOM = 5,      /**< invalid or unusable geometry */
    LB_ERR_DATA = 6,      /**< a layer, field or value is missing or unusable */
    LB_ERR_MODEL = 7,     /**< the model file is malformed or inconsistent */
    LB_ERR_INTERNAL = 8,  /**< a bug: please report it */
    LB_ERR_CANCELLED = 9, /**< the progress callback asked to stop; outputs left as they were */
} lb_status;

/** Opaque context: owns the error message, a GEOS handle and the callbacks. One per thread. */
typedef struct lb_ctx lb_ctx;

/** Log levels for the log callback. */
typedef enum lb_log_level { LB_LOG_DEBUG, LB_LOG_INFO, LB_LOG_WARN } lb_log_level;

/** Log callback: receives a complete message without trailing newline. */
typedef void (*lb_log_fn)(void *user, lb_log_level level, const char *msg);

/**
 * Progress callback in GDAL's style: @p done in [0, 1], @p stage a short label; a negative
 * @p done is only a poll for cancellation (no progress to show), made before outputs are
 * moved into place. Return 0 to go on, non-zero to cancel (the running call then fails with
 * LB_ERR_CANCELLED and leaves the outputs as they were).
 */
typedef int (*lb_progress_fn)(void *user, double done, const char *stage);

/**
 * Create a context.
 * @param out receives the new context; the caller frees it with lb_ctx_destroy().
 * @return LB_OK or LB_ERR_NOMEM / LB_ERR_INTERNAL (GEOS could not be initialised).
 */
LB_API lb_status lb_ctx_create(lb_ctx **out);

/** Destroy a context. NULL is a no-op. */
LB_API void lb_ctx_destroy(lb_ctx *ctx);

/**
 * The detail message of the last failed call on @p ctx ("" when none).
 * Borrowed: valid until the next call on @p ctx.
 */
LB_API const char *lb_ctx_errmsg(const lb_ctx *ctx);

/** Install a log callback (NULL to silence). Warnings are also collected for run.json. */
LB_API void lb_ctx_set_log(lb_ctx *ctx, lb_log_fn fn, void *user);

/** Install a progress callback (NULL for none). */
LB_API void lb_ctx_set_progress(lb_ctx *ctx, lb_progress_fn fn, void *user);

/**
 * Set the number of threads the library may use for work on this context (indicator
 * evaluation, coverage). 0 means all cores (the default); 1 runs everything on the calling
 * thread. Results are identical whatever the number. At most LB_MAX_THREADS: far more than
 * any machine the tool runs on has cores, and below the point where the OpenMP runtime fails
 * to create its threads (it aborts the process instead of reporting an error).
 * @return LB_OK, or LB_ERR_ARG for a negative @p n or one above LB_MAX_THREADS (the setting is
 *         left unchanged).
 */
#define LB_MAX_THREADS 256

LB_API lb_status lb_ctx_set_threads(lb_ctx *ctx, int n);

/** The number of threads work on @p ctx uses: the setting, or the number of cores for 0. */
LB_API int lb_ctx_threads(const lb_ctx *ctx);

/**
 * Number of warnings collected by the current or last run on @p ctx: lb_score_run,
 * lb_change_run, lb_diagnose_run, lb_waterbed_run and lb_demo_run start with none (each
 * run.json lists its own run's warnings), so read them before starting the next run.
 */
LB_API size_t lb_ctx_warning_count(const lb_ctx *ctx);

/** Warning @p i (0-based). Borrowed, valid until the next run on @p ctx starts or @p ctx is
 *  destroyed; NULL when out of range. */
LB_API const char *lb_ctx_warning(const lb_ctx *ctx, size_t i);

/** A static English name of @p s ("ok", "out of memory", ...). Never NULL. */
LB_API const char *lb_status_str(lb_status s);

/**
 * Set a GDAL configuration option for this process (what `--config KEY VALUE` does in GDAL's
 * tools), e.g. GDAL_CACHEMAX or GDAL_NUM_THREADS. NULL @p value unsets it.
 */
LB_API void lb_config_set(const char *key, const char *value);

/** The library version, "MAJOR.MINOR.PATCH". Static. */
LB_API const char *lb_version(void);

#ifdef __cplusplus
}
#endif

#endif
