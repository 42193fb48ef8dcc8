/* SPDX-License-Identifier: MIT */
/* Placeholder until written. */
typedef int lb_placeholder_pipeline_demo_c;
