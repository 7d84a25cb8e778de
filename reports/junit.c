/* JUnit XML, the shape CI servers and asset managers read: one testsuite
 * for the file, one testcase per check. An error-severity check with events
 * fails with one <failure> listing them; warnings and info go to
 * <system-out>; a check that could not run is <skipped>; input that could
 * not be analysed is an <error> of the decode check. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "reports.h"
#include "text.h"

/* a failure message lists this many events; the element's text has them all */
#define MESSAGE_EVENTS 20

static void attr(MqcBuf *b, const char *name, const char *value)
{
    mqc_buf_printf(b, " %s=\"", name);
    mqc_buf_xml(b, value);
    mqc_buf_puts(b, "\"");
}

static void event_line(MqcBuf *b, const MqcRun *run, const MqcCheckRun *cr, const MqcEvent *e,
                       const char *sep)
{
    char start[32] = "--", end[32] = "--", msg[512];
    if (run->have_stream) {
        mqc_run_timecode(run, e->start_frame, start);
        mqc_run_timecode(run, e->end_frame, end);
    }
    mqc_event_message(cr, e, msg, sizeof(msg));
    MqcBuf line = { 0 };
    mqc_buf_printf(&line, "%s %s-%s (frames %lld-%lld): ", e->code, start, end,
                   (long long)e->start_frame, (long long)e->end_frame);
    mqc_buf_line(&line, msg, sizeof(msg));
    mqc_buf_xml(b, line.data ? line.data : "");
    mqc_buf_puts(b, sep);
    mqc_buf_free(&line);
}

/* The check that says why nothing could be analysed: an <error>, not a failure. */
static int reports_unreadable(const MqcRun *run, const MqcCheckRun *cr)
{
    return run->unreadable[0] && cr->events.n && (cr->check->flags & MQC_CHECK_WITHOUT_PICTURES);
}

static void testcase(MqcBuf *b, const MqcRun *run, const MqcCheckRun *cr, const char *classname)
{
    mqc_buf_puts(b, "    <testcase");
    attr(b, "name", cr->id);
    attr(b, "classname", classname);
    mqc_buf_puts(b, " time=\"0\"");
    if (mqc_check_run_skipped(run, cr)) {
        mqc_buf_puts(b, ">\n      <skipped");
        attr(b, "message", cr->skipped ? cr->skip_reason : "no picture could be analysed");
        mqc_buf_puts(b, "/>\n    </testcase>\n");
        return;
    }
    if (!cr->events.n) {
        mqc_buf_puts(b, "/>\n");
        return;
    }
    mqc_buf_puts(b, ">\n");
    if (reports_unreadable(run, cr)) {
        mqc_buf_puts(b, "      <error type=\"unreadable\"");
        attr(b, "message", run->unreadable);
        mqc_buf_puts(b, "/>\n");
    } else if (cr->severity == MQC_SEV_ERROR && mqc_check_faults(cr)) {
        mqc_buf_puts(b, "      <failure");
        attr(b, "type", cr->id);
        mqc_buf_printf(b, " message=\"%zu error event%s: ", cr->events.n,
                       cr->events.n == 1 ? "" : "s");
        for (size_t i = 0; i < cr->events.n && i < MESSAGE_EVENTS; i++)
            event_line(b, run, cr, &cr->events.v[i], i + 1 < cr->events.n ? "; " : "");
        if (cr->events.n > MESSAGE_EVENTS)
            mqc_buf_printf(b, "... (%zu more)", cr->events.n - MESSAGE_EVENTS);
        mqc_buf_puts(b, "\">");
        for (size_t i = 0; i < cr->events.n; i++)
            event_line(b, run, cr, &cr->events.v[i], "\n");
        mqc_buf_puts(b, "</failure>\n");
    } else {
        mqc_buf_printf(b, "      <system-out>%s events (not failing):\n",
                       mqc_severity_name(cr->severity));
        for (size_t i = 0; i < cr->events.n; i++)
            event_line(b, run, cr, &cr->events.v[i], "\n");
        mqc_buf_puts(b, "</system-out>\n");
    }
    mqc_buf_puts(b, "    </testcase>\n");
}

int mqc_junit_render(const MqcRun *run, MqcBuf *b)
{
    int failures = 0, errors = 0, skipped = 0;
    for (int c = 0; c < run->nb_checks; c++) {
        const MqcCheckRun *cr = &run->checks[c];
        if (mqc_check_run_skipped(run, cr))
            skipped++;
        else if (reports_unreadable(run, cr))
            errors++;
        else if (mqc_check_faults(cr) && cr->severity == MQC_SEV_ERROR)
            failures++;
    }
    /* when the report was written, as xs:dateTime (UTC, no zone: the common schema's form) */
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);

    char classname[160];
    snprintf(classname, sizeof(classname), "mediaqc.%s", run->profile->name);
    mqc_buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mediaqc\" "
                   "tests=\"%d\" failures=\"%d\" errors=\"%d\" time=\"%.3f\">\n",
                   run->nb_checks, failures, errors, run->elapsed_s);
    mqc_buf_puts(b, "  <testsuite");
    attr(b, "name", run->input_path);
    mqc_buf_printf(b, " tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\"",
                   run->nb_checks, failures, errors, skipped, run->elapsed_s);
    attr(b, "timestamp", stamp);
    mqc_buf_puts(b, ">\n    <properties>\n");
    const char *verdict = mqc_verdict_name(run->verdict);
    const char *const props[][2] = {
        { "verdict", verdict }, { "profile", run->profile->name },
        { "profile_source", run->profile->source }, { "input", run->input_path },
        { "codec", run->have_stream ? run->si.codec : "" },
        { "pix_fmt", run->have_stream ? run->si.source_pix_fmt : "" },
    };
    for (size_t i = 0; i < sizeof(props) / sizeof(*props); i++) {
        mqc_buf_puts(b, "      <property");
        attr(b, "name", props[i][0]);
        attr(b, "value", props[i][1]);
        mqc_buf_puts(b, "/>\n");
    }
    mqc_buf_puts(b, "    </properties>\n");
    for (int c = 0; c < run->nb_checks; c++)
        testcase(b, run, &run->checks[c], classname);
    mqc_buf_puts(b, "  </testsuite>\n</testsuites>\n");
    return b->oom ? MQC_ERR_NOMEM : 0;
}
