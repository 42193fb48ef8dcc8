/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the diagnose renderer (src/diagnose/: selection, the numbers, the Dutch
 * sentences, the SVG charts and the HTML / Markdown / JSON writers) on scores read from
 * arbitrary bytes as a published CSV table. */
#include "fuzz_dx.h"

#include "scores/scoreset.h"

static const char *const path = "/vsimem/fuzz/dx.csv";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init_gdal();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_vsimem(path, data, size);
    lb_ctx *ctx = fuzz_ctx();
    lb_score_source src = {.path = path, .year = 2022};
    lb_scoreset *s = NULL;
    if (lb_scoreset_read(ctx, &src, 1, &s) == LB_OK)
        fuzz_diagnose(s);
    lb_scoreset_destroy(s);
    lb_ctx_destroy(ctx);
    VSIUnlink(path);
    return 0;
}
