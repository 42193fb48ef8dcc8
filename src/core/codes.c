/* SPDX-License-Identifier: MIT */
/* The code fields of Dutch area layers (codes.h). */
#include "codes.h"

#include "ctx.h"

#include <string.h>

/* Field names as CBS publishes them. Short upper-case names: the Wijk- en Buurtkaart up to
 * 2021 (shapefile/DBF era; Toelichting Wijk- en Buurtkaart 2021, chapter 5: BU_CODE, WK_CODE,
 * GM_CODE). Long lower-case names: from 2022 (Toelichting Wijk- en Buurtkaart 2022, 2023 en
 * 2024, section 5.1: buurtcode, wijkcode, gemeentecode). statcode is the code of the CBS
 * gebiedsindelingen and PDOK services. Matched case-insensitively. */
static const struct {
    const char *name;
    lb_code_level level;
} code_fields[] = {
    {"BU_CODE", LB_CODE_BUURT}, {"buurtcode", LB_CODE_BUURT},  {"WK_CODE", LB_CODE_WIJK},
    {"wijkcode", LB_CODE_WIJK}, {"GM_CODE", LB_CODE_GEMEENTE}, {"gemeentecode", LB_CODE_GEMEENTE},
    {"PC6", LB_CODE_PC6},       {"postcode6", LB_CODE_PC6},    {"PC4", LB_CODE_PC4},
    {"postcode4", LB_CODE_PC4}, {"CODE", LB_CODE_GENERIC},     {"statcode", LB_CODE_GENERIC},
    {"id", LB_CODE_GENERIC},
};

lb_code_level lb_core_code_field_level(const char *name)
{
    if (!name)
        return LB_CODE_NONE;
    for (size_t i = 0; i < sizeof(code_fields) / sizeof(code_fields[0]); i++)
        if (lb_core_str_ieq(name, code_fields[i].name))
            return code_fields[i].level;
    return LB_CODE_NONE;
}

const char *lb_code_level_name(lb_code_level level)
{
    switch (level) {
    case LB_CODE_BUURT:
        return "BU_CODE";
    case LB_CODE_WIJK:
        return "WK_CODE";
    case LB_CODE_GEMEENTE:
        return "GM_CODE";
    default:
        return NULL;
    }
}

long lb_core_code_field_of_level(const char *const *names, size_t n, lb_code_level level)
{
    /* in the order of the list above (CODE before id), not of the layer's fields */
    for (size_t k = 0; k < sizeof(code_fields) / sizeof(code_fields[0]); k++) {
        if (code_fields[k].level != level)
            continue;
        for (size_t i = 0; i < n; i++)
            if (lb_core_str_ieq(names[i], code_fields[k].name))
                return (long)i;
    }
    return -1;
}

long lb_core_code_field_find(const char *const *names, size_t n)
{
    for (int level = LB_CODE_BUURT; level <= LB_CODE_GENERIC; level++) {
        long i = lb_core_code_field_of_level(names, n, (lb_code_level)level);
        if (i >= 0)
            return i;
    }
    return -1;
}
