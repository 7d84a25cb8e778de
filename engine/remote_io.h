/* Media and reports in object storage: s3://BUCKET/KEY (AWS Signature V4)
 * and http(s):// URLs (presigned or public), read with ranged GETs through
 * a libavformat custom I/O context, reports written with one PUT.
 *
 * Configuration comes from the environment, as the AWS tools read it:
 *   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY   sign s3:// requests (else anonymous)
 *   AWS_SESSION_TOKEN                          temporary credentials
 *   AWS_REGION (or AWS_DEFAULT_REGION)         default us-east-1
 *   AWS_ENDPOINT_URL                           S3-compatible store, path-style
 *                                              (e.g. http://127.0.0.1:4568)
 * Credentials never appear in messages: URLs are shown without userinfo and
 * query string (which holds a presigned URL's signature). */
#ifndef MQC_REMOTE_IO_H
#define MQC_REMOTE_IO_H

#include <stddef.h>
#include <stdint.h>
#include "byte_tap.h"

/* 1 when path is an s3://, http:// or https:// URL. */
int mqc_remote_is_url(const char *path);

/* Opens url for positioned reads (ranged GETs of cached blocks, with a
 * read-ahead thread). Fetches the first block, which also gives the
 * object's size. Errors: MQC_ERR_NOT_FOUND (HTTP 404, no such bucket),
 * MQC_ERR_UNREADABLE (access denied, empty object, unreachable store, ...),
 * MQC_ERR_USAGE (malformed URL), each with the URL and cause in msg. */
int mqc_remote_source_open(const char *url, MqcByteSource *src, MqcMsg *msg);

/* Size and ETag (quotes removed; "" when the server sends none) of an
 * object, with a one-byte ranged GET (a presigned GET URL allows no HEAD).
 * Errors as mqc_remote_source_open. */
int mqc_remote_stat(const char *url, int64_t *size, char *etag, size_t etag_len, MqcMsg *msg);

/* Stores a complete object with one PUT: readers see the old object or the
 * whole new one, never a part. */
int mqc_remote_put(const char *url, const void *data, size_t len, const char *content_type,
                   MqcMsg *msg);
/* Deletes an object; one that does not exist is no error. */
int mqc_remote_delete(const char *url, MqcMsg *msg);
/* Reads a small object (at most max_len bytes) into *data (NUL-terminated,
 * free() it). MQC_ERR_NOT_FOUND when it does not exist. */
int mqc_remote_get(const char *url, size_t max_len, char **data, size_t *len, MqcMsg *msg);

/* What the request code reads from the server's answer (exposed for the
 * fuzzing harness tests/fuzz/fuzz_remote_header.c). One response header
 * line as libcurl hands it over (CR LF included, any bytes): a status line
 * resets *total to -1 and etag to "" (a new response after 100 Continue or a
 * redirect), "Content-Range: bytes A-B/TOTAL" sets *total, "ETag: V" sets
 * etag (truncated to etag_len). */
void mqc_remote_header_line(const char *line, size_t len, int64_t *total, char *etag,
                            size_t etag_len);
/* " CODE" from an S3 XML error document's <Code>CODE</Code> (codes of at
 * most 79 bytes), "" when there is none. body is NUL-terminated. */
void mqc_remote_error_code(const char *body, char *code, size_t len);

/* The URL as it may be shown: no user:password@, no ?query (signatures). */
void mqc_remote_redact(const char *url, char *buf, size_t len);

#endif
