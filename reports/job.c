/* One QC job: run, render every output in memory, store each in its sink. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "../engine/remote_io.h"
#include "job.h"
#include "reports.h"

/* ---- sinks ---- */

static int make_parents(char *path)
{
    for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
        *p = 0;
        int bad = mkdir(path, 0777) < 0 && errno != EEXIST;
        *p = '/';
        if (bad)
            return -1;
    }
    return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, (const char *)data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

/* The folder's entry is on disk too, not only the file's data. */
static void sync_folder(const char *path)
{
    char copy[4096];
    snprintf(copy, sizeof(copy), "%s", path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int mqc_write_atomic(const char *path, const void *data, size_t len, unsigned flags,
                     const char *what, MqcMsg *msg)
{
    if (!strcmp(path, "-")) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout)) {
            mqc_msg(msg, "stdout: cannot write %s: %s", what, strerror(errno));
            return MQC_ERR_IO;
        }
        return 0;
    }
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        /* a device or pipe: write through, never replace it */
        int fd = open(path, O_WRONLY);
        int bad = fd < 0 || write_all(fd, data, len) < 0;
        if ((fd >= 0 && close(fd) < 0) || bad) {
            mqc_msg(msg, "%s: cannot write %s: %s", path, what, strerror(errno));
            return MQC_ERR_IO;
        }
        return 0;
    }
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
    if (flags & MQC_WRITE_MKDIRS) {
        char parents[4200];
        snprintf(parents, sizeof(parents), "%s", path);
        if (make_parents(parents) < 0) {
            mqc_msg(msg, "%s: cannot create its folder: %s", path, strerror(errno));
            return MQC_ERR_IO;
        }
    }
    /* on disk before it gets its name: a crash leaves the old file or the new one */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    int bad = fd < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0;
    if (fd >= 0 && close(fd) < 0)
        bad = 1;
    if (bad || rename(tmp, path) < 0) {
        mqc_msg(msg, "%s: cannot write %s: %s", path, what, strerror(errno));
        if (fd >= 0)
            unlink(tmp);
        return MQC_ERR_IO;
    }
    sync_folder(path);
    return 0;
}

int mqc_output_put(const char *where, const void *data, size_t len, const char *content_type,
                   unsigned flags, const char *what, MqcMsg *msg)
{
    if (mqc_remote_is_url(where))
        return mqc_remote_put(where, data, len, content_type, msg);
    return mqc_write_atomic(where, data, len, flags, what, msg);
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
    if (doc && job->trigger &&
        (!trigger || !cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(doc, "run"),
                                            "trigger", trigger))) {
        cJSON_Delete(trigger);
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
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
    if (ret < 0) {
        if (!msg->text[0])
            mqc_msg(msg, "%s", mqc_strerror(ret));
        mqc_capture_free(&capture);
        return ret;
    }
    if (!res->run->input_size && job->size_hint > 0)
        res->run->input_size = job->size_hint;
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
            r = mqc_output_put(where, b.data ? b.data : "", b.len, formats[k].content_type,
                               write_flags, formats[k].what, &res->why[k]);
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
