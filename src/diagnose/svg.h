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

/* Round @p x up to 1, 2 or 5 × 10^k (0.01 for x <= 0): steps of axes and gridlines. */
double lb_svg_nice_up(double x);

/* A scale bar of a round length about a fifth of the map's @p width_m metres (drawn at
 * @p scale pixels per metre, bottom left) and a north arrow (top right) on a map of @p w × @p h
 * pixels; kilometres with a decimal comma when @p decimal_comma, else a point. */
void lb_svg_scale_north(lb_text *t, double width_m, double scale, double w, double h,
                        int decimal_comma);

#endif
