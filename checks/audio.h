/* What the audio checks share: per-channel state for every stream, channel
 * names and audio events. */
#ifndef MQC_CHECKS_AUDIO_H
#define MQC_CHECKS_AUDIO_H

#include <stddef.h>
#include "../engine/mediaqc.h"

/* One zeroed array of `channels` x `size` bytes per audio stream; NULL
 * when out of memory. Free with mqc_audio_state_free. */
void **mqc_audio_state_new(const MqcStreamInfo *si, size_t size);
void mqc_audio_state_free(void **state, int nb_streams);

/* "FL", "LFE", ... from the layout, else "channel N". */
void mqc_audio_channel_name(const MqcAudioInfo *ai, int ch, char *buf, size_t len);

/* Adds an audio event of stream ai, channel ch (-1: the whole stream),
 * with a message built from fmt. */
void mqc_audio_event(MqcEvents *ev, const char *code, const MqcAudioInfo *ai, int ch,
                     double start_s, double end_s, double value, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 8, 9)))
#endif
    ;

#endif
