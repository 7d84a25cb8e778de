/* QC one published object and store its report: what `mediaqc event`,
 * `mediaqc worker` and `mediaqc watch` share (docs/triggers.md). */
#ifndef MQC_CLI_QC_JOB_H
#define MQC_CLI_QC_JOB_H

#include <getopt.h>
#include <stdint.h>
#include "../engine/mediaqc.h"
#include "rules.h"

#define QC_DEFAULT_REPORT_PREFIX "qc-reports/"
/* largest event document or message body accepted */
#define QC_MAX_EVENT_BYTES (4 << 20)
/* most records one event may carry (S3 sends one; a batch of thousands is
 * plausible, a million is an attack on the worker's memory and time) */
#define QC_MAX_EVENT_RECORDS 10000

/* One object to QC. */
typedef struct QcObject {
    char bucket[64];            /* "" for a watch-folder file */
    char *key;                  /* decoded and checked (no "..", not absolute) */
    int64_t size;               /* from the event, -1 when unknown */
    char etag[130];             /* from the event (quotes removed), "" when unknown */
    int64_t mtime_ns;           /* local roots: the file's mtime, 0 when unknown */
    char event[64];             /* eventName, e.g. ObjectCreated:Put */
    /* a segment job (mediaqc submit --segments N, the record's "mediaqc"
     * object): segment `segment` of `segments`; 0 of 0 for the whole file */
    int segment, segments;
} QcObject;

/* One record of an event document. */
typedef enum QcRecordKind { QC_RECORD_JOB, QC_RECORD_SKIP, QC_RECORD_INVALID } QcRecordKind;
typedef struct QcRecord {
    QcRecordKind kind;
    QcObject obj;               /* JOB; bucket/key as far as known otherwise */
    char why[512];              /* SKIP and INVALID: the reason, for a person */
} QcRecord;

/* Parses an S3 event-notification document (Records[].eventName,
 * s3.bucket.name, s3.object.key URL-encoded with '+' for space, size, eTag).
 * Records under the report prefix are skipped (a report upload must not
 * trigger QC of the report). Fails (MQC_ERR_USAGE, origin in msg) when the
 * document is not JSON, not an event, or has more than QC_MAX_EVENT_RECORDS
 * records; bad records are INVALID entries. */
int qc_event_parse(const char *text, size_t len, const char *origin, const char *report_prefix,
                   QcRecord **records, int *n, MqcMsg *msg);
void qc_records_free(QcRecord *records, int n);
/* The inverse for a new event: %XX for all but [A-Za-z0-9/._~-] (malloc'd, NULL
 * when out of memory). */
char *qc_key_encode(const char *key);
/* Decodes %XX and '+' in place-safe copy; NULL on a bad escape or NUL byte. */
char *qc_key_decode(const char *encoded);
/* 0 when a decoded key may be used as a relative path under a root, else
 * MQC_ERR_USAGE with the reason. */
int qc_key_check(const char *key, MqcMsg *msg);

/* Where media are read and reports written. */
typedef struct QcConfig {
    const MqcCheck *const *reg;
    QcRules *rules;
    const char *root;           /* local mirror DIR/BUCKET/KEY; NULL: object storage */
    const char *report_prefix;  /* beside the object: BUCKET/<prefix>KEY.json */
    int threads;
    int quiet;
} QcConfig;

typedef struct QcOutcome {
    int exit_code;              /* MqcExitCode, as `mediaqc check` */
    char verdict[8];            /* pass, fail, error; "" when no report was written */
    int errors, warnings;
    int64_t frames;
    char profile[128], rule[128];
    char input[2048];           /* what was read */
    char report[2048];          /* where the JSON report is */
    char html[2048];            /* and the HTML page beside it */
    char message[1024];         /* why there is no report / why the input is unreadable */
    int reused;                 /* the report of this object version was already stored */
    int skipped;                /* not media: excluded by the rules' patterns, no report */
    int pending;                /* a segment job whose file is not complete yet, or whose
                                 * merge another job published: no result message */
} QcOutcome;

/* QCs one object and stores its reports through the one job pipeline
 * (reports/job.h): the HTML page first and the JSON last (the JSON marks
 * the job done), locally with temp + fsync + rename, in object storage with
 * one PUT each. When a report of the same bucket/key/eTag and profile
 * is already stored it is reused, so a redelivered job costs nothing and
 * gives the same report. */
void qc_job_run(const QcConfig *cfg, const QcObject *obj, QcOutcome *out);
/* ---- pieces of qc_job_run that segment jobs (triggers/segment_job.c) share ---- */
/* The stored report of this object version and profile, when there is one
 * (a non-error verdict): fills out (reused) and returns 1. */
int qc_job_reuse(const QcConfig *cfg, const QcObject *obj, const MqcProfile *profile,
                 QcOutcome *out);
/* run.trigger of the reports: bucket, key, etag, mtime_ns, event, rule. */
struct cJSON *qc_job_trigger(const QcObject *obj, const char *rule);
/* The folder below which the object's outputs follow no symbolic link (what
 * the uploader controls: ROOT/BUCKET), in buf; NULL without a local root. */
const char *qc_job_confine(const QcConfig *cfg, const QcObject *obj, char *buf, size_t len);
/* The outcome of a stored job (ret from mqc_job_run). */
void qc_job_outcome(QcOutcome *out, int ret, const MqcRun *run, const MqcMsg *msg);
/* A segment job: stores its partial beside the report; the job that finds
 * every partial stored merges them into the report (docs/segments.md). */
void qc_segment_run(const QcConfig *cfg, const QcObject *obj, const MqcProfile *profile,
                    const char *rule, QcOutcome *out);

/* The outcome as JSON (the worker's result message). */
struct cJSON *qc_outcome_json(const QcObject *obj, const QcOutcome *out);
/* One line for people on stdout. */
void qc_outcome_print(const QcObject *obj, const QcOutcome *out);

/* ---- shared command-line options of event, worker, watch ---- */
#define QC_COMMON_LONGOPTS                                      \
    { "rules", required_argument, NULL, 1001 },                 \
    { "profile", required_argument, NULL, 1002 },               \
    { "report-prefix", required_argument, NULL, 1003 },         \
    { "threads", required_argument, NULL, 1004 },               \
    { "quiet", no_argument, NULL, 1005 }

typedef struct QcSetup {
    const char *rules_path, *profile, *report_prefix;
    int threads, quiet;
} QcSetup;
/* 1: a common option, consumed; 0: not one; <0: bad value (printed). */
int qc_setup_option(QcSetup *s, int c, const char *arg);
/* Loads the rules and profiles; prints the error and returns <0 on failure. */
int qc_setup_config(const QcSetup *s, const char *root, QcConfig *cfg);
void qc_config_free(QcConfig *cfg);
/* Prints "mediaqc: <fmt>" and the usage hint; returns MQC_EXIT_USAGE. */
int qc_usage_error(const char *fmt, const char *arg);
/* The same for a command's own usage: "mediaqc: CMD: ..." (cleaned, as
 * every message), then `help` (NULL: the pointer to `mediaqc help`). */
int qc_usage_error_for(const char *cmd, const char *help, const char *fmt, const char *arg);

/* Reads and parses a JSON file; errors name the file and the line. */
int qc_parse_json_file(const char *path, struct cJSON **doc, MqcMsg *msg);
/* Whole file or stdin ("-") into memory, at most max bytes. */
int qc_read_all(const char *path, size_t max, char **text, size_t *len, MqcMsg *msg);

/* the subcommands (cli/event.c, cli/worker.c, cli/watch.c) */
int cmd_event(int argc, char **argv);
int cmd_worker(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_watch(int argc, char **argv);

#endif
