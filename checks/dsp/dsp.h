/* Per-pixel kernels shared by the checks. Each is written once over a
 * sample type (dsp_tmpl.c) and built for 8-bit and 16-bit containers. */
#ifndef MQC_DSP_H
#define MQC_DSP_H

#include <stddef.h>
#include <stdint.h>
#include "../../engine/check.h"

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

/* [0]: 8-bit samples, [1]: 16-bit samples. Entries dispatch, at first use,
 * to the best version for mqc_cpu_flags(). */
extern const MqcPlaneStatsFn mqc_plane_stats[2];

/* The set of code values a rectangle of one plane uses, as a bitmap of
 * 2^depth bits (code v is bit v % 8 of byte v / 8), written over the first
 * MQC_CODE_MAP_BYTES(depth) bytes of `used`. Samples are masked to depth
 * bits, so a stray high bit can never index outside the map. The bit_depth
 * check ORs these maps across bands and frames: OR/AND masks, distinct
 * levels and up-conversion tests are all functions of the set. */
#define MQC_CODE_MAP_BYTES(depth) (((size_t)1 << (depth)) / 8)
typedef void (*MqcPlaneCodesFn)(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                                int depth, uint8_t *used);
extern const MqcPlaneCodesFn mqc_plane_codes[2];

/* The versions of the kernels for a set of CPU flags (MQC_CPU_*): the C
 * reference for 0. Tests compare them; the tables above use the best one. */
typedef struct MqcDspFunctions {
    MqcPlaneStatsFn plane_stats[2];
    MqcPlaneCodesFn plane_codes[2];
} MqcDspFunctions;
void mqc_dsp_functions(unsigned cpu_flags, MqcDspFunctions *f);

/* SIMD versions (dsp_avx2.c); call only when the CPU has the feature. */
void mqc_plane_stats_8_avx2(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                            unsigned lo, unsigned hi, MqcPlaneStats *out);
void mqc_plane_stats_16_avx2(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                             unsigned lo, unsigned hi, MqcPlaneStats *out);

/* Rows [*r0, *r1) and width of plane p that a luma band covers. */
void mqc_band_plane(const MqcBand *band, int plane, const uint8_t **data, int *width, int *rows);

/* Combines b into a (a may be the zero-initialised first partial when
 * first is set). */
void mqc_plane_stats_merge(MqcPlaneStats *a, const MqcPlaneStats *b, int first);

#endif
