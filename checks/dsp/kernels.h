/* Every version of every kernel, for mqc_dsp_init: the C references
 * (dsp_tmpl.c, gamut_tmpl.c) and the SIMD versions. Call a SIMD version only
 * when the CPU has its feature: each carries a target attribute instead of
 * its file being built with -m<isa>, so the program runs on any x86-64. */
#ifndef MQC_DSP_KERNELS_H
#define MQC_DSP_KERNELS_H

#include "dsp.h"

#define MQC_DSP_C_REFERENCES(SUFFIX)                                                           \
    void mqc_plane_stats_##SUFFIX##_c(const uint8_t *data, ptrdiff_t linesize, int width,     \
                                      int rows, unsigned lo, unsigned hi, MqcPlaneStats *out); \
    void mqc_plane_codes_##SUFFIX##_c(const uint8_t *data, ptrdiff_t linesize, int width,     \
                                      int rows, int depth, uint8_t *used);                    \
    void mqc_code_facts_##SUFFIX##_c(const uint8_t *data, ptrdiff_t linesize, int width,     \
                                     int rows, const MqcCodeTests *t, MqcCodeFacts *out);     \
    void mqc_plane_hist_##SUFFIX##_c(const uint8_t *data, ptrdiff_t linesize, int width,      \
                                     int rows, int depth, uint32_t *hist);                    \
    void mqc_sad_black_##SUFFIX##_c(const uint8_t *a, ptrdiff_t la, const uint8_t *b,         \
                                    ptrdiff_t lb, int width, int rows, unsigned black,        \
                                    uint64_t *sad, uint64_t *black_count);                    \
    void mqc_gamut_min_max_##SUFFIX##_c(const void *row, int x0, int x1, unsigned *mn,        \
                                        unsigned *mx);                                        \
    void mqc_gamut_span_##SUFFIX##_c(const MqcGamutKernel *k, const void *const p[3], int s,  \
                                     int x0, int n, int32_t *r, int32_t *g, int32_t *b);      \
    void mqc_gamut_yuv_count_##SUFFIX##_c(const MqcGamutKernel *k, const void *y,             \
                                          const void *cb, const void *cr, int s, int x0,      \
                                          int n, MqcGamutCounts *c);                    \
    uint64_t mqc_row_sum_##SUFFIX##_c(const uint8_t *row, int n);                             \
    void mqc_column_sums_##SUFFIX##_c(const uint8_t *data, ptrdiff_t linesize, int x0, int n, \
                                      int rows, uint64_t *sums);                              \
    void mqc_idet_row_##SUFFIX##_c(const uint8_t *c_above, const uint8_t *c,                  \
                                   const uint8_t *c_below, const uint8_t *p_above,            \
                                   const uint8_t *p, const uint8_t *p_below, int width,       \
                                   MqcIdetRow *out);                                          \
    void mqc_idet_rows_##SUFFIX##_c(const uint8_t *c, ptrdiff_t lc, const uint8_t *p,         \
                                    ptrdiff_t lp, int width, int rows, MqcIdetSums out[2]);   \
    int mqc_flash_pixels_##SUFFIX##_c(const MqcFlashKernel *k, const uint8_t *y,              \
                                      const uint8_t *cb, const uint8_t *cr, int cshift,       \
                                      int x0, int x1, int step, uint32_t *lum,                \
                                      uint32_t *red);
MQC_DSP_C_REFERENCES(8)
MQC_DSP_C_REFERENCES(16)
#undef MQC_DSP_C_REFERENCES
/* hdr_dsp.c: both containers */
void mqc_hdr_row_c(const MqcHdrKernel *k, const MqcPicture *pic, int y, MqcHdrCounts *c);

#if defined(__x86_64__) || defined(__i386__)
/* dsp_avx2.c */
void mqc_plane_stats_8_avx2(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                            unsigned lo, unsigned hi, MqcPlaneStats *out);
void mqc_plane_stats_16_avx2(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                             unsigned lo, unsigned hi, MqcPlaneStats *out);
void mqc_code_facts_8_avx2(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                           const MqcCodeTests *t, MqcCodeFacts *out);
void mqc_code_facts_16_avx2(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                            const MqcCodeTests *t, MqcCodeFacts *out);
void mqc_sad_black_8_avx2(const uint8_t *a, ptrdiff_t la, const uint8_t *b, ptrdiff_t lb,
                          int width, int rows, unsigned black, uint64_t *sad,
                          uint64_t *black_count);
void mqc_sad_black_16_avx2(const uint8_t *a, ptrdiff_t la, const uint8_t *b, ptrdiff_t lb,
                           int width, int rows, unsigned black, uint64_t *sad,
                           uint64_t *black_count);

/* gamut_avx2.c */
void mqc_gamut_min_max_8_avx2(const void *row, int x0, int x1, unsigned *mn, unsigned *mx);
void mqc_gamut_min_max_16_avx2(const void *row, int x0, int x1, unsigned *mn, unsigned *mx);
void mqc_gamut_yuv_count_8_avx2(const MqcGamutKernel *k, const void *y, const void *cb,
                                const void *cr, int s, int x0, int n, MqcGamutCounts *c);
void mqc_gamut_yuv_count_16_avx2(const MqcGamutKernel *k, const void *y, const void *cb,
                                 const void *cr, int s, int x0, int n, MqcGamutCounts *c);

/* structure_avx2.c; the 16-bit idet needs samples below 2^15 (depth <= 14) */
int mqc_flash_pixels_8_avx2(const MqcFlashKernel *k, const uint8_t *y, const uint8_t *cb,
                            const uint8_t *cr, int cshift, int x0, int x1, int step,
                            uint32_t *lum, uint32_t *red);
int mqc_flash_pixels_16_avx2(const MqcFlashKernel *k, const uint8_t *y, const uint8_t *cb,
                             const uint8_t *cr, int cshift, int x0, int x1, int step,
                             uint32_t *lum, uint32_t *red);
uint64_t mqc_row_sum_8_avx2(const uint8_t *row, int n);
uint64_t mqc_row_sum_16_avx2(const uint8_t *row, int n);
void mqc_column_sums_8_avx2(const uint8_t *data, ptrdiff_t linesize, int x0, int n, int rows,
                            uint64_t *sums);
void mqc_column_sums_16_avx2(const uint8_t *data, ptrdiff_t linesize, int x0, int n, int rows,
                             uint64_t *sums);
void mqc_idet_row_8_avx2(const uint8_t *c_above, const uint8_t *c, const uint8_t *c_below,
                         const uint8_t *p_above, const uint8_t *p, const uint8_t *p_below,
                         int width, MqcIdetRow *out);
void mqc_idet_row_16_avx2(const uint8_t *c_above, const uint8_t *c, const uint8_t *c_below,
                          const uint8_t *p_above, const uint8_t *p, const uint8_t *p_below,
                          int width, MqcIdetRow *out);
void mqc_idet_rows_8_avx2(const uint8_t *c, ptrdiff_t lc, const uint8_t *p, ptrdiff_t lp,
                          int width, int rows, MqcIdetSums out[2]);
void mqc_idet_rows_16_avx2(const uint8_t *c, ptrdiff_t lc, const uint8_t *p, ptrdiff_t lp,
                           int width, int rows, MqcIdetSums out[2]);
void mqc_idet_rows_10_avx2(const uint8_t *c, ptrdiff_t lc, const uint8_t *p, ptrdiff_t lp,
                           int width, int rows, MqcIdetSums out[2]);

/* hdr_avx2.c: both containers */
void mqc_hdr_row_avx2(const MqcHdrKernel *k, const MqcPicture *pic, int y, MqcHdrCounts *c);
#endif

#endif
