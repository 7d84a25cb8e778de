/* Strict number parsing for command-line values (no atoi: the whole string
 * must be a number inside the range). */
#ifndef MQC_ARGS_H
#define MQC_ARGS_H

int mqc_parse_long(const char *s, long lo, long hi, long *out);
int mqc_parse_int(const char *s, int lo, int hi, int *out);
int mqc_parse_double(const char *s, double lo, double hi, double *out);

struct MqcSequenceOptions;
/* The image-sequence options shared by check and hash: which = 'N'
 * (--start-number, an integer >= 0) or 'F' (--frame-rate: 24, 24000/1001,
 * 23.976, ntsc as ffmpeg reads them). */
int mqc_parse_sequence_option(int which, const char *s, struct MqcSequenceOptions *seq);
/* Its usage message: a printf format taking the rejected value. */
const char *mqc_sequence_option_usage(int which);

#endif
