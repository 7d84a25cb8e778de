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
/* Segment 0 of a file with audio keeps the audio checks' per-frame records
 * (the HTML curves) of every frame of the file: 1 when a check has one. */
int mqc_partial_want_audio(MqcPartial *p, const MqcRun *run);
/* The audio checks' records where the frame of `pts` ends (results: the
 * frame's reduced results, or NULL past the segment's frames). */
int mqc_partial_audio(MqcPartial *p, const MqcRun *run, int64_t pts, const void *const *results);
/* A problem of the input, in the order the checks received it. */
int mqc_partial_problem(MqcPartial *p, const MqcInputProblem *pr);
/* After the segment's last frame: closes the record, keeps the checks'
 * save(); segment 0 also finishes the audio checks (it analysed the whole
 * file's audio) and keeps their results. */
int mqc_partial_keep(MqcPartial *p, MqcRun *run);
/* Where the segment's decoding may not be a single pass's (mqc_input_segment_faults). */
void mqc_partial_faults(MqcPartial *p, MqcSegmentFaults faults);
void mqc_partial_free(MqcPartial **p);

#endif
