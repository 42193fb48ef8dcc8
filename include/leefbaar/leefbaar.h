/* SPDX-License-Identifier: MIT */
/* leefbaar: livability scores for Dutch neighbourhoods. The umbrella header. */
#ifndef LEEFBAAR_H
#define LEEFBAAR_H

#include "change.h"
#include "core.h"
#include "model.h"
#include "options.h"
#include "result.h"
#include "score.h"
#include "scores.h"
#include "diagnose.h"
#include "waterbed.h"

#endif
