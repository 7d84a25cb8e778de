/*
 * mqc-gen-media: deterministic test-media generator for mediaqc.
 *
 * Usage: mqc-gen-media OUTDIR
 *
 * Writes a set of small clips with planted, documented defects plus
 * OUTDIR/manifest.json describing them (the ground truth for end-to-end
 * tests).  Every output byte is a pure function of this source and the
 * library versions: encoders run single-threaded with
 * AV_CODEC_FLAG_BITEXACT, muxers with AVFMT_FLAG_BITEXACT, and no
 * wall-clock metadata is written.
 *
 * Picture content is integer-only (no floating point), so the planted
 * code values are exact.  Only the audio sine uses libm.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>

#define GEN_NAME "mqc-gen-media/1"

#define W 640
#define H 360

/* ------------------------------------------------------------------ */
/* Clip and defect descriptions                                        */
/* ------------------------------------------------------------------ */

typedef struct Rect {
    int x, y, w, h;
} Rect;

enum PatchKind { PATCH_RECT, PATCH_BLACK };

/* One planted picture change.  Y values are native code values. */
typedef struct Patch {
    enum PatchKind kind;
    int start, end;       /* inclusive frame range */
    Rect r;               /* PATCH_RECT only */
    int y_value;          /* PATCH_RECT only; chroma is neutral inside */
} Patch;

typedef struct VideoClip {
    const char *file;
    const char *encoder;     /* libavcodec encoder name */
    const char *codec;       /* codec name as ffprobe reports it */
    enum AVPixelFormat pix_fmt;
    int frames;
    AVRational rate;         /* frames per second */
    int full_range;
    int lossless;
    const char *timecode;    /* NULL if none */
    const char *timecode_where;
    int clean;
    const char *twin;        /* the other clip of a defect/clean pair */
    int kind;                /* which defect set, see plant_* below */
} VideoClip;

enum { SET_CLEAN, SET_STANDARD, SET_FULLRANGE };

/* Geometry of the planted rectangles (all edges multiples of 16). */
static const Rect RECT_ABOVE = { 64, 112, 96, 144 };  /* 13824 px = 6.0 %  */
static const Rect RECT_BELOW = { 480, 128, 96, 96 };  /*  9216 px = 4.0 %  */
static const Rect RECT_SMALL = { 288, 176, 48, 16 };  /*   768 px = 0.333 % */
static const Rect RECT_FR_LO = { 64, 112, 96, 120 };  /* 11520 px = 5.0 %  */
static const Rect RECT_FR_HI = { 480, 112, 96, 120 }; /* 11520 px = 5.0 %  */

static int value_above(int depth)
{
    return depth == 8 ? 252 : depth == 10 ? 1010 : 4040;
}

static int value_below(int depth)
{
    return depth == 8 ? 1 : depth == 10 ? 4 : 16;
}

static double area_pct(Rect r)
{
    /* rounded to 4 decimals so the manifest shows e.g. 0.3333 */
    double pct = 100.0 * (double)(r.w * r.h) / (double)(W * H);
    return floor(pct * 10000.0 + 0.5) / 10000.0;
}

static int build_patches(const VideoClip *clip, int depth, Patch *p, int max)
{
    int n = 0;
    if (clip->kind == SET_STANDARD && max >= 5) {
        p[n++] = (Patch){ PATCH_RECT, 10, 19, RECT_ABOVE, value_above(depth) };
        p[n++] = (Patch){ PATCH_RECT, 30, 39, RECT_BELOW, value_below(depth) };
        p[n++] = (Patch){ PATCH_RECT, 45, 45, RECT_SMALL, value_above(depth) };
        p[n++] = (Patch){ PATCH_BLACK, 50, 64, { 0, 0, 0, 0 }, 0 };
        p[n++] = (Patch){ PATCH_BLACK, 70, 72, { 0, 0, 0, 0 }, 0 };
    } else if (clip->kind == SET_FULLRANGE && max >= 2) {
        p[n++] = (Patch){ PATCH_RECT, 10, 19, RECT_FR_LO, 0 };
        p[n++] = (Patch){ PATCH_RECT, 10, 19, RECT_FR_HI, (1 << depth) - 1 };
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* Picture content                                                     */
/* ------------------------------------------------------------------ */

/*
 * Smooth, integer-only pattern.  A phase in 1/2^20 units of one ramp is
 * folded into a triangle wave (no hard edges, only gentle kinks), then
 * scaled into [lo, lo + span) at the native depth.  The phase moves
 * 2 px/frame horizontally, so every frame differs from the previous one.
 * Because the x and y phase slopes are not multiples of each other, the
 * ramps hit every code value at 10 and 12 bits (no "upconverted" look).
 */
#define RAMP_BITS 20

static int64_t tri(int64_t phase)
{
    int64_t period = (int64_t)2 << RAMP_BITS;
    int64_t t = phase % period;
    if (t < 0)
        t += period;
    if (t >= ((int64_t)1 << RAMP_BITS))
        t = period - 1 - t;
    return t; /* 0 .. 2^20 - 1 */
}

static int ramp(int64_t phase, int lo8, int span8, int shift)
{
    int64_t lo = (int64_t)lo8 << shift;
    int64_t span = (int64_t)span8 << shift;
    return (int)(lo + ((tri(phase) * span) >> RAMP_BITS));
}

static int pattern_y(int x, int y, int f, int shift)
{
    int64_t ph = 1024 * (int64_t)(x + 2 * f) + 700 * (int64_t)y;
    return ramp(ph, 60, 120, shift); /* 8-bit 60 .. 179 */
}

static int pattern_cb(int x, int y, int f, int shift)
{
    int64_t ph = 800 * (int64_t)(x + 2 * f) + 1500 * (int64_t)y + 3000 * (int64_t)f;
    return ramp(ph, 112, 32, shift); /* 8-bit 112 .. 143 */
}

static int pattern_cr(int x, int y, int f, int shift)
{
    int64_t ph = 1300 * (int64_t)(x + 2 * f) + 1100 * (int64_t)(H - 1 - y) +
                 1700 * (int64_t)f + 300000;
    return ramp(ph, 112, 32, shift);
}

static void put(AVFrame *fr, int wide, int plane, int x, int y, int v)
{
    uint8_t *row = fr->data[plane] + (ptrdiff_t)y * fr->linesize[plane];
    if (wide)
        ((uint16_t *)row)[x] = (uint16_t)v;
    else
        row[x] = (uint8_t)v;
}

/*
 * Frame f: the base pattern, then the patches active on f painted over it
 * (a black patch replaces the whole picture; rectangles get neutral
 * chroma).  Rectangle edges are multiples of 16, so the chroma rectangle
 * is exactly the luma rectangle subsampled.
 */
static void fill_frame(AVFrame *fr, int f, const Patch *patches, int npatches)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(fr->format);
    int shift = d->comp[0].depth - 8;
    int (*const base[3])(int, int, int, int) = { pattern_y, pattern_cb, pattern_cr };
    const Patch *black = NULL;

    for (int i = 0; i < npatches; i++)
        if (patches[i].kind == PATCH_BLACK && f >= patches[i].start && f <= patches[i].end)
            black = &patches[i];

    for (int plane = 0; plane < 3; plane++) {
        int sx = plane ? d->log2_chroma_w : 0;
        int sy = plane ? d->log2_chroma_h : 0;
        int pw = AV_CEIL_RSHIFT(fr->width, sx);
        int ph = AV_CEIL_RSHIFT(fr->height, sy);
        int neutral = plane ? 128 << shift : 16 << shift;

        for (int y = 0; y < ph; y++)
            for (int x = 0; x < pw; x++)
                put(fr, shift > 0, plane, x, y,
                    black ? neutral : base[plane](x << sx, y << sy, f, shift));
        if (black)
            continue;
        for (int i = 0; i < npatches; i++) {
            const Patch *p = &patches[i];
            if (p->kind != PATCH_RECT || f < p->start || f > p->end)
                continue;
            for (int y = p->r.y >> sy; y < (p->r.y + p->r.h) >> sy; y++)
                for (int x = p->r.x >> sx; x < (p->r.x + p->r.w) >> sx; x++)
                    put(fr, shift > 0, plane, x, y, plane ? 128 << shift : p->y_value);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Encoding helpers                                                    */
/* ------------------------------------------------------------------ */

static void print_err(const char *file, const char *what, int err)
{
    char buf[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(err, buf, sizeof(buf));
    fprintf(stderr, "mqc-gen-media: %s: %s: %s\n", file, what, buf);
}

/* Send one frame (or NULL to flush) and write out every packet produced. */
static int encode_write(const char *file, AVFormatContext *oc, AVCodecContext *c,
                        AVStream *st, AVFrame *fr, AVPacket *pkt)
{
    int ret = avcodec_send_frame(c, fr);
    if (ret < 0) {
        print_err(file, "avcodec_send_frame", ret);
        return ret;
    }
    for (;;) {
        ret = avcodec_receive_packet(c, pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0) {
            print_err(file, "avcodec_receive_packet", ret);
            return ret;
        }
        av_packet_rescale_ts(pkt, c->time_base, st->time_base);
        pkt->stream_index = st->index;
        ret = av_interleaved_write_frame(oc, pkt);
        if (ret < 0) {
            print_err(file, "av_interleaved_write_frame", ret);
            return ret;
        }
    }
}

static int open_output(const char *path, AVFormatContext **poc)
{
    int ret = avformat_alloc_output_context2(poc, NULL, NULL, path);
    if (ret < 0 || !*poc) {
        print_err(path, "avformat_alloc_output_context2", ret < 0 ? ret : AVERROR(EINVAL));
        return ret < 0 ? ret : AVERROR(EINVAL);
    }
    (*poc)->flags |= AVFMT_FLAG_BITEXACT;
    return 0;
}

static int finish_output(const char *path, AVFormatContext *oc)
{
    int ret;
    if (!(oc->oformat->flags & AVFMT_NOFILE)) {
        ret = avio_open(&oc->pb, path, AVIO_FLAG_WRITE);
        if (ret < 0) {
            print_err(path, "avio_open", ret);
            return ret;
        }
    }
    ret = avformat_write_header(oc, NULL);
    if (ret < 0)
        print_err(path, "avformat_write_header", ret);
    return ret;
}

static void close_output(AVFormatContext *oc)
{
    if (!oc)
        return;
    if (oc->pb && !(oc->oformat->flags & AVFMT_NOFILE))
        avio_closep(&oc->pb);
    avformat_free_context(oc);
}

static char *join_path(const char *dir, const char *file)
{
    size_t n = strlen(dir) + strlen(file) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, file);
    return p;
}

static int set_priv(const char *file, AVCodecContext *c, const char *key, const char *val)
{
    int ret = av_opt_set(c->priv_data, key, val, 0);
    if (ret < 0)
        print_err(file, key, ret);
    return ret;
}

static int configure_encoder(const VideoClip *clip, AVCodecContext *c)
{
    const char *f = clip->file;
    if (!strcmp(clip->encoder, "libx264")) {
        if (set_priv(f, c, "preset", "fast") < 0 || set_priv(f, c, "crf", "18") < 0)
            return -1;
    } else if (!strcmp(clip->encoder, "prores_ks")) {
        if (set_priv(f, c, "profile", "3") < 0) /* HQ */
            return -1;
    } else if (!strcmp(clip->encoder, "ffv1")) {
        c->level = 3;
        c->slices = 4;
        c->gop_size = 1;
        if (set_priv(f, c, "slicecrc", "1") < 0)
            return -1;
    }
    return 0;
}

static int write_video_clip(const char *outdir, const VideoClip *clip)
{
    char *path = join_path(outdir, clip->file);
    AVFormatContext *oc = NULL;
    AVCodecContext *c = NULL;
    AVFrame *fr = NULL;
    AVPacket *pkt = NULL;
    const AVCodec *codec;
    AVStream *st;
    Patch patches[8];
    int npatches, ret = AVERROR(ENOMEM);
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(clip->pix_fmt);

    if (!path || !d)
        goto end;
    npatches = build_patches(clip, d->comp[0].depth, patches, 8);

    codec = avcodec_find_encoder_by_name(clip->encoder);
    if (!codec) {
        fprintf(stderr, "mqc-gen-media: %s: encoder %s not available\n", clip->file,
                clip->encoder);
        ret = AVERROR_ENCODER_NOT_FOUND;
        goto end;
    }
    if ((ret = open_output(path, &oc)) < 0)
        goto end;
    ret = AVERROR(ENOMEM);
    if (!(st = avformat_new_stream(oc, NULL)) || !(c = avcodec_alloc_context3(codec)))
        goto end;

    c->width = W;
    c->height = H;
    c->pix_fmt = clip->pix_fmt;
    c->time_base = av_inv_q(clip->rate);
    c->framerate = clip->rate;
    c->sample_aspect_ratio = (AVRational){ 1, 1 };
    c->color_range = clip->full_range ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
    c->color_primaries = AVCOL_PRI_BT709;
    c->color_trc = AVCOL_TRC_BT709;
    c->colorspace = AVCOL_SPC_BT709;
    c->field_order = AV_FIELD_PROGRESSIVE;
    c->thread_count = 1;
    c->flags |= AV_CODEC_FLAG_BITEXACT;
    if (oc->oformat->flags & AVFMT_GLOBALHEADER)
        c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (configure_encoder(clip, c) < 0) {
        ret = AVERROR(EINVAL);
        goto end;
    }
    if ((ret = avcodec_open2(c, codec, NULL)) < 0) {
        print_err(clip->file, "avcodec_open2", ret);
        goto end;
    }
    if ((ret = avcodec_parameters_from_context(st->codecpar, c)) < 0)
        goto end;
    st->time_base = c->time_base;
    st->avg_frame_rate = clip->rate;
    st->r_frame_rate = clip->rate;

    if (clip->timecode) {
        if (!strcmp(oc->oformat->name, "matroska"))
            ret = av_dict_set(&oc->metadata, "TIMECODE", clip->timecode, 0);
        else /* mov: the muxer turns this into a tmcd track */
            ret = av_dict_set(&st->metadata, "timecode", clip->timecode, 0);
        if (ret < 0)
            goto end;
    }

    if ((ret = finish_output(path, oc)) < 0)
        goto end;

    ret = AVERROR(ENOMEM);
    if (!(fr = av_frame_alloc()) || !(pkt = av_packet_alloc()))
        goto end;
    fr->format = c->pix_fmt;
    fr->width = W;
    fr->height = H;
    fr->color_range = c->color_range;
    fr->color_primaries = c->color_primaries;
    fr->color_trc = c->color_trc;
    fr->colorspace = c->colorspace;
    if ((ret = av_frame_get_buffer(fr, 0)) < 0)
        goto end;

    for (int i = 0; i < clip->frames; i++) {
        if ((ret = av_frame_make_writable(fr)) < 0)
            goto end;
        fill_frame(fr, i, patches, npatches);
        fr->pts = i;
        if ((ret = encode_write(clip->file, oc, c, st, fr, pkt)) < 0)
            goto end;
    }
    if ((ret = encode_write(clip->file, oc, c, st, NULL, pkt)) < 0)
        goto end;
    if ((ret = av_write_trailer(oc)) < 0)
        print_err(clip->file, "av_write_trailer", ret);

end:
    av_frame_free(&fr);
    av_packet_free(&pkt);
    avcodec_free_context(&c);
    close_output(oc);
    free(path);
    return ret;
}

/* 1 s of a 440 Hz sine, pcm_s16le, 48 kHz mono, in a .mov without video. */
#define AUDIO_RATE 48000
#define AUDIO_SAMPLES 48000
#define AUDIO_TONE 440
#define AUDIO_CHUNK 1024

static int write_audio_clip(const char *outdir, const char *file)
{
    char *path = join_path(outdir, file);
    AVFormatContext *oc = NULL;
    AVCodecContext *c = NULL;
    AVFrame *fr = NULL;
    AVPacket *pkt = NULL;
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_PCM_S16LE);
    AVStream *st;
    int ret = AVERROR(ENOMEM);
    const double two_pi = 6.283185307179586476925286766559;

    if (!path || !codec)
        goto end;
    if ((ret = open_output(path, &oc)) < 0)
        goto end;
    ret = AVERROR(ENOMEM);
    if (!(st = avformat_new_stream(oc, NULL)) || !(c = avcodec_alloc_context3(codec)))
        goto end;
    c->sample_fmt = AV_SAMPLE_FMT_S16;
    c->sample_rate = AUDIO_RATE;
    av_channel_layout_default(&c->ch_layout, 1);
    c->time_base = (AVRational){ 1, AUDIO_RATE };
    c->flags |= AV_CODEC_FLAG_BITEXACT;
    if ((ret = avcodec_open2(c, codec, NULL)) < 0) {
        print_err(file, "avcodec_open2", ret);
        goto end;
    }
    if ((ret = avcodec_parameters_from_context(st->codecpar, c)) < 0)
        goto end;
    st->time_base = c->time_base;
    if ((ret = finish_output(path, oc)) < 0)
        goto end;

    ret = AVERROR(ENOMEM);
    if (!(fr = av_frame_alloc()) || !(pkt = av_packet_alloc()))
        goto end;
    for (int pos = 0; pos < AUDIO_SAMPLES; pos += AUDIO_CHUNK) {
        int n = AUDIO_SAMPLES - pos < AUDIO_CHUNK ? AUDIO_SAMPLES - pos : AUDIO_CHUNK;
        int16_t *s;
        av_frame_unref(fr);
        fr->format = c->sample_fmt;
        fr->sample_rate = c->sample_rate;
        fr->nb_samples = n;
        if ((ret = av_channel_layout_copy(&fr->ch_layout, &c->ch_layout)) < 0 ||
            (ret = av_frame_get_buffer(fr, 0)) < 0)
            goto end;
        s = (int16_t *)fr->data[0];
        for (int i = 0; i < n; i++) {
            /* phase reduced exactly in integers: (440 * k mod 48000) / 48000 */
            long k = ((long)(pos + i) * AUDIO_TONE) % AUDIO_RATE;
            s[i] = (int16_t)lrint(16384.0 * sin(two_pi * (double)k / AUDIO_RATE));
        }
        fr->pts = pos;
        if ((ret = encode_write(file, oc, c, st, fr, pkt)) < 0)
            goto end;
    }
    if ((ret = encode_write(file, oc, c, st, NULL, pkt)) < 0)
        goto end;
    if ((ret = av_write_trailer(oc)) < 0)
        print_err(file, "av_write_trailer", ret);

end:
    av_frame_free(&fr);
    av_packet_free(&pkt);
    avcodec_free_context(&c);
    close_output(oc);
    free(path);
    return ret;
}

/* ------------------------------------------------------------------ */
/* Manifest                                                            */
/* ------------------------------------------------------------------ */

static cJSON *rect_json(Rect r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "x", r.x);
    cJSON_AddNumberToObject(o, "y", r.y);
    cJSON_AddNumberToObject(o, "w", r.w);
    cJSON_AddNumberToObject(o, "h", r.h);
    return o;
}

static cJSON *event_json(const char *check, const char *code, int start, int end)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "check", check);
    cJSON_AddStringToObject(o, "code", code);
    cJSON_AddNumberToObject(o, "start_frame", start);
    cJSON_AddNumberToObject(o, "end_frame", end);
    return o;
}

static void add_rect_fields(cJSON *o, Rect r, int value)
{
    cJSON_AddNumberToObject(o, "area_pct", area_pct(r));
    cJSON_AddNumberToObject(o, "code_value", value);
    cJSON_AddItemToObject(o, "rect", rect_json(r));
}

static cJSON *not_reported_json(const char *check, int start, int end, const char *why)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "check", check);
    if (start == end) {
        cJSON_AddNumberToObject(o, "frame", start);
    } else {
        cJSON_AddNumberToObject(o, "start_frame", start);
        cJSON_AddNumberToObject(o, "end_frame", end);
    }
    cJSON_AddStringToObject(o, "why", why);
    return o;
}

static cJSON *video_clip_json(const VideoClip *clip)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(clip->pix_fmt);
    int depth = d->comp[0].depth;
    int shift = depth - 8;
    char rate[32];
    cJSON *o = cJSON_CreateObject();
    cJSON *defects = cJSON_CreateArray();
    cJSON *notrep = cJSON_CreateArray();
    cJSON *e;

    snprintf(rate, sizeof(rate), "%d/%d", clip->rate.num, clip->rate.den);
    cJSON_AddStringToObject(o, "file", clip->file);
    cJSON_AddBoolToObject(o, "video", 1);
    cJSON_AddStringToObject(o, "codec", clip->codec);
    cJSON_AddStringToObject(o, "pix_fmt", av_get_pix_fmt_name(clip->pix_fmt));
    cJSON_AddNumberToObject(o, "bit_depth", depth);
    cJSON_AddNumberToObject(o, "width", W);
    cJSON_AddNumberToObject(o, "height", H);
    cJSON_AddStringToObject(o, "frame_rate", rate);
    cJSON_AddNumberToObject(o, "frames", clip->frames);
    cJSON_AddBoolToObject(o, "lossless", clip->lossless);
    cJSON_AddStringToObject(o, "color_range", clip->full_range ? "pc" : "tv");
    cJSON_AddStringToObject(o, "color_primaries", "bt709");
    cJSON_AddStringToObject(o, "color_trc", "bt709");
    cJSON_AddStringToObject(o, "color_matrix", "bt709");
    if (clip->timecode) {
        cJSON_AddStringToObject(o, "start_timecode", clip->timecode);
        cJSON_AddBoolToObject(o, "timecode_drop_frame", strchr(clip->timecode, ';') != NULL);
        cJSON_AddStringToObject(o, "timecode_source", clip->timecode_where);
    } else {
        cJSON_AddNullToObject(o, "start_timecode");
    }
    cJSON_AddBoolToObject(o, "clean", clip->clean);
    if (clip->twin)
        cJSON_AddStringToObject(o, clip->clean ? "defect_twin" : "clean_twin", clip->twin);

    /* Content of the unmodified picture, native code values. */
    e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "y_min", 60 << shift);
    cJSON_AddNumberToObject(e, "y_max", (180 << shift) - 1);
    cJSON_AddNumberToObject(e, "c_min", 112 << shift);
    cJSON_AddNumberToObject(e, "c_max", (144 << shift) - 1);
    cJSON_AddItemToObject(o, "base_picture", e);

    if (clip->kind == SET_STANDARD) {
        e = event_json("legal_range", "luma_above_max", 10, 19);
        add_rect_fields(e, RECT_ABOVE, value_above(depth));
        cJSON_AddItemToArray(defects, e);
        e = event_json("legal_range", "luma_below_min", 30, 39);
        add_rect_fields(e, RECT_BELOW, value_below(depth));
        cJSON_AddItemToArray(defects, e);
        /* Neutral chroma: R'=G'=B'=(Y-black)/(white-black), also outside the
         * EBU R103 -5..105 % band, so a correct gamut check flags them too. */
        e = event_json("gamut", "rgb_above_max", 10, 19);
        add_rect_fields(e, RECT_ABOVE, value_above(depth));
        cJSON_AddItemToArray(defects, e);
        e = event_json("gamut", "rgb_below_min", 30, 39);
        add_rect_fields(e, RECT_BELOW, value_below(depth));
        cJSON_AddItemToArray(defects, e);
        e = event_json("black", "black_frames", 50, 64);
        cJSON_AddNumberToObject(e, "code_value", 16 << shift);
        cJSON_AddItemToArray(defects, e);

        e = not_reported_json("legal_range", 45, 45, "area 0.33% below 1% tolerance");
        add_rect_fields(e, RECT_SMALL, value_above(depth));
        cJSON_AddItemToArray(notrep, e);
        e = not_reported_json("gamut", 45, 45, "area 0.33% below 1% tolerance");
        add_rect_fields(e, RECT_SMALL, value_above(depth));
        cJSON_AddItemToArray(notrep, e);
        cJSON_AddItemToArray(notrep, not_reported_json("black", 70, 72,
                                                       "shorter than min_duration_s 0.5"));
        cJSON_AddItemToArray(notrep,
                             not_reported_json("freeze", 50, 64,
                                               "identical black frames, shorter than "
                                               "min_duration_s 2.0"));
    } else if (clip->kind == SET_FULLRANGE) {
        e = not_reported_json("legal_range", 10, 19,
                              "Y=0 patch: full range, 0..4095 are all legal");
        add_rect_fields(e, RECT_FR_LO, 0);
        cJSON_AddItemToArray(notrep, e);
        e = not_reported_json("legal_range", 10, 19,
                              "Y=4095 patch: full range, 0..4095 are all legal");
        add_rect_fields(e, RECT_FR_HI, (1 << depth) - 1);
        cJSON_AddItemToArray(notrep, e);
        e = not_reported_json("gamut", 10, 19,
                              "neutral Y=0 / Y=4095 in full range are RGB 0% / 100%");
        cJSON_AddItemToArray(notrep, e);
    }
    cJSON_AddItemToObject(o, "defects", defects);
    cJSON_AddItemToObject(o, "not_reported", notrep);
    return o;
}

static cJSON *audio_clip_json(const char *file)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", file);
    cJSON_AddBoolToObject(o, "video", 0);
    cJSON_AddStringToObject(o, "codec", "pcm_s16le");
    cJSON_AddNumberToObject(o, "sample_rate", AUDIO_RATE);
    cJSON_AddNumberToObject(o, "channels", 1);
    cJSON_AddNumberToObject(o, "samples", AUDIO_SAMPLES);
    cJSON_AddNumberToObject(o, "tone_hz", AUDIO_TONE);
    cJSON_AddNumberToObject(o, "duration_s", (double)AUDIO_SAMPLES / AUDIO_RATE);
    cJSON_AddNullToObject(o, "start_timecode");
    cJSON_AddBoolToObject(o, "clean", 1);
    cJSON_AddStringToObject(o, "expect", "no video stream: check analyses the audio only (video checks skipped)");
    cJSON_AddItemToObject(o, "defects", cJSON_CreateArray());
    cJSON_AddItemToObject(o, "not_reported", cJSON_CreateArray());
    return o;
}

static int write_manifest(const char *outdir, cJSON *root)
{
    char *path = join_path(outdir, "manifest.json");
    char *text = cJSON_Print(root);
    FILE *fp = NULL;
    int ret = -1;

    if (!path || !text)
        goto end;
    fp = fopen(path, "wb");
    if (!fp) {
        fprintf(stderr, "mqc-gen-media: %s: %s\n", path, strerror(errno));
        goto end;
    }
    if (fputs(text, fp) < 0 || fputc('\n', fp) == EOF) {
        fprintf(stderr, "mqc-gen-media: %s: write failed\n", path);
        goto end;
    }
    ret = 0;
end:
    if (fp && fclose(fp) != 0 && ret == 0) {
        fprintf(stderr, "mqc-gen-media: %s: %s\n", path, strerror(errno));
        ret = -1;
    }
    free(text);
    free(path);
    return ret;
}

/* ------------------------------------------------------------------ */

static const VideoClip CLIPS[] = {
    { "h264_8bit_420.mp4", "libx264", "h264", AV_PIX_FMT_YUV420P, 75, { 25, 1 }, 0, 0,
      NULL, NULL, 0, "h264_8bit_420_clean.mp4", SET_STANDARD },
    { "h264_8bit_420_clean.mp4", "libx264", "h264", AV_PIX_FMT_YUV420P, 75, { 25, 1 }, 0,
      0, NULL, NULL, 1, "h264_8bit_420.mp4", SET_CLEAN },
    { "prores_10bit_422.mov", "prores_ks", "prores", AV_PIX_FMT_YUV422P10LE, 75,
      { 24000, 1001 }, 0, 0, "01:00:00:00", "mov tmcd track", 0,
      "prores_10bit_422_clean.mov", SET_STANDARD },
    { "prores_10bit_422_clean.mov", "prores_ks", "prores", AV_PIX_FMT_YUV422P10LE, 75,
      { 24000, 1001 }, 0, 0, "01:00:00:00", "mov tmcd track", 1, "prores_10bit_422.mov",
      SET_CLEAN },
    { "ffv1_10bit_444.mkv", "ffv1", "ffv1", AV_PIX_FMT_YUV444P10LE, 75, { 30000, 1001 },
      0, 1, "00:59:59;00", "matroska format tag TIMECODE", 0, "ffv1_10bit_444_clean.mkv",
      SET_STANDARD },
    { "ffv1_10bit_444_clean.mkv", "ffv1", "ffv1", AV_PIX_FMT_YUV444P10LE, 75,
      { 30000, 1001 }, 0, 1, "00:59:59;00", "matroska format tag TIMECODE", 1,
      "ffv1_10bit_444.mkv", SET_CLEAN },
    { "ffv1_12bit_422_full.mkv", "ffv1", "ffv1", AV_PIX_FMT_YUV422P12LE, 50, { 25, 1 }, 1,
      1, NULL, NULL, 1, NULL, SET_FULLRANGE },
};

#define AUDIO_FILE "audio_only.mov"

int main(int argc, char **argv)
{
    const char *outdir;
    cJSON *root, *clips;
    int failed = 0;

    if (argc != 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fprintf(stderr, "usage: mqc-gen-media OUTDIR\n");
        return 2;
    }
    outdir = argv[1];
    if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "mqc-gen-media: %s: %s\n", outdir, strerror(errno));
        return 1;
    }
    av_log_set_level(AV_LOG_ERROR);

    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "generator", GEN_NAME);
    clips = cJSON_AddArrayToObject(root, "clips");

    for (size_t i = 0; i < sizeof(CLIPS) / sizeof(CLIPS[0]); i++) {
        if (write_video_clip(outdir, &CLIPS[i]) < 0)
            failed = 1;
        cJSON_AddItemToArray(clips, video_clip_json(&CLIPS[i]));
    }
    if (write_audio_clip(outdir, AUDIO_FILE) < 0)
        failed = 1;
    cJSON_AddItemToArray(clips, audio_clip_json(AUDIO_FILE));

    if (!failed && write_manifest(outdir, root) < 0)
        failed = 1;
    cJSON_Delete(root);
    return failed ? 1 : 0;
}
