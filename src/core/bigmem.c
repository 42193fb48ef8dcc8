/* SPDX-License-Identifier: MIT */
/* Large arrays on transparent huge pages. */
#define _DEFAULT_SOURCE /* posix_memalign, madvise */
#include "bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

void *lb_bigmem_alloc(size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    enum { HUGE_PAGE = 2 << 20 };
    if (bytes >= LB_BIGMEM_MIN && bytes <= SIZE_MAX - HUGE_PAGE) {
        size_t whole = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
        void *p = NULL;
        if (posix_memalign(&p, HUGE_PAGE, whole) != 0)
            return NULL;
        /* a hint: when the kernel declines, the memory is ordinary pages */
        (void)madvise(p, whole, MADV_HUGEPAGE);
        return p;
    }
#endif
    return malloc(bytes ? bytes : 1);
}
