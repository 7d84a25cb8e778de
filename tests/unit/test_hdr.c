/* hdr kernels against the standards, in double precision: the EOTFs at
 * published points (ST 2084, BT.2100 HLG, BT.2408 reference white), every
 * neutral code of a 10-bit PQ and HLG stream, coloured pixels through the
 * BT.2020 equations, the mastering-peak threshold and band merging. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "checks/dsp/dsp.h"
#include "engine/mediaqc.h"

static uint32_t rng = 0x6d2b79f5u;

static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* One-row 4:4:4 10-bit picture of n pixels. */
typedef struct Row {
    MqcPicture pic;
    uint16_t y[64], cb[64], cr[64];
} Row;

static void row_init(Row *r, int n)
{
    memset(r, 0, sizeof(*r));
    r->pic = (MqcPicture){ .width = n, .height = 1, .nb_planes = 3, .bit_depth = 10,
                           .bytes_per_sample = 2 };
    r->pic.data[0] = (const uint8_t *)r->y;
    r->pic.data[1] = (const uint8_t *)r->cb;
    r->pic.data[2] = (const uint8_t *)r->cr;
    for (int c = 0; c < 3; c++)
        r->pic.linesize[c] = 64 * 2;
}

static MqcHdrKernel *kernel(MqcTransfer tf, double peak)
{
    MqcHdrKernel *k = malloc(sizeof(*k));
    cr_assert_not_null(k);
    cr_assert_eq(mqc_hdr_kernel_init(k, MQC_MATRIX_BT2020, 10, 0, 0, tf, peak), 0);
    return k;
}

static MqcHdrCounts measure(const MqcHdrKernel *k, const Row *r)
{
    MqcHdrCounts c;
    MqcDsp d;
    mqc_dsp_init(&d, 0);
    mqc_hdr_rows(&d, k, &r->pic, 0, 1, &c);
    return c;
}

/* the double-precision references, written from the standards' equations */
static double pq(double e)
{
    const double m1 = 0.1593017578125, m2 = 78.84375, c1 = 0.8359375, c2 = 18.8515625,
                 c3 = 18.6875;
    const double p = pow(e, 1 / m2);
    return 10000 * pow(fmax(p - c1, 0) / (c2 - c3 * p), 1 / m1);
}

static double hlg_scene(double e)
{
    const double a = 0.17883277, b = 0.28466892, c = 0.55991073;
    return e <= 0.5 ? e * e / 3 : (exp((e - c) / a) + b) / 12;
}

static double clamp01(double e)
{
    return e < 0 ? 0 : e > 1 ? 1 : e;
}

Test(hdr, eotfs_at_published_points)
{
    cr_expect_float_eq(mqc_pq_eotf(1.0), 10000, 1e-6);
    cr_expect_float_eq(mqc_pq_eotf(0.0), 0, 1e-12);
    /* BT.2100 / BT.2408: PQ 1000 cd/m2 at E' 0.7518, 100 cd/m2 at 0.5081 */
    cr_expect(fabs(mqc_pq_eotf(0.7518) / 1000 - 1) < 1e-3, "%g", mqc_pq_eotf(0.7518));
    cr_expect(fabs(mqc_pq_eotf(0.5081) / 100 - 1) < 1e-3, "%g", mqc_pq_eotf(0.5081));
    cr_expect_float_eq(mqc_hlg_inverse_oetf(0.5), 1.0 / 12, 1e-12);
    cr_expect_float_eq(mqc_hlg_inverse_oetf(1.0), 1.0, 1e-6);
    cr_expect_float_eq(mqc_hlg_ootf_gain(1.0), 1000, 1e-9);
    /* BT.2408: HLG reference white (75%) is 203 cd/m2 on a 1000 cd/m2 display */
    const double s = mqc_hlg_inverse_oetf(0.75);
    cr_expect(fabs(mqc_hlg_ootf_gain(s) * s / 203 - 1) < 5e-3, "%g", mqc_hlg_ootf_gain(s) * s);
}

/* A grey pixel of 10-bit code y: its counts, E' in *e. */
static MqcHdrCounts grey(const MqcHdrKernel *k, unsigned code, double *e)
{
    Row r;
    row_init(&r, 1);
    r.y[0] = (uint16_t)code;
    r.cb[0] = r.cr[0] = 512;
    *e = clamp01(((double)code - 64) / 876.0);
    return measure(k, &r);
}

Test(hdr, every_neutral_pq_code)
{
    MqcHdrKernel *k = kernel(MQC_TRANSFER_PQ, 0);
    for (unsigned code = 0; code < 1024; code++) {
        double e;
        const MqcHdrCounts c = grey(k, code, &e);
        const double want = pq(e), got = mqc_hdr_level_nits(k, c.max_level);
        cr_assert(fabs(got - want) <= 1e-9 * (want + 1), "code %u: %.9g, want %.9g", code, got,
                  want);
        cr_assert(fabs(ldexp((double)c.sum, -12) - want) <= ldexp(1, -13), "code %u sum", code);
    }
    free(k);
}

Test(hdr, every_neutral_hlg_code)
{
    MqcHdrKernel *k = kernel(MQC_TRANSFER_HLG, 0);
    for (unsigned code = 0; code < 1024; code++) {
        double e;
        const MqcHdrCounts c = grey(k, code, &e);
        /* grey: Ys is the component itself, display light 1000 Ys^1.2 */
        const double want = 1000 * pow(hlg_scene(e), 1.2), got = mqc_hdr_level_nits(k, c.max_level);
        const double tol = want >= 1 ? 5e-3 * want : 0.01;
        cr_assert(fabs(got - want) <= tol, "code %u: %.6g, want %.6g", code, got, want);
        cr_assert(fabs(ldexp((double)c.sum, -12) - got) <= 1e-3, "code %u sum", code);
    }
    free(k);
}

/* BT.2020 NCL, limited range, 10 bits */
static void rgb_of(double y, double cb, double cr, double e[3])
{
    const double kr = 0.2627, kb = 0.0593, kg = 1 - kr - kb;
    const double ey = (y - 64) / 876.0, pb = (cb - 512) / 896.0, pr = (cr - 512) / 896.0;
    e[0] = ey + 2 * (1 - kr) * pr;
    e[1] = ey - 2 * kb * (1 - kb) / kg * pb - 2 * kr * (1 - kr) / kg * pr;
    e[2] = ey + 2 * (1 - kb) * pb;
}

Test(hdr, coloured_pixels_match_the_bt2020_equations)
{
    MqcHdrKernel *kp = kernel(MQC_TRANSFER_PQ, 0), *kh = kernel(MQC_TRANSFER_HLG, 0);
    Row r;
    for (int i = 0; i < 20000; i++) {
        row_init(&r, 1);
        r.y[0] = (uint16_t)(64 + next_random() % 877);
        r.cb[0] = (uint16_t)(64 + next_random() % 897);
        r.cr[0] = (uint16_t)(64 + next_random() % 897);
        double e[3], pq_max = 0, scene[3], s_max = 0;
        rgb_of(r.y[0], r.cb[0], r.cr[0], e);
        for (int c = 0; c < 3; c++) {
            pq_max = fmax(pq_max, pq(clamp01(e[c])));
            scene[c] = hlg_scene(clamp01(e[c]));
            s_max = fmax(s_max, scene[c]);
        }
        const double ys = 0.2627 * scene[0] + 0.6780 * scene[1] + 0.0593 * scene[2];
        const double hlg_max = 1000 * pow(ys, 0.2) * s_max;
        /* R' is quantised to a quarter code: within PQ's slope over 1/8 code */
        const double got_pq = mqc_hdr_level_nits(kp, measure(kp, &r).max_level);
        cr_assert(fabs(got_pq - pq_max) <= 4e-3 * pq_max + 1e-3, "YCbCr %u %u %u: PQ %.6g, "
                  "want %.6g", r.y[0], r.cb[0], r.cr[0], got_pq, pq_max);
        const double got_hlg = mqc_hdr_level_nits(kh, measure(kh, &r).max_level);
        cr_assert(fabs(got_hlg - hlg_max) <= 1e-2 * hlg_max + 0.02, "YCbCr %u %u %u: HLG %.6g, "
                  "want %.6g", r.y[0], r.cb[0], r.cr[0], got_hlg, hlg_max);
    }
    free(kp);
    free(kh);
}

Test(hdr, mastering_peak_threshold)
{
    MqcHdrKernel *k = kernel(MQC_TRANSFER_PQ, 1000);
    /* 10-bit: 1000 cd/m2 lies between codes 722 (993.7) and 723 (1004.2) */
    cr_expect(mqc_hdr_level_nits(k, k->peak_level) <= 1000);
    cr_expect(mqc_hdr_level_nits(k, k->peak_level + 1) > 1000);
    Row r;
    row_init(&r, 4);
    const uint16_t codes[4] = { 722, 723, 940, 64 };
    for (int i = 0; i < 4; i++) {
        r.y[i] = codes[i];
        r.cb[i] = r.cr[i] = 512;
    }
    const MqcHdrCounts c = measure(k, &r);
    cr_expect(k->peak_level >= 722u << 2 && k->peak_level < 723u << 2);
    cr_expect_eq(c.above, 2, "723 and 940 are above 1000 cd/m2");
    cr_expect_eq(c.pixels, 4);
    free(k);
    MqcHdrKernel *h = kernel(MQC_TRANSFER_HLG, 500);
    const MqcHdrCounts ch = measure(h, &r);
    /* HLG on the 1000 cd/m2 display: 940 is 1000, 723 about 205 */
    cr_expect_eq(ch.above, 1);
    cr_expect(fabs(mqc_hdr_level_nits(h, ch.max_level) - 1000) < 0.01);
    free(h);
}

Test(hdr, bands_merge_to_the_whole)
{
    MqcHdrKernel *k = kernel(MQC_TRANSFER_PQ, 600);
    Row r;
    row_init(&r, 64);
    for (int i = 0; i < 64; i++) {
        r.y[i] = (uint16_t)(64 + next_random() % 960);
        r.cb[i] = (uint16_t)(next_random() % 1024);
        r.cr[i] = (uint16_t)(next_random() % 1024);
    }
    const MqcHdrCounts whole = measure(k, &r);
    MqcHdrCounts a = { 0 }, parts[2];
    MqcDsp d;
    mqc_dsp_init(&d, 0);
    for (int p = 0; p < 2; p++) {
        Row half = r;
        half.pic.width = 32;
        if (p) {
            memmove(half.y, r.y + 32, 64);
            memmove(half.cb, r.cb + 32, 64);
            memmove(half.cr, r.cr + 32, 64);
        }
        half.pic.data[0] = (const uint8_t *)half.y;
        half.pic.data[1] = (const uint8_t *)half.cb;
        half.pic.data[2] = (const uint8_t *)half.cr;
        mqc_hdr_rows(&d, k, &half.pic, 0, 1, &parts[p]);
        mqc_hdr_counts_merge(&a, &parts[p], p == 0);
    }
    cr_expect(a.pixels == whole.pixels && a.sum == whole.sum && a.above == whole.above &&
              a.max_level == whole.max_level);
    free(k);
}

Test(hdr, unsupported_transfer_is_refused)
{
    MqcHdrKernel *k = malloc(sizeof(*k));
    cr_assert_not_null(k);
    cr_expect_eq(mqc_hdr_kernel_init(k, MQC_MATRIX_BT2020, 10, 0, 0, MQC_TRANSFER_LINEAR, 0),
                 MQC_ERR_USAGE);
    cr_expect_eq(mqc_hdr_kernel_init(k, MQC_MATRIX_BT2020, 7, 0, 0, MQC_TRANSFER_PQ, 0),
                 MQC_ERR_USAGE);
    free(k);
}
