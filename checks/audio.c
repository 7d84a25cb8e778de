#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <libavutil/channel_layout.h>
#include "audio.h"

void **mqc_audio_state_new(const MqcStreamInfo *si, size_t size)
{
    void **state = calloc((size_t)si->nb_audio + 1, sizeof(*state));
    for (int a = 0; state && a < si->nb_audio; a++)
        if (!(state[a] = calloc((size_t)si->audio[a].channels + 1, size))) {
            mqc_audio_state_free(state, a);
            return NULL;
        }
    return state;
}

void mqc_audio_state_free(void **state, int nb_streams)
{
    for (int a = 0; state && a < nb_streams; a++)
        free(state[a]);
    free(state);
}

void mqc_audio_channel_name(const MqcAudioInfo *ai, int ch, char *buf, size_t len)
{
    int id = ch < MQC_AUDIO_MAX_IDS ? ai->channel_ids[ch] : -1;
    if (id < 0 || av_channel_name(buf, len, (enum AVChannel)id) < 0 || buf[0] == 'U')
        snprintf(buf, len, "channel %d", ch);   /* unknown role ("USR3" and the like) */
}

void mqc_audio_event(MqcEvents *ev, const char *code, const MqcAudioInfo *ai, int ch,
                     double start_s, double end_s, double value, const char *fmt, ...)
{
    MqcEvent e = { .code = code, .value = value, .audio = 1, .stream = ai->index,
                   .channel = ch, .start_s = start_s, .end_s = end_s };
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.detail, sizeof(e.detail), fmt, ap);
    va_end(ap);
    mqc_events_add(ev, &e);
}
