/* AVX2 versions of the structure.c kernels (idet's field measures): 16
 * pixels per step in signed 16-bit lanes, pair sums into 32-bit lanes. The
 * per-function target attribute keeps the program runnable without AVX2. */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "structure.h"

#define AVX2 __attribute__((target("avx2")))

static inline AVX2 uint32_t hsum_epi32(__m256i v)
{
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return (uint32_t)_mm_cvtsi128_si32(s);
}

/* The four measures of 16 pixels given as 16-bit lanes; |x| <= 2^15 - 2. */
#define IDET_STEP(ca, c0, cb, pa, p0, pb)                                                  \
    do {                                                                                   \
        const __m256i cs = _mm256_add_epi16(ca, cb), ps = _mm256_add_epi16(pa, pb);      \
        const __m256i c2 = _mm256_add_epi16(c0, c0), p2 = _mm256_add_epi16(p0, p0);      \
        acc_a = _mm256_add_epi32(acc_a, _mm256_madd_epi16(                               \
            _mm256_abs_epi16(_mm256_sub_epi16(cs, p2)), ones));                          \
        acc_b = _mm256_add_epi32(acc_b, _mm256_madd_epi16(                               \
            _mm256_abs_epi16(_mm256_sub_epi16(ps, c2)), ones));                          \
        acc_d = _mm256_add_epi32(acc_d, _mm256_madd_epi16(                               \
            _mm256_abs_epi16(_mm256_sub_epi16(cs, c2)), ones));                          \
        acc_f = _mm256_add_epi32(acc_f, _mm256_madd_epi16(                               \
            _mm256_abs_epi16(_mm256_sub_epi16(c2, p2)), ones));                          \
    } while (0)

#define IDET_TAIL(T)                                                                       \
    for (; x < width; x++) {                                                               \
        const T *ca = (const T *)c_above, *c0 = (const T *)c, *cb = (const T *)c_below;    \
        const T *pa = (const T *)p_above, *p0 = (const T *)p, *pb = (const T *)p_below;    \
        const int cs = (int)ca[x] + (int)cb[x], ps = (int)pa[x] + (int)pb[x];              \
        const int a = cs - 2 * (int)p0[x], b = ps - 2 * (int)c0[x], d = cs - 2 * (int)c0[x]; \
        const int f = 2 * ((int)c0[x] - (int)p0[x]);                                       \
        sa += (uint32_t)(a < 0 ? -a : a);                                                  \
        sb += (uint32_t)(b < 0 ? -b : b);                                                  \
        sd += (uint32_t)(d < 0 ? -d : d);                                                  \
        sf += (uint32_t)(f < 0 ? -f : f);                                                  \
    }

AVX2 void mqc_idet_row_8_avx2(const uint8_t *c_above, const uint8_t *c, const uint8_t *c_below,
                              const uint8_t *p_above, const uint8_t *p, const uint8_t *p_below,
                              int width, MqcIdetRow *out)
{
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i acc_a = _mm256_setzero_si256(), acc_b = acc_a, acc_d = acc_a, acc_f = acc_a;
    int x = 0;
#define LOAD8(ptr) _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)((ptr) + x)))
    for (; x + 16 <= width; x += 16) {
        const __m256i ca = LOAD8(c_above), c0 = LOAD8(c), cb = LOAD8(c_below);
        const __m256i pa = LOAD8(p_above), p0 = LOAD8(p), pb = LOAD8(p_below);
        IDET_STEP(ca, c0, cb, pa, p0, pb);
    }
#undef LOAD8
    uint32_t sa = hsum_epi32(acc_a), sb = hsum_epi32(acc_b), sd = hsum_epi32(acc_d);
    uint32_t sf = hsum_epi32(acc_f);
    IDET_TAIL(uint8_t)
    *out = (MqcIdetRow){ sa, sb, sd, sf };
}

AVX2 void mqc_idet_row_16_avx2(const uint8_t *c_above, const uint8_t *c, const uint8_t *c_below,
                               const uint8_t *p_above, const uint8_t *p, const uint8_t *p_below,
                               int width, MqcIdetRow *out)
{
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i acc_a = _mm256_setzero_si256(), acc_b = acc_a, acc_d = acc_a, acc_f = acc_a;
    int x = 0;
#define LOAD16(ptr) _mm256_loadu_si256((const __m256i *)((const uint16_t *)(ptr) + x))
    for (; x + 16 <= width; x += 16) {
        const __m256i ca = LOAD16(c_above), c0 = LOAD16(c), cb = LOAD16(c_below);
        const __m256i pa = LOAD16(p_above), p0 = LOAD16(p), pb = LOAD16(p_below);
        IDET_STEP(ca, c0, cb, pa, p0, pb);
    }
#undef LOAD16
    uint32_t sa = hsum_epi32(acc_a), sb = hsum_epi32(acc_b), sd = hsum_epi32(acc_d);
    uint32_t sf = hsum_epi32(acc_f);
    IDET_TAIL(uint16_t)
    *out = (MqcIdetRow){ sa, sb, sd, sf };
}
#endif
