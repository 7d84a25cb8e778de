/* `mediaqc diff` and `mediaqc conform` (docs/compare.md). */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "../compare/compare.h"
#include "../engine/args.h"
#include "../reports/job.h"
#include "../reports/reports.h"
#include "compare_cmd.h"

static int usage(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "mediaqc %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(run `mediaqc help` for usage)\n");
    return MQC_EXIT_USAGE;
}

/* Stores one rendered output through the one sink; 0 or the exit code 2. */
static int put(const char *where, const char *data, size_t len, const char *type,
               const char *what)
{
    MqcMsg msg;
    if (!where)
        return 0;
    if (mqc_output_put(where, data, len, type, 0, what, &msg) < 0) {
        fprintf(stderr, "mediaqc: %s\n", msg.text);
        return MQC_EXIT_USAGE;
    }
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
    const char *out_json = NULL, *out_html = NULL;
    int shift = MQC_DIFF_SHIFT, quiet = 0, c;
    long v;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out_json = optarg; break;
        case 'H': out_html = optarg; break;
        case 'q': quiet = 1; break;
        case 's':
            if (mqc_parse_long(optarg, 0, 100000, &v) < 0)
                return usage("diff", "--shift: expected frames in [0, 100000], got \"%s\"", optarg);
            shift = (int)v;
            break;
        case ':':
            return usage("diff", "%s: missing value", argv[optind - 1]);
        default:
            return usage("diff", "unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind + 2 != argc)
        return usage("diff", "expected two reports: OLD.json NEW.json%s", "");
    if (out_json && out_html && !strcmp(out_json, "-") && !strcmp(out_html, "-"))
        return usage("diff", "only one output can go to stdout (\"-\")%s", "");
    cJSON *rep[2] = { NULL, NULL }, *diff = NULL;
    MqcMsg msg;
    int code = MQC_EXIT_USAGE;
    for (int i = 0; i < 2; i++)
        if (mqc_diff_load(argv[optind + i], &rep[i], &msg) < 0) {
            fprintf(stderr, "mediaqc: %s\n", msg.text);
            goto done;
        }
    if (mqc_diff_reports(rep[0], rep[1], argv[optind], argv[optind + 1], shift, &diff) < 0) {
        fprintf(stderr, "mediaqc: %s\n", mqc_strerror(MQC_ERR_NOMEM));
        code = MQC_EXIT_UNREADABLE;
        goto done;
    }
    const cJSON *w;
    cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(diff, "warnings"))
        fprintf(stderr, "mediaqc: warning: %s\n", w->valuestring);
    MqcBuf html = { 0 }, text = { 0 };
    char *json = cJSON_Print(diff);
    int err = !json;
    if (out_html) {
        err |= mqc_diff_html_render(diff, &html) < 0;
        if (!err && put(out_html, html.data, html.len, "text/html; charset=utf-8", "diff page"))
            err = 2;
    }
    if (!err && json && out_json) {
        size_t len = strlen(json);
        json[len] = '\n';   /* replaces the terminator: written with its length */
        if (put(out_json, json, len + 1, "application/json", "diff"))
            err = 2;
    }
    int to_stdout = (out_json && !strcmp(out_json, "-")) || (out_html && !strcmp(out_html, "-"));
    if (!err && !quiet && !to_stdout) {
        mqc_diff_text(diff, &text);
        fputs(text.data ? text.data : "", stdout);
    }
    if (err == 1)
        fprintf(stderr, "mediaqc: %s\n", mqc_strerror(MQC_ERR_NOMEM));
    code = err == 1 ? MQC_EXIT_UNREADABLE : err ? MQC_EXIT_USAGE : (int)mqc_diff_exit_code(diff);
    free(json);
    mqc_buf_free(&html);
    mqc_buf_free(&text);
done:
    cJSON_Delete(rep[0]);
    cJSON_Delete(rep[1]);
    cJSON_Delete(diff);
    return code;
}
