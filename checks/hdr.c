/* hdr: the light of PQ and HLG pictures (MaxCLL and MaxFALL, CTA-861.3-A)
 * held against the stream's HDR metadata (SMPTE ST 2086 mastering display,
 * content light level), and the dynamic metadata present (Dolby Vision,
 * HDR10+). Pixels go through the gamut check's Y'CbCr -> R'G'B' and the
 * EOTFs of dsp/transfer.c (kernels: dsp/hdr_dsp.h). See docs/hdr.md. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "../engine/mediaqc.h"
#include "gamut.h"

static const char *const transfer_names[] = { "auto", "pq", "hlg", NULL };
static const char *const matrix_names[] = { "auto", "bt601", "bt709", "bt2020", NULL };

typedef struct Hdr {
    /* options */
    double tolerance_pct, max_area_pct;
    int transfer;               /* index into transfer_names */
    int matrix;                 /* index into matrix_names */
    /* for this stream */
    MqcHdrMetadata meta;        /* the container's, else the first frame's */
    const MqcDsp *dsp;
    double peak_nits;           /* mastering display max luminance, 0 when unknown */
    char transfer_used[8], matrix_used[48];
    /* temporal state */
    int64_t frames, last_frame;
    double max_cll, max_fall;
    int64_t max_cll_frame, max_fall_frame;
    int64_t frames_above_peak;
    double worst_above_pct;
    int64_t dovi_rpu_frames, hdr10plus_frames;
    int mastering_seen, cll_seen;       /* in the side data of some frame */
    MqcHdrKernel k;             /* last: large */
} Hdr;

static const MqcOption hdr_options[] = {
    { "tolerance_pct", MQC_OPT_DOUBLE, offsetof(Hdr, tolerance_pct), 10, 0, 1000, NULL, NULL,
      "measured MaxCLL/MaxFALL may differ from the content light level metadata by this %" },
    { "max_area_pct", MQC_OPT_DOUBLE, offsetof(Hdr, max_area_pct), 0.01, 0, 100, NULL, NULL,
      "a frame is above the mastering peak when more than this % of its pixels is" },
    { "transfer", MQC_OPT_ENUM, offsetof(Hdr, transfer), 0, 0, 0, transfer_names, NULL,
      "auto: the stream's tag (smpte2084: pq, arib-std-b67: hlg; other tags are SDR and "
      "skipped); pq or hlg to override a wrong tag" },
    { "matrix", MQC_OPT_ENUM, offsetof(Hdr, matrix), 0, 0, 0, matrix_names, NULL,
      "Y'CbCr to R'G'B' matrix; auto: the stream's tag, untagged: bt2020 (BT.2100)" },
    { .name = NULL }
};

static const MqcEventCode hdr_codes[] = {
    { "max_cll_mismatch",
      "brightest pixel up to %.1f%% above the content light level metadata's MaxCLL" },
    { "max_fall_mismatch", "frame average up to %.1f%% above the metadata's MaxFALL" },
    { "missing_hdr_metadata", "PQ stream without mastering display or content light level "
                              "metadata" },
    { "above_mastering_peak",
      "up to %.3f%% of the picture above the mastering display's peak luminance" },
    { .code = NULL }
};

static int choose_transfer(Hdr *s, const MqcStreamInfo *si, MqcTransfer *tf, char *why,
                           size_t why_len)
{
    if (s->transfer)
        *tf = s->transfer == 1 ? MQC_TRANSFER_PQ : MQC_TRANSFER_HLG;
    else if (!strcmp(si->color_trc, "smpte2084"))
        *tf = MQC_TRANSFER_PQ;
    else if (!strcmp(si->color_trc, "arib-std-b67"))
        *tf = MQC_TRANSFER_HLG;
    else if (si->hdr.has_dovi)
        /* a Dolby Vision stream with an SDR base layer (profile 9, ...):
         * its metadata is reported, the base layer measured as SDR */
        *tf = MQC_TRANSFER_BT1886;
    else {
        snprintf(why, why_len, "SDR stream (transfer '%s', not PQ or HLG) without Dolby Vision",
                 si->color_trc);
        return 1;
    }
    snprintf(s->transfer_used, sizeof(s->transfer_used), "%s",
             *tf == MQC_TRANSFER_PQ ? "pq" : *tf == MQC_TRANSFER_HLG ? "hlg" : "sdr");
    return 0;
}

/* option, tag, or for untagged streams BT.2020 (HDR) or by height (SDR) */
static int choose_matrix(Hdr *s, const MqcStreamInfo *si, MqcTransfer tf, MqcGamutMatrix *m,
                         char *why, size_t why_len)
{
    if (si->is_rgb) {
        snprintf(s->matrix_used, sizeof(s->matrix_used), "none (R'G'B' input)");
        *m = MQC_MATRIX_BT2020;
    } else if (s->matrix) {
        *m = (MqcGamutMatrix)(s->matrix - 1);
        snprintf(s->matrix_used, sizeof(s->matrix_used), "%s (option)", matrix_names[s->matrix]);
    } else if (!mqc_gamut_matrix_from_tag(si->color_matrix, m)) {
        snprintf(s->matrix_used, sizeof(s->matrix_used), "%s (tag %s)", matrix_names[*m + 1],
                 si->color_matrix);
    } else if (!strcmp(si->color_matrix, "unknown") || !strcmp(si->color_matrix, "reserved")) {
        *m = tf != MQC_TRANSFER_BT1886 ? MQC_MATRIX_BT2020
             : si->height >= 720 ? MQC_MATRIX_BT709 : MQC_MATRIX_BT601;
        snprintf(s->matrix_used, sizeof(s->matrix_used), "%s (untagged)", matrix_names[*m + 1]);
    } else {
        snprintf(why, why_len, "matrix '%s' is not BT.601/709/2020 NCL; set hdr.matrix to "
                 "override", si->color_matrix);
        return 1;
    }
    return 0;
}

static double rational(MqcRational q)
{
    return q.den ? (double)q.num / q.den : NAN;
}

static int hdr_init(void *priv, const MqcStreamInfo *si, char *why, size_t why_len)
{
    Hdr *s = priv;
    s->meta = si->hdr;
    s->max_cll_frame = s->max_fall_frame = s->last_frame = -1;
    s->dsp = mqc_dsp_get();
    if (!si->is_rgb && !strncmp(si->pix_fmt, "gray", 4)) {
        snprintf(why, why_len, "greyscale input");
        return 1;
    }
    MqcTransfer tf;
    MqcGamutMatrix m;
    int r = choose_transfer(s, si, &tf, why, why_len);
    if (!r)
        r = choose_matrix(s, si, tf, &m, why, why_len);
    if (r)
        return r;
    if (s->meta.has_luminance && rational(s->meta.max_luminance) > 0)
        s->peak_nits = rational(s->meta.max_luminance);
    if (mqc_hdr_kernel_init(&s->k, m, si->bit_depth, si->full_range, si->is_rgb, tf,
                            s->peak_nits) < 0) {
        snprintf(why, why_len, "bit depth %d is not supported", si->bit_depth);
        return 1;
    }
    return 0;
}

static void hdr_measure(const void *priv, const MqcBand *band, void *slice)
{
    const Hdr *s = priv;
    mqc_hdr_rows(s->dsp, &s->k, band->pic, band->y0, band->y1, slice);
}

static void hdr_reduce(const void *priv, void *frame, const void *slice, int band)
{
    (void)priv;
    mqc_hdr_counts_merge(frame, slice, band == 0);
}

static double avg_nits(const MqcHdrCounts *c)
{
    return c->pixels ? ldexp((double)c->sum, -MQC_HDR_SUM_FRAC) / (double)c->pixels : 0;
}

static int hdr_fold(void *priv, const MqcFrameInfo *fi, const void *frame, MqcEvents *ev)
{
    Hdr *s = priv;
    const MqcHdrCounts *c = frame;
    const double mx = mqc_hdr_level_nits(&s->k, c->max_level), avg = avg_nits(c);
    const double above = c->pixels ? 100.0 * (double)c->above / (double)c->pixels : 0;
    const double tol = 1 + s->tolerance_pct / 100;
    s->frames++;
    s->last_frame = fi->index;
    if (s->max_cll_frame < 0 || mx > s->max_cll) {
        s->max_cll = mx;
        s->max_cll_frame = fi->index;
    }
    if (s->max_fall_frame < 0 || avg > s->max_fall) {
        s->max_fall = avg;
        s->max_fall_frame = fi->index;
    }
    s->dovi_rpu_frames += fi->hdr.dovi_rpu;
    s->hdr10plus_frames += fi->hdr.hdr10plus;
    s->mastering_seen |= fi->hdr.has_primaries || fi->hdr.has_luminance;
    s->cll_seen |= fi->hdr.has_cll;
    /* CTA-861.3: a zero MaxCLL / MaxFALL means "unknown" */
    if (s->meta.has_cll && s->meta.max_cll && mx > s->meta.max_cll * tol)
        mqc_events_flag(ev, "max_cll_mismatch", fi->index, 100 * (mx / s->meta.max_cll - 1));
    if (s->meta.has_cll && s->meta.max_fall && avg > s->meta.max_fall * tol)
        mqc_events_flag(ev, "max_fall_mismatch", fi->index, 100 * (avg / s->meta.max_fall - 1));
    if (s->peak_nits > 0 && above > s->max_area_pct) {
        mqc_events_flag(ev, "above_mastering_peak", fi->index, above);
        s->frames_above_peak++;
    }
    s->worst_above_pct = above > s->worst_above_pct ? above : s->worst_above_pct;
    return 0;
}

static void hdr_record(const void *priv, const void *frame, MqcRecord *rec)
{
    const Hdr *s = priv;
    const MqcHdrCounts *c = frame;
    mqc_record_double(rec, "max_nits", mqc_hdr_level_nits(&s->k, c->max_level));
    mqc_record_double(rec, "avg_nits", avg_nits(c));
}

/* A whole-programme event: the measured value falls short of the metadata. */
static void below_metadata(const Hdr *s, MqcEvents *ev, const char *code, const char *what,
                           double measured, int64_t frame, unsigned meta)
{
    if (!meta || measured >= meta * (1 - s->tolerance_pct / 100))
        return;
    MqcEvent e = { .code = code, .start_frame = 0, .end_frame = s->last_frame,
                   .worst_frame = frame, .value = 100 * (1 - measured / meta) };
    snprintf(e.detail, sizeof(e.detail), "measured %s %.1f cd/m2 is %.1f%% below the "
             "metadata's %u (tolerance %g%%)", what, measured, e.value, meta, s->tolerance_pct);
    mqc_events_add(ev, &e);
}

static void missing_metadata(const Hdr *s, MqcEvents *ev)
{
    const int mastering = s->meta.has_primaries || s->meta.has_luminance || s->mastering_seen;
    const int cll = s->meta.has_cll || s->cll_seen;
    if (s->k.tf != MQC_TRANSFER_PQ || (mastering && cll))
        return;
    MqcEvent e = { .code = "missing_hdr_metadata", .start_frame = 0,
                   .end_frame = s->last_frame, .worst_frame = 0 };
    snprintf(e.detail, sizeof(e.detail), "PQ stream without %s",
             !mastering && !cll ? "SMPTE ST 2086 mastering display metadata and without "
                                  "content light level metadata"
             : !mastering ? "SMPTE ST 2086 mastering display metadata"
                          : "content light level metadata (MaxCLL/MaxFALL)");
    mqc_events_add(ev, &e);
}

static void metric_null(MqcMetrics *m, const char *key)
{
    mqc_metric_json(m, key, "null");
}

/* the side data as ffprobe prints it */
static void metadata_metrics(const Hdr *s, MqcMetrics *m)
{
    const MqcHdrMetadata *h = &s->meta;
    char buf[512];
    if (h->has_cll) {
        mqc_metric_int(m, "metadata_max_cll", h->max_cll);
        mqc_metric_int(m, "metadata_max_fall", h->max_fall);
        mqc_metric_string(m, "cll_source", h->cll_from_frame ? "frame" : "container");
    } else {
        metric_null(m, "metadata_max_cll");
        metric_null(m, "metadata_max_fall");
        metric_null(m, "cll_source");
    }
    mqc_metric_double(m, "mastering_max_nits", h->has_luminance ? rational(h->max_luminance) : NAN);
    mqc_metric_double(m, "mastering_min_nits", h->has_luminance ? rational(h->min_luminance) : NAN);
    if (h->has_primaries) {
        const MqcRational(*p)[2] = h->primaries;
        snprintf(buf, sizeof(buf),
                 "{\"red_x\":\"%d/%d\",\"red_y\":\"%d/%d\",\"green_x\":\"%d/%d\","
                 "\"green_y\":\"%d/%d\",\"blue_x\":\"%d/%d\",\"blue_y\":\"%d/%d\","
                 "\"white_point_x\":\"%d/%d\",\"white_point_y\":\"%d/%d\"}",
                 p[0][0].num, p[0][0].den, p[0][1].num, p[0][1].den, p[1][0].num, p[1][0].den,
                 p[1][1].num, p[1][1].den, p[2][0].num, p[2][0].den, p[2][1].num, p[2][1].den,
                 h->white_point[0].num, h->white_point[0].den, h->white_point[1].num,
                 h->white_point[1].den);
        mqc_metric_json(m, "mastering_primaries", buf);
    } else {
        metric_null(m, "mastering_primaries");
    }
    if (h->has_primaries || h->has_luminance)
        mqc_metric_string(m, "mastering_source", h->mastering_from_frame ? "frame" : "container");
    else
        metric_null(m, "mastering_source");
    if (h->has_dovi)
        snprintf(buf, sizeof(buf),
                 "{\"dv_version_major\":%d,\"dv_version_minor\":%d,\"dv_profile\":%d,"
                 "\"dv_level\":%d,\"rpu_present_flag\":%d,\"el_present_flag\":%d,"
                 "\"bl_present_flag\":%d,\"dv_bl_signal_compatibility_id\":%d,"
                 "\"rpu_frames\":%lld}",
                 h->dovi_version_major, h->dovi_version_minor, h->dovi_profile, h->dovi_level,
                 h->dovi_rpu_present, h->dovi_el_present, h->dovi_bl_present,
                 h->dovi_bl_compat_id, (long long)s->dovi_rpu_frames);
    else if (s->dovi_rpu_frames)
        snprintf(buf, sizeof(buf), "{\"rpu_frames\":%lld}", (long long)s->dovi_rpu_frames);
    else
        snprintf(buf, sizeof(buf), "null");
    mqc_metric_json(m, "dolby_vision", buf);
    if (s->hdr10plus_frames)
        snprintf(buf, sizeof(buf), "{\"frames\":%lld}", (long long)s->hdr10plus_frames);
    else
        snprintf(buf, sizeof(buf), "null");
    mqc_metric_json(m, "hdr10plus", buf);
}

static void hdr_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m)
{
    (void)si;
    const Hdr *s = priv;
    if (s->frames) {
        missing_metadata(s, ev);
        if (s->meta.has_cll) {
            below_metadata(s, ev, "max_cll_mismatch", "MaxCLL", s->max_cll, s->max_cll_frame,
                           s->meta.max_cll);
            below_metadata(s, ev, "max_fall_mismatch", "MaxFALL", s->max_fall,
                           s->max_fall_frame, s->meta.max_fall);
        }
    }
    mqc_metric_string(m, "transfer", s->transfer_used);
    mqc_metric_string(m, "matrix_used", s->matrix_used);
    mqc_metric_double(m, "max_cll_nits", s->frames ? s->max_cll : NAN);
    mqc_metric_int(m, "max_cll_frame", s->max_cll_frame);
    mqc_metric_double(m, "max_fall_nits", s->frames ? s->max_fall : NAN);
    mqc_metric_int(m, "max_fall_frame", s->max_fall_frame);
    metadata_metrics(s, m);
    if (s->peak_nits > 0) {
        mqc_metric_int(m, "frames_above_peak", s->frames_above_peak);
        mqc_metric_double(m, "worst_above_peak_pct", s->worst_above_pct);
    }
}

/* the HTML timeline: both curves in cd/m2 with the metadata as limit lines
 * (a null metric draws no line) */
static const MqcChart light_chart = {
    .title = "light (cd/m2)", .unit = "", .scale = 1, .axis = MQC_AXIS_AUTO, .max = 10000,
    .limits = { { MQC_FROM_METRICS, "mastering_max_nits", "mastering display peak", 1 },
                { MQC_FROM_METRICS, "metadata_max_cll", "MaxCLL metadata", 1 },
                { MQC_FROM_METRICS, "metadata_max_fall", "MaxFALL metadata", 1 } },
};

static const MqcSeries hdr_series[] = {
    { "max_nits", "brightest pixel max(R,G,B)", "cd/m2", &light_chart, MQC_STAT_MAX, "#f9a825" },
    { "avg_nits", "frame average max(R,G,B)", "cd/m2", &light_chart, MQC_STAT_MAX, "#00838f" },
    { .key = NULL }
};

/* about the stream's metadata, not about what a frame shows */
static const char *const hdr_no_pictures[] = { "missing_hdr_metadata", NULL };

const MqcCheck mqc_check_hdr = {
    .name = "hdr",
    .summary = "PQ/HLG light levels: MaxCLL/MaxFALL measured (CTA-861.3-A) against the content "
               "light level and mastering display (ST 2086) metadata; Dolby Vision and HDR10+ "
               "presence",
    .default_severity = MQC_SEV_WARNING,
    .options = hdr_options,
    .codes = hdr_codes,
    .priv_size = sizeof(Hdr),
    .slice_size = sizeof(MqcHdrCounts),
    .frame_size = sizeof(MqcHdrCounts),
    .init = hdr_init,
    .measure = hdr_measure,
    .reduce = hdr_reduce,
    .fold = hdr_fold,
    .record = hdr_record,
    .finish = hdr_finish,
    .series = hdr_series,
    .no_pictures = hdr_no_pictures,
};
