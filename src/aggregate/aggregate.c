/* SPDX-License-Identifier: MIT */
/* Placeholder until written. */
typedef int lb_placeholder_aggregate_aggregate_c;
