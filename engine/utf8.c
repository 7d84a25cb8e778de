/* UTF-8 validation, the line-cleaning rule, and the messages that use it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "mediaqc.h"
#include "utf8.h"

size_t mqc_utf8_next(const char *str, unsigned *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

int mqc_utf8_valid(const char *s)
{
    unsigned cp;
    for (size_t n; *s; s += n)
        if (!(n = mqc_utf8_next(s, &cp)))
            return 0;
    return 1;
}

size_t mqc_clean_char(const char *s, const char **out, size_t *out_len)
{
    unsigned cp;
    size_t n = *s ? mqc_utf8_next(s, &cp) : 0;
    *out = s;
    *out_len = n;
    if (!*s)
        return 0;
    if (!n) {
        *out = "?", *out_len = 1;
        return 1;
    }
    /* C1 too: U+009B is CSI to a terminal that reads 8-bit controls */
    if ((cp < 0x20 && cp != '\t') || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029)
        *out = " ", *out_len = 1;
    return n;
}

/* s with each invalid byte as U+FFFD (EF BF BD), or NULL when out of memory */
static char *repaired(const char *s)
{
    char *r = cJSON_malloc(strlen(s) * 3 + 1), *o = r;
    if (!r)
        return NULL;
    unsigned cp;
    for (size_t n; *s; s += n) {
        if ((n = mqc_utf8_next(s, &cp))) {
            memcpy(o, s, n);
            o += n;
        } else {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            n = 1;
        }
    }
    *o = 0;
    return r;
}

int mqc_json_utf8_repair(cJSON *item)
{
    for (; item; item = item->next) {
        if (item->string && !mqc_utf8_valid(item->string)) {
            char *key = repaired(item->string);
            if (!key)
                return MQC_ERR_NOMEM;
            if (!(item->type & cJSON_StringIsConst))
                cJSON_free(item->string);
            item->string = key;
            item->type &= ~cJSON_StringIsConst;
        }
        if (cJSON_IsString(item) && item->valuestring && !mqc_utf8_valid(item->valuestring)) {
            char *value = repaired(item->valuestring);
            int ok = value && cJSON_SetValuestring(item, value);
            cJSON_free(value);
            if (!ok)
                return MQC_ERR_NOMEM;
        }
        if (item->child && mqc_json_utf8_repair(item->child) < 0)
            return MQC_ERR_NOMEM;
    }
    return 0;
}

/* One cleaned line: prefix (ours, clean), the formatted text cleaned, a
 * newline; written in one call so lines of processes sharing a log do not
 * interleave mid-line. */
static void print_line(FILE *to, const char *prefix, const char *fmt, va_list ap)
{
    char text[4096], line[4096 + 64];
    vsnprintf(text, sizeof(text), fmt, ap);
    size_t used = (size_t)snprintf(line, sizeof(line), "%s", prefix);
    const char *s = text, *out;
    for (size_t n, out_len; (n = mqc_clean_char(s, &out, &out_len)); s += n) {
        if (used + out_len + 2 > sizeof(line))
            break;
        memcpy(line + used, out, out_len);
        used += out_len;
    }
    line[used++] = '\n';
    fwrite(line, 1, used, to);
    fflush(to);
}

void mqc_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    print_line(stderr, "mediaqc: ", fmt, ap);
    va_end(ap);
}

void mqc_print_line(FILE *to, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    print_line(to, "", fmt, ap);
    va_end(ap);
}
