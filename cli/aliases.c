#include <stdio.h>
#include <string.h>
#include "aliases.h"

const MqcFlagAlias mqc_flag_aliases[] = {
    { "check", 'R', "checksum.reference", NULL },     /* --reference */
    { "check", 'M', "checksum.mhl", NULL },           /* --mhl */
    { "hash", 'a', "checksum.algorithm", NULL },      /* --algorithm */
    { "hash", 0, "checksum.file_hash", "false" },     /* hash prints frames, not the file */
    { NULL, 0, NULL, NULL }
};

const MqcFlagAlias *mqc_flag_alias(const char *command, int flag)
{
    for (const MqcFlagAlias *a = mqc_flag_aliases; a->command; a++)
        if (flag && a->flag == flag && !strcmp(a->command, command))
            return a;
    return NULL;
}

void mqc_flag_alias_set(const MqcFlagAlias *a, const char *value, char *buf, size_t len)
{
    snprintf(buf, len, "%s=%s", a->option, value);
}

const MqcOption *mqc_flag_alias_option(const MqcCheck *const *reg, const MqcFlagAlias *a)
{
    const char *dot = strchr(a->option, '.');
    char check[64];
    if (!dot)
        return NULL;
    snprintf(check, sizeof(check), "%.*s", (int)(dot - a->option), a->option);
    const MqcCheck *c = mqc_registry_find(reg, check);
    for (const MqcOption *o = c ? c->options : NULL; o && o->name; o++)
        if (!strcmp(o->name, dot + 1))
            return o;
    return NULL;
}
