#include <math.h>
#include <pthread.h>
#include <stdlib.h>
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

struct MqcAudioFeed {
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
    MqcAudioSink sink = { feed_push, f };
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
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->arrived);
    pthread_cond_destroy(&f->taken);
    free(f->s);
    free(f);
    *pf = NULL;
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
    for (int a = 0; a < f->n; a++) {
        Stream *s = &f->s[a];
        int64_t limit = limit_of(f, a, until);
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

void mqc_feed_drain(MqcAudioFeed *f, MqcCheckRun *checks, int n)
{
    for (;;) {
        pthread_mutex_lock(&f->lock);
        while (!f->queued && !f->eof)
            pthread_cond_wait(&f->arrived, &f->lock);
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

void mqc_feed_run(MqcAudioFeed *f, MqcCheckRun *checks, int n)
{
    for (int a = 0; a < f->n; a++) {
        Stream *s = &f->s[a];
        const MqcAudioInfo *ai = &f->info[a];
        while (s->run_head && s->done < s->run_limit) {
            Node *node = s->run_head;
            int64_t end = node->pos + node->frame->nb_samples;
            if (end > s->run_limit)
                end = s->run_limit;
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
