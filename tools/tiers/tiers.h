/* SPDX-License-Identifier: MIT */
/* leefbaar-tiers: shared types of the deterministic benchmark-tier generator (a developer tool
 * for bench/; not part of the library). */
#ifndef LEEFBAAR_TIERS_H
#define LEEFBAAR_TIERS_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#define TR_DEFAULT_SEED 20240UL
#define TR_CELL_M 100.0
#define TR_NODATA (-9999.0)
#define TR_SENT_SECRET (-99999997.0) /* CBS: geheim (too few inhabitants to publish) */
#define TR_N_YEARS 2
#define TR_MAX_RASTERS 20
#define TR_N_AMENITY_CATS 10
#define TR_N_INC_TYPES 4

typedef enum tr_status { TR_OK = 0, TR_ERR_NOMEM, TR_ERR_ARG, TR_ERR_IO, TR_ERR_GEOM } tr_status;

/* Independent random streams: each purpose (and where it matters each object) has its own
 * seeded mt19937, so adding objects of one kind never changes the draws of another. */
typedef enum tr_stream {
    TR_STREAM_TOWNS = 1,
    TR_STREAM_BUURT_SEEDS,
    TR_STREAM_PC4_SEEDS,
    TR_STREAM_GHOSTS,
    TR_STREAM_EDGE,
    TR_STREAM_CELLS,
    TR_STREAM_ADMIN,
    TR_STREAM_ATTRS,
    TR_STREAM_AMENITIES,
    TR_STREAM_INCIDENTS,
    TR_STREAM_RASTER
} tr_stream;

/* One tier of DESIGN.md §10. */
typedef struct tr_tier {
    const char *name;
    const char *what;
    double xmin, ymin, xmax, ymax; /* RD metres, multiples of 100 */
    int n_buurten;
    int n_pc4;
    int n_gemeenten;
    int n_towns;
    long n_cells;     /* target number of inhabited 100 m squares (the scored cells) */
    long n_amenities; /* per year */
    long n_incidents; /* per year */
    int n_rasters;
    int national;    /* land is a caricature of the Netherlands, sea and abroad are left out */
    double vertex_m; /* spacing of boundary vertices */
    double ghost_m;  /* spacing of the seeds that stand for sea and abroad */
} tr_tier;

typedef struct tr_ctx {
    unsigned long seed;
    const tr_tier *tier;
    char err[1024];
} tr_ctx;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
tr_status
tr_fail(tr_ctx *ctx, tr_status s, const char *fmt, ...);
gsl_rng *tr_rng_new(const tr_ctx *ctx, tr_stream stream, uint64_t index);
uint64_t tr_mix64(uint64_t z);
double tr_round_mm(double v);

/* Polygons as one ring each (no holes), CSR: ring p is xy[2*off[p] .. 2*off[p+1]) (closed). */
typedef struct tr_rings {
    size_t n;
    size_t *off;
    double *xy;
    size_t cap;
} tr_rings;

void tr_rings_free(tr_rings *r);

/* Seeds of a tessellation: the first n_keep are output polygons, the rest are ghosts (sea and
 * abroad) that only bound them. */
typedef struct tr_seeds {
    size_t n, n_keep, cap;
    double *xy;
} tr_seeds;

tr_status tr_seeds_push(tr_ctx *ctx, tr_seeds *s, double x, double y);
void tr_seeds_free(tr_seeds *s);

/* Nearest-seed lookup over a bucket grid (seeds borrowed). */
typedef struct tr_bucket {
    const tr_seeds *s;
    double x0, y0, size;
    int nx, ny;
    uint32_t *start; /* nx*ny+1 */
    uint32_t *idx;
} tr_bucket;

tr_status tr_bucket_build(tr_ctx *ctx, const tr_seeds *s, double xmin, double ymin, double xmax,
                          double ymax, tr_bucket *out);
size_t tr_bucket_nearest(const tr_bucket *b, double x, double y);
void tr_bucket_free(tr_bucket *b);

/* Voronoi cells of the kept seeds inside the tier box, every shared edge replaced by the same
 * seeded fractal polyline on both sides (so the polygons tile without gaps or overlaps), bbox
 * edges straight. @p stream_base separates the edge streams of different tessellations. */
tr_status tr_tessellate(tr_ctx *ctx, const tr_seeds *s, const tr_bucket *b, uint64_t stream_base,
                        tr_rings *out);

/* The land of the tier (everything for city tiers; the Netherlands caricature for T2). */
int tr_is_land(const tr_tier *t, double x, double y);
double tr_land_fraction_hint(const tr_tier *t);

/* Urban intensity at (x, y): a sum of Gaussian towns, 0 in the countryside. */
typedef struct tr_towns {
    int n;
    double *x, *y, *sd, *w;
} tr_towns;

tr_status tr_towns_build(tr_ctx *ctx, tr_towns *out);
double tr_towns_eval(const tr_towns *t, double x, double y);
void tr_towns_free(tr_towns *t);

/* The world: seeds, tessellations and everything derived from the inhabited 100 m squares. */
typedef struct tr_square {
    uint32_t cell; /* row-major index, row 0 north */
    uint32_t buurt;
    uint32_t pc4;
    int inw[TR_N_YEARS];
    int won[TR_N_YEARS];
} tr_square;

typedef struct tr_buurt {
    char code[40], wk_code[32], gm_code[16];
    char name[64], gm_name[32];
    int gemeente, wijk;
    double area_m2;
    double urban; /* urban intensity at the seed */
    long inw[TR_N_YEARS], won[TR_N_YEARS], hh[TR_N_YEARS];
    double woz[TR_N_YEARS], p_koop[TR_N_YEARS], p_corp[TR_N_YEARS], p_eenp[TR_N_YEARS],
        p_hhmk[TR_N_YEARS], p_65[TR_N_YEARS];
} tr_buurt;

typedef struct tr_point {
    double x, y;
    int cat;
} tr_point;

typedef struct tr_points {
    size_t n, cap;
    tr_point *v;
} tr_points;

typedef struct tr_world {
    int nx, ny; /* the 100 m grid of the tier box */
    tr_towns towns;
    float *urban;        /* urban intensity per grid cell */
    unsigned char *land; /* 1 where the cell centre is on land */
    tr_seeds bseeds, pseeds;
    tr_bucket bbucket, pbucket;
    tr_rings buurt_rings, pc4_rings;
    tr_buurt *buurten;
    long *pc4_inw;
    tr_square *sq;
    size_t n_sq;
    tr_points amenities[TR_N_YEARS];
    tr_points incidents[TR_N_YEARS];
} tr_world;

extern const int tr_years[TR_N_YEARS];
extern const char *const tr_amenity_cats[TR_N_AMENITY_CATS];
extern const char *const tr_inc_types[TR_N_INC_TYPES];

/* world.c */
tr_status tr_world_build(tr_ctx *ctx, tr_world *w);
void tr_world_free(tr_world *w);

/* rasters.c: raster k (0-based) of the tier, nx*ny Float32 north-up, nodata TR_NODATA. */
typedef struct tr_raster_def {
    const char *name;
    const char *unit;
    double base, amp, urban, lo, hi;
} tr_raster_def;
extern const tr_raster_def tr_raster_defs[TR_MAX_RASTERS];
tr_status tr_raster_make(tr_ctx *ctx, const tr_world *w, int k, float *out);

/* write.c */
tr_status tr_write_buurten(tr_ctx *ctx, const tr_world *w, int year_index, const char *path);
tr_status tr_write_pc4(tr_ctx *ctx, const tr_world *w, const char *path);
tr_status tr_write_squares(tr_ctx *ctx, const tr_world *w, int year_index, const char *path);
tr_status tr_write_points(tr_ctx *ctx, const tr_world *w, int amenities, int year_index,
                          const char *path);
tr_status tr_write_raster(tr_ctx *ctx, const tr_world *w, const float *v, const char *name,
                          const char *unit, const char *path);

#endif
