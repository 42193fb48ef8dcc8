/* SPDX-License-Identifier: MIT */
/* Output directories that appear complete or not at all: write into a hidden temporary
 * directory inside the target, then move the files in when everything succeeded. */
#ifndef LB_IO_OUTDIR_H
#define LB_IO_OUTDIR_H

#include <leefbaar/core.h>

typedef struct lb_outdir {
    char *dir;   /* the final directory */
    char *tmp;   /* the temporary directory inside it */
    int created; /* we created dir (remove it again on failure when empty) */
} lb_outdir;

/* Create @p dir (and parents) when absent and a fresh temporary directory inside it. */
lb_status lb_outdir_open(lb_ctx *ctx, const char *dir, lb_outdir *out);

/* Path of @p name inside the temporary directory; caller frees. */
char *lb_outdir_tmp_path(const lb_outdir *o, const char *name);

/* Move every file from the temporary directory into the final one (replacing files of the
 * same name) and remove the temporary directory. */
lb_status lb_outdir_commit(lb_ctx *ctx, lb_outdir *o);

/* Remove the temporary directory and its files (and dir when we created it and it is empty).
 * Safe after commit (then it only frees). */
void lb_outdir_abort(lb_outdir *o);

/* mkdir -p. */
lb_status lb_mkdirs(lb_ctx *ctx, const char *path);

#endif
