/* The HTML report's observer: curves in a fixed number of buckets and
 * event thumbnails, both taken during the single pass. A merge replays
 * the frames without pictures: the same choice of thumbnails is made,
 * their pictures are decoded afterwards (mqc_capture_pictures). */
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include "../engine/range.h"
#include "capture.h"
#include "text.h"

/* recent events per check looked at for a new worst frame: runs that are
 * still open are at the end of the list */
#define RECENT_EVENTS 64

/* ---- curves ---- */

static void bucket_join(MqcBucket *a, const MqcBucket *b)
{
    if (!b->n)
        return;
    if (!a->n || b->min < a->min)
        a->min = b->min;
    if (!a->n || b->max > a->max)
        a->max = b->max;
    a->sum += b->sum;
    a->n += b->n;
}

/* Frames arrive in display order from 0 and their number is not known in
 * advance: when the buckets are full, pairs merge and buckets get twice as
 * wide, so any length fits in MQC_CAPTURE_BUCKETS. */
static void curves_add(MqcCapture *c, int64_t frame, const MqcRecord *rec)
{
    while (frame / c->bucket_frames >= MQC_CAPTURE_BUCKETS) {
        for (int k = 0; k < c->nb_curves; k++) {
            MqcBucket *bk = c->curves[k].buckets;
            for (int i = 0; i < MQC_CAPTURE_BUCKETS / 2; i++) {
                MqcBucket joined = bk[2 * i];
                bucket_join(&joined, &bk[2 * i + 1]);
                bk[i] = joined;
            }
            memset(bk + MQC_CAPTURE_BUCKETS / 2, 0, MQC_CAPTURE_BUCKETS / 2 * sizeof(*bk));
        }
        c->bucket_frames *= 2;
        c->nb_buckets = (c->nb_buckets + 1) / 2;
    }
    int i = (int)(frame / c->bucket_frames);
    if (i >= c->nb_buckets)
        c->nb_buckets = i + 1;
    for (int k = 0; k < c->nb_curves; k++) {
        double v;
        if (mqc_record_get(rec, c->curves[k].series->key, &v) == 0)
            bucket_join(&c->curves[k].buckets[i], &(MqcBucket){ v, v, v, 1 });
    }
    c->frames = frame + 1;
}

static const MqcSeries *series_of(const MqcRun *run, int k)
{
    return run->checks[k].check ? run->checks[k].check->series : NULL;
}

/* Every charted series of the run's checks, once per record key. */
static int curves_init(MqcCapture *c, const MqcRun *run)
{
    size_t most = 1;
    for (int k = 0; k < run->nb_checks; k++)
        for (const MqcSeries *s = series_of(run, k); s && s->key; s++)
            most++;
    if (!(c->curves = calloc(most, sizeof(*c->curves))))
        return MQC_ERR_NOMEM;
    for (int k = 0; k < run->nb_checks; k++) {
        for (const MqcSeries *s = series_of(run, k); s && s->key; s++) {
            int dup = 0;
            for (int j = 0; j < c->nb_curves; j++)
                dup |= !strcmp(c->curves[j].series->key, s->key);
            if (!s->chart || dup)
                continue;
            MqcCurve *cv = &c->curves[c->nb_curves];
            if (!(cv->buckets = calloc(MQC_CAPTURE_BUCKETS, sizeof(*cv->buckets))))
                return MQC_ERR_NOMEM;
            cv->series = s;
            cv->check = k;
            c->nb_curves++;
        }
    }
    return 0;
}

/* ---- thumbnails ---- */

static void png_to_buf(png_structp png, png_bytep data, size_t len)
{
    mqc_buf_append(png_get_io_ptr(png), (const char *)data, len);
}

static void png_no_flush(png_structp png)
{
    (void)png;
}

/* 8-bit RGB (channels 3) or palette indices (channels 1, with a palette of
 * transparent / above / below) to PNG in memory. */
static int png_encode(const uint8_t *pix, int w, int h, int channels, MqcBuf *out)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return MQC_ERR_NOMEM;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return MQC_ERR_NOMEM;
    }
    png_set_write_fn(png, out, png_to_buf, png_no_flush);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8,
                 channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_PALETTE,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (channels == 1) {
        /* false colours as on a waveform monitor's gamut display: red above, blue below */
        static const png_color palette[3] = { { 0, 0, 0 }, { 255, 40, 40 }, { 40, 110, 255 } };
        static const png_byte alpha[3] = { 0, 255, 255 };
        png_set_PLTE(png, info, palette, 3);
        png_set_tRNS(png, info, alpha, 3, NULL);
    }
    png_write_info(png, info);
    for (int y = 0; y < h; y++)
        png_write_row(png, pix + (size_t)y * (size_t)w * (size_t)channels);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return out->oom ? MQC_ERR_NOMEM : 0;
}

/* Marks each thumbnail pixel whose footprint in the picture holds a luma
 * sample outside [lo, hi]: 1 above, 2 below (above wins). */
static void mark_out_of_band(const AVFrame *f, int bytes, unsigned lo, unsigned hi,
                             uint8_t *marks, int tw, int th, int64_t *above, int64_t *below)
{
    for (int ty = 0; ty < th; ty++) {
        int y0 = (int)((int64_t)ty * f->height / th), y1 = (int)((int64_t)(ty + 1) * f->height / th);
        for (int tx = 0; tx < tw; tx++) {
            int x0 = (int)((int64_t)tx * f->width / tw), x1 = (int)((int64_t)(tx + 1) * f->width / tw);
            int hi_seen = 0, lo_seen = 0;
            for (int y = y0; y < (y1 > y0 ? y1 : y0 + 1); y++) {
                const uint8_t *row = f->data[0] + (ptrdiff_t)y * f->linesize[0];
                for (int x = x0; x < (x1 > x0 ? x1 : x0 + 1); x++) {
                    unsigned v = bytes == 1 ? row[x] : ((const uint16_t *)row)[x];
                    hi_seen |= v > hi;
                    lo_seen |= v < lo;
                }
            }
            marks[(size_t)ty * tw + tx] = hi_seen ? 1 : lo_seen ? 2 : 0;
            *above += hi_seen;
            *below += !hi_seen && lo_seen;
        }
    }
}

static int thumb_make(MqcCapture *c, const MqcRun *run, const AVFrame *f, int64_t frame,
                      MqcThumb *t)
{
    memset(t, 0, sizeof(*t));
    t->frame = frame;
    /* display aspect: non-square pixels are scaled to square ones */
    double sar = f->sample_aspect_ratio.num > 0 && f->sample_aspect_ratio.den > 0 ?
                 av_q2d(f->sample_aspect_ratio) : 1.0;
    int tw = f->width < c->thumb_width ? f->width : c->thumb_width;
    int th = (int)(f->height * (double)tw / (f->width * sar) + 0.5);
    th = th < 1 ? 1 : th;
    t->width = tw, t->height = th;

    c->sws = sws_getCachedContext(c->sws, f->width, f->height, f->format, tw, th,
                                  AV_PIX_FMT_RGB24, SWS_AREA, NULL, NULL, NULL);
    uint8_t *rgb = malloc((size_t)tw * th * 3);
    uint8_t *marks = malloc((size_t)tw * th);
    int ret = MQC_ERR_NOMEM;
    MqcBuf png = { 0 }, over = { 0 };
    if (!c->sws || !rgb || !marks)
        goto end;
    /* the stream's matrix and range, so the picture looks as it should */
    int csp = av_color_space_from_name(run->si.color_matrix);
    if (csp < 0 || csp == AVCOL_SPC_UNSPECIFIED)
        csp = f->height > 576 ? AVCOL_SPC_BT709 : AVCOL_SPC_SMPTE170M;
    const int *coefs = sws_getCoefficients(csp);
    sws_setColorspaceDetails(c->sws, coefs, run->si.full_range, coefs, 1, 0, 1 << 16, 1 << 16);
    uint8_t *dst[4] = { rgb };
    int dst_stride[4] = { tw * 3 };
    sws_scale(c->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst,
              dst_stride);
    if ((ret = png_encode(rgb, tw, th, 3, &png)) < 0)
        goto end;
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
    if (c->have_band && d && !(d->flags & AV_PIX_FMT_FLAG_RGB) && d->comp[0].plane == 0 &&
        d->comp[0].depth == c->band_depth) {
        mark_out_of_band(f, d->comp[0].depth > 8 ? 2 : 1, c->band_lo, c->band_hi, marks, tw, th,
                         &t->above, &t->below);
        if (t->above + t->below && (ret = png_encode(marks, tw, th, 1, &over)) < 0)
            goto end;
    }
    t->png = (unsigned char *)png.data, t->png_len = png.len;
    t->overlay = (unsigned char *)over.data, t->overlay_len = over.len;
    png.data = over.data = NULL;
    t->refs = 0;
    ret = 0;
end:
    mqc_buf_free(&png);
    mqc_buf_free(&over);
    free(rgb);
    free(marks);
    return ret;
}

static void thumb_release(MqcCapture *c, int i)
{
    if (i < 0 || --c->thumbs[i].refs > 0)
        return;
    free(c->thumbs[i].png);
    free(c->thumbs[i].overlay);
    c->thumbs[i].png = c->thumbs[i].overlay = NULL;
    c->thumbs[i].frame = -1;
}

/* The thumbnail of this frame, made once and shared by all events that
 * want it; -1 when the cap is reached. Without a picture (a merge) the
 * slot waits for mqc_capture_pictures. */
static int thumb_of_frame(MqcCapture *c, const MqcRun *run, const AVFrame *f, int64_t frame)
{
    int free_slot = -1;
    for (int i = 0; i < c->nb_thumbs; i++) {
        if (c->thumbs[i].frame == frame) {
            c->thumbs[i].refs++;
            return i;
        }
        if (c->thumbs[i].frame < 0 && free_slot < 0)
            free_slot = i;
    }
    if (free_slot < 0) {
        if (c->nb_thumbs == c->max_thumbs) {
            c->thumbs_missed++;
            return -1;
        }
        free_slot = c->nb_thumbs++;
    }
    int ret = 0;
    if (f)
        ret = thumb_make(c, run, f, frame, &c->thumbs[free_slot]);
    else
        c->thumbs[free_slot] = (MqcThumb){ .frame = frame };
    if (ret < 0) {
        c->error = ret;
        c->thumbs[free_slot].frame = -1;
        return -1;
    }
    c->thumbs[free_slot].refs = 1;
    return free_slot;
}

static int shot_add(MqcCapture *c, int check, const MqcEvent *e, size_t event_index)
{
    if (c->nb_shots == c->cap_shots) {
        size_t cap = c->cap_shots ? 2 * c->cap_shots : 64;
        MqcShot *s = realloc(c->shots, cap * sizeof(*s));
        if (!s)
            return MQC_ERR_NOMEM;
        c->shots = s;
        c->cap_shots = cap;
    }
    size_t *map = realloc(c->shot_of[check], (event_index + 1) * sizeof(*map));
    if (!map)
        return MQC_ERR_NOMEM;
    c->shot_of[check] = map;
    map[event_index] = c->nb_shots;
    c->shots[c->nb_shots++] = (MqcShot){ .check = check, .code = e->code,
                                         .start_frame = e->start_frame, .first = -1,
                                         .worst = -1 };
    return 0;
}

/* ---- the observer ---- */

/* The luma band of the first check that asks for an overlay, converted
 * from percent to code values as the check converts it (engine/range.h). */
static void find_luma_band(MqcCapture *c, const MqcRun *run)
{
    for (int i = 0; i < run->nb_checks; i++) {
        const MqcCheckRun *cr = &run->checks[i];
        const MqcOverlay *o = cr->check ? cr->check->overlay : NULL;
        if (!o || cr->skipped || run->si.is_rgb)
            continue;
        const cJSON *lo = cJSON_GetObjectItemCaseSensitive(cr->params, o->min_param);
        const cJSON *hi = cJSON_GetObjectItemCaseSensitive(cr->params, o->max_param);
        const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(av_get_pix_fmt(run->si.pix_fmt));
        if (!cJSON_IsNumber(lo) || !cJSON_IsNumber(hi) || !d)
            return;
        c->band_depth = d->comp[0].depth;
        MqcNominal n = mqc_nominal(c->band_depth, run->si.full_range);
        c->band_lo = mqc_code_at(n.black, n.white, lo->valuedouble, n.code_max);
        c->band_hi = mqc_code_at(n.black, n.white, hi->valuedouble, n.code_max);
        c->overlay = o;
        c->have_band = 1;
        return;
    }
}

/* Events of codes listed in the check's no_pictures take no thumbnail. */
static int wants_pictures(const MqcCheck *check, const char *code)
{
    for (const char *const *p = check ? check->no_pictures : NULL; p && *p; p++)
        if (!strcmp(*p, code))
            return 0;
    return 1;
}

static int capture_start(void *ud, const MqcRun *run)
{
    MqcCapture *c = ud;
    c->nb_checks = run->nb_checks;
    c->seen = calloc((size_t)run->nb_checks + 1, sizeof(*c->seen));
    c->shot_of = calloc((size_t)run->nb_checks + 1, sizeof(*c->shot_of));
    if (!c->seen || !c->shot_of || curves_init(c, run) < 0)
        return MQC_ERR_NOMEM;
    find_luma_band(c, run);
    return 0;
}

static void capture_frame(void *ud, const MqcRun *run, const MqcFrameInfo *fi,
                          const AVFrame *f, const MqcRecord *rec)
{
    MqcCapture *c = ud;
    curves_add(c, fi->index, rec);
    if (c->error || run->nb_checks != c->nb_checks)
        return;
    for (int k = 0; k < run->nb_checks; k++) {
        const MqcEvents *ev = &run->checks[k].events;
        if (c->seen[k] > ev->n)             /* a check rewrote its list: start over */
            c->seen[k] = ev->n;
        /* new events: their first frame is this one, or (for checks that
         * flag a run once it is long enough) the closest frame still here */
        for (size_t i = c->seen[k]; i < ev->n; i++) {
            if (shot_add(c, k, &ev->v[i], i) < 0) {
                c->error = MQC_ERR_NOMEM;
                return;
            }
            MqcShot *s = &c->shots[c->nb_shots - 1];
            s->pictures = wants_pictures(run->checks[k].check, ev->v[i].code);
            if (s->pictures)
                s->first = thumb_of_frame(c, run, f, fi->index);
        }
        c->seen[k] = ev->n;
        /* open runs that just got worse keep a picture of their worst frame */
        for (size_t i = ev->n > RECENT_EVENTS ? ev->n - RECENT_EVENTS : 0; i < ev->n; i++) {
            const MqcEvent *e = &ev->v[i];
            if (e->worst_frame != fi->index || e->start_frame == fi->index)
                continue;
            MqcShot *s = &c->shots[c->shot_of[k][i]];
            if (!s->pictures || (s->first >= 0 && c->thumbs[s->first].frame == fi->index))
                continue;
            /* the previous worst picture gives its slot back first */
            thumb_release(c, s->worst);
            s->worst = thumb_of_frame(c, run, f, fi->index);
        }
    }
}

static int shot_order(const void *pa, const void *pb)
{
    const MqcShot *a = pa, *b = pb;
    if (a->check != b->check)
        return a->check < b->check ? -1 : 1;
    if (a->start_frame != b->start_frame)
        return a->start_frame < b->start_frame ? -1 : 1;
    return strcmp(a->code, b->code);
}

static void capture_finish(void *ud, const MqcRun *run)
{
    (void)run;
    MqcCapture *c = ud;
    if (c->nb_shots)
        qsort(c->shots, c->nb_shots, sizeof(*c->shots), shot_order);
    c->sorted = 1;
}

int mqc_capture_new(MqcCapture **out)
{
    MqcCapture *c = calloc(1, sizeof(*c));
    if (!c || !(c->thumbs = calloc(MQC_CAPTURE_MAX_THUMBS, sizeof(*c->thumbs)))) {
        free(c);
        return MQC_ERR_NOMEM;
    }
    c->thumb_width = MQC_CAPTURE_THUMB_WIDTH;
    c->max_thumbs = MQC_CAPTURE_MAX_THUMBS;
    c->bucket_frames = 1;
    c->observer = (MqcObserver){ .ud = c, .start = capture_start, .frame = capture_frame,
                                 .finish = capture_finish };
    *out = c;
    return 0;
}

void mqc_capture_free(MqcCapture **cap)
{
    MqcCapture *c = *cap;
    if (!c)
        return;
    for (int i = 0; i < c->nb_thumbs; i++) {
        free(c->thumbs[i].png);
        free(c->thumbs[i].overlay);
    }
    for (int k = 0; c->shot_of && k < c->nb_checks; k++)
        free(c->shot_of[k]);
    for (int k = 0; k < c->nb_curves; k++)
        free(c->curves[k].buckets);
    free(c->curves);
    free(c->shot_of);
    free(c->seen);
    free(c->thumbs);
    free(c->shots);
    sws_freeContext(c->sws);
    free(c);
    *cap = NULL;
}

/* ---- pictures after the run (a merge) ---- */

typedef struct Fill {
    MqcCapture *c;
    const MqcRun *run;
} Fill;

static int fill_thumb(void *ud, int64_t frame, const AVFrame *f)
{
    Fill *fl = ud;
    MqcCapture *c = fl->c;
    for (int i = 0; i < c->nb_thumbs; i++) {
        MqcThumb *t = &c->thumbs[i];
        if (t->frame != frame || t->png)
            continue;
        int refs = t->refs;
        int ret = thumb_make(c, fl->run, f, frame, t);
        t->refs = refs;
        return ret;
    }
    return 0;
}

static int by_frame(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return (a > b) - (a < b);
}

int mqc_capture_pictures(MqcCapture *c, const MqcRun *run, int stream_index, MqcMsg *msg)
{
    int64_t *frames = malloc(((size_t)c->nb_thumbs + 1) * sizeof(*frames));
    size_t n = 0;
    for (int i = 0; frames && i < c->nb_thumbs; i++)
        if (c->thumbs[i].frame >= 0 && !c->thumbs[i].png)
            frames[n++] = c->thumbs[i].frame;   /* distinct: a frame has one slot */
    int ret = frames ? 0 : MQC_ERR_NOMEM;
    if (!frames)
        mqc_msg(msg, "%s", mqc_strerror(ret));
    Fill fl = { c, run };
    if (n) {
        qsort(frames, n, sizeof(*frames), by_frame);
        ret = mqc_read_pictures(run->input_path, stream_index, run->index_hash, frames, n,
                                fill_thumb, &fl, msg);
    }
    free(frames);
    if (ret < 0)
        snprintf(c->pictures_error, sizeof(c->pictures_error), "%s", msg->text);
    return ret;
}

const MqcShot *mqc_capture_find(const MqcCapture *cap, int check, const MqcEvent *e)
{
    if (!cap || !cap->sorted || !cap->nb_shots)
        return NULL;
    /* finish() may have dropped events: a run is known by check, start and code */
    MqcShot key = { .check = check, .code = e->code, .start_frame = e->start_frame };
    const MqcShot *s = bsearch(&key, cap->shots, cap->nb_shots, sizeof(*cap->shots), shot_order);
    return s && s->pictures ? s : NULL;
}
