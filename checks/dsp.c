#include <string.h>
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

const MqcPlaneStatsFn mqc_plane_stats[2] = { plane_stats_8, plane_stats_16 };
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
