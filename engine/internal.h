/* Engine internals shared between engine/ files; not for checks or the CLI. */
#ifndef MQC_INTERNAL_H
#define MQC_INTERNAL_H

#include <cjson/cJSON.h>
#include "mediaqc.h"

/* Allocation-failure injection for tests: 1 when the allocation about to be
 * made must fail (MQC_FAIL_ALLOC_AFTER=N: the one after N successes). The
 * scheduler's and the event lists' allocations ask it first. */
int mqc_alloc_fails(void);

/* The run's learnt facts (check.h); NULL when out of memory. */
MqcLearnt *mqc_learnt_alloc(void);
void mqc_learnt_free(MqcLearnt **l);

/* ---- the steps of a run, shared by mqc_run and mqc_merge (engine/run.c) ---- */
/* A run with its checks set up from the profile, nothing analysed. */
int mqc_run_new(const MqcCheck *const *reg, const MqcProfile *profile, const char *input,
                int threads, MqcRun **out);
/* With run->si known: the learnt facts, the timecode counter, the timeline. */
int mqc_run_clock(MqcRun *run, int video);
/* Every check's init (or skip) for run->si; a negative error names the check in msg. */
int mqc_run_init_checks(MqcRun *run, const char *input, MqcMsg *msg);
/* A problem of the input, to the checks that report them. */
void mqc_run_deliver(MqcRun *run, const MqcInputProblem *p);
/* A folded frame: frame count and timeline. */
void mqc_run_frame(MqcRun *run, const MqcFrameInfo *fi);
/* Audio problems of the input (after the last frame, as a single pass
 * finds them): delivered, then placed on the frames by their times. */
void mqc_run_audio_problems(MqcRun *run, const MqcInputProblem *v, int n);
/* Check c's finish, once (metrics, closed runs); a check whose result a
 * merge loaded (concluded) is left as it is. */
void mqc_run_finish_check(MqcRun *run, int c);
/* Every check's finish (metrics, closed runs). */
void mqc_run_conclude(MqcRun *run);
/* Verdict, elapsed time since t0 (mqc_run_now), observers' finish. */
void mqc_run_end(MqcRun *run, double t0, const MqcObserver *const *observers);
double mqc_run_now(void);


#endif
