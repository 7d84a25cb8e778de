/* The conform aligner on synthetic signatures: an "original" of random
 * pictures (a few flat ones in front), "proxies" made from it by known
 * edits plus noise; every edit must come back at its frames. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "compare/conform.h"

#define N 300

typedef struct Src {
    MqcAlignFrame f[N + 64];
    int64_t n;
} Src;

static const MqcAlignFrame *src_get(void *ud, int64_t i)
{
    Src *s = ud;
    return i >= 0 && i < s->n ? &s->f[i] : NULL;
}

static void src_release(void *ud, int64_t i)
{
    (void)ud;
    (void)i;
}

static int64_t src_count(void *ud)
{
    return ((Src *)ud)->n;
}

static unsigned rng = 12345;
static double uniform(void)
{
    rng = rng * 1103515245u + 12345u;
    return (rng >> 8 & 0xffff) / 65536.0;
}

/* Picture k of the original: frames 0-9 black, then random block means. */
static void picture(MqcSignature *s, int64_t k, unsigned seed)
{
    unsigned save = rng;
    rng = seed * 7919u + (unsigned)k * 104729u;
    for (int b = 0; b < MQC_SIG_N; b++)
        s->v[b] = k < 10 ? 0.5f : (float)(100 * uniform());
    rng = save;
    mqc_signature_normalise(s);
}

/* The proxy's timecode follows the picture, so only the edits differ. */
static void add_frame(Src *s, int64_t k, unsigned seed, double noise)
{
    MqcAlignFrame *f = &s->f[s->n];
    picture(&f->sig, k, seed);
    for (int b = 0; b < MQC_SIG_N; b++)
        f->sig.v[b] = f->sig.v[b] * 0.9f + 3.0f + (float)(noise * (uniform() - 0.5));
    mqc_signature_normalise(&f->sig);
    f->tc = 90000 + k;
    f->sig.frame = s->n++;
}

static Src orig, proxy;

static void make_original(void)
{
    orig.n = 0;
    for (int64_t k = 0; k < N; k++)
        add_frame(&orig, k, 1, 0);
}

static MqcAlignResult align(void)
{
    MqcAlignSource p = { src_get, src_release, src_count, &proxy, 25 };
    MqcAlignSource o = { src_get, src_release, src_count, &orig, 25 };
    MqcAlignResult r;
    cr_assert_eq(mqc_align(&p, &o, 64, &r), 0);
    return r;
}

static void expect(const MqcAlignResult *r, size_t i, MqcConformCode code, int64_t p0,
                   int64_t p1, int64_t o0, int64_t o1, double value)
{
    cr_assert_gt(r->n, i, "only %zu events", r->n);
    const MqcConformEvent *e = &r->ev[i];
    cr_expect_eq(e->code, code, "event %zu: %s", i, mqc_conform_code_name(e->code));
    cr_expect_eq(e->p0, p0, "event %zu p0 %lld", i, (long long)e->p0);
    cr_expect_eq(e->p1, p1, "event %zu p1 %lld", i, (long long)e->p1);
    cr_expect_eq(e->o0, o0, "event %zu o0 %lld", i, (long long)e->o0);
    cr_expect_eq(e->o1, o1, "event %zu o1 %lld", i, (long long)e->o1);
    cr_expect_float_eq(e->value, value, 1e-9, "event %zu value %g", i, e->value);
}

Test(signature, distance)
{
    MqcSignature a, b, c, flat1, flat2;
    picture(&a, 20, 1);
    b = a;
    for (int i = 0; i < MQC_SIG_N; i++)
        b.v[i] = a.v[i] * 0.8f + 10;        /* other gain and level: same picture */
    mqc_signature_normalise(&b);
    picture(&c, 21, 1);
    cr_expect_lt(mqc_signature_distance(&a, &b), 1e-5);
    double d = mqc_signature_distance(&a, &c);
    cr_expect(d > 0.8 && d < 1.5, "unrelated pictures: %g", d);
    picture(&flat1, 0, 1);
    flat2 = flat1;
    for (int i = 0; i < MQC_SIG_N; i++)
        flat2.v[i] = 50;
    mqc_signature_normalise(&flat2);
    cr_expect(flat1.flat && flat2.flat);
    cr_expect_lt(mqc_signature_distance(&flat1, &flat1), 1e-9);
    cr_expect_gt(mqc_signature_distance(&flat1, &flat2), MQC_SIG_MATCH);   /* black vs grey */
    cr_expect_gt(mqc_signature_distance(&flat1, &a), MQC_SIG_MATCH);
}

Test(align, identical_with_noise)
{
    make_original();
    proxy.n = 0;
    for (int64_t k = 0; k < N; k++)
        add_frame(&proxy, k, 1, 4);
    MqcAlignResult r = align();
    cr_expect_eq(r.n, 0, "%zu events, first %s", r.n, r.n ? mqc_conform_code_name(r.ev[0].code) : "");
    cr_expect_eq(r.matched, N);
    cr_expect_eq(r.flat_pairs, 10);
    mqc_align_free(&r);
}

Test(align, edits)
{
    make_original();
    proxy.n = 0;
    for (int64_t k = 7; k < N; k++) {           /* starts 7 frames late */
        if (k == 40 || k == 41)                 /* 2 frames dropped */
            continue;
        if (k == 60)                            /* 3 foreign frames inserted */
            for (int x = 0; x < 3; x++)
                add_frame(&proxy, 1000 + x, 2, 4);
        if (k >= 80 && k < 85) {                /* 5 frames replaced */
            add_frame(&proxy, k, 3, 4);
            continue;
        }
        add_frame(&proxy, k, 1, 4);
    }
    /* proxy frame p shows original frame: p + 7 up to 32, then p + 9, then
     * 3 extra at 51-53, then p + 6 */
    MqcAlignResult r = align();
    expect(&r, 0, MQC_CONFORM_OFFSET, 0, 0, 0, 6, 7);
    expect(&r, 1, MQC_CONFORM_MISSING, 33, 33, 40, 41, 2);
    expect(&r, 2, MQC_CONFORM_EXTRA, 51, 53, 60, 60, 3);
    expect(&r, 3, MQC_CONFORM_PICTURE, 74, 78, 80, 84, 5);
    cr_expect_eq(r.n, 4, "%zu events", r.n);
    cr_expect_eq(r.proxy_frames, proxy.n);
    cr_expect_eq(r.original_frames, N);
    mqc_align_free(&r);
}

Test(align, proxy_ends_early_and_black_leader_offset)
{
    make_original();
    proxy.n = 0;
    for (int64_t k = 4; k < N - 20; k++)    /* starts inside the black leader */
        add_frame(&proxy, k, 1, 4);
    MqcAlignResult r = align();
    expect(&r, 0, MQC_CONFORM_OFFSET, 0, 0, 0, 3, 4);
    expect(&r, 1, MQC_CONFORM_MISSING, proxy.n - 1, proxy.n - 1, N - 20, N - 1, 20);
    cr_expect_eq(r.n, 2, "%zu events", r.n);
    mqc_align_free(&r);
}
