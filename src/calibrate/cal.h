/* SPDX-License-Identifier: MIT */
/* The state of one calibration, shared by compute.c (evaluation, join, fits, fitted model) and
 * report.c (calibrate.json, .md, .html and the writer). */
#ifndef LB_CALIBRATE_CAL_H
#define LB_CALIBRATE_CAL_H

#include "calibrate.h"
#include "fit.h"
#include "target.h"

#include "../model/model.h"

#include <json-c/json_object.h>

#include <stdint.h>

enum { NAME_SIZE = 80 };

/* One target and its fit. */
typedef struct lb_cal_fit {
    const lb_calibrate_target *spec;
    int dim;              /* -1 = total */
    char name[NAME_SIZE]; /* "total" or the dimension code */
    lb_calibrate_joined j;
    size_t *ind, p;  /* the indicators it fits */
    size_t *rows, n; /* the units used */
    size_t n_no_row, n_missing_y, n_missing_x, n_not_scored, n_no_weight;
    size_t n_partly_imputed; /* grid mode: used, with some cells imputed */
    long worst_ind;          /* the indicator missing most often among those left out */
    double *y, *w, *x;       /* the fit's data */
    size_t *cl;              /* the fit's cluster ids */
    lb_fit *fit;
    double y_mean; /* weighted mean of the target over the units used */
} lb_cal_fit;

/* Everything one computation holds. */
typedef struct lb_cal {
    const lb_calibrate_options *o;
    unsigned char *text; /* the model file */
    size_t text_len;
    lb_model *m;
    char *unit_text; /* the model with every coefficient 1 */
    lb_result *sres; /* the score of that model */
    const lb_table *units;
    const char *const *code; /* per unit */
    const double *weight, *lbm;
    const int64_t *n_imputed_cells; /* grid mode: per unit; NULL in area mode */
    const double **c, **x;          /* per indicator */
    char **gm;                      /* per unit: the gemeente (NULL = unknown) */
    size_t *cluster;                /* per unit: id of gm */
    size_t n_clusters;
    char cluster_source[160];
    lb_cal_fit *t;
    size_t n_t;
    double *coef;   /* the fitted model's coefficients */
    int *coef_from; /* per indicator: the fit it comes from, -1 = kept */
    double *means;  /* new stored means (model has them), else NULL */
    double ref;     /* REF written */
    char *fitted;   /* the fitted model text */
    size_t fitted_len;
    struct json_object *doc;
} lb_cal;

/* The reports of @p c into @p pl (calibrate.json document with the shared provenance head and
 * tail, Markdown, HTML) and the provenance of @p res. */
lb_status lb_calibrate_report_build(lb_ctx *ctx, const lb_cal *c, lb_result *res,
                                    lb_calibrate_payload *pl);

#endif
