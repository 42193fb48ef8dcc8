/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the attribute-table reader of src/io/vector.c (lb_vlayer_read_table) on
 * arbitrary bytes as a CSV file: every column as text, numbers the Dutch way, StatLine layout
 * detection. */
#include "fuzz.h"

#include "io/vector.h"

#include <math.h>

static const char *const path = "/vsimem/fuzz/table.csv";

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
    lb_source src = {"table", path, NULL, NULL};
    lb_vlayer *l = NULL;
    if (lb_vlayer_read_table(ctx, &src, &l) == LB_OK) {
        /* touch every value: the sanitizers check the arrays are as long as claimed */
        double sum = 0;
        for (size_t c = 0; c < l->n_fields; c++) {
            const lb_field *f = &l->fields[c];
            size_t missing = 0;
            for (size_t r = 0; r < l->n; r++) {
                if (isnan(f->num[r]))
                    missing++;
                else
                    sum += f->num[r];
                if (f->is_string && f->str[r])
                    sum += (double)strlen(f->str[r]);
            }
            if (missing < f->n_missing)
                abort(); /* more counted missing than there are */
            if (!lb_vlayer_field(ctx, l, f->name))
                abort();
        }
        for (size_t r = 0; r < l->n; r++)
            sum += (double)l->fid[r];
        fuzz_sink += sum;
    } else {
        fuzz_refused(ctx, path);
    }
    lb_vlayer_destroy(l);
    lb_ctx_destroy(ctx);
    VSIUnlink(path);
    return 0;
}
