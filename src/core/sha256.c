/* SPDX-License-Identifier: MIT */
/* SHA-256 after FIPS 180-4 (August 2015), sections 4.1.2, 4.2.2, 5.1.1, 5.3.3 and 6.2. */
#include "sha256.h"

#include "ctx.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BLOCK = 64, READ_CHUNK = 65536 };

typedef struct sha256_state {
    uint32_t h[8];
    unsigned char buf[BLOCK];
    size_t n_buf;    /* bytes waiting in buf */
    uint64_t n_bits; /* message length so far */
} sha256_state;

/* FIPS 180-4 §4.2.2: first 32 bits of the fractional parts of the cube roots of the first 64
 * primes. */
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

static void init(sha256_state *s)
{
    /* §5.3.3: first 32 bits of the fractional parts of the square roots of the first 8 primes */
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, h0, sizeof(h0));
    s->n_buf = 0;
    s->n_bits = 0;
}

/* §6.2.2: one 512-bit block, message schedule W and the eight working variables. */
static void compress(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64];
    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
               (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int t = 0; t < 64; t++) {
        uint32_t big_s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = k + big_s1 + ch + K[t] + w[t];
        uint32_t big_s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = big_s0 + maj;
        k = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += k;
}

static void update(sha256_state *s, const unsigned char *p, size_t len)
{
    s->n_bits += (uint64_t)len * 8;
    if (s->n_buf) {
        size_t take = BLOCK - s->n_buf < len ? BLOCK - s->n_buf : len;
        memcpy(s->buf + s->n_buf, p, take);
        s->n_buf += take;
        p += take;
        len -= take;
        if (s->n_buf < BLOCK)
            return;
        compress(s->h, s->buf);
        s->n_buf = 0;
    }
    for (; len >= BLOCK; p += BLOCK, len -= BLOCK)
        compress(s->h, p);
    if (len) {
        memcpy(s->buf, p, len);
        s->n_buf = len;
    }
}

/* §5.1.1 padding: a 1 bit, zeros up to 448 mod 512, then the length as a 64-bit big-endian. */
static void final(sha256_state *s, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    uint64_t n_bits = s->n_bits;
    unsigned char pad[BLOCK + 8] = {0x80};
    size_t n_pad = (s->n_buf < 56 ? 56 : 120) - s->n_buf;
    for (int i = 0; i < 8; i++)
        pad[n_pad + (size_t)i] = (unsigned char)(n_bits >> (56 - 8 * i));
    update(s, pad, n_pad + 8);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 4; j++) {
            unsigned byte = (s->h[i] >> (24 - 8 * j)) & 0xff;
            hex[8 * i + 2 * j] = digits[byte >> 4];
            hex[8 * i + 2 * j + 1] = digits[byte & 0xf];
        }
    hex[64] = '\0';
}

void lb_sha256(const void *data, size_t len, char hex[65])
{
    sha256_state s;
    init(&s);
    if (len)
        update(&s, data, len);
    final(&s, hex);
}

lb_status lb_sha256_file(lb_ctx *ctx, const char *path, char hex[65])
{
    lb_status st = LB_OK;
    unsigned char *chunk = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        st = lb_error(ctx, LB_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
        goto done;
    }
    /* heap, not stack: a large chunk keeps fread calls few on big rasters */
    chunk = malloc(READ_CHUNK);
    if (!chunk) {
        st = lb_error(ctx, LB_ERR_NOMEM, "hashing '%s': out of memory", path);
        goto done;
    }
    sha256_state s;
    init(&s);
    size_t n;
    while ((n = fread(chunk, 1, READ_CHUNK, f)) > 0)
        update(&s, chunk, n);
    if (ferror(f)) {
        st = lb_error(ctx, LB_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
        goto done;
    }
    final(&s, hex);
done:
    free(chunk);
    if (f)
        fclose(f);
    return st;
}
