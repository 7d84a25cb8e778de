/* `mediaqc conform PROXY ORIGINAL`: both files decoded at once (two engine
 * runs on two threads), a picture signature per frame from the band pass
 * (signature.c), frames aligned by signature in a bounded window (align.c),
 * and a report shaped like check's (docs/compare.md). */
#ifndef MQC_CONFORM_H
#define MQC_CONFORM_H

#include "../engine/mediaqc.h"

#define MQC_SIG_W 16
#define MQC_SIG_H 9
#define MQC_SIG_N (MQC_SIG_W * MQC_SIG_H)

/* A picture whose block means spread less than this (percent of nominal
 * black..white) is flat (black, a flat colour): its blocks say nothing of
 * its structure, so only its mean level is compared. */
#define MQC_SIG_FLAT_SD 1.5

typedef struct MqcSignature {
    int64_t frame;
    float v[MQC_SIG_N];         /* block means, % of nominal black..white */
    float z[MQC_SIG_N];         /* (v - mean) / sd; 0 when flat */
    float mean, sd;
    int flat;
} MqcSignature;

extern const MqcCheck mqc_check_signature;

/* Fills mean, sd, flat and z from v. */
void mqc_signature_normalise(MqcSignature *s);
/* The signature of the frame the run folded last (an observer's frame()
 * reads it), or NULL when the run has no active signature check. */
const MqcSignature *mqc_signature_last(const MqcRun *run);

/* Distance of two pictures: the mean absolute difference of their z
 * values without the largest 10% (a burnt-in timecode or logo changes a
 * few blocks); flat pictures compare their mean levels. 0 for the same
 * picture; about 1.1 for unrelated ones. */
double mqc_signature_distance(const MqcSignature *a, const MqcSignature *b);
/* Below this distance two frames show the same picture. */
#define MQC_SIG_MATCH 0.35

/* ---- alignment (align.c) ---- */

/* What the aligner knows of a frame. */
typedef struct MqcAlignFrame {
    MqcSignature sig;
    double time_s;
    int64_t tc;                 /* absolute timecode counter (start + position) */
} MqcAlignFrame;

/* The frames of one file, in order; get() blocks until frame `index` has
 * arrived and returns NULL past the end; release() says frames up to
 * `index` are no longer needed. */
typedef struct MqcAlignSource {
    const MqcAlignFrame *(*get)(void *ud, int64_t index);
    void (*release)(void *ud, int64_t index);
    /* Frames in the file: waits for the end, dropping what arrives. */
    int64_t (*count)(void *ud);
    void *ud;
    double fps;                 /* nominal rate */
} MqcAlignSource;

typedef enum MqcConformCode {
    MQC_CONFORM_OFFSET,
    MQC_CONFORM_MISSING,        /* missing_in_proxy */
    MQC_CONFORM_EXTRA,          /* extra_in_proxy */
    MQC_CONFORM_PICTURE,        /* picture_mismatch */
    MQC_CONFORM_TIMECODE,       /* timecode_mismatch */
    MQC_CONFORM_RATE,           /* frame_rate_mismatch */
    MQC_CONFORM_NB
} MqcConformCode;

/* One finding: proxy frames [p0, p1] and original frames [o0, o1]; a side
 * with no frames of its own (missing_in_proxy in the proxy, extra_in_proxy
 * in the original) has count 0 and names the frame it sits before. */
typedef struct MqcConformEvent {
    MqcConformCode code;
    int64_t p0, p1, o0, o1;
    int64_t p_count, o_count;
    double value;
} MqcConformEvent;

typedef struct MqcAlignResult {
    MqcConformEvent *ev;
    size_t n, cap;
    int64_t pairs, matched, flat_pairs;   /* aligned pairs, of which pictures match, both flat */
    int64_t proxy_frames, original_frames;
    double worst_matched;       /* largest distance of a matched non-flat pair */
    double sum_matched;
    int64_t resyncs;
    int oom;
} MqcAlignResult;

/* Aligns the proxy to the original; `window` bounds how far (in frames) a
 * resync looks ahead, and so the memory. Returns 0 or MQC_ERR_NOMEM. */
int mqc_align(const MqcAlignSource *proxy, const MqcAlignSource *original, int window,
              MqcAlignResult *res);
void mqc_align_free(MqcAlignResult *res);
/* The ring size a source needs for this window and rate ratio. */
int64_t mqc_align_ring(int window, double ratio);

/* "offset", "missing_in_proxy", ... */
const char *mqc_conform_code_name(MqcConformCode c);

/* ---- the command (conform.c) ---- */

#define MQC_CONFORM_WINDOW 250  /* frames: 10 s at 25 fps */

typedef struct MqcConformOptions {
    const char *proxy, *original;   /* paths, s3:// or http(s):// */
    int window;
    int threads;                    /* both runs together; 0: cores */
    int64_t max_pixels;
    int argc;                       /* recorded as run.argv */
    char **argv;
} MqcConformOptions;

typedef struct MqcConformResult {
    MqcProfile profile;             /* the runs' (built in) */
    MqcRun *proxy, *original;       /* the proxy's run carries the conform check */
    struct cJSON *report;           /* mediaqc.report/1 of the proxy, with original frames */
} MqcConformResult;

/* Decodes both files at once and aligns them. Returns 0 with *out filled
 * (unreadable input: verdict error, like check), or a negative error
 * (missing file, usage, out of memory) with the message in msg. The result
 * must not move: the runs point at its profile. */
int mqc_conform_run(const MqcConformOptions *co, MqcConformResult *out, MqcMsg *msg);
void mqc_conform_result_free(MqcConformResult *r);

#endif
