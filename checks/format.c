/* format: the profile's "expect" block — declared stream facts a
 * deliverable must have — against the stream, as format_mismatch events. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <libavutil/parseutils.h>
#include "format.h"

/* EXPECT_ASPECT: a measured value a check publishes as a learnt fact
 * (check.h), held against the expectation within EXPECT_TOLERANCE's key. */
typedef enum { EXPECT_INT, EXPECT_NAME, EXPECT_RATE, EXPECT_ASPECT, EXPECT_TOLERANCE,
               EXPECT_AUDIO } ExpectKind;

#define ASPECT_TOLERANCE 0.03   /* 1.78 vs 16:9, 2.39 vs 2.40: one label, two spellings */

static const struct ExpectKey {
    const char *key;
    ExpectKind kind;
    size_t offset;              /* into MqcStreamInfo */
} expect_keys[] = {
    { "width",           EXPECT_INT,  offsetof(MqcStreamInfo, width) },
    { "height",          EXPECT_INT,  offsetof(MqcStreamInfo, height) },
    { "bit_depth",       EXPECT_INT,  offsetof(MqcStreamInfo, codec_bit_depth) },
    { "codec",           EXPECT_NAME, offsetof(MqcStreamInfo, codec) },
    { "pix_fmt",         EXPECT_NAME, offsetof(MqcStreamInfo, source_pix_fmt) },
    { "frame_rate",      EXPECT_RATE, 0 },
    { "color_range",     EXPECT_NAME, offsetof(MqcStreamInfo, color_range) },
    { "color_primaries", EXPECT_NAME, offsetof(MqcStreamInfo, color_primaries) },
    { "color_trc",       EXPECT_NAME, offsetof(MqcStreamInfo, color_trc) },
    { "color_matrix",    EXPECT_NAME, offsetof(MqcStreamInfo, color_matrix) },
    { "active_aspect",   EXPECT_ASPECT, 0 },
    { "active_aspect_tolerance", EXPECT_TOLERANCE, 0 },
    { "audio",           EXPECT_AUDIO, 0 },
    { NULL, 0, 0 }
};

static const struct ExpectKey *find_key(const char *k)
{
    for (const struct ExpectKey *e = expect_keys; e->key; e++)
        if (!strcmp(e->key, k))
            return e;
    return NULL;
}

static int rate_ok(const char *s)
{
    AVRational r;
    return av_parse_video_rate(&r, s) >= 0;
}

/* "2.39", "16:9" or "16/9" */
static int aspect_parse(const char *s, double *v)
{
    AVRational r;
    if (av_parse_ratio(&r, s, 1000, 0, NULL) < 0 || r.num <= 0 || r.den <= 0)
        return -1;
    *v = av_q2d(r);
    return 0;
}

int mqc_expect_validate(const cJSON *expect, const char *file, MqcMsg *msg)
{
    if (!cJSON_IsObject(expect)) {
        mqc_msg(msg, "%s: expect: expected an object", file);
        return MQC_ERR_PROFILE;
    }
    for (const cJSON *it = expect->child; it; it = it->next) {
        const struct ExpectKey *k = find_key(it->string);
        if (!k) {
            mqc_msg(msg, "%s: expect.%s: unknown key (valid: width, height, bit_depth, codec, "
                    "pix_fmt, frame_rate, color_range, color_primaries, color_trc, color_matrix, "
                    "active_aspect, active_aspect_tolerance, audio)",
                    file, it->string);
            return MQC_ERR_PROFILE;
        }
        if (k->kind == EXPECT_AUDIO) {
            if (mqc_expect_audio_validate(it, file, msg) < 0)
                return MQC_ERR_PROFILE;
            continue;
        }
        if (k->kind == EXPECT_TOLERANCE) {
            if (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble > 1) {
                mqc_msg(msg, "%s: expect.%s: expected number in [0, 1]", file, it->string);
                return MQC_ERR_PROFILE;
            }
            continue;
        }
        if (k->kind == EXPECT_INT) {
            if (!cJSON_IsNumber(it) || it->valuedouble != floor(it->valuedouble) ||
                it->valuedouble < 1 || it->valuedouble > 65536) {
                mqc_msg(msg, "%s: expect.%s: expected integer in [1, 65536]", file, it->string);
                return MQC_ERR_PROFILE;
            }
            continue;
        }
        /* a name or a list of acceptable names */
        int n = 0;
        const cJSON *one = it;
        if (cJSON_IsArray(it))
            one = it->child;
        for (; one; one = cJSON_IsArray(it) ? one->next : NULL, n++) {
            double aspect;
            if (!cJSON_IsString(one) || !one->valuestring[0] ||
                (k->kind == EXPECT_RATE && !rate_ok(one->valuestring)) ||
                (k->kind == EXPECT_ASPECT && aspect_parse(one->valuestring, &aspect) < 0)) {
                mqc_msg(msg, "%s: expect.%s%s: expected %s", file, it->string,
                        cJSON_IsArray(it) ? "[]" : "",
                        k->kind == EXPECT_RATE ? "a frame rate such as \"24000/1001\" or \"25\""
                        : k->kind == EXPECT_ASPECT ? "an aspect ratio such as \"2.39\" or \"16:9\""
                                                   : "a non-empty string or a list of strings");
                return MQC_ERR_PROFILE;
            }
        }
        if (!n) {
            mqc_msg(msg, "%s: expect.%s: expected a non-empty list", file, it->string);
            return MQC_ERR_PROFILE;
        }
    }
    return 0;
}

static int rate_matches(const char *want, const MqcStreamInfo *si)
{
    AVRational r;
    if (av_parse_video_rate(&r, want) < 0 || si->rate_den <= 0)
        return 0;
    /* "29.97" in a profile means 30000/1001: compare within 0.01% */
    double a = av_q2d(r), b = (double)si->rate_num / si->rate_den;
    return fabs(a - b) <= 1e-4 * b;
}

static void describe_wanted(const cJSON *v, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = 0;
    const cJSON *one = cJSON_IsArray(v) ? v->child : v;
    for (; one && n < len; one = cJSON_IsArray(v) ? one->next : NULL)
        n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " or " : "", one->valuestring);
}

void mqc_expect_evaluate(const cJSON *expect, const MqcStreamInfo *si, int64_t frames,
                         MqcEvents *ev)
{
    const cJSON *tol = cJSON_GetObjectItemCaseSensitive(expect, "active_aspect_tolerance");
    for (const cJSON *it = expect ? expect->child : NULL; it; it = it->next) {
        const struct ExpectKey *k = find_key(it->string);
        if (!k || k->kind == EXPECT_TOLERANCE)
            continue;   /* validated profiles have no unknown key */
        MqcEvent e = { .code = "format_mismatch", .start_frame = 0,
                       .end_frame = frames > 0 ? frames - 1 : 0 };
        if (k->kind == EXPECT_AUDIO) {
            mqc_expect_audio_evaluate(it, si, frames, &e, ev);
            continue;
        }
        if (k->kind == EXPECT_INT) {
            int found = *(const int *)((const char *)si + k->offset);
            if (k->offset == offsetof(MqcStreamInfo, codec_bit_depth) && found <= 0)
                found = si->bit_depth;      /* no codec depth known: the format's */
            if (found == (int)it->valuedouble)
                continue;
            e.value = found;
            snprintf(e.detail, sizeof(e.detail), "%s: expected %d, found %d", k->key,
                     (int)it->valuedouble, found);
        } else {
            char found[48];
            double measured = 0;
            int have = k->kind != EXPECT_ASPECT ||
                       mqc_learnt_get(si->learnt, it->string, &measured) == 0;
            if (k->kind == EXPECT_ASPECT && have)
                snprintf(found, sizeof(found), "%.3f", measured);
            else if (k->kind == EXPECT_ASPECT)
                snprintf(found, sizeof(found), "not measured (active_area off or no picture)");
            else if (k->kind == EXPECT_RATE)
                snprintf(found, sizeof(found), "%d/%d", si->rate_num, si->rate_den);
            else
                snprintf(found, sizeof(found), "%s", (const char *)si + k->offset);
            int ok = 0;
            const cJSON *one = cJSON_IsArray(it) ? it->child : it;
            for (; one && !ok; one = cJSON_IsArray(it) ? one->next : NULL) {
                double want;
                if (k->kind == EXPECT_ASPECT)
                    ok = have && aspect_parse(one->valuestring, &want) == 0 &&
                         fabs(measured - want) <= (tol ? tol->valuedouble : ASPECT_TOLERANCE);
                else
                    ok = k->kind == EXPECT_RATE ? rate_matches(one->valuestring, si)
                                                : !strcmp(one->valuestring, found);
            }
            if (!ok && k->kind == EXPECT_ASPECT)
                e.value = measured;
            if (ok)
                continue;
            char want[128];
            describe_wanted(it, want, sizeof(want));
            snprintf(e.detail, sizeof(e.detail), "%s: expected %s, found %s", k->key, want,
                     found[0] ? found : "(unset)");
        }
        mqc_events_add(ev, &e);
    }
}

/* ---- the check ---- */

typedef struct Format {
    cJSON *expect;              /* the profile's block, a copy */
    int64_t frames;
} Format;

static const MqcOption format_options[] = { { .name = NULL } };

static const MqcEventCode format_codes[] = {
    { "format_mismatch", "the stream does not match the profile's expect block" },
    { NULL, NULL },
};

static int format_configure(void *priv, const cJSON *block)
{
    Format *s = priv;
    s->expect = cJSON_Duplicate(block, 1);
    return s->expect ? 0 : MQC_ERR_NOMEM;
}

static int format_fold(void *priv, const MqcFrameInfo *fi, const void *frame, MqcEvents *ev)
{
    (void)frame;
    (void)ev;
    ((Format *)priv)->frames = fi->index + 1;
    return 0;
}

static void format_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m)
{
    (void)m;
    const Format *s = priv;
    mqc_expect_evaluate(s->expect, si, s->frames, ev);
}

static void format_close(void *priv)
{
    Format *s = priv;
    cJSON_Delete(s->expect);
    s->expect = NULL;
}

const MqcCheck mqc_check_format = {
    .name = "format",
    .summary = "the stream against the profile's expect block (size, bit depth, frame rates, "
               "pix_fmt, codec, colour tags)",
    .default_severity = MQC_SEV_ERROR,
    .options = format_options,
    .codes = format_codes,
    .priv_size = sizeof(Format),
    .fold = format_fold,
    .finish = format_finish,
    .close = format_close,
    .flags = MQC_CHECK_WITHOUT_PICTURES,
    .profile_block = "expect",
    .validate_block = mqc_expect_validate,
    .configure = format_configure,
};
