#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <libavutil/parseutils.h>
#include "args.h"
#include "mediaqc.h"

int mqc_parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return MQC_ERR_USAGE;
    *out = v;
    return 0;
}

int mqc_parse_int(const char *s, int lo, int hi, int *out)
{
    long v;
    if (mqc_parse_long(s, lo, hi, &v) < 0)
        return MQC_ERR_USAGE;
    *out = (int)v;
    return 0;
}

int mqc_parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi))
        return MQC_ERR_USAGE;
    *out = v;
    return 0;
}

int mqc_parse_sequence_option(int which, const char *s, MqcSequenceOptions *seq)
{
    if (which == 'N') {
        long v;
        if (mqc_parse_long(s, 0, INT_MAX, &v) < 0)
            return -1;
        seq->start_number = v;
        seq->start_number_set = 1;
        return 0;
    }
    AVRational r;
    if (av_parse_video_rate(&r, s) < 0 || r.num <= 0 || r.den <= 0)
        return -1;
    seq->rate_num = r.num;
    seq->rate_den = r.den;
    return 0;
}

const char *mqc_sequence_option_usage(int which)
{
    return which == 'N' ? "--start-number: expected a file number >= 0, got \"%s\""
                        : "--frame-rate: expected a rate such as 24, 25, 24000/1001 or 23.976, "
                          "got \"%s\"";
}
