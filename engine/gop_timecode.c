/* MPEG-1/2 video timecode from the bitstream. The group-of-pictures header
 * carries an SMPTE time_code for the GOP's first picture in display order;
 * the picture header after it carries temporal_reference, that picture's
 * display position inside the GOP. So the coded picture that follows a GOP
 * header (an I picture, shown after any leading B pictures of an open GOP)
 * has timecode time_code + temporal_reference (ISO/IEC 13818-2 6.3.8, 6.3.9).
 * libavcodec exports GOP timecodes on whichever frame it outputs next, which
 * in display order is a frame of the previous GOP: read them here instead. */
#include <stdint.h>
#include <string.h>
#include <libavutil/timecode.h>
#include "gop_timecode.h"

static const uint8_t *find_start_code(const uint8_t *p, const uint8_t *end, uint8_t code)
{
    for (; p + 4 <= end; p++) {
        p = memchr(p, 0, (size_t)(end - p));
        if (!p || p + 4 > end)
            return NULL;
        if (p[1] == 0 && p[2] == 1 && p[3] == code)
            return p;
    }
    return NULL;
}

int mqc_gop_timecode(const uint8_t *data, int size, AVRational rate, int64_t *number, int *drop)
{
    const uint8_t *end = data + size;
    const uint8_t *gop = find_start_code(data, end, 0xB8);
    if (!gop || gop + 8 > end)
        return 0;
    uint32_t b = (uint32_t)gop[4] << 24 | (uint32_t)gop[5] << 16 | (uint32_t)gop[6] << 8 | gop[7];
    int df = b >> 31, hh = (b >> 26) & 31, mm = (b >> 20) & 63, ss = (b >> 13) & 63,
        ff = (b >> 7) & 63;
    const uint8_t *pic = find_start_code(gop + 8, end, 0x00);
    if (!pic || pic + 6 > end)
        return 0;
    int tref = pic[4] << 2 | pic[5] >> 6;
    AVTimecode tc;
    if (hh > 23 || mm > 59 || ss > 59 ||
        av_timecode_init_from_components(&tc, rate, df ? AV_TIMECODE_FLAG_DROPFRAME : 0,
                                         hh, mm, ss, ff, NULL) < 0)
        return 0;
    *number = (int64_t)tc.start + tref;
    *drop = df;
    return 1;
}
