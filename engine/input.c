#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libavutil/timecode.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
#include "byte_tap.h"
#include "gop_timecode.h"
#include "input.h"
#include "remote_io.h"
#include "segment.h"
#include "sidedata.h"
#include "sequence.h"
#include "stats.h"

/* consecutive decoder failures after which the stream is considered dead */
#define MAX_CONSECUTIVE_ERRORS 1000
/* How far the demuxer may read ahead of the video decoder to find the
 * audio of a frame: packets held compressed, so memory stays bounded
 * whatever the file's length or interleaving. */
#define LEAD_MAX_PACKETS 4096
#define LEAD_MAX_BYTES (256 << 20)
#define MAX_AUDIO_ISSUES 64
/* Video decode problems wait for the frame their packet shows on: each is
 * placed by a timestamp, never by which frame happened to come out when the
 * decoder said so (that depends on how many frames its threads hold). */
#define ISSUE_NEXT AV_NOPTS_VALUE       /* no timestamp: the next frame out (sorts first) */
#define ISSUE_END INT64_MAX             /* after the last frame */
enum { RANK_PACKET, RANK_DECODER, RANK_PICTURE };   /* order among equal timestamps */

typedef struct Issue {
    int64_t key;                /* pts of the packet or picture, or an ISSUE_ place */
    int rank, count;
    int64_t pos;
    char what[192];
} Issue;

/* A packet in a frame-threaded decoder: its result (a picture or an error)
 * comes back later, in the order the packets were sent. */
typedef struct Sent {
    int64_t key, pos;
} Sent;

/* One audio stream: its decoder and the libswresample conversion to
 * planar float at the stream's first rate and layout. */
typedef struct AudioDec {
    int stream;
    AVCodecContext *dec;
    struct SwrContext *swr;
    AVChannelLayout layout;     /* output */
    int rate;                   /* output */
    int in_rate, in_format;     /* what swr is configured for */
    AVChannelLayout in_layout;
    int started;
    double start_s;
    int64_t samples;            /* delivered */
    int eof;
} AudioDec;

struct MqcInput {
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *decoded;
    int stream;
    int draining;
    int eof_seen;
    int64_t frames_out;
    int64_t frames_declared;
    int64_t packets_in;         /* packets of the stream read from the file */
    int exr;                    /* OpenEXR: half or float is read from the header */
    int float_bits;             /* 16 (half) or 32, from the EXR header; 0 unknown */
    /* MPEG-1/2: GOP-header timecodes waiting for their picture, by pts */
    int mpeg_video;
    struct { int64_t pts, number; int drop, valid; } gop_tc[8];
    int gop_tc_next;
    enum AVPixelFormat target;  /* format handed to the checks, fixed by the first frame */
    int width, height;          /* the first frame's size: every frame handed over has it */
    int shown_w, shown_h, shown_format; /* the decoder's last geometry, to report changes */
    /* image sequence: read in runs of consecutive numbers, one image2 demuxer each */
    MqcSequence *seq;
    AVRational seq_rate;
    int64_t seq_offset;         /* pts of the current run's first file */
    int64_t seq_run_first, seq_run_read, seq_run_count; /* its number; packets read; files */
    char seq_pattern[1024];
    int first_done;
    int keep_source;            /* converted frames carry the decoder's frame (opaque_ref) */
    struct SwsContext *sws;
    AVIOContext *io;            /* our I/O (regular files, s3://, http(s)://), freed after fmt */
    MqcByteTap *tap;            /* the bytes read through io, for si->file_bytes */
    int consecutive_errors;
    Issue *issue;               /* waiting for their frame, sorted by key, then rank */
    int nb_issues, issues_cap;
    int64_t issues_noted;       /* ever */
    int64_t due_key;            /* problems up to this key go with the frame just read */
    int due_all;                /* the reading ended: every problem is due */
    Sent *sent;                 /* frame threading: packets awaiting their result */
    int sent_head, sent_count, sent_cap;
    int64_t last_key, last_pos; /* the last packet sent */
    /* audio beside the video */
    AudioDec *audio;
    int nb_audio;
    AVFrame *adecoded;
    MqcAudioSink sink;
    double origin_s;            /* report clock origin: the video's start */
    int demux_eof;
    MqcAudioIssue aissues[MAX_AUDIO_ISSUES];
    int nb_aissues;
    /* video packets read ahead while looking for audio */
    AVPacket **lead;
    int lead_head, lead_count, lead_cap;
    int64_t lead_bytes;
    /* a segment (--segment): only display frames [range_first, range_end) are
     * handed over; range_pos is the display number of the next decoded frame */
    int ranged;
    int64_t range_pos, range_first, range_end;
    int audio_off;              /* a segment after the first: the audio is segment 0's */
    int video_done;             /* segment 0 past its frames: reads the audio alone */
    AVFrame *context;           /* the last frame before range_first */
    int hand_lead;              /* frames before range_first are handed over too (lead-in) */
    int64_t damaged_from;       /* the first frame decoded damaged (inter-coded), or -1 */
    int64_t lost_from;          /* the first frame where a packet decoded to nothing, or -1 */
    int64_t open_gop_at;        /* 0: segment 0's decoder dropped pictures at the start, or -1 */
    /* until a segment's first picture comes out (number_first): the
     * timestamps of the packets sent, to number it */
    int numbered;
    int seeked;                 /* decoding started at a keyframe, not the file's start */
    int64_t *sent_pts;
    int nb_sent_pts;
    int64_t decode_errors;      /* errors the decoder returned */
    /* MXF, Matroska (timed.timed): frames numbered from their timestamps,
     * each checked; what broke the numbering, or "" */
    MqcSegmentPlan timed;
    char misnumbered[320];
    int64_t convert_ns;         /* thread CPU time in libswscale (--stats) */
};

static int issue_before(int64_t key, int rank, const Issue *b)
{
    return key != b->key ? key < b->key : rank < b->rank;
}

/* Files a problem at its place; one with the same place and kind only
 * counts (its first message stays). The list holds the problems of the
 * packets in the decoder; when it cannot grow, the last one counts it. */
static void note_text(MqcInput *in, int64_t key, int rank, int64_t pos, const char *text,
                      int err)
{
    if (in->video_done)
        return;     /* past segment 0's frames: the later segments report them */
    in->issues_noted++;
    int i = in->nb_issues;
    while (i > 0 && issue_before(key, rank, &in->issue[i - 1]))
        i--;
    if (i > 0 && in->issue[i - 1].key == key && in->issue[i - 1].rank == rank) {
        in->issue[i - 1].count++;
        return;
    }
    if (in->nb_issues == in->issues_cap) {
        int cap = in->issues_cap ? 2 * in->issues_cap : 16;
        Issue *v = realloc(in->issue, (size_t)cap * sizeof(*v));
        if (!v) {
            if (in->nb_issues)
                in->issue[in->nb_issues - 1].count++;
            return;
        }
        in->issue = v;
        in->issues_cap = cap;
    }
    memmove(&in->issue[i + 1], &in->issue[i], (size_t)(in->nb_issues - i) * sizeof(Issue));
    in->nb_issues++;
    Issue *is = &in->issue[i];
    char e[AV_ERROR_MAX_STRING_SIZE] = "";
    if (err)
        av_strerror(err, e, sizeof(e));
    snprintf(is->what, sizeof(is->what), "%s%s", text, e);
    is->key = key;
    is->rank = rank;
    is->count = 1;
    is->pos = pos;
}

/* The same with a format whose %s is the error's text. */
static void note_issue(MqcInput *in, int64_t key, int rank, int64_t pos, const char *fmt, int err)
{
    char e[AV_ERROR_MAX_STRING_SIZE] = "", text[192];
    if (err)
        av_strerror(err, e, sizeof(e));
    snprintf(text, sizeof(text), fmt, e);
    note_text(in, key, rank, pos, text, 0);
}

static int issue_due(const MqcInput *in, const Issue *is)
{
    if (in->due_all || in->stream < 0 || is->key == ISSUE_NEXT)
        return 1;
    return in->due_key != AV_NOPTS_VALUE && is->key != ISSUE_END && is->key <= in->due_key;
}

int mqc_input_take_issues(MqcInput *in, char *what, size_t len, int64_t *pos)
{
    int n = 0, kept = 0;
    for (int i = 0; i < in->nb_issues; i++) {
        const Issue *is = &in->issue[i];
        if (!issue_due(in, is)) {
            in->issue[kept++] = *is;
            continue;
        }
        if (!n) {
            snprintf(what, len, "%s", is->what);
            *pos = is->pos;
        }
        n += is->count;
    }
    in->nb_issues = kept;
    return n;
}

/* Where a packet's problems go: its presentation time, else its decode time. */
static int64_t packet_key(const AVPacket *p)
{
    return p->pts != AV_NOPTS_VALUE ? p->pts : p->dts != AV_NOPTS_VALUE ? p->dts : ISSUE_NEXT;
}

static int frame_threaded(const MqcInput *in)
{
    return in->sent != NULL;
}

static void sent_push(MqcInput *in, int64_t key, int64_t pos)
{
    if (in->sent_count == in->sent_cap) {       /* results that never came: forget the oldest */
        in->sent_head = (in->sent_head + 1) % in->sent_cap;
        in->sent_count--;
    }
    in->sent[(in->sent_head + in->sent_count++) % in->sent_cap] = (Sent){ key, pos };
}

static Sent sent_pop(MqcInput *in)
{
    Sent s = { ISSUE_NEXT, -1 };
    if (in->sent_count) {
        s = in->sent[in->sent_head];
        in->sent_head = (in->sent_head + 1) % in->sent_cap;
        in->sent_count--;
    }
    return s;
}

/* A picture came out of a frame-threaded decoder: its packet, and any sent
 * before it that gave nothing, have their result. */
static void sent_picture(MqcInput *in, int64_t pos)
{
    int n = 1;
    for (int i = 0; pos >= 0 && i < in->sent_count; i++)
        if (in->sent[(in->sent_head + i) % in->sent_cap].pos == pos) {
            n = i + 1;
            break;
        }
    while (n-- > 0)
        sent_pop(in);
}

/* The packet a decoder error belongs to: with frame threads the oldest one
 * without a result (results come back in the order sent), else the packet
 * just sent. */
static Sent errored_packet(MqcInput *in)
{
    return frame_threaded(in) ? sent_pop(in) : (Sent){ in->last_key, in->last_pos };
}

/* Formats the checks read: native planar, one colour component per plane,
 * 8..16-bit integer samples or 32-bit float (linear light: EXR). */
static int readable_directly(const AVPixFmtDescriptor *d)
{
    if (!d || (d->flags & (AV_PIX_FMT_FLAG_BE | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_BITSTREAM |
                           AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_BAYER)))
        return 0;
    int is_float = !!(d->flags & AV_PIX_FMT_FLAG_FLOAT);
    int colours = d->nb_components - !!(d->flags & AV_PIX_FMT_FLAG_ALPHA);
    if (colours != 1 && colours != 3)
        return 0;
    if (!(d->flags & AV_PIX_FMT_FLAG_PLANAR) && colours != 1)
        return 0;
    int bytes = is_float ? 4 : d->comp[0].depth > 8 ? 2 : 1;
    unsigned planes_seen = 0;
    for (int i = 0; i < colours; i++) {
        const AVComponentDescriptor *c = &d->comp[i];
        int depth_ok = is_float ? c->depth == 32
                                : c->depth >= 8 && c->depth <= 16 && (c->depth > 8) == (bytes == 2);
        if (!depth_ok || c->shift || c->offset || c->step != bytes ||
            (planes_seen & (1u << c->plane)))
            return 0;
        planes_seen |= 1u << c->plane;
    }
    return 1;
}

/* The nearest format the checks read: same family, subsampling and depth
 * rounded up to 8/10/12/16; float stays float (planar, native-endian). */
static enum AVPixelFormat nearest_readable(enum AVPixelFormat src)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(src);
    if (readable_directly(d))
        return src;
    if (!d)
        return AV_PIX_FMT_YUV420P;
    int colours = d->nb_components - !!(d->flags & AV_PIX_FMT_FLAG_ALPHA);
    if (d->flags & AV_PIX_FMT_FLAG_FLOAT)
        return colours == 1 ? AV_PIX_FMT_GRAYF32 : AV_PIX_FMT_GBRPF32;
    int depth = d->comp[0].depth;
    int rounded = depth <= 8 ? 8 : depth <= 10 ? 10 : depth <= 12 ? 12 : 16;
    char name[32];
    if (d->flags & AV_PIX_FMT_FLAG_RGB)
        snprintf(name, sizeof(name), "gbrp%s", rounded == 8 ? "" : rounded == 10 ? "10le" :
                 rounded == 12 ? "12le" : "16le");
    else if (colours == 1)
        snprintf(name, sizeof(name), "gray%s", rounded == 8 ? "" : rounded == 10 ? "10le" :
                 rounded == 12 ? "12le" : "16le");
    else {
        const char *sub = d->log2_chroma_w == 0 ? "444" :
                          d->log2_chroma_h == 0 ? (d->log2_chroma_w == 2 ? "411" : "422")
                                                : (d->log2_chroma_w == 2 ? "410" : "420");
        snprintf(name, sizeof(name), "yuv%sp%s", sub, rounded == 8 ? "" : rounded == 10 ? "10le" :
                 rounded == 12 ? "12le" : "16le");
    }
    enum AVPixelFormat f = av_get_pix_fmt(name);
    if (f == AV_PIX_FMT_NONE || !readable_directly(av_pix_fmt_desc_get(f)))
        f = rounded == 8 ? AV_PIX_FMT_YUV444P : AV_PIX_FMT_YUV444P16;
    return f;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Bits of the samples an OpenEXR picture stores: 16 when every channel of
 * its "channels" attribute is HALF, 32 with a FLOAT or UINT channel; 0 when
 * the header cannot be read. The decoder converts both to 32-bit float. */
static int exr_sample_bits(const uint8_t *b, size_t n)
{
    if (n < 8 || rd32(b) != 20000630)       /* the magic number, 76 2f 31 01 */
        return 0;
    size_t pos = 8;
    while (pos < n && b[pos]) {
        const uint8_t *name = b + pos, *end = memchr(name, 0, n - pos);
        if (!end)
            return 0;
        const uint8_t *type = end + 1;
        const uint8_t *tend = type < b + n ? memchr(type, 0, (size_t)(b + n - type)) : NULL;
        if (!tend || tend + 5 > b + n)
            return 0;
        uint32_t size = rd32(tend + 1);
        const uint8_t *v = tend + 5;
        if (size > (size_t)(b + n - v))
            return 0;
        if (!strcmp((const char *)name, "channels") && !strcmp((const char *)type, "chlist")) {
            int bits = 0;
            const uint8_t *c = v, *vend = v + size;
            while (c < vend && *c) {
                const uint8_t *cend = memchr(c, 0, (size_t)(vend - c));
                if (!cend || cend + 17 > vend)
                    return 0;
                uint32_t pixel_type = rd32(cend + 1);    /* 0 UINT, 1 HALF, 2 FLOAT */
                int cb = pixel_type == 1 ? 16 : 32;
                bits = cb > bits ? cb : bits;
                c = cend + 17;
            }
            return bits;
        }
        pos = (size_t)(v - b) + size;
    }
    return 0;
}

static void copy_name(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src && *src ? src : "unknown");
}

static const char *find_timecode(const AVFormatContext *fmt, const AVStream *st)
{
    const AVDictionaryEntry *e = av_dict_get(st->metadata, "timecode", NULL, 0);
    for (unsigned i = 0; !e && i < fmt->nb_streams; i++)
        e = av_dict_get(fmt->streams[i]->metadata, "timecode", NULL, 0);
    if (!e)
        e = av_dict_get(fmt->metadata, "timecode", NULL, 0);
    return e ? e->value : NULL;
}

static void describe_streams(const AVFormatContext *fmt, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = 0;
    for (unsigned i = 0; i < fmt->nb_streams && n < len; i++) {
        const AVCodecParameters *p = fmt->streams[i]->codecpar;
        n += (size_t)snprintf(buf + n, len - n, "%s%s %s", i ? ", " : "",
                              av_get_media_type_string(p->codec_type) ?
                              av_get_media_type_string(p->codec_type) : "unknown",
                              avcodec_get_name(p->codec_id));
    }
    if (!n)
        snprintf(buf, len, "none");
}

static AudioDec *audio_of(MqcInput *in, int stream)
{
    for (int a = 0; a < in->nb_audio; a++)
        if (in->audio[a].stream == stream)
            return &in->audio[a];
    return NULL;
}

/* Opens a decoder for every audio stream. One that cannot be decoded is
 * left out and said so (it becomes a decode_error event). */
static int open_audio(MqcInput *in, const char *path)
{
    in->audio = calloc(in->fmt->nb_streams ? in->fmt->nb_streams : 1, sizeof(*in->audio));
    if (!in->audio || !(in->adecoded = av_frame_alloc()))
        return MQC_ERR_NOMEM;
    for (unsigned i = 0; i < in->fmt->nb_streams; i++) {
        AVStream *st = in->fmt->streams[i];
        const AVCodecParameters *par = st->codecpar;
        if (par->codec_type != AVMEDIA_TYPE_AUDIO)
            continue;
        char what[192];
        const AVCodec *codec = avcodec_find_decoder(par->codec_id);
        if (!codec || par->sample_rate <= 0 || par->ch_layout.nb_channels <= 0) {
            snprintf(what, sizeof(what), "%s: audio stream %u (%s, %d channels, %d Hz) cannot "
                     "be decoded, not analysed%%s", path, i, avcodec_get_name(par->codec_id),
                     par->ch_layout.nb_channels, par->sample_rate);
            note_issue(in, ISSUE_NEXT, RANK_PACKET, -1, what, 0);
            continue;
        }
        AudioDec *ad = &in->audio[in->nb_audio];
        ad->stream = (int)i;
        ad->dec = avcodec_alloc_context3(codec);
        if (!ad->dec || avcodec_parameters_to_context(ad->dec, par) < 0)
            return MQC_ERR_NOMEM;
        ad->dec->thread_count = 1;
        ad->dec->pkt_timebase = st->time_base;
        int ret = avcodec_open2(ad->dec, codec, NULL);
        if (ret < 0 || av_channel_layout_copy(&ad->layout, &par->ch_layout) < 0) {
            snprintf(what, sizeof(what), "%s: audio stream %u: cannot open the %s decoder "
                     "(%%s), not analysed", path, i, codec->name);
            note_issue(in, ISSUE_NEXT, RANK_PACKET, -1, what, ret < 0 ? ret : AVERROR(ENOMEM));
            avcodec_free_context(&ad->dec);
            av_channel_layout_uninit(&ad->layout);
            continue;
        }
        ad->rate = par->sample_rate;
        in->nb_audio++;
    }
    return 0;
}

int mqc_input_audio_count(const MqcInput *in)
{
    return in->nb_audio;
}

int mqc_input_audio_decoded(const MqcInput *in)
{
    return in->audio_off ? 0 : in->nb_audio;
}

void mqc_input_audio_info(const MqcInput *in, int a, MqcAudioInfo *ai)
{
    const AudioDec *ad = &in->audio[a];
    const AVCodecParameters *par = in->fmt->streams[ad->stream]->codecpar;
    memset(ai, 0, sizeof(*ai));
    ai->index = ad->stream;
    copy_name(ai->codec, sizeof(ai->codec), avcodec_get_name(par->codec_id));
    if (av_channel_layout_describe(&ad->layout, ai->layout, sizeof(ai->layout)) < 0)
        snprintf(ai->layout, sizeof(ai->layout), "unknown");
    copy_name(ai->sample_fmt, sizeof(ai->sample_fmt),
              av_get_sample_fmt_name((enum AVSampleFormat)par->format));
    ai->channels = ad->layout.nb_channels;
    ai->sample_rate = ad->rate;
    enum AVSampleFormat packed = av_get_packed_sample_fmt((enum AVSampleFormat)par->format);
    int integer = packed == AV_SAMPLE_FMT_U8 || packed == AV_SAMPLE_FMT_S16 ||
                  packed == AV_SAMPLE_FMT_S32 || packed == AV_SAMPLE_FMT_S64;
    ai->bits = !integer ? 0 : par->bits_per_raw_sample > 0 ? par->bits_per_raw_sample :
               av_get_bytes_per_sample(packed) * 8;
    for (int c = 0; c < MQC_AUDIO_MAX_IDS; c++)
        ai->channel_ids[c] = c < ai->channels ?
                             (int)av_channel_layout_channel_from_index(&ad->layout, (unsigned)c) :
                             -1;
    ai->start_s = ad->started ? ad->start_s : 0;
}

void mqc_input_set_audio_sink(MqcInput *in, const MqcAudioSink *sink)
{
    in->sink = *sink;
}

int mqc_input_has_video(const MqcInput *in)
{
    return in->stream >= 0;
}

double mqc_input_origin(const MqcInput *in)
{
    return in->origin_s;
}

/* Opens the image2 demuxer on the sequence's next run of consecutive files
 * (it stops at a hole in the numbering); AVERROR_EOF after the last run. */
static int open_run(MqcInput *in)
{
    int64_t first, count;
    if (!mqc_sequence_next_run(in->seq, &first, &count))
        return AVERROR_EOF;
    char num[32], rate[64];
    AVDictionary *o = NULL;
    snprintf(num, sizeof(num), "%lld", (long long)first);
    snprintf(rate, sizeof(rate), "%d/%d", in->seq_rate.num, in->seq_rate.den);
    av_dict_set(&o, "pattern_type", "sequence", 0);
    av_dict_set(&o, "start_number", num, 0);
    av_dict_set(&o, "framerate", rate, 0);
    avformat_close_input(&in->fmt);
    int ret = avformat_open_input(&in->fmt, in->seq_pattern, av_find_input_format("image2"), &o);
    av_dict_free(&o);
    in->seq_offset = first - mqc_sequence_start(in->seq);
    in->seq_run_first = first;
    in->seq_run_read = 0;
    in->seq_run_count = count;
    return ret;
}

/* The frames a container says it shows: its samples, less those its edit
 * list leaves out (MOV: the pictures before the first one shown, decoded
 * for the ones after them and never shown, as in a file trimmed without
 * re-encoding; FFmpeg drops them as a player does). */
static int64_t declared_frames(AVStream *st)
{
    if (st->nb_frames <= 0)
        return 0;
    int n = avformat_index_get_entries_count(st);
    int64_t hidden = 0;
    for (int i = 0; i < n; i++)
        hidden += (avformat_index_get_entry(st, i)->flags & AVINDEX_DISCARD_FRAME) != 0;
    return n == st->nb_frames && hidden < n ? st->nb_frames - hidden : st->nb_frames;
}

/* Picture buffers start zeroed. A damaged frame's slices that the decoder
 * could not write would otherwise keep what the frame pool's reused buffer
 * held: an earlier picture, which one depending on the threads' timing
 * (libavcodec zeroes a pool buffer only when it is first allocated). */
static int zeroed_buffer(AVCodecContext *c, AVFrame *f, int flags)
{
    int ret = avcodec_default_get_buffer2(c, f, flags);
    if (ret < 0)
        return ret;
    for (int i = 0; i < AV_NUM_DATA_POINTERS && f->buf[i]; i++)
        memset(f->buf[i]->data, 0, f->buf[i]->size);
    for (int i = 0; i < f->nb_extended_buf; i++)
        memset(f->extended_buf[i]->data, 0, f->extended_buf[i]->size);
    return 0;
}

/* The picture size a YUV4MPEG2 header declares. FFmpeg's demuxer refuses
 * one too large for its image functions with a meaningless error code
 * (EBUSY: EINVAL plus the length of "FRAME\n"): the reason is said from
 * the header instead. Returns 1 when the file is Y4M with a W and an H.
 * Regular files only: opening a FIFO again would wait for a writer. */
static int y4m_size(const char *path, int *w, int *h)
{
    char line[256];
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    int ok = fgets(line, sizeof(line), f) && !strncmp(line, "YUV4MPEG2 ", 10);
    fclose(f);
    long v[2] = { -1, -1 };
    for (const char *t = line + 9; ok && *t && *t != '\n'; t++) {
        if (t[-1] != ' ' || (*t != 'W' && *t != 'H'))
            continue;       /* tokens are a letter and a value, after a space */
        char *end;
        long n = strtol(t + 1, &end, 10);
        if (end != t + 1 && n > 0 && n <= INT_MAX)
            v[*t == 'H'] = n;
    }
    *w = (int)v[0];
    *h = (int)v[1];
    return ok && v[0] > 0 && v[1] > 0;
}

int mqc_input_open(MqcInput **out, const char *path, int stream_index, int threads,
                   int64_t max_pixels, MqcStreamInfo *si, char *format_name, size_t format_len, MqcMsg *msg,
                   const MqcSequenceOptions *seq_opt)
{
    *out = NULL;
    memset(si, 0, sizeof(*si));
    int remote = mqc_remote_is_url(path);
    struct stat stbuf = { 0 };
    MqcSequence *seq = NULL;
    if (!remote && stat(path, &stbuf) < 0 && mqc_sequence_is_pattern(path)) {
        int r = mqc_sequence_open(&seq, path, seq_opt && seq_opt->start_number_set ?
                                  seq_opt->start_number : -1, msg);
        if (r < 0)
            return r;               /* stbuf stays zero: no file, no tap (image2 opens them) */
    } else if (remote) {
        /* object storage: existence and access are answered by the first GET */
    } else if (stat(path, &stbuf) < 0) {
        mqc_msg(msg, "%s: %s", path, strerror(errno));
        return errno == ENOENT || errno == ENOTDIR ? MQC_ERR_NOT_FOUND : MQC_ERR_UNREADABLE;
    }
    char dir_pattern[1200];
    if (!remote && S_ISDIR(stbuf.st_mode)) {
        /* a shot's directory: its one numbered image sequence */
        int r = mqc_sequence_pattern_of_dir(path, dir_pattern, sizeof(dir_pattern), msg);
        if (r >= 0)
            r = mqc_sequence_open(&seq, dir_pattern, seq_opt && seq_opt->start_number_set ?
                                  seq_opt->start_number : -1, msg);
        if (r < 0)
            return r;
        path = dir_pattern;
        memset(&stbuf, 0, sizeof(stbuf));
    }
    if (!remote && S_ISREG(stbuf.st_mode) && stbuf.st_size == 0) {
        mqc_msg(msg, "%s: file is empty (0 bytes)", path);
        return MQC_ERR_UNREADABLE;
    }

    MqcInput *in = calloc(1, sizeof(*in));
    if (!in) {
        mqc_sequence_free(&seq);
        return MQC_ERR_NOMEM;
    }
    in->seq = seq;
    if (seq) {
        snprintf(in->seq_pattern, sizeof(in->seq_pattern), "%s", path);
        in->seq_rate = seq_opt && seq_opt->rate_num > 0 && seq_opt->rate_den > 0 ?
                       (AVRational){ seq_opt->rate_num, seq_opt->rate_den } : (AVRational){ 24, 1 };
    }
    in->pkt = av_packet_alloc();
    in->decoded = av_frame_alloc();
    if (!in->pkt || !in->decoded) {
        mqc_input_close(&in);
        return MQC_ERR_NOMEM;
    }
    if (remote || S_ISREG(stbuf.st_mode)) {
        /* our own reads, so the bytes can be tapped (a pipe is left to FFmpeg) */
        MqcByteSource src;
        int r = remote ? mqc_remote_source_open(path, &src, msg)
                       : mqc_file_source_open(path, &src, msg);
        if (r >= 0)
            r = mqc_tap_avio_open(&src, &in->io, &in->tap);
        if (r < 0 || !(in->fmt = avformat_alloc_context())) {
            mqc_input_close(&in);
            return r < 0 ? r : MQC_ERR_NOMEM;
        }
        in->fmt->pb = in->io;
        in->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    }
    char err[AV_ERROR_MAX_STRING_SIZE];
    int ret = in->seq ? open_run(in) : avformat_open_input(&in->fmt, path, NULL, NULL);
    if (ret < 0) {
        int w, h, y4m = !remote && S_ISREG(stbuf.st_mode) && y4m_size(path, &w, &h);
        av_strerror(ret, err, sizeof(err));
        if (y4m && max_pixels > 0 && (int64_t)w * h > max_pixels)
            mqc_msg(msg, "%s: declared picture %dx%d exceeds the limit of %lld pixels "
                    "(--max-pixels)", path, w, h, (long long)max_pixels);
        else if (y4m && av_image_check_size(w, h, 0, NULL) < 0)
            mqc_msg(msg, "%s: declared picture %dx%d is larger than FFmpeg can decode", path, w,
                    h);
        else
            mqc_msg(msg, "%s: not a media file FFmpeg can read (%s)", path, err);
        goto unreadable;
    }
    copy_name(format_name, format_len, in->fmt->iformat->name);
    ret = avformat_find_stream_info(in->fmt, NULL);
    if (ret < 0) {
        av_strerror(ret, err, sizeof(err));
        mqc_msg(msg, "%s: cannot read stream information (%s)", path, err);
        goto unreadable;
    }

    if (stream_index >= 0) {
        if ((unsigned)stream_index >= in->fmt->nb_streams ||
            in->fmt->streams[stream_index]->codecpar->codec_type != AVMEDIA_TYPE_VIDEO) {
            char list[256];
            describe_streams(in->fmt, list, sizeof(list));
            mqc_msg(msg, "%s: stream %d is not a video stream (streams: %s)", path,
                    stream_index, list);
            goto unreadable;
        }
        in->stream = stream_index;
    } else {
        in->stream = -1;
        for (unsigned i = 0; i < in->fmt->nb_streams && in->stream < 0; i++) {
            const AVStream *st = in->fmt->streams[i];
            if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
                !(st->disposition & AV_DISPOSITION_ATTACHED_PIC))
                in->stream = (int)i;
        }
    }
    ret = open_audio(in, path);
    if (ret < 0) {
        mqc_input_close(&in);
        return ret;
    }
    if (in->stream < 0 && !in->nb_audio) {
        char list[256];
        describe_streams(in->fmt, list, sizeof(list));
        mqc_msg(msg, "%s: no video or audio stream to analyse (streams: %s)", path, list);
        goto unreadable;
    }
    for (unsigned i = 0; i < in->fmt->nb_streams; i++)
        in->fmt->streams[i]->discard = (int)i == in->stream || audio_of(in, (int)i) ?
                                       AVDISCARD_DEFAULT : AVDISCARD_ALL;
    in->origin_s = in->fmt->start_time != AV_NOPTS_VALUE ?
                   (double)in->fmt->start_time / AV_TIME_BASE : 0;
    snprintf(si->path, sizeof(si->path), "%s", path);
    if (in->stream < 0) {
        *out = in;     /* audio only */
        return 0;
    }

    AVStream *st = in->fmt->streams[in->stream];
    if (st->start_time != AV_NOPTS_VALUE)
        in->origin_s = (double)st->start_time * av_q2d(st->time_base);
    const AVCodecParameters *par = st->codecpar;
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    if (!codec) {
        mqc_msg(msg, "%s: no decoder for video codec %s", path, avcodec_get_name(par->codec_id));
        goto unreadable;
    }
    in->dec = avcodec_alloc_context3(codec);
    if (!in->dec || avcodec_parameters_to_context(in->dec, par) < 0) {
        mqc_input_close(&in);
        return MQC_ERR_NOMEM;
    }
    /* Pictures must not depend on the thread count, damaged ones included.
     * Where pictures are independent (intra-only codecs: ProRes, DNxHD, JPEG
     * 2000, ...) threads cannot change them. An inter-coded stream (H.264,
     * HEVC, MPEG-2, ...) decodes on one thread: on damage, FFmpeg's error
     * concealment differs with frame threads (from run to run) and with
     * slice threads (from one thread). */
    const AVCodecDescriptor *desc = avcodec_descriptor_get(par->codec_id);
    in->dec->thread_count = desc && (desc->props & AV_CODEC_PROP_INTRA_ONLY) ? threads : 1;
    in->dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    in->dec->get_buffer2 = zeroed_buffer;
    /* a hostile header may declare a huge picture: refuse before allocating */
    if (max_pixels > 0 && (int64_t)par->width * par->height > max_pixels) {
        mqc_msg(msg, "%s: declared picture %dx%d exceeds the limit of %lld pixels "
                "(--max-pixels)", path, par->width, par->height, (long long)max_pixels);
        goto unreadable;
    }
    if (max_pixels > 0)
        in->dec->max_pixels = max_pixels;
    in->dec->pkt_timebase = st->time_base;
    ret = avcodec_open2(in->dec, codec, NULL);
    if (ret < 0) {
        av_strerror(ret, err, sizeof(err));
        mqc_msg(msg, "%s: cannot open the %s decoder (%s)", path, codec->name, err);
        goto unreadable;
    }
    if (in->dec->active_thread_type & FF_THREAD_FRAME) {
        /* results come back up to thread_count packets late */
        in->sent_cap = 2 * in->dec->thread_count + 64;
        if (!(in->sent = calloc((size_t)in->sent_cap, sizeof(*in->sent)))) {
            mqc_input_close(&in);
            return MQC_ERR_NOMEM;
        }
    }
    in->last_key = ISSUE_NEXT;
    in->last_pos = -1;
    in->due_key = AV_NOPTS_VALUE;

    copy_name(si->codec, sizeof(si->codec), avcodec_get_name(par->codec_id));
    si->width = par->width;
    si->height = par->height;
    AVRational rate = av_guess_frame_rate(in->fmt, st, NULL);
    if (rate.num > 0 && rate.den > 0) {
        av_reduce(&rate.num, &rate.den, rate.num, rate.den, INT32_MAX);
        si->rate_num = rate.num;
        si->rate_den = rate.den;
    }
    si->tb_num = st->time_base.num;
    si->tb_den = st->time_base.den;
    si->frames_declared = declared_frames(st);
    si->avg_rate_num = st->avg_frame_rate.num;
    si->avg_rate_den = st->avg_frame_rate.den;
    si->start_pts = st->start_time;
    snprintf(si->path, sizeof(si->path), "%s", path);
    si->file_bytes = in->tap;
    in->frames_declared = si->frames_declared;
    if (st->duration > 0 && st->duration != AV_NOPTS_VALUE)
        si->duration_s = (double)st->duration * av_q2d(st->time_base);
    else if (in->fmt->duration > 0)
        si->duration_s = (double)in->fmt->duration / AV_TIME_BASE;
    in->exr = par->codec_id == AV_CODEC_ID_EXR;
    in->mpeg_video = par->codec_id == AV_CODEC_ID_MPEG2VIDEO ||
                     par->codec_id == AV_CODEC_ID_MPEG1VIDEO;
    mqc_hdr_from_stream(st, &si->hdr);
    /* display order: TB is top coded first, bottom displayed first */
    static const char *const orders[] = {
        [AV_FIELD_PROGRESSIVE] = "progressive", [AV_FIELD_TT] = "tff", [AV_FIELD_BT] = "tff",
        [AV_FIELD_BB] = "bff", [AV_FIELD_TB] = "bff" };
    if (par->field_order > AV_FIELD_UNKNOWN && par->field_order <= AV_FIELD_BT)
        snprintf(si->field_order, sizeof(si->field_order), "%s", orders[par->field_order]);
    if (in->seq) {
        /* the files present, over the span from the start number to the last */
        si->sequence = in->seq;
        si->sequence_start = mqc_sequence_start(in->seq);
        si->frames_declared = mqc_sequence_files(in->seq);
        si->duration_s = (double)(mqc_sequence_last(in->seq) - si->sequence_start + 1) *
                         in->seq_rate.den / in->seq_rate.num;
        si->start_pts = 0;
        in->frames_declared = 0;    /* a file that does not decode is a decode error */
    }
    const char *tc = find_timecode(in->fmt, st);
    if (tc) {
        snprintf(si->start_timecode, sizeof(si->start_timecode), "%s", tc);
        snprintf(si->start_timecode_tag, sizeof(si->start_timecode_tag), "%s", tc);
    }
    *out = in;
    return 0;

unreadable:
    mqc_input_close(&in);
    return MQC_ERR_UNREADABLE;
}

static const char *tag_or(const char *name, const char *fallback)
{
    return name ? name : fallback;
}

/* Completes *si from the first decoded frame; fixes the target format. */
static int first_frame(MqcInput *in, const AVFrame *f, MqcStreamInfo *si)
{
    const AVCodecParameters *par = in->fmt->streams[in->stream]->codecpar;
    in->target = nearest_readable((enum AVPixelFormat)f->format);
    const AVPixFmtDescriptor *src = av_pix_fmt_desc_get((enum AVPixelFormat)f->format);
    const AVPixFmtDescriptor *dst = av_pix_fmt_desc_get(in->target);
    if (!src || !dst)
        return AVERROR(EINVAL);
    copy_name(si->source_pix_fmt, sizeof(si->source_pix_fmt), src->name);
    copy_name(si->pix_fmt, sizeof(si->pix_fmt), dst->name);
    si->converted = in->target != f->format;
    si->width = in->width = in->shown_w = f->width;
    si->height = in->height = in->shown_h = f->height;
    in->shown_format = f->format;
    si->bit_depth = src->comp[0].depth;
    /* the codec's own depth: a 12-bit codec may decode to a 16-bit format */
    int raw = par->bits_per_raw_sample > 0 ? par->bits_per_raw_sample
                                           : in->dec->bits_per_raw_sample;
    si->codec_bit_depth = raw > 0 && raw <= 32 ? raw : si->bit_depth;
    /* as ffmpeg gives frames: the container's (a MOV pasp atom, ...), else the codec's */
    AVRational sar = in->fmt->streams[in->stream]->sample_aspect_ratio;
    if (sar.num <= 0 || sar.den <= 0)
        sar = f->sample_aspect_ratio;
    if (sar.num <= 0 || sar.den <= 0)
        sar = (AVRational){ 0, 1 };
    si->sar_num = sar.num;
    si->sar_den = sar.den;
    /* float samples: analysed as float (linear light), never as 16-bit codes */
    si->is_float = !!(dst->flags & AV_PIX_FMT_FLAG_FLOAT);
    if (si->is_float)
        si->codec_bit_depth = in->float_bits ? in->float_bits : src->comp[0].depth;
    si->is_rgb = !!(dst->flags & AV_PIX_FMT_FLAG_RGB);
    enum AVColorRange range = f->color_range != AVCOL_RANGE_UNSPECIFIED ? f->color_range
                                                                        : par->color_range;
    /* yuvj* formats are full range by definition; RGB is full range */
    if (src->name && !strncmp(src->name, "yuvj", 4))
        range = AVCOL_RANGE_JPEG;
    si->full_range = si->is_rgb || range == AVCOL_RANGE_JPEG;
    snprintf(si->color_range, sizeof(si->color_range), "%s",
             tag_or(range != AVCOL_RANGE_UNSPECIFIED ? av_color_range_name(range) : NULL,
                    "unknown"));
    enum AVColorPrimaries pri = f->color_primaries != AVCOL_PRI_UNSPECIFIED ?
                                f->color_primaries : par->color_primaries;
    enum AVColorTransferCharacteristic trc = f->color_trc != AVCOL_TRC_UNSPECIFIED ?
                                             f->color_trc : par->color_trc;
    enum AVColorSpace csp = f->colorspace != AVCOL_SPC_UNSPECIFIED ? f->colorspace
                                                                    : par->color_space;
    snprintf(si->color_primaries, sizeof(si->color_primaries), "%s",
             tag_or(pri != AVCOL_PRI_UNSPECIFIED ? av_color_primaries_name(pri) : NULL, "unknown"));
    snprintf(si->color_trc, sizeof(si->color_trc), "%s",
             tag_or(trc != AVCOL_TRC_UNSPECIFIED ? av_color_transfer_name(trc) : NULL, "unknown"));
    snprintf(si->color_matrix, sizeof(si->color_matrix), "%s",
             tag_or(csp != AVCOL_SPC_UNSPECIFIED ? av_color_space_name(csp) : NULL, "unknown"));
    mqc_hdr_complete_from_frame(f, &si->hdr);
    in->first_done = 1;
    return 0;
}

/* marks an opaque_ref that holds the decoder's frame */
static char source_tag;

static void free_source(void *opaque, uint8_t *data)
{
    (void)opaque;
    AVFrame *f = (AVFrame *)data;
    av_frame_free(&f);
}

static int convert(MqcInput *in, AVFrame *out)
{
    const AVFrame *src = in->decoded;
    in->sws = sws_getCachedContext(in->sws, src->width, src->height, src->format,
                                   in->width, in->height, in->target,
                                   SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT,
                                   NULL, NULL, NULL);
    if (!in->sws)
        return AVERROR(EINVAL);
    /* keep code values: the same range on both sides, no rescaling */
    int full = src->color_range == AVCOL_RANGE_JPEG;
    const int *coefs = sws_getCoefficients(SWS_CS_DEFAULT);
    sws_setColorspaceDetails(in->sws, coefs, full, coefs, full, 0, 1 << 16, 1 << 16);
    out->format = in->target;
    out->width = in->width;
    out->height = in->height;
    int ret = av_frame_get_buffer(out, 0);
    if (ret < 0)
        return ret;
    av_frame_copy_props(out, src);
    sws_scale(in->sws, (const uint8_t *const *)src->data, src->linesize, 0, src->height,
              out->data, out->linesize);
    if (in->keep_source) {
        /* the decoded frame travels with its conversion, by reference */
        AVFrame *keep = av_frame_alloc();
        if (!keep)
            return AVERROR(ENOMEM);
        av_frame_move_ref(keep, in->decoded);
        av_buffer_unref(&out->opaque_ref);
        out->opaque_ref = av_buffer_create((uint8_t *)keep, sizeof(*keep), free_source,
                                         &source_tag, 0);
        if (!out->opaque_ref) {
            av_frame_free(&keep);
            return AVERROR(ENOMEM);
        }
        return 0;
    }
    av_frame_unref(in->decoded);
    return 0;
}

void mqc_input_keep_source(MqcInput *in, int keep)
{
    in->keep_source = keep;
}

const AVFrame *mqc_frame_source(const AVFrame *f)
{
    if (f->opaque_ref && av_buffer_get_opaque(f->opaque_ref) == &source_tag)
        return (const AVFrame *)f->opaque_ref->data;
    return f;
}

static void note_gop_timecode(MqcInput *in, const MqcStreamInfo *si)
{
    AVRational rate = { si->rate_num, si->rate_den };
    int64_t number;
    int drop;
    if (rate.num <= 0 || !mqc_gop_timecode(in->pkt->data, in->pkt->size, rate, &number, &drop))
        return;
    in->gop_tc[in->gop_tc_next].pts = in->pkt->pts;
    in->gop_tc[in->gop_tc_next].number = number;
    in->gop_tc[in->gop_tc_next].drop = drop;
    in->gop_tc[in->gop_tc_next].valid = 1;
    in->gop_tc_next = (in->gop_tc_next + 1) % (int)FF_ARRAY_ELEMS(in->gop_tc);
}

/* The picture a GOP header introduced gets its timecode as S12M side data,
 * the form every other codec's per-frame timecode takes; the first one
 * also gives the start timecode when the container has none. */
static void attach_gop_timecode(MqcInput *in, AVFrame *f, MqcStreamInfo *si)
{
    for (size_t i = 0; i < FF_ARRAY_ELEMS(in->gop_tc); i++) {
        if (!in->gop_tc[i].valid || in->gop_tc[i].pts != f->pts)
            continue;
        AVRational rate = { si->rate_num, si->rate_den };
        AVTimecode tc;
        if (av_timecode_init(&tc, rate, in->gop_tc[i].drop ? AV_TIMECODE_FLAG_DROPFRAME : 0, 0,
                             NULL) < 0)
            return;
        int64_t number = in->gop_tc[i].number;
        memset(&in->gop_tc[i], 0, sizeof(in->gop_tc[i]));
        if (!av_frame_get_side_data(f, AV_FRAME_DATA_S12M_TIMECODE)) {
            AVFrameSideData *sd = av_frame_new_side_data(f, AV_FRAME_DATA_S12M_TIMECODE,
                                                         4 * sizeof(uint32_t));
            if (sd) {
                uint32_t *v = (uint32_t *)sd->data;
                v[0] = 1;
                v[1] = av_timecode_get_smpte_from_framenum(&tc, (int)number);
                v[2] = v[3] = 0;
            }
        }
        if (!in->frames_out && !si->start_timecode[0]) {
            /* the timecode at the stream's start: frames before this one that
             * did not decode (open-GOP leading B pictures) still count */
            int64_t start = si->start_pts != AV_NOPTS_VALUE ? si->start_pts : f->pts;
            int64_t offset = llround((double)(f->pts - start) * si->tb_num / si->tb_den *
                                     rate.num / rate.den);
            char buf[AV_TIMECODE_STR_SIZE];
            if (number - offset >= 0) {
                av_timecode_make_string(&tc, buf, (int)(number - offset));
                snprintf(si->start_timecode, sizeof(si->start_timecode), "%s", buf);
            }
        }
        return;
    }
}

static int deliver(MqcInput *in, AVFrame *out, MqcStreamInfo *si)
{
    AVFrame *f = in->decoded;
    /* the problems of packets shown up to this picture go with it */
    int64_t key = f->pts != AV_NOPTS_VALUE ? f->pts : f->best_effort_timestamp;
    in->due_key = key;
    if (frame_threaded(in))
        sent_picture(in, f->pkt_pos);
    if (key == AV_NOPTS_VALUE)
        key = ISSUE_NEXT;
    if (in->mpeg_video && f->pts != AV_NOPTS_VALUE)
        attach_gop_timecode(in, f, si);
    if (f->flags & AV_FRAME_FLAG_CORRUPT || f->decode_error_flags)
        note_issue(in, key, RANK_PICTURE, f->pkt_pos,
                   "corrupt picture (decoder reported damage)%s", 0);
    if (!in->first_done) {
        int ret = first_frame(in, f, si);
        if (ret < 0)
            return ret;
    }
    in->frames_out++;
    if (f->width != in->shown_w || f->height != in->shown_h || f->format != in->shown_format) {
        /* a sequence whose files differ: said once per change; the checks
         * keep seeing the first size and format (scaled, converted) */
        const char *from = av_get_pix_fmt_name((enum AVPixelFormat)in->shown_format);
        const char *to = av_get_pix_fmt_name((enum AVPixelFormat)f->format);
        char what[192], file[256] = "";
        if (in->seq && f->pts != AV_NOPTS_VALUE)    /* the picture's file, from its number */
            mqc_sequence_name(in->seq, mqc_sequence_start(in->seq) + f->pts, 0, file,
                              sizeof(file));
        snprintf(what, sizeof(what), "picture changes from %dx%d %s to %dx%d %s%s%s",
                 in->shown_w, in->shown_h, from ? from : "?", f->width, f->height, to ? to : "?",
                 file[0] ? " at " : "", file);
        note_text(in, key, RANK_PICTURE, -1, what, 0);
        in->shown_w = f->width;
        in->shown_h = f->height;
        in->shown_format = f->format;
    }
    if (f->format == in->target && f->width == in->width && f->height == in->height) {
        av_frame_move_ref(out, f);
        return 0;
    }
    int64_t t0 = mqc_thread_ns();
    int ret = convert(in, out);
    in->convert_ns += mqc_thread_ns() - t0;     /* one thread decodes */
    return ret;
}

int64_t mqc_input_convert_ns(const MqcInput *in)
{
    return in ? in->convert_ns : 0;
}

/* ---- audio: decoded as its packets are read, converted once ---- */

/* Audio problems are kept with their time, not with the video frame being
 * read (which depends on how far decoding ran ahead): the engine places
 * them on the frames of that time. Problems of one stream less than a
 * second apart join the previous one. */
static void note_audio(MqcInput *in, const AudioDec *ad, int64_t pos, const char *what, int err)
{
    double t = ad->start_s + (double)ad->samples / ad->rate;
    MqcAudioIssue *last = in->nb_aissues ? &in->aissues[in->nb_aissues - 1] : NULL;
    if (last && last->stream == ad->stream && t - last->time_s < 1.0) {
        last->count++;
        return;
    }
    if (in->nb_aissues == MAX_AUDIO_ISSUES) {
        in->aissues[MAX_AUDIO_ISSUES - 1].count++;
        return;
    }
    MqcAudioIssue *i = &in->aissues[in->nb_aissues++];
    char e[AV_ERROR_MAX_STRING_SIZE] = "", text[192];
    if (err)
        av_strerror(err, e, sizeof(e));
    snprintf(text, sizeof(text), what, e);
    if (pos >= 0)
        snprintf(i->what, sizeof(i->what), "audio stream %d: %s (byte %lld)", ad->stream, text,
                 (long long)pos);
    else
        snprintf(i->what, sizeof(i->what), "audio stream %d: %s", ad->stream, text);
    i->stream = ad->stream;
    i->time_s = t;
    i->count = 1;
}

int mqc_input_audio_issues(const MqcInput *in, const MqcAudioIssue **v)
{
    *v = in->aissues;
    return in->nb_aissues;
}

/* Reconfigures libswresample for a frame that differs from the last one:
 * the output stays at the stream's first rate and layout. */
static int configure_swr(MqcInput *in, AudioDec *ad, const AVFrame *f)
{
    if (ad->swr && f->sample_rate != ad->in_rate) {
        char what[160];
        snprintf(what, sizeof(what), "sample rate changes from %d to %d Hz at %.3f s "
                 "(resampled to %d Hz)%%s", ad->in_rate, f->sample_rate,
                 ad->start_s + (double)ad->samples / ad->rate, ad->rate);
        note_audio(in, ad, f->pkt_pos, what, 0);
    } else if (ad->swr && f->ch_layout.nb_channels != ad->in_layout.nb_channels) {
        char what[160];
        snprintf(what, sizeof(what), "channel count changes from %d to %d at %.3f s "
                 "(remixed to %d)%%s", ad->in_layout.nb_channels, f->ch_layout.nb_channels,
                 ad->start_s + (double)ad->samples / ad->rate, ad->layout.nb_channels);
        note_audio(in, ad, f->pkt_pos, what, 0);
    }
    swr_free(&ad->swr);
    av_channel_layout_uninit(&ad->in_layout);
    int ret = swr_alloc_set_opts2(&ad->swr, &ad->layout, AV_SAMPLE_FMT_FLTP, ad->rate,
                                  (AVChannelLayout *)&f->ch_layout, (enum AVSampleFormat)f->format,
                                  f->sample_rate, 0, NULL);
    if (ret >= 0)
        ret = swr_init(ad->swr);
    if (ret >= 0)
        ret = av_channel_layout_copy(&ad->in_layout, &f->ch_layout);
    if (ret < 0) {
        swr_free(&ad->swr);
        return ret;
    }
    ad->in_rate = f->sample_rate;
    ad->in_format = f->format;
    return 0;
}

/* Hands one decoded frame (NULL: what libswresample still holds) to the
 * sink as planar float at the stream's rate, timed by its sample count. */
static int emit_audio(MqcInput *in, AudioDec *ad, AVFrame *f)
{
    if (f && !ad->started) {
        int64_t pts = f->best_effort_timestamp;
        AVRational tb = in->fmt->streams[ad->stream]->time_base;
        ad->start_s = pts == AV_NOPTS_VALUE ? 0 : (double)pts * av_q2d(tb) - in->origin_s;
        ad->started = 1;
    }
    int direct = f && !ad->swr && f->format == AV_SAMPLE_FMT_FLTP && f->sample_rate == ad->rate &&
                 !av_channel_layout_compare(&f->ch_layout, &ad->layout);
    if (!direct && f && (!ad->swr || f->sample_rate != ad->in_rate || f->format != ad->in_format ||
                         av_channel_layout_compare(&f->ch_layout, &ad->in_layout))) {
        if (ad->swr) {
            int r = emit_audio(in, ad, NULL);   /* what the old configuration holds */
            if (r < 0)
                return r;
        }
        int ret = configure_swr(in, ad, f);
        if (ret < 0) {
            note_audio(in, ad, f->pkt_pos, "cannot convert its samples (%s)", ret);
            return ret == AVERROR(ENOMEM) ? MQC_ERR_NOMEM : 0;
        }
    }
    if (!direct && !ad->swr)
        return 0;
    AVFrame *out = av_frame_alloc();
    if (!out)
        return MQC_ERR_NOMEM;
    int ret = 0;
    if (direct) {
        av_frame_move_ref(out, f);
    } else {
        /* swr_convert, not swr_convert_frame: the latter refuses frames whose
         * unordered layout ("1 channels") it normalised differently */
        out->format = AV_SAMPLE_FMT_FLTP;
        out->sample_rate = ad->rate;
        out->nb_samples = swr_get_out_samples(ad->swr, f ? f->nb_samples : 0);
        ret = av_channel_layout_copy(&out->ch_layout, &ad->layout);
        if (ret >= 0 && out->nb_samples > 0)
            ret = av_frame_get_buffer(out, 0);
        if (ret >= 0 && out->nb_samples > 0) {
            ret = swr_convert(ad->swr, out->extended_data, out->nb_samples,
                              f ? (const uint8_t **)f->extended_data : NULL,
                              f ? f->nb_samples : 0);
            if (ret >= 0)
                out->nb_samples = ret;
        }
    }
    if (ret < 0 || out->nb_samples <= 0 || !in->sink.push) {
        if (ret < 0)
            note_audio(in, ad, f ? f->pkt_pos : -1, "cannot convert its samples (%s)", ret);
        av_frame_free(&out);
        return ret == AVERROR(ENOMEM) ? MQC_ERR_NOMEM : 0;
    }
    double t = ad->start_s + (double)ad->samples / ad->rate;
    ad->samples += out->nb_samples;
    return in->sink.push(in->sink.ud, (int)(ad - in->audio), out, t);
}

/* At the end: a stream without samples, or shorter than its container
 * says (a truncated file), is a decode problem. */
static void audio_end_issues(MqcInput *in, const AudioDec *ad)
{
    const AVStream *st = in->fmt->streams[ad->stream];
    double got = (double)ad->samples / ad->rate;
    double declared = st->duration > 0 && st->duration != AV_NOPTS_VALUE ?
                      (double)st->duration * av_q2d(st->time_base) :
                      in->fmt->duration > 0 ? (double)in->fmt->duration / AV_TIME_BASE : 0;
    char what[160];
    if (!ad->samples) {
        note_audio(in, ad, -1, "no samples could be decoded%s", 0);
    } else if (declared - got > 0.5) {
        snprintf(what, sizeof(what), "ends after %.3f s of the %.3f s its container declares "
                 "(truncated?)%%s", got, declared);
        note_audio(in, ad, -1, what, 0);
    }
}

/* Sends one packet (NULL: end of stream) and passes on what comes out. */
static int decode_audio(MqcInput *in, AudioDec *ad, const AVPacket *pkt)
{
    if (ad->eof)
        return 0;
    int ret = avcodec_send_packet(ad->dec, pkt);
    if (ret < 0 && ret != AVERROR_EOF)
        note_audio(in, ad, pkt ? pkt->pos : -1, "decode error: %s", ret);
    for (;;) {
        ret = avcodec_receive_frame(ad->dec, in->adecoded);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            break;
        if (ret < 0) {
            note_audio(in, ad, pkt ? pkt->pos : -1, "decode error: %s", ret);
            break;
        }
        if (in->adecoded->flags & AV_FRAME_FLAG_CORRUPT || in->adecoded->decode_error_flags)
            note_audio(in, ad, in->adecoded->pkt_pos,
                       "corrupt samples (decoder reported damage)%s", 0);
        ret = emit_audio(in, ad, in->adecoded);
        av_frame_unref(in->adecoded);
        if (ret < 0)
            return ret;
    }
    if (!pkt) {
        ad->eof = 1;
        ret = emit_audio(in, ad, NULL);
        audio_end_issues(in, ad);
        return ret;
    }
    return 0;
}

/* One packet of the file into in->pkt: audio is decoded on the way.
 * Returns 1 when in->pkt holds a video packet, 0 when the packet was
 * used up, AVERROR_EOF at the end (audio decoders flushed), or
 * MQC_ERR_NOMEM. */
static int demux_one(MqcInput *in)
{
    if (in->demux_eof)
        return AVERROR_EOF;
    /* a sequence's run ends with its last file (image2 may try the next, absent one) */
    int ret = in->seq && in->seq_run_read >= in->seq_run_count ? AVERROR_EOF
                                                               : av_read_frame(in->fmt, in->pkt);
    if (ret < 0 && in->seq) {
        /* the end of a run of consecutive files: the next one after the hole */
        if (ret != AVERROR_EOF)     /* placed at the file's number (pts count files) */
            note_issue(in, in->seq_offset + in->seq_run_read, RANK_PACKET, -1,
                       "cannot read a file of the sequence: %s", ret);
        int r;
        while ((r = open_run(in)) < 0 && r != AVERROR_EOF)
            note_issue(in, in->seq_offset, RANK_PACKET, -1,
                       "cannot open a run of the sequence: %s", r);
        if (r >= 0) {
            in->stream = 0;
            return 0;
        }
        ret = AVERROR_EOF;
    }
    if (ret < 0) {
        if (ret != AVERROR_EOF && !avio_feof(in->fmt->pb))
            note_issue(in, ISSUE_END, RANK_PACKET, avio_tell(in->fmt->pb),
                       "demux error, reading stops: %s", ret);
        in->demux_eof = 1;
        for (int a = 0; a < in->nb_audio && !in->audio_off; a++)
            if ((ret = decode_audio(in, &in->audio[a], NULL)) < 0)
                return ret;
        return AVERROR_EOF;
    }
    if (in->pkt->stream_index == in->stream && in->sink.video && in->ranged &&
        !(in->pkt->flags & AV_PKT_FLAG_DISCARD))
        in->sink.video(in->sink.ud, in->pkt);
    if (in->pkt->stream_index == in->stream && !in->video_done) {
        if (in->seq) {
            /* timestamps count frames from the start number: a hole is a gap */
            if (in->pkt->pts != AV_NOPTS_VALUE)
                in->pkt->pts += in->seq_offset;
            if (in->pkt->dts != AV_NOPTS_VALUE)
                in->pkt->dts += in->seq_offset;
            in->seq_run_read++;
        }
        return 1;
    }
    AudioDec *ad = in->audio_off ? NULL : audio_of(in, in->pkt->stream_index);
    ret = 0;
    if (ad) {
        if (in->pkt->flags & AV_PKT_FLAG_CORRUPT)
            note_audio(in, ad, in->pkt->pos, "corrupt or incomplete packet%s", 0);
        ret = decode_audio(in, ad, in->pkt);
    }
    av_packet_unref(in->pkt);
    return ret;
}

/* The next video packet into in->pkt: first those read ahead. */
static int next_video_packet(MqcInput *in)
{
    if (in->lead_count) {
        AVPacket *p = in->lead[in->lead_head];
        in->lead_head = (in->lead_head + 1) % in->lead_cap;
        in->lead_count--;
        in->lead_bytes -= p->size;
        av_packet_move_ref(in->pkt, p);
        av_packet_free(&p);
        return 0;
    }
    for (;;) {
        int ret = demux_one(in);
        if (ret)
            return ret == 1 ? 0 : ret;
    }
}

static int lead_push(MqcInput *in)
{
    if (in->lead_count == in->lead_cap) {
        int cap = in->lead_cap ? 2 * in->lead_cap : 64;
        AVPacket **v = malloc((size_t)cap * sizeof(*v));
        if (!v)
            return MQC_ERR_NOMEM;
        for (int i = 0; i < in->lead_count; i++)
            v[i] = in->lead[(in->lead_head + i) % in->lead_cap];
        free(in->lead);
        in->lead = v;
        in->lead_cap = cap;
        in->lead_head = 0;
    }
    AVPacket *p = av_packet_alloc();
    if (!p)
        return MQC_ERR_NOMEM;
    av_packet_move_ref(p, in->pkt);
    in->lead[(in->lead_head + in->lead_count++) % in->lead_cap] = p;
    in->lead_bytes += p->size;
    return 0;
}

int mqc_input_pump(MqcInput *in)
{
    /* a segment without audio has none to look for: reading on would pass its end */
    if (in->demux_eof || (in->ranged && !mqc_input_audio_decoded(in)))
        return AVERROR_EOF;
    if (in->stream >= 0 && !in->video_done &&
        (in->lead_count >= LEAD_MAX_PACKETS || in->lead_bytes >= LEAD_MAX_BYTES))
        return 1;
    int ret = demux_one(in);
    return ret == 1 ? lead_push(in) : ret;
}

/* A decoder error, at the packet it belongs to. */
static void note_decode_error(MqcInput *in, int err)
{
    in->decode_errors++;
    Sent s = errored_packet(in);
    if (in->seq && s.key != ISSUE_NEXT) {
        char file[256], what[320];
        mqc_sequence_name(in->seq, mqc_sequence_start(in->seq) + s.key, 0, file, sizeof(file));
        snprintf(what, sizeof(what), "decode error in %s: ", file);
        note_text(in, s.key, RANK_DECODER, -1, what, err);
    } else {
        note_issue(in, s.key, RANK_DECODER, s.pos, "decode error: %s", err);
    }
}

/* No more packets: what the decoder holds comes out. Its last packet's
 * error may come back here. */
static void drain(MqcInput *in)
{
    in->draining = 1;
    int ret = avcodec_send_packet(in->dec, NULL);
    if (ret < 0 && ret != AVERROR_EOF)
        note_decode_error(in, ret);
}

/* The packets a segment sends until its first picture comes out: their
 * timestamps (number_first). More than a GOP's worth before a picture means
 * the picture cannot be numbered: the segment says so (open_gop_at). */
#define SENT_PTS_MAX 1024

static void note_sent(MqcInput *in, const AVPacket *p)
{
    if (!in->ranged || in->timed.timed || in->numbered || p->pts == AV_NOPTS_VALUE ||
        (p->flags & AV_PKT_FLAG_DISCARD))
        return;
    if (!in->sent_pts && !(in->sent_pts = malloc(SENT_PTS_MAX * sizeof(*in->sent_pts))))
        in->nb_sent_pts = SENT_PTS_MAX;
    if (in->nb_sent_pts == SENT_PTS_MAX) {
        in->numbered = 1;
        in->open_gop_at = in->range_first;
        return;
    }
    in->sent_pts[in->nb_sent_pts++] = p->pts;
}

static int read_frame(MqcInput *in, AVFrame *out, MqcStreamInfo *si)
{
    for (;;) {
        int ret = avcodec_receive_frame(in->dec, in->decoded);
        if (ret >= 0) {
            in->consecutive_errors = 0;
            return deliver(in, out, si);
        }
        if (ret == AVERROR_EOF) {
            /* fewer packets than the container lists: the file is cut. Fewer
             * pictures from all the packets (open-GOP leading B-frames) is
             * dropped_frames' frame_count_mismatch, not a decode error. */
            if (!in->eof_seen && in->frames_declared > 0 && in->packets_in < in->frames_declared) {
                char what[160];
                snprintf(what, sizeof(what),
                         "file ends after %lld of the %lld frames its container declares "
                         "(truncated?)%%s", (long long)in->frames_out,
                         (long long)in->frames_declared);
                note_issue(in, ISSUE_END, RANK_PACKET, -1, what, 0);
            }
            /* a frame-threaded decoder can drop the cause of a failure on
             * the only packet: still say that nothing came out */
            if (!in->eof_seen && !in->frames_out && in->packets_in > 0 && !in->issues_noted) {
                char what[160];
                snprintf(what, sizeof(what), "the %s decoder returned no picture from %lld "
                         "packet(s)%%s", in->dec->codec->name, (long long)in->packets_in);
                note_issue(in, ISSUE_END, RANK_DECODER, -1, what, 0);
            }
            in->eof_seen = 1;
            return AVERROR_EOF;
        }
        if (ret != AVERROR(EAGAIN)) {
            note_decode_error(in, ret);
            if (++in->consecutive_errors > MAX_CONSECUTIVE_ERRORS && !in->draining)
                drain(in);
            continue;
        }
        if (in->draining)
            return AVERROR_EOF;

        if (next_video_packet(in) < 0) {
            drain(in);
            continue;
        }
        in->packets_in++;
        if (in->exr && !in->float_bits)
            in->float_bits = exr_sample_bits(in->pkt->data, (size_t)in->pkt->size);
        if (in->mpeg_video && in->pkt->pts != AV_NOPTS_VALUE)
            note_gop_timecode(in, si);
        note_sent(in, in->pkt);
        in->last_key = packet_key(in->pkt);
        in->last_pos = in->pkt->pos;
        if (in->pkt->flags & AV_PKT_FLAG_CORRUPT)
            note_issue(in, in->last_key, RANK_PACKET, in->last_pos,
                       "corrupt or incomplete packet%s", 0);
        if (frame_threaded(in))
            sent_push(in, in->last_key, in->last_pos);
        ret = avcodec_send_packet(in->dec, in->pkt);
        av_packet_unref(in->pkt);
        if (ret < 0 && ret != AVERROR(EAGAIN)) {
            note_decode_error(in, ret);
            if (++in->consecutive_errors > MAX_CONSECUTIVE_ERRORS)
                drain(in);
        }
    }
}

/* One frame; at the end, or a stop, every problem left goes with the last one. */
static int read_due(MqcInput *in, AVFrame *out, MqcStreamInfo *si)
{
    int ret = read_frame(in, out, si);
    in->due_all = ret < 0;
    return ret;
}

/* Segment 0 after its last frame: the rest of the file for its audio. The
 * demuxer skips the video samples (the MOV demuxer seeks past them), so
 * only the audio's bytes are read; video packets read ahead are dropped. */
static void audio_tail(MqcInput *in)
{
    if (in->video_done)
        return;
    in->video_done = 1;
    /* the video packets' times cut the audio where the later frames end
     * (their per-frame audio records): then they are read, not decoded */
    if (!in->sink.video)
        in->fmt->streams[in->stream]->discard = AVDISCARD_ALL;
    /* audio lies beside the video to the file's end: a remote read may read
     * ahead again (past the segment's own bytes) */
    mqc_byte_tap_read_until(in->tap, -1);
    for (; in->lead_count; in->lead_count--, in->lead_head = (in->lead_head + 1) % in->lead_cap)
        av_packet_free(&in->lead[in->lead_head]);
    in->lead_bytes = 0;
}

/* A segment that decodes a damaged picture of an inter-coded stream (a
 * problem noted while reading it, or a picture the decoder flags) notes
 * where: FFmpeg's H.264 concealment reads per-picture tables that its
 * pools hand back uncleared, so what it conceals depends on everything
 * decoded before, which only a single pass has (docs/segments.md). */
static void note_damage(MqcInput *in, int64_t noted_before, int64_t errors_before, int ret,
                        const AVFrame *out)
{
    /* the decoder refused a packet: its picture is lost, and a single pass
     * numbers the pictures that come out, a segment by the index */
    if (in->lost_from < 0 && in->decode_errors != errors_before)
        in->lost_from = in->range_pos;
    const AVCodecDescriptor *d = avcodec_descriptor_get(in->dec->codec_id);
    if (in->damaged_from >= 0 || (d && (d->props & AV_CODEC_PROP_INTRA_ONLY)))
        return;
    if (in->issues_noted != noted_before ||
        (ret >= 0 && ((out->flags & AV_FRAME_FLAG_CORRUPT) || out->decode_error_flags)))
        in->damaged_from = in->range_pos;
}

/* A segment numbers its frames by the file's index: the keyframe it decodes
 * from is display frame seek_frame when no picture decoded after it is
 * shown before it (a closed GOP). An open GOP's leading pictures are: those
 * the decoder shows come out first, those it drops (their reference lies
 * before the seek) are not shown. So the first picture out is numbered
 * past the packets sent before it that are shown before it. At the file's
 * start a single pass drops them too and numbers what comes out from 0,
 * which the segments after the first cannot know: segment 0 says so. */
static void number_first(MqcInput *in)
{
    int64_t earlier = 0;
    for (int i = 0; i < in->nb_sent_pts; i++)
        earlier += in->due_key != AV_NOPTS_VALUE && in->sent_pts[i] < in->due_key;
    in->numbered = 1;
    in->nb_sent_pts = 0;
    if (!in->seeked && earlier)
        in->open_gop_at = 0;
    else
        in->range_pos += earlier;
}

MqcSegmentFaults mqc_input_segment_faults(const MqcInput *in)
{
    if (!in->ranged)
        return (MqcSegmentFaults){ -1, -1, -1 };
    return (MqcSegmentFaults){ .damaged_from = in->damaged_from, .lost_from = in->lost_from,
                               .open_gop_at = in->open_gop_at };
}

static const char *input_name(const MqcInput *in)
{
    return in->fmt && in->fmt->url ? in->fmt->url : "input";
}

/* A timed segment's frame is the one its timestamp names, or reading
 * stops: the frames after it would be numbered otherwise than one pass
 * counts them (a gap, a variable frame rate). */
static int keeps_number(MqcInput *in, AVFrame *out)
{
    /* a picture without a timestamp (MXF: past the index's temporal
     * offsets) is counted as one pass counts it; the next one with a
     * timestamp shows whether the count still holds */
    int64_t n = mqc_segment_frame_at(&in->timed, in->due_key);
    if (n == in->range_pos || in->due_key == AV_NOPTS_VALUE)
        return 0;
    snprintf(in->misnumbered, sizeof(in->misnumbered), "%s: --segment: frame %lld has "
             "timestamp %lld, which is %s: frames cannot be numbered from timestamps (a gap, a "
             "variable frame rate or an open GOP); analyse the file whole", input_name(in),
             (long long)in->range_pos, (long long)in->due_key,
             n < 0 ? "off the frame grid" : "another frame's");
    av_frame_unref(out);
    return AVERROR_EOF;
}

int mqc_input_misnumbered(const MqcInput *in, MqcMsg *msg)
{
    if (!in || !in->misnumbered[0])
        return 0;
    mqc_msg(msg, "%s", in->misnumbered);
    return MQC_ERR_USAGE;
}

int mqc_input_read(MqcInput *in, AVFrame *out, MqcStreamInfo *si)
{
    if (!in->ranged)
        return read_due(in, out, si);
    for (;;) {
        if (in->range_end >= 0 && in->range_pos >= in->range_end) {
            if (mqc_input_audio_decoded(in))
                audio_tail(in);
            return AVERROR_EOF;
        }
        int64_t noted = in->issues_noted, errors = in->decode_errors;
        int ret = read_due(in, out, si);
        if (ret == 0 && !in->timed.timed && !in->numbered)
            number_first(in);
        note_damage(in, noted, errors, ret, out);
        if (ret == 0 && in->timed.timed && (ret = keeps_number(in, out)) < 0)
            return ret;
        if (ret < 0 || in->range_pos++ >= in->range_first)
            return ret;
        /* before the segment: decoded for the frame after it, analysed by
         * the segment before (and so are its problems) */
        char what[8];
        int64_t pos;
        mqc_input_take_issues(in, what, sizeof(what), &pos);
        av_frame_unref(in->context);
        if (in->hand_lead)
            return av_frame_ref(in->context, out) < 0 ? MQC_ERR_NOMEM : 0;
        av_frame_move_ref(in->context, out);
    }
}

void mqc_input_hand_lead(MqcInput *in, int on)
{
    in->hand_lead = on;
}

int64_t mqc_input_position(const MqcInput *in)
{
    return in->range_pos - 1;
}

static int timed_seek(MqcInput *in, const MqcSegmentPlan *plan, const char *path,
                      const char *what, MqcMsg *msg);
static int seek_done(MqcInput *in, int ret, int64_t frame, int64_t packets, const char *path,
                     const char *what, MqcMsg *msg);

/* Only the plan's display frames are handed over, decoded from its keyframe. */
static int input_range(MqcInput *in, const MqcSegmentPlan *plan, const char *path,
                       const char *what, MqcMsg *msg)
{
    if (!(in->context = av_frame_alloc()))
        return MQC_ERR_NOMEM;
    in->ranged = 1;
    in->damaged_from = in->lost_from = in->open_gop_at = -1;
    in->range_first = plan->first;
    in->range_end = plan->end;
    /* remote: no read-ahead past the range (-1: to the end) */
    mqc_byte_tap_read_until(in->tap, plan->byte_end);
    if (plan->timed)
        in->timed = *plan;
    if (plan->seek_entry < 0)
        return 0;
    if (plan->timed)
        return timed_seek(in, plan, path, what, msg);
    int ret = av_seek_frame(in->fmt, in->stream, plan->seek_ts, AVSEEK_FLAG_BACKWARD);
    /* the keyframe the plan names, or the display numbers would be wrong: a
     * seek by timestamp can land a GOP early (B-frames shift decode times) */
    while (ret >= 0 && (ret = next_video_packet(in)) >= 0 && in->pkt->pos != plan->seek_pos) {
        if (in->pkt->pos > plan->seek_pos || in->pkt->pos < 0)
            ret = AVERROR(ESPIPE);
        av_packet_unref(in->pkt);
    }
    return seek_done(in, ret, plan->seek_frame, plan->seek_entry, path, what, msg);
}

/* Decoding from where the seek landed: display frame `frame`, after
 * `packets` packets of the stream (read by the other segments). */
static int seek_done(MqcInput *in, int ret, int64_t frame, int64_t packets, const char *path,
                     const char *what, MqcMsg *msg)
{
    if (ret < 0) {
        char err[AV_ERROR_MAX_STRING_SIZE];
        av_strerror(ret, err, sizeof(err));
        mqc_msg(msg, "%s: %s: cannot seek to the keyframe of frame %lld (%s)", path, what,
                (long long)frame, err);
        return MQC_ERR_USAGE;
    }
    in->range_pos = frame;
    in->packets_in = packets;
    in->seeked = 1;
    return lead_push(in);
}

static void skip_audio(MqcInput *in)
{
    in->audio_off = 1;
    for (int a = 0; a < in->nb_audio; a++)
        in->fmt->streams[in->audio[a].stream]->discard = AVDISCARD_ALL;
}

/* MXF, Matroska: the demuxer's seek finds the keyframe (index tables,
 * cues); its timestamp numbers it, and every frame decoded after it must
 * keep to the numbering (mqc_input_read). */
static int timed_seek(MqcInput *in, const MqcSegmentPlan *plan, const char *path,
                      const char *what, MqcMsg *msg)
{
    int ret = av_seek_frame(in->fmt, in->stream, mqc_segment_ts_of(plan, plan->seek_frame),
                            AVSEEK_FLAG_BACKWARD);
    if (ret >= 0)
        ret = next_video_packet(in);
    int64_t frame = -1;
    if (ret >= 0) {
        frame = mqc_segment_frame_at(plan, in->pkt->pts != AV_NOPTS_VALUE ? in->pkt->pts
                                                                          : in->pkt->dts);
        if (!(in->pkt->flags & AV_PKT_FLAG_KEY) || frame < 0 || frame > plan->seek_frame)
            ret = AVERROR(ESPIPE);
    }
    /* one packet a frame: the frame's number counts the packets before it */
    return seek_done(in, ret, ret < 0 ? plan->seek_frame : frame, frame, path, what, msg);
}

int mqc_input_segment(MqcInput *in, int index, int count, int before, MqcSegmentPlan *plan,
                      MqcMsg *msg)
{
    const char *path = input_name(in);
    if (in->stream < 0 || in->seq) {
        mqc_msg(msg, "%s: --segment needs a video file (not audio only, not an image "
                "sequence)", path);
        return MQC_ERR_USAGE;
    }
    /* loudness gating, true peak, silence, clipping and phase carry state
     * over the whole programme: segment 0 analyses every audio stream in
     * one piece, the others read none of it */
    if (index > 0)
        skip_audio(in);
    /* remote: planning MXF or Matroska seeks; only the blocks read are fetched */
    mqc_byte_tap_read_until(in->tap, 0);
    int ret = mqc_segment_plan(in->fmt, in->stream, path, index, count, plan, msg);
    if (ret >= 0 && before > 1 && plan->first > 0 && plan->end != plan->first) {
        /* decoding starts earlier: from the keyframe at or before first - before */
        MqcSegmentPlan from;
        int64_t f = plan->first - before;
        if ((ret = mqc_segment_plan_frames(in->fmt, in->stream, path, f > 0 ? f : 0, plan->end,
                                           &from, msg)) >= 0) {
            plan->seek_entry = from.seek_entry;
            plan->seek_frame = from.seek_frame;
            plan->seek_ts = from.seek_ts;
            plan->seek_pos = from.seek_pos;
        }
    }
    plan->stream = in->stream;
    char what[48];
    snprintf(what, sizeof(what), "--segment %d/%d", index, count);
    return ret < 0 ? ret : input_range(in, plan, path, what, msg);
}

int mqc_input_frames(MqcInput *in, int64_t first, int64_t end, int64_t from,
                     uint64_t index_hash, MqcMsg *msg)
{
    const char *path = input_name(in);
    if (in->stream < 0 || in->seq) {
        mqc_msg(msg, "%s: not a video file", path);
        return MQC_ERR_USAGE;
    }
    MqcSegmentPlan plan;
    mqc_byte_tap_read_until(in->tap, 0);
    int ret = mqc_segment_plan_frames(in->fmt, in->stream, path, from > 0 ? from : 0, end, &plan,
                                      msg);
    if (ret < 0)
        return ret;
    plan.first = first;
    if (index_hash && plan.index_hash != index_hash) {
        mqc_msg(msg, "%s: not the file the segments analysed (its index differs)", path);
        return MQC_ERR_USAGE;
    }
    skip_audio(in);     /* pictures only */
    return input_range(in, &plan, path, "pictures", msg);
}

const AVFrame *mqc_input_context(const MqcInput *in)
{
    return in->context && in->context->buf[0] ? in->context : NULL;
}

void mqc_input_finish_bytes(MqcInput *in)
{
    if (in)
        mqc_byte_tap_finish(in->tap);
}

void mqc_input_close(MqcInput **pin)
{
    MqcInput *in = *pin;
    if (!in)
        return;
    avcodec_free_context(&in->dec);
    avformat_close_input(&in->fmt);
    mqc_tap_avio_close(&in->io);
    av_packet_free(&in->pkt);
    av_frame_free(&in->decoded);
    av_frame_free(&in->context);
    sws_freeContext(in->sws);
    for (int a = 0; a < in->nb_audio; a++) {
        avcodec_free_context(&in->audio[a].dec);
        swr_free(&in->audio[a].swr);
        av_channel_layout_uninit(&in->audio[a].layout);
        av_channel_layout_uninit(&in->audio[a].in_layout);
    }
    free(in->audio);
    av_frame_free(&in->adecoded);
    free(in->sent);
    free(in->issue);
    for (; in->lead_count; in->lead_count--, in->lead_head = (in->lead_head + 1) % in->lead_cap)
        av_packet_free(&in->lead[in->lead_head]);
    free(in->sent_pts);
    free(in->lead);
    mqc_sequence_free(&in->seq);
    free(in);
    *pin = NULL;
}

void mqc_picture_from_frame(MqcPicture *pic, const AVFrame *f, const MqcStreamInfo *si)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get((enum AVPixelFormat)f->format);
    memset(pic, 0, sizeof(*pic));
    pic->nb_planes = d->nb_components - !!(d->flags & AV_PIX_FMT_FLAG_ALPHA);
    for (int i = 0; i < pic->nb_planes; i++) {
        pic->data[i] = f->data[i];
        pic->linesize[i] = f->linesize[i];
    }
    pic->width = f->width;
    pic->height = f->height;
    pic->log2_chroma_w = d->log2_chroma_w;
    pic->log2_chroma_h = d->log2_chroma_h;
    pic->bit_depth = d->comp[0].depth;
    pic->is_float = !!(d->flags & AV_PIX_FMT_FLAG_FLOAT);
    const AVFrame *src = mqc_frame_source(f);
    pic->source = src != f ? src : NULL;
    pic->bytes_per_sample = pic->is_float ? 4 : pic->bit_depth > 8 ? 2 : 1;
    pic->is_rgb = !!(d->flags & AV_PIX_FMT_FLAG_RGB);
    pic->full_range = si->full_range;
}
