/* SPDX-License-Identifier: MIT */
/* lb_calibrate_run: the options of operation "calibrate" into lb_calibrate_options, then
 * lb_calibrate_compute. The score keys (model, input, units, id-field, where, mode, join,
 * s-srs, year) are read by the score module's own reader, so that the binding is the same. */
#define _POSIX_C_SOURCE 200809L /* stat */

#include "calibrate.h"

#include "../api/opts.h"
#include "../core/ctx.h"
#include "../score/run.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void lb_calibrate_options_init(lb_calibrate_options *o)
{
    memset(o, 0, sizeof(*o));
    lb_score_options_init(&o->score);
    o->weighted = 1;
}

/* TABLE[:LAYER]:FIELD in the writable @p copy: the field after the last ':', the layer after
 * the one before it unless TABLE[:LAYER] names an existing file. */
static int split_target(char *copy, lb_calibrate_target *t)
{
    char *colon = strrchr(copy, ':');
    if (!colon || colon == copy || !colon[1])
        return 0;
    *colon = '\0';
    t->field = colon + 1;
    t->path = copy;
    t->layer = NULL;
    struct stat sb;
    char *lc = strrchr(copy, ':');
    if (lc && stat(copy, &sb) != 0 && lc[1] && !strchr(lc, '/')) {
        *lc = '\0';
        t->layer = lc + 1;
    }
    return *t->path != '\0';
}

lb_status lb_calibrate_run(lb_ctx *ctx, const lb_opts *opts, lb_result **out)
{
    lb_ctx_warnings_reset(ctx);
    if (!opts || strcmp(lb_opts_operation(opts), "calibrate") != 0)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "lb_calibrate_run: options of \"%s\", not of \"calibrate\"",
                            opts ? lb_opts_operation(opts) : "(null)");
    if (!out)
        return lb_ctx_error(ctx, LB_ERR_ARG, "lb_calibrate_run: out must not be NULL");
    lb_status st = lb_opts_check(ctx, opts, 0);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "calibrate: ");
    lb_calibrate_options o;
    lb_calibrate_options_init(&o);
    lb_score_hold hold;
    size_t n_dim = 0;
    const char *const *dims = lb_opts_get_list(opts, "target-dim", &n_dim);
    const char *total = lb_opts_get_str(opts, "target");
    size_t n_t = (total ? 1 : 0) + n_dim;
    lb_calibrate_target *t = calloc(n_t + 1, sizeof(*t));
    char **copies = calloc(n_t + 1, sizeof(char *));
    st = lb_score_options_from(ctx, opts, &o.score, &hold);
    if (st == LB_OK && (!t || !copies))
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t k = 0; st == LB_OK && k < n_t; k++) {
        const char *v = total && k == 0 ? total : dims[k - (total ? 1 : 0)];
        const char *spec = v;
        if (!(total && k == 0)) {
            const char *eq = strchr(v, '=');
            if (!(copies[k] = lb_core_strdup(v))) {
                st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
                break;
            }
            copies[k][eq - v] = '\0';
            t[k].dim = copies[k];
            spec = copies[k] + (eq - v) + 1;
            if (!split_target((char *)spec, &t[k]))
                st = lb_ctx_error(ctx, LB_ERR_ARG,
                                  "--target-dim wants CODE=TABLE[:LAYER]:FIELD, got '%s'", v);
            continue;
        }
        if (!(copies[k] = lb_core_strdup(v))) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            break;
        }
        if (!split_target(copies[k], &t[k]))
            st = lb_ctx_error(ctx, LB_ERR_ARG, "--target wants TABLE[:LAYER]:FIELD, got '%s'", v);
    }
    if (st == LB_OK) {
        const char *mode = lb_opts_get_str(opts, "mode");
        o.score.mode = mode && !strcmp(mode, "grid") ? LB_MODE_GRID : LB_MODE_AREA;
        o.targets = t;
        o.n_targets = n_t;
        o.target_id = lb_opts_get_str(opts, "target-id");
        o.target_year_field = lb_opts_get_str(opts, "target-year-field");
        o.year = (int)lb_opts_get_int(opts, "year", 0);
        const char *weight = lb_opts_get_str(opts, "weight");
        o.weighted = !(weight && !strcmp(weight, "none"));
        o.cluster_field = lb_opts_get_str(opts, "cluster-field");
        o.folds = (size_t)lb_opts_get_int(opts, "folds", 0);
        const char *ridge = lb_opts_get_str(opts, "ridge");
        o.ridge_cv = ridge && !strcmp(ridge, "cv");
        o.ridge = ridge && !o.ridge_cv ? strtod(ridge, NULL) : 0.0;
        const char *ref = lb_opts_get_str(opts, "ref");
        o.ref = ref && !strcmp(ref, "target") ? LB_CAL_REF_TARGET : LB_CAL_REF_KEEP;
        o.output = lb_opts_get_str(opts, "output");
        o.overwrite = lb_opts_get_flag(opts, "overwrite");
        o.command_line = lb_opts_get_str(opts, "command-line");
        o.score.command_line = o.command_line;
        st = lb_calibrate_compute(ctx, &o, out);
    }
    lb_score_options_release(&hold);
    for (size_t k = 0; copies && k < n_t; k++)
        free(copies[k]);
    free(copies);
    free(t);
    return st;
}
