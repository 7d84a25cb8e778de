/* phase: the correlation of each stereo pair (FL/FR, SL/SR, BL/BR, ...;
 * channels 0/1 of a two-channel stream without a layout) over 1 s windows
 * from the stream's start, sum(l*r) / sqrt(sum(l^2) * sum(r^2)) as a
 * correlation meter shows it; below min_correlation the pair is out of
 * phase (a polarity-inverted channel). Quiet windows (either channel below
 * QUIET_DBFS) carry no phase and are skipped. */
#include <libavutil/channel_layout.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include "audio.h"

#define QUIET_DBFS -70.0

typedef struct Pair {
    int l, r;                   /* channel indices; l < 0: unused slot */
    double lr, ll, rr;
    int64_t n;
    int open;                   /* a run of inverted windows */
    double run_start_s, run_end_s, run_min;
} Pair;

typedef struct Phase {
    double min_correlation;
    double quiet;               /* mean square below which a window is quiet */
    void **state;               /* Pair[channels] per stream */
    int n;
    const MqcAudioInfo *info;
    double *win_start_s;        /* per stream */
    double lowest;
    int evaluated;
    int64_t inverted_windows;
} Phase;

static const MqcOption phase_options[] = {
    { "min_correlation", MQC_OPT_DOUBLE, offsetof(Phase, min_correlation), -0.3, -1, 1, NULL,
      NULL, "a stereo pair whose correlation over 1 s is below this is out of phase" },
    { .name = NULL }
};

static const MqcEventCode phase_codes[] = {
    { "phase_inverted", "stereo correlation %.2f" },
    { .code = NULL }
};

static const int pair_ids[][2] = {
    { AV_CHAN_FRONT_LEFT, AV_CHAN_FRONT_RIGHT },
    { AV_CHAN_SIDE_LEFT, AV_CHAN_SIDE_RIGHT },
    { AV_CHAN_BACK_LEFT, AV_CHAN_BACK_RIGHT },
    { AV_CHAN_FRONT_LEFT_OF_CENTER, AV_CHAN_FRONT_RIGHT_OF_CENTER },
    { AV_CHAN_WIDE_LEFT, AV_CHAN_WIDE_RIGHT },
    { AV_CHAN_TOP_FRONT_LEFT, AV_CHAN_TOP_FRONT_RIGHT },
    { AV_CHAN_TOP_BACK_LEFT, AV_CHAN_TOP_BACK_RIGHT },
    { AV_CHAN_TOP_SIDE_LEFT, AV_CHAN_TOP_SIDE_RIGHT },
    { AV_CHAN_STEREO_LEFT, AV_CHAN_STEREO_RIGHT },
};

static int find_channel(const MqcAudioInfo *ai, int id)
{
    for (int c = 0; c < ai->channels && c < MQC_AUDIO_MAX_IDS; c++)
        if (ai->channel_ids[c] == id)
            return c;
    return -1;
}

static void find_pairs(const MqcAudioInfo *ai, Pair *p)
{
    int n = 0;
    for (int c = 0; c < ai->channels; c++)
        p[c].l = -1;
    for (size_t k = 0; k < sizeof(pair_ids) / sizeof(pair_ids[0]); k++) {
        int l = find_channel(ai, pair_ids[k][0]), r = find_channel(ai, pair_ids[k][1]);
        if (l >= 0 && r >= 0)
            p[n].l = l, p[n++].r = r;
    }
    if (!n && ai->channels == 2)
        p[0].l = 0, p[0].r = 1;     /* two channels without roles: a stereo pair */
}

static int phase_init(void *priv, const MqcStreamInfo *si, char *why, size_t why_len)
{
    Phase *p = priv;
    p->n = si->nb_audio;
    p->info = si->audio;
    p->quiet = pow(10, QUIET_DBFS / 10);
    p->lowest = 1;
    p->state = mqc_audio_state_new(si, sizeof(Pair));
    p->win_start_s = calloc((size_t)p->n + 1, sizeof(*p->win_start_s));
    if (!p->state || !p->win_start_s)
        return MQC_ERR_NOMEM;
    int pairs = 0;
    for (int a = 0; a < p->n; a++) {
        Pair *pr = p->state[a];
        find_pairs(&si->audio[a], pr);
        pairs += pr[0].l >= 0;
    }
    if (!pairs) {
        snprintf(why, why_len, "no stereo pair in the audio streams");
        return 1;
    }
    return 0;
}

static void close_run(Phase *p, int a, Pair *pr, MqcEvents *ev)
{
    if (!pr->open)
        return;
    char l[32], r[32];
    mqc_audio_channel_name(&p->info[a], pr->l, l, sizeof(l));
    mqc_audio_channel_name(&p->info[a], pr->r, r, sizeof(r));
    mqc_audio_event(ev, "phase_inverted", &p->info[a], pr->l, pr->run_start_s, pr->run_end_s,
                    pr->run_min, "%s/%s of stream %d out of phase: correlation %.2f "
                    "(below %.2f)", l, r, p->info[a].index, pr->run_min, p->min_correlation);
    pr->open = 0;
}

/* The window of pair pr that started at start_s ends at end_s. */
static void window_end(Phase *p, int a, Pair *pr, double start_s, double end_s, MqcEvents *ev)
{
    int64_t n = pr->n;
    double lr = pr->lr, ll = pr->ll, rr = pr->rr;
    pr->lr = pr->ll = pr->rr = 0;
    pr->n = 0;
    if (!n || ll / n < p->quiet || rr / n < p->quiet) {
        close_run(p, a, pr, ev);    /* no phase in a quiet window */
        return;
    }
    double corr = lr / sqrt(ll * rr);
    p->evaluated = 1;
    if (corr < p->lowest)
        p->lowest = corr;
    if (corr >= p->min_correlation) {
        close_run(p, a, pr, ev);
        return;
    }
    p->inverted_windows++;
    if (!pr->open) {
        pr->open = 1;
        pr->run_start_s = start_s;
        pr->run_min = corr;
    }
    pr->run_end_s = end_s;
    if (corr < pr->run_min)
        pr->run_min = corr;
}

static void phase_audio(void *priv, int a, const MqcAudioChunk *chunk, MqcEvents *ev)
{
    Phase *p = priv;
    const MqcAudioInfo *ai = &p->info[a];
    Pair *pairs = p->state[a];
    int64_t win = ai->sample_rate;     /* 1 s */
    if (chunk->pos == 0)
        p->win_start_s[a] = chunk->time_s;
    for (int done = 0; done < chunk->nb_samples;) {
        int64_t pos = chunk->pos + done;
        int n = (int)(win - pos % win);
        if (n > chunk->nb_samples - done)
            n = chunk->nb_samples - done;
        for (Pair *pr = pairs; pr < pairs + ai->channels && pr->l >= 0; pr++) {
            const float *l = chunk->data[pr->l] + done, *r = chunk->data[pr->r] + done;
            double lr = 0, ll = 0, rr = 0;
            for (int i = 0; i < n; i++) {
                lr += (double)l[i] * r[i];
                ll += (double)l[i] * l[i];
                rr += (double)r[i] * r[i];
            }
            pr->lr += lr;
            pr->ll += ll;
            pr->rr += rr;
            pr->n += n;
        }
        done += n;
        if ((pos + n) % win == 0) {
            double end_s = chunk->time_s + (double)done / ai->sample_rate;
            for (Pair *pr = pairs; pr < pairs + ai->channels && pr->l >= 0; pr++)
                window_end(p, a, pr, p->win_start_s[a], end_s, ev);
            p->win_start_s[a] = end_s;
        }
    }
}

static void phase_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m)
{
    (void)si;
    Phase *p = priv;
    for (int a = 0; a < p->n; a++) {
        Pair *pairs = p->state[a];
        const MqcAudioInfo *ai = &p->info[a];
        for (Pair *pr = pairs; pr < pairs + ai->channels && pr->l >= 0; pr++) {
            /* a last window of at least 100 ms counts */
            if (pr->n >= ai->sample_rate / 10)
                window_end(p, a, pr, p->win_start_s[a],
                           p->win_start_s[a] + (double)pr->n / ai->sample_rate, ev);
            close_run(p, a, pr, ev);
        }
    }
    mqc_metric_double(m, "min_correlation", p->evaluated ? round(p->lowest * 1000) / 1000 : NAN);
    mqc_metric_int(m, "inverted_windows", p->inverted_windows);
}

static void phase_close(void *priv)
{
    Phase *p = priv;
    mqc_audio_state_free(p->state, p->n);
    free(p->win_start_s);
    p->state = NULL;
    p->win_start_s = NULL;
}

static const char *const phase_no_pictures[] = { "phase_inverted", NULL };   /* about sound */

const MqcCheck mqc_check_phase = {
    .name = "phase",
    .summary = "stereo pair correlation over 1 s windows (polarity-inverted channels)",
    .default_severity = MQC_SEV_WARNING,
    .media = MQC_MEDIA_AUDIO,
    .options = phase_options,
    .codes = phase_codes,
    .priv_size = sizeof(Phase),
    .init = phase_init,
    .audio = phase_audio,
    .finish = phase_finish,
    .close = phase_close,
    .no_pictures = phase_no_pictures,
};
