/* Option tables: validation messages, defaults, overrides, params JSON and
 * help text, on a test-only table with every option type and on the real
 * tables of every registered check. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include "engine/mediaqc.h"
#include "checks/all.h"

/* ---- a test-only table with every option type ---- */

typedef struct TestPriv {
    int flag;
    int64_t count;
    double ratio;
    int algo;
    char *label;
    char *note;                 /* STRING without a default */
} TestPriv;

static const char *const algo_names[] = { "md5", "xxh64", NULL };

static const MqcOption test_options[] = {
    { "flag", MQC_OPT_BOOL, offsetof(TestPriv, flag), 1, 0, 1, NULL, NULL, "a boolean" },
    { "count", MQC_OPT_INT, offsetof(TestPriv, count), 3, -10, 10, NULL, NULL, "an integer" },
    { "ratio", MQC_OPT_DOUBLE, offsetof(TestPriv, ratio), 0.5, 0, 2.5, NULL, NULL, "a number" },
    { "algo", MQC_OPT_ENUM, offsetof(TestPriv, algo), 1, 0, 0, algo_names, NULL, "an enum" },
    { "label", MQC_OPT_STRING, offsetof(TestPriv, label), 0, 0, 0, NULL, "plain", "a string" },
    { "note", MQC_OPT_STRING, offsetof(TestPriv, note), 0, 0, 0, NULL, NULL, "no default" },
    { .name = NULL }
};

#define TEST_VALID_NAMES "flag, count, ratio, algo, label, note"

static cJSON *parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    cr_assert_not_null(j, "test JSON does not parse: %s", text);
    return j;
}

/* Validates `text` against `opts` as file "x.json", path `path`; returns the
 * engine's result and leaves its message in *msg. */
static int validate_text(const MqcOption *opts, const char *path, const char *text, MqcMsg *msg)
{
    cJSON *obj = parse(text);
    msg->text[0] = 0;
    int ret = mqc_options_validate(opts, obj, "x.json", path, msg);
    cJSON_Delete(obj);
    return ret;
}

static void expect_accepted(const MqcOption *opts, const char *text)
{
    MqcMsg msg;
    int ret = validate_text(opts, "checks.t", text, &msg);
    cr_expect_eq(ret, 0, "%s rejected: %s", text, msg.text);
}

static void expect_rejected(const MqcOption *opts, const char *path, const char *text,
                            const char *want)
{
    MqcMsg msg;
    int ret = validate_text(opts, path, text, &msg);
    cr_expect_eq(ret, MQC_ERR_PROFILE, "%s accepted (ret %d)", text, ret);
    cr_expect_str_eq(msg.text, want, "%s: message \"%s\", want \"%s\"", text, msg.text, want);
}

Test(options, validate_accepts_good_values_and_inclusive_edges)
{
    static const char *const good[] = {
        "{}",
        "{\"flag\": false}",
        "{\"flag\": true, \"count\": -10, \"ratio\": 0, \"algo\": \"md5\", \"label\": \"\"}",
        "{\"count\": 10, \"ratio\": 2.5, \"algo\": \"xxh64\", \"note\": \"n\"}",
        "{\"count\": 4.0, \"ratio\": 1}",    /* 4.0 is an integer */
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
        expect_accepted(test_options, good[i]);
}

Test(options, validate_rejects_with_file_path_and_cause)
{
    static const struct { const char *json, *msg; } bad[] = {
        { "{\"foo\": 1}",
          "x.json: checks.t.foo: unknown option (valid: " TEST_VALID_NAMES ")" },
        { "{\"ratio\": \"high\"}", "x.json: checks.t.ratio: expected number in [0, 2.5]" },
        { "{\"ratio\": true}", "x.json: checks.t.ratio: expected number in [0, 2.5]" },
        { "{\"ratio\": -1e-9}", "x.json: checks.t.ratio: expected number in [0, 2.5]" },
        { "{\"ratio\": 2.5000001}", "x.json: checks.t.ratio: expected number in [0, 2.5]" },
        { "{\"ratio\": 1e999}", "x.json: checks.t.ratio: expected number in [0, 2.5]" },
        { "{\"flag\": 1}", "x.json: checks.t.flag: expected boolean" },
        { "{\"flag\": \"true\"}", "x.json: checks.t.flag: expected boolean" },
        { "{\"flag\": null}", "x.json: checks.t.flag: expected boolean" },
        { "{\"count\": 11}", "x.json: checks.t.count: expected integer in [-10, 10]" },
        { "{\"count\": -11}", "x.json: checks.t.count: expected integer in [-10, 10]" },
        { "{\"count\": 2.5}", "x.json: checks.t.count: expected integer in [-10, 10]" },
        { "{\"count\": \"3\"}", "x.json: checks.t.count: expected integer in [-10, 10]" },
        { "{\"algo\": \"sha1\"}", "x.json: checks.t.algo: expected one of: md5, xxh64" },
        { "{\"algo\": \"MD5\"}", "x.json: checks.t.algo: expected one of: md5, xxh64" },
        { "{\"algo\": 0}", "x.json: checks.t.algo: expected one of: md5, xxh64" },
        { "{\"label\": 5}", "x.json: checks.t.label: expected string or null" },
        { "{\"label\": [\"a\"]}", "x.json: checks.t.label: expected string or null" },
        { "[]", "x.json: checks.t: expected an object" },
        { "3", "x.json: checks.t: expected an object" },
        /* the first bad key is reported */
        { "{\"count\": 1, \"ratio\": 9, \"foo\": 1}",
          "x.json: checks.t.ratio: expected number in [0, 2.5]" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        expect_rejected(test_options, "checks.t", bad[i].json, bad[i].msg);
}

Test(options, validate_message_names_the_real_check)
{
    const MqcCheck *black = mqc_registry_find(mqc_all_checks, "black");
    cr_assert_not_null(black);
    MqcMsg msg;
    cr_assert_eq(validate_text(black->options, "checks.black", "{\"foo\": 1}", &msg),
                 MQC_ERR_PROFILE);
    const char *want = "x.json: checks.black.foo: unknown option (valid: ";
    cr_expect_eq(strncmp(msg.text, want, strlen(want)), 0, "message: %s", msg.text);
    cr_expect_not_null(strstr(msg.text, "picture_ratio"), "valid names missing: %s", msg.text);

    expect_rejected(black->options, "checks.black", "{\"picture_ratio\": 1.5}",
                    "x.json: checks.black.picture_ratio: expected number in [0, 1]");
}

static void expect_priv(const TestPriv *p, int flag, int64_t count, double ratio, int algo,
                        const char *label, const char *note)
{
    cr_expect_eq(p->flag, flag);
    cr_expect_eq(p->count, count);
    cr_expect_eq(p->ratio, ratio);
    cr_expect_eq(p->algo, algo);
    if (label)
        cr_expect_str_eq(p->label, label);
    else
        cr_expect_null(p->label);
    if (note)
        cr_expect_str_eq(p->note, note);
    else
        cr_expect_null(p->note);
}

Test(options, apply_fills_defaults)
{
    TestPriv p;
    memset(&p, 0xAB, sizeof(p));
    cr_assert_eq(mqc_options_apply(test_options, &p, NULL), 0);
    expect_priv(&p, 1, 3, 0.5, 1, "plain", NULL);
    mqc_options_release(test_options, &p);
    cr_expect_null(p.label);

    cJSON *empty = parse("{}");
    memset(&p, 0xAB, sizeof(p));
    cr_assert_eq(mqc_options_apply(test_options, &p, empty), 0);
    expect_priv(&p, 1, 3, 0.5, 1, "plain", NULL);
    mqc_options_release(test_options, &p);
    cJSON_Delete(empty);
}

Test(options, apply_overrides_only_the_given_options)
{
    cJSON *obj = parse("{\"flag\": false, \"count\": -7, \"algo\": \"md5\", \"note\": \"hi\"}");
    TestPriv p;
    cr_assert_eq(mqc_options_apply(test_options, &p, obj), 0);
    expect_priv(&p, 0, -7, 0.5, 0, "plain", "hi");
    mqc_options_release(test_options, &p);
    cJSON_Delete(obj);
}

Test(options, to_json_gives_effective_values_and_round_trips)
{
    cJSON *obj = parse("{\"count\": 10, \"ratio\": 2.25, \"label\": \"x y\"}");
    TestPriv a, b;
    cr_assert_eq(mqc_options_apply(test_options, &a, obj), 0);
    cJSON *params = mqc_options_to_json(test_options, &a);
    cJSON *want = parse("{\"flag\": true, \"count\": 10, \"ratio\": 2.25, \"algo\": \"xxh64\","
                        " \"label\": \"x y\", \"note\": null}");
    char *got = cJSON_PrintUnformatted(params);
    cr_expect(cJSON_Compare(params, want, 1), "params: %s", got);

    /* params are themselves a valid options object (null note aside) */
    cJSON_DeleteItemFromObjectCaseSensitive(params, "note");
    MqcMsg msg;
    cr_expect_eq(mqc_options_validate(test_options, params, "x.json", "p", &msg), 0, "%s",
                 msg.text);
    cr_assert_eq(mqc_options_apply(test_options, &b, params), 0);
    expect_priv(&b, a.flag, a.count, a.ratio, a.algo, a.label, NULL);

    free(got);
    cJSON_Delete(want);
    cJSON_Delete(params);
    cJSON_Delete(obj);
    mqc_options_release(test_options, &a);
    mqc_options_release(test_options, &b);
}

Test(options, describe_and_default_text)
{
    static const struct { const char *name, *describe, *def; } want[] = {
        { "flag", "boolean", "true" },
        { "count", "integer in [-10, 10]", "3" },
        { "ratio", "number in [0, 2.5]", "0.5" },
        { "algo", "one of: md5, xxh64", "xxh64" },
        { "label", "string or null", "plain" },
        { "note", "string or null", "(none)" },
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
        const MqcOption *o = &test_options[i];
        char buf[256];
        cr_assert_str_eq(o->name, want[i].name);
        mqc_option_describe(o, buf, sizeof(buf));
        cr_expect_str_eq(buf, want[i].describe);
        mqc_option_default_string(o, buf, sizeof(buf));
        cr_expect_str_eq(buf, want[i].def);
    }
}

Test(options, describe_real_and_fractional_ranges)
{
    static const MqcOption percent = { "p", MQC_OPT_DOUBLE, 0, 1, 0, 100, NULL, NULL, "" };
    static const MqcOption tenth = { "t", MQC_OPT_DOUBLE, 0, 0, 0, 0.1, NULL, NULL, "" };
    char buf[128];
    mqc_option_describe(&percent, buf, sizeof(buf));
    cr_expect_str_eq(buf, "number in [0, 100]");
    /* a bound written 0.1 in the table must read 0.1 in messages and docs */
    mqc_option_describe(&tenth, buf, sizeof(buf));
    cr_expect_str_eq(buf, "number in [0, 0.1]");
}

/* ---- every real option table in the registry ---- */

static cJSON *one_value(const MqcOption *o, double v)
{
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddNumberToObject(obj, o->name, v);
    return obj;
}

static int validate_number(const MqcCheck *c, const MqcOption *o, double v, MqcMsg *msg)
{
    cJSON *obj = one_value(o, v);
    int ret = mqc_options_validate(c->options, obj, "x.json", c->name, msg);
    cJSON_Delete(obj);
    return ret;
}

/* min and max are accepted, the nearest values outside are not */
static void check_numeric_edges(const MqcCheck *c, const MqcOption *o)
{
    int is_int = o->type == MQC_OPT_INT;
    double below = is_int ? o->min - 1 : nextafter(o->min, -INFINITY);
    double above = is_int ? o->max + 1 : nextafter(o->max, INFINITY);
    MqcMsg msg;
    cr_expect_eq(validate_number(c, o, o->min, &msg), 0, "%s.%s min", c->name, o->name);
    cr_expect_eq(validate_number(c, o, o->max, &msg), 0, "%s.%s max", c->name, o->name);
    cr_expect_eq(validate_number(c, o, below, &msg), MQC_ERR_PROFILE, "%s.%s below min",
                 c->name, o->name);
    char want[256], describe[128];
    mqc_option_describe(o, describe, sizeof(describe));
    snprintf(want, sizeof(want), "x.json: %s.%s: expected %s", c->name, o->name, describe);
    cr_expect_str_eq(msg.text, want);
    cr_expect_eq(validate_number(c, o, above, &msg), MQC_ERR_PROFILE, "%s.%s above max",
                 c->name, o->name);
    cr_expect(o->def >= o->min && o->def <= o->max, "%s.%s default outside its range",
              c->name, o->name);
}

static void check_table_shape(const MqcCheck *c, const MqcOption *o)
{
    cr_expect(o->help && o->help[0], "%s.%s has no help", c->name, o->name);
    cr_expect(o->offset < c->priv_size, "%s.%s offset outside priv", c->name, o->name);
    for (const MqcOption *q = c->options; q != o; q++)
        cr_expect_str_neq(q->name, o->name, "%s: option %s twice", c->name, o->name);
    if (o->type == MQC_OPT_ENUM) {
        int n = 0;
        while (o->choices && o->choices[n])
            n++;
        cr_expect(o->def >= 0 && o->def < n, "%s.%s default not a choice", c->name, o->name);
    }
    if (o->type == MQC_OPT_INT || o->type == MQC_OPT_DOUBLE)
        check_numeric_edges(c, o);
}

Test(options, real_tables_are_consistent_and_validate_their_ranges)
{
    int checks = 0;
    for (const MqcCheck *const *c = mqc_all_checks; *c; c++, checks++) {
        cr_assert_not_null((*c)->options, "%s has no option table", (*c)->name);
        for (const MqcOption *o = (*c)->options; o->name; o++)
            check_table_shape(*c, o);
    }
    cr_expect_geq(checks, 2);
}

/* defaults -> params -> apply again gives the same params */
static void check_defaults_round_trip(const MqcCheck *c)
{
    void *a = calloc(1, c->priv_size), *b = calloc(1, c->priv_size);
    cr_assert(a && b);
    cr_assert_eq(mqc_options_apply(c->options, a, NULL), 0);
    cJSON *params = mqc_options_to_json(c->options, a);
    for (const MqcOption *o = c->options; o->name; o++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, o->name);
        cr_expect_not_null(v, "%s params lack %s", c->name, o->name);
        if (cJSON_IsNumber(v))
            cr_expect_eq(v->valuedouble, o->def, "%s.%s default", c->name, o->name);
    }
    MqcMsg msg;
    cr_expect_eq(mqc_options_validate(c->options, params, "x.json", c->name, &msg), 0, "%s",
                 msg.text);
    cr_assert_eq(mqc_options_apply(c->options, b, params), 0);
    cJSON *again = mqc_options_to_json(c->options, b);
    cr_expect(cJSON_Compare(params, again, 1), "%s params do not round-trip", c->name);
    cJSON_Delete(again);
    cJSON_Delete(params);
    mqc_options_release(c->options, a);
    mqc_options_release(c->options, b);
    free(a);
    free(b);
}

Test(options, real_tables_defaults_round_trip_through_params)
{
    for (const MqcCheck *const *c = mqc_all_checks; *c; c++)
        check_defaults_round_trip(*c);
}

Test(options, real_table_override_reaches_params)
{
    const MqcCheck *c = mqc_registry_find(mqc_all_checks, "legal_range");
    cr_assert_not_null(c);
    cJSON *obj = parse("{\"luma_max_pct\": 103, \"chroma\": true}");
    void *priv = calloc(1, c->priv_size);
    cr_assert_eq(mqc_options_apply(c->options, priv, obj), 0);
    cJSON *params = mqc_options_to_json(c->options, priv);
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(params, "luma_max_pct")->valuedouble, 103);
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(params, "chroma")));
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(params, "luma_min_pct")->valuedouble, -5);
    cJSON_Delete(params);
    cJSON_Delete(obj);
    free(priv);
}
