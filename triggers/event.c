/* mediaqc event [FILE|-]: QC the objects of one S3 event notification. */
#include <stdlib.h>
#include <string.h>
#include "qc_job.h"

int cmd_event(int argc, char **argv)
{
    static const struct option longopts[] = {
        QC_COMMON_LONGOPTS,
        { "root", required_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    QcSetup setup = { 0 };
    const char *root = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        int used = qc_setup_option(&setup, c, optarg);
        if (used < 0)
            return MQC_EXIT_USAGE;
        if (used)
            continue;
        if (c == 'r')
            root = optarg;
        else if (c == 'h')
            return printf("usage: mediaqc event [FILE|-] [--root DIR] [--rules FILE] "
                          "[--profile NAME|PATH]\n                     [--report-prefix P/] "
                          "[--threads N] [--quiet]\n"), MQC_EXIT_PASS;
        else if (c == ':')
            return qc_usage_error("%s: missing value", argv[optind - 1]);
        else
            return qc_usage_error("event: unknown option \"%s\"", argv[optind - 1]);
    }
    if (optind + 1 < argc)
        return qc_usage_error("event takes one event file (or - for stdin)%s", "");
    const char *file = optind < argc ? argv[optind] : "-";
    const char *origin = strcmp(file, "-") ? file : "<stdin>";

    QcConfig cfg;
    if (qc_setup_config(&setup, root, &cfg) < 0)
        return MQC_EXIT_USAGE;
    char *text;
    size_t len;
    QcRecord *recs = NULL;
    int n = 0;
    MqcMsg msg;
    if (qc_read_all(file, QC_MAX_EVENT_BYTES, &text, &len, &msg) < 0 ||
        qc_event_parse(text, len, origin, cfg.report_prefix, &recs, &n, &msg) < 0) {
        mqc_log("%s", msg.text);
        if (text)
            free(text);
        qc_config_free(&cfg);
        return MQC_EXIT_USAGE;
    }
    free(text);
    /* the worst record decides: 3 unreadable > 2 usage > 1 fail > 0 pass */
    int worst = MQC_EXIT_PASS, jobs = 0;
    for (int i = 0; i < n; i++) {
        if (recs[i].kind == QC_RECORD_SKIP) {
            if (!setup.quiet)
                mqc_log("%s: skipped: %s", origin, recs[i].why);
            continue;
        }
        if (recs[i].kind == QC_RECORD_INVALID) {
            mqc_log("%s: %s", origin, recs[i].why);
            worst = worst > MQC_EXIT_USAGE ? worst : MQC_EXIT_USAGE;
            continue;
        }
        QcOutcome out;
        qc_job_run(&cfg, &recs[i].obj, &out);
        qc_outcome_print(&recs[i].obj, &out);
        worst = worst > out.exit_code ? worst : out.exit_code;
        jobs++;
    }
    if (!jobs && !setup.quiet)
        mqc_log("%s: no object to QC", origin);
    qc_records_free(recs, n);
    qc_config_free(&cfg);
    return worst;
}
