/* AVX2 versions of the gamut kernels: the fused Y'CbCr -> R'G'B' + band
 * count of one row segment (no low-pass, 4:4:4 or horizontally halved
 * chroma) and the segment min/max of the bounding-box shortcut. Same
 * integer fixed point as gamut_tmpl.c, so the results are bit-identical
 * (tests/unit/test_simd.c). Functions carry target("avx2") rather than the
 * file being built with -mavx2, so the program still runs without AVX2. */
#if defined(__x86_64__) || defined(__i386__)
#include "kernels.h"
#include "ycbcr_avx2.h"

#define AVX2 MQC_AVX2
#define INLINE MQC_AVX2_INLINE

typedef struct Acc {
    __m256i above, below, out;      /* minus the count (compare masks are -1) */
    __m256i hi, lo;
} Acc;

INLINE void band8(Acc *a, __m256i r, __m256i g, __m256i b, __m256i t_hi1, __m256i t_lo,
                  __m256i valid)
{
    const __m256i hi = _mm256_max_epi32(_mm256_max_epi32(r, g), b);
    const __m256i lo = _mm256_min_epi32(_mm256_min_epi32(r, g), b);
    const __m256i ab = _mm256_and_si256(_mm256_cmpgt_epi32(hi, t_hi1), valid);
    const __m256i be = _mm256_and_si256(_mm256_cmpgt_epi32(t_lo, lo), valid);
    a->above = _mm256_add_epi32(a->above, ab);
    a->below = _mm256_add_epi32(a->below, be);
    a->out = _mm256_add_epi32(a->out, _mm256_or_si256(ab, be));
    /* lanes outside the segment must not move the extremes */
    a->hi = _mm256_max_epi32(a->hi, _mm256_blendv_epi8(_mm256_set1_epi32(INT32_MIN), hi, valid));
    a->lo = _mm256_min_epi32(a->lo, _mm256_blendv_epi8(_mm256_set1_epi32(INT32_MAX), lo, valid));
}

/* 16 pixels from y[0], chroma from cb/cr[0] (s = 1: 8 chroma samples) */
INLINE void block16(const MqcGamutKernel *k, Acc *a, const uint8_t *y, const uint8_t *cb,
                    const uint8_t *cr, int s, int bps, int valid_n)
{
    /* t_hi > 0, so t_hi - 1 cannot wrap: value >= t_hi <=> value > t_hi - 1 */
    const __m256i t_hi1 = _mm256_set1_epi32(k->t_hi - 1), t_lo = _mm256_set1_epi32(k->t_lo);
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i r[2], g[2], b[2];
    mqc_ycbcr16_avx2(k, y, cb, cr, s, bps, r, g, b);
    for (int h = 0; h < 2; h++) {
        const __m256i valid = _mm256_cmpgt_epi32(_mm256_set1_epi32(valid_n - 8 * h), lane);
        band8(a, r[h], g[h], b[h], t_hi1, t_lo, valid);
    }
}

INLINE int32_t hmax_epi32(__m256i v)
{
    __m128i m = _mm_max_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    m = _mm_max_epi32(m, _mm_shuffle_epi32(m, 0x4e));
    m = _mm_max_epi32(m, _mm_shuffle_epi32(m, 0xb1));
    return _mm_cvtsi128_si32(m);
}

INLINE int32_t hmin_epi32(__m256i v)
{
    __m128i m = _mm_min_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    m = _mm_min_epi32(m, _mm_shuffle_epi32(m, 0x4e));
    m = _mm_min_epi32(m, _mm_shuffle_epi32(m, 0xb1));
    return _mm_cvtsi128_si32(m);
}

INLINE uint32_t neg_hsum(__m256i v)
{
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return 0u - (uint32_t)_mm_cvtsi128_si32(s);
}

INLINE void yuv_count(const MqcGamutKernel *k, const void *py, const void *pcb,
                      const void *pcr, int s, int x0, int n, MqcGamutCounts *c, int bps)
{
    const uint8_t *y = (const uint8_t *)py + (size_t)x0 * bps;
    const uint8_t *cb = (const uint8_t *)pcb + (size_t)(x0 >> s) * bps;
    const uint8_t *cr = (const uint8_t *)pcr + (size_t)(x0 >> s) * bps;
    Acc a = { _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
              _mm256_set1_epi32(INT32_MIN), _mm256_set1_epi32(INT32_MAX) };
    int i = 0;
    for (; i + 16 <= n; i += 16)
        block16(k, &a, y + i * bps, cb + (i >> s) * bps, cr + (i >> s) * bps, s, bps, 16);
    if (i < n) {
        MqcYcbcrTail t;
        mqc_ycbcr_tail(&t, y + i * bps, cb + (i >> s) * bps, cr + (i >> s) * bps, s, bps, n - i);
        block16(k, &a, t.y, t.cb, t.cr, s, bps, n - i);
    }
    c->above += neg_hsum(a.above);
    c->below += neg_hsum(a.below);
    c->out += neg_hsum(a.out);
    /* as count_segment: the running extremes are kept in 32 bits */
    const int32_t mx = hmax_epi32(a.hi), mn = hmin_epi32(a.lo);
    const int32_t cmx = (int32_t)c->max_sum, cmn = (int32_t)c->min_sum;
    c->max_sum = mx > cmx ? mx : cmx;
    c->min_sum = mn < cmn ? mn : cmn;
}

AVX2 void mqc_gamut_yuv_count_8_avx2(const MqcGamutKernel *k, const void *y, const void *cb,
                                     const void *cr, int s, int x0, int n, MqcGamutCounts *c)
{
    if (s)
        yuv_count(k, y, cb, cr, 1, x0, n, c, 1);
    else
        yuv_count(k, y, cb, cr, 0, x0, n, c, 1);
}

AVX2 void mqc_gamut_yuv_count_16_avx2(const MqcGamutKernel *k, const void *y, const void *cb,
                                      const void *cr, int s, int x0, int n, MqcGamutCounts *c)
{
    if (s)
        yuv_count(k, y, cb, cr, 1, x0, n, c, 2);
    else
        yuv_count(k, y, cb, cr, 0, x0, n, c, 2);
}

/* min/max of [x0, x1), x1 > x0: whole vectors, the last one overlapping
 * (min and max do not mind seeing a sample twice) */
AVX2 void mqc_gamut_min_max_16_avx2(const void *row, int x0, int x1, unsigned *mn,
                                    unsigned *mx)
{
    const uint16_t *p = row;
    if (x1 - x0 < 16) {
        unsigned lo = p[x0], hi = p[x0];
        for (int x = x0 + 1; x < x1; x++) {
            lo = p[x] < lo ? p[x] : lo;
            hi = p[x] > hi ? p[x] : hi;
        }
        *mn = lo;
        *mx = hi;
        return;
    }
    __m256i lo = _mm256_loadu_si256((const __m256i *)(p + x1 - 16)), hi = lo;
    for (int x = x0; x + 16 < x1; x += 16) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(p + x));
        lo = _mm256_min_epu16(lo, v);
        hi = _mm256_max_epu16(hi, v);
    }
    __m128i l = _mm_min_epu16(_mm256_castsi256_si128(lo), _mm256_extracti128_si256(lo, 1));
    __m128i h = _mm_max_epu16(_mm256_castsi256_si128(hi), _mm256_extracti128_si256(hi, 1));
    *mn = (unsigned)_mm_cvtsi128_si32(_mm_minpos_epu16(l)) & 0xffff;
    *mx = 0xffff - ((unsigned)_mm_cvtsi128_si32(_mm_minpos_epu16(
                        _mm_xor_si128(h, _mm_set1_epi32(-1)))) & 0xffff);
}

AVX2 void mqc_gamut_min_max_8_avx2(const void *row, int x0, int x1, unsigned *mn, unsigned *mx)
{
    const uint8_t *p = row;
    if (x1 - x0 < 32) {
        unsigned lo = p[x0], hi = p[x0];
        for (int x = x0 + 1; x < x1; x++) {
            lo = p[x] < lo ? p[x] : lo;
            hi = p[x] > hi ? p[x] : hi;
        }
        *mn = lo;
        *mx = hi;
        return;
    }
    __m256i lo = _mm256_loadu_si256((const __m256i *)(p + x1 - 32)), hi = lo;
    for (int x = x0; x + 32 < x1; x += 32) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(p + x));
        lo = _mm256_min_epu8(lo, v);
        hi = _mm256_max_epu8(hi, v);
    }
    __m128i l = _mm_min_epu8(_mm256_castsi256_si128(lo), _mm256_extracti128_si256(lo, 1));
    __m128i h = _mm_max_epu8(_mm256_castsi256_si128(hi), _mm256_extracti128_si256(hi, 1));
    l = _mm_cvtepu8_epi16(_mm_min_epu8(l, _mm_unpackhi_epi64(l, l)));
    h = _mm_cvtepu8_epi16(_mm_max_epu8(h, _mm_unpackhi_epi64(h, h)));
    *mn = (unsigned)_mm_cvtsi128_si32(_mm_minpos_epu16(l)) & 0xffff;
    *mx = 0xffff - ((unsigned)_mm_cvtsi128_si32(_mm_minpos_epu16(
                        _mm_xor_si128(h, _mm_set1_epi32(-1)))) & 0xffff);
}

#endif
