/* Pictures of an input after its run (engine/mediaqc.h): the frames a
 * merged report's HTML shows, decoded again from the input the partials
 * name, each from the keyframe at or before it, as the run saw them. */
#include <string.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include "input.h"

/* Wanted frames closer than this to the previous one are decoded on to
 * rather than sought again (each seek opens the input anew). */
#define DECODE_ON_FRAMES 8

/* Decodes frames[0] and the frames that follow it closely from one open of
 * the input; *done: how many of frames[] it handed over. */
static int read_run(const char *path, int stream_index, uint64_t index_hash,
                    const int64_t *frames, size_t n, MqcPictureSink take, void *ud,
                    AVFrame *f, size_t *done, MqcMsg *msg)
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
        ret = mqc_input_frames(in, frames[0], frames[last] + 1, index_hash, msg);
    int64_t frame = frames[0];
    size_t i = 0;
    while (ret >= 0 && i <= last) {
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
        if (frame == frames[i] && (ret = take(ud, frame, f)) >= 0)
            i++;
        av_frame_unref(f);
        frame++;
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
    for (size_t i = 0; ret >= 0 && i < n;) {
        size_t done = 0;
        ret = read_run(path, stream_index, index_hash, frames + i, n - i, take, ud, f, &done,
                       msg);
        i += done;
    }
    av_frame_free(&f);
    return ret;
}
