/* SMPTE timecode of display frames, on libavutil's timecode.h. */
#include <string.h>
#include <libavutil/timecode.h>
#include "mediaqc.h"

static int is_ntsc_drop_rate(int num, int den)
{
    return den == 1001 && (num == 30000 || num == 60000);
}

int mqc_tc_init(MqcTimecode *tc, int rate_num, int rate_den, const char *start)
{
    memset(tc, 0, sizeof(*tc));
    if (rate_num <= 0 || rate_den <= 0)
        rate_num = 25, rate_den = 1;
    tc->rate_num = rate_num;
    tc->rate_den = rate_den;
    AVRational rate = { rate_num, rate_den };
    AVTimecode avtc;
    int ret = -1, bad_start = 0, renamed = 0;
    if (start && *start) {
        char ndf[32];
        snprintf(ndf, sizeof(ndf), "%s", start);
        if (!is_ntsc_drop_rate(rate_num, rate_den) && strpbrk(ndf, ";.,")) {
            /* drop-frame notation where drop-frame does not exist (25 fps;
             * libavutil even counts drop-frame at 30/1): keep the numbers,
             * count non-drop (the timecode check reports the tag once) */
            ndf[strcspn(ndf, ";.,")] = ':';
            renamed = 1;
        }
        ret = av_timecode_init_from_string(&avtc, rate, ndf, NULL);
        renamed &= ret >= 0;
        bad_start = ret < 0;
    }
    if (ret < 0)
        ret = av_timecode_init(&avtc, rate, is_ntsc_drop_rate(rate_num, rate_den) ?
                               AV_TIMECODE_FLAG_DROPFRAME : 0, 0, NULL);
    if (ret < 0) {
        /* odd rates: count at the rounded nominal rate, never drop */
        tc->fps = (int)((rate_num + rate_den / 2) / rate_den);
        if (tc->fps < 1)
            tc->fps = 1;
        return start && *start ? -1 : 0;
    }
    tc->fps = (int)avtc.fps;
    tc->drop = !!(avtc.flags & AV_TIMECODE_FLAG_DROPFRAME);
    tc->start = avtc.start;
    return bad_start ? -1 : renamed;
}

static AVTimecode to_av(const MqcTimecode *tc)
{
    AVTimecode avtc = {
        .start = (int)tc->start,
        .flags = (tc->drop ? AV_TIMECODE_FLAG_DROPFRAME : 0) | AV_TIMECODE_FLAG_24HOURSMAX,
        .rate = { tc->rate_num, tc->rate_den },
        .fps = (unsigned)tc->fps,
    };
    return avtc;
}

void mqc_tc_string(const MqcTimecode *tc, int64_t frame, char buf[32])
{
    AVTimecode avtc = to_av(tc);
    char s[AV_TIMECODE_STR_SIZE];
    av_timecode_make_string(&avtc, s, (int)frame);
    snprintf(buf, 32, "%s", s);
}

int64_t mqc_tc_parse(const MqcTimecode *tc, const char *s)
{
    AVTimecode parsed;
    AVRational rate = { tc->rate_num, tc->rate_den };
    if (av_timecode_init_from_string(&parsed, rate, s, NULL) < 0)
        return -1;
    if (!!(parsed.flags & AV_TIMECODE_FLAG_DROPFRAME) != tc->drop)
        return -1;  /* ';' vs ':' must match the counting in use */
    int64_t frame = (int64_t)parsed.start - tc->start;
    char canon[32];
    if (frame < 0)
        return -1;  /* before the start: not a frame of the file */
    mqc_tc_string(tc, frame, canon);
    return strcmp(canon, s) ? -1 : frame;  /* no dropped numbers, fields in range, no junk */
}
