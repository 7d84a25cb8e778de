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

int mqc_segment_plan(const AVStream *st, const char *path, int index, int count,
                     MqcSegmentPlan *plan, MqcMsg *msg)
{
    memset(plan, 0, sizeof(*plan));
    plan->index = index;
    plan->count = count;
    plan->seek_entry = -1;
    int n = avformat_index_get_entries_count(st);
    /* display frame of each shown entry's keyframes; discarded entries
     * (an edit list's preroll) are decoded but never shown */
    int64_t *keys = malloc(((size_t)n + 1) * sizeof(*keys));
    int64_t *key_entry = malloc(((size_t)n + 1) * sizeof(*key_entry));
    if (!keys || !key_entry) {
        free(keys);
        free(key_entry);
        return MQC_ERR_NOMEM;
    }
    int64_t frames = 0, nkeys = 0;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int i = 0; i < n; i++) {
        const AVIndexEntry *e = avformat_index_get_entry((AVStream *)st, i);
        h = fnv(fnv(fnv(h, e->pos), e->timestamp), ((int64_t)e->size << 8) | e->flags);
        if (e->flags & AVINDEX_DISCARD_FRAME)
            continue;
        if (e->flags & AVINDEX_KEYFRAME) {
            keys[nkeys] = frames;
            key_entry[nkeys++] = i;
        }
        frames++;
    }
    plan->entries = frames;
    plan->index_hash = h;
    /* display numbers are counted from the index: it must list every frame
     * (Matroska's cues list some keyframes only) */
    if (nkeys && (st->nb_frames <= 0 || (frames != st->nb_frames && n != st->nb_frames))) {
        free(keys);
        free(key_entry);
        mqc_msg(msg, "%s: --segment: the file's index does not list every frame (%lld of %lld "
                "declared): segments need a container that indexes each frame (MOV/MP4)",
                path, (long long)frames, (long long)st->nb_frames);
        return MQC_ERR_USAGE;
    }
    if (!nkeys) {
        free(keys);
        free(key_entry);
        mqc_msg(msg, "%s: --segment: the file has no sample index with keyframes to split "
                "at (segments need an indexed container: MOV/MP4, MXF, Matroska with cues)",
                path);
        return MQC_ERR_USAGE;
    }
    plan->first = boundary(keys, nkeys, frames, index, count);
    plan->byte_end = -1;
    plan->end = index == count - 1 ? -1 : boundary(keys, nkeys, frames, index + 1, count);
    if (plan->first == frames && plan->first > 0)
        plan->end = plan->first;    /* the last segment, left empty */
    if (plan->first > 0 && plan->end != plan->first) {
        /* from the keyframe before the frame before the segment */
        int64_t k = key_at_or_before(keys, nkeys, plan->first - 1);
        int64_t j = 0;
        while (j + 1 < nkeys && keys[j + 1] <= k)
            j++;
        const AVIndexEntry *e = avformat_index_get_entry((AVStream *)st, (int)key_entry[j]);
        plan->seek_entry = key_entry[j];
        plan->seek_frame = keys[j];
        plan->seek_ts = e->timestamp;
        plan->seek_pos = e->pos;
    }
    if (plan->end >= 0) {
        /* a closed GOP's packets are the index entries of its frames */
        int64_t shown = 0;
        for (int i = 0; i < n && shown < plan->end; i++) {
            const AVIndexEntry *e = avformat_index_get_entry((AVStream *)st, i);
            if (e->pos + e->size > plan->byte_end)
                plan->byte_end = e->pos + e->size;
            shown += !(e->flags & AVINDEX_DISCARD_FRAME);
        }
    }
    free(keys);
    free(key_entry);
    return 0;
}
