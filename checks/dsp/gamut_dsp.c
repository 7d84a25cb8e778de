/* The gamut kernels' C references and their sample-independent part. */
#include <stdint.h>
#include "gamut_dsp.h"
#include "kernels.h"

void mqc_gamut_count_values(const MqcGamutKernel *k, int32_t v[3][MQC_GAMUT_SEGMENT + 4], int n,
                            MqcGamutCounts *c)
{
    if (k->taps == 1) {
        /* the common case, kept in 32 bits so that it vectorises */
        const int32_t t_lo = k->t_lo, t_hi = k->t_hi;
        int32_t mx = (int32_t)c->max_sum, mn = (int32_t)c->min_sum;
        uint32_t above = 0, below = 0, out = 0;
        for (int i = 0; i < n; i++) {
            const int32_t r = v[0][i], g = v[1][i], b = v[2][i];
            int32_t hi = r > g ? r : g, lo = r < g ? r : g;
            hi = b > hi ? b : hi;
            lo = b < lo ? b : lo;
            const uint32_t a = hi >= t_hi, l = lo < t_lo;
            above += a;
            below += l;
            out += a | l;
            mx = hi > mx ? hi : mx;
            mn = lo < mn ? lo : mn;
        }
        c->above += above;
        c->below += below;
        c->out += out;
        c->max_sum = mx;
        c->min_sum = mn;
        return;
    }
    /* low-pass: compare weighted sums with weighted thresholds, no division */
    const int64_t t_lo = (int64_t)k->t_lo * k->weight, t_hi = (int64_t)k->t_hi * k->weight;
    for (int i = 0; i < n; i++) {
        int64_t hi = INT64_MIN, lo = INT64_MAX;
        for (int ch = 0; ch < 3; ch++) {
            const int64_t s = mqc_gamut_filtered(v[ch], i, k->taps);
            hi = s > hi ? s : hi;
            lo = s < lo ? s : lo;
        }
        const int a = hi >= t_hi, l = lo < t_lo;
        c->above += (uint64_t)a;
        c->below += (uint64_t)l;
        c->out += (uint64_t)(a | l);
        c->max_sum = hi > c->max_sum ? hi : c->max_sum;
        c->min_sum = lo < c->min_sum ? lo : c->min_sum;
    }
}

#define SAMPLE uint8_t
#define SUFFIX 8
#include "gamut_tmpl.c"
#undef SAMPLE
#undef SUFFIX

#define SAMPLE uint16_t
#define SUFFIX 16
#include "gamut_tmpl.c"
#undef SAMPLE
#undef SUFFIX
