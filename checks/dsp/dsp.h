/* The pixel kernels of the checks and the one context that holds the
 * versions this CPU runs. Each kernel is written once over a sample type
 * (dsp_tmpl.c, gamut_tmpl.c) and built for 8-bit and 16-bit containers
 * (index 0 and 1 of every table); SIMD versions replace the C reference
 * rung by rung (mqc_dsp_init). A check takes the context in init
 * (mqc_dsp_get) and keeps the pointer in its private state. */
#ifndef MQC_DSP_H
#define MQC_DSP_H

#include <stddef.h>
#include <stdint.h>
#include "../../engine/check.h"
#include "gamut_dsp.h"
#include "hdr_dsp.h"
#include "structure.h"

/* Statistics of a rectangle of one plane against a legal band [lo, hi]. */
typedef struct MqcPlaneStats {
    uint64_t sum;
    uint64_t below;             /* samples < lo */
    uint64_t above;             /* samples > hi */
    uint64_t count;
    uint32_t min, max;
} MqcPlaneStats;

typedef void (*MqcPlaneStatsFn)(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                                unsigned lo, unsigned hi, MqcPlaneStats *out);

/* The set of code values a rectangle of one plane uses, as a bitmap of
 * 2^depth bits (code v is bit v % 8 of byte v / 8), written over the first
 * MQC_CODE_MAP_BYTES(depth) bytes of `used`. Samples are masked to depth
 * bits, so a stray high bit can never index outside the map. The bit_depth
 * check ORs these maps across bands and frames: OR/AND masks, distinct
 * levels and up-conversion tests are all functions of the set. */
#define MQC_CODE_MAP_BYTES(depth) (((size_t)1 << (depth)) / 8)
typedef void (*MqcPlaneCodesFn)(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                                int depth, uint8_t *used);

/* The histogram of a rectangle of one plane: hist[v] = number of samples
 * with code v, for v < 2^depth (depth <= 12 here: 4096 bins); hist must
 * hold 2 << depth counts (the second half is the kernel's scratch).
 * Samples above 2^depth - 1 count as the top code. Every count, sum,
 * extreme and code set of the legal-range, black and bit-depth tests is a
 * function of it (checks/band_stats.h). */
#define MQC_HIST_MAX_DEPTH 12
typedef void (*MqcPlaneHistFn)(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                               int depth, uint32_t *hist);

/* Facts of a rectangle of one plane that decide bit_depth's verdict without
 * its set of codes (checks/bit_depth.c): every sample is clamped to
 * 2^depth - 1 (as plane_hist counts it), then min, max, OR and AND of the
 * samples, and for each up-conversion test i, bit i of `outside` is set
 * when some sample is not in the test's image: bit replication from `from`
 * bits (c's low depth - from bits equal its top ones) or scaling
 * round(v * (2^depth - 1) / (2^from - 1)). An empty rectangle gives
 * min ~0, max 0, OR 0, AND ~0, outside 0, raw_max 0. */
#define MQC_CODE_TESTS_MAX 4
typedef struct MqcCodeTests {
    int depth;                  /* 8..MQC_HIST_MAX_DEPTH */
    int n;
    struct {
        int from, scale;        /* scale: 0 replication, 1 scaling */
        /* scaling's low bits of code c are d(c >> k) = floor((v * 2(2^k - 1) +
         * 2^from - 1) / (2(2^from - 1))), k = depth - from: the division as
         * (x * magic) >> (16 + magic_shift), checked for every v at setup */
        unsigned magic, magic_shift;
    } t[MQC_CODE_TESTS_MAX];
    uint8_t outside[1 << MQC_HIST_MAX_DEPTH]; /* per code: bit i if not in image i (C) */
} MqcCodeTests;

typedef struct MqcCodeFacts {
    uint32_t min, max, or_mask, and_mask, outside;
    uint32_t raw_max;           /* before clamping: above 2^depth - 1, a decoder's stray bits */
} MqcCodeFacts;

typedef void (*MqcCodeFactsFn)(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                               const MqcCodeTests *t, MqcCodeFacts *out);

/* Up-conversions of code v from `from` to `to` bits (to <= 2 * from): bit
 * replication v << k | v >> (from - k), and round(v * (2^to - 1) / (2^from - 1)). */
unsigned mqc_expand_replicate(unsigned v, int from, int to);
unsigned mqc_expand_scale(unsigned v, int from, int to);

/* Sets t up for `depth` and the tests (from[i], scale[i]), i < n; 0, or
 * MQC_ERR_USAGE when depth or a test is out of the kernel's reach. */
int mqc_code_tests_init(MqcCodeTests *t, int depth, const int *from, const int *scale, int n);

/* Combines b into a. */
void mqc_code_facts_merge(MqcCodeFacts *a, const MqcCodeFacts *b);

/* Sum of |a - b| over two same-sized rectangles, and the count of samples
 * of a that are <= black (the freeze check's difference to its reference
 * and its black-picture test in one read). */
typedef void (*MqcSadBlackFn)(const uint8_t *a, ptrdiff_t la, const uint8_t *b, ptrdiff_t lb,
                              int width, int rows, unsigned black, uint64_t *sad,
                              uint64_t *black_count);

/* Every kernel, [0]: 8-bit samples, [1]: 16-bit samples. */
typedef struct MqcDsp {
    MqcPlaneStatsFn plane_stats[2];
    MqcPlaneCodesFn plane_codes[2];
    MqcPlaneHistFn plane_hist[2];
    MqcCodeFactsFn code_facts[2];
    MqcSadBlackFn sad_black[2];
    MqcGamutMinMaxFn gamut_min_max[2];
    MqcGamutSpanFn gamut_span[2];
    MqcGamutCountFn gamut_yuv_count[2];
    MqcRowSumFn row_sum[2];
    MqcColumnSumsFn column_sums[2];
    MqcIdetRowFn idet_row[2];   /* [1]: samples below 2^15 (depth <= 14) */
    MqcIdetRowsFn idet_rows[3]; /* likewise; [2]: 16-bit samples of up to 10 bits */
    MqcFlashPixelsFn flash_pixels[2];
    MqcHdrRowFn hdr_row[2];
} MqcDsp;

/* Asks for the bytes [p, p + bytes) in L2 ahead of their use: rows far
 * apart, which the hardware prefetcher does not see coming. */
static inline void mqc_prefetch(const uint8_t *p, size_t bytes)
{
    for (size_t off = 0; off < bytes; off += 64)
        __builtin_prefetch(p + off, 0, 2);
    if (bytes)
        __builtin_prefetch(p + bytes - 1, 0, 2);
}

/* Fills d with the versions for a set of CPU flags (MQC_CPU_*): the C
 * reference for 0, then each ISA the flags allow replaces what it has.
 * Tests compare the rungs with each other. */
void mqc_dsp_init(MqcDsp *d, unsigned cpu_flags);

/* The context for mqc_cpu_flags() (the CPU, limited by MQC_CPU_MASK),
 * filled once; never changes afterwards. */
const MqcDsp *mqc_dsp_get(void);

/* Rows [*r0, *r1) and width of plane p that a luma band covers. */
void mqc_band_plane(const MqcBand *band, int plane, const uint8_t **data, int *width, int *rows);

/* Combines b into a (a may be the zero-initialised first partial when
 * first is set). */
void mqc_plane_stats_merge(MqcPlaneStats *a, const MqcPlaneStats *b, int first);

#endif
