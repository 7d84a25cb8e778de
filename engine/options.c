/* Option tables: the single description of a check's options, used for
 * profile validation, defaults, `mediaqc checks list` and report params. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "mediaqc.h"

static int choice_index(const MqcOption *o, const char *s)
{
    for (int i = 0; o->choices && o->choices[i]; i++)
        if (!strcmp(o->choices[i], s))
            return i;
    return -1;
}

void mqc_option_describe(const MqcOption *o, char *buf, size_t len)
{
    switch (o->type) {
    case MQC_OPT_BOOL:
        snprintf(buf, len, "boolean");
        break;
    case MQC_OPT_INT:
        snprintf(buf, len, "integer in [%.15g, %.15g]", o->min, o->max);
        break;
    case MQC_OPT_DOUBLE:
        snprintf(buf, len, "number in [%.15g, %.15g]", o->min, o->max);
        break;
    case MQC_OPT_STRING:
        snprintf(buf, len, "string or null");
        break;
    case MQC_OPT_ENUM: {
        size_t n = (size_t)snprintf(buf, len, "one of:");
        for (int i = 0; o->choices[i] && n < len; i++)
            n += (size_t)snprintf(buf + n, len - n, "%s %s", i ? "," : "", o->choices[i]);
        break;
    }
    }
}

void mqc_option_default_string(const MqcOption *o, char *buf, size_t len)
{
    switch (o->type) {
    case MQC_OPT_BOOL:   snprintf(buf, len, "%s", o->def != 0 ? "true" : "false"); break;
    case MQC_OPT_INT:    snprintf(buf, len, "%lld", (long long)o->def); break;
    case MQC_OPT_DOUBLE: snprintf(buf, len, "%g", o->def); break;
    case MQC_OPT_ENUM:   snprintf(buf, len, "%s", o->choices[(int)o->def]); break;
    case MQC_OPT_STRING: snprintf(buf, len, "%s", o->def_str ? o->def_str : "(none)"); break;
    }
}

static const MqcOption *find_option(const MqcOption *opts, const char *name)
{
    for (; opts && opts->name; opts++)
        if (!strcmp(opts->name, name))
            return opts;
    return NULL;
}

static int value_ok(const MqcOption *o, const cJSON *v)
{
    switch (o->type) {
    case MQC_OPT_BOOL:
        return cJSON_IsBool(v);
    case MQC_OPT_INT:
        return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
               v->valuedouble == floor(v->valuedouble) &&
               v->valuedouble >= o->min && v->valuedouble <= o->max;
    case MQC_OPT_DOUBLE:
        return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
               v->valuedouble >= o->min && v->valuedouble <= o->max;
    case MQC_OPT_STRING:
        return cJSON_IsString(v) || cJSON_IsNull(v);   /* null: unset */
    case MQC_OPT_ENUM:
        return cJSON_IsString(v) && choice_index(o, v->valuestring) >= 0;
    }
    return 0;
}

int mqc_options_validate(const MqcOption *opts, const cJSON *obj, const char *file,
                         const char *path, MqcMsg *msg)
{
    if (!cJSON_IsObject(obj)) {
        mqc_msg(msg, "%s: %s: expected an object", file, path);
        return MQC_ERR_PROFILE;
    }
    for (const cJSON *it = obj->child; it; it = it->next) {
        const MqcOption *o = find_option(opts, it->string);
        if (!o) {
            char names[512];
            size_t n = 0;
            names[0] = 0;
            for (const MqcOption *p = opts; p && p->name && n < sizeof(names); p++)
                n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", n ? ", " : "", p->name);
            mqc_msg(msg, "%s: %s.%s: unknown option (valid: %s)", file, path, it->string,
                    n ? names : "none");
            return MQC_ERR_PROFILE;
        }
        if (!value_ok(o, it)) {
            char want[256];
            mqc_option_describe(o, want, sizeof(want));
            mqc_msg(msg, "%s: %s.%s: expected %s", file, path, it->string, want);
            return MQC_ERR_PROFILE;
        }
    }
    return 0;
}

int mqc_options_apply(const MqcOption *opts, void *priv, const cJSON *obj)
{
    for (const MqcOption *o = opts; o && o->name; o++) {
        const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, o->name) : NULL;
        char *dst = (char *)priv + o->offset;
        switch (o->type) {
        case MQC_OPT_BOOL:
            *(int *)dst = v ? cJSON_IsTrue(v) : o->def != 0;
            break;
        case MQC_OPT_INT:
            *(int64_t *)dst = (int64_t)(v ? v->valuedouble : o->def);
            break;
        case MQC_OPT_DOUBLE:
            *(double *)dst = v ? v->valuedouble : o->def;
            break;
        case MQC_OPT_ENUM:
            *(int *)dst = v ? choice_index(o, v->valuestring) : (int)o->def;
            break;
        case MQC_OPT_STRING: {
            const char *s = v ? (cJSON_IsString(v) ? v->valuestring : NULL) : o->def_str;
            char *copy = NULL;
            if (s && !(copy = strdup(s)))
                return MQC_ERR_NOMEM;
            *(char **)dst = copy;
            break;
        }
        }
    }
    return 0;
}

void mqc_options_release(const MqcOption *opts, void *priv)
{
    for (const MqcOption *o = opts; o && o->name; o++)
        if (o->type == MQC_OPT_STRING) {
            char **p = (char **)((char *)priv + o->offset);
            free(*p);
            *p = NULL;
        }
}

cJSON *mqc_options_to_json(const MqcOption *opts, const void *priv)
{
    cJSON *obj = cJSON_CreateObject();
    for (const MqcOption *o = opts; obj && o && o->name; o++) {
        const char *src = (const char *)priv + o->offset;
        switch (o->type) {
        case MQC_OPT_BOOL:
            cJSON_AddBoolToObject(obj, o->name, *(const int *)src);
            break;
        case MQC_OPT_INT:
            cJSON_AddNumberToObject(obj, o->name, (double)*(const int64_t *)src);
            break;
        case MQC_OPT_DOUBLE:
            cJSON_AddNumberToObject(obj, o->name, *(const double *)src);
            break;
        case MQC_OPT_ENUM:
            cJSON_AddStringToObject(obj, o->name, o->choices[*(const int *)src]);
            break;
        case MQC_OPT_STRING: {
            const char *s = *(char *const *)src;
            if (s)
                cJSON_AddStringToObject(obj, o->name, s);
            else
                cJSON_AddNullToObject(obj, o->name);
            break;
        }
        }
    }
    return obj;
}
