/* Demux + decode of one video stream, with a one-time libswscale conversion
 * for pixel formats the checks do not read directly. */
#ifndef MQC_INPUT_H
#define MQC_INPUT_H

#include <libavutil/frame.h>
#include "mediaqc.h"

typedef struct MqcInput MqcInput;

/* Opens the file and its video stream; fills the container facts of *si.
 * On failure returns MQC_ERR_NOT_FOUND / MQC_ERR_USAGE / MQC_ERR_UNREADABLE
 * with the cause in msg. */
int mqc_input_open(MqcInput **out, const char *path, int stream_index, int threads,
                   int64_t max_pixels, MqcStreamInfo *si, char *format_name, size_t format_len, MqcMsg *msg);
/* Next frame in display order, in the pixel format the checks read.
 * The first call also completes *si (pixel format, depth, range).
 * Returns 0, AVERROR_EOF at the end, or another negative error (fatal). */
int mqc_input_read(MqcInput *in, AVFrame *out, MqcStreamInfo *si);
/* Decode problems since the last call: their number; the first one is
 * described in `what`, its byte position in *pos (-1 when unknown). */
int mqc_input_take_issues(MqcInput *in, char *what, size_t len, int64_t *pos);
/* After the last read: reads what the demuxer skipped of the file for the
 * subscribers of si->file_bytes and ends their stream. */
void mqc_input_finish_bytes(MqcInput *in);
void mqc_input_close(MqcInput **in);
/* Fills a picture view of a frame returned by mqc_input_read. */
void mqc_picture_from_frame(MqcPicture *pic, const AVFrame *f, const MqcStreamInfo *si);

#endif
