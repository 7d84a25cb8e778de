/* libFuzzer: what merge reads of a partial besides its payload — the JSON
 * members (schema, build, input, segment, profile, the checks' states and
 * results). The input is a partial's JSON; the harness gives it the payload
 * of a real one-segment partial of this build ($MQC_FUZZ_PARTIAL:
 * scripts/fuzz.sh makes it from a 64x36 ProRes + PCM clip, and the seed is
 * that partial without its payload), seals it with the checksum a segment
 * writes and merges it. The payload itself (the checks' results as raw
 * structs) is guarded by that checksum against damage, not against a
 * forger: partials are the workers' own intermediate files
 * (docs/segments.md). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "checks/all.h"
#include "engine/mediaqc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cJSON *load_template(const char *path)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f)
        return NULL;
    char *text = NULL;
    size_t len = 0;
    if (!fseek(f, 0, SEEK_END) && (len = (size_t)ftell(f)) > 0 && !fseek(f, 0, SEEK_SET) &&
        (text = malloc(len)) && fread(text, 1, len, f) != len) {
        free(text);
        text = NULL;
    }
    fclose(f);
    cJSON *doc = text ? cJSON_ParseWithLength(text, len) : NULL;
    free(text);
    return doc;
}

static const char *const payload[] = { "stream", "audio", "audio_records", "records" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cJSON *tmpl;
    static char path[] = "/tmp/mqc-fuzz-partial-XXXXXX";
    static int fd = -1;
    if (!tmpl) {
        const char *where = getenv("MQC_FUZZ_PARTIAL");
        MqcRun *run = NULL;
        MqcMsg msg = { .text = { 0 } };
        /* a template this build refuses (another version) would fuzz nothing */
        if (!(tmpl = load_template(where)) ||
            mqc_merge(mqc_all_checks, &where, 1, &(MqcRunOptions){ .threads = 1 }, &run,
                      &msg) < 0) {
            fprintf(stderr, "fuzz_partial: $MQC_FUZZ_PARTIAL (%s) is not a partial this build "
                    "merges: %s\n", where ? where : "unset", msg.text);
            abort();
        }
        mqc_run_free(run);
    }
    if (fd < 0 && (fd = mkstemp(path)) < 0)
        abort();
    cJSON *doc = cJSON_ParseWithLength((const char *)data, size);
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return 0;
    }
    for (size_t i = 0; i < sizeof(payload) / sizeof(*payload); i++) {
        cJSON_DeleteItemFromObjectCaseSensitive(doc, payload[i]);
        cJSON_AddItemToObject(doc, payload[i], cJSON_Duplicate(
            cJSON_GetObjectItemCaseSensitive(tmpl, payload[i]), 1));
    }
    mqc_partial_seal(doc);
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    FILE *f = text ? fopen(path, "wb") : NULL;
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    free(text);
    if (!f)
        return 0;
    const char *parts[] = { path };
    MqcRunOptions opt = { .threads = 1 };
    MqcRun *run = NULL;
    MqcMsg msg;
    if (mqc_merge(mqc_all_checks, parts, 1, &opt, &run, &msg) >= 0) {
        cJSON_Delete(mqc_report_json(run, 0, NULL));
        mqc_run_free(run);
    }
    return 0;
}
