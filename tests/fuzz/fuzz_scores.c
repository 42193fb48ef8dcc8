/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the published-scores reader (lb_scoreset_read on a table, src/scores/
 * scoreset.c) on arbitrary bytes as a CSV file in long form (one row per unit and year). */
#include "fuzz.h"

#include "scores/scoreset.h"

static const char *const path = "/vsimem/fuzz/scores.csv";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init_gdal();
    return 0;
}

/* The invariants lb_scoreset documents, and every value touched for the sanitizers. */
static void check_set(const lb_scoreset *s)
{
    double sum = 0;
    for (size_t t = 1; t < s->n_years; t++)
        if (s->years[t] <= s->years[t - 1])
            abort();
    if (s->n_out != 2 + s->n_dims)
        abort();
    for (size_t u = 0; u < s->n_units; u++)
        if (!s->id[u] || lb_scoreset_unit_index(s, s->id[u]) != (long)u)
            abort();
    for (size_t i = 0; i < s->n_years * s->n_out * s->n_units; i++)
        sum += s->value[i];
    for (size_t i = 0; s->weight && i < s->n_years * s->n_units; i++)
        sum += s->weight[i];
    for (size_t d = 0; d < s->n_dims; d++)
        if (!s->dim_code[d] || !s->dim_label[d])
            abort();
    fuzz_sink += sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_vsimem(path, data, size);
    lb_ctx *ctx = fuzz_ctx();
    lb_score_source src = {.path = path, .year = 2022};
    lb_scoreset *s = NULL;
    if (lb_scoreset_read(ctx, &src, 1, &s) == LB_OK)
        check_set(s);
    else
        fuzz_refused(ctx, path);
    lb_scoreset_destroy(s);
    lb_ctx_destroy(ctx);
    VSIUnlink(path);
    return 0;
}
