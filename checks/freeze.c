/* freeze: runs of frames that do not move, with ffmpeg freezedetect's
 * semantics: each frame is compared with a reference, the first frame of the
 * current run, and becomes the reference itself when it moved (fold returns
 * MQC_KEEP_REFERENCE). "Moved" is a mean absolute luma difference above
 * noise_pct of the nominal range. freezedetect's noise is a fraction of the
 * full code range 2^bits averaged over all planes: n = noise_pct/100 *
 * (white - black) / 2^bits, so its default 0.001 (-60 dB) is 0.117% of the
 * nominal range of limited-range video and 0.100% of full-range video.
 * A run is reported when it holds at least min_duration_s of frames
 * (freezedetect: pts of the first moving frame - pts of the reference >= d).
 * Black frames (the black check's definition: 98% of the luma within 10% of
 * the nominal range above black) break runs unless include_black is set, so
 * a black run is not reported twice. The sums are per band, in the fused
 * pass: no second pass over the pictures. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include "dsp/dsp.h"
#include "../engine/range.h"

typedef struct Freeze {
    /* options */
    double noise_pct;
    double min_duration_s;
    int include_black;
    /* limits for this stream */
    double noise_code;          /* largest mean |Y - Yref| of a frozen frame, code values */
    unsigned black_code;        /* a luma sample <= this is black */
    int sample_index;
    const MqcDsp *dsp;
    int64_t min_frames;
    double frame_s;
    /* temporal state */
    int64_t ref_index;          /* first frame of the current run */
    int in_run;                 /* frames after the reference are frozen */
    int64_t run_end;            /* last frozen frame of the run */
    int64_t frozen_frames, black_frames;
} Freeze;

typedef struct FreezeFrame {
    uint64_t sad;               /* sum of |Y - Yref| */
    uint64_t black;             /* luma samples <= black_code */
    uint64_t count;
    int have_ref;
} FreezeFrame;

static const MqcOption freeze_options[] = {
    { "noise_pct", MQC_OPT_DOUBLE, offsetof(Freeze, noise_pct), 0.1, 0, 100, NULL, NULL,
      "a frame is frozen when its mean absolute luma difference to the run's first frame "
      "is at most this % of the nominal range (freezedetect n=0.001 is 0.117)" },
    { "min_duration_s", MQC_OPT_DOUBLE, offsetof(Freeze, min_duration_s), 2.0, 0, 86400,
      NULL, NULL, "shorter frozen runs are not reported (freezedetect d)" },
    { "include_black", MQC_OPT_BOOL, offsetof(Freeze, include_black), 0, 0, 1, NULL, NULL,
      "also report frozen black pictures (the black check reports those already)" },
    { .name = NULL }
};

static const MqcEventCode freeze_codes[] = {
    { "freeze_frames", "frozen picture for %.2f s" },
    { .code = NULL }
};

static int freeze_init(void *priv, const MqcStreamInfo *si, char *why, size_t why_len)
{
    (void)why;
    (void)why_len;
    Freeze *s = priv;
    /* R'G'B': G' is the plane closest to luma */
    MqcNominal n = mqc_nominal(si->bit_depth, si->full_range);
    s->noise_code = s->noise_pct / 100.0 * (n.white - n.black);
    s->black_code = mqc_black_code(si->bit_depth, si->full_range, MQC_BLACK_PCT);
    s->sample_index = si->bit_depth > 8;
    s->dsp = mqc_dsp_get();
    double fps = si->rate_num > 0 && si->rate_den > 0 ? (double)si->rate_num / si->rate_den
                                                       : 25.0;
    s->frame_s = 1.0 / fps;
    s->min_frames = (int64_t)ceil(s->min_duration_s * fps - 1e-9);
    if (s->min_frames < 2)
        s->min_frames = 2;      /* a run is a reference and at least one frozen frame */
    return 0;
}

static void freeze_measure(const void *priv, const MqcBand *band, void *slice)
{
    const Freeze *s = priv;
    FreezeFrame *out = slice;
    out->have_ref = band->ref != NULL;
    out->sad = out->black = out->count = 0;
    if (!band->ref)
        return;
    const uint8_t *cur, *ref;
    int w, rows;
    MqcBand ref_band = *band;
    ref_band.pic = band->ref;
    mqc_band_plane(band, 0, &cur, &w, &rows);
    mqc_band_plane(&ref_band, 0, &ref, &w, &rows);
    s->dsp->sad_black[s->sample_index](cur, band->pic->linesize[0], ref, band->ref->linesize[0],
                                       w, rows, s->black_code, &out->sad, &out->black);
    out->count = (uint64_t)w * (uint64_t)rows;
}

static void freeze_reduce(const void *priv, void *frame, const void *slice, int band)
{
    (void)priv;
    FreezeFrame *f = frame;
    const FreezeFrame *b = slice;
    if (band == 0) {
        *f = *b;
        return;
    }
    f->have_ref &= b->have_ref;
    f->sad += b->sad;
    f->black += b->black;
    f->count += b->count;
}

static double mean_difference(const FreezeFrame *f)
{
    return f->count ? (double)f->sad / (double)f->count : 0;
}

/* One event per run, added whole: a held picture that cuts to another held
 * picture is two freezes (freezedetect reports two), not one long run. */
static void close_run(Freeze *s, MqcEvents *ev)
{
    if (!s->in_run)
        return;
    MqcEvent e = { .code = "freeze_frames", .start_frame = s->ref_index,
                   .end_frame = s->run_end, .worst_frame = s->ref_index };
    mqc_events_add(ev, &e);
    s->in_run = 0;
}

/* the black check's black picture */
static int black_picture(const FreezeFrame *f)
{
    return f->count && (double)f->black >= MQC_BLACK_PICTURE_RATIO * (double)f->count;
}

static int freeze_fold(void *priv, const MqcFrameInfo *fi, const void *frame, MqcEvents *ev)
{
    Freeze *s = priv;
    const FreezeFrame *f = frame;
    int black = black_picture(f);
    int frozen = f->have_ref && f->count && (double)f->sad <= s->noise_code * (double)f->count &&
                 (s->include_black || !black);
    s->black_frames += black;
    if (!frozen) {
        close_run(s, ev);
        s->ref_index = fi->index;
        return MQC_KEEP_REFERENCE;
    }
    s->in_run = 1;
    s->run_end = fi->index;
    return 0;
}

/* A frame that moved more than twice the noise from this run's reference
 * becomes the reference in every run of this fold that reached it, from
 * whatever frame it started: two runs' references at a frame are within the
 * noise of each other (the later of the two was frozen against the earlier
 * in the other run, which kept it), and the mean absolute difference is a
 * distance, so d(f, r) >= d(f, r') - d(r', r) > 2 noise - noise for the
 * other run's r. Exact: the sums are integers and twice the double fold()
 * compares with is exact. A black frame (unless include_black) and a size
 * change reset every run too. */
static int freeze_resync(const void *priv, const MqcFrameInfo *fi, const void *frame)
{
    (void)fi;
    const Freeze *s = priv;
    const FreezeFrame *f = frame;
    if (!f->have_ref || !f->count)
        return 1;
    if (!s->include_black && black_picture(f))
        return 1;
    return (double)f->sad > 2 * (s->noise_code * (double)f->count);
}

static void freeze_record(const void *priv, const void *frame, MqcRecord *rec)
{
    (void)priv;
    const FreezeFrame *f = frame;
    if (f->have_ref)
        mqc_record_double(rec, "freeze_mad", mean_difference(f));
}

static void freeze_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m)
{
    (void)si;
    Freeze *s = priv;
    close_run(s, ev);
    mqc_events_drop_shorter(ev, "freeze_frames", s->min_frames);
    s->frozen_frames = 0;
    for (size_t i = 0; i < ev->n; i++) {
        MqcEvent *e = &ev->v[i];
        int64_t n = e->end_frame - e->start_frame + 1;
        e->value = (double)n * s->frame_s;     /* the event's value is its duration */
        e->worst_frame = e->start_frame;
        s->frozen_frames += n;
    }
    mqc_metric_double(m, "noise_code", s->noise_code);
    mqc_metric_int(m, "min_frames", s->min_frames);
    mqc_metric_int(m, "frozen_frames", s->frozen_frames);
    mqc_metric_int(m, "freeze_runs_reported", (int64_t)ev->n);
    if (!s->include_black)
        mqc_metric_int(m, "black_frames_skipped", s->black_frames);
}

static const MqcSeries freeze_series[] = {
    { "freeze_mad", "mean difference to the run's first frame", "code", NULL, MQC_STAT_MAX,
      NULL },
    { .key = NULL }
};

const MqcCheck mqc_check_freeze = {
    .name = "freeze",
    .summary = "runs of frozen frames (freezedetect semantics: mean absolute luma difference "
               "to the run's first frame)",
    .default_severity = MQC_SEV_WARNING,
    .options = freeze_options,
    .codes = freeze_codes,
    .priv_size = sizeof(Freeze),
    .slice_size = sizeof(FreezeFrame),
    .frame_size = sizeof(FreezeFrame),
    .init = freeze_init,
    .measure = freeze_measure,
    .reduce = freeze_reduce,
    .fold = freeze_fold,
    .record = freeze_record,
    .finish = freeze_finish,
    .series = freeze_series,
    .resync = freeze_resync,
};
