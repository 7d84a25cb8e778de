/* Alignment of a proxy to its original by picture signatures, not by index
 * (docs/compare.md). Greedy along the diagonal with a bounded look-ahead:
 * the proxy's next frame pairs with the original's expected frame when
 * their pictures match and neither neighbour (a dropped or an inserted
 * frame) matches clearly better; otherwise a resync searches the window
 * for the cheapest jump (a proxy frames, b original frames beyond the
 * diagonal) after which CONFIRM frames in a row match, and the jump says
 * what happened: frames missing from the proxy, extra frames in it, or
 * different pictures. Flat pictures (black, a flat colour) pair without
 * anchoring, so a black leader never decides an offset by itself. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "conform.h"

#define CONFIRM 3               /* frames in a row that must match after a jump */
#define TIE 0.05                /* rate conversion: a neighbour must be this much closer */
#define PATH 5                  /* frames whose mean distance judges a jump */
#define JUMP_RATIO 0.6          /* a small jump must bring the mean distance below this share */
#define JUMP_MARGIN 0.002       /* ... and this far below it */
#define JUMP_SD 4.0             /* spread (% of nominal) a picture needs to decide a jump */
#define REFINE 16               /* dearer jumps a resync still compares */
#define TRIM (MQC_SIG_N / 10)   /* largest block differences left out of the distance */
#define BACKOFF_MAX 64          /* frames between resync attempts in a long mismatch */

void mqc_signature_normalise(MqcSignature *s)
{
    double sum = 0, sq = 0;
    for (int i = 0; i < MQC_SIG_N; i++)
        sum += s->v[i];
    double mean = sum / MQC_SIG_N;
    for (int i = 0; i < MQC_SIG_N; i++)
        sq += (s->v[i] - mean) * (s->v[i] - mean);
    double sd = sqrt(sq / MQC_SIG_N);
    s->mean = (float)mean;
    s->sd = (float)sd;
    s->flat = sd < MQC_SIG_FLAT_SD;
    for (int i = 0; i < MQC_SIG_N; i++)
        s->z[i] = s->flat ? 0.0f : (float)((s->v[i] - mean) / sd);
}

double mqc_signature_distance(const MqcSignature *a, const MqcSignature *b)
{
    /* a near-flat picture (a fade) may be flat in one file and not in the
     * other: below twice the flat spread both are judged by their level */
    if (a->flat || b->flat) {
        if (a->sd < 2 * MQC_SIG_FLAT_SD && b->sd < 2 * MQC_SIG_FLAT_SD)
            return fabs(a->mean - b->mean) / 10.0;
        return 2.0;
    }
    double sum = 0, max = 0;
    float d[MQC_SIG_N];
    for (int i = 0; i < MQC_SIG_N; i++) {
        d[i] = fabsf(a->z[i] - b->z[i]);
        sum += d[i];
        if (d[i] > max)
            max = d[i];
    }
    /* lower bound of the trimmed mean: unrelated pictures stop here */
    if ((sum - TRIM * max) / (MQC_SIG_N - TRIM) > 2 * MQC_SIG_MATCH)
        return (sum - TRIM * max) / (MQC_SIG_N - TRIM);
    float top[TRIM] = { 0 };    /* the TRIM largest, descending */
    for (int i = 0; i < MQC_SIG_N; i++) {
        if (d[i] <= top[TRIM - 1])
            continue;
        int k = TRIM - 1;
        while (k > 0 && top[k - 1] < d[i]) {
            top[k] = top[k - 1];
            k--;
        }
        top[k] = d[i];
    }
    for (int k = 0; k < TRIM; k++)
        sum -= top[k];
    return sum / (MQC_SIG_N - TRIM);
}

static const char *const code_names[MQC_CONFORM_NB] = {
    "offset", "missing_in_proxy", "extra_in_proxy", "picture_mismatch", "timecode_mismatch",
    "frame_rate_mismatch",
};

const char *mqc_conform_code_name(MqcConformCode c)
{
    return code_names[c];
}

int64_t mqc_align_ring(int window, double ratio)
{
    double r = ratio > 1 ? ratio : 1;
    return (int64_t)ceil((window + CONFIRM + 4) * r) + window + 16;
}

typedef struct Al {
    const MqcAlignSource *p, *o;
    double ratio;               /* original frames per proxy frame */
    int same_rate;
    int window;
    int64_t delta;              /* original frame = map(proxy frame) + delta */
    int64_t last_o;             /* last original frame paired (pairs never go back) */
    int anchored;               /* a pair of non-flat matching pictures was seen */
    MqcAlignResult *res;
    long pic_open, tc_open;     /* the runs that may still grow, -1 */
    int64_t flat_p0, flat_o0;   /* first pair of the flat pictures just before, -1 */
} Al;

static int64_t map(const Al *al, int64_t i)
{
    return al->same_rate ? i : llround((double)i * al->ratio);
}

static const MqcAlignFrame *P(const Al *al, int64_t i)
{
    return i < 0 ? NULL : al->p->get(al->p->ud, i);
}

static const MqcAlignFrame *O(const Al *al, int64_t j)
{
    return j < 0 ? NULL : al->o->get(al->o->ud, j);
}

static double dist(const Al *al, int64_t i, int64_t j)
{
    const MqcAlignFrame *a = P(al, i), *b = O(al, j);
    return a && b ? mqc_signature_distance(&a->sig, &b->sig) : INFINITY;
}

/* The best original frame for proxy frame i near j (the frames a rate
 * conversion may have picked), never before the last pair. */
static int64_t nearest(const Al *al, int64_t i, int64_t j, double *d)
{
    int64_t best = j;
    *d = dist(al, i, j);
    if (al->same_rate)
        return best;
    for (int64_t c = j - 1; c <= j + 1; c += 2) {
        if (c < al->last_o)
            continue;
        double dc = dist(al, i, c);
        if (dc < *d - TIE)
            best = c, *d = dc;
    }
    return best;
}

/* Mean distance of the pairs after a jump of a proxy and b original frames
 * at proxy frame i, over at most PATH frames; INFINITY when none exists. */
static double path(const Al *al, int64_t i, int64_t a, int64_t b)
{
    double sum = 0, d;
    int n = 0;
    for (int k = 0; k < PATH && P(al, i + a + k); k++) {
        nearest(al, i + a + k, map(al, i + a + k) + al->delta + b, &d);
        if (!isfinite(d))
            break;
        sum += d;
        n++;
    }
    return n ? sum / n : INFINITY;
}

/* A small jump (frames dropped from or inserted into the proxy right here)
 * that explains the next frames clearly better than the diagonal: its
 * first pair is closer than the diagonal's, its pairs all match, and their
 * mean distance is well below the diagonal's. Moving pictures differ from
 * their neighbours only a little at 16 x 9 blocks, so the whole path
 * decides, not one frame; identical neighbours (a still) never jump. */
static int local_jump(const Al *al, int64_t i, int64_t j, double d0, int64_t *a, int64_t *b)
{
    static const int jumps[][2] = { { 0, 1 }, { 1, -1 }, { 0, 2 }, { 2, -2 }, { 0, 3 },
                                    { 3, -3 } };
    /* low-contrast pictures (dark, misty) differ from their neighbours by
     * less than their coding noise: they never decide a jump */
    if (!al->same_rate || P(al, i)->sig.sd < JUMP_SD || O(al, j)->sig.sd < JUMP_SD)
        return 0;
    double diag = path(al, i, 0, 0), best = INFINITY;
    for (size_t k = 0; k < sizeof(jumps) / sizeof(*jumps); k++) {
        int64_t ja = jumps[k][0], jb = jumps[k][1];
        if (j + ja + jb <= al->last_o || !(dist(al, i + ja, j + ja + jb) < d0))
            continue;
        double alt = path(al, i, ja, jb);
        if (alt <= MQC_SIG_MATCH && alt < JUMP_RATIO * diag && alt < diag - JUMP_MARGIN &&
            alt < best)
            best = alt, *a = ja, *b = jb;
    }
    return isfinite(best);
}

static int confirm(const Al *al, int64_t i, int64_t b)
{
    for (int k = 0; k < CONFIRM; k++) {
        if (!P(al, i + k))
            return k > 0;
        double d;
        nearest(al, i + k, map(al, i + k) + al->delta + b, &d);
        if (d > MQC_SIG_MATCH)
            return 0;
    }
    return 1;
}

/* The cheapest jump (a + |b|) after which CONFIRM frames match, unless a
 * jump a little dearer makes the next frames match clearly better (slow
 * pictures match their neighbours too: the cheapest is not always right). */
static int resync(const Al *al, int64_t i, int64_t *a_out, int64_t *b_out)
{
    int64_t found = -1, limit = 2 * (int64_t)al->window;
    double best = INFINITY;
    for (int64_t cost = 1; cost <= limit; cost++)
        for (int64_t a = 0; a <= cost && a <= al->window; a++)
            for (int sign = 1; sign >= -1; sign -= 2) {
                int64_t b = sign * (cost - a);
                if ((sign < 0 && b == 0) || b > al->window || b < -a)
                    continue;
                if (!P(al, i + a))
                    break;
                if (map(al, i + a) + al->delta + b <= al->last_o || !confirm(al, i + a, b))
                    continue;
                double m = path(al, i, a, b);
                if (found < 0) {
                    found = cost;
                    limit = cost + REFINE < limit ? cost + REFINE : limit;
                }
                /* a dearer jump must be clearly better, as a small jump must
                 * be clearly better than the diagonal */
                if (!isfinite(best) || (m < JUMP_RATIO * best && m < best - JUMP_MARGIN)) {
                    best = m;
                    *a_out = a;
                    *b_out = b;
                }
            }
    return found >= 0;
}

static MqcConformEvent *add(Al *al, MqcConformCode code, int64_t p0, int64_t p1, int64_t o0,
                            int64_t o1, int64_t pn, int64_t on, double value)
{
    MqcAlignResult *r = al->res;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        MqcConformEvent *v = realloc(r->ev, cap * sizeof(*v));
        if (!v) {
            r->oom = 1;
            return NULL;
        }
        r->ev = v;
        r->cap = cap;
    }
    MqcConformEvent *e = &r->ev[r->n++];
    *e = (MqcConformEvent){ code, p0, p1, o0, o1, pn, on, value };
    return e;
}

/* The timecode difference of a pair, in proxy frames. */
static int64_t tc_delta(const Al *al, const MqcAlignFrame *fp, const MqcAlignFrame *fo)
{
    if (al->same_rate)
        return fp->tc - fo->tc;
    return llround(((double)fp->tc / al->p->fps - (double)fo->tc / al->o->fps) * al->p->fps);
}

static void pair(Al *al, int64_t i, int64_t j, int matched)
{
    const MqcAlignFrame *fp = P(al, i), *fo = O(al, j);
    MqcAlignResult *r = al->res;
    r->pairs++;
    al->last_o = j;
    if (!matched) {
        al->flat_p0 = al->flat_o0 = -1;
        MqcConformEvent *e = al->pic_open >= 0 ? &r->ev[al->pic_open] : NULL;
        if (e && e->p1 == i - 1 && e->o1 < j) {
            e->p1 = i, e->o1 = j, e->p_count = i - e->p0 + 1, e->o_count = j - e->o0 + 1;
            e->value = e->p_count;
        } else if ((e = add(al, MQC_CONFORM_PICTURE, i, i, j, j, 1, 1, 1))) {
            al->pic_open = (long)(e - r->ev);
        }
        return;
    }
    al->pic_open = -1;
    r->matched++;
    int flat = fp->sig.flat && fo->sig.flat;
    r->flat_pairs += flat;
    if (flat) {
        /* a black frame's place is ambiguous: it anchors nothing, and its
         * timecode counts with the pictures that follow it */
        if (al->flat_p0 < 0)
            al->flat_p0 = i, al->flat_o0 = j;
        return;
    }
    al->anchored = 1;
    int64_t from_p = al->flat_p0 >= 0 ? al->flat_p0 : i, from_o = al->flat_p0 >= 0 ? al->flat_o0 : j;
    al->flat_p0 = al->flat_o0 = -1;
    double d = mqc_signature_distance(&fp->sig, &fo->sig);
    r->sum_matched += d;
    if (d > r->worst_matched)
        r->worst_matched = d;
    int64_t tcd = tc_delta(al, fp, fo);
    MqcConformEvent *e = al->tc_open >= 0 ? &r->ev[al->tc_open] : NULL;
    if (!tcd) {
        al->tc_open = -1;
    } else if (e && e->value == (double)tcd) {
        e->p1 = i, e->o1 = j, e->p_count = i - e->p0 + 1, e->o_count = j - e->o0 + 1;
    } else if ((e = add(al, MQC_CONFORM_TIMECODE, from_p, i, from_o, j, i - from_p + 1,
                        j - from_o + 1, (double)tcd))) {
        al->tc_open = (long)(e - r->ev);
    }
}

/* What a jump of a proxy frames and b original frames beyond the diagonal
 * at proxy frame i means. */
static void jump(Al *al, int64_t i, int64_t a, int64_t b)
{
    int64_t j = map(al, i) + al->delta;
    int64_t j2 = map(al, i + a) + al->delta + b;
    int64_t m = j2 - j;                 /* original frames passed over */
    al->res->resyncs++;
    al->flat_p0 = al->flat_o0 = -1;
    if (!al->anchored && (a == 0 || m == 0)) {
        /* before any real picture matched: the files start apart (one
         * offset, however many jumps it took to find it) */
        MqcConformEvent *e = al->res->n ? &al->res->ev[al->res->n - 1] : NULL;
        int64_t total = (e && e->code == MQC_CONFORM_OFFSET ? (int64_t)e->value : 0) +
                        (m > 0 ? m : -a);
        if (e && e->code == MQC_CONFORM_OFFSET)
            al->res->n--;
        if (total > 0)
            add(al, MQC_CONFORM_OFFSET, 0, 0, 0, total - 1, 0, total, (double)total);
        else if (total < 0)
            add(al, MQC_CONFORM_OFFSET, 0, -total - 1, 0, 0, -total, 0, (double)total);
    } else {
        int64_t q = a < m ? a : m;      /* pairs whose pictures differ */
        if (q > 0 && al->same_rate)
            for (int64_t k = 0; k < q; k++)
                pair(al, i + k, j + k, 0);
        else if (q > 0) {
            add(al, MQC_CONFORM_PICTURE, i, i + a - 1, j, j2 - 1, a, m, (double)a);
            al->pic_open = -1;
        }
        if (a > m && al->same_rate)
            add(al, MQC_CONFORM_EXTRA, i + q, i + a - 1, j + q, j + q, a - m, 0, (double)(a - m));
        else if (m > a && al->same_rate)
            add(al, MQC_CONFORM_MISSING, i + q, i + q, j + q, j2 - 1, 0, m - a, (double)(m - a));
    }
    al->delta += b;
    /* the original frames passed over are reported, never paired later:
     * the ring may drop them, so the look-ahead stays within it */
    if (j2 - 1 > al->last_o)
        al->last_o = j2 - 1;
}

int mqc_align(const MqcAlignSource *p, const MqcAlignSource *o, int window, MqcAlignResult *res)
{
    memset(res, 0, sizeof(*res));
    Al al = { .p = p, .o = o, .window = window, .res = res, .last_o = -1, .pic_open = -1,
              .tc_open = -1, .flat_p0 = -1, .flat_o0 = -1 };
    al.same_rate = fabs(p->fps - o->fps) < 1e-6 * o->fps || p->fps <= 0 || o->fps <= 0;
    al.ratio = al.same_rate ? 1.0 : o->fps / p->fps;
    int64_t i = 0, wait_until = 0, backoff = 1;
    while (P(&al, i) && !res->oom) {
        int64_t j = map(&al, i) + al.delta, a, b;
        double d0 = INFINITY;
        if (O(&al, j))
            j = nearest(&al, i, j, &d0);
        if (isfinite(d0) && local_jump(&al, i, j, d0, &a, &b)) {
            jump(&al, i, a, b);
            i += a;
        } else if (d0 <= MQC_SIG_MATCH) {
            pair(&al, i, j, 1);
            backoff = 1;
            i++;
        } else if (i >= wait_until && resync(&al, i, &a, &b)) {
            jump(&al, i, a, b);
            i += a;
            backoff = 1;
        } else if (isfinite(d0)) {
            /* nothing in the window matches: different pictures here */
            pair(&al, i, j, 0);
            if (i >= wait_until) {
                wait_until = i + backoff;
                backoff = backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : backoff * 2;
            }
            i++;
        } else {
            break;  /* the original has ended */
        }
        p->release(p->ud, i - 1);
        int64_t keep = (al.last_o < map(&al, i) + al.delta ? al.last_o : map(&al, i) + al.delta) - 2;
        if (keep > 0)
            o->release(o->ud, keep);
    }
    /* the tails: what one file has after the other ended */
    int64_t pn = p->count(p->ud), on = o->count(o->ud);
    int64_t next_o = al.last_o + 1;
    if (pn > i)
        add(&al, MQC_CONFORM_EXTRA, i, pn - 1, on, on, pn - i, 0, (double)(pn - i));
    else if (next_o < on)
        add(&al, MQC_CONFORM_MISSING, pn > 0 ? pn - 1 : 0, pn > 0 ? pn - 1 : 0, next_o, on - 1, 0,
            on - next_o, (double)(on - next_o));
    res->proxy_frames = pn;
    res->original_frames = on;
    return res->oom ? MQC_ERR_NOMEM : 0;
}

void mqc_align_free(MqcAlignResult *res)
{
    free(res->ev);
    memset(res, 0, sizeof(*res));
}
