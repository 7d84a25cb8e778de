/* The HTML page of `mediaqc diff`: the QC report's template and pieces
 * (reports/page.h) filled from a mediaqc.diff/1 document, with OLD's and
 * NEW's timelines one above the other. */
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "page.h"
#include "reports.h"

typedef struct DiffPage {
    const cJSON *diff;
    const char *lanes[64];      /* check ids with events, OLD's order then NEW's */
    int nb_lanes;
    int64_t frames;             /* the longer of the two, so both timelines share an axis */
} DiffPage;

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void value_text(MqcBuf *b, const cJSON *v)
{
    mqc_buf_json_value(b, v, "—", mqc_buf_xml);
}

static int lane_of(const DiffPage *dp, const char *check)
{
    for (int i = 0; i < dp->nb_lanes; i++)
        if (!strcmp(dp->lanes[i], check))
            return i;
    return -1;
}

static void header(MqcBuf *b, const DiffPage *dp)
{
    const cJSON *o = get(dp->diff, "old"), *n = get(dp->diff, "new");
    const cJSON *s = get(dp->diff, "summary"), *w;
    mqc_buf_puts(b, "<h1>");
    mqc_page_badge(b, str(o, "verdict"), "old-verdict");
    mqc_buf_puts(b, "→");
    mqc_page_badge(b, str(n, "verdict"), "verdict");
    mqc_buf_puts(b, "<span id=\"file-name\">diff of two QC reports</span></h1>\n");
    for (int i = 0; i < 2; i++) {
        const cJSON *side = i ? n : o;
        mqc_buf_printf(b, "<p class=\"path\" id=\"%s-path\">%s: ", i ? "new" : "old",
                       i ? "NEW" : "OLD");
        mqc_buf_xml(b, str(side, "input"));
        mqc_buf_puts(b, " (report ");
        mqc_buf_xml(b, str(side, "report"));
        mqc_buf_puts(b, ")</p>\n");
    }
    cJSON_ArrayForEach(w, get(dp->diff, "warnings")) {
        mqc_buf_puts(b, "<p class=\"sev warning\">");
        mqc_buf_xml(b, w->valuestring);
        mqc_buf_puts(b, "</p>\n");
    }
    mqc_buf_printf(b, "<div class=\"counts\"><div class=\"count\"><b id=\"n-fixed\">%d</b>fixed"
                   "</div><div class=\"count error\"><b id=\"n-new\">%d</b>new</div>"
                   "<div class=\"count warning\"><b id=\"n-changed\">%d</b>changed</div>"
                   "<div class=\"count\"><b id=\"n-unchanged\">%d</b>unchanged</div></div>\n",
                   (int)num(s, "fixed"), (int)num(s, "new"), (int)num(s, "changed"),
                   (int)num(s, "unchanged"));
    char text[256];
    mqc_buf_puts(b, "<dl class=\"facts\">");
    for (int i = 0; i < 2; i++) {
        const cJSON *side = i ? n : o;
        snprintf(text, sizeof(text), "%s %s, mediaqc %s, %d errors, %d warnings",
                 str(side, "verdict"), str(side, "profile"), str(side, "tool_version"),
                 (int)num(side, "errors"), (int)num(side, "warnings"));
        mqc_page_fact(b, i ? "NEW" : "OLD", text);
    }
    snprintf(text, sizeof(text), "check, code and span overlapping within %d frames",
             (int)num(get(dp->diff, "matching"), "shift_frames"));
    mqc_page_fact(b, "events matched by", text);
    mqc_buf_puts(b, "</dl>\n");
}

/* ---- the two timelines ---- */

typedef struct SideClock {
    MqcTimecode tc;
} SideClock;

static void clock_of(const cJSON *video, SideClock *c)
{
    int num_r = 25, den_r = 1;
    const char *r = str(video, "frame_rate");
    if (sscanf(r, "%d/%d", &num_r, &den_r) != 2 || num_r <= 0 || den_r <= 0)
        num_r = 25, den_r = 1;
    const cJSON *start = get(video, "start_timecode");
    mqc_tc_init(&c->tc, num_r, den_r, cJSON_IsString(start) ? start->valuestring : NULL);
}

static void clock_tc(const void *ud, int64_t frame, char buf[32])
{
    mqc_tc_string(&((const SideClock *)ud)->tc, frame, buf);
}

static void one_timeline(MqcBuf *b, const DiffPage *dp, int new_side)
{
    const char *which = new_side ? "new" : "old";
    SideClock clk;
    clock_of(get(get(dp->diff, which), "video"), &clk);
    double lanes_h = (dp->nb_lanes ? dp->nb_lanes : 1) * MQC_PAGE_LANE_H;
    mqc_buf_printf(b, "<h3>%s</h3>\n<svg id=\"timeline-%s\" viewBox=\"0 0 %.0f %.0f\" "
                   "role=\"img\" aria-label=\"%s events over the duration\">\n",
                   new_side ? "NEW" : "OLD", which, MQC_PAGE_LABEL_W + MQC_PAGE_PLOT_W + 10,
                   lanes_h + 24, which);
    mqc_page_time_axis(b, dp->frames, (double)clk.tc.rate_num / clk.tc.rate_den, clock_tc, &clk,
                       0, lanes_h);
    for (int i = 0; i < dp->nb_lanes; i++)
        mqc_page_lane_label(b, i * MQC_PAGE_LANE_H, dp->lanes[i]);
    const cJSON *row;
    int id = 0;
    cJSON_ArrayForEach(row, get(dp->diff, "events")) {
        const cJSON *e = get(row, which);
        int lane = lane_of(dp, str(row, "check"));
        if (cJSON_IsObject(e) && cJSON_IsNumber(get(e, "start_frame")) && lane >= 0) {
            MqcPageSpan sp = { .id = id, .check = str(row, "check"), .code = str(row, "code"),
                               .severity = str(e, "severity"),
                               .start_frame = (int64_t)num(e, "start_frame"),
                               .end_frame = (int64_t)num(e, "end_frame"),
                               .y = lane * MQC_PAGE_LANE_H };
            snprintf(sp.start_tc, sizeof(sp.start_tc), "%s", str(e, "start_tc"));
            snprintf(sp.end_tc, sizeof(sp.end_tc), "%s", str(e, "end_tc"));
            mqc_page_span(b, dp->frames, &sp);
        }
        id++;
    }
    mqc_buf_puts(b, "</svg>\n");
}

static void timelines(MqcBuf *b, const DiffPage *dp)
{
    one_timeline(b, dp, 0);
    one_timeline(b, dp, 1);
    mqc_buf_puts(b, "<p class=\"note\">OLD above, NEW below, on one axis of frames; a bar links "
                 "to its row in the events table.</p>\n");
}

/* ---- what changed besides events ---- */

static void changes_table(MqcBuf *b, const DiffPage *dp)
{
    static const char *const lists[3] = { "checks", "facts", "metrics" };
    static const char *const kinds[3] = { "check status", "stream fact", "metric" };
    const cJSON *v = get(dp->diff, "verdict"), *it;
    mqc_buf_puts(b, "<table id=\"change-table\"><thead><tr><th>what</th><th>name</th>"
                 "<th>OLD</th><th>NEW</th></tr></thead><tbody>\n");
    mqc_buf_puts(b, "<tr data-kind=\"verdict\"><td>verdict</td><td>verdict</td><td>");
    mqc_buf_xml(b, str(v, "old"));
    mqc_buf_puts(b, "</td><td>");
    mqc_buf_xml(b, str(v, "new"));
    mqc_buf_puts(b, "</td></tr>\n");
    for (int l = 0; l < 3; l++)
        cJSON_ArrayForEach(it, get(dp->diff, lists[l])) {
            mqc_buf_printf(b, "<tr data-kind=\"%s\"><td>%s</td><td><code>", lists[l], kinds[l]);
            if (get(it, "check")) {
                mqc_buf_xml(b, str(it, "check"));
                if (l)
                    mqc_buf_puts(b, ".");
            }
            if (l)
                mqc_buf_xml(b, str(it, "key"));
            mqc_buf_puts(b, "</code></td><td>");
            value_text(b, get(it, "old"));
            mqc_buf_puts(b, "</td><td>");
            value_text(b, get(it, "new"));
            mqc_buf_puts(b, "</td></tr>\n");
        }
    mqc_buf_puts(b, "</tbody></table>\n");
}

/* ---- events ---- */

static void place(MqcBuf *b, const cJSON *e)
{
    if (!cJSON_IsObject(e)) {
        mqc_buf_puts(b, "—");
        return;
    }
    if (cJSON_IsNumber(get(e, "start_frame"))) {
        mqc_buf_xml(b, str(e, "start_tc"));
        mqc_buf_printf(b, "<br><span class=\"note\">frames %lld–%lld · %.4g</span>",
                       (long long)num(e, "start_frame"), (long long)num(e, "end_frame"),
                       num(e, "value"));
    } else {
        mqc_buf_printf(b, "%.3f–%.3f s<br><span class=\"note\">%.4g</span>", num(e, "start_s"),
                       num(e, "end_s"), num(e, "value"));
    }
}

static void events_table(MqcBuf *b, const DiffPage *dp)
{
    const cJSON *rows = get(dp->diff, "events"), *row;
    if (!cJSON_GetArraySize(rows)) {
        mqc_buf_puts(b, "<p id=\"no-events\">No events in either report.</p>\n");
        return;
    }
    int per_sev[3] = { 0 }, n = 0;
    static const char *const sevs[3] = { "error", "warning", "info" };
    cJSON_ArrayForEach(row, rows)
        for (int s = 0; s < 3; s++)
            per_sev[s] += !strcmp(str(row, "severity"), sevs[s]);
    mqc_buf_puts(b, "<div class=\"filters\">");
    for (int s = 0; s < 3; s++)
        mqc_buf_printf(b, "<label><input type=\"checkbox\" id=\"f-%s\" data-sev=\"%s\" checked> "
                       "%s (%d)</label>", sevs[s], sevs[s], sevs[s], per_sev[s]);
    mqc_buf_puts(b, "<label>check <select id=\"f-check\"><option value=\"\">all checks</option>");
    for (int i = 0; i < dp->nb_lanes; i++) {
        mqc_buf_puts(b, "<option value=\"");
        mqc_buf_xml(b, dp->lanes[i]);
        mqc_buf_puts(b, "\">");
        mqc_buf_xml(b, dp->lanes[i]);
        mqc_buf_puts(b, "</option>");
    }
    int total = cJSON_GetArraySize(rows);
    mqc_buf_printf(b, "</select></label><span class=\"note\"><span id=\"shown\">%d</span> of %d "
                   "events shown</span></div>\n", total, total);
    mqc_buf_puts(b, "<table id=\"event-table\"><thead><tr><th data-sort=\"num\">#</th>"
                 "<th data-sort=\"text\">status</th><th data-sort=\"text\">severity</th>"
                 "<th data-sort=\"text\">check</th><th data-sort=\"text\">code</th>"
                 "<th>OLD</th><th>NEW</th><th>changes</th><th>message</th></tr></thead><tbody>\n");
    cJSON_ArrayForEach(row, rows) {
        const char *sev = str(row, "severity"), *st = str(row, "status");
        const cJSON *e = get(row, "new");
        if (!cJSON_IsObject(e))
            e = get(row, "old");
        mqc_buf_printf(b, "<tr id=\"ev-%d\" class=\"st-%s\" data-status=\"%s\" data-sev=\"%s\" "
                       "data-check=\"", n, st, st, sev);
        mqc_buf_xml(b, str(row, "check"));
        mqc_buf_printf(b, "\"><td class=\"num\" data-v=\"%d\">%d</td><td><b>%s</b></td>"
                       "<td class=\"sev %s\">%s</td><td>", n, n + 1, st, sev, sev);
        mqc_buf_xml(b, str(row, "check"));
        mqc_buf_puts(b, "</td><td><code>");
        mqc_buf_xml(b, str(row, "code"));
        mqc_buf_puts(b, "</code></td><td class=\"num\">");
        place(b, get(row, "old"));
        mqc_buf_puts(b, "</td><td class=\"num\">");
        place(b, get(row, "new"));
        mqc_buf_puts(b, "</td><td>");
        const cJSON *c;
        cJSON_ArrayForEach(c, get(row, "changes")) {
            mqc_buf_xml(b, c->valuestring);
            mqc_buf_puts(b, " ");
        }
        mqc_buf_puts(b, "</td><td>");
        mqc_buf_xml(b, str(e, "message"));
        mqc_buf_puts(b, "</td></tr>\n");
        n++;
    }
    mqc_buf_puts(b, "</tbody></table>\n");
}

static void fill(MqcBuf *b, const char *name, void *ud)
{
    const DiffPage *dp = ud;
    if (!strcmp(name, "title")) {
        mqc_buf_puts(b, "QC diff — ");
        mqc_buf_xml(b, str(get(dp->diff, "new"), "input"));
    } else if (!strcmp(name, "header")) {
        header(b, dp);
    } else if (!strcmp(name, "timeline")) {
        timelines(b, dp);
    } else if (!strcmp(name, "checks")) {
        changes_table(b, dp);
    } else if (!strcmp(name, "events")) {
        events_table(b, dp);
    } else if (!strcmp(name, "footer")) {
        mqc_buf_printf(b, "<p>mediaqc %s · diff schema ", MQC_VERSION);
        mqc_buf_xml(b, str(dp->diff, "schema"));
        mqc_buf_puts(b, ". The machine-readable diff is embedded in this page "
                     "(<code>script#mqc-report</code>).</p>\n");
    } else if (!strcmp(name, "report_json")) {
        mqc_page_json(b, dp->diff);
    }
    /* curve_styles: no curves on this page */
}

int mqc_diff_html_render(const cJSON *diff, MqcBuf *b)
{
    DiffPage dp = { .diff = diff, .frames = 1 };
    const cJSON *row;
    cJSON_ArrayForEach(row, get(diff, "events")) {
        const char *check = str(row, "check");
        if (lane_of(&dp, check) < 0 && dp.nb_lanes < 64)
            dp.lanes[dp.nb_lanes++] = check;
    }
    for (int i = 0; i < 2; i++) {
        double f = num(get(get(diff, i ? "new" : "old"), "video"), "frames");
        if (f > (double)dp.frames)
            dp.frames = (int64_t)f;
    }
    return mqc_page_render(fill, &dp, b);
}
