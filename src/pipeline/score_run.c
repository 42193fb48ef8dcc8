/* SPDX-License-Identifier: MIT */
/* Placeholder until written. */
typedef int lb_placeholder_pipeline_score_run_c;
