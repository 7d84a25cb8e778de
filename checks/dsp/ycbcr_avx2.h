/* AVX2 Y'CbCr -> R'G'B' of 16 pixels in the gamut kernel's integer fixed
 * point (gamut_dsp.h), shared by every AVX2 kernel that needs R'G'B'
 * (gamut_avx2.c, hdr_avx2.c) so that they all convert exactly as the C
 * span does. Include only from files whose functions carry MQC_AVX2. */
#ifndef MQC_YCBCR_AVX2_H
#define MQC_YCBCR_AVX2_H

#include <immintrin.h>
#include <string.h>
#include "gamut_dsp.h"

#define MQC_AVX2 __attribute__((target("avx2")))
#define MQC_AVX2_INLINE static inline __attribute__((always_inline)) MQC_AVX2

/* 8 samples (bytes or words) at p as 32-bit lanes */
MQC_AVX2_INLINE __m256i mqc_load8_avx2(const void *p, int bps)
{
    if (bps == 1)
        return _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p));
    return _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
}

/* each of lanes 0..3 (half 0) or 4..7 (half 1) twice: nearest upsampling */
MQC_AVX2_INLINE __m256i mqc_repeat_half_avx2(__m256i v, int half)
{
    const __m256i idx = half ? _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7)
                             : _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
    return _mm256_permutevar8x32_epi32(v, idx);
}

/* Values of pixels 0..7 (h = 0) and 8..15 (h = 1) from y[0], chroma from
 * cb/cr[0] (s = 1: 8 chroma samples, repeated; s = 0: 16). */
MQC_AVX2_INLINE void mqc_ycbcr16_avx2(const MqcGamutKernel *k, const uint8_t *y,
                                      const uint8_t *cb, const uint8_t *cr, int s, int bps,
                                      __m256i r[2], __m256i g[2], __m256i b[2])
{
    const __m256i z = _mm256_set1_epi32(k->chroma_zero);
    const __m256i yg = _mm256_set1_epi32(k->y_gain), off = _mm256_set1_epi32(k->offset);
    const __m256i rcr = _mm256_set1_epi32(k->r_cr), gcb = _mm256_set1_epi32(k->g_cb);
    const __m256i gcr = _mm256_set1_epi32(k->g_cr), bcb = _mm256_set1_epi32(k->b_cb);
    __m256i rt[2], gt[2], bt[2];
    if (s) {
        /* the chroma terms once per chroma sample, then repeated */
        const __m256i u = _mm256_sub_epi32(mqc_load8_avx2(cb, bps), z);
        const __m256i v = _mm256_sub_epi32(mqc_load8_avx2(cr, bps), z);
        const __m256i rc = _mm256_mullo_epi32(rcr, v), bc = _mm256_mullo_epi32(bcb, u);
        const __m256i gc = _mm256_add_epi32(_mm256_mullo_epi32(gcb, u),
                                            _mm256_mullo_epi32(gcr, v));
        for (int h = 0; h < 2; h++) {
            rt[h] = mqc_repeat_half_avx2(rc, h);
            gt[h] = mqc_repeat_half_avx2(gc, h);
            bt[h] = mqc_repeat_half_avx2(bc, h);
        }
    } else {
        for (int h = 0; h < 2; h++) {
            const __m256i u = _mm256_sub_epi32(mqc_load8_avx2(cb + 8 * h * bps, bps), z);
            const __m256i v = _mm256_sub_epi32(mqc_load8_avx2(cr + 8 * h * bps, bps), z);
            rt[h] = _mm256_mullo_epi32(rcr, v);
            gt[h] = _mm256_add_epi32(_mm256_mullo_epi32(gcb, u), _mm256_mullo_epi32(gcr, v));
            bt[h] = _mm256_mullo_epi32(bcb, u);
        }
    }
    for (int h = 0; h < 2; h++) {
        const __m256i yv = _mm256_add_epi32(
            _mm256_mullo_epi32(yg, mqc_load8_avx2(y + 8 * h * bps, bps)), off);
        r[h] = _mm256_add_epi32(yv, rt[h]);
        g[h] = _mm256_add_epi32(yv, gt[h]);
        b[h] = _mm256_add_epi32(yv, bt[h]);
    }
}

/* The last m < 16 pixels of a run as zero-padded copies, so that a full
 * block never reads past the row. */
typedef struct MqcYcbcrTail {
    uint8_t y[32], cb[32], cr[32];
} MqcYcbcrTail;

MQC_AVX2_INLINE void mqc_ycbcr_tail(MqcYcbcrTail *t, const uint8_t *y, const uint8_t *cb,
                                    const uint8_t *cr, int s, int bps, int m)
{
    const int mc = s ? (m + 1) / 2 : m;
    memset(t, 0, sizeof(*t));
    memcpy(t->y, y, (size_t)m * bps);
    memcpy(t->cb, cb, (size_t)mc * bps);
    memcpy(t->cr, cr, (size_t)mc * bps);
}

#endif
