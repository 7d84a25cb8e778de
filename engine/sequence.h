/* Numbered image sequences: the files of a printf pattern (shot_%04d.dpx)
 * present in its directory. The engine reads them in runs of consecutive
 * numbers; checks ask which numbers exist (check.h). */
#ifndef MQC_SEQUENCE_H
#define MQC_SEQUENCE_H

#include "mediaqc.h"

/* A path with one %d conversion (%04d, ...) that names files by number. */
int mqc_sequence_is_pattern(const char *path);
/* Lists the pattern's directory: numbers from start_number (-1: the lowest
 * present). MQC_ERR_NOT_FOUND when no file matches. */
int mqc_sequence_open(MqcSequence **out, const char *pattern, int64_t start_number,
                      MqcMsg *msg);
/* The pattern of the one numbered image sequence in directory dir
 * (dir/shot_%04d.dpx), or MQC_ERR_USAGE naming what is there instead. */
int mqc_sequence_pattern_of_dir(const char *dir, char *pattern, size_t len, MqcMsg *msg);
/* The next run of consecutive numbers; 0 after the last. */
int mqc_sequence_next_run(MqcSequence *s, int64_t *first, int64_t *count);
int64_t mqc_sequence_start(const MqcSequence *s);
int64_t mqc_sequence_last(const MqcSequence *s);
void mqc_sequence_free(MqcSequence **s);

#endif
