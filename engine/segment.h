/* Segments (--segment I/N): where one worker's share of a file starts and
 * ends, from the file's sample index, so every worker computes the same
 * split without talking to the others. Engine-internal. */
#ifndef MQC_SEGMENT_H
#define MQC_SEGMENT_H

#include <stdint.h>
#include <libavutil/rational.h>
#include "mediaqc.h"

struct AVFormatContext;

typedef struct MqcSegmentPlan {
    int index, count;           /* segment `index` (0-based) of `count` */
    int stream;                 /* the video stream's index in the file */
    int64_t entries;            /* frames the index lists */
    uint64_t index_hash;        /* fingerprint of the index: the same file on every worker */
    int64_t first, end;         /* display frames [first, end); end -1: to the end of the file */
    /* decoding starts at this keyframe (the one at or before first - 1, so
     * the frame before the segment is there for the checks that compare
     * with it); -1: from the start of the file */
    int64_t seek_entry;         /* its position in the index, packets before it */
    int64_t seek_frame;         /* its display frame */
    int64_t seek_ts, seek_pos;  /* its timestamp (stream time base) and byte position */
    int64_t byte_end;           /* past the last byte of the segment's packets; -1: the end */
    /* MXF, Matroska: no index lists every frame, so a frame's display number
     * comes from its timestamp, (ts - start_ts) / frame_ticks, and the input
     * checks it against the frames counted (mqc_segment_frame_at); the seek
     * goes to the keyframe the demuxer finds at or before seek_frame */
    int timed;
    int64_t start_ts;
    AVRational frame_ticks;     /* a frame's duration in the stream's time base */
} MqcSegmentPlan;

/* Where a segment's decoding may not be a single pass's: display frame
 * numbers, -1 for nowhere (docs/segments.md, Limits). */
typedef struct MqcSegmentFaults {
    int64_t damaged_from;       /* a damaged picture of an inter-coded stream */
    int64_t lost_from;          /* a packet the decoder turned into no picture */
    int64_t open_gop_at;        /* pictures dropped before it: its first frame (segment 0: 0) */
} MqcSegmentFaults;

/* Plans segment `index` of `count` over the stream's index: boundaries at
 * keyframes (every frame of an intra codec is one) near equal shares, the
 * same on every machine. Segments can be empty (more segments than
 * keyframes). MQC_ERR_USAGE with the reason in msg when the stream has no
 * index to split at. MXF and Matroska are planned by seeking (the demuxer
 * finds their keyframes); the demuxer is left at the start of the file
 * unless plan->seek_entry says where to seek. */
int mqc_segment_plan(struct AVFormatContext *fmt, int stream, const char *path, int index,
                     int count, MqcSegmentPlan *plan, MqcMsg *msg);
/* Reading display frames [first, end) alone (a merge's thumbnails): from
 * the keyframe at or before first. */
int mqc_segment_plan_frames(struct AVFormatContext *fmt, int stream, const char *path,
                            int64_t first, int64_t end, MqcSegmentPlan *plan, MqcMsg *msg);
/* A timed plan's display frame of timestamp ts, or -1 when ts lies off the
 * frame grid (more than a quarter frame from the frame's own timestamp). */
int64_t mqc_segment_frame_at(const MqcSegmentPlan *plan, int64_t ts);
/* A timed plan's timestamp of display frame f. */
int64_t mqc_segment_ts_of(const MqcSegmentPlan *plan, int64_t f);

#endif
