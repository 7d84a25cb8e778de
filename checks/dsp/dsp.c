#include <pthread.h>
#include <string.h>
#include "cpu.h"
#include "dsp.h"
#include "kernels.h"
#include "../../engine/mediaqc.h"

#define SAMPLE uint8_t
#define SUFFIX 8
#include "dsp_tmpl.c"
#include "structure_tmpl.c"
#undef SAMPLE
#undef SUFFIX

#define SAMPLE uint16_t
#define SUFFIX 16
#include "dsp_tmpl.c"
#include "structure_tmpl.c"
#undef SAMPLE
#undef SUFFIX

/* The ISA ladder: the C reference, then each rung the flags allow replaces
 * the kernels it has a version of. SSE2 is the x86-64 baseline, so the C
 * references are already built with it (and auto-vectorised); a rung of
 * its own pays only for a hand-written SSE2 kernel, which none is yet. */
void mqc_dsp_init(MqcDsp *d, unsigned cpu_flags)
{
    *d = (MqcDsp){
        .plane_stats = { mqc_plane_stats_8_c, mqc_plane_stats_16_c },
        .plane_codes = { mqc_plane_codes_8_c, mqc_plane_codes_16_c },
        .plane_hist = { mqc_plane_hist_8_c, mqc_plane_hist_16_c },
        .code_facts = { mqc_code_facts_8_c, mqc_code_facts_16_c },
        .sad_black = { mqc_sad_black_8_c, mqc_sad_black_16_c },
        .gamut_min_max = { mqc_gamut_min_max_8_c, mqc_gamut_min_max_16_c },
        .gamut_span = { mqc_gamut_span_8_c, mqc_gamut_span_16_c },
        .gamut_yuv_count = { mqc_gamut_yuv_count_8_c, mqc_gamut_yuv_count_16_c },
        .row_sum = { mqc_row_sum_8_c, mqc_row_sum_16_c },
        .column_sums = { mqc_column_sums_8_c, mqc_column_sums_16_c },
        .idet_row = { mqc_idet_row_8_c, mqc_idet_row_16_c },
        .idet_rows = { mqc_idet_rows_8_c, mqc_idet_rows_16_c, mqc_idet_rows_16_c },
        .flash_pixels = { mqc_flash_pixels_8_c, mqc_flash_pixels_16_c },
        /* one C reference for both containers */
        .hdr_row = { mqc_hdr_row_c, mqc_hdr_row_c },
    };
#if defined(__x86_64__) || defined(__i386__)
    if (cpu_flags & MQC_CPU_AVX2) {
        d->plane_stats[0] = mqc_plane_stats_8_avx2;
        d->plane_stats[1] = mqc_plane_stats_16_avx2;
        d->code_facts[0] = mqc_code_facts_8_avx2;
        d->code_facts[1] = mqc_code_facts_16_avx2;
        d->sad_black[0] = mqc_sad_black_8_avx2;
        d->sad_black[1] = mqc_sad_black_16_avx2;
        d->gamut_min_max[0] = mqc_gamut_min_max_8_avx2;
        d->gamut_min_max[1] = mqc_gamut_min_max_16_avx2;
        d->gamut_yuv_count[0] = mqc_gamut_yuv_count_8_avx2;
        d->gamut_yuv_count[1] = mqc_gamut_yuv_count_16_avx2;
        d->row_sum[0] = mqc_row_sum_8_avx2;
        d->row_sum[1] = mqc_row_sum_16_avx2;
        d->column_sums[0] = mqc_column_sums_8_avx2;
        d->column_sums[1] = mqc_column_sums_16_avx2;
        d->flash_pixels[0] = mqc_flash_pixels_8_avx2;
        d->flash_pixels[1] = mqc_flash_pixels_16_avx2;
        d->idet_row[0] = mqc_idet_row_8_avx2;
        d->idet_row[1] = mqc_idet_row_16_avx2;
        d->idet_rows[0] = mqc_idet_rows_8_avx2;
        d->idet_rows[1] = mqc_idet_rows_16_avx2;
        d->idet_rows[2] = mqc_idet_rows_10_avx2;
        d->hdr_row[0] = mqc_hdr_row_avx2;
        d->hdr_row[1] = mqc_hdr_row_avx2;
    }
#else
    (void)cpu_flags;
#endif
}

/* Filled once under pthread_once, which also orders the filling before
 * every use on any thread; read-only afterwards. */
static MqcDsp best;
static pthread_once_t best_once = PTHREAD_ONCE_INIT;

static void fill_best(void)
{
    mqc_dsp_init(&best, mqc_cpu_flags());
}

const MqcDsp *mqc_dsp_get(void)
{
    pthread_once(&best_once, fill_best);
    return &best;
}

void mqc_band_plane(const MqcBand *band, int plane, const uint8_t **data, int *width, int *rows)
{
    const MqcPicture *pic = band->pic;
    int sw = plane && !pic->is_rgb ? pic->log2_chroma_w : 0;
    int sh = plane && !pic->is_rgb ? pic->log2_chroma_h : 0;
    int r0 = band->y0 >> sh;
    int r1 = (band->y1 + (1 << sh) - 1) >> sh;
    *data = pic->data[plane] + r0 * pic->linesize[plane];
    *width = (pic->width + (1 << sw) - 1) >> sw;
    *rows = r1 - r0;
}

void mqc_plane_stats_merge(MqcPlaneStats *a, const MqcPlaneStats *b, int first)
{
    if (first) {
        *a = *b;
        return;
    }
    a->sum += b->sum;
    a->below += b->below;
    a->above += b->above;
    a->count += b->count;
    a->min = b->min < a->min ? b->min : a->min;
    a->max = b->max > a->max ? b->max : a->max;
}

unsigned mqc_expand_replicate(unsigned v, int from, int to)
{
    unsigned out = 0;
    for (int filled = 0; filled < to; filled += from) {
        int shift = to - filled - from;
        out |= shift >= 0 ? v << shift : v >> -shift;
    }
    return out;
}

unsigned mqc_expand_scale(unsigned v, int from, int to)
{
    uint64_t num = (uint64_t)v * ((1u << to) - 1), den = (1u << from) - 1;
    return (unsigned)((2 * num + den) / (2 * den));
}

/* The smallest shift whose magic divides every x = v * a + b (v < 2^from)
 * by den exactly, as the AVX2 kernel computes it in 16-bit lanes. */
static int find_magic(int from, unsigned a, unsigned b, unsigned den, unsigned *magic,
                      unsigned *shift)
{
    if (((1u << from) - 1) * a + b > 0xffff)
        return MQC_ERR_USAGE;
    for (unsigned sh = 0; sh < 16; sh++) {
        const uint64_t m = (((uint64_t)1 << (16 + sh)) + den - 1) / den;
        if (m > 0xffff)
            break;
        unsigned v = 0;
        while (v < 1u << from && (((v * a + b) * m) >> (16 + sh)) == (v * a + b) / den)
            v++;
        if (v == 1u << from) {
            *magic = (unsigned)m;
            *shift = sh;
            return 0;
        }
    }
    return MQC_ERR_USAGE;
}

int mqc_code_tests_init(MqcCodeTests *t, int depth, const int *from, const int *scale, int n)
{
    memset(t, 0, sizeof(*t));
    if (depth < 8 || depth > MQC_HIST_MAX_DEPTH || n < 0 || n > MQC_CODE_TESTS_MAX)
        return MQC_ERR_USAGE;
    t->depth = depth;
    t->n = n;
    for (int i = 0; i < n; i++) {
        const int k = depth - from[i];
        /* one repetition fills the low bits (k < from): the kernel's test */
        if (k < 1 || k >= from[i])
            return MQC_ERR_USAGE;
        t->t[i].from = from[i];
        t->t[i].scale = !!scale[i];
        const unsigned a = 2 * ((1u << k) - 1), b = (1u << from[i]) - 1, den = 2 * b;
        if (scale[i] && find_magic(from[i], a, b, den, &t->t[i].magic, &t->t[i].magic_shift))
            return MQC_ERR_USAGE;
        for (unsigned c = 0; c < 1u << depth; c++) {
            const unsigned v = c >> k;
            const unsigned img = scale[i] ? mqc_expand_scale(v, from[i], depth)
                                          : mqc_expand_replicate(v, from[i], depth);
            t->outside[c] |= (uint8_t)((img != c) << i);
        }
    }
    return 0;
}

void mqc_code_facts_merge(MqcCodeFacts *a, const MqcCodeFacts *b)
{
    a->min = b->min < a->min ? b->min : a->min;
    a->max = b->max > a->max ? b->max : a->max;
    a->or_mask |= b->or_mask;
    a->and_mask &= b->and_mask;
    a->outside |= b->outside;
    a->raw_max = b->raw_max > a->raw_max ? b->raw_max : a->raw_max;
}
