/* libFuzzer: what the object-storage client reads from a server it does not
 * trust (engine/remote_io.c): response header lines (status lines,
 * Content-Range, ETag), the <Code> of an S3 error document, and URL
 * redaction (a URL's password and query string never reach a message). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "engine/remote_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* headers arrive one line at a time, CR LF included */
    int64_t total = -1;
    char etag[128] = "";
    for (size_t at = 0; at < size;) {
        const uint8_t *nl = memchr(data + at, '\n', size - at);
        size_t len = nl ? (size_t)(nl - (data + at)) + 1 : size - at;
        mqc_remote_header_line((const char *)data + at, len, &total, etag, sizeof(etag));
        if (total < -1 || !memchr(etag, 0, sizeof(etag)))
            abort();
        at += len;
    }
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    char code[96], shown[1024];
    mqc_remote_error_code(text, code, sizeof(code));
    if (strlen(code) > 80)
        abort();
    mqc_remote_redact(text, shown, sizeof(shown));
    /* what a URL (that fits, untruncated) shows: no userinfo, nothing of the
     * query */
    const char *scheme = strstr(text, "://");
    if (scheme && strlen(text) + 8 < sizeof(shown) &&
        !memchr(text, '?', (size_t)(scheme - text)) && !memchr(text, '#', (size_t)(scheme - text))) {
        const char *host = shown + (scheme - text) + 3;
        const char *end = host + strcspn(host, "/");
        if (memchr(host, '@', (size_t)(end - host)))
            abort();   /* a password with '@' in it leaked */
        const char *q = strpbrk(shown, "?#");
        if (q && strcmp(q, "?..."))
            abort();   /* part of a query string (a signature) leaked */
    }
    free(text);
    return 0;
}
