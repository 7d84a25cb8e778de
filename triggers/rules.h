/* Which profile QCs an object: rules on bucket, key prefix and key suffix
 * from a small JSON file (docs/triggers.md), first match wins, else the
 * default profile. Every profile named is loaded and validated up front,
 * so a bad rules file fails at start-up, not on the first upload. */
#ifndef MQC_CLI_RULES_H
#define MQC_CLI_RULES_H

#include "../engine/mediaqc.h"

typedef struct QcRules QcRules;

/* path may be NULL (no rules: every object gets the default profile).
 * default_profile (--profile) overrides the file's "default_profile";
 * without either it is "default". Errors name the file and the JSON path. */
int qc_rules_load(const MqcCheck *const *reg, const char *path, const char *default_profile,
                  QcRules **out, MqcMsg *msg);
/* The profile for an object (bucket "" for watch-folder files); *rule gets
 * the matching rule's name, or "default". */
const MqcProfile *qc_rules_select(const QcRules *r, const char *bucket, const char *key,
                                  const char **rule);
/* 0 when the object is not media to QC: it matches none of the rules file's
 * "include" patterns (when given), or one of its "exclude" patterns (default:
 * sidecars such as *.txt, *.xml, *.mhl and hidden files). */
int qc_rules_wants(const QcRules *r, const char *key);
void qc_rules_free(QcRules *r);

#endif
