/* SPDX-License-Identifier: MIT */
/* leefbaar model check M.yaml: validate and describe a model file. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char *const prog = "leefbaar model";

static void help(void)
{
    printf("Usage: leefbaar model check M.yaml\n\n"
           "Validates a model file and lists its dimensions, indicators and inputs.\n"
           "Errors give file:line:column. Exit status 0 when the model is valid.\n\n"
           "  -q, --quiet              (accepted; check prints only its report)\n"
           "  --config KEY VALUE       set a GDAL configuration option\n"
           "  -h, --help               this help\n"
           "(-of and -co do not apply: model check writes no files.)\n");
}

int cmd_model(int argc, char **argv)
{
    cli_common com = {0};
    const char *verb = NULL, *path = NULL;
    for (int i = 1; i < argc; i++) {
        int r = cli_common_option(prog, argc, argv, &i, &com);
        if (r < 0)
            return CLI_USAGE;
        if (r > 0)
            continue;
        if (argv[i][0] == '-')
            return cli_usage_error(prog, "unknown option '%s'", argv[i]);
        if (!verb)
            verb = argv[i];
        else if (!path)
            path = argv[i];
        else
            return cli_usage_error(prog, "unexpected argument '%s'", argv[i]);
    }
    if (com.help) {
        help();
        return CLI_OK;
    }
    if (cli_no_raster_options(prog, &com) != CLI_OK)
        return CLI_USAGE;
    if (com.overwrite)
        return cli_usage_error(prog, "this command writes no files: --overwrite does not apply");
    if (!verb || strcmp(verb, "check") != 0)
        return cli_usage_error(prog, "the only verb is 'check'");
    if (!path)
        return cli_usage_error(prog, "check needs a model file");
    cli_term term;
    lb_ctx *ctx = cli_ctx(prog, 1, &term);
    if (!ctx)
        return CLI_FAIL;
    lb_model *m = NULL;
    lb_status st = lb_model_load(ctx, path, &m);
    if (st != LB_OK) {
        int rc = cli_fail(prog, ctx, st, &term);
        lb_ctx_destroy(ctx);
        return rc;
    }
    printf("model %s version %d (sha256 %s)\n", lb_model_name(m), lb_model_version(m),
           lb_model_hash(m));
    printf("dimensions (%zu):\n", lb_model_dimension_count(m));
    for (size_t d = 0; d < lb_model_dimension_count(m); d++)
        printf("  %-4s %s\n", lb_model_dimension_code(m, d), lb_model_dimension_label(m, d));
    printf("indicators (%zu):\n", lb_model_indicator_count(m));
    for (size_t i = 0; i < lb_model_indicator_count(m); i++) {
        char buf[512];
        lb_model_indicator_describe(m, i, buf, sizeof(buf));
        printf("  %s\n", buf);
    }
    printf("inputs to bind with --input NAME=PATH[:LAYER]:");
    for (size_t i = 0; i < lb_model_input_count(m); i++)
        printf(" %s", lb_model_input_name(m, i));
    printf("\nok\n");
    lb_model_destroy(m);
    lb_ctx_destroy(ctx);
    return CLI_OK;
}
