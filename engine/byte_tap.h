/* The input's bytes as the demuxer reads them, local or remote, handed in
 * file order to the subscribers of an MqcByteTap (check.h): a whole-file
 * hash without a second read of the file. Engine-internal. */
#ifndef MQC_BYTE_TAP_H
#define MQC_BYTE_TAP_H

#include <stdint.h>
#include "mediaqc.h"

struct AVIOContext;

/* Where the bytes come from: positioned reads (pread, ranged GETs). */
typedef struct MqcByteSource {
    void *opaque;
    /* up to size bytes at pos: the number read, 0 at the end of the file,
     * or a negative AVERROR */
    int (*read_at)(void *opaque, int64_t pos, uint8_t *buf, int size);
    void (*close)(void *opaque);
    int64_t size;               /* bytes; -1 when unknown */
    /* Optional: nothing at or after `end` will be wanted (a segment's last
     * byte): a remote source reads no further ahead. */
    void (*read_until)(void *opaque, int64_t end);
} MqcByteSource;

/* A local regular file as a source. Errors name the file in msg. */
int mqc_file_source_open(const char *path, MqcByteSource *src, MqcMsg *msg);

/* A seekable AVIOContext over src whose reads feed a tap. Takes src over:
 * it is closed with the context, also when this fails. */
int mqc_tap_avio_open(const MqcByteSource *src, struct AVIOContext **pb, MqcByteTap **tap);
/* Frees a context from mqc_tap_avio_open and its tap (NULL is fine). */
void mqc_tap_avio_close(struct AVIOContext **pb);

/* Tells the source that reads stop before byte `end` (a segment); -1: no
 * such limit any more. */
void mqc_byte_tap_read_until(MqcByteTap *tap, int64_t end);

/* Reads the bytes the demuxer has not (skipped ranges, the rest of the
 * file), hands them over and ends the subscribers' stream. Call once, after
 * the last demuxer read; nothing is read when nobody subscribed. */
void mqc_byte_tap_finish(MqcByteTap *tap);

#endif
