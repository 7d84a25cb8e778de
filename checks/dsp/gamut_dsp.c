/* The gamut kernels' C references and their sample-independent part. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "../../engine/mediaqc.h"
#include "../../engine/range.h"
#include "dsp.h"
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

/* ---- the conversion coefficients, shared by gamut, hdr and flash ---- */

int mqc_gamut_matrix_from_tag(const char *tag, MqcGamutMatrix *m)
{
    static const struct { const char *tag; MqcGamutMatrix m; } tags[] = {
        { "bt709", MQC_MATRIX_BT709 }, { "bt470bg", MQC_MATRIX_BT601 },
        { "smpte170m", MQC_MATRIX_BT601 }, { "bt2020nc", MQC_MATRIX_BT2020 },
    };
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
        if (!strcmp(tag, tags[i].tag)) {
            *m = tags[i].m;
            return 0;
        }
    return -1;
}

int mqc_gamut_kernel_init(MqcGamutKernel *k, MqcGamutMatrix matrix, int bit_depth,
                          int full_range, int is_rgb, double min_pct, double max_pct, int taps,
                          int shortcut)
{
    static const double kr_kb[3][2] = { { 0.299, 0.114 }, { 0.2126, 0.0722 },
                                        { 0.2627, 0.0593 } };
    if (bit_depth < 8 || bit_depth > 16 || (taps != 1 && taps != 3 && taps != 5) ||
        (int)matrix < 0 || matrix > MQC_MATRIX_BT2020)
        return MQC_ERR_USAGE;
    memset(k, 0, sizeof(*k));
    k->bit_depth = bit_depth;
    k->frac_bits = 30 - bit_depth;
    k->sample_index = bit_depth > 8;
    k->is_rgb = is_rgb;
    k->taps = taps;
    k->weight = taps == 1 ? 1 : taps == 3 ? 4 : 16;
    k->shortcut = shortcut;
    const double one = ldexp(1, k->frac_bits);
    const double scale = ldexp(1, bit_depth - 8);
    const unsigned code_max = (1u << bit_depth) - 1;
    if (is_rgb) {
        /* the stream's own codes, clamped to what a code can be */
        MqcNominal nom = mqc_nominal(bit_depth, full_range);
        k->black = nom.black;
        k->white = nom.white;
        k->lo_code = (int)mqc_code_at(k->black, k->white, min_pct, code_max);
        k->hi_code = (int)mqc_code_at(k->black, k->white, max_pct, code_max);
    } else {
        /* limited-range codes of R'G'B', unclamped: a Y'CbCr colour can lie
         * outside the codes an R'G'B' file could hold */
        k->black = 16 * scale;
        k->white = 235 * scale;
        k->lo_code = (int)floor(k->black + min_pct / 100.0 * (k->white - k->black) + 0.5);
        k->hi_code = (int)floor(k->black + max_pct / 100.0 * (k->white - k->black) + 0.5);
        const double kr = kr_kb[matrix][0], kb = kr_kb[matrix][1], kg = 1 - kr - kb;
        /* R'G'B' codes per unit of Y and of Cb/Cr (BT.601/709/2020 eq.) */
        const double y_unit = full_range ? 219 * scale / code_max : 1;
        const double c_unit = full_range ? 219 * scale / code_max : 219.0 / 224.0;
        k->y_gain = (int32_t)llround(y_unit * one);
        k->offset = full_range ? (int32_t)llround(16 * scale * one) : 0;
        k->chroma_zero = 1 << (bit_depth - 1);
        k->r_cr = (int32_t)llround(2 * (1 - kr) * c_unit * one);
        k->g_cb = (int32_t)llround(-2 * kb * (1 - kb) / kg * c_unit * one);
        k->g_cr = (int32_t)llround(-2 * kr * (1 - kr) / kg * c_unit * one);
        k->b_cb = (int32_t)llround(2 * (1 - kb) * c_unit * one);
    }
    /* rounded code < lo  <=>  exact code < lo - 0.5; > hi  <=>  >= hi + 0.5 */
    const int64_t half = (int64_t)1 << (k->frac_bits - 1);
    const int64_t t_lo = (2 * (int64_t)k->lo_code - 1) * half;
    const int64_t t_hi = (2 * (int64_t)k->hi_code + 1) * half;
    if (t_lo < INT32_MIN || t_hi > INT32_MAX)
        return MQC_ERR_USAGE;
    k->t_lo = (int32_t)t_lo;
    k->t_hi = (int32_t)t_hi;
    return 0;
}

/* Row y's plane pointers (Y, Cb, Cr or G, B, R); returns the horizontal
 * chroma shift. */
int mqc_gamut_row_planes(const MqcPicture *pic, int y, const void *p[3])
{
    const int sh = pic->is_rgb ? 0 : pic->log2_chroma_h;
    p[0] = pic->data[0] + y * pic->linesize[0];
    for (int c = 1; c < 3; c++)
        p[c] = pic->data[c] + (y >> sh) * pic->linesize[c];
    return pic->is_rgb ? 0 : pic->log2_chroma_w;
}

void mqc_gamut_convert(const MqcGamutKernel *k, const MqcPicture *pic, int y, int x0, int n,
                       int32_t *r, int32_t *g, int32_t *b)
{
    const void *p[3];
    const int s = mqc_gamut_row_planes(pic, y, p);
    mqc_dsp_get()->gamut_span[k->sample_index](k, p, s, x0, n, r, g, b);
}
