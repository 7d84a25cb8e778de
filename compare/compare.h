/* Comparison (DESIGN.md §9): what changed between two QC reports of one
 * title (`mediaqc diff`), and whether a proxy is the same program as its
 * original (`mediaqc conform`, conform.h). docs/compare.md. */
#ifndef MQC_COMPARE_H
#define MQC_COMPARE_H

#include "../engine/mediaqc.h"
#include "../reports/text.h"

#define MQC_DIFF_SCHEMA "mediaqc.diff/1"
/* Events of OLD and NEW are the same event when their spans overlap after
 * widening by this many frames (a re-encode that shifts a cut by a frame or
 * two still matches). */
#define MQC_DIFF_SHIFT 3

struct cJSON;

/* Reads a report for comparison. MQC_ERR_NOT_FOUND when the file is
 * missing, MQC_ERR_UNREADABLE when it is not a complete mediaqc.report/1
 * (not JSON, another schema, a partial): msg names the file and why. */
int mqc_diff_load(const char *path, struct cJSON **out, MqcMsg *msg);

/* The mediaqc.diff/1 document of two reports; `shift` is the matching
 * tolerance in frames. Returns 0 or MQC_ERR_NOMEM. */
int mqc_diff_reports(const struct cJSON *old_rep, const struct cJSON *new_rep,
                     const char *old_path, const char *new_path, int shift,
                     struct cJSON **out);
/* Exit code of `diff`: 1 when NEW has an error event OLD lacked, else 0. */
MqcExitCode mqc_diff_exit_code(const struct cJSON *diff);
/* The terminal summary (every line of text from the reports is cleaned). */
void mqc_diff_text(const struct cJSON *diff, MqcBuf *b);

#endif
