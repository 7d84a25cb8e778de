/* Digests, ffmpeg's frame grid and the reference readers of the checksum
 * check (see checksum_ref.h). Everything read here comes from a file the
 * user gives: sizes are bounded before reading, every line is validated,
 * and errors name the file, the line and the cause. */
#define XXH_STATIC_LINKING_ONLY     /* the states' sizes, to keep them without malloc */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>
#include <libavutil/common.h>
#include <libavutil/mathematics.h>
#include <libavutil/md5.h>
#include <libavutil/sha.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <xxhash.h>
#include "checksum_ref.h"
#include "../engine/mediaqc.h"

/* ---- digests ---- */

static const struct {
    const char *option, *header;
    int size;
} hash_names[MQC_HASH_NB] = {
    [MQC_HASH_MD5] = { "md5", "MD5", 16 },
    [MQC_HASH_XXH64] = { "xxh64", "XXH64", 8 },
    [MQC_HASH_SHA1] = { "sha1", "SHA160", 20 },     /* libavutil's name for SHA-1 */
    [MQC_HASH_SHA256] = { "sha256", "SHA256", 32 },
    [MQC_HASH_XXH3] = { "xxh3", "XXH128", 16 },     /* xxhsum -H2 calls it XXH128 */
};

const char *mqc_hash_option_name(MqcHashAlgo a) { return hash_names[a].option; }
const char *mqc_hash_header_name(MqcHashAlgo a) { return hash_names[a].header; }
int mqc_hash_size(MqcHashAlgo a) { return hash_names[a].size; }

void mqc_hex(const uint8_t *digest, int n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < n; i++) {
        out[2 * i] = digits[digest[i] >> 4];
        out[2 * i + 1] = digits[digest[i] & 15];
    }
    out[2 * n] = 0;
}

static int hex_value(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
           c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Bytes decoded from exactly len hex digits, or -1. */
static int unhex(const char *s, size_t len, uint8_t *out, size_t max)
{
    if (len % 2 || len / 2 > max)
        return -1;
    for (size_t i = 0; i < len; i += 2) {
        int hi = hex_value((unsigned char)s[i]), lo = hex_value((unsigned char)s[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return (int)(len / 2);
}

/* XXH3's state at the first 64-byte boundary inside ctx */
static XXH3_state_t *xxh3_state(MqcHasher *h)
{
    return (XXH3_state_t *)(void *)(((uintptr_t)h->ctx + 63) & ~(uintptr_t)63);
}

int mqc_hasher_supported(void)
{
    MqcHasher h;
    return av_md5_size <= (int)sizeof(h.ctx) && av_sha_size <= (int)sizeof(h.ctx) &&
           sizeof(XXH64_state_t) <= sizeof(h.ctx) &&
           sizeof(XXH3_state_t) + 63 - 15 <= sizeof(h.ctx);   /* ctx is 16-aligned */
}

void mqc_hasher_start(MqcHasher *h, MqcHashAlgo algo)
{
    h->algo = algo;
    switch (algo) {
    case MQC_HASH_MD5: av_md5_init((struct AVMD5 *)h->ctx); break;
    case MQC_HASH_XXH64: XXH64_reset((XXH64_state_t *)h->ctx, 0); break;
    case MQC_HASH_XXH3: XXH3_128bits_reset(xxh3_state(h)); break;
    case MQC_HASH_SHA1: av_sha_init((struct AVSHA *)h->ctx, 160); break;
    default: av_sha_init((struct AVSHA *)h->ctx, 256); break;
    }
}

void mqc_hasher_update(MqcHasher *h, const uint8_t *data, size_t len)
{
    switch (h->algo) {
    case MQC_HASH_MD5: av_md5_update((struct AVMD5 *)h->ctx, data, len); break;
    case MQC_HASH_XXH64: XXH64_update((XXH64_state_t *)h->ctx, data, len); break;
    case MQC_HASH_XXH3: XXH3_128bits_update(xxh3_state(h), data, len); break;
    default:
        /* av_sha_update takes an unsigned int length */
        while (len) {
            unsigned int n = len > (1u << 30) ? 1u << 30 : (unsigned int)len;
            av_sha_update((struct AVSHA *)h->ctx, data, n);
            data += n;
            len -= n;
        }
        break;
    }
}

void mqc_hasher_end(MqcHasher *h, uint8_t out[MQC_DIGEST_MAX])
{
    memset(out, 0, MQC_DIGEST_MAX);
    switch (h->algo) {
    case MQC_HASH_MD5: av_md5_final((struct AVMD5 *)h->ctx, out); break;
    case MQC_HASH_XXH64: {
        XXH64_canonical_t c;
        XXH64_canonicalFromHash(&c, XXH64_digest((XXH64_state_t *)h->ctx));
        memcpy(out, c.digest, sizeof(c.digest));
        break;
    }
    case MQC_HASH_XXH3: {
        XXH128_canonical_t c;
        XXH128_canonicalFromHash(&c, XXH3_128bits_digest(xxh3_state(h)));
        memcpy(out, c.digest, sizeof(c.digest));
        break;
    }
    default: av_sha_final((struct AVSHA *)h->ctx, out); break;
    }
}

/* ---- ffmpeg's frame grid (fftools/ffmpeg.c of FFmpeg 5.1, -vsync vfr) ---- */

double mqc_grid_position(int64_t pts, int64_t origin, int tb_num, int tb_den, int rate_num,
                         int rate_den)
{
    if (pts == INT64_MIN || tb_num <= 0 || tb_den <= 0 || rate_num <= 0 || rate_den <= 0)
        return NAN;
    /* ffmpeg rescales to the encoder time base 1/rate with extra bits, then
     * nudges away from exact midpoints */
    AVRational tb = { rate_den, rate_num };
    int extra_bits = av_clip(29 - av_log2((unsigned)tb.den), 0, 16);
    tb.den <<= extra_bits;
    double p = (double)av_rescale_q(pts - origin, (AVRational){ tb_num, tb_den }, tb);
    p /= 1 << extra_bits;
    return p + (p > 0 ? 1.0 : -1.0) / (1 << 17);
}

double mqc_grid_position_s(double seconds, int rate_num, int rate_den)
{
    if (!isfinite(seconds) || rate_num <= 0 || rate_den <= 0)
        return NAN;
    double p = seconds * rate_num / rate_den;
    return p + (p > 0 ? 1.0 : -1.0) / (1 << 17);
}

int64_t mqc_grid_place(MqcGrid *g, double position, double duration)
{
    long d = isfinite(duration) && duration > 0 && duration < 1e9 ? lrint(duration) : 0;
    double dur = d > 0 ? (double)d : 1.0;
    double x = isfinite(position) ? position : (double)g->next;
    double delta0 = x - (double)g->next, delta = delta0 + dur;
    if (delta0 < 0 && delta > 0)
        x = (double)g->next;            /* a little late: clipped onto the grid point */
    if (delta <= -0.6)
        return -1;                      /* too far behind: ffmpeg drops it */
    if (delta > 0.6)
        g->next = llrint(x);
    return g->next++;
}

/* ---- references ---- */

const char *mqc_ref_format_name(MqcRefFormat f)
{
    return f == MQC_REF_FRAMEHASH ? "framehash" : f == MQC_REF_FRAMES ? "frames" : "report";
}

void mqc_reference_free(MqcReference *ref)
{
    free(ref->frames);
    ref->frames = NULL;
    ref->nb_frames = 0;
}

typedef struct Reader {
    const char *path;
    FILE *f;
    char *line;
    size_t cap;
    long lineno;
    char *why;
    size_t why_len;
} Reader;

#define MAX_LINE 4096
/* reports hold events, not frames: far smaller than a frame list */
#define MQC_REPORT_MAX_BYTES (64LL << 20)

static int fail(Reader *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static int fail(Reader *r, const char *fmt, ...)
{
    char cause[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cause, sizeof(cause), fmt, ap);
    va_end(ap);
    if (r->lineno > 0)
        snprintf(r->why, r->why_len, "reference %s: line %ld: %s", r->path, r->lineno, cause);
    else
        snprintf(r->why, r->why_len, "reference %s: %s", r->path, cause);
    return MQC_ERR_PROFILE;
}

/* Next line without its end of line: 1, 0 at the end, negative on error. */
static int next_line(Reader *r, size_t *len)
{
    ssize_t n = getline(&r->line, &r->cap, r->f);
    if (n < 0)
        return ferror(r->f) ? fail(r, "read error: %s", strerror(errno)) : 0;
    r->lineno++;
    if (n > MAX_LINE)
        return fail(r, "longer than %d characters: not a reference file", MAX_LINE);
    if (memchr(r->line, 0, (size_t)n))
        return fail(r, "binary data: not a reference file");
    while (n && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r'))
        r->line[--n] = 0;
    *len = (size_t)n;
    return 1;
}

static int push_frame(Reader *r, MqcReference *ref, size_t *cap, int64_t slot,
                      const uint8_t *digest)
{
    if (ref->nb_frames && slot < ref->frames[ref->nb_frames - 1].slot)
        return fail(r, "timestamps go backwards (grid pts %lld after %lld)", (long long)slot,
                    (long long)ref->frames[ref->nb_frames - 1].slot);
    if (ref->nb_frames == *cap) {
        size_t ncap = *cap ? *cap * 2 : 1024;
        MqcRefFrame *p = realloc(ref->frames, ncap * sizeof(*p));
        if (!p)
            return MQC_ERR_NOMEM;
        ref->frames = p;
        *cap = ncap;
    }
    MqcRefFrame *fr = &ref->frames[ref->nb_frames++];
    fr->slot = slot;
    memcpy(fr->digest, digest, MQC_REF_DIGEST);
    return 0;
}

static int parse_int64(const char *s, int64_t *out)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

static int algo_from_header(const char *name)
{
    for (int a = 0; a < MQC_HASH_NB; a++)
        if (!strcasecmp(name, hash_names[a].header) || !strcasecmp(name, hash_names[a].option))
            return a;
    return -1;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = 0;
    return s;
}

/* ffmpeg -f framemd5 / -f framehash text, also what `mediaqc hash` prints:
 *   #hash: MD5   #tb 0: 1/25   #media_type 0: video
 *   0,          0,          0,        1,   345600, <hex>[, side data...] */
static int read_framehash(Reader *r, MqcReference *ref, int rate_num, int rate_den)
{
    int algo = MQC_HASH_MD5, stream = -1, have_media_types = 0;
    int tb_num[64] = { 0 }, tb_den[64] = { 0 };
    size_t cap = 0, len;
    int ret;
    ref->format = MQC_REF_FRAMEHASH;
    ref->slots_from_start = 1;
    while ((ret = next_line(r, &len)) > 0) {
        char *line = r->line;
        if (!len)
            continue;
        if (line[0] == '#') {
            char name[64];
            int idx, num, den, used = 0;
            if (!strncmp(line, "#hash:", 6)) {
                if ((algo = algo_from_header(trim(line + 6))) < 0)
                    return fail(r, "hash \"%s\" is not one of MD5, XXH64, SHA160, SHA256, "
                                "XXH128", trim(line + 6));
            } else if (sscanf(line, "#tb %d: %d/%d%n", &idx, &num, &den, &used) == 3 &&
                       !line[used]) {
                if (idx < 0 || idx >= 64 || num <= 0 || den <= 0)
                    return fail(r, "bad time base line \"%s\"", line);
                tb_num[idx] = num;
                tb_den[idx] = den;
            } else if (sscanf(line, "#media_type %d: %63s", &idx, name) == 2) {
                have_media_types = 1;
                if (stream < 0 && !strcmp(name, "video"))
                    stream = idx;
            }
            continue;   /* #format, #version, #software, #dimensions, ... */
        }
        if (!isdigit((unsigned char)line[0]))
            return fail(r, "expected a frame line \"stream, dts, pts, duration, size, hash\" "
                        "or a # header, got \"%.40s\"", line);
        if (stream < 0 && have_media_types)
            return fail(r, "no video stream in the #media_type header lines");
        if (stream < 0)
            stream = 0;
        char *field[6];
        int n = 0;
        for (char *p = line; n < 6 && p; n++) {
            field[n] = p;
            p = strchr(p, ',');
            if (p)
                *p++ = 0;
        }
        int64_t idx, pts;
        if (n < 6 || parse_int64(field[0], &idx) < 0)
            return fail(r, "truncated frame line: expected 6 fields "
                        "\"stream, dts, pts, duration, size, hash\"");
        if (idx != stream)
            continue;
        if (parse_int64(field[2], &pts) < 0)
            return fail(r, "pts \"%s\" is not an integer", trim(field[2]));
        char *hex = trim(field[5]);
        uint8_t digest[MQC_DIGEST_MAX] = { 0 };
        size_t hexlen = strlen(hex);
        if (unhex(hex, hexlen, digest, sizeof(digest)) != hash_names[algo].size)
            return fail(r, "hash \"%.70s\" has %zu characters; %s needs %d hex digits", hex,
                        hexlen, hash_names[algo].header, 2 * hash_names[algo].size);
        /* pts are on the writer's 1/rate grid; another time base is rescaled */
        AVRational tb = stream < 64 && tb_den[stream] ? (AVRational){ tb_num[stream], tb_den[stream] }
                                                      : (AVRational){ rate_den, rate_num };
        int64_t slot = av_rescale_q_rnd(pts, tb, (AVRational){ rate_den, rate_num },
                                        AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX);
        if ((ret = push_frame(r, ref, &cap, slot, digest)) < 0)
            return ret;
    }
    if (ret < 0)
        return ret;
    ref->algo = (MqcHashAlgo)algo;
    r->lineno = 0;
    return ref->nb_frames ? 0 : fail(r, "no frame lines for the video stream");
}

/* mediaqc check --frames: {"frame":0,"time":0.000000,"pts":0,...,"md5":"<hex>"} */
static int read_frames(Reader *r, MqcReference *ref, int rate_num, int rate_den)
{
    size_t cap = 0, len;
    int ret, algo = -1;
    MqcGrid grid = { 0 };
    ref->format = MQC_REF_FRAMES;
    while ((ret = next_line(r, &len)) > 0) {
        if (!len)
            continue;
        cJSON *o = cJSON_ParseWithLength(r->line, len);
        if (!cJSON_IsObject(o)) {
            cJSON_Delete(o);
            return fail(r, "not a JSON object (a --frames file has one per line)");
        }
        const cJSON *md5 = cJSON_GetObjectItemCaseSensitive(o, "md5");
        const cJSON *hash = md5 ? md5 : cJSON_GetObjectItemCaseSensitive(o, "hash");
        const cJSON *time = cJSON_GetObjectItemCaseSensitive(o, "time");
        uint8_t digest[MQC_DIGEST_MAX] = { 0 };
        int n = cJSON_IsString(hash) ? unhex(hash->valuestring, strlen(hash->valuestring),
                                             digest, sizeof(digest)) : -2;
        /* "md5" is only ever MD5, so 16 bytes under "hash" are XXH3-128 */
        int a = md5 ? (n == 16 ? MQC_HASH_MD5 : -1) :
                n == 8 ? MQC_HASH_XXH64 : n == 16 ? MQC_HASH_XXH3 : n == 20 ? MQC_HASH_SHA1 :
                n == 32 ? MQC_HASH_SHA256 : -1;
        double t = cJSON_IsNumber(time) ? time->valuedouble : NAN;
        cJSON_Delete(o);
        if (n == -2)
            return fail(r, "no \"md5\" or \"hash\" field: was the checksum check enabled "
                        "when this --frames file was written?");
        if (a < 0)
            return fail(r, "\"%s\" is not a hex MD5 (32 digits), XXH64 (16), XXH3-128 (32), "
                        "SHA-1 (40) or SHA-256 (64) digest", md5 ? "md5" : "hash");
        if (algo >= 0 && a != algo)
            return fail(r, "digest type changes from %s to %s", hash_names[algo].header,
                        hash_names[a].header);
        algo = a;
        int64_t slot = mqc_grid_place(&grid, mqc_grid_position_s(t, rate_num, rate_den), 1);
        if (slot >= 0 && (ret = push_frame(r, ref, &cap, slot, digest)) < 0)
            return ret;
    }
    if (ret < 0)
        return ret;
    ref->algo = (MqcHashAlgo)algo;
    r->lineno = 0;
    return ref->nb_frames ? 0 : fail(r, "no frames");
}

static void copy_string(char *dst, size_t len, const cJSON *s)
{
    snprintf(dst, len, "%s", cJSON_IsString(s) ? s->valuestring : "");
}

/* mediaqc check -o report.json: the checksum check's metrics only */
static int read_report(Reader *r, MqcReference *ref, const cJSON *doc)
{
    ref->format = MQC_REF_REPORT;
    const cJSON *checks = cJSON_GetObjectItemCaseSensitive(doc, "checks"), *c;
    cJSON_ArrayForEach(c, checks) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(c, "id");
        if (!cJSON_IsString(id) || strcmp(id->valuestring, "checksum"))
            continue;
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(c, "metrics");
        const cJSON *frames = cJSON_GetObjectItemCaseSensitive(m, "frames_hashed");
        const cJSON *algo = cJSON_GetObjectItemCaseSensitive(m, "algorithm");
        const cJSON *seq = cJSON_GetObjectItemCaseSensitive(m, "sequence_hash");
        if (!cJSON_IsNumber(frames) || !cJSON_IsString(algo) || !cJSON_IsString(seq) ||
            algo_from_header(algo->valuestring) < 0)
            return fail(r, "the checksum entry has no frames_hashed, algorithm and "
                        "sequence_hash metrics (was the check skipped?)");
        ref->algo = (MqcHashAlgo)algo_from_header(algo->valuestring);
        ref->report_frames = (int64_t)frames->valuedouble;
        copy_string(ref->report_sequence, sizeof(ref->report_sequence), seq);
        copy_string(ref->report_file_hash, sizeof(ref->report_file_hash),
                    cJSON_GetObjectItemCaseSensitive(m, "file_hash"));
        copy_string(ref->report_file_algorithm, sizeof(ref->report_file_algorithm),
                    cJSON_GetObjectItemCaseSensitive(m, "file_hash_algorithm"));
        return 0;
    }
    return fail(r, "this mediaqc report has no checksum check (enable it to make a reference)");
}

/* A --frames file has one object per line; a report is one document,
 * usually spread over many lines (then its first line alone is not JSON). */
static int read_json(Reader *r, MqcReference *ref, int64_t size, int rate_num, int rate_den)
{
    /* the first line may be a whole compact report: no line limit here */
    ssize_t len = getline(&r->line, &r->cap, r->f);
    if (len < 0)
        return fail(r, "read error: %s", strerror(errno));
    r->lineno = 1;
    int ret;
    cJSON *doc = cJSON_ParseWithLength(r->line, (size_t)len);
    int report = cJSON_IsObject(doc) && cJSON_GetObjectItemCaseSensitive(doc, "schema");
    if (!report && doc) {
        cJSON_Delete(doc);
        rewind(r->f);
        r->lineno = 0;
        return read_frames(r, ref, rate_num, rate_den);
    }
    if (!doc) {
        if (size > MQC_REPORT_MAX_BYTES)
            return fail(r, "not a --frames file (line 1 is not a JSON object) and too large "
                        "for a report (%.1f MB)", size / 1e6);
        char *text = malloc((size_t)size + 1);
        if (!text)
            return MQC_ERR_NOMEM;
        rewind(r->f);
        size_t n = fread(text, 1, (size_t)size, r->f);
        doc = cJSON_ParseWithLength(text, n);
        free(text);
        r->lineno = 0;
        if (!cJSON_IsObject(doc)) {
            cJSON_Delete(doc);
            return fail(r, "neither a --frames file (line 1 is not a JSON object) nor a JSON "
                        "report");
        }
    }
    r->lineno = 0;
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(doc, "schema");
    ret = cJSON_IsString(schema) && !strncmp(schema->valuestring, "mediaqc.report/", 15) ?
          read_report(r, ref, doc) :
          fail(r, "a JSON document that is not a mediaqc report (schema \"%s\")",
               cJSON_IsString(schema) ? schema->valuestring : "none");
    cJSON_Delete(doc);
    return ret;
}

static int first_byte(FILE *f)
{
    int c;
    while ((c = fgetc(f)) != EOF && isspace(c))
        ;
    return c;
}

int mqc_reference_load(const char *path, int rate_num, int rate_den, MqcReference *ref,
                       char *why, size_t why_len)
{
    memset(ref, 0, sizeof(*ref));
    Reader r = { .path = path, .why = why, .why_len = why_len };
    if (rate_num <= 0 || rate_den <= 0)
        rate_num = 25, rate_den = 1;
    struct stat st;
    if (stat(path, &st) < 0)
        return fail(&r, "%s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        return fail(&r, "not a regular file");
    if (st.st_size > MQC_REFERENCE_MAX_BYTES)
        return fail(&r, "%.1f MB; references above %lld MB are refused (a per-frame "
                    "checksum list of 10 hours is about 70 MB)", st.st_size / 1e6,
                    MQC_REFERENCE_MAX_BYTES >> 20);
    if (!(r.f = fopen(path, "rb")))
        return fail(&r, "%s", strerror(errno));
    int c = first_byte(r.f), ret;
    rewind(r.f);
    if (c == EOF) {
        ret = fail(&r, "empty file");
    } else if (c == '{') {
        ret = read_json(&r, ref, st.st_size, rate_num, rate_den);
    } else if (c == '#' || isdigit(c)) {
        ret = read_framehash(&r, ref, rate_num, rate_den);
    } else {
        ret = fail(&r, "not a framemd5/framehash text, a mediaqc --frames file or a mediaqc "
                   "report (it starts with byte 0x%02x)", c);
    }
    fclose(r.f);
    free(r.line);
    if (ret < 0)
        mqc_reference_free(ref);
    return ret;
}

/* ---- ASC MHL v1: <hashlist><hash><file>..</file><md5>..</md5>...</hash> ---- */

static int mhl_fail(char *why, size_t len, const char *path, long line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
static int mhl_fail(char *why, size_t len, const char *path, long line, const char *fmt, ...)
{
    char cause[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cause, sizeof(cause), fmt, ap);
    va_end(ap);
    if (line > 0)
        snprintf(why, len, "MHL %s: line %ld: %s", path, line, cause);
    else
        snprintf(why, len, "MHL %s: %s", path, cause);
    return MQC_ERR_PROFILE;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Element text, trimmed, into buf. */
static void node_text(xmlNode *n, char *buf, size_t len)
{
    xmlChar *t = xmlNodeGetContent(n);
    snprintf(buf, len, "%s", t ? (const char *)t : "");
    xmlFree(t);
    char *s = trim(buf);
    memmove(buf, s, strlen(s) + 1);
}

/* Reads one <hash> element into e; 0 or an error naming the line. */
static int mhl_entry(xmlNode *hash, MqcMhlEntry *e, const char *path, char *why, size_t len)
{
    static const struct { const char *tag; MqcHashAlgo algo; int little_endian; } tags[] = {
        { "md5", MQC_HASH_MD5, 0 },
        { "sha1", MQC_HASH_SHA1, 0 },
        { "xxhash64be", MQC_HASH_XXH64, 0 },
        /* MHL v1's <xxhash64> is the same value with its bytes reversed */
        { "xxhash64", MQC_HASH_XXH64, 1 },
    };
    memset(e, 0, sizeof(*e));
    e->line = xmlGetLineNo(hash);
    for (xmlNode *n = hash->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        char text[600];
        node_text(n, text, sizeof(text));
        if (!xmlStrcmp(n->name, (const xmlChar *)"file")) {
            snprintf(e->file, sizeof(e->file), "%s", text);
            for (char *c = e->file; *c; c++)
                if (*c == '\\')
                    *c = '/';   /* written on Windows */
            continue;
        }
        for (size_t t = 0; t < sizeof(tags) / sizeof(tags[0]); t++) {
            if (xmlStrcmp(n->name, (const xmlChar *)tags[t].tag))
                continue;
            int size = hash_names[tags[t].algo].size;
            uint8_t d[MQC_DIGEST_MAX];
            if (unhex(text, strlen(text), d, sizeof(d)) != size)
                return mhl_fail(why, len, path, xmlGetLineNo(n),
                                "<%s> \"%.70s\" is not %d hex digits", tags[t].tag, text,
                                2 * size);
            for (int i = 0; i < size; i++)
                e->digest[tags[t].algo][i] = tags[t].little_endian ? d[size - 1 - i] : d[i];
            e->have[tags[t].algo] = 1;
        }
    }
    if (!e->file[0])
        return mhl_fail(why, len, path, e->line, "<hash> without a <file> element");
    return 0;
}

int mqc_mhl_find(const char *mhl_path, const char *media_path, MqcMhlEntry *entry, char *why,
                 size_t why_len)
{
    struct stat st;
    if (stat(mhl_path, &st) < 0)
        return mhl_fail(why, why_len, mhl_path, 0, "%s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        return mhl_fail(why, why_len, mhl_path, 0, "not a regular file");
    if (st.st_size > MQC_MHL_MAX_BYTES)
        return mhl_fail(why, why_len, mhl_path, 0, "%.1f MB; manifests above %lld MB are refused",
                        st.st_size / 1e6, MQC_MHL_MAX_BYTES >> 20);
    xmlResetLastError();
    xmlDoc *doc = xmlReadFile(mhl_path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                              XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *e = xmlGetLastError();
        char msg[256];
        snprintf(msg, sizeof(msg), "%s", e && e->message ? e->message : "unreadable");
        return mhl_fail(why, why_len, mhl_path, e ? e->line : 0, "not well-formed XML: %s",
                        trim(msg));
    }
    int ret = 0;
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root || xmlStrcmp(root->name, (const xmlChar *)"hashlist")) {
        ret = mhl_fail(why, why_len, mhl_path, root ? xmlGetLineNo(root) : 0,
                       "root element is <%s>, not <hashlist> (ASC MHL v1)",
                       root ? (const char *)root->name : "");
        goto end;
    }
    xmlChar *version = xmlGetProp(root, (const xmlChar *)"version");
    int v2 = (version && version[0] != '1') ||
             (root->ns && root->ns->href && strstr((const char *)root->ns->href, "MHL:v2"));
    xmlFree(version);
    if (v2) {
        /* ascmhl keeps a history folder of chained manifests: another model */
        ret = mhl_fail(why, why_len, mhl_path, xmlGetLineNo(root),
                       "ASC MHL v2 is not supported, only MHL v1 (<hashlist version=\"1.x\">)");
        goto end;
    }

    /* the media file and the MHL's directory, resolved, to compare paths */
    char media_real[PATH_MAX], dir[PATH_MAX], cand[2 * PATH_MAX], cand_real[PATH_MAX];
    if (!realpath(media_path, media_real))
        snprintf(media_real, sizeof(media_real), "%s", media_path);
    if (!realpath(mhl_path, dir))
        snprintf(dir, sizeof(dir), "%s", mhl_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        snprintf(dir, sizeof(dir), ".");

    int entries = 0, same_name = 0;
    MqcMhlEntry e, by_name;
    for (xmlNode *n = root->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || xmlStrcmp(n->name, (const xmlChar *)"hash"))
            continue;
        entries++;
        if ((ret = mhl_entry(n, &e, mhl_path, why, why_len)) < 0)
            goto end;
        snprintf(cand, sizeof(cand), "%s/%s", dir, e.file);
        if (realpath(cand, cand_real) && !strcmp(cand_real, media_real)) {
            *entry = e;
            goto found;
        }
        if (!strcmp(base_name(e.file), base_name(media_path)) && same_name++ == 0)
            by_name = e;
    }
    if (same_name == 1) {
        *entry = by_name;
        goto found;
    }
    ret = same_name > 1 ?
          mhl_fail(why, why_len, mhl_path, 0, "%d entries are named %s and none is at the "
                   "input's path relative to the MHL", same_name, base_name(media_path)) :
          mhl_fail(why, why_len, mhl_path, 0, "%s is not listed (%d <hash> entries)",
                   base_name(media_path), entries);
    goto end;
found:
    if (!entry->have[MQC_HASH_MD5] && !entry->have[MQC_HASH_SHA1] &&
        !entry->have[MQC_HASH_XXH64])
        ret = mhl_fail(why, why_len, mhl_path, entry->line, "the entry for %s has no md5, "
                       "sha1, xxhash64 or xxhash64be hash", entry->file);
end:
    xmlFreeDoc(doc);
    return ret;
}
