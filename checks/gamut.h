/* Kernels of the gamut check: Y'CbCr -> R'G'B' in integer fixed point, the
 * EBU R103 band test with an optional horizontal low-pass, the bounding-box
 * shortcut, and the per-pixel part of the target-gamut test. The sample-type
 * code is written once (gamut_tmpl.c) for 8- and 16-bit containers. */
#ifndef MQC_GAMUT_H
#define MQC_GAMUT_H

#include <stdint.h>
#include "../engine/check.h"
#include "dsp/transfer.h"
#include "ocio_shim.h"

typedef enum MqcGamutMatrix {
    MQC_MATRIX_BT601, MQC_MATRIX_BT709, MQC_MATRIX_BT2020
} MqcGamutMatrix;


/* Row segments are the unit of conversion and of the shortcut. */
#define MQC_GAMUT_SEGMENT 64

/* A pixel's R'G'B' components are "values": codes << frac_bits, on the
 * limited-range scale of the stream's bit depth (black 16, white 235 at 8
 * bits) for Y'CbCr input, on the stream's own code scale for R'G'B' input.
 * value = y_gain * Y + offset + c * (C - chroma_zero) is exact integer
 * arithmetic, hence affine: the extremes over a box of Y/Cb/Cr lie at its
 * corners, which makes the shortcut exact. */
typedef struct MqcGamutKernel {
    int bit_depth;
    int frac_bits;              /* 30 - bit_depth: |value| < 2^31 for any input */
    int sample_index;           /* 0: 8-bit container, 1: 16-bit */
    int is_rgb;
    int32_t y_gain, offset, chroma_zero;
    int32_t r_cr, g_cb, g_cr, b_cb;
    int32_t t_lo, t_hi;         /* out of the band: value < t_lo or value >= t_hi */
    int taps;                   /* low-pass: 1 (none), 3 or 5 binomial taps */
    int weight;                 /* sum of the taps: 1, 4, 16 */
    int shortcut;               /* skip segments whose bounding box is inside */
    int lo_code, hi_code;       /* the band in codes (rounded as legal_range rounds) */
    double black, white;        /* codes of 0% and 100% on the value scale */
} MqcGamutKernel;

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

/* Results of a band or a frame. */
typedef struct MqcGamutCounts {
    uint64_t pixels;
    uint64_t above, below;      /* pixels with a component above / below the band */
    uint64_t out;               /* pixels with either (counted once) */
    uint64_t target_out;        /* pixels outside the target gamut */
    /* extremes of the weighted component sums, clamped to the band's edges
     * (so skipped in-band segments cannot change them) */
    int64_t max_sum, min_sum;
} MqcGamutCounts;

/* The matrix an FFmpeg colour-space tag names (BT.601/709/2020 NCL): 0, or
 * -1 for any other tag. */
int mqc_gamut_matrix_from_tag(const char *tag, MqcGamutMatrix *m);

/* Coefficients and thresholds for a stream. min/max_pct: the band in % of
 * nominal black..white; taps 1, 3 or 5. Returns 0 or MQC_ERR_USAGE. */
int mqc_gamut_kernel_init(MqcGamutKernel *k, MqcGamutMatrix matrix, int bit_depth,
                          int full_range, int is_rgb, double min_pct, double max_pct, int taps,
                          int shortcut);

/* Fills the LUT (mqc_transfer_linear) and the scale for kernel k. */
void mqc_gamut_target_init(MqcGamutTarget *t, const MqcGamutKernel *k, MqcTransfer tf,
                           const MqcOcioProcessor *proc, double tolerance);

/* Counts rows [y0, y1) of pic; t may be NULL (no target test). */
void mqc_gamut_rows(const MqcGamutKernel *k, const MqcGamutTarget *t, const MqcPicture *pic,
                    int y0, int y1, MqcGamutCounts *out);

/* Values of n pixels of row y from x0 (unit tests). */
void mqc_gamut_convert(const MqcGamutKernel *k, const MqcPicture *pic, int y, int x0, int n,
                       int32_t *r, int32_t *g, int32_t *b);

/* a += b; first: a = b. */
void mqc_gamut_counts_merge(MqcGamutCounts *a, const MqcGamutCounts *b, int first);

/* A weighted value sum as % of nominal black..white. */
double mqc_gamut_sum_pct(const MqcGamutKernel *k, int64_t sum);

/* ---- versions of the per-pixel kernels (index 0: 8-bit, 1: 16-bit samples) ---- */

/* Min and max of samples [x0, x1) of a row, x1 > x0. */
typedef void (*MqcGamutMinMaxFn)(const void *row, int x0, int x1, unsigned *mn, unsigned *mx);
/* Y'CbCr pixels [x0, x0 + n) of one row (y, cb, cr: the rows' first
 * samples; chroma shift s 0 or 1, x0 even when s is 1) of a kernel without
 * low-pass: adds their above/below/out counts and extremes to c (not
 * c->pixels), as the segment loop of mqc_gamut_rows does. */
typedef void (*MqcGamutCountFn)(const MqcGamutKernel *k, const void *y, const void *cb,
                                const void *cr, int s, int x0, int n, MqcGamutCounts *c);
typedef struct MqcGamutDsp {
    MqcGamutMinMaxFn min_max[2];
    MqcGamutCountFn yuv_count[2];
} MqcGamutDsp;

/* The versions for a set of CPU flags (MQC_CPU_*; 0: the C reference).
 * mqc_gamut_rows uses those of mqc_cpu_flags(). */
void mqc_gamut_dsp(unsigned cpu_flags, MqcGamutDsp *d);

/* gamut_avx2.c; call only when the CPU has AVX2 */
void mqc_gamut_min_max_8_avx2(const void *row, int x0, int x1, unsigned *mn, unsigned *mx);
void mqc_gamut_min_max_16_avx2(const void *row, int x0, int x1, unsigned *mn, unsigned *mx);
void mqc_gamut_yuv_count_8_avx2(const MqcGamutKernel *k, const void *y, const void *cb,
                                const void *cr, int s, int x0, int n, MqcGamutCounts *c);
void mqc_gamut_yuv_count_16_avx2(const MqcGamutKernel *k, const void *y, const void *cb,
                                 const void *cr, int s, int x0, int n, MqcGamutCounts *c);

#endif
