/* The audio checks on synthetic samples, against hand computation:
 * silence spans, clipping runs, phase windows, BS.1770 loudness of sines
 * (a 1 kHz sine at amplitude A on two front channels is 20 log10(A) LUFS;
 * on one, 3.01 dB less; on a surround channel, 1.5 dB more; LFE counts
 * nothing), expect.audio validation. The checks run outside the engine. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <libavutil/channel_layout.h>
#include "checks/all.h"
#include "engine/internal.h"
#include "checks/format.h"

typedef struct Bench {
    const MqcCheck *ck;
    void *priv;
    MqcAudioInfo ai;
    MqcStreamInfo si;
    MqcEvents ev;
    cJSON *metrics;
    float **planes;
    int64_t pos;
} Bench;

static void bench_open(Bench *b, const char *name, int channels, int rate, const int *ids,
                       const char *options)
{
    memset(b, 0, sizeof(*b));
    b->ck = mqc_registry_find(mqc_all_checks, name);
    cr_assert_not_null(b->ck, "no check %s", name);
    cr_assert_eq(b->ck->media, MQC_MEDIA_AUDIO);
    b->priv = calloc(1, b->ck->priv_size);
    cJSON *conf = cJSON_Parse(options ? options : "{}");
    cr_assert_eq(mqc_options_apply(b->ck->options, b->priv, conf), 0);
    cJSON_Delete(conf);
    b->ai.index = 1;
    b->ai.channels = channels;
    b->ai.sample_rate = rate;
    b->ai.bits = 16;
    for (int c = 0; c < MQC_AUDIO_MAX_IDS; c++)
        b->ai.channel_ids[c] = ids && c < channels ? ids[c] : -1;
    b->si.nb_audio = 1;
    b->si.audio = &b->ai;
    char why[256] = "";
    cr_assert_eq(b->ck->init(b->priv, &b->si, why, sizeof(why)), 0, "%s", why);
    b->planes = calloc((size_t)channels, sizeof(*b->planes));
}

/* Feeds n samples of f(channel, sample index) in chunks of `chunk`. */
static void bench_feed(Bench *b, int64_t n, int chunk, float (*f)(int ch, int64_t i))
{
    for (int64_t done = 0; done < n; done += chunk) {
        int k = (int)(n - done < chunk ? n - done : chunk);
        for (int c = 0; c < b->ai.channels; c++) {
            b->planes[c] = realloc(b->planes[c], (size_t)k * sizeof(float));
            for (int i = 0; i < k; i++)
                b->planes[c][i] = f(c, b->pos + i);
        }
        MqcAudioChunk ch = { .data = (const float *const *)b->planes, .nb_samples = k,
                             .pos = b->pos, .time_s = (double)b->pos / b->ai.sample_rate };
        b->ck->audio(b->priv, 0, &ch, &b->ev);
        b->pos += k;
    }
}

static void bench_finish(Bench *b)
{
    b->metrics = cJSON_CreateObject();
    MqcMetrics m = { b->metrics };
    b->ck->finish(b->priv, &b->si, &b->ev, &m);
}

static void bench_close(Bench *b)
{
    if (b->ck->close)
        b->ck->close(b->priv);
    mqc_options_release(b->ck->options, b->priv);
    free(b->priv);
    for (int c = 0; c < b->ai.channels; c++)
        free(b->planes[c]);
    free(b->planes);
    mqc_events_free(&b->ev);
    cJSON_Delete(b->metrics);
}

static double metric(const Bench *b, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b->metrics, key);
    cr_assert(cJSON_IsNumber(v), "metric %s missing", key);
    return v->valuedouble;
}

/* ---- silence: 1000 Hz, channel 0 silent over [1.0, 3.5), channel 1 over [0.5, 1.0) ---- */

static float silence_signal(int ch, int64_t i)
{
    double t = i / 1000.0;
    int silent = ch == 0 ? t >= 1.0 && t < 3.5 : t >= 0.5 && t < 1.0;
    return silent ? 0.0005f : (i % 2 ? 0.5f : -0.5f);     /* -66 dBFS is below -60 */
}

Test(audio, silence_spans_per_channel_across_chunks)
{
    Bench b;
    bench_open(&b, "silence", 2, 1000, NULL, NULL);
    bench_feed(&b, 5000, 333, silence_signal);
    bench_finish(&b);
    cr_assert_eq(b.ev.n, 1, "the 0.5 s silence is shorter than min_duration_s");
    const MqcEvent *e = &b.ev.v[0];
    cr_expect_str_eq(e->code, "silence");
    cr_expect_eq(e->audio, 1);
    cr_expect_eq(e->stream, 1);
    cr_expect_eq(e->channel, 0);
    cr_expect_float_eq(e->start_s, 1.0, 1e-9);
    cr_expect_float_eq(e->end_s, 3.5, 1e-9);
    cr_expect_float_eq(e->value, 2.5, 1e-9);
    bench_close(&b);
}

static float silence_to_end(int ch, int64_t i)
{
    (void)ch;
    return i < 1000 ? 0.5f : 0.0f;
}

Test(audio, silence_open_at_the_end_closes_at_the_last_sample)
{
    Bench b;
    bench_open(&b, "silence", 1, 1000, NULL, "{\"min_duration_s\": 1.5}");
    bench_feed(&b, 3000, 1024, silence_to_end);
    bench_finish(&b);
    cr_assert_eq(b.ev.n, 1);
    cr_expect_float_eq(b.ev.v[0].start_s, 1.0, 1e-9);
    cr_expect_float_eq(b.ev.v[0].end_s, 3.0, 1e-9);
    bench_close(&b);
}

/* ---- clipping: 16-bit full scale is 32767/32768; -1.0 is full scale too ---- */

static float clip_signal(int ch, int64_t i)
{
    (void)ch;
    const float full = 32767.0f / 32768.0f;
    if (i >= 100 && i < 103)
        return full;            /* a run of 3: a clip */
    if (i >= 150 && i < 154)
        return -1.0f;           /* 60 ms later: joins the same event */
    if (i >= 500 && i < 502)
        return full;            /* a run of 2: not a clip */
    if (i >= 800 && i < 805)
        return full;            /* far from the first: a second event */
    return 0.25f;
}

Test(audio, clipping_runs_of_full_scale_samples)
{
    Bench b;
    bench_open(&b, "clipping", 1, 1000, NULL, NULL);
    bench_feed(&b, 1000, 101, clip_signal);
    bench_finish(&b);
    cr_assert_eq(b.ev.n, 2);
    cr_expect_float_eq(b.ev.v[0].start_s, 0.100, 1e-9);
    cr_expect_float_eq(b.ev.v[0].end_s, 0.154, 1e-9);
    cr_expect_float_eq(b.ev.v[0].value, 7, 1e-9);
    cr_expect_float_eq(b.ev.v[1].start_s, 0.800, 1e-9);
    cr_expect_float_eq(b.ev.v[1].value, 5, 1e-9);
    cr_expect_eq(metric(&b, "clipped_samples"), 12);
    cr_expect_eq(metric(&b, "clipped_runs"), 3);
    bench_close(&b);
}

/* ---- phase: right = -left over [2, 4) s of a 4 s stereo stream ---- */

static float phase_signal(int ch, int64_t i)
{
    float l = (float)(0.3 * sin(2 * M_PI * 50 * i / 1000.0) + 0.1 * sin(2 * M_PI * 120 * i / 1000.0));
    int inverted = i >= 2000 && i < 4000;
    return ch == 1 && inverted ? -l : l;
}

Test(audio, phase_inverted_windows)
{
    static const int stereo[] = { AV_CHAN_FRONT_LEFT, AV_CHAN_FRONT_RIGHT };
    Bench b;
    bench_open(&b, "phase", 2, 1000, stereo, NULL);
    bench_feed(&b, 5000, 777, phase_signal);
    bench_finish(&b);
    cr_assert_eq(b.ev.n, 1);
    cr_expect_str_eq(b.ev.v[0].code, "phase_inverted");
    cr_expect_float_eq(b.ev.v[0].start_s, 2.0, 1e-9);
    cr_expect_float_eq(b.ev.v[0].end_s, 4.0, 1e-9);
    cr_expect_float_eq(b.ev.v[0].value, -1.0, 1e-6);
    cr_expect_eq(b.ev.v[0].channel, 0);
    cr_expect_float_eq(metric(&b, "min_correlation"), -1.0, 1e-3);
    bench_close(&b);
}

Test(audio, phase_skips_streams_without_a_pair)
{
    Bench b;
    memset(&b, 0, sizeof(b));
    const MqcCheck *ck = mqc_registry_find(mqc_all_checks, "phase");
    void *priv = calloc(1, ck->priv_size);
    mqc_options_apply(ck->options, priv, NULL);
    MqcAudioInfo ai = { .index = 0, .channels = 1, .sample_rate = 48000 };
    ai.channel_ids[0] = AV_CHAN_FRONT_CENTER;
    MqcStreamInfo si = { .nb_audio = 1, .audio = &ai };
    char why[128] = "";
    cr_expect_eq(ck->init(priv, &si, why, sizeof(why)), 1);
    cr_expect_str_eq(why, "no stereo pair in the audio streams");
    ck->close(priv);
    free(priv);
}

/* ---- loudness: BS.1770-4 of 1 kHz sines, by hand ---- */

static double amplitude;
static int loud_channel;        /* -1: every channel */

static float sine_1k(int ch, int64_t i)
{
    if (loud_channel >= 0 && ch != loud_channel)
        return 0;
    return (float)(amplitude * sin(2 * M_PI * 1000.0 * i / 48000.0));
}

static double integrated(const int *ids, int channels, int only, double amp)
{
    Bench b;
    amplitude = amp;
    loud_channel = only;
    bench_open(&b, "loudness", channels, 48000, ids, NULL);
    bench_feed(&b, 48000 * 5, 1920, sine_1k);
    bench_finish(&b);
    double v = metric(&b, "integrated_lufs");
    bench_close(&b);
    return v;
}

Test(audio, loudness_of_sines_by_layout)
{
    static const int stereo[] = { AV_CHAN_FRONT_LEFT, AV_CHAN_FRONT_RIGHT };
    static const int s51[] = { AV_CHAN_FRONT_LEFT, AV_CHAN_FRONT_RIGHT, AV_CHAN_FRONT_CENTER,
                               AV_CHAN_LOW_FREQUENCY, AV_CHAN_SIDE_LEFT, AV_CHAN_SIDE_RIGHT };
    /* K-weighting is +0.691 dB at 1 kHz, cancelled by the -0.691 offset */
    cr_expect_float_eq(integrated(stereo, 2, -1, 0.1), -20.0, 0.06);
    cr_expect_float_eq(integrated(stereo, 2, 0, 0.1), -23.01, 0.06);
    cr_expect_float_eq(integrated(s51, 6, 2, 0.1), -23.01, 0.06);          /* centre: 1.0 */
    cr_expect_float_eq(integrated(s51, 6, 4, 0.1), -23.01 + 1.49, 0.06);   /* surround: 1.41 */
    /* LFE alone: nothing is measured */
    Bench b;
    amplitude = 0.5;
    loud_channel = 3;
    bench_open(&b, "loudness", 6, 48000, s51, NULL);
    bench_feed(&b, 48000 * 3, 4800, sine_1k);
    bench_finish(&b);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b.metrics, "integrated_lufs");
    cr_expect(cJSON_IsNull(v), "LFE must not count");
    bench_close(&b);
}

Test(audio, loudness_events_from_the_profile_limits)
{
    static const int stereo[] = { AV_CHAN_FRONT_LEFT, AV_CHAN_FRONT_RIGHT };
    Bench b;
    amplitude = 0.99;           /* 0 LUFS-ish, true peak near 0 dBTP */
    loud_channel = -1;
    bench_open(&b, "loudness", 2, 48000, stereo,
               "{\"target_lufs\": -24, \"tolerance_lu\": 2, \"max_true_peak_dbtp\": -2}");
    bench_feed(&b, 48000 * 2, 1000, sine_1k);
    bench_finish(&b);
    int out = 0, over = 0;
    for (size_t i = 0; i < b.ev.n; i++) {
        out += !strcmp(b.ev.v[i].code, "loudness_out_of_range");
        over += !strcmp(b.ev.v[i].code, "true_peak_over");
    }
    cr_expect_eq(out, 1);
    cr_expect_eq(over, 1, "one run of overs over the whole stream");
    cr_expect_float_eq(metric(&b, "true_peak_dbtp"), 20 * log10(0.99), 0.2);
    bench_close(&b);
}

/* ---- expect.audio ---- */

static void expect_bad(const char *json, const char *want)
{
    cJSON *doc = cJSON_Parse(json);
    MqcMsg msg = { "" };
    cr_expect_eq(mqc_expect_audio_validate(doc, "p.json", &msg), MQC_ERR_PROFILE, "%s", json);
    cr_expect(strstr(msg.text, want) != NULL, "message \"%s\", want \"%s\"", msg.text, want);
    cJSON_Delete(doc);
}

Test(audio, expect_audio_validation)
{
    expect_bad("[]", "p.json: expect.audio: expected an object");
    expect_bad("{\"chanels\": 2}", "expect.audio.chanels: unknown key");
    expect_bad("{\"channels\": 0}", "expect.audio.channels: expected integer in [1, 1024]");
    expect_bad("{\"streams\": 1.5}", "expect.audio.streams: expected integer in [0, 64]");
    expect_bad("{\"layout\": []}", "expect.audio.layout: expected a non-empty string");
    expect_bad("{\"max_av_duration_diff_s\": -1}", "expected number in [0, 86400]");
    cJSON *ok = cJSON_Parse("{\"streams\": 2, \"layout\": [\"stereo\", \"5.1\"], "
                            "\"max_av_duration_diff_s\": 0.5}");
    MqcMsg msg = { "" };
    cr_expect_eq(mqc_expect_audio_validate(ok, "p.json", &msg), 0, "%s", msg.text);
    cJSON_Delete(ok);
}

Test(audio, expect_audio_evaluation)
{
    MqcAudioInfo a[2] = { { .index = 1, .codec = "aac", .layout = "stereo", .channels = 2,
                            .sample_rate = 48000, .samples = 48000 * 10 },
                          { .index = 2, .codec = "aac", .layout = "5.1", .channels = 6,
                            .sample_rate = 44100, .samples = 44100 * 9 } };
    MqcStreamInfo si = { .rate_num = 25, .rate_den = 1, .nb_audio = 2, .audio = a };
    cJSON *want = cJSON_Parse("{\"streams\": 2, \"channels\": 2, \"sample_rate\": 48000, "
                              "\"layout\": \"stereo\", \"max_av_duration_diff_s\": 0.5}");
    MqcEvent proto = { .code = "format_mismatch", .end_frame = 249 };
    MqcEvents ev = { 0 };
    mqc_expect_audio_evaluate(want, &si, 250, &proto, &ev);
    cr_assert_eq(ev.n, 4);
    cr_expect_str_eq(ev.v[0].detail, "audio.channels: stream 2: expected 2, found 6");
    cr_expect_str_eq(ev.v[1].detail, "audio.sample_rate: stream 2: expected 48000, found 44100");
    cr_expect_str_eq(ev.v[2].detail, "audio.layout: stream 2: expected stereo, found 5.1");
    cr_expect(strstr(ev.v[3].detail, "stream 2 lasts 9.000 s, the video 10.000 s") != NULL,
              "%s", ev.v[3].detail);
    cr_expect_float_eq(ev.v[3].value, -1.0, 1e-9);
    mqc_events_free(&ev);
    cJSON_Delete(want);
}
