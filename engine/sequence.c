/* Numbered image sequences (shot_%04d.dpx): the files present, found by
 * listing the directory, so a hole in the numbering is seen as missing
 * files and reading goes on after it (the image2 demuxer stops there). */
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libavformat/avformat.h>
#include "sequence.h"

struct MqcSequence {
    char pattern[1024];         /* as given, with its directory */
    char dir[1024];
    const char *base;           /* the pattern's file name part, in pattern */
    int64_t *numbers;           /* present, >= start, ascending */
    size_t n;
    int64_t start;
    size_t next;                /* first file of the next run */
};

/* The file name of `number` as the pattern makes it; 0 or negative. */
static int name_of(const char *pattern, int64_t number, char *buf, size_t len)
{
    if (number < 0 || number > INT32_MAX)
        return -1;
    return av_get_frame_filename2(buf, (int)len, pattern, (int)number, 0);
}

int mqc_sequence_is_pattern(const char *path)
{
    char a[1024], b[1024];
    /* one %d conversion that changes the name with the number */
    return strlen(path) < sizeof(a) && name_of(path, 1, a, sizeof(a)) == 0 &&
           name_of(path, 2, b, sizeof(b)) == 0 && strcmp(a, b) != 0;
}

/* The number in `name` when the pattern makes exactly that name from it. */
static int number_in(const char *base, const char *name, int64_t *number)
{
    const char *pct = strchr(base, '%');
    /* the literal text before the conversion (a %% before it: no shortcut) */
    size_t prefix = pct ? (size_t)(pct - base) : 0;
    if (strncmp(name, base, prefix))
        return 0;
    const char *d = name + prefix;
    if (*d < '0' || *d > '9')
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(d, &end, 10);
    char again[1024];
    if (errno || v > INT32_MAX || name_of(base, v, again, sizeof(again)) < 0 ||
        strcmp(again, name))
        return 0;
    *number = v;
    return 1;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int mqc_sequence_open(MqcSequence **out, const char *pattern, int64_t start_number, MqcMsg *msg)
{
    *out = NULL;
    MqcSequence *s = calloc(1, sizeof(*s));
    if (!s)
        return MQC_ERR_NOMEM;
    snprintf(s->pattern, sizeof(s->pattern), "%s", pattern);
    const char *slash = strrchr(s->pattern, '/');
    s->base = slash ? slash + 1 : s->pattern;
    if (slash)
        snprintf(s->dir, sizeof(s->dir), "%.*s", (int)(slash - s->pattern + 1), s->pattern);
    else
        snprintf(s->dir, sizeof(s->dir), "./");
    if (strchr(s->dir, '%')) {
        mqc_msg(msg, "%s: the numbering must be in the file name, not the directory", pattern);
        mqc_sequence_free(&s);
        return MQC_ERR_USAGE;
    }
    DIR *dir = opendir(s->dir);
    if (!dir) {
        int e = errno;
        mqc_msg(msg, "%s: cannot list %s: %s", pattern, s->dir, strerror(e));
        mqc_sequence_free(&s);
        return e == ENOENT || e == ENOTDIR ? MQC_ERR_NOT_FOUND : MQC_ERR_UNREADABLE;
    }
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        int64_t v;
        if (!number_in(s->base, de->d_name, &v) || (start_number >= 0 && v < start_number))
            continue;
        if (s->n == cap) {
            size_t ncap = cap ? 2 * cap : 256;
            int64_t *p = realloc(s->numbers, ncap * sizeof(*p));
            if (!p) {
                closedir(dir);
                mqc_sequence_free(&s);
                return MQC_ERR_NOMEM;
            }
            s->numbers = p;
            cap = ncap;
        }
        s->numbers[s->n++] = v;
    }
    closedir(dir);
    if (!s->n) {
        if (start_number >= 0)
            mqc_msg(msg, "%s: no file of the sequence numbered %lld or above in %s", pattern,
                    (long long)start_number, s->dir);
        else
            mqc_msg(msg, "%s: no file of the sequence in %s", pattern, s->dir);
        mqc_sequence_free(&s);
        return MQC_ERR_NOT_FOUND;
    }
    qsort(s->numbers, s->n, sizeof(*s->numbers), cmp_i64);
    s->start = start_number >= 0 ? start_number : s->numbers[0];
    *out = s;
    return 0;
}

int mqc_sequence_next_run(MqcSequence *s, int64_t *first, int64_t *count)
{
    if (s->next >= s->n)
        return 0;
    size_t i = s->next;
    while (i + 1 < s->n && s->numbers[i + 1] == s->numbers[i] + 1)
        i++;
    *first = s->numbers[s->next];
    *count = (int64_t)(i - s->next + 1);
    s->next = i + 1;
    return 1;
}

int64_t mqc_sequence_start(const MqcSequence *s)
{
    return s->start;
}

int64_t mqc_sequence_files(const MqcSequence *s)
{
    return (int64_t)s->n;
}

int64_t mqc_sequence_last(const MqcSequence *s)
{
    return s->numbers[s->n - 1];
}

int mqc_sequence_has(const MqcSequence *s, int64_t number)
{
    return s && bsearch(&number, s->numbers, s->n, sizeof(*s->numbers), cmp_i64) != NULL;
}

int64_t mqc_sequence_number(const MqcSequence *s, size_t i)
{
    return i < s->n ? s->numbers[i] : -1;
}

void mqc_sequence_name(const MqcSequence *s, int64_t number, int with_dir, char *buf, size_t len)
{
    if (name_of(with_dir ? s->pattern : s->base, number, buf, len) < 0)
        snprintf(buf, len, "#%lld", (long long)number);
}

void mqc_sequence_free(MqcSequence **ps)
{
    if (!*ps)
        return;
    free((*ps)->numbers);
    free(*ps);
    *ps = NULL;
}

/* ---- a directory given as the input: the one numbered sequence in it ---- */

/* name = prefix + digits + "." + ext; the split, 0 when name is not so */
static int split_numbered(const char *name, size_t *prefix_len, size_t *digits, const char **ext)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name || !dot[1] || name[0] == '.')
        return 0;
    const char *d = dot;
    while (d > name && isdigit((unsigned char)d[-1]))
        d--;
    if (d == dot)
        return 0;
    *prefix_len = (size_t)(d - name);
    *digits = (size_t)(dot - d);
    *ext = dot + 1;
    return 1;
}

static int is_image_ext(const char *ext)
{
    static const char *const exts[] = { "dpx", "exr", "tif", "tiff", "png", "j2c", "j2k", "jp2" };
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
        if (!strcasecmp(ext, exts[i]))
            return 1;
    return 0;
}

int mqc_sequence_pattern_of_dir(const char *dir, char *pattern, size_t len, MqcMsg *msg)
{
    DIR *d = opendir(dir);
    if (!d) {
        mqc_msg(msg, "%s: %s", dir, strerror(errno));
        return MQC_ERR_UNREADABLE;
    }
    /* the first numbered image names a sequence; any other sequence makes it ambiguous */
    char first[512] = "", other[512] = "";
    size_t first_prefix = 0, width = 0;
    const char *sep = dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/";
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t prefix, digits;
        const char *ext;
        if (!split_numbered(e->d_name, &prefix, &digits, &ext) || !is_image_ext(ext) ||
            strlen(e->d_name) >= sizeof(first))
            continue;
        if (!first[0]) {
            snprintf(first, sizeof(first), "%s", e->d_name);
            first_prefix = prefix;
            width = digits;
            continue;
        }
        const char *first_ext = strrchr(first, '.') + 1;
        if (prefix != first_prefix || strncmp(e->d_name, first, prefix) ||
            strcmp(ext, first_ext)) {
            if (!other[0])
                snprintf(other, sizeof(other), "%s", e->d_name);
            continue;
        }
        width = digits < width ? digits : width;    /* %04d prints 10000 with 5 digits */
    }
    closedir(d);
    if (!first[0]) {
        mqc_msg(msg, "%s: is a directory with no numbered image files (DPX, EXR, TIFF, PNG, "
                "JPEG 2000); give a media file or a sequence pattern such as "
                "%s%sshot_%%04d.dpx", dir, dir, sep);
        return MQC_ERR_USAGE;
    }
    if (other[0]) {
        mqc_msg(msg, "%s: is a directory holding more than one image sequence (%s, %s); "
                "give the one to check as a pattern such as %s%sshot_%%04d.dpx", dir, first,
                other, dir, sep);
        return MQC_ERR_USAGE;
    }
    char conv[16];
    if (width > 1)
        snprintf(conv, sizeof(conv), "%%0%zud", width);
    else
        snprintf(conv, sizeof(conv), "%%d");
    int n = snprintf(pattern, len, "%s%s%.*s%s.%s", dir, sep, (int)first_prefix, first, conv,
                     strrchr(first, '.') + 1);
    if (n < 0 || (size_t)n >= len || strchr(first, '%')) {
        mqc_msg(msg, "%s: the sequence's name is too long or holds a %%", dir);
        return MQC_ERR_USAGE;
    }
    return 0;
}
