/* SPDX-License-Identifier: MIT */
/* The code fields of Dutch area layers: CBS buurt, wijk and gemeente codes in both Wijk- en
 * Buurtkaart schemas, postcodes, and generic code/id fields. One list for every reader. */
#ifndef LB_CORE_CODES_H
#define LB_CORE_CODES_H

#include <stddef.h>

/* What a code field codes, finest first. */
typedef enum lb_code_level {
    LB_CODE_NONE = 0,
    LB_CODE_BUURT,    /* BU_CODE (up to 2021), buurtcode (from 2022) */
    LB_CODE_WIJK,     /* WK_CODE, wijkcode */
    LB_CODE_GEMEENTE, /* GM_CODE, gemeentecode */
    LB_CODE_PC6,
    LB_CODE_PC4,
    LB_CODE_GENERIC /* CODE, statcode, id, … */
} lb_code_level;

/* The level of field @p name (case-insensitive), LB_CODE_NONE when it is no known code field. */
lb_code_level lb_core_code_field_level(const char *name);

/* The canonical name of a CBS code level in our outputs: "BU_CODE", "WK_CODE", "GM_CODE";
 * NULL for the other levels. */
const char *lb_code_level_name(lb_code_level level);

/* Index of the field among @p names (n of them) that is a code field of @p level, or -1; of
 * several, the one first in our list (CODE before statcode before id). */
long lb_core_code_field_of_level(const char *const *names, size_t n, lb_code_level level);

/* Index of the code field that identifies the rows of a layer with fields @p names: the one of
 * the finest level present (a buurt layer has BU_CODE, WK_CODE and GM_CODE: BU_CODE), or -1
 * when there is none. */
long lb_core_code_field_find(const char *const *names, size_t n);

#endif
