/* SPDX-License-Identifier: MIT */
/* Searching ascending arrays (see sorted.h). */
#include "sorted.h"

size_t lb_core_lower_bound_u32(const uint32_t *a, size_t lo, size_t hi, uint32_t v)
{
    if (lo > hi)
        return hi;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
