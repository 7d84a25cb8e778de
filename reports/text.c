/* Growable text and escaping per output format. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <libavutil/base64.h>
#include "../engine/utf8.h"
#include "text.h"

static int reserve(MqcBuf *b, size_t more)
{
    if (b->oom)
        return -1;
    if (b->len + more + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        b->oom = 1;
        return -1;
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

void mqc_buf_append(MqcBuf *b, const char *s, size_t n)
{
    if (reserve(b, n) < 0)
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

void mqc_buf_puts(MqcBuf *b, const char *s)
{
    mqc_buf_append(b, s, strlen(s));
}

void mqc_buf_printf(MqcBuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(b, (size_t)n) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void mqc_buf_free(MqcBuf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

void mqc_buf_xml(MqcBuf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned cp;
        size_t n = mqc_utf8_next((const char *)p, &cp);
        if (!n) {
            mqc_buf_puts(b, "\xEF\xBF\xBD");
            p++;
            continue;
        }
        switch (cp) {
        case '&': mqc_buf_puts(b, "&amp;"); break;
        case '<': mqc_buf_puts(b, "&lt;"); break;
        case '>': mqc_buf_puts(b, "&gt;"); break;
        case '"': mqc_buf_puts(b, "&quot;"); break;
        case '\'': mqc_buf_puts(b, "&#39;"); break;
        /* as references, so attribute values keep them (parsers turn raw ones into spaces) */
        case '\n': mqc_buf_puts(b, "&#10;"); break;
        case '\t': mqc_buf_puts(b, "&#9;"); break;
        default:
            /* XML 1.0 allows no C0 control but tab, LF, CR; drop U+FFFE/FFFF too */
            if ((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7F ||
                cp == 0xFFFE || cp == 0xFFFF)
                break;
            mqc_buf_append(b, (const char *)p, n);
        }
        p += n;
    }
}

void mqc_buf_script_json(MqcBuf *b, const char *json)
{
    for (const char *p = json; *p; p++) {
        if (*p == '<')     /* JSON has '<' only inside strings, where \u003c means the same */
            mqc_buf_puts(b, "\\u003c");
        else if (!strncmp(p, "\xE2\x80\xA8", 3))
            mqc_buf_puts(b, "\\u2028"), p += 2;
        else if (!strncmp(p, "\xE2\x80\xA9", 3))
            mqc_buf_puts(b, "\\u2029"), p += 2;
        else
            mqc_buf_append(b, p, 1);
    }
}

void mqc_buf_csv(MqcBuf *b, const char *s)
{
    s = s ? s : "";
    /* OWASP's list: a tab or CR before the = also makes a formula */
    int formula = strchr("=+-@\t\r", s[0]) && s[0];
    int quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        mqc_buf_puts(b, "\"");
    if (formula)
        mqc_buf_puts(b, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            mqc_buf_puts(b, "\"\"");
        else
            mqc_buf_append(b, p, 1);
    }
    if (quote)
        mqc_buf_puts(b, "\"");
}

void mqc_buf_line(MqcBuf *b, const char *s, size_t max_bytes)
{
    const char *out;
    size_t used = 0;
    s = s ? s : "";
    for (size_t n, out_len; (n = mqc_clean_char(s, &out, &out_len)); s += n) {
        if (used + out_len > max_bytes)
            break;
        mqc_buf_append(b, out, out_len);
        used += out_len;
    }
}

void mqc_buf_base64(MqcBuf *b, const unsigned char *p, size_t n)
{
    size_t size = AV_BASE64_SIZE(n);
    if (n > INT_MAX / 2 || reserve(b, size) < 0) {
        b->oom = 1;
        return;
    }
    av_base64_encode(b->data + b->len, (int)size, p, (int)n);
    b->len += size - 1;
}

void mqc_buf_json_value(MqcBuf *b, const cJSON *v, const char *absent,
                        void (*escape)(MqcBuf *b, const char *s))
{
    if (!v || cJSON_IsNull(v)) {
        escape(b, absent);
        return;
    }
    if (cJSON_IsString(v)) {
        escape(b, v->valuestring);
        return;
    }
    char *t = cJSON_PrintUnformatted(v);
    escape(b, t ? t : "?");
    free(t);
}
