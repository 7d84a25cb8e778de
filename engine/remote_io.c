/* Object storage I/O over libcurl: positioned reads of an object (ranged
 * GETs into a small block cache, with a read-ahead thread), whole-object GET
 * and PUT. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <curl/curl.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
#include "remote_io.h"

/* Blocks are fetched whole with one ranged GET. 4 MiB keeps the request rate
 * low on a real store (tens of ms per request) while a seek (to a moov atom
 * at the end of a file, say) wastes at most one block. */
#define BLOCK_SIZE (4 << 20)
/* blocks fetched ahead of the reader, so decode is not starved */
#define READ_AHEAD 2
/* cache slots: the reader's block, the read-ahead, and a few recent blocks
 * that demuxers seek back to (file header, index) */
#define CACHE_BLOCKS 6
/* attempts per request when the network or the store fails (5xx) */
#define TRIES 3

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ready;

static void curl_init_once(void)
{
    curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

int mqc_remote_is_url(const char *path)
{
    return path && (!strncmp(path, "s3://", 5) || !strncasecmp(path, "http://", 7) ||
                    !strncasecmp(path, "https://", 8));
}

void mqc_remote_redact(const char *url, char *buf, size_t len)
{
    const char *scheme_end = strstr(url, "://");
    const char *host = scheme_end ? scheme_end + 3 : url;
    const char *path = host + strcspn(host, "/?#");
    /* userinfo ends at the LAST '@' of the authority: a password may hold '@' */
    const char *at = NULL;
    for (const char *p = host; p < path; p++)
        at = *p == '@' ? p : at;
    size_t query = strcspn(path, "?#");
    snprintf(buf, len, "%.*s%.*s%.*s%s", (int)(host - url), url,
             (int)(path - (at ? at + 1 : host)), at ? at + 1 : host, (int)query, path,
             path[query] ? "?..." : "");
}

/* ---- requests ---- */

/* Where a URL's requests go and whether they are signed. */
typedef struct Target {
    char *http_url;
    char shown[1024];           /* redacted, for messages */
    int sign;
    char region[64];
} Target;

static const char *env_or(const char *name, const char *alt, const char *def)
{
    const char *v = getenv(name);
    if ((!v || !*v) && alt)
        v = getenv(alt);
    return v && *v ? v : def;
}

/* Percent-encodes a key for the request path ('/' kept), as SigV4 expects. */
static char *encode_key(const char *key)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(key);
    char *out = malloc(3 * n + 1), *o = out;
    if (!out)
        return NULL;
    for (const unsigned char *k = (const unsigned char *)key; *k; k++) {
        if ((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') ||
            strchr("-._~/", *k)) {
            *o++ = (char)*k;
        } else {
            *o++ = '%';
            *o++ = hex[*k >> 4];
            *o++ = hex[*k & 15];
        }
    }
    *o = 0;
    return out;
}

static int target_init(Target *t, const char *url, MqcMsg *msg)
{
    memset(t, 0, sizeof(*t));
    mqc_remote_redact(url, t->shown, sizeof(t->shown));
    pthread_once(&curl_once, curl_init_once);
    if (!curl_ready) {
        mqc_msg(msg, "%s: libcurl could not be initialised", t->shown);
        return MQC_ERR_UNREADABLE;
    }
    if (strncmp(url, "s3://", 5)) {
        /* http(s): used as given; a presigned URL carries its own signature */
        t->http_url = strdup(url);
        return t->http_url ? 0 : MQC_ERR_NOMEM;
    }
    const char *bucket = url + 5, *slash = strchr(bucket, '/');
    size_t blen = slash ? (size_t)(slash - bucket) : strlen(bucket);
    if (!blen || blen > 63 || !slash || !slash[1]) {
        mqc_msg(msg, "%s: expected s3://BUCKET/KEY", t->shown);
        return MQC_ERR_USAGE;
    }
    for (size_t i = 0; i < blen; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_",
                    bucket[i])) {
            mqc_msg(msg, "%s: invalid bucket name", t->shown);
            return MQC_ERR_USAGE;
        }
    snprintf(t->region, sizeof(t->region), "%s",
             env_or("AWS_REGION", "AWS_DEFAULT_REGION", "us-east-1"));
    t->sign = getenv("AWS_ACCESS_KEY_ID") && getenv("AWS_SECRET_ACCESS_KEY");
    char *key = encode_key(slash + 1);
    if (!key)
        return MQC_ERR_NOMEM;
    const char *endpoint = env_or("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", NULL);
    size_t len = strlen(key) + blen + (endpoint ? strlen(endpoint) : 0) + strlen(t->region) + 64;
    t->http_url = malloc(len);
    if (t->http_url && endpoint)   /* S3-compatible stores: path-style */
        snprintf(t->http_url, len, "%s%s%.*s/%s", endpoint,
                 endpoint[strlen(endpoint) - 1] == '/' ? "" : "/", (int)blen, bucket, key);
    else if (t->http_url && memchr(bucket, '.', blen))   /* dots break the TLS wildcard */
        snprintf(t->http_url, len, "https://s3.%s.amazonaws.com/%.*s/%s", t->region, (int)blen,
                 bucket, key);
    else if (t->http_url)
        snprintf(t->http_url, len, "https://%.*s.s3.%s.amazonaws.com/%s", (int)blen, bucket,
                 t->region, key);
    free(key);
    return t->http_url ? 0 : MQC_ERR_NOMEM;
}

static void target_free(Target *t)
{
    free(t->http_url);
    t->http_url = NULL;
}

typedef struct Response {
    long status;
    int64_t total;              /* object size from Content-Range, -1 when absent */
    char etag[128];
    uint8_t *body;              /* caller's buffer for a 2xx body */
    size_t cap, len;
    int overflow;
    char error_body[2048];      /* start of an error document (S3 XML) */
    size_t error_len;
} Response;

void mqc_remote_header_line(const char *line, size_t len, int64_t *total, char *etag,
                            size_t etag_len)
{
    char h[512];
    snprintf(h, sizeof(h), "%.*s", (int)(len < sizeof(h) - 1 ? len : sizeof(h) - 1), line);
    h[strcspn(h, "\r\n")] = 0;
    if (!strncmp(h, "HTTP/", 5)) {   /* a new response (after 100 Continue, redirects) */
        *total = -1;
        etag[0] = 0;
    } else if (!strncasecmp(h, "ETag:", 5)) {
        const char *v = h + 5 + strspn(h + 5, " \t");
        snprintf(etag, etag_len, "%s", v);
    } else if (!strncasecmp(h, "Content-Range:", 14)) {
        const char *slash = strrchr(h, '/');
        char *end;
        long long t = slash ? strtoll(slash + 1, &end, 10) : -1;
        if (slash && end != slash + 1 && t >= 0)
            *total = t;
    }
}

static size_t on_header(char *line, size_t size, size_t n, void *ud)
{
    Response *r = ud;
    mqc_remote_header_line(line, size * n, &r->total, r->etag, sizeof(r->etag));
    return size * n;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    Response *r = ((void **)ud)[0];
    CURL *h = ((void **)ud)[1];
    size_t len = size * n;
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 300) {
        size_t room = sizeof(r->error_body) - 1 - r->error_len;
        size_t take = len < room ? len : room;
        memcpy(r->error_body + r->error_len, data, take);
        r->error_len += take;
        r->error_body[r->error_len] = 0;
        return len;
    }
    if (!r->body)
        return len;   /* not wanted (the answer to a PUT) */
    if (len > r->cap - r->len) {
        r->overflow = 1;
        return 0;   /* aborts the transfer */
    }
    memcpy(r->body + r->len, data, len);
    r->len += len;
    return len;
}

/* One HTTP request with retries on network errors and 5xx answers.
 * Returns 0 when an HTTP answer arrived (any status), MQC_ERR_UNREADABLE with
 * msg when none did. */
static int request(CURL *h, const Target *t, const char *method, const char *range,
                   const char *if_match, const void *body, size_t body_len,
                   const char *content_type, Response *r, MqcMsg *msg)
{
    char errbuf[CURL_ERROR_SIZE], hdr[3][256];
    CURLcode cc = CURLE_OK;
    for (int attempt = 0; attempt < TRIES; attempt++) {
        if (attempt) {
            struct timespec pause = { 0, 200000000L << (attempt - 1) };
            nanosleep(&pause, NULL);
        }
        struct curl_slist *headers = NULL;
        curl_easy_reset(h);
        errbuf[0] = 0;
        r->status = 0;
        r->total = -1;
        r->len = r->error_len = 0;
        r->overflow = 0;
        r->etag[0] = r->error_body[0] = 0;
        void *body_ud[2] = { r, h };
        curl_easy_setopt(h, CURLOPT_URL, t->http_url);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);   /* threads: no SIGALRM for DNS */
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);   /* a stalled transfer fails */
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, body_ud);
        if (!t->sign) {
            /* plain and presigned URLs may redirect; signed requests must not */
            curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
            curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
        }
        if (!strcmp(method, "PUT")) {
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
            headers = curl_slist_append(headers, "Expect:");
            snprintf(hdr[0], sizeof(hdr[0]), "Content-Type: %s", content_type);
            headers = curl_slist_append(headers, hdr[0]);
        }
        if (!strcmp(method, "DELETE"))
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
        if (range)
            curl_easy_setopt(h, CURLOPT_RANGE, range);
        if (if_match && *if_match) {
            snprintf(hdr[1], sizeof(hdr[1]), "If-Match: %s", if_match);
            headers = curl_slist_append(headers, hdr[1]);
        }
        if (t->sign) {
            char sigv4[96];
            snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:s3", t->region);
            curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
            curl_easy_setopt(h, CURLOPT_USERNAME, getenv("AWS_ACCESS_KEY_ID"));
            curl_easy_setopt(h, CURLOPT_PASSWORD, getenv("AWS_SECRET_ACCESS_KEY"));
            /* S3 wants the payload hash header; the body is not hashed twice */
            headers = curl_slist_append(headers, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
            const char *token = getenv("AWS_SESSION_TOKEN");
            if (token && *token && strlen(token) < sizeof(hdr[2]) - 32) {
                snprintf(hdr[2], sizeof(hdr[2]), "x-amz-security-token: %s", token);
                headers = curl_slist_append(headers, hdr[2]);
            }
        }
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        cc = curl_easy_perform(h);
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
        curl_slist_free_all(headers);
        if (getenv("MEDIAQC_REMOTE_LOG"))
            mqc_log("remote %s %s%s%s -> %ld (%zu bytes)", method, t->shown,
                    range ? " bytes=" : "", range ? range : "", r->status, r->len);
        if (r->overflow)
            break;
        if (cc == CURLE_OK && r->status < 500)
            return 0;
    }
    if (r->overflow)
        mqc_msg(msg, "%s: the server sent more data than asked for%s", t->shown,
                range ? " (it ignores Range requests)" : "");
    else if (cc != CURLE_OK)
        mqc_msg(msg, "%s: %s", t->shown, errbuf[0] ? errbuf : curl_easy_strerror(cc));
    else
        return 0;   /* 5xx after retries: the caller reports the status */
    return MQC_ERR_UNREADABLE;
}

void mqc_remote_error_code(const char *body, char *code, size_t len)
{
    const char *c = strstr(body, "<Code>");
    const char *e = c ? strstr(c + 6, "</Code>") : NULL;
    code[0] = 0;
    if (e && e - (c + 6) < 80)
        snprintf(code, len, " %.*s", (int)(e - (c + 6)), c + 6);
}

/* Turns a non-2xx answer into an error code and message. */
static int http_error(const Target *t, const Response *r, MqcMsg *msg)
{
    char code[96] = "";
    mqc_remote_error_code(r->error_body, code, sizeof(code));
    if (r->status == 404) {
        mqc_msg(msg, "%s: not found (HTTP 404%s)", t->shown, code);
        return MQC_ERR_NOT_FOUND;
    }
    if (r->status == 401 || r->status == 403)
        mqc_msg(msg, "%s: access denied (HTTP %ld%s)", t->shown, r->status, code);
    else if (r->status == 412)
        mqc_msg(msg, "%s: the object changed while it was being read (HTTP 412)", t->shown);
    else
        mqc_msg(msg, "%s: HTTP %ld%s", t->shown, r->status, code);
    return MQC_ERR_UNREADABLE;
}

/* ---- positioned reads (the input's byte source) ---- */

enum { SLOT_EMPTY, SLOT_LOADING, SLOT_READY, SLOT_FAILED };

typedef struct Block {
    int64_t index;
    int state;
    size_t len;
    uint64_t used;              /* LRU tick */
    uint8_t *data;
} Block;

typedef struct Remote {
    Target t;
    int64_t size;
    char etag[128];             /* every block must come from the same object */
    CURL *reader, *prefetcher;
    pthread_t thread;
    int thread_started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    Block blocks[CACHE_BLOCKS];
    uint64_t tick;
    int64_t reading;            /* block the reader is in; read-ahead follows it */
    int64_t until;              /* read-ahead stops before this byte (a segment's end); -1 */
    int stop;
    MqcMsg error;
} Remote;

static Block *find_block(Remote *r, int64_t index)
{
    for (int i = 0; i < CACHE_BLOCKS; i++)
        if (r->blocks[i].state != SLOT_EMPTY && r->blocks[i].index == index)
            return &r->blocks[i];
    return NULL;
}

/* A slot for `index`: an empty one, else the least recently used block that
 * is neither loading nor within the reader's read-ahead window. */
static Block *claim_block(Remote *r, int64_t index)
{
    Block *best = NULL;
    for (int i = 0; i < CACHE_BLOCKS; i++) {
        Block *b = &r->blocks[i];
        if (b->state == SLOT_EMPTY) {
            best = b;
            break;
        }
        if (b->state == SLOT_LOADING ||
            (b->index >= r->reading && b->index <= r->reading + READ_AHEAD))
            continue;
        if (!best || b->used < best->used)
            best = b;
    }
    if (best) {
        best->index = index;
        best->state = SLOT_LOADING;
        best->len = 0;
    }
    return best;
}

/* Fetches block `index` into b->data (no lock held; the slot is LOADING). */
static int fetch_block(Remote *r, CURL *h, Block *b, int64_t index, MqcMsg *msg)
{
    int64_t start = index * BLOCK_SIZE, end = start + BLOCK_SIZE;
    if (r->size >= 0 && end > r->size)
        end = r->size;
    char range[64];
    snprintf(range, sizeof(range), "%lld-%lld", (long long)start, (long long)end - 1);
    Response resp = { .body = b->data, .cap = BLOCK_SIZE };
    int ret = request(h, &r->t, "GET", range, r->etag, NULL, 0, NULL, &resp, msg);
    if (ret < 0)
        return ret;
    if (resp.status == 416 && r->size < 0) {
        mqc_msg(msg, "%s: object is empty (0 bytes)", r->t.shown);
        return MQC_ERR_UNREADABLE;
    }
    if (resp.status != 206 && resp.status != 200)
        return http_error(&r->t, &resp, msg);
    if (r->size < 0) {   /* the first block tells the size and the version */
        r->size = resp.status == 206 ? resp.total : (int64_t)resp.len;
        snprintf(r->etag, sizeof(r->etag), "%s", resp.etag);
        if (r->size < 0) {
            mqc_msg(msg, "%s: the server did not tell the object's size", r->t.shown);
            return MQC_ERR_UNREADABLE;
        }
        if (end > r->size)
            end = r->size;
    }
    if ((int64_t)resp.len != end - start) {
        mqc_msg(msg, "%s: short read at byte %lld (%zu of %lld bytes)", r->t.shown,
                (long long)start, resp.len, (long long)(end - start));
        return MQC_ERR_UNREADABLE;
    }
    b->len = resp.len;
    return 0;
}

static void *prefetch_main(void *arg)
{
    Remote *r = arg;
    pthread_mutex_lock(&r->lock);
    while (!r->stop) {
        Block *b = NULL;
        for (int64_t i = r->reading + 1; !b && i <= r->reading + READ_AHEAD; i++) {
            if (i * BLOCK_SIZE >= r->size || (r->until >= 0 && i * BLOCK_SIZE >= r->until))
                break;
            if (!find_block(r, i))
                b = claim_block(r, i);
        }
        if (!b) {
            pthread_cond_wait(&r->cond, &r->lock);
            continue;
        }
        int64_t index = b->index;
        pthread_mutex_unlock(&r->lock);
        MqcMsg ignored;   /* the reader fetches a failed block again and reports */
        int ret = fetch_block(r, r->prefetcher, b, index, &ignored);
        pthread_mutex_lock(&r->lock);
        b->state = ret < 0 ? SLOT_FAILED : SLOT_READY;
        b->used = ++r->tick;
        pthread_cond_broadcast(&r->cond);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

static int remote_read_at(void *opaque, int64_t pos, uint8_t *buf, int size)
{
    Remote *r = opaque;
    if (pos >= r->size)
        return 0;
    int64_t index = pos / BLOCK_SIZE;
    pthread_mutex_lock(&r->lock);
    r->reading = index;
    pthread_cond_broadcast(&r->cond);   /* the read-ahead follows the reader */
    Block *b;
    for (;;) {
        b = find_block(r, index);
        if (b && b->state == SLOT_READY)
            break;
        if (b && b->state == SLOT_LOADING) {
            pthread_cond_wait(&r->cond, &r->lock);
            continue;
        }
        if (b)
            b->state = SLOT_LOADING;   /* the read-ahead failed: try once more here */
        else if (!(b = claim_block(r, index))) {
            pthread_cond_wait(&r->cond, &r->lock);
            continue;
        }
        pthread_mutex_unlock(&r->lock);
        int ret = fetch_block(r, r->reader, b, index, &r->error);
        pthread_mutex_lock(&r->lock);
        b->state = ret < 0 ? SLOT_FAILED : SLOT_READY;
        b->used = ++r->tick;
        pthread_cond_broadcast(&r->cond);
        if (ret < 0) {
            pthread_mutex_unlock(&r->lock);
            /* the demuxer only sees EIO; the person needs the cause */
            mqc_log("%s", r->error.text);
            return AVERROR(EIO);
        }
        break;
    }
    size_t off = (size_t)(pos - index * BLOCK_SIZE);
    size_t n = b->len - off < (size_t)size ? b->len - off : (size_t)size;
    memcpy(buf, b->data + off, n);
    b->used = ++r->tick;
    pthread_mutex_unlock(&r->lock);
    return (int)n;
}

static void remote_read_until(void *opaque, int64_t end)
{
    Remote *r = opaque;
    pthread_mutex_lock(&r->lock);
    r->until = end;
    pthread_mutex_unlock(&r->lock);
}

static void remote_free(void *opaque)
{
    Remote *r = opaque;
    if (!r)
        return;
    if (r->thread_started) {
        pthread_mutex_lock(&r->lock);
        r->stop = 1;
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->lock);
        pthread_join(r->thread, NULL);
    }
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->cond);
    for (int i = 0; i < CACHE_BLOCKS; i++)
        free(r->blocks[i].data);
    if (r->reader)
        curl_easy_cleanup(r->reader);
    if (r->prefetcher)
        curl_easy_cleanup(r->prefetcher);
    target_free(&r->t);
    free(r);
}

int mqc_remote_source_open(const char *url, MqcByteSource *src, MqcMsg *msg)
{
    Remote *r = calloc(1, sizeof(*r));
    if (!r)
        return MQC_ERR_NOMEM;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
    r->size = -1;
    r->until = -1;
    int ret = target_init(&r->t, url, msg);
    if (ret < 0)
        goto fail;
    r->reader = curl_easy_init();
    r->prefetcher = curl_easy_init();
    ret = MQC_ERR_NOMEM;
    if (!r->reader || !r->prefetcher)
        goto fail;
    for (int i = 0; i < CACHE_BLOCKS; i++)
        if (!(r->blocks[i].data = malloc(BLOCK_SIZE)))
            goto fail;
    /* block 0 now: it answers "does it exist, may we read it, how big is it" */
    Block *first = claim_block(r, 0);
    ret = fetch_block(r, r->reader, first, 0, msg);
    if (ret < 0)
        goto fail;
    first->state = SLOT_READY;
    first->used = ++r->tick;
    if (r->size == 0) {
        mqc_msg(msg, "%s: object is empty (0 bytes)", r->t.shown);
        ret = MQC_ERR_UNREADABLE;
        goto fail;
    }
    if (pthread_create(&r->thread, NULL, prefetch_main, r)) {
        mqc_msg(msg, "%s: cannot start the read-ahead thread", r->t.shown);
        ret = MQC_ERR_NOMEM;
        goto fail;
    }
    r->thread_started = 1;
    *src = (MqcByteSource){ .opaque = r, .read_at = remote_read_at, .close = remote_free,
                            .size = r->size, .read_until = remote_read_until };
    return 0;

fail:
    remote_free(r);
    return ret;
}

/* ---- whole objects ---- */

int mqc_remote_stat(const char *url, int64_t *size, char *etag, size_t etag_len, MqcMsg *msg)
{
    Target t;
    int ret = target_init(&t, url, msg);
    CURL *h = ret < 0 ? NULL : curl_easy_init();
    if (ret >= 0 && !h)
        ret = MQC_ERR_NOMEM;
    if (ret >= 0) {
        /* two bytes, not one: some S3-compatible stores (s3rver) read an end
         * of 0 as "to the end" and send the whole object */
        uint8_t first[2];
        Response resp = { .body = first, .cap = sizeof(first) };
        ret = request(h, &t, "GET", "0-1", NULL, NULL, 0, NULL, &resp, msg);
        if (ret >= 0 && resp.status == 416) {   /* no byte 0: an empty object */
            *size = 0;
        } else if (ret >= 0 && resp.status == 206 && resp.total >= 0) {
            *size = resp.total;
        } else if (ret >= 0 && resp.status == 200) {
            *size = (int64_t)resp.len;   /* a tiny object, range ignored */
        } else if (ret >= 0) {
            ret = resp.status == 206 ? MQC_ERR_UNREADABLE : http_error(&t, &resp, msg);
            if (resp.status == 206)
                mqc_msg(msg, "%s: the server did not tell the object's size", t.shown);
        }
        const char *e = resp.etag + (resp.etag[0] == '"');
        snprintf(etag, etag_len, "%.*s", (int)strcspn(e, "\""), e);
    }
    if (h)
        curl_easy_cleanup(h);
    target_free(&t);
    return ret;
}

/* A PUT or a DELETE: any 2xx answer is success, and for a DELETE a 404
 * too (already gone). */
static int change_object(const char *url, const char *method, const void *data, size_t len,
                         const char *content_type, MqcMsg *msg)
{
    Target t;
    int ret = target_init(&t, url, msg);
    CURL *h = ret < 0 ? NULL : curl_easy_init();
    if (ret >= 0 && !h)
        ret = MQC_ERR_NOMEM;
    if (ret >= 0) {
        Response resp = { .body = NULL };
        int deleting = !strcmp(method, "DELETE");
        ret = request(h, &t, method, NULL, NULL, data, len, content_type, &resp, msg);
        if (ret >= 0 && (resp.status < 200 || resp.status >= 300) &&
            !(deleting && resp.status == 404))
            ret = http_error(&t, &resp, msg);
        if (ret == MQC_ERR_UNREADABLE || ret == MQC_ERR_NOT_FOUND)
            ret = MQC_ERR_IO;
    }
    if (h)
        curl_easy_cleanup(h);
    target_free(&t);
    return ret;
}

int mqc_remote_put(const char *url, const void *data, size_t len, const char *content_type,
                   MqcMsg *msg)
{
    return change_object(url, "PUT", data, len, content_type, msg);
}

int mqc_remote_delete(const char *url, MqcMsg *msg)
{
    return change_object(url, "DELETE", NULL, 0, NULL, msg);
}

int mqc_remote_get(const char *url, size_t max_len, char **data, size_t *len, MqcMsg *msg)
{
    *data = NULL;
    *len = 0;
    Target t;
    int ret = target_init(&t, url, msg);
    CURL *h = ret < 0 ? NULL : curl_easy_init();
    uint8_t *buf = ret < 0 ? NULL : malloc(max_len + 1);
    if (ret >= 0 && (!h || !buf))
        ret = MQC_ERR_NOMEM;
    if (ret >= 0) {
        Response resp = { .body = buf, .cap = max_len };
        ret = request(h, &t, "GET", NULL, NULL, NULL, 0, NULL, &resp, msg);
        if (ret >= 0 && resp.status != 200)
            ret = http_error(&t, &resp, msg);
        if (ret >= 0) {
            buf[resp.len] = 0;
            *data = (char *)buf;
            *len = resp.len;
            buf = NULL;
        }
    }
    free(buf);
    if (h)
        curl_easy_cleanup(h);
    target_free(&t);
    return ret;
}
