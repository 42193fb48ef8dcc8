/* SPDX-License-Identifier: MIT */
/* waterbed_summary.csv: the detailed tables of a run narrowed to the total score, the tested
 * zones and the numbers that answer "is there displacement, where, and how sure". */
#include "summary.h"

#include "../core/ctx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const wb_summary_p_diffusion[] = {"p_diffusion", "p_placebo_upper", NULL};
const char *const wb_summary_q_diffusion[] = {"q_diffusion", "q_upper", NULL};
const char *const wb_summary_q_displace[] = {"q_displacement", "q_one", NULL};
const char *const wb_summary_ci_low[] = {"ci_low", "ci_lower", NULL};
const char *const wb_summary_ci_high[] = {"ci_high", "ci_upper", NULL};
const char *const wb_summary_pooled_upper[] = {"p_diffusion", "p_boot_upper", NULL};

const lb_column *wb_summary_col(const lb_table *t, const char *const *names)
{
    for (size_t i = 0; t && names[i]; i++) {
        const lb_column *c = lb_table_col(t, names[i]);
        if (c)
            return c;
    }
    return NULL;
}

double wb_summary_real(const lb_column *c, size_t r)
{
    if (c && c->type == LB_COL_REAL)
        return c->real[r];
    if (c && c->type == LB_COL_INT && c->integer[r] != LB_INT_NULL)
        return (double)c->integer[r];
    return NAN;
}

const char *wb_summary_text(const lb_column *c, size_t r)
{
    return c && c->type == LB_COL_TEXT ? c->text[r] : NULL;
}

static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* The columns read from one source table. */
typedef struct src {
    const lb_table *t;
    const lb_column *run, *period, *role, *outcome, *fid, *fname, *scheme, *zone, *model, *n;
    const lb_column *est, *ci_lo, *ci_hi, *pl_lo, *pl_hi, *p_disp, *q_disp, *p_diff, *q_diff,
        *p_two, *method, *draws;
} src;

/* A row of @p s that the summary reports: the total score, and in the detailed table a zone
 * that is tested against placebos (the focus area itself, rings, adjacency orders). */
static int wanted(const src *s, size_t r)
{
    if (!same(wb_summary_text(s->outcome, r), WB_SUMMARY_OUTCOME))
        return 0;
    if (!s->scheme)
        return 1;
    const char *k = wb_summary_text(s->scheme, r);
    return same(k, "focus") || same(k, "ring") || same(k, "adjacency");
}

/* Distinct texts in order of first appearance. */
typedef struct strset {
    const char **v;
    size_t n, cap;
} strset;

static int strset_add(strset *s, const char *x)
{
    if (!x)
        return 1;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], x) == 0)
            return 1;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        const char **g = realloc(s->v, cap * sizeof(*g));
        if (!g)
            return 0;
        s->v = g;
        s->cap = cap;
    }
    s->v[s->n++] = x;
    return 1;
}

typedef struct out {
    lb_table *t;
    lb_column *run, *period, *role, *outcome, *level, *fid, *fname, *zone, *model, *n, *est, *ci_lo,
        *ci_hi, *pl_lo, *pl_hi, *p_disp, *q_disp, *p_diff, *q_diff, *p_two, *test, *draws, *flag;
    int nomem;
} out;

static void put_text(out *o, lb_column *c, size_t r, const char *s)
{
    if (!s)
        return;
    c->text[r] = lb_core_strdup(s);
    if (!c->text[r])
        o->nomem = 1;
}

/* The flag of a row: displacement or diffusion at WB_SUMMARY_ALPHA in a main period, never on
 * the focus area itself (its own change is the treatment, not a waterbed effect). */
static const char *flag_of(int pooled, const char *role, const char *zone, double est, double ci_lo,
                           double ci_hi, double q_disp, double q_diff, double p_two)
{
    if (!same(role, "main") || same(zone, "focus"))
        return NULL;
    if (!pooled) {
        if (q_disp <= WB_SUMMARY_ALPHA)
            return "displacement";
        if (q_diff <= WB_SUMMARY_ALPHA)
            return "diffusion";
        return NULL;
    }
    /* pooled: the 95 % CI when the run has one, else the two-sided bootstrap test */
    int sig =
        isfinite(ci_lo) && isfinite(ci_hi) ? ci_hi < 0.0 || ci_lo > 0.0 : p_two <= WB_SUMMARY_ALPHA;
    if (!sig || !isfinite(est))
        return NULL;
    return est < 0.0 ? "displacement" : "diffusion";
}

/* Copy row @p r of @p s into summary row @p i. */
static void copy_row(out *o, const src *s, int pooled, size_t r, size_t i)
{
    const char *role = wb_summary_text(s->role, r), *zone = wb_summary_text(s->zone, r);
    put_text(o, o->run, i, wb_summary_text(s->run, r));
    put_text(o, o->period, i, wb_summary_text(s->period, r));
    put_text(o, o->role, i, role);
    put_text(o, o->outcome, i, wb_summary_text(s->outcome, r));
    put_text(o, o->level, i, pooled ? "pooled" : "area");
    put_text(o, o->fid, i, wb_summary_text(s->fid, r));
    put_text(o, o->fname, i, wb_summary_text(s->fname, r));
    put_text(o, o->zone, i, zone);
    put_text(o, o->model, i, wb_summary_text(s->model, r));
    double n = wb_summary_real(s->n, r);
    o->n->integer[i] = isfinite(n) ? (int64_t)n : LB_INT_NULL;
    double est = wb_summary_real(s->est, r), lo = wb_summary_real(s->ci_lo, r),
           hi = wb_summary_real(s->ci_hi, r), qd = wb_summary_real(s->q_disp, r),
           qu = wb_summary_real(s->q_diff, r), pd = wb_summary_real(s->p_disp, r);
    o->est->real[i] = est;
    o->ci_lo->real[i] = lo;
    o->ci_hi->real[i] = hi;
    o->pl_lo->real[i] = wb_summary_real(s->pl_lo, r);
    o->pl_hi->real[i] = wb_summary_real(s->pl_hi, r);
    o->p_disp->real[i] = pd;
    o->q_disp->real[i] = qd;
    o->p_diff->real[i] = wb_summary_real(s->p_diff, r);
    o->q_diff->real[i] = qu;
    o->p_two->real[i] = wb_summary_real(s->p_two, r);
    if (isfinite(pd)) {
        char test[64];
        const char *m = wb_summary_text(s->method, r);
        snprintf(test, sizeof(test), "%s%s", pooled ? "wild_bootstrap" : "placebo_",
                 pooled ? "" : (m ? m : "?"));
        put_text(o, o->test, i, test);
        double d = wb_summary_real(s->draws, r);
        o->draws->integer[i] = isfinite(d) ? (int64_t)d : LB_INT_NULL;
    }
    put_text(o, o->flag, i,
             flag_of(pooled, role, zone, est, lo, hi, qd, qu, wb_summary_real(s->p_two, r)));
}

/* Rows of the summary in order: per period, per zone, the pooled coefficient(s) then the focus
 * areas. With @p o NULL only count them. */
static size_t emit(out *o, const src *m, const src *p, const strset *periods, const strset *zones)
{
    size_t i = 0;
    for (size_t a = 0; a < periods->n; a++)
        for (size_t z = 0; z < zones->n; z++)
            for (int pooled = 1; pooled >= 0; pooled--) {
                const src *s = pooled ? p : m;
                for (size_t r = 0; r < s->t->n_rows; r++) {
                    if (!wanted(s, r) || !same(wb_summary_text(s->period, r), periods->v[a]) ||
                        !same(wb_summary_text(s->zone, r), zones->v[z]))
                        continue;
                    if (o)
                        copy_row(o, s, pooled, r, i);
                    i++;
                }
            }
    return i;
}

static lb_status need(lb_ctx *ctx, const src *s, const char *table, const char *const *names,
                      const lb_column *const *cols, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!cols[i])
            return lb_ctx_error(ctx, LB_ERR_INTERNAL,
                                "waterbed summary: table '%s' has no column '%s' (%zu rows)", table,
                                names[i], s->t->n_rows);
    return LB_OK;
}

static src source(const lb_table *t, int pooled)
{
    src s = {.t = t};
    s.run = lb_table_col(t, "run");
    s.period = lb_table_col(t, "period");
    s.role = lb_table_col(t, "period_role");
    s.outcome = lb_table_col(t, "outcome");
    s.n = lb_table_col(t, "n_units");
    s.ci_lo = wb_summary_col(t, wb_summary_ci_low);
    s.ci_hi = wb_summary_col(t, wb_summary_ci_high);
    if (pooled) {
        s.zone = lb_table_col(t, "term");
        s.model = lb_table_col(t, "model");
        s.est = lb_table_col(t, "estimate");
        s.p_disp = lb_table_col(t, "p_boot_one");
        s.p_two = lb_table_col(t, "p_boot_two");
        s.p_diff = wb_summary_col(t, wb_summary_pooled_upper);
        s.draws = lb_table_col(t, "n_boot");
    } else {
        s.fid = lb_table_col(t, "focus_id");
        s.fname = lb_table_col(t, "focus_name");
        s.scheme = lb_table_col(t, "scheme");
        s.zone = lb_table_col(t, "zone");
        s.est = lb_table_col(t, "did");
        s.pl_lo = lb_table_col(t, "placebo_lo");
        s.pl_hi = lb_table_col(t, "placebo_hi");
        s.p_disp = lb_table_col(t, "p_placebo_one");
        s.q_disp = wb_summary_col(t, wb_summary_q_displace);
        s.p_diff = wb_summary_col(t, wb_summary_p_diffusion);
        s.q_diff = wb_summary_col(t, wb_summary_q_diffusion);
        s.p_two = lb_table_col(t, "p_placebo_two");
        s.method = lb_table_col(t, "placebo_method");
        s.draws = lb_table_col(t, "n_placebo");
    }
    return s;
}

lb_status wb_summary_table(lb_ctx *ctx, const lb_table *main, const lb_table *pooled,
                           lb_table **out_t)
{
    src m = source(main, 0), p = source(pooled, 1);
    strset periods = {0}, zones = {0};
    out o = {0};
    const char *mn[] = {"period", "period_role", "outcome", "zone", "did", "focus_id"};
    const lb_column *mc[] = {m.period, m.role, m.outcome, m.zone, m.est, m.fid};
    const char *pn[] = {"period", "period_role", "outcome", "term", "estimate"};
    const lb_column *pc[] = {p.period, p.role, p.outcome, p.zone, p.est};
    lb_status st = need(ctx, &m, "waterbed", mn, mc, 6);
    if (st == LB_OK)
        st = need(ctx, &p, "waterbed_pooled", pn, pc, 5);
    int ok = 1;
    for (size_t r = 0; st == LB_OK && r < main->n_rows; r++)
        if (wanted(&m, r))
            ok &= strset_add(&periods, wb_summary_text(m.period, r)) &&
                  strset_add(&zones, wb_summary_text(m.zone, r));
    for (size_t r = 0; st == LB_OK && r < pooled->n_rows; r++)
        if (wanted(&p, r))
            ok &= strset_add(&periods, wb_summary_text(p.period, r)) &&
                  strset_add(&zones, wb_summary_text(p.zone, r));
    if (st == LB_OK && !ok)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK)
        st = lb_table_create(ctx, emit(NULL, &m, &p, &periods, &zones), &o.t);
    struct {
        lb_column **c;
        const char *name;
        lb_col_type type;
        int decimals;
    } cols[] = {
        {&o.run, "run", LB_COL_TEXT, -1},
        {&o.period, "period", LB_COL_TEXT, -1},
        {&o.role, "period_role", LB_COL_TEXT, -1},
        {&o.outcome, "outcome", LB_COL_TEXT, -1},
        {&o.level, "level", LB_COL_TEXT, -1},
        {&o.fid, "focus_id", LB_COL_TEXT, -1},
        {&o.fname, "focus_name", LB_COL_TEXT, -1},
        {&o.zone, "zone", LB_COL_TEXT, -1},
        {&o.model, "model", LB_COL_TEXT, -1},
        {&o.n, "n_units", LB_COL_INT, -1},
        {&o.est, "estimate", LB_COL_REAL, 6},
        {&o.ci_lo, "ci_low", LB_COL_REAL, 6},
        {&o.ci_hi, "ci_high", LB_COL_REAL, 6},
        {&o.pl_lo, "placebo_lo", LB_COL_REAL, 6},
        {&o.pl_hi, "placebo_hi", LB_COL_REAL, 6},
        {&o.p_disp, "p_displacement", LB_COL_REAL, 6},
        {&o.q_disp, "q_displacement", LB_COL_REAL, 6},
        {&o.p_diff, "p_diffusion", LB_COL_REAL, 6},
        {&o.q_diff, "q_diffusion", LB_COL_REAL, 6},
        {&o.p_two, "p_two_sided", LB_COL_REAL, 6},
        {&o.test, "test", LB_COL_TEXT, -1},
        {&o.draws, "n_draws", LB_COL_INT, -1},
        {&o.flag, "flag", LB_COL_TEXT, -1},
    };
    for (size_t i = 0; st == LB_OK && i < sizeof(cols) / sizeof(cols[0]); i++) {
        st = lb_table_add(ctx, o.t, cols[i].name, cols[i].type, cols[i].c);
        if (st == LB_OK)
            (*cols[i].c)->decimals = cols[i].decimals;
    }
    if (st == LB_OK) {
        emit(&o, &m, &p, &periods, &zones);
        if (o.nomem)
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    free(periods.v);
    free(zones.v);
    if (st != LB_OK) {
        lb_table_destroy(o.t);
        return st;
    }
    *out_t = o.t;
    return LB_OK;
}
