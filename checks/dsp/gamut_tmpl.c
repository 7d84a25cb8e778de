/* Included by gamut.c with SAMPLE (sample type) and SUFFIX defined: the
 * parts of the gamut check that read samples, once for each container. */

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(name, SUFFIX)

/* Row y's plane pointers (Y, Cb, Cr or G, B, R) and the chroma shift. */
static int FN(row_planes_)(const MqcPicture *pic, int y, const SAMPLE *p[3])
{
    const int sh = pic->is_rgb ? 0 : pic->log2_chroma_h;
    p[0] = (const SAMPLE *)(pic->data[0] + y * pic->linesize[0]);
    for (int c = 1; c < 3; c++)
        p[c] = (const SAMPLE *)(pic->data[c] + (y >> sh) * pic->linesize[c]);
    return pic->is_rgb ? 0 : pic->log2_chroma_w;
}

/* Inlined with a constant shift so the common 4:4:4 and 4:2:2 loops
 * vectorise; chroma is upsampled by repetition (nearest, co-sited left). */
static inline void FN(yuv_span_)(const MqcGamutKernel *k, const SAMPLE *const p[3], int s,
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

static void FN(span_)(const MqcGamutKernel *k, const SAMPLE *const p[3], int s, int x0, int n,
                      int32_t *r, int32_t *g, int32_t *b)
{
    if (k->is_rgb) {
        const int f = k->frac_bits;
        for (int i = 0; i < n; i++) {
            g[i] = (int32_t)p[0][x0 + i] << f;
            b[i] = (int32_t)p[1][x0 + i] << f;
            r[i] = (int32_t)p[2][x0 + i] << f;
        }
    } else if (s == 0) {
        FN(yuv_span_)(k, p, 0, x0, n, r, g, b);
    } else if (s == 1) {
        FN(yuv_span_)(k, p, 1, x0, n, r, g, b);
    } else {
        FN(yuv_span_)(k, p, s, x0, n, r, g, b);
    }
}

static void FN(min_max_)(const SAMPLE *p, int x0, int x1, unsigned *mn, unsigned *mx)
{
    SAMPLE lo = p[x0], hi = p[x0];
    for (int x = x0 + 1; x < x1; x++) {
        lo = p[x] < lo ? p[x] : lo;
        hi = p[x] > hi ? p[x] : hi;
    }
    *mn = lo;
    *mx = hi;
}

/* MqcGamutMinMaxFn: the C reference */
static void FN(min_max_any_)(const void *row, int x0, int x1, unsigned *mn, unsigned *mx)
{
    FN(min_max_)(row, x0, x1, mn, mx);
}

/* MqcGamutCountFn: the C reference, the same span_ + count_segment as rows_ */
static void FN(yuv_count_)(const MqcGamutKernel *k, const void *y, const void *cb,
                           const void *cr, int s, int x0, int n, MqcGamutCounts *c)
{
    const SAMPLE *const p[3] = { y, cb, cr };
    int32_t v[3][MQC_GAMUT_SEGMENT + 4];
    for (int i = 0; i < n; i += MQC_GAMUT_SEGMENT) {
        const int m = n - i < MQC_GAMUT_SEGMENT ? n - i : MQC_GAMUT_SEGMENT;
        FN(span_)(k, p, s, x0 + i, m, v[0], v[1], v[2]);
        count_segment(k, v, m, c);
    }
}

/* Is every value of pixels [xa, xb) inside the band? */
static int FN(span_inside_)(const MqcGamutKernel *k, MqcGamutMinMaxFn min_max,
                            const SAMPLE *const p[3], int s, int xa, int xb)
{
    unsigned mn[3], mx[3];
    min_max(p[0], xa, xb, &mn[0], &mx[0]);
    for (int c = 1; c < 3; c++)
        min_max(p[c], xa >> s, ((xb - 1) >> s) + 1, &mn[c], &mx[c]);
    return box_inside(k, mn, mx);
}

static void FN(rows_)(const MqcGamutKernel *k, const MqcGamutTarget *t, const MqcPicture *pic,
                      int y0, int y1, MqcGamutCounts *out)
{
    const int w = pic->width, h = k->taps / 2;
    const MqcGamutDsp *d = gamut_best();
    const int idx = sizeof(SAMPLE) > 1;
    int32_t v[3][MQC_GAMUT_SEGMENT + 4];
    TargetBuffer tb = { .n = 0 };
    for (int y = y0; y < y1; y++) {
        const SAMPLE *p[3];
        const int s = FN(row_planes_)(pic, y, p);
        /* the fused kernel covers the common case: no low-pass, no target */
        const MqcGamutCountFn count =
            !k->is_rgb && k->taps == 1 && !t && s <= 1 ? d->yuv_count[idx] : NULL;
        for (int x0 = 0; x0 < w; x0 += MQC_GAMUT_SEGMENT) {
            const int n = w - x0 < MQC_GAMUT_SEGMENT ? w - x0 : MQC_GAMUT_SEGMENT;
            /* the low-pass reads h pixels either side, the row's edge repeated */
            const int xa = x0 - h > 0 ? x0 - h : 0;
            const int xb = x0 + n + h < w ? x0 + n + h : w;
            out->pixels += (uint64_t)n;
            if (k->shortcut && !t && FN(span_inside_)(k, d->min_max[idx], p, s, xa, xb))
                continue;
            if (count) {
                count(k, p[0], p[1], p[2], s, x0, n, out);
                continue;
            }
            const int first = xa - (x0 - h), last = first + (xb - xa);
            FN(span_)(k, p, s, xa, xb - xa, v[0] + first, v[1] + first, v[2] + first);
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < first; i++)
                    v[c][i] = v[c][first];
                for (int i = last; i < n + 2 * h; i++)
                    v[c][i] = v[c][last - 1];
            }
            count_segment(k, v, n, out);
            if (t)
                target_segment(k, t, v, n, &tb, out);
        }
        /* flushing at every row end keeps OCIO's pixel grouping a function
         * of the row alone, whatever the band */
        if (t)
            target_flush(t, &tb, out);
    }
}

#undef FN
#undef CAT
#undef CAT_
