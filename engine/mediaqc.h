/* mediaqc engine: the API the program (cli/) and the tests use. */
#ifndef MQC_MEDIAQC_H
#define MQC_MEDIAQC_H

#include <stdio.h>
#include <errno.h>
#include <stdint.h>
#include <libavutil/error.h>
#include "check.h"

#define MQC_VERSION "0.1.0"
#define MQC_REPORT_SCHEMA "mediaqc.report/1"

/* Errors: public functions return 0 or a negative AVERROR code, one space
 * shared with libavformat/libavcodec: a negative errno (AVERROR(ENOMEM)),
 * a libavutil tag (AVERROR_INVALIDDATA, ...) or one of mediaqc's own tags.
 * The names say what the engine means by the codes it returns; the detailed
 * message (always naming the file and the cause) goes to a caller's buffer. */
#define MQC_OK 0
#define MQC_ERR_NOMEM      AVERROR(ENOMEM)
#define MQC_ERR_USAGE      AVERROR(EINVAL)          /* bad argument */
#define MQC_ERR_NOT_FOUND  AVERROR(ENOENT)          /* input file does not exist */
#define MQC_ERR_IO         AVERROR(EIO)             /* writing an output failed */
#define MQC_ERR_PROFILE    FFERRTAG('M', 'Q', 'P', 'F')   /* profile missing or invalid */
#define MQC_ERR_UNREADABLE FFERRTAG('M', 'Q', 'U', 'R')   /* not media, no usable video */
/* Text for any error code of that space ("out of memory", "No such file or
 * directory", "Invalid data found when processing input", ...). */
const char *mqc_strerror(int err);

/* Exit codes of the program's commands (DESIGN.md section 2). */
typedef enum MqcExitCode {
    MQC_EXIT_PASS = 0,          /* pass, warnings allowed */
    MQC_EXIT_FAIL = 1,          /* at least one event of severity error */
    MQC_EXIT_USAGE = 2,         /* usage or configuration error, missing input, output not written */
    MQC_EXIT_UNREADABLE = 3,    /* the input could not be analysed (also: out of memory) */
} MqcExitCode;

typedef struct MqcMsg { char text[1024]; } MqcMsg;
void mqc_msg(MqcMsg *m, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Every message to stderr: "mediaqc: " and one line, with what a file name,
 * a profile or a peer put in it cleaned as the summary on stdout is
 * (engine/utf8.h: no control character, no invalid UTF-8), so no name can
 * drive the terminal or forge a log line. */
void mqc_log(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* One line of text on `to` (a summary on stdout), cleaned the same way. */
void mqc_print_line(FILE *to, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The program hands the engine its list of checks (NULL-terminated). */
typedef const MqcCheck *const MqcRegistry[];
const MqcCheck *mqc_registry_find(const MqcCheck *const *reg, const char *name);

/* ---- options ---- */
struct cJSON;
/* Validates one check's options object; `path` is the JSON path prefix. */
int mqc_options_validate(const MqcOption *opts, const struct cJSON *obj, const char *file,
                         const char *path, MqcMsg *msg);
/* Fills priv from defaults overridden by obj (already validated). */
int mqc_options_apply(const MqcOption *opts, void *priv, const struct cJSON *obj);
void mqc_options_release(const MqcOption *opts, void *priv);
/* Effective options as JSON (the report's params). */
struct cJSON *mqc_options_to_json(const MqcOption *opts, const void *priv);
/* "number in [0, 200]", "one of: md5, xxh64", ... */
void mqc_option_describe(const MqcOption *o, char *buf, size_t len);
void mqc_option_default_string(const MqcOption *o, char *buf, size_t len);

/* ---- profiles ---- */
const char *mqc_severity_name(MqcSeverity s);

typedef struct MqcProfile {
    char *name;
    char *source;               /* file it came from, "built-in" for default */
    char *description;
    struct cJSON *checks;       /* merged "checks" object */
    struct cJSON *blocks;       /* merged top-level blocks that checks claim (profile_block) */
    struct cJSON *expect;       /* blocks.expect or NULL (points into blocks) */
} MqcProfile;

#define MQC_DEFAULT_PROFILE "default"

/* NAME (looked up in the profile directories) or PATH (contains '/' or
 * ends in .json). */
int mqc_profile_load(const MqcCheck *const *reg, const char *name_or_path,
                     MqcProfile **out, MqcMsg *msg);
/* Validates one parsed profile document (not its parents). */
int mqc_profile_validate(const MqcCheck *const *reg, const struct cJSON *doc,
                         const char *file, MqcMsg *msg);
void mqc_profile_free(MqcProfile *p);
/* Whether a run with this profile runs check c: listed in checks (and not
 * "enabled": false), or c's profile block present, or c runs always. */
int mqc_profile_enables(const MqcProfile *p, const MqcCheck *c);
/* c's top-level block of the profile (c->profile_block), or NULL. */
const struct cJSON *mqc_profile_block(const MqcProfile *p, const MqcCheck *c);
/* Applies "CHECK.OPTION=VALUE" (also severity, enabled) on top of a loaded
 * profile, validated by the check's option table; enables CHECK if needed. */
int mqc_profile_set(const MqcCheck *const *reg, MqcProfile *p, const char *assignment,
                    MqcMsg *msg);
/* Directories searched for profiles by name, in order; NULL-terminated. */
const char *const *mqc_profile_dirs(void);
/* The shipped data (profiles/, profiles/ocio/config.ocio): <prefix>/share/mediaqc
 * beside an installed binary, the source tree for a binary in its build tree,
 * NULL when neither is there. */
const char *mqc_data_dir(void);
/* Calls fn for every profile file found by name (first directory wins). */
void mqc_profile_foreach(void (*fn)(const char *name, const char *path, void *ud), void *ud);

/* ---- timecode ---- */
typedef struct MqcTimecode {
    int rate_num, rate_den;
    int fps;                    /* rounded nominal rate */
    int drop;                   /* drop-frame counting */
    int64_t start;              /* frame number of the start timecode */
} MqcTimecode;
/* start may be NULL/empty (00:00:00:00; drop-frame at 29.97/59.94). Returns
 * 0, 1 when a drop-frame start at a rate without drop-frame was kept in
 * non-drop counting (01:00:00;00 at 25 fps counts from 01:00:00:00), or -1
 * when start is unusable (counting then starts at 00:00:00:00). */
int mqc_tc_init(MqcTimecode *tc, int rate_num, int rate_den, const char *start);
/* SMPTE string of display frame `frame` (counted from the start). */
void mqc_tc_string(const MqcTimecode *tc, int64_t frame, char buf[32]);
/* Inverse of mqc_tc_string: the frame offset from the start, or -1. */
int64_t mqc_tc_parse(const MqcTimecode *tc, const char *s);

/* ---- time of display frames, from their timestamps (engine/timeline.c) ---- */
typedef struct MqcTimeAnchor {
    int64_t frame;
    double t;                   /* seconds since the first frame */
} MqcTimeAnchor;
typedef struct MqcTimeline {
    int rate_num, rate_den, tb_num, tb_den;
    int64_t origin_pts;         /* timestamp of time 0, AV_NOPTS_VALUE until a frame is seen */
    MqcTimeAnchor *anchor;      /* frames off the nominal grid of the anchor before them */
    size_t n, cap;
} MqcTimeline;
void mqc_timeline_init(MqcTimeline *tl, int rate_num, int rate_den, int tb_num, int tb_den);
/* Records a frame's timestamp (display order); 0 or AVERROR(ENOMEM). */
int mqc_timeline_add(MqcTimeline *tl, int64_t frame, int64_t pts);
/* Seconds from the first frame to the start of `frame`. */
double mqc_timeline_time(const MqcTimeline *tl, int64_t frame);
void mqc_timeline_free(MqcTimeline *tl);

/* ---- a QC run ---- */
struct MqcRun;
struct AVFrame;

/* Presentation layers (HTML thumbnails and curves, ...) watch the single
 * pass instead of decoding again. frame() runs in display order after every
 * check folded the frame, so run->checks[c].events are current. In a merge
 * (mqc_merge) frame() gets no picture (frame NULL). */
typedef struct MqcObserver {
    void *ud;
    int (*start)(void *ud, const struct MqcRun *run);
    void (*frame)(void *ud, const struct MqcRun *run, const MqcFrameInfo *fi,
                  const struct AVFrame *frame, const MqcRecord *rec);
    /* also called for unreadable input (run->have_stream == 0) */
    void (*finish)(void *ud, const struct MqcRun *run);
} MqcObserver;

/* The decoder's frame behind a frame the engine converted, when a check
 * asked to keep it (MqcCheck.source_frame); else f itself. */
const struct AVFrame *mqc_frame_source(const struct AVFrame *f);

/* An input with a %d conversion (shot_%04d.dpx) is an image sequence. */
typedef struct MqcSequenceOptions {
    int64_t start_number;       /* first file's number, when start_number_set */
    int start_number_set;       /* 0: the lowest number present */
    int rate_num, rate_den;     /* 0/0: 24 */
} MqcSequenceOptions;

typedef struct MqcRunOptions {
    const char *input;
    int stream_index;           /* -1: first video stream */
    int threads;                /* 0: number of cores */
    int band_height;            /* 0: engine default */
    const char *frames_path;    /* --frames JSONL, or NULL */
    int progress;               /* draw a progress bar on stderr */
    int stats;                  /* --stats: count CPU time per check (MqcRun.stats) */
    const MqcObserver *const *observers;   /* NULL-terminated, or NULL */
    int64_t max_pixels;         /* largest picture accepted; 0: MQC_DEFAULT_MAX_PIXELS */
    MqcSequenceOptions sequence;
    /* --segment I/N: analyse segment_index of segment_count (0: the whole
     * file); the run then records a partial (mqc_partial_json) */
    int segment_index, segment_count;
} MqcRunOptions;

/* 16K x 16K: above any real master, below what a forged header can ask for */
#define MQC_DEFAULT_MAX_PIXELS (16384LL * 16384LL)

typedef enum MqcVerdict { MQC_PASS, MQC_FAIL, MQC_ERROR } MqcVerdict;
/* "pass", "fail", "error" */
const char *mqc_verdict_name(MqcVerdict v);
/* The one mapping to exit codes: err < 0 gives the error's code (out of
 * memory and unreadable input 3, every other error 2), otherwise the
 * verdict's (pass 0, fail 1, error 3). */
MqcExitCode mqc_exit_code(int err, MqcVerdict verdict);

typedef struct MqcCheckRun {
    const MqcCheck *check;
    const char *id;
    MqcSeverity severity;
    void *priv;
    int skipped;
    char skip_reason[512];
    MqcEvents events;
    struct cJSON *metrics;
    struct cJSON *params;
    int concluded;              /* finish() ran (or, in a merge, its result was loaded) */
} MqcCheckRun;

typedef struct MqcRun {
    const MqcProfile *profile;
    char *input_path;
    int64_t input_size;
    char input_format[64];
    int have_stream;            /* a video stream was analysed */
    MqcStreamInfo si;
    MqcAudioInfo *audio;        /* the audio streams analysed (si.audio) */
    int nb_audio;
    MqcTimecode tc;
    MqcTimeline timeline;       /* frame -> time, from the timestamps */
    MqcCheckRun *checks;
    int nb_checks;
    int64_t frames;
    double elapsed_s;
    int threads;
    struct MqcRunStats *stats;  /* --stats counters (engine/stats.h), else NULL */
    char unreadable[512];       /* why the input could not be analysed */
    char error[512];            /* why the analysis is incomplete (out of memory): verdict error */
    char start_timecode[32];    /* the start timecode as counted (one notation), or "" */
    MqcVerdict verdict;
    int errors, warnings;
    struct MqcPartial *partial; /* a segment's record (--segment), else NULL */
    MqcProfile *owned_profile;  /* a merge's profile, read from the partials */
    uint64_t index_hash;        /* a merge: fingerprint of the index the segments split */
    int input_stream;           /* a merge: the video stream's index in the file */
    /* a merge: where it may not be the single pass's (damaged inter-coded
     * pictures decoded by a later segment; audio curves its HTML lacks),
     * "; "-separated, or "" */
    char merge_note[2048];
    int merge_inexact;          /* a merge: its report may differ from the single pass's
                                 * (damaged or lost pictures in a later segment) */
} MqcRun;

/* Runs the QC pass. Returns 0 with *out filled whenever a report can be
 * written (including unreadable input: verdict error); a negative error
 * (usage, missing file) otherwise. */
int mqc_run(const MqcCheck *const *reg, const MqcProfile *profile,
            const MqcRunOptions *opt, MqcRun **out, MqcMsg *msg);
void mqc_run_free(MqcRun *run);

/* ---- segments (DESIGN.md §9) ---- */

#define MQC_PARTIAL_SCHEMA "mediaqc.partial/1"
/* The partial a segment run (opt->segment_count > 0) writes instead of a
 * report: which file, profile and segment, and the checks' states. NULL
 * when out of memory. */
struct cJSON *mqc_partial_json(const MqcRun *run, int argc, char **argv);
/* Sets a partial document's "checksum" from its payload members, which a
 * merge verifies before reading them (docs/segments.md). */
int mqc_partial_seal(struct cJSON *doc);
/* Joins the partials of every segment of one file (any order) into the
 * run a single pass gives. MQC_ERR_USAGE with a message naming the part
 * for parts that do not belong together (another file, profile or tool
 * version), overlap or leave a segment out, or are not partials. opt
 * gives the threads and the observers, which see the replayed frames as a
 * single pass's observers see them, without pictures (frame NULL):
 * mqc_read_pictures gets those afterwards. */
int mqc_merge(const MqcCheck *const *reg, const char *const *parts, int nb_parts,
              const MqcRunOptions *opt, MqcRun **out, MqcMsg *msg);
/* Receives display frame `frame` as the run's checks saw it (pixel format
 * included); f is valid during the call only. */
typedef int (*MqcPictureSink)(void *ud, int64_t frame, const struct AVFrame *f);
/* Decodes display frames `frames` (ascending, distinct) of a file that
 * --segment can split (its index numbers every frame), each from the
 * keyframe at or before it, local or s3:// / http(s):// with ranged reads.
 * index_hash, unless 0, must match the file's index (a merge's
 * run->index_hash). Returns 0, or a negative error with the cause in msg
 * (MQC_ERR_NOT_FOUND, MQC_ERR_UNREADABLE, MQC_ERR_USAGE: another file). */
int mqc_read_pictures(const char *path, int stream_index, uint64_t index_hash,
                      const int64_t *frames, size_t n, MqcPictureSink take, void *ud,
                      MqcMsg *msg);
/* Seconds from the first frame to the start of display frame `frame`, from
 * the frames' timestamps (DESIGN.md §9). */
double mqc_run_time(const MqcRun *run, int64_t frame);
/* The frame's number on the timecode counter (run->tc): the start timecode
 * plus its timestamp, so mqc_tc_string(&run->tc, mqc_run_tc_frame(run, f), buf)
 * is the frame's timecode. Equal to `frame` when no frame left the grid. */
int64_t mqc_run_tc_frame(const MqcRun *run, int64_t frame);
/* The timecode of display frame `frame`: mqc_tc_string of mqc_run_tc_frame. */
void mqc_run_timecode(const MqcRun *run, int64_t frame, char buf[32]);

/* Whether a check of the run did not run: skipped (by its init, or the
 * input lacks its media), or the input could not be analysed (except
 * MQC_CHECK_WITHOUT_PICTURES checks). */
int mqc_check_run_skipped(const MqcRun *run, const MqcCheckRun *cr);

/* The report (DESIGN.md §3). argv may be NULL. reports/job.h renders and
 * stores it with the other outputs. */
struct cJSON *mqc_report_json(const MqcRun *run, int argc, char **argv);
/* An event's severity: the check's, or info for a fact (MqcEvent.info). */
MqcSeverity mqc_event_severity(const MqcCheckRun *cr, const MqcEvent *e);
/* Events of the check that are faults (not facts): its status is "fail"
 * when there is one. */
size_t mqc_check_faults(const MqcCheckRun *cr);
/* Formats an event's message (the code's text or the event's detail). */
void mqc_event_message(const MqcCheckRun *cr, const MqcEvent *e, char *buf, size_t len);

#endif
