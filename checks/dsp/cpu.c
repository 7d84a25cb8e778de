#include <pthread.h>
#include <stdlib.h>
#include "cpu.h"

unsigned mqc_cpu_detect(void)
{
    unsigned flags = 0;
#if defined(__x86_64__) || defined(__i386__)
    /* safe before constructors have run; "avx2" also checks that the OS
     * saves the YMM registers (XGETBV) */
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sse2"))
        flags |= MQC_CPU_SSE2;
    if (__builtin_cpu_supports("avx2"))
        flags |= MQC_CPU_AVX2;
#endif
    return flags;
}

static unsigned cpu_flags;
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;

static void read_flags(void)
{
    cpu_flags = mqc_cpu_detect();
    const char *mask = getenv("MQC_CPU_MASK");
    if (mask && *mask) {
        char *end;
        unsigned long m = strtoul(mask, &end, 0);
        if (!*end)              /* ignore garbage rather than guess */
            cpu_flags &= (unsigned)m;
    }
}

unsigned mqc_cpu_flags(void)
{
    pthread_once(&cpu_once, read_flags);
    return cpu_flags;
}
