/* A segment's record for `merge` (engine/partial.c). Engine-internal. */
#ifndef MQC_PARTIAL_H
#define MQC_PARTIAL_H

#include "mediaqc.h"
#include "segment.h"

typedef struct MqcPartial MqcPartial;

int mqc_partial_new(MqcPartial **p, const MqcSegmentPlan *plan);
/* A folded frame: its facts and each active check's reduced result. */
int mqc_partial_frame(MqcPartial *p, const MqcRun *run, const MqcFrameInfo *fi,
                      const void *const *results);
/* Where the observers saw the frame just recorded (after its problems). */
int mqc_partial_shown(MqcPartial *p);
/* A problem of the input, in the order the checks received it. */
int mqc_partial_problem(MqcPartial *p, const MqcInputProblem *pr);
/* After the segment's last frame: closes the record, keeps the checks'
 * save(); segment 0 also finishes the audio checks (it analysed the whole
 * file's audio) and keeps their results. */
int mqc_partial_keep(MqcPartial *p, MqcRun *run);
void mqc_partial_free(MqcPartial **p);

#endif
