/* Where each display frame sits in time, from the frames' timestamps.
 * Event times and timecodes are taken from here, never from the frame
 * index alone: after 5 missing frames the next frame's timecode is 5 later.
 * Only frames that leave the nominal grid are stored (anchors), so a
 * constant-rate file costs one entry; a variable-rate one costs one per
 * irregular frame. */
#include <math.h>
#include <stdlib.h>
#include <libavutil/avutil.h>
#include "mediaqc.h"

/* off the grid by more than this share of a frame: a new anchor (container
 * time bases round: Matroska to 1 ms, 33/34 ms steps at 29.97) */
#define ANCHOR_TOLERANCE 0.25

static double frame_s(const MqcTimeline *tl)
{
    return tl->rate_num > 0 && tl->rate_den > 0 ? (double)tl->rate_den / tl->rate_num : 0;
}

void mqc_timeline_init(MqcTimeline *tl, int rate_num, int rate_den, int tb_num, int tb_den)
{
    free(tl->anchor);
    *tl = (MqcTimeline){ .rate_num = rate_num, .rate_den = rate_den, .tb_num = tb_num,
                         .tb_den = tb_den, .origin_pts = AV_NOPTS_VALUE };
}

double mqc_timeline_time(const MqcTimeline *tl, int64_t frame)
{
    /* the last anchor at or before the frame (anchors are in frame order) */
    size_t lo = 0, hi = tl->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tl->anchor[mid].frame <= frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return tl->rate_num > 0 && tl->rate_den > 0 ?
               (double)frame * tl->rate_den / tl->rate_num : 0;
    const MqcTimeAnchor *a = &tl->anchor[lo - 1];
    return a->t + (double)(frame - a->frame) * frame_s(tl);
}

int mqc_timeline_add(MqcTimeline *tl, int64_t frame, int64_t pts)
{
    if (pts == AV_NOPTS_VALUE || tl->tb_num <= 0 || tl->tb_den <= 0)
        return 0;
    if (tl->origin_pts == AV_NOPTS_VALUE) {
        /* the first timed frame: frames before it are on the grid before it */
        tl->origin_pts = pts - (int64_t)llround((double)frame * frame_s(tl) * tl->tb_den /
                                                tl->tb_num);
        return 0;
    }
    double t = (double)(pts - tl->origin_pts) * tl->tb_num / tl->tb_den;
    double predicted = mqc_timeline_time(tl, frame);
    double fs = frame_s(tl);
    /* timestamps that go back (a splice, a restart) keep the frames moving
     * forward on the grid: a timecode never runs backwards inside a file */
    if (fabs(t - predicted) <= ANCHOR_TOLERANCE * fs || (frame > 0 &&
        t <= mqc_timeline_time(tl, frame - 1)))
        return 0;
    if (tl->n == tl->cap) {
        size_t cap = tl->cap ? 2 * tl->cap : 16;
        MqcTimeAnchor *a = realloc(tl->anchor, cap * sizeof(*a));
        if (!a)
            return AVERROR(ENOMEM);
        tl->anchor = a;
        tl->cap = cap;
    }
    tl->anchor[tl->n++] = (MqcTimeAnchor){ .frame = frame, .t = t };
    return 0;
}

void mqc_timeline_free(MqcTimeline *tl)
{
    free(tl->anchor);
    tl->anchor = NULL;
    tl->n = tl->cap = 0;
}

double mqc_run_time(const MqcRun *run, int64_t frame)
{
    return mqc_timeline_time(&run->timeline, frame);
}

int64_t mqc_run_tc_frame(const MqcRun *run, int64_t frame)
{
    if (!run->timeline.n)
        return frame;   /* on the grid: exact, no rounding */
    double rate = run->si.rate_num > 0 && run->si.rate_den > 0 ?
                  (double)run->si.rate_num / run->si.rate_den : 0;
    return rate > 0 ? llround(mqc_run_time(run, frame) * rate) : frame;
}

void mqc_run_timecode(const MqcRun *run, int64_t frame, char buf[32])
{
    mqc_tc_string(&run->tc, mqc_run_tc_frame(run, frame), buf);
}
