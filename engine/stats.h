/* --stats: where a run's CPU time goes, without perf. Thread CPU time
 * (CLOCK_THREAD_CPUTIME_ID) around the engine's calls, summed over threads;
 * the counters cost two clock reads per call and are off unless asked for. */
#ifndef MQC_STATS_H
#define MQC_STATS_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include "mediaqc.h"

/* per check: measure (bands), measure_frame (whole-frame jobs: the
 * per-frame hash), reduce + fold, finish */
enum { MQC_STAT_MEASURE, MQC_STAT_FRAME, MQC_STAT_FOLD, MQC_STAT_FINISH, MQC_STAT_N };
#define MQC_STATS_STAGES 8

typedef struct MqcRunStats {
    int64_t decode_ns;          /* demux + decode (+ convert), on the thread that decodes */
    int64_t convert_ns;         /* of which libswscale (formats the checks cannot read) */
    int64_t audio_ns;           /* the audio checks' jobs (audio is decoded with demux) */
    /* a segment's lead-in (engine/lead_in.c): its CPU time on the analysis
     * thread (reading, decoding, its checks), the frames it folded (over
     * every try) and the first frame of the try that settled the last check */
    int64_t lead_ns, lead_frames, lead_from;
    int64_t process_ns;         /* the whole process when the run ends */
    int nb_stages;
    const char *stage_name[MQC_STATS_STAGES];
    int64_t stage_ns[MQC_STATS_STAGES];     /* shared band statistics */
    int64_t (*checks)[MQC_STAT_N];          /* per MqcRun.checks */
} MqcRunStats;

static inline int64_t mqc_thread_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Adds this thread's CPU time since t0 to *counter (atomic: bands of one
 * check run on several threads); returns the time now, the next t0. */
static inline int64_t mqc_stat_add(int64_t *counter, int64_t t0)
{
    int64_t t = mqc_thread_ns();
    __atomic_fetch_add(counter, t - t0, __ATOMIC_RELAXED);
    return t;
}

/* Counters for n checks; NULL when out of memory. */
MqcRunStats *mqc_stats_alloc(int n);
void mqc_stats_free(MqcRunStats **s);
/* The counters as JSON (the report's run.stats), seconds; NULL when out of memory. */
struct cJSON *mqc_stats_json(const MqcRun *run);
/* The same as a table for a person (mediaqc check --stats prints it on stderr). */
void mqc_stats_print(const MqcRun *run, FILE *f);

#endif
