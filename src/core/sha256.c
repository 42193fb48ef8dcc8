/* SPDX-License-Identifier: MIT */
/* SHA-256 after FIPS 180-4 (August 2015), sections 4.1.2, 4.2.2, 5.1.1, 5.3.3 and 6.2. */
#include "sha256.h"

#include "ctx.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LB_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

enum { BLOCK = 64, READ_CHUNK = 1 << 20 };

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

/* The portable compression of @p n consecutive blocks. */
static void compress_blocks_portable(uint32_t h[8], const unsigned char *p, size_t n)
{
    for (; n; n--, p += BLOCK)
        compress(h, p);
}

#ifdef LB_SHA_NI
/* The same with the x86 SHA extensions (SHA-NI), about 5x faster: what makes hashing the inputs
 * of a national run (hundreds of MB of rasters) cheap. The instructions keep the state as two
 * vectors, ABEF and CDGH (lane 3 first); sha256rnds2 does two rounds with the two low lanes of
 * the message-plus-constant vector, sha256msg1/msg2 extend the message schedule four words at a
 * time: W[t..t+3] = msg2(msg1(W[t-16..], W[t-12..]) + W[t-7..t-4], W[t-4..t-1]). */
__attribute__((target("sha,sse4.1,ssse3"))) static void
compress_blocks_shani(uint32_t h[8], const unsigned char *p, size_t n)
{
    /* big-endian words: reverse the bytes of each 32-bit lane */
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i dcba = _mm_loadu_si128((const __m128i *)&h[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)&h[4]);
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
    for (; n; n--, p += BLOCK) {
        const __m128i abef0 = abef, cdgh0 = cdgh;
        __m128i w[4];
        for (int g = 0; g < 16; g++) {
            __m128i x;
            if (g < 4) {
                x = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), bswap);
            } else {
                __m128i w16 = w[g & 3], w12 = w[(g + 1) & 3], w8 = w[(g + 2) & 3],
                        w4 = w[(g + 3) & 3];
                x = _mm_add_epi32(_mm_sha256msg1_epu32(w16, w12), _mm_alignr_epi8(w4, w8, 4));
                x = _mm_sha256msg2_epu32(x, w4);
            }
            w[g & 3] = x;
            __m128i m = _mm_add_epi32(x, _mm_loadu_si128((const __m128i *)&K[4 * g]));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, m);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(m, 0x0E));
        }
        abef = _mm_add_epi32(abef, abef0);
        cdgh = _mm_add_epi32(cdgh, cdgh0);
    }
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(dchg, feba, 8));
}

/* CPUID: leaf 7 EBX bit 29 is SHA; SSE4.1 (leaf 1 ECX bit 19) and SSSE3 (bit 9) come with it
 * on every such CPU but are checked too. */
static int cpu_has_sha(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 19)) || !(c & (1u << 9)))
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return (b & (1u << 29)) != 0;
}
#endif

/* 0 = not yet known, 1 = portable, 2 = SHA-NI; lb_sha256_force_portable() pins 1. */
static atomic_int impl;

void lb_sha256_force_portable(int on)
{
    atomic_store(&impl, on ? 1 : 0);
}

static void compress_blocks(uint32_t h[8], const unsigned char *p, size_t n)
{
#ifdef LB_SHA_NI
    int k = atomic_load(&impl);
    if (k == 0) {
        k = cpu_has_sha() ? 2 : 1;
        atomic_store(&impl, k);
    }
    if (k == 2) {
        compress_blocks_shani(h, p, n);
        return;
    }
#endif
    compress_blocks_portable(h, p, n);
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
        compress_blocks(s->h, s->buf, 1);
        s->n_buf = 0;
    }
    size_t blocks = len / BLOCK;
    if (blocks) {
        compress_blocks(s->h, p, blocks);
        p += blocks * BLOCK;
        len -= blocks * BLOCK;
    }
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
        st = lb_ctx_error(ctx, LB_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
        goto done;
    }
    /* heap, not stack: a large chunk keeps fread calls few on big rasters */
    chunk = malloc(READ_CHUNK);
    if (!chunk) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "hashing '%s': out of memory", path);
        goto done;
    }
    sha256_state s;
    init(&s);
    size_t n;
    while ((n = fread(chunk, 1, READ_CHUNK, f)) > 0)
        update(&s, chunk, n);
    if (ferror(f)) {
        st = lb_ctx_error(ctx, LB_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
        goto done;
    }
    final(&s, hex);
done:
    free(chunk);
    if (f)
        fclose(f);
    return st;
}
