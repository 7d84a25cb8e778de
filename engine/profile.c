/* Profiles: strict JSON validation (file + JSON path in every message),
 * `extends` merged key by key with cycle detection. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "internal.h"

#define MAX_EXTENDS_DEPTH 16

static const char *const severity_names[] = { "info", "warning", "error", NULL };

const char *const *mqc_profile_dirs(void)
{
    /* $MEDIAQC_PROFILE_PATH (colon-separated) first, then the shipped profiles */
    static char env_copy[4096], shipped[PATH_MAX + 16];
    static const char *dirs[18];
    static int ready;
    if (!ready) {
        int n = 0;
        const char *env = getenv("MEDIAQC_PROFILE_PATH");
        if (env && *env) {
            snprintf(env_copy, sizeof(env_copy), "%s", env);
            for (char *save = NULL, *d = strtok_r(env_copy, ":", &save); d && n < 16;
                 d = strtok_r(NULL, ":", &save))
                dirs[n++] = d;
        }
        if (mqc_data_dir()) {
            snprintf(shipped, sizeof(shipped), "%s/profiles", mqc_data_dir());
            dirs[n++] = shipped;
        }
        dirs[n] = NULL;
        ready = 1;
    }
    return dirs;
}

static int is_path(const char *s)
{
    size_t n = strlen(s);
    return strchr(s, '/') || (n > 5 && !strcmp(s + n - 5, ".json"));
}

/* extends: a path must name a .json file ("../base" stays an invalid name) */
static int is_json_file(const char *s)
{
    size_t n = strlen(s);
    return n > 5 && !strcmp(s + n - 5, ".json");
}

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int valid_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!(( *s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.'))
            return 0;
    return 1;
}

/* Finds NAME.json in `first_dir` (may be NULL), then in the profile dirs. */
static int resolve_name(const char *name, const char *first_dir, char *out, size_t len)
{
    if (!valid_name(name))
        return -1;
    if (first_dir) {
        snprintf(out, len, "%s/%s.json", first_dir, name);
        if (file_exists(out))
            return 0;
    }
    for (const char *const *d = mqc_profile_dirs(); *d; d++) {
        snprintf(out, len, "%s/%s.json", *d, name);
        if (file_exists(out))
            return 0;
    }
    return -1;
}

static char *read_file(const char *path, MqcMsg *msg)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        mqc_msg(msg, "%s: cannot open profile: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            if (cap > (1u << 24)) {
                mqc_msg(msg, "%s: profile larger than 16 MiB", path);
                goto fail;
            }
            cap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, cap);
            if (!nb) {
                mqc_msg(msg, "%s: out of memory", path);
                goto fail;
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        mqc_msg(msg, "%s: read error", path);
        goto fail;
    }
    fclose(f);
    buf[len] = 0;
    if (strlen(buf) != len) {
        mqc_msg(msg, "%s: not a JSON text file (contains NUL bytes)", path);
        free(buf);
        return NULL;
    }
    return buf;
fail:
    fclose(f);
    free(buf);
    return NULL;
}

static cJSON *parse_file(const char *path, MqcMsg *msg)
{
    char *text = read_file(path, msg);
    if (!text)
        return NULL;
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithOpts(text, &end, 1);
    if (!doc) {
        int line = 1, col = 1;
        for (const char *p = text; end && p < end; p++, col++)
            if (*p == '\n')
                line++, col = 0;
        mqc_msg(msg, "%s: invalid JSON at line %d, column %d", path, line, col);
    }
    free(text);
    return doc;
}

static int validate_check(const MqcCheck *c, const cJSON *obj, const char *file, MqcMsg *msg)
{
    char path[160];
    snprintf(path, sizeof(path), "checks.%s", c->name);
    if (!cJSON_IsObject(obj)) {
        mqc_msg(msg, "%s: %s: expected an object", file, path);
        return MQC_ERR_PROFILE;
    }
    const cJSON *sev = cJSON_GetObjectItemCaseSensitive(obj, "severity");
    if (sev) {
        int ok = 0;
        for (int i = 0; cJSON_IsString(sev) && severity_names[i]; i++)
            ok |= !strcmp(sev->valuestring, severity_names[i]);
        if (!ok) {
            mqc_msg(msg, "%s: %s.severity: expected one of: info, warning, error", file, path);
            return MQC_ERR_PROFILE;
        }
    }
    const cJSON *en = cJSON_GetObjectItemCaseSensitive(obj, "enabled");
    if (en && !cJSON_IsBool(en)) {
        mqc_msg(msg, "%s: %s.enabled: expected boolean", file, path);
        return MQC_ERR_PROFILE;
    }
    cJSON *opts = cJSON_Duplicate(obj, 1);
    if (!opts)
        return MQC_ERR_NOMEM;
    cJSON_DeleteItemFromObjectCaseSensitive(opts, "severity");
    cJSON_DeleteItemFromObjectCaseSensitive(opts, "enabled");
    int ret = mqc_options_validate(c->options, opts, file, path, msg);
    cJSON_Delete(opts);
    return ret;
}

/* cJSON keeps both copies of a repeated key and lookups see only the first,
 * so a duplicate would silently lose the author's second value. */
static int find_duplicate_key(const cJSON *obj, char *path, size_t len, size_t at)
{
    for (const cJSON *it = obj ? obj->child : NULL; it; it = it->next) {
        if (cJSON_IsObject(obj) && it->string) {
            for (const cJSON *prev = obj->child; prev != it; prev = prev->next)
                if (!strcmp(prev->string, it->string)) {
                    snprintf(path + at, len - at, "%s%s", at ? "." : "", it->string);
                    return 1;
                }
        }
        if (cJSON_IsObject(it) || cJSON_IsArray(it)) {
            size_t n = at;
            if (it->string)
                n += (size_t)snprintf(path + at, len - at, "%s%s", at ? "." : "", it->string);
            if (n < len && find_duplicate_key(it, path, len, n < len ? n : len - 1))
                return 1;
            path[at] = 0;
        }
    }
    return 0;
}

/* The check configured by the profile's top-level block `key`, if any. */
static const MqcCheck *block_owner(const MqcCheck *const *reg, const char *key)
{
    for (; *reg; reg++)
        if ((*reg)->profile_block && (*reg)->validate_block && !strcmp((*reg)->profile_block, key))
            return *reg;
    return NULL;
}

int mqc_profile_validate(const MqcCheck *const *reg, const cJSON *doc, const char *file,
                         MqcMsg *msg)
{
    if (!cJSON_IsObject(doc)) {
        mqc_msg(msg, "%s: a profile must be a JSON object", file);
        return MQC_ERR_PROFILE;
    }
    char dup[256] = "";
    if (find_duplicate_key(doc, dup, sizeof(dup), 0)) {
        mqc_msg(msg, "%s: %s: duplicate key", file, dup);
        return MQC_ERR_PROFILE;
    }
    for (const cJSON *it = doc->child; it; it = it->next) {
        const char *k = it->string;
        if (!strcmp(k, "extends")) {
            if (!cJSON_IsString(it) || !*it->valuestring ||
                (!is_json_file(it->valuestring) && !valid_name(it->valuestring))) {
                mqc_msg(msg, "%s: extends: expected a name of letters, digits, '-', '_' or '.', "
                        "or a path to a .json file", file);
                return MQC_ERR_PROFILE;
            }
        } else if (!strcmp(k, "name") || !strcmp(k, "description")) {
            if (!cJSON_IsString(it) || (strcmp(k, "description") && !valid_name(it->valuestring))) {
                mqc_msg(msg, "%s: %s: expected %s", file, k,
                        strcmp(k, "description") ? "a name of letters, digits, '-', '_' or '.'"
                                                 : "string");
                return MQC_ERR_PROFILE;
            }
        } else if (block_owner(reg, k)) {
            int ret = block_owner(reg, k)->validate_block(it, file, msg);
            if (ret < 0)
                return ret;
        } else if (!strcmp(k, "checks")) {
            if (!cJSON_IsObject(it)) {
                mqc_msg(msg, "%s: checks: expected an object", file);
                return MQC_ERR_PROFILE;
            }
            for (const cJSON *c = it->child; c; c = c->next) {
                const MqcCheck *check = mqc_registry_find(reg, c->string);
                if (!check) {
                    char names[512];
                    size_t n = 0;
                    names[0] = 0;
                    for (const MqcCheck *const *r = reg; *r && n < sizeof(names); r++)
                        n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s",
                                              n ? ", " : "", (*r)->name);
                    mqc_msg(msg, "%s: checks.%s: unknown check (valid: %s)", file, c->string,
                            names);
                    return MQC_ERR_PROFILE;
                }
                int ret = validate_check(check, c, file, msg);
                if (ret < 0)
                    return ret;
            }
        } else {
            char valid[256] = "";
            size_t n = 0;
            for (const MqcCheck *const *r = reg; *r && n < sizeof(valid); r++)
                if ((*r)->profile_block)
                    n += (size_t)snprintf(valid + n, sizeof(valid) - n, "%s, ",
                                          (*r)->profile_block);
            mqc_msg(msg, "%s: %s: unknown key (valid: name, extends, description, %schecks)",
                    file, k, valid);
            return MQC_ERR_PROFILE;
        }
    }
    return 0;
}

/* child's keys override parent's; objects merge recursively */
static void merge_into(cJSON *base, const cJSON *over)
{
    for (const cJSON *it = over->child; it; it = it->next) {
        cJSON *have = cJSON_GetObjectItemCaseSensitive(base, it->string);
        if (have && cJSON_IsObject(have) && cJSON_IsObject(it)) {
            merge_into(have, it);
            continue;
        }
        cJSON *copy = cJSON_Duplicate(it, 1);
        if (!copy)
            continue;
        if (have)
            cJSON_ReplaceItemInObjectCaseSensitive(base, it->string, copy);
        else
            cJSON_AddItemToObject(base, it->string, copy);
    }
}

static cJSON *default_doc(const MqcCheck *const *reg)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *checks = cJSON_AddObjectToObject(doc, "checks");
    cJSON_AddStringToObject(doc, "name", MQC_DEFAULT_PROFILE);
    cJSON_AddStringToObject(doc, "description",
                            "every check with its standard limits (EBU R103), no expect block");
    for (; *reg; reg++)
        cJSON_AddObjectToObject(checks, (*reg)->name);
    return doc;
}

static void dirname_of(const char *path, char *out, size_t len)
{
    snprintf(out, len, "%s", path);
    char *slash = strrchr(out, '/');
    if (slash)
        *slash = 0;
    else
        snprintf(out, len, ".");
}

/* Loads `path` and its ancestors; chain holds the real paths seen so far. */
static cJSON *load_chain(const MqcCheck *const *reg, const char *path, char chain[][PATH_MAX],
                         int depth, MqcMsg *msg)
{
    char real[PATH_MAX];
    if (!realpath(path, real)) {
        mqc_msg(msg, "%s: cannot open profile: %s", path, strerror(errno));
        return NULL;
    }
    for (int i = 0; i < depth; i++)
        if (!strcmp(chain[i], real)) {
            mqc_msg(msg, "%s: extends: cycle (the profile extends itself through its parents)",
                    path);
            return NULL;
        }
    if (depth >= MAX_EXTENDS_DEPTH) {
        mqc_msg(msg, "%s: extends: more than %d levels", path, MAX_EXTENDS_DEPTH);
        return NULL;
    }
    snprintf(chain[depth], PATH_MAX, "%s", real);

    cJSON *doc = parse_file(path, msg);
    if (!doc)
        return NULL;
    if (mqc_profile_validate(reg, doc, path, msg) < 0) {
        cJSON_Delete(doc);
        return NULL;
    }
    const cJSON *ext = cJSON_GetObjectItemCaseSensitive(doc, "extends");
    if (!ext)
        return doc;

    cJSON *base;
    if (!strcmp(ext->valuestring, MQC_DEFAULT_PROFILE)) {
        base = default_doc(reg);
    } else {
        char dir[PATH_MAX], parent[2 * PATH_MAX + 64];
        dirname_of(path, dir, sizeof(dir));
        if (is_json_file(ext->valuestring)) {
            /* a path is relative to the profile that names it, not to the cwd */
            if (ext->valuestring[0] == '/')
                snprintf(parent, sizeof(parent), "%s", ext->valuestring);
            else
                snprintf(parent, sizeof(parent), "%s/%s", dir, ext->valuestring);
            if (!file_exists(parent)) {
                mqc_msg(msg, "%s: extends: no profile file \"%s\"", path, ext->valuestring);
                cJSON_Delete(doc);
                return NULL;
            }
        } else if (resolve_name(ext->valuestring, dir, parent, sizeof(parent)) < 0) {
            mqc_msg(msg, "%s: extends: no profile named \"%s\"", path, ext->valuestring);
            cJSON_Delete(doc);
            return NULL;
        }
        base = load_chain(reg, parent, chain, depth + 1, msg);
    }
    if (!base) {
        cJSON_Delete(doc);
        return NULL;
    }
    merge_into(base, doc);
    cJSON_DeleteItemFromObjectCaseSensitive(base, "extends");
    /* name and description describe one file: never the parent's */
    if (!cJSON_GetObjectItemCaseSensitive(doc, "name"))
        cJSON_DeleteItemFromObjectCaseSensitive(base, "name");
    if (!cJSON_GetObjectItemCaseSensitive(doc, "description"))
        cJSON_DeleteItemFromObjectCaseSensitive(base, "description");
    cJSON_Delete(doc);
    return base;
}

static char *dup_or_null(const cJSON *v)
{
    return cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
}

int mqc_profile_load(const MqcCheck *const *reg, const char *name_or_path, MqcProfile **out,
                     MqcMsg *msg)
{
    *out = NULL;
    char path[PATH_MAX + 64];
    cJSON *doc;
    const char *source;
    if (!strcmp(name_or_path, MQC_DEFAULT_PROFILE)) {
        doc = default_doc(reg);
        source = "built-in";
    } else {
        if (is_path(name_or_path)) {
            snprintf(path, sizeof(path), "%s", name_or_path);
            struct stat st;
            if (stat(path, &st) < 0) {
                mqc_msg(msg, "%s: cannot open profile: %s", name_or_path, strerror(errno));
                return MQC_ERR_PROFILE;
            }
            if (!S_ISREG(st.st_mode)) {
                mqc_msg(msg, "%s: is a %s, not a profile file", name_or_path,
                        S_ISDIR(st.st_mode) ? "directory" : "special file");
                return MQC_ERR_PROFILE;
            }
        } else if (resolve_name(name_or_path, NULL, path, sizeof(path)) < 0) {
            mqc_msg(msg, "%s: no such profile (see `mediaqc profiles list`)", name_or_path);
            return MQC_ERR_PROFILE;
        }
        char (*chain)[PATH_MAX] = malloc((MAX_EXTENDS_DEPTH + 1) * sizeof(*chain));
        if (!chain)
            return MQC_ERR_NOMEM;
        doc = load_chain(reg, path, chain, 0, msg);
        free(chain);
        if (!doc)
            return MQC_ERR_PROFILE;
        source = path;
    }

    MqcProfile *p = calloc(1, sizeof(*p));
    if (!p) {
        cJSON_Delete(doc);
        return MQC_ERR_NOMEM;
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(doc, "name");
    p->name = is_path(name_or_path) && cJSON_IsString(name) ? strdup(name->valuestring)
                                                             : strdup(name_or_path);
    p->source = strdup(source);
    p->description = dup_or_null(cJSON_GetObjectItemCaseSensitive(doc, "description"));
    p->checks = cJSON_DetachItemFromObjectCaseSensitive(doc, "checks");
    if (!p->checks)
        p->checks = cJSON_CreateObject();
    p->blocks = cJSON_CreateObject();
    for (const MqcCheck *const *r = reg; p->blocks && *r; r++) {
        cJSON *block = (*r)->profile_block ?
                       cJSON_DetachItemFromObjectCaseSensitive(doc, (*r)->profile_block) : NULL;
        if (block)
            cJSON_AddItemToObject(p->blocks, (*r)->profile_block, block);
    }
    p->expect = cJSON_GetObjectItemCaseSensitive(p->blocks, "expect");
    cJSON_Delete(doc);
    if (!p->name || !p->source || !p->checks || !p->blocks) {
        mqc_profile_free(p);
        return MQC_ERR_NOMEM;
    }
    *out = p;
    return 0;
}

void mqc_profile_free(MqcProfile *p)
{
    if (!p)
        return;
    free(p->name);
    free(p->source);
    free(p->description);
    cJSON_Delete(p->checks);
    cJSON_Delete(p->blocks);     /* p->expect points into it */
    free(p);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void mqc_profile_foreach(void (*fn)(const char *name, const char *path, void *ud), void *ud)
{
    char *names[256];
    int n = 0;
    for (const char *const *d = mqc_profile_dirs(); *d; d++) {
        DIR *dir = opendir(*d);
        if (!dir)
            continue;
        for (struct dirent *de; (de = readdir(dir)) && n < 256;) {
            size_t len = strlen(de->d_name);
            if (len <= 5 || strcmp(de->d_name + len - 5, ".json"))
                continue;
            char *name = strndup(de->d_name, len - 5);
            int dup = !name || !valid_name(name);
            for (int i = 0; i < n && !dup; i++)
                dup = !strcmp(names[i], name);
            if (dup)
                free(name);
            else
                names[n++] = name;
        }
        closedir(dir);
    }
    qsort(names, (size_t)n, sizeof(*names), cmp_str);
    fn(MQC_DEFAULT_PROFILE, "built-in", ud);
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX + 64];
        if (resolve_name(names[i], NULL, path, sizeof(path)) == 0)
            fn(names[i], path, ud);
        free(names[i]);
    }
}

const cJSON *mqc_profile_block(const MqcProfile *p, const MqcCheck *c)
{
    return c->profile_block ? cJSON_GetObjectItemCaseSensitive(p->blocks, c->profile_block)
                            : NULL;
}

int mqc_profile_enables(const MqcProfile *p, const MqcCheck *c)
{
    const cJSON *conf = cJSON_GetObjectItemCaseSensitive(p->checks, c->name);
    if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(conf, "enabled")))
        return 0;
    if (c->flags & MQC_CHECK_ALWAYS)
        return 1;
    return c->profile_block ? mqc_profile_block(p, c) != NULL : conf != NULL;
}

/* "CHECK.OPTION=VALUE" from the command line, typed by the option table. */
static cJSON *typed_value(const MqcOption *o, const char *key, const char *text)
{
    if (!strcmp(key, "enabled") || (o && o->type == MQC_OPT_BOOL)) {
        if (!strcmp(text, "true") || !strcmp(text, "1") || !strcmp(text, "yes"))
            return cJSON_CreateTrue();
        if (!strcmp(text, "false") || !strcmp(text, "0") || !strcmp(text, "no"))
            return cJSON_CreateFalse();
        return cJSON_CreateString(text);   /* validation names the expected type */
    }
    if (o && (o->type == MQC_OPT_INT || o->type == MQC_OPT_DOUBLE)) {
        char *end;
        errno = 0;
        double v = strtod(text, &end);
        if (!errno && end != text && !*end)
            return cJSON_CreateNumber(v);
    }
    return cJSON_CreateString(text);
}

int mqc_profile_set(const MqcCheck *const *reg, MqcProfile *p, const char *assignment,
                    MqcMsg *msg)
{
    const char *dot = strchr(assignment, '.'), *eq = strchr(assignment, '=');
    if (!dot || !eq || dot > eq || dot == assignment || eq == dot + 1) {
        mqc_msg(msg, "--set %s: expected CHECK.OPTION=VALUE", assignment);
        return MQC_ERR_USAGE;
    }
    char check_name[64], key[64];
    snprintf(check_name, sizeof(check_name), "%.*s", (int)(dot - assignment), assignment);
    snprintf(key, sizeof(key), "%.*s", (int)(eq - dot - 1), dot + 1);
    const MqcCheck *c = mqc_registry_find(reg, check_name);
    if (!c) {
        mqc_msg(msg, "--set %s: unknown check \"%s\" (see `mediaqc checks list`)", assignment,
                check_name);
        return MQC_ERR_USAGE;
    }
    const MqcOption *o = NULL;
    for (const MqcOption *it = c->options; it && it->name; it++)
        if (!strcmp(it->name, key))
            o = it;
    cJSON *one = cJSON_CreateObject();
    cJSON *v = typed_value(o, key, eq + 1);
    if (!one || !v) {
        cJSON_Delete(one);
        cJSON_Delete(v);
        return MQC_ERR_NOMEM;
    }
    cJSON_AddItemToObject(one, key, v);
    int ret = validate_check(c, one, "--set", msg);
    if (ret < 0) {
        cJSON_Delete(one);
        return MQC_ERR_USAGE;
    }
    cJSON *conf = cJSON_GetObjectItemCaseSensitive(p->checks, check_name);
    if (!conf)
        conf = cJSON_AddObjectToObject(p->checks, check_name);
    if (!conf) {
        cJSON_Delete(one);
        return MQC_ERR_NOMEM;
    }
    merge_into(conf, one);
    cJSON_Delete(one);
    return 0;
}
