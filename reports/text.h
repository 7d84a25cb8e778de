/* Text output for the presentation layers: a growable buffer, the escaping
 * each format needs (reports/job.h stores the text). Every string that comes from
 * the input file or the profile goes through one of the escapers. */
#ifndef MQC_REPORTS_TEXT_H
#define MQC_REPORTS_TEXT_H

#include <stddef.h>
#include "../engine/mediaqc.h"

typedef struct MqcBuf {
    char *data;
    size_t len, cap;
    int oom;                    /* an append failed: the text is incomplete */
} MqcBuf;

void mqc_buf_append(MqcBuf *b, const char *s, size_t n);
void mqc_buf_puts(MqcBuf *b, const char *s);
void mqc_buf_printf(MqcBuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void mqc_buf_free(MqcBuf *b);

/* Text content and attribute values: & < > " ' become entities. Invalid
 * UTF-8 becomes U+FFFD and control characters other than tab and newline are
 * dropped, so the result is also well-formed XML 1.0. */
void mqc_buf_xml(MqcBuf *b, const char *s);
/* JSON text placed inside <script>: every '<' becomes \u003c so "</script>"
 * and "<!--" cannot end or confuse the element; U+2028/U+2029 are escaped
 * for older JavaScript parsers. */
void mqc_buf_script_json(MqcBuf *b, const char *json);
/* One RFC 4180 field: quoted when it contains , " CR or LF (quotes doubled);
 * a leading = + - @ tab or CR gets a ' so spreadsheets do not run it as a
 * formula (OWASP, CSV injection). */
void mqc_buf_csv(MqcBuf *b, const char *s);
/* One line of plain text (EDL comments, terminal), cleaned by the rule of
 * every message (mqc_clean_char: control characters but tab, and line
 * separators, become spaces; invalid UTF-8 becomes '?'); at most max_bytes. */
void mqc_buf_line(MqcBuf *b, const char *s, size_t max_bytes);
/* A JSON value for people: strings as they are, null or absent as
 * `absent`, anything else as compact JSON; the text goes through `escape`. */
struct cJSON;
void mqc_buf_json_value(MqcBuf *b, const struct cJSON *v, const char *absent,
                        void (*escape)(MqcBuf *b, const char *s));
/* Base64 (RFC 4648) of raw bytes, by libavutil. */
void mqc_buf_base64(MqcBuf *b, const unsigned char *p, size_t n);

#endif
