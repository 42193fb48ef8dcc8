/* SPDX-License-Identifier: MIT */
/* First diagnosis of one wijk (eerste wijkdiagnose, DESIGN.md §8): score, dimensions against
 * the gemeente and the reference, development, background indicators, buurten, and the
 * preventiebudget check, as one self-contained HTML file plus Markdown and JSON. */
#ifndef LEEFBAAR_DIAGNOSE_H
#define LEEFBAAR_DIAGNOSE_H

#include "core.h"
#include "scores.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Options of lb_diagnose_run(). Initialise with lb_diagnose_options_init(). All strings are
 *  borrowed and may be NULL unless said otherwise. */
typedef struct lb_diagnose_options {
    const lb_score_source *sources; /**< scored units, one or more years (required) */
    size_t n_sources;

    /** The wijk. Without @p wijk_polygon: a comma-separated list of codes, each matching the
     *  units whose wijk code (wk_code) equals it — the buurten of that wijk — or the unit with
     *  that id (units that are wijken, PC4 areas, ...); when nothing matches a code, the units
     *  whose name equals @p wijk (case-insensitive). With @p wijk_polygon: selects the features
     *  of that layer with a text field equal to one of the comma-separated values (a code or a
     *  name); NULL takes every feature of the layer. */
    const char *wijk;
    const char *wijk_polygon; /**< PATH[:LAYER]: the wijk as polygon(s); units inside by share */
    const char *wijk_name;    /**< name in the report; NULL: from the polygon or the units */

    /** The gemeente to compare with. NULL (default): the units with the wijk's gemeente code
     *  (gm_code); when the input has no gemeente codes, every unit of the input (said so in the
     *  report). Otherwise a comma-separated list of gemeente codes or unit ids, each may end in
     *  '*' as a prefix pattern ("35*"). */
    const char *gemeente;
    const char *gemeente_polygon; /**< PATH[:LAYER]: the gemeente as polygon(s) */
    const char *gemeente_name;    /**< name in the report; NULL: from the polygon or the code */

    /** The focus areas (aandachtswijken) for the distance check: a polygon layer PATH[:LAYER]
     *  when it names an existing file, otherwise a comma-separated list of codes matched like
     *  @p wijk. NULL: no focus areas (the level check then uses the class "zwak" as proxy). */
    const char *focus;

    /** Share of a unit's area that must lie inside a polygon (wijk, gemeente, focus) for the
     *  unit to belong to it; default 0.5. */
    double min_inside;

    const int *years; /**< years to use (must be in the input); NULL = all */
    size_t n_years;

    /** Thresholds of the preventiebudget check (documented in README and in the report). */
    double clear_sd;        /**< a dimension is clearly below the gemeente when the wijk's
                                 deviation is at least clear_sd standard deviations (of the
                                 dimension over all units of the input) lower; default 0.5 */
    double focus_distance;  /**< near aandachtswijk level: lbm within this of the focus areas'
                                 average; default 0.20 (one "sterk" development step) */
    double min_inhabitants; /**< size criterion; default 2500 */

    const char *outdir;   /**< report directory (created; files appear when complete); required */
    int overwrite;        /**< 1: replace the report of the same name written earlier by leefbaar
                               (other files in @p outdir are never touched) */
    const char *basename; /**< file name without extension; NULL: the wijk code */
    const char *s_srs;    /**< CRS of polygon inputs that declare none */
    const char *command_line; /**< recorded in the JSON; may be NULL */
} lb_diagnose_options;

/** Fill @p o with the defaults. */
LB_API void lb_diagnose_options_init(lb_diagnose_options *o);

/**
 * Read the scored units, find the wijk, its gemeente and the focus areas, and write
 * @p o->outdir/<basename>.html (self-contained: inline CSS and SVG, no external resources),
 * <basename>.md and <basename>.json with the same numbers. Files appear only when all three
 * are complete.
 * @return LB_OK; LB_ERR_ARG (bad options, e.g. no wijk); LB_ERR_DATA (no unit matches the wijk,
 *         listing examples of the codes present; a year not in the input; the wijk has no score
 *         in the last year); LB_ERR_IO, LB_ERR_CRS, LB_ERR_GEOM from reading; LB_ERR_NOMEM.
 */
LB_API lb_status lb_diagnose_run(lb_ctx *ctx, const lb_diagnose_options *o);

#ifdef __cplusplus
}
#endif

#endif
