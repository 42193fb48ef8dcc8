/* SPDX-License-Identifier: MIT */
/* Placeholder until written. */
typedef int lb_placeholder_grid_coverage_c;
