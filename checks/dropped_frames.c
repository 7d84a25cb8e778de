/* dropped_frames: continuity of the frame sequence. From the container's
 * timestamps (no pixels): gaps of whole frames (missing_frames), timestamps
 * that repeat, go back or fall off the frame grid (timestamp_discontinuity),
 * a decoded count that disagrees with the container (frame_count_mismatch).
 * From the pixels: short runs of frames bit-identical to their predecessor
 * inside moving picture (repeated_frame), the mark of a capture that dropped
 * frames and padded with copies. Decode errors are the engine's decode check.
 *
 * Variable frame rate: an interval is "irregular" when it is not within a
 * fifth of a frame of a whole number of nominal frames. Dropped frames leave
 * whole-frame gaps; VFR sources leave irregular intervals. The stream is
 * VFR when at least 3 intervals and at least 1% of them are irregular, or
 * when more than half of the intervals skip frames (the nominal rate is then
 * not the stream's: libavformat guesses 120 fps for a 24/30 fps mix, on whose
 * grid every interval is a "gap"). Then the metric vfr is 1 and gaps and
 * irregular intervals are not reported (the grid they are measured on does
 * not exist). The average rate is not used for this: a CFR file with a gap
 * has an average rate below its nominal rate too.
 *
 * A variable rate is a fact of the stream (phone footage wobbles between
 * 30 and 24 fps), not a fault per frame: off-grid intervals give one info
 * event, variable_frame_rate, unless the profile asks for a constant rate
 * (`cfr`), where each one is a timestamp_discontinuity. Timestamps that
 * repeat or go back are faults either way.
 *
 * Image sequences: timestamps count frames from the start number, so a hole
 * in the numbering is a gap; missing_frames names the absent files. A file
 * that is present but did not decode leaves a gap too: that is the decode
 * check's error, not a missing file. A sequence has the rate it is given:
 * never VFR. */
#include <math.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "dsp/dsp.h"
#include "../engine/range.h"

#define NO_PTS INT64_MIN            /* AV_NOPTS_VALUE */
#define IRREGULAR_FRAMES 0.2        /* off the grid by more than this: not a rounding */
#define VFR_MIN_INTERVALS 3
#define VFR_MIN_SHARE 0.01
#define VFR_GAP_SHARE 0.5           /* most intervals skip frames: not the stream's rate */
#define DURATION_SLACK_FRAMES 1.0   /* durations are rounded by muxers, estimated in MPEG-TS */
#define FLAT_SPREAD_PCT 10.0        /* the black check's pixel threshold */

typedef struct Dropped {
    /* options */
    int repeats;
    int64_t max_repeat_frames;
    int cfr;
    /* stream facts */
    double frame_ticks;         /* nominal frame duration in time-base ticks; 0: unknown */
    double tick_s;              /* seconds per tick */
    unsigned flat_spread;       /* luma max - min at or below this: a featureless picture */
    int sample_index;
    const MqcDsp *dsp;
    /* timestamps */
    int64_t frames, untimed, corrupt;
    int64_t last_pts;           /* the anchor: last timestamp on the timeline */
    int64_t skipped, skipped_pts; /* frames since the anchor whose timestamp was bad */
    int64_t intervals, irregular, gaps, missing, backwards;
    int64_t prev_delta;         /* the interval before, in ticks; 0: none */
    int64_t rate_changes, first_change, last_change; /* frames whose interval differs */
    const MqcSequence *sequence;    /* image sequence: which files exist */
    int64_t sequence_start;
    int64_t undecoded;              /* sequence files present in a gap: decode errors */
    /* repeats: a run [run_start, run_end] of frames identical to the one
     * before; it is reported once two moving frames follow it (pending) */
    unsigned moved_hist;        /* bit 0: the previous frame moved, bit 1: the one before */
    int run_open, run_flat, run_moving_before;
    int64_t run_start, run_end;
    int pending;
    int64_t pend_start, pend_end;
    int64_t repeated_frames;
} Dropped;

typedef struct DroppedFrame {
    int compared;               /* a previous frame of the same geometry existed */
    int identical;              /* every sample equals the previous frame's */
    unsigned y_min, y_max;      /* only when identical */
} DroppedFrame;

static const MqcOption dropped_options[] = {
    { "repeats", MQC_OPT_BOOL, offsetof(Dropped, repeats), 1, 0, 1, NULL, NULL,
      "report frames bit-identical to their predecessor inside moving picture" },
    { "max_repeat_frames", MQC_OPT_INT, offsetof(Dropped, max_repeat_frames), 5, 1, 1000,
      NULL, NULL, "longer runs of identical frames are a held picture (the freeze check's "
      "job), not repeats" },
    { "cfr", MQC_OPT_BOOL, offsetof(Dropped, cfr), 0, 0, 1, NULL, NULL,
      "require a constant frame rate: every interval off the nominal grid is a "
      "timestamp_discontinuity (otherwise a variable rate is one info event)" },
    { .name = NULL }
};

static const MqcEventCode dropped_codes[] = {
    { "missing_frames", "%.0f frame(s) missing: gap in the timestamps" },
    { "timestamp_discontinuity", "timestamp off the frame grid (%.2f frames after the previous)" },
    { "frame_count_mismatch", "%.0f frame(s) fewer than the container declares" },
    { "repeated_frame", "frame identical to the previous one inside moving picture (%.0f)" },
    { "variable_frame_rate", "variable frame rate: %.0f interval(s) off the nominal frame grid" },
    { .code = NULL }
};

static int dropped_init(void *priv, const MqcStreamInfo *si, char *why, size_t why_len)
{
    (void)why;
    (void)why_len;
    Dropped *s = priv;
    if (si->rate_num > 0 && si->rate_den > 0 && si->tb_num > 0 && si->tb_den > 0)
        s->frame_ticks = (double)si->tb_den * si->rate_den / ((double)si->tb_num * si->rate_num);
    s->tick_s = si->tb_den > 0 ? (double)si->tb_num / si->tb_den : 0;
    if (!si->is_float) {    /* float: no code values, no repeat detection (below) */
        MqcNominal n = mqc_nominal(si->bit_depth, si->full_range);
        s->flat_spread = (unsigned)(FLAT_SPREAD_PCT / 100.0 * (n.white - n.black));
    }
    s->sample_index = si->bit_depth > 8;
    s->dsp = mqc_dsp_get();
    s->last_pts = NO_PTS;
    /* float pictures: the timestamps are checked; repeated pictures are not
     * (the featureless test reads integer codes) */
    if (si->is_float)
        s->repeats = 0;
    s->sequence = si->sequence;
    s->sequence_start = si->sequence_start;
    if (s->sequence && s->frame_ticks)     /* files missing before the first one count */
        s->last_pts = si->start_pts - llround(s->frame_ticks);
    return 0;
}

/* Rows of this band in every plane equal the previous frame's; stops at
 * the first difference, so moving picture costs a few bytes per band. */
static int band_identical(const MqcBand *band)
{
    const MqcPicture *pic = band->pic;
    MqcBand prev_band = *band;
    prev_band.pic = band->prev;
    for (int p = 0; p < pic->nb_planes; p++) {
        const uint8_t *a, *b;
        int w, rows;
        mqc_band_plane(band, p, &a, &w, &rows);
        mqc_band_plane(&prev_band, p, &b, &w, &rows);
        size_t bytes = (size_t)w * (size_t)pic->bytes_per_sample;
        for (int y = 0; y < rows; y++)
            if (memcmp(a + y * pic->linesize[p], b + y * band->prev->linesize[p], bytes))
                return 0;
    }
    return 1;
}

static void dropped_measure(const void *priv, const MqcBand *band, void *slice)
{
    const Dropped *s = priv;
    DroppedFrame *out = slice;
    memset(out, 0, sizeof(*out));
    if (!s->repeats || !band->prev)
        return;
    out->compared = 1;
    out->identical = band_identical(band);
    if (out->identical) {
        /* only repeats pay for this: is the picture featureless? */
        const uint8_t *data;
        int w, rows;
        MqcPlaneStats st;
        mqc_band_plane(band, 0, &data, &w, &rows);
        s->dsp->plane_stats[s->sample_index](data, band->pic->linesize[0], w, rows, 0, ~0u, &st);
        out->y_min = st.min;
        out->y_max = st.max;
    }
}

static void dropped_reduce(const void *priv, void *frame, const void *slice, int band)
{
    (void)priv;
    DroppedFrame *f = frame;
    const DroppedFrame *b = slice;
    if (band == 0) {
        *f = *b;
        return;
    }
    f->compared &= b->compared;
    f->identical &= b->identical;
    f->y_min = b->y_min < f->y_min ? b->y_min : f->y_min;
    f->y_max = b->y_max > f->y_max ? b->y_max : f->y_max;
}

/* Consecutive frames with bad timestamps (stuck, jittering) are one event
 * that keeps the first frame's message; value: the first interval. */
static void add_or_extend(MqcEvents *ev, const char *code, int64_t frame, double value,
                          const char *detail)
{
    MqcEvent *last = ev->n ? &ev->v[ev->n - 1] : NULL;
    if (last && !strcmp(last->code, code) && last->end_frame == frame - 1 &&
        (last->value > 0) == (value > 0)) {
        last->end_frame = frame;
        return;
    }
    mqc_events_add_span(ev, code, frame, frame, value, "%s", detail);
}

/* A gap in a sequence: the files of its slots that do not exist are
 * missing_frames, named; those present did not decode (the decode check
 * reports them). */
static void sequence_gap(Dropped *s, const MqcFrameInfo *fi, int64_t first_slot, int64_t slots,
                         MqcEvents *ev)
{
    char d[192] = "", name[128];
    int64_t absent = 0;
    size_t len = 0;
    int listed = 0;
    for (int64_t k = 0; k < slots; k++) {
        int64_t number = s->sequence_start + first_slot + k;
        if (mqc_sequence_has(s->sequence, number)) {
            s->undecoded++;
            continue;
        }
        absent++;
        /* the first few by name, then how many more */
        if (listed < 4 && len < sizeof(d)) {
            mqc_sequence_name(s->sequence, number, 0, name, sizeof(name));
            len += (size_t)snprintf(d + len, sizeof(d) - len, "%s%s", listed ? ", " : "", name);
            listed++;
        }
    }
    if (!absent)
        return;
    char text[192];
    snprintf(text, sizeof(text), "%lld file(s) missing from the sequence: %s%s", (long long)absent,
             d, absent > listed ? ", ..." : "");
    s->gaps++;
    s->missing += absent;
    mqc_events_add_span(ev, "missing_frames", fi->index, fi->index, (double)absent, "%s", text);
}

/* Intervals are measured from the last good timestamp (the anchor) and
 * rounded to whole frames: container time bases round (Matroska to 1 ms,
 * 33/34 ms steps at 29.97), so half a frame of tolerance is built in. A
 * timestamp that repeats or goes back is reported and skipped, so the next
 * good frame is measured from the anchor with one more slot used; a second
 * one that moves on from the first is a new timeline (a reset, a splice),
 * adopted without more events. */
static void check_timestamp(Dropped *s, const MqcFrameInfo *fi, MqcEvents *ev)
{
    if (fi->pts == NO_PTS || !s->frame_ticks) {
        s->untimed++;
        return;
    }
    if (s->last_pts == NO_PTS) {
        s->last_pts = fi->pts;
        return;
    }
    int64_t delta = fi->pts - s->last_pts;
    int64_t expected = s->last_pts + (int64_t)llround(s->frame_ticks * (1 + s->skipped));
    char d[192];
    s->intervals++;
    if (delta <= 0) {
        if (s->skipped && fi->pts > s->skipped_pts) {
            s->last_pts = fi->pts;
            s->skipped = 0;
            return;
        }
        s->backwards++;
        s->skipped++;
        s->skipped_pts = fi->pts;
        snprintf(d, sizeof(d), "timestamp %s: expected pts %lld (%.3f s), found %lld (%.3f s)",
                 delta ? "goes back" : "repeats", (long long)expected, expected * s->tick_s,
                 (long long)fi->pts, fi->pts * s->tick_s);
        add_or_extend(ev, "timestamp_discontinuity", fi->index, (double)delta / s->frame_ticks,
                      d);
        return;
    }
    /* where the rate changes: the interval differs from the one before */
    if (s->prev_delta && llabs(delta - s->prev_delta) > IRREGULAR_FRAMES * s->frame_ticks) {
        if (!s->rate_changes++)
            s->first_change = fi->index;
        s->last_change = fi->index;
    }
    s->prev_delta = delta;
    double frames = (double)delta / s->frame_ticks;
    double whole = floor(frames + 0.5);
    /* slots between the anchor and this frame that no frame filled; the
     * frames with bad timestamps since the anchor may have filled some */
    int64_t missing = (int64_t)whole - 1 - s->skipped;
    /* the frame slot of the first missing one, counted from the start */
    int64_t first_slot = (int64_t)llround((double)s->last_pts / s->frame_ticks) + 1 + s->skipped;
    s->last_pts = fi->pts;
    s->skipped = 0;
    if (whole < 1 || fabs(frames - whole) > IRREGULAR_FRAMES) {
        s->irregular++;
        if (!s->cfr)
            return;     /* a variable rate: one fact at the end */
        snprintf(d, sizeof(d), "timestamp off the frame grid: expected pts %lld (%.3f s), "
                 "found %lld (%.3f s), %.2f frames after the previous", (long long)expected,
                 expected * s->tick_s, (long long)fi->pts, fi->pts * s->tick_s, frames);
        add_or_extend(ev, "timestamp_discontinuity", fi->index, frames, d);
    } else if (missing > 0 && s->sequence) {
        sequence_gap(s, fi, first_slot, missing, ev);
    } else if (missing > 0) {
        s->gaps++;
        s->missing += missing;
        snprintf(d, sizeof(d), "%lld frame(s) missing before this one: expected pts %lld "
                 "(%.3f s), found %lld (%.3f s)", (long long)missing, (long long)expected,
                 expected * s->tick_s, (long long)fi->pts, fi->pts * s->tick_s);
        mqc_events_add_span(ev, "missing_frames", fi->index, fi->index, (double)missing, "%s", d);
    }
}

static void close_run(Dropped *s)
{
    s->run_open = 0;
    s->pending = s->run_moving_before && !s->run_flat &&
                 s->run_end - s->run_start + 1 <= s->max_repeat_frames;
    s->pend_start = s->run_start;
    s->pend_end = s->run_end;
}

/* A run of repeats counts when two moving frames precede it and two follow
 * it: animation on twos (A A B B) or a held shot is not a capture fault. */
static void check_repeat(Dropped *s, const MqcFrameInfo *fi, const DroppedFrame *f,
                         MqcEvents *ev)
{
    int identical = f->compared && f->identical;
    int moving_before = (s->moved_hist & 3) == 3;
    if (identical) {
        int flat = f->y_max - f->y_min <= s->flat_spread;
        s->pending = 0;     /* the picture did not keep moving after the last run */
        if (!s->run_open) {
            s->run_open = 1;
            s->run_start = fi->index;
            s->run_flat = flat;
            s->run_moving_before = moving_before;
        }
        s->run_flat &= flat;
        s->run_end = fi->index;
    } else {
        if (s->pending && fi->index == s->pend_end + 2) {
            int64_t n = s->pend_end - s->pend_start + 1;
            char d[192];
            snprintf(d, sizeof(d), "%lld frame(s) identical to the frame before them inside "
                     "moving picture (dropped and padded?)", (long long)n);
            mqc_events_add_span(ev, "repeated_frame", s->pend_start, s->pend_end, (double)n,
                                "%s", d);
            s->repeated_frames += n;
            s->pending = 0;
        }
        if (s->run_open)
            close_run(s);
    }
    /* frame 0 has nothing to move from: it does not count as moving */
    s->moved_hist = (s->moved_hist << 1) | (unsigned)(f->compared && !identical);
}

static int dropped_fold(void *priv, const MqcFrameInfo *fi, const void *frame, MqcEvents *ev)
{
    Dropped *s = priv;
    s->frames++;
    s->corrupt += fi->corrupt != 0;
    check_timestamp(s, fi, ev);
    if (s->repeats)
        check_repeat(s, fi, frame, ev);
    return 0;
}

static void dropped_record(const void *priv, const void *frame, MqcRecord *rec)
{
    const DroppedFrame *f = frame;
    if (((const Dropped *)priv)->repeats)
        mqc_record_int(rec, "identical_to_previous", f->compared && f->identical);
}

static int is_vfr(const Dropped *s)
{
    if (s->sequence)
        return 0;   /* a sequence has the rate it is given */
    return (s->irregular >= VFR_MIN_INTERVALS &&
            (double)s->irregular >= VFR_MIN_SHARE * (double)s->intervals) ||
           (double)s->gaps > VFR_GAP_SHARE * (double)s->intervals;
}

/* VFR: gaps and irregular intervals are measured on a grid that does not
 * exist; timestamps that repeat or go back (value <= 0) stay wrong. */
static void drop_grid_events(MqcEvents *ev)
{
    size_t w = 0;
    for (size_t r = 0; r < ev->n; r++) {
        const MqcEvent *e = &ev->v[r];
        if (!strcmp(e->code, "missing_frames") ||
            (!strcmp(e->code, "timestamp_discontinuity") && e->value > 0))
            continue;
        ev->v[w++] = *e;
    }
    ev->n = w;
    memset(ev->open, 0, sizeof(ev->open));
}

static void check_count(const Dropped *s, const MqcStreamInfo *si, int vfr, MqcEvents *ev,
                        MqcMetrics *m)
{
    if (!s->frames)
        return;
    char d[192];
    int64_t last = s->frames - 1;
    if (s->sequence) {
        /* files present: decoded, or in a gap (decode errors) */
        if (s->frames + s->undecoded != si->frames_declared)
            mqc_events_add_span(ev, "frame_count_mismatch", last, last,
                                (double)(si->frames_declared - s->frames),
                                "decoded %lld frames of the %lld files of the sequence",
                                (long long)s->frames, (long long)si->frames_declared);
        return;
    }
    if (si->frames_declared > 0) {
        if (si->frames_declared != s->frames) {
            snprintf(d, sizeof(d), "decoded %lld frames, the container declares %lld",
                     (long long)s->frames, (long long)si->frames_declared);
            mqc_events_add_span(ev, "frame_count_mismatch", last, last,
                      (double)(si->frames_declared - s->frames), "%s", d);
        }
        return;
    }
    /* a duration says nothing about a timeline that restarts or a VFR one */
    if (vfr || s->backwards || si->duration_s <= 0 || si->rate_num <= 0 || si->rate_den <= 0)
        return;
    /* frames the duration holds, less those already reported missing */
    double expected = si->duration_s * si->rate_num / si->rate_den;
    mqc_metric_double(m, "frames_from_duration", expected);
    double diff = expected - (double)(s->frames + s->missing);
    if (fabs(diff) > DURATION_SLACK_FRAMES) {
        snprintf(d, sizeof(d), "decoded %lld frames (+%lld missing), the container's duration "
                 "%.3f s holds %.1f", (long long)s->frames, (long long)s->missing,
                 si->duration_s, expected);
        mqc_events_add_span(ev, "frame_count_mismatch", last, last, floor(diff + 0.5), "%s", d);
    }
}

/* One info event over the frames that left the grid: where a constant rate
 * is not required, a variable rate is reported, not failed. */
static void add_vfr_fact(const Dropped *s, const MqcStreamInfo *si, MqcEvents *ev)
{
    char d[192];
    snprintf(d, sizeof(d), "variable frame rate: the interval changes %lld time(s), %lld of "
             "%lld intervals off the nominal %.3f fps grid (average %.3f fps)",
             (long long)s->rate_changes, (long long)s->irregular, (long long)s->intervals,
             si->rate_den > 0 ? (double)si->rate_num / si->rate_den : 0,
             si->avg_rate_den > 0 ? (double)si->avg_rate_num / si->avg_rate_den : 0);
    /* from the first to the last change of rate; the whole stream if none */
    int64_t first = s->rate_changes ? s->first_change : 0;
    int64_t last = s->rate_changes ? s->last_change : s->frames - 1;
    MqcEvent e = { .code = "variable_frame_rate", .start_frame = first, .end_frame = last,
                   .worst_frame = first, .value = (double)s->irregular, .info = 1 };
    snprintf(e.detail, sizeof(e.detail), "%s", d);
    mqc_events_add(ev, &e);
}

/* Repeats inside a pulldown cadence that another check learnt (24p made
 * 30p repeats a frame every 5: the cadence, not a capture fault). */
static int64_t drop_cadence_repeats(const MqcStreamInfo *si, MqcEvents *ev)
{
    size_t w = 0;
    int64_t dropped = 0;
    for (size_t r = 0; r < ev->n; r++) {
        const MqcEvent *e = &ev->v[r];
        if (!strcmp(e->code, "repeated_frame") &&
            mqc_learnt_covers(si->learnt, "pulldown", e->start_frame, e->end_frame)) {
            dropped += e->end_frame - e->start_frame + 1;
            continue;
        }
        ev->v[w++] = *e;
    }
    ev->n = w;
    memset(ev->open, 0, sizeof(ev->open));
    return dropped;
}

static void dropped_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m)
{
    const Dropped *s = priv;
    int vfr = is_vfr(s) || (!s->cfr && s->irregular > 0);
    int64_t in_cadence = s->repeats ? drop_cadence_repeats(si, ev) : 0;
    if (is_vfr(s) && !s->cfr)
        drop_grid_events(ev);
    if (vfr && !s->cfr)
        add_vfr_fact(s, si, ev);
    check_count(s, si, vfr, ev, m);
    mqc_metric_int(m, "frames", s->frames);
    mqc_metric_int(m, "frames_declared", si->frames_declared);
    mqc_metric_int(m, "timestamp_intervals", s->intervals);
    mqc_metric_int(m, "frames_without_timestamp", s->untimed);
    mqc_metric_int(m, "gaps", vfr ? 0 : s->gaps);
    mqc_metric_int(m, "missing_frames", vfr ? 0 : s->missing);
    mqc_metric_int(m, "timestamps_backwards", s->backwards);
    mqc_metric_int(m, "irregular_intervals", s->irregular);
    mqc_metric_int(m, "frame_rate_changes", s->rate_changes);
    mqc_metric_int(m, "vfr", vfr);
    if (s->sequence)
        mqc_metric_int(m, "sequence_files_undecoded", s->undecoded);
    if (si->rate_num > 0 && si->rate_den > 0)
        mqc_metric_double(m, "nominal_frame_rate", (double)si->rate_num / si->rate_den);
    if (vfr)
        mqc_metric_string(m, "note", "variable frame rate: gaps are not measured on a "
                          "nominal grid");
    if (si->avg_rate_num > 0 && si->avg_rate_den > 0)
        mqc_metric_double(m, "avg_frame_rate", (double)si->avg_rate_num / si->avg_rate_den);
    if (s->repeats) {
        mqc_metric_int(m, "repeated_frames", s->repeated_frames - in_cadence);
        mqc_metric_int(m, "repeats_in_pulldown", in_cadence);
    }
    mqc_metric_int(m, "corrupt_frames", s->corrupt);
}

static const MqcSeries dropped_series[] = {
    { "identical_to_previous", "identical to the previous frame", "0/1", NULL, MQC_STAT_MAX,
      NULL },
    { .key = NULL }
};

const MqcCheck mqc_check_dropped_frames = {
    .name = "dropped_frames",
    .summary = "gaps and discontinuities in the timestamps, frame count vs the container, "
               "repeated frames in moving picture",
    .default_severity = MQC_SEV_ERROR,
    .options = dropped_options,
    .codes = dropped_codes,
    .priv_size = sizeof(Dropped),
    .slice_size = sizeof(DroppedFrame),
    .frame_size = sizeof(DroppedFrame),
    .init = dropped_init,
    .measure = dropped_measure,
    .reduce = dropped_reduce,
    .fold = dropped_fold,
    .record = dropped_record,
    .finish = dropped_finish,
    .series = dropped_series,
    .float_input = 1,
};
