/* Presentation on top of the report model (mqc_report_json): a
 * self-contained HTML page, CMX3600 EDL and CSV markers, JUnit XML. Checks
 * never write text for people; these files do, from the events. */
#ifndef MQC_REPORTS_H
#define MQC_REPORTS_H

#include "../engine/mediaqc.h"
#include "capture.h"

/* cap (thumbnails, curves) may be NULL: the page then has tables only.
 * argv is recorded in the embedded JSON report, as with -o. */
int mqc_html_write(const MqcRun *run, const MqcCapture *cap, const char *path, int argc,
                   char **argv, MqcMsg *msg);
/* One locator per event, at its first frame, in the file's timecode. */
int mqc_edl_write(const MqcRun *run, const char *path, MqcMsg *msg);
/* timecode, frame, end, check, code, severity, value, message (RFC 4180). */
int mqc_markers_csv_write(const MqcRun *run, const char *path, MqcMsg *msg);
/* One testcase per check; an error-severity check with events fails. */
int mqc_junit_write(const MqcRun *run, const char *path, MqcMsg *msg);

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
