/* SPDX-License-Identifier: MIT */
/* leefbaar calibrate inside the library: the options as a struct, the computation into an
 * lb_result (fitted model text, reports, tables) and the pieces its files share. */
#ifndef LB_CALIBRATE_CALIBRATE_H
#define LB_CALIBRATE_CALIBRATE_H

#include <leefbaar/calibrate.h>

#include "../data/result.h"
#include "../score/score.h"

#include <stddef.h>

/* One target: a column of a table, for the total (dim NULL) or one dimension. */
typedef struct lb_calibrate_target {
    const char *dim;   /* dimension code; NULL = the total */
    const char *path;  /* table file */
    const char *layer; /* NULL = the first */
    const char *field; /* the column of the target */
} lb_calibrate_target;

typedef enum lb_calibrate_ref { LB_CAL_REF_KEEP = 0, LB_CAL_REF_TARGET = 1 } lb_calibrate_ref;

/* Options of lb_calibrate_compute. Strings are borrowed. */
typedef struct lb_calibrate_options {
    lb_score_options score;             /* model, inputs, units, id-field, mode, joins, ... */
    const lb_calibrate_target *targets; /* the total first when given, then the dimensions */
    size_t n_targets;
    const char *target_id;         /* code column of the target tables; NULL = autodetect */
    const char *target_year_field; /* year column; NULL = autodetect jaar / year */
    int year;                      /* rows of this year (also the year scored); 0 = any */
    int weighted;                  /* 1: weights are the units' model weight; 0: none */
    const char *cluster_field;     /* gemeente column; NULL = GM_CODE, else from the codes */
    size_t folds;                  /* 0 = leave one gemeente out */
    double ridge;                  /* λ */
    int ridge_cv;                  /* λ by the grouped CV */
    lb_calibrate_ref ref;          /* what becomes of REF */
    const char *output;            /* the fitted model file */
    int overwrite;
    const char *command_line;
} lb_calibrate_options;

void lb_calibrate_options_init(lb_calibrate_options *o);

/* Evaluate, join, fit, and build the fitted model and the reports into a new result (nothing
 * written). *out: lb_result_destroy. */
lb_status lb_calibrate_compute(lb_ctx *ctx, const lb_calibrate_options *o, lb_result **out);

/* The writer's payload (report.c writes it). */
typedef struct lb_calibrate_payload {
    char *model_text; /* the fitted model file */
    size_t model_len;
    char *md; /* calibrate.md; calibrate.json is the result's provenance plus "outputs" */
    char *html;
    char **protect; /* input paths no output may replace */
    size_t n_protect;
} lb_calibrate_payload;

void lb_calibrate_payload_free(void *payload);

/* Write the fitted model next to its reports: <dir>/<base>.yaml (the output path), and in the
 * same directory <base>.calibrate.json, .md, .html and <base>.predictions.csv. */
lb_status lb_calibrate_write(lb_ctx *ctx, const lb_result *r, const lb_write_opts *w);

#endif
