#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <libavutil/pixdesc.h>
#include "scheduler.h"

#define ALIGN64(x) (((x) + 63) & ~(size_t)63)

/* A decoded frame waiting in the window, with the decode problems seen
 * since the previous frame. */
typedef struct Slot {
    AVFrame *frame;
    int issues;
    char issue[192];
    int64_t issue_pos;
} Slot;

typedef struct Window {
    Slot *slots;
    int cap, head, count;
    int done;                   /* producer reached the end */
    int error;                  /* fatal producer error */
    int stop;                   /* consumer asks the producer to stop */
    Slot tail;                  /* problems after the last frame */
    MqcInput *in;
    MqcStreamInfo *si;
    pthread_mutex_t lock;
    pthread_cond_t filled, drained;
} Window;

static void *produce(void *arg)
{
    Window *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->lock);
        while (w->count == w->cap && !w->stop)
            pthread_cond_wait(&w->drained, &w->lock);
        int stop = w->stop;
        Slot *s = &w->slots[(w->head + w->count) % w->cap];
        pthread_mutex_unlock(&w->lock);
        if (stop)
            break;

        /* only this thread touches a free slot */
        int ret = mqc_input_read(w->in, s->frame, w->si);
        Slot *dst = ret == 0 ? s : &w->tail;
        dst->issues = mqc_input_take_issues(w->in, dst->issue, sizeof(dst->issue),
                                            &dst->issue_pos);
        pthread_mutex_lock(&w->lock);
        if (ret == 0)
            w->count++;
        else {
            w->done = 1;
            w->error = ret == AVERROR_EOF ? 0 : ret;
        }
        pthread_cond_signal(&w->filled);
        pthread_mutex_unlock(&w->lock);
        if (ret < 0)
            break;
    }
    return NULL;
}

/* Per-batch scratch: slice partials of every band of every frame, then
 * one reduced result per check. Sized once, grown only if frames grow. */
typedef struct Scratch {
    uint8_t *partials;
    size_t partials_size;
    uint8_t *frame_results;
    size_t *slice_off, *frame_off;
    size_t slice_stride;        /* bytes of all checks' partials for one band */
    int *band_start;            /* first job of each frame in the batch */
    MqcPicture *pics;
    const void **results;       /* each check's reduced result of the current frame */
} Scratch;

static int band_count(const MqcPicture *p, int bh)
{
    return (p->height + bh - 1) / bh;
}

static int64_t analyse_batch(Window *w, int first, int n, MqcCheckRun *checks, int nc,
                             int threads, int bh, Scratch *sc, int64_t index,
                             const MqcSchedFrameHook *hook)
{
    int jobs = 0;
    for (int i = 0; i < n; i++) {
        Slot *s = &w->slots[(first + i) % w->cap];
        mqc_picture_from_frame(&sc->pics[i], s->frame, w->si);
        sc->band_start[i] = jobs;
        jobs += band_count(&sc->pics[i], bh);
    }
    sc->band_start[n] = jobs;
    size_t need = (size_t)jobs * sc->slice_stride;
    if (need > sc->partials_size) {
        uint8_t *p = realloc(sc->partials, need);
        if (!p)
            return MQC_ERR_NOMEM;
        sc->partials = p;
        sc->partials_size = need;
    }

    /* the fused pass: every check on a band while it is in cache */
    #pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int j = 0; j < jobs; j++) {
        int f = 0;
        while (sc->band_start[f + 1] <= j)
            f++;
        int b = j - sc->band_start[f];
        MqcBand band = { &sc->pics[f], b * bh, (b + 1) * bh };
        if (band.y1 > sc->pics[f].height)
            band.y1 = sc->pics[f].height;
        for (int c = 0; c < nc; c++)
            if (checks[c].check && !checks[c].skipped)
                checks[c].check->measure(checks[c].priv, &band,
                                         sc->partials + (size_t)j * sc->slice_stride +
                                         sc->slice_off[c]);
    }

    for (int i = 0; i < n; i++) {
        Slot *s = &w->slots[(first + i) % w->cap];
        int bands = sc->band_start[i + 1] - sc->band_start[i];
        int64_t pts = s->frame->best_effort_timestamp;
        MqcFrameInfo fi = { .index = index, .pts = pts,
                            .time_s = pts == AV_NOPTS_VALUE || !w->si->tb_den ? 0 :
                                      (double)pts * w->si->tb_num / w->si->tb_den };
        for (int c = 0; c < nc; c++) {
            const MqcCheck *ck = checks[c].check;
            if (!ck || checks[c].skipped)
                continue;
            void *fr = sc->frame_results + sc->frame_off[c];
            for (int b = 0; b < bands; b++)
                ck->reduce(checks[c].priv, fr,
                           sc->partials + (size_t)(sc->band_start[i] + b) * sc->slice_stride +
                           sc->slice_off[c], b);
            ck->fold(checks[c].priv, &fi, fr, &checks[c].events);
        }
        if (hook)
            hook->after_fold(hook->ud, &fi, s->frame, sc->results, s->issues, s->issue, s->issue_pos);
        av_frame_unref(s->frame);
        index++;
    }
    return index;
}

int64_t mqc_schedule(MqcInput *in, AVFrame *first, MqcStreamInfo *si, MqcCheckRun *checks,
                     int n, int threads, int band_height, const MqcSchedFrameHook *hook)
{
    int64_t result = MQC_ERR_NOMEM;
    int batch = threads * 2 > 4 ? threads * 2 : 4;
    Window w = { .cap = batch * 2, .in = in, .si = si };
    Scratch sc = { 0 };
    int sub = 1 << (si->is_rgb ? 0 : av_pix_fmt_desc_get(av_get_pix_fmt(si->pix_fmt))->log2_chroma_h);
    int bh = band_height > 0 ? band_height : MQC_DEFAULT_BAND_HEIGHT;
    bh = (bh + sub - 1) / sub * sub;

    w.slots = calloc((size_t)w.cap, sizeof(*w.slots));
    sc.slice_off = calloc((size_t)n + 1, sizeof(size_t));
    sc.frame_off = calloc((size_t)n + 1, sizeof(size_t));
    sc.band_start = calloc((size_t)batch + 1, sizeof(int));
    sc.pics = calloc((size_t)batch, sizeof(MqcPicture));
    sc.results = calloc((size_t)n + 1, sizeof(*sc.results));
    if (!w.slots || !sc.slice_off || !sc.frame_off || !sc.band_start || !sc.pics || !sc.results)
        goto end;
    size_t frame_total = 0;
    for (int c = 0; c < n; c++) {
        sc.slice_off[c] = sc.slice_stride;
        sc.frame_off[c] = frame_total;
        if (checks[c].check && !checks[c].skipped) {
            sc.slice_stride += ALIGN64(checks[c].check->slice_size);
            frame_total += ALIGN64(checks[c].check->frame_size);
        }
    }
    if (!sc.slice_stride)
        sc.slice_stride = 64;
    sc.frame_results = calloc(1, frame_total + 64);
    if (!sc.frame_results)
        goto end;
    for (int i = 0; i < w.cap; i++)
        if (!(w.slots[i].frame = av_frame_alloc()))
            goto end;
    for (int c = 0; c < n; c++)
        sc.results[c] = sc.frame_results + sc.frame_off[c];

    /* the first frame was decoded by the caller to learn the format */
    av_frame_move_ref(w.slots[0].frame, first);
    w.slots[0].issues = mqc_input_take_issues(in, w.slots[0].issue, sizeof(w.slots[0].issue),
                                              &w.slots[0].issue_pos);
    w.count = 1;

    pthread_t producer;
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.filled, NULL);
    pthread_cond_init(&w.drained, NULL);
    if (pthread_create(&producer, NULL, produce, &w)) {
        result = MQC_ERR_NOMEM;
        goto end_sync;
    }

    int64_t index = 0;
    for (;;) {
        pthread_mutex_lock(&w.lock);
        while (!w.count && !w.done)
            pthread_cond_wait(&w.filled, &w.lock);
        int take = w.count < batch ? w.count : batch;
        int head = w.head;
        pthread_mutex_unlock(&w.lock);
        if (!take)
            break;
        index = analyse_batch(&w, head, take, checks, n, threads, bh, &sc, index, hook);
        pthread_mutex_lock(&w.lock);
        w.head = (w.head + take) % w.cap;
        w.count -= take;
        if (index < 0)
            w.stop = 1;
        pthread_cond_signal(&w.drained);
        pthread_mutex_unlock(&w.lock);
        if (index < 0)
            break;
    }
    pthread_join(producer, NULL);
    if (index >= 0 && hook && w.tail.issues) {
        MqcFrameInfo fi = { .index = index > 0 ? index - 1 : 0 };
        hook->after_fold(hook->ud, &fi, NULL, NULL, w.tail.issues, w.tail.issue, w.tail.issue_pos);
    }
    result = index >= 0 && w.error ? w.error : index;
end_sync:
    pthread_mutex_destroy(&w.lock);
    pthread_cond_destroy(&w.filled);
    pthread_cond_destroy(&w.drained);
end:
    for (int i = 0; w.slots && i < w.cap; i++)
        av_frame_free(&w.slots[i].frame);
    free(w.slots);
    free(sc.partials);
    free(sc.frame_results);
    free(sc.slice_off);
    free(sc.frame_off);
    free(sc.band_start);
    free(sc.pics);
    free(sc.results);
    return result;
}
