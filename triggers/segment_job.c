/* Segment jobs (mediaqc submit --segments N; docs/segments.md).
 *
 * Each job stores its segment's partial beside the report,
 * REPORT.parts/ETAG.I-of-N.json, then looks for the others. The job that
 * finds all N stored claims the report (triggers/claim.h, the claim the
 * whole-file jobs take), merges, stores the report, writes REPORT.merged
 * (which job merged which version) and removes the partials; its result
 * message is committed with its ack (triggers/worker.c), the other jobs
 * publish none. A job killed before storing its partial runs again on
 * redelivery; one redelivered after its partial was stored skips the
 * analysis; a merge redelivered after REPORT.merged names it publishes the
 * (reused) result it never committed; two jobs that both see the set
 * complete take the claim in turn, and the second finds REPORT.merged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "../engine/remote_io.h"
#include "../reports/job.h"
#include "claim.h"
#include "qc_job.h"

#define MARKER_MAX (64 << 10)

char *qc_key_encode(const char *key)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = malloc(3 * strlen(key) + 1), *o = out;
    for (const unsigned char *k = (const unsigned char *)key; out && *k; k++) {
        if ((*k >= '0' && *k <= '9') || (*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
            strchr("/._~-", *k)) {
            *o++ = (char)*k;
        } else {
            *o++ = '%';
            *o++ = hex[*k >> 4];
            *o++ = hex[*k & 15];
        }
    }
    if (out)
        *o = 0;
    return out;
}

static void part_path(const char *report, const QcObject *obj, int j, char *buf, size_t len)
{
    char tag[64];
    size_t n = 0;
    /* the eTag names the version; only its safe characters go in a name */
    for (const char *e = obj->etag; *e && n + 1 < sizeof(tag); e++)
        if ((*e >= '0' && *e <= '9') || (*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') ||
            *e == '-' || *e == '_')
            tag[n++] = *e;
    tag[n] = 0;
    snprintf(buf, len, "%s.parts/%s.%d-of-%d.json", report, n ? tag : "noetag", j, obj->segments);
}

static int stored(const QcConfig *cfg, const char *path)
{
    struct stat st;
    int64_t size;
    char etag[130];
    MqcMsg ignored;
    return cfg->root ? stat(path, &st) == 0
                     : mqc_remote_stat(path, &size, etag, sizeof(etag), &ignored) >= 0;
}

static void remove_stored(const QcConfig *cfg, const char *path)
{
    MqcMsg ignored;
    if (cfg->root)
        unlink(path);
    else
        mqc_remote_delete(path, &ignored);
}

/* The segment whose job merged this version (REPORT.merged), or -1. */
static int merged_by(const QcConfig *cfg, const QcObject *obj, const char *marker)
{
    char *text = NULL;
    size_t len = 0;
    MqcMsg ignored;
    int ret = cfg->root ? qc_read_all(marker, MARKER_MAX, &text, &len, &ignored)
                        : mqc_remote_get(marker, MARKER_MAX, &text, &len, &ignored);
    cJSON *doc = ret >= 0 ? cJSON_ParseWithLength(text, len) : NULL;
    free(text);
    const cJSON *etag = cJSON_GetObjectItemCaseSensitive(doc, "etag");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(doc, "segments");
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(doc, "segment");
    /* valueint, which cJSON clamps: the marker is stored beside the reports */
    int k = cJSON_IsString(etag) && !strcmp(etag->valuestring, obj->etag) && cJSON_IsNumber(n) &&
            n->valueint == obj->segments && cJSON_IsNumber(by) ? by->valueint : -1;
    cJSON_Delete(doc);
    return k;
}

typedef struct MergeDone {
    const QcConfig *cfg;
    const QcObject *obj;
    const char *marker;
} MergeDone;

static int merge_done(void *arg)
{
    const MergeDone *d = arg;
    return merged_by(d->cfg, d->obj, d->marker) >= 0;
}

/* This job's segment: analysed and stored as a partial, unless stored already. */
static int store_partial(const QcConfig *cfg, const QcObject *obj, const MqcProfile *profile,
                         const char *part, QcOutcome *out)
{
    if (stored(cfg, part))
        return 0;
    char confine[4096];
    MqcJob job = { .reg = cfg->reg, .profile = profile, .size_hint = obj->size,
                   .opt = { .input = out->input, .stream_index = -1, .threads = cfg->threads,
                            .segment_index = obj->segment, .segment_count = obj->segments },
                   .out = { [MQC_OUTPUT_JSON] = part },
                   /* the report the single pass would give, always (docs/segments.md) */
                   .flags = MQC_JOB_MKDIRS | MQC_JOB_STOP_ON_ERROR | MQC_JOB_EXACT,
                   .confine = qc_job_confine(cfg, obj, confine, sizeof(confine)) };
    MqcJobResult res;
    MqcMsg msg = { "" };
    int ret = mqc_job_run(&job, &res, &msg);
    if (ret >= 0 && res.run->unreadable[0]) {
        snprintf(msg.text, sizeof(msg.text), "%s", res.run->unreadable);
        ret = MQC_ERR_UNREADABLE;
    }
    if (ret < 0) {
        out->exit_code = mqc_exit_code(ret, MQC_ERROR);
        snprintf(out->message, sizeof(out->message), "segment %d/%d: %s", obj->segment,
                 obj->segments, msg.text[0] ? msg.text : mqc_strerror(ret));
    }
    mqc_job_result_free(&res);
    return ret;
}

/* Every partial into the report (whole: the file analysed whole instead),
 * then the marker, then the partials go. */
static void merge(const QcConfig *cfg, const QcObject *obj, const MqcProfile *profile,
                  const char *rule, char **parts, int whole, const char *marker, QcOutcome *out)
{
    char confine[4096];
    MqcJob job = { .reg = cfg->reg, .size_hint = obj->size,
                   .out = { [MQC_OUTPUT_JSON] = out->report, [MQC_OUTPUT_HTML] = out->html },
                   /* the report the single pass would give, always (docs/segments.md) */
                   .flags = MQC_JOB_MKDIRS | MQC_JOB_STOP_ON_ERROR | MQC_JOB_EXACT,
                   .confine = qc_job_confine(cfg, obj, confine, sizeof(confine)) };
    if (whole) {
        job.profile = profile;
        job.opt = (MqcRunOptions){ .input = out->input, .stream_index = -1,
                                   .threads = cfg->threads };
    } else {
        job.merge = (const char *const *)parts;
        job.nb_merge = obj->segments;
        job.opt = (MqcRunOptions){ .threads = cfg->threads };
    }
    cJSON *trigger = qc_job_trigger(obj, rule);
    job.trigger = trigger;
    MqcJobResult res = { .run = NULL };
    MqcMsg msg = { "" };
    int ret = trigger ? mqc_job_run(&job, &res, &msg) : MQC_ERR_NOMEM;
    cJSON_Delete(trigger);
    if (res.warning.text[0])
        mqc_log("warning: %s", res.warning.text);
    qc_job_outcome(out, ret, res.run, &msg);
    mqc_job_result_free(&res);
    if (ret < 0)
        return;
    char text[300];
    snprintf(text, sizeof(text), "{\"etag\": \"%s\", \"segments\": %d, \"segment\": %d}\n",
             obj->etag, obj->segments, obj->segment);
    if ((ret = mqc_output_put(marker, job.confine, text, strlen(text), "application/json",
                              MQC_WRITE_MKDIRS, "merge marker", &msg)) < 0) {
        qc_job_outcome(out, ret, NULL, &msg);
        return;
    }
    for (int j = 0; j < obj->segments; j++)
        remove_stored(cfg, parts[j]);
    if (cfg->root) {    /* the folder of the partials, when nothing else is in it */
        char dir[2200];
        snprintf(dir, sizeof(dir), "%s.parts", out->report);
        rmdir(dir);
    }
}

void qc_segment_run(const QcConfig *cfg, const QcObject *obj, const MqcProfile *profile,
                    const char *rule, QcOutcome *out)
{
    char marker[2100];
    snprintf(marker, sizeof(marker), "%s.merged", out->report);
    MergeDone done = { cfg, obj, marker };
    char **parts = calloc((size_t)obj->segments, sizeof(*parts));
    for (int j = 0; parts && j < obj->segments; j++)
        if ((parts[j] = malloc(2200)))
            part_path(out->report, obj, j, parts[j], 2200);
    QcClaim *claim = NULL;
    MqcMsg msg = { "" };
    for (int attempt = 0; attempt < 2; attempt++) {
        /* merged already: the merging job's redelivery publishes its result */
        int k = merged_by(cfg, obj, marker);
        if (k >= 0) {
            if (!qc_job_reuse(cfg, obj, profile, out)) {   /* an error verdict */
                snprintf(out->verdict, sizeof(out->verdict), "error");
                out->exit_code = MQC_EXIT_UNREADABLE;
            }
            out->pending = k != obj->segment;
            goto end;
        }
        if (attempt)
            break;
        int missing = !parts;
        for (int j = 0; !missing && j < obj->segments; j++)
            missing = !parts[j];
        if (missing) {
            qc_job_outcome(out, MQC_ERR_NOMEM, NULL, &msg);
            goto end;
        }
        /* a file that cannot be split (no index, MXF or Matroska timestamps
         * that skip, audio only, ...: exit 2 naming the reason) is every
         * segment job's; the first to take the claim analyses it whole, the
         * others find it merged */
        int ret = store_partial(cfg, obj, profile, parts[obj->segment], out);
        int whole = ret == MQC_ERR_USAGE;
        if (whole)
            mqc_log("%s: %s: analysing the file whole instead", obj->key, out->message);
        else if (ret < 0) {
            out->report[0] = 0;
            goto end;
        }
        for (int j = 0; !whole && j < obj->segments; j++)
            missing += !stored(cfg, parts[j]);
        if (missing) {
            out->pending = 1;
            out->exit_code = MQC_EXIT_PASS;
            snprintf(out->message, sizeof(out->message), "segment %d/%d stored; %d segment%s "
                     "to come", obj->segment, obj->segments, missing, missing == 1 ? "" : "s");
            goto end;
        }
        char confine[4096];
        int r = qc_claim(out->report, qc_job_confine(cfg, obj, confine, sizeof(confine)),
                         cfg->quiet, merge_done, &done, &claim, &msg);
        if (r < 0) {
            qc_job_outcome(out, r, NULL, &msg);
            goto end;
        }
        if (r > 0 && !merge_done(&done)) {
            merge(cfg, obj, profile, rule, parts, whole, marker, out);
            goto end;
        }
        /* another job merged while this one waited: look again */
        qc_claim_release(claim);
        claim = NULL;
    }
    out->pending = 1;
    out->exit_code = MQC_EXIT_PASS;
    snprintf(out->message, sizeof(out->message), "segment %d/%d: merged by another job",
             obj->segment, obj->segments);
end:
    qc_claim_release(claim);
    for (int j = 0; parts && j < obj->segments; j++)
        free(parts[j]);
    free(parts);
}
