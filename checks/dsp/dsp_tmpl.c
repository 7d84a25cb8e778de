/* Included by dsp.c with SAMPLE (pixel type) and SUFFIX defined. */

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)

static void CAT(plane_stats_, SUFFIX)(const uint8_t *data, ptrdiff_t linesize, int width,
                                      int rows, unsigned lo, unsigned hi, MqcPlaneStats *out)
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

static void CAT(plane_codes_, SUFFIX)(const uint8_t *data, ptrdiff_t linesize, int width,
                                      int rows, int depth, uint8_t *used)
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

#undef CAT
#undef CAT_
