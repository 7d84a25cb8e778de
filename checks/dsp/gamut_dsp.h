/* Kernels of the gamut test, for every check that needs R'G'B' from
 * Y'CbCr: the conversion in integer fixed point, the EBU R103 band count
 * with an optional horizontal low-pass, and the segment min/max of the
 * bounding-box shortcut. The coefficients come from the check
 * (mqc_gamut_kernel_init, checks/gamut.h). The sample-type code is written
 * once (gamut_tmpl.c) for 8- and 16-bit containers; the versions a CPU runs
 * are in the MqcDsp context (dsp.h). */
#ifndef MQC_GAMUT_DSP_H
#define MQC_GAMUT_DSP_H

#include <stdint.h>

/* The Y'CbCr -> R'G'B' matrices (NCL) */
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

/* Results of a segment, a band or a frame. */
typedef struct MqcGamutCounts {
    uint64_t pixels;
    uint64_t above, below;      /* pixels with a component above / below the band */
    uint64_t out;               /* pixels with either (counted once) */
    uint64_t target_out;        /* pixels outside the target gamut */
    /* extremes of the weighted component sums, clamped to the band's edges
     * (so skipped in-band segments cannot change them) */
    int64_t max_sum, min_sum;
} MqcGamutCounts;

/* The low-pass of pixel i of a segment buffer (stored at index i + taps/2):
 * the weighted sum, not divided by the weight. */
static inline int64_t mqc_gamut_filtered(const int32_t *v, int i, int taps)
{
    static const int binomial[3][5] = { { 1 }, { 1, 2, 1 }, { 1, 4, 6, 4, 1 } };
    const int *w = binomial[taps / 2];
    int64_t sum = 0;
    for (int j = 0; j < taps; j++)
        sum += (int64_t)w[j] * v[i + j];
    return sum;
}

/* Adds the band counts and extremes of n converted pixels (v[c][i +
 * taps/2]: R, G, B values, the low-pass margins filled) to c (not
 * c->pixels). */
void mqc_gamut_count_values(const MqcGamutKernel *k, int32_t v[3][MQC_GAMUT_SEGMENT + 4], int n,
                            MqcGamutCounts *c);

/* ---- per-pixel kernels, one version per container (MqcDsp.gamut_*) ---- */

/* Min and max of samples [x0, x1) of a row, x1 > x0. */
typedef void (*MqcGamutMinMaxFn)(const void *row, int x0, int x1, unsigned *mn, unsigned *mx);
/* Values of pixels [x0, x0 + n) of one row: p holds the rows' first samples
 * (Y, Cb, Cr or G, B, R), s the horizontal chroma shift. */
typedef void (*MqcGamutSpanFn)(const MqcGamutKernel *k, const void *const p[3], int s, int x0,
                               int n, int32_t *r, int32_t *g, int32_t *b);
/* Y'CbCr pixels [x0, x0 + n) of one row (y, cb, cr: the rows' first
 * samples; chroma shift s 0 or 1, x0 even when s is 1) of a kernel without
 * low-pass: adds their above/below/out counts and extremes to c (not
 * c->pixels), as span + mqc_gamut_count_values per segment would. */
typedef void (*MqcGamutCountFn)(const MqcGamutKernel *k, const void *y, const void *cb,
                                const void *cr, int s, int x0, int n, MqcGamutCounts *c);

/* The matrix an FFmpeg colour-space tag names (BT.601/709/2020 NCL): 0, or
 * -1 for any other tag. */
int mqc_gamut_matrix_from_tag(const char *tag, MqcGamutMatrix *m);

/* Coefficients and thresholds for a stream. min/max_pct: the band in % of
 * nominal black..white; taps 1, 3 or 5. Returns 0 or MQC_ERR_USAGE. */
int mqc_gamut_kernel_init(MqcGamutKernel *k, MqcGamutMatrix matrix, int bit_depth,
                          int full_range, int is_rgb, double min_pct, double max_pct, int taps,
                          int shortcut);

/* Row y's plane pointers (Y, Cb, Cr or G, B, R); returns the horizontal
 * chroma shift. */
int mqc_gamut_row_planes(const MqcPicture *pic, int y, const void *p[3]);

/* Values of n pixels of row y from x0 (unit tests). */
void mqc_gamut_convert(const MqcGamutKernel *k, const MqcPicture *pic, int y, int x0, int n,
                       int32_t *r, int32_t *g, int32_t *b);

#endif
