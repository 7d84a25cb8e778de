/* The picture signature of `mediaqc conform`: the luma means of a 16 x 9
 * grid of blocks, in percent of the nominal black..white range. Measured in
 * the engine's band pass like any check (block sums per band, added in band
 * order), so it costs one add per luma sample and no second decode. The
 * aligner (align.c) reads each frame's signature after fold through
 * mqc_signature_last, normalised to zero mean and unit variance, which
 * removes the level and gain differences of another bit depth, range or
 * codec; scaling does not move block means. */
#include <math.h>
#include <string.h>
#include "../engine/range.h"
#include "conform.h"

typedef struct SigPriv {
    int width, height;
    int bytes;                  /* 1 or 2 */
    double black, white;        /* nominal, of plane 0 */
    int col_block[MQC_SIG_W + 1];       /* first column of each block column, then width */
    double count[MQC_SIG_H * MQC_SIG_W];
    MqcSignature last;          /* the last folded frame's */
    int64_t flat_frames;
    int64_t frames;
} SigPriv;

typedef struct SigSums {
    uint64_t sum[MQC_SIG_H * MQC_SIG_W];
} SigSums;

static const MqcOption sig_options[] = { { .name = NULL } };
static const MqcEventCode sig_codes[] = { { NULL, NULL } };

static int block_row(const SigPriv *p, int y)
{
    return (int)((int64_t)y * MQC_SIG_H / p->height);
}

static int sig_init(void *priv, const MqcStreamInfo *si, char *why, size_t why_len)
{
    (void)why;
    (void)why_len;
    SigPriv *p = priv;
    p->width = si->width;
    p->height = si->height;
    p->bytes = si->bit_depth > 8 ? 2 : 1;
    MqcNominal n = mqc_nominal(si->bit_depth, si->full_range || si->is_rgb);
    p->black = n.black;
    p->white = n.white > n.black ? n.white : n.black + 1;
    for (int b = 0; b <= MQC_SIG_W; b++)
        p->col_block[b] = (int)((int64_t)b * p->width / MQC_SIG_W);
    for (int y = 0; y < p->height; y++)
        for (int b = 0; b < MQC_SIG_W; b++)
            p->count[block_row(p, y) * MQC_SIG_W + b] += p->col_block[b + 1] - p->col_block[b];
    return 0;
}

static void sig_measure(const void *priv, const MqcBand *band, void *slice)
{
    const SigPriv *p = priv;
    SigSums *s = slice;
    memset(s, 0, sizeof(*s));
    const MqcPicture *pic = band->pic;
    for (int y = band->y0; y < band->y1; y++) {
        uint64_t *row = &s->sum[block_row(p, y) * MQC_SIG_W];
        const uint8_t *line = pic->data[0] + (ptrdiff_t)y * pic->linesize[0];
        for (int b = 0; b < MQC_SIG_W; b++) {
            uint64_t acc = 0;
            if (p->bytes == 1)
                for (int x = p->col_block[b]; x < p->col_block[b + 1]; x++)
                    acc += line[x];
            else
                for (int x = p->col_block[b]; x < p->col_block[b + 1]; x++)
                    acc += ((const uint16_t *)line)[x];
            row[b] += acc;
        }
    }
}

static void sig_reduce(const void *priv, void *frame, const void *slice, int band)
{
    (void)priv;
    SigSums *f = frame;
    const SigSums *s = slice;
    if (band == 0) {
        *f = *s;
        return;
    }
    for (int i = 0; i < MQC_SIG_H * MQC_SIG_W; i++)
        f->sum[i] += s->sum[i];
}

static int sig_fold(void *priv, const MqcFrameInfo *fi, const void *frame, MqcEvents *ev)
{
    (void)ev;
    SigPriv *p = priv;
    const SigSums *f = frame;
    MqcSignature *g = &p->last;
    double scale = 100.0 / (p->white - p->black);
    for (int i = 0; i < MQC_SIG_H * MQC_SIG_W; i++)
        g->v[i] = (float)((f->sum[i] / (p->count[i] > 0 ? p->count[i] : 1) - p->black) * scale);
    mqc_signature_normalise(g);
    g->frame = fi->index;
    p->frames++;
    p->flat_frames += g->flat;
    return 0;
}

static void sig_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m)
{
    (void)si;
    (void)ev;
    const SigPriv *p = priv;
    mqc_metric_int(m, "frames_signed", p->frames);
    mqc_metric_int(m, "flat_frames", p->flat_frames);
}

const MqcSignature *mqc_signature_last(const MqcRun *run)
{
    for (int c = 0; c < run->nb_checks; c++)
        if (run->checks[c].check == &mqc_check_signature && !run->checks[c].skipped)
            return &((const SigPriv *)run->checks[c].priv)->last;
    return NULL;
}

const MqcCheck mqc_check_signature = {
    .name = "signature",
    .summary = "per-frame picture signature for conform (16 x 9 luma block means)",
    .default_severity = MQC_SEV_INFO,
    .options = sig_options,
    .codes = sig_codes,
    .priv_size = sizeof(SigPriv),
    .slice_size = sizeof(SigSums),
    .frame_size = sizeof(SigSums),
    .init = sig_init,
    .measure = sig_measure,
    .reduce = sig_reduce,
    .fold = sig_fold,
    .finish = sig_finish,
};
