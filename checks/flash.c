/* flash: photosensitive-epilepsy screening after ITU-R BT.1702 (and the
 * Ofcom guidance that applies it). A screening, not a certificate: see
 * docs/structure.md for the reading implemented and where it differs from a
 * certified analyser (Harding FPA, ...).
 *
 * Display light: every step-th pixel of every step-th row (about 240
 * samples across, whatever the size) is converted to R'G'B' with the
 * stream's matrix (the gamut check's fixed-point kernel), then to linear
 * light on the reference display: BT.1886 (a 2.4 power) on a display of
 * display_nits (200 cd/m2, BT.1702's SDR assumption); PQ (ST 2084) in
 * absolute cd/m2; HLG on a 1000 cd/m2 display (BT.2100, its OOTF applied to
 * each region's mean). The screen is cut into a 32x32 grid of regions;
 * each region's mean luminance and mean saturated-red excess
 * ((R - G - B) x 320 over pixels with R / (R + G + B) >= 0.8, linear) are
 * integer sums, so results do not depend on bands or threads.
 *
 * Transitions, per region: a run of frame-to-frame changes in one direction
 * (changes within +-1 cd/m2 pause it, a change the other way ends it) is a
 * transition once it has moved luminance_delta (20 cd/m2) with its darker
 * state below dark_limit (160 cd/m2); the red excess likewise by 20, with
 * no darker-state condition. A flash is a pair of opposing transitions.
 * Area: the rate a frame is flagged at is the highest number of transitions
 * within the last second that regions covering min_area_pct (25%) of the
 * screen all reach; more than max_flashes_per_s (3) flashes, i.e. more
 * than 6 transitions, flags the frame: general_flash, red_flash. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "../engine/check.h"
#include "dsp/dsp.h"
#include "dsp/transfer.h"
#include "gamut.h"
#include "../engine/range.h"

#define GRID 32
#define REGIONS (GRID * GRID)
#define SAMPLES_ACROSS 240          /* sampling step: width / this, at least 1 */
#define SAMPLES_MAX (2 * SAMPLES_ACROSS) /* sampled pixels a row: ceil(width / step) < this */
#define PAUSE_NITS 1.0              /* smaller changes neither extend nor end a run */
#define RED_SCALE 320.0             /* red excess units (WCAG/Trace, BT.1702 practice) */
#define WINDOW_MAX 128              /* transitions remembered per region: frames */

typedef enum Transfer { TF_SDR, TF_PQ, TF_HLG } Transfer;
static const char *const transfer_names[] = { "bt1886", "pq", "hlg" };

/* A run of changes of one region's signal in one direction. */
typedef struct Tracker {
    double acc;                     /* signed change so far */
    double darker;                  /* darkest state of the run */
    int dir;                        /* +1, -1, 0 before the first change */
    int counted;                    /* the run already made a transition */
    uint64_t hist[2];               /* transition per frame, bit 0 = this frame */
} Tracker;

typedef struct Flash {
    /* options */
    double min_area_pct;
    double max_flashes_per_s;
    double luminance_delta;
    double dark_limit;
    double display_nits;
    int red;
    /* stream facts */
    MqcFlashKernel k;
    const MqcDsp *dsp;
    int sample_index;
    int width, height, step;
    int xs[GRID + 1];               /* first sampled column of each region column */
    int first_pixel[GRID + 1];      /* xs / step: its index among a row's sampled pixels */
    Transfer tf;
    double peak;                    /* cd/m2 of linear 1.0 */
    int window;                     /* frames in one second */
    /* temporal state */
    int have_prev;
    double prev_lum[REGIONS], prev_red[REGIONS];
    Tracker lum[REGIONS], redt[REGIONS];
    int64_t frames, flash_frames, red_frames, transitions;
    double max_rate, max_red_rate;
    int64_t max_rate_frame, max_red_rate_frame;
    double last_nits, last_rate;    /* of the frame folded last, for its record */
} Flash;

typedef struct FlashSums {
    uint64_t lum[REGIONS], red[REGIONS];
    uint32_t count[REGIONS];
    /* a band's partial: only regions [r0, r1) (the band's rows of the grid)
     * are written and added, not all 20 KB of them */
    int r0, r1;
} FlashSums;


static const MqcOption flash_options[] = {
    { "min_area_pct", MQC_OPT_DOUBLE, offsetof(Flash, min_area_pct), 25, 1, 100, NULL, NULL,
      "flashing counts when regions covering this % of the screen flash together "
      "(BT.1702: 25; Ofcom's stricter practice: 20)" },
    { "max_flashes_per_s", MQC_OPT_DOUBLE, offsetof(Flash, max_flashes_per_s), 3, 0, 30, NULL,
      NULL, "more flashes than this within any one second are reported" },
    { "luminance_delta", MQC_OPT_DOUBLE, offsetof(Flash, luminance_delta), 20, 1, 1000, NULL,
      NULL, "a transition changes luminance by at least this many cd/m2" },
    { "dark_limit", MQC_OPT_DOUBLE, offsetof(Flash, dark_limit), 160, 1, 10000, NULL, NULL,
      "a luminance transition counts when its darker state is below this many cd/m2" },
    { "display_nits", MQC_OPT_DOUBLE, offsetof(Flash, display_nits), 200, 50, 1000, NULL, NULL,
      "peak white of the SDR reference display (BT.1702: 200 cd/m2)" },
    { "red", MQC_OPT_BOOL, offsetof(Flash, red), 1, 0, 1, NULL, NULL,
      "also screen saturated-red transitions (red_flash)" },
    { .name = NULL }
};

static const MqcEventCode flash_codes[] = {
    { "general_flash", "%.1f flashes per second over the flash area (BT.1702 limit: 3)" },
    { "red_flash", "%.1f saturated-red flashes per second over the flash area (limit: 3)" },
    { .code = NULL }
};

static MqcGamutMatrix pick_matrix(const MqcStreamInfo *si)
{
    if (!strcmp(si->color_matrix, "bt2020nc") || !strcmp(si->color_matrix, "bt2020c"))
        return MQC_MATRIX_BT2020;
    if (!strcmp(si->color_matrix, "bt470bg") || !strcmp(si->color_matrix, "smpte170m"))
        return MQC_MATRIX_BT601;
    if (!strcmp(si->color_matrix, "bt709"))
        return MQC_MATRIX_BT709;
    return si->height >= 720 ? MQC_MATRIX_BT709 : MQC_MATRIX_BT601;
}

static int flash_init(void *priv, const MqcStreamInfo *si, char *why, size_t why_len)
{
    Flash *s = priv;
    if (!si->is_rgb && !strncmp(si->pix_fmt, "gray", 4)) {
        snprintf(why, why_len, "greyscale input: no colour to screen");
        return 1;
    }
    MqcGamutMatrix m = pick_matrix(si);
    MqcGamutKernel gk;
    if (mqc_gamut_kernel_init(&gk, m, si->bit_depth, si->full_range, si->is_rgb, 0, 100, 1,
                              0) < 0) {
        snprintf(why, why_len, "bit depth %d is not supported", si->bit_depth);
        return 1;
    }
    MqcFlashKernel *k = &s->k;
    k->is_rgb = si->is_rgb;
    k->y_gain = gk.y_gain;
    k->offset = gk.offset;
    k->chroma_zero = gk.chroma_zero;
    k->r_cr = gk.r_cr;
    k->g_cb = gk.g_cb;
    k->g_cr = gk.g_cr;
    k->b_cb = gk.b_cb;
    const double unit = si->is_rgb ? 1 : ldexp(1, gk.frac_bits);
    k->scale = (float)(1.0 / (unit * (gk.white - gk.black)));
    k->bias = (float)(-gk.black / (gk.white - gk.black));
    /* luminance weights of the primaries the matrix belongs to */
    static const double kr_kb[3][2] = { { 0.299, 0.114 }, { 0.2126, 0.0722 },
                                        { 0.2627, 0.0593 } };
    const double kr = si->is_rgb ? 0.2126 : kr_kb[m][0], kb = si->is_rgb ? 0.0722 : kr_kb[m][1];
    k->wr = (uint32_t)lround(kr * 65536);
    k->wb = (uint32_t)lround(kb * 65536);
    k->wg = 65536 - k->wr - k->wb;
    s->tf = !strcmp(si->color_trc, "smpte2084") ? TF_PQ
            : !strcmp(si->color_trc, "arib-std-b67") ? TF_HLG : TF_SDR;
    static const MqcTransfer curves[] = { MQC_TRANSFER_BT1886, MQC_TRANSFER_PQ,
                                               MQC_TRANSFER_HLG };
    s->peak = s->tf == TF_PQ ? 10000 : s->tf == TF_HLG ? 1000 : s->display_nits;
    for (int i = 0; i <= MQC_FLASH_LUT; i++) {
        double lin = mqc_transfer_linear(curves[s->tf], (double)i / MQC_FLASH_LUT);
        lin = lin < 0 ? 0 : lin > 1 ? 1 : lin;
        k->lut[i] = (uint32_t)lround(lin * 65536);
    }
    s->dsp = mqc_dsp_get();
    s->sample_index = si->bit_depth > 8;
    s->width = si->width;
    s->height = si->height;
    s->step = si->width / SAMPLES_ACROSS > 1 ? si->width / SAMPLES_ACROSS : 1;
    for (int bx = 0; bx <= GRID; bx++) {
        int x = (int)((int64_t)bx * si->width / GRID);
        s->xs[bx] = (x + s->step - 1) / s->step * s->step;
        s->first_pixel[bx] = s->xs[bx] / s->step;
    }
    double fps = si->rate_num > 0 && si->rate_den > 0 ? (double)si->rate_num / si->rate_den
                                                       : 25.0;
    s->window = (int)lround(fps);
    s->window = s->window < 1 ? 1 : s->window > WINDOW_MAX ? WINDOW_MAX : s->window;
    s->max_rate_frame = s->max_red_rate_frame = -1;
    return 0;
}

static void flash_measure(const void *priv, const MqcBand *band, void *slice)
{
    const Flash *s = priv;
    FlashSums *out = slice;
    const MqcPicture *pic = band->pic;
    const int cw = pic->is_rgb ? 0 : pic->log2_chroma_w;
    const int ch = pic->is_rgb ? 0 : pic->log2_chroma_h;
    const int first = (band->y0 + s->step - 1) / s->step * s->step;
    const int last = first + (band->y1 - 1 - first) / s->step * s->step;
    out->r0 = out->r1 = 0;
    if (first < band->y1) {
        out->r0 = (int)((int64_t)first * GRID / pic->height) * GRID;
        out->r1 = (int)((int64_t)last * GRID / pic->height) * GRID + GRID;
    }
    const size_t n = (size_t)(out->r1 - out->r0);
    memset(out->lum + out->r0, 0, n * sizeof(*out->lum));
    memset(out->red + out->r0, 0, n * sizeof(*out->red));
    memset(out->count + out->r0, 0, n * sizeof(*out->count));
    const int x1 = s->xs[GRID] < pic->width ? s->xs[GRID] : pic->width;
    const int bps = 1 + s->sample_index;
    const int cx1 = ((x1 - 1) >> cw) + 1;     /* chroma samples the row reads */
    uint32_t lum[SAMPLES_MAX], red[SAMPLES_MAX];
    for (int y = first; y < band->y1; y += s->step) {
        const int by = (int)((int64_t)y * GRID / pic->height);
        const uint8_t *row[3];
        for (int p = 0; p < 3; p++)
            row[p] = pic->data[p] + (p ? y >> ch : y) * pic->linesize[p];
        /* the next sampled row is far below: the hardware would not fetch it */
        const int next = y + s->step;
        if (next < band->y1)
            for (int p = 0; p < 3; p++)
                mqc_prefetch(pic->data[p] + (p ? next >> ch : next) * pic->linesize[p],
                             (size_t)(p ? cx1 : x1) * (size_t)bps);
        const int pixels = s->dsp->flash_pixels[s->sample_index](&s->k, row[0], row[1], row[2],
                                                                 cw, 0, x1, s->step, lum, red);
        for (int bx = 0; bx < GRID; bx++) {
            const int r = by * GRID + bx;
            const int i0 = s->first_pixel[bx] < pixels ? s->first_pixel[bx] : pixels;
            const int i1 = s->first_pixel[bx + 1] < pixels ? s->first_pixel[bx + 1] : pixels;
            uint64_t l = 0, rd = 0;
            for (int i = i0; i < i1; i++) {
                l += lum[i];
                rd += red[i];
            }
            out->lum[r] += l;
            out->red[r] += rd;
            out->count[r] += (uint32_t)(i1 - i0);
        }
    }
}

static void flash_reduce(const void *priv, void *frame, const void *slice, int band)
{
    (void)priv;
    FlashSums *f = frame;
    const FlashSums *b = slice;
    if (band == 0)
        memset(f, 0, sizeof(*f));
    for (int r = b->r0; r < b->r1; r++) {
        f->lum[r] += b->lum[r];
        f->red[r] += b->red[r];
        f->count[r] += b->count[r];
    }
}

/* One region's signal moved from `before` to `now`; 1 when a transition
 * completes on this frame. */
static int track(Tracker *t, double before, double now, double delta, double dark_limit)
{
    const double d = now - before;
    const double darker = before < now ? before : now;
    int done = 0;
    if (fabs(d) > PAUSE_NITS) {
        const int dir = d > 0 ? 1 : -1;
        if (dir != t->dir) {
            t->dir = dir;
            t->acc = 0;
            t->counted = 0;
            t->darker = darker;
        }
        t->acc += d;
        t->darker = darker < t->darker ? darker : t->darker;
        if (!t->counted && fabs(t->acc) >= delta && t->darker < dark_limit) {
            t->counted = 1;
            done = 1;
        }
    }
    t->hist[1] = t->hist[1] << 1 | t->hist[0] >> 63;
    t->hist[0] = t->hist[0] << 1 | (uint64_t)done;
    return done;
}

static int transitions_in_window(const Tracker *t, int window)
{
    uint64_t lo = window >= 64 ? t->hist[0] : t->hist[0] & ((UINT64_C(1) << window) - 1);
    uint64_t hi = window <= 64 ? 0
                  : window >= 128 ? t->hist[1]
                  : t->hist[1] & ((UINT64_C(1) << (window - 64)) - 1);
    return __builtin_popcountll(lo) + __builtin_popcountll(hi);
}

/* The highest transition count that regions covering min_area of the
 * sampled screen all reach within the window. */
static int area_rate(const Flash *s, const Tracker *t, const FlashSums *sums)
{
    uint64_t area[WINDOW_MAX + 1] = { 0 }, total = 0;
    for (int r = 0; r < REGIONS; r++) {
        area[transitions_in_window(&t[r], s->window)] += sums->count[r];
        total += sums->count[r];
    }
    uint64_t need = (uint64_t)ceil(s->min_area_pct / 100.0 * (double)total), have = 0;
    for (int n = WINDOW_MAX; n > 0; n--) {
        have += area[n];
        if (have && have >= need)
            return n;
    }
    return 0;
}

static int flash_fold(void *priv, const MqcFrameInfo *fi, const void *frame, MqcEvents *ev)
{
    Flash *s = priv;
    const FlashSums *f = frame;
    double lum[REGIONS], red[REGIONS], rate = 0, red_rate = 0;
    uint64_t all = 0, count = 0;
    for (int r = 0; r < REGIONS; r++) {
        const double n = f->count[r] ? f->count[r] : 1;
        double mean = (double)f->lum[r] / n / 65536;
        /* HLG: the BT.2100 OOTF (gamma 1.2 at 1000 cd/m2) on the region's mean */
        lum[r] = s->peak * (s->tf == TF_HLG ? pow(mean, 1.2) : mean);
        red[r] = RED_SCALE * (double)f->red[r] / n / 65536;
        all += f->lum[r];
        count += f->count[r];
    }
    s->frames++;
    s->last_nits = count ? s->peak * (double)all / (double)count / 65536 : 0;
    if (s->have_prev) {
        for (int r = 0; r < REGIONS; r++) {
            s->transitions += track(&s->lum[r], s->prev_lum[r], lum[r], s->luminance_delta,
                                    s->dark_limit);
            if (s->red)
                track(&s->redt[r], s->prev_red[r], red[r], s->luminance_delta, HUGE_VAL);
        }
        rate = area_rate(s, s->lum, f) / 2.0;
        red_rate = s->red ? area_rate(s, s->redt, f) / 2.0 : 0;
    }
    memcpy(s->prev_lum, lum, sizeof(lum));
    memcpy(s->prev_red, red, sizeof(red));
    s->have_prev = 1;
    s->last_rate = rate;
    if (rate > s->max_rate) {
        s->max_rate = rate;
        s->max_rate_frame = fi->index;
    }
    if (red_rate > s->max_red_rate) {
        s->max_red_rate = red_rate;
        s->max_red_rate_frame = fi->index;
    }
    if (rate > s->max_flashes_per_s) {
        s->flash_frames++;
        mqc_events_flag(ev, "general_flash", fi->index, rate);
    }
    if (red_rate > s->max_flashes_per_s) {
        s->red_frames++;
        mqc_events_flag(ev, "red_flash", fi->index, red_rate);
    }
    return 0;
}

/* record() follows this frame's fold: the values are the last folded */
static void flash_record(const void *priv, const void *frame, MqcRecord *rec)
{
    (void)frame;
    const Flash *s = priv;
    mqc_record_double(rec, "flash_nits", s->last_nits);
    mqc_record_double(rec, "flashes_per_s", s->last_rate);
}

static void flash_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m)
{
    (void)si;
    (void)ev;
    const Flash *s = priv;
    mqc_metric_double(m, "max_flashes_per_s", s->max_rate);
    mqc_metric_int(m, "max_flashes_frame", s->max_rate_frame);
    mqc_metric_int(m, "flash_frames", s->flash_frames);
    if (s->red) {
        mqc_metric_double(m, "max_red_flashes_per_s", s->max_red_rate);
        mqc_metric_int(m, "max_red_flashes_frame", s->max_red_rate_frame);
        mqc_metric_int(m, "red_flash_frames", s->red_frames);
    }
    mqc_metric_int(m, "luminance_transitions", s->transitions);
    mqc_metric_string(m, "transfer", transfer_names[s->tf]);
    mqc_metric_double(m, "display_peak_nits", s->peak);
    mqc_metric_int(m, "window_frames", s->window);
    mqc_metric_string(m, "note", "screening after ITU-R BT.1702, not a certified PSE test");
}

static const MqcChart light_chart = {
    .title = "flash: screen light (cd/m2)", .unit = "", .scale = 1, .axis = MQC_AXIS_AUTO,
    .limits = { { MQC_FROM_PARAMS, "dark_limit", "darker state limit (BT.1702)", 1 } },
};

static const MqcChart rate_chart = {
    .title = "flashes per second", .unit = "", .scale = 1, .axis = MQC_AXIS_AUTO,
    .limits = { { MQC_FROM_PARAMS, "max_flashes_per_s", "limit (BT.1702: 3)", 1 } },
};

static const MqcSeries flash_series[] = {
    { "flash_nits", "mean screen light", "cd/m2", &light_chart, MQC_STAT_MEAN, "#f9a825" },
    { "flashes_per_s", "flashes in the last second over the flash area", "1/s",
      &rate_chart, MQC_STAT_MAX, "#c62828" },
    { .key = NULL }
};

const MqcCheck mqc_check_flash = {
    .name = "flash",
    .summary = "photosensitive-epilepsy screening after ITU-R BT.1702: general and "
               "saturated-red flashes over 25% of the screen, more than 3 per second "
               "(a screening, not a certified PSE test)",
    .default_severity = MQC_SEV_ERROR,
    .options = flash_options,
    .codes = flash_codes,
    .priv_size = sizeof(Flash),
    .slice_size = sizeof(FlashSums),
    .frame_size = sizeof(FlashSums),
    .init = flash_init,
    .measure = flash_measure,
    .reduce = flash_reduce,
    .fold = flash_fold,
    .record = flash_record,
    .finish = flash_finish,
    .series = flash_series,
};
