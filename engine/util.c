#include <stdarg.h>
#include <string.h>
#include "mediaqc.h"

const char *mqc_strerror(int err)
{
    switch (err) {
    case MQC_OK:             return "success";
    case MQC_ERR_NOMEM:      return "out of memory";
    case MQC_ERR_USAGE:      return "invalid usage";
    case MQC_ERR_PROFILE:    return "invalid profile";
    case MQC_ERR_NOT_FOUND:  return "file not found";
    case MQC_ERR_UNREADABLE: return "input cannot be analysed";
    case MQC_ERR_IO:         return "output could not be written";
    default:                 return "unknown error";
    }
}

void mqc_msg(MqcMsg *m, const char *fmt, ...)
{
    if (!m)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->text, sizeof(m->text), fmt, ap);
    va_end(ap);
}

const MqcCheck *mqc_registry_find(const MqcCheck *const *reg, const char *name)
{
    for (; reg && *reg; reg++)
        if (!strcmp((*reg)->name, name))
            return *reg;
    return NULL;
}

const char *mqc_severity_name(MqcSeverity s)
{
    static const char *const names[] = { "info", "warning", "error" };
    return names[s];
}
