#include "cpu.h"
#include "structure.h"

#define SAMPLE uint8_t
#define SUFFIX 8
#include "structure_tmpl.c"
#undef SAMPLE
#undef SUFFIX

#define SAMPLE uint16_t
#define SUFFIX 16
#include "structure_tmpl.c"
#undef SAMPLE
#undef SUFFIX

void mqc_structure_dsp(unsigned cpu_flags, MqcStructureDsp *d)
{
    *d = (MqcStructureDsp){ { row_sum_8, row_sum_16 }, { column_sums_8, column_sums_16 },
                            { idet_row_8, idet_row_16 }, { flash_row_8, flash_row_16 } };
#if defined(__x86_64__) || defined(__i386__)
    if (cpu_flags & MQC_CPU_AVX2) {
        d->idet_row[0] = mqc_idet_row_8_avx2;
        d->idet_row[1] = mqc_idet_row_16_avx2;
    }
#endif
}
