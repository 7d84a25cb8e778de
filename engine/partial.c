/* Segments and their merge (DESIGN.md §9).
 *
 * A segment run records what its checks' fold() received — each frame's
 * facts, each active check's reduced result of the frame, and the problems
 * of the input, in the order the checks saw them — deflated into the
 * partial. `merge` replays the segments' records in display order through
 * freshly initialised checks and finishes them. Fold state (runs of black
 * or frozen frames, missing frames at a cut, timecode and checksum
 * continuity, cadence, flash windows) is then exactly the single pass's,
 * for every check, without a second implementation of each state machine
 * that could drift from the first. What a check learns outside fold (the
 * whole-file hash) travels through its save()/load().
 *
 * Audio checks measure the whole programme (loudness gating, true peak,
 * runs of silence or clipping across any cut), and their input is too
 * large to record: segment 0 analyses every audio stream of the file in
 * one piece (engine/input.c reads on past its frames with the video
 * skipped) and finishes the audio checks; its partial carries their
 * events and metrics, the audio streams' facts, and the audio problems,
 * which the merge takes as they are. The single pass's numbers, exactly.
 *
 * The records are the engine's own structs, so a partial is only read by
 * the build that wrote it: "tool" names the version and the struct sizes,
 * and merge refuses parts of another. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include <libavutil/base64.h>
#include "internal.h"
#include "partial.h"
#include "remote_io.h"

#define STATE_VERSION 5
#define OUT_CHUNK (256 << 10)
#define MAX_PART_BYTES (4LL << 30)

/* REC_SHOWN: where a single pass's observers see the frame (after its
 * decode problems), so a merge's HTML picks the same thumbnails */
enum { REC_FRAME = 'F', REC_PROBLEM = 'P', REC_SHOWN = 'S' };

typedef struct ProblemRec {
    int32_t kind, count, audio, stream;
    int64_t first, last, pos;
    double time_s;
    uint32_t what_len;
} ProblemRec;

/* A deflated stream of records. */
typedef struct Deflated {
    z_stream z;
    int open, done;
    uint8_t *data;
    size_t len, cap;
} Deflated;

/* Segment 0's per-frame records of the audio checks (the HTML curves), for
 * every frame of the file: its pts, then n fields. A field names its check
 * and its key by the check's series table (record keys are listed there). */
typedef struct AudioEntry {
    int64_t pts;
    int32_t n;
} AudioEntry;
typedef struct AudioField {
    int32_t check, key, type;   /* type: MQC_REC_INT or MQC_REC_DOUBLE */
    int64_t i;
    double d;
} AudioField;

struct MqcPartial {
    MqcSegmentPlan plan;
    Deflated rec;               /* the checks' fold inputs */
    Deflated aud;               /* segment 0: the audio checks' per-frame records */
    int audio_records;          /* segment 0 keeps them (an audio check has a record()) */
    MqcSegmentFaults faults;    /* where its decoding may not be a single pass's */
    int64_t frames;
    cJSON *states;              /* per check: its save(), or null */
    cJSON *results;             /* per check: an audio check's finished result, or null */
    char *audio;                /* base64 of the audio streams' facts (segment 0) */
};

/* An event of a finished audio check; its code by name. */
typedef struct EventRec {
    char code[64];
    MqcEvent e;
} EventRec;

/* ---- recording ---- */

static char *base64(const void *data, size_t len);

int mqc_partial_new(MqcPartial **out, const MqcSegmentPlan *plan)
{
    MqcPartial *p = calloc(1, sizeof(*p));
    if (!p)
        return MQC_ERR_NOMEM;
    p->plan = *plan;
    p->faults = (MqcSegmentFaults){ -1, -1, -1 };
    if (deflateInit(&p->rec.z, 6) != Z_OK) {
        free(p);
        return MQC_ERR_NOMEM;
    }
    p->rec.open = 1;
    if (deflateInit(&p->aud.z, 6) != Z_OK) {
        mqc_partial_free(&p);
        return MQC_ERR_NOMEM;
    }
    p->aud.open = 1;
    *out = p;
    return 0;
}

static int put_to(Deflated *p, const void *data, size_t n, int finish)
{
    if (p->done)
        return MQC_ERR_USAGE;
    p->z.next_in = (Bytef *)(uintptr_t)data;
    p->z.avail_in = (uInt)n;
    for (;;) {
        if (p->cap - p->len < OUT_CHUNK / 4) {
            size_t cap = p->cap ? 2 * p->cap : OUT_CHUNK;
            uint8_t *d = realloc(p->data, cap);
            if (!d)
                return MQC_ERR_NOMEM;
            p->data = d;
            p->cap = cap;
        }
        p->z.next_out = p->data + p->len;
        p->z.avail_out = (uInt)(p->cap - p->len);
        int r = deflate(&p->z, finish ? Z_FINISH : Z_NO_FLUSH);
        p->len = p->cap - p->z.avail_out;
        if (r == Z_STREAM_END) {
            p->done = 1;
            return 0;
        }
        if (r != Z_OK && r != Z_BUF_ERROR)
            return MQC_ERR_NOMEM;
        if (!finish && p->z.avail_in == 0 && p->z.avail_out > 0)
            return 0;
    }
}

static int put(MqcPartial *p, const void *data, size_t n, int finish)
{
    return put_to(&p->rec, data, n, finish);
}

int mqc_partial_want_audio(MqcPartial *p, const MqcRun *run)
{
    for (int c = 0; p->plan.index == 0 && c < run->nb_checks; c++)
        if (run->checks[c].check->media == MQC_MEDIA_AUDIO && run->checks[c].check->record &&
            run->checks[c].check->series)
            p->audio_records = 1;
    return p->audio_records;
}

/* The index of `key` in the check's series table, or -1. */
static int series_index(const MqcCheck *k, const char *key)
{
    for (int i = 0; k->series && k->series[i].key; i++)
        if (!strcmp(k->series[i].key, key))
            return i;
    return -1;
}

int mqc_partial_audio(MqcPartial *p, const MqcRun *run, int64_t pts, const void *const *results)
{
    if (!p->audio_records)
        return 0;
    AudioField v[MQC_RECORD_MAX];
    AudioEntry e = { .pts = pts, .n = 0 };
    for (int c = 0; c < run->nb_checks; c++) {
        const MqcCheckRun *cr = &run->checks[c];
        if (cr->skipped || cr->check->media != MQC_MEDIA_AUDIO || !cr->check->record)
            continue;
        MqcRecord rec;
        rec.n = 0;
        cr->check->record(cr->priv, results ? results[c] : NULL, &rec);
        /* numbers only: the curves draw them (strings are hex or names) */
        for (int i = 0; i < rec.n && e.n < MQC_RECORD_MAX; i++) {
            int key = series_index(cr->check, rec.f[i].key);
            if (key >= 0 && rec.f[i].type != MQC_REC_STRING)
                v[e.n++] = (AudioField){ .check = c, .key = key, .type = (int32_t)rec.f[i].type,
                                         .i = rec.f[i].i, .d = rec.f[i].d };
        }
    }
    int ret = put_to(&p->aud, &e, sizeof(e), 0);
    return ret < 0 ? ret : put_to(&p->aud, v, (size_t)e.n * sizeof(*v), 0);
}

int mqc_partial_frame(MqcPartial *p, const MqcRun *run, const MqcFrameInfo *fi,
                      const void *const *results)
{
    uint8_t tag = REC_FRAME;
    int ret = put(p, &tag, 1, 0);
    if (ret >= 0)
        ret = put(p, fi, sizeof(*fi), 0);
    for (int c = 0; ret >= 0 && c < run->nb_checks; c++) {
        const MqcCheckRun *cr = &run->checks[c];
        if (!cr->skipped && cr->check->frame_size)
            ret = put(p, results[c], cr->check->frame_size, 0);
    }
    p->frames++;
    return ret;
}

int mqc_partial_shown(MqcPartial *p)
{
    uint8_t tag = REC_SHOWN;
    return put(p, &tag, 1, 0);
}

int mqc_partial_problem(MqcPartial *p, const MqcInputProblem *pr)
{
    /* the merged run says why the input is unreadable itself */
    if (pr->kind == MQC_PROBLEM_UNREADABLE)
        return 0;
    uint8_t tag = REC_PROBLEM;
    ProblemRec r;
    memset(&r, 0, sizeof(r));
    r.kind = pr->kind;
    r.count = pr->count;
    r.audio = pr->audio;
    r.stream = pr->stream;
    r.first = pr->first_frame;
    r.last = pr->last_frame;
    r.pos = pr->pos;
    r.time_s = pr->time_s;
    r.what_len = pr->what ? (uint32_t)strlen(pr->what) : 0;
    int ret = put(p, &tag, 1, 0);
    if (ret >= 0)
        ret = put(p, &r, sizeof(r), 0);
    if (ret >= 0 && r.what_len)
        ret = put(p, pr->what, r.what_len, 0);
    return ret;
}

/* Check c's finished result: its metrics and its events (times on the
 * report clock; the merge places them on the frames). */
static cJSON *audio_result(const MqcCheckRun *cr)
{
    EventRec *v = calloc(cr->events.n + 1, sizeof(*v));
    cJSON *o = cJSON_CreateObject();
    char *ev = NULL;
    for (size_t i = 0; v && i < cr->events.n; i++) {
        v[i].e = cr->events.v[i];
        v[i].e.code = NULL;
        snprintf(v[i].code, sizeof(v[i].code), "%s", cr->events.v[i].code);
    }
    if (v && o && (ev = base64(v, cr->events.n * sizeof(*v))) &&
        cJSON_AddItemToObject(o, "metrics", cJSON_Duplicate(cr->metrics, 1)) &&
        cJSON_AddStringToObject(o, "events", ev)) {
        free(v);
        free(ev);
        return o;
    }
    free(v);
    free(ev);
    cJSON_Delete(o);
    return NULL;
}

/* Segment 0 analysed the file's audio: the audio checks finish here. */
static int keep_audio(MqcPartial *p, MqcRun *run)
{
    if (!(p->audio = base64(run->audio, (size_t)run->nb_audio * sizeof(*run->audio))))
        return MQC_ERR_NOMEM;
    for (int c = 0; c < run->nb_checks; c++) {
        MqcCheckRun *cr = &run->checks[c];
        cJSON *r = NULL;
        if (!cr->skipped && cr->check->media == MQC_MEDIA_AUDIO) {
            mqc_run_finish_check(run, c);
            if (!cr->metrics || cr->events.oom || !(r = audio_result(cr)))
                return MQC_ERR_NOMEM;
        }
        if (!cJSON_ReplaceItemInArray(p->results, c, r ? r : cJSON_CreateNull()))
            return MQC_ERR_NOMEM;
    }
    return 0;
}

int mqc_partial_keep(MqcPartial *p, MqcRun *run)
{
    int ret = put(p, "", 0, 1);
    if (ret >= 0 && p->audio_records)
        ret = put_to(&p->aud, "", 0, 1);
    if (ret < 0)
        return ret;
    if (!(p->states = cJSON_CreateArray()) || !(p->results = cJSON_CreateArray()))
        return MQC_ERR_NOMEM;
    for (int c = 0; c < run->nb_checks; c++)
        if (!cJSON_AddItemToArray(p->results, cJSON_CreateNull()))
            return MQC_ERR_NOMEM;
    if (p->plan.index == 0 && run->nb_audio > 0 && (ret = keep_audio(p, run)) < 0)
        return ret;
    for (int c = 0; c < run->nb_checks; c++) {
        const MqcCheckRun *cr = &run->checks[c];
        cJSON *st = cJSON_CreateObject();
        if (!st || !cJSON_AddItemToArray(p->states, st)) {
            cJSON_Delete(st);
            return MQC_ERR_NOMEM;
        }
        if (!cr->skipped && cr->check->save && (ret = cr->check->save(cr->priv, st)) < 0)
            return ret;
    }
    return 0;
}

void mqc_partial_faults(MqcPartial *p, MqcSegmentFaults faults)
{
    p->faults = faults;
}

void mqc_partial_free(MqcPartial **pp)
{
    MqcPartial *p = *pp;
    if (!p)
        return;
    for (Deflated *d = &p->rec; d <= &p->aud; d++) {
        if (d->open)
            deflateEnd(&d->z);
        free(d->data);
    }
    cJSON_Delete(p->states);
    cJSON_Delete(p->results);
    free(p->audio);
    free(p);
    *pp = NULL;
}

/* ---- the document ---- */

/* What must match for records to be read back: the version and the sizes
 * of the structs they hold. */
static void build_id(char *buf, size_t len)
{
    snprintf(buf, len, "%s si%zu fi%zu pr%zu ev%zu ai%zu af%zu", MQC_VERSION,
             sizeof(MqcStreamInfo), sizeof(MqcFrameInfo), sizeof(ProblemRec), sizeof(EventRec),
             sizeof(MqcAudioInfo), sizeof(AudioField));
}

static char *base64(const void *data, size_t len)
{
    if (len > (size_t)(INT_MAX / 4 * 3 - 4))
        return NULL;
    size_t n = AV_BASE64_SIZE(len);
    char *s = malloc(n);
    if (s && !av_base64_encode(s, (int)n, data, (int)len)) {
        free(s);
        return NULL;
    }
    return s;
}

static cJSON *profile_json(const MqcProfile *p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", p->name);
    cJSON_AddStringToObject(o, "source", p->source);
    if (p->description)
        cJSON_AddStringToObject(o, "description", p->description);
    cJSON_AddItemToObject(o, "checks", p->checks ? cJSON_Duplicate(p->checks, 1)
                                                 : cJSON_CreateObject());
    cJSON_AddItemToObject(o, "blocks", p->blocks ? cJSON_Duplicate(p->blocks, 1)
                                                 : cJSON_CreateObject());
    return o;
}

/* "crc32:" and the CRC-32 of the base64 members "stream", "audio",
 * "audio_records" and "records" (a null one as ""), each followed by a
 * newline: they hold structs that are read back as they are, so a damaged
 * partial must be refused before any of them is used. (The JSON members
 * are validated field by field.) */
static void payload_checksum(const char *const parts[4], char *out, size_t len)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    for (int i = 0; i < 4; i++) {
        const char *t = parts[i] ? parts[i] : "";
        for (size_t n = strlen(t); n;) {    /* crc32 takes a uInt length */
            uInt step = n > (size_t)1 << 30 ? (uInt)1 << 30 : (uInt)n;
            crc = crc32(crc, (const Bytef *)t, step);
            t += step;
            n -= step;
        }
        crc = crc32(crc, (const Bytef *)"\n", 1);
    }
    snprintf(out, len, "crc32:%08lx", (unsigned long)crc);
}

static const char *const payload_members[4] = { "stream", "audio", "audio_records", "records" };

int mqc_partial_seal(cJSON *doc)
{
    const char *parts[4];
    for (int i = 0; i < 4; i++) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(doc, payload_members[i]);
        parts[i] = cJSON_IsString(m) ? m->valuestring : NULL;
    }
    char sum[32];
    payload_checksum(parts, sum, sizeof(sum));
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "checksum");
    return cJSON_AddStringToObject(doc, "checksum", sum) ? 0 : MQC_ERR_NOMEM;
}

cJSON *mqc_partial_json(const MqcRun *run, int argc, char **argv)
{
    const MqcPartial *p = run->partial;
    if (!p)
        return NULL;
    cJSON *doc = cJSON_CreateObject();
    char id[128], hash[32];
    build_id(id, sizeof(id));
    cJSON_AddStringToObject(doc, "schema", MQC_PARTIAL_SCHEMA);
    cJSON_AddNumberToObject(doc, "state_version", STATE_VERSION);
    cJSON *tool = cJSON_AddObjectToObject(doc, "tool");
    cJSON_AddStringToObject(tool, "name", "mediaqc");
    cJSON_AddStringToObject(tool, "version", MQC_VERSION);
    cJSON_AddStringToObject(tool, "build", id);
    cJSON *in = cJSON_AddObjectToObject(doc, "input");
    cJSON_AddStringToObject(in, "path", run->input_path);
    cJSON_AddNumberToObject(in, "size_bytes", (double)run->input_size);
    cJSON_AddStringToObject(in, "format", run->input_format);
    cJSON_AddNumberToObject(in, "stream", p->plan.stream);
    cJSON_AddNumberToObject(in, "index_frames", (double)p->plan.entries);
    snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)p->plan.index_hash);
    cJSON_AddStringToObject(in, "index_hash", hash);
    cJSON_AddItemToObject(doc, "profile", profile_json(run->profile));
    cJSON *seg = cJSON_AddObjectToObject(doc, "segment");
    cJSON_AddNumberToObject(seg, "index", p->plan.index);
    cJSON_AddNumberToObject(seg, "count", p->plan.count);
    cJSON_AddNumberToObject(seg, "first_frame", (double)p->plan.first);
    cJSON_AddNumberToObject(seg, "end_frame", (double)p->plan.end);
    cJSON_AddNumberToObject(seg, "frames", (double)p->frames);
    cJSON_AddNumberToObject(seg, "damaged_from", (double)p->faults.damaged_from);
    cJSON_AddNumberToObject(seg, "lost_from", (double)p->faults.lost_from);
    cJSON_AddNumberToObject(seg, "open_gop_at", (double)p->faults.open_gop_at);
    cJSON_AddStringToObject(doc, "unreadable", run->unreadable);
    cJSON_AddStringToObject(doc, "error", run->error);
    cJSON *run_o = cJSON_AddObjectToObject(doc, "run");
    cJSON_AddNumberToObject(run_o, "elapsed_s", run->elapsed_s);
    cJSON_AddNumberToObject(run_o, "threads", run->threads);
    cJSON *args = cJSON_AddArrayToObject(run_o, "argv");
    for (int i = 0; argv && i < argc; i++)
        cJSON_AddItemToArray(args, cJSON_CreateString(argv[i]));
    char *si = NULL, *rec = NULL, *aud = NULL;
    if (run->have_stream && p->rec.done) {
        MqcStreamInfo copy = run->si;
        copy.learnt = NULL;     /* pointers mean nothing in another process */
        copy.file_bytes = NULL;
        copy.audio = NULL;
        copy.sequence = NULL;
        si = base64(&copy, sizeof(copy));
        rec = base64(p->rec.data, p->rec.len);
        aud = p->aud.done ? base64(p->aud.data, p->aud.len) : NULL;
        if (!si || !rec || (p->aud.done && !aud)) {
            free(si);
            free(rec);
            free(aud);
            cJSON_Delete(doc);
            return NULL;
        }
    }
    cJSON_AddItemToObject(doc, "stream", si ? cJSON_CreateString(si) : cJSON_CreateNull());
    /* the audio streams' facts once their samples were counted (segment 0) */
    cJSON_AddItemToObject(doc, "audio", p->audio ? cJSON_CreateString(p->audio)
                                                 : cJSON_CreateNull());
    /* segment 0: the audio checks' per-frame records of every frame (HTML curves) */
    cJSON_AddItemToObject(doc, "audio_records", aud ? cJSON_CreateString(aud)
                                                    : cJSON_CreateNull());
    cJSON *checks = cJSON_AddArrayToObject(doc, "checks");
    for (int c = 0; c < run->nb_checks; c++) {
        const MqcCheckRun *cr = &run->checks[c];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", cr->id);
        cJSON_AddBoolToObject(o, "skipped", cr->skipped);
        cJSON_AddStringToObject(o, "skip_reason", cr->skip_reason);
        cJSON_AddNumberToObject(o, "frame_size", (double)cr->check->frame_size);
        const cJSON *st = p->states ? cJSON_GetArrayItem(p->states, c) : NULL;
        cJSON_AddItemToObject(o, "state", st ? cJSON_Duplicate(st, 1) : cJSON_CreateObject());
        const cJSON *res = p->results ? cJSON_GetArrayItem(p->results, c) : NULL;
        if (res && !cJSON_IsNull(res))
            cJSON_AddItemToObject(o, "result", cJSON_Duplicate(res, 1));
        cJSON_AddItemToArray(checks, o);
    }
    cJSON_AddItemToObject(doc, "records", rec ? cJSON_CreateString(rec) : cJSON_CreateNull());
    mqc_partial_seal(doc);
    free(si);
    free(rec);
    free(aud);
    return doc;
}

/* ---- reading the parts ---- */

typedef struct Part {
    const char *name;           /* as given on the command line */
    cJSON *doc;
    int index, count;
    int64_t first, end, frames;
    MqcSegmentFaults faults;    /* where its decoding may not be a single pass's */
    const char *stream, *records;   /* base64, or NULL (no frames) */
    const char *audio;          /* base64 audio streams' facts (segment 0), or NULL */
    const char *audio_records;  /* base64 deflated AudioEntry list (segment 0), or NULL */
} Part;

/* Audio problems: after every frame, as the single pass delivers them. */
typedef struct Deferred {
    MqcInputProblem *v;
    int n, cap;
} Deferred;

static int bad_part(MqcMsg *msg, const char *name, const char *why)
{
    mqc_msg(msg, "%s: %s", name, why);
    return MQC_ERR_USAGE;
}

static int64_t num(const cJSON *o, const char *key, int *ok)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    /* a number no frame count reaches (or NaN) is damage, and converting it
       would be undefined */
    if (!cJSON_IsNumber(v) || !(fabs(v->valuedouble) <= 9007199254740992.0)) {
        *ok = 0;
        return 0;
    }
    return (int64_t)v->valuedouble;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int read_text(const char *name, char **data, size_t *len, MqcMsg *msg)
{
    if (mqc_remote_is_url(name))
        return mqc_remote_get(name, (size_t)MAX_PART_BYTES, data, len, msg);
    FILE *f = fopen(name, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) < 0 || st.st_size > MAX_PART_BYTES) {
        mqc_msg(msg, "%s: cannot read the partial: %s", name, f ? "too large" : strerror(errno));
        if (f)
            fclose(f);
        return f ? MQC_ERR_USAGE : errno == ENOENT ? MQC_ERR_NOT_FOUND : MQC_ERR_USAGE;
    }
    *data = malloc((size_t)st.st_size + 1);
    *len = *data ? fread(*data, 1, (size_t)st.st_size, f) : 0;
    int bad = !*data || *len != (size_t)st.st_size;
    fclose(f);
    if (bad) {
        free(*data);
        *data = NULL;
        mqc_msg(msg, "%s: cannot read the partial", name);
        return MQC_ERR_USAGE;
    }
    (*data)[*len] = 0;
    return 0;
}

/* Parses and validates one part on its own. */
static int part_read(Part *pt, const char *name, MqcMsg *msg)
{
    memset(pt, 0, sizeof(*pt));
    pt->name = name;
    char *text = NULL, id[128];
    size_t len = 0;
    int ret = read_text(name, &text, &len, msg);
    if (ret < 0)
        return ret;
    pt->doc = cJSON_ParseWithLength(text, len);
    free(text);
    const char *schema = str(pt->doc, "schema");
    if (!pt->doc || !schema || strcmp(schema, MQC_PARTIAL_SCHEMA))
        return bad_part(msg, name, "not a mediaqc partial (schema \"" MQC_PARTIAL_SCHEMA
                        "\"; a segment run with -o writes one)");
    int ok = 1;
    build_id(id, sizeof(id));
    const char *build = str(cJSON_GetObjectItemCaseSensitive(pt->doc, "tool"), "build");

    if (num(pt->doc, "state_version", &ok) != STATE_VERSION || !ok || !build ||
        strcmp(build, id)) {
        mqc_msg(msg, "%s: written by another mediaqc build (%s; this one is %s): run every "
                "segment and the merge with one version", name, build ? build : "unknown", id);
        return MQC_ERR_USAGE;
    }
    const cJSON *seg = cJSON_GetObjectItemCaseSensitive(pt->doc, "segment");
    pt->index = (int)num(seg, "index", &ok);
    pt->count = (int)num(seg, "count", &ok);
    pt->first = num(seg, "first_frame", &ok);
    pt->end = num(seg, "end_frame", &ok);
    pt->frames = num(seg, "frames", &ok);
    pt->faults.damaged_from = num(seg, "damaged_from", &ok);
    pt->faults.lost_from = num(seg, "lost_from", &ok);
    pt->faults.open_gop_at = num(seg, "open_gop_at", &ok);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(pt->doc, "stream");
    const cJSON *rec = cJSON_GetObjectItemCaseSensitive(pt->doc, "records");
    pt->stream = cJSON_IsString(st) ? st->valuestring : NULL;
    pt->records = cJSON_IsString(rec) ? rec->valuestring : NULL;
    const cJSON *au = cJSON_GetObjectItemCaseSensitive(pt->doc, "audio");
    pt->audio = cJSON_IsString(au) ? au->valuestring : NULL;
    const cJSON *ar = cJSON_GetObjectItemCaseSensitive(pt->doc, "audio_records");
    pt->audio_records = cJSON_IsString(ar) ? ar->valuestring : NULL;
    if (!ok || pt->count < 1 || pt->index < 0 || pt->index >= pt->count || pt->first < 0 ||
        (pt->end >= 0 && pt->end < pt->first) || pt->frames < 0 ||
        pt->faults.damaged_from < -1 || pt->faults.lost_from < -1 || pt->faults.open_gop_at < -1 ||
        !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(pt->doc, "checks")) ||
        !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(pt->doc, "profile")) ||
        !str(cJSON_GetObjectItemCaseSensitive(pt->doc, "input"), "path") ||
        (!pt->stream != !pt->records) || (!st || (!pt->stream && !cJSON_IsNull(st))) ||
        (pt->audio && pt->index != 0) || (!pt->audio && au && !cJSON_IsNull(au)) ||
        (pt->audio_records && pt->index != 0) || !ar || (!pt->audio_records && !cJSON_IsNull(ar)))
        return bad_part(msg, name, "damaged partial (missing or invalid fields)");
    char sum[32];
    const char *given = str(pt->doc, "checksum");
    payload_checksum((const char *const[4]){ pt->stream, pt->audio, pt->audio_records,
                                             pt->records }, sum, sizeof(sum));
    if (!given || strcmp(given, sum))
        return bad_part(msg, name, "damaged partial (its records do not match its checksum)");
    return 0;
}

/* The parts must be the segments 0..count-1 of one file, profile and build. */
static int parts_check(Part *pt, int n, MqcMsg *msg)
{
    const Part *a = &pt[0];
    const cJSON *ain = cJSON_GetObjectItemCaseSensitive(a->doc, "input");
    for (int i = 1; i < n; i++) {
        const Part *b = &pt[i];
        const cJSON *bin = cJSON_GetObjectItemCaseSensitive(b->doc, "input");
        static const char *const keys[] = { "path", "size_bytes", "stream", "index_frames",
                                            "index_hash" };
        for (size_t k = 0; k < sizeof(keys) / sizeof(*keys); k++)
            if (!cJSON_Compare(cJSON_GetObjectItemCaseSensitive(ain, keys[k]),
                               cJSON_GetObjectItemCaseSensitive(bin, keys[k]), 1)) {
                mqc_msg(msg, "%s: a segment of another file than %s (input.%s differs)",
                        b->name, a->name, keys[k]);
                return MQC_ERR_USAGE;
            }
        if (!cJSON_Compare(cJSON_GetObjectItemCaseSensitive(a->doc, "profile"),
                           cJSON_GetObjectItemCaseSensitive(b->doc, "profile"), 1)) {
            mqc_msg(msg, "%s: analysed with another profile than %s", b->name, a->name);
            return MQC_ERR_USAGE;
        }
        if (b->count != a->count) {
            mqc_msg(msg, "%s: segment %d of %d, but %s is one of %d", b->name, b->index,
                    b->count, a->name, a->count);
            return MQC_ERR_USAGE;
        }
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (pt[i].index == pt[j].index) {
                mqc_msg(msg, "%s: segment %d/%d again (also %s): overlapping parts", pt[i].name,
                        pt[i].index, pt[i].count, pt[j].name);
                return MQC_ERR_USAGE;
            }
    if (n != a->count) {
        for (int s = 0; s < a->count; s++) {
            int found = 0;
            for (int i = 0; i < n; i++)
                found |= pt[i].index == s;
            if (!found) {
                mqc_msg(msg, "segment %d of %d is missing (parts given: %d, e.g. %s)", s,
                        a->count, n, a->name);
                return MQC_ERR_USAGE;
            }
        }
    }
    return 0;
}

static int by_index(const void *pa, const void *pb)
{
    const Part *a = pa, *b = pb;
    return (a->index > b->index) - (a->index < b->index);
}

/* Base64 text -> bytes (malloc'd). */
static int unbase64(const char *s, uint8_t **out, size_t *len)
{
    size_t n = strlen(s);
    if (n > (size_t)INT_MAX)
        return MQC_ERR_USAGE;
    *out = malloc(n / 4 * 3 + 3);
    if (!*out)
        return MQC_ERR_NOMEM;
    int r = av_base64_decode(*out, s, (int)(n / 4 * 3 + 3));
    if (r < 0) {
        free(*out);
        *out = NULL;
        return MQC_ERR_USAGE;
    }
    *len = (size_t)r;
    return 0;
}

/* ---- replay ---- */

typedef struct Reader {
    z_stream z;
    uint8_t *in;
    int open;
} Reader;

static int reader_open(Reader *r, const char *records)
{
    memset(r, 0, sizeof(*r));
    size_t len;
    int ret = unbase64(records, &r->in, &len);
    if (ret < 0)
        return ret;
    if (inflateInit(&r->z) != Z_OK) {
        free(r->in);
        return MQC_ERR_NOMEM;
    }
    r->open = 1;
    r->z.next_in = r->in;
    r->z.avail_in = (uInt)len;
    return 0;
}

/* Exactly n bytes: 1; the end of the records: 0; damage: negative. */
static int reader_get(Reader *r, void *dst, size_t n)
{
    r->z.next_out = dst;
    r->z.avail_out = (uInt)n;
    while (r->z.avail_out) {
        int ret = inflate(&r->z, Z_NO_FLUSH);
        if (ret == Z_STREAM_END)
            return !r->z.avail_out ? 1 : r->z.avail_out == n ? 0 : MQC_ERR_USAGE;
        if (ret != Z_OK)
            return MQC_ERR_USAGE;
    }
    return 1;
}

static void reader_close(Reader *r)
{
    if (r->open)
        inflateEnd(&r->z);
    free(r->in);
}

static int defer(Deferred *d, const MqcInputProblem *p)
{
    if (d->n == d->cap) {
        int cap = d->cap ? 2 * d->cap : 8;
        MqcInputProblem *v = realloc(d->v, (size_t)cap * sizeof(*v));
        if (!v)
            return MQC_ERR_NOMEM;
        d->v = v;
        d->cap = cap;
    }
    d->v[d->n] = *p;
    if (!(d->v[d->n].what = strdup(p->what)))
        return MQC_ERR_NOMEM;
    d->n++;
    return 0;
}

static void deferred_free(Deferred *d)
{
    for (int i = 0; i < d->n; i++)
        free((char *)(uintptr_t)d->v[i].what);
    free(d->v);
}

/* Segment 0's per-frame audio records, read along the replay: the entry
 * of each replayed frame, found by its pts (frames the single pass has
 * not, a picture that did not decode, are skipped). */
typedef struct AudioRecords {
    Reader r;
    int open, have;
    AudioEntry e;
    AudioField v[MQC_RECORD_MAX];
    int64_t missing, first_missing;
} AudioRecords;

/* The next entry, validated: 1, the end: 0, damage: negative. */
static int audio_next(AudioRecords *ar, const MqcRun *run)
{
    int64_t prev = ar->e.pts;
    int had = ar->have;
    int ret = reader_get(&ar->r, &ar->e, sizeof(ar->e));
    ar->have = ret > 0;
    if (ret <= 0)
        return ret;
    if (ar->e.n < 0 || ar->e.n > MQC_RECORD_MAX || (had && ar->e.pts <= prev) ||
        (ar->e.n && reader_get(&ar->r, ar->v, (size_t)ar->e.n * sizeof(*ar->v)) <= 0))
        return MQC_ERR_USAGE;
    for (int i = 0; i < ar->e.n; i++) {
        const AudioField *f = &ar->v[i];
        const MqcCheck *k = f->check >= 0 && f->check < run->nb_checks ?
                            run->checks[f->check].check : NULL;
        int keys = 0;
        while (k && k->series && k->series[keys].key)
            keys++;
        if (!k || k->media != MQC_MEDIA_AUDIO || run->checks[f->check].skipped || f->key < 0 ||
            f->key >= keys || (f->type != MQC_REC_INT && f->type != MQC_REC_DOUBLE))
            return MQC_ERR_USAGE;
    }
    return 1;
}

/* The entry of the frame at pts, or NULL (counted as missing). */
static const AudioEntry *audio_find(AudioRecords *ar, const MqcRun *run, const MqcFrameInfo *fi,
                                    int *damaged)
{
    int ret = 1;
    while (ar->have && ar->e.pts < fi->pts && (ret = audio_next(ar, run)) > 0)
        ;
    if (ret < 0)
        *damaged = 1;
    if (ar->have && ar->e.pts == fi->pts && ret >= 0)
        return &ar->e;
    if (!ar->missing++)
        ar->first_missing = fi->index;
    return NULL;
}

/* Check c's fields of the entry, into the frame's record. */
static void audio_fields(const AudioRecords *ar, const AudioEntry *e, const MqcRun *run, int c,
                         MqcRecord *rec)
{
    for (int i = 0; e && i < e->n; i++) {
        const AudioField *f = &ar->v[i];
        if (f->check != c)
            continue;
        const char *key = run->checks[c].check->series[f->key].key;
        if (f->type == MQC_REC_INT)
            mqc_record_int(rec, key, f->i);
        else
            mqc_record_double(rec, key, f->d);
    }
}

/* Feeds one part's records to the run's checks, as the segment's fold saw
 * them, and the frames to the observers where the segment's would have seen
 * them (with their per-frame records, without pictures). Audio problems
 * wait in `later`. */
static int replay(MqcRun *run, const Part *pt, uint8_t *frame_buf, char *what, Deferred *later,
                  AudioRecords *ar, const MqcObserver *const *observers, MqcMsg *msg)
{
    Reader r;
    int ret = reader_open(&r, pt->records);
    if (ret < 0)
        return bad_part(msg, pt->name, "damaged partial (records)");
    int64_t next = pt->first, frames = 0;
    uint8_t tag;
    MqcFrameInfo fi = { .index = -1 };
    MqcRecord rec = { .n = 0 };
    while ((ret = reader_get(&r, &tag, 1)) > 0) {
        if (tag == REC_SHOWN) {
            if (!frames) {
                ret = -1;
                break;
            }
            for (const MqcObserver *const *o = observers; o && *o; o++)
                if ((*o)->frame)
                    (*o)->frame((*o)->ud, run, &fi, NULL, &rec);
            continue;
        }
        if (tag == REC_PROBLEM) {
            ProblemRec pr;
            if ((ret = reader_get(&r, &pr, sizeof(pr))) <= 0 || pr.what_len > 4096 ||
                (pr.what_len && (ret = reader_get(&r, what, pr.what_len)) <= 0))
                break;
            what[pr.what_len] = 0;
            MqcInputProblem p = { .kind = (MqcProblemKind)pr.kind, .first_frame = pr.first,
                                  .last_frame = pr.last, .count = pr.count, .what = what,
                                  .pos = pr.pos, .audio = pr.audio, .stream = pr.stream,
                                  .time_s = pr.time_s };
            if (!p.audio)
                mqc_run_deliver(run, &p);
            else if (defer(later, &p) < 0) {
                reader_close(&r);
                return MQC_ERR_NOMEM;
            }
            continue;
        }
        if (tag != REC_FRAME || (ret = reader_get(&r, &fi, sizeof(fi))) <= 0) {
            ret = -1;
            break;
        }
        if (fi.index != next) {
            mqc_msg(msg, "%s: frame %lld where frame %lld was due", pt->name,
                    (long long)fi.index, (long long)next);
            reader_close(&r);
            return MQC_ERR_USAGE;
        }
        rec.n = 0;
        int damaged = 0;
        const AudioEntry *ae = observers && ar->open ? audio_find(ar, run, &fi, &damaged) : NULL;
        if (damaged) {
            reader_close(&r);
            return MQC_ERR_USAGE;
        }
        for (int c = 0; c < run->nb_checks; c++) {
            MqcCheckRun *cr = &run->checks[c];
            if (cr->skipped)
                continue;
            if (cr->check->frame_size &&
                (ret = reader_get(&r, frame_buf, cr->check->frame_size)) <= 0)
                break;
            if (cr->check->fold)
                cr->check->fold(cr->priv, &fi, frame_buf, &cr->events);
            /* record() reads only this check's state, which later folds leave
             * alone; audio checks got no samples here: segment 0 recorded
             * theirs where each frame ends */
            if (observers && cr->check->record && cr->check->media != MQC_MEDIA_AUDIO)
                cr->check->record(cr->priv, frame_buf, &rec);
            else if (observers && cr->check->media == MQC_MEDIA_AUDIO)
                audio_fields(ar, ae, run, c, &rec);
        }
        if (ret <= 0) {
            ret = -1;
            break;
        }
        mqc_run_frame(run, &fi);
        next++;
        frames++;
    }
    reader_close(&r);
    if (ret < 0 || frames != pt->frames)
        return bad_part(msg, pt->name, "damaged partial (records end early)");
    return 0;
}

static int profile_from(const cJSON *o, MqcProfile **out)
{
    MqcProfile *p = calloc(1, sizeof(*p));
    const char *d = str(o, "description");
    if (!p)
        return MQC_ERR_NOMEM;
    p->name = strdup(str(o, "name") ? str(o, "name") : "?");
    p->source = strdup(str(o, "source") ? str(o, "source") : "?");
    p->description = d ? strdup(d) : NULL;
    p->checks = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(o, "checks"), 1);
    p->blocks = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(o, "blocks"), 1);
    if (!p->name || !p->source || (d && !p->description) || !p->checks || !p->blocks) {
        mqc_profile_free(p);
        return MQC_ERR_NOMEM;
    }
    p->expect = cJSON_GetObjectItemCaseSensitive(p->blocks, "expect");
    *out = p;
    return 0;
}

/* The checks the parts list are the run's, skipped alike. */
static int checks_agree(const MqcRun *run, const Part *pt, MqcMsg *msg)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(pt->doc, "checks");
    if (cJSON_GetArraySize(list) != run->nb_checks)
        return bad_part(msg, pt->name, "its checks are not this build's for its profile");
    for (int c = 0; c < run->nb_checks; c++) {
        const cJSON *o = cJSON_GetArrayItem(list, c);
        const cJSON *sk = cJSON_GetObjectItemCaseSensitive(o, "skipped");
        int ok = 1;
        const char *id = str(o, "id");
        if (!id || strcmp(id, run->checks[c].id) || !cJSON_IsBool(sk) ||
            num(o, "frame_size", &ok) != (int64_t)run->checks[c].check->frame_size || !ok ||
            (pt->stream && cJSON_IsTrue(sk) != !!run->checks[c].skipped)) {
            mqc_msg(msg, "%s: check %s ran differently in this segment than in the first "
                    "(skipped, or another build)", pt->name, run->checks[c].id);
            return MQC_ERR_USAGE;
        }
    }
    return 0;
}

static int result_from(MqcCheckRun *cr, const cJSON *res);

/* Each check's save(), and in the part that analysed the audio (segment
 * 0) the audio checks' results. */
static int load_states(MqcRun *run, const Part *pt, MqcMsg *msg)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(pt->doc, "checks");
    for (int c = 0; c < run->nb_checks; c++) {
        MqcCheckRun *cr = &run->checks[c];
        const cJSON *o = cJSON_GetArrayItem(list, c);
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "state");
        if (!cr->skipped && cr->check->load && cJSON_IsObject(st) && st->child &&
            cr->check->load(cr->priv, st) < 0) {
            mqc_msg(msg, "%s: check %s: damaged state", pt->name, cr->id);
            return MQC_ERR_USAGE;
        }
        if (!pt->audio || cr->skipped || cr->check->media != MQC_MEDIA_AUDIO)
            continue;
        int ret = result_from(cr, cJSON_GetObjectItemCaseSensitive(o, "result"));
        if (ret == MQC_ERR_NOMEM)
            return ret;
        if (ret < 0) {
            mqc_msg(msg, "%s: check %s: damaged or missing audio result", pt->name, cr->id);
            return MQC_ERR_USAGE;
        }
    }
    return 0;
}

/* The audio streams' facts, as segment 0 counted them to the file's end. */
static int audio_from(MqcRun *run, const Part *pt, int n)
{
    uint8_t *v = NULL;
    size_t len = 0;
    int ret = pt->audio ? unbase64(pt->audio, &v, &len) : MQC_ERR_USAGE;
    if (ret >= 0 && len != (size_t)n * sizeof(*run->audio))
        ret = MQC_ERR_USAGE;
    if (ret < 0) {
        free(v);
        return ret;
    }
    run->audio = (MqcAudioInfo *)v;
    run->nb_audio = run->si.nb_audio = n;
    run->si.audio = run->audio;
    return 0;
}

/* An audio check's events and metrics as segment 0 finished them. */
static int result_from(MqcCheckRun *cr, const cJSON *res)
{
    const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(res, "metrics");
    const char *events = str(res, "events");
    uint8_t *v = NULL;
    size_t len = 0;
    int ret = cJSON_IsObject(metrics) && events ? unbase64(events, &v, &len) : MQC_ERR_USAGE;
    if (ret >= 0 && len % sizeof(EventRec))
        ret = MQC_ERR_USAGE;
    for (size_t i = 0; ret >= 0 && i < len / sizeof(EventRec); i++) {
        EventRec *er = (EventRec *)(v + i * sizeof(EventRec));
        er->code[sizeof(er->code) - 1] = 0;
        er->e.detail[sizeof(er->e.detail) - 1] = 0;
        er->e.code = NULL;
        for (const MqcEventCode *k = cr->check->codes; k && k->code && !er->e.code; k++)
            if (!strcmp(k->code, er->code))
                er->e.code = k->code;   /* the table's: reports find its message */
        ret = !er->e.code ? MQC_ERR_USAGE : mqc_events_add(&cr->events, &er->e);
    }
    free(v);
    if (ret < 0)
        return ret;
    cJSON_Delete(cr->metrics);
    if (!(cr->metrics = cJSON_Duplicate(metrics, 1)))
        return MQC_ERR_NOMEM;
    cr->concluded = 1;
    return 0;
}

/* The run's stream: the first segment's that has frames, as a single pass
 * learns it from the file's first frame. */
static int stream_from(MqcRun *run, const Part *pt)
{
    uint8_t *si;
    size_t len;
    int ret = unbase64(pt->stream, &si, &len);
    if (ret < 0 || len != sizeof(run->si)) {
        free(si);
        return ret < 0 && ret != MQC_ERR_USAGE ? ret : MQC_ERR_USAGE;
    }
    memcpy(&run->si, si, sizeof(run->si));
    free(si);
    if (run->si.nb_audio < 0 || run->si.nb_audio > 4096)
        return MQC_ERR_USAGE;
    run->si.learnt = NULL;
    run->si.file_bytes = NULL;
    run->si.audio = NULL;       /* nb_audio: the caller takes segment 0's facts */
    run->si.sequence = NULL;
    run->si.segment = 1;
    return 0;
}

/* Appends to the merge's note (warnings; the report's run.merge_warning). */
static void merge_note(MqcRun *run, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void merge_note(MqcRun *run, const char *fmt, ...)
{
    size_t len = strlen(run->merge_note);
    if (len && len + 2 < sizeof(run->merge_note)) {
        memcpy(run->merge_note + len, "; ", 3);
        len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(run->merge_note + len, sizeof(run->merge_note) - len, fmt, ap);
    va_end(ap);
}

/* Where a segment's decoding may not have been a single pass's, as the
 * frame to name, or -1; merge says so, never differs silently. */

/* A damaged picture of an inter-coded stream is concealed from decoder
 * state only a single pass builds (engine/input.c, note_damage); segment 0
 * decodes from the file's start as one pass does. */
static int64_t damaged(const Part *pt)
{
    return pt->index > 0 ? pt->faults.damaged_from : -1;
}

/* A picture the decoder refused shifts a single pass's frame numbers, but
 * not a segment's (the index numbers it): that matters to the segments
 * after it, and to a segment that lost it before its own frames. */
static int64_t lost(const Part *pt)
{
    const int64_t f = pt->faults.lost_from;
    return f >= 0 && (pt->index < pt->count - 1 || f < pt->first) ? f : -1;
}

/* Pictures dropped before segment 0's first one (an open GOP's leading
 * pictures at the file's start): a single pass numbers what comes out, the
 * later segments by the index (engine/input.c, number_first). */
static int64_t open_gop(const Part *pt)
{
    return pt->faults.open_gop_at;
}

static void note_list(MqcRun *run, const Part *pt, int n, int64_t (*at)(const Part *),
                      const char *what)
{
    char list[512] = "";
    size_t len = 0;
    for (int i = 0; i < n; i++)
        if (at(&pt[i]) >= 0 && len < sizeof(list))
            len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%d (frame %lld)",
                                    len ? ", " : "", pt[i].index, (long long)at(&pt[i]));
    if (len) {
        merge_note(run, "segment %s %s (docs/segments.md, Limits)", list, what);
        run->merge_inexact = 1;
    }
}

static void note_damaged(MqcRun *run, const Part *pt, int n)
{
    note_list(run, pt, n, damaged, "decoded damaged pictures of an inter-coded stream: "
              "the decoder conceals them from state that only a single pass builds "
              "(everything decoded before), so those pictures and those that refer to "
              "them, to the next keyframe, and what the checks measured on them, may "
              "differ from a single pass's");
    note_list(run, pt, n, lost, "decoded a packet to no picture: a single pass numbers "
              "the pictures that come out, a segment the file's index, so the frame "
              "numbers from there on, and the frames at the cuts after it, may differ "
              "from a single pass's");
    note_list(run, pt, n, open_gop, "starts in an open GOP whose leading pictures the "
              "decoder drops (they refer to pictures before it): a single pass numbers the "
              "pictures that come out, the segments the file's index, so the frame numbers "
              "and the frames at the cuts may differ from a single pass's");
}

static int merge_parts(MqcRun *run, Part *pt, int n, const MqcObserver *const *observers,
                       MqcMsg *msg)
{
    const Part *with_stream = NULL;
    for (int i = 0; i < n && !with_stream; i++)
        if (pt[i].stream)
            with_stream = &pt[i];
    /* segments meet: each starts where the one before ends */
    for (int i = 1; i < n; i++)
        if (pt[i - 1].end != pt[i].first) {
            mqc_msg(msg, "%s: starts at frame %lld but %s ends at frame %lld", pt[i].name,
                    (long long)pt[i].first, pt[i - 1].name, (long long)pt[i - 1].end);
            return MQC_ERR_USAGE;
        }
    const char *unreadable = str(pt[0].doc, "unreadable");
    if (unreadable && unreadable[0])
        snprintf(run->unreadable, sizeof(run->unreadable), "%s", unreadable);
    for (int i = 0; i < n && !run->error[0]; i++) {
        const char *e = str(pt[i].doc, "error");
        if (e && e[0])
            snprintf(run->error, sizeof(run->error), "%s", e);
    }
    if (!with_stream || run->unreadable[0])
        return 0;
    int nb_audio = 0;
    int ret = stream_from(run, with_stream);
    if (ret >= 0)
        nb_audio = run->si.nb_audio;
    run->si.nb_audio = 0;
    if (ret < 0)
        return bad_part(msg, with_stream->name, "damaged partial (stream)");
    /* the parts are sorted: pt[0] is segment 0, which analysed the audio */
    if (nb_audio && (ret = audio_from(run, &pt[0], nb_audio)) < 0)
        return ret == MQC_ERR_NOMEM ? ret
                                    : bad_part(msg, pt[0].name, "damaged partial (audio)");
    run->have_stream = 1;
    if ((ret = mqc_run_clock(run, 1)) < 0 || (ret = mqc_run_init_checks(run, run->input_path,
                                                                         msg)) < 0)
        return ret;
    size_t most = 1;
    for (int c = 0; c < run->nb_checks; c++)
        if (run->checks[c].check->frame_size > most)
            most = run->checks[c].check->frame_size;
    uint8_t *frame_buf = aligned_alloc(64, (most + 63) / 64 * 64);
    char *what = malloc(4097);
    if (!frame_buf || !what)
        ret = MQC_ERR_NOMEM;
    for (int i = 0; ret >= 0 && i < n; i++)
        if ((ret = checks_agree(run, &pt[i], msg)) >= 0)
            ret = load_states(run, &pt[i], msg);
    for (const MqcObserver *const *o = observers; ret >= 0 && o && *o; o++)
        if ((*o)->start)
            ret = (*o)->start((*o)->ud, run);
    Deferred later = { 0 };
    AudioRecords *ar = calloc(1, sizeof(*ar));
    if (!ar)
        ret = MQC_ERR_NOMEM;
    else if (ret >= 0 && pt[0].audio_records) {
        if ((ret = reader_open(&ar->r, pt[0].audio_records)) >= 0) {
            ar->open = 1;
            ret = audio_next(ar, run);
        }
        if (ret < 0 && ret != MQC_ERR_NOMEM)
            ret = bad_part(msg, pt[0].name, "damaged partial (audio records)");
    }
    for (int i = 0; ret >= 0 && i < n; i++)
        if (pt[i].records && (ret = replay(run, &pt[i], frame_buf, what, &later, ar, observers,
                                           msg)) == MQC_ERR_USAGE && !msg->text[0])
            ret = bad_part(msg, pt[0].name, "damaged partial (audio records)");
    /* the entries no frame took are read too: damage anywhere refuses the part */
    while (ret >= 0 && ar->have && (ret = audio_next(ar, run)) > 0)
        ;
    if (ret == MQC_ERR_USAGE && !msg->text[0])
        ret = bad_part(msg, pt[0].name, "damaged partial (audio records)");
    /* never a page that silently differs from the single pass's */
    if (ret >= 0 && ar->missing)
        merge_note(run, "the HTML report's audio curves lack %lld frame(s), the first frame "
                   "%lld: segment 0 did not record the audio where they end (their times "
                   "differ from the video packets' it read, or the audio ran too far ahead "
                   "of them)", (long long)ar->missing, (long long)ar->first_missing);
    if (ret >= 0)
        note_damaged(run, pt, n);
    if (ar && ar->open)
        reader_close(&ar->r);
    free(ar);
    free(frame_buf);
    free(what);
    if (ret >= 0) {
        mqc_run_audio_problems(run, later.v, later.n);
        mqc_run_conclude(run);
    }
    deferred_free(&later);
    return ret;
}

int mqc_merge(const MqcCheck *const *reg, const char *const *parts, int nb_parts,
              const MqcRunOptions *opt, MqcRun **out, MqcMsg *msg)
{
    *out = NULL;
    double t0 = mqc_run_now();
    if (nb_parts < 1) {
        mqc_msg(msg, "merge: no partials given");
        return MQC_ERR_USAGE;
    }
    Part *pt = calloc((size_t)nb_parts, sizeof(*pt));
    if (!pt)
        return MQC_ERR_NOMEM;
    int ret = 0;
    for (int i = 0; i < nb_parts && ret >= 0; i++)
        ret = part_read(&pt[i], parts[i], msg);
    if (ret >= 0)
        ret = parts_check(pt, nb_parts, msg);
    if (ret >= 0)
        qsort(pt, (size_t)nb_parts, sizeof(*pt), by_index);
    MqcProfile *profile = NULL;
    MqcRun *run = NULL;
    if (ret >= 0)
        ret = profile_from(cJSON_GetObjectItemCaseSensitive(pt[0].doc, "profile"), &profile);
    const cJSON *in = ret >= 0 ? cJSON_GetObjectItemCaseSensitive(pt[0].doc, "input") : NULL;
    if (ret >= 0 && (ret = mqc_run_new(reg, profile, str(in, "path"), opt->threads, &run)) < 0)
        mqc_profile_free(profile);
    if (ret >= 0) {
        run->owned_profile = profile;
        int ok = 1;
        run->input_size = num(in, "size_bytes", &ok);
        const char *hash = str(in, "index_hash");
        run->index_hash = hash ? strtoull(hash, NULL, 16) : 0;
        run->input_stream = (int)num(in, "stream", &ok);
        snprintf(run->input_format, sizeof(run->input_format), "%s",
                 str(in, "format") ? str(in, "format") : "");
        ret = merge_parts(run, pt, nb_parts, opt->observers, msg);
    }
    for (int i = 0; i < nb_parts; i++)
        cJSON_Delete(pt[i].doc);
    free(pt);
    if (ret < 0) {
        mqc_run_free(run);
        return ret;
    }
    mqc_run_end(run, t0, opt->observers);
    *out = run;
    return 0;
}
