/* MPEG-1/2 GOP-header timecode (engine/gop_timecode.c). */
#ifndef MQC_GOP_TIMECODE_H
#define MQC_GOP_TIMECODE_H

#include <stdint.h>
#include <libavutil/rational.h>

/* When the packet holds a GOP header: 1 with the timecode of the picture
 * after it as a frame number on a counter at `rate` (drop-frame when *drop),
 * else 0. */
int mqc_gop_timecode(const uint8_t *data, int size, AVRational rate, int64_t *number, int *drop);

#endif
