/* SPDX-License-Identifier: MIT */
typedef int lb_placeholder_cmd_demo;
