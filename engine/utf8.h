/* Bytes from file names, profiles and peers on their way to terminals and
 * parsers (docs/robustness.md, "Output files and bytes"). */
#ifndef MQC_UTF8_H
#define MQC_UTF8_H

#include <stddef.h>

struct cJSON;

/* Decodes one UTF-8 sequence at s (NUL-terminated); returns its length and
 * the code point, or 0 for an invalid one (overlong forms, surrogates and
 * > U+10FFFF included). */
size_t mqc_utf8_next(const char *s, unsigned *cp);
/* 1 when all of s is valid UTF-8. */
int mqc_utf8_valid(const char *s);

/* The one cleaning rule for text shown on a line (terminal, EDL comment,
 * CSV message): reads one character at s and sets *out and *out_len to what to
 * show instead. Control characters but tab (C0, DEL, C1) and line
 * separators become a space, invalid UTF-8 a '?'. Returns the bytes of s
 * consumed (0 at the end). */
size_t mqc_clean_char(const char *s, const char **out, size_t *out_len);

/* Makes every string (values and member names) of a JSON tree valid UTF-8:
 * each invalid byte becomes U+FFFD. Returns 0, or MQC_ERR_NOMEM. */
int mqc_json_utf8_repair(struct cJSON *item);

#endif
