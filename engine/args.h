/* Strict number parsing for command-line values (no atoi: the whole string
 * must be a number inside the range). */
#ifndef MQC_ARGS_H
#define MQC_ARGS_H

int mqc_parse_long(const char *s, long lo, long hi, long *out);
int mqc_parse_int(const char *s, int lo, int hi, int *out);
int mqc_parse_double(const char *s, double lo, double hi, double *out);

#endif
