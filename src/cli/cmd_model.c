/* SPDX-License-Identifier: MIT */
/* leefbaar model check M.yaml: validate and describe a model file; model list: the installed
 * models. */
#define _POSIX_C_SOURCE 200809L /* strndup */

#include "cli.h"
#include "datadir.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const prog = "leefbaar model";

static void help(void)
{
    printf("Usage: leefbaar model check M.yaml|NAME\n"
           "       leefbaar model list\n\n"
           "check validates a model file and lists its dimensions, indicators and inputs.\n"
           "Errors give file:line:column. Exit status 0 when the model is valid. A NAME\n"
           "without '/' or .yaml that is not a file names an installed model, e.g. 'default'\n"
           "for models/default.yaml of the data directory ($LEEFBAAR_DATA, else\n"
           "../share/leefbaar next to the executable).\n"
           "list prints the installed models, one 'NAME PATH' a line.\n\n"
           "  -q, --quiet              (accepted; check prints only its report)\n"
           "  --config KEY VALUE       set a GDAL configuration option\n"
           "  -h, --help               this help\n"
           "(-of and -co do not apply: model check writes no files.)\n");
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The installed models, sorted: NAME PATH per line. */
static int list_models(void)
{
    char data[CLI_PATH_MAX], dir[CLI_PATH_MAX + 16];
    if (!cli_data_dir(prog, NULL, data, sizeof(data)))
        return CLI_FAIL;
    snprintf(dir, sizeof(dir), "%s/models", data);
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: error: cannot open %s\n", prog, dir);
        return CLI_FAIL;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = CLI_OK;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len <= 5 || strcmp(e->d_name + len - 5, ".yaml") != 0 || e->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 8;
            char **grown = realloc(names, ncap * sizeof(*grown));
            if (!grown) {
                rc = CLI_FAIL;
                goto cleanup;
            }
            names = grown;
            cap = ncap;
        }
        if (!(names[n] = strndup(e->d_name, len - 5))) {
            rc = CLI_FAIL;
            goto cleanup;
        }
        n++;
    }
    qsort(names, n, sizeof(*names), by_name);
    for (size_t i = 0; i < n; i++)
        printf("%s %s/%s.yaml\n", names[i], dir, names[i]);
cleanup:
    if (rc != CLI_OK)
        fprintf(stderr, "%s: error: out of memory\n", prog);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
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
    if (verb && strcmp(verb, "list") == 0) {
        if (path)
            return cli_usage_error(prog, "list takes no argument, got '%s'", path);
        return list_models();
    }
    if (!verb || strcmp(verb, "check") != 0)
        return cli_usage_error(prog, "the verbs are 'check' and 'list'");
    if (!path)
        return cli_usage_error(prog, "check needs a model file");
    char model_path[CLI_PATH_MAX];
    if (!(path = cli_model_path(prog, path, model_path, sizeof(model_path))))
        return CLI_FAIL;
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
