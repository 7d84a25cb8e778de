/* Shared band statistics (an MqcStage): one histogram of code values per
 * colour plane and band, for legal_range, black and bit_depth, which each
 * read one pass over the samples before. Every count, sum, extreme and code
 * set those checks need is a function of the histogram, so results are
 * identical to reading the samples.
 *
 * The histogram is built only when a check needs code sets (none of the
 * default profile does: bit_depth decides from code_facts and marks codes
 * only where they can change its report, checks/bit_depth.c); its scatter
 * costs one store per sample, while plane
 * statistics alone are cheaper read straight from the samples with AVX2
 * (legal_range alone: 0.03 s of CPU over 120 1080p 10-bit frames, 0.29 s
 * through a histogram). When a histogram is built, legal_range and black
 * take their statistics from it and read no sample. Depths above
 * MQC_HIST_MAX_DEPTH (4096 bins) are read directly: 65536 bins per band cost
 * more to clear and scan than the samples. */
#ifndef MQC_BAND_STATS_H
#define MQC_BAND_STATS_H

#include <stdint.h>
#include "../engine/check.h"
#include "dsp/dsp.h"

typedef struct MqcBandHist {
    int depth;                  /* bins: 1 << depth; 0: no histograms for this picture */
    int planes;                 /* colour planes counted */
    uint32_t hist[3][2 << MQC_HIST_MAX_DEPTH];   /* [plane][code]; second half scratch */
} MqcBandHist;

extern const MqcStage mqc_stage_histograms;
/* stage_needs flags of mqc_stage_histograms */
#define MQC_NEED_PLANE_STATS (1u << 0)  /* mqc_band_plane_stats */
#define MQC_NEED_CODE_SETS (1u << 1)    /* mqc_band_plane_codes */

/* Statistics of plane p of the band against [lo, hi], as d->plane_stats
 * computes them: from the stage's histogram when band->stage has one of
 * this depth, else from the samples. */
void mqc_band_plane_stats(const MqcDsp *d, const MqcBand *band, int plane, unsigned lo,
                          unsigned hi, MqcPlaneStats *out);

/* The code map of plane p at `depth` bits, as d->plane_codes writes it. */
void mqc_band_plane_codes(const MqcDsp *d, const MqcBand *band, int plane, int depth,
                          uint8_t *used);

#endif
