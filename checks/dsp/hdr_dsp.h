/* Kernels of the hdr check: light of max(R, G, B) per pixel, in integers.
 *
 * R'G'B' comes from the gamut kernel's fixed-point conversion (the same
 * code the gamut check runs). A value becomes a LUT index of 1/2^extra
 * code steps (codes on the kernel's value scale, rounded, clamped to the
 * code range); the LUT holds, per index:
 *   PQ, BT.1886: display light in 2^-12 cd/m2 (mqc_pq_eotf, ...);
 *                the EOTF is monotonic, so max(R, G, B) is one table read
 *                of the index of max(R', G', B');
 *   HLG:         scene light in 2^-16 (mqc_hlg_inverse_oetf); the OOTF
 *                gain of Ys = (kr R + kg G + kb B) comes from a second
 *                table, and the pixel's level is max(R, G, B) * gain.
 * Everything after the tables is integer arithmetic, so the C reference
 * and the SIMD versions agree bit for bit (tests/unit/test_simd.c). */
#ifndef MQC_HDR_DSP_H
#define MQC_HDR_DSP_H

#include <stdint.h>
#include "../../engine/check.h"
#include "gamut_dsp.h"
#include "transfer.h"

#define MQC_HDR_SUM_FRAC 12                 /* sums: 2^-12 cd/m2 */
#define MQC_HDR_HLG_LEVEL_FRAC 22           /* HLG levels: 2^-22 cd/m2 */
#define MQC_HDR_GAIN_BITS 14                /* HLG gain table: Ys in 2^-14 steps */
#define MQC_HDR_LUT_MAX (1 << 16)           /* most index entries - 1 (16-bit codes) */

typedef struct MqcHdrKernel {
    MqcGamutKernel conv;        /* Y'CbCr -> R'G'B' values */
    MqcTransfer tf;             /* PQ, HLG or BT1886 */
    int extra;                  /* LUT steps per code: 2^extra */
    int shift;                  /* value v in [0, top] -> index (v + round) >> shift */
    int32_t round, top;
    int32_t index_max;
    int lim16;                  /* SIMD: indices from (Y << extra) in 16-bit lanes */
    uint32_t peak_level;        /* a pixel is above the peak when level > peak_level */
    int32_t kr, kg, kb;         /* HLG Ys weights in 2^-14, summing to 2^14 */
    uint32_t gain[(1 << MQC_HDR_GAIN_BITS) + 1];    /* HLG: OOTF gain * 64 */
    uint32_t light[MQC_HDR_LUT_MAX + 1];
} MqcHdrKernel;

/* A band's or a frame's results. The level of a pixel is, for PQ and
 * BT.1886, its LUT index (monotonic in light); for HLG its light in
 * 2^-22 cd/m2. */
typedef struct MqcHdrCounts {
    uint64_t pixels;
    uint64_t sum;               /* light of max(R, G, B), 2^-12 cd/m2 */
    uint64_t above;             /* pixels above the peak */
    uint32_t max_level;
} MqcHdrCounts;

/* Tables and coefficients for a stream; peak_nits <= 0: no peak test.
 * Returns 0 or MQC_ERR_USAGE (depth, matrix or transfer not supported). */
int mqc_hdr_kernel_init(MqcHdrKernel *k, MqcGamutMatrix matrix, int bit_depth, int full_range,
                        int is_rgb, MqcTransfer tf, double peak_nits);

/* cd/m2 of a level, exactly (PQ and BT.1886 evaluate the EOTF in double). */
double mqc_hdr_level_nits(const MqcHdrKernel *k, uint32_t level);

/* One row of a picture: adds its pixels' sum, count above the peak and
 * highest level to c (not c->pixels). The versions are MqcDsp.hdr_row
 * (dsp.h; [0]: 8-bit, [1]: 16-bit containers). */
typedef void (*MqcHdrRowFn)(const MqcHdrKernel *k, const MqcPicture *pic, int y,
                            MqcHdrCounts *c);

struct MqcDsp;

/* Rows [y0, y1) of pic into *out (overwritten), with the versions of d. */
void mqc_hdr_rows(const struct MqcDsp *d, const MqcHdrKernel *k, const MqcPicture *pic, int y0,
                  int y1, MqcHdrCounts *out);

/* a += b; first: a = b. */
void mqc_hdr_counts_merge(MqcHdrCounts *a, const MqcHdrCounts *b, int first);

#endif
