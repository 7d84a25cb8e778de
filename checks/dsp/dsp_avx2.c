/* AVX2 versions of the plane kernels (dsp_tmpl.c). Every function carries
 * the target attribute instead of the file being built with -mavx2, so the
 * program still runs on CPUs without AVX2 (mqc_dsp_init only picks these
 * when the flags have MQC_CPU_AVX2). Results are bit-identical to the C
 * reference, including its per-row 32-bit sums (tests/unit/test_simd.c). */
#if defined(__x86_64__) || defined(__i386__)
#include "avx2.h"
#include "kernels.h"

/* min/max of 16 unsigned 16-bit lanes (minpos is SSE4.1, implied by AVX2) */
static inline AVX2 unsigned hmin_epu16(__m256i v)
{
    __m128i m = _mm_min_epu16(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    return (unsigned)_mm_cvtsi128_si32(_mm_minpos_epu16(m)) & 0xffff;
}

static inline AVX2 unsigned hmax_epu16(__m256i v)
{
    return 0xffff - hmin_epu16(_mm256_xor_si256(v, _mm256_set1_epi32(-1)));
}

/* Band edges as compare operands: v < lo <=> v <= lo - 1 and v > hi <=>
 * v >= hi + 1, with an all-zero enable mask when no sample can be below
 * (lo == 0) or above (hi >= the largest sample). */
static void band_operands(unsigned lo, unsigned hi, unsigned smax, unsigned *lo1, int *lo_on,
                          unsigned *hi1, int *hi_on)
{
    *lo_on = lo != 0;
    *lo1 = lo == 0 ? 0 : lo - 1 < smax ? lo - 1 : smax;
    *hi_on = hi < smax;
    *hi1 = hi < smax ? hi + 1 : smax;
}

AVX2 void mqc_plane_stats_16_avx2(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                                  unsigned lo, unsigned hi, MqcPlaneStats *out)
{
    unsigned lo1, hi1;
    int lo_on, hi_on;
    band_operands(lo, hi, 0xffff, &lo1, &lo_on, &hi1, &hi_on);
    const __m256i vlo1 = _mm256_set1_epi16((short)lo1), vhi1 = _mm256_set1_epi16((short)hi1);
    const __m256i lo_en = _mm256_set1_epi16(lo_on ? -1 : 0);
    const __m256i hi_en = _mm256_set1_epi16(hi_on ? -1 : 0);
    const __m256i low16 = _mm256_set1_epi32(0xffff), ones = _mm256_set1_epi16(1);
    __m256i vmin = _mm256_set1_epi32(-1), vmax = _mm256_setzero_si256();
    uint64_t sum = 0, below = 0, above = 0;
    unsigned smin = 0xffff, smax = 0;
    for (int y = 0; y < rows; y++) {
        const uint16_t *p = (const uint16_t *)(data + y * linesize);
        uint32_t rsum = 0;      /* wraps per row exactly as the C row sum */
        int x = 0;
        while (width - x >= 16) {
            /* 16-bit counters and 32-bit sum lanes cannot overflow in 4096 steps */
            const int end = width - x > 16 * 4096 ? x + 16 * 4096 : width;
            __m256i vs = _mm256_setzero_si256(), cb = vs, ca = vs;
            for (; x + 16 <= end; x += 16) {
                const __m256i v = _mm256_loadu_si256((const __m256i *)(p + x));
                vs = _mm256_add_epi32(vs, _mm256_add_epi32(_mm256_and_si256(v, low16),
                                                           _mm256_srli_epi32(v, 16)));
                vmin = _mm256_min_epu16(vmin, v);
                vmax = _mm256_max_epu16(vmax, v);
                const __m256i b = _mm256_cmpeq_epi16(_mm256_min_epu16(v, vlo1), v);
                const __m256i a = _mm256_cmpeq_epi16(_mm256_max_epu16(v, vhi1), v);
                cb = _mm256_sub_epi16(cb, _mm256_and_si256(b, lo_en));
                ca = _mm256_sub_epi16(ca, _mm256_and_si256(a, hi_en));
            }
            rsum += mqc_hsum_epi32(vs);
            below += mqc_hsum_epi32(_mm256_madd_epi16(cb, ones));
            above += mqc_hsum_epi32(_mm256_madd_epi16(ca, ones));
        }
        for (; x < width; x++) {
            const unsigned v = p[x];
            rsum += v;
            below += v < lo;
            above += v > hi;
            smin = v < smin ? v : smin;
            smax = v > smax ? v : smax;
        }
        sum += rsum;
    }
    const unsigned vmn = hmin_epu16(vmin), vmx = hmax_epu16(vmax);
    out->sum = sum;
    out->below = below;
    out->above = above;
    out->count = (uint64_t)width * (uint64_t)rows;
    /* the C reference starts each row's minimum at the largest sample */
    out->min = rows > 0 ? (vmn < smin ? vmn : smin) : ~0u;
    out->max = vmx > smax ? vmx : smax;
}

AVX2 void mqc_plane_stats_8_avx2(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                                 unsigned lo, unsigned hi, MqcPlaneStats *out)
{
    unsigned lo1, hi1;
    int lo_on, hi_on;
    band_operands(lo, hi, 0xff, &lo1, &lo_on, &hi1, &hi_on);
    const __m256i vlo1 = _mm256_set1_epi8((char)lo1), vhi1 = _mm256_set1_epi8((char)hi1);
    const __m256i lo_en = _mm256_set1_epi8(lo_on ? -1 : 0);
    const __m256i hi_en = _mm256_set1_epi8(hi_on ? -1 : 0);
    const __m256i zero = _mm256_setzero_si256();
    __m256i vmin = _mm256_set1_epi32(-1), vmax = zero;
    __m256i vbelow = zero, vabove = zero;       /* 64-bit lanes */
    uint64_t sum = 0, below = 0, above = 0;
    unsigned smin = 0xff, smax = 0;
    for (int y = 0; y < rows; y++) {
        const uint8_t *p = data + y * linesize;
        __m256i vs = zero;                      /* 64-bit lanes via SAD */
        int x = 0;
        while (width - x >= 32) {
            /* 8-bit counters: flushed before 255 steps */
            const int end = width - x > 32 * 255 ? x + 32 * 255 : width;
            __m256i cb = zero, ca = zero;
            for (; x + 32 <= end; x += 32) {
                const __m256i v = _mm256_loadu_si256((const __m256i *)(p + x));
                vs = _mm256_add_epi64(vs, _mm256_sad_epu8(v, zero));
                vmin = _mm256_min_epu8(vmin, v);
                vmax = _mm256_max_epu8(vmax, v);
                const __m256i b = _mm256_cmpeq_epi8(_mm256_min_epu8(v, vlo1), v);
                const __m256i a = _mm256_cmpeq_epi8(_mm256_max_epu8(v, vhi1), v);
                cb = _mm256_sub_epi8(cb, _mm256_and_si256(b, lo_en));
                ca = _mm256_sub_epi8(ca, _mm256_and_si256(a, hi_en));
            }
            vbelow = _mm256_add_epi64(vbelow, _mm256_sad_epu8(cb, zero));
            vabove = _mm256_add_epi64(vabove, _mm256_sad_epu8(ca, zero));
        }
        uint32_t rsum = (uint32_t)mqc_hsum_epi64(vs);   /* the C row sum is 32-bit */
        for (; x < width; x++) {
            const unsigned v = p[x];
            rsum += v;
            below += v < lo;
            above += v > hi;
            smin = v < smin ? v : smin;
            smax = v > smax ? v : smax;
        }
        sum += rsum;
    }
    /* widen the byte extremes to words for minpos */
    __m128i m = _mm_min_epu8(_mm256_castsi256_si128(vmin), _mm256_extracti128_si256(vmin, 1));
    __m128i M = _mm_max_epu8(_mm256_castsi256_si128(vmax), _mm256_extracti128_si256(vmax, 1));
    m = _mm_min_epu8(m, _mm_unpackhi_epi64(m, m));
    M = _mm_max_epu8(M, _mm_unpackhi_epi64(M, M));
    const unsigned vmn = hmin_epu16(_mm256_cvtepu8_epi16(m));
    const unsigned vmx = hmax_epu16(_mm256_cvtepu8_epi16(M));
    out->sum = sum;
    out->below = below + mqc_hsum_epi64(vbelow);
    out->above = above + mqc_hsum_epi64(vabove);
    out->count = (uint64_t)width * (uint64_t)rows;
    out->min = rows > 0 ? (vmn < smin ? vmn : smin) : ~0u;
    out->max = vmx > smax ? vmx : smax;
}

#define INLINE static inline __attribute__((always_inline)) AVX2

/* code_facts in 16-bit lanes, for bit_depth's tests: replication and
 * scaling from the same source, `pairs` sources (1 at 9..11 bits, 2 at 12).
 * Replication: c is in the image when (c ^ c >> from) has no low k bits;
 * scaling: when c's low k bits equal d(c >> k), the division by the setup's
 * magic (dsp.h). The low-bit masks apply once at the end (OR commutes with
 * AND). The samples are taken unclamped: a rectangle with a sample above
 * the depth (no decoder writes one) goes to the C reference. */
INLINE void facts16(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                    const MqcCodeTests *t, MqcCodeFacts *out, const int pairs)
{
    __m128i from[2], k[2], msh[2];
    __m256i mul[2], add[2], magic[2], rep[2], sc[2];
    for (int j = 0; j < pairs; j++) {
        const int f = t->t[2 * j].from, kj = t->depth - f;
        from[j] = _mm_cvtsi32_si128(f);
        k[j] = _mm_cvtsi32_si128(kj);
        msh[j] = _mm_cvtsi32_si128((int)t->t[2 * j + 1].magic_shift);
        mul[j] = _mm256_set1_epi16((short)(2 * ((1u << kj) - 1)));
        add[j] = _mm256_set1_epi16((short)((1u << f) - 1));
        magic[j] = _mm256_set1_epi16((short)t->t[2 * j + 1].magic);
        rep[j] = sc[j] = _mm256_setzero_si256();
    }
    __m256i vmin = _mm256_set1_epi32(-1), vmax = _mm256_setzero_si256(), vor = vmax;
    __m256i vand = vmin;
    unsigned smin = ~0u, smax = 0, sor = 0, sand = ~0u, sout = 0;
    for (int y = 0; y < rows; y++) {
        const uint16_t *p = (const uint16_t *)(data + y * linesize);
        int x = 0;
        for (; x + 16 <= width; x += 16) {
            const __m256i c = _mm256_loadu_si256((const __m256i *)(p + x));
            vmin = _mm256_min_epu16(vmin, c);
            vmax = _mm256_max_epu16(vmax, c);
            vor = _mm256_or_si256(vor, c);
            vand = _mm256_and_si256(vand, c);
            for (int j = 0; j < pairs; j++) {
                rep[j] = _mm256_or_si256(rep[j],
                                         _mm256_xor_si256(c, _mm256_srl_epi16(c, from[j])));
                const __m256i num = _mm256_add_epi16(
                    _mm256_mullo_epi16(_mm256_srl_epi16(c, k[j]), mul[j]), add[j]);
                const __m256i d = _mm256_srl_epi16(_mm256_mulhi_epu16(num, magic[j]), msh[j]);
                sc[j] = _mm256_or_si256(sc[j], _mm256_xor_si256(c, d));
            }
        }
        for (; x < width; x++) {
            const unsigned c = p[x];
            smin = c < smin ? c : smin;
            smax = c > smax ? c : smax;
            sor |= c;
            sand &= c;
            sout |= c >> t->depth ? 0 : t->outside[c];
        }
    }
    /* OR and AND across lanes */
    __m128i o = _mm_or_si128(_mm256_castsi256_si128(vor), _mm256_extracti128_si256(vor, 1));
    __m128i a = _mm_and_si128(_mm256_castsi256_si128(vand), _mm256_extracti128_si256(vand, 1));
    o = _mm_or_si128(o, _mm_unpackhi_epi64(o, o));
    a = _mm_and_si128(a, _mm_unpackhi_epi64(a, a));
    o = _mm_or_si128(o, _mm_srli_epi64(o, 32));
    a = _mm_and_si128(a, _mm_srli_epi64(a, 32));
    o = _mm_or_si128(o, _mm_srli_epi32(o, 16));
    a = _mm_and_si128(a, _mm_srli_epi32(a, 16));
    if (rows > 0 && width >= 16) {
        const unsigned vmn = hmin_epu16(vmin), vmx = hmax_epu16(vmax);
        smin = vmn < smin ? vmn : smin;
        smax = vmx > smax ? vmx : smax;
        sor |= (unsigned)_mm_cvtsi128_si32(o) & 0xffff;
        sand &= (unsigned)_mm_cvtsi128_si32(a) & 0xffff;
    }
    if (sor >> t->depth) {
        mqc_code_facts_16_c(data, linesize, width, rows, t, out);
        return;
    }
    for (int j = 0; j < pairs; j++) {
        const __m256i low = _mm256_set1_epi16((short)((1u << (t->depth - t->t[2 * j].from)) - 1));
        sout |= (unsigned)!_mm256_testz_si256(rep[j], low) << 2 * j;
        sout |= (unsigned)!_mm256_testz_si256(sc[j], low) << (2 * j + 1);
    }
    *out = (MqcCodeFacts){ .min = smin, .max = smax, .or_mask = sor, .and_mask = sand,
                           .outside = sout, .raw_max = smax };
}

/* bit_depth's layout: (replicate, scale) of one source, then of the next */
static int paired_tests(const MqcCodeTests *t)
{
    if (t->n % 2 || t->n > 4)
        return -1;
    for (int i = 0; i < t->n; i += 2)
        if (t->t[i].scale || !t->t[i + 1].scale || t->t[i].from != t->t[i + 1].from)
            return -1;
    return t->n / 2;
}

AVX2 void mqc_code_facts_16_avx2(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                                 const MqcCodeTests *t, MqcCodeFacts *out)
{
    switch (paired_tests(t)) {
    case 0:
        facts16(data, linesize, width, rows, t, out, 0);
        break;
    case 1:
        facts16(data, linesize, width, rows, t, out, 1);
        break;
    case 2:
        facts16(data, linesize, width, rows, t, out, 2);
        break;
    default:
        mqc_code_facts_16_c(data, linesize, width, rows, t, out);
    }
}

/* 8-bit containers hold depth 8: no image test (every source is deeper) */
AVX2 void mqc_code_facts_8_avx2(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                                const MqcCodeTests *t, MqcCodeFacts *out)
{
    if (t->n || t->depth != 8) {
        mqc_code_facts_8_c(data, linesize, width, rows, t, out);
        return;
    }
    __m256i vmin = _mm256_set1_epi32(-1), vmax = _mm256_setzero_si256(), vor = vmax;
    __m256i vand = vmin;
    unsigned smin = ~0u, smax = 0, sor = 0, sand = ~0u;
    for (int y = 0; y < rows; y++) {
        const uint8_t *p = data + y * linesize;
        int x = 0;
        for (; x + 32 <= width; x += 32) {
            const __m256i c = _mm256_loadu_si256((const __m256i *)(p + x));
            vmin = _mm256_min_epu8(vmin, c);
            vmax = _mm256_max_epu8(vmax, c);
            vor = _mm256_or_si256(vor, c);
            vand = _mm256_and_si256(vand, c);
        }
        for (; x < width; x++) {
            const unsigned c = p[x];
            smin = c < smin ? c : smin;
            smax = c > smax ? c : smax;
            sor |= c;
            sand &= c;
        }
    }
    if (rows > 0 && width >= 32) {
        __m128i m = _mm_min_epu8(_mm256_castsi256_si128(vmin), _mm256_extracti128_si256(vmin, 1));
        __m128i M = _mm_max_epu8(_mm256_castsi256_si128(vmax), _mm256_extracti128_si256(vmax, 1));
        __m128i o = _mm_or_si128(_mm256_castsi256_si128(vor), _mm256_extracti128_si256(vor, 1));
        __m128i a = _mm_and_si128(_mm256_castsi256_si128(vand),
                                  _mm256_extracti128_si256(vand, 1));
        m = _mm_min_epu8(m, _mm_unpackhi_epi64(m, m));
        M = _mm_max_epu8(M, _mm_unpackhi_epi64(M, M));
        o = _mm_or_si128(o, _mm_unpackhi_epi64(o, o));
        a = _mm_and_si128(a, _mm_unpackhi_epi64(a, a));
        const unsigned vmn = hmin_epu16(_mm256_cvtepu8_epi16(m));
        const unsigned vmx = hmax_epu16(_mm256_cvtepu8_epi16(M));
        uint64_t ob = (uint64_t)_mm_cvtsi128_si64(o), ab = (uint64_t)_mm_cvtsi128_si64(a);
        for (int sh = 32; sh >= 8; sh /= 2) {
            ob |= ob >> sh;
            ab &= ab >> sh;
        }
        smin = vmn < smin ? vmn : smin;
        smax = vmx > smax ? vmx : smax;
        sor |= (unsigned)ob & 0xff;
        sand &= (unsigned)ab & 0xff;
    }
    *out = (MqcCodeFacts){ .min = smin, .max = smax, .or_mask = sor, .and_mask = sand,
                           .outside = 0, .raw_max = smax };
}

/* sad_black: a <= black <=> max(a, black) == black, with black clamped to
 * the container (above it every sample counts). */
AVX2 void mqc_sad_black_8_avx2(const uint8_t *a, ptrdiff_t la, const uint8_t *b, ptrdiff_t lb,
                               int width, int rows, unsigned black, uint64_t *sad,
                               uint64_t *black_count)
{
    const unsigned bk = black < 0xff ? black : 0xff;
    const __m256i vbk = _mm256_set1_epi8((char)bk), zero = _mm256_setzero_si256();
    __m256i vsad = zero, vblack = zero;         /* 64-bit lanes */
    uint64_t s = 0, k = 0;
    for (int y = 0; y < rows; y++) {
        const uint8_t *pa = a + y * la, *pb = b + y * lb;
        int x = 0;
        while (width - x >= 32) {
            /* 8-bit counters: flushed before 255 steps */
            const int end = width - x > 32 * 255 ? x + 32 * 255 : width;
            __m256i cnt = zero;
            for (; x + 32 <= end; x += 32) {
                const __m256i va = _mm256_loadu_si256((const __m256i *)(pa + x));
                const __m256i vb = _mm256_loadu_si256((const __m256i *)(pb + x));
                vsad = _mm256_add_epi64(vsad, _mm256_sad_epu8(va, vb));
                cnt = _mm256_sub_epi8(cnt, _mm256_cmpeq_epi8(_mm256_max_epu8(va, vbk), vbk));
            }
            vblack = _mm256_add_epi64(vblack, _mm256_sad_epu8(cnt, zero));
        }
        for (; x < width; x++) {
            const int d = (int)pa[x] - (int)pb[x];
            s += (unsigned)(d < 0 ? -d : d);
            k += pa[x] <= black;
        }
    }
    *sad = s + mqc_hsum_epi64(vsad);
    *black_count = k + mqc_hsum_epi64(vblack);
}

AVX2 void mqc_sad_black_16_avx2(const uint8_t *a, ptrdiff_t la, const uint8_t *b, ptrdiff_t lb,
                                int width, int rows, unsigned black, uint64_t *sad,
                                uint64_t *black_count)
{
    const unsigned bk = black < 0xffff ? black : 0xffff;
    const __m256i vbk = _mm256_set1_epi16((short)bk), zero = _mm256_setzero_si256();
    const __m256i low16 = _mm256_set1_epi32(0xffff), ones = _mm256_set1_epi16(1);
    uint64_t s = 0, k = 0;
    for (int y = 0; y < rows; y++) {
        const uint16_t *pa = (const uint16_t *)(a + y * la), *pb = (const uint16_t *)(b + y * lb);
        int x = 0;
        while (width - x >= 16) {
            /* 16-bit counters and 32-bit sum lanes (2 * 65535 a step) cannot
             * overflow in 4096 steps */
            const int end = width - x > 16 * 4096 ? x + 16 * 4096 : width;
            __m256i vs = zero, cnt = zero;
            for (; x + 16 <= end; x += 16) {
                const __m256i va = _mm256_loadu_si256((const __m256i *)(pa + x));
                const __m256i vb = _mm256_loadu_si256((const __m256i *)(pb + x));
                const __m256i d = _mm256_sub_epi16(_mm256_max_epu16(va, vb),
                                                   _mm256_min_epu16(va, vb));
                vs = _mm256_add_epi32(vs, _mm256_add_epi32(_mm256_and_si256(d, low16),
                                                           _mm256_srli_epi32(d, 16)));
                cnt = _mm256_sub_epi16(cnt, _mm256_cmpeq_epi16(_mm256_max_epu16(va, vbk), vbk));
            }
            s += mqc_hsum_epi32(vs);
            k += mqc_hsum_epi32(_mm256_madd_epi16(cnt, ones));
        }
        for (; x < width; x++) {
            const int d = (int)pa[x] - (int)pb[x];
            s += (unsigned)(d < 0 ? -d : d);
            k += pa[x] <= black;
        }
    }
    *sad = s;
    *black_count = k;
}

#endif
