/* The JSON report (DESIGN.md §3, schema mediaqc.report/1). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"
#include "remote_io.h"
#include "stats.h"
#include "utf8.h"

static const char *event_text(const MqcCheckRun *cr, const char *code)
{
    for (const MqcEventCode *c = cr->check->codes; c && c->code; c++)
        if (!strcmp(c->code, code))
            return c->message;
    return NULL;
}

MqcSeverity mqc_event_severity(const MqcCheckRun *cr, const MqcEvent *e)
{
    return e->info ? MQC_SEV_INFO : cr->severity;
}

size_t mqc_check_faults(const MqcCheckRun *cr)
{
    size_t n = 0;
    for (size_t i = 0; i < cr->events.n; i++)
        n += !cr->events.v[i].info;
    return n;
}

void mqc_event_message(const MqcCheckRun *cr, const MqcEvent *e, char *buf, size_t len)
{
    const char *fmt = event_text(cr, e->code);
    if (e->detail[0])
        snprintf(buf, len, "%s", e->detail);
    else if (fmt)
        snprintf(buf, len, fmt, e->value);
    else
        snprintf(buf, len, "%s", e->code);
}

static double round_to(double v, double unit)
{
    return round(v / unit) * unit;
}

static cJSON *event_json(const MqcRun *run, const MqcCheckRun *cr, const MqcEvent *e)
{
    cJSON *o = cJSON_CreateObject();
    char tc[32], msg[512];
    cJSON_AddStringToObject(o, "severity", mqc_severity_name(mqc_event_severity(cr, e)));
    cJSON_AddStringToObject(o, "code", e->code);
    if (e->audio && !run->have_stream) {
        /* audio-only input: no frames to cover */
        cJSON_AddNullToObject(o, "start_frame");
        cJSON_AddNullToObject(o, "end_frame");
    } else {
        cJSON_AddNumberToObject(o, "start_frame", (double)e->start_frame);
        cJSON_AddNumberToObject(o, "end_frame", (double)e->end_frame);
    }
    if (run->have_stream) {
        mqc_run_timecode(run, e->start_frame, tc);
        cJSON_AddStringToObject(o, "start_tc", tc);
        mqc_run_timecode(run, e->end_frame, tc);
        cJSON_AddStringToObject(o, "end_tc", tc);
    } else {
        cJSON_AddNullToObject(o, "start_tc");
        cJSON_AddNullToObject(o, "end_tc");
    }
    if (e->audio) {
        cJSON_AddNumberToObject(o, "start_s", round_to(e->start_s, 1e-6));
        cJSON_AddNumberToObject(o, "end_s", round_to(e->end_s, 1e-6));
        cJSON_AddNumberToObject(o, "stream", e->stream);
        if (e->channel >= 0)
            cJSON_AddNumberToObject(o, "channel", e->channel);
        else
            cJSON_AddNullToObject(o, "channel");
    } else {
        /* end_s: the end of the last frame (its start plus one nominal frame) */
        double frame_s = run->si.rate_num > 0 && run->si.rate_den > 0 ?
                         (double)run->si.rate_den / run->si.rate_num : 0;
        cJSON_AddNumberToObject(o, "start_s", round_to(mqc_run_time(run, e->start_frame), 1e-6));
        cJSON_AddNumberToObject(o, "end_s", round_to(mqc_run_time(run, e->end_frame) + frame_s,
                                                     1e-6));
    }
    if (e->audio && !run->have_stream)
        cJSON_AddNullToObject(o, "worst_frame");
    else
        cJSON_AddNumberToObject(o, "worst_frame", (double)e->worst_frame);
    cJSON_AddNumberToObject(o, "value", round_to(e->value, 1e-4));
    mqc_event_message(cr, e, msg, sizeof(msg));
    cJSON_AddStringToObject(o, "message", msg);
    return o;
}

static void add_string_or_null(cJSON *o, const char *k, const char *v)
{
    if (v && *v && strcmp(v, "unknown"))
        cJSON_AddStringToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static cJSON *video_json(const MqcRun *run)
{
    const MqcStreamInfo *si = &run->si;
    cJSON *v = cJSON_CreateObject();
    char rate[32];
    cJSON_AddStringToObject(v, "codec", si->codec);
    cJSON_AddNumberToObject(v, "width", si->width);
    cJSON_AddNumberToObject(v, "height", si->height);
    cJSON_AddStringToObject(v, "pix_fmt", si->source_pix_fmt);
    if (si->converted)
        cJSON_AddStringToObject(v, "analysed_pix_fmt", si->pix_fmt);
    /* the codec's declared depth; the pixel format's may be larger (12-bit
     * JPEG 2000 decodes to rgb48le) */
    cJSON_AddNumberToObject(v, "bit_depth", si->codec_bit_depth);
    cJSON_AddNumberToObject(v, "container_bit_depth", si->bit_depth);
    if (si->is_float)
        cJSON_AddStringToObject(v, "sample_format", si->codec_bit_depth == 16 ? "float16"
                                                                              : "float32");
    add_string_or_null(v, "color_range", si->color_range);
    add_string_or_null(v, "color_primaries", si->color_primaries);
    add_string_or_null(v, "color_trc", si->color_trc);
    add_string_or_null(v, "color_matrix", si->color_matrix);
    if (si->rate_num > 0) {
        snprintf(rate, sizeof(rate), "%d/%d", si->rate_num, si->rate_den);
        cJSON_AddStringToObject(v, "frame_rate", rate);
    } else {
        cJSON_AddNullToObject(v, "frame_rate");
    }
    add_string_or_null(v, "start_timecode", run->start_timecode);
    cJSON_AddBoolToObject(v, "drop_frame", run->tc.drop);
    cJSON_AddNumberToObject(v, "frames", (double)run->frames);
    cJSON_AddNumberToObject(v, "frames_declared", (double)si->frames_declared);
    cJSON_AddNumberToObject(v, "duration_s", round_to(si->duration_s, 1e-6));
    return v;
}

static cJSON *audio_json(const MqcAudioInfo *ai)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", ai->index);
    cJSON_AddStringToObject(o, "codec", ai->codec);
    cJSON_AddNumberToObject(o, "channels", ai->channels);
    add_string_or_null(o, "layout", ai->layout);
    cJSON_AddNumberToObject(o, "sample_rate", ai->sample_rate);
    cJSON_AddStringToObject(o, "sample_fmt", ai->sample_fmt);
    cJSON_AddNumberToObject(o, "start_s", round_to(ai->start_s, 1e-6));
    cJSON_AddNumberToObject(o, "samples", (double)ai->samples);
    cJSON_AddNumberToObject(o, "duration_s", round_to((double)ai->samples / ai->sample_rate, 1e-6));
    return o;
}

static cJSON *run_json(const MqcRun *run, int argc, char **argv)
{
    cJSON *r = cJSON_CreateObject();
    char when[64], host[256] = "";
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON_AddStringToObject(r, "finished_at", when);
    gethostname(host, sizeof(host) - 1);
    cJSON_AddStringToObject(r, "host", host);
    cJSON_AddNumberToObject(r, "threads", run->threads);
    if (run->merge_note[0])     /* where a merge may not be the single pass's */
        cJSON_AddStringToObject(r, "merge_warning", run->merge_note);
    if (run->stats)
        cJSON_AddItemToObject(r, "stats", mqc_stats_json(run));
    cJSON *a = cJSON_AddArrayToObject(r, "argv");
    for (int i = 0; argv && i < argc; i++) {
        char shown[4096];
        if (mqc_remote_is_url(argv[i]))
            mqc_remote_redact(argv[i], shown, sizeof(shown));
        else
            snprintf(shown, sizeof(shown), "%s", argv[i]);
        cJSON_AddItemToArray(a, cJSON_CreateString(shown));
    }
    return r;
}

cJSON *mqc_report_json(const MqcRun *run, int argc, char **argv)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "schema", MQC_REPORT_SCHEMA);
    cJSON *tool = cJSON_AddObjectToObject(root, "tool");
    cJSON_AddStringToObject(tool, "name", "mediaqc");
    cJSON_AddStringToObject(tool, "version", MQC_VERSION);

    cJSON *input = cJSON_AddObjectToObject(root, "input");
    cJSON_AddStringToObject(input, "path", run->input_path);   /* made valid UTF-8 below */
    if (!mqc_utf8_valid(run->input_path)) {
        /* the exact bytes, for a name that is no UTF-8 (docs/reports.md) */
        size_t n = strlen(run->input_path);
        char *hex = malloc(2 * n + 1);
        for (size_t i = 0; hex && i < n; i++)
            snprintf(hex + 2 * i, 3, "%02x", (unsigned char)run->input_path[i]);
        if (hex)
            cJSON_AddStringToObject(input, "path_bytes", hex);
        free(hex);
    }
    cJSON_AddNumberToObject(input, "size_bytes", (double)run->input_size);
    add_string_or_null(input, "format", run->input_format);

    cJSON *prof = cJSON_AddObjectToObject(root, "profile");
    cJSON_AddStringToObject(prof, "name", run->profile->name);
    cJSON_AddStringToObject(prof, "source", run->profile->source);

    if (run->have_stream)
        cJSON_AddItemToObject(root, "video", video_json(run));
    else
        cJSON_AddNullToObject(root, "video");
    cJSON *audio = cJSON_AddArrayToObject(root, "audio");
    for (int a = 0; a < run->nb_audio; a++)
        cJSON_AddItemToArray(audio, audio_json(&run->audio[a]));

    cJSON_AddStringToObject(root, "verdict", mqc_verdict_name(run->verdict));
    cJSON *sum = cJSON_AddObjectToObject(root, "summary");
    cJSON_AddNumberToObject(sum, "errors", run->errors);
    cJSON_AddNumberToObject(sum, "warnings", run->warnings);
    cJSON_AddNumberToObject(sum, "frames_analyzed", (double)run->frames);
    cJSON_AddNumberToObject(sum, "elapsed_s", round_to(run->elapsed_s, 1e-3));
    cJSON_AddNumberToObject(sum, "fps", run->elapsed_s > 0 ?
                            round_to(run->frames / run->elapsed_s, 0.1) : 0);

    cJSON *checks = cJSON_AddArrayToObject(root, "checks");
    for (int c = 0; c < run->nb_checks; c++) {
        const MqcCheckRun *cr = &run->checks[c];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", cr->id);
        cJSON_AddStringToObject(o, "severity", mqc_severity_name(cr->severity));
        cJSON_AddStringToObject(o, "status", mqc_check_run_skipped(run, cr) ? "skipped" :
                                mqc_check_faults(cr) ? "fail" : "pass");
        if (cr->skipped)
            cJSON_AddStringToObject(o, "skipped_reason", cr->skip_reason);
        cJSON_AddItemToObject(o, "params", cr->params ? cJSON_Duplicate(cr->params, 1)
                                                      : cJSON_CreateObject());
        cJSON_AddItemToObject(o, "metrics", cr->metrics ? cJSON_Duplicate(cr->metrics, 1)
                                                        : cJSON_CreateObject());
        cJSON *evs = cJSON_AddArrayToObject(o, "events");
        for (size_t i = 0; i < cr->events.n; i++)
            cJSON_AddItemToArray(evs, event_json(run, cr, &cr->events.v[i]));
        cJSON_AddItemToArray(checks, o);
    }
    cJSON_AddItemToObject(root, "run", run_json(run, argc, argv));
    /* names and messages may hold any bytes; strict JSON parsers take UTF-8 only */
    if (mqc_json_utf8_repair(root) < 0) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}
