/* SPDX-License-Identifier: MIT */
/* Forwarding header: the grid is plain data in data/grid.h. Kept so that files outside the
 * layout change (src/pipeline, src/change, ...) compile unchanged; remove after the merge. */
#ifndef LB_GRID_GRID_H
#define LB_GRID_GRID_H

#include "../data/grid.h"

#endif
