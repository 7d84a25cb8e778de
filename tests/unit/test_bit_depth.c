/* bit_depth check driven through its table (init, measure per band, reduce,
 * fold, finish) on synthetic pictures whose code values are built by
 * each up-conversion by hand: shift, bit replication, scaling. No scheduler
 * (no OpenMP in Criterion's forked children). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include "engine/mediaqc.h"
#include "engine/internal.h"
#include "checks/all.h"

#define W 96
#define H 48
#define MAX_FRAMES 16

/* code value of plane p at (x, y) on frame f */
typedef unsigned (*Content)(int p, int x, int y, int f);

typedef struct Clip {
    int depth;
    const char *pix_fmt;
    Content content[MAX_FRAMES];    /* per frame; NULL entries repeat the last */
    int frames;
} Clip;

typedef struct Run {
    const MqcCheck *c;
    void *priv;
    MqcEvents ev;
} Run;

static const MqcCheck *bit_depth(void)
{
    const MqcCheck *c = mqc_registry_find(mqc_all_checks, "bit_depth");
    cr_assert_not_null(c, "bit_depth is not registered");
    return c;
}

static MqcStreamInfo stream(const Clip *clip)
{
    MqcStreamInfo si;
    memset(&si, 0, sizeof(si));
    snprintf(si.pix_fmt, sizeof(si.pix_fmt), "%s", clip->pix_fmt);
    si.bit_depth = clip->depth;
    si.rate_num = 25;
    si.rate_den = 1;
    return si;
}

static Run start(const Clip *clip, const char *opts_json)
{
    Run r = { .c = bit_depth() };
    memset(&r.ev, 0, sizeof(r.ev));
    cJSON *opts = cJSON_Parse(opts_json);
    cr_assert_not_null(opts);
    r.priv = calloc(1, r.c->priv_size);
    cr_assert_not_null(r.priv);
    cr_assert_eq(mqc_options_apply(r.c->options, r.priv, opts), 0);
    cJSON_Delete(opts);
    MqcStreamInfo si = stream(clip);
    char why[160] = "";
    cr_assert_eq(r.c->init(r.priv, &si, why, sizeof(why)), 0, "skipped: %s", why);
    return r;
}

/* 4:2:0 picture in 16-bit containers (or 8-bit for depth 8) */
static void analyse_frame(Run *r, const Clip *clip, Content content, int f, int band_h)
{
    const int bps = clip->depth > 8 ? 2 : 1;
    MqcPicture pic = { .width = W, .height = H, .nb_planes = 3, .log2_chroma_w = 1,
                       .log2_chroma_h = 1, .bit_depth = clip->depth, .bytes_per_sample = bps };
    uint8_t *buf[3];
    for (int p = 0; p < 3; p++) {
        int w = p ? W / 2 : W, h = p ? H / 2 : H;
        pic.linesize[p] = (ptrdiff_t)(w + 8) * bps;      /* padding left uninitialised */
        buf[p] = malloc((size_t)pic.linesize[p] * (size_t)h);
        cr_assert_not_null(buf[p]);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                unsigned v = content(p, x, y, f);
                uint8_t *row = buf[p] + y * pic.linesize[p];
                if (bps == 2)
                    ((uint16_t *)row)[x] = (uint16_t)v;
                else
                    row[x] = (uint8_t)v;
            }
        pic.data[p] = buf[p];
    }
    void *slice = malloc(r->c->slice_size), *frame = malloc(r->c->frame_size);
    cr_assert(slice && frame);
    for (int y0 = 0, b = 0; y0 < H; y0 += band_h, b++) {
        MqcBand band = { .pic = &pic, .y0 = y0, .y1 = y0 + band_h < H ? y0 + band_h : H };
        memset(slice, 0x5A, r->c->slice_size);
        r->c->measure(r->priv, &band, slice);
        r->c->reduce(r->priv, frame, slice, b);
    }
    MqcFrameInfo fi = { .index = f };
    r->c->fold(r->priv, &fi, frame, &r->ev);
    free(slice);
    free(frame);
    for (int p = 0; p < 3; p++)
        free(buf[p]);
}

static void feed(Run *r, const Clip *clip, int from, int to, int band_h)
{
    Content content = clip->content[0];
    for (int f = 0; f < to; f++) {
        if (f < MAX_FRAMES && clip->content[f])
            content = clip->content[f];
        if (f >= from)
            analyse_frame(r, clip, content, f, band_h);
    }
}

static cJSON *finish(Run *r, const Clip *clip)
{
    MqcStreamInfo si = stream(clip);
    MqcMetrics m = { cJSON_CreateObject() };
    r->c->finish(r->priv, &si, &r->ev, &m);
    mqc_options_release(r->c->options, r->priv);
    free(r->priv);
    return m.obj;
}

/* Whole clip in one pass: metrics and events. */
static cJSON *check_clip(const Clip *clip, const char *opts, int band_h, MqcEvents *ev)
{
    Run r = start(clip, opts);
    feed(&r, clip, 0, clip->frames, band_h);
    cJSON *m = finish(&r, clip);
    *ev = r.ev;
    return m;
}

static double num(const cJSON *m, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
    cr_assert_not_null(v, "metric %s missing", key);
    return cJSON_IsNull(v) ? NAN : v->valuedouble;
}

static const char *str(const cJSON *m, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
    cr_assert(cJSON_IsString(v), "metric %s missing", key);
    return v->valuestring;
}

/* ---- content: an 8-bit (or 10-bit) source and its up-conversions ---- */

/* a gradient that uses 220 (luma) and 225 (chroma) levels of an 8-bit source */
static unsigned source8(int p, int x, int y, int f)
{
    return p ? 16 + (unsigned)(x * 3 + y * 5 + f * 7 + p * 40) % 225
             : 16 + (unsigned)(x * 2 + y * 3 + f) % 220;
}

static unsigned source10(int p, int x, int y, int f)
{
    return p ? 64 + (unsigned)(x * 13 + y * 7 + f * 3 + p * 100) % 897
             : 64 + (unsigned)(x * 7 + y * 3 + f) % 877;
}

static unsigned shift8_10(int p, int x, int y, int f) { return source8(p, x, y, f) << 2; }
static unsigned fill8_10(int p, int x, int y, int f) { return source8(p, x, y, f) << 2 | 2; }
static unsigned repl8_10(int p, int x, int y, int f)
{
    unsigned v = source8(p, x, y, f);
    return v << 2 | v >> 6;                     /* swscale's full-range luma path */
}
static unsigned scale8_10(int p, int x, int y, int f)
{
    return (unsigned)floor(source8(p, x, y, f) * 1023.0 / 255.0 + 0.5);
}
static unsigned shift8_12(int p, int x, int y, int f) { return source8(p, x, y, f) << 4; }
static unsigned repl8_16(int p, int x, int y, int f) { return source8(p, x, y, f) * 257; }
static unsigned repl10_12(int p, int x, int y, int f)
{
    unsigned v = source10(p, x, y, f);
    return v << 2 | v >> 8;
}
static unsigned scale10_16(int p, int x, int y, int f)
{
    return (unsigned)floor(source10(p, x, y, f) * 65535.0 / 1023.0 + 0.5);
}
/* 12-bit content that uses every code: genuine */
static unsigned genuine12(int p, int x, int y, int f)
{
    return 256 + (unsigned)(x * 37 + y * 11 + f * 5 + p * 9) % 3585;
}
static unsigned genuine8(int p, int x, int y, int f) { return source8(p, x, y, f); }
/* flat and near-black: 10-bit black of an 8-bit source, a few levels of noise */
static unsigned black10(int p, int x, int y, int f)
{
    (void)x, (void)y, (void)f;
    return p ? 512 : 64;
}
static unsigned dark10(int p, int x, int y, int f)
{
    return p ? 512 : (64 + (unsigned)((x + y + f) % 15) * 4);   /* 15 levels, all x4 */
}
/* 63 and 64 distinct luma levels of a shifted source, flat chroma */
static unsigned levels63(int p, int x, int y, int f)
{
    (void)f;
    return p ? 512 : (unsigned)(16 + (x + y) % 63) << 2;
}
static unsigned levels64(int p, int x, int y, int f)
{
    (void)f;
    return p ? 512 : (unsigned)(16 + (x + y) % 64) << 2;
}
/* 40 levels per frame, a different 40 each frame: only the file has enough */
static unsigned drift40(int p, int x, int y, int f)
{
    (void)y;
    return p ? 512 : (unsigned)(16 + f * 40 + x % 40) << 2;
}

typedef struct Case {
    const char *what;
    Clip clip;
    const char *opts;
    double effective;           /* NAN: not judged */
    const char *expansion;
    const char *code;           /* event over every frame, or NULL */
} Case;

static const Case cases[] = {
    { "genuine 10-bit", { 10, "yuv420p10le", { source10 }, 4 }, "{}", 10, "none", NULL },
    { "genuine 12-bit", { 12, "yuv420p12le", { genuine12 }, 4 }, "{}", 12, "none", NULL },
    { "genuine 8-bit", { 8, "yuv420p", { genuine8 }, 4 }, "{}", 8, "none", NULL },
    { "8 -> 10 shift", { 10, "yuv420p10le", { shift8_10 }, 4 }, "{}", 8, "shift",
      "low_effective_bit_depth" },
    { "8 -> 10 shift, low bits filled with 2", { 10, "yuv420p10le", { fill8_10 }, 4 }, "{}", 8,
      "shift", "low_effective_bit_depth" },
    { "8 -> 10 replicate", { 10, "yuv420p10le", { repl8_10 }, 4 }, "{}", 8, "replicate",
      "upconverted_content" },
    { "8 -> 10 scale", { 10, "yuv420p10le", { scale8_10 }, 4 }, "{}", 8, "scale",
      "upconverted_content" },
    { "8 -> 12 shift", { 12, "yuv420p12le", { shift8_12 }, 4 }, "{}", 8, "shift",
      "low_effective_bit_depth" },
    /* at 8 -> 16, replication and scaling are the same map (v * 257) */
    { "8 -> 16 replicate", { 16, "yuv420p16le", { repl8_16 }, 4 }, "{}", 8, "replicate",
      "upconverted_content" },
    { "10 -> 12 replicate", { 12, "yuv420p12le", { repl10_12 }, 4 }, "{}", 10, "replicate",
      "upconverted_content" },
    { "10 -> 12 replicate, 10 bits required", { 12, "yuv420p12le", { repl10_12 }, 4 },
      "{\"min_effective_bits\": 10}", 10, "replicate", NULL },
    { "10 -> 16 scale", { 16, "yuv420p16le", { scale10_16 }, 4 }, "{}", 10, "scale",
      "upconverted_content" },
    { "8-bit file, 10 bits required", { 8, "yuv420p", { genuine8 }, 4 },
      "{\"min_effective_bits\": 10}", 8, "none", "low_effective_bit_depth" },
    { "flat black 10-bit", { 10, "yuv420p10le", { black10 }, 4 }, "{}", NAN, "none", NULL },
    { "near-black, 15 levels", { 10, "yuv420p10le", { dark10 }, 4 }, "{}", NAN, "none", NULL },
    { "63 levels: not judged", { 10, "yuv420p10le", { levels63 }, 4 }, "{}", NAN, "none",
      NULL },
    { "64 levels: judged", { 10, "yuv420p10le", { levels64 }, 4 }, "{}", 8, "shift",
      "low_effective_bit_depth" },
    { "min_levels 15 judges the near-black clip", { 10, "yuv420p10le", { dark10 }, 4 },
      "{\"min_levels\": 15}", 8, "shift", "low_effective_bit_depth" },
    /* no frame has 64 levels, the file has 160: one event over the file */
    { "judged over the file", { 10, "yuv420p10le", { drift40 }, 4 }, "{}", 8, "shift",
      "low_effective_bit_depth" },
};

Test(bit_depth, each_upconversion_is_recognised)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        const Case *c = &cases[i];
        MqcEvents ev;
        cJSON *m = check_clip(&c->clip, c->opts, 16, &ev);
        double eff = num(m, "effective_bits");
        if (isnan(c->effective))
            cr_expect(isnan(eff), "%s: effective_bits %g, want null", c->what, eff);
        else
            cr_expect_eq(eff, c->effective, "%s: effective_bits %g, want %g", c->what, eff,
                         c->effective);
        cr_expect_str_eq(str(m, "expansion"), c->expansion, "%s", c->what);
        cr_expect_eq(num(m, "declared_bits"), c->clip.depth, "%s", c->what);
        if (c->code) {
            cr_expect_eq(ev.n, 1, "%s: %zu events", c->what, ev.n);
            if (ev.n == 1) {
                cr_expect_str_eq(ev.v[0].code, c->code, "%s", c->what);
                cr_expect_eq(ev.v[0].start_frame, 0, "%s", c->what);
                cr_expect_eq(ev.v[0].end_frame, c->clip.frames - 1, "%s", c->what);
                cr_expect_eq(ev.v[0].value, c->effective, "%s: value %g", c->what,
                             ev.v[0].value);
            }
        } else {
            cr_expect_eq(ev.n, 0, "%s: %zu events, first %s", c->what, ev.n,
                         ev.n ? ev.v[0].code : "");
        }
        mqc_events_free(&ev);
        cJSON_Delete(m);
    }
}

Test(bit_depth, per_plane_metrics_by_hand)
{
    /* shift 8 -> 10: luma codes (16..235) << 2 */
    Clip clip = { 10, "yuv420p10le", { shift8_10 }, 4 };
    MqcEvents ev;
    cJSON *m = check_clip(&clip, "{}", 16, &ev);
    cr_expect_eq(num(m, "distinct_levels_y"), 220);
    cr_expect_eq(num(m, "min_code_y"), 64);
    cr_expect_eq(num(m, "max_code_y"), 940);
    cr_expect_eq(num(m, "distinct_levels_cb"), 225);
    cr_expect_eq(num(m, "effective_bits_cr"), 8);
    cr_expect_eq((unsigned)num(m, "or_mask_y") & 3, 0);
    cr_expect_eq((unsigned)num(m, "and_mask_y"), 0);   /* 64 and 128 share no bit */
    cr_expect_eq(num(m, "frames_judged"), 4);
    cr_expect_eq(num(m, "frames_flagged"), 4);
    mqc_events_free(&ev);
    cJSON_Delete(m);
}

/* Genuine frames, an up-converted insert, a black frame, more insert. */
static const Clip mixed = { 10, "yuv420p10le",
                            { source10, NULL, NULL, NULL, shift8_10, NULL, NULL, black10,
                              shift8_10 }, 10 };

Test(bit_depth, insert_flagged_on_its_frames_only)
{
    MqcEvents ev;
    cJSON *m = check_clip(&mixed, "{}", 16, &ev);
    cr_assert_eq(ev.n, 2, "%zu events", ev.n);
    cr_expect(ev.v[0].start_frame == 4 && ev.v[0].end_frame == 6);
    cr_expect(ev.v[1].start_frame == 8 && ev.v[1].end_frame == 9);
    cr_expect_eq(num(m, "effective_bits"), 10);         /* the file as a whole */
    cr_expect_eq(num(m, "frames_judged"), 9);           /* the black frame is not */
    cr_expect_eq(num(m, "frames_flagged"), 5);
    mqc_events_free(&ev);
    cJSON_Delete(m);
}

Test(bit_depth, band_height_does_not_change_results)
{
    MqcEvents ev_a, ev_b;
    cJSON *a = check_clip(&mixed, "{}", 2, &ev_a);
    cJSON *b = check_clip(&mixed, "{}", 48, &ev_b);
    cr_expect(cJSON_Compare(a, b, 1), "metrics differ between band heights");
    cr_expect_eq(ev_a.n, ev_b.n);
    mqc_events_free(&ev_a);
    mqc_events_free(&ev_b);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

Test(bit_depth, options_out_of_range_are_rejected)
{
    static const char *const bad[] = {
        "{\"min_effective_bits\": 17}", "{\"min_effective_bits\": -1}",
        "{\"min_levels\": 1}", "{\"min_levels\": \"many\"}", "{\"levels\": 3}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        cJSON *o = cJSON_Parse(bad[i]);
        MqcMsg msg = { "" };
        cr_expect_lt(mqc_options_validate(bit_depth()->options, o, "p.json",
                                          "checks.bit_depth", &msg), 0, "%s accepted", bad[i]);
        cr_expect(strstr(msg.text, "p.json") != NULL, "%s: message %s", bad[i], msg.text);
        cJSON_Delete(o);
    }
}

Test(bit_depth, gray_and_rgb_planes)
{
    Clip gray = { 10, "gray10le", { shift8_10 }, 2 };
    MqcEvents ev;
    cJSON *m = check_clip(&gray, "{}", 16, &ev);
    cr_expect_eq(num(m, "effective_bits_y"), 8);
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(m, "effective_bits_cb"));
    mqc_events_free(&ev);
    cJSON_Delete(m);
}
