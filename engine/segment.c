/* Segment boundaries from the sample index (engine/segment.h). A frame's
 * display number is the number of index entries before it: true at a
 * keyframe of a closed GOP (every frame before it in decode order is shown
 * before it), which is where segments start. MXF and Matroska have no such
 * index (see "Timed plans" below). */
#include <stdlib.h>
#include <string.h>
#include <libavformat/avformat.h>
#include <libavutil/mathematics.h>
#include "segment.h"

/* FNV-1a over the entries: a file whose index differs is another file */
static uint64_t fnv_bytes(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t fnv(uint64_t h, int64_t v)
{
    uint8_t le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)((uint64_t)v >> (8 * i));
    return fnv_bytes(h, le, sizeof(le));
}

/* The last keyframe at or before display frame f (shown frames only), or 0. */
static int64_t key_at_or_before(const int64_t *keys, int64_t nkeys, int64_t f)
{
    int64_t lo = 0, hi = nkeys - 1, best = 0;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (keys[mid] <= f) {
            best = keys[mid];
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return best;
}

/* The start of segment i: the keyframe nearest i/count of the way (the
 * earlier one of two as near), never before the previous segment's start
 * (which makes a segment empty instead), and never 0. */
static int64_t boundary(const int64_t *keys, int64_t nkeys, int64_t frames, int i, int count)
{
    if (i <= 0)
        return 0;
    if (i >= count)
        return frames;
    int64_t target = frames * i / count;
    int64_t b = key_at_or_before(keys, nkeys, target);
    for (int64_t k = 0; k < nkeys; k++)
        if (keys[k] > target) {
            if (keys[k] - target < target - b)
                b = keys[k];
            break;
        }
    if (b == 0)     /* segment 0 starts the file (and taps its bytes): never empty */
        b = nkeys > 1 ? keys[1] : frames;
    int64_t before = boundary(keys, nkeys, frames, i - 1, count);
    return b < before ? before : b;
}

/* The shown frames' keyframes: display frame and index entry of each. */
typedef struct Keys {
    int64_t *frame, *entry, n;
    int64_t frames;             /* shown frames the index lists */
    uint64_t hash;
} Keys;

static void keys_free(Keys *k)
{
    free(k->frame);
    free(k->entry);
}

/* Reads the index; MQC_ERR_USAGE when it cannot number every frame. */
static int keys_read(const AVStream *st, const char *path, Keys *k, MqcMsg *msg)
{
    memset(k, 0, sizeof(*k));
    int n = avformat_index_get_entries_count(st);
    /* discarded entries (an edit list's preroll) are decoded but never shown */
    k->frame = malloc(((size_t)n + 1) * sizeof(*k->frame));
    k->entry = malloc(((size_t)n + 1) * sizeof(*k->entry));
    if (!k->frame || !k->entry) {
        keys_free(k);
        return MQC_ERR_NOMEM;
    }
    k->hash = 0xcbf29ce484222325ULL;
    for (int i = 0; i < n; i++) {
        const AVIndexEntry *e = avformat_index_get_entry((AVStream *)st, i);
        k->hash = fnv(fnv(fnv(k->hash, e->pos), e->timestamp), ((int64_t)e->size << 8) | e->flags);
        if (e->flags & AVINDEX_DISCARD_FRAME)
            continue;
        if (e->flags & AVINDEX_KEYFRAME) {
            k->frame[k->n] = k->frames;
            k->entry[k->n++] = i;
        }
        k->frames++;
    }
    /* display numbers are counted from the index: it must list every frame
     * (Matroska's cues list some keyframes only) */
    if (k->n && st->nb_frames <= 0) {
        mqc_msg(msg, "%s: --segment: the container declares no frame count to split by "
                "(a fragmented MP4 indexes its frames fragment by fragment): analyse the file "
                "whole", path);
        keys_free(k);
        return MQC_ERR_USAGE;
    }
    if (k->n && k->frames != st->nb_frames && n != st->nb_frames) {
        mqc_msg(msg, "%s: --segment: the file's index does not list every frame (%lld of %lld "
                "declared): segments need a container that indexes each frame (MOV/MP4)",
                path, (long long)k->frames, (long long)st->nb_frames);
        keys_free(k);
        return MQC_ERR_USAGE;
    }
    if (!k->n) {
        mqc_msg(msg, "%s: --segment: the file has no sample index with keyframes to split "
                "at (segments need an indexed container: MOV/MP4, MXF, Matroska with cues)",
                path);
        keys_free(k);
        return MQC_ERR_USAGE;
    }
    return 0;
}

/* Where decoding starts for display frame `from` (its keyframe, or the one
 * before), and the last byte of the packets before plan->end. */
static void plan_reads(const AVStream *st, const Keys *k, int64_t from, MqcSegmentPlan *plan)
{
    int64_t key = key_at_or_before(k->frame, k->n, from);
    int64_t j = 0;
    while (j + 1 < k->n && k->frame[j + 1] <= key)
        j++;
    const AVIndexEntry *e = avformat_index_get_entry((AVStream *)st, (int)k->entry[j]);
    plan->seek_entry = k->entry[j];
    plan->seek_frame = k->frame[j];
    plan->seek_ts = e->timestamp;
    plan->seek_pos = e->pos;
}

static void plan_byte_end(const AVStream *st, MqcSegmentPlan *plan)
{
    plan->byte_end = -1;
    if (plan->end < 0)
        return;
    /* a closed GOP's packets are the index entries of its frames */
    int n = avformat_index_get_entries_count(st);
    int64_t shown = 0;
    for (int i = 0; i < n && shown < plan->end; i++) {
        const AVIndexEntry *e = avformat_index_get_entry((AVStream *)st, i);
        if (e->pos + e->size > plan->byte_end)
            plan->byte_end = e->pos + e->size;
        shown += !(e->flags & AVINDEX_DISCARD_FRAME);
    }
}

/* A plan with the index's facts; k holds its keyframes (keys_free). Only
 * the MOV family's sample tables list every frame in decode order with its
 * keyframes, and its seek lands where they say (AVI's idx1, FLV's keyframe
 * list and the like do not keep to that: refused, not guessed). */
static int plan_start(const AVFormatContext *fmt, const AVStream *st, const char *path,
                      MqcSegmentPlan *plan, Keys *k, MqcMsg *msg)
{
    if (!fmt->iformat || strcmp(fmt->iformat->name, "mov,mp4,m4a,3gp,3g2,mj2")) {
        mqc_msg(msg, "%s: --segment: the file has no sample index with keyframes to split "
                "at (segments need an indexed container: MOV/MP4, MXF, Matroska with cues)",
                path);
        return MQC_ERR_USAGE;
    }
    int ret = keys_read(st, path, k, msg);
    if (ret < 0)
        return ret;
    plan->entries = k->frames;
    plan->index_hash = k->hash;
    return 0;
}

/* Decoding from the keyframe of display frame `from` (-1: from the start),
 * up to the packets of plan->end. */
static int plan_finish(const AVStream *st, Keys *k, int64_t from, MqcSegmentPlan *plan)
{
    if (from >= 0)
        plan_reads(st, k, from, plan);
    plan_byte_end(st, plan);
    keys_free(k);
    return 0;
}

/* ---- Timed plans: MXF and Matroska ----
 * libavformat keeps MXF's index table segments to itself and lists only
 * some Matroska keyframes (the cues) in the stream's index, so no index
 * numbers every frame. Display frame n is instead the one whose timestamp
 * is start + n frames (MXF: edit unit n), keyframes are where the demuxer's
 * seek lands (it reads the index tables or cues), and the input checks each
 * decoded frame's timestamp against the frames it counted
 * (mqc_segment_frame_at): a gap, a variable frame rate or an open GOP is
 * refused, never numbered otherwise than a single pass counts. */

static int timed_format(const AVFormatContext *fmt)
{
    const char *name = fmt->iformat ? fmt->iformat->name : "";
    return !strcmp(name, "mxf") || !strncmp(name, "matroska", 8);
}

int64_t mqc_segment_ts_of(const MqcSegmentPlan *plan, int64_t f)
{
    return plan->start_ts + av_rescale_rnd(f, plan->frame_ticks.num, plan->frame_ticks.den,
                                           AV_ROUND_NEAR_INF);
}

int64_t mqc_segment_frame_at(const MqcSegmentPlan *plan, int64_t ts)
{
    if (ts == AV_NOPTS_VALUE || ts < plan->start_ts)
        return -1;
    int64_t n = av_rescale_rnd(ts - plan->start_ts, plan->frame_ticks.den, plan->frame_ticks.num,
                               AV_ROUND_NEAR_INF);
    int64_t off = ts - mqc_segment_ts_of(plan, n);
    if (off < 0)
        off = -off;
    /* within a quarter frame of its own time (MXF: exactly its edit unit) */
    return off * 4 * plan->frame_ticks.den < plan->frame_ticks.num ? n : -1;
}

static uint64_t fnv_dict(uint64_t h, const AVDictionary *d)
{
    const AVDictionaryEntry *e = NULL;
    while ((e = av_dict_get(d, "", e, AV_DICT_IGNORE_SUFFIX))) {
        h = fnv_bytes(h, (const uint8_t *)e->key, strlen(e->key) + 1);
        h = fnv_bytes(h, (const uint8_t *)e->value, strlen(e->value) + 1);
    }
    return h;
}

/* The grid, the frame count and the fingerprint: the file's size, the
 * stream's parameters and timing, the container's metadata (MXF: package
 * UMIDs) and the Matroska cues (loaded by the first seek). */
static int timed_start(AVFormatContext *fmt, int s, const char *path, MqcSegmentPlan *plan,
                       MqcMsg *msg)
{
    AVStream *st = fmt->streams[s];
    AVRational rate = !strcmp(fmt->iformat->name, "mxf") ? av_inv_q(st->time_base)
                                                         : st->avg_frame_rate;
    if (rate.num <= 0 || rate.den <= 0) {
        mqc_msg(msg, "%s: --segment: the video stream declares no frame rate (Matroska "
                "without a default duration), so frames cannot be numbered from their "
                "timestamps", path);
        return MQC_ERR_USAGE;
    }
    plan->timed = 1;
    plan->frame_ticks = av_div_q(av_inv_q(rate), st->time_base);
    plan->start_ts = st->start_time != AV_NOPTS_VALUE ? st->start_time : 0;
    int64_t dur = st->duration != AV_NOPTS_VALUE ? st->duration
                : fmt->duration != AV_NOPTS_VALUE ? av_rescale_q(fmt->duration, AV_TIME_BASE_Q,
                                                                 st->time_base)
                : -1;
    plan->entries = dur > 0 ? av_rescale_rnd(dur, plan->frame_ticks.den, plan->frame_ticks.num,
                                             AV_ROUND_NEAR_INF) : 0;
    if (plan->entries <= 0) {
        mqc_msg(msg, "%s: --segment: the file declares no duration to split", path);
        return MQC_ERR_USAGE;
    }
    int ret = av_seek_frame(fmt, s, plan->start_ts, AVSEEK_FLAG_BACKWARD);
    if (ret < 0) {
        char err[AV_ERROR_MAX_STRING_SIZE];
        av_strerror(ret, err, sizeof(err));
        mqc_msg(msg, "%s: --segment: the file cannot be sought (%s)", path, err);
        return MQC_ERR_USAGE;
    }
    uint64_t h = 0xcbf29ce484222325ULL;
    h = fnv(fnv(fnv(fnv(h, plan->entries), plan->start_ts), plan->frame_ticks.num),
            plan->frame_ticks.den);
    h = fnv(fnv(fnv(fnv(h, fmt->pb ? avio_size(fmt->pb) : -1), st->codecpar->codec_id),
                st->codecpar->width), st->codecpar->height);
    if (st->codecpar->extradata)
        h = fnv_bytes(h, st->codecpar->extradata, (size_t)st->codecpar->extradata_size);
    h = fnv_dict(fnv_dict(h, fmt->metadata), st->metadata);
    int n = avformat_index_get_entries_count(st);
    for (int i = 0; i < n; i++) {
        const AVIndexEntry *e = avformat_index_get_entry(st, i);
        h = fnv(fnv(h, e->pos), e->timestamp);
    }
    plan->index_hash = h;
    return 0;
}

/* The keyframe the demuxer's seek finds from display frame f, at or before
 * it (backward) or after it: *key its display frame (plan->entries when none
 * follows), *pos its byte position (-1: unknown). */
static int probe_key(AVFormatContext *fmt, int s, const MqcSegmentPlan *plan, int64_t f,
                     int backward, int64_t *key, int64_t *pos, const char *path, MqcMsg *msg)
{
    AVPacket *pkt = av_packet_alloc();
    if (!pkt)
        return MQC_ERR_NOMEM;
    int ret = av_seek_frame(fmt, s, mqc_segment_ts_of(plan, f),
                            backward ? AVSEEK_FLAG_BACKWARD : 0);
    while (ret >= 0 && (ret = av_read_frame(fmt, pkt)) >= 0 && pkt->stream_index != s)
        av_packet_unref(pkt);
    int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    *key = ret >= 0 && (pkt->flags & AV_PKT_FLAG_KEY) ? mqc_segment_frame_at(plan, ts) : -1;
    *pos = pkt->pos;
    av_packet_free(&pkt);
    if (!backward && ret < 0) {     /* no keyframe after f */
        *key = plan->entries;
        *pos = -1;
        return 0;
    }
    if (*key < 0 || (backward ? *key > f : *key < f)) {
        mqc_msg(msg, "%s: --segment: seeking to frame %lld finds no keyframe %s it on the "
                "frame grid, so the file cannot be split", path, (long long)f,
                backward ? "at or before" : "after");
        return MQC_ERR_USAGE;
    }
    return 0;
}

/* The start of segment i: the keyframe at or before i/count of the way,
 * or, where that is the first frame, the next keyframe (segment 0 is never
 * empty); *pos its byte position. Keyframes found by a seek only grow with
 * the target, so the starts never go back. */
static int timed_boundary(AVFormatContext *fmt, int s, const MqcSegmentPlan *plan, int i,
                          int count, int64_t *b, int64_t *pos, const char *path, MqcMsg *msg)
{
    *pos = -1;
    if (i <= 0 || i >= count) {
        *b = i <= 0 ? 0 : plan->entries;
        return 0;
    }
    int ret = probe_key(fmt, s, plan, plan->entries * i / count, 1, b, pos, path, msg);
    if (ret >= 0 && *b == 0)
        ret = probe_key(fmt, s, plan, 1, 0, b, pos, path, msg);
    return ret;
}

/* Back to the start of the file. Matroska's seek lands on the sought
 * stream's block itself, past any block before it: the stream that starts
 * first is sought (Opus's first packet is before 0, by its pre-skip), or a
 * segment 0 would not analyse the audio a single pass does. */
static int seek_start(AVFormatContext *fmt, int s, const MqcSegmentPlan *plan)
{
    int first = s;
    int64_t first_t = av_rescale_q(plan->start_ts, fmt->streams[s]->time_base, AV_TIME_BASE_Q);
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        const AVStream *st = fmt->streams[i];
        if (st->start_time != AV_NOPTS_VALUE && st->discard < AVDISCARD_ALL &&
            av_rescale_q(st->start_time, st->time_base, AV_TIME_BASE_Q) < first_t) {
            first = (int)i;
            first_t = av_rescale_q(st->start_time, st->time_base, AV_TIME_BASE_Q);
        }
    }
    return av_seek_frame(fmt, first, first == s ? plan->start_ts
                                                : fmt->streams[first]->start_time,
                         AVSEEK_FLAG_BACKWARD);
}

/* Segment index of count by seeking; the demuxer is left at the start when
 * the segment does not seek (segment 0, an empty one). */
static int timed_plan(AVFormatContext *fmt, int s, const char *path, MqcSegmentPlan *plan,
                      MqcMsg *msg)
{
    int64_t pos, end_pos;
    int ret = timed_boundary(fmt, s, plan, plan->index, plan->count, &plan->first, &pos, path,
                             msg);
    if (ret >= 0)
        ret = timed_boundary(fmt, s, plan, plan->index + 1, plan->count, &plan->end, &end_pos,
                             path, msg);
    if (ret < 0)
        return ret;
    if (plan->index == plan->count - 1)
        plan->end = -1;
    if (plan->first >= plan->entries && plan->first > 0)
        plan->end = plan->first;    /* past the last keyframe: left empty */
    plan->byte_end = plan->end >= 0 && plan->end > plan->first ? end_pos : -1;
    if (plan->first > 0 && plan->end != plan->first) {
        plan->seek_entry = plan->seek_frame = plan->first - 1;
        return 0;                   /* the input seeks there */
    }
    if (seek_start(fmt, s, plan) < 0) {
        mqc_msg(msg, "%s: --segment: cannot seek back to the start of the file", path);
        return MQC_ERR_USAGE;
    }
    return 0;
}

int mqc_segment_plan(AVFormatContext *fmt, int s, const char *path, int index, int count,
                     MqcSegmentPlan *plan, MqcMsg *msg)
{
    memset(plan, 0, sizeof(*plan));
    plan->index = index;
    plan->count = count;
    plan->seek_entry = -1;
    if (timed_format(fmt)) {
        int ret = timed_start(fmt, s, path, plan, msg);
        return ret < 0 ? ret : timed_plan(fmt, s, path, plan, msg);
    }
    const AVStream *st = fmt->streams[s];
    Keys k;
    int ret = plan_start(fmt, st, path, plan, &k, msg);
    if (ret < 0)
        return ret;
    plan->first = boundary(k.frame, k.n, k.frames, index, count);
    plan->end = index == count - 1 ? -1 : boundary(k.frame, k.n, k.frames, index + 1, count);
    if (plan->first == k.frames && plan->first > 0)
        plan->end = plan->first;    /* the last segment, left empty */
    /* from the keyframe before the frame before the segment */
    return plan_finish(st, &k, plan->first > 0 && plan->end != plan->first ? plan->first - 1 : -1,
                       plan);
}

int mqc_segment_plan_frames(AVFormatContext *fmt, int s, const char *path, int64_t first,
                            int64_t end, MqcSegmentPlan *plan, MqcMsg *msg)
{
    memset(plan, 0, sizeof(*plan));
    plan->count = 1;
    plan->seek_entry = -1;
    plan->first = first;
    plan->end = end;
    if (timed_format(fmt)) {
        int ret = timed_start(fmt, s, path, plan, msg);
        plan->byte_end = -1;
        if (ret >= 0)   /* the demuxer may be anywhere (a segment's planning) */
            plan->seek_entry = plan->seek_frame = first > 0 ? first : 0;
        return ret;
    }
    const AVStream *st = fmt->streams[s];
    Keys k;
    int ret = plan_start(fmt, st, path, plan, &k, msg);
    if (ret < 0)
        return ret;
    return plan_finish(st, &k, first > 0 ? first : -1, plan);
}
