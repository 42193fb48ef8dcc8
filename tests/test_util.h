/* SPDX-License-Identifier: MIT */
/* Shared helpers for the cmocka suites. Include after <cmocka.h>. */
#ifndef LB_TESTS_TEST_UTIL_H
#define LB_TESTS_TEST_UTIL_H

#include <math.h>
#include <stdio.h>

/* cmocka 1.1's assert_float_equal compares as float; this compares doubles. */
#define assert_near(a, b, eps)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b), e_ = (eps);                                                     \
        if (!(fabs(a_ - b_) <= e_)) {                                                              \
            print_error("%s = %.17g, %s = %.17g, differ by %.3g > %.3g\n", #a, a_, #b, b_,         \
                        fabs(a_ - b_), e_);                                                        \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

#endif
