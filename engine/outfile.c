/* Local output files: exclusive temp file, fsync, rename (engine/outfile.h). */
#define _GNU_SOURCE     /* O_PATH */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "outfile.h"

#define TMP_TAG ".mqctmp."
#define TMP_RANDOM 6            /* characters after the tag, as mkstemp's XXXXXX */
#define TMP_NAME_KEEP 200       /* bytes of NAME in the temp name: it must fit 255 */

static int fail(MqcOutFile *f, int err, MqcMsg *msg)
{
    mqc_msg(msg, "%s: cannot write %s: %s", f->path, f->what, strerror(err));
    return MQC_ERR_IO;
}

static long long ns_of(struct timespec t)
{
    return (long long)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* A temp file whose lock is free is a dead writer's if it is older than
 * this one (its first output) or than a minute: only a live writer's
 * newest file can be unlocked yet, between its creation and its flock. */
static long long stale_before_ns(void)
{
    static atomic_llong start;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    long long expect = 0;
    atomic_compare_exchange_strong(&start, &expect, ns_of(now));
    long long minute_ago = ns_of(now) - 60 * 1000000000LL;
    return atomic_load(&start) > minute_ago ? atomic_load(&start) : minute_ago;
}

/* Walks from `confine` (or / or .) to the folder of path, one component at
 * a time, creating folders when asked; below confine no symbolic link is
 * followed. Sets f->name; returns an O_PATH descriptor or MQC_ERR_IO. */
static int open_folder(MqcOutFile *f, const char *path, const char *confine, unsigned flags,
                       int *confined, MqcMsg *msg)
{
    size_t cl = confine ? strlen(confine) : 0;
    while (cl > 1 && confine[cl - 1] == '/')
        cl--;
    const char *rel = path;
    int dfd;
    *confined = cl && !strncmp(path, confine, cl) && path[cl] == '/';
    if (*confined) {
        char base[4096];
        snprintf(base, sizeof(base), "%.*s", (int)cl, confine);
        if ((flags & MQC_OUT_MKDIRS))
            mkdir(base, 0777);  /* (a bucket's folder) exists already, or open says why not */
        dfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
        rel = path + cl + 1;
    } else {
        dfd = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    if (dfd < 0)
        return fail(f, errno, msg);
    const char *slash = strrchr(rel, '/');
    const char *name = slash ? slash + 1 : rel;
    if (!*name || !strcmp(name, ".") || !strcmp(name, "..") || strlen(name) >= sizeof(f->name)) {
        close(dfd);
        return fail(f, *name && strcmp(name, ".") && strcmp(name, "..") ? ENAMETOOLONG : EISDIR,
                    msg);
    }
    snprintf(f->name, sizeof(f->name), "%s", name);
    for (const char *c = rel; c < name;) {
        size_t len = strcspn(c, "/");
        char comp[256];
        if (len >= sizeof(comp)) {
            close(dfd);
            return fail(f, ENAMETOOLONG, msg);
        }
        snprintf(comp, sizeof(comp), "%.*s", (int)len, c);
        c += len + 1;
        if (!len || !strcmp(comp, "."))
            continue;
        int bad = *confined && !strcmp(comp, "..");
        if (!bad && (flags & MQC_OUT_MKDIRS))
            mkdirat(dfd, comp, 0777);   /* exists already, or openat says why not */
        int nfd = bad ? -1 : openat(dfd, comp, O_PATH | O_DIRECTORY | O_CLOEXEC |
                                                   (*confined ? O_NOFOLLOW : 0));
        if (nfd < 0) {
            int err = errno;
            struct stat st;
            int link = *confined && !fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW) &&
                       S_ISLNK(st.st_mode);
            close(dfd);
            if (!link && !bad)
                return fail(f, err, msg);
            mqc_msg(msg, "%s: cannot write %s: %.*s %s (an output path a job computes follows "
                    "none)", f->path, f->what, (int)(c - 1 - path), path,
                    bad ? "leaves its folder" : "is a symbolic link");
            return MQC_ERR_IO;
        }
        close(dfd);
        dfd = nfd;
    }
    return dfd;
}

/* Removes ".NAME.mqctmp.XXXXXX" files of writers that were killed: their
 * lock is free (a live writer holds it until its rename) and they are old
 * enough (stale_before_ns). */
static void remove_stale(int dirfd, const char *prefix)
{
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    size_t n = strlen(prefix);
    long long before = stale_before_ns();
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, prefix, n) || strlen(e->d_name) != n + TMP_RANDOM)
            continue;
        int t = openat(dirfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        struct stat st;
        if (t >= 0 && !fstat(t, &st) && S_ISREG(st.st_mode) && ns_of(st.st_mtim) < before &&
            !flock(t, LOCK_EX | LOCK_NB))
            unlinkat(dirfd, e->d_name, 0);
        if (t >= 0)
            close(t);
    }
    closedir(d);
}

/* mkstemp in a folder: a new name, created exclusively (O_EXCL also refuses
 * a symbolic link planted at that name). */
static int create_temp(MqcOutFile *f, const char *prefix)
{
    static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned char rnd[TMP_RANDOM];
        if (getentropy(rnd, sizeof(rnd)) < 0) {
            struct timespec t;
            clock_gettime(CLOCK_REALTIME, &t);
            unsigned long long x = (unsigned long long)ns_of(t) ^ ((unsigned long long)getpid()
                                                                     << 32) ^ (unsigned)attempt;
            for (int i = 0; i < TMP_RANDOM; i++, x = x * 6364136223846793005ULL + 1)
                rnd[i] = (unsigned char)(x >> 56);
        }
        char suffix[TMP_RANDOM + 1];
        for (int i = 0; i < TMP_RANDOM; i++)
            suffix[i] = chars[rnd[i] % (sizeof(chars) - 1)];
        suffix[TMP_RANDOM] = 0;
        snprintf(f->tmp, sizeof(f->tmp), "%s%s", prefix, suffix);
        int fd = openat(f->dirfd, f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1;
}

int mqc_outfile_folder(const char *path, const char *confine, unsigned flags, const char *what,
                       char name[256], MqcMsg *msg)
{
    MqcOutFile f = { .dirfd = -1 };
    snprintf(f.path, sizeof(f.path), "%s", path);
    snprintf(f.what, sizeof(f.what), "%s", what);
    if (strlen(path) >= sizeof(f.path))
        return fail(&f, ENAMETOOLONG, msg);
    int confined;
    int dfd = open_folder(&f, path, confine, flags, &confined, msg);
    if (dfd >= 0)
        memcpy(name, f.name, sizeof(f.name));
    return dfd;
}

int mqc_outfile_open(MqcOutFile *f, const char *path, const char *confine, unsigned flags,
                     const char *what, MqcMsg *msg)
{
    memset(f, 0, sizeof(*f));
    f->dirfd = -1;
    snprintf(f->path, sizeof(f->path), "%s", strcmp(path, "-") ? path : "stdout");
    snprintf(f->what, sizeof(f->what), "%s", what);
    if (!strcmp(path, "-")) {
        f->fp = stdout;
        return 0;
    }
    if (strlen(path) >= sizeof(f->path))
        return fail(f, ENAMETOOLONG, msg);
    stale_before_ns();      /* this writer's start */
    int confined;
    int dfd = open_folder(f, path, confine, flags, &confined, msg);
    if (dfd < 0)
        return dfd;
    struct stat st;
    int exists = !fstatat(dfd, f->name, &st, confined ? AT_SYMLINK_NOFOLLOW : 0);
    if (exists && S_ISDIR(st.st_mode)) {
        close(dfd);
        return fail(f, EISDIR, msg);
    }
    if (exists && !confined && !S_ISREG(st.st_mode)) {
        /* a device or pipe the user named (/dev/stdout, a FIFO): written
         * through, never replaced */
        int fd = openat(dfd, f->name, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        int err = errno;
        close(dfd);
        if (fd < 0 || !(f->fp = fdopen(fd, "w"))) {
            err = fd < 0 ? err : errno;
            if (fd >= 0)
                close(fd);
            return fail(f, err, msg);
        }
        f->owned = 1;
        return 0;
    }
    f->dirfd = dfd;
    char prefix[sizeof(f->tmp)];
    snprintf(prefix, sizeof(prefix), ".%.*s" TMP_TAG, TMP_NAME_KEEP, f->name);
    remove_stale(dfd, prefix);
    int fd = create_temp(f, prefix);
    if (fd < 0) {
        int err = errno;
        f->tmp[0] = 0;
        mqc_outfile_abort(f);
        return fail(f, err, msg);
    }
    flock(fd, LOCK_EX | LOCK_NB);   /* held until the rename: we are alive */
    if (!(f->fp = fdopen(fd, "w"))) {
        int err = errno;
        close(fd);
        mqc_outfile_abort(f);
        return fail(f, err, msg);
    }
    f->owned = 1;
    return 0;
}

int mqc_outfile_check(MqcOutFile *f)
{
    if (!f->err && f->fp && ferror(f->fp))
        f->err = errno ? errno : EIO;
    return f->err ? MQC_ERR_IO : 0;
}

/* The folder's entry is on disk too, not only the file's data. */
static void sync_folder(int dirfd)
{
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int mqc_outfile_commit(MqcOutFile *f, MqcMsg *msg)
{
    if (!f->fp)
        return fail(f, EBADF, msg);
    mqc_outfile_check(f);
    if (!f->err && fflush(f->fp))
        f->err = errno;
    /* on disk before it gets its name: a crash leaves the old file or the new one */
    if (!f->err && f->dirfd >= 0 && fsync(fileno(f->fp)))
        f->err = errno;
    if (!f->err && f->dirfd >= 0) {
        if (renameat(f->dirfd, f->tmp, f->dirfd, f->name))
            f->err = errno;
        else
            f->tmp[0] = 0, sync_folder(f->dirfd);
    }
    if (f->owned && fclose(f->fp) && !f->err)
        f->err = errno;
    if (f->err && f->fp == stdout) {
        __fpurge(stdout);   /* reported here, with what it was; not again at exit */
        clearerr(stdout);
    }
    f->fp = NULL;
    int err = f->err;
    mqc_outfile_abort(f);
    return err ? fail(f, err, msg) : 0;
}

void mqc_outfile_abort(MqcOutFile *f)
{
    if (f->fp && f->owned)
        fclose(f->fp);
    f->fp = NULL;
    if (f->dirfd >= 0) {
        if (f->tmp[0])
            unlinkat(f->dirfd, f->tmp, 0);
        close(f->dirfd);
    }
    f->tmp[0] = 0;
    f->dirfd = -1;
}
