/* SPDX-License-Identifier: MIT */
/* All-or-nothing output directories. */
#define _POSIX_C_SOURCE 200809L

#include "outdir.h"

#include "../core/ctx.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

lb_status lb_mkdirs(lb_ctx *ctx, const char *path)
{
    char *p = lb_strdup(path);
    if (!p)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            lb_status st =
                lb_error(ctx, LB_ERR_IO, "cannot create directory '%s': %s", p, strerror(errno));
            free(p);
            return st;
        }
        *s = '/';
    }
    lb_status st = LB_OK;
    if (mkdir(p, 0777) != 0 && errno != EEXIST)
        st = lb_error(ctx, LB_ERR_IO, "cannot create directory '%s': %s", p, strerror(errno));
    free(p);
    return st;
}

lb_status lb_outdir_open(lb_ctx *ctx, const char *dir, lb_outdir *out)
{
    memset(out, 0, sizeof(*out));
    struct stat sb;
    if (stat(dir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode))
            return lb_error(ctx, LB_ERR_IO, "output '%s' exists and is not a directory", dir);
    } else {
        lb_status st = lb_mkdirs(ctx, dir);
        if (st != LB_OK)
            return st;
        out->created = 1;
    }
    out->dir = lb_strdup(dir);
    out->tmp = lb_strfmt("%s/.leefbaar-tmp-XXXXXX", dir);
    if (!out->dir || !out->tmp) {
        lb_outdir_abort(out);
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    if (!mkdtemp(out->tmp)) {
        lb_status st = lb_error(ctx, LB_ERR_IO, "cannot create a temporary directory in '%s': %s",
                                dir, strerror(errno));
        free(out->tmp);
        out->tmp = NULL;
        lb_outdir_abort(out);
        return st;
    }
    return LB_OK;
}

char *lb_outdir_tmp_path(const lb_outdir *o, const char *name)
{
    return lb_strfmt("%s/%s", o->tmp, name);
}

lb_status lb_outdir_commit(lb_ctx *ctx, lb_outdir *o)
{
    DIR *d = opendir(o->tmp);
    if (!d)
        return lb_error(ctx, LB_ERR_IO, "cannot read '%s': %s", o->tmp, strerror(errno));
    lb_status st = LB_OK;
    struct dirent *e;
    while (st == LB_OK && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *from = lb_strfmt("%s/%s", o->tmp, e->d_name);
        char *to = lb_strfmt("%s/%s", o->dir, e->d_name);
        if (!from || !to)
            st = lb_error(ctx, LB_ERR_NOMEM, "out of memory");
        else if (rename(from, to) != 0)
            st =
                lb_error(ctx, LB_ERR_IO, "cannot move '%s' to '%s': %s", from, to, strerror(errno));
        free(from);
        free(to);
    }
    closedir(d);
    if (st == LB_OK && rmdir(o->tmp) != 0)
        st = lb_error(ctx, LB_ERR_IO, "cannot remove '%s': %s", o->tmp, strerror(errno));
    if (st == LB_OK) {
        free(o->tmp);
        o->tmp = NULL;
        o->created = 0;
    }
    return st;
}

void lb_outdir_abort(lb_outdir *o)
{
    if (o->tmp) {
        DIR *d = opendir(o->tmp);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *p = lb_strfmt("%s/%s", o->tmp, e->d_name);
            if (p)
                unlink(p);
            free(p);
        }
        if (d)
            closedir(d);
        rmdir(o->tmp);
    }
    if (o->created && o->dir)
        rmdir(o->dir); /* only succeeds when empty */
    free(o->tmp);
    free(o->dir);
    memset(o, 0, sizeof(*o));
}
