#include "all.h"

extern const MqcCheck mqc_check_decode;
extern const MqcCheck mqc_check_format;
extern const MqcCheck mqc_check_legal_range;
extern const MqcCheck mqc_check_gamut;
extern const MqcCheck mqc_check_black;
extern const MqcCheck mqc_check_freeze;
extern const MqcCheck mqc_check_dropped_frames;
extern const MqcCheck mqc_check_timecode;
extern const MqcCheck mqc_check_checksum;
extern const MqcCheck mqc_check_bit_depth;
extern const MqcCheck mqc_check_hdr;
extern const MqcCheck mqc_check_active_area;
extern const MqcCheck mqc_check_flash;
extern const MqcCheck mqc_check_interlace;
extern const MqcCheck mqc_check_loudness;
extern const MqcCheck mqc_check_silence;
extern const MqcCheck mqc_check_clipping;
extern const MqcCheck mqc_check_phase;

const MqcCheck *const mqc_all_checks[] = {
    &mqc_check_decode,
    &mqc_check_format,
    &mqc_check_legal_range,
    &mqc_check_gamut,
    &mqc_check_black,
    &mqc_check_freeze,
    &mqc_check_dropped_frames,
    &mqc_check_timecode,
    &mqc_check_checksum,
    &mqc_check_bit_depth,
    &mqc_check_hdr,
    &mqc_check_active_area,
    &mqc_check_flash,
    &mqc_check_interlace,
    &mqc_check_loudness,
    &mqc_check_silence,
    &mqc_check_clipping,
    &mqc_check_phase,
    NULL
};
