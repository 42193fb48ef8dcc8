/* SPDX-License-Identifier: MIT */
/* Placeholder until written. */
typedef int lb_placeholder_model_model_c;
