/* The format check's "expect" block: one table of keys drives validation
 * and evaluation. */
#ifndef MQC_CHECKS_FORMAT_H
#define MQC_CHECKS_FORMAT_H

#include <cjson/cJSON.h>
#include "../engine/mediaqc.h"

int mqc_expect_validate(const cJSON *expect, const char *file, MqcMsg *msg);
void mqc_expect_evaluate(const cJSON *expect, const MqcStreamInfo *si, int64_t frames,
                         MqcEvents *ev);
/* expect.audio (checks/format_audio.c): stream count, channels, layout,
 * sample rate, codec, audio-vs-video duration; proto is the event to fill. */
int mqc_expect_audio_validate(const cJSON *audio, const char *file, MqcMsg *msg);
void mqc_expect_audio_evaluate(const cJSON *audio, const MqcStreamInfo *si, int64_t frames,
                               const MqcEvent *proto, MqcEvents *ev);

#endif
