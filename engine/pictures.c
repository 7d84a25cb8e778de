/* Pictures of an input after its run (engine/mediaqc.h): the frames a
 * merged report's HTML shows, decoded again from the input the partials
 * name, each from the keyframe at or before it (or further back, for an
 * open GOP's leading picture), numbered as the run numbered them. */
#include <string.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include "input.h"

/* Wanted frames closer than this to the previous one are decoded on to
 * rather than sought again (each seek opens the input anew). */
#define DECODE_ON_FRAMES 8
/* How far before a wanted frame decoding may start (frames). */
#define MAX_BACK 1024

/* Decodes frames[0] and the frames that follow it closely from one open of
 * the input, from the keyframe at or before frames[0] - back; *done: how
 * many of frames[] it handed over. 1 when the first picture out came after
 * frames[0]: an open GOP's keyframe, frames[0] one of the pictures shown
 * before it, which refer to the GOP before (decode from further back). */
static int read_run(const char *path, int stream_index, uint64_t index_hash,
                    const int64_t *frames, size_t n, int64_t back, MqcPictureSink take,
                    void *ud, AVFrame *f, size_t *done, MqcMsg *msg)
{
    size_t last = 0;
    while (last + 1 < n && frames[last + 1] - frames[last] <= DECODE_ON_FRAMES)
        last++;
    MqcInput *in = NULL;
    MqcStreamInfo si;
    char format[64];
    memset(&si, 0, sizeof(si));
    int ret = mqc_input_open(&in, path, stream_index, 1, MQC_DEFAULT_MAX_PIXELS, &si, format,
                             sizeof(format), msg, NULL);
    if (ret >= 0)
        ret = mqc_input_frames(in, frames[0], frames[last] + 1, frames[0] - back, index_hash,
                               msg);
    int64_t frame = frames[0] - 1;
    size_t i = 0;
    while (ret >= 0 && i <= last) {
        frame++;
        if ((ret = mqc_input_read(in, f, &si)) < 0 && mqc_input_misnumbered(in, msg) < 0) {
            ret = MQC_ERR_UNREADABLE;
            break;
        }
        if (ret < 0) {
            char err[AV_ERROR_MAX_STRING_SIZE];
            av_strerror(ret, err, sizeof(err));
            mqc_msg(msg, "%s: frame %lld could not be decoded (%s)", path, (long long)frame,
                    ret == AVERROR_EOF ? "the file ends before it" : err);
            ret = MQC_ERR_UNREADABLE;
            break;
        }
        if (mqc_input_position(in) != frame) {
            mqc_msg(msg, "%s: frame %lld could not be decoded (decoding came to frame %lld "
                    "instead)", path, (long long)frame, (long long)mqc_input_position(in));
            ret = frame == frames[0] && mqc_input_position(in) > frame ? 1
                                                                      : MQC_ERR_UNREADABLE;
            av_frame_unref(f);
            break;
        }
        if (frame == frames[i] && (ret = take(ud, frame, f)) >= 0)
            i++;
        av_frame_unref(f);
    }
    mqc_input_close(&in);
    *done = i;
    return ret;
}

int mqc_read_pictures(const char *path, int stream_index, uint64_t index_hash,
                      const int64_t *frames, size_t n, MqcPictureSink take, void *ud,
                      MqcMsg *msg)
{
    AVFrame *f = av_frame_alloc();
    if (!f)
        return MQC_ERR_NOMEM;
    int ret = 0;
    /* from the keyframe at or before the frame; further back each time the
     * first picture out comes after the one wanted (an open GOP's leading
     * picture: it refers to the GOP before), a few times */
    int64_t back = 0;
    for (size_t i = 0; ret >= 0 && i < n;) {
        size_t done = 0;
        ret = read_run(path, stream_index, index_hash, frames + i, n - i, back, take, ud, f,
                       &done, msg);
        i += done;
        if (ret == 1 && back < MAX_BACK) {
            back = back ? 4 * back : 1;
            ret = 0;
            msg->text[0] = 0;
        } else if (ret == 1) {
            ret = MQC_ERR_UNREADABLE;
        } else {
            back = 1;
        }
    }
    av_frame_free(&f);
    return ret;
}
