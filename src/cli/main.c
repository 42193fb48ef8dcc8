/* SPDX-License-Identifier: MIT */
/* leefbaar: command-line entry point; dispatches to one file per subcommand. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */

#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

static const cli_command commands[] = {
    {"score", "score one year of inputs on the 100 m grid and aggregate to areas", cmd_score},
    {"change", "development between two years per unit and dimension, as maps and tables",
     cmd_change},
    {"model", "check a model file and list its dimensions and indicators", cmd_model},
    {"diagnose", "first diagnosis of one wijk (HTML, Markdown, JSON report)", cmd_diagnose},
    {"scan", "preventiebudget check of every wijk: ranking, map, index of diagnoses", cmd_scan},
    {"waterbed", "waterbed effects: zones, statistics and tests around focus areas", cmd_waterbed},
    {"calibrate", "fit a model's coefficients to a target per unit, with honest fit statistics",
     cmd_calibrate},
    {"demo", "run the whole chain on the embedded demo city", cmd_demo},
    {"viewer", "an interactive map of runs that opens offline from its folder", cmd_viewer},
};

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: leefbaar COMMAND [OPTIONS]\n\n"
            "Livability (leefbaarheid) scores for Dutch neighbourhoods, Leefbaarometer-style.\n\n"
            "Commands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'leefbaar COMMAND --help' for the options of a command.\n"
               "Common options: -q/--quiet, --config KEY VALUE, -of FORMAT, -co NAME=VALUE,\n"
               "--help; leefbaar --version\n");
}

/* A national run allocates and frees arrays of tens of MB per indicator (rasters, coverages,
 * cell arrays). glibc would hand each back to the kernel and fault it in again page by page for
 * the next one, which on a virtual machine costs more than the computing: keep freed memory in
 * the heap for reuse instead (the peak resident size does not change). A program's choice, so
 * here and not in the library. */
static void tune_malloc(void)
{
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 64 << 20);
    /* One heap for every thread: the output files are written on worker threads, and memory a
     * job freed in its thread's own arena was not reused by the next job on another thread
     * (T2 with every output: 1.19 GB peak with per-thread arenas, 0.81 GB with one). */
    mallopt(M_ARENA_MAX, 1);
#endif
}

/* The date GeoPackages record as their last change: SOURCE_DATE_EPOCH (the reproducible-builds
 * convention) when set and no OGR_CURRENT_DATE was given; otherwise the library's fixed date.
 * Either way two identical runs write identical files. */
static void gpkg_date(void)
{
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    if (!epoch || !*epoch || getenv("OGR_CURRENT_DATE"))
        return;
    char *end = NULL;
    long long s = strtoll(epoch, &end, 10);
    struct tm tm;
    time_t t = (time_t)s;
    char buf[32];
    if (*end || s < 0 || !gmtime_r(&t, &tm) ||
        strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S.000Z", &tm) == 0) {
        fprintf(stderr,
                "leefbaar: warning: SOURCE_DATE_EPOCH '%s' is not a number of seconds; "
                "ignored\n",
                epoch);
        return;
    }
    lb_config_set("OGR_CURRENT_DATE", buf);
}

int main(int argc, char **argv)
{
    tune_malloc();
    gpkg_date();
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("leefbaar %s\n", lb_version());
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "leefbaar: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
