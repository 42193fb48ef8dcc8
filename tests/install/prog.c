/* SPDX-License-Identifier: MIT */
/* A program outside the project, built against an installed leefbaar with
 * `cc prog.c $(pkg-config --cflags --libs leefbaar)`: the compile-time version macros of
 * <leefbaar/version.h> agree with the library it runs against, and the installed default model
 * loads. Usage: prog MODEL.yaml; prints "model NAME" and exits 0 when all is well. */
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
    if (argc != 2) {
        fprintf(stderr, "usage: prog MODEL.yaml\n");
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
    rc = 0;
cleanup:
    lb_model_destroy(m);
    lb_ctx_destroy(ctx);
    return rc;
}
