/* Included by gamut_dsp.c with SAMPLE (sample type) and SUFFIX defined: the
 * C references of the gamut kernels (kernels.h names them). */

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(CAT(name, SUFFIX), _c)
#define LOCAL(name) CAT(name, SUFFIX)

/* Inlined with a constant shift so the common 4:4:4 and 4:2:2 loops
 * vectorise; chroma is upsampled by repetition (nearest, co-sited left). */
static inline void LOCAL(yuv_span_)(const MqcGamutKernel *k, const SAMPLE *const p[3], int s,
                                    int x0, int n, int32_t *r, int32_t *g, int32_t *b)
{
    const int32_t yg = k->y_gain, off = k->offset, z = k->chroma_zero;
    const int32_t rcr = k->r_cr, gcb = k->g_cb, gcr = k->g_cr, bcb = k->b_cb;
    const SAMPLE *py = p[0] + x0, *pcb = p[1], *pcr = p[2];
    for (int i = 0; i < n; i++) {
        const int xc = (x0 + i) >> s;
        const int32_t yv = yg * py[i] + off;
        const int32_t u = pcb[xc] - z, v = pcr[xc] - z;
        r[i] = yv + rcr * v;
        g[i] = yv + gcb * u + gcr * v;
        b[i] = yv + bcb * u;
    }
}

void FN(mqc_gamut_span_)(const MqcGamutKernel *k, const void *const rows[3], int s, int x0,
                         int n, int32_t *r, int32_t *g, int32_t *b)
{
    const SAMPLE *const p[3] = { rows[0], rows[1], rows[2] };
    if (k->is_rgb) {
        const int f = k->frac_bits;
        for (int i = 0; i < n; i++) {
            g[i] = (int32_t)p[0][x0 + i] << f;
            b[i] = (int32_t)p[1][x0 + i] << f;
            r[i] = (int32_t)p[2][x0 + i] << f;
        }
    } else if (s == 0) {
        LOCAL(yuv_span_)(k, p, 0, x0, n, r, g, b);
    } else if (s == 1) {
        LOCAL(yuv_span_)(k, p, 1, x0, n, r, g, b);
    } else {
        LOCAL(yuv_span_)(k, p, s, x0, n, r, g, b);
    }
}

void FN(mqc_gamut_min_max_)(const void *row, int x0, int x1, unsigned *mn, unsigned *mx)
{
    const SAMPLE *p = row;
    SAMPLE lo = p[x0], hi = p[x0];
    for (int x = x0 + 1; x < x1; x++) {
        lo = p[x] < lo ? p[x] : lo;
        hi = p[x] > hi ? p[x] : hi;
    }
    *mn = lo;
    *mx = hi;
}

/* The same span + count per segment as the general row loop of the check. */
void FN(mqc_gamut_yuv_count_)(const MqcGamutKernel *k, const void *y, const void *cb,
                              const void *cr, int s, int x0, int n, MqcGamutCounts *c)
{
    const void *const p[3] = { y, cb, cr };
    int32_t v[3][MQC_GAMUT_SEGMENT + 4];
    for (int i = 0; i < n; i += MQC_GAMUT_SEGMENT) {
        const int m = n - i < MQC_GAMUT_SEGMENT ? n - i : MQC_GAMUT_SEGMENT;
        FN(mqc_gamut_span_)(k, p, s, x0 + i, m, v[0], v[1], v[2]);
        mqc_gamut_count_values(k, v, m, c);
    }
}

#undef LOCAL
#undef FN
#undef CAT
#undef CAT_
