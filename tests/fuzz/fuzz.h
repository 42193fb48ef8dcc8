/* SPDX-License-Identifier: MIT */
/* Shared set-up of the libFuzzer harnesses: GDAL once and quiet, a fresh context per input, a
 * private scratch directory, and inputs handed to the readers as /vsimem/ or scratch files. */
#ifndef LB_TESTS_FUZZ_FUZZ_H
#define LB_TESTS_FUZZ_FUZZ_H

#include "core/ctx.h"
#include "io/gdal_env.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>
#include <leefbaar/core.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Where the harnesses add up the values they read, so that no read is optimised away. */
static volatile double fuzz_sink;

/* The scratch directory of this process (made on first use, removed at exit; a crash leaves
 * it): inside $LB_FUZZ_TMPDIR when set, else in /dev/shm when there is one, as the harnesses
 * write a file per input. */
static char fuzz_dir_buf[64];

static void fuzz_rmtree(void)
{
    if (!fuzz_dir_buf[0])
        return;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_dir_buf);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir_buf);
}

static inline const char *fuzz_dir(void)
{
    if (!fuzz_dir_buf[0]) {
        const char *base = getenv("LB_FUZZ_TMPDIR");
        if (!base || !*base)
            base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(fuzz_dir_buf, sizeof(fuzz_dir_buf), "%s/lb-fuzz-XXXXXX", base);
        if (!mkdtemp(fuzz_dir_buf)) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(fuzz_rmtree);
    }
    return fuzz_dir_buf;
}

/* GDAL registered once, its messages silenced (the readers capture what they report). */
static inline void fuzz_init_gdal(void)
{
    lb_io_gdal_init();
    CPLSetErrorHandler(CPLQuietErrorHandler);
    CPLSetConfigOption("CPL_DEBUG", "OFF");
    CPLSetConfigOption("GDAL_NUM_THREADS", "1");
}

/* A new, silent, single-threaded context; aborts when none can be made. */
static inline lb_ctx *fuzz_ctx(void)
{
    lb_ctx *ctx = NULL;
    if (lb_ctx_create(&ctx) != LB_OK)
        abort();
    lb_ctx_set_log(ctx, NULL, NULL);
    lb_ctx_set_threads(ctx, 1);
    return ctx;
}

/* With LB_FUZZ_VERBOSE set, print why @p ctx refused an input (for working on a harness). */
static inline void fuzz_note(const lb_ctx *ctx, const char *what)
{
    static int verbose = -1;
    if (verbose < 0)
        verbose = getenv("LB_FUZZ_VERBOSE") != NULL;
    if (verbose)
        fprintf(stderr, "%s: %s\n", what, lb_ctx_errmsg(ctx));
}

/* An input was refused: the message must name @p culprit (the file or run), else abort so that
 * libFuzzer reports the input. */
static inline void fuzz_refused(const lb_ctx *ctx, const char *culprit)
{
    fuzz_note(ctx, "refused");
    if (!strstr(lb_ctx_errmsg(ctx), culprit)) {
        fprintf(stderr, "fuzz: the message does not name '%s': %s\n", culprit, lb_ctx_errmsg(ctx));
        abort();
    }
}

/* Put @p size bytes at the /vsimem/ path @p path (a private copy; unlink with VSIUnlink). */
static inline void fuzz_vsimem(const char *path, const uint8_t *data, size_t size)
{
    GByte *copy = CPLMalloc(size ? size : 1);
    if (size)
        memcpy(copy, data, size);
    VSILFILE *fp = VSIFileFromMemBuffer(path, copy, (vsi_l_offset)size, TRUE);
    if (!fp)
        abort();
    VSIFCloseL(fp);
}

/* Write @p size bytes to the real file @p path; aborts on failure (the harness is broken). */
static inline void fuzz_write(const char *path, const void *data, size_t size)
{
    FILE *fp = fopen(path, "wb");
    if (!fp || (size && fwrite(data, 1, size, fp) != size) || fclose(fp) != 0) {
        perror(path);
        abort();
    }
}

#endif
