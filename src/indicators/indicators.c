/* SPDX-License-Identifier: MIT */
/* Placeholder until written. */
typedef int lb_placeholder_indicators_indicators_c;
