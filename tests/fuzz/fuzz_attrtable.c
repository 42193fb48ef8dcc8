/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the attribute-table reader of src/io/attrtable.c (lb_attr_table_read, used
 * for tables of published scores) on arbitrary bytes as a CSV file. */
#include "fuzz.h"

#include "io/attrtable.h"

static const char *const path = "/vsimem/fuzz/attr.csv";

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
    lb_attr_table *t = NULL;
    if (lb_attr_table_read(ctx, path, NULL, &t) == LB_OK) {
        double sum = 0;
        for (size_t c = 0; c < t->n_cols; c++) {
            if (!t->names[c] || lb_attr_table_col(t, t->names[c]) < 0)
                abort();
            for (size_t r = 0; r < t->n_rows; r++) {
                if (t->num[c])
                    sum += t->num[c][r];
                else if (t->text[c] && t->text[c][r])
                    sum += (double)strlen(t->text[c][r]);
            }
        }
        for (size_t r = 0; r < t->n_rows; r++)
            sum += (double)t->fid[r];
        fuzz_sink += sum;
    } else {
        fuzz_refused(ctx, path);
    }
    lb_attr_table_destroy(t);
    lb_ctx_destroy(ctx);
    VSIUnlink(path);
    return 0;
}
