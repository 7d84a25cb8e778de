/* black: frames whose share of black pixels reaches picture_ratio, with
 * thresholds defined as ffmpeg's blackdetect defines them (range aware:
 * black + pixel_threshold_pct of the nominal range). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include "band_stats.h"
#include "dsp/dsp.h"
#include "../engine/range.h"

typedef struct Black {
    /* options */
    double pixel_threshold_pct;
    double picture_ratio;
    double min_duration_s;
    /* limits for this stream */
    unsigned threshold;         /* a luma sample <= threshold is black */
    const MqcDsp *dsp;
    int64_t min_frames;
    /* temporal state */
    int64_t frames, black_frames;
} Black;

typedef struct BlackFrame {
    MqcPlaneStats y;            /* below = samples <= threshold */
} BlackFrame;

static const MqcOption black_options[] = {
    { "pixel_threshold_pct", MQC_OPT_DOUBLE, offsetof(Black, pixel_threshold_pct), MQC_BLACK_PCT,
      0, 100,
      NULL, NULL, "a pixel is black when its luma is within this % of the nominal range above "
      "black (blackdetect pixel_black_th)" },
    { "picture_ratio", MQC_OPT_DOUBLE, offsetof(Black, picture_ratio),
      MQC_BLACK_PICTURE_RATIO, 0, 1,
      NULL, NULL, "a frame is black when at least this fraction of its pixels is black "
      "(blackdetect picture_black_ratio_th)" },
    { "min_duration_s", MQC_OPT_DOUBLE, offsetof(Black, min_duration_s), 0.5, 0, 86400,
      NULL, NULL, "shorter runs of black frames are not reported" },
    { .name = NULL }
};

static const MqcEventCode black_codes[] = {
    { "black_frames", "black picture (%.1f%% of pixels black at most)" },
    { .code = NULL }
};

static int black_init(void *priv, const MqcStreamInfo *si, char *why, size_t why_len)
{
    Black *s = priv;
    if (si->is_rgb) {
        snprintf(why, why_len, "R'G'B' input: black detection reads luma");
        return 1;
    }
    s->threshold = mqc_black_code(si->bit_depth, si->full_range, s->pixel_threshold_pct);
    s->dsp = mqc_dsp_get();
    double fps = si->rate_num > 0 ? (double)si->rate_num / si->rate_den : 25.0;
    s->min_frames = (int64_t)ceil(s->min_duration_s * fps - 1e-9);
    return 0;
}

static void black_measure(const void *priv, const MqcBand *band, void *slice)
{
    const Black *s = priv;
    BlackFrame *out = slice;
    mqc_band_plane_stats(s->dsp, band, 0, s->threshold + 1, ~0u, &out->y);
}

static void black_reduce(const void *priv, void *frame, const void *slice, int band)
{
    (void)priv;
    mqc_plane_stats_merge(&((BlackFrame *)frame)->y, &((const BlackFrame *)slice)->y, band == 0);
}

static double black_ratio(const BlackFrame *f)
{
    return f->y.count ? (double)f->y.below / (double)f->y.count : 0;
}

static int black_fold(void *priv, const MqcFrameInfo *fi, const void *frame, MqcEvents *ev)
{
    Black *s = priv;
    double ratio = black_ratio(frame);
    s->frames++;
    if (ratio >= s->picture_ratio) {
        s->black_frames++;
        mqc_events_flag(ev, "black_frames", fi->index, 100.0 * ratio);
    }
    return 0;
}

static void black_record(const void *priv, const void *frame, MqcRecord *rec)
{
    (void)priv;
    mqc_record_double(rec, "black", black_ratio(frame));
}

static void black_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m)
{
    (void)si;
    const Black *s = priv;
    mqc_events_drop_shorter(ev, "black_frames", s->min_frames);
    mqc_metric_int(m, "threshold_code", s->threshold);
    mqc_metric_int(m, "black_frames", s->black_frames);
    mqc_metric_int(m, "black_runs_reported", (int64_t)ev->n);
}

static const MqcChart black_chart = {
    .title = "black pixels (%)", .unit = "%", .scale = 100, .axis = MQC_AXIS_FIXED, .max = 100,
    .limits = { { MQC_FROM_PARAMS, "picture_ratio", "picture_ratio", 100 } },
};

static const MqcSeries black_series[] = {
    { "black", "black pixels", "fraction", &black_chart, MQC_STAT_MAX, "#37474f" },
    { .key = NULL }
};

const MqcCheck mqc_check_black = {
    .name = "black",
    .summary = "runs of black frames (blackdetect semantics, range aware)",
    .default_severity = MQC_SEV_WARNING,
    .options = black_options,
    .codes = black_codes,
    .priv_size = sizeof(Black),
    .slice_size = sizeof(BlackFrame),
    .frame_size = sizeof(BlackFrame),
    .init = black_init,
    .measure = black_measure,
    .reduce = black_reduce,
    .fold = black_fold,
    .record = black_record,
    .finish = black_finish,
    .series = black_series,
    .stage = &mqc_stage_histograms,
    .stage_needs = MQC_NEED_PLANE_STATS,
};
