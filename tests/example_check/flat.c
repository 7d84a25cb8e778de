/* flat: frames whose luma hardly varies (a held slate, a test card, a lost
 * feed's flat grey), measured as the standard deviation of the luma codes.
 *
 * The example of docs/adding-a-check.md. It is compiled only into the test
 * program beside it (run_example.c), which registers it after the shipped
 * checks: the HTML report then draws its `luma_sd` curve, with the `min_sd`
 * limit line, although nothing in reports/ names it. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "engine/check.h"

/* 1. State: options first (filled from the profile by the option table),
 *    then limits derived in init, then temporal state kept by fold. */
typedef struct Flat {
    double min_sd;
    double min_duration_s;
    int64_t min_frames;
    int64_t frames_flat;
    double lowest_sd;
} Flat;

/* 2. What one band measures, and what a frame reduces to: integer sums,
 *    so any band height gives exactly the same result. */
typedef struct FlatSums {
    uint64_t n, sum, sum_sq;    /* 16-bit samples of an 8K frame fit */
    unsigned min, max;
} FlatSums;

static const MqcOption flat_options[] = {
    { "min_sd", MQC_OPT_DOUBLE, offsetof(Flat, min_sd), 2, 0, 65535,
      NULL, NULL, "a frame is flat when its luma standard deviation is below this (code values)" },
    { "min_duration_s", MQC_OPT_DOUBLE, offsetof(Flat, min_duration_s), 0, 0, 86400,
      NULL, NULL, "shorter runs of flat frames are not reported" },
    { .name = NULL }
};

static const MqcEventCode flat_codes[] = {
    { "flat_picture", "flat picture (luma standard deviation %.2f at least)" },
    { "constant_picture", "one luma value over the whole picture (%.0f)" },
    { .code = NULL }
};

/* a constant picture is one grey: a thumbnail would show nothing more */
static const char *const flat_no_pictures[] = { "constant_picture", NULL };

/* 3. init: derive what depends on the stream; > 0 skips the check. */
static int flat_init(void *priv, const MqcStreamInfo *si, char *why, size_t why_len)
{
    Flat *s = priv;
    if (si->is_rgb) {
        snprintf(why, why_len, "R'G'B' input: flat reads luma");
        return 1;
    }
    double fps = si->rate_num > 0 ? (double)si->rate_num / si->rate_den : 25.0;
    s->min_frames = (int64_t)ceil(s->min_duration_s * fps - 1e-9);
    s->lowest_sd = INFINITY;
    return 0;
}

/* 4. measure: pure, any thread, one band of luma rows [y0, y1). */
static void flat_measure(const void *priv, const MqcBand *band, void *slice)
{
    (void)priv;
    const MqcPicture *pic = band->pic;
    FlatSums *out = slice;
    *out = (FlatSums){ .min = ~0u };
    for (int y = band->y0; y < band->y1; y++) {
        const uint8_t *row = pic->data[0] + (ptrdiff_t)y * pic->linesize[0];
        for (int x = 0; x < pic->width; x++) {
            unsigned v = pic->bytes_per_sample == 1 ? row[x] : ((const uint16_t *)row)[x];
            out->sum += v;
            out->sum_sq += (uint64_t)v * v;
            out->min = v < out->min ? v : out->min;
            out->max = v > out->max ? v : out->max;
        }
        out->n += (uint64_t)pic->width;
    }
}

/* 5. reduce: bands in order on one thread; band 0 initialises. */
static void flat_reduce(const void *priv, void *frame, const void *slice, int band)
{
    (void)priv;
    FlatSums *f = frame;
    const FlatSums *b = slice;
    if (band == 0)
        *f = (FlatSums){ .min = ~0u };
    f->min = b->min < f->min ? b->min : f->min;
    f->max = b->max > f->max ? b->max : f->max;
    f->n += b->n;
    f->sum += b->sum;
    f->sum_sq += b->sum_sq;
}

static double flat_sd(const FlatSums *f)
{
    if (!f->n)
        return 0;
    double mean = (double)f->sum / (double)f->n;
    double var = (double)f->sum_sq / (double)f->n - mean * mean;
    return var > 0 ? sqrt(var) : 0;
}

/* 6. fold: display order, one thread; flags runs of events. */
static int flat_fold(void *priv, const MqcFrameInfo *fi, const void *frame, MqcEvents *ev)
{
    Flat *s = priv;
    double sd = flat_sd(frame);
    s->lowest_sd = sd < s->lowest_sd ? sd : s->lowest_sd;
    const FlatSums *f = frame;
    if (sd < s->min_sd) {
        s->frames_flat++;
        mqc_events_flag(ev, "flat_picture", fi->index, sd);
    }
    if (f->n && f->min == f->max)
        mqc_events_flag(ev, "constant_picture", fi->index, f->min);
    return 0;
}

/* 7. record: this frame's values for --frames and the HTML curve. */
static void flat_record(const void *priv, const void *frame, MqcRecord *rec)
{
    (void)priv;
    mqc_record_double(rec, "luma_sd", flat_sd(frame));
}

/* 8. finish: drop short runs, write metrics. */
static void flat_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m)
{
    (void)si;
    const Flat *s = priv;
    mqc_events_drop_shorter(ev, "flat_picture", s->min_frames);
    mqc_metric_int(m, "flat_frames", s->frames_flat);
    if (isfinite(s->lowest_sd))
        mqc_metric_double(m, "lowest_sd", s->lowest_sd);
}

/* 9. presentation: the curve, its chart and the limit line drawn on it;
 *    events without thumbnails (flat_no_pictures, above). */
static const MqcChart flat_chart = {
    .title = "luma spread (code)", .unit = "", .scale = 1, .axis = MQC_AXIS_AUTO,
    .limits = { { MQC_FROM_PARAMS, "min_sd", "min_sd", 1 } },
};

static const MqcSeries flat_series[] = {
    { "luma_sd", "luma standard deviation", "code", &flat_chart, MQC_STAT_MIN, "#00838f" },
    { .key = NULL }
};

const MqcCheck mqc_check_flat = {
    .name = "flat",
    .summary = "frames whose luma hardly varies (held slate, test card, flat feed)",
    .default_severity = MQC_SEV_WARNING,
    .options = flat_options,
    .codes = flat_codes,
    .priv_size = sizeof(Flat),
    .slice_size = sizeof(FlatSums),
    .frame_size = sizeof(FlatSums),
    .init = flat_init,
    .measure = flat_measure,
    .reduce = flat_reduce,
    .fold = flat_fold,
    .record = flat_record,
    .finish = flat_finish,
    .series = flat_series,
    .no_pictures = flat_no_pictures,
};
