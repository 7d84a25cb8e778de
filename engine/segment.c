/* Segment boundaries from the sample index (engine/segment.h). A frame's
 * display number is the number of index entries before it: true at a
 * keyframe of a closed GOP (every frame before it in decode order is shown
 * before it), which is where segments start. */
#include <stdlib.h>
#include <string.h>
#include <libavformat/avformat.h>
#include "segment.h"

/* FNV-1a over the entries: a file whose index differs is another file */
static uint64_t fnv(uint64_t h, int64_t v)
{
    for (int i = 0; i < 8; i++) {
        h ^= (uint64_t)(v >> (8 * i)) & 0xff;
        h *= 0x100000001b3ULL;
    }
    return h;
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
    if (k->n && (st->nb_frames <= 0 || (k->frames != st->nb_frames && n != st->nb_frames))) {
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

/* A plan with the index's facts; k holds its keyframes (keys_free). */
static int plan_start(const AVStream *st, const char *path, MqcSegmentPlan *plan, Keys *k,
                      MqcMsg *msg)
{
    memset(plan, 0, sizeof(*plan));
    plan->count = 1;
    plan->seek_entry = -1;
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

int mqc_segment_plan(const AVStream *st, const char *path, int index, int count,
                     MqcSegmentPlan *plan, MqcMsg *msg)
{
    Keys k;
    int ret = plan_start(st, path, plan, &k, msg);
    if (ret < 0)
        return ret;
    plan->index = index;
    plan->count = count;
    plan->first = boundary(k.frame, k.n, k.frames, index, count);
    plan->end = index == count - 1 ? -1 : boundary(k.frame, k.n, k.frames, index + 1, count);
    if (plan->first == k.frames && plan->first > 0)
        plan->end = plan->first;    /* the last segment, left empty */
    /* from the keyframe before the frame before the segment */
    return plan_finish(st, &k, plan->first > 0 && plan->end != plan->first ? plan->first - 1 : -1,
                       plan);
}

int mqc_segment_plan_frames(const AVStream *st, const char *path, int64_t first, int64_t end,
                            MqcSegmentPlan *plan, MqcMsg *msg)
{
    Keys k;
    int ret = plan_start(st, path, plan, &k, msg);
    if (ret < 0)
        return ret;
    plan->first = first;
    plan->end = end;
    return plan_finish(st, &k, first > 0 ? first : -1, plan);
}
