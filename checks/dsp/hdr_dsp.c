#include <math.h>
#include <string.h>
#include "../../engine/mediaqc.h"
#include "gamut_dsp.h"
#include "hdr_dsp.h"
#include "kernels.h"

/* cd/m2 (PQ, BT.1886) or scene light (HLG) at LUT index i */
static double index_light(const MqcHdrKernel *k, int32_t i)
{
    const MqcGamutKernel *c = &k->conv;
    double e = (ldexp(i, -k->extra) - c->black) / (c->white - c->black);
    e = e < 0 ? 0 : e > 1 ? 1 : e;  /* the signal range of BT.2100 / BT.1886 */
    switch (k->tf) {
    case MQC_TRANSFER_PQ:
        return mqc_pq_eotf(e);
    case MQC_TRANSFER_HLG:
        return mqc_hlg_inverse_oetf(e);
    default:
        return MQC_SDR_PEAK_NITS * mqc_transfer_linear(MQC_TRANSFER_BT1886, e);
    }
}

int mqc_hdr_kernel_init(MqcHdrKernel *k, MqcGamutMatrix matrix, int bit_depth, int full_range,
                        int is_rgb, MqcTransfer tf, double peak_nits)
{
    if (tf != MQC_TRANSFER_PQ && tf != MQC_TRANSFER_HLG && tf != MQC_TRANSFER_BT1886)
        return MQC_ERR_USAGE;
    /* the band is unused: only the conversion of the gamut kernel runs */
    int r = mqc_gamut_kernel_init(&k->conv, matrix, bit_depth, full_range, is_rgb, 0, 100, 1, 0);
    if (r < 0)
        return r;
    k->tf = tf;
    k->extra = bit_depth < 12 ? 12 - bit_depth : 0;
    k->shift = k->conv.frac_bits - k->extra;
    k->round = (int32_t)1 << (k->shift - 1);
    k->index_max = (int32_t)(((1 << bit_depth) - 1) << k->extra);
    k->top = (int32_t)(((int64_t)k->index_max << k->shift) - k->round);
    /* limited-range Y'CbCr: value = Y << frac_bits + chroma terms, and
     * indices (< 2^12) with chroma terms (< 2^12) fit signed 16 bits */
    k->lim16 = !is_rgb && bit_depth <= 12 && k->conv.offset == 0 &&
               k->conv.y_gain == (int32_t)1 << k->conv.frac_bits;
    const int hlg = tf == MQC_TRANSFER_HLG;
    for (int32_t i = 0; i <= k->index_max; i++)
        k->light[i] = (uint32_t)llround(ldexp(index_light(k, i), hlg ? 16 : MQC_HDR_SUM_FRAC));
    k->kr = (int32_t)llround(MQC_HLG_KR * (1 << MQC_HDR_GAIN_BITS));
    k->kb = (int32_t)llround(MQC_HLG_KB * (1 << MQC_HDR_GAIN_BITS));
    k->kg = (1 << MQC_HDR_GAIN_BITS) - k->kr - k->kb;
    /* Ys in 2^-30 >> 16: bin j holds [j, j + 1) * 2^-14; its middle */
    const int bins = 1 << MQC_HDR_GAIN_BITS;
    for (int j = 0; j <= bins; j++) {
        const double ys = j < bins ? (j + 0.5) / bins : 1.0;
        k->gain[j] = (uint32_t)llround(64 * mqc_hlg_ootf_gain(ys));
    }
    k->peak_level = UINT32_MAX;
    if (peak_nits > 0 && hlg) {
        const double l = floor(ldexp(peak_nits, MQC_HDR_HLG_LEVEL_FRAC));
        k->peak_level = l < (double)UINT32_MAX ? (uint32_t)l : UINT32_MAX;
    } else if (peak_nits > 0) {
        /* the highest index whose light is within the peak (monotonic;
         * index 0 is black, always within) */
        int32_t i = 0;
        while (i < k->index_max && index_light(k, i + 1) <= peak_nits)
            i++;
        k->peak_level = (uint32_t)i;
    }
    return 0;
}

double mqc_hdr_level_nits(const MqcHdrKernel *k, uint32_t level)
{
    if (k->tf == MQC_TRANSFER_HLG)
        return ldexp(level, -MQC_HDR_HLG_LEVEL_FRAC);
    return index_light(k, (int32_t)(level > (uint32_t)k->index_max ? (uint32_t)k->index_max
                                                                   : level));
}

static inline int32_t to_index(const MqcHdrKernel *k, int32_t v)
{
    v = v < 0 ? 0 : v > k->top ? k->top : v;
    return (v + k->round) >> k->shift;
}

/* n converted pixels into c */
static void levels(const MqcHdrKernel *k, const int32_t *r, const int32_t *g, const int32_t *b,
                   int n, MqcHdrCounts *c)
{
    uint64_t sum = 0, above = 0;
    uint32_t mx = c->max_level;
    const uint32_t peak = k->peak_level;
    if (k->tf != MQC_TRANSFER_HLG) {
        for (int i = 0; i < n; i++) {
            int32_t m = r[i] > g[i] ? r[i] : g[i];
            m = b[i] > m ? b[i] : m;
            const uint32_t idx = (uint32_t)to_index(k, m);
            sum += k->light[idx];
            above += idx > peak;
            mx = idx > mx ? idx : mx;
        }
    } else {
        for (int i = 0; i < n; i++) {
            const uint32_t sr = k->light[to_index(k, r[i])], sg = k->light[to_index(k, g[i])],
                           sb = k->light[to_index(k, b[i])];
            uint32_t m = sr > sg ? sr : sg;
            m = sb > m ? sb : m;
            const uint32_t ys = (uint32_t)k->kr * sr + (uint32_t)k->kg * sg + (uint32_t)k->kb * sb;
            const uint32_t level = m * k->gain[ys >> 16];
            sum += level >> (MQC_HDR_HLG_LEVEL_FRAC - MQC_HDR_SUM_FRAC);
            above += level > peak;
            mx = level > mx ? level : mx;
        }
    }
    c->sum += sum;
    c->above += above;
    c->max_level = mx;
}

void mqc_hdr_row_c(const MqcHdrKernel *k, const MqcPicture *pic, int y, MqcHdrCounts *c)
{
    int32_t v[3][MQC_GAMUT_SEGMENT];
    for (int x0 = 0; x0 < pic->width; x0 += MQC_GAMUT_SEGMENT) {
        const int n = pic->width - x0 < MQC_GAMUT_SEGMENT ? pic->width - x0 : MQC_GAMUT_SEGMENT;
        mqc_gamut_convert(&k->conv, pic, y, x0, n, v[0], v[1], v[2]);
        levels(k, v[0], v[1], v[2], n, c);
    }
}

void mqc_hdr_rows(const MqcDsp *d, const MqcHdrKernel *k, const MqcPicture *pic, int y0,
                  int y1, MqcHdrCounts *out)
{
    memset(out, 0, sizeof(*out));
    const MqcHdrRowFn row = d->hdr_row[pic->bytes_per_sample > 1];
    for (int y = y0; y < y1; y++)
        row(k, pic, y, out);
    out->pixels = (uint64_t)pic->width * (uint64_t)(y1 - y0);
}

void mqc_hdr_counts_merge(MqcHdrCounts *a, const MqcHdrCounts *b, int first)
{
    if (first) {
        *a = *b;
        return;
    }
    a->pixels += b->pixels;
    a->sum += b->sum;
    a->above += b->above;
    a->max_level = b->max_level > a->max_level ? b->max_level : a->max_level;
}
