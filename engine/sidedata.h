/* HDR side data (mastering display, content light level, Dolby Vision,
 * HDR10+) of a stream or a frame, as the checks read it. */
#ifndef MQC_SIDEDATA_H
#define MQC_SIDEDATA_H

#include <libavformat/avformat.h>
#include "check.h"

void mqc_hdr_from_stream(const AVStream *st, MqcHdrMetadata *m);
void mqc_hdr_from_frame(const AVFrame *f, MqcHdrMetadata *m);
/* The mastering display and content light level of the first frame where
 * the container has none (HEVC SEI, AV1 metadata OBUs). */
void mqc_hdr_complete_from_frame(const AVFrame *f, MqcHdrMetadata *m);

#endif
