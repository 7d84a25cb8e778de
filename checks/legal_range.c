/* legal_range: per frame, the share of samples outside the legal band.
 * Luma defaults follow EBU R103 v2/v3: -5%..105% of nominal black..white
 * (8-bit 5..246, 10-bit 20..984, 12-bit 81..3935, 16-bit 1293..62963).
 * Chroma (opt-in, `chroma`) uses the same percentages of the nominal Cb/Cr
 * excursion 16..240 scaled by 2^(depth-8) (8-bit 5..251, 10-bit 19..1005,
 * 12-bit 77..4019, 16-bit 1229..64307): R103 itself limits R'G'B', which the
 * gamut check covers, so the chroma band is off unless a profile asks.
 * Full-range streams use 0..2^n-1 as nominal range for every plane, so the
 * band clamps to the whole code space: legitimately full-range content is
 * never flagged. R'G'B' input is skipped: its legal band is the gamut
 * check's rgb_above_max / rgb_below_min. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "band_stats.h"
#include "dsp/dsp.h"
#include "../engine/range.h"

typedef struct LegalRange {
    /* options */
    double luma_min_pct, luma_max_pct;
    int chroma;
    double chroma_min_pct, chroma_max_pct;
    double max_area_pct;
    /* limits for this stream, in code values */
    unsigned lo[3], hi[3];
    int planes;                 /* 1: Y only, 3: Y, Cb, Cr */
    const MqcDsp *dsp;
    /* temporal state (fold/finish only) */
    unsigned y_min, y_max;
    unsigned c_min[3], c_max[3];    /* Cb, Cr at [1], [2] when chroma is checked */
    int64_t frames, frames_flagged;
    double worst_area_pct;
} LegalRange;

typedef struct LegalRangeFrame {
    MqcPlaneStats plane[3];
} LegalRangeFrame;

static const MqcOption legal_range_options[] = {
    { "luma_min_pct", MQC_OPT_DOUBLE, offsetof(LegalRange, luma_min_pct), -5, -50, 50,
      NULL, NULL, "lowest legal luma, % of nominal black..white (R103: -5)" },
    { "luma_max_pct", MQC_OPT_DOUBLE, offsetof(LegalRange, luma_max_pct), 105, 50, 150,
      NULL, NULL, "highest legal luma, % of nominal black..white (R103: 105)" },
    { "chroma", MQC_OPT_BOOL, offsetof(LegalRange, chroma), 0, 0, 1,
      NULL, NULL, "also check Cb/Cr against the chroma band" },
    { "chroma_min_pct", MQC_OPT_DOUBLE, offsetof(LegalRange, chroma_min_pct), -5, -50, 50,
      NULL, NULL, "lowest legal Cb/Cr, % of the nominal chroma excursion (16..240 at 8 bits)" },
    { "chroma_max_pct", MQC_OPT_DOUBLE, offsetof(LegalRange, chroma_max_pct), 105, 50, 150,
      NULL, NULL, "highest legal Cb/Cr, % of the nominal chroma excursion" },
    { "max_area_pct", MQC_OPT_DOUBLE, offsetof(LegalRange, max_area_pct), 1.0, 0, 100,
      NULL, NULL, "a frame is flagged when more than this % of the samples of one plane is outside (R103: 1)" },
    { .name = NULL }
};

static const MqcEventCode legal_range_codes[] = {
    { "luma_above_max", "luma above the legal maximum on up to %.2f%% of the picture" },
    { "luma_below_min", "luma below the legal minimum on up to %.2f%% of the picture" },
    { "chroma_above_max", "chroma above the legal maximum on up to %.2f%% of the samples" },
    { "chroma_below_min", "chroma below the legal minimum on up to %.2f%% of the samples" },
    { .code = NULL }
};

static int legal_range_init(void *priv, const MqcStreamInfo *si, char *why, size_t why_len)
{
    LegalRange *s = priv;
    if (si->is_rgb) {
        snprintf(why, why_len, "R'G'B' input: legal range applies to Y'CbCr; the R'G'B' band "
                 "is the gamut check's");
        return 1;
    }
    MqcNominal n = mqc_nominal(si->bit_depth, si->full_range);
    s->lo[0] = mqc_code_at(n.black, n.white, s->luma_min_pct, n.code_max);
    s->hi[0] = mqc_code_at(n.black, n.white, s->luma_max_pct, n.code_max);
    for (int p = 1; p < 3; p++) {
        s->lo[p] = mqc_code_at(n.chroma_lo, n.chroma_hi, s->chroma_min_pct, n.code_max);
        s->hi[p] = mqc_code_at(n.chroma_lo, n.chroma_hi, s->chroma_max_pct, n.code_max);
    }
    s->planes = s->chroma && strncmp(si->pix_fmt, "gray", 4) ? 3 : 1;
    s->dsp = mqc_dsp_get();
    s->y_min = s->c_min[1] = s->c_min[2] = ~0u;
    return 0;
}

static void legal_range_measure(const void *priv, const MqcBand *band, void *slice)
{
    const LegalRange *s = priv;
    LegalRangeFrame *out = slice;
    for (int p = 0; p < s->planes; p++)
        mqc_band_plane_stats(s->dsp, band, p, s->lo[p], s->hi[p], &out->plane[p]);
}

static void legal_range_reduce(const void *priv, void *frame, const void *slice, int band)
{
    const LegalRange *s = priv;
    LegalRangeFrame *f = frame;
    const LegalRangeFrame *b = slice;
    for (int p = 0; p < s->planes; p++)
        mqc_plane_stats_merge(&f->plane[p], &b->plane[p], band == 0);
}

static double pct(uint64_t n, uint64_t of)
{
    return of ? 100.0 * (double)n / (double)of : 0;
}

static int legal_range_fold(void *priv, const MqcFrameInfo *fi, const void *frame,
                             MqcEvents *ev)
{
    LegalRange *s = priv;
    const LegalRangeFrame *f = frame;
    const MqcPlaneStats *y = &f->plane[0];
    s->y_min = y->min < s->y_min ? y->min : s->y_min;
    s->y_max = y->max > s->y_max ? y->max : s->y_max;
    for (int p = 1; p < s->planes; p++) {
        s->c_min[p] = f->plane[p].min < s->c_min[p] ? f->plane[p].min : s->c_min[p];
        s->c_max[p] = f->plane[p].max > s->c_max[p] ? f->plane[p].max : s->c_max[p];
    }
    s->frames++;

    double above = pct(y->above, y->count), below = pct(y->below, y->count);
    /* per plane: Cb out on 3% of the picture is 3%, not 1.5% of Cb+Cr together */
    double ca = 0, cb = 0;
    for (int p = 1; p < s->planes; p++) {
        double a = pct(f->plane[p].above, f->plane[p].count);
        double b = pct(f->plane[p].below, f->plane[p].count);
        ca = a > ca ? a : ca;
        cb = b > cb ? b : cb;
    }
    int flagged = 0;
    if (above > s->max_area_pct)
        mqc_events_flag(ev, "luma_above_max", fi->index, above), flagged = 1;
    if (below > s->max_area_pct)
        mqc_events_flag(ev, "luma_below_min", fi->index, below), flagged = 1;
    if (ca > s->max_area_pct)
        mqc_events_flag(ev, "chroma_above_max", fi->index, ca), flagged = 1;
    if (cb > s->max_area_pct)
        mqc_events_flag(ev, "chroma_below_min", fi->index, cb), flagged = 1;
    s->frames_flagged += flagged;
    double worst = above > below ? above : below;
    worst = ca > worst ? ca : worst;
    worst = cb > worst ? cb : worst;
    if (worst > s->worst_area_pct)
        s->worst_area_pct = worst;
    return 0;
}

static const char *const chroma_min_keys[3] = { NULL, "cb_min", "cr_min" };
static const char *const chroma_max_keys[3] = { NULL, "cb_max", "cr_max" };

static void legal_range_record(const void *priv, const void *frame, MqcRecord *rec)
{
    const LegalRange *s = priv;
    const LegalRangeFrame *f = frame;
    const MqcPlaneStats *y = &f->plane[0];
    mqc_record_int(rec, "y_min", y->min);
    mqc_record_int(rec, "y_max", y->max);
    mqc_record_double(rec, "y_avg", y->count ? (double)y->sum / (double)y->count : 0);
    mqc_record_double(rec, "range_out", y->count ? (double)(y->above + y->below) / (double)y->count
                                                 : 0);
    for (int p = 1; p < s->planes; p++) {
        mqc_record_int(rec, chroma_min_keys[p], f->plane[p].min);
        mqc_record_int(rec, chroma_max_keys[p], f->plane[p].max);
    }
}

static void legal_range_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev,
                               MqcMetrics *m)
{
    (void)si;
    (void)ev;
    const LegalRange *s = priv;
    mqc_metric_int(m, "luma_min_code", s->lo[0]);
    mqc_metric_int(m, "luma_max_code", s->hi[0]);
    if (s->planes == 3) {
        mqc_metric_int(m, "chroma_min_code", s->lo[1]);
        mqc_metric_int(m, "chroma_max_code", s->hi[1]);
    }
    if (s->frames) {
        mqc_metric_int(m, "y_min", s->y_min);
        mqc_metric_int(m, "y_max", s->y_max);
        for (int p = 1; p < s->planes; p++) {
            mqc_metric_int(m, chroma_min_keys[p], s->c_min[p]);
            mqc_metric_int(m, chroma_max_keys[p], s->c_max[p]);
        }
    }
    mqc_metric_int(m, "frames_out_of_range", s->frames_flagged);
    mqc_metric_double(m, "worst_area_pct", s->worst_area_pct);
}

/* the curves of the HTML timeline: luma in code values with the legal band,
 * and the share of samples outside it (gamut adds its own to that chart) */
static const MqcChart luma_chart = {
    .title = "luma (code)", .unit = "", .scale = 1, .axis = MQC_AXIS_CODE,
    .limits = { { MQC_FROM_METRICS, "luma_max_code", "legal maximum", 1 },
                { MQC_FROM_METRICS, "luma_min_code", "legal minimum", 1 } },
};

static const MqcChart outside_chart = {
    .title = "outside (% peak)", .unit = "%", .scale = 100, .axis = MQC_AXIS_AUTO, .max = 100,
    .limits = { { MQC_FROM_PARAMS, "max_area_pct", "max_area_pct", 1 } },
};

static const MqcSeries legal_range_series[] = {
    { "y_min", "luma min", "code", &luma_chart, MQC_STAT_MIN, "#1565c0" },
    { "y_max", "luma max", "code", &luma_chart, MQC_STAT_MAX, "#c62828" },
    { "y_avg", "luma average", "code", &luma_chart, MQC_STAT_MEAN, "#2e7d32" },
    { "range_out", "out of legal range", "fraction", &outside_chart, MQC_STAT_MAX, "#e65100" },
    { "cb_min", "Cb min", "code", NULL, MQC_STAT_MIN, NULL },
    { "cb_max", "Cb max", "code", NULL, MQC_STAT_MAX, NULL },
    { "cr_min", "Cr min", "code", NULL, MQC_STAT_MIN, NULL },
    { "cr_max", "Cr max", "code", NULL, MQC_STAT_MAX, NULL },
    { .key = NULL }
};

static const MqcOverlay legal_range_overlay = {
    .min_param = "luma_min_pct", .max_param = "luma_max_pct",
    .label = "luma outside the legal band",
};

const MqcCheck mqc_check_legal_range = {
    .name = "legal_range",
    .summary = "luma (and optionally chroma) code values outside the legal band, EBU R103",
    .default_severity = MQC_SEV_ERROR,
    .options = legal_range_options,
    .codes = legal_range_codes,
    .priv_size = sizeof(LegalRange),
    .slice_size = sizeof(LegalRangeFrame),
    .frame_size = sizeof(LegalRangeFrame),
    .init = legal_range_init,
    .measure = legal_range_measure,
    .reduce = legal_range_reduce,
    .fold = legal_range_fold,
    .record = legal_range_record,
    .finish = legal_range_finish,
    .series = legal_range_series,
    .overlay = &legal_range_overlay,
    .stage = &mqc_stage_histograms,
    .stage_needs = MQC_NEED_PLANE_STATS,
};
