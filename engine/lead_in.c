/* A segment's lead-in (docs/segments.md "Lead-in"). A check that keeps a
 * reference (freeze: the first frame of the current run) compares a
 * segment's first frame with whatever frame the single pass kept, which
 * may lie far before the cut. Its resync hook names the frames that leave
 * its state the same whatever came before them; folding the frames before
 * the cut from one of those (or from frame 0) gives the single pass's
 * state at the cut, so the segment records the single pass's results.
 *
 * The frames the segment decodes before its cut anyway (from the keyframe
 * at or before cut - 2) are the first try: on moving content a resync is
 * among them. When none is, the input is opened again from twice as far
 * back, and so on: in a long hold the lead-in reaches back to the hold's
 * start, decoding at most about four times the hold. Each try starts the
 * checks it rebuilds from a fresh state (options from params, init). Only
 * those checks see the lead-in's frames; nothing of them is reported. */
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "lead_in.h"
#include "scheduler.h"
#include "stats.h"

typedef struct Lead {
    int c;                      /* in run->checks */
    void *priv;                 /* the state being built: the run's own in the first try */
    AVFrame *ref;               /* its reference */
    int synced;                 /* this try passed a resync (or began at frame 0) */
    int done;                   /* priv and ref are the segment's */
} Lead;

typedef struct LeadIn {
    MqcRun *run;
    Lead *v;
    int n;
    AVFrame *prev;              /* the frame before, in this try */
    int64_t start;              /* the try's first frame */
    uint8_t *slice, *frame, *stage;     /* one band's partial and stage, the frame's result */
    MqcEvents events;           /* what the lead-in's folds flag: not reported */
} LeadIn;

int mqc_lead_in_wanted(const MqcRun *run)
{
    for (int c = 0; c < run->nb_checks; c++)
        if (run->checks[c].check && run->checks[c].check->resync)
            return 1;
    return 0;
}

static int same_geometry(const AVFrame *a, const AVFrame *b)
{
    return a->buf[0] && a->width == b->width && a->height == b->height &&
           a->format == b->format;
}

/* Folds frame f (shown `index`th) through every lead not settled yet, as
 * the scheduler would: bands of MQC_DEFAULT_BAND_HEIGHT rows (results do
 * not depend on the band height), reduce in band order, then fold. */
static int lead_frame(LeadIn *L, const AVFrame *f, int64_t index)
{
    const MqcStreamInfo *si = &L->run->si;
    MqcFrameInfo fi;
    MqcPicture pic, prev, ref;
    mqc_frame_info(&fi, f, index, si);
    mqc_picture_from_frame(&pic, f, si);
    int have_prev = same_geometry(L->prev, f);
    if (have_prev)
        mqc_picture_from_frame(&prev, L->prev, si);
    for (int i = 0; i < L->n; i++) {
        Lead *l = &L->v[i];
        const MqcCheck *ck = L->run->checks[l->c].check;
        if (l->done)
            continue;
        int have_ref = same_geometry(l->ref, f);
        if (have_ref)
            mqc_picture_from_frame(&ref, l->ref, si);
        for (int b = 0, y0 = 0; y0 < pic.height; b++, y0 += MQC_DEFAULT_BAND_HEIGHT) {
            int y1 = y0 + MQC_DEFAULT_BAND_HEIGHT;
            MqcBand band = { .pic = &pic, .prev = have_prev ? &prev : NULL,
                             .ref = have_ref ? &ref : NULL, .y0 = y0,
                             .y1 = y1 < pic.height ? y1 : pic.height };
            if (ck->stage && !si->is_float) {
                ck->stage->measure(&band, ck->stage_needs, L->stage);
                band.stage = L->stage;
            }
            ck->measure(l->priv, &band, L->slice);
            ck->reduce(l->priv, L->frame, L->slice, b);
        }
        if (index > L->start && ck->resync(l->priv, &fi, L->frame))
            l->synced = 1;
        if (ck->fold(l->priv, &fi, L->frame, &L->events) & MQC_KEEP_REFERENCE) {
            av_frame_unref(l->ref);
            if (av_frame_ref(l->ref, f) < 0)
                return MQC_ERR_NOMEM;
        }
    }
    mqc_events_free(&L->events);
    av_frame_unref(L->prev);
    if (L->run->stats && L->n)
        L->run->stats->lead_frames++;
    return av_frame_ref(L->prev, f) < 0 ? MQC_ERR_NOMEM : 0;
}

/* A try that starts at display frame `start`: no frame before it, no
 * reference for the leads it rebuilds. */
static void lead_start(LeadIn *L, int64_t start)
{
    L->start = start;
    av_frame_unref(L->prev);
    for (int i = 0; i < L->n; i++)
        if (!L->v[i].done) {
            av_frame_unref(L->v[i].ref);
            L->v[i].synced = start == 0;    /* the single pass starts there too */
        }
}

static int unsettled(const LeadIn *L)
{
    for (int i = 0; i < L->n; i++)
        if (!L->v[i].done)
            return 1;
    return 0;
}

static void priv_free(const MqcCheck *ck, void *priv)
{
    if (!priv)
        return;
    if (ck->close)
        ck->close(priv);
    mqc_options_release(ck->options, priv);
    free(priv);
}

/* A fresh state of check c, as mqc_run_init_checks made the run's. */
static int priv_new(MqcRun *run, int c, void **out, MqcMsg *msg)
{
    MqcCheckRun *cr = &run->checks[c];
    char why[256] = "";
    void *p = calloc(1, cr->check->priv_size ? cr->check->priv_size : 1);
    if (!p)
        return MQC_ERR_NOMEM;
    int r = mqc_options_apply(cr->check->options, p, cr->params);
    if (r >= 0 && cr->check->init && (r = cr->check->init(p, &run->si, why, sizeof(why))) > 0)
        r = MQC_ERR_PROFILE;    /* it ran on this stream a moment ago */
    if (r < 0) {
        mqc_msg(msg, "%s: %s: lead-in: %s", run->input_path, cr->id,
                why[0] ? why : mqc_strerror(r));
        priv_free(cr->check, p);
        return r;
    }
    *out = p;
    return 0;
}

/* The leads this try passed a resync for are settled: their state becomes
 * the run's (a later try's fresh state replaces the one the run began). */
static void settle(LeadIn *L)
{
    for (int i = 0; i < L->n; i++) {
        Lead *l = &L->v[i];
        MqcCheckRun *cr = &L->run->checks[l->c];
        if (l->done || !l->synced)
            continue;
        if (l->priv != cr->priv) {
            priv_free(cr->check, cr->priv);
            cr->priv = l->priv;
        }
        l->done = 1;
        if (L->run->stats && (L->run->stats->lead_from < 0 || L->start < L->run->stats->lead_from))
            L->run->stats->lead_from = L->start;
    }
}

/* The first try: the frames the segment's input hands over before its
 * first one, `first` being the first of them; the segment's first frame
 * ends in `first`. */
static int try_segment_input(LeadIn *L, MqcInput *in, int64_t cut, AVFrame *first,
                             MqcMsg *msg)
{
    AVFrame *f = av_frame_alloc();
    if (!f)
        return MQC_ERR_NOMEM;
    lead_start(L, mqc_input_position(in));
    int64_t pos = L->start;
    int ret = 0;
    while (pos < cut) {
        if ((ret = lead_frame(L, first, pos)) < 0)
            break;
        av_frame_unref(first);
        if ((ret = mqc_input_read(in, f, &L->run->si)) < 0 &&
            mqc_input_misnumbered(in, msg) < 0) {
            ret = MQC_ERR_USAGE;    /* MXF, Matroska: the timestamps do not count the frames */
            break;
        }
        if (ret < 0) {
            mqc_msg(msg, "%s: frame %lld before the segment could not be decoded (%s)",
                    L->run->input_path, (long long)pos + 1,
                    ret == AVERROR_EOF ? "the file ends before it" : mqc_strerror(ret));
            ret = ret == MQC_ERR_NOMEM ? ret : MQC_ERR_UNREADABLE;
            break;
        }
        av_frame_move_ref(first, f);
        pos = mqc_input_position(in);
    }
    mqc_input_hand_lead(in, 0);
    av_frame_free(&f);
    return ret;
}

/* A later try: the input opened again, frames from the keyframe at or
 * before `from` up to the cut, for the leads not settled, from fresh
 * states. */
static int try_again(LeadIn *L, const MqcRunOptions *opt, const MqcSegmentPlan *plan,
                     int64_t from, MqcMsg *msg)
{
    MqcRun *run = L->run;
    MqcInput *in = NULL;
    MqcStreamInfo si;
    char format[64];
    AVFrame *f = av_frame_alloc();
    memset(&si, 0, sizeof(si));
    int ret = f ? 0 : MQC_ERR_NOMEM;
    for (int i = 0; ret >= 0 && i < L->n; i++)
        if (!L->v[i].done) {
            if (L->v[i].priv != run->checks[L->v[i].c].priv)
                priv_free(run->checks[L->v[i].c].check, L->v[i].priv);
            L->v[i].priv = NULL;
            ret = priv_new(run, L->v[i].c, &L->v[i].priv, msg);
        }
    if (ret >= 0)
        ret = mqc_input_open(&in, opt->input, opt->stream_index,
                             mqc_decoder_threads(run->threads),
                             opt->max_pixels ? opt->max_pixels : MQC_DEFAULT_MAX_PIXELS, &si,
                             format, sizeof(format), msg, NULL);
    if (ret >= 0 &&
        (ret = mqc_input_frames(in, from, plan->first, from, plan->index_hash, msg)) >= 0) {
        for (int c = 0; c < run->nb_checks; c++)
            if (run->checks[c].check && run->checks[c].check->source_frame)
                mqc_input_keep_source(in, 1);
        mqc_input_hand_lead(in, 1);
    }
    int64_t pos = -1;
    int opened = ret >= 0;
    while (ret >= 0 && (ret = mqc_input_read(in, f, &si)) >= 0) {
        if (pos < 0)
            lead_start(L, mqc_input_position(in));
        pos = mqc_input_position(in);
        ret = lead_frame(L, f, pos);
        av_frame_unref(f);
    }
    if (ret == AVERROR_EOF && pos == plan->first - 1) {
        ret = 0;
    } else if (opened && mqc_input_misnumbered(in, msg) < 0) {
        ret = MQC_ERR_USAGE;
    } else if (opened && ret != MQC_ERR_NOMEM) {
        mqc_msg(msg, "%s: the frames before the segment could not be decoded again from "
                "frame %lld (%s)", run->input_path, (long long)from,
                ret == AVERROR_EOF ? "they end before it" : mqc_strerror(ret));
        ret = MQC_ERR_UNREADABLE;
    }
    mqc_input_close(&in);
    av_frame_free(&f);
    return ret;
}

void mqc_lead_in_free(MqcLeadIn *l)
{
    for (int c = 0; l->refs && c < l->nb; c++)
        av_frame_free(&l->refs[c]);
    free(l->refs);
    l->refs = NULL;
}

static void lead_free(LeadIn *L)
{
    for (int i = 0; L->v && i < L->n; i++) {
        if (L->v[i].priv != L->run->checks[L->v[i].c].priv)
            priv_free(L->run->checks[L->v[i].c].check, L->v[i].priv);
        av_frame_free(&L->v[i].ref);
    }
    free(L->v);
    av_frame_free(&L->prev);
    free(L->slice);
    free(L->frame);
    free(L->stage);
    mqc_events_free(&L->events);
}

/* The checks with a resync hook that run on this stream, and buffers for
 * the largest of their partials. */
static int lead_init(LeadIn *L, MqcRun *run)
{
    size_t slice = 1, frame = 1, stage = 1;
    memset(L, 0, sizeof(*L));
    L->run = run;
    L->v = calloc((size_t)run->nb_checks + 1, sizeof(*L->v));
    if (!L->v || !(L->prev = av_frame_alloc()))
        return MQC_ERR_NOMEM;
    for (int c = 0; c < run->nb_checks; c++) {
        const MqcCheck *ck = run->checks[c].check;
        if (!ck || run->checks[c].skipped || !ck->resync || !ck->measure || !ck->fold)
            continue;
        Lead *l = &L->v[L->n++];
        l->c = c;
        l->priv = run->checks[c].priv;
        if (!(l->ref = av_frame_alloc()))
            return MQC_ERR_NOMEM;
        slice = ck->slice_size > slice ? ck->slice_size : slice;
        frame = ck->frame_size > frame ? ck->frame_size : frame;
        if (ck->stage && ck->stage->size > stage)
            stage = ck->stage->size;
    }
    L->slice = calloc(1, slice);
    L->frame = calloc(1, frame);
    L->stage = calloc(1, stage);
    return L->slice && L->frame && L->stage ? 0 : MQC_ERR_NOMEM;
}

int mqc_lead_in(MqcRun *run, const MqcRunOptions *opt, const MqcSegmentPlan *plan,
                MqcInput *in, AVFrame *first, MqcLeadIn *out, MqcMsg *msg)
{
    LeadIn L;
    memset(out, 0, sizeof(*out));
    int64_t t0 = run->stats ? mqc_thread_ns() : 0;
    int ret = lead_init(&L, run);
    if (ret >= 0)
        ret = try_segment_input(&L, in, plan->first, first, msg);
    if (ret >= 0)
        settle(&L);
    while (ret >= 0 && unsettled(&L)) {
        /* no resync among these frames: from twice as far back (a try from
         * frame 0 settles every lead) */
        int64_t span = plan->first - L.start > 0 ? plan->first - L.start : 1;
        int64_t from = plan->first - 2 * span;
        if ((ret = try_again(&L, opt, plan, from > 0 ? from : 0, msg)) >= 0)
            settle(&L);
    }
    if (ret >= 0 && L.n) {
        out->nb = run->nb_checks;
        if (!(out->refs = calloc((size_t)out->nb, sizeof(*out->refs))))
            ret = MQC_ERR_NOMEM;
        for (int i = 0; ret >= 0 && i < L.n; i++) {
            out->refs[L.v[i].c] = L.v[i].ref;   /* an empty frame: no reference */
            L.v[i].ref = NULL;
        }
    }
    lead_free(&L);
    if (run->stats)
        mqc_stat_add(&run->stats->lead_ns, t0);
    return ret;
}
