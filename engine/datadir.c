/* Where the shipped data lives (profiles/, profiles/ocio/config.ocio).
 * Looked up relative to the running binary, so an installed tree works from
 * any directory and its reports name no build or source path; a binary inside
 * the build tree (tests, scripts/demo.sh) reads the source tree instead. */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "mediaqc.h"

#ifndef MQC_DATA_RELDIR
#define MQC_DATA_RELDIR "../share/mediaqc"   /* from the binary's directory */
#endif

static char data_dir[PATH_MAX];
static pthread_once_t data_once = PTHREAD_ONCE_INIT;

static int has_profiles(const char *dir)
{
    char p[PATH_MAX + 16];
    struct stat st;
    snprintf(p, sizeof(p), "%s/profiles", dir);
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

#if defined(MQC_BUILD_DIR) && defined(MQC_SOURCE_DATA_DIR)
/* `path` is `dir` or below it (both canonical) */
static int is_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == 0);
}
#endif

static void find_data_dir(void)
{
    char exe[PATH_MAX], cand[PATH_MAX + sizeof(MQC_DATA_RELDIR) + 1], real[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return;   /* no /proc: profiles by path and $OCIO still work */
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash)
        return;
    *slash = 0;
    snprintf(cand, sizeof(cand), "%s/%s", exe, MQC_DATA_RELDIR);
    if (realpath(cand, real) && has_profiles(real)) {
        snprintf(data_dir, sizeof(data_dir), "%s", real);
        return;
    }
#if defined(MQC_BUILD_DIR) && defined(MQC_SOURCE_DATA_DIR)
    /* only a binary that still sits in its build tree may read the sources:
     * an installed one that lost its share/ must not quietly use them */
    if (realpath(MQC_BUILD_DIR, real) && is_under(exe, real) && has_profiles(MQC_SOURCE_DATA_DIR))
        snprintf(data_dir, sizeof(data_dir), "%s", MQC_SOURCE_DATA_DIR);
#endif
}

const char *mqc_data_dir(void)
{
    pthread_once(&data_once, find_data_dir);
    return data_dir[0] ? data_dir : NULL;
}
