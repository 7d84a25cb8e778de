/* The HTML report: one self-contained page (inline CSS, JS, SVG and PNG
 * thumbnails) from the embedded template. Every string from the file or the
 * profile is escaped here; the template's Content-Security-Policy lets only
 * the template's own script run, as a second line of defence. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <libavutil/base64.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>
#include <libavutil/sha.h>
#include "page.h"
#include "reports.h"
#include "report_template.h"    /* generated: mqc_report_template[] */
#include "text.h"

/* timeline geometry, in SVG user units */
#define LABEL_W MQC_PAGE_LABEL_W
#define PLOT_W MQC_PAGE_PLOT_W
#define LANE_H MQC_PAGE_LANE_H
#define CHART_H 80.0

typedef struct Page {
    const MqcRun *run;
    const MqcCapture *cap;
    MqcEventRef *events;
    int nb_events;
    int64_t frames;             /* timeline length, at least 1 */
} Page;

static const char *verdict_name(MqcVerdict v)
{
    return v == MQC_PASS ? "pass" : v == MQC_FAIL ? "fail" : "error";
}

static int check_skipped(const MqcRun *run, const MqcCheckRun *cr)
{
    return mqc_check_run_skipped(run, cr);
}

static void esc(MqcBuf *b, const char *s)
{
    mqc_buf_xml(b, s);
}

/* A JSON value as text: strings as they are, anything else as JSON. */
static void esc_json_value(MqcBuf *b, const cJSON *v)
{
    mqc_buf_json_value(b, v, "null", mqc_buf_xml);
}

static void key_values(MqcBuf *b, const cJSON *obj)
{
    const cJSON *it;
    mqc_buf_puts(b, "<td class=\"kv\">");
    cJSON_ArrayForEach(it, obj) {
        mqc_buf_puts(b, "<span>");
        esc(b, it->string);
        mqc_buf_puts(b, " <b>");
        esc_json_value(b, it);
        mqc_buf_puts(b, "</b></span>");
    }
    mqc_buf_puts(b, "</td>");
}

void mqc_page_fact(MqcBuf *b, const char *label, const char *value)
{
    mqc_buf_puts(b, "<div><dt>");
    esc(b, label);
    mqc_buf_puts(b, "</dt><dd>");
    esc(b, value && *value ? value : "—");
    mqc_buf_puts(b, "</dd></div>");
}

static void fact(MqcBuf *b, const char *label, const char *value)
{
    mqc_page_fact(b, label, value);
}

void mqc_page_badge(MqcBuf *b, const char *verdict, const char *id)
{
    mqc_buf_printf(b, "<span class=\"badge %s\" id=\"%s\">", verdict, id);
    for (const char *p = verdict; *p; p++)
        mqc_buf_printf(b, "%c", toupper((unsigned char)*p));
    mqc_buf_puts(b, "</span>");
}

static const char *or_unknown(const char *s)
{
    return s && *s && strcmp(s, "unknown") ? s : "unknown";
}

/* ---- header ---- */

static void header(MqcBuf *b, const Page *pg)
{
    const MqcRun *run = pg->run;
    const MqcStreamInfo *si = &run->si;
    const char *name = strrchr(run->input_path, '/');
    name = name && name[1] ? name + 1 : run->input_path;
    const char *verdict = verdict_name(run->verdict);
    int infos = 0;
    for (int c = 0; c < run->nb_checks; c++)
        if (run->checks[c].severity == MQC_SEV_INFO)
            infos += (int)run->checks[c].events.n;

    mqc_buf_puts(b, "<h1>");
    mqc_page_badge(b, verdict, "verdict");
    mqc_buf_puts(b, "<span id=\"file-name\">");
    esc(b, name);
    mqc_buf_puts(b, "</span></h1>\n<p class=\"path\" id=\"file-path\">");
    esc(b, run->input_path);
    mqc_buf_puts(b, "</p>\n");
    if (run->unreadable[0]) {
        mqc_buf_puts(b, "<p class=\"sev error\" id=\"unreadable\">");
        esc(b, run->unreadable);
        mqc_buf_puts(b, "</p>\n");
    }
    mqc_buf_printf(b, "<div class=\"counts\"><div class=\"count error\"><b id=\"n-errors\">%d</b>"
                   "errors</div><div class=\"count warning\"><b id=\"n-warnings\">%d</b>warnings"
                   "</div><div class=\"count\"><b>%d</b>info</div><div class=\"count\"><b>%lld"
                   "</b>frames analysed</div></div>\n", run->errors, run->warnings, infos,
                   (long long)run->frames);

    char text[256];
    mqc_buf_puts(b, "<dl class=\"facts\">");
    fact(b, "profile", run->profile->name);
    fact(b, "profile source", run->profile->source);
    fact(b, "container", run->input_format);
    snprintf(text, sizeof(text), "%lld bytes", (long long)run->input_size);
    fact(b, "file size", text);
    if (run->have_stream) {
        fact(b, "codec", si->codec);
        snprintf(text, sizeof(text), "%d × %d", si->width, si->height);
        fact(b, "picture", text);
        snprintf(text, sizeof(text), "%s%s%s, %d-bit", si->source_pix_fmt,
                 si->converted ? " → " : "", si->converted ? si->pix_fmt : "", si->bit_depth);
        fact(b, "pixel format", text);
        snprintf(text, sizeof(text), "%s range, %s / %s / %s", or_unknown(si->color_range),
                 or_unknown(si->color_primaries), or_unknown(si->color_trc),
                 or_unknown(si->color_matrix));
        fact(b, "colour (range, primaries / transfer / matrix)", text);
        if (si->rate_num > 0)
            snprintf(text, sizeof(text), "%.3f fps (%d/%d)", (double)si->rate_num / si->rate_den,
                     si->rate_num, si->rate_den);
        else
            snprintf(text, sizeof(text), "unknown");
        fact(b, "frame rate", text);
        char tc[32];
        mqc_tc_string(&run->tc, 0, tc);
        snprintf(text, sizeof(text), "%s%s%s", tc, run->tc.drop ? " drop-frame" : "",
                 run->start_timecode[0] ? "" : " (none in file)");
        fact(b, "start timecode", text);
        mqc_tc_string(&run->tc, mqc_run_tc_frame(run, run->frames - 1) + 1, tc);
        double secs = si->rate_num > 0 ? (double)run->frames * si->rate_den / si->rate_num : 0;
        snprintf(text, sizeof(text), "%.3f s, %lld frames (ends at %s)", secs,
                 (long long)run->frames, tc);
        fact(b, "duration", text);
    }
    mqc_buf_puts(b, "</dl>\n");
}

/* ---- checks table ---- */

static void status_badge(MqcBuf *b, const MqcRun *run, const MqcCheckRun *cr)
{
    if (check_skipped(run, cr))
        mqc_buf_puts(b, "<span class=\"badge skipped\">SKIPPED</span>");
    else if (!mqc_check_faults(cr))
        mqc_buf_puts(b, "<span class=\"badge pass\">PASS</span>");
    else if (cr->severity == MQC_SEV_ERROR)
        mqc_buf_puts(b, "<span class=\"badge fail\">FAIL</span>");
    else
        mqc_buf_printf(b, "<span class=\"sev %s\">%s</span>", mqc_severity_name(cr->severity),
                       cr->severity == MQC_SEV_WARNING ? "WARNING" : "INFO");
}

static void checks_table(MqcBuf *b, const Page *pg)
{
    const MqcRun *run = pg->run;
    mqc_buf_puts(b, "<table id=\"check-table\"><thead><tr><th>check</th><th>severity</th>"
                 "<th>status</th><th>events</th><th>parameters</th><th>metrics</th></tr></thead>"
                 "<tbody>\n");
    for (int c = 0; c < run->nb_checks; c++) {
        const MqcCheckRun *cr = &run->checks[c];
        const char *sev = mqc_severity_name(cr->severity);
        mqc_buf_puts(b, "<tr data-check=\"");
        esc(b, cr->id);
        mqc_buf_puts(b, "\"><td><b>");
        esc(b, cr->id);
        mqc_buf_puts(b, "</b>");
        if (cr->check) {
            mqc_buf_puts(b, "<br><span class=\"note\">");
            esc(b, cr->check->summary);
            mqc_buf_puts(b, "</span>");
        }
        mqc_buf_printf(b, "</td><td class=\"sev %s\">%s</td><td>", sev, sev);
        status_badge(b, run, cr);
        if (cr->skipped) {
            mqc_buf_puts(b, "<br><span class=\"note\">");
            esc(b, cr->skip_reason);
            mqc_buf_puts(b, "</span>");
        }
        mqc_buf_printf(b, "</td><td class=\"num\">%zu</td>", cr->events.n);
        key_values(b, cr->params);
        key_values(b, cr->metrics);
        mqc_buf_puts(b, "</tr>\n");
    }
    mqc_buf_puts(b, "</tbody></table>\n");
}

/* ---- events table ---- */

static void thumb_figure(MqcBuf *b, const Page *pg, int t, const char *role)
{
    const MqcThumb *th = &pg->cap->thumbs[t];
    char tc[32];
    mqc_run_timecode(pg->run, th->frame, tc);
    mqc_buf_printf(b, "<figure><img class=\"thumb\" width=\"%d\" height=\"%d\" alt=\"frame %lld"
                   "\" data-frame=\"%lld\" src=\"data:image/png;base64,", th->width, th->height,
                   (long long)th->frame, (long long)th->frame);
    mqc_buf_base64(b, th->png, th->png_len);
    mqc_buf_puts(b, "\">");
    if (th->overlay) {
        mqc_buf_printf(b, "<img class=\"overlay\" alt=\"\" width=\"%d\" height=\"%d\" "
                       "src=\"data:image/png;base64,", th->width, th->height);
        mqc_buf_base64(b, th->overlay, th->overlay_len);
        mqc_buf_puts(b, "\">");
    }
    mqc_buf_printf(b, "<figcaption>%s · %s · frame %lld</figcaption></figure>", role, tc,
                   (long long)th->frame);
}

/* A thumbnail with its picture (a merge's can lack one: pictures_error). */
static int has_picture(const Page *pg, int t)
{
    return t >= 0 && pg->cap->thumbs[t].png;
}

static void event_pictures(MqcBuf *b, const Page *pg, const MqcEventRef *r)
{
    const MqcShot *s = mqc_capture_find(pg->cap, r->check, r->event);
    mqc_buf_puts(b, "<td><div class=\"thumbs\">");
    if (s && has_picture(pg, s->first))
        thumb_figure(b, pg, s->first, pg->cap->thumbs[s->first].frame ==
                     r->event->start_frame ? "first" : "first seen");
    if (s && has_picture(pg, s->worst) &&
        pg->cap->thumbs[s->worst].frame == r->event->worst_frame)
        thumb_figure(b, pg, s->worst, "worst");
    if (s && s->first < 0)
        mqc_buf_printf(b, "<span class=\"note\">no picture (limit of %d reached)</span>",
                       pg->cap->max_thumbs);
    mqc_buf_puts(b, "</div></td>");
}

static void events_table(MqcBuf *b, const Page *pg)
{
    const MqcRun *run = pg->run;
    if (!pg->nb_events) {
        mqc_buf_puts(b, "<p id=\"no-events\">No events: every check passed.</p>\n");
        return;
    }
    int per_sev[3] = { 0 };
    for (int i = 0; i < pg->nb_events; i++)
        per_sev[run->checks[pg->events[i].check].severity]++;
    mqc_buf_puts(b, "<div class=\"filters\">");
    for (int s = MQC_SEV_ERROR; s >= MQC_SEV_INFO; s--) {
        const char *name = mqc_severity_name((MqcSeverity)s);
        mqc_buf_printf(b, "<label><input type=\"checkbox\" id=\"f-%s\" data-sev=\"%s\" checked> "
                       "%s (%d)</label>", name, name, name, per_sev[s]);
    }
    mqc_buf_puts(b, "<label>check <select id=\"f-check\"><option value=\"\">all checks</option>");
    for (int c = 0; c < run->nb_checks; c++) {
        if (!run->checks[c].events.n)
            continue;
        mqc_buf_puts(b, "<option value=\"");
        esc(b, run->checks[c].id);
        mqc_buf_puts(b, "\">");
        esc(b, run->checks[c].id);
        mqc_buf_puts(b, "</option>");
    }
    mqc_buf_puts(b, "</select></label>");
    if (pg->cap && pg->cap->have_band) {
        mqc_buf_puts(b, "<label><input type=\"checkbox\" id=\"f-overlay\" checked> highlight ");
        esc(b, pg->cap->overlay->label);
        mqc_buf_puts(b, " (red above, blue below)</label>");
    }
    mqc_buf_printf(b, "<span class=\"note\"><span id=\"shown\">%d</span> of %d events shown"
                   "</span></div>\n", pg->nb_events, pg->nb_events);

    mqc_buf_puts(b, "<table id=\"event-table\"><thead><tr><th data-sort=\"num\">#</th>"
                 "<th data-sort=\"num\">severity</th><th data-sort=\"text\">check</th>"
                 "<th data-sort=\"text\">code</th><th data-sort=\"num\">start</th>"
                 "<th data-sort=\"num\">end</th><th data-sort=\"num\">duration</th>"
                 "<th data-sort=\"num\">value</th><th>message</th><th>pictures</th></tr>"
                 "</thead><tbody>\n");
    for (int i = 0; i < pg->nb_events; i++) {
        const MqcEventRef *r = &pg->events[i];
        const MqcCheckRun *cr = &run->checks[r->check];
        const MqcEvent *e = r->event;
        MqcSeverity severity = mqc_event_severity(cr, e);
        const char *sev = mqc_severity_name(severity);
        char start[32] = "—", end[32] = "—", msg[512];
        if (run->have_stream) {
            mqc_run_timecode(run, e->start_frame, start);
            mqc_run_timecode(run, e->end_frame, end);
        }
        mqc_event_message(cr, e, msg, sizeof(msg));
        int64_t n = e->end_frame - e->start_frame + 1;
        double secs = run->si.rate_num > 0 ? (double)n * run->si.rate_den / run->si.rate_num : 0;
        mqc_buf_printf(b, "<tr id=\"ev-%d\" data-sev=\"%s\" data-check=\"", i, sev);
        esc(b, cr->id);
        mqc_buf_printf(b, "\"><td class=\"num\" data-v=\"%d\">%d</td><td class=\"sev %s\" "
                       "data-v=\"%d\">%s</td><td>", i, i + 1, sev, MQC_SEV_ERROR - severity,
                       sev);
        esc(b, cr->id);
        mqc_buf_puts(b, "</td><td><code>");
        esc(b, e->code);
        mqc_buf_printf(b, "</code></td><td class=\"num tc-start\" data-v=\"%lld\">%s<br>"
                       "<span class=\"note\">frame %lld</span></td><td class=\"num tc-end\" "
                       "data-v=\"%lld\">%s<br><span class=\"note\">frame %lld</span></td>"
                       "<td class=\"num\" data-v=\"%lld\">%lld frame%s<br><span class=\"note\">"
                       "%.3f s</span></td><td class=\"num\" data-v=\"%.17g\">%.4g</td><td>",
                       (long long)e->start_frame, start, (long long)e->start_frame,
                       (long long)e->end_frame, end, (long long)e->end_frame, (long long)n,
                       (long long)n, n == 1 ? "" : "s", secs, e->value, e->value);
        esc(b, msg);
        mqc_buf_puts(b, "</td>");
        event_pictures(b, pg, r);
        mqc_buf_puts(b, "</tr>\n");
    }
    mqc_buf_puts(b, "</tbody></table>\n");
}

/* ---- timeline ---- */

double mqc_page_x(int64_t frames, double frame)
{
    return LABEL_W + frame * PLOT_W / (double)frames;
}

/* Ticks on whole seconds (or frames for very short clips), about 8 of them. */
void mqc_page_time_axis(MqcBuf *b, int64_t frames, double fps, MqcPageTimecode tc_of,
                        const void *ud, double top, double bottom)
{
    static const int seconds[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600,
                                   7200, 14400, 43200, 86400 };
    double step = 1;
    for (size_t i = 0; i < sizeof(seconds) / sizeof(*seconds); i++) {
        step = seconds[i] * fps;
        if (frames / step <= 8)
            break;
    }
    if (frames < 8 * fps)   /* short clips: whole frames */
        step = ceil(frames / 8.0);
    for (double f = 0; f <= frames; f += step) {
        int64_t frame = (int64_t)floor(f + 0.5);
        char tc[32];
        tc_of(ud, frame, tc);
        double x = mqc_page_x(frames, (double)frame);
        mqc_buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
                       "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>\n",
                       x, x, top, bottom, x, bottom + 12, f == 0 ? "start" : "middle", tc);
    }
}

static void run_timecode(const void *run, int64_t frame, char buf[32])
{
    mqc_run_timecode(run, frame, buf);
}

static void time_axis(MqcBuf *b, const Page *pg, double top, double bottom)
{
    double fps = pg->run->si.rate_num > 0 ?
                 (double)pg->run->si.rate_num / pg->run->si.rate_den : 25.0;
    mqc_page_time_axis(b, pg->frames, fps, run_timecode, pg->run, top, bottom);
}

void mqc_page_lane_label(MqcBuf *b, double y, const char *label)
{
    mqc_buf_printf(b, "<text class=\"lane-label\" x=\"0\" y=\"%.1f\">", y + 13);
    esc(b, label);
    mqc_buf_puts(b, "</text>\n");
}

void mqc_page_span(MqcBuf *b, int64_t frames, const MqcPageSpan *sp)
{
    double x0 = mqc_page_x(frames, (double)sp->start_frame);
    double x1 = mqc_page_x(frames, (double)sp->end_frame + 1);
    mqc_buf_printf(b, "<a href=\"#ev-%d\" data-event=\"%d\"><rect class=\"span %s\" x=\"%.2f\" "
                   "y=\"%.1f\" width=\"%.2f\" height=\"%.1f\"><title>", sp->id, sp->id,
                   sp->severity, x0, sp->y + 3, x1 - x0 < 1.5 ? 1.5 : x1 - x0, LANE_H - 6);
    esc(b, sp->check);
    mqc_buf_puts(b, " ");
    esc(b, sp->code);
    mqc_buf_printf(b, " %s–%s</title></rect></a>\n", sp->start_tc, sp->end_tc);
}

/* One curve as a step path over the buckets, drawn in bucket and value
 * units (the transform maps them onto the chart): an "h" per run of equal
 * buckets and a "V" with the value itself when it changes, so the page
 * stays small and the values can be read back exactly. */
static void step_path(MqcBuf *b, const Page *pg, const MqcCurve *cv, double lo, double hi,
                      double top, double scale)
{
    const MqcCapture *cap = pg->cap;
    double unit_w = PLOT_W * (double)cap->bucket_frames / (double)pg->frames;
    mqc_buf_printf(b, "<path class=\"curve c-%s\" vector-effect=\"non-scaling-stroke\" "
                   "transform=\"translate(%.1f %.1f) scale(%.6g %.6g)\" d=\"",
                   cv->series->key, LABEL_W, top + CHART_H + lo * CHART_H / (hi - lo), unit_w,
                   -CHART_H / (hi - lo));
    double run = 0, last = NAN;
    int pen_down = 0;
    for (int i = 0; i <= cap->nb_buckets; i++) {
        const MqcBucket *bk = i < cap->nb_buckets ? &cv->buckets[i] : NULL;
        double v = NAN;
        if (bk && bk->n) {
            MqcStat stat = cv->series->stat;
            v = stat == MQC_STAT_MIN ? bk->min : stat == MQC_STAT_MAX ? bk->max : bk->sum / bk->n;
            v = v * scale;
            v = v < lo ? lo : v > hi ? hi : v;
        }
        if (run > 0 && v != last) {     /* NaN != NaN: a gap always ends the run */
            mqc_buf_printf(b, "h%.6g", run);
            run = 0;
        }
        if (isnan(v)) {
            pen_down = 0;
            continue;
        }
        if (!pen_down)
            mqc_buf_printf(b, "M%d %.6g", i, v);
        else if (v != last)
            mqc_buf_printf(b, "V%.6g", v);
        pen_down = 1;
        last = v;
        /* the last bucket may hold fewer frames */
        int64_t f1 = (int64_t)(i + 1) * cap->bucket_frames;
        run += f1 <= pg->frames ? 1.0 : (double)(pg->frames - i * cap->bucket_frames) /
                                         (double)cap->bucket_frames;
    }
    mqc_buf_puts(b, "\"/>\n");
}

static int have_curve(const MqcCapture *cap, const MqcCurve *cv)
{
    for (int i = 0; i < cap->nb_buckets; i++)
        if (cv->buckets[i].n)
            return 1;
    return 0;
}

/* A limit's value from its check's report entry, in chart units; NaN when
 * the check was skipped or has no such number. */
static double limit_value(const MqcRun *run, int check, const MqcLimit *l)
{
    const MqcCheckRun *cr = &run->checks[check];
    if (check_skipped(run, cr))
        return NAN;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(l->from == MQC_FROM_PARAMS ? cr->params :
                                                      cr->metrics, l->key);
    return cJSON_IsNumber(v) ? v->valuedouble * (l->scale != 0 ? l->scale : 1) : NAN;
}

static void limit_line(MqcBuf *b, double v, double lo, double hi, double top,
                       const char *what)
{
    if (isnan(v) || v < lo || v > hi)
        return;
    double y = top + CHART_H - (v - lo) / (hi - lo) * CHART_H;
    mqc_buf_printf(b, "<line class=\"limit\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\">"
                   "<title>%s %.6g</title></line>\n", LABEL_W, LABEL_W + PLOT_W, y, y, what, v);
}

/* The first of 1, 2, 5, 10, 20, 50, ... at or above v, at most cap (> 0). */
static double nice_max(double v, double cap)
{
    double step = 1;
    for (int i = 0; step < v && (cap <= 0 || step < cap); i++)
        step *= i % 3 == 1 ? 2.5 : 2;
    return cap > 0 && step > cap ? cap : step;
}

/* The charts of the timeline: the curves grouped by their chart's title,
 * in the order the run's checks declare them. The first curve of a chart
 * gives its axis and limit lines (MqcChart). */
typedef struct Chart {
    const MqcChart *def;
    int check;                  /* the check whose params and metrics the limits read */
    const MqcCurve *curves[MQC_RECORD_MAX];
    int nb_curves;
    int drawn;                  /* some curve has a value */
} Chart;

static int charts_of(const MqcCapture *cap, Chart *charts)
{
    int n = 0;
    for (int k = 0; cap && k < cap->nb_curves; k++) {
        const MqcCurve *cv = &cap->curves[k];
        int c = 0;
        while (c < n && strcmp(charts[c].def->title, cv->series->chart->title))
            c++;
        if (c == n)
            charts[n++] = (Chart){ .def = cv->series->chart, .check = cv->check };
        if (charts[c].nb_curves < MQC_RECORD_MAX)
            charts[c].curves[charts[c].nb_curves++] = cv;
        charts[c].drawn |= have_curve(cap, cv);
    }
    return n;
}

/* A chart of some curves with its title, value range and limit lines. */
static double chart(MqcBuf *b, const Page *pg, double top, const Chart *ch)
{
    const MqcRun *run = pg->run;
    const MqcChart *def = ch->def;
    double lim[MQC_CHART_LIMITS];
    for (int l = 0; l < MQC_CHART_LIMITS; l++)
        lim[l] = def->limits[l].from ? limit_value(run, ch->check, &def->limits[l]) : NAN;
    double lo = def->min, hi = def->max;
    if (def->axis == MQC_AXIS_CODE) {
        const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(av_get_pix_fmt(run->si.pix_fmt));
        lo = 0;
        hi = d ? (double)((1u << d->comp[0].depth) - 1) : 1023;
    } else if (def->axis == MQC_AXIS_AUTO) {
        double peak = 0;
        for (int k = 0; k < ch->nb_curves; k++)
            for (int i = 0; i < pg->cap->nb_buckets; i++)
                if (ch->curves[k]->buckets[i].n && ch->curves[k]->buckets[i].max * def->scale > peak)
                    peak = ch->curves[k]->buckets[i].max * def->scale;
        for (int l = 0; l < MQC_CHART_LIMITS; l++)
            peak = isnan(lim[l]) ? peak : fmax(peak, lim[l] * 1.5);
        hi = lo + nice_max(peak - lo, def->max - lo);
    }
    if (!(hi > lo))
        hi = lo + 1;
    for (int l = 0; l < MQC_CHART_LIMITS; l++)
        if (def->limits[l].from)
            limit_line(b, lim[l], lo, hi, top, def->limits[l].label);
    mqc_buf_printf(b, "<text class=\"lane-label\" x=\"0\" y=\"%.1f\">", top + 12);
    esc(b, def->title);
    mqc_buf_printf(b, "</text><text class=\"axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">"
                   "%.6g", LABEL_W - 6, top + 10, hi);
    esc(b, def->unit);
    mqc_buf_printf(b, "</text><text class=\"axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">"
                   "%.6g", LABEL_W - 6, top + CHART_H, lo);
    esc(b, def->unit);
    mqc_buf_printf(b, "</text><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                   "fill=\"none\" class=\"grid\" stroke=\"#e6e8ec\"/>\n", LABEL_W, top, PLOT_W,
                   CHART_H);
    for (int k = 0; k < ch->nb_curves; k++)
        step_path(b, pg, ch->curves[k], lo, hi, top, def->scale);
    return top + CHART_H + 22;
}

/* The legend names the curves of the charts drawn. */
static void legend(MqcBuf *b, const Chart *charts, int n)
{
    mqc_buf_puts(b, "<div class=\"legend\">");
    for (int c = 0; c < n; c++)
        for (int k = 0; charts[c].drawn && k < charts[c].nb_curves; k++) {
            mqc_buf_printf(b, "<i class=\"c-%s\"></i><span>", charts[c].curves[k]->series->key);
            esc(b, charts[c].curves[k]->series->label);
            mqc_buf_puts(b, "</span>");
        }
    mqc_buf_puts(b, "</div>\n");
}

static void timeline(MqcBuf *b, const Page *pg)
{
    const MqcRun *run = pg->run;
    if (!run->have_stream || !run->frames) {
        mqc_buf_puts(b, "<p class=\"note\">No pictures were analysed.</p>\n");
        return;
    }
    const MqcCapture *cap = pg->cap;
    Chart *charts = calloc(cap && cap->nb_curves ? (size_t)cap->nb_curves : 1, sizeof(*charts));
    if (!charts) {
        b->oom = 1;
        return;
    }
    int nb_charts = charts_of(cap, charts), drawn = 0;
    for (int c = 0; c < nb_charts; c++)
        drawn += charts[c].drawn;
    double lanes_h = run->nb_checks * LANE_H;
    double height = lanes_h + 24 + drawn * (CHART_H + 22);
    mqc_buf_printf(b, "<svg id=\"timeline-svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
                   "aria-label=\"events and per-frame measurements over the duration\">\n",
                   LABEL_W + PLOT_W + 10, height);
    time_axis(b, pg, 0, lanes_h);
    for (int c = 0; c < run->nb_checks; c++)
        mqc_page_lane_label(b, c * LANE_H, run->checks[c].id);
    for (int i = 0; i < pg->nb_events; i++) {
        const MqcEventRef *r = &pg->events[i];
        const MqcCheckRun *cr = &run->checks[r->check];
        const MqcEvent *e = r->event;
        MqcPageSpan sp = { .id = i, .check = cr->id, .code = e->code,
                           .severity = mqc_severity_name(mqc_event_severity(cr, e)),
                           .start_frame = e->start_frame, .end_frame = e->end_frame,
                           .y = r->check * LANE_H };
        mqc_run_timecode(run, e->start_frame, sp.start_tc);
        mqc_run_timecode(run, e->end_frame, sp.end_tc);
        mqc_page_span(b, pg->frames, &sp);
    }
    double top = lanes_h + 24;
    for (int c = 0; c < nb_charts; c++)
        if (charts[c].drawn)
            top = chart(b, pg, top, &charts[c]);
    mqc_buf_puts(b, "</svg>\n");
    if (drawn) {
        legend(b, charts, nb_charts);
        mqc_buf_printf(b, "<p class=\"note\" id=\"curve-note\">Curves: %lld frames in %d points "
                       "of %lld frame%s each (minimum, maximum or average of the frames in a "
                       "point; dashed lines are the limits in use).</p>\n",
                       (long long)cap->frames, cap->nb_buckets, (long long)cap->bucket_frames,
                       cap->bucket_frames == 1 ? "" : "s");
    }
    free(charts);
}

/* The curves' colours (MqcSeries.colour), one CSS rule per curve. */
static void curve_styles(MqcBuf *b, const Page *pg)
{
    for (int k = 0; pg->cap && k < pg->cap->nb_curves; k++) {
        const MqcSeries *s = pg->cap->curves[k].series;
        if (!s->colour)
            continue;
        mqc_buf_printf(b, ".c-%s { color: ", s->key);
        esc(b, s->colour);
        mqc_buf_puts(b, "; }\n");
    }
}

/* ---- footer ---- */

static void footer(MqcBuf *b, const Page *pg, const cJSON *report)
{
    const cJSON *runj = cJSON_GetObjectItemCaseSensitive(report, "run");
    const cJSON *argv = cJSON_GetObjectItemCaseSensitive(runj, "argv");
    const cJSON *when = cJSON_GetObjectItemCaseSensitive(runj, "finished_at");
    const cJSON *host = cJSON_GetObjectItemCaseSensitive(runj, "host");
    mqc_buf_printf(b, "<p>mediaqc %s · report schema %s · finished ", MQC_VERSION,
                   MQC_REPORT_SCHEMA);
    esc(b, cJSON_IsString(when) ? when->valuestring : "");
    mqc_buf_puts(b, " on ");
    esc(b, cJSON_IsString(host) ? host->valuestring : "");
    mqc_buf_printf(b, " · %d threads · %.2f s", pg->run->threads, pg->run->elapsed_s);
    mqc_buf_puts(b, "</p>\n");
    if (cJSON_GetArraySize(argv) > 0) {
        const cJSON *a;
        mqc_buf_puts(b, "<p>command: <code>");
        cJSON_ArrayForEach(a, argv) {
            esc(b, cJSON_IsString(a) ? a->valuestring : "");
            mqc_buf_puts(b, " ");
        }
        mqc_buf_puts(b, "</code></p>\n");
    }
    if (pg->cap) {
        int taken = 0;
        for (int i = 0; i < pg->cap->nb_thumbs; i++)
            taken += pg->cap->thumbs[i].frame >= 0 && has_picture(pg, i);
        mqc_buf_printf(b, "<p id=\"thumb-note\">Pictures: %d thumbnail%s, at most %d per report",
                       taken, taken == 1 ? "" : "s", pg->cap->max_thumbs);
        if (pg->cap->thumbs_missed)
            mqc_buf_printf(b, "; <b>%lld event pictures not taken because of the limit</b>",
                           (long long)pg->cap->thumbs_missed);
        if (pg->cap->pictures_error[0]) {
            mqc_buf_puts(b, "; <b>no pictures: ");
            esc(b, pg->cap->pictures_error);
            mqc_buf_puts(b, "</b>");
        }
        mqc_buf_puts(b, ". The machine-readable report is embedded in this page "
                     "(<code>script#mqc-report</code>).</p>\n");
    }
}

/* ---- the template ---- */

/* The CSP names the template's own script by its SHA-256, so no other
 * script (an injected one included) may run. */
static void script_hash(const char *tpl, char out[64])
{
    snprintf(out, 64, "none");
    const char *start = strstr(tpl, "<script>");
    const char *end = start ? strstr(start, "</script>") : NULL;
    struct AVSHA *sha = av_sha_alloc();
    if (!end || !sha || av_sha_init(sha, 256) < 0) {
        av_free(sha);
        return;
    }
    start += strlen("<script>");
    uint8_t digest[32];
    av_sha_update(sha, (const uint8_t *)start, (size_t)(end - start));
    av_sha_final(sha, digest);
    av_free(sha);
    char b64[AV_BASE64_SIZE(32)];
    av_base64_encode(b64, sizeof(b64), digest, sizeof(digest));
    snprintf(out, 64, "sha256-%s", b64);
}

static void fill(MqcBuf *b, const char *name, const Page *pg, const cJSON *report)
{
    if (!strcmp(name, "title")) {
        const char *file = strrchr(pg->run->input_path, '/');
        mqc_buf_printf(b, "QC %s — ", verdict_name(pg->run->verdict));
        esc(b, file && file[1] ? file + 1 : pg->run->input_path);
    } else if (!strcmp(name, "header")) {
        header(b, pg);
    } else if (!strcmp(name, "checks")) {
        checks_table(b, pg);
    } else if (!strcmp(name, "events")) {
        events_table(b, pg);
    } else if (!strcmp(name, "timeline")) {
        timeline(b, pg);
    } else if (!strcmp(name, "curve_styles")) {
        curve_styles(b, pg);
    } else if (!strcmp(name, "footer")) {
        footer(b, pg, report);
    } else if (!strcmp(name, "report_json")) {
        mqc_page_json(b, report);
    }
}

void mqc_page_json(MqcBuf *b, const cJSON *doc)
{
    char *json = cJSON_PrintUnformatted(doc);
    if (json)
        mqc_buf_script_json(b, json);
    else
        b->oom = 1;
    free(json);
}

int mqc_page_render(MqcPageFill fill_one, void *ud, MqcBuf *b)
{
    const char *p = mqc_report_template;
    for (;;) {
        const char *open = strstr(p, "{{");
        const char *close = open ? strstr(open, "}}") : NULL;
        if (!close) {
            mqc_buf_puts(b, p);
            break;
        }
        mqc_buf_append(b, p, (size_t)(open - p));
        char name[32];
        snprintf(name, sizeof(name), "%.*s", (int)(close - open - 2), open + 2);
        if (!strcmp(name, "version")) {
            mqc_buf_puts(b, MQC_VERSION);
        } else if (!strcmp(name, "script_hash")) {
            char h[64];
            script_hash(mqc_report_template, h);
            mqc_buf_puts(b, h);
        } else {
            fill_one(b, name, ud);
        }
        p = close + 2;
    }
    return b->oom ? MQC_ERR_NOMEM : 0;
}

typedef struct PageFill {
    const Page *pg;
    const cJSON *report;
} PageFill;

static void fill_report(MqcBuf *b, const char *name, void *ud)
{
    const PageFill *pf = ud;
    fill(b, name, pf->pg, pf->report);
}

int mqc_html_render(const MqcRun *run, const MqcCapture *cap, const cJSON *report, MqcBuf *b)
{
    Page pg = { .run = run, .cap = cap, .frames = run->frames > 0 ? run->frames : 1 };
    pg.nb_events = mqc_events_in_time_order(run, &pg.events);
    if (pg.nb_events < 0) {
        free(pg.events);
        return MQC_ERR_NOMEM;
    }
    PageFill pf = { &pg, report };
    int ret = mqc_page_render(fill_report, &pf, b);
    free(pg.events);
    return ret;
}
