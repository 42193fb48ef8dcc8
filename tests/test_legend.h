/* SPDX-License-Identifier: MIT */
/* The default Leefbaarometer legend (DESIGN.md §6), for the suites that write maps. */
#ifndef LB_TESTS_TEST_LEGEND_H
#define LB_TESTS_TEST_LEGEND_H

static const double lb_test_thresholds[8] = {3.46,   3.557,  3.6955, 3.8971,
                                             3.9972, 4.1924, 4.3044, 4.3926};
static const char *const lb_test_labels[9] = {
    "zeer onvoldoende", "ruim onvoldoende", "onvoldoende", "zwak",
    "voldoende",        "ruim voldoende",   "goed",        "zeer goed",
    "uitstekend"};
static const char *const lb_test_colours[9] = {"#730000", "#e50000", "#e1702e",
                                               "#ffffbe", "#d3ffbe", "#93e667",
                                               "#55be00", "#267300", "#2d4900"};

#endif
