/* Event lists: runs of flagged frames become one event each, so a report
 * grows with the number of problems, not with the length of the file. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

static int grow(MqcEvents *ev)
{
    if (ev->n < ev->cap)
        return 0;
    size_t cap = ev->cap ? ev->cap * 2 : 16;
    MqcEvent *v = mqc_alloc_fails() ? NULL : realloc(ev->v, cap * sizeof(*v));
    if (!v) {
        ev->oom = 1;
        return MQC_ERR_NOMEM;
    }
    ev->v = v;
    ev->cap = cap;
    return 0;
}

static void remember(MqcEvents *ev, const char *code, size_t idx)
{
    int slot = MQC_EVENTS_OPEN - 1;
    for (int i = 0; i < MQC_EVENTS_OPEN; i++)
        if (!ev->open[i].code || !strcmp(ev->open[i].code, code)) {
            slot = i;
            break;
        }
    ev->open[slot].code = code;
    ev->open[slot].idx = idx;
}

static MqcEvent *last_of(MqcEvents *ev, const char *code)
{
    for (int i = 0; i < MQC_EVENTS_OPEN && ev->open[i].code; i++)
        if (!strcmp(ev->open[i].code, code))
            return ev->open[i].idx < ev->n ? &ev->v[ev->open[i].idx] : NULL;
    for (size_t i = ev->n; i-- > 0;)   /* table full: slow path */
        if (!strcmp(ev->v[i].code, code))
            return &ev->v[i];
    return NULL;
}

int mqc_events_add_span(MqcEvents *ev, const char *code, int64_t start, int64_t end,
                        double value, const char *detail, ...)
{
    MqcEvent e = { .code = code, .start_frame = start, .end_frame = end, .worst_frame = start,
                   .value = value };
    va_list ap;
    va_start(ap, detail);
    vsnprintf(e.detail, sizeof(e.detail), detail, ap);
    va_end(ap);
    return mqc_events_add(ev, &e);
}

int mqc_events_add(MqcEvents *ev, const MqcEvent *e)
{
    if (grow(ev) < 0)
        return MQC_ERR_NOMEM;
    ev->v[ev->n] = *e;
    remember(ev, e->code, ev->n);
    ev->n++;
    return 0;
}

void mqc_events_flag(MqcEvents *ev, const char *code, int64_t frame, double value)
{
    MqcEvent *last = last_of(ev, code);
    if (last && !last->detail[0] && last->end_frame >= frame - 1 && last->start_frame <= frame) {
        if (frame > last->end_frame)
            last->end_frame = frame;
        if (value > last->value) {
            last->value = value;
            last->worst_frame = frame;
        }
        return;
    }
    MqcEvent e = { .code = code, .start_frame = frame, .end_frame = frame,
                   .worst_frame = frame, .value = value };
    mqc_events_add(ev, &e);
}

void mqc_events_drop_shorter(MqcEvents *ev, const char *code, int64_t min_frames)
{
    size_t w = 0;
    for (size_t r = 0; r < ev->n; r++) {
        const MqcEvent *e = &ev->v[r];
        if (!strcmp(e->code, code) && e->end_frame - e->start_frame + 1 < min_frames)
            continue;
        ev->v[w++] = *e;
    }
    ev->n = w;
    memset(ev->open, 0, sizeof(ev->open));
}

void mqc_events_free(MqcEvents *ev)
{
    free(ev->v);
    memset(ev, 0, sizeof(*ev));
}
