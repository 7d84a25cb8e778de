#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libavutil/timecode.h>
#include "internal.h"
#ifdef _OPENMP
#include <omp.h>
#endif
#include "scheduler.h"
#include "sidedata.h"
#include "stats.h"

#define ALIGN64(x) (((x) + 63) & ~(size_t)63)

/* A decoded frame waiting in the window, with the decode problems seen
 * since the previous frame. */
typedef struct Slot {
    AVFrame *frame;
    int issues;
    char issue[192];
    int64_t issue_pos;
} Slot;

/* Decode runs ahead on its own thread into a ring of `cap` frames; with a
 * budget of one thread it runs in the analysis thread, when a frame is due. */
typedef struct Window {
    Slot *slots;
    int cap, head, count;
    int done;                   /* producer reached the end */
    int error;                  /* fatal producer error */
    int stop;                   /* consumer asks the producer to stop */
    Slot tail;                  /* problems after the last frame */
    MqcInput *in;
    MqcStreamInfo *si;
    MqcAudioFeed *feed;
    MqcRunStats *stats;         /* --stats, or NULL */
    pthread_mutex_t lock;
    pthread_cond_t filled, drained;
} Window;

/* Decodes one frame into the free slot `s` (only the producer touches a
 * free slot). Returns the read's result. */
static int produce_one(Window *w, Slot *s)
{
    int64_t t0 = w->stats ? mqc_thread_ns() : 0;
    int ret = mqc_input_read(w->in, s->frame, w->si);
    if (w->stats)
        mqc_stat_add(&w->stats->decode_ns, t0);
    Slot *dst = ret == 0 ? s : &w->tail;
    dst->issues = mqc_input_take_issues(w->in, dst->issue, sizeof(dst->issue), &dst->issue_pos);
    pthread_mutex_lock(&w->lock);
    if (ret == 0)
        w->count++;
    else {
        w->done = 1;
        w->error = ret == AVERROR_EOF ? 0 : ret;
    }
    pthread_cond_signal(&w->filled);
    pthread_mutex_unlock(&w->lock);
    if (ret == 0)
        mqc_feed_video_read(w->feed);
    return ret;
}

/* The window is full but the analysis waits for the audio of its next
 * frame: read ahead (video packets are kept compressed). */
static int read_ahead(Window *w)
{
    int r = mqc_input_pump(w->in);
    mqc_feed_pumped(w->feed, r);
    return r;
}

static void *produce(void *arg)
{
    Window *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->lock);
        int wants = 0;
        while (w->count == w->cap && !w->stop && !(wants = mqc_feed_wants(w->feed)))
            pthread_cond_wait(&w->drained, &w->lock);
        int stop = w->stop;
        Slot *s = &w->slots[(w->head + w->count) % w->cap];
        pthread_mutex_unlock(&w->lock);
        if (stop)
            break;
        if (wants) {
            if (read_ahead(w) == MQC_ERR_NOMEM) {
                pthread_mutex_lock(&w->lock);
                w->done = 1;
                w->error = MQC_ERR_NOMEM;
                pthread_cond_signal(&w->filled);
                pthread_mutex_unlock(&w->lock);
                break;
            }
            continue;
        }
        if (produce_one(w, s) < 0)
            break;
    }
    /* the audio after the last picture */
    int r = 0;
    while (!w->error && r >= 0 && r != AVERROR_EOF) {
        pthread_mutex_lock(&w->lock);
        int stop = w->stop;
        pthread_mutex_unlock(&w->lock);
        if (stop)
            break;
        mqc_feed_throttle(w->feed);
        r = mqc_input_pump(w->in);
    }
    mqc_feed_end(w->feed);
    return NULL;
}

int mqc_decoder_threads(int threads)
{
    return threads > 1 ? threads - 1 : 1;
}

/* Frames decoded ahead: bounded in bytes (a UHD 16-bit frame is 50 MB), at
 * least two so decode overlaps the analysis, at most 4 per thread + 2. */
static int window_frames(const MqcStreamInfo *si, int threads)
{
    int most = 4 * threads + 2;
    int frame = av_image_get_buffer_size(av_get_pix_fmt(si->pix_fmt), si->width, si->height, 1);
    int64_t fit = frame > 0 ? MQC_WINDOW_BYTES / frame : most;
    return fit < 2 ? 2 : fit > most ? most : (int)fit;
}

static void poke_producer(void *ud)
{
    Window *w = ud;
    pthread_mutex_lock(&w->lock);
    pthread_cond_signal(&w->drained);
    pthread_mutex_unlock(&w->lock);
}

/* What the analysis keeps between frames; sized once. */
typedef struct Analysis {
    MqcCheckRun *checks;
    int n;
    int threads, band_height;   /* threads: the team for the current frame */
    const MqcStreamInfo *si;
    uint8_t *partials;          /* every band's partials of every check */
    size_t partials_size;
    size_t slice_stride;        /* bytes of all checks' partials for one band */
    size_t *slice_off, *frame_off;
    uint8_t *frame_results;
    const void **results;       /* each check's reduced result of the current frame */
    AVFrame *prev;              /* previous frame, a reference, not a copy */
    AVFrame **refs;             /* per check: the frame it keeps as reference */
    MqcPicture *refpics;        /* per check: the view of refs[c] for the current frame */
    /* whole-frame jobs (measure_frame): their results per window slot, so
     * a batch of frames can be hashed at once, ahead of their fold */
    int *whole;                 /* indices of the checks with measure_frame */
    int nb_whole;
    size_t whole_stride;        /* bytes of those checks' results for one slot */
    size_t *whole_off;
    uint8_t *whole_results;     /* [slot][check] */
    uint8_t *whole_done;        /* per slot */
    MqcPicture *whole_pics;     /* per slot of the current batch */
    int *job_slot, *job_whole;
    /* shared band statistics: each stage an active check names, computed
     * once per band into the scratch of the thread measuring the band */
    const MqcStage **stages;
    unsigned *stage_needs;      /* per stage: what its checks use */
    int nb_stages;
    size_t *stage_off;          /* per stage, in one thread's scratch */
    size_t stage_stride;        /* bytes of one thread's scratch */
    uint8_t *stage_buf;         /* [thread][stage] */
    int *stage_of;              /* per check: its stage's index, or -1 */
    MqcAudioFeed *feed;         /* audio of this frame: one job beside the bands */
    MqcRunStats *stats;         /* --stats, or NULL */
} Analysis;

static int same_geometry(const AVFrame *a, const AVFrame *b)
{
    return a->width == b->width && a->height == b->height && a->format == b->format;
}

/* A picture view for measure_frame: colour planes plus alpha in data[3]. */
static void whole_picture(MqcPicture *pic, const AVFrame *f, const MqcStreamInfo *si)
{
    mqc_picture_from_frame(pic, f, si);
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get((enum AVPixelFormat)f->format);
    if (d && (d->flags & AV_PIX_FMT_FLAG_ALPHA) && (d->flags & AV_PIX_FMT_FLAG_PLANAR)) {
        pic->data[3] = f->data[3];
        pic->linesize[3] = f->linesize[3];
    }
}

/* The whole-frame jobs of this loop. When the current frame has not been
 * measured yet, the next `threads` decoded frames are measured together:
 * one hash is sequential, but hashes of different frames run in parallel,
 * then the following frames find theirs done. */
static int plan_whole_jobs(Analysis *a, const Slot *slots, int cap, int head, int avail)
{
    int jobs = 0;
    if (!a->nb_whole || a->whole_done[head])
        return 0;
    int batch = avail < a->threads ? avail : a->threads;
    for (int k = 0; k < batch; k++) {
        int slot = (head + k) % cap;
        if (a->whole_done[slot])
            continue;
        whole_picture(&a->whole_pics[slot], slots[slot].frame, a->si);
        for (int w = 0; w < a->nb_whole; w++) {
            a->job_slot[jobs] = slot;
            a->job_whole[jobs++] = w;
        }
    }
    return jobs;
}

static void run_whole_job(Analysis *a, int job)
{
    int slot = a->job_slot[job], w = a->job_whole[job], c = a->whole[w];
    int64_t t0 = a->stats ? mqc_thread_ns() : 0;
    a->checks[c].check->measure_frame(a->checks[c].priv, &a->whole_pics[slot],
                                      a->whole_results + (size_t)slot * a->whole_stride +
                                      a->whole_off[w]);
    if (a->stats)
        mqc_stat_add(&a->stats->checks[c][MQC_STAT_FRAME], t0);
}

static int analyse_frame(Analysis *a, const Slot *slots, int cap, int head, int avail,
                         const MqcFrameInfo *fi)
{
    AVFrame *frame = slots[head].frame;
    int whole_jobs = plan_whole_jobs(a, slots, cap, head, avail);
    MqcPicture pic, prev, *refpics = a->refpics;
    mqc_picture_from_frame(&pic, frame, a->si);
    int have_prev = a->prev->buf[0] && same_geometry(a->prev, frame);
    if (have_prev)
        mqc_picture_from_frame(&prev, a->prev, a->si);
    for (int c = 0; c < a->n; c++)
        if (a->refs[c]->buf[0] && same_geometry(a->refs[c], frame))
            mqc_picture_from_frame(&refpics[c], a->refs[c], a->si);
        else
            refpics[c].data[0] = NULL;

    int bh = a->band_height;
    int bands = (pic.height + bh - 1) / bh;
    size_t need = (size_t)bands * a->slice_stride;
    if (need > a->partials_size) {
        uint8_t *p = realloc(a->partials, need);
        if (!p)
            return MQC_ERR_NOMEM;
        a->partials = p;
        a->partials_size = need;
    }

    /* the fused pass: every check on a band while it is in cache; the long
     * whole-frame jobs and the audio come first so they overlap the bands */
    int audio = mqc_feed_pending(a->feed);
    int first_band = whole_jobs + audio;
    #pragma omp parallel for schedule(dynamic, 1) num_threads(a->threads)
    for (int j = 0; j < first_band + bands; j++) {
        if (j < whole_jobs) {
            run_whole_job(a, j);
            continue;
        }
        if (j < first_band) {
            int64_t t0 = a->stats ? mqc_thread_ns() : 0;
            mqc_feed_run(a->feed, a->checks, a->n);
            if (a->stats)
                mqc_stat_add(&a->stats->audio_ns, t0);
            continue;
        }
        int b = j - first_band;
        MqcBand band = { .pic = &pic, .prev = have_prev ? &prev : NULL, .y0 = b * bh,
                         .y1 = (b + 1) * bh < pic.height ? (b + 1) * bh : pic.height };
#ifdef _OPENMP
        const size_t thread = (size_t)omp_get_thread_num();
#else
        const size_t thread = 0;
#endif
        uint8_t *scratch = a->nb_stages ? a->stage_buf + thread * a->stage_stride : NULL;
        int64_t t0 = a->stats ? mqc_thread_ns() : 0;
        for (int k = 0; k < a->nb_stages; k++) {
            a->stages[k]->measure(&band, a->stage_needs[k], scratch + a->stage_off[k]);
            if (a->stats)
                t0 = mqc_stat_add(&a->stats->stage_ns[k < MQC_STATS_STAGES ? k : 0], t0);
        }
        for (int c = 0; c < a->n; c++) {
            if (!a->checks[c].check || a->checks[c].skipped || !a->checks[c].check->measure)
                continue;
            band.ref = refpics[c].data[0] ? &refpics[c] : NULL;
            band.stage = a->stage_of[c] >= 0 ? scratch + a->stage_off[a->stage_of[c]] : NULL;
            a->checks[c].check->measure(a->checks[c].priv, &band,
                                        a->partials + (size_t)b * a->slice_stride +
                                        a->slice_off[c]);
            if (a->stats)
                t0 = mqc_stat_add(&a->stats->checks[c][MQC_STAT_MEASURE], t0);
        }
    }

    for (int j = 0; j < whole_jobs; j++)
        a->whole_done[a->job_slot[j]] = 1;
    for (int w = 0; w < a->nb_whole; w++) {
        int c = a->whole[w];
        memcpy(a->frame_results + a->frame_off[c],
               a->whole_results + (size_t)head * a->whole_stride + a->whole_off[w],
               a->checks[c].check->frame_size);
    }
    if (a->nb_whole)
        a->whole_done[head] = 0;    /* the slot is refilled after this frame */

    for (int c = 0; c < a->n; c++) {
        const MqcCheck *ck = a->checks[c].check;
        if (!ck || a->checks[c].skipped)
            continue;
        void *fr = a->frame_results + a->frame_off[c];
        int64_t t0 = a->stats ? mqc_thread_ns() : 0;
        for (int b = 0; ck->reduce && b < bands; b++)
            ck->reduce(a->checks[c].priv, fr,
                       a->partials + (size_t)b * a->slice_stride + a->slice_off[c], b);
        if (ck->fold && ck->fold(a->checks[c].priv, fi, fr, &a->checks[c].events) &
                        MQC_KEEP_REFERENCE) {
            av_frame_unref(a->refs[c]);
            if (av_frame_ref(a->refs[c], frame) < 0)
                return MQC_ERR_NOMEM;
        }
        if (a->stats)
            mqc_stat_add(&a->stats->checks[c][MQC_STAT_FOLD], t0);
    }
    av_frame_unref(a->prev);
    return mqc_alloc_fails() || av_frame_ref(a->prev, frame) < 0 ? MQC_ERR_NOMEM : 0;
}

/* A segment's first frame sees the frame before it as the single pass
 * does: as band->prev, and as the reference of every check but those a
 * lead-in gave theirs (engine/lead_in.c: the single pass's reference). */
static int segment_context(Analysis *a, const AVFrame *context, const AVFrame *const *refs)
{
    if (av_frame_ref(a->prev, context) < 0)
        return MQC_ERR_NOMEM;
    for (int c = 0; c < a->n; c++) {
        const AVFrame *ref = refs && refs[c] ? refs[c] : context;     /* lead-in: its own */
        if (ref->buf[0] && av_frame_ref(a->refs[c], ref) < 0)
            return MQC_ERR_NOMEM;
    }
    return 0;
}

static void analysis_free(Analysis *a)
{
    for (int c = 0; a->refs && c < a->n; c++)
        av_frame_free(&a->refs[c]);
    free(a->refs);
    free(a->refpics);
    av_frame_free(&a->prev);
    free(a->partials);
    free(a->frame_results);
    free(a->results);
    free(a->slice_off);
    free(a->frame_off);
    free(a->whole);
    free(a->whole_off);
    free(a->whole_results);
    free(a->whole_done);
    free(a->whole_pics);
    free(a->job_slot);
    free(a->job_whole);
    free(a->stages);
    free(a->stage_needs);
    free(a->stage_off);
    free(a->stage_buf);
    free(a->stage_of);
}

/* The distinct stages the active checks name, and one scratch per thread. */
static int stages_init(Analysis *a, const MqcCheckRun *checks, int n)
{
    a->stages = calloc((size_t)n + 1, sizeof(*a->stages));
    a->stage_needs = calloc((size_t)n + 1, sizeof(*a->stage_needs));
    a->stage_off = calloc((size_t)n + 1, sizeof(*a->stage_off));
    a->stage_of = malloc(((size_t)n + 1) * sizeof(*a->stage_of));
    if (!a->stages || !a->stage_needs || !a->stage_off || !a->stage_of)
        return MQC_ERR_NOMEM;
    for (int c = 0; c < n; c++) {
        const MqcCheck *ck = checks[c].check;
        a->stage_of[c] = -1;
        /* the stages measure integer code values: none on float pictures */
        if (!ck || checks[c].skipped || !ck->stage || !ck->measure || a->si->is_float)
            continue;
        int k = 0;
        while (k < a->nb_stages && a->stages[k] != ck->stage)
            k++;
        if (k == a->nb_stages) {
            a->stages[a->nb_stages++] = ck->stage;
            a->stage_off[k] = a->stage_stride;
            a->stage_stride += ALIGN64(ck->stage->size);
        }
        a->stage_needs[k] |= ck->stage_needs;
        a->stage_of[c] = k;
    }
    for (int k = 0; a->stats && k < a->nb_stages && k < MQC_STATS_STAGES; k++)
        a->stats->stage_name[a->stats->nb_stages++] = a->stages[k]->name;
    if (!a->nb_stages)
        return 0;
    a->stage_buf = aligned_alloc(64, (size_t)a->threads * a->stage_stride);
    return a->stage_buf ? 0 : MQC_ERR_NOMEM;
}

static int analysis_init(Analysis *a, MqcCheckRun *checks, int n, int threads, int band_height,
                         const MqcStreamInfo *si, int slots, MqcRunStats *stats)
{
    memset(a, 0, sizeof(*a));
    a->stats = stats;
    a->checks = checks;
    a->n = n;
    a->threads = threads;
    a->si = si;
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(av_get_pix_fmt(si->pix_fmt));
    int sub = d && !si->is_rgb ? 1 << d->log2_chroma_h : 1;
    int bh = band_height > 0 ? band_height : MQC_DEFAULT_BAND_HEIGHT;
    a->band_height = (bh + sub - 1) / sub * sub;
    a->slice_off = calloc((size_t)n + 1, sizeof(size_t));
    a->frame_off = calloc((size_t)n + 1, sizeof(size_t));
    a->results = calloc((size_t)n + 1, sizeof(*a->results));
    a->refs = calloc((size_t)n + 1, sizeof(*a->refs));
    a->refpics = calloc((size_t)n + 1, sizeof(*a->refpics));
    a->prev = av_frame_alloc();
    if (!a->slice_off || !a->frame_off || !a->results || !a->refs || !a->refpics || !a->prev)
        return MQC_ERR_NOMEM;
    size_t frame_total = 0;
    for (int c = 0; c < n; c++) {
        a->slice_off[c] = a->slice_stride;
        a->frame_off[c] = frame_total;
        if (checks[c].check && !checks[c].skipped) {
            a->slice_stride += ALIGN64(checks[c].check->slice_size);
            frame_total += ALIGN64(checks[c].check->frame_size);
        }
        if (!(a->refs[c] = av_frame_alloc()))
            return MQC_ERR_NOMEM;
    }
    if (!a->slice_stride)
        a->slice_stride = 64;
    a->frame_results = calloc(1, frame_total + 64);
    if (!a->frame_results)
        return MQC_ERR_NOMEM;
    for (int c = 0; c < n; c++)
        a->results[c] = a->frame_results + a->frame_off[c];

    int ret = stages_init(a, checks, n);
    if (ret < 0)
        return ret;

    a->whole = calloc((size_t)n + 1, sizeof(*a->whole));
    a->whole_off = calloc((size_t)n + 1, sizeof(*a->whole_off));
    if (!a->whole || !a->whole_off)
        return MQC_ERR_NOMEM;
    for (int c = 0; c < n; c++)
        if (checks[c].check && !checks[c].skipped && checks[c].check->measure_frame) {
            a->whole_off[a->nb_whole] = a->whole_stride;
            a->whole[a->nb_whole++] = c;
            a->whole_stride += ALIGN64(checks[c].check->frame_size);
        }
    if (a->nb_whole) {
        a->whole_results = calloc((size_t)slots, a->whole_stride);
        a->whole_done = calloc((size_t)slots, 1);
        a->whole_pics = calloc((size_t)slots, sizeof(*a->whole_pics));
        a->job_slot = calloc((size_t)slots * (size_t)a->nb_whole, sizeof(int));
        a->job_whole = calloc((size_t)slots * (size_t)a->nb_whole, sizeof(int));
        if (!a->whole_results || !a->whole_done || !a->whole_pics || !a->job_slot ||
            !a->job_whole)
            return MQC_ERR_NOMEM;
    }
    return 0;
}

static void frame_info(MqcFrameInfo *fi, const AVFrame *f, int64_t index,
                       const MqcStreamInfo *si)
{
    memset(fi, 0, sizeof(*fi));
    fi->index = index;
    fi->pts = f->best_effort_timestamp;
    fi->time_s = fi->pts == AV_NOPTS_VALUE || !si->tb_den ? 0 :
                 (double)fi->pts * si->tb_num / si->tb_den;
    fi->duration = f->pkt_duration;
    fi->pkt_pos = f->pkt_pos;
    fi->key_frame = f->key_frame;
    fi->corrupt = (f->flags & AV_FRAME_FLAG_CORRUPT) || f->decode_error_flags;
    mqc_hdr_from_frame(f, &fi->hdr);
    fi->interlaced = f->interlaced_frame != 0;
    fi->top_field_first = f->top_field_first != 0;
    fi->repeat_pict = f->repeat_pict;
    /* SMPTE 12M timecode carried per frame (H.264/HEVC SEI, ...) */
    const AVFrameSideData *sd = av_frame_get_side_data(f, AV_FRAME_DATA_S12M_TIMECODE);
    if (sd && sd->size >= 2 * sizeof(uint32_t) && ((const uint32_t *)sd->data)[0] >= 1) {
        AVRational rate = { si->rate_num > 0 ? si->rate_num : 25, si->rate_num > 0 ? si->rate_den : 1 };
        av_timecode_make_smpte_tc_string2(fi->timecode, rate, ((const uint32_t *)sd->data)[1],
                                          0, 0);
    }
}

/* Where a frame's audio ends on the report's clock. */
static double frame_end(const MqcFrameInfo *fi, const MqcStreamInfo *si, double origin)
{
    double dur = si->rate_num > 0 ? (double)si->rate_den / si->rate_num :
                 fi->duration > 0 && si->tb_den ? (double)fi->duration * si->tb_num / si->tb_den : 0;
    return fi->time_s - origin + dur;
}

static void tail_issues(MqcInput *in, int64_t index, const MqcSchedFrameHook *hook)
{
    Slot tail = { 0 };
    tail.issues = mqc_input_take_issues(in, tail.issue, sizeof(tail.issue), &tail.issue_pos);
    if (hook && tail.issues) {
        MqcFrameInfo fi = { .index = index > 0 ? index - 1 : 0, .pts = AV_NOPTS_VALUE,
                            .pkt_pos = -1 };
        hook->after_fold(hook->ud, &fi, NULL, NULL, tail.issues, tail.issue, tail.issue_pos);
    }
}

int64_t mqc_schedule_audio(MqcInput *in, MqcAudioFeed *feed, MqcCheckRun *checks, int n,
                           const MqcSchedFrameHook *hook)
{
    int r;
    do {
        r = mqc_input_pump(in);
        mqc_feed_take(feed, INFINITY);
        mqc_feed_run(feed, checks, n);
    } while (r >= 0 && r != AVERROR_EOF);
    tail_issues(in, 0, hook);
    return r == MQC_ERR_NOMEM ? r : 0;
}

int64_t mqc_schedule(MqcInput *in, AVFrame *first, MqcStreamInfo *si, MqcAudioFeed *feed,
                     MqcCheckRun *checks, int n, int threads, int band_height,
                     const MqcSchedFrameHook *hook)
{
    Analysis a;
    /* one budget: the decoder's threads, and the analysis team with what is
     * left — all of it while the decoder idles (window full, or the end) */
    int serial = threads == 1;
    int spare = threads - (serial ? 0 : mqc_decoder_threads(threads));
    Window w = { .cap = window_frames(si, threads), .in = in, .si = si, .feed = feed,
                 .stats = hook ? hook->stats : NULL };
    double origin = mqc_input_origin(in), audio_until = -INFINITY;
    int64_t result = analysis_init(&a, checks, n, threads, band_height, si, w.cap, w.stats);
    a.feed = feed;
    w.slots = calloc((size_t)w.cap, sizeof(*w.slots));
    if (result < 0 || !w.slots) {
        result = MQC_ERR_NOMEM;
        goto end;
    }
    for (int i = 0; i < w.cap; i++)
        if (!(w.slots[i].frame = av_frame_alloc())) {
            result = MQC_ERR_NOMEM;
            goto end;
        }

    if (hook && hook->context && segment_context(&a, hook->context, hook->refs) < 0) {
        result = MQC_ERR_NOMEM;
        goto end;
    }
    /* the first frame was decoded by the caller to learn the format */
    av_frame_move_ref(w.slots[0].frame, first);
    w.slots[0].issues = mqc_input_take_issues(in, w.slots[0].issue, sizeof(w.slots[0].issue),
                                              &w.slots[0].issue_pos);
    w.count = 1;

    pthread_t producer;
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.filled, NULL);
    pthread_cond_init(&w.drained, NULL);
    if (!serial && pthread_create(&producer, NULL, produce, &w)) {
        result = MQC_ERR_NOMEM;
        goto end_sync;
    }

    int64_t index = hook ? hook->first_index : 0;
    int ret = 0;
    for (;;) {
        pthread_mutex_lock(&w.lock);
        while (!w.count && !w.done) {
            if (serial) {   /* decode now, on this thread */
                pthread_mutex_unlock(&w.lock);
                produce_one(&w, &w.slots[w.head]);
                pthread_mutex_lock(&w.lock);
                continue;
            }
            pthread_cond_wait(&w.filled, &w.lock);
        }
        Slot *s = w.count ? &w.slots[w.head] : NULL;
        int avail = w.count;    /* slots head..head+avail-1 stay ours until released */
        a.threads = avail == w.cap || w.done ? threads : spare;
        pthread_mutex_unlock(&w.lock);
        if (!s)
            break;

        MqcFrameInfo fi;
        frame_info(&fi, s->frame, index, si);
        double until = frame_end(&fi, si, origin);
        if (until > audio_until)
            audio_until = until;
        if (serial)     /* no reading thread: read ahead here */
            while (mqc_feed_behind(feed, audio_until) && read_ahead(&w) != MQC_ERR_NOMEM)
                ;
        else
            mqc_feed_wait(feed, audio_until, poke_producer, &w);
        mqc_feed_take(feed, audio_until);
        ret = analyse_frame(&a, w.slots, w.cap, w.head, avail, &fi);
        if (ret >= 0 && hook)
            hook->after_fold(hook->ud, &fi, s->frame, a.results, s->issues, s->issue,
                             s->issue_pos);
        av_frame_unref(s->frame);
        index++;

        pthread_mutex_lock(&w.lock);
        w.head = (w.head + 1) % w.cap;
        w.count--;
        if (ret < 0)
            w.stop = 1;
        pthread_cond_signal(&w.drained);
        pthread_mutex_unlock(&w.lock);
        if (ret < 0)
            break;
    }
    if (serial) {
        /* no reading thread: the audio after the last picture is read here */
        int r;
        while ((r = read_ahead(&w)) >= 0 && r != AVERROR_EOF) {
            mqc_feed_take(feed, INFINITY);
            mqc_feed_run(feed, checks, n);
        }
        mqc_feed_end(feed);
    }
    mqc_feed_drain(feed, checks, n);   /* the audio after the last picture */
    if (!serial)
        pthread_join(producer, NULL);
    if (ret >= 0 && hook && w.tail.issues) {
        MqcFrameInfo fi = { .index = index > 0 ? index - 1 : 0, .pts = AV_NOPTS_VALUE,
                            .pkt_pos = -1 };
        hook->after_fold(hook->ud, &fi, NULL, NULL, w.tail.issues, w.tail.issue,
                         w.tail.issue_pos);
    }
    if (ret >= 0)
        tail_issues(in, index, hook);   /* audio read after the last picture */
    result = ret < 0 ? ret : w.error ? w.error : index;
end_sync:
    pthread_mutex_destroy(&w.lock);
    pthread_cond_destroy(&w.filled);
    pthread_cond_destroy(&w.drained);
end:
    for (int i = 0; w.slots && i < w.cap; i++)
        av_frame_free(&w.slots[i].frame);
    free(w.slots);
    analysis_free(&a);
    return result;
}

void mqc_frame_info(MqcFrameInfo *fi, const AVFrame *f, int64_t index, const MqcStreamInfo *si)
{
    frame_info(fi, f, index, si);
}
