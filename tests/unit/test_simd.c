/* SIMD kernels against their C reference, checkasm style: for every kernel
 * with a SIMD version, both run on the same random and edge-case data
 * (fixed seeds; widths 0..70 and wide rows; padded, negative and
 * exact-size strides, so ASan sees any read past a row; every bit depth in
 * 8- and 16-bit containers; band limits at and beyond the code range) and
 * every output must be identical. Skipped on CPUs without the feature. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "checks/dsp/cpu.h"
#include "checks/dsp/dsp.h"
#include "checks/dsp/hdr_dsp.h"
#include "checks/gamut.h"

static uint32_t rng;

static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static void need(unsigned flag, const char *name)
{
    if (!(mqc_cpu_detect() & flag))
        cr_skip_test("the CPU has no %s", name);
}

/* A sample: half uniform over the depth, half from the specials; a few
 * uniform over the whole container (bits above the depth). */
static int stray_bits = 1;     /* off for gamut: its fixed point assumes depth-bit codes */

static unsigned sample(int depth, int bps, const unsigned *special, int n_special)
{
    const unsigned max = (1u << depth) - 1;
    const uint32_t r = next_random();
    if (stray_bits && (r & 31) == 0)
        return (r >> 5) & (bps == 1 ? 0xffu : 0xffffu);
    if (r & 1)
        return (r >> 1) & max;
    const unsigned v = special[(r >> 1) % (unsigned)n_special];
    return v > max ? max : v;
}

static void put(uint8_t *row, int bps, int x, unsigned v)
{
    if (bps == 1)
        row[x] = (uint8_t)v;
    else
        memcpy(row + 2 * x, &(uint16_t){ (uint16_t)v }, 2);
}

/* ---- plane statistics ---- */

typedef struct Plane {
    uint8_t *buf, *data;
    ptrdiff_t linesize;
} Plane;

/* The buffer ends where the last row in memory ends: no slack after it. */
static Plane make_plane(int width, int rows, int bps, int pad, int flipped)
{
    Plane p;
    const ptrdiff_t stride = (ptrdiff_t)(width + pad) * bps;
    const size_t size = rows ? (size_t)stride * (size_t)(rows - 1) + (size_t)width * bps : 0;
    p.buf = malloc(size ? size : 1);
    cr_assert_not_null(p.buf);
    for (size_t i = 0; i < size; i++)
        p.buf[i] = (uint8_t)next_random();      /* padding is garbage */
    p.data = flipped && rows ? p.buf + (rows - 1) * stride : p.buf;
    p.linesize = flipped ? -stride : stride;
    return p;
}

static int stats_equal(const MqcPlaneStats *a, const MqcPlaneStats *b)
{
    return a->sum == b->sum && a->below == b->below && a->above == b->above &&
           a->count == b->count && a->min == b->min && a->max == b->max;
}

static void compare_stats(MqcPlaneStatsFn ref, MqcPlaneStatsFn simd, int bps, int depth,
                          int width, int rows, int pad, int flipped, unsigned lo, unsigned hi)
{
    const unsigned specials[] = { 0, 1, lo - 1, lo, lo + 1, hi - 1, hi, hi + 1,
                                  (1u << depth) - 2, (1u << depth) - 1 };
    Plane p = make_plane(width, rows, bps, pad, flipped);
    for (int y = 0; y < rows; y++)
        for (int x = 0; x < width; x++)
            put(p.data + y * p.linesize, bps, x, sample(depth, bps, specials, 10));
    MqcPlaneStats a, b;
    memset(&a, 0x5a, sizeof(a));
    memset(&b, 0xa5, sizeof(b));
    ref(p.data, p.linesize, width, rows, lo, hi, &a);
    simd(p.data, p.linesize, width, rows, lo, hi, &b);
    cr_assert(stats_equal(&a, &b),
              "%d-bit in %d bytes, %dx%d pad %d%s, lo %u hi %u: "
              "C sum %llu below %llu above %llu min %u max %u, "
              "SIMD sum %llu below %llu above %llu min %u max %u",
              depth, bps, width, rows, pad, flipped ? " flipped" : "", lo, hi,
              (unsigned long long)a.sum, (unsigned long long)a.below,
              (unsigned long long)a.above, a.min, a.max, (unsigned long long)b.sum,
              (unsigned long long)b.below, (unsigned long long)b.above, b.min, b.max);
    free(p.buf);
}

static void check_plane_stats(const MqcDsp *simd)
{
    MqcDsp c;
    mqc_dsp_init(&c, 0);
    static const int depths[] = { 8, 9, 10, 12, 14, 16 };
    rng = 0x9e3779b9u;
    for (int bps = 1; bps <= 2; bps++)
        for (int di = 0; di < 6; di++) {
            const int depth = depths[di];
            if (bps == 1 && depth > 8)
                break;
            const unsigned max = (1u << depth) - 1, cmax = bps == 1 ? 0xffu : 0xffffu;
            /* band limits: typical, at the ends of the code range, beyond them */
            const unsigned bands[][2] = {
                { 16u << (depth - 8), 235u << (depth - 8) }, { 0, max }, { 0, 0 },
                { max, max }, { 1, max - 1 }, { max + 1, max }, { cmax, cmax },
                { cmax + 1, cmax + 1 }, { 0, ~0u }, { ~0u, 0 },
                { next_random() & max, next_random() & max },
            };
            for (int w = 0; w <= 70; w++)
                for (size_t bi = 0; bi < sizeof(bands) / sizeof(bands[0]); bi++) {
                    const int rows = 1 + (int)(next_random() % 4);
                    const int pad = w % 3 == 0 ? 0 : (int)(next_random() % 40);
                    compare_stats(c.plane_stats[bps - 1], simd->plane_stats[bps - 1], bps,
                                  depth, w, rows, pad, w % 5 == 1, bands[bi][0], bands[bi][1]);
                }
            /* rows of real pictures, and long enough for the counter flushes */
            static const int wide[] = { 720, 1920, 3840, 8191, 8192 * 4 + 17, 70000 };
            for (int i = 0; i < 6; i++)
                compare_stats(c.plane_stats[bps - 1], simd->plane_stats[bps - 1], bps, depth,
                              wide[i], i < 3 ? 3 : 2, 32, i == 1, bands[0][0], bands[0][1]);
            /* a zero-height rectangle */
            compare_stats(c.plane_stats[bps - 1], simd->plane_stats[bps - 1], bps, depth, 16,
                          0, 0, 0, 1, max - 1);
        }
}

/* Constant planes at 0 and at the container maximum: the sums wrap the
 * C row accumulator only beyond 65537 16-bit samples, which 70000 covers. */
static void check_plane_stats_constant(const MqcDsp *simd)
{
    MqcDsp c;
    mqc_dsp_init(&c, 0);
    for (int bps = 1; bps <= 2; bps++)
        for (int k = 0; k < 2; k++) {
            static const int widths[] = { 1, 33, 1920, 70000 };
            for (int i = 0; i < 4; i++) {
                const int w = widths[i];
                Plane p = make_plane(w, 2, bps, 5, 0);
                for (int y = 0; y < 2; y++)
                    for (int x = 0; x < w; x++)
                        put(p.data + y * p.linesize, bps, x, k ? (bps == 1 ? 0xff : 0xffff) : 0);
                MqcPlaneStats a, b;
                c.plane_stats[bps - 1](p.data, p.linesize, w, 2, 1, 254, &a);
                simd->plane_stats[bps - 1](p.data, p.linesize, w, 2, 1, 254, &b);
                cr_assert(stats_equal(&a, &b), "constant %s, %d bytes, width %d",
                          k ? "max" : "0", bps, w);
                free(p.buf);
            }
        }
}

Test(simd, plane_stats_avx2)
{
    need(MQC_CPU_AVX2, "AVX2");
    MqcDsp f;
    mqc_dsp_init(&f, MQC_CPU_AVX2);
    check_plane_stats(&f);
    check_plane_stats_constant(&f);
}

/* ---- bit_depth's code facts ---- */

/* The image tests of every depth the fast path takes, against the images
 * made forward (every v of the source through the up-conversion). */
Test(simd, code_tests_match_forward_images)
{
    for (int depth = 9; depth <= MQC_HIST_MAX_DEPTH; depth++)
        for (int from = 8; from < depth; from += 2)
            for (int scale = 0; scale < 2; scale++) {
                MqcCodeTests t;
                cr_assert_eq(mqc_code_tests_init(&t, depth, &from, &scale, 1), 0,
                             "%d -> %d bits, %s", from, depth, scale ? "scale" : "replicate");
                static uint8_t in[1 << MQC_HIST_MAX_DEPTH];
                memset(in, 0, sizeof(in));
                for (unsigned v = 0; v < 1u << from; v++) {
                    /* by hand: replication repeats v's top bits below it */
                    const unsigned k = (unsigned)(depth - from);
                    const unsigned img = scale ? (unsigned)floor(v * ((1 << depth) - 1.0) /
                                                                 ((1 << from) - 1.0) + 0.5)
                                               : v << k | v >> (from - (int)k);
                    in[img] = 1;
                }
                for (unsigned c = 0; c < 1u << depth; c++)
                    cr_assert_eq(!(t.outside[c] & 1), in[c], "%d -> %d %s, code %u", from,
                                 depth, scale ? "scale" : "replicate", c);
            }
    /* beyond the kernel: 16 bits, a source too shallow to fill the low bits */
    MqcCodeTests t;
    const int f16 = 12, f13[] = { 6 }, sc = 1;
    cr_assert_neq(mqc_code_tests_init(&t, 16, &f16, &sc, 1), 0);
    cr_assert_neq(mqc_code_tests_init(&t, 12, f13, &sc, 1), 0);
}

static int facts_equal(const MqcCodeFacts *a, const MqcCodeFacts *b)
{
    return a->min == b->min && a->max == b->max && a->or_mask == b->or_mask &&
           a->and_mask == b->and_mask && a->outside == b->outside && a->raw_max == b->raw_max;
}

/* A plane of codes from image `only` of t (-1: any code, with stray bits). */
static void compare_facts(const MqcDsp *c, const MqcDsp *simd, const MqcCodeTests *t, int bps,
                          int width, int rows, int flipped, int only)
{
    const unsigned top = (1u << t->depth) - 1;
    const unsigned specials[] = { 0, 1, top - 1, top, top + 1, 0xffff };
    Plane p = make_plane(width, rows, bps, 7, flipped);
    for (int y = 0; y < rows; y++)
        for (int x = 0; x < width; x++) {
            unsigned v = sample(t->depth, bps, specials, bps == 1 ? 4 : 6);
            if (only >= 0) {
                const int from = t->t[only].from;
                v &= (1u << from) - 1;
                v = t->t[only].scale ? mqc_expand_scale(v, from, t->depth)
                                     : mqc_expand_replicate(v, from, t->depth);
            }
            put(p.data + y * p.linesize, bps, x, v);
        }
    MqcCodeFacts a, b;
    memset(&a, 0x5a, sizeof(a));
    memset(&b, 0xa5, sizeof(b));
    c->code_facts[bps - 1](p.data, p.linesize, width, rows, t, &a);
    simd->code_facts[bps - 1](p.data, p.linesize, width, rows, t, &b);
    cr_assert(facts_equal(&a, &b),
              "%d-bit, %d tests, %dx%d%s, image %d: C %u..%u or %x and %x outside %x, "
              "SIMD %u..%u or %x and %x outside %x", t->depth, t->n, width, rows,
              flipped ? " flipped" : "", only, a.min, a.max, a.or_mask, a.and_mask, a.outside,
              b.min, b.max, b.or_mask, b.and_mask, b.outside);
    free(p.buf);
}

Test(simd, code_facts_avx2)
{
    need(MQC_CPU_AVX2, "AVX2");
    MqcDsp c, f;
    mqc_dsp_init(&c, 0);
    mqc_dsp_init(&f, MQC_CPU_AVX2);
    rng = 0x1b873593u;
    for (int depth = 8; depth <= MQC_HIST_MAX_DEPTH; depth++) {
        /* bit_depth's tests: replicate and scale from each source below */
        int from[4], scale[4], n = 0;
        for (int m = 8; m < depth && m <= 10; m += 2)
            for (int k = 0; k < 2; k++, n++) {
                from[n] = m;
                scale[n] = k;
            }
        MqcCodeTests t;
        cr_assert_eq(mqc_code_tests_init(&t, depth, from, scale, n), 0, "depth %d", depth);
        for (int bps = depth > 8 ? 2 : 1; bps <= 2; bps++) {
            if (bps == 1 && n)
                continue;
            /* with and without stray bits above the depth (rare in real
             * pictures, where the kernel takes its fast path) */
            for (stray_bits = 0; stray_bits < 2; stray_bits++) {
                for (int w = 0; w <= 70; w++)
                    for (int only = -1; only < n; only++)
                        compare_facts(&c, &f, &t, bps, w, (int)(next_random() % 4), w % 5 == 1,
                                      only);
                compare_facts(&c, &f, &t, bps, 1920, 3, 0, -1);
            }
            stray_bits = 1;
            for (int only = 0; only < n; only++)
                compare_facts(&c, &f, &t, bps, 1920, 2, 1, only);
        }
    }
}

/* ---- freeze SAD ---- */

static void compare_sad_black(MqcSadBlackFn ref, MqcSadBlackFn simd, int bps, int depth,
                              int width, int rows, int pad, int flipped, unsigned black)
{
    const unsigned max = (1u << depth) - 1;
    const unsigned specials[] = { 0, 1, black - 1, black, black + 1, max - 1, max };
    Plane a = make_plane(width, rows, bps, pad, flipped);
    Plane b = make_plane(width, rows, bps, pad + 3, !flipped);
    /* b: mostly a nudged, so both small and large differences occur */
    for (int y = 0; y < rows; y++)
        for (int x = 0; x < width; x++) {
            const unsigned va = sample(depth, bps, specials, 7);
            const uint32_t r = next_random();
            const unsigned vb = r & 3 ? (va + (r >> 2) % 5) & (bps == 1 ? 0xffu : 0xffffu)
                                      : sample(depth, bps, specials, 7);
            put(a.data + y * a.linesize, bps, x, va);
            put(b.data + y * b.linesize, bps, x, vb);
        }
    uint64_t sa = 1, ka = 2, sb = 3, kb = 4;
    ref(a.data, a.linesize, b.data, b.linesize, width, rows, black, &sa, &ka);
    simd(a.data, a.linesize, b.data, b.linesize, width, rows, black, &sb, &kb);
    cr_assert(sa == sb && ka == kb,
              "%d-bit in %d bytes, %dx%d pad %d%s, black %u: C sad %llu black %llu, "
              "SIMD sad %llu black %llu", depth, bps, width, rows, pad,
              flipped ? " flipped" : "", black, (unsigned long long)sa,
              (unsigned long long)ka, (unsigned long long)sb, (unsigned long long)kb);
    free(a.buf);
    free(b.buf);
}

static void check_sad_black(const MqcDsp *simd)
{
    MqcDsp c;
    mqc_dsp_init(&c, 0);
    static const int depths[] = { 8, 10, 12, 16 };
    rng = 0x1b873593u;
    for (int bps = 1; bps <= 2; bps++)
        for (int di = 0; di < 4; di++) {
            const int depth = depths[di];
            if (bps == 1 && depth > 8)
                break;
            const unsigned max = (1u << depth) - 1, cmax = bps == 1 ? 0xffu : 0xffffu;
            const unsigned blacks[] = { 0, 1, (16u << (depth - 8)) + (21u << (depth - 8)), max,
                                        cmax, cmax + 1, ~0u };
            for (int w = 0; w <= 70; w++)
                for (size_t bi = 0; bi < sizeof(blacks) / sizeof(blacks[0]); bi++)
                    compare_sad_black(c.sad_black[bps - 1], simd->sad_black[bps - 1], bps, depth,
                                      w, 1 + (int)(next_random() % 3),
                                      w % 3 ? (int)(next_random() % 40) : 0, w % 5 == 1,
                                      blacks[bi]);
            /* real rows, and long enough for the counter flushes */
            static const int wide[] = { 1920, 3840, 32 * 255 + 31, 16 * 4096 + 17, 70000 };
            for (int i = 0; i < 5; i++)
                compare_sad_black(c.sad_black[bps - 1], simd->sad_black[bps - 1], bps, depth,
                                  wide[i], 2, 32, i == 1, blacks[2]);
        }
}

Test(simd, sad_black_avx2)
{
    need(MQC_CPU_AVX2, "AVX2");
    MqcDsp f;
    mqc_dsp_init(&f, MQC_CPU_AVX2);
    check_sad_black(&f);
}

/* ---- gamut ---- */

static uint8_t *make_row(int n, int bps, int depth, const unsigned *special, int n_special)
{
    uint8_t *row = malloc((size_t)(n ? n : 1) * bps);   /* exact size */
    cr_assert_not_null(row);
    for (int x = 0; x < n; x++)
        put(row, bps, x, sample(depth, bps, special, n_special));
    return row;
}

static void check_min_max(const MqcDsp *simd)
{
    MqcDsp c;
    mqc_dsp_init(&c, 0);
    rng = 0x2545f491u;
    for (int bps = 1; bps <= 2; bps++)
        for (int depth = 8; depth <= (bps == 1 ? 8 : 16); depth += 2)
            for (int w = 1; w <= 140; w++) {
                const unsigned specials[] = { 0, (1u << depth) - 1 };
                uint8_t *row = make_row(w, bps, depth, specials, 2);
                for (int x0 = 0; x0 < w && x0 < 6; x0++)
                    for (int x1 = x0 + 1; x1 <= w; x1 += 1 + (x1 > 70) * 13) {
                        unsigned a[2], b[2];
                        c.gamut_min_max[bps - 1](row, x0, x1, &a[0], &a[1]);
                        simd->gamut_min_max[bps - 1](row, x0, x1, &b[0], &b[1]);
                        cr_assert(a[0] == b[0] && a[1] == b[1],
                                  "%d-bit, [%d, %d): C %u..%u, SIMD %u..%u", depth, x0, x1,
                                  a[0], a[1], b[0], b[1]);
                    }
                free(row);
            }
}

static int counts_equal(const MqcGamutCounts *a, const MqcGamutCounts *b)
{
    return a->pixels == b->pixels && a->above == b->above && a->below == b->below &&
           a->out == b->out && a->target_out == b->target_out && a->max_sum == b->max_sum &&
           a->min_sum == b->min_sum;
}

static void check_yuv_count(const MqcDsp *simd)
{
    MqcDsp c;
    mqc_dsp_init(&c, 0);
    rng = 0x7f4a7c15u;
    stray_bits = 0;
    static const int depths[] = { 8, 9, 10, 12, 14, 16 };
    static const double bands[][2] = { { -5, 105 }, { 0, 100 }, { -50, 150 }, { 50, 50 } };
    for (int bps = 1; bps <= 2; bps++)
        for (int di = 0; di < 6; di++)
            for (int m = 0; m <= MQC_MATRIX_BT2020; m++)
                for (int full = 0; full <= 1; full++)
                    for (int bi = 0; bi < 4; bi++) {
                        const int depth = depths[di];
                        if (bps == 1 && depth > 8)
                            continue;
                        MqcGamutKernel k;
                        cr_assert_eq(mqc_gamut_kernel_init(&k, (MqcGamutMatrix)m, depth, full, 0,
                                                           bands[bi][0], bands[bi][1], 1, 1), 0);
                        const unsigned max = (1u << depth) - 1, sc = 1u << (depth - 8);
                        const unsigned specials[] = { 0, max, 16 * sc, 235 * sc, 240 * sc,
                                                      1u << (depth - 1), 1, max - 1 };
                        for (int s = 0; s <= 1; s++)
                            for (int w = 1; w <= 70 + (bi == 0) * 130; w++) {
                                const int cw = (w + s) >> s;
                                uint8_t *y = make_row(w, bps, depth, specials, 8);
                                uint8_t *cb = make_row(cw, bps, depth, specials, 8);
                                uint8_t *cr = make_row(cw, bps, depth, specials, 8);
                                for (int x0 = 0; x0 < w && x0 <= 4; x0 += 2) {
                                    const int n = w - x0 - (int)(next_random() % 2 * (w > x0 + 1));
                                    MqcGamutCounts a = { .pixels = 7 }, b;
                                    /* as mqc_gamut_rows starts, or after earlier segments */
                                    a.max_sum = (next_random() & 1) ? (int64_t)k.t_hi - 1
                                                                    : (int32_t)next_random();
                                    a.min_sum = (next_random() & 1) ? (int64_t)k.t_lo
                                                                    : (int32_t)next_random();
                                    b = a;
                                    c.gamut_yuv_count[bps - 1](&k, y, cb, cr, s, x0, n, &a);
                                    simd->gamut_yuv_count[bps - 1](&k, y, cb, cr, s, x0, n, &b);
                                    cr_assert(counts_equal(&a, &b),
                                              "%d-bit matrix %d full %d band %g..%g s %d "
                                              "width %d [%d, +%d): C above %llu below %llu "
                                              "out %llu max %lld min %lld, SIMD above %llu "
                                              "below %llu out %llu max %lld min %lld",
                                              depth, m, full, bands[bi][0], bands[bi][1], s, w,
                                              x0, n, (unsigned long long)a.above,
                                              (unsigned long long)a.below,
                                              (unsigned long long)a.out, (long long)a.max_sum,
                                              (long long)a.min_sum, (unsigned long long)b.above,
                                              (unsigned long long)b.below,
                                              (unsigned long long)b.out, (long long)b.max_sum,
                                              (long long)b.min_sum);
                                }
                                free(y);
                                free(cb);
                                free(cr);
                            }
                    }
}

Test(simd, gamut_min_max_avx2)
{
    need(MQC_CPU_AVX2, "AVX2");
    MqcDsp f;
    mqc_dsp_init(&f, MQC_CPU_AVX2);
    check_min_max(&f);
}

Test(simd, gamut_yuv_count_avx2)
{
    need(MQC_CPU_AVX2, "AVX2");
    MqcDsp f;
    mqc_dsp_init(&f, MQC_CPU_AVX2);
    check_yuv_count(&f);
}

/* ---- hdr ---- */

/* A picture of exact-size planes (the last row ends the buffer), samples
 * from the specials and uniform. */
typedef struct HdrPic {
    MqcPicture pic;
    uint8_t *buf[3];
} HdrPic;

static HdrPic hdr_pic(int w, int h, int bps, int depth, int s, int sv, int is_rgb,
                      const unsigned *specials, int n_specials)
{
    HdrPic p = { .pic = { .width = w, .height = h, .nb_planes = 3, .bit_depth = depth,
                          .bytes_per_sample = bps, .is_rgb = is_rgb,
                          .log2_chroma_w = is_rgb ? 0 : s, .log2_chroma_h = is_rgb ? 0 : sv } };
    for (int c = 0; c < 3; c++) {
        const int pw = c ? (w + (1 << p.pic.log2_chroma_w) - 1) >> p.pic.log2_chroma_w : w;
        const int ph = c ? (h + (1 << p.pic.log2_chroma_h) - 1) >> p.pic.log2_chroma_h : h;
        p.buf[c] = make_row(pw * ph, bps, depth, specials, n_specials);
        p.pic.data[c] = p.buf[c];
        p.pic.linesize[c] = (ptrdiff_t)pw * bps;
    }
    return p;
}

static int hdr_counts_equal(const MqcHdrCounts *a, const MqcHdrCounts *b)
{
    return a->pixels == b->pixels && a->sum == b->sum && a->above == b->above &&
           a->max_level == b->max_level;
}

/* The C versions, the random seed and a kernel (large: on the heap) */
static MqcHdrKernel *hdr_setup(MqcDsp *c, uint32_t seed)
{
    mqc_dsp_init(c, 0);
    rng = seed;
    MqcHdrKernel *k = malloc(sizeof(*k));
    cr_assert_not_null(k);
    return k;
}

static void check_hdr_rows(const MqcDsp *simd)
{
    MqcDsp c;
    MqcHdrKernel *k = hdr_setup(&c, 0x51ed270bu);
    stray_bits = 0;
    static const int depths[] = { 8, 10, 12, 16 };
    static const MqcTransfer tfs[] = { MQC_TRANSFER_PQ, MQC_TRANSFER_HLG, MQC_TRANSFER_BT1886 };
    static const double peaks[] = { 0, 1000, 0.001, 20000 };
    static const int subs[][2] = { { 0, 0 }, { 1, 0 }, { 1, 1 }, { 2, 0 } };
    for (int bps = 1; bps <= 2; bps++)
        for (int di = 0; di < 4; di++)
            for (int t = 0; t < 3; t++)
                for (int m = 0; m <= MQC_MATRIX_BT2020; m++)
                    for (int full = 0; full <= 1; full++)
                        for (int rgb = 0; rgb <= 1; rgb++) {
                            const int depth = depths[di];
                            if ((bps == 1) != (depth == 8))
                                continue;
                            const double peak = peaks[(m + full + t) % 4];
                            cr_assert_eq(mqc_hdr_kernel_init(k, (MqcGamutMatrix)m, depth, full,
                                                             rgb, tfs[t], peak), 0);
                            const unsigned max = (1u << depth) - 1, sc = 1u << (depth - 8);
                            const unsigned specials[] = { 0, max, 16 * sc, 235 * sc, 240 * sc,
                                                          1u << (depth - 1), 1, max - 1 };
                            for (int si = 0; si < 4; si++)
                                for (int w = 1; w <= 40 + (di == 1) * 60; w++) {
                                    const int h = 1 + (int)(next_random() % 3);
                                    HdrPic p = hdr_pic(w, h, bps, depth, subs[si][0],
                                                       subs[si][1], rgb, specials, 8);
                                    for (int y = 0; y < h; y++) {
                                        MqcHdrCounts a = { .sum = 3, .max_level = 5 }, b = a;
                                        c.hdr_row[bps - 1](k, &p.pic, y, &a);
                                        simd->hdr_row[bps - 1](k, &p.pic, y, &b);
                                        cr_assert(hdr_counts_equal(&a, &b),
                                                  "%d-bit tf %d matrix %d full %d rgb %d peak "
                                                  "%g sub %d/%d %dx%d row %d: C sum %llu above "
                                                  "%llu max %u, SIMD sum %llu above %llu max %u",
                                                  depth, t, m, full, rgb, peak, subs[si][0],
                                                  subs[si][1], w, h, y,
                                                  (unsigned long long)a.sum,
                                                  (unsigned long long)a.above, a.max_level,
                                                  (unsigned long long)b.sum,
                                                  (unsigned long long)b.above, b.max_level);
                                    }
                                    for (int pl = 0; pl < 3; pl++)
                                        free(p.buf[pl]);
                                }
                        }
    free(k);
}

/* Rows of real widths, bright: the 32-bit lane sums are flushed in time. */
static void check_hdr_wide(const MqcDsp *simd)
{
    MqcDsp c;
    MqcHdrKernel *k = hdr_setup(&c, 0x2b992ddfu);
    static const int widths[] = { 1920, 3840, 7680 + 9 };
    for (int t = 0; t < 2; t++)
        for (int i = 0; i < 3; i++) {
            cr_assert_eq(mqc_hdr_kernel_init(k, MQC_MATRIX_BT2020, 10, 0, 0,
                                             t ? MQC_TRANSFER_HLG : MQC_TRANSFER_PQ, 1000), 0);
            const unsigned specials[] = { 1023, 1019, 940, 960 };
            HdrPic p = hdr_pic(widths[i], 2, 2, 10, 1, 1, 0, specials, 4);
            MqcHdrCounts a = { 0 }, b = { 0 };
            c.hdr_row[1](k, &p.pic, 1, &a);
            simd->hdr_row[1](k, &p.pic, 1, &b);
            cr_assert(hdr_counts_equal(&a, &b), "width %d tf %d: C sum %llu, SIMD %llu",
                      widths[i], t, (unsigned long long)a.sum, (unsigned long long)b.sum);
            for (int pl = 0; pl < 3; pl++)
                free(p.buf[pl]);
        }
    free(k);
}

/* Rows of runs of equal samples (flat areas, where the SIMD version reads
 * the light of a block of equal indices once), every container and range. */
static void check_hdr_flat(const MqcDsp *simd)
{
    MqcDsp c;
    MqcHdrKernel *k = hdr_setup(&c, 0x6a09e667u);
    static const int depths[] = { 8, 10, 12, 16 };
    for (int di = 0; di < 4; di++)
        for (int full = 0; full <= 1; full++)
            for (int si = 0; si <= 1; si++) {
                const int depth = depths[di], bps = depth > 8 ? 2 : 1;
                cr_assert_eq(mqc_hdr_kernel_init(k, MQC_MATRIX_BT2020, depth, full, 0,
                                                 MQC_TRANSFER_PQ, 1000), 0);
                const unsigned max = (1u << depth) - 1;
                const unsigned specials[] = { 0, max, 64u << (depth - 8), 1u << (depth - 1) };
                HdrPic p = hdr_pic(1000 + 7 * si, 2, bps, depth, si, si, 0, specials, 4);
                for (int pl = 0; pl < 3; pl++) {
                    const int n = (int)(p.pic.linesize[pl] / bps) * (pl ? 2 >> si : 2);
                    for (int x = 0; x < n;) {
                        const int run = 1 + (int)(next_random() % 48);
                        for (int j = 1; j < run && x + j < n; j++)
                            memcpy(p.buf[pl] + (size_t)(x + j) * bps, p.buf[pl] + (size_t)x * bps,
                                   (size_t)bps);
                        x += run;
                    }
                }
                for (int y = 0; y < 2; y++) {
                    MqcHdrCounts a = { 0 }, b = { 0 };
                    c.hdr_row[bps - 1](k, &p.pic, y, &a);
                    simd->hdr_row[bps - 1](k, &p.pic, y, &b);
                    cr_assert(hdr_counts_equal(&a, &b),
                              "%d-bit full %d sub %d row %d: C sum %llu above %llu max %u, "
                              "SIMD sum %llu above %llu max %u", depth, full, si, y,
                              (unsigned long long)a.sum, (unsigned long long)a.above,
                              a.max_level, (unsigned long long)b.sum,
                              (unsigned long long)b.above, b.max_level);
                }
                for (int pl = 0; pl < 3; pl++)
                    free(p.buf[pl]);
            }
    free(k);
}

Test(simd, hdr_row_avx2)
{
    need(MQC_CPU_AVX2, "AVX2");
    MqcDsp f;
    mqc_dsp_init(&f, MQC_CPU_AVX2);
    check_hdr_rows(&f);
    check_hdr_wide(&f);
    check_hdr_flat(&f);
}

/* ---- dispatch ---- */

Test(simd, avx2_versions_registered)
{
    MqcDsp c, avx2;
    mqc_dsp_init(&c, 0);
    mqc_dsp_init(&avx2, MQC_CPU_AVX2);
    for (int i = 0; i < 2; i++) {
        cr_expect(avx2.plane_stats[i] != c.plane_stats[i], "AVX2 plane_stats[%d]", i);
        cr_expect(avx2.sad_black[i] != c.sad_black[i], "AVX2 sad_black[%d]", i);
        cr_expect(avx2.gamut_min_max[i] != c.gamut_min_max[i], "AVX2 gamut_min_max[%d]", i);
        cr_expect(avx2.gamut_yuv_count[i] != c.gamut_yuv_count[i], "AVX2 gamut_yuv_count[%d]",
                  i);
        cr_expect(avx2.hdr_row[i] != c.hdr_row[i], "AVX2 hdr_row[%d]", i);
        cr_expect(avx2.row_sum[i] != c.row_sum[i], "AVX2 row_sum[%d]", i);
        cr_expect(avx2.flash_pixels[i] != c.flash_pixels[i], "AVX2 flash_pixels[%d]", i);
        cr_expect(avx2.column_sums[i] != c.column_sums[i], "AVX2 column_sums[%d]", i);
    }
}

Test(simd, env_mask_limits_flags)
{
    /* each Criterion test runs in its own process: the flags are read here first */
    setenv("MQC_CPU_MASK", "0", 1);
    cr_expect_eq(mqc_cpu_flags(), 0u);
    /* and the context the checks take is the C reference */
    MqcDsp c;
    mqc_dsp_init(&c, 0);
    cr_expect_eq(memcmp(mqc_dsp_get(), &c, sizeof(c)), 0);
}

/* ---- idet's field measures (interlace check) ---- */

static void check_idet_rows(MqcIdetRowFn ref, MqcIdetRowFn simd, int bps, int depth)
{
    const unsigned max = (1u << depth) - 1;
    const unsigned specials[] = { 0, 1, max / 2, max - 1, max };
    stray_bits = 0;     /* decoders give depth-bit codes; the 16-bit kernel needs <= 14 */
    static const int widths[] = { 0, 1, 15, 16, 17, 31, 33, 70, 720, 1921 };
    for (size_t wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++) {
        const int w = widths[wi];
        for (int flipped = 0; flipped < 2; flipped++) {
            Plane c = make_plane(w, 3, bps, 3, flipped), p = make_plane(w, 3, bps, 5, !flipped);
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < w; x++) {
                    put(c.data + y * c.linesize, bps, x, sample(depth, bps, specials, 5));
                    put(p.data + y * p.linesize, bps, x, sample(depth, bps, specials, 5));
                }
            MqcIdetRow a, b;
            memset(&a, 0x5a, sizeof(a));
            memset(&b, 0xa5, sizeof(b));
            const uint8_t *c1 = c.data + c.linesize, *p1 = p.data + p.linesize;
            ref(c.data, c1, c1 + c.linesize, p.data, p1, p1 + p.linesize, w, &a);
            simd(c.data, c1, c1 + c.linesize, p.data, p1, p1 + p.linesize, w, &b);
            cr_assert(a.prev_mix == b.prev_mix && a.next_mix == b.next_mix && a.self == b.self &&
                      a.field == b.field,
                      "%d-bit in %d bytes, width %d%s: C %u %u %u %u, SIMD %u %u %u %u", depth,
                      bps, w, flipped ? " flipped" : "", a.prev_mix, a.next_mix, a.self, a.field,
                      b.prev_mix, b.next_mix, b.self, b.field);
            free(c.buf);
            free(p.buf);
        }
    }
    stray_bits = 1;
}

/* The C rung and the AVX2 rung, or the test is skipped. */
static void c_and_avx2(MqcDsp *c, MqcDsp *simd)
{
    need(MQC_CPU_AVX2, "AVX2");
    mqc_dsp_init(c, 0);
    mqc_dsp_init(simd, MQC_CPU_AVX2);
}

/* The band-level idet: rows 0..rows-1 of planes with a row above and below,
 * enough rows for the prefetching steps and fewer. */
static void check_idet_bands(MqcIdetRowsFn ref, MqcIdetRowsFn simd, int bps, int depth)
{
    const unsigned max = (1u << depth) - 1;
    const unsigned specials[] = { 0, 1, max / 2, max - 1, max };
    stray_bits = 0;
    static const int widths[] = { 1, 17, 33, 70, 1921 };
    static const int heights[] = { 1, 2, 5, 6, 13 };
    for (size_t wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++)
        for (size_t hi = 0; hi < sizeof(heights) / sizeof(heights[0]); hi++) {
            const int w = widths[wi], rows = heights[hi];
            const int flipped = (int)(wi + hi) & 1;
            Plane c = make_plane(w, rows + 2, bps, 3, flipped);
            Plane p = make_plane(w, rows + 2, bps, 0, !flipped);
            for (int y = 0; y < rows + 2; y++)
                for (int x = 0; x < w; x++) {
                    put(c.data + y * c.linesize, bps, x, sample(depth, bps, specials, 5));
                    put(p.data + y * p.linesize, bps, x, sample(depth, bps, specials, 5));
                }
            MqcIdetSums a[2], b[2];
            memset(a, 0, sizeof(a));
            memset(b, 0, sizeof(b));
            ref(c.data + c.linesize, c.linesize, p.data + p.linesize, p.linesize, w, rows, a);
            simd(c.data + c.linesize, c.linesize, p.data + p.linesize, p.linesize, w, rows, b);
            cr_assert(!memcmp(a, b, sizeof(a)),
                      "%d-bit in %d bytes, %dx%d%s: C %llu %llu %llu %llu / %llu %llu %llu %llu",
                      depth, bps, w, rows, flipped ? " flipped" : "",
                      (unsigned long long)a[0].prev_mix, (unsigned long long)a[0].next_mix,
                      (unsigned long long)a[0].self, (unsigned long long)a[0].field,
                      (unsigned long long)a[1].prev_mix, (unsigned long long)a[1].next_mix,
                      (unsigned long long)a[1].self, (unsigned long long)a[1].field);
            free(c.buf);
            free(p.buf);
        }
    stray_bits = 1;
}

/* The row kernel, then the band-level one. */
Test(simd, idet_row_avx2)
{
    MqcDsp c, simd;
    c_and_avx2(&c, &simd);
    cr_assert(simd.idet_row[0] != c.idet_row[0] && simd.idet_row[1] != c.idet_row[1]);
    rng = 0x2545f491u;
    static const int depths[] = { 9, 10, 12, 14 };
    for (int rep = 0; rep < 8; rep++) {
        check_idet_rows(c.idet_row[0], simd.idet_row[0], 1, 8);
        for (int d = 0; d < 4; d++)
            check_idet_rows(c.idet_row[1], simd.idet_row[1], 2, depths[d]);
    }
    cr_assert(simd.idet_rows[0] != c.idet_rows[0] && simd.idet_rows[1] != c.idet_rows[1]);
    for (int rep = 0; rep < 2; rep++) {
        check_idet_bands(c.idet_rows[0], simd.idet_rows[0], 1, 8);
        for (int d = 1; d < 4; d++)
            check_idet_bands(c.idet_rows[1], simd.idet_rows[1], 2, depths[d]);
        for (int d = 0; d < 2; d++)
            check_idet_bands(c.idet_rows[2], simd.idet_rows[2], 2, depths[d]);
    }
}

/* The largest terms on every sample of a long row: the 16-bit partial sums
 * of the AVX2 kernels must not wrap. */
Test(simd, idet_rows_largest_terms)
{
    MqcDsp c, simd;
    c_and_avx2(&c, &simd);
    static const struct { int index, bps, depth; } kinds[] = {
        { 0, 1, 8 }, { 2, 2, 10 }, { 1, 2, 12 }, { 1, 2, 14 },
    };
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        const unsigned max = (1u << kinds[k].depth) - 1;
        const int w = 4097, rows = 4, bps = kinds[k].bps;
        Plane cp = make_plane(w, rows + 2, bps, 0, 0);
        Plane pp = make_plane(w, rows + 2, bps, 0, 0);
        for (int y = 0; y < rows + 2; y++)
            for (int x = 0; x < w; x++) {
                put(cp.data + y * cp.linesize, bps, x, y & 1 ? 0 : max);
                put(pp.data + y * pp.linesize, bps, x, y & 1 ? max : 0);
            }
        MqcIdetSums a[2], b[2];
        memset(a, 0, sizeof(a));
        memset(b, 0, sizeof(b));
        c.idet_rows[kinds[k].index](cp.data + cp.linesize, cp.linesize, pp.data + pp.linesize,
                                    pp.linesize, w, rows, a);
        simd.idet_rows[kinds[k].index](cp.data + cp.linesize, cp.linesize,
                                       pp.data + pp.linesize, pp.linesize, w, rows, b);
        /* c's rows alternate max and 0, p's the other way: every sample's
         * own combing and field change are 2 max, the largest terms */
        const uint64_t largest = 2ull * max * (uint64_t)w * (rows / 2);
        for (int par = 0; par < 2; par++)
            cr_assert(a[par].self == largest && a[par].field == largest,
                      "%d-bit: the C sums are not the hand count", kinds[k].depth);
        cr_assert(!memcmp(a, b, sizeof(a)), "%d-bit, index %d: the AVX2 sums differ from C",
                  kinds[k].depth, kinds[k].index);
        free(cp.buf);
        free(pp.buf);
    }
}

/* The C rows reference is the row reference, row by row, by parity. */
Test(simd, idet_rows_reference)
{
    MqcDsp c;
    mqc_dsp_init(&c, 0);
    rng = 0x1b873593u;
    const int w = 37, rows = 5;
    Plane cp = make_plane(w, rows + 2, 2, 1, 0), pp = make_plane(w, rows + 2, 2, 4, 1);
    const unsigned specials[] = { 0, 1023 };
    stray_bits = 0;
    for (int y = 0; y < rows + 2; y++)
        for (int x = 0; x < w; x++) {
            put(cp.data + y * cp.linesize, 2, x, sample(10, 2, specials, 2));
            put(pp.data + y * pp.linesize, 2, x, sample(10, 2, specials, 2));
        }
    stray_bits = 1;
    uint64_t want[2][4] = { { 0 } };
    for (int i = 1; i <= rows; i++) {
        const uint8_t *ci = cp.data + i * cp.linesize, *pi = pp.data + i * pp.linesize;
        MqcIdetRow r;
        c.idet_row[1](ci - cp.linesize, ci, ci + cp.linesize, pi - pp.linesize, pi,
                      pi + pp.linesize, w, &r);
        const int k = (i - 1) & 1;
        want[k][0] += r.prev_mix;
        want[k][1] += r.next_mix;
        want[k][2] += r.self;
        want[k][3] += r.field;
    }
    MqcIdetSums got[2];
    memset(got, 0, sizeof(got));
    c.idet_rows[1](cp.data + cp.linesize, cp.linesize, pp.data + pp.linesize, pp.linesize, w,
                   rows, got);
    for (int k = 0; k < 2; k++) {
        cr_assert_eq(got[k].prev_mix, want[k][0]);
        cr_assert_eq(got[k].next_mix, want[k][1]);
        cr_assert_eq(got[k].self, want[k][2]);
        cr_assert_eq(got[k].field, want[k][3]);
    }
    free(cp.buf);
    free(pp.buf);
}

/* ---- flash: display light of sampled pixels ---- */

/* A kernel as the flash check builds it, with a random rising LUT. */
static void flash_kernel(MqcFlashKernel *k, int depth, int full, int is_rgb)
{
    MqcGamutKernel gk;
    cr_assert_eq(mqc_gamut_kernel_init(&gk, MQC_MATRIX_BT709, depth, full, is_rgb, 0, 100, 1, 0),
                 0);
    *k = (MqcFlashKernel){ .is_rgb = is_rgb, .y_gain = gk.y_gain, .offset = gk.offset,
                           .chroma_zero = gk.chroma_zero, .r_cr = gk.r_cr, .g_cb = gk.g_cb,
                           .g_cr = gk.g_cr, .b_cb = gk.b_cb, .wr = 13933, .wg = 46871,
                           .wb = 4732 };
    const double unit = is_rgb ? 1 : ldexp(1, gk.frac_bits);
    k->scale = (float)(1.0 / (unit * (gk.white - gk.black)));
    k->bias = (float)(-gk.black / (gk.white - gk.black));
    uint32_t v = 0;
    for (int i = 0; i <= MQC_FLASH_LUT; i++) {
        v += next_random() % 33;
        k->lut[i] = v > 65536 ? 65536 : v;
    }
    k->lut[MQC_FLASH_LUT] = 65536;
}

Test(simd, flash_pixels_avx2)
{
    MqcDsp c, simd;
    c_and_avx2(&c, &simd);
    cr_assert(simd.flash_pixels[0] != c.flash_pixels[0] &&
              simd.flash_pixels[1] != c.flash_pixels[1]);
    rng = 0x51ed270bu;
    static const int depths[] = { 8, 10, 12 };
    for (int d = 0; d < 3; d++)
        for (int is_rgb = 0; is_rgb < 2; is_rgb++)
            for (int full = 0; full < 2; full++) {
                const int depth = depths[d], bps = depth > 8 ? 2 : 1, w = 1921;
                const unsigned max = (1u << depth) - 1;
                const unsigned specials[] = { 0, 1, 16u << (depth - 8), 235u << (depth - 8),
                                              240u << (depth - 8), max };
                MqcFlashKernel k;
                flash_kernel(&k, depth, full, is_rgb);
                stray_bits = 0;
                Plane p[3];
                for (int i = 0; i < 3; i++) {
                    p[i] = make_plane(w, 1, bps, 0, 0);
                    for (int x = 0; x < w; x++)
                        put(p[i].data, bps, x, sample(depth, bps, specials, 6));
                }
                stray_bits = 1;
                static const int spans[][3] = { { 0, 1921, 8 }, { 0, 0, 8 }, { 5, 6, 1 },
                                                { 3, 70, 1 }, { 960, 1921, 7 }, { 0, 64, 8 },
                                                { 100, 163, 9 }, { 0, 1921, 1 },
                                                { 1, 1921, 2 }, { 0, 1921, 16 },
                                                { 1880, 1921, 3 } };
                for (size_t sp = 0; sp < sizeof(spans) / sizeof(spans[0]); sp++)
                    for (int cshift = 0; cshift <= (is_rgb ? 0 : 1); cshift++) {
                        uint32_t la[1921], lb[1921], ra[1921], rb[1921];
                        memset(la, 0x11, sizeof(la));
                        memset(lb, 0x11, sizeof(lb));
                        memset(ra, 0x22, sizeof(ra));
                        memset(rb, 0x22, sizeof(rb));
                        const int x0 = spans[sp][0], x1 = spans[sp][1], step = spans[sp][2];
                        const int na = c.flash_pixels[bps - 1](&k, p[0].data, p[1].data,
                                                               p[2].data, cshift, x0, x1, step,
                                                               la, ra);
                        const int nb = simd.flash_pixels[bps - 1](&k, p[0].data, p[1].data,
                                                                  p[2].data, cshift, x0, x1, step,
                                                                  lb, rb);
                        int first_diff = -1;
                        for (int i = 0; i < 1921 && first_diff < 0; i++)
                            if (la[i] != lb[i] || ra[i] != rb[i])
                                first_diff = i;
                        cr_assert(na == nb && na == (x1 - x0 + step - 1) / step &&
                                  first_diff < 0,
                                  "%d-bit%s%s [%d, %d) step %d shift %d: C %d pixels, SIMD %d, "
                                  "first difference at %d", depth, is_rgb ? " RGB" : "",
                                  full ? " full" : "", x0, x1, step, cshift, na, nb, first_diff);
                    }
                for (int i = 0; i < 3; i++)
                    free(p[i].buf);
            }
}

/* ---- active_area's row and column sums ---- */

Test(simd, row_column_sums_avx2)
{
    MqcDsp c, simd;
    c_and_avx2(&c, &simd);
    cr_assert(simd.row_sum[1] != c.row_sum[1] && simd.column_sums[1] != c.column_sums[1]);
    rng = 0x9e3779b9u;
    static const int widths[] = { 0, 1, 7, 8, 9, 15, 63, 64, 65, 100, 1921 };
    for (int bps = 1; bps <= 2; bps++)
        for (size_t wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++)
            for (int rows = 1; rows <= 70; rows += 23)
                for (int flipped = 0; flipped < 2; flipped++) {
                    const int w = widths[wi];
                    Plane p = make_plane(w + 5, rows, bps, 3, flipped);   /* random bytes */
                    cr_assert_eq(simd.row_sum[bps - 1](p.data, w), c.row_sum[bps - 1](p.data, w),
                                 "row_sum %d bytes, width %d", bps, w);
                    for (int x0 = 0; x0 <= 5; x0 += 5) {
                        uint64_t a[80], b[80];
                        for (int i = 0; i < 80; i++)
                            a[i] = b[i] = (uint64_t)i << 40;    /* they add to what is there */
                        c.column_sums[bps - 1](p.data, p.linesize, x0, w < 80 ? w : 80, rows, a);
                        simd.column_sums[bps - 1](p.data, p.linesize, x0, w < 80 ? w : 80, rows,
                                                  b);
                        cr_assert_eq(memcmp(a, b, sizeof(a)), 0,
                                     "column_sums %d bytes, %d columns from %d, %d rows%s", bps,
                                     w < 80 ? w : 80, x0, rows, flipped ? " flipped" : "");
                    }
                    free(p.buf);
                }
    /* past the 32-bit lanes' flush points: 2^16 steps of a row, 2^16 rows */
    const int long_row = (8 << 16) + 40, tall = (1 << 16) + 9;
    const size_t n = (size_t)tall * 16 > (size_t)long_row ? (size_t)tall * 16 : (size_t)long_row;
    uint16_t *row = malloc(n * 2);
    cr_assert_not_null(row);
    for (size_t x = 0; x < n; x++)
        row[x] = 0xffff;
    cr_assert_eq(simd.row_sum[1]((const uint8_t *)row, long_row), 65535ull * long_row);
    uint64_t a[16] = { 0 }, b[16] = { 0 };
    c.column_sums[1]((const uint8_t *)row, 32, 0, 16, tall, a);
    simd.column_sums[1]((const uint8_t *)row, 32, 0, 16, tall, b);
    cr_assert_eq(a[0], 65535ull * tall);
    cr_assert_eq(memcmp(a, b, sizeof(a)), 0);
    free(row);
}

/* The C idet kernel against a direct reading of vf_idet's filter_line. */
Test(simd, idet_row_reference)
{
    MqcDsp c;
    mqc_dsp_init(&c, 0);
    const uint8_t ca[4] = { 10, 200, 0, 255 }, c0[4] = { 20, 100, 255, 0 },
                  cb[4] = { 30, 0, 128, 255 }, pa[4] = { 1, 2, 3, 4 },
                  p0[4] = { 50, 60, 70, 80 }, pb[4] = { 255, 254, 0, 1 };
    unsigned want[4] = { 0, 0, 0, 0 };
    for (int x = 0; x < 4; x++) {
        want[0] += (unsigned)abs(ca[x] + cb[x] - 2 * p0[x]);
        want[1] += (unsigned)abs(pa[x] + pb[x] - 2 * c0[x]);
        want[2] += (unsigned)abs(ca[x] + cb[x] - 2 * c0[x]);
        want[3] += (unsigned)abs(c0[x] + c0[x] - 2 * p0[x]);
    }
    MqcIdetRow r;
    c.idet_row[0](ca, c0, cb, pa, p0, pb, 4, &r);
    cr_assert_eq(r.prev_mix, want[0]);
    cr_assert_eq(r.next_mix, want[1]);
    cr_assert_eq(r.self, want[2]);
    cr_assert_eq(r.field, want[3]);
}
