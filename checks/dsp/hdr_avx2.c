/* AVX2 version of the hdr row kernel (hdr_dsp.h): 16 pixels at a time,
 * converted by the shared Y'CbCr -> R'G'B' of ycbcr_avx2.h, LUT reads by
 * gathers. Integer throughout, so bit-identical to the C reference
 * (tests/unit/test_simd.c). R'G'B' input and chroma subsampled by 4 go to
 * the C reference. */
#if defined(__x86_64__) || defined(__i386__)
#include "hdr_dsp.h"
#include "ycbcr_avx2.h"

typedef struct Acc {
    __m256i sum64;              /* 4 x 64-bit */
    __m256i sum32;              /* 8 x 32-bit, flushed into sum64 */
    __m256i above;              /* minus the count (compare masks are -1) */
    __m256i max;                /* unsigned levels */
} Acc;

MQC_AVX2_INLINE __m256i to_index(const MqcHdrKernel *k, __m256i v)
{
    v = _mm256_min_epi32(_mm256_max_epi32(v, _mm256_setzero_si256()),
                         _mm256_set1_epi32(k->top));
    return _mm256_srai_epi32(_mm256_add_epi32(v, _mm256_set1_epi32(k->round)), k->shift);
}

/* unsigned a > b */
MQC_AVX2_INLINE __m256i gt_epu32(__m256i a, __m256i b)
{
    const __m256i sign = _mm256_set1_epi32(INT32_MIN);
    return _mm256_cmpgt_epi32(_mm256_xor_si256(a, sign), _mm256_xor_si256(b, sign));
}

MQC_AVX2_INLINE void pixels8(const MqcHdrKernel *k, Acc *a, __m256i r, __m256i g, __m256i b,
                             __m256i valid, int hlg)
{
    const int *light = (const int *)k->light;
    __m256i level, add;
    if (!hlg) {
        const __m256i m = _mm256_max_epi32(_mm256_max_epi32(r, g), b);
        level = to_index(k, m);
        add = _mm256_i32gather_epi32(light, level, 4);
    } else {
        const __m256i sr = _mm256_i32gather_epi32(light, to_index(k, r), 4);
        const __m256i sg = _mm256_i32gather_epi32(light, to_index(k, g), 4);
        const __m256i sb = _mm256_i32gather_epi32(light, to_index(k, b), 4);
        const __m256i m = _mm256_max_epi32(_mm256_max_epi32(sr, sg), sb);
        const __m256i ys = _mm256_add_epi32(
            _mm256_add_epi32(_mm256_mullo_epi32(_mm256_set1_epi32(k->kr), sr),
                             _mm256_mullo_epi32(_mm256_set1_epi32(k->kg), sg)),
            _mm256_mullo_epi32(_mm256_set1_epi32(k->kb), sb));
        const __m256i gain = _mm256_i32gather_epi32((const int *)k->gain,
                                                    _mm256_srli_epi32(ys, 16), 4);
        level = _mm256_mullo_epi32(m, gain);    /* < 2^32: the low half is exact */
        add = _mm256_srli_epi32(level, MQC_HDR_HLG_LEVEL_FRAC - MQC_HDR_SUM_FRAC);
    }
    /* lanes past the run's end count nothing */
    level = _mm256_and_si256(level, valid);
    a->sum32 = _mm256_add_epi32(a->sum32, _mm256_and_si256(add, valid));
    a->above = _mm256_add_epi32(a->above,
                                _mm256_and_si256(gt_epu32(level, _mm256_set1_epi32(
                                                              (int)k->peak_level)), valid));
    a->max = _mm256_max_epu32(a->max, level);
}

MQC_AVX2_INLINE void block16(const MqcHdrKernel *k, Acc *a, const uint8_t *y, const uint8_t *cb,
                             const uint8_t *cr, int s, int bps, int valid_n, int hlg)
{
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i r[2], g[2], b[2];
    mqc_ycbcr16_avx2(&k->conv, y, cb, cr, s, bps, r, g, b);
    for (int h = 0; h < 2; h++)
        pixels8(k, a, r[h], g[h], b[h],
                _mm256_cmpgt_epi32(_mm256_set1_epi32(valid_n - 8 * h), lane), hlg);
}

MQC_AVX2_INLINE void flush(Acc *a)
{
    a->sum64 = _mm256_add_epi64(a->sum64, _mm256_cvtepu32_epi64(_mm256_castsi256_si128(a->sum32)));
    a->sum64 = _mm256_add_epi64(a->sum64,
                                _mm256_cvtepu32_epi64(_mm256_extracti128_si256(a->sum32, 1)));
    a->sum32 = _mm256_setzero_si256();
}

/* A lane adds at most 10000 cd/m2 in 2^-12 (< 2^26) per pixel, two pixels
 * per block: 32 blocks stay below 2^32. */
#define FLUSH_BLOCKS 32

MQC_AVX2_INLINE void row(const MqcHdrKernel *k, const uint8_t *y, const uint8_t *cb,
                         const uint8_t *cr, int s, int bps, int n, int hlg, MqcHdrCounts *c)
{
    Acc a = { _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
              _mm256_setzero_si256() };
    int i = 0, blocks = 0;
    for (; i + 16 <= n; i += 16) {
        block16(k, &a, y + i * bps, cb + (i >> s) * bps, cr + (i >> s) * bps, s, bps, 16, hlg);
        if (++blocks == FLUSH_BLOCKS) {
            flush(&a);
            blocks = 0;
        }
    }
    if (i < n) {
        MqcYcbcrTail t;
        mqc_ycbcr_tail(&t, y + i * bps, cb + (i >> s) * bps, cr + (i >> s) * bps, s, bps, n - i);
        block16(k, &a, t.y, t.cb, t.cr, s, bps, n - i, hlg);
    }
    flush(&a);
    uint64_t sum[4];
    uint32_t mx[8];
    int32_t ab[8];
    _mm256_storeu_si256((__m256i *)sum, a.sum64);
    _mm256_storeu_si256((__m256i *)mx, a.max);
    _mm256_storeu_si256((__m256i *)ab, a.above);
    uint32_t m = c->max_level;
    for (int l = 0; l < 8; l++) {
        c->above += (uint32_t)-ab[l];
        m = mx[l] > m ? mx[l] : m;
    }
    c->sum += sum[0] + sum[1] + sum[2] + sum[3];
    c->max_level = m;
}

MQC_AVX2 void mqc_hdr_row_avx2(const MqcHdrKernel *k, const MqcPicture *pic, int y,
                               MqcHdrCounts *c)
{
    const int s = pic->log2_chroma_w, bps = pic->bytes_per_sample;
    if (k->conv.is_rgb || s > 1) {
        mqc_hdr_row_c(k, pic, y, c);
        return;
    }
    const int yc = y >> pic->log2_chroma_h;
    const uint8_t *py = pic->data[0] + y * pic->linesize[0];
    const uint8_t *pcb = pic->data[1] + yc * pic->linesize[1];
    const uint8_t *pcr = pic->data[2] + yc * pic->linesize[2];
    const int hlg = k->tf == MQC_TRANSFER_HLG, n = pic->width;
    /* constant shapes, so each loop is compiled for its case */
    switch ((bps == 2) << 2 | s << 1 | hlg) {
    case 0: row(k, py, pcb, pcr, 0, 1, n, 0, c); break;
    case 1: row(k, py, pcb, pcr, 0, 1, n, 1, c); break;
    case 2: row(k, py, pcb, pcr, 1, 1, n, 0, c); break;
    case 3: row(k, py, pcb, pcr, 1, 1, n, 1, c); break;
    case 4: row(k, py, pcb, pcr, 0, 2, n, 0, c); break;
    case 5: row(k, py, pcb, pcr, 0, 2, n, 1, c); break;
    case 6: row(k, py, pcb, pcr, 1, 2, n, 0, c); break;
    default: row(k, py, pcb, pcr, 1, 2, n, 1, c); break;
    }
}

#endif
