/* SPDX-License-Identifier: MIT */
/* Output directories that end as the old state or the complete new one. */
#define _POSIX_C_SOURCE 200809L

#include "outdir.h"

#include "../core/ctx.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char tmp_prefix[] = ".leefbaar-tmp-";
static const char old_prefix[] = ".leefbaar-old-";

/* ---- small helpers ------------------------------------------------------------------------ */

static int push_str(char ***v, size_t *n, const char *s)
{
    char **w = realloc(*v, (*n + 1) * sizeof(char *));
    if (!w)
        return 0;
    *v = w;
    w[*n] = lb_core_strdup(s);
    if (!w[*n])
        return 0;
    (*n)++;
    return 1;
}

static void free_strs(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static int has_str(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return 1;
    return 0;
}

static int is_debris(const char *name)
{
    return strncmp(name, tmp_prefix, sizeof(tmp_prefix) - 1) == 0 ||
           strncmp(name, old_prefix, sizeof(old_prefix) - 1) == 0;
}

/* A plain file name: no directory part, not "." or "..". */
static int plain_name(const char *s)
{
    return s && *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* Remove @p path: a file, or a directory with its contents (symbolic links are removed, never
 * followed). Best effort; only ever called on our own temporary directories. */
static void rm_tree(const char *path, int depth)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return;
    if (S_ISDIR(sb.st_mode) && depth < 8) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = lb_core_strfmt("%s/%s", path, e->d_name);
            if (p)
                rm_tree(p, depth + 1);
            free(p);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* Create @p path and its missing parents; when @p made is given, record each directory created
 * (outermost first) so that a failed run can remove them again. */
static lb_status mkdirs(lb_ctx *ctx, const char *path, char ***made, size_t *n_made)
{
    char *p = lb_core_strdup(path);
    if (!p)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    lb_status st = LB_OK;
    size_t len = strlen(p);
    for (size_t i = 1; i <= len && st == LB_OK; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, 0777) == 0) {
            if (made && !push_str(made, n_made, p))
                st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        } else if (errno != EEXIST) {
            st = lb_ctx_error(ctx, LB_ERR_IO, "cannot create directory '%s': %s", p,
                              strerror(errno));
        } else {
            struct stat sb;
            if (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode))
                st = lb_ctx_error(ctx, LB_ERR_IO,
                                  "cannot create directory '%s': '%s' is not a directory", path, p);
        }
        p[i] = c;
    }
    free(p);
    return st;
}

/* ---- inputs ------------------------------------------------------------------------------- */

/* Record input @p path (PATH or PATH:LAYER) by device and inode; paths that do not name an
 * existing file (/vsi..., a list of codes) are not files a run could replace. */
static lb_status add_input(lb_ctx *ctx, lb_outdir *o, const char *path)
{
    if (!path || !*path)
        return LB_OK;
    struct stat sb;
    int found = stat(path, &sb) == 0;
    const char *colon = strrchr(path, ':');
    if (!found && colon && colon > path) {
        char *head = lb_core_strfmt("%.*s", (int)(colon - path), path);
        if (!head)
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        found = stat(head, &sb) == 0;
        free(head);
    }
    if (!found)
        return LB_OK;
    lb_outdir_input *in = realloc(o->in, (o->n_in + 1) * sizeof(*in));
    if (!in)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    o->in = in;
    in[o->n_in].dev = sb.st_dev;
    in[o->n_in].ino = sb.st_ino;
    in[o->n_in].path = lb_core_strdup(path);
    if (!in[o->n_in].path)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    o->n_in++;
    return LB_OK;
}

/* The input that @p path is (same device and inode), or NULL. */
static const lb_outdir_input *input_at(const lb_outdir *o, const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return NULL;
    for (size_t i = 0; i < o->n_in; i++)
        if (o->in[i].dev == sb.st_dev && o->in[i].ino == sb.st_ino)
            return &o->in[i];
    return NULL;
}

static lb_status replaces_input(lb_ctx *ctx, const lb_outdir *o, const char *name)
{
    char *p = lb_core_strfmt("%s/%s", o->dir, name);
    if (!p)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    const lb_outdir_input *in = input_at(o, p);
    lb_status st = LB_OK;
    if (in)
        st = lb_ctx_error(
            ctx, LB_ERR_ARG,
            "the output '%s' would replace the input '%s' (the same file); a run never "
            "replaces its inputs: choose another output directory",
            p, in->path);
    free(p);
    return st;
}

/* ---- what is ours ------------------------------------------------------------------------- */

/* The JSON document at @p path when leefbaar wrote it ("tool" is "leefbaar", "leefbaar <command>"
 * or {"name": "leefbaar", ...}), else NULL. Owned by the caller (json_object_put). */
static struct json_object *leefbaar_doc(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return NULL;
    struct json_object *doc = json_object_from_file(path), *tool = NULL, *name = NULL;
    if (!doc || !json_object_is_type(doc, json_type_object) ||
        !json_object_object_get_ex(doc, "tool", &tool)) {
        json_object_put(doc);
        return NULL;
    }
    if (json_object_is_type(tool, json_type_object))
        json_object_object_get_ex(tool, "name", &name);
    else
        name = tool;
    const char *s =
        name && json_object_is_type(name, json_type_string) ? json_object_get_string(name) : "";
    if (strncmp(s, "leefbaar", 8) != 0 || (s[8] != '\0' && s[8] != ' ')) {
        json_object_put(doc);
        return NULL;
    }
    return doc;
}

/* The outputs a previous run lists in DIR/run.json (with run.json itself); 0 when there is no
 * leefbaar run.json there. */
static int previous_outputs(const char *dir, char ***names, size_t *n)
{
    char *p = lb_core_strfmt("%s/run.json", dir);
    struct json_object *doc = p ? leefbaar_doc(p) : NULL, *outs = NULL;
    free(p);
    if (!doc)
        return 0;
    int ok = json_object_object_get_ex(doc, "outputs", &outs) &&
             json_object_is_type(outs, json_type_array) && push_str(names, n, "run.json");
    for (size_t i = 0; ok && i < json_object_array_length(outs); i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(outs, i));
        if (plain_name(s) && !has_str(*names, *n, s))
            ok = push_str(names, n, s);
    }
    json_object_put(doc);
    return ok;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "a, b, c, d and 4 more" of the names, sorted (in place). */
static void name_list(char **v, size_t n, char *buf, size_t size)
{
    if (n)
        qsort(v, n, sizeof(char *), cmp_str);
    buf[0] = '\0';
    for (size_t i = 0; i < n && i < 4; i++)
        lb_core_list_append(buf, size, v[i]);
    if (n > 4) {
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, " and %zu more", n - 4);
    }
}

/* A directory the run owns: every entry must be a previous run's output (or our debris). */
static lb_status check_owned(lb_ctx *ctx, lb_outdir *o, const lb_outdir_spec *spec)
{
    char **entries = NULL, **listed = NULL, **foreign = NULL;
    size_t n_entries = 0, n_listed = 0, n_foreign = 0;
    lb_status st = LB_OK;
    DIR *d = opendir(o->dir);
    if (!d)
        return lb_ctx_error(ctx, LB_ERR_IO, "cannot read the output directory '%s': %s", o->dir,
                            strerror(errno));
    struct dirent *e;
    while (st == LB_OK && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        st = replaces_input(ctx, o, e->d_name);
        if (st == LB_OK && !push_str(&entries, &n_entries, e->d_name))
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    closedir(d);
    if (st != LB_OK || n_entries == 0)
        goto done;
    int have_run = previous_outputs(o->dir, &listed, &n_listed);
    for (size_t i = 0; i < n_entries && st == LB_OK; i++) {
        int ours = is_debris(entries[i]) || has_str(listed, n_listed, entries[i]);
        if (!(ours ? push_str(&o->old, &o->n_old, entries[i])
                   : push_str(&foreign, &n_foreign, entries[i])))
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    char list[512];
    if (st == LB_OK && !spec->overwrite) {
        name_list(entries, n_entries, list, sizeof(list));
        st = lb_ctx_error(
            ctx, LB_ERR_ARG,
            "the output directory '%s' is not empty (%s); pass --overwrite to replace "
            "the outputs of a previous leefbaar run there, or choose another directory",
            o->dir, list);
    } else if (st == LB_OK && n_foreign) {
        name_list(foreign, n_foreign, list, sizeof(list));
        st = lb_ctx_error(ctx, LB_ERR_ARG,
                          "the output directory '%s' holds files leefbaar did not write (%s)%s; "
                          "--overwrite replaces only the outputs a previous run lists in its "
                          "run.json and never deletes other files: choose another directory",
                          o->dir, list,
                          have_run ? "" : " and no run.json of a previous leefbaar run");
    }
done:
    free_strs(entries, n_entries);
    free_strs(listed, n_listed);
    free_strs(foreign, n_foreign);
    return st;
}

/* A shared directory (diagnose): only the run's own names matter. */
static lb_status check_shared(lb_ctx *ctx, lb_outdir *o, const lb_outdir_spec *spec)
{
    lb_status st = LB_OK;
    const char *json = NULL;
    for (size_t i = 0; i < spec->n_names && st == LB_OK; i++) {
        const char *name = spec->names[i];
        size_t len = strlen(name);
        if (len > 5 && strcmp(name + len - 5, ".json") == 0)
            json = name;
        char *p = lb_core_strfmt("%s/%s", o->dir, name);
        struct stat sb;
        if (!p)
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        else if (lstat(p, &sb) == 0) {
            st = replaces_input(ctx, o, name);
            if (st == LB_OK && !push_str(&o->old, &o->n_old, name))
                st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        }
        free(p);
    }
    if (st != LB_OK || o->n_old == 0)
        return st;
    char *doc_path = json ? lb_core_strfmt("%s/%s", o->dir, json) : NULL;
    struct json_object *doc = doc_path ? leefbaar_doc(doc_path) : NULL;
    free(doc_path);
    json_object_put(doc);
    char list[512];
    name_list(o->old, o->n_old, list, sizeof(list));
    if (!spec->overwrite)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "'%s' already holds %s; pass --overwrite to replace them, or choose "
                            "another directory or name",
                            o->dir, list);
    if (!doc)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "'%s' holds %s, which leefbaar did not write (%s is not a leefbaar "
                            "document); they are never replaced: choose another directory or name",
                            o->dir, list, json ? json : "there is no .json among them");
    return LB_OK;
}

/* ---- open, commit, abort ------------------------------------------------------------------ */

lb_status lb_outdir_open(lb_ctx *ctx, const char *dir, const lb_outdir_spec *spec, lb_outdir *out)
{
    static const lb_outdir_spec none = {0};
    memset(out, 0, sizeof(*out));
    if (!spec)
        spec = &none;
    if (!dir || !*dir)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "the output directory is an empty string; give one, "
                            "e.g. -o out");
    lb_status st = LB_OK;
    out->dir = lb_core_strdup(dir);
    out->shared = spec->names != NULL;
    if (!out->dir)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < spec->n_inputs && st == LB_OK; i++)
        st = add_input(ctx, out, spec->inputs[i]);
    struct stat sb;
    if (st != LB_OK) {
        /* fall through to the cleanup */
    } else if (stat(dir, &sb) == 0) {
        const lb_outdir_input *in = input_at(out, dir);
        if (!S_ISDIR(sb.st_mode))
            st = lb_ctx_error(ctx, LB_ERR_IO, "output '%s' exists and is not a directory", dir);
        else if (in && !out->shared)
            st = lb_ctx_error(
                ctx, LB_ERR_ARG,
                "the output directory '%s' is the input '%s'; a run never replaces its "
                "inputs: choose another output directory",
                dir, in->path);
        else
            st = out->shared ? check_shared(ctx, out, spec) : check_owned(ctx, out, spec);
    } else {
        st = mkdirs(ctx, dir, &out->made, &out->n_made);
    }
    if (st == LB_OK) {
        out->tmp = lb_core_strfmt("%s/%sXXXXXX", dir, tmp_prefix);
        if (!out->tmp)
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        else if (!mkdtemp(out->tmp)) {
            st = lb_ctx_error(ctx, LB_ERR_IO, "cannot create a temporary directory in '%s': %s",
                              dir, strerror(errno));
            free(out->tmp);
            out->tmp = NULL;
        }
    }
    if (st != LB_OK)
        lb_outdir_abort(out);
    return st;
}

char *lb_outdir_tmp_path(const lb_outdir *o, const char *name)
{
    return lb_core_strfmt("%s/%s", o->tmp, name);
}

/* One move of the commit, kept to be undone. */
typedef struct move {
    char *from, *to;
} move;

static void free_moves(move *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(m[i].from);
        free(m[i].to);
    }
    free(m);
}

/* rename(), recorded in @p m so that it can be undone; @p o->fail_move lets tests fail one. */
static lb_status do_move(lb_ctx *ctx, lb_outdir *o, const char *from_dir, const char *to_dir,
                         const char *name, move **m, size_t *n)
{
    move *w = realloc(*m, (*n + 1) * sizeof(*w));
    if (!w)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    *m = w;
    char *from = lb_core_strfmt("%s/%s", from_dir, name),
         *to = lb_core_strfmt("%s/%s", to_dir, name);
    if (!from || !to) {
        free(from);
        free(to);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    int fail = o->fail_move && *n + 1 == o->fail_move;
    if (fail || rename(from, to) != 0) {
        lb_status st = lb_ctx_error(ctx, LB_ERR_IO, "cannot move '%s' to '%s': %s", from, to,
                                    strerror(fail ? EIO : errno));
        free(from);
        free(to);
        return st;
    }
    w[*n].from = from;
    w[*n].to = to;
    (*n)++;
    return LB_OK;
}

lb_status lb_outdir_commit(lb_ctx *ctx, lb_outdir *o)
{
    /* done < 0: only a poll for cancellation, so that a cancelled run never commits */
    lb_status st = lb_ctx_progress(ctx, -1.0, "moving the outputs in");
    if (st != LB_OK)
        return st;
    char **names = NULL;
    size_t n_names = 0, n_moves = 0;
    move *moves = NULL;
    char *backup = NULL;
    DIR *d = opendir(o->tmp);
    if (!d)
        return lb_ctx_error(ctx, LB_ERR_IO, "cannot read '%s': %s", o->tmp, strerror(errno));
    struct dirent *e;
    while (st == LB_OK && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            !push_str(&names, &n_names, e->d_name))
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    closedir(d);
    /* A file that appeared in the directory during the run is not ours: leave it, fail. */
    for (size_t i = 0; i < n_names && st == LB_OK; i++) {
        char *p = lb_core_strfmt("%s/%s", o->dir, names[i]);
        struct stat sb;
        if (!p)
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        else if (lstat(p, &sb) == 0 && !has_str(o->old, o->n_old, names[i]))
            st = lb_ctx_error(ctx, LB_ERR_IO,
                              "'%s' appeared during the run and was not written by leefbaar; it is "
                              "not replaced: nothing was written",
                              p);
        else if (lstat(p, &sb) == 0)
            st = replaces_input(ctx, o, names[i]);
        free(p);
    }
    if (st == LB_OK && o->n_old) {
        backup = lb_core_strfmt("%s/%sXXXXXX", o->dir, old_prefix);
        if (!backup)
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        else if (!mkdtemp(backup)) {
            st = lb_ctx_error(ctx, LB_ERR_IO, "cannot create a temporary directory in '%s': %s",
                              o->dir, strerror(errno));
            free(backup);
            backup = NULL;
        }
    }
    /* The previous outputs aside, then the new ones in. */
    for (size_t i = 0; i < o->n_old && st == LB_OK; i++) {
        char *p = lb_core_strfmt("%s/%s", o->dir, o->old[i]);
        struct stat sb;
        if (!p)
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        else if (lstat(p, &sb) == 0)
            st = do_move(ctx, o, o->dir, backup, o->old[i], &moves, &n_moves);
        free(p);
    }
    for (size_t i = 0; i < n_names && st == LB_OK; i++)
        st = do_move(ctx, o, o->tmp, o->dir, names[i], &moves, &n_moves);
    if (st != LB_OK) {
        /* Undo in reverse order: the new files back into the temporary directory (removed by
         * lb_outdir_abort), the old ones back in place. */
        int undone = 1;
        for (size_t i = n_moves; i-- > 0;)
            if (rename(moves[i].to, moves[i].from) != 0)
                undone = 0;
        if (!undone)
            lb_ctx_error_prefix(ctx, st,
                                "the previous outputs could not all be restored (what is left of "
                                "them is in '%s'): ",
                                backup ? backup : o->dir);
        else if (backup)
            rmdir(backup);
    } else {
        if (backup)
            rm_tree(backup, 0);
        if (rmdir(o->tmp) != 0)
            rm_tree(o->tmp, 0);
        free(o->tmp);
        o->tmp = NULL;
        free_strs(o->made, o->n_made);
        o->made = NULL;
        o->n_made = 0;
    }
    free_moves(moves, n_moves);
    free(backup);
    free_strs(names, n_names);
    return st;
}

void lb_outdir_abort(lb_outdir *o)
{
    if (o->tmp)
        rm_tree(o->tmp, 0);
    for (size_t i = o->n_made; i-- > 0;)
        rmdir(o->made[i]); /* only succeeds when empty */
    free_strs(o->made, o->n_made);
    free_strs(o->old, o->n_old);
    for (size_t i = 0; i < o->n_in; i++)
        free(o->in[i].path);
    free(o->in);
    free(o->tmp);
    free(o->dir);
    memset(o, 0, sizeof(*o));
}
