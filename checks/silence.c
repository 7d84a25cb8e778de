/* silence: per channel, runs of samples below threshold_dbfs lasting at
 * least min_duration_s (dropouts, a dead channel), as ffmpeg's
 * silencedetect measures them with mono=1: a sample is silent when
 * |x| < 10^(threshold/20); the run ends at the first louder sample. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include "audio.h"

typedef struct SilenceChan {
    int64_t run;                /* silent samples in a row */
    double run_start_s;
} SilenceChan;

typedef struct Silence {
    double threshold_dbfs, min_duration_s;
    float level;                /* linear */
    void **state;               /* SilenceChan[channels] per stream */
    int n;
    const MqcAudioInfo *info;
    double *end_s;              /* per stream: after the last sample */
    int64_t silent_s_total;     /* reported silence, milliseconds */
    int64_t events;
} Silence;

static const MqcOption silence_options[] = {
    { "threshold_dbfs", MQC_OPT_DOUBLE, offsetof(Silence, threshold_dbfs), -60, -150, 0, NULL,
      NULL, "a sample below this level is silent (silencedetect noise)" },
    { "min_duration_s", MQC_OPT_DOUBLE, offsetof(Silence, min_duration_s), 2.0, 0.001, 86400,
      NULL, NULL, "shorter silences are not reported (silencedetect duration)" },
    { .name = NULL }
};

static const MqcEventCode silence_codes[] = {
    { "silence", "silence for %.2f s" },
    { .code = NULL }
};

static int silence_init(void *priv, const MqcStreamInfo *si, char *why, size_t why_len)
{
    (void)why, (void)why_len;
    Silence *s = priv;
    s->level = (float)pow(10, s->threshold_dbfs / 20);
    s->n = si->nb_audio;
    s->info = si->audio;
    s->state = mqc_audio_state_new(si, sizeof(SilenceChan));
    s->end_s = calloc((size_t)s->n + 1, sizeof(*s->end_s));
    return s->state && s->end_s ? 0 : MQC_ERR_NOMEM;
}

static void close_run(Silence *s, int a, int ch, double end_s, MqcEvents *ev)
{
    SilenceChan *c = (SilenceChan *)s->state[a] + ch;
    const MqcAudioInfo *ai = &s->info[a];
    if (c->run >= (int64_t)ceil(s->min_duration_s * ai->sample_rate - 1e-9)) {
        char name[32];
        mqc_audio_channel_name(ai, ch, name, sizeof(name));
        double d = end_s - c->run_start_s;
        mqc_audio_event(ev, "silence", ai, ch, c->run_start_s, end_s, d,
                        "%s of stream %d silent for %.2f s (below %.0f dBFS)", name, ai->index,
                        d, s->threshold_dbfs);
        s->silent_s_total += llround(d * 1000);
        s->events++;
    }
    c->run = 0;
}

static void silence_audio(void *priv, int a, const MqcAudioChunk *chunk, MqcEvents *ev)
{
    Silence *s = priv;
    const MqcAudioInfo *ai = &s->info[a];
    for (int ch = 0; ch < ai->channels; ch++) {
        SilenceChan *c = (SilenceChan *)s->state[a] + ch;
        const float *x = chunk->data[ch];
        for (int i = 0; i < chunk->nb_samples; i++) {
            if (fabsf(x[i]) < s->level) {
                if (!c->run++)
                    c->run_start_s = chunk->time_s + (double)i / ai->sample_rate;
            } else if (c->run) {
                close_run(s, a, ch, chunk->time_s + (double)i / ai->sample_rate, ev);
            }
        }
    }
    s->end_s[a] = chunk->time_s + (double)chunk->nb_samples / ai->sample_rate;
}

static void silence_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m)
{
    (void)si;
    Silence *s = priv;
    for (int a = 0; a < s->n; a++)
        for (int ch = 0; ch < s->info[a].channels; ch++)
            if (((SilenceChan *)s->state[a])[ch].run)
                close_run(s, a, ch, s->end_s[a], ev);
    mqc_metric_int(m, "silences", s->events);
    mqc_metric_double(m, "silent_channel_s", (double)s->silent_s_total / 1000);
}

static void silence_close(void *priv)
{
    Silence *s = priv;
    mqc_audio_state_free(s->state, s->n);
    free(s->end_s);
    s->state = NULL;
    s->end_s = NULL;
}

static const char *const silence_no_pictures[] = { "silence", NULL };   /* about sound */

const MqcCheck mqc_check_silence = {
    .name = "silence",
    .summary = "per-channel runs below a level (dropouts, dead channels; silencedetect "
               "semantics)",
    .default_severity = MQC_SEV_WARNING,
    .media = MQC_MEDIA_AUDIO,
    .options = silence_options,
    .codes = silence_codes,
    .priv_size = sizeof(Silence),
    .init = silence_init,
    .audio = silence_audio,
    .finish = silence_finish,
    .close = silence_close,
    .no_pictures = silence_no_pictures,
};
