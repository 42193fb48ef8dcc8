/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4) of a buffer or a file, as lowercase hex: model and input fingerprints. */
#ifndef LB_CORE_SHA256_H
#define LB_CORE_SHA256_H

#include <leefbaar/core.h>

#include <stddef.h>

/* SHA-256 of @p len bytes at @p data (NULL allowed when len is 0), written to @p hex as 64
 * lowercase hex digits and a terminating NUL. Cannot fail. */
void lb_sha256(const void *data, size_t len, char hex[65]);

/* SHA-256 of the bytes of the file at @p path, read in blocks (files of any size).
 * @p hex is written only on success.
 * @return LB_OK, or LB_ERR_IO ("cannot read 'path': <strerror>") when the file cannot be opened
 * or read. */
lb_status lb_sha256_file(lb_ctx *ctx, const char *path, char hex[65]);

/* Use the portable code even where the CPU has SHA extensions (@p on = 1), or choose again
 * (@p on = 0). For tests that compare the two; the result never depends on it. */
void lb_sha256_force_portable(int on);

#endif
