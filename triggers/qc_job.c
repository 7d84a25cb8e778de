/* QC one object and store its report; event parsing; shared CLI set-up. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "../checks/all.h"
#include "../engine/remote_io.h"
#include "../engine/utf8.h"
#include "../reports/job.h"
#include "claim.h"
#include "qc_job.h"
#include "../engine/args.h"

/* ---- files ---- */

int qc_read_all(const char *path, size_t max, char **text, size_t *len, MqcMsg *msg)
{
    int is_stdin = !strcmp(path, "-");
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    *text = NULL;
    *len = 0;
    if (!f) {
        mqc_msg(msg, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? MQC_ERR_NOT_FOUND : MQC_ERR_USAGE;
    }
    size_t cap = 0, n = 0;
    char *buf = NULL;
    int ret = 0;
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > max) {
                mqc_msg(msg, "%s: larger than %zu bytes", path, max);
                ret = MQC_ERR_USAGE;
                break;
            }
            char *nb = realloc(buf, cap = cap ? cap * 2 : 16384);
            if (!nb) {
                ret = MQC_ERR_NOMEM;
                break;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (!got)
            break;
    }
    if (!ret && ferror(f)) {
        mqc_msg(msg, "%s: read error: %s", path, strerror(errno));
        ret = MQC_ERR_USAGE;
    }
    if (!is_stdin)
        fclose(f);
    if (ret < 0) {
        free(buf);
        return ret;
    }
    buf[n] = 0;
    *text = buf;
    *len = n;
    return 0;
}

/* Parses JSON text; an error names `origin` and the line. */
static int parse_json(const char *text, size_t len, const char *origin, cJSON **doc, MqcMsg *msg)
{
    const char *end = NULL;
    if (memchr(text, 0, len)) {
        mqc_msg(msg, "%s: not JSON text (contains NUL bytes)", origin);
        return MQC_ERR_USAGE;
    }
    /* text need not be NUL-terminated: parse exactly len bytes, then allow
     * only whitespace after the document */
    *doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    while (*doc && end < text + len && strchr(" \t\r\n", *end))
        end++;
    if (*doc && end != text + len) {
        cJSON_Delete(*doc);
        *doc = NULL;
    }
    if (!*doc) {
        int line = 1;
        for (const char *p = text; end && p < end; p++)
            line += *p == '\n';
        mqc_msg(msg, "%s: invalid JSON at line %d", origin, line);
        return MQC_ERR_USAGE;
    }
    return 0;
}

int qc_parse_json_file(const char *path, cJSON **doc, MqcMsg *msg)
{
    char *text;
    size_t len;
    *doc = NULL;
    int ret = qc_read_all(path, 1 << 20, &text, &len, msg);
    if (ret >= 0)
        ret = parse_json(text, len, path, doc, msg);
    free(text);
    return ret < 0 ? MQC_ERR_PROFILE : 0;
}

/* ---- keys and events ---- */

static int hex_value(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
           c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

char *qc_key_decode(const char *encoded)
{
    char *out = malloc(strlen(encoded) + 1), *o = out;
    if (!out)
        return NULL;
    for (const char *p = encoded; *p; p++) {
        if (*p == '+') {
            *o++ = ' ';
        } else if (*p == '%') {
            int hi = hex_value(p[1]), lo = hi < 0 ? -1 : hex_value(p[2]);
            if (lo < 0 || (hi == 0 && lo == 0)) {
                free(out);
                return NULL;
            }
            *o++ = (char)(hi << 4 | lo);
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
    return out;
}

int qc_key_check(const char *key, MqcMsg *msg)
{
    size_t n = strlen(key);
    if (!n || n > 1024) {
        mqc_msg(msg, "key must have 1 to 1024 bytes");
        return MQC_ERR_USAGE;
    }
    if (key[0] == '/') {
        mqc_msg(msg, "key \"%s\" is an absolute path", key);
        return MQC_ERR_USAGE;
    }
    /* keys are printed: no C0/C1 controls (U+0080..U+009F is C2 80..C2 9F in UTF-8) */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
            mqc_msg(msg, "key contains control characters");
            return MQC_ERR_USAGE;
        }
    /* each component must be a plain name: no "..", ".", or empty parts */
    for (const char *c = key; *c;) {
        size_t len = strcspn(c, "/");
        if (!len || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.')) {
            mqc_msg(msg, "key \"%s\" has a \"%.*s\" path component (would leave the folder)",
                    key, (int)len, c);
            return MQC_ERR_USAGE;
        }
        c += len + (c[len] == '/');
    }
    return 0;
}

static int valid_bucket(const char *b)
{
    size_t n = strlen(b);
    if (n < 3 || n > 63 || !((b[0] >= 'a' && b[0] <= 'z') || (b[0] >= '0' && b[0] <= '9')))
        return 0;
    return strspn(b, "abcdefghijklmnopqrstuvwxyz0123456789.-") == n && !strstr(b, "..");
}

static const char *nested_string(const cJSON *o, const char *a, const char *b, const char *c)
{
    o = cJSON_GetObjectItemCaseSensitive(o, a);
    o = b ? cJSON_GetObjectItemCaseSensitive(o, b) : o;
    o = b && c ? cJSON_GetObjectItemCaseSensitive(o, c) : o;
    return cJSON_IsString(o) ? o->valuestring : NULL;
}

static void parse_record(const cJSON *rec, int i, const char *report_prefix, QcRecord *out)
{
    QcObject *obj = &out->obj;
    obj->size = -1;
    out->kind = QC_RECORD_INVALID;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(rec, "eventName");
    if (!cJSON_IsString(name)) {
        snprintf(out->why, sizeof(out->why), "Records[%d].eventName: missing", i);
        return;
    }
    snprintf(obj->event, sizeof(obj->event), "%s", name->valuestring);
    if (strncmp(name->valuestring, "ObjectCreated:", 14)) {
        out->kind = QC_RECORD_SKIP;
        snprintf(out->why, sizeof(out->why), "Records[%d]: event %s is not ObjectCreated:*", i,
                 obj->event);
        return;
    }
    const char *bucket = nested_string(rec, "s3", "bucket", "name");
    const char *key = nested_string(rec, "s3", "object", "key");
    if (!bucket || !key) {
        snprintf(out->why, sizeof(out->why), "Records[%d].s3.%s: missing", i,
                 bucket ? "object.key" : "bucket.name");
        return;
    }
    if (!valid_bucket(bucket)) {
        snprintf(out->why, sizeof(out->why), "Records[%d].s3.bucket.name: \"%.64s\" is not a "
                 "valid bucket name", i, bucket);
        return;
    }
    snprintf(obj->bucket, sizeof(obj->bucket), "%s", bucket);
    obj->key = qc_key_decode(key);
    MqcMsg why;
    if (!obj->key) {
        snprintf(out->why, sizeof(out->why), "Records[%d].s3.object.key: bad URL encoding in "
                 "\"%.200s\"", i, key);
        return;
    }
    if (qc_key_check(obj->key, &why) < 0) {
        snprintf(out->why, sizeof(out->why), "Records[%d].s3.object.key: %s", i, why.text);
        return;
    }
    const cJSON *object = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(rec, "s3"), "object");
    const cJSON *size = cJSON_GetObjectItemCaseSensitive(object, "size");
    const cJSON *etag = cJSON_GetObjectItemCaseSensitive(object, "eTag");
    /* 2^62 bytes: above any object, and the double converts to int64_t */
    int bad_size = size && (!cJSON_IsNumber(size) || !(size->valuedouble >= 0 &&
                                                       size->valuedouble <= 0x1p62));
    if (bad_size || (etag && !cJSON_IsString(etag))) {
        snprintf(out->why, sizeof(out->why), "Records[%d].s3.object.%s: expected %s", i,
                 bad_size ? "size" : "eTag", bad_size ? "a number of bytes" : "a string");
        return;
    }
    obj->size = size ? (int64_t)size->valuedouble : -1;
    if (etag) {   /* S3 sends it bare, HTTP ETag headers quote it: compare bare */
        const char *e = etag->valuestring + (etag->valuestring[0] == '"');
        snprintf(obj->etag, sizeof(obj->etag), "%.*s", (int)strcspn(e, "\""), e);
    }
    /* a segment job (mediaqc submit --segments N) */
    const cJSON *seg = cJSON_GetObjectItemCaseSensitive(rec, "mediaqc");
    if (seg) {
        const cJSON *si = cJSON_GetObjectItemCaseSensitive(seg, "segment");
        const cJSON *sn = cJSON_GetObjectItemCaseSensitive(seg, "segments");
        if (!cJSON_IsNumber(si) || !cJSON_IsNumber(sn) || sn->valuedouble < 1 ||
            sn->valuedouble > 10000 || si->valuedouble < 0 || si->valuedouble >= sn->valuedouble ||
            si->valuedouble != (int)si->valuedouble || sn->valuedouble != (int)sn->valuedouble) {
            snprintf(out->why, sizeof(out->why), "Records[%d].mediaqc: expected {\"segment\": I, "
                     "\"segments\": N} with 0 <= I < N <= 10000", i);
            return;
        }
        obj->segment = (int)si->valuedouble;
        obj->segments = (int)sn->valuedouble;
    }
    out->kind = QC_RECORD_JOB;
    size_t n = strlen(obj->key);
    if (obj->key[n - 1] == '/') {
        out->kind = QC_RECORD_SKIP;
        snprintf(out->why, sizeof(out->why), "s3://%s/%s: a folder marker, not media", bucket,
                 obj->key);
    } else if (!strncmp(obj->key, report_prefix, strlen(report_prefix))) {
        out->kind = QC_RECORD_SKIP;
        snprintf(out->why, sizeof(out->why), "s3://%s/%s: under the report prefix %s", bucket,
                 obj->key, report_prefix);
    }
}

int qc_event_parse(const char *text, size_t len, const char *origin, const char *report_prefix,
                   QcRecord **records, int *n, MqcMsg *msg)
{
    *records = NULL;
    *n = 0;
    cJSON *doc;
    int ret = parse_json(text, len, origin, &doc, msg);
    if (ret < 0)
        return ret;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "Records");
    const cJSON *test = cJSON_GetObjectItemCaseSensitive(doc, "Event");
    if (!list && cJSON_IsString(test) && !strcmp(test->valuestring, "s3:TestEvent")) {
        /* S3 sends it once when notifications are set up: nothing to QC */
        *records = calloc(1, sizeof(**records));
        if (*records) {
            (*records)->kind = QC_RECORD_SKIP;
            snprintf((*records)->why, sizeof((*records)->why), "s3:TestEvent");
            *n = 1;
        }
        cJSON_Delete(doc);
        return *records ? 0 : MQC_ERR_NOMEM;
    }
    if (!cJSON_IsArray(list)) {
        mqc_msg(msg, "%s: not an S3 event notification (no \"Records\" array)", origin);
        cJSON_Delete(doc);
        return MQC_ERR_USAGE;
    }
    int count = cJSON_GetArraySize(list);
    if (count > QC_MAX_EVENT_RECORDS) {
        mqc_msg(msg, "%s: %d records in one event, at most %d are accepted (split the event)",
                origin, count, QC_MAX_EVENT_RECORDS);
        cJSON_Delete(doc);
        return MQC_ERR_USAGE;
    }
    *records = calloc((size_t)(count ? count : 1), sizeof(**records));
    if (!*records) {
        cJSON_Delete(doc);
        return MQC_ERR_NOMEM;
    }
    /* linear walk: cJSON_GetArrayItem(list, i) restarts from the head each time */
    const cJSON *rec;
    cJSON_ArrayForEach(rec, list) {
        parse_record(rec, *n, report_prefix, &(*records)[*n]);
        ++*n;
    }
    cJSON_Delete(doc);
    return 0;
}

void qc_records_free(QcRecord *records, int n)
{
    for (int i = 0; records && i < n; i++)
        free(records[i].obj.key);
    free(records);
}

/* ---- one job ---- */

static int verdict_exit(const char *verdict)
{
    MqcVerdict v = MQC_ERROR;
    for (int i = MQC_PASS; i <= MQC_ERROR; i++)
        if (!strcmp(verdict, mqc_verdict_name((MqcVerdict)i)))
            v = (MqcVerdict)i;
    return mqc_exit_code(0, v);
}

static double number_or_zero(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* The stored report of this very object version and profile, if any. */
int qc_job_reuse(const QcConfig *cfg, const QcObject *obj, const MqcProfile *profile,
                 QcOutcome *out)
{
    struct stat st;
    /* a local report is a regular file: a link or FIFO planted at its name
     * is replaced by the job's report, never read (a FIFO would block) */
    if (!obj->etag[0] || (cfg->root && (lstat(out->report, &st) < 0 || !S_ISREG(st.st_mode))))
        return 0;
    char *text = NULL;
    size_t len = 0;
    MqcMsg ignored;
    int ret = cfg->root ? qc_read_all(out->report, 64 << 20, &text, &len, &ignored)
                        : mqc_remote_get(out->report, 64 << 20, &text, &len, &ignored);
    cJSON *doc = NULL;
    if (ret < 0 || parse_json(text, len, out->report, &doc, &ignored) < 0) {
        free(text);
        return 0;
    }
    free(text);
    const char *etag = nested_string(doc, "run", "trigger", "etag");
    const char *prof = nested_string(doc, "profile", "name", NULL);
    /* an eTag names content in object storage; a local root's file can be
     * replaced under the same eTag (a re-sent event): size and mtime decide */
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(doc, "input");
    const cJSON *trigger = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(doc, "run"), "trigger");
    int same_file = obj->size <= 0 || number_or_zero(input, "size_bytes") == (double)obj->size;
    if (cfg->root) {
        char mtime[32];
        const cJSON *stored = cJSON_GetObjectItemCaseSensitive(trigger, "mtime_ns");
        snprintf(mtime, sizeof(mtime), "%lld", (long long)obj->mtime_ns);
        same_file = same_file && obj->mtime_ns && cJSON_IsString(stored) &&
                    !strcmp(stored->valuestring, mtime);   /* a string: ns exceed a double */
    }
    const char *verdict = nested_string(doc, "verdict", NULL, NULL);
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(doc, "summary");
    /* an "error" verdict may be transient (network, access): analyse again */
    int same = same_file && etag && !strcmp(etag, obj->etag) && prof &&
               !strcmp(prof, profile->name) &&
               verdict && strcmp(verdict, "error") && cJSON_IsObject(sum);
    if (same) {
        snprintf(out->verdict, sizeof(out->verdict), "%s", verdict);
        out->exit_code = verdict_exit(verdict);
        out->errors = (int)number_or_zero(sum, "errors");
        out->warnings = (int)number_or_zero(sum, "warnings");
        out->frames = (int64_t)number_or_zero(sum, "frames_analyzed");
        out->reused = 1;
    }
    cJSON_Delete(doc);
    return same;
}

typedef struct ReuseCheck {
    const QcConfig *cfg;
    const QcObject *obj;
    const MqcProfile *profile;
    QcOutcome *out;
} ReuseCheck;

static int reuse_check(void *arg)
{
    const ReuseCheck *r = arg;
    return qc_job_reuse(r->cfg, r->obj, r->profile, r->out);
}

void qc_job_run(const QcConfig *cfg, const QcObject *obj, QcOutcome *out)
{
    memset(out, 0, sizeof(*out));
    if (!qc_rules_wants(cfg->rules, obj->key)) {
        /* a sidecar (notes.txt, an MHL, ...) beside the media: not a failed QC */
        out->skipped = 1;
        out->exit_code = MQC_EXIT_PASS;
        snprintf(out->input, sizeof(out->input), "%s%s%s", obj->bucket, obj->bucket[0] ? "/" : "",
                 obj->key);
        snprintf(out->message, sizeof(out->message), "not QC'd: excluded by the include/exclude "
                 "patterns (see docs/triggers.md)");
        return;
    }
    const char *rule;
    const MqcProfile *profile = qc_rules_select(cfg->rules, obj->bucket, obj->key, &rule);
    snprintf(out->profile, sizeof(out->profile), "%s", profile->name);
    snprintf(out->rule, sizeof(out->rule), "%s", rule);
    if (cfg->root) {   /* DIR/BUCKET/KEY; a watch folder has no bucket level */
        const char *sep = obj->bucket[0] ? "/" : "";
        snprintf(out->input, sizeof(out->input), "%s/%s%s%s", cfg->root, obj->bucket, sep,
                 obj->key);
        snprintf(out->report, sizeof(out->report), "%s/%s%s%s%s.json", cfg->root, obj->bucket,
                 sep, cfg->report_prefix, obj->key);
    } else {
        snprintf(out->input, sizeof(out->input), "s3://%s/%s", obj->bucket, obj->key);
        snprintf(out->report, sizeof(out->report), "s3://%s/%s%s.json", obj->bucket,
                 cfg->report_prefix, obj->key);
    }
    /* the object as it is now (a newer upload replaces the event's version):
     * its ETag, size and (under --root) mtime make the job idempotent; on
     * object storage the size goes in the report since there is no stat() */
    QcObject now = *obj;
    int ret = 0;
    MqcMsg msg = { "" };
    if (cfg->root) {
        struct stat st;
        if (stat(out->input, &st) == 0) {
            now.size = st.st_size;
            now.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        }
        obj = &now;
    } else {
        ret = mqc_remote_stat(out->input, &now.size, now.etag, sizeof(now.etag), &msg);
        if (!now.etag[0])
            snprintf(now.etag, sizeof(now.etag), "%s", obj->etag);
        obj = &now;
    }
    snprintf(out->html, sizeof(out->html), "%.*s.html", (int)strlen(out->report) - 5, out->report);
    if (ret >= 0 && obj->segments) {
        qc_segment_run(cfg, obj, profile, rule, out);
        return;
    }
    if (ret >= 0 && qc_job_reuse(cfg, obj, profile, out))
        return;
    /* the same event delivered twice at once: one analysis, the other waits
     * for its report */
    QcClaim *claim = NULL;
    char confine[4096];
    const char *within = qc_job_confine(cfg, obj, confine, sizeof(confine));
    if (ret >= 0) {
        ReuseCheck again = { cfg, obj, profile, out };
        ret = qc_claim(out->report, within, cfg->quiet, reuse_check, &again, &claim, &msg);
        if (ret == 0)
            return;
        ret = ret > 0 ? 0 : ret;
    }

    MqcJob job = { .reg = cfg->reg, .profile = profile, .size_hint = obj->size,
                   .opt = { .input = out->input, .stream_index = -1, .threads = cfg->threads },
                   .out = { [MQC_OUTPUT_JSON] = out->report, [MQC_OUTPUT_HTML] = out->html },
                   .flags = MQC_JOB_MKDIRS | MQC_JOB_STOP_ON_ERROR,
                   .confine = within };
    cJSON *trigger = qc_job_trigger(obj, rule);
    job.trigger = trigger;
    MqcJobResult res = { .run = NULL };
    if (ret >= 0)
        ret = trigger ? mqc_job_run(&job, &res, &msg) : MQC_ERR_NOMEM;
    cJSON_Delete(trigger);
    qc_claim_release(claim);
    qc_job_outcome(out, ret, res.run, &msg);
    mqc_job_result_free(&res);
}

void qc_job_outcome(QcOutcome *out, int ret, const MqcRun *run, const MqcMsg *msg)
{
    out->exit_code = mqc_exit_code(ret, run ? run->verdict : MQC_ERROR);
    if (ret < 0) {
        /* no report: the run could not start or an output was not stored */
        snprintf(out->message, sizeof(out->message), "%s", msg->text[0] ? msg->text :
                 mqc_strerror(ret));
        out->report[0] = out->html[0] = 0;
    } else {
        snprintf(out->verdict, sizeof(out->verdict), "%s", mqc_verdict_name(run->verdict));
        out->errors = run->errors;
        out->warnings = run->warnings;
        out->frames = run->frames;
        if (run->unreadable[0] || run->error[0])
            snprintf(out->message, sizeof(out->message), "%s",
                     run->unreadable[0] ? run->unreadable : run->error);
    }
}

const char *qc_job_confine(const QcConfig *cfg, const QcObject *obj, char *buf, size_t len)
{
    /* what the uploader controls (below the bucket's folder) leads to no link */
    if (!cfg->root)
        return NULL;
    snprintf(buf, len, "%s%s%s", cfg->root, obj->bucket[0] ? "/" : "", obj->bucket);
    return buf;
}

cJSON *qc_job_trigger(const QcObject *obj, const char *rule)
{
    cJSON *trigger = cJSON_CreateObject();
    if (trigger) {
        if (obj->bucket[0])
            cJSON_AddStringToObject(trigger, "bucket", obj->bucket);
        cJSON_AddStringToObject(trigger, "key", obj->key);
        cJSON_AddStringToObject(trigger, "etag", obj->etag);
        if (obj->mtime_ns) {   /* a string: nanoseconds exceed a double */
            char mtime[32];
            snprintf(mtime, sizeof(mtime), "%lld", (long long)obj->mtime_ns);
            cJSON_AddStringToObject(trigger, "mtime_ns", mtime);
        }
        if (obj->event[0])
            cJSON_AddStringToObject(trigger, "event", obj->event);
        cJSON_AddStringToObject(trigger, "rule", rule);
    }
    return trigger;
}

cJSON *qc_outcome_json(const QcObject *obj, const QcOutcome *out)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "bucket", obj->bucket);
    cJSON_AddStringToObject(o, "key", obj->key ? obj->key : "");
    cJSON_AddStringToObject(o, "etag", obj->etag);
    cJSON_AddStringToObject(o, "event", obj->event);
    if (out->verdict[0])
        cJSON_AddStringToObject(o, "verdict", out->verdict);
    else
        cJSON_AddNullToObject(o, "verdict");
    cJSON_AddNumberToObject(o, "exit_code", out->exit_code);
    cJSON_AddNumberToObject(o, "errors", out->errors);
    cJSON_AddNumberToObject(o, "warnings", out->warnings);
    cJSON_AddNumberToObject(o, "frames", (double)out->frames);
    cJSON_AddStringToObject(o, "profile", out->profile);
    cJSON_AddStringToObject(o, "rule", out->rule);
    cJSON_AddStringToObject(o, "input", out->input);
    if (out->report[0])
        cJSON_AddStringToObject(o, "report", out->report);
    else
        cJSON_AddNullToObject(o, "report");
    if (out->html[0])
        cJSON_AddStringToObject(o, "html", out->html);
    cJSON_AddBoolToObject(o, "reused", out->reused);
    cJSON_AddBoolToObject(o, "skipped", out->skipped);
    if (out->message[0])
        cJSON_AddStringToObject(o, "message", out->message);
    if (mqc_json_utf8_repair(o) < 0) {   /* a key may be any bytes; JSON takes UTF-8 */
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

void qc_outcome_print(const QcObject *obj, const QcOutcome *out)
{
    (void)obj;
    if (out->skipped) {
        mqc_log("%s: %s", out->input, out->message);
        return;
    }
    if (!out->verdict[0]) {
        mqc_log("%s: not analysed: %s", out->input, out->message);
        return;
    }
    char upper[8];
    for (size_t i = 0; i < sizeof(upper); i++)
        upper[i] = (char)(out->verdict[i] >= 'a' ? out->verdict[i] - 32 : out->verdict[i]);
    mqc_print_line(stdout, "%s: %s (profile %s, rule %s, %lld frames, %d errors, %d warnings%s) "
                   "-> %s", out->input, upper, out->profile, out->rule, (long long)out->frames,
                   out->errors, out->warnings,
                   out->reused ? ", report of this version already stored" : "", out->report);
    if (out->message[0])
        mqc_print_line(stdout, "  %s", out->message);
}

/* ---- command-line set-up ---- */

int qc_usage_error_for(const char *cmd, const char *help, const char *fmt, const char *arg)
{
    char text[1200];
    snprintf(text, sizeof(text), fmt, arg);
    mqc_log("%s%s%s", cmd ? cmd : "", cmd ? ": " : "", text);
    fputs(help ? help : "(run `mediaqc help` for usage)\n", stderr);
    return MQC_EXIT_USAGE;
}

int qc_usage_error(const char *fmt, const char *arg)
{
    return qc_usage_error_for(NULL, NULL, fmt, arg);
}

int qc_setup_option(QcSetup *s, int c, const char *arg)
{
    switch (c) {
    case 1001: s->rules_path = arg; return 1;
    case 1002: s->profile = arg; return 1;
    case 1003: s->report_prefix = arg; return 1;
    case 1005: s->quiet = 1; return 1;
    case 1004:
        if (mqc_parse_int(arg, 1, 256, &s->threads) < 0)
            return -qc_usage_error("--threads: expected an integer in [1, 256], got \"%s\"", arg);
        return 1;
    default:
        return 0;
    }
}

int qc_setup_config(const QcSetup *s, const char *root, QcConfig *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->reg = mqc_all_checks;
    cfg->root = root;
    cfg->threads = s->threads;
    cfg->quiet = s->quiet;
    cfg->report_prefix = s->report_prefix ? s->report_prefix : QC_DEFAULT_REPORT_PREFIX;
    MqcMsg msg;
    size_t n = strlen(cfg->report_prefix);
    /* reports must sit apart from the media, or each report would be QC'd */
    if (!n || cfg->report_prefix[n - 1] != '/' || qc_key_check(cfg->report_prefix, &msg) < 0)
        return -qc_usage_error("--report-prefix: expected a relative folder ending in '/' "
                               "without \"..\", got \"%s\"", cfg->report_prefix);
    struct stat st;
    if (root && (stat(root, &st) < 0 || !S_ISDIR(st.st_mode)))
        return -qc_usage_error("%s: not a folder", root);
    if (qc_rules_load(cfg->reg, s->rules_path, s->profile, &cfg->rules, &msg) < 0) {
        mqc_log("%s", msg.text);
        return -MQC_EXIT_USAGE;
    }
    return 0;
}

void qc_config_free(QcConfig *cfg)
{
    qc_rules_free(cfg->rules);
    cfg->rules = NULL;
}
