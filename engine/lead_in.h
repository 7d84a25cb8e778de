/* A segment's lead-in (docs/segments.md): the frames before a segment that
 * a check keeping a reference (freeze) folds, so that its reference at the
 * segment's first frame is the single pass's. Engine-internal. */
#ifndef MQC_LEAD_IN_H
#define MQC_LEAD_IN_H

#include <libavutil/frame.h>
#include "input.h"
#include "segment.h"

/* Whether the profile runs a check with a resync hook: its segments decode
 * two frames before their first one at least (a pair shows a resync). */
int mqc_lead_in_wanted(const MqcRun *run);

typedef struct MqcLeadIn {
    AVFrame **refs;             /* per run check: its reference at the segment's first
                                 * frame, or NULL (the frame before the segment) */
    int nb;
} MqcLeadIn;

/* After the checks' init, with `in` a segment's input that hands over the
 * frames before the segment (mqc_input_hand_lead) and `first` the first
 * frame it handed over: folds the frames before the segment through every
 * check with a resync hook, from the latest frame that resyncs it (going
 * back further with another open of the input when the frames decoded
 * before the segment hold none; frame 0 always does), and leaves the
 * segment's first frame in `first`, its input past the lead-in. Checks
 * whose state was rebuilt get a fresh state (their run's priv is replaced).
 * A negative error has its message in msg. */
int mqc_lead_in(MqcRun *run, const MqcRunOptions *opt, const MqcSegmentPlan *plan,
                MqcInput *in, AVFrame *first, MqcLeadIn *out, MqcMsg *msg);
void mqc_lead_in_free(MqcLeadIn *l);

#endif
