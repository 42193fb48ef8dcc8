/* SPDX-License-Identifier: MIT */
/* Placeholder until written. */
typedef int lb_placeholder_geom_geom_c;
