/* Profiles: loading, strict validation (file + JSON path in every message),
 * `extends` merging and cycles, the shipped profiles, and the `expect`
 * block's evaluation against stream facts. */
#define _XOPEN_SOURCE 700   /* nftw, mkdtemp, setenv */
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include "engine/mediaqc.h"
#include "engine/internal.h"
#include "checks/format.h"
#include "checks/all.h"

#define SHIPPED_DIR MQC_SOURCE_DIR "/profiles"

/* ---- a scratch directory of profile files per test ---- */

static char tmpdir[PATH_MAX];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/mqc-unit-profile-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp failed");
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void remove_tmpdir(void)
{
    if (tmpdir[0])
        nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(profile, .init = make_tmpdir, .fini = remove_tmpdir);

/* Writes tmpdir/<file>; returns its path in a static buffer that the next
 * call overwrites (callers copy what they keep). */
static const char *write_file(const char *file, const char *text)
{
    static char path[PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, file);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
    return path;
}

static MqcProfile *load_ok(const char *name_or_path)
{
    MqcProfile *p = NULL;
    MqcMsg msg = { "" };
    int ret = mqc_profile_load(mqc_all_checks, name_or_path, &p, &msg);
    cr_assert_eq(ret, 0, "%s: load failed: %s", name_or_path, msg.text);
    cr_assert_not_null(p);
    return p;
}

/* Loading fails with MQC_ERR_PROFILE and a message "<path>: <want>...". */
static void expect_load_error(const char *name_or_path, const char *path_in_msg,
                              const char *want)
{
    MqcProfile *p = (MqcProfile *)1;
    MqcMsg msg = { "" };
    int ret = mqc_profile_load(mqc_all_checks, name_or_path, &p, &msg);
    cr_expect_eq(ret, MQC_ERR_PROFILE, "%s: loaded (ret %d), want error \"%s\"", name_or_path,
                 ret, want);
    cr_expect_null(p, "%s: *out not cleared on error", name_or_path);
    char prefix[PATH_MAX + 600];
    snprintf(prefix, sizeof(prefix), "%s: %s", path_in_msg, want);
    cr_expect_eq(strncmp(msg.text, prefix, strlen(prefix)), 0, "message \"%s\", want \"%s...\"",
                 msg.text, prefix);
}

static const cJSON *get_path(const cJSON *obj, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);
    return b ? cJSON_GetObjectItemCaseSensitive(v, b) : v;
}

static double number_at(const MqcProfile *p, const char *check, const char *opt)
{
    const cJSON *v = get_path(p->checks, check, opt);
    cr_assert(cJSON_IsNumber(v), "checks.%s.%s is not a number", check, opt);
    return v->valuedouble;
}

static const char *string_at(const cJSON *obj, const char *a, const char *b)
{
    const cJSON *v = get_path(obj, a, b);
    cr_assert(cJSON_IsString(v), "%s.%s is not a string", a, b ? b : "");
    return v->valuestring;
}

/* ---- valid profiles ---- */

Test(profile, valid_profile_loads_with_name_source_and_values)
{
    const char *path = write_file("good.json",
        "{\"name\": \"good\", \"description\": \"d\",\n"
        " \"expect\": {\"width\": 1920, \"frame_rate\": [\"25/1\", \"29.97\"]},\n"
        " \"checks\": {\"black\": {\"severity\": \"error\", \"enabled\": true,"
        " \"picture_ratio\": 1, \"min_duration_s\": 0},\n"
        "            \"legal_range\": {\"chroma\": false, \"luma_min_pct\": -50}}}\n");
    MqcProfile *p = load_ok(path);
    cr_expect_str_eq(p->name, "good");
    cr_expect_str_eq(p->source, path);
    cr_expect_str_eq(p->description, "d");
    cr_expect_eq(number_at(p, "black", "picture_ratio"), 1);
    cr_expect_eq(number_at(p, "legal_range", "luma_min_pct"), -50);
    cr_expect_str_eq(string_at(p->checks, "black", "severity"), "error");
    cr_expect_eq(get_path(p->expect, "width", NULL)->valuedouble, 1920);
    mqc_profile_free(p);
}

Test(profile, minimal_profile_has_empty_checks_and_no_expect)
{
    MqcProfile *p = load_ok(write_file("empty.json", "{}"));
    cr_expect(cJSON_IsObject(p->checks));
    cr_expect_null(p->checks->child);
    cr_expect_null(p->expect);
    cr_expect_null(p->description);
    mqc_profile_free(p);
}

Test(profile, default_profile_lists_every_registered_check)
{
    MqcProfile *p = load_ok(MQC_DEFAULT_PROFILE);
    cr_expect_str_eq(p->name, "default");
    cr_expect_str_eq(p->source, "built-in");
    cr_expect_null(p->expect, "the default profile has no expect block");
    int n = 0;
    for (const MqcCheck *const *c = mqc_all_checks; *c; c++, n++)
        cr_expect(cJSON_IsObject(get_path(p->checks, (*c)->name, NULL)),
                  "default lacks check %s", (*c)->name);
    cr_expect_eq(cJSON_GetArraySize(p->checks), n);
    mqc_profile_free(p);
}

/* ---- every error path ---- */

static const struct BadProfile {
    const char *json;
    const char *msg;            /* after "<path>: " */
} bad_profiles[] = {
    { "[1]", "a profile must be a JSON object" },
    { "{\"nmae\": \"x\"}", "nmae: unknown key" },
    { "{\"name\": \"a b\"}", "name: expected a name" },
    { "{\"name\": 5}", "name: expected a name" },
    { "{\"extends\": 5}", "extends: expected a name" },
    { "{\"extends\": \"../base\"}", "extends: expected a name" },
    { "{\"description\": 5}", "description: expected string" },
    { "{\"checks\": []}", "checks: expected an object" },
    /* a prefix: checks added later extend the list */
    { "{\"checks\": {\"blak\": {}}}", "checks.blak: unknown check (valid: decode, format, legal_range, gamut, black, freeze, dropped_frames, "
                                        "timecode, checksum, bit_depth, hdr, " },
    { "{\"checks\": {\"black\": true}}", "checks.black: expected an object" },
    { "{\"checks\": {\"black\": {\"foo\": 1}}}", "checks.black.foo: unknown option" },
    { "{\"checks\": {\"black\": {\"min_duration_s\": \"1s\"}}}",
      "checks.black.min_duration_s: expected number in [0, 86400]" },
    { "{\"checks\": {\"legal_range\": {\"chroma\": 1}}}",
      "checks.legal_range.chroma: expected boolean" },
    { "{\"checks\": {\"black\": {\"picture_ratio\": 1.5}}}",
      "checks.black.picture_ratio: expected number in [0, 1]" },
    { "{\"checks\": {\"black\": {\"picture_ratio\": -0.01}}}",
      "checks.black.picture_ratio: expected number in [0, 1]" },
    { "{\"checks\": {\"legal_range\": {\"luma_max_pct\": 151}}}",
      "checks.legal_range.luma_max_pct: expected number in [50, 150]" },
    { "{\"checks\": {\"black\": {\"severity\": \"fatal\"}}}",
      "checks.black.severity: expected one of: info, warning, error" },
    { "{\"checks\": {\"black\": {\"severity\": 2}}}",
      "checks.black.severity: expected one of: info, warning, error" },
    { "{\"checks\": {\"black\": {\"enabled\": \"yes\"}}}", "checks.black.enabled: expected boolean" },
    { "{\"checks\": {\"black\": {\"enabled\": 0}}}", "checks.black.enabled: expected boolean" },
    { "{\"expect\": 5}", "expect: expected an object" },
    { "{\"expect\": {\"fps\": 25}}", "expect.fps: unknown key" },
    { "{\"expect\": {\"width\": \"1920\"}}", "expect.width: expected integer in [1, 65536]" },
    { "{\"expect\": {\"width\": 0}}", "expect.width: expected integer in [1, 65536]" },
    { "{\"expect\": {\"height\": 1080.5}}", "expect.height: expected integer in [1, 65536]" },
    { "{\"expect\": {\"frame_rate\": \"fast\"}}",
      "expect.frame_rate: expected a frame rate such as \"24000/1001\" or \"25\"" },
    { "{\"expect\": {\"frame_rate\": [\"25/1\", \"-25\"]}}",
      "expect.frame_rate[]: expected a frame rate such as \"24000/1001\" or \"25\"" },
    { "{\"expect\": {\"frame_rate\": 25}}",
      "expect.frame_rate: expected a frame rate such as \"24000/1001\" or \"25\"" },
    { "{\"expect\": {\"color_primaries\": []}}", "expect.color_primaries: expected a non-empty list" },
    { "{\"expect\": {\"frame_rate\": []}}", "expect.frame_rate: expected a non-empty list" },
    { "{\"expect\": {\"codec\": \"\"}}",
      "expect.codec: expected a non-empty string or a list of strings" },
    { "{\"expect\": {\"codec\": [\"prores\", 5]}}",
      "expect.codec[]: expected a non-empty string or a list of strings" },
    { "{\"extends\": \"no-such-parent\"}", "extends: no profile named \"no-such-parent\"" },
};

Test(profile, every_invalid_profile_is_rejected_with_path_and_cause)
{
    for (size_t i = 0; i < sizeof(bad_profiles) / sizeof(*bad_profiles); i++) {
        char file[32], path[PATH_MAX + 64];
        snprintf(file, sizeof(file), "bad%zu.json", i);
        snprintf(path, sizeof(path), "%s", write_file(file, bad_profiles[i].json));
        expect_load_error(path, path, bad_profiles[i].msg);
    }
}

Test(profile, invalid_json_names_line_and_column)
{
    /* line 2 is `  "checks": }`: the '}' is column 13 */
    const char *path = write_file("syntax.json", "{\n  \"checks\": }\n");
    expect_load_error(path, path, "invalid JSON at line 2, column 13");
    path = write_file("trailing.json", "{}\n{}\n");
    expect_load_error(path, path, "invalid JSON at line 2, column 1");
    path = write_file("nothing.json", "");
    expect_load_error(path, path, "invalid JSON at line 1, column 1");
}

Test(profile, missing_file_and_missing_name)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/absent.json", tmpdir);
    expect_load_error(path, path, "cannot open profile: No such file or directory");
    expect_load_error(tmpdir, tmpdir, "is a directory, not a profile file");
    expect_load_error("no-such-profile", "no-such-profile", "no such profile");
    expect_load_error("bad name!", "bad name!", "no such profile");
}

/* ---- extends ---- */

static const char parent_json[] =
    "{\"name\": \"parent\", \"description\": \"the parent\",\n"
    " \"expect\": {\"width\": 1920, \"height\": 1080},\n"
    " \"checks\": {\"black\": {\"severity\": \"error\", \"picture_ratio\": 0.5,"
    " \"min_duration_s\": 3},\n"
    "            \"legal_range\": {\"luma_max_pct\": 103}}}";

Test(profile, extends_merges_key_by_key)
{
    write_file("parent.json", parent_json);
    MqcProfile *p = load_ok(write_file("child.json",
        "{\"name\": \"child\", \"extends\": \"parent\",\n"
        " \"expect\": {\"height\": 2160},\n"
        " \"checks\": {\"black\": {\"min_duration_s\": 1}}}"));
    cr_expect_str_eq(p->name, "child");
    cr_expect_eq(number_at(p, "black", "min_duration_s"), 1, "child overrides");
    cr_expect_eq(number_at(p, "black", "picture_ratio"), 0.5, "inherited option");
    cr_expect_str_eq(string_at(p->checks, "black", "severity"), "error", "inherited severity");
    cr_expect_eq(number_at(p, "legal_range", "luma_max_pct"), 103, "inherited check");
    cr_expect_eq(get_path(p->expect, "width", NULL)->valuedouble, 1920, "inherited expect");
    cr_expect_eq(get_path(p->expect, "height", NULL)->valuedouble, 2160, "overridden expect");
    cr_expect_null(get_path(p->checks, "extends", NULL));
    mqc_profile_free(p);
}

Test(profile, child_without_name_does_not_take_the_parents_name)
{
    write_file("parent.json", parent_json);
    char path[PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s", write_file("anon.json", "{\"extends\": \"parent\"}"));
    MqcProfile *p = load_ok(path);
    cr_expect_str_neq(p->name, "parent", "a child without \"name\" is reported as its parent");
    cr_expect_null(p->description, "a child without \"description\" shows its parent's");
    cr_expect_str_eq(p->source, path);
    mqc_profile_free(p);
}

Test(profile, extends_the_built_in_default)
{
    MqcProfile *p = load_ok(write_file("on-default.json",
        "{\"name\": \"on-default\", \"extends\": \"default\","
        " \"checks\": {\"black\": {\"severity\": \"info\"}}}"));
    for (const MqcCheck *const *c = mqc_all_checks; *c; c++)
        cr_expect(cJSON_IsObject(get_path(p->checks, (*c)->name, NULL)), "lacks %s", (*c)->name);
    cr_expect_str_eq(string_at(p->checks, "black", "severity"), "info");
    cr_expect_null(p->expect);
    mqc_profile_free(p);
}

Test(profile, extends_a_shipped_profile_from_another_directory)
{
    MqcProfile *p = load_ok(write_file("mine.json",
        "{\"name\": \"mine\", \"extends\": \"broadcast-hd\","
        " \"checks\": {\"black\": {\"min_duration_s\": 4}}}"));
    cr_expect_eq(number_at(p, "black", "min_duration_s"), 4);
    cr_expect_eq(number_at(p, "black", "picture_ratio"), 0.98, "from base");
    cr_expect_eq(get_path(p->expect, "width", NULL)->valuedouble, 1920, "from broadcast-hd");
    mqc_profile_free(p);
}

Test(profile, error_in_a_parent_names_the_parent_file)
{
    char parent[PATH_MAX + 64], child[PATH_MAX + 64];
    snprintf(parent, sizeof(parent), "%s",
             write_file("broken.json", "{\"checks\": {\"black\": {\"picture_ratio\": 2}}}"));
    snprintf(child, sizeof(child), "%s", write_file("kid.json", "{\"extends\": \"broken\"}"));
    expect_load_error(child, parent, "checks.black.picture_ratio: expected number in [0, 1]");
}

Test(profile, extends_cycle_is_an_error)
{
    char a[PATH_MAX + 64];
    snprintf(a, sizeof(a), "%s", write_file("a.json", "{\"name\": \"a\", \"extends\": \"b\"}"));
    write_file("b.json", "{\"name\": \"b\", \"extends\": \"a\"}");
    expect_load_error(a, a, "extends: cycle");
}

Test(profile, extends_itself_is_a_cycle)
{
    char self[PATH_MAX + 64];
    snprintf(self, sizeof(self), "%s",
             write_file("self.json", "{\"name\": \"self\", \"extends\": \"self\"}"));
    expect_load_error(self, self, "extends: cycle");
}

Test(profile, duplicate_keys_are_rejected_with_their_path)
{
    char f[PATH_MAX + 64];
    snprintf(f, sizeof(f), "%s", write_file("dup-top.json",
             "{\"name\": \"a\", \"name\": \"b\"}"));
    expect_load_error(f, f, "name: duplicate key");
    snprintf(f, sizeof(f), "%s", write_file("dup-opt.json",
             "{\"checks\": {\"black\": {\"min_duration_s\": 1, \"min_duration_s\": 9}}}"));
    expect_load_error(f, f, "checks.black.min_duration_s: duplicate key");
    snprintf(f, sizeof(f), "%s", write_file("dup-check.json",
             "{\"checks\": {\"black\": {}, \"freeze\": {}, \"black\": {}}}"));
    expect_load_error(f, f, "checks.black: duplicate key");
}

Test(profile, extends_takes_a_path_relative_to_the_child)
{
    char sub[PATH_MAX + 64];
    snprintf(sub, sizeof(sub), "%s/shared", tmpdir);
    cr_assert_eq(mkdir(sub, 0755), 0);
    write_file("shared/house.json",
               "{\"name\": \"house\", \"description\": \"house rules\","
               " \"checks\": {\"black\": {\"min_duration_s\": 3}}}");
    MqcProfile *p = load_ok(write_file("show.json",
        "{\"name\": \"show\", \"extends\": \"shared/house.json\"}"));
    cr_expect_eq(number_at(p, "black", "min_duration_s"), 3);
    cr_expect_null(p->description, "the child has no description of its own");
    mqc_profile_free(p);
    char f[PATH_MAX + 64];
    snprintf(f, sizeof(f), "%s", write_file("lost.json", "{\"extends\": \"nowhere/x.json\"}"));
    expect_load_error(f, f, "extends: no profile file \"nowhere/x.json\"");
}

Test(profile, child_shows_its_own_description_never_the_parents)
{
    write_file("parent.json", parent_json);
    MqcProfile *p = load_ok(write_file("kid2.json",
        "{\"name\": \"kid2\", \"extends\": \"parent\", \"description\": \"mine\"}"));
    cr_expect_str_eq(p->description, "mine");
    mqc_profile_free(p);
}

/* ---- lookup by name ---- */

Test(profile, profile_path_env_is_searched_before_the_built_in_dir)
{
    /* the directory list is read once per process; Criterion runs each test
     * in its own process, so setting it here is early enough */
    cr_assert_eq(setenv("MEDIAQC_PROFILE_PATH", tmpdir, 1), 0);
    char custom[PATH_MAX + 64], base[PATH_MAX + 64];
    snprintf(custom, sizeof(custom), "%s", write_file("custom.json", "{\"name\": \"custom\"}"));
    snprintf(base, sizeof(base), "%s",
             write_file("base.json", "{\"name\": \"base\", \"description\": \"shadow\"}"));
    MqcProfile *p = load_ok("custom");
    cr_expect_str_eq(p->name, "custom");
    cr_expect_str_eq(p->source, custom);
    mqc_profile_free(p);
    p = load_ok("base");
    cr_expect_str_eq(p->source, base, "the env directory wins over the built-in one");
    cr_expect_str_eq(p->description, "shadow");
    mqc_profile_free(p);
}

/* ---- the shipped profiles ---- */

typedef struct Shipped {
    char names[32][64];
    int n;
} Shipped;

static void list_shipped(Shipped *s)
{
    DIR *d = opendir(SHIPPED_DIR);
    cr_assert_not_null(d, "cannot open %s", SHIPPED_DIR);
    s->n = 0;
    for (struct dirent *de; (de = readdir(d)) && s->n < 32;) {
        size_t len = strlen(de->d_name);
        if (len > 5 && !strcmp(de->d_name + len - 5, ".json"))
            snprintf(s->names[s->n++], sizeof(s->names[0]), "%.*s", (int)(len - 5), de->d_name);
    }
    closedir(d);
    cr_assert_geq(s->n, 5, "expected the shipped profiles in %s", SHIPPED_DIR);
}

static void check_shipped(const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), SHIPPED_DIR "/%s.json", name);
    MqcProfile *by_path = load_ok(path), *by_name = load_ok(name);
    cr_expect_str_eq(by_path->name, name, "%s: \"name\" differs from the file name", path);
    cr_expect_str_eq(by_name->name, name);
    cr_expect(cJSON_Compare(by_path->checks, by_name->checks, 1), "%s: by name != by path", name);
    cr_expect(by_path->description && by_path->description[0], "%s has no description", name);
    cr_expect_null(get_path(by_path->checks, "extends", NULL));
    mqc_profile_free(by_path);
    mqc_profile_free(by_name);
}

Test(profile, every_shipped_profile_loads_by_path_and_by_name)
{
    Shipped s;
    list_shipped(&s);
    for (int i = 0; i < s.n; i++)
        check_shipped(s.names[i]);
}

static void collect(const char *name, const char *path, void *ud)
{
    (void)path;
    Shipped *s = ud;
    if (s->n < 32)
        snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", name);
}

Test(profile, foreach_lists_default_then_the_shipped_profiles)
{
    Shipped shipped, listed = { .n = 0 };
    list_shipped(&shipped);
    mqc_profile_foreach(collect, &listed);
    cr_assert_eq(listed.n, shipped.n + 1);
    cr_expect_str_eq(listed.names[0], "default");
    for (int i = 0; i < shipped.n; i++) {
        int found = 0;
        for (int j = 1; j < listed.n; j++)
            found |= !strcmp(listed.names[j], shipped.names[i]);
        cr_expect(found, "%s not listed", shipped.names[i]);
    }
    for (int j = 2; j < listed.n; j++)
        cr_expect_lt(strcmp(listed.names[j - 1], listed.names[j]), 0, "not sorted");
}

Test(profile, broadcast_strict_merges_three_levels)
{
    MqcProfile *p = load_ok("broadcast-strict");
    cr_expect_eq(number_at(p, "legal_range", "luma_min_pct"), -1, "own");
    cr_expect_eq(number_at(p, "legal_range", "luma_max_pct"), 103, "own");
    cr_expect(cJSON_IsTrue(get_path(p->checks, "legal_range", "chroma")), "own");
    cr_expect_str_eq(string_at(p->checks, "legal_range", "severity"), "error", "broadcast-hd");
    cr_expect_eq(number_at(p, "legal_range", "max_area_pct"), 1.0, "base");
    cr_expect_eq(number_at(p, "black", "picture_ratio"), 0.98, "base");
    cr_expect_eq(get_path(p->expect, "width", NULL)->valuedouble, 1920, "broadcast-hd");
    mqc_profile_free(p);
}

/* ---- expect evaluation ---- */

static MqcStreamInfo hd_stream(void)
{
    MqcStreamInfo si;
    memset(&si, 0, sizeof(si));
    snprintf(si.codec, sizeof(si.codec), "prores");
    snprintf(si.pix_fmt, sizeof(si.pix_fmt), "yuv422p10le");
    snprintf(si.source_pix_fmt, sizeof(si.source_pix_fmt), "yuv422p10le");
    snprintf(si.color_range, sizeof(si.color_range), "tv");
    snprintf(si.color_primaries, sizeof(si.color_primaries), "bt709");
    si.width = 1920;
    si.height = 1080;
    si.bit_depth = 10;
    si.rate_num = 30000;
    si.rate_den = 1001;
    return si;
}

/* Evaluates `expect_json` on si over 100 frames; returns the events. */
static MqcEvents evaluate(const char *expect_json, const MqcStreamInfo *si)
{
    cJSON *expect = cJSON_Parse(expect_json);
    cr_assert_not_null(expect);
    MqcMsg msg;
    cr_assert_eq(mqc_expect_validate(expect, "x.json", &msg), 0, "%s", msg.text);
    MqcEvents ev;
    memset(&ev, 0, sizeof(ev));
    mqc_expect_evaluate(expect, si, 100, &ev);
    cJSON_Delete(expect);
    return ev;
}

Test(profile, expect_matching_stream_gives_no_events)
{
    MqcStreamInfo si = hd_stream();
    MqcEvents ev = evaluate(
        "{\"width\": 1920, \"height\": 1080, \"bit_depth\": 10, \"codec\": \"prores\","
        " \"pix_fmt\": [\"yuv422p10le\", \"yuv444p10le\"], \"frame_rate\": [\"25/1\", \"29.97\"],"
        " \"color_primaries\": [\"bt2020\", \"bt709\"], \"color_range\": \"tv\"}", &si);
    cr_expect_eq(ev.n, 0, "first: %s", ev.n ? ev.v[0].detail : "");
    mqc_events_free(&ev);

    static const char *const same_rate[] = { "\"30000/1001\"", "\"ntsc\"", "\"29.97\"" };
    for (size_t i = 0; i < sizeof(same_rate) / sizeof(*same_rate); i++) {
        char json[64];
        snprintf(json, sizeof(json), "{\"frame_rate\": %s}", same_rate[i]);
        ev = evaluate(json, &si);
        cr_expect_eq(ev.n, 0, "%s should match 30000/1001", same_rate[i]);
        mqc_events_free(&ev);
    }
}

static const struct Mismatch {
    const char *expect;
    const char *detail;
    double value;
} mismatches[] = {
    { "{\"width\": 3840}", "width: expected 3840, found 1920", 1920 },
    { "{\"bit_depth\": 12}", "bit_depth: expected 12, found 10", 10 },
    { "{\"frame_rate\": \"30\"}", "frame_rate: expected 30, found 30000/1001", 0 },
    { "{\"frame_rate\": [\"25/1\", \"24000/1001\"]}",
      "frame_rate: expected 25/1 or 24000/1001, found 30000/1001", 0 },
    { "{\"color_primaries\": [\"bt2020\", \"smpte432\"]}",
      "color_primaries: expected bt2020 or smpte432, found bt709", 0 },
    { "{\"color_trc\": \"bt709\"}", "color_trc: expected bt709, found (unset)", 0 },
    { "{\"pix_fmt\": \"yuv420p\"}", "pix_fmt: expected yuv420p, found yuv422p10le", 0 },
};

Test(profile, expect_mismatch_gives_format_mismatch_with_detail)
{
    MqcStreamInfo si = hd_stream();
    for (size_t i = 0; i < sizeof(mismatches) / sizeof(*mismatches); i++) {
        const struct Mismatch *m = &mismatches[i];
        MqcEvents ev = evaluate(m->expect, &si);
        cr_expect_eq(ev.n, 1, "%s: %zu events", m->expect, ev.n);
        if (ev.n == 1) {
            cr_expect_str_eq(ev.v[0].code, "format_mismatch");
            cr_expect_str_eq(ev.v[0].detail, m->detail);
            cr_expect_eq(ev.v[0].value, m->value, "%s: value", m->expect);
            cr_expect_eq(ev.v[0].start_frame, 0);
            cr_expect_eq(ev.v[0].end_frame, 99, "the event spans the whole file");
        }
        mqc_events_free(&ev);
    }
}

Test(profile, expect_reports_every_mismatching_key)
{
    MqcStreamInfo si = hd_stream();
    MqcEvents ev = evaluate("{\"width\": 1280, \"height\": 720, \"bit_depth\": 10,"
                            " \"codec\": \"dnxhd\"}", &si);
    cr_assert_eq(ev.n, 3);
    cr_expect_str_eq(ev.v[0].detail, "width: expected 1280, found 1920");
    cr_expect_str_eq(ev.v[1].detail, "height: expected 720, found 1080");
    cr_expect_str_eq(ev.v[2].detail, "codec: expected dnxhd, found prores");
    mqc_events_free(&ev);
}
