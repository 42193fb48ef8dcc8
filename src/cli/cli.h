/* SPDX-License-Identifier: MIT */
/* Shared pieces of the command-line tool: option scanning, messages, progress. */
#ifndef LB_CLI_CLI_H
#define LB_CLI_CLI_H

#include <leefbaar/leefbaar.h>

/* Exit codes: 0 success, 1 the run failed, 2 bad usage. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* A subcommand: name, one-line summary, entry point. */
typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} cli_command;

int cmd_score(int argc, char **argv);
int cmd_change(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_model(int argc, char **argv);
int cmd_diagnose(int argc, char **argv);
int cmd_viewer(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_waterbed(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);

enum { CLI_MAX_CO = 64 };

/* Options common to every subcommand (GDAL's conventions). */
typedef struct cli_common {
    int quiet;
    int help;
    int threads;                    /* --threads N; 0 (the default) = all cores */
    const char *format;             /* -of FORMAT: raster output driver, NULL = default */
    const char *co[CLI_MAX_CO + 1]; /* -co NAME=VALUE, NULL-terminated (borrowed argv) */
    size_t n_co;
    int overwrite; /* --overwrite: replace a previous run's outputs in the output directory */
} cli_common;

/* If argv[*i] is a common option (-q, --quiet, --config K V, --threads N, -of/--of F, -co/--co
 * NAME=VALUE, --overwrite, --help, -h), consume it (and its values) and return 1; return -1 on a
 * malformed one (message printed); 0 otherwise. */
int cli_common_option(const char *prog, int argc, char **argv, int *i, cli_common *c);

/* If argv[*i] is option @p name (e.g. "--model") with a value ("--model X" or "--model=X"),
 * set *value, advance *i and return 1; -1 when the value is missing (message printed); 0 when
 * argv[*i] is another option. @p alias may be NULL (e.g. "-o"). */
int cli_value(const char *prog, int argc, char **argv, int *i, const char *name, const char *alias,
              const char **value);

/* If argv[*i] is an option of the commands that write tables (--geojson-crs rfc7946|rd,
 * --csv-sep ','|';', --full-precision), set *geojson_rd, *csv_sep or *full_precision, advance
 * *i and return 1; -1 on a bad value (message printed); 0 otherwise. */
int cli_table_option(const char *prog, int argc, char **argv, int *i, int *geojson_rd,
                     char *csv_sep, int *full_precision);

/* Install the SIGINT/SIGTERM handlers (once; the first signal only sets a flag that the
 * progress callback of cli_ctx() turns into a cancellation, so that the library removes its
 * temporary files and leaves the outputs as they were; a second one terminates at once). */
void cli_signals_install(void);

/* The signal that cancelled the run (SIGINT, SIGTERM) or 0. */
int cli_signal_caught(void);

/* Terminal state for logging and progress; lives on the subcommand's stack. */
typedef struct cli_term {
    int last; /* last tenth printed, -1 before the first */
    int quiet;
    const char *prog;
} cli_term;

/* Create a context with stderr logging, (unless quiet) GDAL-style progress and cancellation on
 * SIGINT/SIGTERM (cli_signals_install()). @p term must outlive the context. NULL (message
 * printed) on failure. */
lb_ctx *cli_ctx(const char *prog, int quiet, cli_term *term);

/* Print "PROG: error: <status>: <message>" (on a fresh line after progress) and return
 * CLI_FAIL, or after a signal "PROG: interrupted ..." and 128 + the signal number. */
int cli_fail(const char *prog, lb_ctx *ctx, lb_status st, const cli_term *term);

/* The tail every writing subcommand shares: make the context (threads from --threads), call
 * @p run with @p opts, report failure, and on success say "wrote OUTDIR" unless quiet
 * (@p outdir may be NULL to say nothing). Returns the exit code. */
int cli_run(const char *prog, const cli_common *com, lb_status (*run)(lb_ctx *, const void *),
            const void *opts, const char *outdir);

/* An operation of the public API run from the command line: argv -> lb_opts_set per option
 * (every value checked by the library; -q, --threads, --config and --help are the tool's own),
 * lb_opts_check, @p run, lb_result_write. A refused option or a missing required one is a usage
 * error (exit 2); a failed run exits 1 (128 + the signal after SIGINT/SIGTERM). With
 * @p say_wrote, "wrote OUTDIR" unless quiet. */
int cli_api_command(const char *prog, const char *operation, int argc, char **argv,
                    void (*help)(void), lb_status (*run)(lb_ctx *, const lb_opts *, lb_result **),
                    int say_wrote);

/* For subcommands that write no rasters: a usage error when -of or -co was given, else CLI_OK. */
int cli_no_raster_options(const char *prog, const cli_common *c);

/* Help lines for the common options. */
#define CLI_COMMON_HELP                                                                            \
    "  -of FORMAT               raster format: COG (default) or GTiff\n"                           \
    "  -co NAME=VALUE           raster creation option (repeatable), e.g. -co COMPRESS=ZSTD\n"     \
    "  --threads N              threads, 0 to 256 (default 0: all cores; results do not\n"         \
    "                           depend on it)\n"                                                   \
    "  -q, --quiet              no progress\n"                                                     \
    "  --config KEY VALUE       set a GDAL configuration option\n"                                 \
    "  -h, --help               this help\n"

/* Help line of --overwrite, for the commands that write an output directory. */
#define CLI_OVERWRITE_HELP                                                                         \
    "  --overwrite              replace the outputs of a previous leefbaar run in the output\n"    \
    "                           directory (only the files its run.json lists); without it\n"       \
    "                           the directory must be absent or empty. Files leefbaar did\n"       \
    "                           not write are never replaced or deleted\n"

/* Print "PROG: <message>" plus a hint to --help, return CLI_USAGE. */
int cli_usage_error(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse a whole decimal integer; 1 on success. */
int cli_int(const char *s, int *out);

/* The joined command line for run.json; caller frees. */
char *cli_join(int argc, char **argv);

#endif
