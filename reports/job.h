/* One pipeline for every way in (`check`, `event`, `worker`, `watch`): run
 * a QC job and hand each of its outputs, rendered in memory, to a sink — a
 * local file written atomically (temp file, fsync, rename), stdout, or one
 * PUT to object storage. */
#ifndef MQC_REPORTS_JOB_H
#define MQC_REPORTS_JOB_H

#include "../engine/mediaqc.h"

/* ---- sinks ---- */

#define MQC_WRITE_MKDIRS 1      /* create the missing folders of a local path */

/* Writes data to a local path atomically (engine/outfile.h): a new temp
 * file beside it, fsync, rename, fsync of the folder, so a crash leaves the
 * old file or the new one. Devices and pipes the user named are written
 * through, never replaced; "-" is stdout. Below `confine` (a folder, or
 * NULL) no symbolic link is followed: for paths a job computes. Errors
 * (MQC_ERR_IO) name the path, `what` and the cause. */
int mqc_write_atomic(const char *path, const char *confine, const void *data, size_t len,
                     unsigned flags, const char *what, MqcMsg *msg);
/* mqc_write_atomic, or one PUT when `where` is s3:// or http(s)://. */
int mqc_output_put(const char *where, const char *confine, const void *data, size_t len,
                   const char *content_type, unsigned flags, const char *what, MqcMsg *msg);

/* ---- jobs ---- */

typedef enum MqcOutputKind {
    MQC_OUTPUT_JSON,            /* the report (DESIGN.md section 3) */
    MQC_OUTPUT_HTML,
    MQC_OUTPUT_EDL,
    MQC_OUTPUT_MARKERS,         /* CSV */
    MQC_OUTPUT_JUNIT,
    MQC_OUTPUT_NB
} MqcOutputKind;

#define MQC_JOB_MKDIRS 1        /* create the folders of local outputs */
#define MQC_JOB_STOP_ON_ERROR 2 /* an output that fails stops the job: the JSON, written
                                 * last, then marks a job whose outputs are all stored */
#define MQC_JOB_EXACT 4         /* a merge that cannot be the single pass's
                                 * (run->merge_inexact) analyses the whole file instead */

typedef struct MqcJob {
    const MqcCheck *const *reg;
    const MqcProfile *profile;
    MqcRunOptions opt;          /* the job adds the HTML page's capture to the observers */
    const char *out[MQC_OUTPUT_NB];   /* NULL: not wanted; "-", a path, s3://, http(s):// */
    int argc;                   /* recorded as run.argv */
    char **argv;
    const struct cJSON *trigger;      /* recorded as run.trigger, or NULL */
    int64_t size_hint;          /* input size when the engine could not learn it, or 0 */
    unsigned flags;             /* MQC_JOB_* */
    /* merge: the partials to join instead of analysing opt.input (the
     * HTML's thumbnails are decoded from the input the partials name) */
    const char *const *merge;
    int nb_merge;
    const char *confine;        /* outputs below this folder follow no symbolic link, or NULL */
} MqcJob;

typedef struct MqcJobResult {
    MqcRun *run;                /* NULL when the run could not start (see mqc_job_run) */
    int status[MQC_OUTPUT_NB];  /* 1 written, 0 not wanted or not reached, < 0 its error */
    MqcMsg why[MQC_OUTPUT_NB];  /* the message of a failed output */
    MqcMsg warning;             /* what an output lacks, though written (a merge's HTML
                                 * without pictures: the input and the cause), or "" */
} MqcJobResult;

/* Runs the job (a segment's run stores its partial as the JSON output),
 * then renders and stores its outputs: HTML, EDL, markers,
 * JUnit, and the JSON last. Returns the run's error (no run, message in
 * msg) or the first output's error (res->why says which); 0 when every
 * wanted output was stored. res is filled in every case. */
int mqc_job_run(const MqcJob *job, MqcJobResult *res, MqcMsg *msg);
void mqc_job_result_free(MqcJobResult *res);
/* "report", "html", "edl", "markers", "junit" */
const char *mqc_output_name(MqcOutputKind k);

#endif
