/* gamut kernels: the fixed-point Y'CbCr -> R'G'B' conversion against a
 * double-precision reference (BT.601/709/2020, limited and full range, 8 to
 * 16 bits), band counts against a naive reference, the bounding-box shortcut
 * (same results with and without it), the transfer functions, and the
 * OpenColorIO shim with the shipped config. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "checks/gamut.h"
#include "checks/ocio_shim.h"

#define SHIPPED_CONFIG MQC_SOURCE_DIR "/profiles/ocio/config.ocio"

static uint32_t rng = 2463534242u;

static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* ---- pictures: 3 planes, padded rows, optional chroma subsampling ---- */

typedef struct Pic {
    MqcPicture pic;
    uint8_t *buf[3];
} Pic;

static Pic make_pic(int width, int height, int depth, int log2_cw, int log2_ch, int is_rgb,
                    int full_range)
{
    Pic p = { .pic = { .width = width, .height = height, .nb_planes = 3, .bit_depth = depth,
                       .bytes_per_sample = depth > 8 ? 2 : 1, .is_rgb = is_rgb,
                       .full_range = full_range,
                       .log2_chroma_w = is_rgb ? 0 : log2_cw,
                       .log2_chroma_h = is_rgb ? 0 : log2_ch } };
    for (int c = 0; c < 3; c++) {
        int sw = c ? p.pic.log2_chroma_w : 0, sh = c ? p.pic.log2_chroma_h : 0;
        int w = (width + (1 << sw) - 1) >> sw, h = (height + (1 << sh) - 1) >> sh;
        ptrdiff_t stride = (ptrdiff_t)(w + 7) * p.pic.bytes_per_sample;   /* padded */
        p.buf[c] = malloc((size_t)stride * (size_t)h);
        cr_assert_not_null(p.buf[c]);
        for (ptrdiff_t i = 0; i < stride * h; i++)
            p.buf[c][i] = (uint8_t)next_random();   /* padding is garbage */
        p.pic.data[c] = p.buf[c];
        p.pic.linesize[c] = stride;
    }
    return p;
}

static void free_pic(Pic *p)
{
    for (int c = 0; c < 3; c++)
        free(p->buf[c]);
}

static int plane_w(const Pic *p, int c)
{
    int sw = c ? p->pic.log2_chroma_w : 0;
    return (p->pic.width + (1 << sw) - 1) >> sw;
}

static int plane_h(const Pic *p, int c)
{
    int sh = c ? p->pic.log2_chroma_h : 0;
    return (p->pic.height + (1 << sh) - 1) >> sh;
}

static unsigned get(const Pic *p, int c, int x, int y)
{
    const uint8_t *row = p->pic.data[c] + y * p->pic.linesize[c];
    return p->pic.bytes_per_sample == 1 ? row[x] : ((const uint16_t *)row)[x];
}

static void set(Pic *p, int c, int x, int y, unsigned v)
{
    uint8_t *row = (uint8_t *)p->pic.data[c] + y * p->pic.linesize[c];
    if (p->pic.bytes_per_sample == 1)
        row[x] = (uint8_t)v;
    else
        ((uint16_t *)row)[x] = (uint16_t)v;
}

/* Random codes; with `edges`, half of them the extremes of the code range
 * and values around the band's limits, where rounding shows. */
static void fill(Pic *p, int edges)
{
    const unsigned max = (1u << p->pic.bit_depth) - 1, s = 1u << (p->pic.bit_depth - 8);
    const unsigned specials[] = { 0, 1, max - 1, max, 16 * s, 235 * s, 240 * s, 128 * s,
                                  5 * s, 246 * s, 128 * s - 1, 128 * s + 1 };
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < plane_h(p, c); y++)
            for (int x = 0; x < plane_w(p, c); x++) {
                uint32_t r = next_random();
                set(p, c, x, y, edges && (r & 1) ? specials[(r >> 1) % 12] : (r >> 1) & max);
            }
}

/* Smooth in-band content with a few saturated blobs: most segments take
 * the shortcut, some do not, some straddle. */
static void fill_mostly_legal(Pic *p)
{
    const unsigned s = 1u << (p->pic.bit_depth - 8);
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < plane_h(p, c); y++)
            for (int x = 0; x < plane_w(p, c); x++) {
                unsigned v = c ? 128 * s + (next_random() % (16 * s)) - 8 * s
                               : 60 * s + (unsigned)((x * 7 + y * 3) % (120 * (int)s));
                if (next_random() % 97 == 0)
                    v = c ? (next_random() & 1 ? 16 * s : 240 * s) : 250 * s;
                set(p, c, x, y, v);
            }
}

/* ---- double-precision reference ---- */

static const double kr_kb[3][2] = { { 0.299, 0.114 }, { 0.2126, 0.0722 }, { 0.2627, 0.0593 } };

/* R'G'B' of one pixel as limited-range codes (unrounded), straight from the
 * BT.601/709/2020 equations. */
static void reference_rgb(int matrix, int depth, int full, int is_rgb, unsigned y, unsigned cb,
                          unsigned cr, double rgb[3])
{
    const double s = ldexp(1, depth - 8), max = ldexp(1, depth) - 1;
    if (is_rgb) {   /* planes G, B, R: codes as they are */
        rgb[0] = cr, rgb[1] = y, rgb[2] = cb;
        return;
    }
    double ey, ecb, ecr;
    if (full) {
        ey = y / max;
        ecb = (cb - ldexp(1, depth - 1)) / max;
        ecr = (cr - ldexp(1, depth - 1)) / max;
    } else {
        ey = (y - 16 * s) / (219 * s);
        ecb = (cb - 128 * s) / (224 * s);
        ecr = (cr - 128 * s) / (224 * s);
    }
    const double kr = kr_kb[matrix][0], kb = kr_kb[matrix][1], kg = 1 - kr - kb;
    const double e[3] = { ey + 2 * (1 - kr) * ecr,
                          ey - 2 * kb * (1 - kb) / kg * ecb - 2 * kr * (1 - kr) / kg * ecr,
                          ey + 2 * (1 - kb) * ecb };
    for (int c = 0; c < 3; c++)
        rgb[c] = 16 * s + 219 * s * e[c];
}

/* |fixed - exact| in codes: coefficient rounding (half a unit of 2^-F)
 * times at most 2^n of Y and 2 x 2^(n-1) of chroma, plus the offset. */
static double error_bound(int depth)
{
    return (ldexp(1, depth) + 0.5) * ldexp(1, depth - 30);
}

Test(gamut, fixed_point_matches_double_reference)
{
    static const int depths[] = { 8, 10, 12, 16 };
    static const char *const names[] = { "BT.601", "BT.709", "BT.2020" };
    for (int m = 0; m < 3; m++)
        for (size_t d = 0; d < sizeof(depths) / sizeof(*depths); d++)
            for (int full = 0; full <= 1; full++) {
                const int depth = depths[d];
                MqcGamutKernel k;
                cr_assert_eq(mqc_gamut_kernel_init(&k, (MqcGamutMatrix)m, depth, full, 0, -5,
                                                   105, 1, 0), 0);
                Pic p = make_pic(333, 24, depth, 0, 0, 0, full);
                fill(&p, 1);
                double worst = 0;
                int32_t v[3][333];
                for (int y = 0; y < p.pic.height; y++) {
                    mqc_gamut_convert(&k, &p.pic, y, 0, p.pic.width, v[0], v[1], v[2]);
                    for (int x = 0; x < p.pic.width; x++) {
                        double ref[3];
                        reference_rgb(m, depth, full, 0, get(&p, 0, x, y), get(&p, 1, x, y),
                                      get(&p, 2, x, y), ref);
                        for (int c = 0; c < 3; c++) {
                            double err = fabs(ldexp(v[c][x], -k.frac_bits) - ref[c]);
                            worst = err > worst ? err : worst;
                        }
                    }
                }
                cr_expect_leq(worst, error_bound(depth), "%s %d-bit %s: error %g > bound %g",
                              names[m], depth, full ? "full" : "limited", worst,
                              error_bound(depth));
                free_pic(&p);
            }
}

Test(gamut, r103_band_codes_per_depth)
{
    static const struct { int depth, lo, hi; } want[] = {
        { 8, 5, 246 }, { 10, 20, 984 }, { 12, 81, 3935 }, { 16, 1293, 62963 },
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
        MqcGamutKernel k;
        cr_assert_eq(mqc_gamut_kernel_init(&k, MQC_MATRIX_BT709, want[i].depth, 0, 0, -5, 105,
                                           1, 1), 0);
        cr_expect_eq(k.lo_code, want[i].lo, "%d-bit lo %d", want[i].depth, k.lo_code);
        cr_expect_eq(k.hi_code, want[i].hi, "%d-bit hi %d", want[i].depth, k.hi_code);
    }
    MqcGamutKernel k;
    cr_expect_lt(mqc_gamut_kernel_init(&k, MQC_MATRIX_BT709, 7, 0, 0, -5, 105, 1, 1), 0);
    cr_expect_lt(mqc_gamut_kernel_init(&k, MQC_MATRIX_BT709, 8, 0, 0, -5, 105, 2, 1), 0);
}

/* Counts by the book: double R'G'B', the binomial low-pass with the row's
 * edge repeated, rounding to the nearest code. Pixels whose exact value is
 * within the fixed-point error of a limit may go either way: `unsure`. */
typedef struct RefCounts {
    uint64_t above, below, out, unsure;
} RefCounts;

static RefCounts reference_counts(const Pic *p, int matrix, int taps, int lo, int hi)
{
    static const double w3[] = { 0.25, 0.5, 0.25 }, w5[] = { 1 / 16.0, 0.25, 0.375, 0.25,
                                                            1 / 16.0 };
    const double *w = taps == 3 ? w3 : w5, bound = error_bound(p->pic.bit_depth);
    const int h = taps / 2, sw = p->pic.log2_chroma_w, sh = p->pic.log2_chroma_h;
    const int width = p->pic.width;
    RefCounts rc = { 0 };
    double(*row)[3] = malloc(sizeof(*row) * (size_t)width);
    cr_assert_not_null(row);
    for (int y = 0; y < p->pic.height; y++) {
        for (int x = 0; x < width; x++)
            reference_rgb(matrix, p->pic.bit_depth, p->pic.full_range, p->pic.is_rgb,
                          get(p, 0, x, y), get(p, 1, x >> sw, y >> sh), get(p, 2, x >> sw, y >> sh),
                          row[x]);
        for (int x = 0; x < width; x++) {
            int a = 0, b = 0, unsure = 0;
            for (int c = 0; c < 3; c++) {
                double f = 0;
                if (taps == 1)
                    f = row[x][c];
                else
                    for (int j = -h; j <= h; j++) {
                        int xx = x + j < 0 ? 0 : x + j >= width ? width - 1 : x + j;
                        f += w[j + h] * row[xx][c];
                    }
                a |= f >= hi + 0.5;
                b |= f < lo - 0.5;
                unsure |= fabs(f - (hi + 0.5)) <= bound || fabs(f - (lo - 0.5)) <= bound;
            }
            rc.above += (uint64_t)a;
            rc.below += (uint64_t)b;
            rc.out += (uint64_t)(a | b);
            rc.unsure += (uint64_t)unsure;
        }
    }
    free(row);
    return rc;
}

static void expect_near(uint64_t got, uint64_t want, uint64_t unsure, const char *what,
                        const char *field)
{
    uint64_t diff = got > want ? got - want : want - got;
    cr_expect_leq(diff, unsure, "%s: %s %llu, reference %llu (%llu unsure)", what, field,
                  (unsigned long long)got, (unsigned long long)want,
                  (unsigned long long)unsure);
}

static const struct Shape {
    int depth, width, height, log2_cw, log2_ch, is_rgb, full;
} shapes[] = {
    { 8, 640, 8, 1, 1, 0, 0 },    /* 4:2:0 */
    { 8, 333, 5, 1, 0, 0, 1 },    /* 4:2:2 odd width, full range */
    { 8, 65, 3, 0, 0, 0, 0 },     /* 4:4:4, one pixel past a segment */
    { 10, 720, 4, 1, 0, 0, 0 },   /* 4:2:2 10-bit */
    { 10, 127, 6, 0, 0, 0, 1 },
    { 12, 200, 4, 2, 0, 0, 0 },   /* 4:1:1 */
    { 16, 130, 3, 0, 0, 0, 0 },
    { 16, 97, 3, 1, 1, 0, 1 },
    { 8, 100, 4, 0, 0, 1, 1 },    /* gbrp */
    { 10, 64, 4, 0, 0, 1, 1 },    /* gbrp10 */
    { 8, 1, 1, 0, 0, 0, 0 },      /* a single pixel */
};

static void shape_name(const struct Shape *s, int matrix, int taps, char *buf, size_t len)
{
    snprintf(buf, len, "%d-bit %dx%d log2c %d,%d%s%s matrix %d taps %d", s->depth, s->width,
             s->height, s->log2_cw, s->log2_ch, s->is_rgb ? " rgb" : "", s->full ? " full" : "",
             matrix, taps);
}

Test(gamut, counts_match_reference_on_random_data)
{
    static const int taps[] = { 1, 3, 5 };
    static const double bands[][2] = { { -5, 105 }, { 0, 100 }, { 10, 90 } };
    for (size_t i = 0; i < sizeof(shapes) / sizeof(*shapes); i++)
        for (int m = 0; m < 3; m++)
            for (size_t t = 0; t < 3; t++)
                for (size_t b = 0; b < 3; b++) {
                    const struct Shape *s = &shapes[i];
                    MqcGamutKernel k;
                    cr_assert_eq(mqc_gamut_kernel_init(&k, (MqcGamutMatrix)m, s->depth, s->full,
                                                       s->is_rgb, bands[b][0], bands[b][1],
                                                       taps[t], 1), 0);
                    Pic p = make_pic(s->width, s->height, s->depth, s->log2_cw, s->log2_ch,
                                     s->is_rgb, s->full);
                    fill(&p, (int)(b & 1));
                    MqcGamutCounts got;
                    mqc_gamut_rows(mqc_dsp_get(), &k, NULL, &p.pic, 0, s->height, &got);
                    RefCounts want = reference_counts(&p, m, taps[t], k.lo_code, k.hi_code);
                    char what[160];
                    shape_name(s, m, taps[t], what, sizeof(what));
                    cr_expect_eq(got.pixels, (uint64_t)s->width * (uint64_t)s->height, "%s", what);
                    expect_near(got.above, want.above, want.unsure, what, "above");
                    expect_near(got.below, want.below, want.unsure, what, "below");
                    expect_near(got.out, want.out, want.unsure, what, "out");
                    free_pic(&p);
                }
}

/* The shortcut skips segments whose Y/Cb/Cr bounding box maps inside the
 * band: counts and extremes must be identical, bit for bit, with it off. */
Test(gamut, block_shortcut_changes_nothing)
{
    static const int taps[] = { 1, 3, 5 };
    for (size_t i = 0; i < sizeof(shapes) / sizeof(*shapes); i++)
        for (int data = 0; data < 3; data++)
            for (size_t t = 0; t < 3; t++)
                for (int m = 0; m < 3; m++) {
                    const struct Shape *s = &shapes[i];
                    MqcGamutKernel on, off;
                    cr_assert_eq(mqc_gamut_kernel_init(&on, (MqcGamutMatrix)m, s->depth, s->full,
                                                       s->is_rgb, -5, 105, taps[t], 1), 0);
                    off = on;
                    off.shortcut = 0;
                    Pic p = make_pic(s->width, s->height, s->depth, s->log2_cw, s->log2_ch,
                                     s->is_rgb, s->full);
                    if (data == 2)
                        fill_mostly_legal(&p);
                    else
                        fill(&p, data);
                    MqcGamutCounts a, b;
                    memset(&a, 0x5A, sizeof(a));
                    memset(&b, 0xA5, sizeof(b));
                    /* in two bands, as the scheduler would cut the picture */
                    int mid = s->height / 2 & ~((1 << s->log2_ch) - 1);
                    MqcGamutCounts a0, a1, b0, b1;
                    mqc_gamut_rows(mqc_dsp_get(), &on, NULL, &p.pic, 0, mid, &a0);
                    mqc_gamut_rows(mqc_dsp_get(), &on, NULL, &p.pic, mid, s->height, &a1);
                    mqc_gamut_counts_merge(&a, &a0, 1);
                    mqc_gamut_counts_merge(&a, &a1, 0);
                    mqc_gamut_rows(mqc_dsp_get(), &off, NULL, &p.pic, 0, mid, &b0);
                    mqc_gamut_rows(mqc_dsp_get(), &off, NULL, &p.pic, mid, s->height, &b1);
                    mqc_gamut_counts_merge(&b, &b0, 1);
                    mqc_gamut_counts_merge(&b, &b1, 0);
                    char what[160];
                    shape_name(s, m, taps[t], what, sizeof(what));
                    cr_expect_eq(memcmp(&a, &b, sizeof(a)), 0,
                                 "%s data %d: with shortcut above %llu below %llu max %lld, "
                                 "without %llu %llu %lld", what, data,
                                 (unsigned long long)a.above, (unsigned long long)a.below,
                                 (long long)a.max_sum, (unsigned long long)b.above,
                                 (unsigned long long)b.below, (long long)b.max_sum);
                    /* and the whole picture in one band gives the same */
                    MqcGamutCounts whole;
                    mqc_gamut_rows(mqc_dsp_get(), &on, NULL, &p.pic, 0, s->height, &whole);
                    cr_expect_eq(memcmp(&a, &whole, sizeof(a)), 0, "%s: bands differ", what);
                    free_pic(&p);
                }
}

/* Every pixel legal, but the segment's bounding box is not: its corner
 * (Y of black, Cb of yellow) is an illegal colour no pixel has. The
 * shortcut must fall back to the pixels and find nothing. */
Test(gamut, legal_pixels_with_an_illegal_bounding_box)
{
    MqcGamutKernel k;
    cr_assert_eq(mqc_gamut_kernel_init(&k, MQC_MATRIX_BT709, 8, 0, 0, -5, 105, 1, 1), 0);
    Pic p = make_pic(64, 1, 8, 0, 0, 0, 0);
    for (int x = 0; x < 64; x++) {   /* black and BT.709 yellow (R'=G'=1, B'=0) */
        set(&p, 0, x, 0, x & 1 ? 219 : 16);
        set(&p, 1, x, 0, x & 1 ? 16 : 128);
        set(&p, 2, x, 0, x & 1 ? 138 : 128);
    }
    MqcGamutCounts c;
    mqc_gamut_rows(mqc_dsp_get(), &k, NULL, &p.pic, 0, 1, &c);
    cr_expect_eq(c.out, 0, "out %llu", (unsigned long long)c.out);
    /* and one pixel of black at yellow's Cb is found */
    set(&p, 0, 2, 0, 16);
    set(&p, 1, 2, 0, 16);
    mqc_gamut_rows(mqc_dsp_get(), &k, NULL, &p.pic, 0, 1, &c);
    cr_expect_eq(c.below, 1, "below %llu", (unsigned long long)c.below);
    free_pic(&p);
}

Test(gamut, planted_patch_values)
{
    /* the test media's patches: neutral Y 252 (8-bit) and 1010 (10-bit) are
     * R'=G'=B' 107.8% / 108.0%, Y 1 / 4 are -6.85% */
    static const struct { int depth; unsigned y; double pct; int above; } patch[] = {
        { 8, 252, 107.763, 1 }, { 10, 1010, 107.991, 1 }, { 8, 1, -6.849, 0 }, { 10, 4, -6.849, 0 },
    };
    for (size_t i = 0; i < sizeof(patch) / sizeof(*patch); i++) {
        MqcGamutKernel k;
        cr_assert_eq(mqc_gamut_kernel_init(&k, MQC_MATRIX_BT709, patch[i].depth, 0, 0, -5, 105,
                                           1, 1), 0);
        Pic p = make_pic(70, 2, patch[i].depth, 1, 0, 0, 0);
        unsigned zero = 128u << (patch[i].depth - 8);
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 70; x++) {
                set(&p, 0, x, y, patch[i].y);
                if (x < 35)
                    set(&p, 1, x, y, zero), set(&p, 2, x, y, zero);
            }
        MqcGamutCounts c;
        mqc_gamut_rows(mqc_dsp_get(), &k, NULL, &p.pic, 0, 2, &c);
        cr_expect_eq(c.out, 140);
        cr_expect_eq(patch[i].above ? c.above : c.below, 140);
        double got = mqc_gamut_sum_pct(&k, patch[i].above ? c.max_sum : c.min_sum);
        cr_expect_float_eq(got, patch[i].pct, 0.001, "%g%%, want %g%%", got, patch[i].pct);
        free_pic(&p);
    }
}

/* ---- transfer functions ---- */

Test(gamut, transfer_functions)
{
    /* ST 2084: E'=1 is 10000 cd/m2, 0.5081 ~ 100 cd/m2 */
    cr_expect_float_eq(mqc_transfer_linear(MQC_TRANSFER_PQ, 1.0), 1.0, 1e-9);
    cr_expect_float_eq(mqc_transfer_linear(MQC_TRANSFER_PQ, 0.508078) * 10000, 100.0, 0.01);
    cr_expect_float_eq(mqc_transfer_linear(MQC_TRANSFER_PQ, 0.0), 0.0, 1e-12);
    /* BT.2100 HLG inverse OETF: 0.5 -> 1/12, 1 -> 1 */
    cr_expect_float_eq(mqc_transfer_linear(MQC_TRANSFER_HLG, 0.5), 1.0 / 12, 1e-12);
    cr_expect_float_eq(mqc_transfer_linear(MQC_TRANSFER_HLG, 1.0), 1.0, 1e-6);
    cr_expect_float_eq(mqc_transfer_linear(MQC_TRANSFER_BT1886, 0.5), pow(0.5, 2.4), 1e-12);
    /* odd extension below zero */
    cr_expect_float_eq(mqc_transfer_linear(MQC_TRANSFER_BT1886, -0.5), -pow(0.5, 2.4), 1e-12);
}

/* ---- OpenColorIO: shipped config, target test ---- */

Test(gamut, ocio_shim_unknown_name_lists_valid_ones)
{
    const MqcOcioProcessor *p;
    char err[512];
    cr_assert_lt(mqc_ocio_processor(SHIPPED_CONFIG, "Rec.2020", "NoSuchSpace", &p, err,
                                    sizeof(err)), 0);
    cr_expect_not_null(strstr(err, "NoSuchSpace"), "%s", err);
    for (const char *const *n = (const char *const[]){ "Rec.709", "Rec.2020", "P3-D65", "sRGB",
                                                      "ACEScg", "ACES2065-1", NULL }; *n; n++)
        cr_expect_not_null(strstr(err, *n), "%s lacks %s", err, *n);
    cr_assert_lt(mqc_ocio_processor("/nonexistent/config.ocio", "a", "b", &p, err, sizeof(err)),
                 0);
    cr_expect_not_null(strstr(err, "/nonexistent/config.ocio"), "%s", err);
}

Test(gamut, ocio_shipped_matrices)
{
    /* BT.2020 -> BT.709 as published in ITU-R BT.2087 (4 decimals) */
    static const double bt2087[3][3] = { { 1.6605, -0.5876, -0.0728 },
                                         { -0.1246, 1.1329, -0.0083 },
                                         { -0.0182, -0.1006, 1.1187 } };
    const MqcOcioProcessor *p;
    char err[512];
    cr_assert_eq(mqc_ocio_processor(SHIPPED_CONFIG, "Rec.2020", "Rec.709", &p, err, sizeof(err)),
                 0, "%s", err);
    float px[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
    mqc_ocio_apply(p, px, 3);
    for (int col = 0; col < 3; col++)
        for (int row = 0; row < 3; row++)
            cr_expect_float_eq(px[3 * col + row], bt2087[row][col], 6e-5, "[%d][%d] %f", row,
                               col, px[3 * col + row]);
    /* a round trip through every space keeps white */
    static const char *const spaces[] = { "sRGB", "P3-D65", "ACEScg", "ACES2065-1", "Rec.2020" };
    for (size_t i = 0; i < 5; i++) {
        cr_assert_eq(mqc_ocio_processor(SHIPPED_CONFIG, "Rec.709", spaces[i], &p, err,
                                        sizeof(err)), 0, "%s", err);
        float w[3] = { 1, 1, 1 };
        mqc_ocio_apply(p, w, 1);
        /* D65 white stays 1,1,1 in D65 spaces and in the Bradford-adapted ACES ones */
        for (int c = 0; c < 3; c++)
            cr_expect_float_eq(w[c], 1.0f, 1e-5, "%s: %f", spaces[i], w[c]);
    }
}

Test(gamut, target_flags_rec2020_green_not_grey)
{
    const MqcOcioProcessor *proc;
    char err[512];
    cr_assert_eq(mqc_ocio_processor(SHIPPED_CONFIG, "Rec.2020", "Rec.709", &proc, err,
                                    sizeof(err)), 0, "%s", err);
    MqcGamutKernel k;
    cr_assert_eq(mqc_gamut_kernel_init(&k, MQC_MATRIX_BT2020, 10, 0, 0, -5, 105, 1, 1), 0);
    MqcGamutTarget *t = malloc(sizeof(*t));
    cr_assert_not_null(t);
    mqc_gamut_target_init(t, &k, MQC_TRANSFER_BT1886, proc, 0.001);
    /* 100 pixels: left half Rec.2020 green (R'G'B' 0,1,0 -> BT.2020 Y'CbCr
     * 10-bit limited: Y 64+876*0.6780 = 658, Cb 512-896*0.3604, Cr
     * 512-896*0.4598), right half a mid grey */
    Pic p = make_pic(100, 2, 10, 0, 0, 0, 0);
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 100; x++) {
            int green = x < 50;
            set(&p, 0, x, y, green ? 658 : 502);
            set(&p, 1, x, y, green ? 189 : 512);
            set(&p, 2, x, y, green ? 100 : 512);
        }
    MqcGamutCounts c;
    mqc_gamut_rows(mqc_dsp_get(), &k, t, &p.pic, 0, 2, &c);
    cr_expect_eq(c.target_out, 100, "target_out %llu", (unsigned long long)c.target_out);
    cr_expect_eq(c.out, 0);
    free(t);
    free_pic(&p);
}
