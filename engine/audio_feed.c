#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <libavcodec/packet.h>
#include "audio_feed.h"

typedef struct Node {
    AVFrame *frame;             /* planar float */
    int64_t pos;                /* stream sample index of its first sample */
    struct Node *next;
} Node;

typedef struct Stream {
    /* filled by the reading thread, under the lock */
    Node *head, *tail;
    int64_t pushed;             /* samples queued so far */
    double start_s;
    int started;
    /* the analysis thread's own */
    Node *run_head, *run_tail;
    int64_t run_limit;          /* samples before this index run now */
    int64_t done;               /* samples handed to the checks */
    const float **planes;
} Stream;

/* Segment 0's cuts where the later segments' frames end (mqc_feed_cut_frames).
 * Their times come from the video packets the reading thread demuxes (pts,
 * in decode order); a frame's cut is final once no frame still to come can
 * end before it: every later packet has dts >= the largest seen, and pts >=
 * dts. */
typedef struct Cuts {
    int on, clock;
    void (*cut)(void *ud, int64_t pts);
    void *ud;
    MqcStreamInfo si;           /* time base and rate (mqc_frame_end_s) */
    double origin;
    /* under the lock: frames not yet cut, sorted by pts */
    struct { int64_t pts, dur; } *v;
    int n, cap;
    int64_t dts_max;
    int have_dts;
    double cut_until;           /* the audio is cut up to here: an earlier frame is too late */
    int given_up;               /* the audio ran too far ahead: no more cuts */
    /* the analysis thread's: cuts taken, to run in order */
    struct { int64_t pts; double end; } *ready;
    int nb_ready, ready_cap;
} Cuts;

struct MqcAudioFeed {
    Cuts cuts;
    pthread_mutex_t lock;
    pthread_cond_t arrived, taken;
    int queued;                 /* frames waiting in the shared lists */
    Stream *s;
    int n;
    MqcAudioInfo *info;
    int want, lead_full, eof;
    int drained;                /* the analysis takes no more */
};

/* decoded frames the reading thread may queue once the pictures are done */
#define MAX_QUEUED 256
/* ... and while the audio waits for the video times that cut it (segment
 * 0's later frames): past this the cuts are given up, the merge says so */
#define CUTS_MAX_QUEUED (4 * MAX_QUEUED)

static int feed_push(void *ud, int a, AVFrame *f, double time_s)
{
    MqcAudioFeed *feed = ud;
    Node *node = malloc(sizeof(*node));
    if (!node || f->ch_layout.nb_channels != feed->info[a].channels) {
        av_frame_free(&f);     /* libswresample keeps the first layout: cannot happen */
        free(node);
        return node ? 0 : MQC_ERR_NOMEM;
    }
    node->frame = f;
    node->next = NULL;
    pthread_mutex_lock(&feed->lock);
    Stream *s = &feed->s[a];
    if (!s->started) {
        s->start_s = time_s;
        s->started = 1;
    }
    node->pos = s->pushed;
    s->pushed += f->nb_samples;
    if (s->tail)
        s->tail->next = node;
    else
        s->head = node;
    s->tail = node;
    feed->queued++;
    pthread_cond_broadcast(&feed->arrived);
    pthread_mutex_unlock(&feed->lock);
    return 0;
}

int mqc_feed_new(MqcAudioFeed **out, MqcInput *in, MqcAudioInfo *info, int n)
{
    MqcAudioFeed *f = calloc(1, sizeof(*f));
    if (!f || !(f->s = calloc((size_t)n + 1, sizeof(*f->s)))) {
        free(f);
        return MQC_ERR_NOMEM;
    }
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->arrived, NULL);
    pthread_cond_init(&f->taken, NULL);
    f->n = n;
    f->info = info;
    for (int a = 0; a < n; a++)
        if (!(f->s[a].planes = calloc((size_t)info[a].channels, sizeof(float *)))) {
            mqc_feed_free(&f);
            return MQC_ERR_NOMEM;
        }
    MqcAudioSink sink = { feed_push, f, NULL };
    mqc_input_set_audio_sink(in, &sink);
    *out = f;
    return 0;
}

static void free_list(Node *n)
{
    while (n) {
        Node *next = n->next;
        av_frame_free(&n->frame);
        free(n);
        n = next;
    }
}

void mqc_feed_free(MqcAudioFeed **pf)
{
    MqcAudioFeed *f = *pf;
    if (!f)
        return;
    for (int a = 0; a < f->n; a++) {
        free_list(f->s[a].head);
        free_list(f->s[a].run_head);
        free(f->s[a].planes);
    }
    free(f->cuts.v);
    free(f->cuts.ready);
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->arrived);
    pthread_cond_destroy(&f->taken);
    free(f->s);
    free(f);
    *pf = NULL;
}

/* ---- segment 0: cuts where the later frames end ---- */

static int grow(void **v, size_t size, int *cap, int need)
{
    if (need <= *cap)
        return 0;
    int n = need + 64;
    void *p = realloc(*v, (size_t)n * size);
    if (!p)
        return MQC_ERR_NOMEM;
    *v = p;
    *cap = n;
    return 0;
}

/* The reading thread: a shown video packet's time, kept in pts order. */
static void feed_video(void *ud, const AVPacket *pkt)
{
    MqcAudioFeed *f = ud;
    Cuts *c = &f->cuts;
    int64_t dts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
    pthread_mutex_lock(&f->lock);
    if (dts != AV_NOPTS_VALUE && (!c->have_dts || dts > c->dts_max)) {
        c->dts_max = dts;
        c->have_dts = 1;
    }
    int i = c->n;
    while (i > 0 && c->v[i - 1].pts > pkt->pts)
        i--;
    /* a frame that ends where the audio was already run (pts < dts?) gets
     * no record: the merge says so */
    int late = c->clock && mqc_frame_end_s(pkt->pts, pkt->duration, &c->si, c->origin) <=
                           c->cut_until;
    if (pkt->pts != AV_NOPTS_VALUE && !c->given_up && !late &&
        !(i > 0 && c->v[i - 1].pts == pkt->pts)) {
        /* out of memory: given up, the merge says the records are missing */
        if (grow((void **)&c->v, sizeof(*c->v), &c->cap, c->n + 1) < 0) {
            c->given_up = 1;
        } else {
            memmove(c->v + i + 1, c->v + i, (size_t)(c->n - i) * sizeof(*c->v));
            c->v[i].pts = pkt->pts;
            c->v[i].dur = pkt->duration;
            c->n++;
        }
    }
    pthread_cond_broadcast(&f->arrived);
    pthread_mutex_unlock(&f->lock);
}

void mqc_feed_cut_frames(MqcAudioFeed *f, MqcInput *in, void (*cut)(void *ud, int64_t pts),
                         void *ud)
{
    f->cuts.on = 1;
    f->cuts.cut = cut;
    f->cuts.ud = ud;
    MqcAudioSink sink = { feed_push, f, feed_video };
    mqc_input_set_audio_sink(in, &sink);
}

void mqc_feed_cut_clock(MqcAudioFeed *f, const MqcStreamInfo *si, double origin)
{
    pthread_mutex_lock(&f->lock);
    f->cuts.si = *si;
    f->cuts.origin = origin;
    f->cuts.cut_until = -INFINITY;
    f->cuts.clock = 1;
    pthread_mutex_unlock(&f->lock);
}

static double cut_end(const Cuts *c, int i)
{
    return mqc_frame_end_s(c->v[i].pts, c->v[i].dur, &c->si, c->origin);
}

static void cuts_drop(Cuts *c, int k)
{
    memmove(c->v, c->v + k, (size_t)(c->n - k) * sizeof(*c->v));
    c->n -= k;
}

static int active_cuts(const MqcAudioFeed *f)
{
    return f->cuts.on && f->cuts.clock && !f->cuts.given_up;
}

static int64_t limit_of(const MqcAudioFeed *f, int a, double until);

/* Under the lock: every stream's audio up to `until` is queued (or no more
 * comes). */
static int all_there(const MqcAudioFeed *f, double until)
{
    for (int a = 0; a < f->n && !f->eof; a++)
        if (!f->s[a].started || f->s[a].pushed < limit_of(f, a, until))
            return 0;
    return 1;
}

/* Under the lock: how many of the first frames can be cut now. */
static int cuts_final(const MqcAudioFeed *f)
{
    const Cuts *c = &f->cuts;
    /* no frame still to come ends before this */
    double bound = f->eof ? INFINITY : !c->have_dts ? -INFINITY :
                   mqc_frame_end_s(c->dts_max, 0, &c->si, c->origin);
    int k = 0;
    while (k < c->n && cut_end(c, k) <= bound && all_there(f, cut_end(c, k)))
        k++;
    return k;
}

/* Under the lock, from mqc_feed_take: a frame of the segment ends at a
 * finite `until` (its cut is the analysis's own); past them, `until` is
 * infinite and the audio is taken up to the cuts that are final. */
static double cuts_take(MqcAudioFeed *f, double until, int *take)
{
    Cuts *c = &f->cuts;
    if (isfinite(until)) {
        int k = 0;
        while (k < c->n && cut_end(c, k) <= until)
            k++;
        cuts_drop(c, k);
        c->cut_until = until > c->cut_until ? until : c->cut_until;
        return until;
    }
    if (!f->eof && f->queued > CUTS_MAX_QUEUED)
        c->given_up = 1;
    if (c->given_up)
        return until;
    int k = cuts_final(f);
    if (grow((void **)&c->ready, sizeof(*c->ready), &c->ready_cap, c->nb_ready + k) < 0) {
        c->given_up = 1;
        return until;
    }
    for (int i = 0; i < k; i++) {
        c->ready[c->nb_ready + i].pts = c->v[i].pts;
        c->ready[c->nb_ready + i].end = cut_end(c, i);
    }
    c->nb_ready += k;
    cuts_drop(c, k);
    if (c->nb_ready)
        c->cut_until = c->ready[c->nb_ready - 1].end;
    /* the rest waits for the frames that end in it, unless no more come */
    *take = f->eof || c->nb_ready;
    return f->eof ? INFINITY : c->nb_ready ? c->ready[c->nb_ready - 1].end : 0;
}

void mqc_feed_pumped(MqcAudioFeed *f, int pump_result)
{
    pthread_mutex_lock(&f->lock);
    if (pump_result == 1)
        f->lead_full = 1;
    else if (pump_result < 0)
        f->eof = 1;
    pthread_cond_broadcast(&f->arrived);
    pthread_mutex_unlock(&f->lock);
}

void mqc_feed_video_read(MqcAudioFeed *f)
{
    pthread_mutex_lock(&f->lock);
    f->lead_full = 0;
    pthread_cond_broadcast(&f->arrived);
    pthread_mutex_unlock(&f->lock);
}

void mqc_feed_end(MqcAudioFeed *f)
{
    mqc_feed_pumped(f, AVERROR_EOF);
}

int mqc_feed_wants(MqcAudioFeed *f)
{
    pthread_mutex_lock(&f->lock);
    int w = f->want && !f->lead_full && !f->eof;
    pthread_mutex_unlock(&f->lock);
    return w;
}

/* Samples of stream s that lie before `until`. */
static int64_t limit_of(const MqcAudioFeed *f, int a, double until)
{
    const Stream *s = &f->s[a];
    if (isinf(until))
        return INT64_MAX;
    if (!s->started)
        return 0;
    double n = ceil((until - s->start_s) * f->info[a].sample_rate - 1e-9);
    return n <= 0 ? 0 : n >= 9e18 ? INT64_MAX : (int64_t)n;
}

static int behind(const MqcAudioFeed *f, double until)
{
    if (f->eof || f->lead_full)
        return 0;
    for (int a = 0; a < f->n; a++)
        if (!f->s[a].started || f->s[a].pushed < limit_of(f, a, until))
            return 1;
    return 0;
}

int mqc_feed_behind(MqcAudioFeed *f, double until)
{
    pthread_mutex_lock(&f->lock);
    int b = behind(f, until);
    pthread_mutex_unlock(&f->lock);
    return b;
}

void mqc_feed_wait(MqcAudioFeed *f, double until, void (*poke)(void *), void *ud)
{
    pthread_mutex_lock(&f->lock);
    while (behind(f, until)) {
        f->want = 1;
        pthread_cond_broadcast(&f->taken);     /* a throttled reader may go on */
        pthread_mutex_unlock(&f->lock);
        poke(ud);
        pthread_mutex_lock(&f->lock);
        if (behind(f, until))
            pthread_cond_wait(&f->arrived, &f->lock);
    }
    f->want = 0;
    pthread_mutex_unlock(&f->lock);
}

void mqc_feed_take(MqcAudioFeed *f, double until)
{
    pthread_mutex_lock(&f->lock);
    int take = 1;
    if (active_cuts(f))
        until = cuts_take(f, until, &take);
    for (int a = 0; a < f->n; a++) {
        Stream *s = &f->s[a];
        int64_t limit = take ? limit_of(f, a, until) : 0;
        if (limit > s->run_limit)
            s->run_limit = limit;
        while (s->head && s->head->pos < s->run_limit) {
            Node *n = s->head;
            s->head = n->next;
            if (!s->head)
                s->tail = NULL;
            n->next = NULL;
            if (s->run_tail)
                s->run_tail->next = n;
            else
                s->run_head = n;
            s->run_tail = n;
            f->queued--;
        }
        if (s->started)
            f->info[a].start_s = s->start_s;
    }
    pthread_cond_broadcast(&f->taken);
    pthread_mutex_unlock(&f->lock);
}

void mqc_feed_throttle(MqcAudioFeed *f)
{
    pthread_mutex_lock(&f->lock);
    while (f->queued > MAX_QUEUED && !f->drained && !f->want)
        pthread_cond_wait(&f->taken, &f->lock);
    pthread_mutex_unlock(&f->lock);
}

/* Under the lock: 1 when the drain has something to run (or the end). */
static int drain_ready(MqcAudioFeed *f)
{
    if (f->eof)
        return 1;
    if (!active_cuts(f))
        return f->queued > 0;
    /* segment 0's later frames: a cut is final, or the audio waits for the
     * video times, reading on past the throttle (want), up to a limit */
    if (cuts_final(f) > 0)
        return 1;
    if (f->queued > CUTS_MAX_QUEUED)
        return 1;           /* mqc_feed_take gives the cuts up */
    f->want = 1;
    pthread_cond_broadcast(&f->taken);
    return 0;
}

void mqc_feed_drain(MqcAudioFeed *f, MqcCheckRun *checks, int n)
{
    for (;;) {
        pthread_mutex_lock(&f->lock);
        while (!drain_ready(f))
            pthread_cond_wait(&f->arrived, &f->lock);
        f->want = 0;
        int last = f->eof;
        pthread_mutex_unlock(&f->lock);
        mqc_feed_take(f, INFINITY);
        mqc_feed_run(f, checks, n);
        if (last)
            break;
    }
    pthread_mutex_lock(&f->lock);
    f->drained = 1;
    pthread_cond_broadcast(&f->taken);
    pthread_mutex_unlock(&f->lock);
}

int mqc_feed_pending(const MqcAudioFeed *f)
{
    for (int a = 0; a < f->n; a++)
        if (f->s[a].run_head && f->s[a].done < f->s[a].run_limit)
            return 1;
    return 0;
}

/* The taken samples of every stream up to `until` (INFINITY: all). */
static void run_to(MqcAudioFeed *f, MqcCheckRun *checks, int n, double until)
{
    for (int a = 0; a < f->n; a++) {
        Stream *s = &f->s[a];
        const MqcAudioInfo *ai = &f->info[a];
        int64_t to = s->run_limit;
        if (!isinf(until)) {
            pthread_mutex_lock(&f->lock);
            int64_t l = limit_of(f, a, until);
            pthread_mutex_unlock(&f->lock);
            to = l < to ? l : to;
        }
        while (s->run_head && s->done < to) {
            Node *node = s->run_head;
            int64_t end = node->pos + node->frame->nb_samples;
            if (end > to)
                end = to;
            int64_t off = s->done - node->pos;
            for (int c = 0; c < ai->channels; c++)
                s->planes[c] = (const float *)node->frame->extended_data[c] + off;
            MqcAudioChunk chunk = { .data = s->planes, .nb_samples = (int)(end - s->done),
                                    .pos = s->done,
                                    .time_s = s->start_s + (double)s->done / ai->sample_rate };
            for (int k = 0; k < n; k++) {
                MqcCheckRun *cr = &checks[k];
                if (cr->check && !cr->skipped && cr->check->media == MQC_MEDIA_AUDIO &&
                    cr->check->audio)
                    cr->check->audio(cr->priv, a, &chunk, &cr->events);
            }
            s->done = end;
            f->info[a].samples = end;
            if (end < node->pos + node->frame->nb_samples)
                break;
            s->run_head = node->next;
            if (!s->run_head)
                s->run_tail = NULL;
            av_frame_free(&node->frame);
            free(node);
        }
    }
}

void mqc_feed_run(MqcAudioFeed *f, MqcCheckRun *checks, int n)
{
    /* segment 0's later frames: each one's record where its audio ends */
    Cuts *c = &f->cuts;
    for (int i = 0; i < c->nb_ready; i++) {
        run_to(f, checks, n, c->ready[i].end);
        c->cut(c->ud, c->ready[i].pts);
    }
    c->nb_ready = 0;
    run_to(f, checks, n, INFINITY);
}
