/* SPDX-License-Identifier: MIT */
/* Placeholder until written. */
typedef int lb_placeholder_model_score_c;
