/* interlace: field structure of the pictures, measured as ffmpeg's idet
 * does, held against what the stream declares.
 *
 * Per frame, over every row but two at each edge of every plane (or of
 * luma only, option planes), idet's sums: alpha[parity] weaves the previous
 * frame's and the next frame's lines into this frame's, delta is the
 * frame's own combing, gamma[parity] each field's change since the
 * previous frame. A frame is TFF when alpha[0] > intl_thres * alpha[1], BFF
 * the other way, progressive when alpha[1] > prog_thres * delta, else
 * undetermined; a field is repeated when its gamma is rep_thres times
 * below the other's. idet's multi-frame smoothing (a history of 4 votes)
 * gives the frame's type. Like idet, the first frame is its own previous
 * and the last its own next; since a frame needs the next one, a frame is
 * classified when the next has been measured (fold lags one frame).
 *
 * Field order: the stream's (container or codec header) when it has one,
 * else each frame's own header (interlaced, top_field_first). idet votes
 * TFF and BFF alike on sharp, fast progressive pictures (its 1.04 margin:
 * testsrc2 at 25p gets 46 TFF, 41 BFF, 13 progressive votes in 100 frames,
 * with alpha ratios up to 1.14, where woven fields give 1.7 and more), so
 * for the events a frame is evidence of an order only when its alphas
 * differ by EVIDENCE, and an order is believed when, in the last second of
 * frames, at least DOMINANT of them are evidence of it and at most a tenth
 * of the other. Counts and detected_field_order stay idet's.
 * Events: interlaced_as_progressive (a dominant order on frames declared
 * progressive), field_order_mismatch (the dominant order is the other one
 * than declared), runs shorter than min_duration_s dropped. The metric
 * field_order is the order the declaration and the measure agree on: the
 * declared one unless a dominant measured order contradicts it.
 *
 * Cadence: each frame is observed as moving, still (its fields did not
 * change), top or bottom repeated. A 3:2 pulldown repeats a pattern every
 * 5 frames (hard telecine: two repeated fields; 24p made 30p by repeating
 * frames: one still frame); three periods alike lock the cadence, and an
 * observation that contradicts it (a repeat off the pattern, motion where
 * a repeat belongs; still frames are neutral) is broken_cadence. Locked
 * frames are published as the learnt span "pulldown" (check.h): a frame a
 * cadence repeats is not a dropped-and-padded frame. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "../engine/check.h"
#include "dsp/dsp.h"
#include "../engine/range.h"

#define HIST_SIZE 4                 /* idet's multi-frame history */
#define PERIOD 5                    /* 3:2 pulldown: 4 film frames in 5 video frames */
#define LOCK_PERIODS 3              /* periods alike before a cadence is believed */
#define STILL_PCT 0.25              /* mean |field change| below this % of range: still */
#define DOMINANT 0.8                /* share of a window's votes that makes an order */
#define EVIDENCE 1.5f               /* alpha ratio that shows woven fields */
#define WINDOW_MAX 128

typedef enum Type { TFF, BFF, PROGRESSIVE, UNDETERMINED } Type;
typedef enum Repeat { REPEAT_NONE, REPEAT_TOP, REPEAT_BOTTOM } Repeat;
typedef enum Obs { OBS_MOVING, OBS_STILL, OBS_TOP, OBS_BOTTOM } Obs;

static const char *const type_names[] = { "tff", "bff", "progressive", "undetermined" };
static const char *const obs_letters = "MSTB";
static const char *const plane_choices[] = { "all", "luma", NULL };

typedef struct Sums {
    int64_t alpha[2];               /* this frame woven with the previous one, by parity */
    int64_t next[2];                /* the previous frame woven with this one */
    int64_t self[2];                /* this frame's own combing, by row parity */
    int64_t gamma[2];
    int64_t samples;
} Sums;

typedef struct Interlace {
    /* options */
    double intl_thres, prog_thres, rep_thres;
    int planes;                     /* 0 all (idet), 1 luma */
    double min_duration_s;
    /* stream facts */
    int sample_index, nb_planes;
    int idet_index;                 /* 16-bit samples above 14 bits: the C kernel */
    int rows_index;                 /* the idet_rows kernel for the bit depth */
    char declared[16];              /* the stream's field order, "" when per frame */
    double still_code;
    int64_t min_frames;
    const MqcDsp *dsp;
    MqcDsp dsp_c;                   /* the C references */
    MqcLearnt *learnt;
    /* the frame waiting for its next one */
    int pending;
    Sums pend;
    int64_t pend_index;
    char pend_tag[16];
    /* idet state */
    unsigned char history[HIST_SIZE];
    Type last_type;
    int64_t single[4], multi[4], repeats[3];
    /* cadence */
    unsigned char obs[LOCK_PERIODS * PERIOD];   /* last observations, [0] the latest */
    int64_t observed;
    int locked;
    unsigned char sig[PERIOD];      /* expected observation at index % PERIOD */
    int64_t lock_start, cadence_frames, breaks;
    int64_t counted_to;             /* last frame counted in cadence_frames, -1 none */
    char pattern[PERIOD + 1];
    /* declared vs measured */
    int64_t tagged[3];              /* frames declared tff, bff, progressive */
    int window;                     /* frames in the dominance window */
    unsigned char votes[WINDOW_MAX];/* multi-frame types of the last frames, a ring */
    int64_t voted;
    int64_t dominant_frames[2];     /* frames whose window is dominated by tff, bff */
} Interlace;

static const MqcOption interlace_options[] = {
    { "intl_thres", MQC_OPT_DOUBLE, offsetof(Interlace, intl_thres), 1.04, 1, 100, NULL, NULL,
      "interlacing threshold (idet intl_thres)" },
    { "prog_thres", MQC_OPT_DOUBLE, offsetof(Interlace, prog_thres), 1.5, 0, 100, NULL, NULL,
      "progressive threshold (idet prog_thres)" },
    { "rep_thres", MQC_OPT_DOUBLE, offsetof(Interlace, rep_thres), 3.0, 1, 100, NULL, NULL,
      "repeated-field threshold (idet rep_thres)" },
    { "planes", MQC_OPT_ENUM, offsetof(Interlace, planes), 0, 0, 0, plane_choices, NULL,
      "all: every plane, as idet measures; luma: the luma plane only (faster)" },
    { "min_duration_s", MQC_OPT_DOUBLE, offsetof(Interlace, min_duration_s), 0.5, 0, 86400,
      NULL, NULL, "shorter runs of interlaced_as_progressive and field_order_mismatch are "
      "not reported" },
    { .name = NULL }
};

static const MqcEventCode interlace_codes[] = {
    { "interlaced_as_progressive", "combing (interlaced fields) in frames declared progressive" },
    { "field_order_mismatch", "field order differs from the declared one" },
    { "broken_cadence", "the 3:2 pulldown cadence breaks" },
    { .code = NULL }
};

static int interlace_init(void *priv, const MqcStreamInfo *si, char *why, size_t why_len)
{
    (void)why;
    (void)why_len;
    Interlace *s = priv;
    s->sample_index = si->bit_depth > 8;
    s->nb_planes = si->is_rgb ? 3 : !strncmp(si->pix_fmt, "gray", 4) ? 1 : 3;
    s->dsp = mqc_dsp_get();
    mqc_dsp_init(&s->dsp_c, 0);
    s->idet_index = si->bit_depth > 14;
    s->rows_index = si->bit_depth <= 8 ? 0 : si->bit_depth <= 10 ? 2 : 1;
    snprintf(s->declared, sizeof(s->declared), "%s", si->field_order);
    MqcNominal n = mqc_nominal(si->bit_depth, si->full_range);
    s->still_code = STILL_PCT / 100.0 * (n.white - n.black);
    double fps = si->rate_num > 0 && si->rate_den > 0 ? (double)si->rate_num / si->rate_den
                                                       : 25.0;
    s->min_frames = (int64_t)ceil(s->min_duration_s * fps - 1e-9);
    s->window = (int)lround(fps);
    s->window = s->window < 8 ? 8 : s->window > WINDOW_MAX ? WINDOW_MAX : s->window;
    s->counted_to = -1;
    s->last_type = UNDETERMINED;
    memset(s->history, UNDETERMINED, sizeof(s->history));
    s->learnt = si->learnt;
    return 0;
}

static void interlace_measure(const void *priv, const MqcBand *band, void *slice)
{
    const Interlace *s = priv;
    Sums *out = slice;
    memset(out, 0, sizeof(*out));
    const MqcPicture *pic = band->pic;
    /* the first frame is its own previous (idet) */
    const MqcPicture *prev = band->prev ? band->prev : pic;
    const MqcIdetRowsFn rows_fn = s->idet_index ? s->dsp_c.idet_rows[1]
                                                : s->dsp->idet_rows[s->rows_index];
    const int planes = s->planes ? 1 : pic->nb_planes;
    MqcBand pband = *band;
    pband.pic = prev;
    for (int p = 0; p < planes; p++) {
        const uint8_t *c, *q;
        int w, rows;
        mqc_band_plane(band, p, &c, &w, &rows);
        mqc_band_plane(&pband, p, &q, &w, &rows);
        const int sh = p && !pic->is_rgb ? pic->log2_chroma_h : 0;
        const int h = (pic->height + (1 << sh) - 1) >> sh;
        const int r0 = band->y0 >> sh;
        const ptrdiff_t lc = pic->linesize[p], lq = prev->linesize[p];
        /* the band's rows y with 2 <= y < h - 2 */
        const int i0 = r0 < 2 ? 2 - r0 : 0;
        const int i1 = r0 + rows > h - 2 ? h - 2 - r0 : rows;
        if (i0 >= i1)
            continue;
        MqcIdetSums sums[2];
        memset(sums, 0, sizeof(sums));
        rows_fn(c + i0 * lc, lc, q + i0 * lq, lq, w, i1 - i0, sums);
        for (int k = 0; k < 2; k++) {
            const int y = r0 + i0 + k;  /* the parity of sums[k]'s rows */
            out->alpha[y & 1] += (int64_t)sums[k].prev_mix;
            out->next[(y ^ 1) & 1] += (int64_t)sums[k].next_mix;
            out->self[y & 1] += (int64_t)sums[k].self;
            out->gamma[(y ^ 1) & 1] += (int64_t)sums[k].field;
        }
        out->samples += (int64_t)w * (i1 - i0);
    }
}

static void interlace_reduce(const void *priv, void *frame, const void *slice, int band)
{
    (void)priv;
    Sums *f = frame;
    const Sums *b = slice;
    if (band == 0) {
        *f = *b;
        return;
    }
    for (int i = 0; i < 2; i++) {
        f->alpha[i] += b->alpha[i];
        f->next[i] += b->next[i];
        f->self[i] += b->self[i];
        f->gamma[i] += b->gamma[i];
    }
    f->samples += b->samples;
}

/* idet compares in single precision: the int64 sums become floats */
static int above(int64_t a, float thres, int64_t b)
{
    return (float)a > thres * (float)b;
}

static const char *frame_tag(const Interlace *s, const MqcFrameInfo *fi)
{
    if (s->declared[0])
        return s->declared;
    return !fi->interlaced ? "progressive" : fi->top_field_first ? "tff" : "bff";
}

/* Contradiction of the locked cadence: still frames say nothing. */
static int contradicts(Obs expected, Obs o)
{
    return o != OBS_STILL && o != expected;
}

static void cadence(Interlace *s, int64_t index, Obs o, MqcEvents *ev)
{
    memmove(s->obs + 1, s->obs, sizeof(s->obs) - 1);
    s->obs[0] = (unsigned char)o;
    s->observed++;
    if (s->locked) {
        Obs want = (Obs)s->sig[index % PERIOD];
        if (!contradicts(want, o)) {
            s->cadence_frames++;
            s->counted_to = index;
            mqc_learnt_span(s->learnt, "pulldown", index, index);
            return;
        }
        s->locked = 0;
        s->breaks++;
        mqc_events_add_span(ev, "broken_cadence", index, index, 1,
                            "3:2 cadence %s breaks: %c where %c belongs (locked since frame %lld)",
                            s->pattern, obs_letters[o], obs_letters[want],
                            (long long)s->lock_start);
        return;
    }
    const int n = LOCK_PERIODS * PERIOD;
    if (s->observed < n)
        return;
    int moving = 0, marks = 0;
    for (int j = 0; j < PERIOD; j++) {
        moving += s->obs[j] == OBS_MOVING;
        marks += s->obs[j] == OBS_TOP || s->obs[j] == OBS_BOTTOM || s->obs[j] == OBS_STILL;
    }
    if (moving < 3 || !marks)
        return;
    for (int j = PERIOD; j < n; j++)
        if (s->obs[j] != s->obs[j - PERIOD])
            return;
    s->locked = 1;
    s->lock_start = index - n + 1;
    for (int j = 0; j < PERIOD; j++)   /* obs[j] is frame index - j */
        s->sig[(index - j) % PERIOD] = s->obs[j];
    for (int j = 0; j < PERIOD; j++)
        s->pattern[j] = obs_letters[s->sig[(s->lock_start + j) % PERIOD]];
    s->pattern[PERIOD] = 0;
    s->cadence_frames += index - (s->counted_to > s->lock_start - 1 ? s->counted_to
                                                                     : s->lock_start - 1);
    s->counted_to = index;
    mqc_learnt_span(s->learnt, "pulldown", s->lock_start, index);
}

/* The order that dominates the window ending with this vote, or
 * UNDETERMINED. */
static Type dominant(Interlace *s, Type vote)
{
    s->votes[s->voted++ % s->window] = (unsigned char)vote;
    const int n = s->voted < s->window ? (int)s->voted : s->window;
    int count[4] = { 0 };
    for (int k = 0; k < n; k++)
        count[s->votes[k]]++;
    if (n < s->window)
        return UNDETERMINED;
    for (int t = TFF; t <= BFF; t++)
        if (count[t] >= DOMINANT * n && count[!t] * 10 <= n)
            return (Type)t;
    return UNDETERMINED;
}

/* A frame's repeated field and mean field change (code values) need only
 * its own sums (this frame against the previous one). */
static Repeat repeated_field(const Interlace *s, const Sums *f)
{
    const float rt = (float)s->rep_thres;
    return above(f->gamma[0], rt, f->gamma[1]) ? REPEAT_TOP
           : above(f->gamma[1], rt, f->gamma[0]) ? REPEAT_BOTTOM : REPEAT_NONE;
}

static double field_motion(const Sums *f)
{
    return f->samples ? (double)(f->gamma[0] + f->gamma[1]) / 2 / f->samples : 0;
}

/* The pending frame is classified now that its next frame's sums are in. */
static void classify(Interlace *s, const int64_t next_mix[2], MqcEvents *ev)
{
    const Sums *p = &s->pend;
    const int64_t alpha[2] = { p->alpha[0] + next_mix[0], p->alpha[1] + next_mix[1] };
    const int64_t delta = p->self[0] + p->self[1];
    const float it = (float)s->intl_thres, pt = (float)s->prog_thres;
    Type type = above(alpha[0], it, alpha[1]) ? TFF : above(alpha[1], it, alpha[0]) ? BFF
              : above(alpha[1], pt, delta) ? PROGRESSIVE : UNDETERMINED;
    Repeat rep = repeated_field(s, p);
    /* idet's multi-frame smoothing, as it is written */
    memmove(s->history + 1, s->history, HIST_SIZE - 1);
    s->history[0] = (unsigned char)type;
    Type best = UNDETERMINED;
    int match = 0;
    for (int i = 0; i < HIST_SIZE; i++) {
        if (s->history[i] == UNDETERMINED)
            continue;
        if (best == UNDETERMINED)
            best = (Type)s->history[i];
        if (s->history[i] == best) {
            match++;
        } else {
            match = 0;
            break;
        }
    }
    if (s->last_type == UNDETERMINED ? match > 0 : match > 2)
        s->last_type = best;
    s->single[type]++;
    s->multi[s->last_type]++;
    s->repeats[rep]++;

    const int64_t i = s->pend_index;
    const char *tag = s->pend_tag;
    s->tagged[!strcmp(tag, "tff") ? 0 : !strcmp(tag, "bff") ? 1 : 2]++;
    const int woven = above(alpha[0], EVIDENCE, alpha[1]) || above(alpha[1], EVIDENCE, alpha[0]);
    Type order = dominant(s, woven && type < PROGRESSIVE ? type : UNDETERMINED);
    if (order != UNDETERMINED) {
        s->dominant_frames[order]++;
        if (!strcmp(tag, "progressive"))
            mqc_events_flag(ev, "interlaced_as_progressive", i, 1);
        else if (strcmp(tag, type_names[order]))
            mqc_events_flag(ev, "field_order_mismatch", i, 1);
    }
    const double motion = field_motion(p);
    Obs o = motion <= s->still_code ? OBS_STILL : rep == REPEAT_TOP ? OBS_TOP
          : rep == REPEAT_BOTTOM ? OBS_BOTTOM : OBS_MOVING;
    cadence(s, i, o, ev);
}

static int interlace_fold(void *priv, const MqcFrameInfo *fi, const void *frame, MqcEvents *ev)
{
    Interlace *s = priv;
    const Sums *f = frame;
    if (s->pending)
        classify(s, f->next, ev);
    s->pend = *f;
    s->pend_index = fi->index;
    snprintf(s->pend_tag, sizeof(s->pend_tag), "%s", frame_tag(s, fi));
    s->pending = 1;
    return 0;
}

/* What this frame shows on its own; its idet vote needs the next frame,
 * so it is in the metrics, not the record. */
static void interlace_record(const void *priv, const void *frame, MqcRecord *rec)
{
    static const char *const names[] = { "none", "top", "bottom" };
    const Sums *f = frame;
    mqc_record_double(rec, "field_motion", field_motion(f));
    mqc_record_string(rec, "repeated_field", names[repeated_field(priv, f)]);
}

/* The file's measured order: an order that dominated more frames than
 * not; "progressive" when idet voted but no order dominated. */
static const char *detected_order(const Interlace *s)
{
    const int64_t frames = s->multi[0] + s->multi[1] + s->multi[2] + s->multi[3];
    for (int t = TFF; t <= BFF; t++)
        if (s->dominant_frames[t] * 2 > frames)
            return type_names[t];
    return s->multi[UNDETERMINED] == frames ? "undetermined" : "progressive";
}

static const char *declared_order(const Interlace *s)
{
    if (s->declared[0])
        return s->declared;
    return s->tagged[0] + s->tagged[1] <= s->tagged[2] ? "progressive"
           : s->tagged[0] >= s->tagged[1] ? "tff" : "bff";
}

static void interlace_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m)
{
    (void)si;
    Interlace *s = priv;
    if (s->pending) {   /* the last frame is its own next (idet) */
        const int64_t own[2] = { s->pend.self[1], s->pend.self[0] };
        classify(s, own, ev);
        s->pending = 0;
    }
    mqc_events_drop_shorter(ev, "interlaced_as_progressive", s->min_frames);
    mqc_events_drop_shorter(ev, "field_order_mismatch", s->min_frames);
    for (int t = 0; t < 4; t++) {
        static const char *const single_keys[] = { "single_tff", "single_bff",
                                                   "single_progressive", "single_undetermined" };
        static const char *const multi_keys[] = { "multi_tff", "multi_bff", "multi_progressive",
                                                  "multi_undetermined" };
        mqc_metric_int(m, single_keys[t], s->single[t]);
        mqc_metric_int(m, multi_keys[t], s->multi[t]);
    }
    mqc_metric_int(m, "repeated_neither", s->repeats[REPEAT_NONE]);
    mqc_metric_int(m, "repeated_top", s->repeats[REPEAT_TOP]);
    mqc_metric_int(m, "repeated_bottom", s->repeats[REPEAT_BOTTOM]);
    const char *detected = detected_order(s), *declared = declared_order(s);
    mqc_metric_string(m, "detected_field_order", detected);
    mqc_metric_string(m, "declared_field_order", declared);
    mqc_metric_string(m, "declared_by", s->declared[0] ? "stream" : "frame headers");
    /* what both say; an undetermined or inconsistent measure contradicts nothing */
    mqc_metric_string(m, "field_order",
                      strcmp(detected, "tff") && strcmp(detected, "bff") ? declared
                      : !strcmp(detected, declared) ? declared : "conflict");
    mqc_metric_int(m, "pulldown_frames", s->cadence_frames);
    mqc_metric_int(m, "cadence_breaks", s->breaks);
    if (s->pattern[0])
        mqc_metric_string(m, "pulldown_pattern", s->pattern);
}

static const MqcChart motion_chart = {
    .title = "field motion (code)", .unit = "", .scale = 1, .axis = MQC_AXIS_AUTO,
};

static const MqcSeries interlace_series[] = {
    { "field_motion", "mean change of the fields since the previous frame", "code",
      &motion_chart, MQC_STAT_MEAN, "#2e7d32" },
    { "repeated_field", "field repeated from the previous frame (idet)", "name", NULL,
      MQC_STAT_MEAN, NULL },
    { .key = NULL }
};

const MqcCheck mqc_check_interlace = {
    .name = "interlace",
    .summary = "interlaced fields as idet measures them (TFF/BFF/progressive votes with its "
               "multi-frame smoothing, repeated fields) against the declared field order; "
               "3:2 pulldown cadence and its breaks",
    .default_severity = MQC_SEV_WARNING,
    .options = interlace_options,
    .codes = interlace_codes,
    .priv_size = sizeof(Interlace),
    .slice_size = sizeof(Sums),
    .frame_size = sizeof(Sums),
    .init = interlace_init,
    .measure = interlace_measure,
    .reduce = interlace_reduce,
    .fold = interlace_fold,
    .record = interlace_record,
    .finish = interlace_finish,
    .series = interlace_series,
};
