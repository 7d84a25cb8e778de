/* loudness: ITU-R BS.1770-4 integrated loudness, loudness range (EBU Tech
 * 3342) and 4x oversampled true peak per audio stream, measured by
 * libebur128 (EBU R128 / ATSC A/85 limits come from the profile). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <ebur128.h>
#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>
#include "audio.h"

/* libebur128 reads interleaved samples: libswresample interleaves */
#define BLOCK_MS 100            /* momentary values and true-peak runs in 100 ms steps */

typedef struct LoudStream {
    ebur128_state *st;
    struct SwrContext *swr;
    float *buf;                 /* interleaved, one block */
    int channels, rate, block;  /* block: samples in 100 ms */
    int64_t fed;                /* samples given to libebur128 */
    double start_s;
    double momentary_max;       /* LUFS, over 100 ms steps once 400 ms were fed */
    double shortterm_max;
    const uint8_t **planes;     /* the chunk's planes for libswresample */
    double block_peak;          /* true peak of the current 100 ms block, linear */
    int block_channel;          /* the channel that reached it */
    /* the current run of blocks over the true-peak limit */
    int over;
    double over_start_s, over_peak;
    int over_channel;
    int failed;                 /* libebur128 or libswresample refused */
} LoudStream;

typedef struct Loudness {
    double target_lufs, tolerance_lu, max_true_peak_dbtp;
    double max_tp_linear;
    LoudStream *s;
    int n;
    const MqcAudioInfo *info;
} Loudness;

static const MqcOption loudness_options[] = {
    { "target_lufs", MQC_OPT_DOUBLE, offsetof(Loudness, target_lufs), -23, -70, 0, NULL, NULL,
      "integrated loudness target (EBU R128: -23 LUFS; ATSC A/85: -24 LKFS)" },
    { "tolerance_lu", MQC_OPT_DOUBLE, offsetof(Loudness, tolerance_lu), 1.0, 0, 20, NULL, NULL,
      "accepted distance from the target (EBU R128: 1 LU for live, ATSC A/85: 2 LU)" },
    { "max_true_peak_dbtp", MQC_OPT_DOUBLE, offsetof(Loudness, max_true_peak_dbtp), -1.0, -30, 6,
      NULL, NULL, "highest true peak allowed (EBU R128: -1 dBTP; ATSC A/85: -2 dBTP)" },
    { .name = NULL }
};

static const MqcEventCode loudness_codes[] = {
    { "loudness_out_of_range", "integrated loudness %.1f LUFS outside the target range" },
    { "true_peak_over", "true peak %.1f dBTP above the limit" },
    { "loudness_unmeasured", "loudness could not be measured" },
    { .code = NULL }
};

/* BS.1770-4 weights by position: LFE excluded, surrounds +1.5 dB (1.41);
 * libebur128 weighs Mp110/Mm110 by 1.41 and every front position by 1. */
static int ebur128_role(int id)
{
    switch (id) {
    case AV_CHAN_LOW_FREQUENCY:
    case AV_CHAN_LOW_FREQUENCY_2:
        return EBUR128_UNUSED;
    case AV_CHAN_FRONT_RIGHT:
        return EBUR128_RIGHT;
    case AV_CHAN_FRONT_CENTER:
        return EBUR128_CENTER;
    case AV_CHAN_BACK_LEFT:
    case AV_CHAN_SIDE_LEFT:
    case AV_CHAN_BACK_CENTER:
        return EBUR128_LEFT_SURROUND;
    case AV_CHAN_BACK_RIGHT:
    case AV_CHAN_SIDE_RIGHT:
        return EBUR128_RIGHT_SURROUND;
    default:                    /* front positions and channels without a known role */
        return EBUR128_LEFT;
    }
}

static double to_db(double linear)
{
    return linear > 0 ? 20 * log10(linear) : -INFINITY;
}

/* metrics to 0.001 dB: finer than any tolerance, short to read */
static double milli(double v)
{
    return isfinite(v) ? round(v * 1000) / 1000 : v;
}

static int stream_init(LoudStream *s, const MqcAudioInfo *ai)
{
    s->channels = ai->channels;
    s->rate = ai->sample_rate;
    s->block = s->rate * BLOCK_MS / 1000 > 0 ? s->rate * BLOCK_MS / 1000 : 1;
    s->momentary_max = s->shortterm_max = -INFINITY;
    s->st = ebur128_init((unsigned)s->channels, (unsigned long)s->rate,
                         EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK |
                         EBUR128_MODE_S | EBUR128_MODE_HISTOGRAM);
    s->buf = malloc((size_t)s->block * (size_t)s->channels * sizeof(float));
    s->planes = calloc((size_t)s->channels, sizeof(*s->planes));
    AVChannelLayout layout;
    av_channel_layout_default(&layout, s->channels);
    int ret = s->st && s->buf && s->planes ? swr_alloc_set_opts2(&s->swr, &layout, AV_SAMPLE_FMT_FLT, s->rate,
                                                    &layout, AV_SAMPLE_FMT_FLTP, s->rate, 0, NULL)
                              : -1;
    av_channel_layout_uninit(&layout);
    if (ret < 0 || swr_init(s->swr) < 0)
        return -1;
    for (int c = 0; c < s->channels; c++)
        ebur128_set_channel(s->st, (unsigned)c,
                            ebur128_role(c < MQC_AUDIO_MAX_IDS ? ai->channel_ids[c] : -1));
    return 0;
}

static int loudness_init(void *priv, const MqcStreamInfo *si, char *why, size_t why_len)
{
    Loudness *l = priv;
    l->max_tp_linear = pow(10, l->max_true_peak_dbtp / 20);
    l->n = si->nb_audio;
    l->info = si->audio;
    l->s = calloc((size_t)l->n, sizeof(*l->s));
    if (!l->s)
        return -1;
    (void)why, (void)why_len;
    for (int a = 0; a < l->n; a++)
        l->s[a].failed = stream_init(&l->s[a], &si->audio[a]) < 0;   /* metrics stay null */
    return 0;
}

static void close_run(Loudness *l, int a, double end_s, MqcEvents *ev)
{
    LoudStream *s = &l->s[a];
    if (!s->over)
        return;
    char name[32];
    mqc_audio_channel_name(&l->info[a], s->over_channel, name, sizeof(name));
    mqc_audio_event(ev, "true_peak_over", &l->info[a], s->over_channel, s->over_start_s, end_s,
                    to_db(s->over_peak), "true peak %.1f dBTP on %s of stream %d, above %.1f dBTP",
                    to_db(s->over_peak), name, l->info[a].index, l->max_true_peak_dbtp);
    s->over = 0;
}

/* End of a 100 ms step: momentary maximum and true-peak runs. */
static void block_end(Loudness *l, int a, MqcEvents *ev)
{
    LoudStream *s = &l->s[a];
    double m, st;
    if (s->fed >= 4 * (int64_t)s->block && ebur128_loudness_momentary(s->st, &m) == 0 &&
        m > s->momentary_max)
        s->momentary_max = m;
    /* short-term sums 3 s of samples: its maximum is sampled every second,
     * enough for a meter-style maximum and ten times cheaper */
    if (s->fed >= 30 * (int64_t)s->block && s->fed % (10 * (int64_t)s->block) == 0 &&
        ebur128_loudness_shortterm(s->st, &st) == 0 && st > s->shortterm_max)
        s->shortterm_max = st;
    double t = s->start_s + (double)s->fed / s->rate;
    if (s->block_peak > l->max_tp_linear) {
        if (!s->over) {
            s->over = 1;
            s->over_start_s = t - (double)s->block / s->rate;
            s->over_peak = 0;
        }
        if (s->block_peak > s->over_peak) {
            s->over_peak = s->block_peak;
            s->over_channel = s->block_channel;
        }
    } else {
        close_run(l, a, t - (double)s->block / s->rate, ev);
    }
    s->block_peak = 0;
}

static void loudness_audio(void *priv, int a, const MqcAudioChunk *c, MqcEvents *ev)
{
    Loudness *l = priv;
    LoudStream *s = &l->s[a];
    if (s->failed)
        return;
    if (c->pos == 0)
        s->start_s = c->time_s;
    for (int done = 0; done < c->nb_samples;) {
        int room = s->block - (int)(s->fed % s->block);
        int n = c->nb_samples - done < room ? c->nb_samples - done : room;
        for (int ch = 0; ch < s->channels; ch++)
            s->planes[ch] = (const uint8_t *)(c->data[ch] + done);
        uint8_t *out = (uint8_t *)s->buf;
        int got = swr_convert(s->swr, &out, n, s->planes, n);
        if (got != n || ebur128_add_frames_float(s->st, s->buf, (size_t)n) != EBUR128_SUCCESS) {
            s->failed = 1;
            return;
        }
        for (int ch = 0; ch < s->channels; ch++) {
            double p;
            if (ebur128_prev_true_peak(s->st, (unsigned)ch, &p) == 0 && p > s->block_peak) {
                s->block_peak = p;
                s->block_channel = ch;
            }
        }
        s->fed += n;
        done += n;
        if (s->fed % s->block == 0)
            block_end(l, a, ev);
    }
}

static void loudness_record(const void *priv, const void *frame, MqcRecord *rec)
{
    (void)frame;
    const Loudness *l = priv;
    double m, st;
    /* the first audio stream: the programme mix in most deliverables */
    if (!l->n || l->s[0].failed || !l->s[0].fed)
        return;
    if (ebur128_loudness_momentary(l->s[0].st, &m) == 0)
        mqc_record_double(rec, "momentary_lufs", isfinite(m) ? m : -70);
    if (ebur128_loudness_shortterm(l->s[0].st, &st) == 0)
        mqc_record_double(rec, "shortterm_lufs", isfinite(st) ? st : -70);
}

static void loudness_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m)
{
    (void)si;
    Loudness *l = priv;
    for (int a = 0; a < l->n; a++) {
        LoudStream *s = &l->s[a];
        double end_s = s->start_s + (double)s->fed / (s->rate ? s->rate : 1);
        if (!s->failed && s->fed % s->block)
            block_end(l, a, ev);
        close_run(l, a, end_s, ev);
        double integrated = -INFINITY, lra = 0, peak = 0;
        if (!s->failed && s->fed) {
            ebur128_loudness_global(s->st, &integrated);
            ebur128_loudness_range(s->st, &lra);
            for (int ch = 0; ch < s->channels; ch++) {
                double p;
                if (ebur128_true_peak(s->st, (unsigned)ch, &p) == 0 && p > peak)
                    peak = p;
            }
        }
        MqcMetrics item;
        mqc_metric_append(m, "streams", &item);
        mqc_metric_int(&item, "stream", l->info[a].index);
        for (int pass = 0; pass < 2; pass++) {
            /* the first stream's values also at the top level */
            MqcMetrics *to = pass ? m : &item;
            if (pass && a)
                break;
            mqc_metric_double(to, "integrated_lufs", milli(integrated));
            mqc_metric_double(to, "lra_lu", milli(lra));
            mqc_metric_double(to, "true_peak_dbtp", milli(to_db(peak)));
            mqc_metric_double(to, "momentary_max_lufs", milli(s->momentary_max));
            mqc_metric_double(to, "shortterm_max_lufs", milli(s->shortterm_max));
        }
        if (!a) {
            mqc_metric_double(m, "target_min_lufs", l->target_lufs - l->tolerance_lu);
            mqc_metric_double(m, "target_max_lufs", l->target_lufs + l->tolerance_lu);
        }
        if (s->failed) {
            /* a stream R128 cannot measure (libebur128 takes 16 Hz to
             * 2.8 MHz) is not a pass */
            mqc_audio_event(ev, "loudness_unmeasured", &l->info[a], -1, s->start_s, end_s, 0,
                            "loudness could not be measured on stream %d (%d Hz, %d channel%s)",
                            l->info[a].index, s->rate, s->channels, s->channels == 1 ? "" : "s");
            continue;
        }
        if (!s->fed)
            continue;
        if (!isfinite(integrated) || fabs(integrated - l->target_lufs) > l->tolerance_lu + 1e-9) {
            double v = isfinite(integrated) ? integrated : -70;
            mqc_audio_event(ev, "loudness_out_of_range", &l->info[a], -1, s->start_s, end_s, v,
                            "integrated loudness %.1f LUFS, outside %.1f ± %.1f LU (stream %d)",
                            v, l->target_lufs, l->tolerance_lu, l->info[a].index);
        }
    }
}

/* The HTML curves: momentary and short-term loudness of the first stream,
 * with the target band (target ± tolerance) as limit lines. */
static const MqcChart loudness_chart = {
    .title = "loudness (LUFS)", .unit = "", .scale = 1, .axis = MQC_AXIS_FIXED,
    .min = -60, .max = 0,
    .limits = { { MQC_FROM_METRICS, "target_max_lufs", "target + tolerance", 1 },
                { MQC_FROM_PARAMS, "target_lufs", "target", 1 },
                { MQC_FROM_METRICS, "target_min_lufs", "target - tolerance", 1 } },
};

static const MqcSeries loudness_series[] = {
    { "momentary_lufs", "momentary (400 ms)", "LUFS", &loudness_chart, MQC_STAT_MAX, "#1565c0" },
    { "shortterm_lufs", "short-term (3 s)", "LUFS", &loudness_chart, MQC_STAT_MEAN, "#ef6c00" },
    { .key = NULL }
};

static const char *const loudness_no_pictures[] = { "loudness_out_of_range", "true_peak_over",
                                                    "loudness_unmeasured",
                                                    NULL };

static void loudness_close(void *priv)
{
    Loudness *l = priv;
    for (int a = 0; l->s && a < l->n; a++) {
        if (l->s[a].st)     /* NULL when ebur128 refused the stream (e.g. a 1 Hz rate) */
            ebur128_destroy(&l->s[a].st);
        swr_free(&l->s[a].swr);
        free(l->s[a].buf);
        free(l->s[a].planes);
    }
    free(l->s);
    l->s = NULL;
}

const MqcCheck mqc_check_loudness = {
    .name = "loudness",
    .summary = "integrated loudness, loudness range and true peak per audio stream "
               "(ITU-R BS.1770-4, EBU R128, via libebur128)",
    .default_severity = MQC_SEV_WARNING,
    .media = MQC_MEDIA_AUDIO,
    .options = loudness_options,
    .codes = loudness_codes,
    .priv_size = sizeof(Loudness),
    .init = loudness_init,
    .audio = loudness_audio,
    .record = loudness_record,
    .finish = loudness_finish,
    .close = loudness_close,
    .series = loudness_series,
    .no_pictures = loudness_no_pictures,
};
