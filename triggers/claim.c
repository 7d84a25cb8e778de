/* Job claims (claim.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "../engine/outfile.h"
#include "../engine/remote_io.h"
#include "claim.h"

/* how long a written claim settles before it is read back (stores where the
 * last writer wins) */
#define SETTLE_MS 1000
#define POLL_MS 250

struct QcClaim {
    int fd;                     /* local: the locked file; -1 for object storage */
    int dirfd;                  /* local: its folder (O_PATH) */
    char name[256];             /* local: its name in dirfd */
    char path[2112];            /* the claim file or object */
    char host[256], token[320];
    pthread_t refresher;
    int held_remote;            /* our claim object is stored: delete it */
    int refreshing, stop;
    pthread_mutex_t lock;
    pthread_cond_t cond;
};

static void pause_ms(int ms)
{
    struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&t, &t) < 0 && errno == EINTR)
        ;   /* a SIGTERM lets the job finish: the pause too */
}

static void say_waiting(int *said, int quiet, const char *path, const char *who)
{
    if (!*said && !quiet)
        mqc_log("%s: claimed by %s; waiting for its report", path, who);
    *said = 1;
}

/* ---- local: flock() on REPORT.claim ---- */

static int claim_local(QcClaim *c, const char *confine, int quiet, int (*done)(void *),
                       void *arg, MqcMsg *msg)
{
    c->dirfd = mqc_outfile_folder(c->path, confine, MQC_OUT_MKDIRS, "the job's claim", c->name,
                                  msg);
    if (c->dirfd < 0)
        return c->dirfd;
    int said = 0;
    for (;;) {
        /* never through a symlink planted at the claim's name */
        int fd = openat(c->dirfd, c->name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0) {
            mqc_msg(msg, "%s: cannot create the job's claim: %s", c->path, strerror(errno));
            return MQC_ERR_IO;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            /* the previous holder unlinks the file before unlocking: a lock on
             * an unlinked file claims nothing, try the new one */
            struct stat held, now;
            if (fstat(fd, &held) == 0 &&
                fstatat(c->dirfd, c->name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
                held.st_ino == now.st_ino && held.st_dev == now.st_dev) {
                c->fd = fd;
                if (ftruncate(fd, 0) == 0 && write(fd, c->token, strlen(c->token)) < 0)
                    (void)0;   /* who holds it is for people; the lock is the claim */
                return 1;
            }
            close(fd);
            continue;
        }
        int err = errno;
        close(fd);
        if (err != EWOULDBLOCK && err != EINTR) {
            mqc_msg(msg, "%s: cannot lock the job's claim: %s", c->path, strerror(err));
            return MQC_ERR_IO;
        }
        say_waiting(&said, quiet, c->path, "another worker");
        if (done(arg))
            return 0;
        pause_ms(POLL_MS);
    }
}

/* ---- object storage: a claim object with a lease ---- */

static void claim_text(const QcClaim *c, char *buf, size_t len)
{
    snprintf(buf, len, "{\"token\": \"%s\", \"host\": \"%s\", \"pid\": %ld, \"time\": %lld, "
             "\"lease_s\": %d}\n", c->token, c->host, (long)getpid(), (long long)time(NULL),
             QC_CLAIM_LEASE_S);
}

static int put_claim(const QcClaim *c, MqcMsg *msg)
{
    char text[1024];
    claim_text(c, text, sizeof(text));
    return mqc_remote_put(c->path, text, strlen(text), "application/json", msg);
}

/* The stored claim: 1 ours, 0 absent or stale (who: why), 2 another's live
 * claim (who: its holder), <0 error. */
static int read_claim(const QcClaim *c, char *who, size_t who_len, MqcMsg *msg)
{
    char *text = NULL;
    size_t len = 0;
    snprintf(who, who_len, "nobody");
    int ret = mqc_remote_get(c->path, 4096, &text, &len, msg);
    if (ret == MQC_ERR_NOT_FOUND)
        return 0;
    if (ret < 0)
        return ret;
    cJSON *doc = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(doc, "token");
    const cJSON *host = cJSON_GetObjectItemCaseSensitive(doc, "host");
    const cJSON *pid = cJSON_GetObjectItemCaseSensitive(doc, "pid");
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(doc, "time");
    int state = 0;   /* unreadable claims are stale: a crash mid-write */
    if (cJSON_IsString(token) && cJSON_IsString(host) && cJSON_IsNumber(pid) &&
        cJSON_IsNumber(at)) {
        snprintf(who, who_len, "%.100s:%.0f", host->valuestring, pid->valuedouble);
        for (char *w = who; *w; w++)   /* it is printed: a claim is anyone's bytes */
            *w = (unsigned char)*w < 0x20 || *w == 0x7f ? '?' : *w;
        /* our lease, not the document's, and a time far in the future is as
         * stale as an old one: no claim blocks for longer than a lease */
        double age = (double)time(NULL) - at->valuedouble;
        /* a dead process on this host holds nothing; elsewhere the lease decides */
        int dead = !strcmp(host->valuestring, c->host) && pid->valuedouble > 0 &&
                   pid->valuedouble < 1e9 && kill((pid_t)pid->valuedouble, 0) < 0 &&
                   errno == ESRCH;
        if (!strcmp(token->valuestring, c->token))
            state = 1;
        else if (!dead && age <= QC_CLAIM_LEASE_S && age >= -QC_CLAIM_LEASE_S)
            state = 2;
    }
    cJSON_Delete(doc);
    return state;
}

static void *refresh_main(void *arg)
{
    QcClaim *c = arg;
    pthread_mutex_lock(&c->lock);
    while (!c->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += QC_CLAIM_LEASE_S / 3;
        if (pthread_cond_timedwait(&c->cond, &c->lock, &until) == ETIMEDOUT && !c->stop) {
            pthread_mutex_unlock(&c->lock);
            MqcMsg ignored;   /* a missed refresh costs a duplicate at worst */
            put_claim(c, &ignored);
            pthread_mutex_lock(&c->lock);
        }
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

static int claim_remote(QcClaim *c, int quiet, int (*done)(void *), void *arg, MqcMsg *msg)
{
    int said = 0;
    for (;;) {
        char who[300];
        int state = read_claim(c, who, sizeof(who), msg);
        if (state < 0)
            return state;
        if (state == 2) {
            say_waiting(&said, quiet, c->path, who);
            if (done(arg))
                return 0;
            pause_ms(POLL_MS);
            continue;
        }
        if (strcmp(who, "nobody") && !quiet)
            mqc_log("%s: taking over the stale claim of %s", c->path, who);
        int ret = put_claim(c, msg);
        if (ret < 0)
            return ret;
        pause_ms(SETTLE_MS);
        state = read_claim(c, who, sizeof(who), msg);
        if (state < 0)
            return state;
        if (state != 1)
            continue;   /* another claimant wrote last: it is theirs */
        c->held_remote = 1;
        pthread_mutex_init(&c->lock, NULL);
        pthread_cond_init(&c->cond, NULL);
        c->refreshing = !pthread_create(&c->refresher, NULL, refresh_main, c);
        if (!c->refreshing) {
            pthread_mutex_destroy(&c->lock);
            pthread_cond_destroy(&c->cond);
        }
        return 1;
    }
}

int qc_claim(const char *report, const char *confine, int quiet, int (*done)(void *arg),
             void *arg, QcClaim **claim, MqcMsg *msg)
{
    *claim = NULL;
    QcClaim *c = calloc(1, sizeof(*c));
    if (!c)
        return MQC_ERR_NOMEM;
    c->fd = c->dirfd = -1;
    snprintf(c->path, sizeof(c->path), "%s.claim", report);
    if (gethostname(c->host, sizeof(c->host)) < 0)
        snprintf(c->host, sizeof(c->host), "unknown");
    c->host[strcspn(c->host, "\"\\")] = 0;   /* it goes into JSON */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(c->token, sizeof(c->token), "%s:%ld:%lld.%09ld", c->host, (long)getpid(),
             (long long)now.tv_sec, now.tv_nsec);
    int ret = mqc_remote_is_url(report) ? claim_remote(c, quiet, done, arg, msg)
                                        : claim_local(c, confine, quiet, done, arg, msg);
    if (ret == 1 && done(arg))   /* the holder before us finished it */
        ret = 0;
    if (ret == 1)
        *claim = c;
    else
        qc_claim_release(c);
    return ret;
}

void qc_claim_release(QcClaim *c)
{
    if (!c)
        return;
    if (c->refreshing) {
        pthread_mutex_lock(&c->lock);
        c->stop = 1;
        pthread_cond_signal(&c->cond);
        pthread_mutex_unlock(&c->lock);
        pthread_join(c->refresher, NULL);
        pthread_mutex_destroy(&c->lock);
        pthread_cond_destroy(&c->cond);
    }
    if (c->fd >= 0) {   /* unlink before unlocking: see claim_local */
        unlinkat(c->dirfd, c->name, 0);
        close(c->fd);
    } else if (c->held_remote) {
        MqcMsg ignored;   /* a claim left behind goes stale */
        mqc_remote_delete(c->path, &ignored);
    }
    if (c->dirfd >= 0)
        close(c->dirfd);
    free(c);
}
