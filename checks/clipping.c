/* clipping: runs of at least min_samples consecutive samples at full scale
 * on one channel. Full scale is the largest code of the source's integer
 * format ((2^(b-1) - 1) / 2^(b-1) after conversion to float; -1.0 is the
 * negative one); a float source (lossy codecs) clips at 1.0 less one 16-bit
 * step. Runs closer than JOIN_S make one event, so a clipped burst of a
 * tone is one event, not one per half period. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include "audio.h"

#define JOIN_S 0.1

typedef struct ClipChan {
    int64_t run;                /* full-scale samples in a row */
    double run_start_s;
    int open;                   /* an event is being gathered */
    double ev_start_s, ev_end_s;
    int64_t ev_samples, ev_longest;
} ClipChan;

typedef struct Clipping {
    int64_t min_samples;
    void **state;               /* ClipChan[channels] per stream */
    float *full;                /* per stream: full-scale magnitude */
    double *end_s;
    int n;
    const MqcAudioInfo *info;
    int64_t clipped, runs;
} Clipping;

static const MqcOption clipping_options[] = {
    { "min_samples", MQC_OPT_INT, offsetof(Clipping, min_samples), 3, 1, 1000000, NULL, NULL,
      "consecutive full-scale samples that make a clip" },
    { .name = NULL }
};

static const MqcEventCode clipping_codes[] = {
    { "clipping", "%.0f samples at full scale" },
    { .code = NULL }
};

static int clipping_init(void *priv, const MqcStreamInfo *si, char *why, size_t why_len)
{
    (void)why, (void)why_len;
    Clipping *c = priv;
    c->n = si->nb_audio;
    c->info = si->audio;
    c->state = mqc_audio_state_new(si, sizeof(ClipChan));
    c->full = calloc((size_t)c->n + 1, sizeof(*c->full));
    c->end_s = calloc((size_t)c->n + 1, sizeof(*c->end_s));
    if (!c->state || !c->full || !c->end_s)
        return MQC_ERR_NOMEM;
    for (int a = 0; a < c->n; a++) {
        int bits = si->audio[a].bits > 0 && si->audio[a].bits <= 32 ? si->audio[a].bits : 0;
        c->full[a] = bits ? (float)((ldexp(1, bits - 1) - 1) / ldexp(1, bits - 1))
                          : (float)(1 - ldexp(1, -15));
    }
    return 0;
}

static void flush_event(Clipping *c, int a, int ch, MqcEvents *ev)
{
    ClipChan *k = (ClipChan *)c->state[a] + ch;
    if (!k->open)
        return;
    char name[32];
    mqc_audio_channel_name(&c->info[a], ch, name, sizeof(name));
    mqc_audio_event(ev, "clipping", &c->info[a], ch, k->ev_start_s, k->ev_end_s,
                    (double)k->ev_samples, "%s of stream %d: %lld samples at full scale "
                    "(longest run %lld)", name, c->info[a].index, (long long)k->ev_samples,
                    (long long)k->ev_longest);
    k->open = 0;
}

/* A run of full-scale samples ended at end_s. */
static void end_run(Clipping *c, int a, int ch, double end_s, MqcEvents *ev)
{
    ClipChan *k = (ClipChan *)c->state[a] + ch;
    if (k->run >= c->min_samples) {
        if (k->open && k->run_start_s - k->ev_end_s > JOIN_S)
            flush_event(c, a, ch, ev);
        if (!k->open) {
            k->open = 1;
            k->ev_start_s = k->run_start_s;
            k->ev_samples = k->ev_longest = 0;
        }
        k->ev_end_s = end_s;
        k->ev_samples += k->run;
        if (k->run > k->ev_longest)
            k->ev_longest = k->run;
        c->clipped += k->run;
        c->runs++;
    }
    k->run = 0;
}

static void clipping_audio(void *priv, int a, const MqcAudioChunk *chunk, MqcEvents *ev)
{
    Clipping *c = priv;
    const MqcAudioInfo *ai = &c->info[a];
    float full = c->full[a];
    for (int ch = 0; ch < ai->channels; ch++) {
        ClipChan *k = (ClipChan *)c->state[a] + ch;
        const float *x = chunk->data[ch];
        for (int i = 0; i < chunk->nb_samples; i++) {
            if (fabsf(x[i]) >= full) {
                if (!k->run++)
                    k->run_start_s = chunk->time_s + (double)i / ai->sample_rate;
            } else if (k->run) {
                end_run(c, a, ch, chunk->time_s + (double)i / ai->sample_rate, ev);
            }
        }
        /* an event far behind can be written now: keeps the order by time */
        double now = chunk->time_s + (double)chunk->nb_samples / ai->sample_rate;
        if (k->open && !k->run && now - k->ev_end_s > JOIN_S)
            flush_event(c, a, ch, ev);
    }
    c->end_s[a] = chunk->time_s + (double)chunk->nb_samples / ai->sample_rate;
}

static void clipping_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m)
{
    (void)si;
    Clipping *c = priv;
    for (int a = 0; a < c->n; a++)
        for (int ch = 0; ch < c->info[a].channels; ch++) {
            if (((ClipChan *)c->state[a])[ch].run)
                end_run(c, a, ch, c->end_s[a], ev);
            flush_event(c, a, ch, ev);
        }
    mqc_metric_int(m, "clipped_samples", c->clipped);
    mqc_metric_int(m, "clipped_runs", c->runs);
}

static void clipping_close(void *priv)
{
    Clipping *c = priv;
    mqc_audio_state_free(c->state, c->n);
    free(c->full);
    free(c->end_s);
    c->state = NULL;
    c->full = NULL;
    c->end_s = NULL;
}

static const char *const clipping_no_pictures[] = { "clipping", NULL };   /* about sound */

const MqcCheck mqc_check_clipping = {
    .name = "clipping",
    .summary = "runs of consecutive full-scale samples per channel",
    .default_severity = MQC_SEV_WARNING,
    .media = MQC_MEDIA_AUDIO,
    .options = clipping_options,
    .codes = clipping_codes,
    .priv_size = sizeof(Clipping),
    .init = clipping_init,
    .audio = clipping_audio,
    .finish = clipping_finish,
    .close = clipping_close,
    .no_pictures = clipping_no_pictures,
};
