/* libFuzzer: demux + decode + every check + the report, on arbitrary bytes
 * (seeded with tiny real clips). One thread: the fuzzer wants repeatable runs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cjson/cJSON.h>
#include <libavutil/log.h>
#include "checks/all.h"
#include "engine/mediaqc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[] = "/tmp/mqc-fuzz-decode-XXXXXX";
    static MqcProfile *profile;
    if (!profile) {
        MqcMsg msg;
        av_log_set_level(AV_LOG_QUIET);
        if (!mkdtemp(dir) || mqc_profile_load(mqc_all_checks, MQC_DEFAULT_PROFILE, &profile,
                                              &msg) < 0)
            abort();
    }
    char path[sizeof(dir) + 16];
    snprintf(path, sizeof(path), "%s/input", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);

    MqcRunOptions opt = { .input = path, .stream_index = -1, .threads = 1,
                          .max_pixels = 128 * 128 };
    MqcMsg msg;
    MqcRun *run = NULL;
    if (mqc_run(mqc_all_checks, profile, &opt, &run, &msg) == 0) {
        cJSON *report = mqc_report_json(run, 0, NULL);
        char *text = cJSON_PrintUnformatted(report);
        free(text);
        cJSON_Delete(report);
        mqc_run_free(run);
    }
    return 0;
}
