/* Nominal code values and EBU R103 limits per bit depth and range, and the
 * code values the legal_range and black checks derive from them. Every
 * expected number is worked out by hand in a comment. */
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include "engine/mediaqc.h"
#include "engine/internal.h"
#include "checks/all.h"
#include "engine/range.h"

Test(range, nominal_levels)
{
    static const struct {
        int depth, full;
        double black, white, chroma_lo, chroma_hi;
        unsigned code_max;
    } cases[] = {
        /* limited: 16/235/240 scaled by 2^(depth-8) */
        { 8, 0, 16, 235, 16, 240, 255 },
        { 10, 0, 64, 940, 64, 960, 1023 },           /* x4 */
        { 12, 0, 256, 3760, 256, 3840, 4095 },       /* x16 */
        { 16, 0, 4096, 60160, 4096, 61440, 65535 },  /* x256 */
        /* full: 0..2^n-1 for everything */
        { 8, 1, 0, 255, 0, 255, 255 },
        { 10, 1, 0, 1023, 0, 1023, 1023 },
        { 16, 1, 0, 65535, 0, 65535, 65535 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        MqcNominal n = mqc_nominal(cases[i].depth, cases[i].full);
        cr_expect_eq(n.black, cases[i].black, "case %zu black", i);
        cr_expect_eq(n.white, cases[i].white, "case %zu white", i);
        cr_expect_eq(n.chroma_lo, cases[i].chroma_lo, "case %zu chroma_lo", i);
        cr_expect_eq(n.chroma_hi, cases[i].chroma_hi, "case %zu chroma_hi", i);
        cr_expect_eq(n.code_max, cases[i].code_max, "case %zu code_max", i);
    }
}

typedef struct Band {
    int depth, full, chroma;        /* chroma: use the Cb/Cr excursion */
    double lo_pct, hi_pct;
    unsigned lo, hi;
} Band;

static const Band bands[] = {
    /* R103 luma -5%..105%: black -/+ 0.05 * (white - black), rounded */
    { 8, 0, 0, -5, 105, 5, 246 },           /* 16 - 10.95 = 5.05; 235 + 10.95 = 245.95 */
    { 10, 0, 0, -5, 105, 20, 984 },         /* 64 - 43.8 = 20.2; 940 + 43.8 = 983.8 */
    { 12, 0, 0, -5, 105, 81, 3935 },        /* 256 - 175.2 = 80.8; 3760 + 175.2 = 3935.2 */
    { 16, 0, 0, -5, 105, 1293, 62963 },     /* 4096 - 2803.2 = 1292.8; 60160 + 2803.2 */
    /* strict -1%..103% */
    { 8, 0, 0, -1, 103, 14, 242 },          /* 16 - 2.19 = 13.81; 235 + 6.57 = 241.57 */
    { 10, 0, 0, -1, 103, 55, 966 },         /* 64 - 8.76 = 55.24; 940 + 26.28 = 966.28 */
    { 12, 0, 0, -1, 103, 221, 3865 },       /* 256 - 35.04 = 220.96; 3760 + 105.12 */
    { 16, 0, 0, -1, 103, 3535, 61842 },     /* 4096 - 560.64 = 3535.36; 60160 + 1681.92 */
    /* 0%..100% are the nominal levels themselves */
    { 10, 0, 0, 0, 100, 64, 940 },
    /* chroma -5%..105% of 16..240 (excursion 224, 5% = 11.2) */
    { 8, 0, 1, -5, 105, 5, 251 },           /* 16 - 11.2 = 4.8; 240 + 11.2 = 251.2 */
    { 10, 0, 1, -5, 105, 19, 1005 },        /* 64 - 44.8 = 19.2; 960 + 44.8 = 1004.8 */
    { 12, 0, 1, -5, 105, 77, 4019 },        /* 256 - 179.2 = 76.8; 3840 + 179.2 = 4019.2 */
    { 16, 0, 1, -5, 105, 1229, 64307 },     /* 4096 - 2867.2 = 1228.8; 61440 + 2867.2 */
    /* full range: 0..2^n-1 +/- 5% falls outside the code space and clamps */
    { 8, 1, 0, -5, 105, 0, 255 },           /* -12.75 -> 0; 267.75 -> 255 */
    { 10, 1, 0, -5, 105, 0, 1023 },         /* -51.15 -> 0; 1074.15 -> 1023 */
    { 16, 1, 1, -5, 105, 0, 65535 },        /* -3276.75 -> 0; 68811.75 -> 65535 */
    { 8, 1, 0, 10, 90, 26, 230 },           /* 25.5 -> 26 (half up); 229.5 -> 230 */
    /* limited range clamps too when the band leaves the code space */
    { 8, 0, 0, -50, 150, 0, 255 },          /* 16 - 109.5 < 0; 235 + 109.5 > 255 */
};

Test(range, code_values_of_percent_limits)
{
    for (size_t i = 0; i < sizeof(bands) / sizeof(*bands); i++) {
        const Band *b = &bands[i];
        MqcNominal n = mqc_nominal(b->depth, b->full);
        double lo = b->chroma ? n.chroma_lo : n.black, hi = b->chroma ? n.chroma_hi : n.white;
        cr_expect_eq(mqc_code_at(lo, hi, b->lo_pct, n.code_max), b->lo,
                     "%d-bit %s %s %g%%", b->depth, b->full ? "full" : "limited",
                     b->chroma ? "chroma" : "luma", b->lo_pct);
        cr_expect_eq(mqc_code_at(lo, hi, b->hi_pct, n.code_max), b->hi,
                     "%d-bit %s %s %g%%", b->depth, b->full ? "full" : "limited",
                     b->chroma ? "chroma" : "luma", b->hi_pct);
    }
}

Test(range, code_at_rounds_half_up_and_clamps)
{
    cr_expect_eq(mqc_code_at(0, 1, 50, 255), 1);        /* 0.5 -> 1 */
    cr_expect_eq(mqc_code_at(0, 3, 50, 255), 2);        /* 1.5 -> 2 */
    cr_expect_eq(mqc_code_at(0, 1, 49, 255), 0);        /* 0.49 -> 0 */
    cr_expect_eq(mqc_code_at(0, 255, -1000, 255), 0);
    cr_expect_eq(mqc_code_at(0, 255, 1000, 255), 255);
}

/* ---- the checks' derived limits (init + finish, no scheduler) ---- */

static MqcStreamInfo stream(int depth, int full)
{
    MqcStreamInfo si;
    memset(&si, 0, sizeof(si));
    snprintf(si.pix_fmt, sizeof(si.pix_fmt), depth > 8 ? "yuv422p10le" : "yuv422p");
    si.bit_depth = depth;
    si.full_range = full;
    si.rate_num = 25;
    si.rate_den = 1;
    return si;
}

/* Runs init + finish of `name` with options `json` on si and returns the
 * metrics object (caller deletes it). */
static cJSON *derived_metrics(const char *name, const char *json, const MqcStreamInfo *si)
{
    const MqcCheck *c = mqc_registry_find(mqc_all_checks, name);
    cr_assert_not_null(c, "no check %s", name);
    cJSON *opts = cJSON_Parse(json);
    cr_assert_not_null(opts);
    void *priv = calloc(1, c->priv_size);
    cr_assert_not_null(priv);
    cr_assert_eq(mqc_options_apply(c->options, priv, opts), 0);
    char why[160] = "";
    cr_assert_eq(c->init(priv, si, why, sizeof(why)), 0, "%s skipped: %s", name, why);
    MqcEvents ev;
    memset(&ev, 0, sizeof(ev));
    MqcMetrics m = { cJSON_CreateObject() };
    c->finish(priv, si, &ev, &m);
    mqc_events_free(&ev);
    mqc_options_release(c->options, priv);
    free(priv);
    cJSON_Delete(opts);
    return m.obj;
}

static double metric(const cJSON *m, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
    cr_assert(cJSON_IsNumber(v), "metric %s missing", key);
    return v->valuedouble;
}

Test(range, legal_range_uses_r103_codes)
{
    static const struct {
        int depth, full;
        const char *opts;
        double y_lo, y_hi, c_lo, c_hi;      /* c_lo < 0: chroma not checked */
    } cases[] = {
        { 8, 0, "{}", 5, 246, -1, -1 },
        { 10, 0, "{\"chroma\": true}", 20, 984, 19, 1005 },
        { 12, 0, "{}", 81, 3935, -1, -1 },
        { 10, 0, "{\"luma_min_pct\": -1, \"luma_max_pct\": 103}", 55, 966, -1, -1 },
        { 10, 1, "{}", 0, 1023, -1, -1 },
        /* the chroma band at every depth: -5%..105% of 16..240 << (depth - 8) */
        { 8, 0, "{\"chroma\": true}", 5, 246, 5, 251 },
        { 12, 0, "{\"chroma\": true}", 81, 3935, 77, 4019 },
        { 16, 0, "{\"chroma\": true}", 1293, 62963, 1229, 64307 },
        /* full range: the band clamps to the code space for chroma too */
        { 8, 1, "{\"chroma\": true}", 0, 255, 0, 255 },
        { 16, 1, "{\"chroma\": true, \"chroma_min_pct\": -1, \"chroma_max_pct\": 101}", 0,
          65535, 0, 65535 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        MqcStreamInfo si = stream(cases[i].depth, cases[i].full);
        cJSON *m = derived_metrics("legal_range", cases[i].opts, &si);
        cr_expect_eq(metric(m, "luma_min_code"), cases[i].y_lo, "case %zu", i);
        cr_expect_eq(metric(m, "luma_max_code"), cases[i].y_hi, "case %zu", i);
        if (cases[i].c_lo >= 0) {
            cr_expect_eq(metric(m, "chroma_min_code"), cases[i].c_lo, "case %zu", i);
            cr_expect_eq(metric(m, "chroma_max_code"), cases[i].c_hi, "case %zu", i);
        } else {
            cr_expect_null(cJSON_GetObjectItemCaseSensitive(m, "chroma_min_code"));
        }
        cJSON_Delete(m);
    }
}

Test(range, black_threshold_truncates_like_blackdetect)
{
    static const struct { int depth, full; const char *opts; double threshold; } cases[] = {
        { 8, 0, "{}", 37 },         /* 16 + 0.10 * 219 = 37.9 -> 37 */
        { 10, 0, "{}", 151 },       /* 64 + 0.10 * 876 = 151.6 -> 151 */
        { 8, 1, "{}", 25 },         /* 0 + 0.10 * 255 = 25.5 -> 25 */
        { 8, 0, "{\"pixel_threshold_pct\": 0}", 16 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        MqcStreamInfo si = stream(cases[i].depth, cases[i].full);
        cJSON *m = derived_metrics("black", cases[i].opts, &si);
        cr_expect_eq(metric(m, "threshold_code"), cases[i].threshold, "case %zu", i);
        cJSON_Delete(m);
    }
}

Test(range, legal_range_leaves_rgb_to_the_gamut_check)
{
    const MqcCheck *c = mqc_registry_find(mqc_all_checks, "legal_range");
    cr_assert_not_null(c);
    void *priv = calloc(1, c->priv_size);
    cr_assert_not_null(priv);
    cr_assert_eq(mqc_options_apply(c->options, priv, NULL), 0);
    MqcStreamInfo si = stream(10, 1);
    snprintf(si.pix_fmt, sizeof(si.pix_fmt), "gbrp10le");
    si.is_rgb = 1;
    char why[160] = "";
    cr_expect_gt(c->init(priv, &si, why, sizeof(why)), 0, "R'G'B' input not skipped");
    cr_expect(strstr(why, "gamut") != NULL, "reason: %s", why);
    mqc_options_release(c->options, priv);
    free(priv);
}
