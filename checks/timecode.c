/* timecode: the start timecode (tmcd track or metadata tag), its counting
 * against the frame rate, and the continuity of per-frame timecodes where
 * the stream carries them (SMPTE 12M side data, e.g. H.264/HEVC SEI).
 * SMPTE ST 12-1 defines drop-frame counting only for 30000/1001 and
 * 60000/1001: a drop-frame timecode (';' before the frames) at any other rate
 * is an error (timecode_dropframe_mismatch); non-drop counting at 29.97 is
 * legal (it drifts from the clock by 3.6 s per hour, by design) and is not
 * reported. Timecode strings and frame numbers come from libavutil. */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <libavutil/timecode.h>
#include "../engine/check.h"

typedef struct Timecode {
    /* options */
    int frame_timecodes;
    /* stream facts */
    AVRational rate;
    int rate_allows_drop;
    char start[32];             /* as the container carries it, "" when none */
    int start_drop;             /* start uses drop-frame counting */
    int start_mismatch;         /* drop-frame start at a rate without drop-frame */
    AVTimecode counter;         /* counts from the start; valid when have_counter */
    int have_counter;
    int64_t day_frames;         /* timecodes per 24 hours at this rate and counting */
    /* temporal state */
    int64_t frames;
    int64_t frames_with_tc, breaks, unreadable;
    int have_last;
    int64_t last_number;        /* frame number of the last per-frame timecode */
    int64_t last_index;         /* the frame that carried it (GOP timecodes are sparse) */
    char first_tc[32], last_tc[32];
    int frame_mismatch_reported;
} Timecode;

static const MqcOption timecode_options[] = {
    { "frame_timecodes", MQC_OPT_BOOL, offsetof(Timecode, frame_timecodes), 1, 0, 1, NULL, NULL,
      "check that per-frame timecodes (SMPTE 12M side data) count up by one frame" },
    { .name = NULL }
};

static const MqcEventCode timecode_codes[] = {
    { "timecode_break", "timecode does not follow the previous frame's (jump of %.0f frames)" },
    { "timecode_dropframe_mismatch", "drop-frame timecode at a rate without drop-frame" },
    { .code = NULL }
};

static int is_drop_rate(AVRational r)
{
    return r.den == 1001 && (r.num == 30000 || r.num == 60000);
}

/* SMPTE writes hh:mm:ss:ff, drop-frame hh:mm:ss;ff (also '.' or ','). */
static int uses_drop(const char *tc)
{
    const char *sep = NULL;
    for (const char *p = tc; *p; p++)
        if (!isdigit((unsigned char)*p))
            sep = p;
    return sep && *sep != ':';
}

/* Frame number of a timecode string at this rate with its own counting,
 * or -1 when libavutil cannot read it. */
static int64_t tc_number(AVRational rate, const char *s)
{
    AVTimecode t;
    if (av_timecode_init_from_string(&t, rate, s, NULL) < 0)
        return -1;
    return t.start;
}

static void tc_string(const Timecode *s, int drop, int64_t number, char buf[32])
{
    AVTimecode t = s->counter;
    t.start = 0;
    t.flags = (drop ? AV_TIMECODE_FLAG_DROPFRAME : 0) | AV_TIMECODE_FLAG_24HOURSMAX;
    char out[AV_TIMECODE_STR_SIZE];
    av_timecode_make_string(&t, out, (int)number);
    snprintf(buf, 32, "%s", out);
}

static int timecode_init(void *priv, const MqcStreamInfo *si, char *why, size_t why_len)
{
    (void)why;
    (void)why_len;
    Timecode *s = priv;
    s->rate = si->rate_num > 0 && si->rate_den > 0 ? (AVRational){ si->rate_num, si->rate_den }
                                                    : (AVRational){ 25, 1 };
    s->rate_allows_drop = is_drop_rate(s->rate);
    /* the tag as written: the engine empties start_timecode when libavutil
     * cannot count it at this rate (drop-frame at 25 fps, ...), which is
     * what this check reports */
    snprintf(s->start, sizeof(s->start), "%s",
             si->start_timecode[0] ? si->start_timecode : si->start_timecode_tag);
    s->start_drop = s->start[0] && uses_drop(s->start);
    s->start_mismatch = s->start_drop && !s->rate_allows_drop;

    /* count from the start; a mismatched start counts non-drop so the end
     * timecode can still be given */
    int drop = s->start[0] ? s->start_drop && s->rate_allows_drop : s->rate_allows_drop;
    if (av_timecode_init(&s->counter, s->rate, drop ? AV_TIMECODE_FLAG_DROPFRAME : 0, 0,
                         NULL) >= 0) {
        s->have_counter = 1;
        char ndf[32];
        snprintf(ndf, sizeof(ndf), "%s", s->start);
        if (s->start_mismatch)
            ndf[strcspn(ndf, ";.,")] = ':';
        int64_t n = s->start[0] ? tc_number(s->rate, ndf) : 0;
        s->counter.start = n > 0 ? (int)n : 0;
        char last[32];
        snprintf(last, sizeof(last), "23:59:59%c%02u", drop ? ';' : ':', s->counter.fps - 1);
        s->day_frames = tc_number(s->rate, last) + 1;
    }
    return 0;
}

static void add_event(MqcEvents *ev, const char *code, int64_t frame, double value,
                      const char *detail)
{
    MqcEvent e = { .code = code, .start_frame = frame, .end_frame = frame, .worst_frame = frame,
                   .value = value };
    snprintf(e.detail, sizeof(e.detail), "%s", detail);
    mqc_events_add(ev, &e);
}

/* A timecode that stays broken for several frames (stuck, counting at the
 * wrong rate) is one event, not one per frame. */
static void flag_break(MqcEvents *ev, int64_t frame, double jump, const char *detail)
{
    MqcEvent *last = ev->n ? &ev->v[ev->n - 1] : NULL;
    if (last && !strcmp(last->code, "timecode_break") && last->end_frame == frame - 1) {
        last->end_frame = frame;
        return;
    }
    add_event(ev, "timecode_break", frame, jump, detail);
}

static void check_frame_timecode(Timecode *s, const MqcFrameInfo *fi, MqcEvents *ev)
{
    char d[192];
    int drop = uses_drop(fi->timecode);
    if (drop && !s->rate_allows_drop && !s->frame_mismatch_reported) {
        snprintf(d, sizeof(d), "frames carry drop-frame timecodes (%s) at %d/%d fps: "
                 "drop-frame is defined for 30000/1001 and 60000/1001 only (SMPTE ST 12-1)",
                 fi->timecode, s->rate.num, s->rate.den);
        add_event(ev, "timecode_dropframe_mismatch", fi->index, 1, d);
        s->frame_mismatch_reported = 1;
    } else if (s->start[0] && !s->start_mismatch && drop != s->start_drop &&
               !s->frame_mismatch_reported) {
        snprintf(d, sizeof(d), "frames carry %s timecodes (%s), the container's start "
                 "timecode %s is %s", drop ? "drop-frame" : "non-drop-frame", fi->timecode,
                 s->start, s->start_drop ? "drop-frame" : "non-drop-frame");
        add_event(ev, "timecode_dropframe_mismatch", fi->index, 1, d);
        s->frame_mismatch_reported = 1;
    }
    int64_t n = tc_number(s->rate, fi->timecode);
    if (n < 0) {
        s->unreadable++;
        return;
    }
    s->frames_with_tc++;
    if (!s->first_tc[0])
        snprintf(s->first_tc, sizeof(s->first_tc), "%s", fi->timecode);
    snprintf(s->last_tc, sizeof(s->last_tc), "%s", fi->timecode);

    int64_t expected = -1;
    const char *after = "the previous frame's";
    if (s->have_last && s->day_frames > 0)
        expected = (s->last_number + (fi->index - s->last_index)) % s->day_frames;
    else if (!s->have_last && s->have_counter && s->start[0] && !s->start_mismatch &&
             drop == s->start_drop) {
        expected = (s->counter.start + fi->index) % (s->day_frames > 0 ? s->day_frames : 1);
        after = "the container's start timecode";
    }
    if (expected >= 0 && n != expected) {
        char want[32];
        tc_string(s, drop, expected, want);
        snprintf(d, sizeof(d), "timecode break: expected %s (following %s), found %s",
                 want, after, fi->timecode);
        flag_break(ev, fi->index, (double)(n - expected), d);
        s->breaks++;
    }
    s->have_last = 1;
    s->last_number = n;
    s->last_index = fi->index;
}

static int timecode_fold(void *priv, const MqcFrameInfo *fi, const void *frame, MqcEvents *ev)
{
    (void)frame;
    Timecode *s = priv;
    if (s->frames++ == 0 && s->start_mismatch) {
        char d[192];
        snprintf(d, sizeof(d), "drop-frame start timecode %s at %d/%d fps: drop-frame is "
                 "defined for 30000/1001 and 60000/1001 only (SMPTE ST 12-1)", s->start,
                 s->rate.num, s->rate.den);
        add_event(ev, "timecode_dropframe_mismatch", fi->index, 1, d);
    }
    if (s->frame_timecodes && fi->timecode[0])
        check_frame_timecode(s, fi, ev);
    return 0;
}

static void timecode_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m)
{
    (void)si;
    (void)ev;
    const Timecode *s = priv;
    const char *source = s->start[0] ? "container" : s->first_tc[0] ? "frames" : "none";
    mqc_metric_string(m, "timecode_source", source);
    if (s->start[0])
        mqc_metric_string(m, "start_timecode", s->start);
    else if (s->first_tc[0])
        mqc_metric_string(m, "start_timecode", s->first_tc);
    int drop = s->start[0] ? s->start_drop : s->first_tc[0] ? uses_drop(s->first_tc) : 0;
    mqc_metric_int(m, "drop_frame", drop);
    if (s->last_tc[0]) {
        mqc_metric_string(m, "end_timecode", s->last_tc);
    } else if (s->start[0] && s->have_counter && s->frames) {
        char end[AV_TIMECODE_STR_SIZE];
        av_timecode_make_string(&s->counter, end, (int)(s->frames - 1));
        mqc_metric_string(m, "end_timecode", end);
    }
    mqc_metric_int(m, "frames_with_timecode", s->frames_with_tc);
    mqc_metric_int(m, "timecode_breaks", s->breaks);
    if (s->unreadable)
        mqc_metric_int(m, "unreadable_frame_timecodes", s->unreadable);
}

const MqcCheck mqc_check_timecode = {
    .name = "timecode",
    .summary = "start timecode and drop-frame counting vs the frame rate (SMPTE ST 12-1), "
               "continuity of per-frame timecodes",
    .default_severity = MQC_SEV_ERROR,
    .options = timecode_options,
    .codes = timecode_codes,
    .priv_size = sizeof(Timecode),
    .init = timecode_init,
    .fold = timecode_fold,          /* no pixels: no measure, no reduce */
    .finish = timecode_finish,
};
