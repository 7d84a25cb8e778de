/* libFuzzer: the S3 event-notification parser (URL-encoded keys, hostile
 * paths) and the profile-selection rules loader. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "checks/all.h"
#include "triggers/qc_job.h"
#include "triggers/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    MqcMsg msg;
    QcRecord *records = NULL;
    int n = 0;
    if (qc_event_parse((const char *)data, size, "fuzz", "qc-reports/", &records, &n, &msg) >= 0)
        qc_records_free(records, n);

    static char dir[] = "/tmp/mqc-fuzz-event-XXXXXX";
    static int ready;
    if (!ready && !mkdtemp(dir))
        return 0;
    ready = 1;
    char path[sizeof(dir) + 16];
    snprintf(path, sizeof(path), "%s/rules.json", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    QcRules *rules = NULL;
    if (qc_rules_load(mqc_all_checks, path, NULL, &rules, &msg) >= 0) {
        const char *rule;
        qc_rules_select(rules, "bucket", "camera/A001.mov", &rule);
        qc_rules_free(rules);
    }
    return 0;
}
