/* mediaqc watch DIR: QC files that appear in a shared folder, each version
 * once, and only when complete (size and mtime unchanged across two polls). */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "../reports/job.h"
#include "qc_job.h"
#include "../engine/args.h"

#define STATE_NAME ".mediaqc-watch.json"
#define MAX_DEPTH 16

typedef struct Entry {
    char *rel;                  /* path under DIR, the object's key */
    int64_t size, mtime_ns;
} Entry;

typedef struct Entries {
    Entry *v;
    size_t n, cap;
} Entries;

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int by_rel(const void *a, const void *b)
{
    return strcmp(((const Entry *)a)->rel, ((const Entry *)b)->rel);
}

static const Entry *lookup(const Entries *e, const char *rel)
{
    Entry k = { .rel = (char *)rel };
    return e->n ? bsearch(&k, e->v, e->n, sizeof(*e->v), by_rel) : NULL;
}

static int add(Entries *e, const char *rel, int64_t size, int64_t mtime_ns)
{
    if (e->n == e->cap) {
        size_t cap = e->cap ? 2 * e->cap : 64;
        Entry *v = realloc(e->v, cap * sizeof(*v));
        if (!v)
            return MQC_ERR_NOMEM;
        e->v = v;
        e->cap = cap;
    }
    if (!(e->v[e->n].rel = strdup(rel)))
        return MQC_ERR_NOMEM;
    e->v[e->n].size = size;
    e->v[e->n++].mtime_ns = mtime_ns;
    return 0;
}

static void clear(Entries *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->v[i].rel);
    e->n = 0;
}

/* Regular files under dir/rel, hidden names, symlinks and the reports folder left out. */
static void scan(const char *root, const char *rel, const char *reports, int depth, Entries *out)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(path);
    if (!d)
        return;
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] == '.')
            continue;
        char child[4096], full[8192];
        snprintf(child, sizeof(child), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
        snprintf(full, sizeof(full), "%s/%s", root, child);
        struct stat st;
        if (lstat(full, &st) < 0)
            continue;
        int is_reports = strlen(child) == strlen(reports) - 1 &&   /* prefix without '/' */
                         !strncmp(child, reports, strlen(child));
        if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH && !is_reports)
            scan(root, child, reports, depth + 1, out);
        else if (S_ISREG(st.st_mode))
            add(out, child, st.st_size, (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec);
    }
    closedir(d);
}

static int load_state(const char *path, Entries *done, MqcMsg *msg)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return 0;   /* first run */
    cJSON *doc;
    if (qc_parse_json_file(path, &doc, msg) < 0)
        return MQC_ERR_USAGE;
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(doc, "processed");
    int ret = cJSON_IsObject(files) ? 0 : MQC_ERR_USAGE;
    for (const cJSON *f = files ? files->child : NULL; !ret && f; f = f->next) {
        const cJSON *size = cJSON_GetObjectItemCaseSensitive(f, "size");
        const cJSON *mtime = cJSON_GetObjectItemCaseSensitive(f, "mtime_ns");
        char *end = NULL;
        long long ns = cJSON_IsString(mtime) ? strtoll(mtime->valuestring, &end, 10) : 0;
        if (!cJSON_IsNumber(size) || !(size->valuedouble >= 0 && size->valuedouble <= 0x1p62) ||
            !end || *end || end == mtime->valuestring)
            ret = MQC_ERR_USAGE;
        else
            ret = add(done, f->string, (int64_t)size->valuedouble, ns);
    }
    if (ret == MQC_ERR_USAGE)
        mqc_msg(msg, "%s: expected {\"processed\": {NAME: {\"size\": N, \"mtime_ns\": \"N\"}}} "
                "(delete it to QC every file again)", path);
    cJSON_Delete(doc);
    if (done->n)
        qsort(done->v, done->n, sizeof(*done->v), by_rel);
    return ret;
}

static int save_state(const char *dir, const char *path, const Entries *done, MqcMsg *msg)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *files = cJSON_AddObjectToObject(doc, "processed");
    for (size_t i = 0; i < done->n; i++) {
        cJSON *f = cJSON_AddObjectToObject(files, done->v[i].rel);
        cJSON_AddNumberToObject(f, "size", (double)done->v[i].size);
        char ns[24];   /* a string: nanoseconds since 1970 do not fit a double */
        snprintf(ns, sizeof(ns), "%lld", (long long)done->v[i].mtime_ns);
        cJSON_AddStringToObject(f, "mtime_ns", ns);
    }
    char *text = cJSON_Print(doc);
    cJSON_Delete(doc);
    int ret = text ? mqc_write_atomic(path, dir, text, strlen(text), MQC_WRITE_MKDIRS,
                                      "watch state", msg) : MQC_ERR_NOMEM;
    free(text);
    return ret;
}

static void sleep_interruptible(double seconds)
{
    for (double left = seconds; left > 0 && !stop_requested; left -= 0.1) {
        struct timespec t = { 0, (long)((left < 0.1 ? left : 0.1) * 1e9) };
        nanosleep(&t, NULL);
    }
}

int cmd_watch(int argc, char **argv)
{
    static const struct option longopts[] = {
        QC_COMMON_LONGOPTS,
        { "once", no_argument, NULL, 'o' },
        { "interval", required_argument, NULL, 'i' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    QcSetup setup = { 0 };
    int once = 0, c;
    double interval = 2.0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        int used = qc_setup_option(&setup, c, optarg);
        if (used < 0)
            return MQC_EXIT_USAGE;
        if (used)
            continue;
        if (c == 'o')
            once = 1;
        else if (c == 'i' && mqc_parse_double(optarg, 0.1, 3600, &interval) < 0)
            return qc_usage_error("--interval: expected seconds in [0.1, 3600], got \"%s\"",
                                  optarg);
        else if (c == 'h')
            return printf("usage: mediaqc watch DIR [--once] [--interval S] [--rules FILE] "
                          "[--profile NAME|PATH]\n                     [--report-prefix P/] "
                          "[--threads N] [--quiet]\n"), MQC_EXIT_PASS;
        else if (c == ':')
            return qc_usage_error("%s: missing value", argv[optind - 1]);
        else if (c != 'i')
            return qc_usage_error("watch: unknown option \"%s\"", argv[optind - 1]);
    }
    if (optind + 1 != argc)
        return qc_usage_error("watch needs exactly one DIR%s", "");
    const char *dir = argv[optind];
    QcConfig cfg;
    if (qc_setup_config(&setup, dir, &cfg) < 0)
        return MQC_EXIT_USAGE;

    char state_path[4096];
    snprintf(state_path, sizeof(state_path), "%s/%s%s", dir, cfg.report_prefix, STATE_NAME);
    Entries done = { 0 }, prev = { 0 }, cur = { 0 };
    MqcMsg msg;
    if (load_state(state_path, &done, &msg) < 0) {
        mqc_log("%s", msg.text);
        qc_config_free(&cfg);
        return MQC_EXIT_USAGE;
    }
    struct sigaction sa = { .sa_handler = on_stop };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    if (!setup.quiet)
        mqc_log("watching %s every %.1f s (reports in %s/%s)", dir, interval, dir,
                cfg.report_prefix);

    int worst = MQC_EXIT_PASS;
    for (int poll = 0; !stop_requested; poll++) {
        scan(dir, "", cfg.report_prefix, 0, &cur);
        if (cur.n)
            qsort(cur.v, cur.n, sizeof(*cur.v), by_rel);
        for (size_t i = 0; i < cur.n && !stop_requested; i++) {
            const Entry *e = &cur.v[i], *seen = lookup(&prev, e->rel), *old = lookup(&done, e->rel);
            if (old && old->size == e->size && old->mtime_ns == e->mtime_ns)
                continue;   /* this version was QC'd */
            if (!seen || seen->size != e->size || seen->mtime_ns != e->mtime_ns || !e->size)
                continue;   /* new or still growing: wait for the next poll */
            QcObject obj = { .key = e->rel, .size = e->size, .event = "watch" };
            QcOutcome out;
            if (qc_key_check(e->rel, &msg) < 0) {
                /* the name itself is not printed: it may hold terminal controls */
                mqc_log("%s: a file skipped: %s", dir, msg.text);
            } else {
                qc_job_run(&cfg, &obj, &out);
                qc_outcome_print(&obj, &out);
                worst = worst > out.exit_code ? worst : out.exit_code;
            }
            /* recorded whatever the verdict: a new version (size/mtime) is QC'd again */
            Entry *slot = (Entry *)lookup(&done, e->rel);
            if (slot) {
                slot->size = e->size;
                slot->mtime_ns = e->mtime_ns;
            } else if (add(&done, e->rel, e->size, e->mtime_ns) == 0) {
                qsort(done.v, done.n, sizeof(*done.v), by_rel);
            }
            if (save_state(dir, state_path, &done, &msg) < 0)
                mqc_log("%s", msg.text);
        }
        Entries t = prev;
        prev = cur;
        cur = t;
        clear(&cur);
        if (once && poll == 1)
            break;
        sleep_interruptible(interval);
    }
    clear(&done);
    clear(&prev);
    clear(&cur);
    free(done.v);
    free(prev.v);
    free(cur.v);
    qc_config_free(&cfg);
    return once ? worst : MQC_EXIT_PASS;
}
