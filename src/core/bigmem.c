/* SPDX-License-Identifier: MIT */
/* Large arrays on transparent huge pages. */
#define _DEFAULT_SOURCE /* posix_memalign, madvise */
#include "bigmem.h"

#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

void *lb_bigmem_alloc(size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= LB_BIGMEM_MIN) {
        enum { HUGE_PAGE = 2 << 20 };
        void *p = NULL;
        if (posix_memalign(&p, HUGE_PAGE, bytes) != 0)
            return NULL;
        /* a hint: when the kernel declines, the memory is ordinary pages */
        (void)madvise(p, bytes, MADV_HUGEPAGE);
        return p;
    }
#endif
    return malloc(bytes ? bytes : 1);
}
