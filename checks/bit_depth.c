/* bit_depth: the declared bit depth against the precision the content really
 * has. Each band marks the code values it uses in a bitmap per plane (2^depth
 * bits); bitmaps OR across bands, frames and segments. From the set of codes:
 * - low bits constant in every sample (OR ^ AND masks): a shift, e.g. 8-bit
 *   content << 2 in a 10-bit container ("shift");
 * - every code in the image of a standard up-conversion from 8, 10 or 12 bits
 *   that fills the low bits: bit replication (v << k | v >> (M - k)) or
 *   scaling (round(v * (2^N - 1) / (2^M - 1))) ("replicate", "scale").
 * A plane is judged only when it uses at least min_levels codes, so flat and
 * near-black pictures (too few codes to tell anything) raise no alarm.
 * Float pictures (EXR) have no low bits to lose: they are reported as
 * float16/float32 from the codec, and NaN or infinite samples are counted.
 * See docs/bit_depth.md. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <libavutil/pixdesc.h>
#include "band_stats.h"
#include "dsp/dsp.h"

#define MAX_DEPTH 16
#define MAP_BYTES (MQC_CODE_MAP_BYTES(MAX_DEPTH))
#define MAX_PLANES 3

typedef enum Expansion { EXP_NONE, EXP_SHIFT, EXP_REPLICATE, EXP_SCALE, EXP_COUNT } Expansion;
static const char *const expansion_names[EXP_COUNT] = { "none", "shift", "replicate", "scale" };

/* Source depths tried for replicate/scale: the depths production sources
 * have. Each extra candidate is one more way for a sparse set to match by
 * chance, so the list stays short. */
static const int source_depths[] = { 8, 10, 12 };
#define N_SOURCES (sizeof(source_depths) / sizeof(*source_depths))

typedef struct CodeMaps {
    uint8_t used[MAX_PLANES][MAP_BYTES];
} CodeMaps;

/* Float samples of a band, a frame or the file. */
typedef struct FloatStats {
    int64_t nan, inf;
    float lo, hi;               /* finite extremes; lo > hi when none */
} FloatStats;

/* One band's (or frame's) partial: code sets, or float statistics. */
typedef struct Partial {
    CodeMaps maps;
    FloatStats fl;
} Partial;

typedef struct BitDepth {
    /* options */
    int64_t min_effective_bits;
    int64_t min_levels;
    /* for this stream */
    int depth;                  /* of the samples the check reads */
    int declared;               /* the codec's (a 12-bit codec may decode to 16 bits) */
    int container;              /* of the decoder's pixel format */
    int required;               /* min_effective_bits, 0 -> declared */
    int planes;
    const MqcDsp *dsp;
    int is_rgb;
    int is_float;
    size_t map_bytes;
    /* images of the filling up-conversions, [kind - EXP_REPLICATE][source] */
    uint8_t image[2][N_SOURCES][MAP_BYTES];
    /* temporal state: the file's code sets and the frames seen */
    CodeMaps file;
    int64_t frames, frames_judged, frames_flagged;
    int64_t first_frame, last_frame;
    FloatStats file_float;
    int64_t frames_non_finite;
} BitDepth;

/* What the code set of one plane says. */
typedef struct Verdict {
    int64_t levels;
    unsigned lo, hi;            /* lowest and highest code used */
    unsigned or_mask, and_mask;
    int judged;
    int effective_bits;
    Expansion expansion;
} Verdict;

static const MqcOption bit_depth_options[] = {
    { "min_effective_bits", MQC_OPT_INT, offsetof(BitDepth, min_effective_bits), 0, 0, 16,
      NULL, NULL, "content with fewer significant bits is flagged; 0 = the declared depth" },
    { "min_levels", MQC_OPT_INT, offsetof(BitDepth, min_levels), 64, 2, 65536,
      NULL, NULL, "a plane is judged only when it uses at least this many distinct code "
      "values (on a frame, or over the file); flat and near-black pictures are not judged" },
    { .name = NULL }
};

static const MqcEventCode bit_depth_codes[] = {
    { "low_effective_bit_depth", "the low bits carry no information: %.0f significant bits" },
    { "upconverted_content",
      "code values match a %.0f-bit source up-converted by bit replication or scaling" },
    { "non_finite_samples", "%.0f float samples are NaN or infinite" },
    { .code = NULL }
};

static void set_code(uint8_t *map, unsigned v)
{
    map[v >> 3] |= (uint8_t)(1u << (v & 7));
}

/* v << k | v >> (M - k): the source's bits repeated into the low bits */
static unsigned replicate(unsigned v, int from, int to)
{
    unsigned out = 0;
    for (int filled = 0; filled < to; filled += from) {
        int shift = to - filled - from;
        out |= shift >= 0 ? v << shift : v >> -shift;
    }
    return out;
}

/* round(v * (2^N - 1) / (2^M - 1)) */
static unsigned scale(unsigned v, int from, int to)
{
    uint64_t num = (uint64_t)v * ((1u << to) - 1), den = (1u << from) - 1;
    return (unsigned)((2 * num + den) / (2 * den));
}

static int bit_depth_init(void *priv, const MqcStreamInfo *si, char *why, size_t why_len)
{
    BitDepth *s = priv;
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(av_get_pix_fmt(si->pix_fmt));
    if (!d) {
        snprintf(why, why_len, "unknown pixel format %s", si->pix_fmt);
        return 1;
    }
    s->depth = d->comp[0].depth;
    s->container = si->bit_depth;
    s->is_float = si->is_float;
    s->planes = d->nb_components - !!(d->flags & AV_PIX_FMT_FLAG_ALPHA);
    s->planes = s->planes > MAX_PLANES ? MAX_PLANES : s->planes;
    s->file_float = (FloatStats){ .lo = INFINITY, .hi = -INFINITY };
    s->first_frame = -1;
    if (s->is_float) {
        /* half or float from the codec; nothing below it can be "unused" */
        s->declared = s->required = si->codec_bit_depth;
        return 0;
    }
    /* the codec's depth: 10-bit JPEG 2000 in rgb48le has 10 significant bits
     * by design, not "low bits unused" */
    s->declared = si->codec_bit_depth > 0 && si->codec_bit_depth < s->depth ?
                  si->codec_bit_depth : s->depth;
    s->required = s->min_effective_bits ? (int)s->min_effective_bits : s->declared;
    s->dsp = mqc_dsp_get();
    s->is_rgb = si->is_rgb;
    s->map_bytes = MQC_CODE_MAP_BYTES(s->depth);
    for (size_t m = 0; m < N_SOURCES; m++) {
        int from = source_depths[m];
        if (from >= s->depth)
            continue;
        for (unsigned v = 0; v < 1u << from; v++) {
            set_code(s->image[EXP_REPLICATE - EXP_REPLICATE][m], replicate(v, from, s->depth));
            set_code(s->image[EXP_SCALE - EXP_REPLICATE][m], scale(v, from, s->depth));
        }
    }
    return 0;
}

static void float_measure(const BitDepth *s, const MqcBand *band, FloatStats *out)
{
    FloatStats st = { .lo = INFINITY, .hi = -INFINITY };
    for (int p = 0; p < s->planes; p++) {
        const uint8_t *data;
        int w, rows;
        mqc_band_plane(band, p, &data, &w, &rows);
        for (int y = 0; y < rows; y++) {
            const float *row = (const float *)(const void *)(data + (ptrdiff_t)y *
                                                             band->pic->linesize[p]);
            for (int x = 0; x < w; x++) {
                float v = row[x];
                if (isnan(v))
                    st.nan++;
                else if (isinf(v))
                    st.inf++;
                else {
                    st.lo = v < st.lo ? v : st.lo;
                    st.hi = v > st.hi ? v : st.hi;
                }
            }
        }
    }
    *out = st;
}

static void float_add(FloatStats *a, const FloatStats *b)
{
    a->nan += b->nan;
    a->inf += b->inf;
    a->lo = b->lo < a->lo ? b->lo : a->lo;
    a->hi = b->hi > a->hi ? b->hi : a->hi;
}

static void bit_depth_measure(const void *priv, const MqcBand *band, void *slice)
{
    const BitDepth *s = priv;
    if (s->is_float) {
        float_measure(s, band, &((Partial *)slice)->fl);
        return;
    }
    CodeMaps *out = &((Partial *)slice)->maps;
    for (int p = 0; p < s->planes; p++)
        mqc_band_plane_codes(s->dsp, band, p, s->depth, out->used[p]);
}

static void or_maps(uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] |= b[i];
}

static void bit_depth_reduce(const void *priv, void *frame, const void *slice, int band)
{
    const BitDepth *s = priv;
    if (s->is_float) {
        if (band == 0)
            ((Partial *)frame)->fl = ((const Partial *)slice)->fl;
        else
            float_add(&((Partial *)frame)->fl, &((const Partial *)slice)->fl);
        return;
    }
    CodeMaps *f = &((Partial *)frame)->maps;
    const CodeMaps *b = &((const Partial *)slice)->maps;
    for (int p = 0; p < s->planes; p++) {
        if (band == 0)
            memcpy(f->used[p], b->used[p], s->map_bytes);
        else
            or_maps(f->used[p], b->used[p], s->map_bytes);
    }
}

static int is_subset(const uint8_t *set, const uint8_t *of, size_t n)
{
    uint8_t outside = 0;
    for (size_t i = 0; i < n; i++)
        outside |= set[i] & (uint8_t)~of[i];
    return !outside;
}

static Verdict classify(const BitDepth *s, const uint8_t *used)
{
    Verdict v = { .lo = ~0u, .and_mask = ~0u, .effective_bits = s->depth };
    for (size_t i = 0; i < s->map_bytes; i++) {
        if (!used[i])
            continue;
        for (unsigned k = 0; k < 8; k++) {
            if (!(used[i] >> k & 1))
                continue;
            unsigned code = (unsigned)(i * 8 + k);
            v.levels++;
            v.lo = code < v.lo ? code : v.lo;
            v.hi = code;
            v.or_mask |= code;
            v.and_mask &= code;
        }
    }
    if (!v.levels) {
        v.lo = v.and_mask = 0;
        return v;
    }
    v.judged = v.levels >= s->min_levels;
    /* bits that never change between samples carry no information */
    unsigned varying = v.or_mask ^ v.and_mask;
    int constant_low = 0;
    while (constant_low < s->depth && !(varying >> constant_low & 1))
        constant_low++;
    if (constant_low) {
        v.effective_bits = s->depth - constant_low;
        v.expansion = EXP_SHIFT;
    }
    for (size_t m = 0; m < N_SOURCES && source_depths[m] < v.effective_bits; m++)
        for (int kind = EXP_REPLICATE; kind <= EXP_SCALE; kind++)
            if (is_subset(used, s->image[kind - EXP_REPLICATE][m], s->map_bytes)) {
                v.effective_bits = source_depths[m];
                v.expansion = (Expansion)kind;
                return v;
            }
    return v;
}

/* The frame's (or file's) verdict: the judged plane with the fewest bits. */
static Verdict worst_plane(const BitDepth *s, const CodeMaps *maps, int *judged)
{
    Verdict worst = { .effective_bits = s->depth };
    *judged = 0;
    for (int p = 0; p < s->planes; p++) {
        Verdict v = classify(s, maps->used[p]);
        if (v.judged && (!*judged || v.effective_bits < worst.effective_bits)) {
            worst = v;
            *judged = 1;
        }
    }
    return worst;
}

static const char *flag_code(const Verdict *v)
{
    return v->expansion == EXP_REPLICATE || v->expansion == EXP_SCALE ? "upconverted_content"
                                                                       : "low_effective_bit_depth";
}

static int bit_depth_fold(void *priv, const MqcFrameInfo *fi, const void *frame, MqcEvents *ev)
{
    BitDepth *s = priv;
    if (s->first_frame < 0)
        s->first_frame = fi->index;
    s->last_frame = fi->index;
    s->frames++;
    if (s->is_float) {
        const FloatStats *fl = &((const Partial *)frame)->fl;
        float_add(&s->file_float, fl);
        if (fl->nan + fl->inf) {
            s->frames_non_finite++;
            mqc_events_flag(ev, "non_finite_samples", fi->index, (double)(fl->nan + fl->inf));
        }
        return 0;
    }
    const CodeMaps *f = &((const Partial *)frame)->maps;
    for (int p = 0; p < s->planes; p++)
        or_maps(s->file.used[p], f->used[p], s->map_bytes);
    int judged;
    Verdict v = worst_plane(s, f, &judged);
    if (!judged)
        return 0;
    s->frames_judged++;
    if (v.effective_bits < s->required) {
        s->frames_flagged++;
        mqc_events_flag(ev, flag_code(&v), fi->index, v.effective_bits);
    }
    return 0;
}

static void bit_depth_record(const void *priv, const void *frame, MqcRecord *rec)
{
    const BitDepth *s = priv;
    if (s->is_float) {
        const FloatStats *fl = &((const Partial *)frame)->fl;
        mqc_record_int(rec, "non_finite_samples", fl->nan + fl->inf);
        return;
    }
    int judged;
    Verdict v = worst_plane(s, &((const Partial *)frame)->maps, &judged);
    if (judged)
        mqc_record_int(rec, "effective_bits", v.effective_bits);
}

static const char *plane_name(const BitDepth *s, int p)
{
    static const char *const yuv[] = { "y", "cb", "cr" }, *const rgb[] = { "g", "b", "r" };
    return s->is_rgb ? rgb[p] : yuv[p];
}

static void bit_depth_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m)
{
    (void)si;
    const BitDepth *s = priv;
    if (s->is_float) {
        const FloatStats *fl = &s->file_float;
        mqc_metric_string(m, "sample_format", s->declared == 16 ? "float16" : "float32");
        mqc_metric_int(m, "declared_bits", s->declared);
        mqc_metric_int(m, "container_bits", s->container);
        mqc_metric_int(m, "nan_samples", fl->nan);
        mqc_metric_int(m, "inf_samples", fl->inf);
        mqc_metric_int(m, "frames_non_finite", s->frames_non_finite);
        mqc_metric_double(m, "min_value", fl->lo <= fl->hi ? fl->lo : NAN);
        mqc_metric_double(m, "max_value", fl->lo <= fl->hi ? fl->hi : NAN);
        return;
    }
    char key[48];
    int judged;
    Verdict file = worst_plane(s, &s->file, &judged);
    mqc_metric_int(m, "declared_bits", s->declared);
    mqc_metric_int(m, "container_bits", s->container);
    mqc_metric_int(m, "required_bits", s->required);
    if (judged)
        mqc_metric_int(m, "effective_bits", file.effective_bits);
    else
        mqc_metric_double(m, "effective_bits", NAN);     /* null: nothing to judge */
    mqc_metric_string(m, "expansion", expansion_names[file.expansion]);
    mqc_metric_int(m, "frames_judged", s->frames_judged);
    mqc_metric_int(m, "frames_flagged", s->frames_flagged);
    for (int p = 0; p < s->planes; p++) {
        Verdict v = classify(s, s->file.used[p]);
        const char *nm = plane_name(s, p);
        snprintf(key, sizeof(key), "effective_bits_%s", nm);
        if (v.judged)
            mqc_metric_int(m, key, v.effective_bits);
        else
            mqc_metric_double(m, key, NAN);
        snprintf(key, sizeof(key), "expansion_%s", nm);
        mqc_metric_string(m, key, expansion_names[v.judged ? v.expansion : EXP_NONE]);
        snprintf(key, sizeof(key), "distinct_levels_%s", nm);
        mqc_metric_int(m, key, v.levels);
        snprintf(key, sizeof(key), "min_code_%s", nm);
        mqc_metric_int(m, key, v.lo);
        snprintf(key, sizeof(key), "max_code_%s", nm);
        mqc_metric_int(m, key, v.hi);
        snprintf(key, sizeof(key), "or_mask_%s", nm);
        mqc_metric_int(m, key, v.or_mask);
        snprintf(key, sizeof(key), "and_mask_%s", nm);
        mqc_metric_int(m, key, v.and_mask);
    }
    /* No single frame had enough levels to be judged, but the file has:
     * the whole-file verdict becomes one event over every frame. */
    if (judged && s->frames_judged == 0 && file.effective_bits < s->required) {
        MqcEvent e = { .code = flag_code(&file), .start_frame = s->first_frame,
                       .end_frame = s->last_frame, .worst_frame = s->first_frame,
                       .value = file.effective_bits };
        mqc_events_add(ev, &e);
    }
}

static const MqcSeries bit_depth_series[] = {
    { "effective_bits", "effective bits", "bits", NULL, MQC_STAT_MIN, NULL },
    { "non_finite_samples", "NaN or infinite samples", "samples", NULL, MQC_STAT_MAX, NULL },
    { .key = NULL }
};

const MqcCheck mqc_check_bit_depth = {
    .name = "bit_depth",
    .summary = "effective bit depth per plane; 8-bit content shifted, replicated or scaled "
               "into a deeper container",
    .default_severity = MQC_SEV_ERROR,
    .options = bit_depth_options,
    .codes = bit_depth_codes,
    .priv_size = sizeof(BitDepth),
    .slice_size = sizeof(Partial),
    .frame_size = sizeof(Partial),
    .init = bit_depth_init,
    .measure = bit_depth_measure,
    .reduce = bit_depth_reduce,
    .fold = bit_depth_fold,
    .record = bit_depth_record,
    .finish = bit_depth_finish,
    .series = bit_depth_series,
    .stage = &mqc_stage_histograms,
    .stage_needs = MQC_NEED_CODE_SETS,
    .float_input = 1,
};
