#include <string.h>
#include "band_stats.h"

static void hist_measure(const MqcBand *band, unsigned needs, void *out)
{
    MqcBandHist *h = out;
    const MqcPicture *pic = band->pic;
    const int worth = needs & MQC_NEED_CODE_SETS;
    h->depth = worth && pic->bit_depth <= MQC_HIST_MAX_DEPTH ? pic->bit_depth : 0;
    h->planes = pic->nb_planes < 3 ? pic->nb_planes : 3;
    if (!h->depth)
        return;
    const MqcPlaneHistFn hist = mqc_dsp_get()->plane_hist[pic->bytes_per_sample > 1];
    for (int p = 0; p < h->planes; p++) {
        const uint8_t *data;
        int w, rows;
        mqc_band_plane(band, p, &data, &w, &rows);
        hist(data, pic->linesize[p], w, rows, h->depth, h->hist[p]);
    }
}

const MqcStage mqc_stage_histograms = {
    .name = "histograms",
    .size = sizeof(MqcBandHist),
    .measure = hist_measure,
};

/* The band's histogram of plane p at this depth, or NULL. */
static const uint32_t *band_hist(const MqcBand *band, int plane, int depth)
{
    const MqcBandHist *h = band->stage;
    return h && h->depth && h->depth == depth && plane < h->planes ? h->hist[plane] : NULL;
}

void mqc_band_plane_stats(const MqcDsp *d, const MqcBand *band, int plane, unsigned lo,
                          unsigned hi, MqcPlaneStats *out)
{
    const MqcPicture *pic = band->pic;
    const uint32_t *c = band_hist(band, plane, pic->bit_depth);
    if (!c) {
        const uint8_t *data;
        int w, rows;
        mqc_band_plane(band, plane, &data, &w, &rows);
        d->plane_stats[pic->bytes_per_sample > 1](data, pic->linesize[plane], w, rows, lo, hi,
                                                  out);
        return;
    }
    uint64_t sum = 0, below = 0, above = 0, count = 0;
    unsigned mn = ~0u, mx = 0;
    for (unsigned v = 0; v < 1u << pic->bit_depth; v++) {
        const uint64_t n = c[v];
        if (!n)
            continue;
        sum += v * n;
        count += n;
        below += v < lo ? n : 0;
        above += v > hi ? n : 0;
        mn = v < mn ? v : mn;
        mx = v;
    }
    *out = (MqcPlaneStats){ .sum = sum, .below = below, .above = above, .count = count,
                            .min = mn, .max = mx };
}

void mqc_band_plane_codes(const MqcDsp *d, const MqcBand *band, int plane, int depth,
                          uint8_t *used)
{
    const MqcPicture *pic = band->pic;
    const uint32_t *c = band_hist(band, plane, depth);
    if (!c) {
        const uint8_t *data;
        int w, rows;
        mqc_band_plane(band, plane, &data, &w, &rows);
        d->plane_codes[depth > 8](data, pic->linesize[plane], w, rows, depth, used);
        return;
    }
    for (unsigned v = 0; v < 1u << depth; v += 8) {
        unsigned bits = 0;
        for (unsigned k = 0; k < 8; k++)
            bits |= (unsigned)(c[v + k] != 0) << k;
        used[v / 8] = (uint8_t)bits;
    }
}
