/* SPDX-License-Identifier: MIT */
/* GDAL-style terminal progress (0...10...20...), logging to stderr, option scanning, clean
 * cancellation on SIGINT/SIGTERM. */
#define _POSIX_C_SOURCE 200809L /* sigaction */

#include "cli.h"
#include "datadir.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The signal that asks the run to stop. The one mutable global of the tool, as a signal handler
 * can reach nothing else; the library only sees it through the progress callback. */
static volatile sig_atomic_t caught_signal;

static void on_signal(int sig)
{
    caught_signal = sig; /* async-signal-safe: a single store */
}

void cli_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* SA_RESETHAND: a second Ctrl-C kills at once when a run does not reach a poll soon */
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cli_signal_caught(void)
{
    return (int)caught_signal;
}

static int on_progress(void *user, double done, const char *stage)
{
    (void)stage;
    cli_term *p = user;
    if (caught_signal)
        return 1; /* cancel: the library removes its temporary files */
    if (done < 0.0 || p->quiet)
        return 0; /* a poll for cancellation only */
    int tenth = (int)(done * 10.0 + 1e-9);
    if (tenth > 10)
        tenth = 10;
    while (p->last < tenth) {
        p->last++;
        if (p->last == 10)
            fprintf(stderr, "100 - done.\n");
        else
            fprintf(stderr, "%d...", p->last * 10);
    }
    fflush(stderr);
    if (tenth == 10)
        p->last = -1; /* the next run starts a new line */
    return 0;
}

static void on_log(void *user, lb_log_level level, const char *msg)
{
    cli_term *p = user;
    if (level == LB_LOG_WARN)
        fprintf(stderr, "%s: warning: %s\n", p->prog, msg);
    else if (level == LB_LOG_INFO && !p->quiet)
        fprintf(stderr, "%s: %s\n", p->prog, msg);
}

lb_ctx *cli_ctx(const char *prog, int quiet, cli_term *p)
{
    lb_ctx *ctx = NULL;
    if (lb_ctx_create(&ctx) != LB_OK) {
        fprintf(stderr, "%s: error: cannot create a context\n", prog);
        return NULL;
    }
    p->last = -1;
    p->quiet = quiet;
    p->prog = prog;
    lb_ctx_set_log(ctx, on_log, p);
    lb_ctx_set_progress(ctx, on_progress, p); /* prints nothing when quiet, but cancels */
    cli_signals_install();
    return ctx;
}

int cli_fail(const char *prog, lb_ctx *ctx, lb_status st, const cli_term *term)
{
    if (term && term->last >= 0)
        fputc('\n', stderr);
    int sig = cli_signal_caught();
    if (sig) {
        fprintf(
            stderr,
            "%s: interrupted by %s: no partial outputs left, the output directory is as it was\n",
            prog,
            sig == SIGINT    ? "SIGINT"
            : sig == SIGTERM ? "SIGTERM"
                             : "a signal");
        return 128 + sig;
    }
    fprintf(stderr, "%s: error: %s: %s\n", prog, lb_status_str(st), lb_ctx_errmsg(ctx));
    return CLI_FAIL;
}

int cli_run(const char *prog, const cli_common *com, lb_status (*run)(lb_ctx *, const void *),
            const void *opts, const char *outdir)
{
    cli_term term;
    lb_ctx *ctx = cli_ctx(prog, com->quiet, &term);
    if (!ctx)
        return CLI_FAIL;
    lb_ctx_set_threads(ctx, com->threads);
    lb_status st = run(ctx, opts);
    int rc = st == LB_OK ? CLI_OK : cli_fail(prog, ctx, st, &term);
    if (st == LB_OK && outdir && !com->quiet)
        fprintf(stderr, "%s: wrote %s\n", prog, outdir);
    lb_ctx_destroy(ctx);
    return rc;
}

int cli_usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry '%s --help'.\n", prog);
    va_end(ap);
    return CLI_USAGE;
}

int cli_value(const char *prog, int argc, char **argv, int *i, const char *name, const char *alias,
              const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) == 0 && a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (strcmp(a, name) != 0 && !(alias && strcmp(a, alias) == 0))
        return 0;
    if (*i + 1 >= argc) {
        cli_usage_error(prog, "option %s needs a value", a);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

int cli_table_option(const char *prog, int argc, char **argv, int *i, int *geojson_rd,
                     char *csv_sep, int *full_precision)
{
    if (strcmp(argv[*i], "--full-precision") == 0) {
        *full_precision = 1;
        return 1;
    }
    const char *v = NULL;
    int r = cli_value(prog, argc, argv, i, "--geojson-crs", NULL, &v);
    if (r > 0) {
        if (strcmp(v, "rd") == 0 || strcmp(v, "rfc7946") == 0) {
            *geojson_rd = strcmp(v, "rd") == 0;
            return 1;
        }
        cli_usage_error(prog, "--geojson-crs wants rfc7946 or rd, got '%s'", v);
        return -1;
    }
    if (r == 0 && (r = cli_value(prog, argc, argv, i, "--csv-sep", NULL, &v)) > 0) {
        if ((v[0] == ',' || v[0] == ';') && !v[1]) {
            *csv_sep = v[0];
            return 1;
        }
        cli_usage_error(prog, "--csv-sep wants ',' or ';', got '%s'", v);
        return -1;
    }
    return r;
}

int cli_common_option(const char *prog, int argc, char **argv, int *i, cli_common *c)
{
    const char *a = argv[*i];
    if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
        c->quiet = 1;
        return 1;
    }
    if (strcmp(a, "--overwrite") == 0) {
        c->overwrite = 1;
        return 1;
    }
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
        c->help = 1;
        return 1;
    }
    const char *v = NULL;
    int r = cli_value(prog, argc, argv, i, "--threads", NULL, &v);
    if (r != 0) {
        if (r < 0)
            return -1;
        if (!cli_int(v, &c->threads) || c->threads < 0 || c->threads > LB_MAX_THREADS) {
            cli_usage_error(prog,
                            "--threads needs a whole number from 0 (all cores) to %d, got '%s'",
                            LB_MAX_THREADS, v);
            return -1;
        }
        return 1;
    }
    r = cli_value(prog, argc, argv, i, "--of", "-of", &v);
    if (r != 0) {
        c->format = v;
        return r;
    }
    r = cli_value(prog, argc, argv, i, "--co", "-co", &v);
    if (r > 0 && c->n_co >= CLI_MAX_CO) {
        cli_usage_error(prog, "at most %d -co options", (int)CLI_MAX_CO);
        return -1;
    }
    if (r > 0 && !strchr(v, '=')) {
        cli_usage_error(prog, "-co wants NAME=VALUE, got '%s'", v);
        return -1;
    }
    if (r != 0) {
        if (r > 0)
            c->co[c->n_co++] = v;
        return r;
    }
    if (strcmp(a, "--config") == 0) {
        if (*i + 2 >= argc) {
            cli_usage_error(prog, "--config needs KEY and VALUE");
            return -1;
        }
        lb_config_set(argv[*i + 1], argv[*i + 2]);
        *i += 2;
        return 1;
    }
    return 0;
}

int cli_no_raster_options(const char *prog, const cli_common *c)
{
    if (c->format || c->n_co)
        return cli_usage_error(prog, "this command writes no rasters: -of and -co do not apply");
    return CLI_OK;
}

int cli_int(const char *s, int *out)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < -2147483647L || v > 2147483647L)
        return 0;
    *out = (int)v;
    return 1;
}

char *cli_join(int argc, char **argv)
{
    size_t n = 1;
    for (int i = 0; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *s = malloc(n);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (int i = 0; i < argc; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

/* Give option argv[*i] to the store; CLI_OK or CLI_USAGE (message printed). */
static int store_option(const char *prog, lb_ctx *ctx, lb_opts *o, int argc, char **argv, int *i)
{
    const char *arg = argv[*i], *name = arg + (arg[1] == '-' ? 2 : 1);
    char key[128];
    const char *eq = strchr(name, '='), *value = NULL;
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    if (arg[0] != '-' || len == 0 || len >= sizeof(key))
        return cli_usage_error(prog, "unknown option '%s'", arg);
    memcpy(key, name, len);
    key[len] = '\0';
    long k = lb_opts_key_find(o, key);
    if (k < 0)
        return cli_usage_error(prog, "unknown option '%.*s'",
                               (int)(eq ? eq - arg : (long)strlen(arg)), arg);
    if (eq)
        value = eq + 1;
    else if (!lb_opts_key_is_flag(o, (size_t)k) && strcmp(key, "geojson-rd") != 0) {
        if (*i + 1 >= argc)
            return cli_usage_error(prog, "option %s needs a value", arg);
        value = argv[++*i];
    }
    if (lb_opts_set(ctx, o, key, value) != LB_OK)
        return cli_usage_error(prog, "%s", lb_ctx_errmsg(ctx));
    return CLI_OK;
}

/* --viewer without --viewer-lib: the library the tool finds ($LEEFBAAR_VIEWER_LIB, the
 * installed copy, the build tree's), before any work; CLI_FAIL (message printed, saying how to
 * get it) when there is none. */
static int viewer_lib_default(const char *prog, lb_ctx *ctx, lb_opts *o)
{
    const char *flag = lb_opts_get(o, "viewer"); /* "true", "false" or NULL */
    if (!flag || strcmp(flag, "true") != 0 || lb_opts_get(o, "viewer-lib"))
        return CLI_OK;
    char lib[CLI_PATH_MAX];
    if (!cli_viewer_lib_dir(prog, NULL, lib, sizeof(lib)))
        return CLI_FAIL;
    if (lb_opts_set(ctx, o, "viewer-lib", lib) != LB_OK)
        return cli_usage_error(prog, "%s", lb_ctx_errmsg(ctx));
    return CLI_OK;
}

int cli_api_command(const char *prog, const char *operation, int argc, char **argv,
                    void (*help)(void), lb_status (*run)(lb_ctx *, const lb_opts *, lb_result **),
                    int say_wrote)
{
    cli_term term;
    lb_ctx *ctx = cli_ctx(prog, 0, &term);
    if (!ctx)
        return CLI_FAIL;
    lb_opts *o = NULL;
    lb_result *res = NULL;
    cli_common com = {0};
    char *cmdline = cli_join(argc, argv);
    int rc = CLI_OK;
    if (!cmdline || lb_opts_create(ctx, operation, &o) != LB_OK ||
        lb_opts_set(ctx, o, "command-line", cmdline) != LB_OK) {
        fprintf(stderr, "%s: error: %s\n", prog, lb_ctx_errmsg(ctx));
        rc = CLI_FAIL;
    }
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        /* -of, -co and --overwrite are options of the operation, the rest of the common ones
         * the tool's */
        int lib = strcmp(a, "--overwrite") == 0 || strcmp(a, "-of") == 0 || strcmp(a, "-co") == 0 ||
                  strcmp(a, "--of") == 0 || strcmp(a, "--co") == 0 || strncmp(a, "--of=", 5) == 0 ||
                  strncmp(a, "--co=", 5) == 0;
        int r = lib ? 0 : cli_common_option(prog, argc, argv, &i, &com);
        if (r < 0)
            rc = CLI_USAGE;
        else if (r == 0)
            rc = store_option(prog, ctx, o, argc, argv, &i);
    }
    term.quiet = com.quiet;
    if (rc == CLI_OK && !com.help)
        rc = viewer_lib_default(prog, ctx, o);
    if (rc == CLI_OK && com.help) {
        help();
    } else if (rc == CLI_OK) {
        lb_status st = lb_opts_check(ctx, o, 1);
        if (st != LB_OK) {
            rc = cli_usage_error(prog, "%s", lb_ctx_errmsg(ctx));
        } else {
            lb_ctx_set_threads(ctx, com.threads);
            st = run(ctx, o, &res);
            if (st == LB_OK)
                st = lb_result_write(ctx, res, o);
            rc = st == LB_OK ? CLI_OK : cli_fail(prog, ctx, st, &term);
            if (st == LB_OK && say_wrote && !com.quiet)
                fprintf(stderr, "%s: wrote %s\n", prog, lb_opts_get(o, "output"));
        }
    }
    lb_result_destroy(res);
    lb_opts_destroy(o);
    free(cmdline);
    lb_ctx_destroy(ctx);
    return rc;
}
