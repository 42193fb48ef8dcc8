/* SPDX-License-Identifier: MIT */
/* Searching ascending arrays: one binary search for every module that walks a sorted list of
 * cell indices. */
#ifndef LB_CORE_SORTED_H
#define LB_CORE_SORTED_H

#include <stddef.h>
#include <stdint.h>

/* The lower bound of @p v in the ascending @p a[lo..hi): the first index i in [lo, hi) with
 * a[i] >= v, or @p hi when every element there is smaller (also when lo >= hi). Duplicates of
 * @p v: the first of them. O(log(hi - lo)). */
size_t lb_core_lower_bound_u32(const uint32_t *a, size_t lo, size_t hi, uint32_t v);

#endif
