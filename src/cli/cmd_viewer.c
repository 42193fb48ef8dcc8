/* SPDX-License-Identifier: MIT */
/* leefbaar viewer RUN_DIR... -o VIEWER_DIR: options → lb_viewer_run() → lb_result_write(). */
#include "cli.h"
#include "datadir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const prog = "leefbaar viewer";

static void help(void)
{
    printf("Usage: leefbaar viewer RUN_DIR... -o VIEWER_DIR [--overwrite] [--title TEXT]\n"
           "                       [--grid auto|none] [--viewer-lib DIR] [-q]\n\n"
           "Writes VIEWER_DIR, a folder whose index.html shows the runs on an interactive map\n"
           "when opened from disk in a browser, without network access: the units of every\n"
           "year in the Leefbaarometer colours, a switch between lbm and each dimension, a year\n"
           "switch and the development between two years, a legend, the scores of a unit on a\n"
           "click (against its gemeente and the reference), search by name or code, the 100 m\n"
           "grid per gemeente, links to diagnoses, and the zones of waterbed runs. Send the\n"
           "folder as it is: it holds the web-map library (MapLibre GL JS, BSD-3-Clause) and\n"
           "the data as scripts.\n\n"
           "  RUN_DIR                  an output folder of leefbaar score (its units and grid),\n"
           "                           change (the score runs it compared), diagnose or scan\n"
           "                           (the diagnoses, linked from their wijk), or waterbed (the\n"
           "                           zones and effects); at least one score run, directly or\n"
           "                           through another run\n"
           "  -o, --output DIR         the viewer folder (created; files appear when complete)\n"
           "  --overwrite              replace a viewer leefbaar wrote there earlier\n"
           "  --title TEXT             title of the page\n"
           "  --grid auto|none         the 100 m grid of the score runs, per gemeente (default\n"
           "                           auto), or none (a smaller folder)\n"
           "  --viewer-lib DIR         folder holding maplibre-gl.js, maplibre-gl.css and\n"
           "                           LICENSE.txt (default: $LEEFBAAR_VIEWER_LIB, else the\n"
           "                           installed copy; scripts/setup-deps.sh --viewer fetches it)\n"
           "  -q, --quiet              no messages\n"
           "  -h, --help               this help\n");
}

/* The options with a value that go to the library as they are: 1 when argv[*i] was one (and
 * was stored), -1 on a usage error (message printed), 0 when it is another. */
static int valued(const char *p, int argc, char **argv, int *i, lb_ctx *ctx, lb_opts *o)
{
    static const struct {
        const char *name, *alias, *key;
    } opt[] = {{"--output", "-o", "output"},
               {"--title", NULL, "title"},
               {"--grid", NULL, "grid"},
               {"--run", NULL, "run"}};
    for (size_t j = 0; j < sizeof(opt) / sizeof(opt[0]); j++) {
        const char *v = NULL;
        int r = cli_value(p, argc, argv, i, opt[j].name, opt[j].alias, &v);
        if (r < 0)
            return -1;
        if (r > 0) {
            if (lb_opts_set(ctx, o, opt[j].key, v) != LB_OK) {
                cli_usage_error(p, "%s", lb_ctx_errmsg(ctx));
                return -1;
            }
            return 1;
        }
    }
    return 0;
}

int cmd_viewer(int argc, char **argv)
{
    cli_common com = {0};
    const char *lib = NULL;
    char *cmdline = cli_join(argc, argv);
    lb_opts *o = NULL;
    lb_result *res = NULL;
    cli_term term;
    lb_ctx *ctx = cli_ctx(prog, 0, &term);
    int rc = CLI_OK;
    if (!ctx || !cmdline || lb_opts_create(ctx, "viewer", &o) != LB_OK ||
        lb_opts_set(ctx, o, "command-line", cmdline) != LB_OK) {
        fprintf(stderr, "%s: error: %s\n", prog, ctx ? lb_ctx_errmsg(ctx) : "out of memory");
        rc = CLI_FAIL;
    }
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *v = NULL, *a = argv[i];
        int r;
        if (strcmp(a, "--overwrite") == 0) {
            if (lb_opts_set(ctx, o, "overwrite", NULL) != LB_OK)
                rc = cli_usage_error(prog, "%s", lb_ctx_errmsg(ctx));
        } else if ((r = cli_common_option(prog, argc, argv, &i, &com)) != 0) {
            if (r < 0)
                rc = CLI_USAGE;
        } else if ((r = cli_value(prog, argc, argv, &i, "--viewer-lib", "--lib", &v)) != 0) {
            if (r < 0)
                rc = CLI_USAGE;
            lib = v;
        } else if ((r = valued(prog, argc, argv, &i, ctx, o)) != 0) {
            if (r < 0)
                rc = CLI_USAGE;
        } else if (a[0] == '-' && a[1]) {
            rc = cli_usage_error(prog, "unknown option '%s'", a);
        } else if (lb_opts_set(ctx, o, "run", a) != LB_OK) {
            rc = cli_usage_error(prog, "%s", lb_ctx_errmsg(ctx));
        }
    }
    term.quiet = com.quiet;
    if (rc == CLI_OK && com.help) {
        help();
    } else if (rc == CLI_OK && (rc = cli_no_raster_options(prog, &com)) == CLI_OK) {
        char libbuf[CLI_PATH_MAX];
        if (!lb_opts_get(o, "run"))
            rc = cli_usage_error(prog, "a RUN_DIR is required");
        else if (!lb_opts_get(o, "output"))
            rc = cli_usage_error(prog, "-o VIEWER_DIR is required");
        else if (!(lib = cli_viewer_lib_dir(prog, lib, libbuf, sizeof(libbuf))))
            rc = CLI_FAIL;
        else if (lb_opts_set(ctx, o, "viewer-lib", lib) != LB_OK)
            rc = cli_usage_error(prog, "%s", lb_ctx_errmsg(ctx));
        if (rc == CLI_OK) {
            lb_ctx_set_threads(ctx, com.threads);
            lb_status st = lb_viewer_run(ctx, o, &res);
            if (st == LB_OK)
                st = lb_result_write(ctx, res, o);
            rc = st == LB_OK ? CLI_OK : cli_fail(prog, ctx, st, &term);
            if (st == LB_OK && !com.quiet)
                fprintf(stderr, "%s: wrote %s; open %s/index.html in a browser\n", prog,
                        lb_opts_get(o, "output"), lb_opts_get(o, "output"));
        }
    }
    lb_result_destroy(res);
    lb_opts_destroy(o);
    free(cmdline);
    lb_ctx_destroy(ctx);
    return rc;
}
