#include <math.h>
#include "transfer.h"

/* ST 2084 normalised: 1.0 = 10000 cd/m2 */
static double pq_relative(double e)
{
    /* ST 2084 constants, exact as the standard gives them */
    const double m1 = 2610.0 / 16384, m2 = 2523.0 / 4096 * 128;
    const double c1 = 3424.0 / 4096, c2 = 2413.0 / 4096 * 32, c3 = 2392.0 / 4096 * 32;
    if (e <= 0)
        return 0;
    const double p = pow(e, 1 / m2);
    const double num = p - c1 > 0 ? p - c1 : 0, den = c2 - c3 * p;
    return den > 0 ? pow(num / den, 1 / m1) : HUGE_VAL;
}

double mqc_pq_eotf(double e)
{
    return MQC_PQ_PEAK_NITS * pq_relative(e);
}

double mqc_hlg_inverse_oetf(double e)
{
    const double a = 0.17883277, b = 1 - 4 * a, c = 0.5 - a * log(4 * a);
    if (e <= 0)
        return 0;
    return e <= 0.5 ? e * e / 3 : (exp((e - c) / a) + b) / 12;
}

double mqc_hlg_ootf_gain(double ys)
{
    return ys > 0 ? MQC_HLG_PEAK_NITS * pow(ys, MQC_HLG_GAMMA - 1) : 0;
}

double mqc_transfer_linear(MqcTransfer tf, double e)
{
    if (e < 0)
        return -mqc_transfer_linear(tf, -e);
    switch (tf) {
    case MQC_TRANSFER_PQ:
        return pq_relative(e);
    case MQC_TRANSFER_HLG:
        return mqc_hlg_inverse_oetf(e);
    case MQC_TRANSFER_LINEAR:
        return e;
    case MQC_TRANSFER_BT1886:
    default:
        return pow(e, 2.4);
    }
}
