/* SPDX-License-Identifier: MIT */
/* Numbers stored in either byte order (WKB, GeoPackage geometry headers), read from unaligned
 * bytes. */
#ifndef LB_CORE_BYTES_H
#define LB_CORE_BYTES_H

#include <stdint.h>
#include <string.h>

/* The unsigned 32-bit number at @p p, little endian when @p little, else big endian. */
static inline uint32_t lb_core_load_u32(const unsigned char *p, int little)
{
    return little
               ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
               : (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

/* The IEEE 754 double at @p p, little endian when @p little, else big endian. */
static inline double lb_core_load_f64(const unsigned char *p, int little)
{
    uint64_t v = 0;
    for (int b = 0; b < 8; b++)
        v |= (uint64_t)p[little ? b : 7 - b] << (8 * b);
    double d;
    memcpy(&d, &v, sizeof(d));
    return d;
}

#endif
