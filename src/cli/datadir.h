/* SPDX-License-Identifier: MIT */
/* Where the command-line tool finds its data: the models and the demo city. */
#ifndef LB_CLI_DATADIR_H
#define LB_CLI_DATADIR_H

#include <stddef.h>

/* Size of the path buffers handed to these functions. */
enum { CLI_PATH_MAX = 4096 };

/* The folder holding models/, shapes/ and rasters/, written into @p buf (size @p n):
 *   1. @p given (the --data option) when not NULL;
 *   2. $LEEFBAAR_DATA when set and not empty;
 *   3. the installed data directory, found relative to the running executable
 *      (<bindir>/../share/leefbaar for the default layout), when it holds models/;
 *   4. the source tree, only when the executable runs from its own build directory.
 * An installed (or copied) prefix thus never reads the tree it was built from. Returns @p buf,
 * or NULL after printing "PROG: error: ..." with the places looked in. */
const char *cli_data_dir(const char *prog, const char *given, char *buf, size_t n);

/* A model argument: a path when it names an existing file or contains '/' or ends in .yaml or
 * .yml, otherwise the name of an installed model, <data>/models/NAME.yaml (e.g. "default").
 * Writes into @p buf; returns @p buf, or NULL after printing an error. */
const char *cli_model_path(const char *prog, const char *model, char *buf, size_t n);

/* The folder holding the web-map library of the viewer (maplibre-gl.js, maplibre-gl.css,
 * LICENSE.txt), written into @p buf:
 *   1. @p given (the --viewer-lib / --lib option) when not NULL;
 *   2. $LEEFBAAR_VIEWER_LIB when set and not empty;
 *   3. the installed one, <data directory>/viewer/lib, found relative to the executable;
 *   4. the npm cache of the source tree (scripts/setup-deps.sh --viewer puts it there), only
 *      when the executable runs from its own build directory.
 * Returns @p buf, or NULL after printing "PROG: error: ..." with the places looked in and
 * what to run. */
const char *cli_viewer_lib_dir(const char *prog, const char *given, char *buf, size_t n);

#endif
