/* libFuzzer: the profile-selection rules and the watch folder's
 * include/exclude patterns (triggers/rules.c). Input: the first line is an
 * object key, the rest is the rules file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "checks/all.h"
#include "triggers/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[] = "/tmp/mqc-fuzz-rules-XXXXXX";
    static int ready;
    if (!ready && !mkdtemp(dir))
        abort();
    ready = 1;
    const uint8_t *nl = memchr(data, '\n', size);
    size_t key_len = nl ? (size_t)(nl - data) : 0;
    char *key = malloc(key_len + 1);
    if (!key)
        return 0;
    memcpy(key, data, key_len);
    key[key_len] = 0;   /* a NUL inside cuts the key, as a C string does */
    char path[sizeof(dir) + 16];
    snprintf(path, sizeof(path), "%s/rules.json", dir);
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(key);
        return 0;
    }
    fwrite(data + key_len + (nl != NULL), 1, size - key_len - (nl != NULL), f);
    fclose(f);
    MqcMsg msg;
    QcRules *rules = NULL;
    if (qc_rules_load(mqc_all_checks, path, NULL, &rules, &msg) >= 0) {
        const char *rule = NULL;
        qc_rules_wants(rules, key);
        const MqcProfile *p = qc_rules_select(rules, "studio", key, &rule);
        if (!p || !rule)
            abort();   /* select always answers: a rule's profile or the default */
        qc_rules_free(rules);
    } else if (!memchr(msg.text, 0, sizeof(msg.text))) {
        abort();   /* the error message must be a string */
    }
    free(key);
    return 0;
}
