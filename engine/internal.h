/* Engine internals shared between engine/ files; not for checks or the CLI. */
#ifndef MQC_INTERNAL_H
#define MQC_INTERNAL_H

#include <cjson/cJSON.h>
#include "mediaqc.h"

/* The profile's "expect" block: one table drives validation and evaluation. */
int mqc_expect_validate(const cJSON *expect, const char *file, MqcMsg *msg);
void mqc_expect_evaluate(const cJSON *expect, const MqcStreamInfo *si, int64_t frames,
                         MqcEvents *ev);
/* expect.audio (engine/expect_audio.c): stream count, channels, layout,
 * sample rate, codec, audio-vs-video duration; proto is the event to fill. */
int mqc_expect_audio_validate(const cJSON *audio, const char *file, MqcMsg *msg);
void mqc_expect_audio_evaluate(const cJSON *audio, const MqcStreamInfo *si, int64_t frames,
                               const MqcEvent *proto, MqcEvents *ev);

/* Allocation-failure injection for tests: 1 when the allocation about to be
 * made must fail (MQC_FAIL_ALLOC_AFTER=N: the one after N successes). The
 * scheduler's and the event lists' allocations ask it first. */
int mqc_alloc_fails(void);

/* The run's learnt facts (check.h); NULL when out of memory. */
MqcLearnt *mqc_learnt_alloc(void);
void mqc_learnt_free(MqcLearnt **l);


#endif
