/* Presentation on top of the report model (mqc_report_json): a
 * self-contained HTML page, CMX3600 EDL and CSV markers, JUnit XML. Checks
 * never write text for people; these files do, from the events. */
#ifndef MQC_REPORTS_H
#define MQC_REPORTS_H

#include "../engine/mediaqc.h"
#include "capture.h"
#include "text.h"

/* Each renders into b (appending) and returns 0, or MQC_ERR_NOMEM when the
 * text is incomplete; reports/job.h stores the result. */
/* cap (thumbnails, curves) may be NULL: the page then has tables only.
 * report (mqc_report_json) is embedded as the page's data. */
int mqc_html_render(const MqcRun *run, const MqcCapture *cap, const struct cJSON *report,
                    MqcBuf *b);
/* The page of `mediaqc diff` from its mediaqc.diff/1 document. */
int mqc_diff_html_render(const struct cJSON *diff, MqcBuf *b);
/* One locator per event, at its first frame, in the file's timecode. */
int mqc_edl_render(const MqcRun *run, MqcBuf *b);
/* timecode, frame, end, check, code, severity, value, message (RFC 4180). */
int mqc_markers_csv_render(const MqcRun *run, MqcBuf *b);
/* One testcase per check; an error-severity check with events fails. */
int mqc_junit_render(const MqcRun *run, MqcBuf *b);

/* Events of every check in timeline order: by first frame, then check
 * order, then the check's own order. Returns the count or a negative error;
 * *out is freed by the caller. */
typedef struct MqcEventRef {
    int check;
    size_t index;
    const MqcEvent *event;
} MqcEventRef;
int mqc_events_in_time_order(const MqcRun *run, MqcEventRef **out);

#endif
