/* Demux + decode of one video stream, with a one-time libswscale conversion
 * for pixel formats the checks do not read directly, and of every audio
 * stream beside it (libswresample to planar float) in the same read. */
#ifndef MQC_INPUT_H
#define MQC_INPUT_H

#include <libavutil/frame.h>
#include "mediaqc.h"

typedef struct MqcInput MqcInput;
struct AVPacket;

/* Opens the file, its video stream and its audio streams; fills the
 * container facts of *si. A file without video but with audio opens
 * (mqc_input_has_video says 0).
 * On failure returns MQC_ERR_NOT_FOUND / MQC_ERR_USAGE / MQC_ERR_UNREADABLE
 * with the cause in msg. */
int mqc_input_open(MqcInput **out, const char *path, int stream_index, int threads,
                   int64_t max_pixels, MqcStreamInfo *si, char *format_name, size_t format_len, MqcMsg *msg,
                   const MqcSequenceOptions *seq);
/* Next frame in display order, in the pixel format the checks read.
 * The first call also completes *si (pixel format, depth, range).
 * Returns 0, AVERROR_EOF at the end, or another negative error (fatal). */
int mqc_input_read(MqcInput *in, AVFrame *out, MqcStreamInfo *si);
/* Segment `index` of `count` (--segment): plans it (engine/segment.h) and
 * limits the reads to its frames, decoding from the keyframe at or before
 * the frame `before` frames before it (1: the frame before it; 2 for a
 * lead-in, which needs a pair of frames).
 * Call before the first read. MQC_ERR_USAGE (message in msg) when the file
 * cannot be split: no index, an image sequence. Segment 0 also reads the
 * audio of the whole file, past its last frame with the video skipped;
 * the other segments read no audio. */
struct MqcSegmentPlan;
struct MqcSegmentFaults;
int mqc_input_segment(MqcInput *in, int index, int count, int before,
                      struct MqcSegmentPlan *plan, MqcMsg *msg);
/* Display frames [first, end) only, decoded from the keyframe at or before
 * from (<= first; numbered as for --segment), and no audio; index_hash,
 * unless 0, must be the index's fingerprint. Call before the first read. */
int mqc_input_frames(MqcInput *in, int64_t first, int64_t end, int64_t from,
                     uint64_t index_hash, MqcMsg *msg);
/* A segment of MXF or Matroska whose frames stopped keeping to the
 * numbering by timestamp (reading ended there): MQC_ERR_USAGE with why in
 * msg; else 0. */
int mqc_input_misnumbered(const MqcInput *in, MqcMsg *msg);
/* With a segment: the frame just before its first one, once the first one
 * was read (NULL for segment 0). */
const AVFrame *mqc_input_context(const MqcInput *in);
/* A segment's lead-in (engine/lead_in.c): mqc_input_read hands over the
 * frames decoded before the first one of the range too, and
 * mqc_input_position gives the display number of the frame it handed over
 * last (the range's first one says the lead-in is over). */
void mqc_input_hand_lead(MqcInput *in, int on);
int64_t mqc_input_position(const MqcInput *in);
/* With a segment: where its decoding may not be a single pass's. The first
 * frame (display number, the frames decoded before the segment included)
 * decoded damaged in an inter-coded stream (its concealment may not be a
 * single pass's); the first frame where the decoder refused a packet (any
 * codec); the segment's first frame when it starts in an open GOP. */
struct MqcSegmentFaults mqc_input_segment_faults(const MqcInput *in);
/* Decode problems since the last call: their number; the first one is
 * described in `what`, its byte position in *pos (-1 when unknown). */
int mqc_input_take_issues(MqcInput *in, char *what, size_t len, int64_t *pos);
/* After the last read: reads what the demuxer skipped of the file for the
 * subscribers of si->file_bytes and ends their stream. */
void mqc_input_finish_bytes(MqcInput *in);
/* Thread CPU time spent converting pictures with libswscale (--stats). */
int64_t mqc_input_convert_ns(const MqcInput *in);
/* Keep the decoder's frame with each converted one (MqcPicture.source,
 * mqc_frame_source); call before the first mqc_input_read. */
void mqc_input_keep_source(MqcInput *in, int keep);
void mqc_input_close(MqcInput **in);

/* ---- audio, decoded in the same read ---- */

/* Receives every decoded audio frame, as planar float at the stream's
 * rate, in order per stream: takes `f` (free it with av_frame_free);
 * time_s is its first sample on the report's clock. Called on the thread
 * that reads. Returns 0 or MQC_ERR_NOMEM. */
typedef struct MqcAudioSink {
    int (*push)(void *ud, int a, AVFrame *f, double time_s);
    void *ud;
    /* Optional, segment 0 of a segmented read: each video packet demuxed
     * (shown frames only), also past the segment's frames, where it is
     * read but not decoded, so the audio can be cut where the later
     * segments' frames end. */
    void (*video)(void *ud, const struct AVPacket *pkt);
} MqcAudioSink;
void mqc_input_set_audio_sink(MqcInput *in, const MqcAudioSink *sink);
int mqc_input_audio_count(const MqcInput *in);
/* The audio streams whose samples this read delivers: all of them, or none
 * in a segment after the first (segment 0 reads the whole file's audio). */
int mqc_input_audio_decoded(const MqcInput *in);
/* Facts of audio stream a (0 .. count-1); start_s once its first frame was decoded. */
void mqc_input_audio_info(const MqcInput *in, int a, MqcAudioInfo *ai);
int mqc_input_has_video(const MqcInput *in);
/* Audio decode problems, each at the time in its stream where it arose. */
typedef struct MqcAudioIssue {
    int stream;                 /* stream index in the file */
    double time_s;              /* report clock */
    int count;
    char what[192];
} MqcAudioIssue;
int mqc_input_audio_issues(const MqcInput *in, const MqcAudioIssue **v);
/* Seconds of the file's timeline that are 0 on the report's clock. */
double mqc_input_origin(const MqcInput *in);
/* Reads one more packet without decoding video (its packet is kept for
 * mqc_input_read): lets the audio of a frame arrive when the file stores
 * it after later pictures. Returns 0, 1 when the read-ahead limit is
 * reached, AVERROR_EOF at the end (all audio delivered), MQC_ERR_NOMEM. */
int mqc_input_pump(MqcInput *in);
/* Fills a picture view of a frame returned by mqc_input_read. */
void mqc_picture_from_frame(MqcPicture *pic, const AVFrame *f, const MqcStreamInfo *si);

#endif
