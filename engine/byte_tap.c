/* The byte tap: an AVIOContext over a positioned source that hands what the
 * demuxer reads to subscribers in file order, each byte once.
 *
 * The frontier `done` is how far the subscribers have been fed. A read that
 * starts at or before it feeds the new part. A read beyond it leaves a gap:
 * a small one (skipped samples of another stream) is read at once; a large
 * one may be a look at the file's tail (a moov atom or an index at the end,
 * a duration estimate) that the demuxer comes back from, so it waits — until
 * the demuxer has read as many bytes beyond the gap as the gap holds (then it
 * is not coming back: ski-rental, at most twice the bytes of the cheaper
 * choice). What is still unfed at the end is read by mqc_byte_tap_finish. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libavformat/avio.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
#include "byte_tap.h"

#define AVIO_BUFFER (64 << 10)
#define FILL_CHUNK (1 << 20)
/* gaps up to this size are read when they appear */
#define SMALL_GAP (4LL << 20)
#define MAX_SINKS 8

struct MqcByteTap {
    MqcByteSource src;
    int64_t pos;                /* the demuxer's position */
    int64_t done;               /* bytes handed to the sinks, from 0 */
    int64_t catch_up;           /* read before the first subscription: fed at once */
    int64_t gap;                /* a waiting gap's size, 0 when none waits */
    int64_t ahead;              /* bytes the demuxer read beyond it since */
    int status;                 /* first read error of the tap's own reads */
    int ended;
    uint8_t *fill;
    struct { MqcByteSink fn; void *ud; } sinks[MAX_SINKS];
    int nb_sinks;
};

/* ---- local files ---- */

static int file_read_at(void *opaque, int64_t pos, uint8_t *buf, int size)
{
    int fd = (int)(intptr_t)opaque;
    for (;;) {
        ssize_t n = pread(fd, buf, (size_t)size, (off_t)pos);
        if (n >= 0)
            return (int)n;
        if (errno != EINTR)
            return AVERROR(errno);
    }
}

static void file_close(void *opaque)
{
    close((int)(intptr_t)opaque);
}

int mqc_file_source_open(const char *path, MqcByteSource *src, MqcMsg *msg)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        int err = errno;
        mqc_msg(msg, "%s: %s", path, strerror(err));
        if (fd >= 0)
            close(fd);
        return err == ENOENT || err == ENOTDIR ? MQC_ERR_NOT_FOUND : MQC_ERR_UNREADABLE;
    }
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    *src = (MqcByteSource){ .opaque = (void *)(intptr_t)fd, .read_at = file_read_at,
                            .close = file_close, .size = (int64_t)st.st_size };
    return 0;
}

/* ---- feeding the sinks ---- */

static void feed(MqcByteTap *t, const uint8_t *data, int64_t len)
{
    for (int i = 0; i < t->nb_sinks; i++)
        t->sinks[i].fn(t->sinks[i].ud, data, (size_t)len, 0);
    t->done += len;
}

/* Reads [done, end) from the source for the sinks; end < 0: to the end of
 * the file. */
static int fill_to(MqcByteTap *t, int64_t end)
{
    if (!t->fill && !(t->fill = malloc(FILL_CHUNK)))
        return t->status = AVERROR(ENOMEM);
    while (end < 0 || t->done < end) {
        int want = end < 0 || end - t->done > FILL_CHUNK ? FILL_CHUNK : (int)(end - t->done);
        int n = t->src.read_at(t->src.opaque, t->done, t->fill, want);
        if (n < 0)
            return t->status = n;
        if (n == 0)
            return end < 0 ? 0 : (t->status = AVERROR(EIO));   /* shorter than it was */
        feed(t, t->fill, n);
    }
    return 0;
}

/* The demuxer read [pos, pos + n) into buf. */
static void observe(MqcByteTap *t, int64_t pos, const uint8_t *buf, int n)
{
    if (t->catch_up > t->done && fill_to(t, t->catch_up) < 0)
        return;
    if (pos > t->done) {
        if (!t->gap)
            t->gap = pos - t->done;
        if (t->gap > SMALL_GAP && (t->ahead += n) < t->gap)
            return;     /* may come back: wait */
        if (fill_to(t, pos) < 0)
            return;
    }
    t->gap = t->ahead = 0;
    if (pos + n > t->done)
        feed(t, buf + (t->done - pos), pos + n - t->done);
}

int mqc_byte_tap_subscribe(MqcByteTap *t, MqcByteSink sink, void *ud)
{
    if (!t || !sink)
        return MQC_ERR_USAGE;
    if (t->nb_sinks == MAX_SINKS)
        return AVERROR(ENOSPC);
    if (!t->nb_sinks)
        t->catch_up = t->pos;   /* already read, probably still cached */
    t->sinks[t->nb_sinks].fn = sink;
    t->sinks[t->nb_sinks++].ud = ud;
    return 0;
}

void mqc_byte_tap_finish(MqcByteTap *t)
{
    if (!t || !t->nb_sinks || t->ended)
        return;
    t->ended = 1;
    if (!t->status)
        fill_to(t, -1);
    for (int i = 0; i < t->nb_sinks; i++)
        t->sinks[i].fn(t->sinks[i].ud, NULL, 0, t->status);
}

void mqc_byte_tap_read_until(MqcByteTap *t, int64_t end)
{
    if (t && t->src.read_until)
        t->src.read_until(t->src.opaque, end);
}

/* ---- the AVIOContext ---- */

static int tap_read(void *opaque, uint8_t *buf, int size)
{
    MqcByteTap *t = opaque;
    int n = t->src.read_at(t->src.opaque, t->pos, buf, size);
    if (n <= 0)
        return n ? n : AVERROR_EOF;
    if (t->nb_sinks && !t->status)
        observe(t, t->pos, buf, n);
    t->pos += n;
    return n;
}

static int64_t tap_seek(void *opaque, int64_t offset, int whence)
{
    MqcByteTap *t = opaque;
    if (whence & AVSEEK_SIZE)
        return t->src.size >= 0 ? t->src.size : AVERROR(ENOSYS);
    int64_t base;
    switch (whence & ~AVSEEK_FORCE) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = t->pos; break;
    case SEEK_END:
        if (t->src.size < 0)
            return AVERROR(ENOSYS);
        base = t->src.size;
        break;
    default: return AVERROR(EINVAL);
    }
    if (base + offset < 0)
        return AVERROR(EINVAL);
    return t->pos = base + offset;
}

static void tap_free(MqcByteTap *t)
{
    if (!t)
        return;
    if (t->src.close)
        t->src.close(t->src.opaque);
    free(t->fill);
    free(t);
}

int mqc_tap_avio_open(const MqcByteSource *src, AVIOContext **pb, MqcByteTap **tap)
{
    *pb = NULL;
    *tap = NULL;
    MqcByteTap *t = calloc(1, sizeof(*t));
    unsigned char *buffer = t ? av_malloc(AVIO_BUFFER) : NULL;
    if (t)
        t->src = *src;
    else if (src->close)
        src->close(src->opaque);
    *pb = buffer ? avio_alloc_context(buffer, AVIO_BUFFER, 0, t, tap_read, NULL, tap_seek)
                 : NULL;
    if (!*pb) {
        av_free(buffer);
        tap_free(t);
        return MQC_ERR_NOMEM;
    }
    *tap = t;
    return 0;
}

void mqc_tap_avio_close(AVIOContext **pb)
{
    if (!*pb)
        return;
    tap_free((*pb)->opaque);
    av_freep(&(*pb)->buffer);
    avio_context_free(pb);
}
