/* SPDX-License-Identifier: MIT */
/* `leefbaar diagnose` as library calls: read the scored units, then diagnose into a result;
 * lb_diagnose_run reads its options from an lb_opts. */
#define _POSIX_C_SOURCE 200809L /* stat */

#include "diagnose.h"

#include "../api/opts.h"
#include "../core/ctx.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

lb_status lb_diagnose_compute(lb_ctx *ctx, const lb_diagnose_options *o, lb_result **out)
{
    lb_ctx_warnings_reset(ctx);
    if (!o || !o->sources || o->n_sources == 0)
        return lb_ctx_error(ctx, LB_ERR_ARG, "diagnose: scored units are required (--scores)");
    lb_scoreset *s = NULL;
    lb_status st = lb_scoreset_read(ctx, o->sources, o->n_sources, &s);
    if (st != LB_OK)
        return st;
    return lb_diagnose_compute_on(ctx, s, 1, o, out);
}

lb_status lb_diagnose_exec(lb_ctx *ctx, const lb_diagnose_options *o)
{
    lb_ctx_warnings_reset(ctx);
    if (!o || !o->sources || o->n_sources == 0)
        return lb_ctx_error(ctx, LB_ERR_ARG, "diagnose: scored units are required (--scores)");
    if (!o->outdir || !*o->outdir)
        return lb_ctx_error(ctx, LB_ERR_ARG, "diagnose: an output directory is required");
    lb_result *res = NULL;
    lb_status st = lb_diagnose_compute(ctx, o, &res);
    if (st == LB_OK) {
        const lb_write_opts w = {
            .outdir = o->outdir, .overwrite = o->overwrite, .basename = o->basename};
        st = lb_result_write_with(ctx, res, &w);
    }
    lb_result_destroy(res);
    return st;
}

/* PATH[:LAYER] of "scores": the layer is split off at the last ':' unless PATH exists.
 * @p copy is the caller's writable copy of the value. */
static void split_layer(char *copy, lb_score_source *src)
{
    struct stat sb;
    src->path = copy;
    src->layer = NULL;
    char *colon = strrchr(copy, ':');
    if (colon && stat(copy, &sb) != 0 && colon[1] && !strchr(colon, '/')) {
        *colon = '\0';
        src->layer = colon + 1;
    }
}

void lb_diagnose_opts_free(lb_diagnose_opts_mem *m)
{
    for (size_t k = 0; m->copies && k < m->n; k++)
        free(m->copies[k]);
    free(m->copies);
    free(m->src);
    free(m->years);
    memset(m, 0, sizeof(*m));
}

lb_status lb_diagnose_options_from_opts(lb_ctx *ctx, const lb_opts *opts, lb_diagnose_options *o,
                                        lb_diagnose_opts_mem *m)
{
    lb_status st = LB_OK;
    memset(m, 0, sizeof(*m));
    lb_diagnose_options_init(o);
    size_t n_src = 0, n_yv = 0, n_years = 0, cap_years = 0;
    const char *const *scores = lb_opts_get_list(opts, "scores", &n_src);
    const char *const *yv = lb_opts_get_list(opts, "year", &n_yv);
    for (size_t i = 0; i < n_yv; i++)
        cap_years += lb_opts_count_items(yv[i]);
    m->src = calloc(n_src + 1, sizeof(*m->src));
    m->copies = calloc(n_src + 1, sizeof(char *));
    m->years = calloc(cap_years + 1, sizeof(int));
    m->n = n_src;
    if (!m->src || !m->copies || !m->years)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == LB_OK && i < n_yv; i++) {
        size_t n = 0;
        lb_opts_parse_ints(yv[i], m->years + n_years, cap_years - n_years, &n);
        n_years += n;
    }
    for (size_t k = 0; st == LB_OK && k < n_src; k++) {
        if (!(m->copies[k] = lb_core_strdup(scores[k]))) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            break;
        }
        lb_score_source *src = &m->src[k];
        split_layer(m->copies[k], src);
        src->id_field = lb_opts_get_str(opts, "id-field");
        src->year_field = lb_opts_get_str(opts, "year-field");
        src->year = (int)lb_opts_get_int(opts, "table-year", 0);
        src->weight_field = lb_opts_get_str(opts, "weight-field");
        src->geometry = lb_opts_get_str(opts, "geometry");
        src->geometry_id = lb_opts_get_str(opts, "geometry-id");
        src->s_srs = lb_opts_get_str(opts, "s-srs");
    }
    if (st != LB_OK) {
        lb_diagnose_opts_free(m);
        return st;
    }
    o->sources = m->src;
    o->n_sources = n_src;
    o->years = n_years ? m->years : NULL;
    o->n_years = n_years;
    o->gemeente = lb_opts_get_str(opts, "gemeente");
    o->focus = lb_opts_get_str(opts, "focus");
    o->s_srs = lb_opts_get_str(opts, "s-srs");
    o->min_inside = lb_opts_get_double(opts, "min-inside", o->min_inside);
    o->clear_sd = lb_opts_get_double(opts, "clear-sd", o->clear_sd);
    o->focus_distance = lb_opts_get_double(opts, "focus-distance", o->focus_distance);
    o->min_inhabitants = lb_opts_get_double(opts, "min-inhabitants", o->min_inhabitants);
    o->command_line = lb_opts_get_str(opts, "command-line");
    return LB_OK;
}

lb_status lb_diagnose_run(lb_ctx *ctx, const lb_opts *opts, lb_result **out)
{
    lb_ctx_warnings_reset(ctx);
    if (!opts || strcmp(lb_opts_operation(opts), "diagnose") != 0)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "lb_diagnose_run: options of \"%s\", not of \"diagnose\"",
                            opts ? lb_opts_operation(opts) : "(null)");
    lb_status st = lb_opts_check(ctx, opts, 0);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "diagnose: ");
    lb_diagnose_options o;
    lb_diagnose_opts_mem m;
    st = lb_diagnose_options_from_opts(ctx, opts, &o, &m);
    if (st != LB_OK)
        return st;
    o.wijk = lb_opts_get_str(opts, "wijk");
    o.wijk_polygon = lb_opts_get_str(opts, "wijk-polygon");
    o.wijk_name = lb_opts_get_str(opts, "naam");
    o.gemeente_polygon = lb_opts_get_str(opts, "gemeente-polygon");
    o.gemeente_name = lb_opts_get_str(opts, "gemeente-naam");
    o.basename = lb_opts_get_str(opts, "name");
    st = lb_diagnose_compute(ctx, &o, out);
    lb_diagnose_opts_free(&m);
    return st;
}
