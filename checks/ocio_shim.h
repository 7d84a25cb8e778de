/* A small C view of OpenColorIO (a C++ library) for the gamut check:
 * colour-space processors from a config file, applied to packed RGB floats. */
#ifndef MQC_OCIO_SHIM_H
#define MQC_OCIO_SHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MqcOcioProcessor MqcOcioProcessor;

/* The processor from colour space `src` to `dst` of the config file at
 * `config_path`. Processors are cached per (config, src, dst) and live until
 * the process exits: checks have no close callback, and a run needs one.
 * Returns 0, or -1 with the cause in err (unreadable or invalid config,
 * unknown colour space together with the valid names). */
int mqc_ocio_processor(const char *config_path, const char *src, const char *dst,
                       const MqcOcioProcessor **out, char *err, size_t err_len);

/* Transforms n packed R,G,B float pixels in place. Safe from any thread. */
void mqc_ocio_apply(const MqcOcioProcessor *p, float *rgb, int n);

#ifdef __cplusplus
}
#endif

#endif
