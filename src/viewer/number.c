/* SPDX-License-Identifier: MIT */
/* Numbers of the viewer's data scripts as JSON. json-c writes a double with "%.17g", which
 * turns 0.1 into 0.10000000000000001; a number made here carries its own text, the shortest
 * that reads back as the same double (lb_io_format_double), so the page reads exactly the
 * double the run computed and a person reading meta.js sees 0.1. */
#include "number.h"

#include "../io/write.h"

#include <json-c/json.h>
#include <math.h>

struct json_object *lb_viewer_number_json(double v)
{
    if (!isfinite(v))
        return NULL;
    char text[32];
    lb_io_format_double(v, text, sizeof(text));
    return json_object_new_double_s(v, text);
}
