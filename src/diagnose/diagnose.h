/* SPDX-License-Identifier: MIT */
/* The first diagnosis in memory: which units form the wijk, the gemeente and the focus areas;
 * their weighted means per year; the comparison, development, background indicators and the
 * preventiebudget check; and the three writers (HTML, Markdown, JSON). */
#ifndef LB_DIAGNOSE_DIAGNOSE_H
#define LB_DIAGNOSE_DIAGNOSE_H

#include "../scores/scoreset.h"

#include "../data/result.h"

#include <leefbaar/diagnose.h>

#include <json-c/json_object.h>
#include <stddef.h>

/* Options of lb_diagnose_compute() and lb_diagnose_exec(). Initialise with
 * lb_diagnose_options_init(). All strings are borrowed and may be NULL unless said otherwise. */
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
    /** The focus areas of @p focus resolved once by lb_diagnose_focus_resolve() (a scan of many
     *  wijken): used instead of reading @p focus again; NULL (default): read @p focus. */
    const struct lb_diagnose_selection *focus_resolved;

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

/* Fill @p o with the defaults. */
void lb_diagnose_options_init(lb_diagnose_options *o);

/* The diagnosis without writing a file (see lb_diagnose_run in include/leefbaar/diagnose.h);
 * *out is owned by the caller. outdir, overwrite and basename are not used. */
lb_status lb_diagnose_compute(lb_ctx *ctx, const lb_diagnose_options *o, lb_result **out);

/* lb_diagnose_compute, then write o->outdir/<basename>.{html,md,json}: what the struct-based
 * lb_diagnose_run did. */
lb_status lb_diagnose_exec(lb_ctx *ctx, const lb_diagnose_options *o);

/* The options both `diagnose` and `scan` take under the same keys ("scores" and the source
 * fields, "year", "gemeente", "focus", the thresholds, "command-line") into @p o (first filled
 * with the defaults); the wijk, names and output are left to the caller. The strings are
 * borrowed from @p opts and from @p m, which the caller frees with lb_diagnose_opts_free()
 * (also after a failure it is safe). LB_ERR_NOMEM. */
typedef struct lb_diagnose_opts_mem {
    lb_score_source *src;
    char **copies;
    size_t n;
    int *years;
} lb_diagnose_opts_mem;
lb_status lb_diagnose_options_from_opts(lb_ctx *ctx, const lb_opts *opts, lb_diagnose_options *o,
                                        lb_diagnose_opts_mem *m);
void lb_diagnose_opts_free(lb_diagnose_opts_mem *m);

/* ---- selection --------------------------------------------------------------------------- */

/* Which units form the wijk, the gemeente and the focus areas. Flags are n_units long. */
typedef struct lb_diagnose_selection {
    unsigned char *wijk;
    unsigned char *gemeente;
    unsigned char *focus; /* NULL without focus areas */
    double *wijk_share;   /* share of each unit inside the wijk polygon; NULL when by code */
    char *wijk_code;      /* may be NULL (a polygon without a code field) */
    char *wijk_name;      /* never NULL after selection */
    char *wijk_rule;      /* Dutch sentence: how the wijk's units were chosen */
    char *gemeente_code;  /* may be NULL */
    char *gemeente_name;  /* never NULL after selection */
    char *gemeente_rule;
    char *focus_rule; /* NULL without focus areas */
    /* Where the polygons came from ("leefstad.gpkg, laag wijken": base name and layer), for
     * the technical appendix; NULL when chosen by code. */
    char *wijk_source, *gemeente_source, *focus_source;
    size_t n_focus_areas;
    size_t n_wijk_in_focus; /* units of the wijk that lie in the focus areas (left out of the
                               focus average); all of them: the wijk is itself a focus area */
    lb_vlayer *wijk_poly;   /* the wijk polygon layer when given (owned; for the map) */
    unsigned char *wijk_poly_take;
    lb_vlayer *focus_poly; /* the focus polygon layer when given (owned; for the map) */
} lb_diagnose_selection;

/* Resolve the wijk, gemeente and focus options of @p o on @p s. Errors name the option and
 * value; a wijk code that matches nothing lists some codes present. */
lb_status lb_diagnose_select(lb_ctx *ctx, const lb_scoreset *s, const lb_diagnose_options *o,
                             lb_diagnose_selection *sel);
void lb_diagnose_selection_free(lb_diagnose_selection *sel);

/* Resolve only the focus areas of @p o (o->focus set) into @p sel (zeroed): its focus flags,
 * focus_rule, n_focus_areas and focus_poly, before the wijk's own units are taken out. For
 * options.focus_resolved; free with lb_diagnose_selection_free(). */
lb_status lb_diagnose_focus_resolve(lb_ctx *ctx, const lb_scoreset *s, const lb_diagnose_options *o,
                                    lb_diagnose_selection *sel);

/* Does @p code match @p pattern (case-insensitive; a trailing '*' matches any rest)? */
int lb_diagnose_code_match(const char *pattern, const char *code);

/* ---- the preventiebudget check: pure rules, tested at each boundary ----------------------- */

typedef enum lb_diagnose_level {
    LB_DX_NOT = 0,    /* niet voldaan */
    LB_DX_PARTLY = 1, /* deels voldaan */
    LB_DX_MET = 2,    /* voldaan */
    LB_DX_UNKNOWN = 3 /* onbekend */
} lb_diagnose_level;

typedef enum lb_diagnose_verdict {
    LB_DX_NONE = 0,     /* geen aanwijzing */
    LB_DX_POSSIBLE = 1, /* mogelijke aanwijzing */
    LB_DX_STRONG = 2,   /* sterke aanwijzing */
    LB_DX_UNDECIDED = 3 /* geen oordeel mogelijk: (1) is onbekend and would change the verdict */
} lb_diagnose_verdict;

/* Is a dimension clearly below the gemeente: @p gap = wijk − gemeente < 0 and
 * gap <= −k · sd (sd of the dimension over the input's units)? 0 when anything is NaN. */
int lb_diagnose_clearly_below(double gap, double sd, double k);

/* Is the sd of a dimension too small to tell a real gap from rounding noise? True when @p sd is
 * not above 1e-9 × max(1, @p scale) (scale: the largest |mean| compared); identical scores
 * everywhere give an sd of ~1e-17 and a gap of the same size, and "gap <= -k·sd" is then
 * decided by the last bits of the doubles. */
int lb_diagnose_no_spread(double sd, double scale);

/* (1) cumulative problems: 0 dimensions clearly below → NOT, 1 → PARTLY, ≥ 2 → MET. */
lb_diagnose_level lb_diagnose_problems_level(size_t n_below);

/* Near aandachtswijk level: lbm(wijk) − lbm(focus) <= @p max_gap. */
int lb_diagnose_near(double gap_focus, double max_gap);

/* Declining: development class below the middle ("geen verandering") class of a table with
 * @p n_cuts cut-points (classes 1 .. n_cuts + 1). */
int lb_diagnose_declining(int dev_class, size_t n_cuts);

/* (2) risk of sliding: near and declining → MET; one of them → PARTLY; neither → NOT. When
 * the direction is unknown (one year) near → PARTLY, else NOT. */
lb_diagnose_level lb_diagnose_risk_level(int near, int direction_known, int declining);

/* (3) size: unknown when the weight is not inhabitants; inhabitants >= min → MET, else NOT. */
lb_diagnose_level lb_diagnose_size_level(int known, double inhabitants, double min_inhabitants);

/* The verdict: STRONG when (1), (2) and (3) are all MET; POSSIBLE when not strong and (1) or
 * (2) is MET, or both are PARTLY; NONE otherwise. When (1) is UNKNOWN the verdict is the one
 * both a MET and a NOT (1) would give, or UNDECIDED when they differ. */
lb_diagnose_verdict lb_diagnose_decide(lb_diagnose_level problems, lb_diagnose_level risk,
                                       lb_diagnose_level size);

/* Dutch names: "voldaan" ...; "sterke aanwijzing" ... Static. */
const char *lb_diagnose_level_name(lb_diagnose_level l);
const char *lb_diagnose_verdict_name(lb_diagnose_verdict v);

/* ---- the diagnosis ----------------------------------------------------------------------- */

/* Weighted means of one group of units in one year. */
typedef struct lb_diagnose_agg {
    double *v;       /* n_out outcomes (lbm, afw, dimensions); NaN when no unit has one */
    double *contrib; /* n_ind mean contributions c_i; NULL when the input has none */
    double *raw;     /* n_ind mean raw indicator values */
    double weight;   /* Σ weights of the units with an lbm (NaN when unweighted) */
    size_t n;        /* units with an lbm */
    int klass;       /* class of v[LB_OUT_LBM], 0 when missing */
} lb_diagnose_agg;

/* A development between two used years. */
typedef struct lb_diagnose_period {
    size_t from, to;  /* indices into the diagnosis' years */
    double *wijk;     /* n_out differences (NaN when either side is missing) */
    double *gemeente; /* n_out */
    double *focus;    /* n_out, NULL without focus */
    int *wijk_class;  /* n_out development classes (0 when missing) */
    int *gem_class;
} lb_diagnose_period;

/* One indicator behind a weak dimension. */
typedef struct lb_diagnose_driver {
    size_t ind;
    double raw_wijk, raw_gem;
    double c_wijk, c_gem;
    double diff; /* c_wijk − c_gem */
} lb_diagnose_driver;

typedef struct lb_diagnose_weak {
    size_t dim;
    size_t n_drivers;
    lb_diagnose_driver *drivers; /* ascending diff: the strongest drag first */
} lb_diagnose_weak;

typedef struct lb_diagnosis {
    const lb_scoreset *s;             /* borrowed */
    const lb_diagnose_selection *sel; /* borrowed */
    double clear_sd, focus_distance, min_inhabitants, min_inside;

    size_t n_t;
    size_t *t;              /* indices into s->years, ascending */
    int *weighted;          /* per used year: 1 when weights were used */
    lb_diagnose_agg *wijk;  /* per used year */
    lb_diagnose_agg *gem;   /* per used year */
    lb_diagnose_agg *focus; /* per used year; NULL without focus */
    double *sd;             /* [ti * n_dims + d]: weighted sd of dimension d over all units */
    size_t n_units_wijk;
    size_t *units; /* the wijk's units, ordered by id */

    /* Comparison in the last year. */
    double *gap;       /* n_dims: wijk − gemeente */
    double *threshold; /* n_dims: clear_sd · sd */
    unsigned char *below;
    unsigned char *no_spread; /* n_dims: sd too small to compare (lb_diagnose_no_spread) */
    size_t n_below, n_compared, n_no_spread;

    size_t n_periods;
    lb_diagnose_period *periods; /* consecutive used years, then first → last when > 2 years */

    int has_contrib; /* the input has indicator contributions for the wijk in the last year */
    size_t n_weak;
    lb_diagnose_weak *weak; /* the weakest dimensions (lowest gap first) with their indicators */

    /* The check. */
    lb_diagnose_level problems, risk, size;
    lb_diagnose_verdict verdict;
    int near, near_by_class; /* near_by_class: no focus, class <= zwak used as proxy */
    double gap_focus;        /* lbm(wijk) − lbm(focus) in the last year, NaN without focus */
    int direction_known;     /* a recent period exists */
    size_t recent;           /* index into periods of the recent development */
    int declining;
    int size_known;
    double inhabitants; /* NaN when unknown */
} lb_diagnosis;

/* Compute everything from the scores and the selection. @p years (n_years, may be NULL) limits
 * the years. LB_ERR_DATA when the wijk has no score in the last year or a year is absent. */
lb_status lb_diagnose_compute_selection(lb_ctx *ctx, const lb_scoreset *s,
                                        const lb_diagnose_selection *sel,
                                        const lb_diagnose_options *o, lb_diagnosis *dx);
void lb_diagnose_free(lb_diagnosis *dx);

/* Dutch label of dimension @p d: the input's label, or the Leefbaarometer name of a known
 * code (fys → "Fysieke omgeving") when the input only has the code. Static or borrowed. */
const char *lb_diagnose_dim_label(const lb_scoreset *s, size_t d);

/* Label of class k (1..9) / development class k of the input; "–" for 0. Borrowed. */
const char *lb_diagnose_class_label(const lb_scoreset *s, int k);
const char *lb_diagnose_dev_label(const lb_scoreset *s, int k);

/* Year of used year index ti. */
int lb_diagnose_year(const lb_diagnosis *dx, size_t ti);

/* ---- Dutch sentences shared by the HTML and Markdown reports (words.c) --------------------
 * Plain text with numbers the Dutch way; the writers escape them. Each returns a new string
 * (caller frees) or NULL when out of memory. */

/* The reasons for criterion @p c (0 = cumulative problems, 1 = risk of sliding, 2 = size). */
char *lb_diagnose_reason(const lb_diagnosis *dx, int c);

/* Why the verdict is what it is, from the three levels. */
char *lb_diagnose_verdict_reason(const lb_diagnosis *dx);

/* Rule @p i (0 .. LB_DX_N_RULES-1) of the check, with the thresholds of this diagnosis. */
enum { LB_DX_N_RULES = 5 };
char *lb_diagnose_rule(const lb_diagnosis *dx, size_t i);

/* "inwoners", "woningen", "oppervlakte" or "geen (ongewogen gemiddelde)" for year index ti;
 * static. */
const char *lb_diagnose_weight_phrase(const lb_diagnosis *dx, size_t ti);

/* What the weights of the scores are, as a column heading: "Inwoners", "Woningen",
 * "Oppervlakte", or "Gewicht" when unknown; static. */
const char *lb_diagnose_weight_header(const lb_diagnosis *dx);

/* What the units of @p s are, named after their id field: "buurten"/"buurt" (BU_CODE),
 * "wijken"/"wijk", "postcodegebieden"/"postcodegebied", else "gebieden"/"gebied". Static. */
const char *lb_diagnose_unit_noun(const lb_scoreset *s, int plural);

/* The sentence on weighting, said once in the report: what every mean is weighted by (or
 * that it is not weighted), matching compute.c. New string (caller frees) or NULL. */
char *lb_diagnose_weighting(const lb_diagnosis *dx);

/* The sentence that the wijk is itself (or partly) one of the focus areas, or NULL when it is
 * not (or out of memory: check @p failed). New string, caller frees. */
char *lb_diagnose_focus_note(const lb_diagnosis *dx, int *failed);

/* The disclaimer: a signal for a plan, not a decision. */
extern const char lb_diagnose_disclaimer[];

/* ---- writers ----------------------------------------------------------------------------- */

/* The JSON document (unrounded numbers, null for missing). New reference owned by the caller. */
lb_status lb_diagnose_json(lb_ctx *ctx, const lb_diagnosis *dx, const char *command_line,
                           struct json_object **out);

/* Write the HTML / Markdown report to @p path. */
lb_status lb_diagnose_write_html(lb_ctx *ctx, const lb_diagnosis *dx, const char *path);
lb_status lb_diagnose_write_md(lb_ctx *ctx, const lb_diagnosis *dx, const char *path);

/* Where the three files go. */
typedef struct lb_diagnose_output {
    const char *outdir;
    int overwrite;             /* replace an earlier diagnosis of that name */
    const char *const *inputs; /* never replaced */
    size_t n_inputs;
    const char *command_line; /* recorded in the JSON; may be NULL */
} lb_diagnose_output;

/* Write all three as outdir/BASE.{html,md,json} with lb_outdir (all or nothing; replacing
 * an earlier diagnosis of that name only with overwrite; never an input). */
lb_status lb_diagnose_write_all(lb_ctx *ctx, const lb_diagnosis *dx, const lb_diagnose_output *out,
                                const char *base);

/* The diagnosis of @p s (borrowed, or owned by the result with @p own_s; then it is freed
 * also on failure) into a result: check the options (without the output), select, compute. */
lb_status lb_diagnose_compute_on(lb_ctx *ctx, lb_scoreset *s, int own_s,
                                 const lb_diagnose_options *o, lb_result **out);

/* lb_diagnose_exec() on scores already in memory: check the options, select, compute, write. */
lb_status lb_diagnose_run_on(lb_ctx *ctx, const lb_scoreset *s, const lb_diagnose_options *o);

#endif
