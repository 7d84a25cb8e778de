/* Included by dsp.c with SAMPLE (pixel type) and SUFFIX defined: the structure kernels. */

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(CAT(name, SUFFIX), _c)

uint64_t FN(mqc_row_sum_)(const uint8_t *row, int n)
{
    const SAMPLE *p = (const SAMPLE *)row;
    uint64_t sum = 0;
    /* 32-bit chunks vectorise; 32768 samples of 16 bits cannot overflow one */
    for (int x0 = 0; x0 < n; x0 += 32768) {
        const int x1 = n - x0 > 32768 ? x0 + 32768 : n;
        uint32_t s = 0;
        for (int x = x0; x < x1; x++)
            s += p[x];
        sum += s;
    }
    return sum;
}

void FN(mqc_column_sums_)(const uint8_t *data, ptrdiff_t linesize, int x0, int n,
                                      int rows, uint64_t *sums)
{
    for (int y = 0; y < rows; y++) {
        const SAMPLE *p = (const SAMPLE *)(data + y * linesize) + x0;
        for (int i = 0; i < n; i++)
            sums[i] += p[i];
    }
}

void FN(mqc_idet_row_)(const uint8_t *c_above, const uint8_t *c, const uint8_t *c_below,
                                   const uint8_t *p_above, const uint8_t *p, const uint8_t *p_below,
                                   int width, MqcIdetRow *out)
{
    const SAMPLE *ca = (const SAMPLE *)c_above, *c0 = (const SAMPLE *)c;
    const SAMPLE *cb = (const SAMPLE *)c_below, *pa = (const SAMPLE *)p_above;
    const SAMPLE *p0 = (const SAMPLE *)p, *pb = (const SAMPLE *)p_below;
    uint32_t prev_mix = 0, next_mix = 0, self = 0, field = 0;
    for (int x = 0; x < width; x++) {
        const int cs = (int)ca[x] + (int)cb[x], ps = (int)pa[x] + (int)pb[x];
        const int a = cs - 2 * (int)p0[x], b = ps - 2 * (int)c0[x], d = cs - 2 * (int)c0[x];
        const int f = 2 * ((int)c0[x] - (int)p0[x]);
        prev_mix += (uint32_t)(a < 0 ? -a : a);
        next_mix += (uint32_t)(b < 0 ? -b : b);
        self += (uint32_t)(d < 0 ? -d : d);
        field += (uint32_t)(f < 0 ? -f : f);
    }
    out->prev_mix = prev_mix;
    out->next_mix = next_mix;
    out->self = self;
    out->field = field;
}

void FN(mqc_idet_rows_)(const uint8_t *c, ptrdiff_t lc, const uint8_t *p, ptrdiff_t lp,
                                    int width, int rows, MqcIdetSums out[2])
{
    for (int i = 0; i < rows; i++) {
        const uint8_t *ci = c + i * lc, *pi = p + i * lp;
        MqcIdetRow r;
        FN(mqc_idet_row_)(ci - lc, ci, ci + lc, pi - lp, pi, pi + lp, width, &r);
        MqcIdetSums *o = &out[i & 1];
        o->prev_mix += r.prev_mix;
        o->next_mix += r.next_mix;
        o->self += r.self;
        o->field += r.field;
    }
}

static inline uint32_t CAT(flash_linear_, SUFFIX)(const MqcFlashKernel *k, int32_t value)
{
    const float e = (float)value * k->scale + k->bias;
    const int i = e <= 0 ? 0 : e >= 1 ? MQC_FLASH_LUT : (int)(e * MQC_FLASH_LUT + 0.5f);
    return k->lut[i];
}

int FN(mqc_flash_pixels_)(const MqcFlashKernel *k, const uint8_t *y, const uint8_t *cb,
                                      const uint8_t *cr, int cshift, int x0, int x1, int step,
                                      uint32_t *lum, uint32_t *red)
{
    const SAMPLE *py = (const SAMPLE *)y, *pb = (const SAMPLE *)cb, *pr = (const SAMPLE *)cr;
    int n = 0;
    for (int x = x0; x < x1; x += step, n++) {
        int32_t rv, gv, bv;
        if (k->is_rgb) {
            gv = py[x];
            bv = pb[x];
            rv = pr[x];
        } else {
            const int32_t yv = k->y_gain * (int32_t)py[x] + k->offset;
            const int32_t u = (int32_t)pb[x >> cshift] - k->chroma_zero;
            const int32_t v = (int32_t)pr[x >> cshift] - k->chroma_zero;
            rv = yv + k->r_cr * v;
            gv = yv + k->g_cb * u + k->g_cr * v;
            bv = yv + k->b_cb * u;
        }
        const uint32_t r = CAT(flash_linear_, SUFFIX)(k, rv);
        const uint32_t g = CAT(flash_linear_, SUFFIX)(k, gv);
        const uint32_t b = CAT(flash_linear_, SUFFIX)(k, bv);
        lum[n] = (uint32_t)(((uint64_t)k->wr * r + (uint64_t)k->wg * g + (uint64_t)k->wb * b) >>
                            16);
        red[n] = r && r >= 4 * (g + b) ? r - g - b : 0;
    }
    return n;
}

#undef FN
#undef CAT
#undef CAT_
