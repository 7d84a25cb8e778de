/* `mediaqc conform PROXY ORIGINAL`: two engine runs at once, one per file
 * (each with its own decoder, local or s3://), hand each frame's signature
 * to a bounded ring; the aligner (align.c) reads both rings on the calling
 * thread. Memory is the rings and the findings, never the duration. The
 * report is the proxy's run (shape and exit codes of `check`) with one more
 * check, `conform`, whose events also name the original's frames. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "conform.h"

extern const MqcCheck mqc_check_decode;

static const MqcOption conform_options[] = { { .name = NULL } };
static const MqcEventCode conform_codes[] = {
    { "offset", "the proxy starts %+.0f frames from the original's start" },
    { "missing_in_proxy", "%.0f frames of the original are not in the proxy" },
    { "extra_in_proxy", "%.0f frames of the proxy are not in the original" },
    { "picture_mismatch", "%.0f frames show other pictures than the original" },
    { "timecode_mismatch", "timecodes differ from the original's by %+.0f frames" },
    { "frame_rate_mismatch", "the proxy runs at another frame rate" },
    { NULL, NULL }
};

/* The check whose events the aligner's findings become (it measures
 * nothing itself: the signature check does). */
const MqcCheck mqc_check_conform = {
    .name = "conform",
    .summary = "the proxy shows the original's pictures, frame for frame",
    .default_severity = MQC_SEV_ERROR,
    .options = conform_options,
    .codes = conform_codes,
};

/* ---- one file's feed: an engine run on its own thread ---- */

typedef struct Feed {
    pthread_mutex_t *mu;
    pthread_cond_t *cv;
    MqcAlignFrame *ring;
    int64_t cap;
    int64_t lo, hi;             /* frames [lo, hi) are in the ring */
    int started, eof, draining, abort;
    double fps;
    const MqcCheck *const *reg;
    const MqcProfile *profile;
    MqcRunOptions opt;
    MqcObserver obs;
    const MqcObserver *observers[2];
    MqcRun *run;
    int ret;
    MqcMsg msg;
    pthread_t thread;
} Feed;

static int feed_start(void *ud, const MqcRun *run)
{
    Feed *f = ud;
    pthread_mutex_lock(f->mu);
    f->fps = run->si.rate_num > 0 && run->si.rate_den > 0 ?
             (double)run->si.rate_num / run->si.rate_den : 0;
    f->started = 1;
    pthread_cond_broadcast(f->cv);
    pthread_mutex_unlock(f->mu);
    return 0;
}

static void feed_frame(void *ud, const MqcRun *run, const MqcFrameInfo *fi,
                       const struct AVFrame *frame, const MqcRecord *rec)
{
    (void)frame;
    (void)rec;
    Feed *f = ud;
    const MqcSignature *sig = mqc_signature_last(run);
    if (!sig)
        return;
    MqcAlignFrame e = { .sig = *sig, .time_s = fi->time_s,
                        .tc = run->tc.start + mqc_run_tc_frame(run, fi->index) };
    pthread_mutex_lock(f->mu);
    while (!f->abort && !f->draining && (!f->ring || f->hi - f->lo >= f->cap))
        pthread_cond_wait(f->cv, f->mu);
    if (f->draining || f->abort) {
        f->hi++;
        f->lo = f->hi;
    } else {
        f->ring[f->hi % f->cap] = e;
        f->hi++;
    }
    pthread_cond_broadcast(f->cv);
    pthread_mutex_unlock(f->mu);
}

static void *feed_thread(void *ud)
{
    Feed *f = ud;
    f->ret = mqc_run(f->reg, f->profile, &f->opt, &f->run, &f->msg);
    pthread_mutex_lock(f->mu);
    f->eof = f->started = 1;
    pthread_cond_broadcast(f->cv);
    pthread_mutex_unlock(f->mu);
    return NULL;
}

static const MqcAlignFrame *feed_get(void *ud, int64_t index)
{
    Feed *f = ud;
    pthread_mutex_lock(f->mu);
    while (index >= f->hi && !f->eof)
        pthread_cond_wait(f->cv, f->mu);
    const MqcAlignFrame *r = index < f->hi && index >= f->lo ? &f->ring[index % f->cap] : NULL;
    pthread_mutex_unlock(f->mu);
    return r;
}

static void feed_release(void *ud, int64_t index)
{
    Feed *f = ud;
    pthread_mutex_lock(f->mu);
    if (index + 1 > f->lo) {
        f->lo = index + 1 < f->hi ? index + 1 : f->hi;
        pthread_cond_broadcast(f->cv);
    }
    pthread_mutex_unlock(f->mu);
}

static int64_t feed_count(void *ud)
{
    Feed *f = ud;
    pthread_mutex_lock(f->mu);
    f->draining = 1;
    pthread_cond_broadcast(f->cv);
    while (!f->eof)
        pthread_cond_wait(f->cv, f->mu);
    int64_t n = f->hi;
    pthread_mutex_unlock(f->mu);
    return n;
}

/* ---- the report ---- */

static void tc_of(const MqcRun *run, int64_t frame, char buf[32])
{
    if (run->frames <= 0) {
        snprintf(buf, 32, "--:--:--:--");
        return;
    }
    mqc_run_timecode(run, frame < run->frames ? frame : run->frames - 1, buf);
}

static void describe(const MqcConformEvent *e, const MqcRun *p, const MqcRun *o, char *buf,
                     size_t len)
{
    char pa[32], pz[32], oa[32], oz[32];
    tc_of(p, e->p0, pa);
    tc_of(p, e->p1, pz);
    /* an offset names the original's frame the proxy starts at */
    tc_of(o, e->code == MQC_CONFORM_OFFSET ? e->o1 + 1 : e->o0, oa);
    tc_of(o, e->o1, oz);
    switch (e->code) {
    case MQC_CONFORM_OFFSET:
        if (e->value > 0)
            snprintf(buf, len, "the proxy starts %.0f frames late: its first frame is original "
                     "frame %lld (%s); original frames 0-%lld are not in it", e->value,
                     (long long)e->o1 + 1, oa, (long long)e->o1);
        else
            snprintf(buf, len, "the proxy starts %.0f frames early: proxy frames 0-%lld (to %s) "
                     "come before the original's first frame", -e->value, (long long)e->p1, pz);
        break;
    case MQC_CONFORM_MISSING:
        snprintf(buf, len, "original frames %lld-%lld (%s-%s) are not in the proxy (at proxy "
                 "frame %lld, %s)", (long long)e->o0, (long long)e->o1, oa, oz,
                 (long long)e->p0, pa);
        break;
    case MQC_CONFORM_EXTRA:
        snprintf(buf, len, "proxy frames %lld-%lld (%s-%s) are not in the original (at original "
                 "frame %lld, %s)", (long long)e->p0, (long long)e->p1, pa, pz,
                 (long long)e->o0, oa);
        break;
    case MQC_CONFORM_PICTURE:
        snprintf(buf, len, "proxy frames %lld-%lld (%s-%s) show other pictures than original "
                 "frames %lld-%lld (%s-%s)", (long long)e->p0, (long long)e->p1, pa, pz,
                 (long long)e->o0, (long long)e->o1, oa, oz);
        break;
    case MQC_CONFORM_TIMECODE:
        snprintf(buf, len, "proxy timecode %s is %+.0f frames from the original's %s at the "
                 "same picture (original frames %lld-%lld)", pa, e->value, oa,
                 (long long)e->o0, (long long)e->o1);
        break;
    default:
        snprintf(buf, len, "the proxy runs at %d/%d fps, the original at %d/%d: frames aligned "
                 "by time", p->si.rate_num, p->si.rate_den, o->si.rate_num, o->si.rate_den);
        break;
    }
}

static cJSON *original_json(const MqcConformEvent *e, const MqcRun *o)
{
    cJSON *j = cJSON_CreateObject();
    char tc[32];
    cJSON_AddNumberToObject(j, "start_frame", (double)e->o0);
    cJSON_AddNumberToObject(j, "end_frame", (double)e->o1);
    cJSON_AddNumberToObject(j, "frames", (double)e->o_count);
    tc_of(o, e->o0, tc);
    cJSON_AddStringToObject(j, "start_tc", tc);
    tc_of(o, e->o1, tc);
    cJSON_AddStringToObject(j, "end_tc", tc);
    double frame_s = o->si.rate_num > 0 ? (double)o->si.rate_den / o->si.rate_num : 0;
    cJSON_AddNumberToObject(j, "start_s", round(mqc_run_time(o, e->o0) * 1e6) / 1e6);
    cJSON_AddNumberToObject(j, "end_s", round((mqc_run_time(o, e->o1) + frame_s) * 1e6) / 1e6);
    return j;
}

static double duration_of(const MqcRun *r)
{
    return r->frames > 0 && r->si.rate_num > 0 ?
           mqc_run_time(r, r->frames - 1) + (double)r->si.rate_den / r->si.rate_num : 0;
}

static cJSON *audio_facts(const MqcRun *r)
{
    cJSON *arr = cJSON_CreateArray();
    for (int a = 0; a < r->nb_audio; a++) {
        const MqcAudioInfo *ai = &r->audio[a];
        cJSON *s = cJSON_CreateObject();
        cJSON_AddNumberToObject(s, "channels", ai->channels);
        cJSON_AddNumberToObject(s, "sample_rate", ai->sample_rate);
        cJSON_AddStringToObject(s, "layout", ai->layout);
        cJSON_AddNumberToObject(s, "duration_s", ai->sample_rate > 0 ?
                                round((double)ai->samples / ai->sample_rate * 1e6) / 1e6 : 0);
        cJSON_AddItemToArray(arr, s);
    }
    return arr;
}

static void conform_metrics(cJSON *m, const MqcAlignResult *ar, const MqcRun *p,
                            const MqcRun *o, const cJSON *orig_report)
{
    cJSON *orig = cJSON_AddObjectToObject(m, "original");
    cJSON_AddItemToObject(orig, "input", cJSON_Duplicate(cJSON_GetObjectItem(orig_report, "input"), 1));
    cJSON_AddItemToObject(orig, "video", cJSON_Duplicate(cJSON_GetObjectItem(orig_report, "video"), 1));
    cJSON_AddNumberToObject(m, "proxy_frames", (double)ar->proxy_frames);
    cJSON_AddNumberToObject(m, "original_frames", (double)ar->original_frames);
    cJSON_AddNumberToObject(m, "aligned_pairs", (double)ar->pairs);
    cJSON_AddNumberToObject(m, "matched_pairs", (double)ar->matched);
    cJSON_AddNumberToObject(m, "flat_pairs", (double)ar->flat_pairs);
    int64_t real = ar->matched - ar->flat_pairs;
    cJSON_AddNumberToObject(m, "mean_match_distance",
                            real > 0 ? round(ar->sum_matched / real * 1e4) / 1e4 : 0);
    cJSON_AddNumberToObject(m, "worst_match_distance", round(ar->worst_matched * 1e4) / 1e4);
    cJSON_AddNumberToObject(m, "resyncs", (double)ar->resyncs);
    double dp = duration_of(p), dor = duration_of(o);
    cJSON_AddNumberToObject(m, "proxy_duration_s", round(dp * 1e6) / 1e6);
    cJSON_AddNumberToObject(m, "original_duration_s", round(dor * 1e6) / 1e6);
    cJSON_AddNumberToObject(m, "duration_diff_s", round((dp - dor) * 1e6) / 1e6);
    cJSON_AddItemToObject(m, "proxy_audio", audio_facts(p));
    cJSON_AddItemToObject(m, "original_audio", audio_facts(o));
}

/* Errors and warnings from the events, and the verdict they give. */
static void recount(MqcRun *run)
{
    run->errors = run->warnings = 0;
    for (int c = 0; c < run->nb_checks; c++)
        for (size_t i = 0; i < run->checks[c].events.n; i++) {
            MqcSeverity s = mqc_event_severity(&run->checks[c], &run->checks[c].events.v[i]);
            run->errors += s == MQC_SEV_ERROR;
            run->warnings += s == MQC_SEV_WARNING;
        }
    run->verdict = run->unreadable[0] || run->error[0] ? MQC_ERROR :
                   run->errors ? MQC_FAIL : MQC_PASS;
}

/* The conform check joins the proxy's run; its events come from ar. */
static int add_conform_check(MqcRun *p, const MqcRun *o, const MqcAlignResult *ar,
                             const MqcConformOptions *co, const cJSON *orig_report,
                             const char *skip)
{
    MqcCheckRun *v = realloc(p->checks, ((size_t)p->nb_checks + 1) * sizeof(*v));
    if (!v)
        return MQC_ERR_NOMEM;
    p->checks = v;
    MqcCheckRun *cr = &v[p->nb_checks++];
    memset(cr, 0, sizeof(*cr));
    cr->check = &mqc_check_conform;
    cr->id = mqc_check_conform.name;
    cr->severity = MQC_SEV_ERROR;
    cr->params = cJSON_CreateObject();
    cr->metrics = cJSON_CreateObject();
    cJSON_AddStringToObject(cr->params, "original", o->input_path);
    cJSON_AddNumberToObject(cr->params, "window_frames", co->window);
    cJSON_AddNumberToObject(cr->params, "match_distance", MQC_SIG_MATCH);
    cJSON_AddNumberToObject(cr->params, "flat_spread_pct", MQC_SIG_FLAT_SD);
    if (skip) {
        cr->skipped = 1;
        snprintf(cr->skip_reason, sizeof(cr->skip_reason), "%s", skip);
        return 0;
    }
    conform_metrics(cr->metrics, ar, p, o, orig_report);
    for (size_t k = 0; k < ar->n; k++) {
        const MqcConformEvent *c = &ar->ev[k];
        MqcEvent e = { .code = mqc_check_conform.codes[c->code].code, .start_frame = c->p0,
                       .end_frame = c->p1, .worst_frame = c->p0, .value = c->value,
                       .info = c->code == MQC_CONFORM_RATE, .channel = -1 };
        describe(c, p, o, e.detail, sizeof(e.detail));
        if (mqc_events_add(&cr->events, &e) < 0)
            return MQC_ERR_NOMEM;
    }
    return 0;
}

/* Each conform event gets the original's frames, in the order added. */
static void annotate(cJSON *report, const MqcAlignResult *ar, const MqcRun *o)
{
    cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(report, "checks")) {
        const cJSON *id = cJSON_GetObjectItem(c, "id");
        if (!cJSON_IsString(id) || strcmp(id->valuestring, "conform"))
            continue;
        size_t k = 0;
        cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(c, "events"))
            if (k < ar->n)
                cJSON_AddItemToObject(e, "original", original_json(&ar->ev[k++], o));
    }
}

static int wait_started(Feed *f)
{
    pthread_mutex_lock(f->mu);
    while (!f->started)
        pthread_cond_wait(f->cv, f->mu);
    pthread_mutex_unlock(f->mu);
    return 0;
}

int mqc_conform_run(const MqcConformOptions *co, MqcConformResult *out, MqcMsg *msg)
{
    memset(out, 0, sizeof(*out));
    static const MqcCheck *const reg[] = { &mqc_check_decode, &mqc_check_signature, NULL };
    MqcProfile *profile = &out->profile;
    profile->name = (char *)"conform";
    profile->source = (char *)"built-in";
    profile->checks = cJSON_Parse("{\"signature\": {}}");
    if (!profile->checks)
        return MQC_ERR_NOMEM;
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
    Feed feeds[2];
    const char *paths[2] = { co->proxy, co->original };
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = co->threads > 0 ? co->threads : cores > 0 && cores < 256 ? (int)cores : 1;
    int per_run = threads > 1 ? threads / 2 : 1;   /* one budget, shared by the two runs */
    for (int k = 0; k < 2; k++) {
        /* a missing local file fails now, not after the other file's decode */
        if (!strstr(paths[k], "://") && !strchr(paths[k], '%') && access(paths[k], R_OK) < 0) {
            mqc_msg(msg, "%s: cannot read %s: %s", paths[k], k ? "original" : "proxy",
                    strerror(errno));
            cJSON_Delete(profile->checks);
            profile->checks = NULL;
            return errno == ENOENT ? MQC_ERR_NOT_FOUND : MQC_ERR_USAGE;
        }
    }
    int started = 0, ret = 0;
    memset(feeds, 0, sizeof(feeds));
    for (int k = 0; k < 2; k++) {
        Feed *f = &feeds[k];
        f->mu = &mu;
        f->cv = &cv;
        f->reg = reg;
        f->profile = profile;
        f->obs = (MqcObserver){ .ud = f, .start = feed_start, .frame = feed_frame };
        f->observers[0] = &f->obs;
        f->opt = (MqcRunOptions){ .input = paths[k], .stream_index = -1, .threads = per_run,
                                  .observers = f->observers, .max_pixels = co->max_pixels };
        if (pthread_create(&f->thread, NULL, feed_thread, f)) {
            ret = MQC_ERR_NOMEM;
            break;
        }
        started++;
    }
    for (int k = 0; k < started; k++)
        wait_started(&feeds[k]);
    MqcAlignResult ar = { 0 };
    if (started == 2) {
        double ratio = feeds[0].fps > 0 && feeds[1].fps > 0 ? feeds[1].fps / feeds[0].fps : 1;
        pthread_mutex_lock(&mu);
        for (int k = 0; k < 2; k++) {
            feeds[k].cap = mqc_align_ring(co->window, k ? ratio : 1);
            feeds[k].ring = calloc((size_t)feeds[k].cap, sizeof(*feeds[k].ring));
            if (!feeds[k].ring)
                ret = MQC_ERR_NOMEM;
        }
        for (int k = 0; ret < 0 && k < 2; k++)
            feeds[k].abort = 1;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mu);
        MqcAlignSource src[2];
        for (int k = 0; k < 2; k++)
            src[k] = (MqcAlignSource){ feed_get, feed_release, feed_count, &feeds[k], feeds[k].fps };
        if (ret >= 0)
            ret = mqc_align(&src[0], &src[1], co->window, &ar);
    }
    pthread_mutex_lock(&mu);
    for (int k = 0; k < 2; k++)
        feeds[k].abort = 1;     /* nothing reads the rings any more */
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    for (int k = 0; k < started; k++)
        pthread_join(feeds[k].thread, NULL);

    MqcRun *p = feeds[0].run, *o = feeds[1].run;
    for (int k = 0; k < 2 && ret >= 0; k++)
        if (feeds[k].ret < 0) {
            ret = feeds[k].ret;
            *msg = feeds[k].msg;
        }
    if (ret >= 0) {
        char why[600] = "";
        if (p->unreadable[0] || o->unreadable[0] || !mqc_signature_last(p) ||
            !mqc_signature_last(o)) {
            const MqcRun *bad = p->unreadable[0] || !mqc_signature_last(p) ? p : o;
            snprintf(why, sizeof(why), "%s: %s", bad == p ? "proxy" : "original",
                     bad->unreadable[0] ? bad->unreadable :
                     "its pictures cannot be signed (float samples)");
            if (bad == o || !p->unreadable[0])
                snprintf(p->error, sizeof(p->error), "%s", why);
        }
        if (!why[0] && fabs(feeds[0].fps - feeds[1].fps) > 1e-6 * feeds[1].fps &&
            feeds[0].fps > 0 && feeds[1].fps > 0 && p->frames > 0 && o->frames > 0) {
            /* a fact first, so the list reads in order */
            MqcConformEvent rate = { MQC_CONFORM_RATE, 0, p->frames - 1, 0, o->frames - 1,
                                     p->frames, o->frames, feeds[0].fps };
            MqcAlignResult tmp = ar;
            ar.ev = malloc((ar.n + 1) * sizeof(*ar.ev));
            if (!ar.ev) {
                ar = tmp;
                ret = MQC_ERR_NOMEM;
            } else {
                ar.ev[0] = rate;
                if (tmp.n)
                    memcpy(ar.ev + 1, tmp.ev, tmp.n * sizeof(*ar.ev));
                ar.n = tmp.n + 1;
                ar.cap = ar.n;
                free(tmp.ev);
            }
        }
        cJSON *orig_report = ret >= 0 ? mqc_report_json(o, 0, NULL) : NULL;
        if (ret >= 0)
            ret = add_conform_check(p, o, &ar, co, orig_report, why[0] ? why : NULL);
        cJSON_Delete(orig_report);
        if (ret >= 0) {
            recount(p);
            out->report = mqc_report_json(p, co->argc, co->argv);
            if (!out->report)
                ret = MQC_ERR_NOMEM;
            else
                annotate(out->report, &ar, o);
        }
    }
    mqc_align_free(&ar);
    for (int k = 0; k < 2; k++)
        free(feeds[k].ring);
    if (ret < 0) {
        cJSON_Delete(profile->checks);
        profile->checks = NULL;
        mqc_run_free(p);
        mqc_run_free(o);
        cJSON_Delete(out->report);
        out->report = NULL;
        if (!msg->text[0] || ret == MQC_ERR_NOMEM)
            mqc_msg(msg, "%s: %s", co->proxy, mqc_strerror(ret));
        return ret;
    }
    out->proxy = p;
    out->original = o;
    return 0;
}

void mqc_conform_result_free(MqcConformResult *r)
{
    cJSON_Delete(r->profile.checks);
    mqc_run_free(r->proxy);
    mqc_run_free(r->original);
    cJSON_Delete(r->report);
    memset(r, 0, sizeof(*r));
}
