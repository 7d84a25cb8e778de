#include <pthread.h>
#include <string.h>
#include "cpu.h"
#include "dsp.h"

#define SAMPLE uint8_t
#define SUFFIX 8
#include "dsp_tmpl.c"
#undef SAMPLE
#undef SUFFIX

#define SAMPLE uint16_t
#define SUFFIX 16
#include "dsp_tmpl.c"
#undef SAMPLE
#undef SUFFIX

void mqc_dsp_functions(unsigned cpu_flags, MqcDspFunctions *f)
{
    *f = (MqcDspFunctions){ { plane_stats_8, plane_stats_16 }, { plane_codes_8, plane_codes_16 } };
#if defined(__x86_64__) || defined(__i386__)
    if (cpu_flags & MQC_CPU_AVX2) {
        f->plane_stats[0] = mqc_plane_stats_8_avx2;
        f->plane_stats[1] = mqc_plane_stats_16_avx2;
    }
#endif
}

/* The public tables stay const and point at these: the choice is made once
 * under pthread_once, which also orders it before every use on any thread. */
static MqcDspFunctions best;
static pthread_once_t best_once = PTHREAD_ONCE_INIT;

static void pick_best(void)
{
    mqc_dsp_functions(mqc_cpu_flags(), &best);
}

static void plane_stats_8_best(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                               unsigned lo, unsigned hi, MqcPlaneStats *out)
{
    pthread_once(&best_once, pick_best);
    best.plane_stats[0](data, linesize, width, rows, lo, hi, out);
}

static void plane_stats_16_best(const uint8_t *data, ptrdiff_t linesize, int width, int rows,
                                unsigned lo, unsigned hi, MqcPlaneStats *out)
{
    pthread_once(&best_once, pick_best);
    best.plane_stats[1](data, linesize, width, rows, lo, hi, out);
}

const MqcPlaneStatsFn mqc_plane_stats[2] = { plane_stats_8_best, plane_stats_16_best };
const MqcPlaneCodesFn mqc_plane_codes[2] = { plane_codes_8, plane_codes_16 };

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
