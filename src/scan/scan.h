/* SPDX-License-Identifier: MIT */
/* The scan in memory: which wijken, their diagnoses (the diagnose stage's numbers, not a copy
 * of its rules), the ranking, the trend, and the writers of the scan's files. */
#ifndef LB_SCAN_SCAN_H
#define LB_SCAN_SCAN_H

#include "../diagnose/diagnose.h"

#include <leefbaar/scan.h>

#include <stddef.h>

/* The forward signal of one wijk: ordinary least squares of lbm on the year. */
typedef struct lb_scan_trend {
    size_t n;          /* years with a score */
    double slope;      /* lbm per year; NaN with fewer than 3 years */
    double se;         /* its standard error, sqrt(s² / Σ(t − t̄)²), s² = RSS / (n − 2) */
    double lo95, hi95; /* slope ± t(0.975, n − 2) · se */
    double level;      /* the aandachtswijken level */
    double years_to_level; /* (level − last lbm) / slope when the slope is negative and the last
                              lbm above the level; 0 when at or below it; NaN otherwise */
} lb_scan_trend;

/* Fit the trend of @p y over @p t (n values; NaN in y skipped) towards @p level (may be NaN).
 * @p last is the lbm of the last year the extrapolation starts from. */
void lb_scan_trend_fit(const double *t, const double *y, size_t n, double last, double level,
                       lb_scan_trend *out);

/* Order of the verdicts in the ranking: strong 0, possible 1, undecided 2, none 3. */
int lb_scan_verdict_rank(lb_diagnose_verdict v);

/* Points of a criterion level in the ranking: met 2, partly 1, not or unknown 0. */
int lb_scan_level_points(lb_diagnose_level l);

/* One diagnosed wijk. */
typedef struct lb_scan_wijk {
    char *code;
    char *base; /* file name of its diagnosis without extension */
    lb_diagnose_selection sel;
    lb_diagnosis dx;
    lb_scan_trend trend;
} lb_scan_wijk;

/* Write scan.csv, scan.gpkg, index.html, the diagnoses and run.json of @p res into @p dir
 * (a fresh temporary directory). */
lb_status lb_scan_write_files(lb_ctx *ctx, const lb_result *res, const lb_scan_wijk *w, size_t n,
                              const char *dir, struct json_object *doc);

#endif
