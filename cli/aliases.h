/* The one table of flag aliases: program flags that set an option of a
 * check. Outside this table and the registry list (checks/all.c) the
 * program names no check. */
#ifndef MQC_CLI_ALIASES_H
#define MQC_CLI_ALIASES_H

#include <stddef.h>
#include "../engine/mediaqc.h"

typedef struct MqcFlagAlias {
    const char *command;        /* the subcommand: "check", "hash" */
    int flag;                   /* its getopt value; 0: set on every run with `value` */
    const char *option;         /* CHECK.OPTION */
    const char *value;          /* for flag 0 */
} MqcFlagAlias;

extern const MqcFlagAlias mqc_flag_aliases[];  /* ends with { NULL } */

/* The alias of flag (0 is none) of command, or NULL. */
const MqcFlagAlias *mqc_flag_alias(const char *command, int flag);
/* "CHECK.OPTION=value" of an alias in buf. */
void mqc_flag_alias_set(const MqcFlagAlias *a, const char *value, char *buf, size_t len);
/* The option table entry an alias sets, or NULL. */
const MqcOption *mqc_flag_alias_option(const MqcCheck *const *reg, const MqcFlagAlias *a);

#endif
