/* SMPTE timecode of display frames: drop-frame detection, known values,
 * and string <-> frame round trips over two hours at common rates. */
#include <string.h>
#include <criterion/criterion.h>
#include <libavutil/log.h>
#include "engine/mediaqc.h"

static void quiet_libav(void)
{
    av_log_set_level(AV_LOG_QUIET);   /* libavutil logs every rejected string */
}

TestSuite(timecode, .init = quiet_libav);

static MqcTimecode init_tc(int num, int den, const char *start)
{
    MqcTimecode tc;
    cr_assert_eq(mqc_tc_init(&tc, num, den, start), 0, "init %d/%d start %s", num, den,
                 start ? start : "(none)");
    return tc;
}

/* ---- counting mode ---- */

Test(timecode, drop_frame_follows_rate_and_start_separator)
{
    static const struct {
        int num, den;
        const char *start;
        int fps, drop;
    } cases[] = {
        { 30000, 1001, NULL, 30, 1 },            /* no start: NTSC rates drop */
        { 30000, 1001, "", 30, 1 },
        { 60000, 1001, NULL, 60, 1 },
        { 30000, 1001, "01:00:00;00", 30, 1 },
        { 30000, 1001, "01:00:00:00", 30, 0 },   /* ':' in the start: non-drop */
        { 60000, 1001, "00:00:00:00", 60, 0 },
        { 24000, 1001, NULL, 24, 0 },
        { 24000, 1001, "01:00:00:00", 24, 0 },
        { 25, 1, NULL, 25, 0 },
        { 50, 1, NULL, 50, 0 },
        { 30, 1, NULL, 30, 0 },
        { 0, 0, NULL, 25, 0 },                   /* unknown rate counts at 25 */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        MqcTimecode tc = init_tc(cases[i].num, cases[i].den, cases[i].start);
        cr_expect_eq(tc.fps, cases[i].fps, "case %zu fps", i);
        cr_expect_eq(tc.drop, cases[i].drop, "case %zu drop", i);
    }
}

/* A start the rate cannot count (garbage, or drop-frame at 23.976) is
 * reported, and counting falls back to 00:00:00:00 non-drop. */
Test(timecode, unusable_start_is_reported_and_falls_back)
{
    static const char *const starts[] = { "garbage", "12:34" };
    for (size_t i = 0; i < sizeof(starts) / sizeof(*starts); i++) {
        MqcTimecode tc;
        int ret = mqc_tc_init(&tc, 24000, 1001, starts[i]);
        cr_expect_lt(ret, 0, "start \"%s\" at 24000/1001 accepted", starts[i]);
        char buf[32];
        mqc_tc_string(&tc, 24, buf);
        cr_expect_str_eq(buf, "00:00:01:00", "start \"%s\": fallback counting", starts[i]);
    }
}

/* issue 13.7: a drop-frame start where drop-frame does not exist keeps its
 * numbers in non-drop counting, not 00:00:00:00 */
Test(timecode, drop_frame_start_at_other_rates_counts_non_drop)
{
    static const struct { int num, den; } rates[] = { { 25, 1 }, { 24000, 1001 }, { 30, 1 },
                                                      { 50, 1 } };
    for (size_t i = 0; i < sizeof(rates) / sizeof(*rates); i++) {
        MqcTimecode tc;
        int ret = mqc_tc_init(&tc, rates[i].num, rates[i].den, "01:00:00;00");
        cr_expect_eq(ret, 1, "at %d/%d", rates[i].num, rates[i].den);
        cr_expect_eq(tc.drop, 0);
        char buf[32];
        mqc_tc_string(&tc, tc.fps, buf);
        cr_expect_str_eq(buf, "01:00:01:00", "at %d/%d", rates[i].num, rates[i].den);
    }
    MqcTimecode tc;
    cr_expect_eq(mqc_tc_init(&tc, 30000, 1001, "01:00:00;00"), 0, "29.97 drop-frame is valid");
    cr_expect_eq(tc.drop, 1);
}

/* ---- known values ---- */

static const struct Known {
    int num, den;
    const char *start;
    int64_t frame;
    const char *tc;
} known[] = {
    /* 29.97 DF: frames ;00 and ;01 are skipped at each minute except every tenth */
    { 30000, 1001, NULL, 1799, "00:00:59;29" },
    { 30000, 1001, NULL, 1800, "00:01:00;02" },
    { 30000, 1001, NULL, 17981, "00:09:59;29" },
    { 30000, 1001, NULL, 17982, "00:10:00;00" },   /* 10 min = 10*1800 - 9*2 frames */
    { 30000, 1001, NULL, 17982 + 1800, "00:11:00;02" },
    { 30000, 1001, NULL, 107892, "01:00:00;00" },  /* 1 h = 6 * 17982 frames */
    /* 59.94 DF drops four numbers */
    { 60000, 1001, NULL, 3599, "00:00:59;59" },
    { 60000, 1001, NULL, 3600, "00:01:00;04" },
    { 60000, 1001, NULL, 35964, "00:10:00;00" },
    /* DESIGN.md example: 23.976 counts at 24, never drops */
    { 24000, 1001, "01:00:00:00", 131, "01:00:05:11" },
    { 24000, 1001, NULL, 24, "00:00:01:00" },
    /* minute 60 is a multiple of ten: ;00 is not dropped */
    { 30000, 1001, "00:59:59;28", 2, "01:00:00;00" },
    { 30000, 1001, "00:09:59;29", 1, "00:10:00;00" },
    { 30000, 1001, "00:00:59;29", 1, "00:01:00;02" },
    /* a ':' start at 29.97 counts non-drop */
    { 30000, 1001, "00:00:00:00", 1800, "00:01:00:00" },
    { 25, 1, NULL, 90000, "01:00:00:00" },
    { 25, 1, NULL, 25 * 86400 + 1, "00:00:00:01" },   /* wraps at 24 h */
    { 25, 1, "23:59:59:24", 1, "00:00:00:00" },
    { 50, 1, NULL, 49, "00:00:00:49" },
    { 50, 1, "10:00:00:00", 50 * 3600, "11:00:00:00" },
};

Test(timecode, known_values)
{
    for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++) {
        const struct Known *k = &known[i];
        MqcTimecode tc = init_tc(k->num, k->den, k->start);
        char buf[32];
        mqc_tc_string(&tc, k->frame, buf);
        cr_expect_str_eq(buf, k->tc, "%d/%d start %s frame %lld", k->num, k->den,
                         k->start ? k->start : "(none)", (long long)k->frame);
    }
}

/* ---- round trips ---- */

/* Every frame of two hours (from `start`): the string parses back to the
 * frame, uses the counting's separator and increases strictly. */
static void round_trip(int num, int den, const char *start, int fps)
{
    MqcTimecode tc = init_tc(num, den, start);
    const char sep = tc.drop ? ';' : ':';
    const int64_t frames = (int64_t)fps * 7200 + 1;
    char prev[32] = "", buf[32];
    int64_t failures = 0;
    for (int64_t f = 0; f < frames && failures < 5; f++) {
        mqc_tc_string(&tc, f, buf);
        int ok = strlen(buf) == 11 && buf[8] == sep && strcmp(prev, buf) < 0 &&
                 mqc_tc_parse(&tc, buf) == f;
        if (!ok) {
            failures++;
            cr_expect_fail("%d/%d start %s: frame %lld -> \"%s\" (previous \"%s\") parses to "
                           "%lld", num, den, start ? start : "(none)", (long long)f, buf, prev,
                           (long long)mqc_tc_parse(&tc, buf));
        }
        memcpy(prev, buf, sizeof(buf));
    }
}

Test(timecode, round_trip_every_frame_for_two_hours)
{
    static const struct { int num, den; const char *start; int fps; } rates[] = {
        { 25, 1, NULL, 25 },
        { 24, 1, NULL, 24 },
        { 24000, 1001, NULL, 24 },
        { 24000, 1001, "01:00:00:00", 24 },
        { 30000, 1001, NULL, 30 },
        { 30000, 1001, "00:59:59;28", 30 },
        { 30000, 1001, "10:00:00:00", 30 },
        { 60000, 1001, NULL, 60 },
        { 60000, 1001, "01:00:00;00", 60 },
        { 50, 1, NULL, 50 },
    };
    for (size_t i = 0; i < sizeof(rates) / sizeof(*rates); i++)
        round_trip(rates[i].num, rates[i].den, rates[i].start, rates[i].fps);
}

/* ---- parse rejects what mqc_tc_string can never produce ---- */

static void expect_rejected(const MqcTimecode *tc, const char *s)
{
    int64_t f = mqc_tc_parse(tc, s);
    cr_expect_eq(f, -1, "\"%s\" at %d/%d %s accepted as frame %lld", s, tc->rate_num,
                 tc->rate_den, tc->drop ? "DF" : "NDF", (long long)f);
}

Test(timecode, parse_rejects_separator_of_the_other_counting)
{
    MqcTimecode df = init_tc(30000, 1001, NULL), ndf = init_tc(25, 1, NULL);
    expect_rejected(&df, "00:00:01:00");
    expect_rejected(&ndf, "00:00:01;00");
    cr_expect_eq(mqc_tc_parse(&df, "00:00:01;00"), 30);
    cr_expect_eq(mqc_tc_parse(&ndf, "00:00:01:00"), 25);
}

Test(timecode, parse_rejects_dropped_numbers)
{
    MqcTimecode df30 = init_tc(30000, 1001, NULL), df60 = init_tc(60000, 1001, NULL);
    static const char *const dropped30[] = { "00:01:00;00", "00:01:00;01", "01:59:00;01" };
    static const char *const dropped60[] = { "00:01:00;00", "00:01:00;03", "00:11:00;02" };
    for (size_t i = 0; i < 3; i++) {
        expect_rejected(&df30, dropped30[i]);
        expect_rejected(&df60, dropped60[i]);
    }
    /* the numbers right after, and whole tens of minutes, exist */
    cr_expect_eq(mqc_tc_parse(&df30, "00:01:00;02"), 1800);
    cr_expect_eq(mqc_tc_parse(&df30, "00:10:00;00"), 17982);
    cr_expect_eq(mqc_tc_parse(&df60, "00:01:00;04"), 3600);
}

Test(timecode, parse_rejects_malformed_strings)
{
    MqcTimecode tc = init_tc(25, 1, NULL);
    static const char *const bad[] = {
        "", "garbage", "00:00:00", "00:00:00:", "0:0:0", "00-00-00-00",
        "00:00:00:25",      /* frame field beyond the rate */
        "00:00:60:00", "00:60:00:00",
        "-01:00:00:00",
        "00:00:01:00 extra",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        expect_rejected(&tc, bad[i]);
}

Test(timecode, parse_is_relative_to_the_start)
{
    MqcTimecode tc = init_tc(24000, 1001, "01:00:00:00");
    cr_expect_eq(mqc_tc_parse(&tc, "01:00:00:00"), 0);
    cr_expect_eq(mqc_tc_parse(&tc, "01:00:05:11"), 131);
    /* before the start is not a frame of the file */
    expect_rejected(&tc, "00:59:59:00");
}
