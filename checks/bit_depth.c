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
 * Up to 12 bits the frame's verdict comes from code_facts (one vectorised
 * pass: extremes, masks, up-conversion tests) and a band marks its codes
 * only while they can still change the file's set or the frame's
 * "min_levels codes" (mark_codes), which keeps every output exact.
 * Float pictures (EXR) have no low bits to lose: they are reported as
 * float16/float32 from the codec, and NaN or infinite samples are counted.
 * See docs/bit_depth.md. */
#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <libavutil/pixdesc.h>
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

/* One band's (or frame's) partial: code sets and, on the fast path, the
 * facts of every sample; or float statistics. */
typedef struct Partial {
    CodeMaps maps;
    MqcCodeFacts facts[MAX_PLANES];
    FloatStats fl;
} Partial;

/* What the bands of the frame being measured share (frames are measured
 * one after another: fold, between two frames, resets it). */
typedef struct Shared {
    /* [plane]: lo | (hi + 1) << 16 of a run of codes in the file's set, 0
     * for none; written by fold. The set only grows: a run stays true. */
    _Atomic uint32_t covered[MAX_PLANES];
    /* [plane]: codes the frame's bands have marked so far, and whether they
     * are min_levels already */
    _Atomic uint64_t seen[MAX_PLANES][MQC_CODE_MAP_BYTES(MQC_HIST_MAX_DEPTH) / 8];
    _Atomic int enough[MAX_PLANES];
} Shared;

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
    /* Fast path (depth <= MQC_HIST_MAX_DEPTH): a frame's verdict from the
     * facts of its samples (code_facts: masks and up-conversion tests, test
     * 2m + kind - EXP_REPLICATE for source m), so of its code set only
     * "at least min_levels codes" is needed; a band whose samples lie in a
     * run of codes the file's set already holds adds nothing to that set.
     * Such a band stops marking codes once the frame's bands together have
     * shown min_levels: what it skips can change no output. */
    int fast;
    MqcCodeTests tests;
    Shared shared;
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

/* Before a frame; all: also the file's runs. */
static void reset_frame(Shared *sh, int all)
{
    for (int p = 0; p < MAX_PLANES; p++) {
        if (all)
            atomic_init(&sh->covered[p], 0);
        for (size_t i = 0; i < sizeof(sh->seen[p]) / sizeof(sh->seen[p][0]); i++)
            atomic_store_explicit(&sh->seen[p][i], 0, memory_order_relaxed);
        atomic_store_explicit(&sh->enough[p], 0, memory_order_relaxed);
    }
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
            set_code(s->image[EXP_REPLICATE - EXP_REPLICATE][m],
                     mqc_expand_replicate(v, from, s->depth));
            set_code(s->image[EXP_SCALE - EXP_REPLICATE][m], mqc_expand_scale(v, from, s->depth));
        }
    }
    int from[MQC_CODE_TESTS_MAX], kind[MQC_CODE_TESTS_MAX], n = 0;
    for (size_t m = 0; m < N_SOURCES && source_depths[m] < s->depth; m++)
        for (int scaled = 0; scaled < 2 && n < MQC_CODE_TESTS_MAX; scaled++, n++) {
            from[n] = source_depths[m];
            kind[n] = scaled;
        }
    /* deeper pictures (16 bits) mark every sample, as the map decides alone */
    s->fast = mqc_code_tests_init(&s->tests, s->depth, from, kind, n) == 0;
    reset_frame(&s->shared, 1);
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

static int64_t count_codes(const uint8_t *map, size_t n)
{
    int64_t levels = 0;
    for (size_t i = 0; i < n; i++)
        levels += __builtin_popcount(map[i]);
    return levels;
}

static void or_maps(uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] |= b[i];
}

/* measure's writes to the private state: only these atomics (priv is heap
 * memory, const for measure by convention). */
static Shared *shared_of(const BitDepth *s)
{
    return (Shared *)(uintptr_t)&s->shared;
}

/* Adds a band's codes to the frame's shared set; 1 when the set holds
 * min_levels codes. */
static int share_codes(const BitDepth *s, Shared *sh, int p, const uint8_t *used)
{
    int64_t levels = 0;
    for (size_t i = 0; i < s->map_bytes / 8; i++) {
        uint64_t word;
        memcpy(&word, used + 8 * i, 8);
        levels += __builtin_popcountll(atomic_fetch_or_explicit(&sh->seen[p][i], word,
                                                                memory_order_relaxed) | word);
    }
    if (levels < s->min_levels)
        return 0;
    atomic_store_explicit(&sh->enough[p], 1, memory_order_relaxed);
    return 1;
}

/* Samples above the depth (stray high bits, 16-bit containers only here)
 * count as the top code, as code_facts and the histograms count them. */
static void mark_clamped(const BitDepth *s, const uint8_t *data, ptrdiff_t ls, int w, int rows,
                         uint8_t *used)
{
    const unsigned top = (1u << s->depth) - 1;
    memset(used, 0, s->map_bytes);
    for (int y = 0; y < rows; y++) {
        const uint16_t *row = (const uint16_t *)(const void *)(data + y * ls);
        for (int x = 0; x < w; x++)
            set_code(used, row[x] < top ? row[x] : top);
    }
}

/* The band's code map of plane p on the fast path: every code, unless the
 * band lies in a run of the file's set (it adds no code to the file) and
 * the frame has shown min_levels codes (its verdict's only use of the set),
 * where marking stops: the map holds a part of the band's codes. */
#define CHUNK_ROWS 8
static void mark_codes(const BitDepth *s, int p, const uint8_t *data, ptrdiff_t ls, int w,
                       int rows, const MqcCodeFacts *f, uint8_t *used)
{
    Shared *sh = shared_of(s);
    const MqcPlaneCodesFn codes = s->dsp->plane_codes[s->depth > 8];
    if (f->raw_max >> s->depth) {
        mark_clamped(s, data, ls, w, rows, used);
        share_codes(s, sh, p, used);
        return;
    }
    const uint32_t run = atomic_load_explicit(&sh->covered[p], memory_order_relaxed);
    const int inside = run && f->min >= (run & 0xffff) && f->max < run >> 16;
    if (!inside) {
        codes(data, ls, w, rows, s->depth, used);
        share_codes(s, sh, p, used);
        return;
    }
    memset(used, 0, s->map_bytes);
    uint8_t chunk[MQC_CODE_MAP_BYTES(MQC_HIST_MAX_DEPTH)];
    for (int y = 0; y < rows; y += CHUNK_ROWS) {
        if (atomic_load_explicit(&sh->enough[p], memory_order_relaxed))
            return;
        codes(data + y * ls, ls, w, rows - y < CHUNK_ROWS ? rows - y : CHUNK_ROWS, s->depth,
              chunk);
        or_maps(used, chunk, s->map_bytes);
        if (share_codes(s, sh, p, chunk))
            return;
    }
}

static void bit_depth_measure(const void *priv, const MqcBand *band, void *slice)
{
    const BitDepth *s = priv;
    if (s->is_float) {
        float_measure(s, band, &((Partial *)slice)->fl);
        return;
    }
    Partial *out = slice;
    for (int p = 0; p < s->planes; p++) {
        const uint8_t *data;
        int w, rows;
        mqc_band_plane(band, p, &data, &w, &rows);
        const ptrdiff_t ls = band->pic->linesize[p];
        uint8_t *used = out->maps.used[p];
        if (!s->fast) {
            s->dsp->plane_codes[s->depth > 8](data, ls, w, rows, s->depth, used);
            continue;
        }
        MqcCodeFacts *f = &out->facts[p];
        s->dsp->code_facts[s->depth > 8](data, ls, w, rows, &s->tests, f);
        mark_codes(s, p, data, ls, w, rows, f, used);
    }
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
    Partial *f = frame;
    const Partial *b = slice;
    for (int p = 0; p < s->planes; p++) {
        if (band == 0) {
            memcpy(f->maps.used[p], b->maps.used[p], s->map_bytes);
            f->facts[p] = b->facts[p];
        } else {
            or_maps(f->maps.used[p], b->maps.used[p], s->map_bytes);
            mqc_code_facts_merge(&f->facts[p], &b->facts[p]);
        }
    }
}

static int is_subset(const uint8_t *set, const uint8_t *of, size_t n)
{
    uint8_t outside = 0;
    for (size_t i = 0; i < n; i++)
        outside |= set[i] & (uint8_t)~of[i];
    return !outside;
}

/* The verdict of a set with levels, extremes and masks in v, and bit i of
 * `outside` set when a code is not in the image of test i (source m,
 * kind k: i = 2m + k - EXP_REPLICATE). */
static void judge(const BitDepth *s, Verdict *v, unsigned outside)
{
    v->effective_bits = s->depth;
    if (!v->levels) {
        v->lo = v->and_mask = 0;
        return;
    }
    v->judged = v->levels >= s->min_levels;
    /* bits that never change between samples carry no information */
    unsigned varying = v->or_mask ^ v->and_mask;
    int constant_low = 0;
    while (constant_low < s->depth && !(varying >> constant_low & 1))
        constant_low++;
    if (constant_low) {
        v->effective_bits = s->depth - constant_low;
        v->expansion = EXP_SHIFT;
    }
    for (size_t m = 0; m < N_SOURCES && source_depths[m] < v->effective_bits; m++)
        for (int kind = EXP_REPLICATE; kind <= EXP_SCALE; kind++)
            if (!(outside >> (2 * m + (size_t)(kind - EXP_REPLICATE)) & 1)) {
                v->effective_bits = source_depths[m];
                v->expansion = (Expansion)kind;
                return;
            }
}

static Verdict classify(const BitDepth *s, const uint8_t *used)
{
    Verdict v = { .lo = ~0u, .and_mask = ~0u };
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
    unsigned outside = 0;
    for (size_t m = 0; m < N_SOURCES && source_depths[m] < s->depth; m++)
        for (int kind = EXP_REPLICATE; kind <= EXP_SCALE; kind++)
            if (!is_subset(used, s->image[kind - EXP_REPLICATE][m], s->map_bytes))
                outside |= 1u << (2 * m + (size_t)(kind - EXP_REPLICATE));
    judge(s, &v, outside);
    return v;
}

/* A frame's plane on the fast path: masks and tests from the facts of
 * every sample; its code set (possibly only part of it) says whether it
 * holds min_levels codes, which is all `levels` decides for a frame. */
static Verdict from_facts(const BitDepth *s, const MqcCodeFacts *f, const uint8_t *used)
{
    Verdict v = { .levels = count_codes(used, s->map_bytes), .lo = f->min, .hi = f->max,
                  .or_mask = f->or_mask, .and_mask = f->and_mask };
    judge(s, &v, f->outside);
    return v;
}

/* The frame's (or file's) verdict: the judged plane with the fewest bits;
 * facts: a frame's on the fast path, else NULL (the sets alone). */
static Verdict worst_plane(const BitDepth *s, const CodeMaps *maps, const MqcCodeFacts *facts,
                           int *judged)
{
    Verdict worst = { .effective_bits = s->depth };
    *judged = 0;
    for (int p = 0; p < s->planes; p++) {
        Verdict v = facts ? from_facts(s, &facts[p], maps->used[p]) : classify(s, maps->used[p]);
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

/* Publishes the longest run of codes in the file's set of plane p when it
 * is longer than the one measure reads now. */
static void publish_run(BitDepth *s, int p)
{
    const uint8_t *used = s->file.used[p];
    const unsigned codes = 1u << s->depth;
    unsigned best_lo = 0, best_len = 0;
    for (unsigned c = 0; c < codes;) {
        if (!(used[c >> 3] >> (c & 7) & 1)) {
            c++;
            continue;
        }
        unsigned lo = c;
        while (c < codes && used[c >> 3] >> (c & 7) & 1)
            c++;
        if (c - lo > best_len) {
            best_lo = lo;
            best_len = c - lo;
        }
    }
    _Atomic uint32_t *covered = &s->shared.covered[p];
    const uint32_t now = atomic_load_explicit(covered, memory_order_relaxed);
    if (best_len > (now >> 16) - (now & 0xffff))
        atomic_store_explicit(covered, best_lo | (best_lo + best_len) << 16,
                              memory_order_relaxed);
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
    const Partial *f = frame;
    for (int p = 0; p < s->planes; p++) {
        or_maps(s->file.used[p], f->maps.used[p], s->map_bytes);
        if (s->fast)
            publish_run(s, p);
    }
    if (s->fast)
        reset_frame(&s->shared, 0);
    int judged;
    Verdict v = worst_plane(s, &f->maps, s->fast ? f->facts : NULL, &judged);
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
    const Partial *f = frame;
    Verdict v = worst_plane(s, &f->maps, s->fast ? f->facts : NULL, &judged);
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
    Verdict file = worst_plane(s, &s->file, NULL, &judged);
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
    .float_input = 1,
};
