/* mediaqc hash INPUT: per-frame checksums in ffmpeg's framemd5 text format,
 * so `diff` against `ffmpeg -i INPUT -map 0:v:0 -fflags +bitexact -f framemd5 -`
 * shows nothing. It is a QC run of the check the flag-alias table names for
 * --algorithm (cli/aliases.c): the lines come from its per-frame records,
 * through a run observer. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <libavutil/frame.h>
#include <libavutil/imgutils.h>
#include "aliases.h"
#include "hash.h"
#include "../engine/mediaqc.h"
#include "../checks/all.h"
#include "../checks/checksum_ref.h"
#include "../engine/args.h"
#include "../triggers/qc_job.h"

static const char hash_usage[] =
    "usage: mediaqc hash INPUT [--algorithm md5|xxh64|sha1|sha256] [--stream N] [--threads N]\n"
    "                    [--start-number N] [--frame-rate R]   (INPUT shot_%04d.dpx: a sequence)\n"
    "prints one line per frame, as ffmpeg -f framemd5 (md5) or -f framehash does\n";

typedef struct HashPrinter {
    FILE *out;
    MqcHashAlgo algo;
    int started;
    MqcGrid grid;
    int rate_num, rate_den;
} HashPrinter;

static const char *record_digest(const MqcRecord *rec)
{
    for (int i = 0; i < rec->n; i++)
        if (rec->f[i].type == MQC_REC_STRING &&
            (!strcmp(rec->f[i].key, "md5") || !strcmp(rec->f[i].key, "hash")))
            return rec->f[i].s;
    return NULL;
}

/* ffmpeg's header, as written with -fflags +bitexact (no #software line) */
static void print_header(HashPrinter *h, const MqcStreamInfo *si, const AVFrame *f)
{
    fprintf(h->out, "#format: frame checksums\n#version: 2\n#hash: %s\n",
            mqc_hash_header_name(h->algo));
    fprintf(h->out, "#tb 0: %d/%d\n#media_type 0: video\n#codec_id 0: rawvideo\n",
            h->rate_den, h->rate_num);
    /* the sample aspect ratio ffmpeg gives the frames: the container's, else the codec's */
    fprintf(h->out, "#dimensions 0: %dx%d\n#sar 0: %d/%d\n", f->width, f->height, si->sar_num,
            si->sar_den);
    fprintf(h->out, "#stream#, dts,        pts, duration,     size, hash\n");
}

static void print_frame(void *ud, const MqcRun *run, const MqcFrameInfo *fi, const AVFrame *f,
                        const MqcRecord *rec)
{
    HashPrinter *h = ud;
    const MqcStreamInfo *si = &run->si;
    const char *digest = record_digest(rec);
    if (!digest)
        return;
    if (!h->started) {
        h->started = 1;
        h->rate_num = si->rate_num > 0 ? si->rate_num : 25;    /* ffmpeg's fallback too */
        h->rate_den = si->rate_num > 0 ? si->rate_den : 1;
        print_header(h, si, mqc_frame_source(f));
    }
    /* the frame's place on ffmpeg's 1/rate output grid, counted from the start */
    double position = mqc_grid_position(fi->pts, si->start_pts != INT64_MIN ? si->start_pts : 0,
                                        si->tb_num, si->tb_den, h->rate_num, h->rate_den);
    double duration = fi->duration > 0 && si->tb_den ?
                      (double)fi->duration * si->tb_num * h->rate_num /
                      ((double)si->tb_den * h->rate_den) : 1;
    int64_t pts = mqc_grid_place(&h->grid, position, duration);
    if (pts < 0)
        return;     /* ffmpeg drops a frame that far behind the grid */
    /* the decoder's format, as ffmpeg's rawvideo packet has it */
    const AVFrame *src = mqc_frame_source(f);
    int size = av_image_get_buffer_size((enum AVPixelFormat)src->format, src->width, src->height,
                                        1);
    fprintf(h->out, "0, %10lld, %10lld, %8d, %8d, %s\n", (long long)pts, (long long)pts, 1, size,
            digest);
}

/* A profile of the options the flag-alias table gives `hash` (the check
 * they name, alone): --algorithm and the fixed ones. */
static MqcProfile *hash_profile(const char *algorithm, MqcMsg *msg, int *err)
{
    MqcProfile *p = calloc(1, sizeof(*p));
    char set[128];
    *err = MQC_ERR_NOMEM;
    if (!p || !(p->name = strdup("hash")) || !(p->source = strdup("built-in")) ||
        !(p->checks = cJSON_CreateObject())) {
        mqc_profile_free(p);
        return NULL;
    }
    for (const MqcFlagAlias *a = mqc_flag_aliases; a->command; a++) {
        if (strcmp(a->command, "hash"))
            continue;
        /* the option table validates the values */
        mqc_flag_alias_set(a, a->flag ? algorithm : a->value, set, sizeof(set));
        if ((*err = mqc_profile_set(mqc_all_checks, p, set, msg)) < 0) {
            mqc_profile_free(p);
            return NULL;
        }
    }
    return p;
}

static int hash_usage_error(const char *fmt, const char *arg)
{
    return qc_usage_error_for("hash", hash_usage, fmt, arg);
}

int mqc_cmd_hash(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "algorithm", required_argument, NULL, 'a' },
        { "stream", required_argument, NULL, 's' },
        { "threads", required_argument, NULL, 't' },
        { "start-number", required_argument, NULL, 'N' },
        { "frame-rate", required_argument, NULL, 'F' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *algorithm = "md5";
    MqcRunOptions opt = { .stream_index = -1 };
    long v;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'a': algorithm = optarg; break;
        case 's':
            if (mqc_parse_long(optarg, 0, INT_MAX, &v) < 0)
                return hash_usage_error("--stream: expected a stream index, got \"%s\"", optarg);
            opt.stream_index = (int)v;
            break;
        case 't':
            if (mqc_parse_long(optarg, 1, 256, &v) < 0)
                return hash_usage_error("--threads: expected an integer in [1, 256], got \"%s\"",
                                        optarg);
            opt.threads = (int)v;
            break;
        case 'N':
        case 'F':
            if (mqc_parse_sequence_option(c, optarg, &opt.sequence) < 0)
                return hash_usage_error(mqc_sequence_option_usage(c), optarg);
            break;
        case 'h':
            fputs(hash_usage, stdout);
            return MQC_EXIT_PASS;
        case ':':
            return hash_usage_error("%s: missing value", argv[optind - 1]);
        default:
            return hash_usage_error("unknown option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc)
        return hash_usage_error("expected exactly one INPUT%s", "");
    opt.input = argv[optind];

    /* the option --algorithm sets knows the algorithms */
    const MqcOption *o = mqc_flag_alias_option(mqc_all_checks, mqc_flag_alias("hash", 'a'));
    int known = 0;
    for (int i = 0; o && o->type == MQC_OPT_ENUM && o->choices[i]; i++)
        known |= !strcmp(o->choices[i], algorithm);
    if (o && !known) {
        char want[256];
        mqc_option_describe(o, want, sizeof(want));
        mqc_log("hash: --algorithm: expected %s, got \"%s\"", want, algorithm);
        return MQC_EXIT_USAGE;
    }
    MqcMsg msg = { "" };
    int err;
    MqcProfile *profile = hash_profile(algorithm, &msg, &err);
    if (!profile) {
        mqc_log("hash: %s", msg.text[0] ? msg.text : mqc_strerror(err));
        return mqc_exit_code(err, MQC_ERROR);
    }
    HashPrinter printer = { .out = stdout };
    for (int a = 0; a < MQC_HASH_NB; a++)
        if (!strcmp(mqc_hash_option_name((MqcHashAlgo)a), algorithm))
            printer.algo = (MqcHashAlgo)a;
    MqcObserver observer = { .ud = &printer, .frame = print_frame };
    const MqcObserver *observers[] = { &observer, NULL };
    opt.observers = observers;

    MqcRun *run = NULL;
    int ret = mqc_run(mqc_all_checks, profile, &opt, &run, &msg);
    int code = mqc_exit_code(ret, run ? run->verdict : MQC_ERROR);
    if (ret < 0) {
        mqc_log("%s", msg.text[0] ? msg.text : mqc_strerror(ret));
    } else if (run->unreadable[0] || run->error[0]) {
        mqc_log("%s", run->unreadable[0] ? run->unreadable : run->error);
    } else if (!run->have_stream) {
        mqc_log("%s: no video stream: no frames to hash", opt.input);
        code = MQC_EXIT_UNREADABLE;
    } else if (run->verdict != MQC_PASS) {
        /* only the engine's decode check can fail here */
        mqc_log("%s: decode errors; the checksums cover the frames that decoded (run "
                "`mediaqc check` for where)", opt.input);
    }
    mqc_run_free(run);
    mqc_profile_free(profile);
    return code;
}
