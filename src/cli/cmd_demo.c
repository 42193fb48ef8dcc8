/* SPDX-License-Identifier: MIT */
/* leefbaar demo OUTDIR: the whole chain on the embedded demo city. */
#include "cli.h"
#include "datadir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const prog = "leefbaar demo";

static void help(void)
{
    printf("Usage: leefbaar demo OUTDIR [--data DIR] [--overwrite] [--viewer]\n"
           "                     [--viewer-lib DIR] [-of COG|GTiff] [-co NAME=VALUE]...\n"
           "                     [--threads N] [-q]\n\n"
           "Scores the demo city Leefstad (shapes/, rasters/, models/default.yaml) for 2020\n"
           "(the reference year) and 2022 in one run into OUTDIR/score, with QGIS styles and\n"
           "PNG previews of the class maps (class_<year>.png), and their development\n"
           "2020 -> 2022 into OUTDIR/change (change_class_2020_2022.png), the first\n"
           "diagnosis of wijk Centrum into OUTDIR/diagnose, and the waterbed effects around\n"
           "the two focus wijken into OUTDIR/waterbed.\n\n"
           "  --data DIR               folder holding shapes/, rasters/ and models/ (default:\n"
           "                           $LEEFBAAR_DATA, else the installed data directory,\n"
           "                           ../share/leefbaar next to the leefbaar executable; in\n"
           "                           the build tree, the source tree)\n"
           "  --overwrite              replace the outputs of a previous demo in OUTDIR (only the\n"
           "                           files leefbaar wrote there)\n"
           "  --viewer                 also write OUTDIR/viewer: index.html, an interactive map\n"
           "                           of the four runs that opens offline (leefbaar viewer)\n"
           "  --viewer-lib DIR         the web-map library for --viewer (default:\n"
           "                           $LEEFBAAR_VIEWER_LIB, else the installed "
           "copy)\n" CLI_COMMON_HELP);
}

int cmd_demo(int argc, char **argv)
{
    cli_common com = {0};
    const char *outdir = NULL, *data = NULL, *vlib = NULL;
    int viewer = 0;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        int r;
        if ((r = cli_common_option(prog, argc, argv, &i, &com)) != 0) {
            if (r < 0)
                return CLI_USAGE;
        } else if ((r = cli_value(prog, argc, argv, &i, "--data", NULL, &v)) != 0) {
            if (r < 0)
                return CLI_USAGE;
            data = v;
        } else if (strcmp(argv[i], "--viewer") == 0) {
            viewer = 1;
        } else if ((r = cli_value(prog, argc, argv, &i, "--viewer-lib", NULL, &v)) != 0) {
            if (r < 0)
                return CLI_USAGE;
            vlib = v;
        } else if (argv[i][0] == '-') {
            return cli_usage_error(prog, "unknown option '%s'", argv[i]);
        } else if (!outdir) {
            outdir = argv[i];
        } else {
            return cli_usage_error(prog, "one OUTDIR expected, got also '%s'", argv[i]);
        }
    }
    if (com.help) {
        help();
        return CLI_OK;
    }
    if (!outdir)
        return cli_usage_error(prog, "OUTDIR is required");
    char data_dir[CLI_PATH_MAX];
    if (!(data = cli_data_dir(prog, data, data_dir, sizeof(data_dir))))
        return CLI_FAIL;
    char vlib_dir[CLI_PATH_MAX];
    if (viewer && !(vlib = cli_viewer_lib_dir(prog, vlib, vlib_dir, sizeof(vlib_dir))))
        return CLI_FAIL;
    cli_term term;
    lb_ctx *ctx = cli_ctx(prog, com.quiet, &term);
    if (!ctx)
        return CLI_FAIL;
    lb_ctx_set_threads(ctx, com.threads);
    lb_opts *o = NULL;
    lb_status st = lb_opts_create(ctx, "demo", &o);
    if (st == LB_OK)
        st = lb_opts_set(ctx, o, "output", outdir);
    if (st == LB_OK)
        st = lb_opts_set(ctx, o, "data", data);
    if (st == LB_OK && com.overwrite)
        st = lb_opts_set(ctx, o, "overwrite", NULL);
    if (st == LB_OK && com.format)
        st = lb_opts_set(ctx, o, "of", com.format);
    for (size_t k = 0; st == LB_OK && k < com.n_co; k++)
        st = lb_opts_set(ctx, o, "co", com.co[k]);
    if (st == LB_OK && viewer)
        st = lb_opts_set(ctx, o, "viewer", NULL);
    if (st == LB_OK && viewer)
        st = lb_opts_set(ctx, o, "viewer-lib", vlib);
    if (st == LB_OK)
        st = lb_demo_run(ctx, o);
    lb_opts_destroy(o);
    int rc = st == LB_OK ? CLI_OK : cli_fail(prog, ctx, st, &term);
    if (st == LB_OK && !com.quiet)
        fprintf(stderr,
                "%s: maps and tables in %s/score and %s/change, the diagnosis in %s/diagnose, "
                "the waterbed analysis in %s/waterbed%s%s%s\n",
                prog, outdir, outdir, outdir, outdir, viewer ? ", the map in " : "",
                viewer ? outdir : "", viewer ? "/viewer/index.html" : "");
    lb_ctx_destroy(ctx);
    return rc;
}
