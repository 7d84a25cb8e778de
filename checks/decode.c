/* decode: the input itself — demux and decode errors, corrupt frames, a file
 * that ends before its declared frame count, input that cannot be analysed,
 * an analysis that ran out of memory. The engine sees these problems and
 * hands them over (input_problem); this check turns them into events. */
#include <stdio.h>
#include <string.h>
#include "../engine/check.h"

typedef struct Decode {
    int64_t frames;             /* folded so far: the frames decoded */
} Decode;

static const MqcOption decode_options[] = { { .name = NULL } };

static const MqcEventCode decode_codes[] = {
    { "decode_error", "%.0f decode problems" },
    { "unreadable", "the input could not be analysed" },
    { "out_of_memory", "the analysis ran out of memory" },
    { NULL, NULL },
};

static void set_detail(MqcEvent *e, const MqcInputProblem *p)
{
    if (p->pos >= 0)
        snprintf(e->detail, sizeof(e->detail), "%s (byte %lld)", p->what, (long long)p->pos);
    else
        snprintf(e->detail, sizeof(e->detail), "%s", p->what);
}

static void decode_input_problem(void *priv, const MqcInputProblem *p, MqcEvents *ev)
{
    (void)priv;
    static const char *const codes[] = {
        [MQC_PROBLEM_DECODE] = "decode_error", [MQC_PROBLEM_UNREADABLE] = "unreadable",
        [MQC_PROBLEM_NOMEM] = "out_of_memory",
    };
    if (p->audio) {     /* one event per problem, at its time */
        MqcEvent e = { .code = "decode_error", .value = p->count, .audio = 1,
                       .stream = p->stream, .channel = -1, .start_s = p->time_s,
                       .end_s = p->time_s };
        snprintf(e.detail, sizeof(e.detail), "%s", p->what);
        mqc_events_add(ev, &e);
        return;
    }
    MqcEvent *last = ev->n ? &ev->v[ev->n - 1] : NULL;
    if (p->kind == MQC_PROBLEM_DECODE && last && !last->audio &&
        !strcmp(last->code, "decode_error") && last->end_frame >= p->first_frame - 1) {
        /* problems on adjacent frames are one run; the first one's message stays */
        if (p->last_frame > last->end_frame)
            last->end_frame = p->last_frame;
        last->value += p->count;
        return;
    }
    MqcEvent e = { .code = codes[p->kind], .start_frame = p->first_frame,
                   .end_frame = p->last_frame, .worst_frame = p->first_frame,
                   .value = p->kind == MQC_PROBLEM_DECODE ? p->count : 0 };
    if (p->kind == MQC_PROBLEM_UNREADABLE)
        e.start_frame = e.end_frame = e.worst_frame = 0;
    set_detail(&e, p);
    mqc_events_add(ev, &e);
}

static int decode_fold(void *priv, const MqcFrameInfo *fi, const void *frame, MqcEvents *ev)
{
    (void)frame;
    (void)ev;
    ((Decode *)priv)->frames = fi->index + 1;
    return 0;
}

static void decode_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m)
{
    const Decode *s = priv;
    int64_t n = 0;
    for (size_t i = 0; i < ev->n; i++)
        n += (int64_t)ev->v[i].value;
    mqc_metric_int(m, "frames_decoded", s->frames);
    mqc_metric_int(m, "frames_declared", si->frames_declared);
    mqc_metric_int(m, "decode_errors", n);
    if (si->converted)
        mqc_metric_string(m, "converted_from", si->source_pix_fmt);
    if (si->bad_timecode[0])
        mqc_metric_string(m, "unusable_start_timecode", si->bad_timecode);
}

const MqcCheck mqc_check_decode = {
    .name = "decode",
    .summary = "decode errors, corrupt packets and frames, files that end before their "
               "declared frame count; input that cannot be analysed",
    .default_severity = MQC_SEV_ERROR,
    .options = decode_options,
    .codes = decode_codes,
    .priv_size = sizeof(Decode),
    .fold = decode_fold,
    .finish = decode_finish,
    .flags = MQC_CHECK_ALWAYS | MQC_CHECK_WITHOUT_PICTURES,
    .input_problem = decode_input_problem,
};
