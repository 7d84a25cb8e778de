#include <stdlib.h>
#include <cjson/cJSON.h>
#include "stats.h"

static const char *const stat_names[MQC_STAT_N] = { "measure", "measure_frame", "fold",
                                                    "finish" };

MqcRunStats *mqc_stats_alloc(int n)
{
    MqcRunStats *s = calloc(1, sizeof(*s));
    if (s && !(s->checks = calloc((size_t)n + 1, sizeof(*s->checks))))
        mqc_stats_free(&s);
    if (s)
        s->lead_from = -1;
    return s;
}

void mqc_stats_free(MqcRunStats **s)
{
    if (*s)
        free((*s)->checks);
    free(*s);
    *s = NULL;
}

static double sec(int64_t ns)
{
    return (double)(ns / 1000) / 1e6;   /* microseconds: enough, and short */
}

static int64_t check_total(const int64_t *c)
{
    int64_t t = 0;
    for (int k = 0; k < MQC_STAT_N; k++)
        t += c[k];
    return t;
}

cJSON *mqc_stats_json(const MqcRun *run)
{
    const MqcRunStats *s = run->stats;
    cJSON *o = cJSON_CreateObject();
    cJSON *cpu = cJSON_AddObjectToObject(o, "cpu_s");
    cJSON *stages = cJSON_AddObjectToObject(o, "stages_cpu_s");
    cJSON *checks = cJSON_AddObjectToObject(o, "checks_cpu_s");
    if (!cpu || !stages || !checks) {
        cJSON_Delete(o);
        return NULL;
    }
    cJSON_AddNumberToObject(cpu, "process", sec(s->process_ns));
    cJSON_AddNumberToObject(cpu, "decode", sec(s->decode_ns));
    cJSON_AddNumberToObject(cpu, "convert", sec(s->convert_ns));
    cJSON_AddNumberToObject(cpu, "audio_checks", sec(s->audio_ns));
    if (s->lead_frames)
        cJSON_AddNumberToObject(cpu, "lead_in", sec(s->lead_ns));
    for (int k = 0; k < s->nb_stages; k++)
        cJSON_AddNumberToObject(stages, s->stage_name[k], sec(s->stage_ns[k]));
    for (int c = 0; c < run->nb_checks; c++) {
        if (run->checks[c].skipped || !check_total(s->checks[c]))
            continue;
        cJSON *one = cJSON_AddObjectToObject(checks, run->checks[c].id);
        for (int k = 0; one && k < MQC_STAT_N; k++)
            if (s->checks[c][k])
                cJSON_AddNumberToObject(one, stat_names[k], sec(s->checks[c][k]));
    }
    return o;
}

/* name, total seconds, ms per frame, share of the process, then the parts */
static void row(FILE *f, const char *name, int64_t ns, double frames, double all,
                const int64_t *parts)
{
    fprintf(f, "  %-18s %8.3f %8.3f %6.1f%%", name, sec(ns), 1e3 * sec(ns) / frames,
            all > 0 ? 100 * sec(ns) / all : 0);
    for (int k = 0; parts && k < MQC_STAT_N; k++)
        fprintf(f, " %8.3f", 1e3 * sec(parts[k]) / frames);
    fputc('\n', f);
}

void mqc_stats_print(const MqcRun *run, FILE *f)
{
    const MqcRunStats *s = run->stats;
    double all = sec(s->process_ns);
    double frames = run->frames > 0 ? (double)run->frames : 1;
    fprintf(f, "CPU time (thread CPU summed over threads), %lld frames, --threads %d\n"
            "  %-18s %8s %8s %7s %8s %8s %8s %8s  (ms/frame)\n", (long long)run->frames,
            run->threads, "", "s", "ms/frame", "share", stat_names[0], "frame", stat_names[2],
            stat_names[3]);
    row(f, "process", s->process_ns, frames, all, NULL);
    row(f, "reading+decoding", s->decode_ns, frames, all, NULL);
    if (s->convert_ns)
        row(f, "  of it convert", s->convert_ns, frames, all, NULL);
    if (s->audio_ns)
        row(f, "audio checks", s->audio_ns, frames, all, NULL);
    if (s->lead_frames) {
        row(f, "segment lead-in", s->lead_ns, frames, all, NULL);
        fprintf(f, "    lead-in: %lld frames folded, from frame %lld\n",
                (long long)s->lead_frames, (long long)s->lead_from);
    }
    for (int k = 0; k < s->nb_stages; k++) {
        char name[64];
        snprintf(name, sizeof(name), "stage %s", s->stage_name[k]);
        row(f, name, s->stage_ns[k], frames, all, NULL);
    }
    int64_t other = s->process_ns - s->decode_ns - s->audio_ns - s->lead_ns;
    for (int k = 0; k < s->nb_stages; k++)
        other -= s->stage_ns[k];
    for (int c = 0; c < run->nb_checks; c++) {
        int64_t t = check_total(s->checks[c]);
        other -= t;
        if (!run->checks[c].skipped && t)
            row(f, run->checks[c].id, t, frames, all, s->checks[c]);
    }
    /* start-up, opening, the first frame, thread hand-offs, reports */
    row(f, "not counted above", other > 0 ? other : 0, frames, all, NULL);
}
