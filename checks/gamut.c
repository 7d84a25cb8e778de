/* gamut: R'G'B' outside the EBU R103 band (-5%..105% by default), and
 * optionally colours outside a target gamut (OpenColorIO).
 *
 * Y'CbCr is converted with the stream's matrix (BT.601/709/2020 NCL) in
 * integer fixed point, so the 8- and 16-bit kernels are exact and results
 * cannot depend on threads or bands. See docs/gamut.md. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../engine/mediaqc.h"
#include "gamut.h"
#include "ocio_shim.h"
#include "../engine/range.h"

/* ---- the row loop around the kernels ---- */

static void term_range(int64_t c, int64_t a, int64_t b, int64_t *lo, int64_t *hi)
{
    const int64_t x = c * a, y = c * b;
    *lo += x < y ? x : y;
    *hi += x < y ? y : x;
}

/* Does a box of codes (per plane min/max) map wholly inside the band? The
 * values are affine in the codes, so each component's extremes over the
 * box are at two of its 8 corners. */
static int box_inside(const MqcGamutKernel *k, const unsigned mn[3], const unsigned mx[3])
{
    int64_t lo[3], hi[3];
    if (k->is_rgb) {
        for (int c = 0; c < 3; c++) {
            lo[c] = (int64_t)mn[c] << k->frac_bits;
            hi[c] = (int64_t)mx[c] << k->frac_bits;
        }
    } else {
        const int64_t z = k->chroma_zero;
        const int64_t u0 = (int64_t)mn[1] - z, u1 = (int64_t)mx[1] - z;
        const int64_t v0 = (int64_t)mn[2] - z, v1 = (int64_t)mx[2] - z;
        for (int c = 0; c < 3; c++) {
            lo[c] = (int64_t)k->y_gain * mn[0] + k->offset;
            hi[c] = (int64_t)k->y_gain * mx[0] + k->offset;
        }
        term_range(k->r_cr, v0, v1, &lo[0], &hi[0]);
        term_range(k->g_cb, u0, u1, &lo[1], &hi[1]);
        term_range(k->g_cr, v0, v1, &lo[1], &hi[1]);
        term_range(k->b_cb, u0, u1, &lo[2], &hi[2]);
    }
    for (int c = 0; c < 3; c++)
        if (lo[c] < k->t_lo || hi[c] >= k->t_hi)
            return 0;
    return 1;
}

/* Linear light of E' by linear interpolation in the LUT (extrapolating
 * the end segments beyond its domain). */
static inline float lut_linear(const MqcGamutTarget *t, float e)
{
    const float pos = (e - MQC_GAMUT_LUT_MIN) *
                      ((float)MQC_GAMUT_LUT_SIZE / (MQC_GAMUT_LUT_MAX - MQC_GAMUT_LUT_MIN));
    int i = pos < 0 ? 0 : pos >= MQC_GAMUT_LUT_SIZE ? MQC_GAMUT_LUT_SIZE - 1 : (int)pos;
    return t->lut[i] + (t->lut[i + 1] - t->lut[i]) * (pos - (float)i);
}

/* Linear pixels waiting for OpenColorIO, one row's worth at most. */
#define TARGET_CHUNK 1024
typedef struct TargetBuffer {
    int n;
    float rgb[3 * TARGET_CHUNK];
} TargetBuffer;

static void target_flush(const MqcGamutTarget *t, TargetBuffer *tb, MqcGamutCounts *c)
{
    if (!tb->n)
        return;
    mqc_ocio_apply(t->proc, tb->rgb, tb->n);
    uint64_t out = 0;
    for (int i = 0; i < tb->n; i++) {
        const float *p = tb->rgb + 3 * i;
        float lo = p[0] < p[1] ? p[0] : p[1];
        lo = p[2] < lo ? p[2] : lo;
        out += lo < -t->tolerance;
    }
    c->target_out += out;
    tb->n = 0;
}

static void target_segment(const MqcGamutKernel *k, const MqcGamutTarget *t,
                           int32_t v[3][MQC_GAMUT_SEGMENT + 4], int n, TargetBuffer *tb,
                           MqcGamutCounts *c)
{
    if (tb->n + n > TARGET_CHUNK)
        target_flush(t, tb, c);
    float *dst = tb->rgb + 3 * tb->n;
    /* R, G, B order for OCIO (the segment buffer is R, G, B too) */
    for (int i = 0; i < n; i++)
        for (int ch = 0; ch < 3; ch++)
            dst[3 * i + ch] = lut_linear(
                t, (float)mqc_gamut_filtered(v[ch], i, k->taps) * t->scale + t->bias);
    tb->n += n;
}

/* Is every value of pixels [xa, xb) inside the band? */
static int span_inside(const MqcGamutKernel *k, MqcGamutMinMaxFn min_max,
                       const void *const p[3], int s, int xa, int xb)
{
    unsigned mn[3], mx[3];
    min_max(p[0], xa, xb, &mn[0], &mx[0]);
    for (int c = 1; c < 3; c++)
        min_max(p[c], xa >> s, ((xb - 1) >> s) + 1, &mn[c], &mx[c]);
    return box_inside(k, mn, mx);
}

static void rows(const MqcDsp *d, const MqcGamutKernel *k, const MqcGamutTarget *t,
                 const MqcPicture *pic, int y0, int y1, MqcGamutCounts *out)
{
    const int w = pic->width, h = k->taps / 2, idx = k->sample_index;
    const MqcGamutMinMaxFn min_max = d->gamut_min_max[idx];
    const MqcGamutSpanFn span = d->gamut_span[idx];
    int32_t v[3][MQC_GAMUT_SEGMENT + 4];
    TargetBuffer tb = { .n = 0 };
    for (int y = y0; y < y1; y++) {
        const void *p[3];
        const int s = mqc_gamut_row_planes(pic, y, p);
        /* the fused kernel covers the common case: no low-pass, no target */
        const MqcGamutCountFn count =
            !k->is_rgb && k->taps == 1 && !t && s <= 1 ? d->gamut_yuv_count[idx] : NULL;
        for (int x0 = 0; x0 < w; x0 += MQC_GAMUT_SEGMENT) {
            const int n = w - x0 < MQC_GAMUT_SEGMENT ? w - x0 : MQC_GAMUT_SEGMENT;
            /* the low-pass reads h pixels either side, the row's edge repeated */
            const int xa = x0 - h > 0 ? x0 - h : 0;
            const int xb = x0 + n + h < w ? x0 + n + h : w;
            out->pixels += (uint64_t)n;
            if (k->shortcut && !t && span_inside(k, min_max, p, s, xa, xb))
                continue;
            if (count) {
                count(k, p[0], p[1], p[2], s, x0, n, out);
                continue;
            }
            const int first = xa - (x0 - h), last = first + (xb - xa);
            span(k, p, s, xa, xb - xa, v[0] + first, v[1] + first, v[2] + first);
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < first; i++)
                    v[c][i] = v[c][first];
                for (int i = last; i < n + 2 * h; i++)
                    v[c][i] = v[c][last - 1];
            }
            mqc_gamut_count_values(k, v, n, out);
            if (t)
                target_segment(k, t, v, n, &tb, out);
        }
        /* flushing at every row end keeps OCIO's pixel grouping a function
         * of the row alone, whatever the band */
        if (t)
            target_flush(t, &tb, out);
    }
}

/* ---- kernel setup and entry points ---- */

void mqc_gamut_target_init(MqcGamutTarget *t, const MqcGamutKernel *k, MqcTransfer tf,
                           const MqcOcioProcessor *proc, double tolerance)
{
    t->proc = proc;
    t->tolerance = (float)tolerance;
    const double range = k->white - k->black;
    t->scale = (float)(1.0 / (k->weight * ldexp(1, k->frac_bits) * range));
    t->bias = (float)(-k->black / range);
    const double step = (MQC_GAMUT_LUT_MAX - MQC_GAMUT_LUT_MIN) / MQC_GAMUT_LUT_SIZE;
    for (int i = 0; i <= MQC_GAMUT_LUT_SIZE; i++) {
        const double lin = mqc_transfer_linear(tf, MQC_GAMUT_LUT_MIN + i * step);
        t->lut[i] = (float)(isfinite(lin) && fabs(lin) < 1e30 ? lin : copysign(1e30, lin));
    }
}

void mqc_gamut_rows(const MqcDsp *d, const MqcGamutKernel *k, const MqcGamutTarget *t,
                    const MqcPicture *pic, int y0, int y1, MqcGamutCounts *out)
{
    memset(out, 0, sizeof(*out));
    /* clamped to the band's edges: in-band pixels cannot move them */
    out->max_sum = ((int64_t)k->t_hi - 1) * k->weight;
    out->min_sum = (int64_t)k->t_lo * k->weight;
    rows(d, k, t, pic, y0, y1, out);
}

void mqc_gamut_counts_merge(MqcGamutCounts *a, const MqcGamutCounts *b, int first)
{
    if (first) {
        *a = *b;
        return;
    }
    a->pixels += b->pixels;
    a->above += b->above;
    a->below += b->below;
    a->out += b->out;
    a->target_out += b->target_out;
    a->max_sum = b->max_sum > a->max_sum ? b->max_sum : a->max_sum;
    a->min_sum = b->min_sum < a->min_sum ? b->min_sum : a->min_sum;
}

double mqc_gamut_sum_pct(const MqcGamutKernel *k, int64_t sum)
{
    const double code = (double)sum / k->weight / ldexp(1, k->frac_bits);
    return 100.0 * (code - k->black) / (k->white - k->black);
}

/* ---- the check ---- */

static const char *const matrix_names[] = { "auto", "bt601", "bt709", "bt2020", NULL };
static const char *const upsampling_names[] = { "nearest", NULL };
static const char *const lowpass_names[] = { "none", "3tap", "5tap", NULL };
static const char *const transfer_names[] = { "auto", "bt1886", "pq", "hlg", "linear", NULL };

typedef struct Gamut {
    /* options */
    double rgb_min_pct, rgb_max_pct, max_area_pct;
    int matrix;                 /* index into matrix_names */
    int chroma_upsampling;
    int lowpass;
    int block_shortcut;
    char *target, *source, *ocio_config;
    int transfer;               /* index into transfer_names */
    double tolerance;
    /* for this stream */
    const MqcDsp *dsp;
    MqcGamutKernel k;
    int use_target;
    char matrix_used[48], source_used[64], transfer_used[16], config_used[1024];
    /* temporal state */
    int64_t frames, frames_flagged, frames_outside_target;
    double worst_area_pct, worst_target_pct;
    double worst_max_pct, worst_min_pct;    /* R'G'B' extremes of out-of-band pixels */
    int64_t worst_max_frame, worst_min_frame;
    MqcGamutTarget t;           /* last: large */
} Gamut;

static const MqcOption gamut_options[] = {
    { "rgb_min_pct", MQC_OPT_DOUBLE, offsetof(Gamut, rgb_min_pct), -5, -50, 50, NULL, NULL,
      "lowest legal R', G', B', % of nominal black..white (R103: -5; 8-bit code 5, 10-bit 20)" },
    { "rgb_max_pct", MQC_OPT_DOUBLE, offsetof(Gamut, rgb_max_pct), 105, 50, 150, NULL, NULL,
      "highest legal R', G', B', % of nominal black..white (R103: 105; 8-bit code 246, "
      "10-bit 984)" },
    { "max_area_pct", MQC_OPT_DOUBLE, offsetof(Gamut, max_area_pct), 1.0, 0, 100, NULL, NULL,
      "a frame is flagged when more than this % of its pixels is outside (R103: 1)" },
    { "matrix", MQC_OPT_ENUM, offsetof(Gamut, matrix), 0, 0, 0, matrix_names, NULL,
      "Y'CbCr to R'G'B' matrix; auto: the stream's tag, untagged: bt709 from 720 lines up, "
      "bt601 below" },
    { "chroma_upsampling", MQC_OPT_ENUM, offsetof(Gamut, chroma_upsampling), 0, 0, 0,
      upsampling_names, NULL,
      "how 4:2:2/4:2:0 chroma reaches every pixel: nearest (each chroma sample repeated)" },
    { "lowpass", MQC_OPT_ENUM, offsetof(Gamut, lowpass), 0, 0, 0, lowpass_names, NULL,
      "horizontal low-pass of R'G'B' before measuring (R103 v3), so codec ringing on edges "
      "is not counted: 3tap = [1 2 1]/4, 5tap = [1 4 6 4 1]/16" },
    { "block_shortcut", MQC_OPT_BOOL, offsetof(Gamut, block_shortcut), 1, 0, 1, NULL, NULL,
      "skip 64-pixel row segments whose Y/Cb/Cr bounding box maps inside the band "
      "(same results, faster)" },
    { "target", MQC_OPT_STRING, offsetof(Gamut, target), 0, 0, 0, NULL, NULL,
      "target gamut (OCIO colour space, e.g. Rec.709, P3-D65): count colours outside it" },
    { "source", MQC_OPT_STRING, offsetof(Gamut, source), 0, 0, 0, NULL, NULL,
      "the master's colour space; default from the primaries tag (bt709: Rec.709, "
      "bt2020: Rec.2020, smpte432: P3-D65)" },
    { "transfer", MQC_OPT_ENUM, offsetof(Gamut, transfer), 0, 0, 0, transfer_names, NULL,
      "decoding to linear light for the target test; auto: smpte2084 pq, arib-std-b67 hlg, "
      "linear linear, else bt1886 (gamma 2.4)" },
    { "tolerance", MQC_OPT_DOUBLE, offsetof(Gamut, tolerance), 0.001, 0, 1, NULL, NULL,
      "a colour is outside the target when a component is below -tolerance (linear light, "
      "1 = nominal peak)" },
    { "ocio_config", MQC_OPT_STRING, offsetof(Gamut, ocio_config), 0, 0, 0, NULL, NULL,
      "OpenColorIO config for the target test; default $OCIO, else the shipped "
      "profiles/ocio/config.ocio" },
    { .name = NULL }
};

static const MqcEventCode gamut_codes[] = {
    { "rgb_above_max", "R'G'B' above the gamut maximum on up to %.2f%% of the picture" },
    { "rgb_below_min", "R'G'B' below the gamut minimum on up to %.2f%% of the picture" },
    { "outside_target_gamut", "colours outside the target gamut on up to %.2f%% of the picture" },
    { .code = NULL }
};

/* auto: the tag; untagged: by picture height. 1: skip (why filled). */
static int choose_matrix(Gamut *s, const MqcStreamInfo *si, MqcGamutMatrix *m, char *why,
                         size_t why_len)
{
    if (s->matrix > 0) {
        *m = (MqcGamutMatrix)(s->matrix - 1);
        snprintf(s->matrix_used, sizeof(s->matrix_used), "%s (option)", matrix_names[s->matrix]);
        return 0;
    }
    if (!mqc_gamut_matrix_from_tag(si->color_matrix, m)) {
        snprintf(s->matrix_used, sizeof(s->matrix_used), "%s (tag %s)", matrix_names[*m + 1],
                 si->color_matrix);
        return 0;
    }
    if (strcmp(si->color_matrix, "unknown") && strcmp(si->color_matrix, "reserved")) {
        snprintf(why, why_len, "matrix '%s' is not BT.601/709/2020 NCL; set gamut.matrix to "
                 "override", si->color_matrix);
        return 1;
    }
    *m = si->height >= 720 ? MQC_MATRIX_BT709 : MQC_MATRIX_BT601;
    snprintf(s->matrix_used, sizeof(s->matrix_used), "%s (untagged, %d lines)",
             matrix_names[*m + 1], si->height);
    return 0;
}

static int setup_target(Gamut *s, const MqcStreamInfo *si, MqcGamutMatrix m, char *why,
                        size_t why_len)
{
    static const struct { const char *tag, *space; } primaries[] = {
        { "bt709", "Rec.709" }, { "bt2020", "Rec.2020" }, { "smpte432", "P3-D65" },
    };
    const char *env = getenv("OCIO");
    if (s->ocio_config && *s->ocio_config)
        snprintf(s->config_used, sizeof(s->config_used), "%s", s->ocio_config);
    else if (env && *env)
        snprintf(s->config_used, sizeof(s->config_used), "%s", env);
    else if (mqc_data_dir())
        snprintf(s->config_used, sizeof(s->config_used), "%s/profiles/ocio/config.ocio",
                 mqc_data_dir());
    else {
        snprintf(why, why_len, "no OCIO config: the shipped one is not installed beside the "
                 "program; set $OCIO or gamut.ocio_config");
        return MQC_ERR_PROFILE;
    }
    if (s->source && *s->source) {
        snprintf(s->source_used, sizeof(s->source_used), "%s", s->source);
    } else {
        for (size_t i = 0; i < sizeof(primaries) / sizeof(primaries[0]); i++)
            if (!strcmp(si->color_primaries, primaries[i].tag))
                snprintf(s->source_used, sizeof(s->source_used), "%s", primaries[i].space);
        if (!s->source_used[0] && strcmp(si->color_primaries, "unknown")) {
            snprintf(why, why_len, "primaries '%s' name no colour space of the config; set "
                     "gamut.source", si->color_primaries);
            return MQC_ERR_PROFILE;
        }
        if (!s->source_used[0])   /* untagged: follow the matrix */
            snprintf(s->source_used, sizeof(s->source_used), "%s",
                     m == MQC_MATRIX_BT2020 ? "Rec.2020" : "Rec.709");
    }
    MqcTransfer tf = (MqcTransfer)(s->transfer - 1);
    if (s->transfer == 0)
        tf = !strcmp(si->color_trc, "smpte2084") ? MQC_TRANSFER_PQ
             : !strcmp(si->color_trc, "arib-std-b67") ? MQC_TRANSFER_HLG
             : !strcmp(si->color_trc, "linear") ? MQC_TRANSFER_LINEAR : MQC_TRANSFER_BT1886;
    snprintf(s->transfer_used, sizeof(s->transfer_used), "%s", transfer_names[tf + 1]);

    const MqcOcioProcessor *proc;
    char err[512];
    if (mqc_ocio_processor(s->config_used, s->source_used, s->target, &proc, err,
                           sizeof(err)) < 0) {
        snprintf(why, why_len, "%s", err);
        return MQC_ERR_PROFILE;
    }
    mqc_gamut_target_init(&s->t, &s->k, tf, proc, s->tolerance);
    s->use_target = 1;
    return 0;
}

static int gamut_init(void *priv, const MqcStreamInfo *si, char *why, size_t why_len)
{
    Gamut *s = priv;
    MqcGamutMatrix m = MQC_MATRIX_BT709;
    s->dsp = mqc_dsp_get();
    s->worst_max_frame = s->worst_min_frame = -1;
    if (!si->is_rgb && !strncmp(si->pix_fmt, "gray", 4)) {
        snprintf(why, why_len, "greyscale input: R'=G'=B'=Y', legal_range covers it");
        return 1;
    }
    if (!si->is_rgb) {
        int r = choose_matrix(s, si, &m, why, why_len);
        if (r)
            return r;
    } else {
        snprintf(s->matrix_used, sizeof(s->matrix_used), "none (R'G'B' input)");
    }
    static const int taps[] = { 1, 3, 5 };
    int r = mqc_gamut_kernel_init(&s->k, m, si->bit_depth, si->full_range, si->is_rgb,
                                  s->rgb_min_pct, s->rgb_max_pct, taps[s->lowpass],
                                  s->block_shortcut);
    if (r < 0) {
        snprintf(why, why_len, "bit depth %d is not supported", si->bit_depth);
        return 1;
    }
    if (s->target && *s->target)
        return setup_target(s, si, m, why, why_len);
    return 0;
}

static void gamut_measure(const void *priv, const MqcBand *band, void *slice)
{
    const Gamut *s = priv;
    mqc_gamut_rows(s->dsp, &s->k, s->use_target ? &s->t : NULL, band->pic, band->y0, band->y1,
                   slice);
}

static void gamut_reduce(const void *priv, void *frame, const void *slice, int band)
{
    (void)priv;
    mqc_gamut_counts_merge(frame, slice, band == 0);
}

static double pct(uint64_t n, uint64_t of)
{
    return of ? 100.0 * (double)n / (double)of : 0;
}

static int gamut_fold(void *priv, const MqcFrameInfo *fi, const void *frame, MqcEvents *ev)
{
    Gamut *s = priv;
    const MqcGamutCounts *c = frame;
    const double above = pct(c->above, c->pixels), below = pct(c->below, c->pixels);
    const double outside = pct(c->target_out, c->pixels);
    s->frames++;
    int flagged = 0;
    if (above > s->max_area_pct)
        mqc_events_flag(ev, "rgb_above_max", fi->index, above), flagged = 1;
    if (below > s->max_area_pct)
        mqc_events_flag(ev, "rgb_below_min", fi->index, below), flagged = 1;
    s->frames_flagged += flagged;
    if (s->use_target && outside > s->max_area_pct) {
        mqc_events_flag(ev, "outside_target_gamut", fi->index, outside);
        s->frames_outside_target++;
    }
    const double worst = above > below ? above : below;
    s->worst_area_pct = worst > s->worst_area_pct ? worst : s->worst_area_pct;
    s->worst_target_pct = outside > s->worst_target_pct ? outside : s->worst_target_pct;
    /* the sums are clamped to the band's edges: only real excursions move them */
    const double mx = mqc_gamut_sum_pct(&s->k, c->max_sum);
    const double mn = mqc_gamut_sum_pct(&s->k, c->min_sum);
    if (c->above && (s->worst_max_frame < 0 || mx > s->worst_max_pct)) {
        s->worst_max_pct = mx;
        s->worst_max_frame = fi->index;
    }
    if (c->below && (s->worst_min_frame < 0 || mn < s->worst_min_pct)) {
        s->worst_min_pct = mn;
        s->worst_min_frame = fi->index;
    }
    return 0;
}

static void gamut_record(const void *priv, const void *frame, MqcRecord *rec)
{
    const Gamut *s = priv;
    const MqcGamutCounts *c = frame;
    mqc_record_double(rec, "gamut_out", c->pixels ? (double)c->out / (double)c->pixels : 0);
    if (s->use_target)
        mqc_record_double(rec, "target_out",
                          c->pixels ? (double)c->target_out / (double)c->pixels : 0);
}

static void gamut_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m)
{
    (void)si;
    (void)ev;
    const Gamut *s = priv;
    mqc_metric_string(m, "matrix_used", s->matrix_used);
    mqc_metric_string(m, "code_scale", s->k.is_rgb ? "the stream's R'G'B' codes"
                                                   : "limited-range R'G'B' codes");
    mqc_metric_int(m, "rgb_min_code", s->k.lo_code);
    mqc_metric_int(m, "rgb_max_code", s->k.hi_code);
    mqc_metric_int(m, "frames_out_of_gamut", s->frames_flagged);
    mqc_metric_double(m, "worst_area_pct", s->worst_area_pct);
    if (s->worst_max_frame >= 0) {
        mqc_metric_double(m, "worst_rgb_max_pct", s->worst_max_pct);
        mqc_metric_int(m, "worst_rgb_max_frame", s->worst_max_frame);
    }
    if (s->worst_min_frame >= 0) {
        mqc_metric_double(m, "worst_rgb_min_pct", s->worst_min_pct);
        mqc_metric_int(m, "worst_rgb_min_frame", s->worst_min_frame);
    }
    if (s->use_target) {
        mqc_metric_string(m, "source", s->source_used);
        mqc_metric_string(m, "transfer_used", s->transfer_used);
        mqc_metric_string(m, "ocio_config", s->config_used);
        mqc_metric_int(m, "frames_outside_target", s->frames_outside_target);
        mqc_metric_double(m, "worst_target_area_pct", s->worst_target_pct);
    }
}

/* shares legal_range's chart (same title); that check's chart gives the axis
 * and the max_area_pct line, as R103 uses one area limit for both */
static const MqcChart outside_chart = {
    .title = "outside (% peak)", .unit = "%", .scale = 100, .axis = MQC_AXIS_AUTO, .max = 100,
};

static const MqcSeries gamut_series[] = {
    { "gamut_out", "out of gamut", "fraction", &outside_chart, MQC_STAT_MAX, "#6a1b9a" },
    { "target_out", "outside the target gamut", "fraction", NULL, MQC_STAT_MAX, NULL },
    { .key = NULL }
};

const MqcCheck mqc_check_gamut = {
    .name = "gamut",
    .summary = "R'G'B' outside the EBU R103 band (Y'CbCr via the stream's matrix), and "
               "colours outside a target gamut (OpenColorIO)",
    .default_severity = MQC_SEV_ERROR,
    .options = gamut_options,
    .codes = gamut_codes,
    .priv_size = sizeof(Gamut),
    .slice_size = sizeof(MqcGamutCounts),
    .frame_size = sizeof(MqcGamutCounts),
    .init = gamut_init,
    .measure = gamut_measure,
    .reduce = gamut_reduce,
    .fold = gamut_fold,
    .record = gamut_record,
    .finish = gamut_finish,
    .series = gamut_series,
};
