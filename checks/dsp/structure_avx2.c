/* AVX2 versions of the structure kernels: idet's field measures (16 pixels
 * per step in signed 16-bit lanes, pair sums into 32-bit lanes; the 16-bit
 * version needs samples below 2^15, bit depths up to 14), active_area's row
 * and column sums, and flash's display light of sampled pixels. */
#if defined(__x86_64__) || defined(__i386__)
#include "avx2.h"
#include "kernels.h"
#include "ycbcr_avx2.h"

#define INLINE MQC_AVX2_INLINE

/* 16 samples at p + x as 16-bit lanes */
INLINE __m256i load16(const uint8_t *p, int x, int bps)
{
    return bps == 1 ? _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(p + x)))
                    : _mm256_loadu_si256((const __m256i *)((const uint16_t *)p + x));
}

/* One row for either sample size: the vector loop, then the C reference on
 * the tail (its sums are 32-bit too, so adding them is bit-exact). The
 * absolute values are summed in 16-bit lanes for `block` steps (a term is
 * at most twice the largest sample: block * term < 2^15), then widened in
 * pairs into the 32-bit sums: one add a term instead of a multiply-add and
 * an add. With pf_c and pf_p (rows further down), their cache lines are
 * prefetched into L2 along the way, one per 64 bytes. */
INLINE void idet_row(const uint8_t *c_above, const uint8_t *c, const uint8_t *c_below,
                     const uint8_t *p_above, const uint8_t *p, const uint8_t *p_below, int width,
                     MqcIdetRow *out, const uint8_t *pf_c, const uint8_t *pf_p, int bps,
                     int block)
{
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i acc_a = _mm256_setzero_si256(), acc_b = acc_a, acc_d = acc_a, acc_f = acc_a;
    int x = 0;
    while (x + 16 <= width) {
        const int steps = (width - x) / 16 < block ? (width - x) / 16 : block;
        const int end = x + 16 * steps;
        __m256i sa = _mm256_setzero_si256(), sb = sa, sd = sa, sf = sa;
        for (; x < end; x += 16) {
            const size_t off = (size_t)x * (size_t)bps;
            if (pf_c && !(off & 63)) {
                _mm_prefetch((const char *)pf_c + off, _MM_HINT_T1);
                _mm_prefetch((const char *)pf_p + off, _MM_HINT_T1);
            }
            const __m256i ca = load16(c_above, x, bps), c0 = load16(c, x, bps);
            const __m256i cb = load16(c_below, x, bps);
            const __m256i pa = load16(p_above, x, bps), p0 = load16(p, x, bps);
            const __m256i pb = load16(p_below, x, bps);
            const __m256i cs = _mm256_add_epi16(ca, cb), ps = _mm256_add_epi16(pa, pb);
            const __m256i c2 = _mm256_add_epi16(c0, c0), p2 = _mm256_add_epi16(p0, p0);
            sa = _mm256_add_epi16(sa, _mm256_abs_epi16(_mm256_sub_epi16(cs, p2)));
            sb = _mm256_add_epi16(sb, _mm256_abs_epi16(_mm256_sub_epi16(ps, c2)));
            sd = _mm256_add_epi16(sd, _mm256_abs_epi16(_mm256_sub_epi16(cs, c2)));
            sf = _mm256_add_epi16(sf, _mm256_abs_epi16(_mm256_sub_epi16(c2, p2)));
        }
        acc_a = _mm256_add_epi32(acc_a, _mm256_madd_epi16(sa, ones));
        acc_b = _mm256_add_epi32(acc_b, _mm256_madd_epi16(sb, ones));
        acc_d = _mm256_add_epi32(acc_d, _mm256_madd_epi16(sd, ones));
        acc_f = _mm256_add_epi32(acc_f, _mm256_madd_epi16(sf, ones));
    }
    MqcIdetRow tail = { 0, 0, 0, 0 };
    const size_t off = (size_t)x * (size_t)bps;
    if (x < width)
        (bps == 1 ? mqc_idet_row_8_c : mqc_idet_row_16_c)(c_above + off, c + off, c_below + off,
                                                          p_above + off, p + off, p_below + off,
                                                          width - x, &tail);
    *out = (MqcIdetRow){ mqc_hsum_epi32(acc_a) + tail.prev_mix,
                         mqc_hsum_epi32(acc_b) + tail.next_mix,
                         mqc_hsum_epi32(acc_d) + tail.self, mqc_hsum_epi32(acc_f) + tail.field };
}

/* Row i prefetches row i + 1 + MQC_IDET_PREFETCH_ROWS (the row that step
 * will read first), while it is one of the rows the caller gave. */
INLINE void idet_rows(const uint8_t *c, ptrdiff_t lc, const uint8_t *p, ptrdiff_t lp, int width,
                      int rows, MqcIdetSums out[2], int bps, int block)
{
    const int ahead = 1 + MQC_IDET_PREFETCH_ROWS;
    for (int i = 0; i < rows; i++) {
        const uint8_t *ci = c + i * lc, *pi = p + i * lp;
        const int pf = i + ahead <= rows;
        MqcIdetRow r;
        idet_row(ci - lc, ci, ci + lc, pi - lp, pi, pi + lp, width, &r,
                 pf ? ci + ahead * lc : NULL, pf ? pi + ahead * lp : NULL, bps, block);
        MqcIdetSums *o = &out[i & 1];
        o->prev_mix += r.prev_mix;
        o->next_mix += r.next_mix;
        o->self += r.self;
        o->field += r.field;
    }
}

/* block: steps of 16-bit sums, 32767 / (2 * largest sample): 8-bit 64,
 * up to 10 bits 16, up to 14 bits 1 */
#define IDET(NAME, BPS, BLOCK)                                                              \
    AVX2 void mqc_idet_rows_##NAME##_avx2(const uint8_t *c, ptrdiff_t lc, const uint8_t *p, \
                                          ptrdiff_t lp, int width, int rows,                \
                                          MqcIdetSums out[2])                               \
    {                                                                                       \
        idet_rows(c, lc, p, lp, width, rows, out, BPS, BLOCK);                              \
    }

AVX2 void mqc_idet_row_8_avx2(const uint8_t *c_above, const uint8_t *c, const uint8_t *c_below,
                              const uint8_t *p_above, const uint8_t *p, const uint8_t *p_below,
                              int width, MqcIdetRow *out)
{
    idet_row(c_above, c, c_below, p_above, p, p_below, width, out, NULL, NULL, 1, 64);
}

AVX2 void mqc_idet_row_16_avx2(const uint8_t *c_above, const uint8_t *c, const uint8_t *c_below,
                               const uint8_t *p_above, const uint8_t *p, const uint8_t *p_below,
                               int width, MqcIdetRow *out)
{
    idet_row(c_above, c, c_below, p_above, p, p_below, width, out, NULL, NULL, 2, 1);
}

IDET(8, 1, 64)
IDET(16, 2, 1)
IDET(10, 2, 16)

/* Row sums in 32-bit lanes: 8 samples a step, at most 2^16 steps per lane
 * (2^16 * 65535 < 2^32) before they go to 64 bits; the C reference sums
 * the last samples. */
INLINE uint64_t row_sum(const uint8_t *row, int n, int bps)
{
    uint64_t sum = 0;
    int x = 0;
    while (x + 8 <= n) {
        const int end = n - x > (8 << 16) ? x + (8 << 16) : n;
        __m256i acc = _mm256_setzero_si256();
        for (; x + 8 <= end; x += 8)
            acc = _mm256_add_epi32(acc, mqc_load8_avx2(row + (size_t)x * bps, bps));
        sum += mqc_hsum_epi64(_mm256_add_epi64(_mm256_unpacklo_epi32(acc, _mm256_setzero_si256()),
                                               _mm256_unpackhi_epi32(acc, _mm256_setzero_si256())));
    }
    const uint8_t *tail = row + (size_t)x * bps;
    return sum + (bps == 1 ? mqc_row_sum_8_c(tail, n - x) : mqc_row_sum_16_c(tail, n - x));
}

AVX2 uint64_t mqc_row_sum_8_avx2(const uint8_t *row, int n)
{
    return row_sum(row, n, 1);
}

AVX2 uint64_t mqc_row_sum_16_avx2(const uint8_t *row, int n)
{
    return row_sum(row, n, 2);
}

/* Eight columns per vector, up to MQC_COLUMN_VECTORS vectors in registers,
 * each lane one column's 32-bit sum over at most 2^16 rows; the C
 * reference sums the columns past the last full vector. */
INLINE void column_sums(const uint8_t *data, ptrdiff_t linesize, int x0, int n, int rows,
                        uint64_t *sums, int bps)
{
    const int vectors = n / 8 < MQC_COLUMN_VECTORS ? n / 8 : MQC_COLUMN_VECTORS;
    for (int y0 = 0; y0 < rows; y0 += 1 << 16) {
        const int y1 = rows - y0 > (1 << 16) ? y0 + (1 << 16) : rows;
        __m256i acc[MQC_COLUMN_VECTORS];
        for (int v = 0; v < vectors; v++)
            acc[v] = _mm256_setzero_si256();
        for (int y = y0; y < y1; y++) {
            const uint8_t *p = data + y * linesize + (size_t)x0 * bps;
            for (int v = 0; v < vectors; v++)
                acc[v] = _mm256_add_epi32(acc[v], mqc_load8_avx2(p + 8 * v * bps, bps));
        }
        for (int v = 0; v < vectors; v++) {
            uint32_t lanes[8];
            _mm256_storeu_si256((__m256i *)lanes, acc[v]);
            for (int i = 0; i < 8; i++)
                sums[8 * v + i] += lanes[i];
        }
    }
    const int done = 8 * vectors;
    if (done < n)
        (bps == 1 ? mqc_column_sums_8_c : mqc_column_sums_16_c)(data, linesize, x0 + done,
                                                                n - done, rows, sums + done);
}

AVX2 void mqc_column_sums_8_avx2(const uint8_t *data, ptrdiff_t linesize, int x0, int n,
                                 int rows, uint64_t *sums)
{
    column_sums(data, linesize, x0, n, rows, sums, 1);
}

AVX2 void mqc_column_sums_16_avx2(const uint8_t *data, ptrdiff_t linesize, int x0, int n,
                                  int rows, uint64_t *sums)
{
    column_sums(data, linesize, x0, n, rows, sums, 2);
}

/* flash: the display light of eight sampled pixels at once. The same
 * integer matrix, then the same float steps as the C reference, each
 * rounded alone (mul, then add: no FMA), so LUT indices and values are
 * identical; the LUT is read with a gather. */
INLINE __m256i flash_linear(const MqcFlashKernel *k, __m256i value)
{
    const __m256 e = _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(value),
                                                 _mm256_set1_ps(k->scale)),
                                   _mm256_set1_ps(k->bias));
    const __m256 t = _mm256_add_ps(_mm256_mul_ps(e, _mm256_set1_ps((float)MQC_FLASH_LUT)),
                                   _mm256_set1_ps(0.5f));
    const __m256 low = _mm256_cmp_ps(e, _mm256_setzero_ps(), _CMP_LE_OQ);
    const __m256 high = _mm256_cmp_ps(e, _mm256_set1_ps(1), _CMP_GE_OQ);
    __m256i i = _mm256_andnot_si256(_mm256_castps_si256(low), _mm256_cvttps_epi32(t));
    i = _mm256_blendv_epi8(i, _mm256_set1_epi32(MQC_FLASH_LUT), _mm256_castps_si256(high));
    return _mm256_i32gather_epi32((const int *)k->lut, i, 4);
}

/* (wr R + wg G + wb B) >> 16 of each lane (64-bit products: the sum can
 * reach 2^32) */
INLINE __m256i flash_lum(const MqcFlashKernel *k, __m256i r, __m256i g, __m256i b)
{
    const __m256i wr = _mm256_set1_epi32((int)k->wr), wg = _mm256_set1_epi32((int)k->wg);
    const __m256i wb = _mm256_set1_epi32((int)k->wb);
    const __m256i even = _mm256_add_epi64(_mm256_add_epi64(_mm256_mul_epu32(wr, r),
                                                           _mm256_mul_epu32(wg, g)),
                                          _mm256_mul_epu32(wb, b));
    r = _mm256_srli_epi64(r, 32);
    g = _mm256_srli_epi64(g, 32);
    b = _mm256_srli_epi64(b, 32);
    const __m256i odd = _mm256_add_epi64(_mm256_add_epi64(_mm256_mul_epu32(wr, r),
                                                          _mm256_mul_epu32(wg, g)),
                                         _mm256_mul_epu32(wb, b));
    return _mm256_blend_epi32(_mm256_srli_epi64(even, 16),
                              _mm256_slli_epi64(_mm256_srli_epi64(odd, 16), 32), 0xaa);
}

INLINE int32_t sample_at(const uint8_t *row, int x, int bps)
{
    return bps == 1 ? row[x] : ((const uint16_t *)row)[x];
}

/* Eight pixels' light and red excess from their codes (G'/Y, B'/Cb, R'/Cr). */
INLINE void flash_eight(const MqcFlashKernel *k, __m256i gv, __m256i bv, __m256i rv,
                        uint32_t *lum, uint32_t *red)
{
    if (!k->is_rgb) {
        const __m256i yv = _mm256_add_epi32(
            _mm256_mullo_epi32(gv, _mm256_set1_epi32(k->y_gain)), _mm256_set1_epi32(k->offset));
        const __m256i u = _mm256_sub_epi32(bv, _mm256_set1_epi32(k->chroma_zero));
        const __m256i v = _mm256_sub_epi32(rv, _mm256_set1_epi32(k->chroma_zero));
        rv = _mm256_add_epi32(yv, _mm256_mullo_epi32(v, _mm256_set1_epi32(k->r_cr)));
        gv = _mm256_add_epi32(yv, _mm256_add_epi32(
            _mm256_mullo_epi32(u, _mm256_set1_epi32(k->g_cb)),
            _mm256_mullo_epi32(v, _mm256_set1_epi32(k->g_cr))));
        bv = _mm256_add_epi32(yv, _mm256_mullo_epi32(u, _mm256_set1_epi32(k->b_cb)));
    }
    const __m256i r = flash_linear(k, rv), g = flash_linear(k, gv), b = flash_linear(k, bv);
    _mm256_storeu_si256((__m256i *)lum, flash_lum(k, r, g, b));
    /* saturated red: r && r >= 4 (g + b): r - g - b (values <= 2^16) */
    const __m256i gb = _mm256_add_epi32(g, b);
    const __m256i not_red = _mm256_or_si256(_mm256_cmpgt_epi32(_mm256_slli_epi32(gb, 2), r),
                                            _mm256_cmpeq_epi32(r, _mm256_setzero_si256()));
    _mm256_storeu_si256((__m256i *)red, _mm256_andnot_si256(not_red, _mm256_sub_epi32(r, gb)));
}

INLINE __m256i lanes(const int32_t v[8])
{
    return _mm256_setr_epi32(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
}

/* The sampled pixels are step apart: read by scalar loads (as fast as
 * gathers here, and nothing is read past x1). */
INLINE int flash_pixels(const MqcFlashKernel *k, const uint8_t *y, const uint8_t *cb,
                        const uint8_t *cr, int cshift, int x0, int x1, int step, uint32_t *lum,
                        uint32_t *red, int bps)
{
    const int cs = k->is_rgb ? 0 : cshift;
    int n = 0;
    int x = x0;
    /* whole groups of eight: lanes set from the loads, not through an
     * array (eight scalar stores read back as one vector stall the load) */
    for (; x + 7 * step < x1; x += 8 * step) {
#define AT(row, i, sh) sample_at(row, (x + (i) * step) >> (sh), bps)
#define LANES(row, sh) _mm256_setr_epi32(AT(row, 0, sh), AT(row, 1, sh), AT(row, 2, sh), \
                                         AT(row, 3, sh), AT(row, 4, sh), AT(row, 5, sh), \
                                         AT(row, 6, sh), AT(row, 7, sh))
        flash_eight(k, LANES(y, 0), LANES(cb, cs), LANES(cr, cs), lum + n, red + n);
#undef LANES
#undef AT
        n += 8;
    }
    for (; x < x1; x += 8 * step) {
        int32_t sy[8] = { 0 }, su[8] = { 0 }, sv[8] = { 0 };
        int m = 0;
        for (int xi = x; m < 8 && xi < x1; xi += step, m++) {
            sy[m] = sample_at(y, xi, bps);
            su[m] = sample_at(cb, xi >> cs, bps);
            sv[m] = sample_at(cr, xi >> cs, bps);
        }
        const __m256i gv = lanes(sy), bv = lanes(su), rv = lanes(sv);
        if (m == 8) {
            flash_eight(k, gv, bv, rv, lum + n, red + n);
        } else {    /* the row's last pixels */
            uint32_t l[8], rd[8];
            flash_eight(k, gv, bv, rv, l, rd);
            memcpy(lum + n, l, (size_t)m * sizeof(*l));
            memcpy(red + n, rd, (size_t)m * sizeof(*rd));
        }
        n += m;
    }
    return n;
}

AVX2 int mqc_flash_pixels_8_avx2(const MqcFlashKernel *k, const uint8_t *y, const uint8_t *cb,
                                 const uint8_t *cr, int cshift, int x0, int x1, int step,
                                 uint32_t *lum, uint32_t *red)
{
    return flash_pixels(k, y, cb, cr, cshift, x0, x1, step, lum, red, 1);
}

AVX2 int mqc_flash_pixels_16_avx2(const MqcFlashKernel *k, const uint8_t *y, const uint8_t *cb,
                                  const uint8_t *cr, int cshift, int x0, int x1, int step,
                                  uint32_t *lum, uint32_t *red)
{
    return flash_pixels(k, y, cb, cr, cshift, x0, x1, step, lum, red, 2);
}
#endif
