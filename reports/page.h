/* The pieces of the HTML report that other pages in its style share (the
 * QC report, the diff of two reports): the embedded template with its
 * Content-Security-Policy, facts, badges, the timeline's axis, lanes and
 * event spans. One look, one escaping, one copy. */
#ifndef MQC_REPORTS_PAGE_H
#define MQC_REPORTS_PAGE_H

#include "text.h"

struct cJSON;

/* Timeline geometry (SVG user units). */
#define MQC_PAGE_LABEL_W 130.0
#define MQC_PAGE_PLOT_W 1000.0
#define MQC_PAGE_LANE_H 18.0

/* Fills one {{name}} of the template (header, timeline, checks, events,
 * curve_styles, footer, report_json, title); version and script_hash are
 * the page's own. */
typedef void (*MqcPageFill)(MqcBuf *b, const char *name, void *ud);
int mqc_page_render(MqcPageFill fill_one, void *ud, MqcBuf *b);

/* <div><dt>label</dt><dd>value</dd></div>, "—" for an empty value. */
void mqc_page_fact(MqcBuf *b, const char *label, const char *value);
/* The verdict badge: <span class="badge pass" id="...">PASS</span>. */
void mqc_page_badge(MqcBuf *b, const char *verdict, const char *id);
/* A JSON document embedded for machines (script#mqc-report). */
void mqc_page_json(MqcBuf *b, const struct cJSON *doc);

/* x of a frame on a timeline of `frames` frames. */
double mqc_page_x(int64_t frames, double frame);
typedef void (*MqcPageTimecode)(const void *ud, int64_t frame, char buf[32]);
/* Grid lines and timecodes across [top, bottom], about 8 ticks. */
void mqc_page_time_axis(MqcBuf *b, int64_t frames, double fps, MqcPageTimecode tc_of,
                        const void *ud, double top, double bottom);
void mqc_page_lane_label(MqcBuf *b, double y, const char *label);

typedef struct MqcPageSpan {
    int id;                     /* the events table's row: #ev-ID */
    const char *check, *code, *severity;
    int64_t start_frame, end_frame;
    char start_tc[32], end_tc[32];
    double y;                   /* top of the lane */
} MqcPageSpan;
/* One event as a clickable bar in its lane. */
void mqc_page_span(MqcBuf *b, int64_t frames, const MqcPageSpan *sp);

#endif
