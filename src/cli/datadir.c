/* SPDX-License-Identifier: MIT */
/* The data directory of the command-line tool, relative to the executable. */
#define _DEFAULT_SOURCE /* realpath, readlink */

#include "datadir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef LB_DATA_FROM_BIN
#define LB_DATA_FROM_BIN "../share/leefbaar"
#endif

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The directory of the running executable into @p buf; 0 when the system does not say. */
static int exe_dir(char *buf, size_t n)
{
    ssize_t len = readlink("/proc/self/exe", buf, n - 1);
    if (len <= 0 || (size_t)len >= n - 1)
        return 0;
    buf[len] = '\0';
    char *slash = strrchr(buf, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    return 1;
}

/* 1 when @p a and @p b name the same existing directory. */
static int same_dir(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* snprintf into buf, 0 when it does not fit. */
static int join(char *buf, size_t n, const char *a, const char *b)
{
    int w = b ? snprintf(buf, n, "%s/%s", a, b) : snprintf(buf, n, "%s", a);
    return w >= 0 && (size_t)w < n;
}

const char *cli_data_dir(const char *prog, const char *given, char *buf, size_t n)
{
    if (!given) {
        const char *env = getenv("LEEFBAAR_DATA");
        if (env && *env)
            given = env;
    }
    if (given) {
        if (!join(buf, n, given, NULL)) {
            fprintf(stderr, "%s: error: data directory path too long\n", prog);
            return NULL;
        }
        return buf;
    }
    char dir[CLI_PATH_MAX], candidate[CLI_PATH_MAX + 64], models[CLI_PATH_MAX + 80];
    if (!exe_dir(dir, sizeof(dir))) {
        fprintf(stderr,
                "%s: error: cannot tell where the leefbaar executable is (no "
                "/proc/self/exe); pass --data DIR (the folder with models/, shapes/ and "
                "rasters/)\n",
                prog);
        return NULL;
    }
    const char *rel = LB_DATA_FROM_BIN;
    int ok = rel[0] == '/' ? join(candidate, sizeof(candidate), rel, NULL)
                           : join(candidate, sizeof(candidate), dir, rel);
    if (ok && join(models, sizeof(models), candidate, "models") && is_dir(models)) {
        char *real = realpath(candidate, NULL);
        ok = join(buf, n, real ? real : candidate, NULL);
        free(real);
        if (ok)
            return buf;
    }
#if defined(LB_BUILD_BIN_DIR) && defined(LB_BUILD_DATA_DIR)
    if (same_dir(dir, LB_BUILD_BIN_DIR) && join(buf, n, LB_BUILD_DATA_DIR, NULL))
        return buf;
#endif
    fprintf(stderr,
            "%s: error: no data directory: %s has no models/ (looked relative to the "
            "executable in %s); install leefbaar with 'meson install', or pass --data DIR or "
            "set LEEFBAAR_DATA to the folder with models/, shapes/ and rasters/\n",
            prog, candidate, dir);
    return NULL;
}

static int ends_with(const char *s, const char *tail)
{
    size_t ls = strlen(s), lt = strlen(tail);
    return ls >= lt && strcmp(s + ls - lt, tail) == 0;
}

const char *cli_model_path(const char *prog, const char *model, char *buf, size_t n)
{
    if (strchr(model, '/') || ends_with(model, ".yaml") || ends_with(model, ".yml") ||
        is_file(model) || !*model) {
        if (!join(buf, n, model, NULL)) {
            fprintf(stderr, "%s: error: model path too long\n", prog);
            return NULL;
        }
        return buf;
    }
    char data[CLI_PATH_MAX];
    if (!cli_data_dir(prog, NULL, data, sizeof(data)))
        return NULL;
    int w = snprintf(buf, n, "%s/models/%s.yaml", data, model);
    if (w < 0 || (size_t)w >= n) {
        fprintf(stderr, "%s: error: model path too long\n", prog);
        return NULL;
    }
    return buf;
}

/* Does @p dir hold the library's main file? */
static int has_lib(const char *dir)
{
    char p[CLI_PATH_MAX + 32];
    return join(p, sizeof(p), dir, "maplibre-gl.js") && is_file(p);
}

const char *cli_viewer_lib_dir(const char *prog, const char *given, char *buf, size_t n)
{
    const char *env = getenv("LEEFBAAR_VIEWER_LIB");
    if (!given && env && *env)
        given = env;
    if (given) {
        if (!join(buf, n, given, NULL)) {
            fprintf(stderr, "%s: error: viewer library path too long\n", prog);
            return NULL;
        }
        return buf;
    }
    char dir[CLI_PATH_MAX], data[CLI_PATH_MAX + 64], candidate[CLI_PATH_MAX + 80];
    const char *rel = LB_DATA_FROM_BIN;
    int have_exe = exe_dir(dir, sizeof(dir));
    int ok = have_exe &&
             (rel[0] == '/' ? join(data, sizeof(data), rel, NULL)
                            : join(data, sizeof(data), dir, rel)) &&
             join(candidate, sizeof(candidate), data, "viewer/lib");
    if (ok && has_lib(candidate)) {
        char *real = realpath(candidate, NULL);
        ok = join(buf, n, real ? real : candidate, NULL);
        free(real);
        if (ok)
            return buf;
    }
#if defined(LB_BUILD_BIN_DIR) && defined(LB_BUILD_VIEWER_LIB)
    if (have_exe && same_dir(dir, LB_BUILD_BIN_DIR) && has_lib(LB_BUILD_VIEWER_LIB) &&
        join(buf, n, LB_BUILD_VIEWER_LIB, NULL))
        return buf;
#endif
    fprintf(stderr,
            "%s: error: no web-map library for the viewer: looked in $LEEFBAAR_VIEWER_LIB (unset), "
            "%s"
#if defined(LB_BUILD_VIEWER_LIB)
            " and " LB_BUILD_VIEWER_LIB
#endif
            "; run scripts/setup-deps.sh --viewer (it installs maplibre-gl from the npm registry) "
            "and rebuild or 'meson install', or pass --viewer-lib DIR or set LEEFBAAR_VIEWER_LIB "
            "to a folder holding maplibre-gl.js, maplibre-gl.css and LICENSE.txt\n",
            prog, ok ? candidate : "the installed data directory");
    return NULL;
}
