/* SPDX-License-Identifier: MIT */
/* Placeholder until written. */
typedef int lb_placeholder_core_sha256_c;
