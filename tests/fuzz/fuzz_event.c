/* libFuzzer: the S3 event-notification parser (URL-encoded keys, hostile
 * paths, record counts); the rules loader has its own, fuzz_rules.c. */
#include <stdint.h>
#include "triggers/qc_job.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    MqcMsg msg;
    QcRecord *records = NULL;
    int n = 0;
    if (qc_event_parse((const char *)data, size, "fuzz", "qc-reports/", &records, &n, &msg) >= 0)
        qc_records_free(records, n);
    return 0;
}
