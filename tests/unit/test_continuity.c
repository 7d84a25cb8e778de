/* The continuity checks driven frame by frame through their tables, as the
 * scheduler drives them (measure per band, reduce in band order, fold,
 * finish), on synthetic pictures and frame infos: timecode continuity with
 * per-frame timecodes (which no encoder reachable from the ffmpeg CLI writes
 * as S12M side data), timestamp gaps with container rounding, the repeat
 * and freeze state machines. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include "engine/internal.h"

extern const MqcCheck mqc_check_timecode;
extern const MqcCheck mqc_check_dropped_frames;
extern const MqcCheck mqc_check_freeze;

#define W 16
#define H 8

typedef struct Harness {
    const MqcCheck *ck;
    void *priv;
    MqcEvents ev;
    cJSON *metrics;
    uint8_t *slices, *frame;
    int64_t index;
    int have_prev, have_ref;
    uint8_t prev[W * H], ref[W * H];
} Harness;

static void start(Harness *h, const MqcCheck *ck, const MqcStreamInfo *si, const char *options)
{
    memset(h, 0, sizeof(*h));
    h->ck = ck;
    h->priv = calloc(1, ck->priv_size);
    cJSON *opts = options ? cJSON_Parse(options) : NULL;
    cr_assert_eq(mqc_options_apply(ck->options, h->priv, opts), 0);
    cJSON_Delete(opts);
    char why[160] = "";
    cr_assert_eq(ck->init(h->priv, si, why, sizeof(why)), 0, "%s", why);
    h->slices = calloc(2, ck->slice_size + 1);
    h->frame = calloc(1, ck->frame_size + 1);
}

static MqcStreamInfo stream(int num, int den, int tb_num, int tb_den, const char *tc)
{
    MqcStreamInfo si = { .rate_num = num, .rate_den = den, .tb_num = tb_num, .tb_den = tb_den,
                         .bit_depth = 8, .width = W, .height = H };
    snprintf(si.start_timecode, sizeof(si.start_timecode), "%s", tc ? tc : "");
    return si;
}

static void picture(MqcPicture *p, const uint8_t *data)
{
    *p = (MqcPicture){ .data = { data }, .linesize = { W }, .width = W, .height = H,
                       .nb_planes = 1, .bit_depth = 8, .bytes_per_sample = 1 };
}

/* One frame's two bands measured and reduced in order into h->frame. */
static void step_measure(Harness *h, const uint8_t *pixels)
{
    MqcPicture cur, prev, ref;
    picture(&cur, pixels);
    picture(&prev, h->prev);
    picture(&ref, h->ref);
    if (h->ck->measure) {
        for (int b = 0; b < 2; b++) {
            MqcBand band = { .pic = &cur, .prev = h->have_prev ? &prev : NULL,
                             .ref = h->have_ref ? &ref : NULL, .y0 = b * H / 2,
                             .y1 = (b + 1) * H / 2 };
            h->ck->measure(h->priv, &band, h->slices + b * h->ck->slice_size);
        }
        for (int b = 0; b < 2; b++)
            h->ck->reduce(h->priv, h->frame, h->slices + b * h->ck->slice_size, b);
    }
}

/* The measured frame folded; returns fold()'s flags. */
static int step_fold(Harness *h, const uint8_t *pixels, int64_t pts, const char *tc)
{
    MqcFrameInfo fi = { .index = h->index++, .pts = pts, .pkt_pos = -1 };
    snprintf(fi.timecode, sizeof(fi.timecode), "%s", tc ? tc : "");
    int flags = h->ck->fold(h->priv, &fi, h->frame, &h->ev);
    if ((flags & MQC_KEEP_REFERENCE) && pixels) {
        memcpy(h->ref, pixels, sizeof(h->ref));
        h->have_ref = 1;
    }
    if (pixels) {
        memcpy(h->prev, pixels, sizeof(h->prev));
        h->have_prev = 1;
    }
    return flags;
}

/* One frame: two bands measured, reduced in order, then folded. */
static void step(Harness *h, const uint8_t *pixels, int64_t pts, const char *tc)
{
    step_measure(h, pixels);
    step_fold(h, pixels, pts, tc);
}

static void finish(Harness *h, const MqcStreamInfo *si)
{
    h->metrics = cJSON_CreateObject();
    MqcMetrics m = { h->metrics };
    h->ck->finish(h->priv, si, &h->ev, &m);
}

static void stop(Harness *h)
{
    mqc_options_release(h->ck->options, h->priv);
    free(h->priv);
    free(h->slices);
    free(h->frame);
    mqc_events_free(&h->ev);
    cJSON_Delete(h->metrics);
}

static const char *metric_string(const Harness *h, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(h->metrics, key);
    cr_assert(cJSON_IsString(v), "metric %s", key);
    return v->valuestring;
}

static double metric_number(const Harness *h, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(h->metrics, key);
    cr_assert(cJSON_IsNumber(v), "metric %s", key);
    return v->valuedouble;
}

/* A picture with detail that differs for every seed; seed < 0: flat grey. */
static void make_picture(uint8_t *p, int seed)
{
    for (int i = 0; i < W * H; i++)
        p[i] = seed < 0 ? 128 : (uint8_t)(16 + (i * 7 + seed * 13) % 200);
}

/* ---- timecode ---- */

static void run_timecodes(Harness *h, const MqcStreamInfo *si, const char *const *tcs, int n)
{
    for (int i = 0; i < n; i++)
        step(h, NULL, i, tcs[i]);
    finish(h, si);
}

Test(timecode, drop_frame_counts_across_a_minute)
{
    MqcStreamInfo si = stream(30000, 1001, 1, 30000, "00:00:59;28");
    const char *tcs[] = { "00:00:59;28", "00:00:59;29", "00:01:00;02", "00:01:00;03" };
    Harness h;
    start(&h, &mqc_check_timecode, &si, NULL);
    run_timecodes(&h, &si, tcs, 4);
    cr_assert_eq(h.ev.n, 0, "%s", h.ev.n ? h.ev.v[0].detail : "");
    cr_assert_str_eq(metric_string(&h, "end_timecode"), "00:01:00;03");
    cr_assert_eq(metric_number(&h, "drop_frame"), 1);
    cr_assert_eq(metric_number(&h, "frames_with_timecode"), 4);
    stop(&h);
}

Test(timecode, break_names_expected_and_found)
{
    MqcStreamInfo si = stream(25, 1, 1, 25, "01:00:00:00");
    const char *tcs[] = { "01:00:00:00", "01:00:00:01", "01:00:10:00", "01:00:10:01" };
    Harness h;
    start(&h, &mqc_check_timecode, &si, NULL);
    run_timecodes(&h, &si, tcs, 4);
    cr_assert_eq(h.ev.n, 1);
    const MqcEvent *e = &h.ev.v[0];
    cr_assert_str_eq(e->code, "timecode_break");
    cr_assert_eq(e->start_frame, 2);
    cr_assert_eq(e->end_frame, 2);
    cr_assert_eq(e->value, 248);    /* 10 s at 25 fps, less the 2 frames expected */
    cr_assert(strstr(e->detail, "expected 01:00:00:02"), "%s", e->detail);
    cr_assert(strstr(e->detail, "found 01:00:10:00"), "%s", e->detail);
    cr_assert_eq(metric_number(&h, "timecode_breaks"), 1);
    stop(&h);
}

Test(timecode, stuck_timecode_is_one_event)
{
    MqcStreamInfo si = stream(25, 1, 1, 25, NULL);
    const char *tcs[] = { "10:00:00:00", "10:00:00:01", "10:00:00:01", "10:00:00:01",
                          "10:00:00:01", "10:00:00:02" };
    Harness h;
    start(&h, &mqc_check_timecode, &si, NULL);
    run_timecodes(&h, &si, tcs, 6);
    cr_assert_eq(h.ev.n, 1);
    cr_assert_eq(h.ev.v[0].start_frame, 2);
    cr_assert_eq(h.ev.v[0].end_frame, 4);
    cr_assert_str_eq(metric_string(&h, "timecode_source"), "frames");
    cr_assert_str_eq(metric_string(&h, "start_timecode"), "10:00:00:00");
    stop(&h);
}

Test(timecode, midnight_wraps)
{
    MqcStreamInfo si = stream(30000, 1001, 1, 30000, NULL);
    const char *tcs[] = { "23:59:59;28", "23:59:59;29", "00:00:00;00", "00:00:00;01" };
    Harness h;
    start(&h, &mqc_check_timecode, &si, NULL);
    run_timecodes(&h, &si, tcs, 4);
    cr_assert_eq(h.ev.n, 0, "%s", h.ev.n ? h.ev.v[0].detail : "");
    stop(&h);
}

Test(timecode, frames_disagree_with_the_container_start)
{
    MqcStreamInfo si = stream(24, 1, 1, 24, "01:00:00:00");
    const char *tcs[] = { "00:00:00:00", "00:00:00:01" };
    Harness h;
    start(&h, &mqc_check_timecode, &si, NULL);
    run_timecodes(&h, &si, tcs, 2);
    cr_assert_eq(h.ev.n, 1);
    cr_assert_eq(h.ev.v[0].start_frame, 0);
    cr_assert(strstr(h.ev.v[0].detail, "expected 01:00:00:00"), "%s", h.ev.v[0].detail);
    stop(&h);
}

Test(timecode, drop_frame_only_at_ntsc_rates)
{
    static const struct { int num, den; const char *tc; int events; } cases[] = {
        { 25, 1, "01:00:00;00", 1 },
        { 30, 1, "01:00:00;00", 1 },        /* libavutil accepts it; SMPTE does not */
        { 24000, 1001, "01:00:00;00", 1 },
        { 30000, 1001, "01:00:00;00", 0 },
        { 60000, 1001, "01:00:00;00", 0 },
        { 30000, 1001, "01:00:00:00", 0 },  /* non-drop at 29.97 is legal */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        MqcStreamInfo si = stream(cases[i].num, cases[i].den, 1, 1000, cases[i].tc);
        Harness h;
        start(&h, &mqc_check_timecode, &si, NULL);
        step(&h, NULL, 0, NULL);
        finish(&h, &si);
        cr_assert_eq((int)h.ev.n, cases[i].events, "%d/%d %s", cases[i].num, cases[i].den,
                     cases[i].tc);
        if (cases[i].events)
            cr_assert_str_eq(h.ev.v[0].code, "timecode_dropframe_mismatch");
        stop(&h);
    }
}

/* ---- dropped_frames: timestamps ---- */

Test(dropped_frames, matroska_rounding_is_not_a_gap)
{
    MqcStreamInfo si = stream(30000, 1001, 1, 1000, NULL);
    Harness h;
    start(&h, &mqc_check_dropped_frames, &si, "{\"repeats\": false}");
    for (int i = 0; i < 300; i++)
        if (i != 40 && (i < 100 || i > 104))
            step(&h, NULL, llround(i * 1001 / 30.0), NULL);
    finish(&h, &si);
    cr_assert_eq(h.ev.n, 2);
    cr_assert_str_eq(h.ev.v[0].code, "missing_frames");
    cr_assert_eq(h.ev.v[0].start_frame, 40);
    cr_assert_eq(h.ev.v[0].value, 1);
    cr_assert_eq(h.ev.v[1].start_frame, 99);
    cr_assert_eq(h.ev.v[1].value, 5);
    cr_assert_eq(metric_number(&h, "missing_frames"), 6);
    cr_assert_eq(metric_number(&h, "vfr"), 0);
    stop(&h);
}

Test(dropped_frames, misstamped_frame_is_one_discontinuity)
{
    MqcStreamInfo si = stream(25, 1, 1, 1000, NULL);
    Harness h;
    start(&h, &mqc_check_dropped_frames, &si, "{\"repeats\": false}");
    for (int i = 0; i < 50; i++)
        step(&h, NULL, (i == 30 ? 29 : i) * 40, NULL);
    finish(&h, &si);
    cr_assert_eq(h.ev.n, 1);
    cr_assert_str_eq(h.ev.v[0].code, "timestamp_discontinuity");
    cr_assert_eq(h.ev.v[0].start_frame, 30);
    stop(&h);
}

Test(dropped_frames, vfr_is_not_gaps)
{
    MqcStreamInfo si = stream(30, 1, 1, 90000, NULL);
    Harness h;
    start(&h, &mqc_check_dropped_frames, &si, "{\"repeats\": false}");
    for (int i = 0; i < 90; i++)
        step(&h, NULL, i < 40 ? i * 3000 : 120000 + (i - 40) * 3750, NULL);
    finish(&h, &si);
    /* issue 13.10: one fact over the frames off the grid, not a gap per frame */
    cr_assert_eq(h.ev.n, 1);
    cr_assert_str_eq(h.ev.v[0].code, "variable_frame_rate");
    cr_assert(h.ev.v[0].info);
    cr_assert_eq(h.ev.v[0].start_frame, 41, "where the rate changes");
    cr_assert_eq(h.ev.v[0].end_frame, 41);
    cr_assert_eq(metric_number(&h, "vfr"), 1);
    stop(&h);
}

/* ---- dropped_frames: repeats; seeds name pictures, equal seeds are copies ---- */

static size_t repeats(const int *seeds, int n, MqcEvent *first)
{
    MqcStreamInfo si = stream(25, 1, 1, 25, NULL);
    Harness h;
    start(&h, &mqc_check_dropped_frames, &si, NULL);
    uint8_t pic[W * H];
    for (int i = 0; i < n; i++) {
        make_picture(pic, seeds[i]);
        step(&h, pic, i, NULL);
    }
    finish(&h, &si);
    size_t found = 0;
    for (size_t i = 0; i < h.ev.n; i++)
        if (!strcmp(h.ev.v[i].code, "repeated_frame") && found++ == 0 && first)
            *first = h.ev.v[i];
    stop(&h);
    return found;
}

Test(dropped_frames, repeat_inside_motion)
{
    const int seeds[] = { 0, 1, 2, 3, 3, 4, 5, 6, 6, 6, 7, 8, 9 };
    MqcEvent e;
    cr_assert_eq(repeats(seeds, 13, &e), 2);
    cr_assert_eq(e.start_frame, 4);
    cr_assert_eq(e.end_frame, 4);
}

Test(dropped_frames, held_pictures_are_not_repeats)
{
    const int twos[] = { 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5 };
    cr_assert_eq(repeats(twos, 12, NULL), 0);
    const int at_end[] = { 0, 1, 2, 3, 4, 4 };
    cr_assert_eq(repeats(at_end, 6, NULL), 0);
    const int long_hold[] = { 0, 1, 2, 3, 3, 3, 3, 3, 3, 3, 4, 5, 6 };
    cr_assert_eq(repeats(long_hold, 13, NULL), 0);
    const int flat[] = { 0, 1, 2, -1, -1, 4, 5, 6 };
    cr_assert_eq(repeats(flat, 8, NULL), 0);
}

/* ---- freeze ---- */

Test(freeze, run_from_the_reference_frame)
{
    MqcStreamInfo si = stream(25, 1, 1, 25, NULL);
    Harness h;
    start(&h, &mqc_check_freeze, &si, "{\"min_duration_s\": 0.2}");    /* 5 frames */
    const int seeds[] = { 0, 1, 2, 2, 2, 2, 2, 3, 4, 4, 4, 4, 5, 6, 6, 6, 6, 6, 6, 7, 7, 7,
                          7, 7 };
    uint8_t pic[W * H];
    for (int i = 0; i < 24; i++) {
        make_picture(pic, seeds[i]);
        step(&h, pic, i, NULL);
    }
    finish(&h, &si);
    /* 2..6 (5 frames), 8..11 too short, 13..18 and 19..23 touch but are two */
    cr_assert_eq(h.ev.n, 3);
    cr_assert_eq(h.ev.v[0].start_frame, 2);
    cr_assert_eq(h.ev.v[0].end_frame, 6);
    cr_assert_float_eq(h.ev.v[0].value, 0.2, 1e-9);
    cr_assert_eq(h.ev.v[1].start_frame, 13);
    cr_assert_eq(h.ev.v[1].end_frame, 18);
    cr_assert_eq(h.ev.v[2].start_frame, 19);
    cr_assert_eq(h.ev.v[2].end_frame, 23);
    stop(&h);
}

Test(freeze, noise_threshold_and_black)
{
    MqcStreamInfo si = stream(25, 1, 1, 25, NULL);
    for (int include_black = 0; include_black < 2; include_black++) {
        Harness h;
        char opts[96];
        snprintf(opts, sizeof(opts), "{\"min_duration_s\": 0.2, \"noise_pct\": 1, "
                 "\"include_black\": %s}", include_black ? "true" : "false");
        start(&h, &mqc_check_freeze, &si, opts);
        uint8_t pic[W * H];
        for (int i = 0; i < 20; i++) {
            if (i < 10) {
                /* frames 0..9 drift by one code on a quarter of the samples:
                 * 0.25 codes mean, below 1% of 219 */
                make_picture(pic, 0);
                for (int k = 0; k < W * H / 4; k++)
                    pic[k] += (uint8_t)(i & 1);
            } else {
                memset(pic, 16, sizeof(pic));   /* black */
            }
            step(&h, pic, i, NULL);
        }
        finish(&h, &si);
        cr_assert_eq((int)h.ev.n, 1 + include_black);
        cr_assert_eq(h.ev.v[0].start_frame, 0);
        cr_assert_eq(h.ev.v[0].end_frame, 9);
        stop(&h);
    }
}

/* The lead-in's premise (docs/segments.md): from a frame freeze's resync
 * hook names, a fold started at any earlier frame measures and decides as
 * the fold started at frame 0. Noisy holds (mean difference about the
 * threshold), steps of 1..5 codes (differences between 1 and 4 times the
 * noise, about the hook's bound) and black frames, folded from 0 and from
 * every 5th frame. */
static void noisy_picture(uint8_t *p, int base, int level, unsigned *rng)
{
    make_picture(p, base);
    for (int i = 0; i < W * H; i++) {
        *rng = *rng * 1103515245u + 12345u;
        p[i] = (uint8_t)((level < 0 ? 16 : p[i] + level) + (int)((*rng >> 16) % 5) - 2);
    }
}

Test(freeze, resync_frames_end_every_history)
{
    enum { N = 300 };
    MqcStreamInfo si = stream(25, 1, 1, 25, NULL);
    static uint8_t pics[N][W * H], results[N][64];
    static int keep[N];
    cr_assert_leq(mqc_check_freeze.frame_size, sizeof(results[0]));
    unsigned rng = 18;
    int base = 0, level = 0;
    for (int i = 0; i < N; i++) {
        rng = rng * 1103515245u + 12345u;
        int r = (int)((rng >> 16) % 100);
        if (r < 6)
            base++;                             /* a cut */
        else if (r < 20)
            level = (int)((rng >> 8) % 6);      /* a step of 0..5 codes */
        noisy_picture(pics[i], base, r >= 20 && r < 24 ? -1 : level, &rng);
    }
    for (int include_black = 0; include_black < 2; include_black++) {
        /* 0.73% of 219: about the mean difference of two noisy frames */
        char opts[96];
        snprintf(opts, sizeof(opts), "{\"noise_pct\": 0.73, \"include_black\": %s}",
                 include_black ? "true" : "false");
        Harness a;
        start(&a, &mqc_check_freeze, &si, opts);
        for (int i = 0; i < N; i++) {
            step_measure(&a, pics[i]);
            memcpy(results[i], a.frame, mqc_check_freeze.frame_size);
            keep[i] = step_fold(&a, pics[i], i, NULL);
        }
        int resyncs = 0, differed = 0, far = 0;
        for (int k = 1; k < N - 1; k += 5) {
            Harness b;
            start(&b, &mqc_check_freeze, &si, opts);
            b.index = k;
            int synced = 0;
            for (int i = k; i < N; i++) {
                step_measure(&b, pics[i]);
                int same = !memcmp(b.frame, results[i], mqc_check_freeze.frame_size);
                cr_assert(same || !synced, "from %d, resynced: frame %d measures otherwise",
                          k, i);
                differed += !same;
                MqcFrameInfo fi = { .index = i, .pts = i, .pkt_pos = -1 };
                if (i > k && !synced && mqc_check_freeze.resync(b.priv, &fi, b.frame)) {
                    synced = 1;
                    resyncs++;
                    far += i - k > 2;
                }
                int flags = step_fold(&b, pics[i], i, NULL);
                cr_assert(flags == keep[i] || !synced, "from %d, resynced: frame %d decides "
                          "otherwise", k, i);
            }
            cr_assert(synced, "from %d: no frame resyncs", k);
            stop(&b);
        }
        /* not trivial: starts that measured otherwise before their resync,
         * some of them several frames after the start */
        cr_assert_gt(resyncs, 40);
        cr_assert_gt(differed, 10);
        cr_assert_gt(far, 3);
        stop(&a);
    }
}
