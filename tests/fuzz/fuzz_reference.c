/* libFuzzer: the checksum references (ffmpeg framemd5/framehash text,
 * `mediaqc hash` output, --frames JSONL, reports) and ASC MHL manifests. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "checks/checksum_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[] = "/tmp/mqc-fuzz-reference-XXXXXX";
    static int ready;
    if (!ready && !mkdtemp(dir))
        return 0;
    ready = 1;
    char path[sizeof(dir) + 16], media[sizeof(dir) + 16];
    snprintf(path, sizeof(path), "%s/ref", dir);
    snprintf(media, sizeof(media), "%s/A001.mov", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);

    char why[512];
    MqcReference ref;
    if (mqc_reference_load(path, 24000, 1001, &ref, why, sizeof(why)) >= 0)
        mqc_reference_free(&ref);
    MqcMhlEntry entry;
    mqc_mhl_find(path, media, &entry, why, sizeof(why));
    return 0;
}
