#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "internal.h"

const char *mqc_strerror(int err)
{
    switch (err) {
    case MQC_OK:             return "success";
    case MQC_ERR_NOMEM:      return "out of memory";
    case MQC_ERR_PROFILE:    return "invalid profile";
    case MQC_ERR_UNREADABLE: return "input cannot be analysed";
    default:                 break;
    }
    /* errno values and libavutil's tags */
    static _Thread_local char text[AV_ERROR_MAX_STRING_SIZE];
    if (av_strerror(err, text, sizeof(text)) < 0)
        snprintf(text, sizeof(text), "error %d", err);
    return text;
}

const char *mqc_verdict_name(MqcVerdict v)
{
    return v == MQC_PASS ? "pass" : v == MQC_FAIL ? "fail" : "error";
}

MqcExitCode mqc_exit_code(int err, MqcVerdict verdict)
{
    if (err >= 0)
        return verdict == MQC_PASS ? MQC_EXIT_PASS : verdict == MQC_FAIL ? MQC_EXIT_FAIL
                                                                         : MQC_EXIT_UNREADABLE;
    switch (err) {
    case MQC_ERR_USAGE:
    case MQC_ERR_NOT_FOUND:
    case MQC_ERR_PROFILE:
    case MQC_ERR_IO:
        return MQC_EXIT_USAGE;
    default:    /* out of memory, unreadable input, anything libav* returned */
        return MQC_EXIT_UNREADABLE;
    }
}

/* Allocation-failure injection (docs/robustness.md): MQC_FAIL_ALLOC_AFTER=N
 * makes the allocation after N successful ones fail, once. */
static atomic_llong alloc_budget = -2;     /* -2: not read yet, -1: off */

int mqc_alloc_fails(void)
{
    long long b = atomic_load(&alloc_budget);
    if (b == -2) {
        const char *env = getenv("MQC_FAIL_ALLOC_AFTER");
        long n = -1;
        if (env && mqc_parse_long(env, 0, LONG_MAX, &n) < 0)
            n = -1;
        long long expect = -2;
        atomic_compare_exchange_strong(&alloc_budget, &expect, (long long)n);
    }
    for (b = atomic_load(&alloc_budget); b >= 0;)
        if (atomic_compare_exchange_weak(&alloc_budget, &b, b - 1))
            return b == 0;
    return 0;
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
