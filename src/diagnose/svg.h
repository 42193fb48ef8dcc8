/* SPDX-License-Identifier: MIT */
/* Inline SVG figures of the diagnosis report. */
#ifndef LB_DIAGNOSE_SVG_H
#define LB_DIAGNOSE_SVG_H

#include "diagnose.h"
#include "text.h"

/* The map of the wijk's units and their surroundings, coloured by class in the last year, the
 * wijk's units outlined and numbered as in the buurten table, focus units dashed. Returns 0
 * (writing nothing) when the scores have no polygons. */
int lb_diagnose_svg_map(lb_text *t, const lb_diagnosis *dx);

/* Horizontal bars of wijk − gemeente per dimension in the last year, with the "clearly
 * below" threshold dashed. */
void lb_diagnose_svg_bars(lb_text *t, const lb_diagnosis *dx);

/* The score (lbm) of wijk, gemeente and focus areas over the years on the class bands. */
void lb_diagnose_svg_development(lb_text *t, const lb_diagnosis *dx);

#endif
