/* SPDX-License-Identifier: MIT */
/* A program outside the project, built against an installed leefbaar with
 * `cc prog.c $(pkg-config --cflags --libs leefbaar)`: the compile-time version macros of
 * <leefbaar/version.h> agree with the library it runs against, and the installed default model
 * loads, and the in-memory API runs: with a demo output directory, the development 2020 -> 2022
 * of its score run through lb_opts / lb_change_run / lb_result_table, printed per unit as
 * "CODE d_lbm" (no file written). Usage: prog MODEL.yaml [DEMO_OUT]; exits 0 when all is well. */
#include <leefbaar/leefbaar.h>

#include <stdio.h>
#include <string.h>

#if !defined(LB_VERSION_MAJOR) || !defined(LB_VERSION_MINOR) || !defined(LB_VERSION_PATCH)
#error "<leefbaar/leefbaar.h> does not bring the version macros of <leefbaar/version.h>"
#endif
#if !LB_VERSION_CHECK(LB_VERSION_MAJOR, LB_VERSION_MINOR, LB_VERSION_PATCH) ||                     \
    LB_VERSION_CHECK(LB_VERSION_MAJOR, LB_VERSION_MINOR, LB_VERSION_PATCH + 1) ||                  \
    LB_VERSION_CHECK(LB_VERSION_MAJOR, LB_VERSION_MINOR + 1, 0) ||                                 \
    !LB_VERSION_CHECK(LB_VERSION_MAJOR, 0, 0)
#error "LB_VERSION_CHECK does not order versions"
#endif

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: prog MODEL.yaml [DEMO_OUT]\n");
        return 2;
    }
    char parts[64];
    snprintf(parts, sizeof(parts), "%d.%d.%d", LB_VERSION_MAJOR, LB_VERSION_MINOR,
             LB_VERSION_PATCH);
    if (strcmp(parts, LB_VERSION_STRING) != 0) {
        fprintf(stderr, "LB_VERSION_STRING %s but MAJOR.MINOR.PATCH %s\n", LB_VERSION_STRING,
                parts);
        return 1;
    }
    if (strcmp(lb_version(), LB_VERSION_STRING) != 0) {
        fprintf(stderr, "lb_version() %s but LB_VERSION_STRING %s\n", lb_version(),
                LB_VERSION_STRING);
        return 1;
    }
    lb_ctx *ctx = NULL;
    if (lb_ctx_create(&ctx) != LB_OK) {
        fprintf(stderr, "lb_ctx_create failed\n");
        return 1;
    }
    int rc = 1;
    lb_model *m = NULL;
    lb_opts *o = NULL;
    lb_result *res = NULL;
    char scores[4096];
    /* a missing file is an error that names it */
    if (lb_model_load(ctx, "/nonexistent/leefbaar-model.yaml", &m) == LB_OK) {
        fprintf(stderr, "a missing model loaded\n");
        goto cleanup;
    }
    if (!strstr(lb_ctx_errmsg(ctx), "/nonexistent/leefbaar-model.yaml")) {
        fprintf(stderr, "the error does not name the file: %s\n", lb_ctx_errmsg(ctx));
        goto cleanup;
    }
    m = NULL;
    if (lb_model_load(ctx, argv[1], &m) != LB_OK) {
        fprintf(stderr, "lb_model_load %s: %s\n", argv[1], lb_ctx_errmsg(ctx));
        goto cleanup;
    }
    printf("version %s\nmodel %s\n", lb_version(), lb_model_name(m));
    if (argc == 3) {
        snprintf(scores, sizeof(scores), "%s/score", argv[2]);
        if (lb_opts_create(ctx, "change", &o) != LB_OK ||
            lb_opts_set(ctx, o, "scores", scores) != LB_OK ||
            lb_opts_set(ctx, o, "from-year", "2020") != LB_OK ||
            lb_opts_set(ctx, o, "to-year", "2022") != LB_OK ||
            lb_change_run(ctx, o, &res) != LB_OK) {
            fprintf(stderr, "change through the API: %s\n", lb_ctx_errmsg(ctx));
            goto cleanup;
        }
        const lb_table *t = lb_result_table_by_name(res, "change");
        long id = t ? lb_table_column_index(t, "BU_CODE") : -1;
        long d = t ? lb_table_column_index(t, "d_lbm") : -1;
        if (id < 0 || d < 0 || lb_table_column_type(t, (size_t)d) != LB_COL_REAL) {
            fprintf(stderr, "the change table has no BU_CODE or real d_lbm\n");
            goto cleanup;
        }
        const double *v = lb_table_reals(t, (size_t)d);
        for (size_t r = 0; r < lb_table_row_count(t); r++)
            printf("unit %s %.17g\n", lb_table_text(t, (size_t)id, r), v[r]);
    }
    rc = 0;
cleanup:
    lb_result_destroy(res);
    lb_opts_destroy(o);
    lb_model_destroy(m);
    lb_ctx_destroy(ctx);
    return rc;
}
