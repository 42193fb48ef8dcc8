/* SPDX-License-Identifier: MIT */
/* Output directories that end as the old state or the complete new one: write into a hidden
 * temporary directory inside the target, then swap the files in, restoring the old ones when a
 * move fails. A run never replaces its inputs nor a file another program wrote. */
#ifndef LB_IO_OUTDIR_H
#define LB_IO_OUTDIR_H

#include <leefbaar/core.h>

#include <sys/types.h>

/* An input of the run, by device and inode, that no output may replace. */
typedef struct lb_outdir_input {
    dev_t dev;
    ino_t ino;
    char *path;
} lb_outdir_input;

typedef struct lb_outdir {
    char *dir;   /* the final directory */
    char *tmp;   /* the temporary directory inside it */
    char **made; /* directories this run created, outermost first (removed on failure) */
    size_t n_made;
    char **old; /* names in dir that the commit replaces or removes (a previous run's) */
    size_t n_old;
    lb_outdir_input *in;
    size_t n_in;
    int shared;       /* the directory is shared (diagnose): only the named files are ours */
    size_t fail_move; /* tests only: make the n-th move of the commit fail (0 = never) */
} lb_outdir;

/* What a run asks of its output directory. */
typedef struct lb_outdir_spec {
    int overwrite; /* replace the outputs of a previous leefbaar run there */
    /* NULL: the run owns the directory (score, change, waterbed): it must be absent, empty, or
     * (with overwrite) hold only a previous run's files, identified by its run.json "outputs";
     * they are all replaced. Otherwise the directory is shared and the run writes exactly these
     * names (diagnose): other files stay; existing ones are replaced only with overwrite and
     * only when the .json among the names is a leefbaar document ("tool" names leefbaar). */
    const char *const *names;
    size_t n_names;
    /* The run's inputs (files or directories; PATH or PATH:LAYER); none may be replaced. */
    const char *const *inputs;
    size_t n_inputs;
} lb_outdir_spec;

/* Check @p dir against @p spec, create it (and missing parents) when absent, and a fresh
 * temporary directory inside it. Errors: LB_ERR_ARG (empty path; not empty without overwrite;
 * foreign files; an output would replace an input), LB_ERR_IO. On failure nothing is left
 * behind and *out is zeroed. */
lb_status lb_outdir_open(lb_ctx *ctx, const char *dir, const lb_outdir_spec *spec, lb_outdir *out);

/* Path of @p name inside the temporary directory; caller frees. */
char *lb_outdir_tmp_path(const lb_outdir *o, const char *name);

/* Move the previous outputs aside, the new files in, then delete the old ones. When a move
 * fails, undo the moves done so far: the directory holds the old files again. Calls
 * lb_ctx_progress() first, so a cancelled run never commits. */
lb_status lb_outdir_commit(lb_ctx *ctx, lb_outdir *o);

/* Remove the temporary directory and its files, and the directories this run created when
 * they are empty. Safe after commit (then it only frees) and on a zeroed struct. */
void lb_outdir_abort(lb_outdir *o);

#endif
