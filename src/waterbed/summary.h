/* SPDX-License-Identifier: MIT */
/* The waterbed summary (waterbed_summary.csv): one row per period x zone x focus area, and the
 * pooled coefficients, with the few columns a researcher reads. Built from the run's tables by
 * column name, so that columns the statistics add later (confidence intervals, diffusion
 * p-values and their q-values) appear in it as soon as the detailed tables carry them. */
#ifndef LB_WATERBED_SUMMARY_H
#define LB_WATERBED_SUMMARY_H

#include "../data/table.h"

/* The significance level of the summary's flags (q or p at or below it). */
#define WB_SUMMARY_ALPHA 0.05

/* The outcome the summary reports (the total score). */
#define WB_SUMMARY_OUTCOME "lbm"

/* Column names the summary reads from the detailed tables, first present wins (NULL-ended
 * lists). Documented in the README ("waterbed_summary.csv"). */
extern const char *const wb_summary_p_diffusion[];  /* waterbed: diffusion (upper-tail) p */
extern const char *const wb_summary_q_diffusion[];  /* waterbed: its BH q */
extern const char *const wb_summary_q_displace[];   /* waterbed: displacement q */
extern const char *const wb_summary_ci_low[];       /* both tables: 95 % CI, lower bound */
extern const char *const wb_summary_ci_high[];      /* both tables: 95 % CI, upper bound */
extern const char *const wb_summary_pooled_upper[]; /* waterbed_pooled: diffusion p */

/* First column of @p t named in @p names, or NULL. Borrowed. */
const lb_column *wb_summary_col(const lb_table *t, const char *const *names);

/* Value of column @p c at row @p r as a double (reals as they are, integers converted, NaN for
 * missing values, text or an absent column). */
double wb_summary_real(const lb_column *c, size_t r);

/* Text of column @p c at row @p r (NULL when missing or not text). Borrowed. */
const char *wb_summary_text(const lb_column *c, size_t r);

/* Build the summary from the detailed table @p main ("waterbed") and @p pooled
 * ("waterbed_pooled"). LB_ERR_INTERNAL naming a required column that is missing.
 * *out: lb_table_destroy. */
lb_status wb_summary_table(lb_ctx *ctx, const lb_table *main, const lb_table *pooled,
                           lb_table **out);

#endif
