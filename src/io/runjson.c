/* SPDX-License-Identifier: MIT */
/* Placeholder until written. */
typedef int lb_placeholder_io_runjson_c;
