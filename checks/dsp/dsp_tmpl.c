/* Included by dsp.c with SAMPLE (pixel type) and SUFFIX defined: the C
 * references of the plane kernels (kernels.h names them). */

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(CAT(name, SUFFIX), _c)

void FN(mqc_plane_stats_)(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                          unsigned lo, unsigned hi, MqcPlaneStats *out)
{
    uint64_t sum = 0, below = 0, above = 0;
    unsigned mn = ~0u, mx = 0;
    for (int y = 0; y < rows; y++) {
        const SAMPLE *p = (const SAMPLE *)(data + y * linesize);
        /* 32-bit row accumulators keep the loop vectorisable; a row of
         * 16-bit samples cannot overflow them below 65536 pixels */
        uint32_t rsum = 0, rbelow = 0, rabove = 0;
        SAMPLE rmn = (SAMPLE)~0u, rmx = 0;
        for (int x = 0; x < width; x++) {
            SAMPLE v = p[x];
            rsum += v;
            rbelow += v < lo;
            rabove += v > hi;
            rmn = v < rmn ? v : rmn;
            rmx = v > rmx ? v : rmx;
        }
        sum += rsum;
        below += rbelow;
        above += rabove;
        mn = rmn < mn ? rmn : mn;
        mx = rmx > mx ? rmx : mx;
    }
    out->sum = sum;
    out->below = below;
    out->above = above;
    out->count = (uint64_t)width * (uint64_t)rows;
    out->min = mn;
    out->max = mx;
}

void FN(mqc_plane_codes_)(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                          int depth, uint8_t *used)
{
    /* one byte per code: plain stores, so neighbouring equal samples do not
     * chain read-modify-writes on one bitmap byte; packed to bits at the end */
    uint8_t seen[1 << (8 * sizeof(SAMPLE))];
    const unsigned codes = 1u << depth, mask = codes - 1;
    memset(seen, 0, codes);
    for (int y = 0; y < rows; y++) {
        const SAMPLE *p = (const SAMPLE *)(data + y * linesize);
        for (int x = 0; x < width; x++)
            seen[p[x] & mask] = 1;
    }
    for (unsigned i = 0; i < codes; i += 8) {
        unsigned bits = 0;
        for (unsigned k = 0; k < 8; k++)
            bits |= (unsigned)seen[i + k] << k;
        used[i / 8] = (uint8_t)bits;
    }
}

void FN(mqc_code_facts_)(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                          const MqcCodeTests *t, MqcCodeFacts *out)
{
    const unsigned top = (1u << t->depth) - 1;
    unsigned mn = ~0u, mx = 0, raw_max = 0, or_mask = 0, and_mask = ~0u, outside = 0;
    for (int y = 0; y < rows; y++) {
        const SAMPLE *p = (const SAMPLE *)(data + y * linesize);
        for (int x = 0; x < width; x++) {
            const unsigned c = p[x] < top ? p[x] : top;
            raw_max = p[x] > raw_max ? p[x] : raw_max;
            mn = c < mn ? c : mn;
            mx = c > mx ? c : mx;
            or_mask |= c;
            and_mask &= c;
            outside |= t->outside[c];
        }
    }
    *out = (MqcCodeFacts){ .min = mn, .max = mx, .raw_max = raw_max, .or_mask = or_mask,
                           .and_mask = and_mask, .outside = outside };
}

/* Rows are cut into chunks that cannot overflow 32-bit accumulators
 * (32768 * 65535 < 2^32), which vectorise. */
void FN(mqc_sad_black_)(const uint8_t *a, ptrdiff_t la, const uint8_t *b, ptrdiff_t lb,
                        int width, int rows, unsigned black, uint64_t *sad,
                        uint64_t *black_count)
{
    uint64_t s = 0, k = 0;
    for (int y = 0; y < rows; y++) {
        const SAMPLE *pa = (const SAMPLE *)(a + y * la);
        const SAMPLE *pb = (const SAMPLE *)(b + y * lb);
        for (int x0 = 0; x0 < width; x0 += 32768) {
            const int x1 = width - x0 > 32768 ? x0 + 32768 : width;
            uint32_t rs = 0, rk = 0;
            for (int x = x0; x < x1; x++) {
                const int d = (int)pa[x] - (int)pb[x];
                rs += (uint32_t)(d < 0 ? -d : d);
                rk += pa[x] <= black;
            }
            s += rs;
            k += rk;
        }
    }
    *sad = s;
    *black_count = k;
}

/* Two interleaved tables, so a run of equal samples does not chain every
 * increment through one counter in memory; the second half of hist is
 * scratch. Samples above the depth (no decoder writes them) count as the
 * top code. */
void FN(mqc_plane_hist_)(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                         int depth, uint32_t *hist)
{
    const unsigned bins = 1u << depth, top = bins - 1;
    uint32_t *h0 = hist, *h1 = hist + bins;
    memset(hist, 0, 2 * (size_t)bins * sizeof(*hist));
    for (int y = 0; y < rows; y++) {
        const SAMPLE *p = (const SAMPLE *)(data + y * linesize);
        int x = 0;
        for (; x + 1 < width; x += 2) {
            const unsigned a = p[x], b = p[x + 1];
            h0[a < top ? a : top]++;
            h1[b < top ? b : top]++;
        }
        if (x < width)
            h0[p[x] < top ? p[x] : top]++;
    }
    for (unsigned i = 0; i < bins; i++)
        h0[i] += h1[i];
}

#undef FN
#undef CAT
#undef CAT_
