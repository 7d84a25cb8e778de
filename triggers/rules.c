#define _GNU_SOURCE   /* FNM_CASEFOLD */
/* Profile-selection rules (rules.h). */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>
#include "qc_job.h"
#include "rules.h"

typedef struct Rule {
    char name[128];
    const char *bucket, *prefix, *suffix;   /* point into the parsed document */
    MqcProfile *profile;
} Rule;

struct QcRules {
    cJSON *doc;
    Rule *rules;
    int n;
    MqcProfile *fallback;
    const cJSON *include, *exclude;     /* arrays of patterns, or NULL */
};

/* Sidecars that arrive beside media in a watch folder or a bucket: not media,
 * never QC'd unless a rules file says otherwise with its own "exclude". */
static const char *const default_exclude[] = {
    "*.txt", "*.md", "*.pdf", "*.json", "*.xml", "*.mhl", "*.md5", "*.sha1", "*.sha256",
    "*.csv", "*.edl", "*.ale", "*.srt", "*.vtt", "*.scc", "*.log", "*.tmp", "*.part",
    ".*", "*/.*", NULL
};

void qc_rules_free(QcRules *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->n; i++)
        mqc_profile_free(r->rules[i].profile);
    mqc_profile_free(r->fallback);
    free(r->rules);
    cJSON_Delete(r->doc);
    free(r);
}

/* A profile named in the rules file: a path is relative to the file. */
static int load_profile(const MqcCheck *const *reg, const char *file, const char *where,
                        const char *name, MqcProfile **out, MqcMsg *msg)
{
    char path[4096];
    size_t n = strlen(name);
    const char *slash = file ? strrchr(file, '/') : NULL;
    int is_path = strchr(name, '/') || (n > 5 && !strcmp(name + n - 5, ".json"));
    if (is_path && name[0] != '/' && slash)
        snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - file), file, name);
    else
        snprintf(path, sizeof(path), "%s", name);
    MqcMsg why;
    if (mqc_profile_load(reg, path, out, &why) < 0) {
        if (file)
            mqc_msg(msg, "%s: %s: %s", file, where, why.text);
        else
            *msg = why;
        return MQC_ERR_PROFILE;
    }
    return 0;
}

static int string_field(const cJSON *obj, const char *key, const char *file, const char *path,
                        int required, const char **out, MqcMsg *msg)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (!v && !required)
        return 0;
    if (!cJSON_IsString(v) || !v->valuestring[0]) {
        mqc_msg(msg, "%s: %s%s%s: %s", file, path, *path ? "." : "", key,
                v ? "expected a non-empty string" : "missing (expected a non-empty string)");
        return MQC_ERR_PROFILE;
    }
    *out = v->valuestring;
    return 0;
}

static int only_keys(const cJSON *obj, const char *const *allowed, const char *file,
                     const char *path, MqcMsg *msg)
{
    for (const cJSON *c = obj->child; c; c = c->next) {
        const char *const *a = allowed;
        while (*a && strcmp(*a, c->string))
            a++;
        if (!*a) {
            mqc_msg(msg, "%s: %s%s%s: unknown key", file, path, *path ? "." : "", c->string);
            return MQC_ERR_PROFILE;
        }
    }
    return 0;
}

/* "include"/"exclude": arrays of shell patterns (fnmatch) on the object key or
 * the path inside the watch folder; '*' also crosses '/'. */
static int pattern_list(const cJSON *doc, const char *key, const char *file, const cJSON **out,
                        MqcMsg *msg)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, key);
    *out = NULL;
    if (!v)
        return 0;
    if (!cJSON_IsArray(v)) {
        mqc_msg(msg, "%s: %s: expected an array of patterns such as \"*.mov\"", file, key);
        return MQC_ERR_PROFILE;
    }
    int i = 0;
    for (const cJSON *p = v->child; p; p = p->next, i++)
        if (!cJSON_IsString(p) || !p->valuestring[0]) {
            mqc_msg(msg, "%s: %s[%d]: expected a non-empty pattern string", file, key, i);
            return MQC_ERR_PROFILE;
        }
    *out = v;
    return 0;
}

static int matches_any(const cJSON *list, const char *const *fallback, const char *key)
{
    if (list) {
        for (const cJSON *p = list->child; p; p = p->next)
            if (!fnmatch(p->valuestring, key, FNM_CASEFOLD))
                return 1;
        return 0;
    }
    for (; fallback && *fallback; fallback++)
        if (!fnmatch(*fallback, key, FNM_CASEFOLD))
            return 1;
    return 0;
}

int qc_rules_wants(const QcRules *r, const char *key)
{
    if (r->include && !matches_any(r->include, NULL, key))
        return 0;
    return !matches_any(r->exclude, default_exclude, key);
}

static int parse_rules(const MqcCheck *const *reg, QcRules *r, const char *file, MqcMsg *msg)
{
    static const char *const top_keys[] = { "description", "default_profile", "rules",
                                            "include", "exclude", NULL };
    static const char *const rule_keys[] = { "name", "bucket", "prefix", "suffix", "profile",
                                             NULL };
    const char *ignored;
    if (!cJSON_IsObject(r->doc)) {
        mqc_msg(msg, "%s: expected a JSON object with \"rules\"", file);
        return MQC_ERR_PROFILE;
    }
    int ret = only_keys(r->doc, top_keys, file, "", msg);
    if (ret >= 0)
        ret = string_field(r->doc, "description", file, "", 0, &ignored, msg);
    if (ret < 0)
        return ret;
    if ((ret = pattern_list(r->doc, "include", file, &r->include, msg)) < 0 ||
        (ret = pattern_list(r->doc, "exclude", file, &r->exclude, msg)) < 0)
        return ret;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(r->doc, "rules");
    if (list && !cJSON_IsArray(list)) {
        mqc_msg(msg, "%s: rules: expected an array of rules", file);
        return MQC_ERR_PROFILE;
    }
    int n = cJSON_GetArraySize(list), i = 0;
    r->rules = calloc((size_t)(n ? n : 1), sizeof(*r->rules));
    if (!r->rules)
        return MQC_ERR_NOMEM;
    const cJSON *o;
    /* linear walk: cJSON_GetArrayItem(list, i) would restart from the head */
    cJSON_ArrayForEach(o, list) {
        Rule *rule = &r->rules[i];
        char path[48], where[64];
        const char *name, *profile;
        snprintf(path, sizeof(path), "rules[%d]", i);
        if (!cJSON_IsObject(o)) {
            mqc_msg(msg, "%s: %s: expected an object", file, path);
            return MQC_ERR_PROFILE;
        }
        if ((ret = only_keys(o, rule_keys, file, path, msg)) < 0 ||
            (ret = string_field(o, "name", file, path, 0, &name, msg)) < 0 ||
            (ret = string_field(o, "bucket", file, path, 0, &rule->bucket, msg)) < 0 ||
            (ret = string_field(o, "prefix", file, path, 0, &rule->prefix, msg)) < 0 ||
            (ret = string_field(o, "suffix", file, path, 0, &rule->suffix, msg)) < 0 ||
            (ret = string_field(o, "profile", file, path, 1, &profile, msg)) < 0)
            return ret;
        if (!rule->bucket && !rule->prefix && !rule->suffix) {
            /* a catch-all rule is what default_profile is for */
            mqc_msg(msg, "%s: %s: needs at least one of bucket, prefix, suffix", file, path);
            return MQC_ERR_PROFILE;
        }
        snprintf(rule->name, sizeof(rule->name), "%s", name ? name : path);
        snprintf(where, sizeof(where), "%s.profile", path);
        if ((ret = load_profile(reg, file, where, profile, &rule->profile, msg)) < 0)
            return ret;
        r->n = ++i;
    }
    return 0;
}

int qc_rules_load(const MqcCheck *const *reg, const char *path, const char *default_profile,
                  QcRules **out, MqcMsg *msg)
{
    *out = NULL;
    QcRules *r = calloc(1, sizeof(*r));
    if (!r)
        return MQC_ERR_NOMEM;
    int ret = 0;
    const char *fallback = default_profile;
    if (path) {
        ret = qc_parse_json_file(path, &r->doc, msg);
        if (ret >= 0)
            ret = parse_rules(reg, r, path, msg);
        const char *from_file = NULL;
        if (ret >= 0)
            ret = string_field(r->doc, "default_profile", path, "", 0, &from_file, msg);
        if (!fallback)
            fallback = from_file;
    }
    /* a --profile value is the user's, relative to the working directory */
    if (ret >= 0)
        ret = load_profile(reg, fallback && !default_profile ? path : NULL, "default_profile",
                           fallback ? fallback : MQC_DEFAULT_PROFILE, &r->fallback, msg);
    if (ret < 0) {
        qc_rules_free(r);
        return ret;
    }
    *out = r;
    return 0;
}

static int ends_with_nocase(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcasecmp(s + n - m, suffix);
}

const MqcProfile *qc_rules_select(const QcRules *r, const char *bucket, const char *key,
                                  const char **rule)
{
    for (int i = 0; i < r->n; i++) {
        const Rule *x = &r->rules[i];
        if ((!x->bucket || !strcmp(x->bucket, bucket)) &&
            (!x->prefix || !strncmp(key, x->prefix, strlen(x->prefix))) &&
            (!x->suffix || ends_with_nocase(key, x->suffix))) {   /* .MOV from cameras */
            *rule = x->name;
            return x->profile;
        }
    }
    *rule = "default";
    return r->fallback;
}
