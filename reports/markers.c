/* Markers for editing and grading systems: a CMX3600 EDL with one locator
 * per event, and the same as CSV. */
#include <stdlib.h>
#include <string.h>
#include "reports.h"
#include "text.h"

/* CMX3600 numbers events with three digits */
#define EDL_MAX_EVENTS 999

static int time_order(const void *pa, const void *pb)
{
    const MqcEventRef *a = pa, *b = pb;
    if (a->event->start_frame != b->event->start_frame)
        return a->event->start_frame < b->event->start_frame ? -1 : 1;
    if (a->check != b->check)
        return a->check < b->check ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

int mqc_events_in_time_order(const MqcRun *run, MqcEventRef **out)
{
    size_t n = 0;
    for (int c = 0; c < run->nb_checks; c++)
        n += run->checks[c].events.n;
    *out = calloc(n ? n : 1, sizeof(**out));
    if (!*out || n > INT32_MAX)
        return MQC_ERR_NOMEM;
    size_t k = 0;
    for (int c = 0; c < run->nb_checks; c++)
        for (size_t i = 0; i < run->checks[c].events.n; i++)
            (*out)[k++] = (MqcEventRef){ c, i, &run->checks[c].events.v[i] };
    qsort(*out, n, sizeof(**out), time_order);
    return (int)n;
}

/* Locator colours: Avid's names, and Resolve's marker colours. */
static const char *avid_colour(MqcSeverity s)
{
    return s == MQC_SEV_ERROR ? "RED" : s == MQC_SEV_WARNING ? "YELLOW" : "BLUE";
}

static const char *resolve_colour(MqcSeverity s)
{
    return s == MQC_SEV_ERROR ? "ResolveColorRed" : s == MQC_SEV_WARNING ? "ResolveColorYellow"
                                                                          : "ResolveColorBlue";
}

/* The event line of a one-frame edit at the marker (source and record the
 * same timecode), a comment line per system that reads markers from EDLs:
 * "* LOC:" (Avid Media Composer, Nucoda, ...) and "|C: |M: |D:" (DaVinci
 * Resolve's timeline-marker EDL). */
static void edl_event(MqcBuf *b, const MqcRun *run, int number, const MqcEventRef *r)
{
    const MqcCheckRun *cr = &run->checks[r->check];
    const MqcEvent *e = r->event;
    char in[32], out[32], msg[512];
    mqc_run_timecode(run, e->start_frame, in);
    mqc_tc_string(&run->tc, mqc_run_tc_frame(run, e->start_frame) + 1, out);
    mqc_event_message(cr, e, msg, sizeof(msg));
    mqc_buf_printf(b, "%03d  %-8s %-5s %-8s %s %s %s %s\r\n", number, "AX", "V", "C", in, out,
                   in, out);
    mqc_buf_printf(b, "* LOC: %s %-7s ", in, avid_colour(mqc_event_severity(cr, e)));
    mqc_buf_line(b, cr->id, 64);
    mqc_buf_puts(b, " ");
    mqc_buf_line(b, e->code, 64);
    mqc_buf_puts(b, ": ");
    mqc_buf_line(b, msg, 200);
    mqc_buf_printf(b, "\r\n |C:%s |M:", resolve_colour(mqc_event_severity(cr, e)));
    mqc_buf_line(b, cr->id, 64);
    mqc_buf_puts(b, " ");
    mqc_buf_line(b, e->code, 64);
    mqc_buf_printf(b, " |D:%lld\r\n\r\n", (long long)(e->end_frame - e->start_frame + 1));
}

int mqc_edl_render(const MqcRun *run, MqcBuf *b)
{
    MqcEventRef *ev = NULL;
    int n = mqc_events_in_time_order(run, &ev);
    if (n < 0) {
        free(ev);
        return n;
    }
    const char *name = strrchr(run->input_path, '/');
    name = name && name[1] ? name + 1 : run->input_path;
    mqc_buf_puts(b, "TITLE: ");
    mqc_buf_line(b, name, 60);   /* CMX3600 titles are short */
    mqc_buf_printf(b, " QC\r\nFCM: %s\r\n\r\n", run->tc.drop ? "DROP FRAME" : "NON-DROP FRAME");
    int written = 0;
    for (int i = 0; i < n && run->have_stream; i++) {
        if (written == EDL_MAX_EVENTS) {
            mqc_buf_printf(b, "* %d more events are in the JSON report (CMX3600 numbers %d)\r\n",
                           n - i, EDL_MAX_EVENTS);
            break;
        }
        edl_event(b, run, ++written, &ev[i]);
    }
    free(ev);
    return b->oom ? MQC_ERR_NOMEM : 0;
}

int mqc_markers_csv_render(const MqcRun *run, MqcBuf *b)
{
    MqcEventRef *ev = NULL;
    int n = mqc_events_in_time_order(run, &ev);
    if (n < 0) {
        free(ev);
        return n;
    }
    /* RFC 4180: CRLF line ends, a header line */
    mqc_buf_puts(b, "timecode,frame,end_timecode,end_frame,check,code,severity,value,message\r\n");
    for (int i = 0; i < n; i++) {
        const MqcCheckRun *cr = &run->checks[ev[i].check];
        const MqcEvent *e = ev[i].event;
        char start[32] = "", end[32] = "", text[512];
        if (run->have_stream) {
            mqc_run_timecode(run, e->start_frame, start);
            mqc_run_timecode(run, e->end_frame, end);
        }
        mqc_buf_printf(b, "%s,%lld,%s,%lld,", start, (long long)e->start_frame, end,
                       (long long)e->end_frame);
        mqc_buf_csv(b, cr->id);
        mqc_buf_puts(b, ",");
        mqc_buf_csv(b, e->code);
        mqc_buf_printf(b, ",%s,%.6g,", mqc_severity_name(mqc_event_severity(cr, e)), e->value);
        mqc_event_message(cr, e, text, sizeof(text));
        MqcBuf line = { 0 };            /* one record per line, whatever the message holds */
        mqc_buf_line(&line, text, sizeof(text));
        mqc_buf_csv(b, line.data ? line.data : "");
        mqc_buf_free(&line);
        mqc_buf_puts(b, "\r\n");
    }
    free(ev);
    return b->oom ? MQC_ERR_NOMEM : 0;
}
