/* The byte tap: whatever the demuxer's read pattern (sequential, a look at
 * an index at the end and back, skipped ranges, re-reads, a late
 * subscription), the subscribers get every byte of the file once, in order,
 * and the source is read about once. The "demuxer" here drives a real
 * AVIOContext, with its buffering, over a source in memory. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <libavformat/avio.h>
#include <libavutil/error.h>
#include "engine/byte_tap.h"

typedef struct Mem {
    uint8_t *data;
    int64_t size;
    int64_t bytes_read;         /* what the source delivered, all readers together */
    int64_t fail_at;            /* a read touching this byte fails; -1: never */
} Mem;

static int mem_read_at(void *opaque, int64_t pos, uint8_t *buf, int size)
{
    Mem *m = opaque;
    if (pos >= m->size)
        return 0;
    int n = (int)(m->size - pos < size ? m->size - pos : size);
    if (m->fail_at >= pos && m->fail_at < pos + n)
        return AVERROR(EIO);
    memcpy(buf, m->data + pos, (size_t)n);
    m->bytes_read += n;
    return n;
}

typedef struct Sink {
    uint8_t *got;
    int64_t len, cap;
    int ends, status;
} Sink;

static void sink_fn(void *ud, const uint8_t *data, size_t len, int status)
{
    Sink *s = ud;
    if (!data) {
        s->ends++;
        s->status = status;
        return;
    }
    cr_assert_leq(s->len + (int64_t)len, s->cap, "more bytes than the file holds");
    memcpy(s->got + s->len, data, len);
    s->len += (int64_t)len;
}

typedef struct Fixture {
    Mem mem;
    AVIOContext *pb;
    MqcByteTap *tap;
    Sink sink;
} Fixture;

static void setup(Fixture *f, int64_t size)
{
    memset(f, 0, sizeof(*f));
    f->mem.data = malloc((size_t)size);
    f->mem.size = size;
    f->mem.fail_at = -1;
    uint32_t x = 2463534242u;   /* xorshift: no two ranges alike */
    for (int64_t i = 0; i < size; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        f->mem.data[i] = (uint8_t)x;
    }
    f->sink.got = malloc((size_t)size);
    f->sink.cap = size;
    MqcByteSource src = { .opaque = &f->mem, .read_at = mem_read_at, .size = size };
    cr_assert_eq(mqc_tap_avio_open(&src, &f->pb, &f->tap), 0);
}

static void subscribe(Fixture *f)
{
    cr_assert_eq(mqc_byte_tap_subscribe(f->tap, sink_fn, &f->sink), 0);
}

/* The demuxer reads [pos, pos + len). */
static void demux(Fixture *f, int64_t pos, int64_t len)
{
    cr_assert_eq(avio_seek(f->pb, pos, SEEK_SET), pos);
    uint8_t *buf = malloc((size_t)len);
    int64_t done = 0;
    while (done < len) {
        int chunk = len - done > 100000 ? 100000 : (int)(len - done);
        int n = avio_read(f->pb, buf + done, chunk);
        cr_assert_gt(n, 0, "read at %lld", (long long)(pos + done));
        done += n;
    }
    cr_assert_eq(memcmp(buf, f->mem.data + pos, (size_t)len), 0, "the demuxer got other bytes");
    free(buf);
}

/* Ends the run; the sink got the file, once, in order. */
static void finish_whole(Fixture *f)
{
    mqc_byte_tap_finish(f->tap);
    cr_assert_eq(f->sink.ends, 1);
    cr_assert_eq(f->sink.status, 0);
    cr_assert_eq(f->sink.len, f->mem.size, "%lld of %lld bytes", (long long)f->sink.len,
                 (long long)f->mem.size);
    cr_assert_eq(memcmp(f->sink.got, f->mem.data, (size_t)f->mem.size), 0);
}

static void teardown(Fixture *f)
{
    mqc_tap_avio_close(&f->pb);
    cr_assert_null(f->pb);
    free(f->mem.data);
    free(f->sink.got);
}

#define MB (1LL << 20)
#define SLACK (256LL << 10)     /* AVIO read-ahead beyond what a demuxer asks */

Test(byte_tap, sequential_reads_are_read_once)
{
    Fixture f;
    setup(&f, 9 * MB + 12345);
    subscribe(&f);
    demux(&f, 0, f.mem.size);
    finish_whole(&f);
    cr_expect_eq(f.mem.bytes_read, f.mem.size);
    teardown(&f);
}

Test(byte_tap, index_at_the_end_is_read_again_only_itself)
{
    /* mov without faststart: header, a look at the moov atom at the end,
     * back to the samples, which end where the moov starts */
    Fixture f;
    int64_t size = 20 * MB, moov = 300000;
    setup(&f, size);
    subscribe(&f);
    demux(&f, 0, 40);
    demux(&f, size - moov, moov);
    demux(&f, 48, size - moov - 48);
    finish_whole(&f);
    cr_expect_leq(f.mem.bytes_read, size + moov + SLACK, "%lld bytes read for %lld",
                  (long long)f.mem.bytes_read, (long long)size);
    teardown(&f);
}

Test(byte_tap, late_subscription_catches_up)
{
    /* the engine reads the header and the first frames before a check's
     * init() subscribes */
    Fixture f;
    int64_t size = 12 * MB;
    setup(&f, size);
    demux(&f, 0, 3 * MB);
    subscribe(&f);
    demux(&f, 3 * MB, size - 3 * MB);
    finish_whole(&f);
    cr_expect_leq(f.mem.bytes_read, size + 3 * MB + SLACK);
    teardown(&f);
}

Test(byte_tap, skipped_ranges_are_read_for_the_tap)
{
    /* another stream's samples skipped: small gaps at once, a large gap
     * the demuxer never comes back to after as many bytes beyond it */
    Fixture f;
    int64_t size = 64 * MB, pos = 0;
    setup(&f, size);
    subscribe(&f);
    for (int i = 0; i < 10; i++) {
        demux(&f, pos, MB);
        pos += MB + 200000;
    }
    demux(&f, pos + 10 * MB, size - pos - 10 * MB);
    finish_whole(&f);
    /* the bytes past the large gap up to its size are read twice, no more */
    cr_expect_leq(f.mem.bytes_read, size + 10 * MB + SLACK, "%lld bytes read for %lld",
                  (long long)f.mem.bytes_read, (long long)size);
    teardown(&f);
}

Test(byte_tap, random_reads_give_the_file_in_order)
{
    Fixture f;
    int64_t size = 16 * MB;
    setup(&f, size);
    subscribe(&f);
    uint32_t x = 12345;
    for (int i = 0; i < 60; i++) {
        x = x * 1103515245u + 12345u;
        int64_t pos = (int64_t)(x % (uint32_t)size);
        x = x * 1103515245u + 12345u;
        int64_t len = 1 + (int64_t)(x % (uint32_t)(2 * MB));
        if (pos + len > size)
            len = size - pos;
        demux(&f, pos, len);
    }
    finish_whole(&f);
    teardown(&f);
}

Test(byte_tap, nothing_is_read_for_nobody)
{
    Fixture f;
    setup(&f, 5 * MB);
    demux(&f, 0, MB);
    demux(&f, 4 * MB, MB);
    mqc_byte_tap_finish(f.tap);
    cr_expect_eq(f.sink.ends, 0);
    cr_expect_leq(f.mem.bytes_read, 2 * MB + SLACK);
    teardown(&f);
}

Test(byte_tap, a_read_error_ends_the_stream_with_it)
{
    Fixture f;
    int64_t size = 10 * MB;
    setup(&f, size);
    subscribe(&f);
    demux(&f, 0, MB);
    f.mem.fail_at = 7 * MB;     /* the demuxer stops before; the tap's rest-read fails */
    mqc_byte_tap_finish(f.tap);
    cr_expect_eq(f.sink.ends, 1);
    cr_expect_eq(f.sink.status, AVERROR(EIO));
    cr_expect_lt(f.sink.len, size);
    cr_expect_eq(memcmp(f.sink.got, f.mem.data, (size_t)f.sink.len), 0);
    teardown(&f);
}

Test(byte_tap, every_subscriber_gets_the_bytes)
{
    Fixture f;
    setup(&f, 3 * MB);
    Sink other = { .got = malloc(3 * MB), .cap = 3 * MB };
    subscribe(&f);
    cr_assert_eq(mqc_byte_tap_subscribe(f.tap, sink_fn, &other), 0);
    demux(&f, 0, 3 * MB);
    finish_whole(&f);
    cr_expect_eq(other.len, 3 * MB);
    cr_expect_eq(other.ends, 1);
    cr_expect_eq(memcmp(other.got, f.mem.data, (size_t)other.len), 0);
    free(other.got);
    teardown(&f);
}

Test(byte_tap, a_local_file_as_source)
{
    char path[] = "/tmp/mqc-tap-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    uint8_t data[70000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7);
    cr_assert_eq(write(fd, data, sizeof(data)), (ssize_t)sizeof(data));
    close(fd);
    MqcByteSource src;
    MqcMsg msg;
    cr_assert_eq(mqc_file_source_open(path, &src, &msg), 0);
    cr_expect_eq(src.size, (int64_t)sizeof(data));
    uint8_t buf[100];
    cr_expect_eq(src.read_at(src.opaque, 69950, buf, 100), 50);
    cr_expect_eq(memcmp(buf, data + 69950, 50), 0);
    cr_expect_eq(src.read_at(src.opaque, 70000, buf, 100), 0);
    src.close(src.opaque);
    unlink(path);
    cr_expect_eq(mqc_file_source_open(path, &src, &msg), MQC_ERR_NOT_FOUND);
    cr_expect(strstr(msg.text, path) != NULL, "%s", msg.text);
}
