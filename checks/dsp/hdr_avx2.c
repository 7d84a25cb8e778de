/* AVX2 version of the hdr row kernel (hdr_dsp.h), 16 pixels at a time.
 * Integer throughout, so bit-identical to the C reference
 * (tests/unit/test_simd.c). R'G'B' input and chroma subsampled by 4 go to
 * the C reference.
 *
 * PQ and BT.1886 (monotonic EOTFs, one LUT index per pixel):
 *   max(R', G', B') = (y_gain Y + offset) + max(r_cr V, g_cb U + g_cr V, b_cb U)
 *   holds exactly in these integers, so the largest chroma term is taken
 *   once per chroma sample and a pixel costs a multiply-add and the index.
 *   For limited range at up to 12 bits (y_gain = 2^frac_bits, offset 0) the
 *   index is even (Y << extra) + (chroma term >> shift): 16-bit lanes. The
 *   indices' light is then read one by one (scalar loads beat vpgatherdd),
 *   once for a block of 16 equal indices (flat areas).
 * HLG: the shared Y'CbCr conversion of ycbcr_avx2.h and gathers for the
 *   three components' scene light and the OOTF gain. */
#if defined(__x86_64__) || defined(__i386__)
#include "kernels.h"
#include "ycbcr_avx2.h"

/* ---- PQ and BT.1886 ---- */

typedef struct MonoAcc {
    uint64_t sum;               /* light, 2^-12 cd/m2 */
    __m256i above16;            /* 16-bit counts of pixels above the peak */
    __m256i above32;
    __m256i max16;              /* highest index per lane */
} MonoAcc;

/* (offset + round) + the largest chroma term of 8 chroma samples */
MQC_AVX2_INLINE __m256i chroma_max8(const MqcHdrKernel *k, const uint8_t *cb, const uint8_t *cr,
                                    int bps)
{
    const MqcGamutKernel *c = &k->conv;
    const __m256i z = _mm256_set1_epi32(c->chroma_zero);
    const __m256i u = _mm256_sub_epi32(mqc_load8_avx2(cb, bps), z);
    const __m256i v = _mm256_sub_epi32(mqc_load8_avx2(cr, bps), z);
    const __m256i rc = _mm256_mullo_epi32(_mm256_set1_epi32(c->r_cr), v);
    const __m256i bc = _mm256_mullo_epi32(_mm256_set1_epi32(c->b_cb), u);
    const __m256i gc = _mm256_add_epi32(_mm256_mullo_epi32(_mm256_set1_epi32(c->g_cb), u),
                                        _mm256_mullo_epi32(_mm256_set1_epi32(c->g_cr), v));
    return _mm256_add_epi32(_mm256_max_epi32(_mm256_max_epi32(rc, gc), bc),
                            _mm256_set1_epi32(c->offset + k->round));
}

/* two vectors of 8 indices (>= -2^15, <= 65535) as 16 unsigned 16-bit
 * lanes in pixel order, negative ones 0 */
MQC_AVX2_INLINE __m256i pack_ordered(__m256i a, __m256i b)
{
    return _mm256_permute4x64_epi64(_mm256_packus_epi32(a, b), 0xd8);
}

/* LUT indices of 16 pixels in pixel order. lim16: the 16-bit path (limited
 * range, up to 12 bits), where they fit signed 16-bit lanes. */
MQC_AVX2_INLINE __m256i mono_index16(const MqcHdrKernel *k, const uint8_t *y, const uint8_t *cb,
                                     const uint8_t *cr, int s, int bps, int lim16)
{
    const __m128i sh = _mm_cvtsi32_si128(k->shift);
    __m256i cm[2];
    if (s) {
        cm[0] = chroma_max8(k, cb, cr, bps);
    } else {
        cm[0] = chroma_max8(k, cb, cr, bps);
        cm[1] = chroma_max8(k, cb + 8 * bps, cr + 8 * bps, bps);
    }
    if (lim16) {
        /* value + round = (Y << frac_bits) + cm: index = (Y << extra) + (cm >> shift) */
        __m256i c16;
        if (s) {
            /* each chroma index twice: both 16-bit halves of its 32-bit lane */
            const __m256i c = _mm256_sra_epi32(cm[0], sh);
            c16 = _mm256_or_si256(_mm256_and_si256(c, _mm256_set1_epi32(0xffff)),
                                  _mm256_slli_epi32(c, 16));
        } else {
            c16 = _mm256_permute4x64_epi64(
                _mm256_packs_epi32(_mm256_sra_epi32(cm[0], sh), _mm256_sra_epi32(cm[1], sh)),
                0xd8);
        }
        const __m256i yv = bps == 1 ? _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)y))
                                    : _mm256_loadu_si256((const __m256i *)y);
        const __m256i i = _mm256_add_epi16(_mm256_sll_epi16(yv, _mm_cvtsi32_si128(k->extra)), c16);
        return _mm256_max_epi16(_mm256_min_epi16(i, _mm256_set1_epi16((short)k->index_max)),
                                _mm256_setzero_si256());
    }
    if (s) {
        cm[1] = mqc_repeat_half_avx2(cm[0], 1);
        cm[0] = mqc_repeat_half_avx2(cm[0], 0);
    }
    /* value + round, clamped above as to_index clamps the value; a negative
     * value gives a negative index, which the pack makes 0 */
    const __m256i lim = _mm256_set1_epi32(k->top + k->round), yg = _mm256_set1_epi32(k->conv.y_gain);
    __m256i idx[2];
    for (int h = 0; h < 2; h++) {
        const __m256i w = _mm256_add_epi32(
            _mm256_mullo_epi32(yg, mqc_load8_avx2(y + 8 * h * bps, bps)), cm[h]);
        idx[h] = _mm256_sra_epi32(_mm256_min_epi32(w, lim), sh);
    }
    return pack_ordered(idx[0], idx[1]);
}

/* Light of 16 indices */
MQC_AVX2_INLINE uint64_t light16(const MqcHdrKernel *k, __m256i i16)
{
    const __m256i first = _mm256_broadcastw_epi16(_mm256_castsi256_si128(i16));
    if (_mm256_movemask_epi8(_mm256_cmpeq_epi16(i16, first)) == -1)
        return 16 * (uint64_t)k->light[(uint16_t)_mm256_extract_epi16(i16, 0)];
    uint16_t idx[16];
    _mm256_storeu_si256((__m256i *)idx, i16);
    /* 16 lights of < 2^26 each fit 32 bits */
    uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (int j = 0; j < 16; j += 4) {
        s0 += k->light[idx[j]];
        s1 += k->light[idx[j + 1]];
        s2 += k->light[idx[j + 2]];
        s3 += k->light[idx[j + 3]];
    }
    return (uint64_t)s0 + s1 + s2 + s3;
}

MQC_AVX2_INLINE void mono_count16(const MqcHdrKernel *k, MonoAcc *a, __m256i i16)
{
    a->sum += light16(k, i16);
    a->max16 = _mm256_max_epu16(a->max16, i16);
    /* (index - peak, saturated) > 0 counts 1; a peak beyond 16 bits: nothing */
    const __m256i peak = _mm256_set1_epi16(
        (short)(k->peak_level < 0xffff ? k->peak_level : 0xffff));
    a->above16 = _mm256_add_epi16(a->above16, _mm256_min_epu16(_mm256_subs_epu16(i16, peak),
                                                               _mm256_set1_epi16(1)));
}

MQC_AVX2_INLINE void mono_flush(MonoAcc *a)
{
    a->above32 = _mm256_add_epi32(a->above32,
                                  _mm256_madd_epi16(a->above16, _mm256_set1_epi16(1)));
    a->above16 = _mm256_setzero_si256();
}

MQC_AVX2_INLINE void mono_row(const MqcHdrKernel *k, const uint8_t *y, const uint8_t *cb,
                              const uint8_t *cr, int s, int bps, int n, int lim16,
                              MqcHdrCounts *c)
{
    MonoAcc a = { 0, _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256() };
    int i = 0, blocks = 0;
    for (; i + 16 <= n; i += 16) {
        mono_count16(k, &a, mono_index16(k, y + i * bps, cb + (i >> s) * bps,
                                         cr + (i >> s) * bps, s, bps, lim16));
        if (++blocks == INT16_MAX) {    /* before a 16-bit count could wrap */
            mono_flush(&a);
            blocks = 0;
        }
    }
    if (i < n) {
        MqcYcbcrTail t;
        mqc_ycbcr_tail(&t, y + i * bps, cb + (i >> s) * bps, cr + (i >> s) * bps, s, bps, n - i);
        const __m256i lane = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
                                               15);
        /* lanes past the row: index 0, which is never above the peak; its
         * light is taken back */
        const __m256i i16 = _mm256_and_si256(
            mono_index16(k, t.y, t.cb, t.cr, s, bps, lim16),
            _mm256_cmpgt_epi16(_mm256_set1_epi16((short)(n - i)), lane));
        mono_count16(k, &a, i16);
        a.sum -= (uint64_t)(16 - (n - i)) * k->light[0];
    }
    mono_flush(&a);
    uint32_t ab[8];
    uint16_t mx[16];
    _mm256_storeu_si256((__m256i *)ab, a.above32);
    _mm256_storeu_si256((__m256i *)mx, a.max16);
    uint32_t m = c->max_level;
    for (int l = 0; l < 16; l++)
        m = mx[l] > m ? mx[l] : m;
    for (int l = 0; l < 8; l++)
        c->above += ab[l];
    c->sum += a.sum;
    c->max_level = m;
}

/* ---- HLG ---- */

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

MQC_AVX2_INLINE void hlg8(const MqcHdrKernel *k, Acc *a, __m256i r, __m256i g, __m256i b,
                          __m256i valid)
{
    const int *light = (const int *)k->light;
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
    /* < 2^32: the low half is exact; lanes past the run's end count nothing */
    const __m256i level = _mm256_and_si256(_mm256_mullo_epi32(m, gain), valid);
    a->sum32 = _mm256_add_epi32(
        a->sum32, _mm256_srli_epi32(level, MQC_HDR_HLG_LEVEL_FRAC - MQC_HDR_SUM_FRAC));
    a->above = _mm256_add_epi32(a->above,
                                gt_epu32(level, _mm256_set1_epi32((int)k->peak_level)));
    a->max = _mm256_max_epu32(a->max, level);
}

MQC_AVX2_INLINE void hlg16(const MqcHdrKernel *k, Acc *a, const uint8_t *y, const uint8_t *cb,
                           const uint8_t *cr, int s, int bps, int valid_n)
{
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i r[2], g[2], b[2];
    mqc_ycbcr16_avx2(&k->conv, y, cb, cr, s, bps, r, g, b);
    for (int h = 0; h < 2; h++)
        hlg8(k, a, r[h], g[h], b[h], _mm256_cmpgt_epi32(_mm256_set1_epi32(valid_n - 8 * h), lane));
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

MQC_AVX2_INLINE void hlg_row(const MqcHdrKernel *k, const uint8_t *y, const uint8_t *cb,
                             const uint8_t *cr, int s, int bps, int n, MqcHdrCounts *c)
{
    Acc a = { _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
              _mm256_setzero_si256() };
    int i = 0, blocks = 0;
    for (; i + 16 <= n; i += 16) {
        hlg16(k, &a, y + i * bps, cb + (i >> s) * bps, cr + (i >> s) * bps, s, bps, 16);
        if (++blocks == FLUSH_BLOCKS) {
            flush(&a);
            blocks = 0;
        }
    }
    if (i < n) {
        MqcYcbcrTail t;
        mqc_ycbcr_tail(&t, y + i * bps, cb + (i >> s) * bps, cr + (i >> s) * bps, s, bps, n - i);
        hlg16(k, &a, t.y, t.cb, t.cr, s, bps, n - i);
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
    const int n = pic->width;
    const int path = k->tf == MQC_TRANSFER_HLG ? 2 : k->lim16 ? 1 : 0;
    /* constant shapes, so each loop is compiled for its case */
    switch ((bps == 2) << 3 | s << 2 | path) {
    case 0x0: mono_row(k, py, pcb, pcr, 0, 1, n, 0, c); break;
    case 0x1: mono_row(k, py, pcb, pcr, 0, 1, n, 1, c); break;
    case 0x2: hlg_row(k, py, pcb, pcr, 0, 1, n, c); break;
    case 0x4: mono_row(k, py, pcb, pcr, 1, 1, n, 0, c); break;
    case 0x5: mono_row(k, py, pcb, pcr, 1, 1, n, 1, c); break;
    case 0x6: hlg_row(k, py, pcb, pcr, 1, 1, n, c); break;
    case 0x8: mono_row(k, py, pcb, pcr, 0, 2, n, 0, c); break;
    case 0x9: mono_row(k, py, pcb, pcr, 0, 2, n, 1, c); break;
    case 0xa: hlg_row(k, py, pcb, pcr, 0, 2, n, c); break;
    case 0xc: mono_row(k, py, pcb, pcr, 1, 2, n, 0, c); break;
    case 0xd: mono_row(k, py, pcb, pcr, 1, 2, n, 1, c); break;
    default: hlg_row(k, py, pcb, pcr, 1, 2, n, c); break;
    }
}

#endif
