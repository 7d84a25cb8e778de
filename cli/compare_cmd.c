/* `mediaqc diff` and `mediaqc conform` (docs/compare.md). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "../compare/compare.h"
#include "../compare/conform.h"
#include "../engine/args.h"
#include "../reports/job.h"
#include "../reports/reports.h"
#include "../triggers/qc_job.h"
#include "compare_cmd.h"

static int usage(const char *cmd, const char *fmt, const char *arg)
{
    return qc_usage_error_for(cmd, NULL, fmt, arg);
}

/* Stores one rendered output through the one sink; 0 or the exit code 2. */
static int put(const char *where, const char *data, size_t len, const char *type,
               const char *what)
{
    MqcMsg msg;
    if (!where)
        return 0;
    if (mqc_output_put(where, NULL, data, len, type, 0, what, &msg) < 0) {
        mqc_log("%s", msg.text);
        return MQC_EXIT_USAGE;
    }
    return 0;
}

/* What diff and conform share: -o, --html, --quiet and two inputs. */
typedef struct TwoInputs {
    const char *cmd;
    const char *out_json, *out_html;
    int quiet;
    const char *first, *second;
    const char *expected;       /* what the two inputs are, for the message */
} TwoInputs;

/* Parses argv; `option` handles the command's own options (0 or an exit
 * code). Returns -1 when all is well, else the exit code. */
static int parse_two(TwoInputs *t, int argc, char **argv, const struct option *longopts,
                     int (*option)(void *ud, int c, const char *arg), void *ud)
{
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': t->out_json = optarg; break;
        case 'H': t->out_html = optarg; break;
        case 'q': t->quiet = 1; break;
        case ':':
            return usage(t->cmd, "%s: missing value", argv[optind - 1]);
        case '?':
            return usage(t->cmd, "unknown option \"%s\"", argv[optind - 1]);
        default: {
            int ret = option(ud, c, optarg);
            if (ret)
                return ret;
        }
        }
    }
    if (optind + 2 != argc)
        return usage(t->cmd, "expected %s", t->expected);
    if (t->out_json && t->out_html && !strcmp(t->out_json, "-") && !strcmp(t->out_html, "-"))
        return usage(t->cmd, "only one output can go to stdout (\"-\")%s", "");
    t->first = argv[optind];
    t->second = argv[optind + 1];
    return -1;
}

static int to_stdout(const TwoInputs *t)
{
    return (t->out_json && !strcmp(t->out_json, "-")) || (t->out_html && !strcmp(t->out_html, "-"));
}

/* The JSON document, pretty-printed with a final newline, through the sink. */
static int put_json(const char *where, const cJSON *doc, const char *what)
{
    char *json = cJSON_Print(doc);
    if (!json)
        return MQC_EXIT_UNREADABLE;
    size_t len = strlen(json);
    json[len] = '\n';   /* replaces the terminator: written with its length */
    int ret = put(where, json, len + 1, "application/json", what);
    free(json);
    return ret;
}

static int diff_option(void *ud, int c, const char *arg)
{
    long v;
    if (c != 's' || mqc_parse_long(arg, 0, 100000, &v) < 0)
        return usage("diff", "--shift: expected frames in [0, 100000], got \"%s\"", arg);
    *(int *)ud = (int)v;
    return 0;
}

int mqc_cmd_diff(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "html", required_argument, NULL, 'H' },
        { "shift", required_argument, NULL, 's' },
        { "quiet", no_argument, NULL, 'q' },
        { NULL, 0, NULL, 0 }
    };
    TwoInputs t = { .cmd = "diff", .expected = "two reports: OLD.json NEW.json" };
    int shift = MQC_DIFF_SHIFT;
    int ret = parse_two(&t, argc, argv, longopts, diff_option, &shift);
    if (ret >= 0)
        return ret;
    cJSON *rep[2] = { NULL, NULL }, *diff = NULL;
    MqcMsg msg;
    int code = MQC_EXIT_USAGE;
    for (int i = 0; i < 2; i++)
        if (mqc_diff_load(i ? t.second : t.first, &rep[i], &msg) < 0) {
            mqc_log("%s", msg.text);
            goto done;
        }
    if (mqc_diff_reports(rep[0], rep[1], t.first, t.second, shift, &diff) < 0) {
        mqc_log("%s", mqc_strerror(MQC_ERR_NOMEM));
        code = MQC_EXIT_UNREADABLE;
        goto done;
    }
    const cJSON *w;
    cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(diff, "warnings"))
        mqc_log("warning: %s", w->valuestring);
    MqcBuf html = { 0 }, text = { 0 };
    int err = 0;
    if (t.out_html) {
        if (mqc_diff_html_render(diff, &html) < 0)
            err = MQC_EXIT_UNREADABLE;
        else
            err = put(t.out_html, html.data, html.len, "text/html; charset=utf-8", "diff page");
    }
    if (!err && t.out_json)
        err = put_json(t.out_json, diff, "diff");
    if (!err && !t.quiet && !to_stdout(&t)) {
        mqc_diff_text(diff, &text);
        fputs(text.data ? text.data : "", stdout);
    }
    if (err == MQC_EXIT_UNREADABLE)
        mqc_log("%s", mqc_strerror(MQC_ERR_NOMEM));
    code = err ? err : (int)mqc_diff_exit_code(diff);
    mqc_buf_free(&html);
    mqc_buf_free(&text);
done:
    cJSON_Delete(rep[0]);
    cJSON_Delete(rep[1]);
    cJSON_Delete(diff);
    return code;
}

static void print_conform(const MqcConformResult *r)
{
    const MqcRun *p = r->proxy;
    MqcBuf b = { 0 };
    const char *verdict = p->verdict == MQC_PASS ? "CONFORM" : p->verdict == MQC_FAIL ?
                          "NOT CONFORM" : "ERROR";
    mqc_buf_line(&b, p->input_path, 1024);
    mqc_buf_puts(&b, " vs ");
    mqc_buf_line(&b, r->original->input_path, 1024);
    mqc_buf_printf(&b, ": %s (%lld proxy frames, %lld original frames)\n", verdict,
                   (long long)p->frames, (long long)r->original->frames);
    if (p->unreadable[0] || p->error[0]) {
        mqc_buf_puts(&b, "  ");
        mqc_buf_line(&b, p->unreadable[0] ? p->unreadable : p->error, 1024);
        mqc_buf_puts(&b, "\n");
    }
    for (int c = 0; c < p->nb_checks; c++) {
        const MqcCheckRun *cr = &p->checks[c];
        for (size_t i = 0; i < cr->events.n; i++) {
            char text[512];
            mqc_event_message(cr, &cr->events.v[i], text, sizeof(text));
            mqc_buf_printf(&b, "  %-7s %-19s ",
                           mqc_severity_name(mqc_event_severity(cr, &cr->events.v[i])),
                           cr->events.v[i].code);
            mqc_buf_line(&b, text, 512);
            mqc_buf_puts(&b, "\n");
        }
    }
    fputs(b.data ? b.data : "", stdout);
    mqc_buf_free(&b);
}

static int conform_option(void *ud, int c, const char *arg)
{
    MqcConformOptions *co = ud;
    long v;
    if (c == 'w' && mqc_parse_long(arg, 8, 10000, &v) == 0)
        co->window = (int)v;
    else if (c == 't' && mqc_parse_long(arg, 1, 256, &v) == 0)
        co->threads = (int)v;
    else
        return usage("conform", c == 'w' ? "--window: expected frames in [8, 10000], got \"%s\""
                                         : "--threads: expected an integer in [1, 256], got \"%s\"",
                     arg);
    return 0;
}

int mqc_cmd_conform(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "html", required_argument, NULL, 'H' },
        { "window", required_argument, NULL, 'w' },
        { "threads", required_argument, NULL, 't' },
        { "quiet", no_argument, NULL, 'q' },
        { NULL, 0, NULL, 0 }
    };
    MqcConformOptions co = { .window = MQC_CONFORM_WINDOW };
    TwoInputs t = { .cmd = "conform", .expected = "PROXY and ORIGINAL" };
    char *typed[64];
    co.argc = argc < 64 ? argc : 64;
    memcpy(typed, argv, (size_t)co.argc * sizeof(*typed));
    co.argv = typed;
    int ret = parse_two(&t, argc, argv, longopts, conform_option, &co);
    if (ret >= 0)
        return ret;
    co.proxy = t.first;
    co.original = t.second;
    MqcConformResult *r = calloc(1, sizeof(*r));
    MqcMsg msg = { "" };
    if (!r)
        return MQC_EXIT_UNREADABLE;
    ret = mqc_conform_run(&co, r, &msg);
    if (ret < 0) {
        mqc_log("%s", msg.text);
        free(r);
        return mqc_exit_code(ret, MQC_ERROR);
    }
    MqcRun *p = r->proxy;
    if (p->unreadable[0] || p->error[0])
        mqc_log("%s", p->unreadable[0] ? p->unreadable : p->error);
    int code = mqc_exit_code(0, p->verdict);
    if (t.out_html) {
        MqcBuf html = { 0 };
        if (mqc_html_render(p, NULL, r->report, &html) < 0 ||
            put(t.out_html, html.data, html.len, "text/html; charset=utf-8", "conform page"))
            code = MQC_EXIT_USAGE;
        mqc_buf_free(&html);
    }
    if (t.out_json && put_json(t.out_json, r->report, "conform report"))
        code = MQC_EXIT_USAGE;
    if (!t.quiet && !to_stdout(&t))
        print_conform(r);
    mqc_conform_result_free(r);
    free(r);
    return code;
}
