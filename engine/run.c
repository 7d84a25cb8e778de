/* A QC run: profile -> active checks, input -> scheduler, then verdict. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <libavutil/pixdesc.h>
#include "internal.h"
#include "lead_in.h"
#include "partial.h"
#include "outfile.h"
#include "remote_io.h"
#include "stats.h"
#include "scheduler.h"

/* ---- per-frame records and metrics (declared in check.h) ---- */

static MqcRecordField *record_slot(MqcRecord *r, const char *key)
{
    if (r->n >= MQC_RECORD_MAX)
        return NULL;
    MqcRecordField *f = &r->f[r->n++];
    f->key = key;
    return f;
}

void mqc_record_int(MqcRecord *r, const char *key, int64_t v)
{
    MqcRecordField *f = record_slot(r, key);
    if (f)
        f->type = MQC_REC_INT, f->i = v, f->d = (double)v;
}

void mqc_record_double(MqcRecord *r, const char *key, double v)
{
    MqcRecordField *f = record_slot(r, key);
    if (f)
        f->type = MQC_REC_DOUBLE, f->d = v;
}

void mqc_record_string(MqcRecord *r, const char *key, const char *v)
{
    MqcRecordField *f = record_slot(r, key);
    if (f) {
        f->type = MQC_REC_STRING;
        snprintf(f->s, sizeof(f->s), "%s", v);
    }
}

int mqc_record_get(const MqcRecord *r, const char *key, double *v)
{
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->f[i].key, key) && r->f[i].type != MQC_REC_STRING) {
            *v = r->f[i].d;
            return 0;
        }
    return -1;
}

/* One JSON line; keys are literals from the checks, strings are hex or
 * names, so only quotes and backslashes need escaping. */
static void record_write(FILE *out, const MqcFrameInfo *fi, const MqcRecord *r)
{
    fprintf(out, "{\"frame\":%lld,\"time\":%.6f,\"pts\":", (long long)fi->index, fi->time_s);
    if (fi->pts == AV_NOPTS_VALUE)
        fputs("null", out);
    else
        fprintf(out, "%lld", (long long)fi->pts);
    for (int i = 0; i < r->n; i++) {
        const MqcRecordField *f = &r->f[i];
        fprintf(out, ",\"%s\":", f->key);
        if (f->type == MQC_REC_INT)
            fprintf(out, "%lld", (long long)f->i);
        else if (f->type == MQC_REC_DOUBLE && isfinite(f->d))
            fprintf(out, "%.9g", f->d);
        else if (f->type == MQC_REC_DOUBLE)
            fputs("null", out);
        else {
            fputc('"', out);
            for (const char *c = f->s; *c; c++)
                fprintf(out, (*c == '"' || *c == '\\') ? "\\%c" : (unsigned char)*c < 0x20 ?
                        "?" : "%c", *c);
            fputc('"', out);
        }
    }
    fputs("}\n", out);
}

void mqc_metric_int(MqcMetrics *m, const char *key, int64_t v)
{
    cJSON_AddNumberToObject(m->obj, key, (double)v);
}

void mqc_metric_double(MqcMetrics *m, const char *key, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(m->obj, key, v);
    else
        cJSON_AddNullToObject(m->obj, key);
}

void mqc_metric_string(MqcMetrics *m, const char *key, const char *v)
{
    cJSON_AddStringToObject(m->obj, key, v);
}

int mqc_metric_json(MqcMetrics *m, const char *key, const char *json)
{
    cJSON *v = cJSON_Parse(json);
    if (!v)
        return MQC_ERR_USAGE;
    cJSON_AddItemToObject(m->obj, key, v);
    return 0;
}

void mqc_metric_append(MqcMetrics *m, const char *key, MqcMetrics *item)
{
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(m->obj, key);
    if (!arr)
        arr = cJSON_AddArrayToObject(m->obj, key);
    item->obj = cJSON_CreateObject();
    if (!arr || !item->obj || !cJSON_AddItemToArray(arr, item->obj)) {
        cJSON_Delete(item->obj);    /* out of memory: the values go nowhere */
        item->obj = NULL;
    }
}

/* ---- run ---- */

typedef struct RunState {
    MqcRun *run;
    FILE *frames;
    MqcOutFile *frames_out;     /* frames' file, renamed into place at the end */
    const MqcObserver *const *observers;
    int progress;
    double t0, last_draw;
} RunState;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void draw_progress(RunState *st, int64_t done, int final)
{
    double t = now_s();
    if (!final && t - st->last_draw < 0.25)
        return;
    st->last_draw = t;
    double el = t - st->t0, fps = el > 0 ? done / el : 0;
    int64_t total = st->run->si.frames_declared;
    if (!total && st->run->si.duration_s > 0 && st->run->si.rate_den)
        total = (int64_t)(st->run->si.duration_s * st->run->si.rate_num / st->run->si.rate_den + 0.5);
    if (total > done && fps > 0) {
        int eta = (int)((total - done) / fps);
        fprintf(stderr, "\r  frame %lld/%lld  %3d%%  %6.1f fps  ETA %d:%02d   ", (long long)done,
                (long long)total, (int)(100 * done / total), fps, eta / 60, eta % 60);
    } else {
        fprintf(stderr, "\r  frame %lld  %6.1f fps          ", (long long)done, fps);
    }
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

/* Problems of the input go to the checks that report them (input_problem). */
static void record_failed(MqcRun *run)
{
    if (!run->error[0])
        snprintf(run->error, sizeof(run->error), "%s: the segment's record: %s",
                 run->input_path, mqc_strerror(MQC_ERR_NOMEM));
}

void mqc_run_deliver(MqcRun *run, const MqcInputProblem *p)
{
    if (run->partial && mqc_partial_problem(run->partial, p) < 0)
        record_failed(run);
    for (int c = 0; c < run->nb_checks; c++) {
        MqcCheckRun *cr = &run->checks[c];
        if (cr->check->input_problem && !cr->skipped)
            cr->check->input_problem(cr->priv, p, &cr->events);
    }
}

static void problem(MqcRun *run, MqcProblemKind kind, int64_t first, int64_t last, int count,
                    const char *what, int64_t pos)
{
    MqcInputProblem p = { .kind = kind, .first_frame = first, .last_frame = last,
                          .count = count, .what = what, .pos = pos };
    mqc_run_deliver(run, &p);
}

/* The analysis could not complete (out of memory): verdict error, and an
 * out_of_memory event saying why when there is still room for one. */
static void incomplete(MqcRun *run, int64_t first, int64_t last, const char *why)
{
    if (!run->error[0])
        snprintf(run->error, sizeof(run->error), "%s", why);
    problem(run, MQC_PROBLEM_NOMEM, first, last, 1, why, -1);
}

void mqc_run_frame(MqcRun *run, const MqcFrameInfo *fi)
{
    run->frames = fi->index + 1;
    if (mqc_timeline_add(&run->timeline, fi->index, fi->pts) < 0 && !run->error[0]) {
        /* times would fall back to the grid: say so */
        MqcMsg why;
        mqc_msg(&why, "%s: %s: event times fall back to the frame grid", run->input_path,
                mqc_strerror(MQC_ERR_NOMEM));
        incomplete(run, fi->index, fi->index, why.text);
    }
}

static void after_fold(void *ud, const MqcFrameInfo *fi, const AVFrame *f,
                       const void *const *results, int issues, const char *issue, int64_t pos)
{
    RunState *st = ud;
    MqcRun *run = st->run;
    /* the fold inputs before the problems, in the order the checks saw them */
    if (f && run->partial && (mqc_partial_frame(run->partial, run, fi, results) < 0 ||
                              mqc_partial_audio(run->partial, run, fi->pts, results) < 0)) {
        MqcMsg why;
        mqc_msg(&why, "%s: the segment's record: %s", run->input_path,
                mqc_strerror(MQC_ERR_NOMEM));
        incomplete(run, fi->index, fi->index, why.text);
    }
    if (issues)
        problem(run, MQC_PROBLEM_DECODE, fi->index, fi->index, issues, issue, pos);
    if (!f)
        return;
    mqc_run_frame(run, fi);
    if (run->partial && mqc_partial_shown(run->partial) < 0)
        record_failed(run);
    if (st->frames || st->observers) {
        MqcRecord rec;
        rec.n = 0;
        for (int c = 0; c < run->nb_checks; c++) {
            const MqcCheckRun *cr = &run->checks[c];
            if (!cr->skipped && cr->check->record)
                cr->check->record(cr->priv, results[c], &rec);
        }
        if (st->frames && !mqc_outfile_check(st->frames_out))
            record_write(st->frames, fi, &rec);   /* after an error: none, the cause is kept */
        for (const MqcObserver *const *o = st->observers; o && *o; o++)
            if ((*o)->frame)
                (*o)->frame((*o)->ud, run, fi, f, &rec);
    }
    if (st->progress)
        draw_progress(st, run->frames, 0);
}

/* Segment 0, past its frames: the audio checks' records where a later
 * frame ends (engine/audio_feed.c cuts the audio there). */
static void cut_record(void *ud, int64_t pts)
{
    MqcRun *run = ud;
    if (mqc_partial_audio(run->partial, run, pts, NULL) < 0)
        record_failed(run);
}

static int setup_checks(MqcRun *run, const MqcCheck *const *reg, const MqcProfile *p)
{
    int n = 0;
    for (const MqcCheck *const *r = reg; *r; r++)
        n++;
    run->checks = calloc((size_t)n + 1, sizeof(*run->checks));
    if (!run->checks)
        return MQC_ERR_NOMEM;
    MqcCheckRun *cr = run->checks;
    for (const MqcCheck *const *r = reg; *r; r++) {
        if (!mqc_profile_enables(p, *r))
            continue;
        const cJSON *conf = cJSON_GetObjectItemCaseSensitive(p->checks, (*r)->name);
        cr->check = *r;
        cr->id = (*r)->name;
        cr->severity = (*r)->default_severity;
        const cJSON *sev = cJSON_GetObjectItemCaseSensitive(conf, "severity");
        for (int s = MQC_SEV_INFO; cJSON_IsString(sev) && s <= MQC_SEV_ERROR; s++)
            if (!strcmp(sev->valuestring, mqc_severity_name((MqcSeverity)s)))
                cr->severity = (MqcSeverity)s;
        cr->priv = calloc(1, (*r)->priv_size ? (*r)->priv_size : 1);
        run->nb_checks = (int)(cr - run->checks) + 1;
        if (!cr->priv)
            return MQC_ERR_NOMEM;
        const cJSON *block = mqc_profile_block(p, *r);
        int ret = block && (*r)->configure ? (*r)->configure(cr->priv, block)
                                           : mqc_options_apply((*r)->options, cr->priv, conf);
        if (ret < 0)
            return ret;
        cr->params = block ? cJSON_Duplicate(block, 1)
                           : mqc_options_to_json((*r)->options, cr->priv);
        cr++;
    }
    run->nb_checks = (int)(cr - run->checks);
    return 0;
}

/* The audio streams: their facts for the checks, and the queue that
 * brings their samples from the reading thread. */
static int open_audio(MqcRun *run, MqcInput *in, MqcAudioFeed **feed)
{
    int n = mqc_input_audio_count(in);
    run->audio = calloc((size_t)n + 1, sizeof(*run->audio));
    if (!run->audio)
        return MQC_ERR_NOMEM;
    for (int a = 0; a < n; a++)
        mqc_input_audio_info(in, a, &run->audio[a]);
    run->nb_audio = n;
    run->si.nb_audio = n;
    run->si.audio = run->audio;
    /* a segment after the first reads no audio: its checks get no samples */
    return mqc_feed_new(feed, in, run->audio, mqc_input_audio_decoded(in));
}

/* A check whose media the input lacks is skipped, saying so. */
static int media_missing(MqcRun *run, MqcCheckRun *cr)
{
    int audio = cr->check->media == MQC_MEDIA_AUDIO;
    if (audio ? run->nb_audio : run->have_stream)
        return 0;
    cr->skipped = 1;
    snprintf(cr->skip_reason, sizeof(cr->skip_reason), "%s",
             audio ? "no audio stream" : "no video stream (audio-only input)");
    return 1;
}

static int event_order(const void *pa, const void *pb)
{
    const MqcEvent *a = pa, *b = pb;
    if (a->start_s != b->start_s)
        return a->start_s < b->start_s ? -1 : 1;
    if (a->stream != b->stream)
        return a->stream < b->stream ? -1 : 1;
    if (a->channel != b->channel)
        return a->channel < b->channel ? -1 : 1;
    int c = strcmp(a->code, b->code);
    if (c)
        return c;
    return a->end_s < b->end_s ? -1 : a->end_s > b->end_s;
}

/* The last frame that starts at or before t (frame times from the
 * timestamps, engine/timeline.c); frames run forward in time. */
static int64_t frame_at(const MqcRun *run, double t)
{
    int64_t lo = 0, hi = run->frames - 1;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo + 1) / 2;
        if (mqc_run_time(run, mid) <= t + 1e-9)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* Audio events carry sample-accurate times: the video frames they cover
 * follow from the frames' times. Sorted by time, so the order never
 * depends on how the audio was cut. */
static void audio_events_place(const MqcRun *run, MqcEvents *ev, int sort)
{
    for (size_t i = 0; i < ev->n; i++) {
        MqcEvent *e = &ev->v[i];
        if (!e->audio)
            continue;
        int64_t a = 0, b = 0;
        if (run->have_stream && run->frames > 0) {
            a = frame_at(run, e->start_s);
            b = e->end_s > e->start_s ? frame_at(run, e->end_s - 1e-6) : a;
        }
        e->start_frame = e->worst_frame = a;
        e->end_frame = b < a ? a : b;
    }
    if (sort && ev->n > 1)
        qsort(ev->v, ev->n, sizeof(*ev->v), event_order);
    memset(ev->open, 0, sizeof(ev->open));
}

void mqc_run_audio_problems(MqcRun *run, const MqcInputProblem *v, int n)
{
    for (int i = 0; i < n; i++)
        mqc_run_deliver(run, &v[i]);
    for (int c = 0; n && c < run->nb_checks; c++)
        if (run->checks[c].check->input_problem && !run->checks[c].skipped)
            audio_events_place(run, &run->checks[c].events, 0);
}

/* Audio decode problems, at their time, go to the checks that report
 * problems of the input; the frames they cover follow from that time. */
static int add_audio_issues(MqcRun *run, const MqcInput *in)
{
    const MqcAudioIssue *v;
    int n = mqc_input_audio_issues(in, &v);
    MqcInputProblem *p = calloc((size_t)n + 1, sizeof(*p));
    if (!p)
        return MQC_ERR_NOMEM;
    for (int i = 0; i < n; i++)
        p[i] = (MqcInputProblem){ .kind = MQC_PROBLEM_DECODE, .count = v[i].count,
                                  .what = v[i].what, .pos = -1, .audio = 1,
                                  .stream = v[i].stream, .time_s = v[i].time_s };
    mqc_run_audio_problems(run, p, n);
    free(p);
    return 0;
}

static int cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n < 256 ? (int)n : 1;
}

static void finalize(MqcRun *run)
{
    run->errors = run->warnings = 0;
    for (int c = 0; c < run->nb_checks; c++) {
        MqcCheckRun *cr = &run->checks[c];
        for (size_t i = 0; i < cr->events.n; i++) {
            MqcSeverity s = mqc_event_severity(cr, &cr->events.v[i]);
            run->errors += s == MQC_SEV_ERROR;
            run->warnings += s == MQC_SEV_WARNING;
        }
    }
    run->verdict = run->unreadable[0] || run->error[0] ? MQC_ERROR :
                   run->errors ? MQC_FAIL : MQC_PASS;
}

int mqc_run_new(const MqcCheck *const *reg, const MqcProfile *profile, const char *input,
                int threads, MqcRun **out)
{
    *out = NULL;
    MqcRun *run = calloc(1, sizeof(*run));
    char shown[4096];
    /* a presigned URL's query is a credential: never put it in a report */
    if (mqc_remote_is_url(input))
        mqc_remote_redact(input, shown, sizeof(shown));
    else
        snprintf(shown, sizeof(shown), "%s", input);
    if (!run || !(run->input_path = strdup(shown))) {
        free(run);
        return MQC_ERR_NOMEM;
    }
    run->profile = profile;
    run->threads = threads > 0 ? threads : cpu_count();
    int ret = setup_checks(run, reg, profile);
    if (ret < 0) {
        mqc_run_free(run);
        return ret;
    }
    *out = run;
    return 0;
}

int mqc_run_clock(MqcRun *run, int video)
{
    if (!(run->si.learnt = mqc_learnt_alloc()))
        return MQC_ERR_NOMEM;
    if (!video)
        mqc_tc_init(&run->tc, 0, 0, NULL);  /* safe for every caller; no frames use it */
    int tc_ret = video ? mqc_tc_init(&run->tc, run->si.rate_num, run->si.rate_den,
                                     run->si.start_timecode) : 0;
    if (tc_ret < 0) {
        /* unusable for this rate: count from 00:00:00:00, keep the tag for the report */
        snprintf(run->si.bad_timecode, sizeof(run->si.bad_timecode), "%s",
                 run->si.start_timecode);
        run->si.start_timecode[0] = 0;
    } else if (run->si.start_timecode[0]) {
        /* the report and every event use one notation: the counter's */
        mqc_tc_string(&run->tc, 0, run->start_timecode);
        if (tc_ret > 0)   /* the check reads the tag itself to report it, once */
            run->si.start_timecode[0] = 0;
    }
    mqc_timeline_init(&run->timeline, run->si.rate_num, run->si.rate_den, run->si.tb_num,
                      run->si.tb_den);
    return 0;
}

int mqc_run_init_checks(MqcRun *run, const char *input, MqcMsg *msg)
{
    for (int c = 0; c < run->nb_checks; c++) {
        MqcCheckRun *cr = &run->checks[c];
        if (!(cr->check->flags & MQC_CHECK_WITHOUT_PICTURES) && media_missing(run, cr))
            continue;
        if (run->si.is_float && !cr->check->float_input &&
            (cr->check->measure || cr->check->measure_frame)) {
            /* its limits are integer code values; float samples are linear light */
            cr->skipped = 1;
            snprintf(cr->skip_reason, sizeof(cr->skip_reason), "float pictures (%s, linear "
                     "light): this check measures integer code values", run->si.pix_fmt);
            continue;
        }
        if (cr->check->init) {
            int r = cr->check->init(cr->priv, &run->si, cr->skip_reason, sizeof(cr->skip_reason));
            if (r < 0) {
                /* a configuration the stream or the environment cannot satisfy
                 * (unknown colour space, unreadable reference file, ...) */
                mqc_msg(msg, "%s: %s: %s", input, cr->id,
                        cr->skip_reason[0] ? cr->skip_reason : mqc_strerror(r));
                return r == MQC_ERR_NOMEM ? r : MQC_ERR_PROFILE;
            }
            cr->skipped = r > 0;
            /* init may resolve an option for this stream (checksum's default
             * algorithm follows its reference): params say what ran */
            cJSON_Delete(cr->params);
            cr->params = mqc_options_to_json(cr->check->options, cr->priv);
        }
    }
    return 0;
}

void mqc_run_finish_check(MqcRun *run, int c)
{
    MqcCheckRun *cr = &run->checks[c];
    if (cr->concluded)
        return;
    cr->concluded = 1;
    cJSON_Delete(cr->metrics);
    cr->metrics = cJSON_CreateObject();
    MqcMetrics m = { cr->metrics };
    int64_t t0 = run->stats ? mqc_thread_ns() : 0;
    if (!cr->skipped && cr->check->finish)
        cr->check->finish(cr->priv, &run->si, &cr->events, &m);
    if (run->stats)
        mqc_stat_add(&run->stats->checks[c][MQC_STAT_FINISH], t0);
}

void mqc_run_conclude(MqcRun *run)
{
    for (int c = 0; c < run->nb_checks; c++) {
        MqcCheckRun *cr = &run->checks[c];
        mqc_run_finish_check(run, c);
        if (!cr->skipped && cr->check->media == MQC_MEDIA_AUDIO)
            audio_events_place(run, &cr->events, 1);
    }
    /* a list that could not grow dropped events: never a silent pass */
    for (int c = 0; c < run->nb_checks; c++)
        if (run->checks[c].events.oom) {
            MqcMsg why;
            mqc_msg(&why, "%s: %s: %s, events were dropped", run->input_path, run->checks[c].id,
                    mqc_strerror(MQC_ERR_NOMEM));
            incomplete(run, 0, run->frames > 0 ? run->frames - 1 : 0, why.text);
        }
}

void mqc_run_end(MqcRun *run, double t0, const MqcObserver *const *observers)
{
    if (run->unreadable[0])
        problem(run, MQC_PROBLEM_UNREADABLE, 0, 0, 1, run->unreadable, -1);
    run->elapsed_s = now_s() - t0;
    finalize(run);
    for (const MqcObserver *const *o = observers; o && *o; o++)
        if ((*o)->finish)
            (*o)->finish((*o)->ud, run);
}

double mqc_run_now(void)
{
    return now_s();
}

int mqc_run(const MqcCheck *const *reg, const MqcProfile *profile, const MqcRunOptions *opt,
            MqcRun **out, MqcMsg *msg)
{
    *out = NULL;
    MqcRun *run;
    double t0 = now_s();
    int ret = mqc_run_new(reg, profile, opt->input, opt->threads, &run);
    if (ret < 0)
        return ret;
    if (opt->stats && !(run->stats = mqc_stats_alloc(run->nb_checks))) {
        mqc_run_free(run);
        return MQC_ERR_NOMEM;
    }
    RunState st = { .run = run, .progress = opt->progress, .t0 = t0,
                    .observers = opt->observers };
    MqcOutFile frames_file;
    struct stat sb;
    char etag[128];
    MqcMsg ignored;
    if (mqc_remote_is_url(opt->input))
        mqc_remote_stat(opt->input, &run->input_size, etag, sizeof(etag), &ignored);
    else if (stat(opt->input, &sb) == 0)
        run->input_size = (int64_t)sb.st_size;

    MqcInput *in = NULL;
    MqcAudioFeed *feed = NULL;
    AVFrame *first = NULL;
    MqcSegmentPlan plan;
    MqcLeadIn lead_in = { 0 };
    int leading = 0;            /* a segment with a lead-in before its first frame */
    ret = mqc_input_open(&in, opt->input, opt->stream_index,
                         mqc_decoder_threads(run->threads),
                         opt->max_pixels ? opt->max_pixels : MQC_DEFAULT_MAX_PIXELS, &run->si,
                         run->input_format, sizeof(run->input_format), msg, &opt->sequence);
    if (ret == MQC_ERR_NOT_FOUND || ret == MQC_ERR_USAGE || ret == MQC_ERR_NOMEM) {
        mqc_run_free(run);
        return ret;
    }
    if (ret < 0) {
        snprintf(run->unreadable, sizeof(run->unreadable), "%s", msg->text);
        goto done;
    }
    if (opt->segment_count > 0) {
        /* a segment: its frames only, recorded for `merge` */
        int lead = mqc_lead_in_wanted(run);
        if ((ret = mqc_input_segment(in, opt->segment_index, opt->segment_count, lead ? 2 : 1,
                                     &plan, msg)) < 0 ||
            (ret = mqc_partial_new(&run->partial, &plan)) < 0)
            goto fail;
        run->si.segment = 1;
        if (opt->segment_index > 0)
            run->si.file_bytes = NULL;  /* the whole-file hash is segment 0's */
        if (plan.end == plan.first)
            goto done;                  /* more segments than keyframes: an empty one */
        leading = lead && plan.first > 0;
        mqc_input_hand_lead(in, leading);
    }
    ret = open_audio(run, in, &feed);
    if (ret < 0)
        goto fail;
    int cuts = run->partial && run->nb_audio && mqc_input_audio_decoded(in) &&
               mqc_partial_want_audio(run->partial, run);
    if (cuts)
        mqc_feed_cut_frames(feed, in, cut_record, run);
    int video = mqc_input_has_video(in);
    for (int c = 0; c < run->nb_checks; c++)
        if (run->checks[c].check && run->checks[c].check->source_frame)
            mqc_input_keep_source(in, 1);
    first = av_frame_alloc();
    if (!first) {
        ret = MQC_ERR_NOMEM;
        goto fail;
    }
    ret = video ? mqc_input_read(in, first, &run->si) : 0;
    if (ret < 0 && mqc_input_misnumbered(in, msg) < 0) {
        ret = MQC_ERR_USAGE;    /* a segment whose frames cannot be numbered */
        goto fail;
    }
    if (ret < 0) {
        char what[192] = "";
        int64_t pos;
        int issues = mqc_input_take_issues(in, what, sizeof(what), &pos);
        mqc_msg(msg, "%s: no video frame could be decoded%s%s", opt->input,
                issues ? ": " : "", what);
        snprintf(run->unreadable, sizeof(run->unreadable), "%s", msg->text);
        goto done;
    }
    run->have_stream = video;
    if ((ret = mqc_run_clock(run, video)) < 0 ||
        (ret = mqc_run_init_checks(run, opt->input, msg)) < 0)
        goto fail;
    if (cuts)
        mqc_feed_cut_clock(feed, &run->si, mqc_input_origin(in));
    /* the frames before the segment, for the checks that keep a reference */
    if (leading && (ret = mqc_lead_in(run, opt, &plan, in, first, &lead_in, msg)) < 0)
        goto fail;
    if (opt->frames_path) {
        ret = mqc_outfile_open(&frames_file, opt->frames_path, NULL, 0, "frames file", msg);
        if (ret < 0)
            goto fail;
        st.frames = frames_file.fp;
        st.frames_out = &frames_file;
    }
    for (const MqcObserver *const *o = opt->observers; o && *o; o++)
        if ((*o)->start && (ret = (*o)->start((*o)->ud, run)) < 0)
            goto fail;
    MqcSchedFrameHook hook = { after_fold, &st, 0, NULL, run->stats, NULL };
    if (run->partial) {
        hook.first_index = plan.first;
        hook.context = mqc_input_context(in);
        hook.refs = (const AVFrame *const *)lead_in.refs;
    }
    int64_t frames = video ? mqc_schedule(in, first, &run->si, feed, run->checks, run->nb_checks,
                                          run->threads, opt->band_height, &hook)
                           : mqc_schedule_audio(in, feed, run->checks, run->nb_checks, &hook);
    mqc_input_finish_bytes(in);     /* the file hash's last bytes, before finish() */
    if (mqc_input_misnumbered(in, msg) < 0) {
        ret = MQC_ERR_USAGE;
        goto fail;
    }
    if (run->partial) {
        mqc_partial_faults(run->partial, mqc_input_segment_faults(in));
    }
    if (st.progress)
        draw_progress(&st, run->frames, 1);
    if (frames == MQC_ERR_NOMEM) {
        /* the frames analysed so far are reported, but the verdict is error */
        mqc_msg(msg, "%s: analysis stopped at frame %lld: %s", opt->input,
                (long long)run->frames, mqc_strerror((int)frames));
        incomplete(run, run->frames, run->frames, msg->text);
    } else if (frames < 0) {
        mqc_msg(msg, "%s: analysis stopped: %s", opt->input, mqc_strerror((int)frames));
        problem(run, MQC_PROBLEM_DECODE, run->frames, run->frames, 1, msg->text, -1);
    }
    st.frames = NULL;
    if (st.frames_out && (ret = mqc_outfile_commit(st.frames_out, msg)) < 0)
        goto fail;

    if ((ret = add_audio_issues(run, in)) < 0)
        goto fail;
    /* a segment keeps its states for `merge`: the runs are closed there */
    if (run->partial)
        ret = mqc_partial_keep(run->partial, run);
    else
        mqc_run_conclude(run);
    if (ret < 0)
        goto fail;

done:
    if (run->stats) {
        struct timespec cpu;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
        run->stats->process_ns = (int64_t)cpu.tv_sec * 1000000000 + cpu.tv_nsec;
        run->stats->convert_ns = mqc_input_convert_ns(in);
    }
    mqc_input_close(&in);
    mqc_feed_free(&feed);
    av_frame_free(&first);
    mqc_lead_in_free(&lead_in);
    mqc_run_end(run, t0, opt->observers);
    *out = run;
    return 0;

fail:
    if (st.frames_out)
        mqc_outfile_abort(st.frames_out);
    mqc_input_close(&in);
    mqc_feed_free(&feed);
    av_frame_free(&first);
    mqc_lead_in_free(&lead_in);
    mqc_run_free(run);
    return ret;
}

int mqc_check_run_skipped(const MqcRun *run, const MqcCheckRun *cr)
{
    return cr->skipped || (run->unreadable[0] && !(cr->check->flags & MQC_CHECK_WITHOUT_PICTURES));
}

void mqc_run_free(MqcRun *run)
{
    if (!run)
        return;
    mqc_stats_free(&run->stats);
    for (int c = 0; c < run->nb_checks; c++) {
        MqcCheckRun *cr = &run->checks[c];
        if (cr->priv && cr->check->close)
            cr->check->close(cr->priv);    /* also when init never ran: priv is zeroed */
        if (cr->priv)
            mqc_options_release(cr->check->options, cr->priv);
        free(cr->priv);
        mqc_events_free(&cr->events);
        cJSON_Delete(cr->metrics);
        cJSON_Delete(cr->params);
    }
    free(run->checks);
    mqc_partial_free(&run->partial);
    if (run->owned_profile)
        mqc_profile_free(run->owned_profile);
    mqc_learnt_free(&run->si.learnt);
    free(run->audio);
    free(run->input_path);
    mqc_timeline_free(&run->timeline);
    free(run);
}
