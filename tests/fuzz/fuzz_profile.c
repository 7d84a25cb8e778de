/* libFuzzer: the profile loader (parse, strict validation, extends, merge,
 * option application) on arbitrary bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "checks/all.h"
#include "engine/mediaqc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[] = "/tmp/mqc-fuzz-profile-XXXXXX";
    static int ready;
    if (!ready && !mkdtemp(dir))
        return 0;
    ready = 1;
    char path[sizeof(dir) + 16];
    snprintf(path, sizeof(path), "%s/p.json", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);

    MqcMsg msg;
    MqcProfile *p = NULL;
    if (mqc_profile_load(mqc_all_checks, path, &p, &msg) == 0) {
        /* what a run does with a valid profile: fill every check's options */
        for (const MqcCheck *const *c = mqc_all_checks; *c; c++) {
            void *priv = calloc(1, (*c)->priv_size);
            if (!priv)
                continue;
            mqc_options_apply((*c)->options, priv, NULL);
            mqc_options_release((*c)->options, priv);
            free(priv);
        }
        mqc_profile_set(mqc_all_checks, p, "black.min_duration_s=1", &msg);
        mqc_profile_free(p);
    }
    return 0;
}
