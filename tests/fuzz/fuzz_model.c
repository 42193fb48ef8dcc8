/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the model parser (src/model/parse.c) on arbitrary bytes as a model file,
 * and the description of every indicator of a model it accepts. */
#include "fuzz.h"

#include "model/model.h"

#include <leefbaar/model.h>

static char model_path[128];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(model_path, sizeof(model_path), "%s/model.yaml", fuzz_dir());
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write(model_path, data, size);
    lb_ctx *ctx = fuzz_ctx();
    lb_model *m = NULL;
    if (lb_model_load(ctx, model_path, &m) == LB_OK) {
        char buf[512];
        for (size_t i = 0; i < lb_model_indicator_count(m); i++)
            lb_model_indicator_describe(m, i, buf, sizeof(buf));
        for (size_t i = 0; i < lb_model_dimension_count(m); i++)
            if (!lb_model_dimension_code(m, i) || !lb_model_dimension_label(m, i))
                abort();
        for (size_t i = 0; i < lb_model_input_count(m); i++)
            if (!lb_model_input_name(m, i))
                abort();
        if (strlen(lb_model_hash(m)) != 64)
            abort();
    } else {
        fuzz_refused(ctx, model_path);
    }
    lb_model_destroy(m);
    lb_ctx_destroy(ctx);
    return 0;
}
