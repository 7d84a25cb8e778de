/* Helpers shared by the AVX2 kernel files. Functions carry the target
 * attribute (AVX2) instead of their files being built with -mavx2, so the
 * program runs on any x86-64; call them only from AVX2 functions. */
#ifndef MQC_DSP_AVX2_H
#define MQC_DSP_AVX2_H
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <stdint.h>

#define AVX2 __attribute__((target("avx2")))

/* Sum of the eight 32-bit lanes (wrapping, as the C references' 32-bit sums). */
static inline AVX2 uint32_t mqc_hsum_epi32(__m256i v)
{
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return (uint32_t)_mm_cvtsi128_si32(s);
}

/* Sum of the four 64-bit lanes. */
static inline AVX2 uint64_t mqc_hsum_epi64(__m256i v)
{
    __m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi64(s, _mm_unpackhi_epi64(s, s));
    return (uint64_t)_mm_cvtsi128_si64(s);
}

#endif
#endif
