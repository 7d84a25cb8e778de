/* Runtime CPU detection for the SIMD kernels. The kernels are built with
 * per-function target attributes, so the program runs on any x86-64 and
 * picks them only when the CPU has the feature. */
#ifndef MQC_CPU_H
#define MQC_CPU_H

#define MQC_CPU_SSE2 (1u << 0)
#define MQC_CPU_AVX2 (1u << 1)

/* What the CPU (and OS) supports, ignoring MQC_CPU_MASK. */
unsigned mqc_cpu_detect(void);

/* mqc_cpu_detect() & $MQC_CPU_MASK (when set; e.g. MQC_CPU_MASK=0 forces
 * the C kernels), read once. */
unsigned mqc_cpu_flags(void);

#endif
