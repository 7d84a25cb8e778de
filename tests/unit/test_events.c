/* Event lists: runs of flagged frames, interleaved codes (fast table and
 * slow path), dropping short runs, and merging segments of one file. */
#include <stdio.h>
#include <string.h>
#include <criterion/criterion.h>
#include "engine/check.h"

static const char *const codes[] = {
    "c00", "c01", "c02", "c03", "c04", "c05", "c06", "c07", "c08", "c09", "c10", "c11",
};
#define NB_CODES (int)(sizeof(codes) / sizeof(*codes))

typedef struct Want {
    const char *code;
    int64_t start, end, worst;
    double value;
} Want;

static MqcEvents empty_events(void)
{
    MqcEvents ev;
    memset(&ev, 0, sizeof(ev));
    return ev;
}

/* The list holds exactly `want`, in order. */
static void expect_events(const MqcEvents *ev, const Want *want, size_t n)
{
    cr_expect_eq(ev->oom, 0);
    cr_assert_eq(ev->n, n, "%zu events, want %zu", ev->n, n);
    for (size_t i = 0; i < n; i++) {
        const MqcEvent *e = &ev->v[i];
        const Want *w = &want[i];
        cr_expect_str_eq(e->code, w->code, "event %zu", i);
        cr_expect_eq(e->start_frame, w->start, "event %zu (%s) start", i, w->code);
        cr_expect_eq(e->end_frame, w->end, "event %zu (%s) end", i, w->code);
        cr_expect_eq(e->worst_frame, w->worst, "event %zu (%s) worst frame", i, w->code);
        cr_expect_eq(e->value, w->value, "event %zu (%s) value", i, w->code);
    }
}

static void flag_range(MqcEvents *ev, const char *code, int64_t first, int64_t last, double v)
{
    for (int64_t f = first; f <= last; f++)
        mqc_events_flag(ev, code, f, v);
}

/* ---- flag ---- */

Test(events, consecutive_frames_merge_keeping_max_and_worst_frame)
{
    static const double values[] = { 1, 3, 2, 5, 4, 5 };
    MqcEvents ev = empty_events();
    for (int i = 0; i < 6; i++)
        mqc_events_flag(&ev, "c00", 10 + i, values[i]);
    /* the first frame reaching the maximum stays the worst */
    const Want want[] = { { "c00", 10, 15, 13, 5 } };
    expect_events(&ev, want, 1);
    mqc_events_free(&ev);
    cr_expect_eq(ev.n, 0);
    cr_expect_null(ev.v);
}

Test(events, gaps_split_runs_and_repeats_do_not)
{
    static const int64_t frames[] = { 0, 1, 1, 2, 4, 7, 8, 8 };
    MqcEvents ev = empty_events();
    for (size_t i = 0; i < sizeof(frames) / sizeof(*frames); i++)
        mqc_events_flag(&ev, "c00", frames[i], (double)frames[i]);
    const Want want[] = {
        { "c00", 0, 2, 2, 2 }, { "c00", 4, 4, 4, 4 }, { "c00", 7, 8, 8, 8 },
    };
    expect_events(&ev, want, 3);
    mqc_events_free(&ev);
}

Test(events, interleaved_codes_keep_their_own_runs)
{
    MqcEvents ev = empty_events();
    for (int64_t f = 0; f < 10; f++) {
        mqc_events_flag(&ev, "c00", f, 1);
        if (f % 2 == 0)
            mqc_events_flag(&ev, "c01", f, (double)f);
        if (f >= 3 && f <= 6)
            mqc_events_flag(&ev, "c02", f, 10 - (double)f);
    }
    const Want want[] = {
        { "c00", 0, 9, 0, 1 }, { "c01", 0, 0, 0, 0 }, { "c01", 2, 2, 2, 2 },
        { "c02", 3, 6, 3, 7 }, { "c01", 4, 4, 4, 4 }, { "c01", 6, 6, 6, 6 },
        { "c01", 8, 8, 8, 8 },
    };
    expect_events(&ev, want, sizeof(want) / sizeof(*want));
    mqc_events_free(&ev);
}

/* Twelve codes, more than the open-run table holds: all flagged on frames
 * 0..4 round robin, then again on 10..12 in reverse order. */
Test(events, more_codes_than_the_open_table_take_the_slow_path)
{
    MqcEvents ev = empty_events();
    for (int64_t f = 0; f <= 4; f++)
        for (int c = 0; c < NB_CODES; c++)
            mqc_events_flag(&ev, codes[c], f, (double)(c * 100 + f));
    for (int64_t f = 10; f <= 12; f++)
        for (int c = NB_CODES - 1; c >= 0; c--)
            mqc_events_flag(&ev, codes[c], f, (double)(c * 100) + 1);
    Want want[2 * NB_CODES];
    for (int c = 0; c < NB_CODES; c++) {
        want[c] = (Want){ codes[c], 0, 4, 4, c * 100 + 4 };
        want[NB_CODES + c] = (Want){ codes[NB_CODES - 1 - c], 10, 12, 10,
                                     (NB_CODES - 1 - c) * 100 + 1 };
    }
    expect_events(&ev, want, 2 * NB_CODES);
    mqc_events_free(&ev);
}

Test(events, events_with_detail_are_never_extended)
{
    MqcEvents ev = empty_events();
    MqcEvent fixed = { .code = "c00", .start_frame = 0, .end_frame = 5, .worst_frame = 0,
                       .value = 1 };
    snprintf(fixed.detail, sizeof(fixed.detail), "width: expected 1, found 2");
    cr_assert_eq(mqc_events_add(&ev, &fixed), 0);
    mqc_events_flag(&ev, "c00", 6, 2);
    const Want want[] = { { "c00", 0, 5, 0, 1 }, { "c00", 6, 6, 6, 2 } };
    expect_events(&ev, want, 2);
    cr_expect_str_eq(ev.v[0].detail, "width: expected 1, found 2");
    cr_expect_str_eq(ev.v[1].detail, "");
    mqc_events_free(&ev);
}

/* ---- drop_shorter ---- */

Test(events, drop_shorter_removes_only_short_runs_of_its_code)
{
    MqcEvents ev = empty_events();
    flag_range(&ev, "c00", 0, 0, 1);      /* 1 frame: dropped */
    flag_range(&ev, "c01", 1, 1, 1);      /* other code: kept */
    flag_range(&ev, "c00", 3, 4, 1);      /* 2 frames: dropped */
    flag_range(&ev, "c00", 6, 8, 1);      /* 3 frames: kept (not shorter) */
    flag_range(&ev, "c00", 10, 14, 1);    /* 5 frames: kept */
    mqc_events_drop_shorter(&ev, "c00", 3);
    const Want want[] = {
        { "c01", 1, 1, 1, 1 }, { "c00", 6, 8, 6, 1 }, { "c00", 10, 14, 10, 1 },
    };
    expect_events(&ev, want, 3);

    /* the list stays usable: an adjacent flag still extends the last run */
    mqc_events_flag(&ev, "c00", 15, 2);
    mqc_events_flag(&ev, "c01", 2, 2);
    const Want after[] = {
        { "c01", 1, 2, 2, 2 }, { "c00", 6, 8, 6, 1 }, { "c00", 10, 15, 15, 2 },
    };
    expect_events(&ev, after, 3);
    mqc_events_free(&ev);
}

Test(events, drop_shorter_with_one_frame_minimum_keeps_all)
{
    MqcEvents ev = empty_events();
    flag_range(&ev, "c00", 0, 0, 1);
    flag_range(&ev, "c00", 2, 2, 1);
    mqc_events_drop_shorter(&ev, "c00", 1);
    cr_expect_eq(ev.n, 2);
    mqc_events_drop_shorter(&ev, "c00", 2);
    cr_expect_eq(ev.n, 0);
    mqc_events_free(&ev);
}
