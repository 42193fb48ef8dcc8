/* SPDX-License-Identifier: MIT */
/* What one call computed, in memory: named tables (typed columns, optional RD geometry),
 * rasters filled on demand, the run's provenance and warnings; written to files as a
 * separate call. */
#ifndef LEEFBAAR_RESULT_H
#define LEEFBAAR_RESULT_H

#include "core.h"
#include "options.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What one call of an operation computed. Opaque; freed with lb_result_destroy(). */
typedef struct lb_result lb_result;
/** A table of rows (units, cells, statistics) with typed columns. Opaque; owned by its
 *  result. */
typedef struct lb_table lb_table;
/** A grid of float bands in EPSG:28992 (RD New), filled on demand. Owned by its result. */
typedef struct lb_raster lb_raster;

/** Column types. Values are stable. */
typedef enum lb_col_type { LB_COL_REAL = 0, LB_COL_INT = 1, LB_COL_TEXT = 2 } lb_col_type;

/** A missing value in an LB_COL_INT column. */
#define LB_INT_NULL INT64_MIN

/** Free @p r and everything it owns (its tables and rasters). NULL is a no-op. */
LB_API void lb_result_destroy(lb_result *r);

/** The operation that made @p r: "score", "change", "diagnose", "waterbed", "scores".
 *  Borrowed. */
LB_API const char *lb_result_operation(const lb_result *r);

/** Number of tables of @p r. */
LB_API size_t lb_result_table_count(const lb_result *r);
/** Table @p i (in the order the operation made them); NULL past the end. Borrowed: valid
 *  while @p r lives. */
LB_API const lb_table *lb_result_table(const lb_result *r, size_t i);
/** The table named @p name (as the file or layer it becomes: "change", "waterbed", ...);
 *  NULL when absent. Borrowed. */
LB_API const lb_table *lb_result_table_by_name(const lb_result *r, const char *name);

/** Number of rasters of @p r. */
LB_API size_t lb_result_raster_count(const lb_result *r);
/** Raster @p i; NULL past the end. Borrowed: valid while @p r lives. */
LB_API const lb_raster *lb_result_raster(const lb_result *r, size_t i);

/**
 * The provenance of the call (its run.json document) as JSON text: tool, version,
 * libraries, options, inputs with SHA-256, warnings, timings. lb_result_write() writes this
 * document with the list of the files it wrote added. Borrowed; "{}" when the operation has
 * none.
 */
LB_API const char *lb_result_provenance(const lb_result *r);

/** Number of warnings the call gave (the context's warnings of that call, copied). */
LB_API size_t lb_result_warning_count(const lb_result *r);
/** Warning @p i; NULL past the end. Borrowed. */
LB_API const char *lb_result_warning(const lb_result *r, size_t i);

/**
 * Write the files the command line writes for this result into the directory of
 * @p opts' key "output", with its write keys ("overwrite", "csv-sep", "of", "co", ...).
 * All or nothing: the files appear when every one is complete; the directory may hold only
 * an earlier leefbaar run's outputs, which "overwrite" replaces.
 * @param opts options of the same operation as @p r (usually those of the call).
 * @return LB_OK; LB_ERR_ARG (no "output", options of another operation, a result that
 *         writes no files); LB_ERR_IO; LB_ERR_CANCELLED; LB_ERR_NOMEM.
 */
LB_API lb_status lb_result_write(lb_ctx *ctx, const lb_result *r, const lb_opts *opts);

/** The table's name ("buurten", "grid", "change", ...). Borrowed. */
LB_API const char *lb_table_name(const lb_table *t);
/** Number of rows. */
LB_API size_t lb_table_row_count(const lb_table *t);
/** Number of columns (the geometry is not a column). */
LB_API size_t lb_table_column_count(const lb_table *t);
/** Name of column @p col; NULL past the end. Borrowed. */
LB_API const char *lb_table_column_name(const lb_table *t, size_t col);
/** Type of column @p col (LB_COL_REAL past the end). */
LB_API lb_col_type lb_table_column_type(const lb_table *t, size_t col);
/** Index of the column named @p name; -1 when absent. */
LB_API long lb_table_column_index(const lb_table *t, const char *name);
/** The row_count values of an LB_COL_REAL column (NaN = missing); NULL for another type or
 *  past the end. Borrowed. */
LB_API const double *lb_table_reals(const lb_table *t, size_t col);
/** The row_count values of an LB_COL_INT column (LB_INT_NULL = missing); NULL for another
 *  type or past the end. Borrowed. */
LB_API const int64_t *lb_table_ints(const lb_table *t, size_t col);
/** The text of @p row in an LB_COL_TEXT column; NULL = missing (or another type, or out of
 *  range). Borrowed. */
LB_API const char *lb_table_text(const lb_table *t, size_t col, size_t row);
/** 1 when the rows carry geometries, else 0. */
LB_API int lb_table_has_geometry(const lb_table *t);
/** ISO WKB in EPSG:28992 (RD New) of @p row, its length in @p *size (may be NULL);
 *  NULL = none. Borrowed. */
LB_API const unsigned char *lb_table_wkb(const lb_table *t, size_t row, size_t *size);

/** The raster's name ("scores_2022", "class_2022", "change_2020_2022", ...). Borrowed. */
LB_API const char *lb_raster_name(const lb_raster *r);
/** Columns, rows and bands of @p r (each pointer may be NULL). */
LB_API void lb_raster_size(const lb_raster *r, size_t *nx, size_t *ny, size_t *n_bands);
/** GDAL geotransform of @p r in EPSG:28992: x0, cell width, 0, y0 (north edge), 0, -cell. */
LB_API void lb_raster_geotransform(const lb_raster *r, double gt[6]);
/** Name of band @p band (0-based: "lbm", "fys", ...); NULL past the end. Borrowed. */
LB_API const char *lb_raster_band_name(const lb_raster *r, size_t band);
/**
 * Fill @p out (nx * ny floats, row-major, north row first) with band @p band (0-based);
 * NaN = no data. Rasters are filled on demand: a national grid is not kept as floats.
 * @return LB_OK; LB_ERR_ARG for a band past the end; the filling's error.
 */
LB_API lb_status lb_raster_read_band(lb_ctx *ctx, const lb_raster *r, size_t band, float *out);

#ifdef __cplusplus
}
#endif

#endif
