/* SPDX-License-Identifier: MIT */
/* A target table joined to the scored units by code (target.c). */
#ifndef LB_CALIBRATE_TARGET_H
#define LB_CALIBRATE_TARGET_H

#include <leefbaar/core.h>

#include <stddef.h>

/* What to read and what to join it to. Strings borrowed. */
typedef struct lb_calibrate_target_spec {
    const char *path, *layer, *field; /* the table and its target column */
    const char *id_field;             /* its code column; NULL = units_id_name, else the finest
                                         code field of the table */
    const char *year_field;           /* its year column; NULL = jaar or year when present */
    int year;                         /* keep the rows of this year; 0 = the table must hold one
                                         year (or have no year column) */
    const char *cluster_field;        /* also read this column per unit (gemeente); may be NULL */
    size_t n_units;
    const char *const *unit_codes; /* n_units codes (NULL = none) */
    const char *units_id_name;     /* the units' code field, for messages and the default */
    const char *units_name;        /* the units' input name, for messages */
} lb_calibrate_target_spec;

/* The target per unit and the counts of what did not join. */
typedef struct lb_calibrate_joined {
    size_t n_units;
    double *y;      /* n_units values; NaN: no row, or a missing value */
    char **cluster; /* n_units texts of cluster_field (NULL = none); NULL without the field */
    char *id_field, *year_field, *layer; /* the columns used (year_field NULL without one) */
    size_t n_rows;                       /* rows of the table */
    size_t n_rows_year;                  /* rows of the year chosen */
    size_t n_no_code;                    /* rows of the year without a code (skipped) */
    size_t n_joined;                     /* units with a row */
    size_t n_missing;                    /* of those, with a missing value */
    size_t n_unjoined;                   /* rows whose code is no unit's */
    char unjoined_examples[160];
} lb_calibrate_joined;

/* Read the table and join it. Errors: LB_ERR_IO, LB_ERR_DATA (no such field, a year that is
 * not a number, a code twice, a value that is not a number, no code joined: the message names
 * both code fields with examples), LB_ERR_ARG (several years and no --year). *out is filled
 * on success only (lb_calibrate_joined_free). */
lb_status lb_calibrate_target_join(lb_ctx *ctx, const lb_calibrate_target_spec *s,
                                   lb_calibrate_joined *out);

void lb_calibrate_joined_free(lb_calibrate_joined *j);

#endif
