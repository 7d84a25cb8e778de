/* AVX2 versions of the structure kernels (idet's field measures): 16
 * pixels per step in signed 16-bit lanes, pair sums into 32-bit lanes.
 * The 16-bit version needs samples below 2^15 (bit depths up to 14). */
#if defined(__x86_64__) || defined(__i386__)
#include "avx2.h"
#include "kernels.h"

/* 16 samples at p + x as 16-bit lanes */
static inline AVX2 __m256i load_8(const uint8_t *p, int x)
{
    return _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(p + x)));
}

static inline AVX2 __m256i load_16(const uint8_t *p, int x)
{
    return _mm256_loadu_si256((const __m256i *)((const uint16_t *)p + x));
}

/* One row for either sample size: the vector loop, then the C reference on
 * the tail (its sums are 32-bit too, so adding them is bit-exact). */
#define IDET_ROW(BITS)                                                                      \
    AVX2 void mqc_idet_row_##BITS##_avx2(const uint8_t *c_above, const uint8_t *c,          \
                                         const uint8_t *c_below, const uint8_t *p_above,    \
                                         const uint8_t *p, const uint8_t *p_below, int width, \
                                         MqcIdetRow *out)                                   \
    {                                                                                       \
        const __m256i ones = _mm256_set1_epi16(1);                                          \
        __m256i acc_a = _mm256_setzero_si256(), acc_b = acc_a, acc_d = acc_a, acc_f = acc_a; \
        int x = 0;                                                                          \
        for (; x + 16 <= width; x += 16) {                                                  \
            const __m256i ca = load_##BITS(c_above, x), c0 = load_##BITS(c, x);            \
            const __m256i cb = load_##BITS(c_below, x), pa = load_##BITS(p_above, x);      \
            const __m256i p0 = load_##BITS(p, x), pb = load_##BITS(p_below, x);            \
            const __m256i cs = _mm256_add_epi16(ca, cb), ps = _mm256_add_epi16(pa, pb);    \
            const __m256i c2 = _mm256_add_epi16(c0, c0), p2 = _mm256_add_epi16(p0, p0);    \
            acc_a = _mm256_add_epi32(acc_a, _mm256_madd_epi16(                             \
                _mm256_abs_epi16(_mm256_sub_epi16(cs, p2)), ones));                        \
            acc_b = _mm256_add_epi32(acc_b, _mm256_madd_epi16(                             \
                _mm256_abs_epi16(_mm256_sub_epi16(ps, c2)), ones));                        \
            acc_d = _mm256_add_epi32(acc_d, _mm256_madd_epi16(                             \
                _mm256_abs_epi16(_mm256_sub_epi16(cs, c2)), ones));                        \
            acc_f = _mm256_add_epi32(acc_f, _mm256_madd_epi16(                             \
                _mm256_abs_epi16(_mm256_sub_epi16(c2, p2)), ones));                        \
        }                                                                                   \
        MqcIdetRow tail = { 0, 0, 0, 0 };                                                   \
        const size_t off = (size_t)x * (BITS / 8);                                          \
        if (x < width)                                                                      \
            mqc_idet_row_##BITS##_c(c_above + off, c + off, c_below + off, p_above + off,   \
                                    p + off, p_below + off, width - x, &tail);              \
        *out = (MqcIdetRow){ mqc_hsum_epi32(acc_a) + tail.prev_mix,                         \
                             mqc_hsum_epi32(acc_b) + tail.next_mix,                         \
                             mqc_hsum_epi32(acc_d) + tail.self,                             \
                             mqc_hsum_epi32(acc_f) + tail.field };                          \
    }

IDET_ROW(8)
IDET_ROW(16)
#endif
