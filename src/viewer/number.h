/* SPDX-License-Identifier: MIT */
/* Numbers of the viewer's data scripts as JSON: the shortest text that reads back as the same
 * double, never NaN or infinity. */
#ifndef LB_VIEWER_NUMBER_H
#define LB_VIEWER_NUMBER_H

struct json_object;

/* A JSON number for @p v whose text is the shortest decimal that reads back as @p v ("0.1",
 * not json-c's "0.10000000000000001"; "5e-324"; "-0"), or NULL (JSON null) for NaN and the
 * infinities, which JSON cannot hold. *return: json_object_put. */
struct json_object *lb_viewer_number_json(double v);

#endif
