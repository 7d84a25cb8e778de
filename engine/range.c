#include <math.h>
#include "range.h"

MqcNominal mqc_nominal(int bit_depth, int full_range)
{
    MqcNominal n;
    /* the analysed samples have at most 16 bits (float input is converted to
     * 16-bit integers) and at least 8: never shift by 32 or by a negative */
    bit_depth = bit_depth > 16 ? 16 : bit_depth < 8 ? 8 : bit_depth;
    n.code_max = (1u << bit_depth) - 1;
    if (full_range) {
        n.black = n.chroma_lo = 0;
        n.white = n.chroma_hi = n.code_max;
    } else {
        double scale = (double)(1u << (bit_depth - 8));
        n.black = 16 * scale;
        n.white = 235 * scale;
        n.chroma_lo = 16 * scale;
        n.chroma_hi = 240 * scale;
    }
    return n;
}

unsigned mqc_code_at(double lo, double hi, double pct, unsigned code_max)
{
    double v = floor(lo + pct / 100.0 * (hi - lo) + 0.5);
    if (v < 0)
        return 0;
    if (v > code_max)
        return code_max;
    return (unsigned)v;
}

unsigned mqc_black_code(int bit_depth, int full_range, double pct)
{
    MqcNominal n = mqc_nominal(bit_depth, full_range);
    return (unsigned)(n.black + pct / 100.0 * (n.white - n.black));
}
