/* The gamut check's measurement: the coefficients of the Y'CbCr -> R'G'B'
 * kernels (dsp/gamut_dsp.h) for a stream, the row loop with the
 * bounding-box shortcut, and the per-pixel part of the target-gamut test. */
#ifndef MQC_GAMUT_H
#define MQC_GAMUT_H

#include <stdint.h>
#include "../engine/check.h"
#include "dsp/dsp.h"
#include "dsp/transfer.h"
#include "ocio_shim.h"


/* Per-pixel state of the target-gamut test (built once at init). */
#define MQC_GAMUT_LUT_SIZE 8192
#define MQC_GAMUT_LUT_MIN (-0.25f)
#define MQC_GAMUT_LUT_MAX 1.5f
typedef struct MqcGamutTarget {
    const MqcOcioProcessor *proc;
    float scale, bias;          /* E' = weighted value sum * scale + bias (0..1 nominal) */
    float tolerance;            /* outside when a component < -tolerance */
    float lut[MQC_GAMUT_LUT_SIZE + 1];  /* linear light at E' = MIN + i * step */
} MqcGamutTarget;

/* Fills the LUT (mqc_transfer_linear) and the scale for kernel k. */
void mqc_gamut_target_init(MqcGamutTarget *t, const MqcGamutKernel *k, MqcTransfer tf,
                           const MqcOcioProcessor *proc, double tolerance);

/* Counts rows [y0, y1) of pic with the kernels of d; t may be NULL (no
 * target test). */
void mqc_gamut_rows(const MqcDsp *d, const MqcGamutKernel *k, const MqcGamutTarget *t,
                    const MqcPicture *pic, int y0, int y1, MqcGamutCounts *out);

/* a += b; first: a = b. */
void mqc_gamut_counts_merge(MqcGamutCounts *a, const MqcGamutCounts *b, int first);

/* A weighted value sum as % of nominal black..white. */
double mqc_gamut_sum_pct(const MqcGamutKernel *k, int64_t sum);

#endif
