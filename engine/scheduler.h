/* The one-pass scheduler: decode ahead into a bounded window of frames,
 * cut each into bands, run every active check's measure() per band with
 * OpenMP, then reduce in band order and fold in display order. */
#ifndef MQC_SCHEDULER_H
#define MQC_SCHEDULER_H

#include "audio_feed.h"
#include "input.h"

#define MQC_DEFAULT_BAND_HEIGHT 64
/* decoded frames waiting for the analysis, at most (DESIGN.md: memory is
 * the window, never the duration) */
#define MQC_WINDOW_BYTES (64LL << 20)

/* The decoder's share of a budget of `threads` (the analysis team gets the
 * rest, and all of it while the decoder idles; one thread: decode and
 * analysis take turns on it). */
int mqc_decoder_threads(int threads);

typedef struct MqcSchedFrameHook {
    /* called in display order after every check folded the frame */
    void (*after_fold)(void *ud, const MqcFrameInfo *fi, const AVFrame *f,
                       const void *const *results, int decode_issues,
                       const char *issue, int64_t issue_pos);
    void *ud;
    /* a segment: the display number of the first frame, and the frame
     * before it (band->prev of the first frame, and every check's
     * reference until it keeps one), or NULL */
    int64_t first_index;
    const AVFrame *context;
    struct MqcRunStats *stats;  /* --stats counters, or NULL */
    /* a segment's lead-in: per check, its reference at the first frame
     * (engine/lead_in.c; an empty frame: none), or NULL: context */
    const AVFrame *const *refs;
} MqcSchedFrameHook;

/* Runs checks[0..n) over every frame from `in`, and the audio checks over
 * the audio of each frame as one more job beside its bands; `first` is the
 * already decoded first frame (taken over). Returns frames analysed or an
 * error. */
int64_t mqc_schedule(MqcInput *in, AVFrame *first, MqcStreamInfo *si, MqcAudioFeed *feed,
                     MqcCheckRun *checks, int n, int threads, int band_height,
                     const MqcSchedFrameHook *hook);
/* The facts of decoded frame f, shown `index`th (what fold() receives). */
void mqc_frame_info(MqcFrameInfo *fi, const AVFrame *f, int64_t index, const MqcStreamInfo *si);
/* Input without video: the audio checks over all of it, on this thread. */
int64_t mqc_schedule_audio(MqcInput *in, MqcAudioFeed *feed, MqcCheckRun *checks, int n,
                           const MqcSchedFrameHook *hook);

#endif
