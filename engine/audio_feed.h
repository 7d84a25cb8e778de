/* Decoded audio between the reading thread and the analysis: a queue per
 * stream, taken in order and cut at video frame ends, so a frame's record
 * sees exactly the audio up to its end whatever the thread count. */
#ifndef MQC_AUDIO_FEED_H
#define MQC_AUDIO_FEED_H

#include "input.h"

typedef struct MqcAudioFeed MqcAudioFeed;

/* Becomes the input's audio sink; `info` (n streams) gets start_s and
 * samples as the analysis proceeds. */
int mqc_feed_new(MqcAudioFeed **out, MqcInput *in, MqcAudioInfo *info, int n);
void mqc_feed_free(MqcAudioFeed **f);

/* Segment 0: after its own frames the audio is cut where each later
 * frame of the file ends, as a single pass cuts it, and cut(ud, pts) runs
 * after the audio up to that frame's end (the audio checks' per-frame
 * records). Call before the first frame is read; the clock (si's time base
 * and rate, the report's origin) before the first mqc_feed_take. */
void mqc_feed_cut_frames(MqcAudioFeed *f, MqcInput *in, void (*cut)(void *ud, int64_t pts),
                         void *ud);
void mqc_feed_cut_clock(MqcAudioFeed *f, const MqcStreamInfo *si, double origin);

/* Where a frame's audio ends on the report's clock: its time (pts, or 0
 * unknown) and one frame period (or its duration when the rate is not
 * known), from the report's origin. */
static inline double mqc_frame_end_s(int64_t pts, int64_t duration, const MqcStreamInfo *si,
                                     double origin)
{
    double time_s = pts == AV_NOPTS_VALUE || !si->tb_den ? 0 :
                    (double)pts * si->tb_num / si->tb_den;
    double dur = si->rate_num > 0 ? (double)si->rate_den / si->rate_num :
                 duration > 0 && si->tb_den ? (double)duration * si->tb_num / si->tb_den : 0;
    return time_s - origin + dur;
}

/* ---- reading thread ---- */
/* After mqc_input_pump: 1 (read-ahead limit) and AVERROR_EOF are noted. */
void mqc_feed_pumped(MqcAudioFeed *f, int pump_result);
/* After a video frame was read: the read-ahead shrank. */
void mqc_feed_video_read(MqcAudioFeed *f);
/* No more audio will come (end of file, error, stop). */
void mqc_feed_end(MqcAudioFeed *f);
/* After the last picture: waits while much audio is queued. */
void mqc_feed_throttle(MqcAudioFeed *f);
/* The analysis waits for audio that only reading ahead can bring. */
int mqc_feed_wants(MqcAudioFeed *f);

/* ---- analysis thread ---- */
/* Waits until every stream's audio reaches `until` (seconds, report
 * clock) or can go no further; poke(ud) wakes the reading thread. */
void mqc_feed_wait(MqcAudioFeed *f, double until, void (*poke)(void *), void *ud);
/* 1 while some stream's audio has not reached `until` and could. */
int mqc_feed_behind(MqcAudioFeed *f, double until);
/* Takes what is queued before `until` (INFINITY: everything) for run. */
void mqc_feed_take(MqcAudioFeed *f, double until);
/* 1 when take() left samples to run. */
int mqc_feed_pending(const MqcAudioFeed *f);
/* Hands the taken samples to the audio checks, stream by stream. */
void mqc_feed_run(MqcAudioFeed *f, MqcCheckRun *checks, int n);
/* Runs all the rest as it arrives, until the reading thread ends. */
void mqc_feed_drain(MqcAudioFeed *f, MqcCheckRun *checks, int n);

#endif
