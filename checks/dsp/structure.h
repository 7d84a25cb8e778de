/* Kernel types of the picture-structure checks (active_area, interlace,
 * flash). The C references are written once over the sample type
 * (structure_tmpl.c), AVX2 versions where they pay (structure_avx2.c),
 * bit-exact with the C reference (tests/unit/test_simd.c); the versions
 * this CPU runs are in the MqcDsp context (dsp.h). */
#ifndef MQC_STRUCTURE_DSP_H
#define MQC_STRUCTURE_DSP_H

#include <stddef.h>
#include <stdint.h>

/* Sum of n samples of one row. */
typedef uint64_t (*MqcRowSumFn)(const uint8_t *row, int n);

/* sums[i] += sample (x0 + i) of each of `rows` rows, for i < n. The AVX2
 * version keeps up to MQC_COLUMN_VECTORS * 8 columns in registers (the
 * active_area check asks for 64 at a time). */
#define MQC_COLUMN_VECTORS 8
typedef void (*MqcColumnSumsFn)(const uint8_t *data, ptrdiff_t linesize, int x0, int n,
                                int rows, uint64_t *sums);

/* idet's field measures over one row y of a plane (ffmpeg vf_idet), with
 * c = the current frame and p = the previous one at rows y-1, y, y+1:
 *   prev_mix  = sum |c[y-1] + c[y+1] - 2 p[y]|   (p's line y woven into c)
 *   next_mix  = sum |p[y-1] + p[y+1] - 2 c[y]|   (c's line y woven into p:
 *                                                 the previous frame's "next")
 *   self      = sum |c[y-1] + c[y+1] - 2 c[y]|   (c's own combing)
 *   field     = sum |2 c[y] - 2 p[y]|            (line y moved since p)
 * Each row's sums fit 32 bits for widths up to 16384 at 16 bits. */
typedef struct MqcIdetRow {
    uint32_t prev_mix, next_mix, self, field;
} MqcIdetRow;
typedef void (*MqcIdetRowFn)(const uint8_t *c_above, const uint8_t *c, const uint8_t *c_below,
                             const uint8_t *p_above, const uint8_t *p, const uint8_t *p_below,
                             int width, MqcIdetRow *out);

/* The same measures over `rows` consecutive rows of a plane: row i (at
 * c + i * lc and p + i * lp, 0 <= i < rows) reads rows i - 1 and i + 1,
 * which must exist; out[i & 1] += row i's MqcIdetRow. Rows and not one
 * row, so that the AVX2 version can prefetch the rows a few steps ahead
 * (MQC_IDET_PREFETCH_ROWS): the two frames come from memory, and the
 * hardware prefetcher starts over on every row (1.6 -> 0.8 ms a 1080p
 * 10-bit frame). */
#define MQC_IDET_PREFETCH_ROWS 4
typedef struct MqcIdetSums {
    uint64_t prev_mix, next_mix, self, field;
} MqcIdetSums;
typedef void (*MqcIdetRowsFn)(const uint8_t *c, ptrdiff_t lc, const uint8_t *p, ptrdiff_t lp,
                              int width, int rows, MqcIdetSums out[2]);

/* The flash check's per-pixel work: a sampled pixel's display light.
 * R'G'B' values come from Y'CbCr with the gamut kernel's fixed-point
 * matrix (value = y_gain * Y + offset + c * (C - chroma_zero); for R'G'B'
 * input the codes themselves), E' = value * scale + bias (0..1), linear
 * light from a LUT of MQC_FLASH_LUT + 1 entries in Q16 (65536 = the
 * display's peak). Per pixel: luminance wr R + wg G + wb B (Q16 weights),
 * and, when the pixel is a saturated red (R / (R + G + B) >= 0.8, i.e.
 * R >= 4 (G + B)), its red excess R - G - B. */
#define MQC_FLASH_LUT 4096
typedef struct MqcFlashKernel {
    int is_rgb;
    int32_t y_gain, offset, chroma_zero, r_cr, g_cb, g_cr, b_cb;
    float scale, bias;
    uint32_t wr, wg, wb;
    uint32_t lut[MQC_FLASH_LUT + 1];
} MqcFlashKernel;

/* Pixels x0, x0 + step, ... < x1 of one row: y (or G'), cb (B'), cr (R')
 * point at the rows' first samples, chroma x = x >> cshift, the rows hold
 * at least x1 luma samples. The i-th pixel's light goes to lum[i]
 * ((wr R + wg G + wb B) >> 16) and its red excess to red[i] (0 when it is
 * not a saturated red); returns the number of pixels. One call a row, the
 * sums by region in the caller: per region the calls were too short to
 * pay (7 or 8 pixels on 1080p). */
typedef int (*MqcFlashPixelsFn)(const MqcFlashKernel *k, const uint8_t *y, const uint8_t *cb,
                                const uint8_t *cr, int cshift, int x0, int x1, int step,
                                uint32_t *lum, uint32_t *red);

#endif
