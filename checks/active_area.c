/* active_area: the rectangle of the picture that is not black border
 * (letterbox, pillarbox, windowbox), measured as ffmpeg's cropdetect does:
 * from each edge inwards, the first row (column) whose mean luma exceeds the
 * black threshold ends the border. The threshold is the black check's
 * (range aware: black + pixel_threshold_pct of the nominal range), not
 * cropdetect's fixed code 24, so limited and full range, 8 to 16 bits,
 * agree. Columns are measured over the active rows only (cropdetect uses
 * the whole height, which a letterbox dilutes).
 *
 * Per frame the work is the border plus one row or 64 columns per edge,
 * not a pass over the picture. Black frames (no row above the threshold,
 * or an active area under 2% of the picture: the black check's 98%) carry
 * no active area: they neither change it nor end a run.
 *
 * Events: borders_detected, runs of frames whose active area is smaller
 * than the frame by more than min_border_px on a side; active_area_change,
 * a stable active area (held min_duration_s) that differs from the
 * previous stable one. A letterboxed film is a fact about the picture, not
 * a fault: borders_detected is info whatever the check's severity (DESIGN
 * section 9) unless borders_severity is "check" (a deliverable that must be
 * full frame); a change of active area carries the check's severity. The most common active size is published as the
 * learnt fact "active_aspect" (check.h) for the profile's
 * expect.active_aspect. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../engine/check.h"
#include "dsp/dsp.h"
#include "../engine/range.h"

#define COLUMN_CHUNK 64
#define MODE_SLOTS 64               /* distinct active sizes remembered for the mode */

typedef struct Rect {
    int x1, y1, x2, y2;             /* inclusive */
} Rect;

typedef struct SizeCount {
    int w, h;
    int64_t n;
} SizeCount;

typedef struct Area {
    /* options */
    double pixel_threshold_pct;
    int64_t min_border_px;
    double min_duration_s;
    int borders_severity;           /* 0: info, 1: the check's */
    /* stream facts */
    unsigned threshold;             /* a line is black when its mean <= threshold */
    int sample_index;
    int width, height;
    double sar;
    int64_t min_frames;
    const MqcDsp *dsp;
    MqcLearnt *learnt;
    /* temporal state */
    int64_t frames, black_frames, bordered_frames, changes;
    SizeCount sizes[MODE_SLOTS];
    int nb_sizes, mode;             /* mode: index into sizes, -1 before any picture */
    int border_open;                /* a run of bordered frames */
    int64_t border_start, border_end;
    Rect border_rect;               /* the run's first active area */
    int seg_open;                   /* the current run of one active area */
    Rect seg_rect;
    int64_t seg_start, seg_end, seg_frames;
    int have_stable;
    Rect stable;                    /* the last area held min_duration_s */
} Area;

typedef struct AreaFrame {
    int black;
    Rect r;
} AreaFrame;

static const char *const borders_choices[] = { "info", "check", NULL };

static const MqcOption area_options[] = {
    { "pixel_threshold_pct", MQC_OPT_DOUBLE, offsetof(Area, pixel_threshold_pct), MQC_BLACK_PCT,
      0, 100, NULL, NULL, "a row or column is border when its mean luma is within this % of "
      "the nominal range above black (the black check's pixel threshold)" },
    { "min_border_px", MQC_OPT_INT, offsetof(Area, min_border_px), 8, 0, 4096, NULL, NULL,
      "borders up to this many pixels per side are not reported (SD blanking, encoder "
      "padding) and active areas within it are the same" },
    { "min_duration_s", MQC_OPT_DOUBLE, offsetof(Area, min_duration_s), 2.0, 0, 86400, NULL,
      NULL, "borders and changed active areas held shorter than this are not reported" },
    { "borders_severity", MQC_OPT_ENUM, offsetof(Area, borders_severity), 0, 0, 0,
      borders_choices, NULL, "info: borders_detected is a fact (letterboxed films are "
      "legitimate); check: it carries the check's severity (full-frame deliverables)" },
    { .name = NULL }
};

static const MqcEventCode area_codes[] = {
    { "borders_detected", "black borders around the picture: active aspect %.2f" },
    { "active_area_change", "the active picture area changes (aspect %.2f)" },
    { .code = NULL }
};

static int area_init(void *priv, const MqcStreamInfo *si, char *why, size_t why_len)
{
    Area *s = priv;
    if (si->is_rgb) {
        snprintf(why, why_len, "R'G'B' input: border detection reads luma");
        return 1;
    }
    s->threshold = mqc_black_code(si->bit_depth, si->full_range, s->pixel_threshold_pct);
    s->sample_index = si->bit_depth > 8;
    s->width = si->width;
    s->height = si->height;
    s->sar = 1;
    double fps = si->rate_num > 0 && si->rate_den > 0 ? (double)si->rate_num / si->rate_den
                                                       : 25.0;
    s->min_frames = (int64_t)ceil(s->min_duration_s * fps - 1e-9);
    s->mode = -1;
    s->learnt = si->learnt;
    s->dsp = mqc_dsp_get();
    return 0;
}

/* First column of [from, to] (step +1 or -1) whose sum over `rows` rows
 * exceeds limit, or -1. */
static int find_column(const Area *s, const uint8_t *data, ptrdiff_t linesize, int rows,
                       int from, int to, int step, uint64_t limit)
{
    uint64_t sums[COLUMN_CHUNK];
    for (int x = from; step > 0 ? x <= to : x >= to;) {
        int left = step > 0 ? to - x + 1 : x - to + 1;
        int n = left < COLUMN_CHUNK ? left : COLUMN_CHUNK;
        int x0 = step > 0 ? x : x - n + 1;
        memset(sums, 0, sizeof(sums));
        s->dsp->column_sums[s->sample_index](data, linesize, x0, n, rows, sums);
        for (int i = 0; i < n; i++) {
            int k = step > 0 ? i : n - 1 - i;
            if (sums[k] > limit)
                return x0 + k;
        }
        x += step * n;
    }
    return -1;
}

static void area_measure_frame(const void *priv, const MqcPicture *pic, void *frame)
{
    const Area *s = priv;
    AreaFrame *out = frame;
    const uint8_t *data = pic->data[0];
    const ptrdiff_t ls = pic->linesize[0];
    const int w = pic->width, h = pic->height;
    /* cropdetect: a line is picture when floor(mean) > threshold */
    const uint64_t row_limit = (uint64_t)(s->threshold + 1) * (uint64_t)w - 1;
    memset(out, 0, sizeof(*out));
    out->black = 1;
    int y1 = -1, y2 = -1;
    for (int y = 0; y < h && y1 < 0; y++)
        if (s->dsp->row_sum[s->sample_index](data + y * ls, w) > row_limit)
            y1 = y;
    if (y1 < 0)
        return;
    for (int y = h - 1; y >= y1 && y2 < 0; y--)
        if (s->dsp->row_sum[s->sample_index](data + y * ls, w) > row_limit)
            y2 = y;
    const int rows = y2 - y1 + 1;
    const uint64_t col_limit = (uint64_t)(s->threshold + 1) * (uint64_t)rows - 1;
    const uint8_t *top = data + y1 * ls;
    int x1 = find_column(s, top, ls, rows, 0, w - 1, 1, col_limit);
    if (x1 < 0)
        return;
    int x2 = find_column(s, top, ls, rows, w - 1, x1, -1, col_limit);
    out->r = (Rect){ x1, y1, x2, y2 };
    /* the black check's black picture: at least 98% of it black */
    out->black = (double)(x2 - x1 + 1) * rows < (1 - MQC_BLACK_PICTURE_RATIO) * w * h;
}

static int rect_w(const Rect *r)
{
    return r->x2 - r->x1 + 1;
}

static int rect_h(const Rect *r)
{
    return r->y2 - r->y1 + 1;
}

static double rect_aspect(const Area *s, const Rect *r)
{
    return rect_w(r) * s->sar / rect_h(r);
}

static int same_area(const Area *s, const Rect *a, const Rect *b)
{
    const int64_t t = s->min_border_px;
    return llabs((long long)a->x1 - b->x1) <= t && llabs((long long)a->x2 - b->x2) <= t &&
           llabs((long long)a->y1 - b->y1) <= t && llabs((long long)a->y2 - b->y2) <= t;
}

static int has_border(const Area *s, const Rect *r)
{
    const int64_t t = s->min_border_px;
    return r->x1 > t || r->y1 > t || s->width - 1 - r->x2 > t || s->height - 1 - r->y2 > t;
}

static void describe(const Area *s, const Rect *r, char *buf, size_t len)
{
    snprintf(buf, len, "%dx%d at %d,%d (%.2f:1) in %dx%d", rect_w(r), rect_h(r), r->x1, r->y1,
             rect_aspect(s, r), s->width, s->height);
}

static void close_border_run(Area *s, MqcEvents *ev)
{
    if (!s->border_open)
        return;
    s->border_open = 0;
    if (s->border_end - s->border_start + 1 < s->min_frames)
        return;
    char r[96];
    describe(s, &s->border_rect, r, sizeof(r));
    MqcEvent e = { .code = "borders_detected", .start_frame = s->border_start,
                   .end_frame = s->border_end, .worst_frame = s->border_start,
                   .value = rect_aspect(s, &s->border_rect), .info = !s->borders_severity };
    snprintf(e.detail, sizeof(e.detail), "black borders: active picture %s", r);
    mqc_events_add(ev, &e);
}

/* A run of one active area ends: when it was held long enough it is the
 * stable area, and a change when the previous stable area differed. */
static void close_segment(Area *s, MqcEvents *ev)
{
    if (!s->seg_open)
        return;
    s->seg_open = 0;
    if (s->seg_frames < s->min_frames)
        return;
    if (s->have_stable && !same_area(s, &s->stable, &s->seg_rect)) {
        char from[96], to[96];
        describe(s, &s->stable, from, sizeof(from));
        describe(s, &s->seg_rect, to, sizeof(to));
        mqc_events_add_span(ev, "active_area_change", s->seg_start, s->seg_end,
                            rect_aspect(s, &s->seg_rect), "active picture changes from %s to %s",
                            from, to);
        s->changes++;
    }
    s->stable = s->seg_rect;
    s->have_stable = 1;
}

static void count_size(Area *s, int w, int h, int64_t add)
{
    int i = 0;
    while (i < s->nb_sizes && (s->sizes[i].w != w || s->sizes[i].h != h))
        i++;
    if (i == s->nb_sizes) {
        if (s->nb_sizes < MODE_SLOTS) {
            s->nb_sizes++;
        } else {            /* full: the rarest size (never the mode) makes room */
            int rare = s->mode == 0 ? 1 : 0;
            for (int k = 0; k < MODE_SLOTS; k++)
                if (k != s->mode && s->sizes[k].n < s->sizes[rare].n)
                    rare = k;
            i = rare;
        }
        s->sizes[i] = (SizeCount){ w, h, 0 };
    }
    s->sizes[i].n += add;
    if (s->mode < 0 || s->sizes[i].n > s->sizes[s->mode].n) {
        s->mode = i;
        /* published while folding: finish-time readers see the final mode */
        mqc_learnt_set(s->learnt, "active_aspect", w * s->sar / h);
    }
}

static int area_fold(void *priv, const MqcFrameInfo *fi, const void *frame, MqcEvents *ev)
{
    Area *s = priv;
    const AreaFrame *f = frame;
    s->frames++;
    if (f->black) {
        s->black_frames++;
        return 0;
    }
    count_size(s, rect_w(&f->r), rect_h(&f->r), 1);
    if (has_border(s, &f->r)) {
        s->bordered_frames++;
        if (!s->border_open) {
            s->border_open = 1;
            s->border_start = fi->index;
            s->border_rect = f->r;
        }
        s->border_end = fi->index;
    } else {
        close_border_run(s, ev);
    }
    if (s->seg_open && !same_area(s, &s->seg_rect, &f->r))
        close_segment(s, ev);
    if (!s->seg_open) {
        s->seg_open = 1;
        s->seg_rect = f->r;
        s->seg_start = fi->index;
        s->seg_frames = 0;
    }
    s->seg_end = fi->index;
    s->seg_frames++;
    return 0;
}

static void area_record(const void *priv, const void *frame, MqcRecord *rec)
{
    (void)priv;
    const AreaFrame *f = frame;
    mqc_record_int(rec, "active_width", f->black ? 0 : rect_w(&f->r));
    mqc_record_int(rec, "active_height", f->black ? 0 : rect_h(&f->r));
}

static void area_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m)
{
    (void)si;
    Area *s = priv;
    close_border_run(s, ev);
    close_segment(s, ev);
    mqc_metric_int(m, "threshold_code", s->threshold);
    mqc_metric_int(m, "frames_black", s->black_frames);
    mqc_metric_int(m, "frames_with_borders", s->bordered_frames);
    mqc_metric_int(m, "active_area_changes", s->changes);
    if (s->mode >= 0) {
        const SizeCount *c = &s->sizes[s->mode];
        mqc_metric_int(m, "active_width", c->w);
        mqc_metric_int(m, "active_height", c->h);
        mqc_metric_double(m, "active_aspect", floor(c->w * s->sar / c->h * 1000 + 0.5) / 1000);
    } else {
        mqc_metric_string(m, "note", "every frame is black: no active area");
    }
}

static const MqcChart size_chart = {
    .title = "active picture (px)", .unit = "", .scale = 1, .axis = MQC_AXIS_AUTO,
};

/* black frames record 0: no active area */
static const MqcSeries area_series[] = {
    { "active_width", "active width", "px", &size_chart, MQC_STAT_MIN, "#1565c0" },
    { "active_height", "active height", "px", &size_chart, MQC_STAT_MIN, "#6a1b9a" },
    { .key = NULL }
};

const MqcCheck mqc_check_active_area = {
    .name = "active_area",
    .summary = "letterbox/pillarbox: the active picture rectangle (cropdetect's measure, "
               "the black check's range-aware threshold), its changes and aspect",
    .default_severity = MQC_SEV_WARNING,
    .options = area_options,
    .codes = area_codes,
    .priv_size = sizeof(Area),
    .frame_size = sizeof(AreaFrame),
    .init = area_init,
    .measure_frame = area_measure_frame,
    .fold = area_fold,
    .record = area_record,
    .finish = area_finish,
    .series = area_series,
};
