/* The profile's expect.audio block: what the audio of a deliverable must
 * be (stream count, channels, layout, sample rate, codec, and how far its
 * duration may be from the video's), reported as format_mismatch. */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include "format.h"

typedef enum { A_INT, A_NAMES, A_SECONDS } AKind;

static const struct AudioKey {
    const char *key;
    AKind kind;
    double max;
} audio_keys[] = {
    { "streams", A_INT, 64 },
    { "channels", A_INT, 1024 },
    { "sample_rate", A_INT, 768000 },
    { "layout", A_NAMES, 0 },
    { "codec", A_NAMES, 0 },
    { "max_av_duration_diff_s", A_SECONDS, 86400 },
    { NULL, 0, 0 }
};

static const struct AudioKey *find_audio_key(const char *k)
{
    for (const struct AudioKey *a = audio_keys; a->key; a++)
        if (!strcmp(a->key, k))
            return a;
    return NULL;
}

int mqc_expect_audio_validate(const cJSON *audio, const char *file, MqcMsg *msg)
{
    if (!cJSON_IsObject(audio)) {
        mqc_msg(msg, "%s: expect.audio: expected an object", file);
        return MQC_ERR_PROFILE;
    }
    for (const cJSON *it = audio->child; it; it = it->next) {
        const struct AudioKey *k = find_audio_key(it->string);
        if (!k) {
            mqc_msg(msg, "%s: expect.audio.%s: unknown key (valid: streams, channels, "
                    "sample_rate, layout, codec, max_av_duration_diff_s)", file, it->string);
            return MQC_ERR_PROFILE;
        }
        if (k->kind == A_NAMES) {
            int n = 0, ok = 1;
            const cJSON *one = cJSON_IsArray(it) ? it->child : it;
            for (; one; one = cJSON_IsArray(it) ? one->next : NULL, n++)
                ok &= cJSON_IsString(one) && one->valuestring[0];
            if (!ok || !n) {
                mqc_msg(msg, "%s: expect.audio.%s: expected a non-empty string or a list of "
                        "strings", file, it->string);
                return MQC_ERR_PROFILE;
            }
            continue;
        }
        double v = cJSON_IsNumber(it) ? it->valuedouble : -1;
        int min = k->kind == A_INT && strcmp(k->key, "streams") ? 1 : 0;
        if (v < min || v > k->max || (k->kind == A_INT && v != floor(v))) {
            mqc_msg(msg, "%s: expect.audio.%s: expected %s in [%d, %g]", file, it->string,
                    k->kind == A_INT ? "integer" : "number", min, k->max);
            return MQC_ERR_PROFILE;
        }
    }
    return 0;
}

static int name_matches(const cJSON *want, const char *found)
{
    const cJSON *one = cJSON_IsArray(want) ? want->child : want;
    for (; one; one = cJSON_IsArray(want) ? one->next : NULL)
        if (!strcmp(one->valuestring, found))
            return 1;
    return 0;
}

static void mismatch(const MqcEvent *proto, MqcEvents *ev, double value, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void mismatch(const MqcEvent *proto, MqcEvents *ev, double value, const char *fmt, ...)
{
    MqcEvent e = *proto;
    e.value = value;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.detail, sizeof(e.detail), fmt, ap);
    va_end(ap);
    mqc_events_add(ev, &e);
}

/* One stream against one key. */
static void check_stream(const struct AudioKey *k, const cJSON *want, const MqcAudioInfo *ai,
                         double video_s, const MqcEvent *proto, MqcEvents *ev)
{
    if (k->kind == A_NAMES) {
        const char *found = !strcmp(k->key, "layout") ? ai->layout : ai->codec;
        if (!name_matches(want, found)) {
            char list[128] = "";
            size_t n = 0;
            const cJSON *one = cJSON_IsArray(want) ? want->child : want;
            for (; one && n < sizeof(list); one = cJSON_IsArray(want) ? one->next : NULL)
                n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? " or " : "",
                                      one->valuestring);
            mismatch(proto, ev, 0, "audio.%s: stream %d: expected %s, found %s", k->key,
                     ai->index, list, found);
        }
        return;
    }
    if (k->kind == A_SECONDS) {
        double audio_s = ai->sample_rate > 0 ? (double)ai->samples / ai->sample_rate : 0;
        double diff = audio_s - video_s;
        if (video_s > 0 && fabs(diff) > want->valuedouble + 1e-9)
            mismatch(proto, ev, diff, "audio.max_av_duration_diff_s: stream %d lasts %.3f s, "
                     "the video %.3f s (%+.3f s, allowed %g)", ai->index, audio_s, video_s, diff,
                     want->valuedouble);
        return;
    }
    int found = !strcmp(k->key, "channels") ? ai->channels : ai->sample_rate;
    if (found != (int)want->valuedouble)
        mismatch(proto, ev, found, "audio.%s: stream %d: expected %d, found %d", k->key,
                 ai->index, (int)want->valuedouble, found);
}

void mqc_expect_audio_evaluate(const cJSON *audio, const MqcStreamInfo *si, int64_t frames,
                               const MqcEvent *proto, MqcEvents *ev)
{
    /* the video's length from the frames analysed at the nominal rate */
    double video_s = si->rate_num > 0 && si->rate_den > 0 ?
                     (double)frames * si->rate_den / si->rate_num : si->duration_s;
    for (const cJSON *it = audio ? audio->child : NULL; it; it = it->next) {
        const struct AudioKey *k = find_audio_key(it->string);
        if (!k)
            continue;   /* validated profiles have none */
        if (!strcmp(k->key, "streams")) {
            if (si->nb_audio != (int)it->valuedouble)
                mismatch(proto, ev, si->nb_audio, "audio.streams: expected %d, found %d",
                         (int)it->valuedouble, si->nb_audio);
            continue;
        }
        for (int a = 0; a < si->nb_audio; a++)
            check_stream(k, it, &si->audio[a], frames > 0 ? video_s : 0, proto, ev);
    }
}
