/* SPDX-License-Identifier: MIT */
/* Atoms: node the outline with the Voronoi edges of two seed sets (snap rounding on a 1 cm grid),
 * polygonize, and keep the faces inside the outline with their owning seeds. */
#include "synth.h"

#include <float.h>
#include <stdlib.h>

static GEOSGeometry *multipoint(sy_ctx *ctx, const double *xy, size_t n)
{
    GEOSGeometry **pts = calloc(n, sizeof(*pts));
    if (!pts)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        pts[i] = sy_point_new(ctx, xy[2 * i], xy[2 * i + 1]);
        if (!pts[i]) {
            for (size_t j = 0; j < i; j++)
                GEOSGeom_destroy_r(ctx->geos, pts[j]);
            free(pts);
            return NULL;
        }
    }
    GEOSGeometry *mp = GEOSGeom_createCollection_r(ctx->geos, GEOS_MULTIPOINT, pts, (unsigned)n);
    free(pts);
    return mp;
}

static GEOSGeometry *voronoi_edges(sy_ctx *ctx, const double *xy, size_t n, const GEOSGeometry *env)
{
    GEOSGeometry *mp = multipoint(ctx, xy, n);
    if (!mp)
        return NULL;
    GEOSGeometry *edges = GEOSVoronoiDiagram_r(ctx->geos, mp, env, 0.0, 1);
    GEOSGeom_destroy_r(ctx->geos, mp);
    return edges;
}

static int nearest(const double *xy, size_t n, double x, double y)
{
    int best = -1;
    double bd = DBL_MAX;
    for (size_t i = 0; i < n; i++) {
        double dx = xy[2 * i] - x, dy = xy[2 * i + 1] - y;
        double d = dx * dx + dy * dy;
        if (d < bd) {
            bd = d;
            best = (int)i;
        }
    }
    return best;
}

void sy_atoms_free(sy_ctx *ctx, sy_atoms *atoms)
{
    for (size_t i = 0; i < atoms->n; i++)
        GEOSGeom_destroy_r(ctx->geos, atoms->geom[i]);
    free(atoms->geom);
    free(atoms->buurt);
    free(atoms->fine);
    atoms->geom = NULL;
    atoms->buurt = NULL;
    atoms->fine = NULL;
    atoms->n = 0;
}

sy_status sy_partition(sy_ctx *ctx, const GEOSGeometry *outline, const double *buurt_xy,
                       size_t n_buurt, const double *fine_xy, size_t n_fine, sy_atoms *out)
{
    GEOSContextHandle_t h = ctx->geos;
    sy_status st = SY_OK;
    GEOSGeometry *env = NULL, *noded = NULL, *faces = NULL;
    GEOSGeometry *parts[3] = {NULL, NULL, NULL};
    const GEOSPreparedGeometry *prep = NULL;
    sy_atoms at = {0};

    /* The Voronoi envelope only has to reach beyond the outline; faces outside are dropped. */
    env = GEOSEnvelope_r(h, outline);
    GEOSGeometry *big = env ? GEOSBuffer_r(h, env, 3000.0, 1) : NULL;
    GEOSGeom_destroy_r(h, env);
    env = big;
    if (!env) {
        st = sy_geos_fail(ctx, "partition envelope");
        goto done;
    }
    parts[0] = GEOSBoundary_r(h, outline);
    parts[1] = voronoi_edges(ctx, buurt_xy, n_buurt, env);
    parts[2] = voronoi_edges(ctx, fine_xy, n_fine, env);
    if (!parts[0] || !parts[1] || !parts[2]) {
        st = sy_geos_fail(ctx, "Voronoi diagram");
        goto done;
    }
    GEOSGeometry *lines = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, 3);
    if (!lines) {
        st = sy_geos_fail(ctx, "linework collection");
        goto done;
    }
    parts[0] = parts[1] = parts[2] = NULL;
    /* Snap-rounded noding: all three line sets share nodes, so every face boundary is exact. */
    noded = GEOSUnaryUnionPrec_r(h, lines, SY_GRID_M);
    GEOSGeom_destroy_r(h, lines);
    if (!noded) {
        st = sy_geos_fail(ctx, "noding the linework");
        goto done;
    }
    const GEOSGeometry *in[1] = {noded};
    faces = GEOSPolygonize_r(h, in, 1);
    if (!faces) {
        st = sy_geos_fail(ctx, "polygonize");
        goto done;
    }
    prep = GEOSPrepare_r(h, outline);
    if (!prep) {
        st = sy_geos_fail(ctx, "prepare outline");
        goto done;
    }
    int nf = GEOSGetNumGeometries_r(h, faces);
    at.geom = calloc((size_t)nf, sizeof(*at.geom));
    at.buurt = calloc((size_t)nf, sizeof(*at.buurt));
    at.fine = calloc((size_t)nf, sizeof(*at.fine));
    if (!at.geom || !at.buurt || !at.fine) {
        st = sy_fail(ctx, SY_ERR_NOMEM, "out of memory (atoms)");
        goto done;
    }
    for (int i = 0; i < nf; i++) {
        const GEOSGeometry *f = GEOSGetGeometryN_r(h, faces, i);
        GEOSGeometry *p = GEOSPointOnSurface_r(h, f);
        double x = 0.0, y = 0.0;
        if (!p || !GEOSGeomGetX_r(h, p, &x) || !GEOSGeomGetY_r(h, p, &y)) {
            GEOSGeom_destroy_r(h, p);
            st = sy_geos_fail(ctx, "face interior point");
            goto done;
        }
        char inside = GEOSPreparedContains_r(h, prep, p);
        GEOSGeom_destroy_r(h, p);
        if (inside == 2) {
            st = sy_geos_fail(ctx, "face in outline");
            goto done;
        }
        if (!inside)
            continue;
        /* An interior point lies in exactly one Voronoi cell of each set: its nearest seed. */
        at.geom[at.n] = GEOSGeom_clone_r(h, f);
        if (!at.geom[at.n]) {
            st = sy_geos_fail(ctx, "clone face");
            goto done;
        }
        at.buurt[at.n] = nearest(buurt_xy, n_buurt, x, y);
        at.fine[at.n] = nearest(fine_xy, n_fine, x, y);
        at.n++;
    }
    *out = at;
    at = (sy_atoms){0};
done:
    sy_atoms_free(ctx, &at);
    if (prep)
        GEOSPreparedGeom_destroy_r(h, prep);
    GEOSGeom_destroy_r(h, faces);
    GEOSGeom_destroy_r(h, noded);
    for (int i = 0; i < 3; i++)
        GEOSGeom_destroy_r(h, parts[i]);
    GEOSGeom_destroy_r(h, env);
    return st;
}

sy_status sy_dissolve(sy_ctx *ctx, const sy_atoms *atoms, const int *group, size_t n_groups,
                      GEOSGeometry **out)
{
    sy_status st = SY_OK;
    size_t *start = calloc(n_groups + 1, sizeof(*start));
    GEOSGeometry **members = calloc(atoms->n ? atoms->n : 1, sizeof(*members));
    size_t *fill = calloc(n_groups + 1, sizeof(*fill));
    if (!start || !members || !fill) {
        st = sy_fail(ctx, SY_ERR_NOMEM, "out of memory (dissolve)");
        goto done;
    }
    for (size_t g = 0; g < n_groups; g++)
        out[g] = NULL;
    for (size_t i = 0; i < atoms->n; i++)
        if (group[i] >= 0)
            start[group[i] + 1]++;
    for (size_t g = 0; g < n_groups; g++)
        start[g + 1] += start[g];
    for (size_t i = 0; i < atoms->n; i++) {
        if (group[i] < 0)
            continue;
        size_t g = (size_t)group[i];
        members[start[g] + fill[g]++] = atoms->geom[i];
    }
    for (size_t g = 0; g < n_groups; g++) {
        size_t n = start[g + 1] - start[g];
        if (n == 0)
            continue;
        out[g] = sy_union_of(ctx, members + start[g], n);
        if (!out[g]) {
            st = sy_geos_fail(ctx, "dissolve atoms");
            for (size_t k = 0; k < g; k++) {
                GEOSGeom_destroy_r(ctx->geos, out[k]);
                out[k] = NULL;
            }
            goto done;
        }
    }
done:
    free(fill);
    free(members);
    free(start);
    return st;
}
