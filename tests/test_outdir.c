/* SPDX-License-Identifier: MIT */
/* Output directories: the end state is the old one or the complete new one (a move failing
 * part-way is undone), foreign files are never replaced, created parents go on failure. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "core/ctx.h"
#include "io/outdir.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int setup(void **state)
{
    return lb_test_dir_setup(state, "outdir");
}

static int teardown(void **state)
{
    return lb_test_dir_teardown(state);
}

/* The file's text ("" when absent), in a static buffer. */
static const char *text(const char *dir, const char *name)
{
    static char buf[256];
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    buf[0] = '\0';
    FILE *fp = fopen(path, "r");
    if (fp) {
        size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
        buf[n] = '\0';
        fclose(fp);
    }
    return buf;
}

/* The sorted names in @p dir, comma-separated. */
static const char *listing(const char *dir)
{
    static char buf[512];
    char *names[32];
    size_t n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 32)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            names[n++] = strdup(e->d_name);
    closedir(d);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(names[j], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        strcat(buf, i ? "," : "");
        strcat(buf, names[i]);
        free(names[i]);
    }
    return buf;
}

static void put(const lb_outdir *o, const char *name, const char *content)
{
    char *p = lb_outdir_tmp_path(o, name);
    lb_test_write_text(p, content);
    free(p);
}

/* A run writing a (content @p v), one extra file and run.json listing them. */
static void write_run(const lb_outdir *o, const char *v, const char *extra)
{
    put(o, "a", v);
    put(o, extra, v);
    char json[256];
    snprintf(json, sizeof(json), "{\"tool\": \"leefbaar\", \"outputs\": [\"a\", \"%s\"]}", extra);
    put(o, "run.json", json);
}

static void test_outdir_commit_undone_on_failure(void **state)
{
    lb_test_dir *t = *state;
    char dir[300];
    snprintf(dir, sizeof(dir), "%s/x/y", t->dir);
    const lb_outdir_spec plain = {0}, over = {.overwrite = 1};
    lb_outdir o;
    assert_int_equal(lb_outdir_open(t->ctx, dir, &plain, &o), LB_OK);
    write_run(&o, "old", "b");
    assert_int_equal(lb_outdir_commit(t->ctx, &o), LB_OK);
    lb_outdir_abort(&o);
    assert_string_equal(listing(dir), "a,b,run.json");

    /* Refused without --overwrite. */
    assert_int_equal(lb_outdir_open(t->ctx, dir, &plain, &o), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(t->ctx), "--overwrite"));

    /* The 5th move fails: 3 old files aside, 1 new in, then a failure; all undone. */
    assert_int_equal(lb_outdir_open(t->ctx, dir, &over, &o), LB_OK);
    write_run(&o, "new", "c");
    o.fail_move = 5;
    assert_int_equal(lb_outdir_commit(t->ctx, &o), LB_ERR_IO);
    lb_outdir_abort(&o);
    assert_string_equal(listing(dir), "a,b,run.json");
    assert_string_equal(text(dir, "a"), "old");
    assert_string_equal(text(dir, "b"), "old");

    /* Without the failure: the complete new state, the old run's b gone. */
    assert_int_equal(lb_outdir_open(t->ctx, dir, &over, &o), LB_OK);
    write_run(&o, "new", "c");
    assert_int_equal(lb_outdir_commit(t->ctx, &o), LB_OK);
    lb_outdir_abort(&o);
    assert_string_equal(listing(dir), "a,c,run.json");
    assert_string_equal(text(dir, "a"), "new");
}

static void test_outdir_foreign_and_parents(void **state)
{
    lb_test_dir *t = *state;
    char dir[300], mine[300];
    snprintf(dir, sizeof(dir), "%s/p/q/r", t->dir);
    const lb_outdir_spec over = {.overwrite = 1};
    lb_outdir o;
    /* A run that fails after opening removes the directories it created. */
    assert_int_equal(lb_outdir_open(t->ctx, dir, &over, &o), LB_OK);
    put(&o, "a", "x");
    lb_outdir_abort(&o);
    assert_string_equal(listing(t->dir), "");
    /* A file leefbaar did not write is never replaced, even with overwrite. */
    snprintf(mine, sizeof(mine), "%s/notes.txt", t->dir);
    lb_test_write_text(mine, "mine");
    assert_int_equal(lb_outdir_open(t->ctx, t->dir, &over, &o), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(t->ctx), "notes.txt"));
    assert_string_equal(listing(t->dir), "notes.txt");
    /* An input is never replaced. */
    const char *in[] = {mine};
    const lb_outdir_spec shared = {.overwrite = 1,
                                   .names = (const char *const[]){"notes.txt"},
                                   .n_names = 1,
                                   .inputs = in,
                                   .n_inputs = 1};
    assert_int_equal(lb_outdir_open(t->ctx, t->dir, &shared, &o), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(t->ctx), "would replace the input"));
    /* The empty path. */
    assert_int_equal(lb_outdir_open(t->ctx, "", &over, &o), LB_ERR_ARG);
    assert_string_equal(text(t->dir, "notes.txt"), "mine");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_outdir_commit_undone_on_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outdir_foreign_and_parents, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
