/* One QC job: run, render every output in memory, store each in its sink. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "../engine/outfile.h"
#include "../engine/remote_io.h"
#include "../engine/utf8.h"
#include "job.h"
#include "reports.h"

/* ---- sinks ---- */

int mqc_write_atomic(const char *path, const char *confine, const void *data, size_t len,
                     unsigned flags, const char *what, MqcMsg *msg)
{
    MqcOutFile f;
    int ret = mqc_outfile_open(&f, path, confine, flags & MQC_WRITE_MKDIRS ? MQC_OUT_MKDIRS : 0,
                               what, msg);
    if (ret < 0)
        return ret;
    fwrite(data, 1, len, f.fp);
    return mqc_outfile_commit(&f, msg);
}

int mqc_output_put(const char *where, const char *confine, const void *data, size_t len,
                   const char *content_type, unsigned flags, const char *what, MqcMsg *msg)
{
    if (mqc_remote_is_url(where))
        return mqc_remote_put(where, data, len, content_type, msg);
    return mqc_write_atomic(where, confine, data, len, flags, what, msg);
}

/* ---- jobs ---- */

static const struct OutputFormat {
    const char *name;           /* in the CLI summary */
    const char *what;           /* in messages */
    const char *content_type;   /* of a PUT */
} formats[MQC_OUTPUT_NB] = {
    [MQC_OUTPUT_JSON] = { "report", "report", "application/json" },
    [MQC_OUTPUT_HTML] = { "html", "HTML report", "text/html; charset=utf-8" },
    [MQC_OUTPUT_EDL] = { "edl", "EDL", "text/plain; charset=utf-8" },
    [MQC_OUTPUT_MARKERS] = { "markers", "markers", "text/csv; charset=utf-8" },
    [MQC_OUTPUT_JUNIT] = { "junit", "JUnit report", "application/xml" },
};

const char *mqc_output_name(MqcOutputKind k)
{
    return formats[k].name;
}

static int render(MqcOutputKind k, const MqcRun *run, const MqcCapture *cap,
                  const cJSON *report, MqcBuf *b)
{
    switch (k) {
    case MQC_OUTPUT_HTML:    return mqc_html_render(run, cap, report, b);
    case MQC_OUTPUT_EDL:     return mqc_edl_render(run, b);
    case MQC_OUTPUT_MARKERS: return mqc_markers_csv_render(run, b);
    case MQC_OUTPUT_JUNIT:   return mqc_junit_render(run, b);
    default: {
        char *text = cJSON_Print(report);
        if (text) {
            mqc_buf_puts(b, text);
            mqc_buf_puts(b, "\n");
        }
        free(text);
        return !text || b->oom ? MQC_ERR_NOMEM : 0;
    }
    }
}

/* The report with the job's facts in "run". */
static cJSON *report_json(const MqcJob *job, const MqcRun *run)
{
    cJSON *doc = mqc_report_json(run, job->argc, job->argv);
    cJSON *trigger = job->trigger ? cJSON_Duplicate(job->trigger, 1) : NULL;
    cJSON *run_facts = cJSON_GetObjectItemCaseSensitive(doc, "run");
    if (job->trigger && (!doc || !trigger || mqc_json_utf8_repair(trigger) < 0 ||
                         !cJSON_AddItemToObject(run_facts, "trigger", trigger))) {
        cJSON_Delete(trigger);
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

/* A merge that cannot be the single pass's (a later segment decoded
 * damaged or lost pictures: docs/segments.md): the whole file in one pass
 * instead, from the input and with the profile the partials name. The HTML
 * capture (last of the observers) starts again. */
static int whole_instead(const MqcJob *job, MqcRunOptions *opt, MqcJobResult *res,
                         MqcCapture **capture, MqcMsg *msg)
{
    MqcRun *merged = res->run;
    MqcProfile *profile = merged->owned_profile;
    merged->owned_profile = NULL;
    char note[sizeof(merged->merge_note)];
    snprintf(note, sizeof(note), "%s", merged->merge_note);
    MqcRunOptions whole = *opt;
    whole.input = merged->input_path;
    whole.stream_index = merged->input_stream;
    int ret = 0;
    if (capture) {
        mqc_capture_free(capture);
        if ((ret = mqc_capture_new(capture)) < 0) {
            mqc_profile_free(profile);
            return ret;
        }
        const MqcObserver **obs = (const MqcObserver **)whole.observers;
        while (obs[1])
            obs++;
        *obs = &(*capture)->observer;
    }
    res->run = NULL;
    ret = mqc_run(job->reg, profile, &whole, &res->run, msg);
    mqc_run_free(merged);
    if (ret < 0) {
        mqc_profile_free(profile);
        return ret;
    }
    res->run->owned_profile = profile;
    mqc_msg(&res->warning, "the merge could not be the single pass's (%s): the whole file "
            "was analysed instead", note);
    return 0;
}

int mqc_job_run(const MqcJob *job, MqcJobResult *res, MqcMsg *msg)
{
    memset(res, 0, sizeof(*res));
    MqcRunOptions opt = job->opt;
    /* the HTML page's thumbnails and curves come from the same pass */
    MqcCapture *capture = NULL;
    const MqcObserver *observers[16] = { NULL };
    int nobs = 0, ret = 0;
    for (const MqcObserver *const *o = opt.observers; o && *o && nobs < 14; o++)
        observers[nobs++] = *o;
    if (job->out[MQC_OUTPUT_HTML]) {
        if ((ret = mqc_capture_new(&capture)) < 0) {
            mqc_msg(msg, "%s", mqc_strerror(ret));
            return ret;
        }
        observers[nobs++] = &capture->observer;
    }
    opt.observers = observers;
    ret = job->merge ? mqc_merge(job->reg, job->merge, job->nb_merge, &opt, &res->run, msg)
                     : mqc_run(job->reg, job->profile, &opt, &res->run, msg);
    if (ret >= 0 && job->merge && (job->flags & MQC_JOB_EXACT) && res->run->merge_inexact)
        ret = whole_instead(job, &opt, res, capture ? &capture : NULL, msg);
    if (ret < 0) {
        if (!msg->text[0])
            mqc_msg(msg, "%s", mqc_strerror(ret));
        mqc_capture_free(&capture);
        return ret;
    }
    if (!res->run->input_size && job->size_hint > 0)
        res->run->input_size = job->size_hint;
    /* a merge chose the HTML's thumbnails as the single pass does: their pictures now */
    if (capture && job->merge && res->run->have_stream &&
        mqc_capture_pictures(capture, res->run, res->run->input_stream, &res->warning) < 0)
        mqc_msg(&res->warning, "the HTML report has no thumbnails: %s",
                capture->pictures_error);
    if (res->run->merge_note[0]) {
        MqcMsg before = res->warning;
        mqc_msg(&res->warning, "%s%s%s", before.text, before.text[0] ? "; " : "",
                res->run->merge_note);
    }
    cJSON *report = res->run->partial ? mqc_partial_json(res->run, job->argc, job->argv)
                                      : report_json(job, res->run);
    unsigned write_flags = job->flags & MQC_JOB_MKDIRS ? MQC_WRITE_MKDIRS : 0;
    /* the JSON last: when it is there, the job's other outputs are too */
    static const MqcOutputKind order[] = { MQC_OUTPUT_HTML, MQC_OUTPUT_EDL, MQC_OUTPUT_MARKERS,
                                           MQC_OUTPUT_JUNIT, MQC_OUTPUT_JSON };
    int first_error = 0;
    for (size_t i = 0; i < sizeof(order) / sizeof(*order); i++) {
        MqcOutputKind k = order[i];
        const char *where = job->out[k];
        if (!where || (first_error < 0 && (job->flags & MQC_JOB_STOP_ON_ERROR)))
            continue;
        MqcBuf b = { 0 };
        int r = report ? render(k, res->run, capture, report, &b) : MQC_ERR_NOMEM;
        if (r < 0)
            mqc_msg(&res->why[k], "%s: cannot write %s: %s", where, formats[k].what,
                    mqc_strerror(r));
        else
            r = mqc_output_put(where, job->confine, b.data ? b.data : "", b.len,
                               formats[k].content_type, write_flags, formats[k].what,
                               &res->why[k]);
        mqc_buf_free(&b);
        res->status[k] = r < 0 ? r : 1;
        if (r < 0 && !first_error) {
            first_error = r;
            *msg = res->why[k];
        }
    }
    cJSON_Delete(report);
    mqc_capture_free(&capture);
    return first_error;
}

void mqc_job_result_free(MqcJobResult *res)
{
    mqc_run_free(res->run);
    res->run = NULL;
}
