/* mediaqc: the command-line program (DESIGN.md §2). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <libavutil/log.h>
#include "../engine/mediaqc.h"
#include "../checks/all.h"
#include "../engine/args.h"
#include "../engine/stats.h"
#include "../triggers/qc_job.h"
#include "aliases.h"
#include "compare_cmd.h"
#include "hash.h"
#include "../reports/job.h"
#include "../reports/text.h"

static const char usage_text[] =
    "usage: mediaqc check INPUT [--profile NAME|PATH] [-o report.json] [--frames frames.jsonl]\n"
    "                     [--threads N] [--stream N] [--progress auto|always|never] [--quiet]\n"
    "                     [--set CHECK.OPTION=VALUE]... [--reference REF] [--mhl FILE]\n"
    "                     [--html report.html] [--edl markers.edl] [--markers markers.csv]\n"
    "                     [--junit report.xml] [--stats]\n"
    "                     [--max-pixels N] [--start-number N] [--frame-rate R]\n"
    "                     [--segment I/N]   (segment I of N: -o writes a partial)\n"
    "       mediaqc merge PART... [-o report.json] [--html F] [--edl F] [--markers F] [--junit F]\n"
    "                     [--exact]   (analyse the whole file where the parts cannot be exact)\n"
    "       mediaqc profiles list | show NAME|PATH | validate PATH\n"
    "       mediaqc checks list [--markdown]\n"
    "       mediaqc hash INPUT [--algorithm md5|xxh64|sha1|sha256] [--stream N] (framemd5 text)\n"
    "       mediaqc event [FILE|-] [--root DIR] [--rules FILE]    (S3 event JSON -> QC + reports)\n"
    "       mediaqc submit s3://BUCKET/KEY --amqp URL --segments N [--queue Q] (segment jobs)\n"
    "       mediaqc worker --amqp URL [--queue Q] [--max-retries N] (RabbitMQ jobs)\n"
    "       mediaqc watch DIR [--once] [--interval S] [--rules FILE] (shared folder)\n"
    "       mediaqc diff OLD.json NEW.json [-o diff.json] [--html diff.html] [--shift N]\n"
    "       mediaqc conform PROXY ORIGINAL [-o conform.json] [--html conform.html] [--window N]\n"
    "       mediaqc version\n"
    "\n"
    "exit codes of check: 0 pass, 1 fail, 2 usage or configuration error,\n"
    "                     3 input could not be analysed\n";

static int usage_error(const char *fmt, const char *arg)
{
    return qc_usage_error(fmt, arg);
}

/* Text from the file (its name, decoder messages) goes to a terminal: no
 * control characters, so a hostile name cannot move the cursor or recolour. */
static void print_text(const char *s)
{
    MqcBuf b = { 0 };
    mqc_buf_line(&b, s, 4096);
    fputs(b.data ? b.data : "", stdout);
    mqc_buf_free(&b);
}

static void print_summary(const MqcRun *run, const MqcJob *job, const MqcJobResult *res)
{
    char verdict[8] = "";   /* PASS, FAIL, ERROR */
    for (const char *v = mqc_verdict_name(run->verdict); *v; v++)
        verdict[v - mqc_verdict_name(run->verdict)] = (char)toupper((unsigned char)*v);
    print_text(run->input_path);
    printf(": %s (profile ", verdict);
    print_text(run->profile->name);
    printf(", %lld frames", (long long)run->frames);
    if (run->elapsed_s > 0)
        printf(", %.1f fps", run->frames / run->elapsed_s);
    printf(")\n");
    for (int i = 0; i < 2; i++) {
        const char *why = i ? run->error : run->unreadable;
        if (why[0]) {
            printf("  ");
            print_text(why);
            printf("\n");
        }
    }
    for (int c = 0; c < run->nb_checks; c++) {
        const MqcCheckRun *cr = &run->checks[c];
        /* the reason the input could not be analysed is printed above */
        if (!cr->events.n || (run->unreadable[0] && (cr->check->flags & MQC_CHECK_WITHOUT_PICTURES)))
            continue;
        const MqcEvent *e = &cr->events.v[0];
        char tc[32], msg[512];
        mqc_run_timecode(run, e->start_frame, tc);
        mqc_event_message(cr, e, msg, sizeof(msg));
        printf("  %-7s %-14s %zu event%s, first at ", mqc_severity_name(cr->severity), cr->id,
               cr->events.n, cr->events.n == 1 ? "" : "s");
        if (e->audio && !run->have_stream)
            printf("%.3f s: ", e->start_s);
        else
            printf("%s (frame %lld): ", tc, (long long)e->start_frame);
        print_text(msg);
        printf("\n");
    }
    for (int k = 0; k < MQC_OUTPUT_NB; k++)
        if (res->status[k] > 0) {
            printf("  %s: ", mqc_output_name((MqcOutputKind)k));
            print_text(job->out[k]);
            printf("\n");
        }
}

/* "I/N" with 0 <= I < N <= 10000 */
static int parse_segment(const char *s, MqcRunOptions *opt)
{
    char a[16], b[16];
    const char *slash = strchr(s, '/');
    long i, n;
    if (!slash || slash - s >= (long)sizeof(a) || strlen(slash + 1) >= sizeof(b))
        return -1;
    snprintf(a, sizeof(a), "%.*s", (int)(slash - s), s);
    snprintf(b, sizeof(b), "%s", slash + 1);
    if (mqc_parse_long(b, 1, 10000, &n) < 0 || mqc_parse_long(a, 0, n - 1, &i) < 0)
        return -1;
    opt->segment_index = (int)i;
    opt->segment_count = (int)n;
    return 0;
}

/* Options `merge` does not take: what they set is in the partials. */
static int merge_refuses(int c)
{
    return strchr("pfsSXNFRMbG", c) != NULL;
}

/* check, and merge (merging = 1): the same outputs and summary. */
static int cmd_check(int argc, char **argv, int merging)
{
    static const struct option longopts[] = {
        { "profile", required_argument, NULL, 'p' },
        { "output", required_argument, NULL, 'o' },
        { "frames", required_argument, NULL, 'f' },
        { "threads", required_argument, NULL, 't' },
        { "stream", required_argument, NULL, 's' },
        { "band-height", required_argument, NULL, 'b' },
        { "set", required_argument, NULL, 'S' },
        { "max-pixels", required_argument, NULL, 'X' },
        { "start-number", required_argument, NULL, 'N' },
        { "frame-rate", required_argument, NULL, 'F' },
        { "reference", required_argument, NULL, 'R' },
        { "mhl", required_argument, NULL, 'M' },
        { "html", required_argument, NULL, 'H' },
        { "edl", required_argument, NULL, 'E' },
        { "markers", required_argument, NULL, 'C' },
        { "junit", required_argument, NULL, 'J' },
        { "progress", required_argument, NULL, 'P' },
        { "segment", required_argument, NULL, 'G' },
        { "quiet", no_argument, NULL, 'q' },
        { "exact", no_argument, NULL, 'x' },
        { "stats", no_argument, NULL, 'T' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *profile_name = MQC_DEFAULT_PROFILE;
    MqcJob job = { .reg = mqc_all_checks, .opt = { .stream_index = -1 } };
    MqcRunOptions *opt = &job.opt;
    int quiet = 0, progress = -1, nsets = 0;
    char sets[16][1100];
    long v;
    int c;
    /* getopt permutes argv; the report records the command as typed */
    char *typed[64];
    int ntyped = argc < 64 ? argc : 64;
    memcpy(typed, argv, (size_t)ntyped * sizeof(*typed));
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":p:o:qh", longopts, NULL)) != -1) {
        if (merging && merge_refuses(c))
            return usage_error("merge: %s belongs to the segments' `check` (their partials "
                               "carry it)", argv[optind - 1]);
        switch (c) {
        case 'G':
            if (parse_segment(optarg, opt) < 0)
                return usage_error("--segment: expected I/N with 0 <= I < N <= 10000, got "
                                   "\"%s\"", optarg);
            break;
        case 'p': profile_name = optarg; break;
        case 'S':
        case 'R':
        case 'M':
            if (nsets == 16)
                return usage_error("too many --set options (at most 16)%s", "");
            if (mqc_flag_alias("check", c))   /* --reference, --mhl: a check's option */
                mqc_flag_alias_set(mqc_flag_alias("check", c), optarg, sets[nsets],
                                   sizeof(sets[0]));
            else
                snprintf(sets[nsets], sizeof(sets[0]), "%s", optarg);
            nsets++;
            break;
        case 'o': job.out[MQC_OUTPUT_JSON] = optarg; break;
        case 'H': job.out[MQC_OUTPUT_HTML] = optarg; break;
        case 'E': job.out[MQC_OUTPUT_EDL] = optarg; break;
        case 'C': job.out[MQC_OUTPUT_MARKERS] = optarg; break;
        case 'J': job.out[MQC_OUTPUT_JUNIT] = optarg; break;
        case 'f': opt->frames_path = optarg; break;
        case 'q': quiet = 1; break;
        case 't':
            if (mqc_parse_long(optarg, 1, 256, &v) < 0)
                return usage_error("--threads: expected an integer in [1, 256], got \"%s\"", optarg);
            opt->threads = (int)v;
            break;
        case 's':
            if (mqc_parse_long(optarg, 0, INT_MAX, &v) < 0)
                return usage_error("--stream: expected a stream index, got \"%s\"", optarg);
            opt->stream_index = (int)v;
            break;
        case 'X':
            if (mqc_parse_long(optarg, 1, LONG_MAX, &v) < 0)
                return usage_error("--max-pixels: expected a positive integer, got \"%s\"", optarg);
            opt->max_pixels = v;
            break;
        case 'N':
        case 'F':
            if (mqc_parse_sequence_option(c, optarg, &opt->sequence) < 0)
                return usage_error(mqc_sequence_option_usage(c), optarg);
            break;
        case 'b':
            if (mqc_parse_long(optarg, 2, 4096, &v) < 0)
                return usage_error("--band-height: expected an integer in [2, 4096], got \"%s\"",
                                   optarg);
            opt->band_height = (int)v;
            break;
        case 'P':
            if (!strcmp(optarg, "auto"))
                progress = -1;
            else if (!strcmp(optarg, "always"))
                progress = 1;
            else if (!strcmp(optarg, "never"))
                progress = 0;
            else
                return usage_error("--progress: expected auto, always or never, got \"%s\"", optarg);
            break;
        case 'T':
            opt->stats = 1;
            break;
        case 'x':
            if (!merging)
                return usage_error("--exact belongs to merge%s", "");
            job.flags |= MQC_JOB_EXACT;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return MQC_EXIT_PASS;
        case ':':
            return usage_error("%s: missing value", argv[optind - 1]);
        default: {
            const char *bad = argv[optind - 1];
            char short_opt[3] = { '-', (char)optopt, 0 };
            if (optopt && strncmp(bad, "--", 2))   /* inside a cluster like -zq */
                bad = short_opt;
            return usage_error("unknown option \"%s\"", bad);
        }
        }
    }
    if (merging && optind >= argc)
        return usage_error("merge needs the partials of every segment%s", "");
    if (!merging && optind + 1 != argc)
        return usage_error("check needs exactly one INPUT%s",
                           optind + 1 < argc ? " (got more than one)" : "");
    if (merging) {
        job.merge = (const char *const *)argv + optind;
        job.nb_merge = argc - optind;
    }
    opt->input = argv[optind];
    if (opt->segment_count && (!job.out[MQC_OUTPUT_JSON] || job.out[MQC_OUTPUT_HTML] ||
                               job.out[MQC_OUTPUT_EDL] || job.out[MQC_OUTPUT_MARKERS] ||
                               job.out[MQC_OUTPUT_JUNIT]))
        return usage_error("--segment writes a partial (-o PART.json) and nothing else; "
                           "`mediaqc merge` makes the reports%s", "");
    int to_stdout = 0;
    for (int i = 0; i < MQC_OUTPUT_NB; i++)
        to_stdout += job.out[i] && !strcmp(job.out[i], "-");
    to_stdout += opt->frames_path && !strcmp(opt->frames_path, "-");   /* streamed there */
    if (to_stdout > 1)
        return usage_error("only one output can go to stdout (\"-\")%s", "");
    opt->progress = quiet ? 0 : progress >= 0 ? progress : isatty(STDERR_FILENO);

    MqcMsg msg = { "" };
    MqcProfile *profile = NULL;
    int ret = merging ? 0 : mqc_profile_load(mqc_all_checks, profile_name, &profile, &msg);
    for (int i = 0; ret >= 0 && i < nsets; i++)
        ret = mqc_profile_set(mqc_all_checks, profile, sets[i], &msg);
    if (ret < 0) {
        mqc_log("%s", msg.text);
        mqc_profile_free(profile);
        return mqc_exit_code(ret, MQC_ERROR);
    }
    job.profile = profile;
    job.argc = ntyped;
    job.argv = typed;
    MqcJobResult res;
    ret = mqc_job_run(&job, &res, &msg);
    int code = mqc_exit_code(ret, res.run ? res.run->verdict : MQC_ERROR);
    /* a segment's verdict is the merge's: a stored partial is success */
    if (opt->segment_count && res.run && ret >= 0)
        code = res.run->unreadable[0] ? MQC_EXIT_UNREADABLE : MQC_EXIT_PASS;
    if (!res.run) {
        mqc_log("%s", msg.text);
    } else {
        if (res.run->unreadable[0] || res.run->error[0])
            mqc_log("%s", res.run->unreadable[0] ? res.run->unreadable : res.run->error);
        for (int k = 0; k < MQC_OUTPUT_NB; k++)
            if (res.status[k] < 0)
                mqc_log("%s", res.why[k].text);
        if (res.warning.text[0])
            mqc_log("warning: %s", res.warning.text);
        if (!to_stdout && opt->segment_count)
        {
            print_text(res.run->input_path);
            printf(": segment %d/%d, partial: ", opt->segment_index, opt->segment_count);
            print_text(job.out[MQC_OUTPUT_JSON]);
            printf("\n");
        }
        else if (!to_stdout)
            print_summary(res.run, &job, &res);
        if (res.run->stats) {
            fflush(stdout);
            mqc_stats_print(res.run, stderr);
        }
    }
    mqc_job_result_free(&res);
    mqc_profile_free(profile);
    return code;
}

static void list_one_profile(const char *name, const char *path, void *ud)
{
    (void)ud;
    MqcMsg msg;
    MqcProfile *p = NULL;
    if (mqc_profile_load(mqc_all_checks, name, &p, &msg) < 0) {
        printf("%-18s INVALID: %s\n", name, msg.text);
        return;
    }
    printf("%-18s %s%s(%s)\n", name, p->description ? p->description : "",
           p->description ? "  " : "", path);
    mqc_profile_free(p);
}

static int cmd_profiles(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("profiles: expected list, show NAME or validate PATH%s", "");
    const char *sub = argv[1];
    if (!strcmp(sub, "list") && argc == 2) {
        mqc_profile_foreach(list_one_profile, NULL);
        return MQC_EXIT_PASS;
    }
    if ((!strcmp(sub, "show") || !strcmp(sub, "validate")) && argc == 3) {
        MqcMsg msg;
        MqcProfile *p = NULL;
        if (mqc_profile_load(mqc_all_checks, argv[2], &p, &msg) < 0) {
            mqc_log("%s", msg.text);
            return MQC_EXIT_USAGE;
        }
        if (!strcmp(sub, "validate")) {
            printf("%s: valid profile \"%s\"\n", argv[2], p->name);
        } else {
            /* the merged, effective profile with every option filled in */
            cJSON *doc = cJSON_CreateObject();
            cJSON_AddStringToObject(doc, "name", p->name);
            cJSON_AddStringToObject(doc, "source", p->source);
            if (p->description)
                cJSON_AddStringToObject(doc, "description", p->description);
            for (const cJSON *b = p->blocks ? p->blocks->child : NULL; b; b = b->next)
                cJSON_AddItemToObject(doc, b->string, cJSON_Duplicate(b, 1));
            cJSON *checks = cJSON_AddObjectToObject(doc, "checks");
            for (const MqcCheck *const *r = mqc_all_checks; *r; r++) {
                const cJSON *conf = cJSON_GetObjectItemCaseSensitive(p->checks, (*r)->name);
                if (!mqc_profile_enables(p, *r))
                    continue;
                void *priv = calloc(1, (*r)->priv_size);
                if (!priv || mqc_options_apply((*r)->options, priv, conf) < 0) {
                    free(priv);
                    continue;
                }
                cJSON *o = mqc_options_to_json((*r)->options, priv);
                const cJSON *sev = cJSON_GetObjectItemCaseSensitive(conf, "severity");
                cJSON_AddStringToObject(o, "severity", cJSON_IsString(sev) ? sev->valuestring :
                                        mqc_severity_name((*r)->default_severity));
                cJSON_AddItemToObject(checks, (*r)->name, o);
                mqc_options_release((*r)->options, priv);
                free(priv);
            }
            char *text = cJSON_Print(doc);
            if (text)
                puts(text);
            free(text);
            cJSON_Delete(doc);
        }
        mqc_profile_free(p);
        return MQC_EXIT_PASS;
    }
    return usage_error("profiles: expected list, show NAME or validate PATH, got \"%s\"", sub);
}

/* `checks list` for people; `checks list --markdown` writes docs/checks.md,
 * so the docs come from the same option tables as validation. */
static int cmd_checks(int argc, char **argv)
{
    int md = argc == 3 && !strcmp(argv[2], "--markdown");
    if ((argc != 2 && !md) || strcmp(argv[1], "list"))
        return usage_error("checks: expected `checks list [--markdown]`%s", "");
    if (md)
        printf("# Checks\n\nGenerated by `mediaqc checks list --markdown` from the checks' option "
               "tables; every check also takes `severity` (info, warning, error) and `enabled` "
               "(boolean) in a profile.\n\n");
    for (const MqcCheck *const *r = mqc_all_checks; *r; r++) {
        const char *sev = mqc_severity_name((*r)->default_severity);
        if (md)
            printf("## `%s`\n\n%s. Default severity: `%s`.\n\n", (*r)->name, (*r)->summary, sev);
        else
            printf("%s — %s\n  severity: %s (default)\n", (*r)->name, (*r)->summary, sev);
        if ((*r)->flags & MQC_CHECK_ALWAYS)
            printf(md ? "Runs with every profile.\n\n" : "  runs with every profile\n");
        if ((*r)->profile_block)
            printf(md ? "Configured by the profile's `%s` block; runs when the profile has one.\n\n"
                      : "  configured by the profile's \"%s\" block\n", (*r)->profile_block);
        if (md && (*r)->options->name)
            printf("| option | type | default | meaning |\n|---|---|---|---|\n");
        for (const MqcOption *o = (*r)->options; o->name; o++) {
            char type[256], def[64];
            mqc_option_describe(o, type, sizeof(type));
            mqc_option_default_string(o, def, sizeof(def));
            if (md)
                printf("| `%s` | %s | `%s` | %s |\n", o->name, type, def, o->help);
            else
                printf("  %-20s %s, default %s\n  %20s %s\n", o->name, type, def, "", o->help);
        }
        printf(!md ? "  events:" : (*r)->options->name ? "\nEvent codes:" : "Event codes:");
        for (const MqcEventCode *e = (*r)->codes; e->code; e++)
            printf(md ? " `%s`" : " %s", e->code);
        printf("\n\n");
    }
    return MQC_EXIT_PASS;
}

/* libgomp reads OMP_WAIT_POLICY once, when it is loaded. Its default lets
 * idle team threads spin after every parallel region, which takes a core
 * from the decoder's threads between bands; sleeping costs less here.
 * Measured on a 2-core machine: 1.29 s -> 0.64 s wall for decode alone.
 * A user's own setting is respected. */
static void ensure_passive_openmp(char **argv)
{
    if (getenv("OMP_WAIT_POLICY"))
        return;
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    execv("/proc/self/exe", argv);   /* returns only on failure: run as is */
}

static int run_command(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("missing command%s", "");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "check"))
        return cmd_check(argc - 1, argv + 1, 0);
    if (!strcmp(cmd, "submit"))
        return cmd_submit(argc - 1, argv + 1);
    if (!strcmp(cmd, "merge"))
        return cmd_check(argc - 1, argv + 1, 1);
    if (!strcmp(cmd, "profiles"))
        return cmd_profiles(argc - 1, argv + 1);
    if (!strcmp(cmd, "hash"))
        return mqc_cmd_hash(argc - 1, argv + 1);
    if (!strcmp(cmd, "checks"))
        return cmd_checks(argc - 1, argv + 1);
    if (!strcmp(cmd, "event"))
        return cmd_event(argc - 1, argv + 1);
    if (!strcmp(cmd, "worker"))
        return cmd_worker(argc - 1, argv + 1);
    if (!strcmp(cmd, "watch"))
        return cmd_watch(argc - 1, argv + 1);
    if (!strcmp(cmd, "diff"))
        return mqc_cmd_diff(argc - 1, argv + 1);
    if (!strcmp(cmd, "conform"))
        return mqc_cmd_conform(argc - 1, argv + 1);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("mediaqc %s\n", MQC_VERSION);
        return MQC_EXIT_PASS;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        fputs(usage_text, stdout);
        return MQC_EXIT_PASS;
    }
    return usage_error("unknown command \"%s\"", cmd);
}

int main(int argc, char **argv)
{
    ensure_passive_openmp(argv);
    /* the engine counts and reports decode problems itself */
    av_log_set_level(getenv("MEDIAQC_FFMPEG_LOG") ? AV_LOG_INFO : AV_LOG_QUIET);
    int code = run_command(argc, argv);
    /* stdout is an output too (the summary, -o -, lists): a full disk or a
     * closed pipe is an error with its cause, never a silent success */
    errno = 0;
    if (fflush(stdout) || ferror(stdout)) {
        mqc_log("stdout: cannot write the output: %s", strerror(errno ? errno : EIO));
        code = MQC_EXIT_USAGE;
    }
    return code;
}
