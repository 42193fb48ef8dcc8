/* SPDX-License-Identifier: MIT */
/* Large arrays (rasters, coverages, the columns of big layers) on huge pages where the kernel
 * offers them. */
#ifndef LB_CORE_BIGMEM_H
#define LB_CORE_BIGMEM_H

#include <stddef.h>

/* malloc() for arrays of many MB: from LB_BIGMEM_MIN bytes on, 2 MiB aligned, rounded up to
 * whole 2 MiB pages and marked for transparent huge pages (madvise MADV_HUGEPAGE, Linux), so
 * that filling a 9-million-cell raster takes a few dozen page faults instead of tens of
 * thousands (on a virtual machine a page fault costs microseconds: this made reading a
 * national raster 3x faster). The rounding lets the last, partly used 2 MiB of the array be a
 * huge page too (the hint covers only whole huge pages); it costs less than 2 MiB per array.
 * Smaller requests, and systems without the hint, get plain malloc(). Release with free().
 * NULL when out of memory. */
void *lb_bigmem_alloc(size_t bytes);

enum { LB_BIGMEM_MIN = 4 << 20 };

#endif
