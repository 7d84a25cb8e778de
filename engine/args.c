#include <errno.h>
#include <stdlib.h>
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
