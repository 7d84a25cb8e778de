/* checksum: a digest of every decoded picture (XXH3-128 by default, MD5
 * as ffmpeg's -f framemd5 on request), over the bytes ffmpeg hashes in its
 * rawvideo packets (planes back to back, rows without padding,
 * little-endian samples), compared with a reference made earlier; and a
 * hash of the whole file, checked against an ASC MHL. Frames are matched to
 * the reference by timestamp on ffmpeg's frame grid, so a dropped frame is
 * one missing frame, not the rest of the file diverging. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <libavutil/common.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include "checksum_ref.h"
#include "../engine/mediaqc.h"

/* in MqcHashAlgo order */
static const char *const algorithm_names[] = { "md5", "xxh64", "sha1", "sha256", "xxh3", NULL };
static const char *const file_algorithm_names[] = { "xxh64", "md5", "sha1", NULL };
static const MqcHashAlgo file_algorithms[] = { MQC_HASH_XXH64, MQC_HASH_MD5, MQC_HASH_SHA1 };

/* A run of one event code carrying its own message, extended in place. */
typedef struct Run {
    int open;
    int64_t last;
    size_t idx;
} Run;

typedef struct Checksum {
    /* options */
    int algorithm;              /* MqcHashAlgo */
    char *reference;
    int file_hash;
    int file_algorithm;         /* index into file_algorithms */
    char *mhl;
    /* this stream */
    MqcHashAlgo algo;
    int digest_size;
    int rate_num, rate_den, tb_num, tb_den;
    int64_t origin;             /* grid origin in time base (ffmpeg counts from the start) */
    /* the reference and where the walk through it stands */
    int have_ref;
    MqcReference ref;
    MqcGrid grid;
    size_t ref_next;
    Run mismatch_run, extra_run;
    /* digest of all frame digests in order, comparable with a report's */
    MqcHasher sequence;
    /* the whole file, from the bytes the engine reads (si->file_bytes); the
     * tap writes these on the decode thread, finish() reads them */
    int file_active;            /* subscribed */
    int file_complete;          /* every byte was handed over */
    int64_t file_hashed;
    MqcHashAlgo file_algo;
    MqcHasher file;
    char file_error[160];
    char file_hex[2 * MQC_DIGEST_MAX + 1];  /* a merge: segment 0's whole-file hash */
    int have_mhl;
    MqcMhlEntry mhl_entry;
    const MqcSequence *files;   /* image sequence: each file hashed and verified */
    /* counts */
    int64_t frames, last_index;
    int64_t compared, matched, mismatched, missing, extra, not_compared, first_mismatch;
} Checksum;

typedef struct ChecksumFrame {
    uint8_t digest[MQC_DIGEST_MAX];
} ChecksumFrame;

static const MqcOption checksum_options[] = {
    { "algorithm", MQC_OPT_ENUM, offsetof(Checksum, algorithm), MQC_HASH_XXH3, 0, 0,
      algorithm_names, NULL,
      "digest of every decoded picture: xxh3 is XXH3-128 (fast), md5 gives the hashes of "
      "ffmpeg -f framemd5 (record key md5; the others use the key hash); with a reference, "
      "xxh3 follows the reference's algorithm" },
    { "reference", MQC_OPT_STRING, offsetof(Checksum, reference), 0, 0, 0, NULL, NULL,
      "per-frame checksums made earlier (--reference): ffmpeg framemd5/framehash text, "
      "`mediaqc hash` output, a mediaqc --frames file or report" },
    { "file_hash", MQC_OPT_BOOL, offsetof(Checksum, file_hash), 1, 0, 1, NULL, NULL,
      "hash the whole file while it is analysed (metric file_hash)" },
    { "file_algorithm", MQC_OPT_ENUM, offsetof(Checksum, file_algorithm), 0, 0, 0,
      file_algorithm_names, NULL,
      "digest of the whole file (xxh64 as xxhsum prints it); with an MHL that lists another "
      "type, the MHL's type is used" },
    { "mhl", MQC_OPT_STRING, offsetof(Checksum, mhl), 0, 0, 0, NULL, NULL,
      "ASC MHL v1 manifest that lists the file's hash (--mhl)" },
    { .name = NULL }
};

static const MqcEventCode checksum_codes[] = {
    { "checksum_mismatch", "picture differs from the reference (%.0f frames)" },
    { "missing_frame", "%.0f reference frames missing here" },
    { "extra_frame", "%.0f frames not in the reference" },
    { "file_hash_mismatch", "the file's hash differs from the manifest" },
    { .code = NULL }
};

/* The file's bytes in order, on the decode thread (MqcByteSink). */
static void file_bytes(void *ud, const uint8_t *data, size_t len, int status)
{
    Checksum *s = ud;
    if (data) {
        mqc_hasher_update(&s->file, data, len);
        s->file_hashed += (int64_t)len;
    } else if (status < 0) {
        av_strerror(status, s->file_error, sizeof(s->file_error));
    } else {
        s->file_complete = 1;
    }
}

static int file_subscribe(Checksum *s, const MqcStreamInfo *si, char *why, size_t why_len)
{
    int ret = 0;
    /* a pipe cannot be read a second time, and the engine reads it itself */
    if (!si->file_bytes && si->segment) {
        /* segment 0 hashes the whole file; the merge gets it from its partial */
        snprintf(s->file_error, sizeof(s->file_error), "segment 0's partial is missing");
        return 0;
    }
    if (!si->file_bytes)
        snprintf(s->file_error, sizeof(s->file_error), "not a regular file");
    else if ((ret = mqc_byte_tap_subscribe(si->file_bytes, file_bytes, s)) < 0)
        av_strerror(ret, s->file_error, sizeof(s->file_error));
    if (si->file_bytes && ret >= 0) {
        s->file_active = 1;
        snprintf(s->file_error, sizeof(s->file_error), "the analysis stopped before the end "
                 "of the file");
        mqc_hasher_start(&s->file, s->file_algo);
        return 0;
    }
    if (!s->have_mhl)
        return 0;   /* no manifest to satisfy: the metric says why there is no hash */
    snprintf(why, why_len, "cannot hash %s for the MHL: %s", si->path, s->file_error);
    return MQC_ERR_PROFILE;
}

static int checksum_init(void *priv, const MqcStreamInfo *si, char *why, size_t why_len)
{
    Checksum *s = priv;
    if (!mqc_hasher_supported()) {
        snprintf(why, why_len, "this libavutil's hash contexts are larger than expected");
        return MQC_ERR_PROFILE;
    }
    s->algo = (MqcHashAlgo)s->algorithm;
    s->digest_size = mqc_hash_size(s->algo);
    s->rate_num = si->rate_num > 0 ? si->rate_num : 25;     /* ffmpeg's fallback too */
    s->rate_den = si->rate_num > 0 ? si->rate_den : 1;
    s->tb_num = si->tb_num;
    s->tb_den = si->tb_den;
    s->origin = si->start_pts != INT64_MIN ? si->start_pts : 0;
    s->first_mismatch = -1;
    s->last_index = -1;

    if (s->reference && *s->reference) {
        int ret = mqc_reference_load(s->reference, s->rate_num, s->rate_den, &s->ref, why,
                                     why_len);
        if (ret < 0)
            return ret;
        s->have_ref = 1;
        /* the default follows the reference (a framemd5 file: md5); an
         * algorithm asked for must match it */
        if (s->algo == MQC_HASH_XXH3) {
            s->algo = s->ref.algo;
            s->algorithm = (int)s->algo;    /* the report's params name what ran */
            s->digest_size = mqc_hash_size(s->algo);
        }
        if (s->ref.algo != s->algo) {
            snprintf(why, why_len, "reference %s holds %s digests but checksum.algorithm is %s "
                     "(use --set checksum.algorithm=%s)", s->reference,
                     mqc_hash_header_name(s->ref.algo), mqc_hash_option_name(s->algo),
                     mqc_hash_option_name(s->ref.algo));
            return MQC_ERR_PROFILE;
        }
        if (!s->ref.slots_from_start)
            s->origin = 0;      /* a --frames file's times are the stream's own */
    }
    mqc_hasher_start(&s->sequence, s->algo);

    s->file_algo = file_algorithms[s->file_algorithm];
    if (si->sequence) {
        /* an ASC MHL lists the files of a sequence: each is checked in finish */
        s->files = si->sequence;
        if (s->mhl && *s->mhl) {
            char first[1024];
            mqc_sequence_name(s->files, mqc_sequence_number(s->files, 0), 1, first, sizeof(first));
            int ret = mqc_mhl_find(s->mhl, first, &s->mhl_entry, why, why_len);
            if (ret < 0)
                return ret;
            s->have_mhl = 1;
        }
        return 0;
    }
    if (s->mhl && *s->mhl) {
        int ret = mqc_mhl_find(s->mhl, si->path, &s->mhl_entry, why, why_len);
        if (ret < 0)
            return ret;
        s->have_mhl = 1;
        /* the manifest decides which digest can be verified */
        static const MqcHashAlgo preference[] = { MQC_HASH_XXH64, MQC_HASH_MD5, MQC_HASH_SHA1 };
        for (int i = 0; !s->mhl_entry.have[s->file_algo] && i < 3; i++)
            s->file_algo = preference[i];
    }
    if (s->file_hash || s->have_mhl)
        return file_subscribe(s, si, why, why_len);
    snprintf(s->file_error, sizeof(s->file_error), "disabled (checksum.file_hash)");
    return 0;
}

/* The decoder's picture as ffmpeg's rawvideo packet lays it out
 * (av_image_copy_to_buffer, align 1): planes in order, rows without
 * padding, then a palette. */
static void hash_source(MqcHasher *h, const AVFrame *f)
{
    enum AVPixelFormat fmt = (enum AVPixelFormat)f->format;
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(fmt);
    int rowbytes[4];
    ptrdiff_t lines[4];
    size_t sizes[4];
    if (!d || av_image_fill_linesizes(rowbytes, fmt, f->width) < 0)
        return;
    for (int p = 0; p < 4; p++)
        lines[p] = rowbytes[p];
    if (av_image_fill_plane_sizes(sizes, fmt, f->height, lines) < 0)
        return;
    for (int p = 0; p < 4 && rowbytes[p] > 0; p++) {
        size_t rows = sizes[p] / (size_t)rowbytes[p];
        for (size_t y = 0; y < rows; y++)
            mqc_hasher_update(h, f->data[p] + (ptrdiff_t)y * f->linesize[p], (size_t)rowbytes[p]);
        if (d->flags & AV_PIX_FMT_FLAG_PAL)
            break;
    }
    if (d->flags & AV_PIX_FMT_FLAG_PAL)
        mqc_hasher_update(h, f->data[1], 256 * 4);
}

/* Pure and on any thread, possibly ahead of display order: only *frame. */
static void checksum_measure_frame(const void *priv, const MqcPicture *pic, void *frame)
{
    const Checksum *s = priv;
    MqcHasher h;
    mqc_hasher_start(&h, s->algo);
    if (pic->source) {
        /* converted for the other checks: hash what the decoder gave */
        hash_source(&h, pic->source);
        mqc_hasher_end(&h, ((ChecksumFrame *)frame)->digest);
        return;
    }
    /* the rawvideo packet: colour planes in order, then alpha */
    for (int p = 0; p < 4; p++) {
        if (!pic->data[p] || (p >= pic->nb_planes && p != 3))
            continue;
        int chroma = p == 1 || p == 2;
        int w = chroma ? AV_CEIL_RSHIFT(pic->width, pic->log2_chroma_w) : pic->width;
        int rows = chroma ? AV_CEIL_RSHIFT(pic->height, pic->log2_chroma_h) : pic->height;
        size_t row_bytes = (size_t)w * (size_t)pic->bytes_per_sample;
        if (pic->linesize[p] == (ptrdiff_t)row_bytes) {
            mqc_hasher_update(&h, pic->data[p], row_bytes * (size_t)rows);
            continue;
        }
        for (int y = 0; y < rows; y++)
            mqc_hasher_update(&h, pic->data[p] + (ptrdiff_t)y * pic->linesize[p], row_bytes);
    }
    mqc_hasher_end(&h, ((ChecksumFrame *)frame)->digest);
}

/* Extends the run when it ended on the previous frame; 0 when a new one
 * is needed. */
static int run_extend(MqcEvents *ev, Run *run, int64_t frame)
{
    if (!run->open || run->last != frame - 1 || run->idx >= ev->n)
        return 0;
    MqcEvent *e = &ev->v[run->idx];
    e->end_frame = frame;
    e->value = (double)(frame - e->start_frame + 1);
    run->last = frame;
    return 1;
}

static void run_start(MqcEvents *ev, Run *run, const MqcEvent *e)
{
    if (mqc_events_add(ev, e) < 0)
        return;
    run->open = 1;
    run->idx = ev->n - 1;
    run->last = e->start_frame;
}

static void flag_missing(Checksum *s, MqcEvents *ev, int64_t frame, size_t first, size_t count,
                         int at_end)
{
    MqcEvent e = { .code = "missing_frame", .start_frame = frame, .end_frame = frame,
                   .worst_frame = frame, .value = (double)count };
    snprintf(e.detail, sizeof(e.detail), "%zu reference frame%s (reference frames %zu..%zu, "
             "grid pts %lld..%lld) missing %s this frame", count, count == 1 ? "" : "s", first,
             first + count - 1, (long long)s->ref.frames[first].slot,
             (long long)s->ref.frames[first + count - 1].slot, at_end ? "after" : "before");
    mqc_events_add(ev, &e);
    s->missing += (int64_t)count;
}

static void compare(Checksum *s, const MqcFrameInfo *fi, const ChecksumFrame *f, MqcEvents *ev)
{
    double position, duration = 1;
    if (s->ref.format == MQC_REF_FRAMES) {
        /* the reference's times went through "%.6f": take the same path */
        char t[64];
        snprintf(t, sizeof(t), "%.6f", fi->time_s);
        position = mqc_grid_position_s(strtod(t, NULL), s->rate_num, s->rate_den);
    } else {
        position = mqc_grid_position(fi->pts, s->origin, s->tb_num, s->tb_den, s->rate_num,
                                     s->rate_den);
        if (fi->duration > 0 && s->tb_den)
            duration = (double)fi->duration * s->tb_num * s->rate_num /
                       ((double)s->tb_den * s->rate_den);
    }
    int64_t slot = mqc_grid_place(&s->grid, position, duration);
    if (slot < 0) {
        s->not_compared++;      /* ffmpeg drops it too: not in any framemd5 */
        return;
    }
    const MqcRefFrame *ref = s->ref.frames;
    size_t first = s->ref_next;
    while (s->ref_next < s->ref.nb_frames && ref[s->ref_next].slot < slot)
        s->ref_next++;
    if (s->ref_next > first)
        flag_missing(s, ev, fi->index, first, s->ref_next - first, 0);

    if (s->ref_next == s->ref.nb_frames || ref[s->ref_next].slot != slot) {
        s->extra++;
        if (!run_extend(ev, &s->extra_run, fi->index)) {
            MqcEvent e = { .code = "extra_frame", .start_frame = fi->index,
                           .end_frame = fi->index, .worst_frame = fi->index, .value = 1 };
            snprintf(e.detail, sizeof(e.detail), "frames not in the reference, from grid pts "
                     "%lld", (long long)slot);
            run_start(ev, &s->extra_run, &e);
        }
        return;
    }
    const MqcRefFrame *r = &ref[s->ref_next++];
    int n = FFMIN(s->digest_size, MQC_REF_DIGEST);
    s->compared++;
    if (!memcmp(r->digest, f->digest, (size_t)n)) {
        s->matched++;
        return;
    }
    s->mismatched++;
    if (s->first_mismatch < 0)
        s->first_mismatch = fi->index;
    if (run_extend(ev, &s->mismatch_run, fi->index))
        return;
    char want[2 * MQC_REF_DIGEST + 1], got[2 * MQC_REF_DIGEST + 1];
    mqc_hex(r->digest, n, want);
    mqc_hex(f->digest, n, got);
    MqcEvent e = { .code = "checksum_mismatch", .start_frame = fi->index, .end_frame = fi->index,
                   .worst_frame = fi->index, .value = 1 };
    snprintf(e.detail, sizeof(e.detail), "picture differs from reference frame %zu: expected "
             "%s%s, found %s%s", s->ref_next - 1, want, n < s->digest_size ? "..." : "", got,
             n < s->digest_size ? "..." : "");
    run_start(ev, &s->mismatch_run, &e);
}

static int checksum_fold(void *priv, const MqcFrameInfo *fi, const void *frame, MqcEvents *ev)
{
    Checksum *s = priv;
    const ChecksumFrame *f = frame;
    s->frames++;
    s->last_index = fi->index;
    mqc_hasher_update(&s->sequence, f->digest, (size_t)s->digest_size);
    if (s->have_ref && s->ref.format != MQC_REF_REPORT)
        compare(s, fi, f, ev);
    return 0;
}

static void checksum_record(const void *priv, const void *frame, MqcRecord *rec)
{
    const Checksum *s = priv;
    char hex[2 * MQC_DIGEST_MAX + 1];
    mqc_hex(((const ChecksumFrame *)frame)->digest, s->digest_size, hex);
    mqc_record_string(rec, s->algo == MQC_HASH_MD5 ? "md5" : "hash", hex);
}

/* An event over the whole file. */
static void whole_file_event(const Checksum *s, MqcEvents *ev, const char *code,
                             const char *detail)
{
    MqcEvent e = { .code = code, .start_frame = 0, .end_frame = FFMAX(s->last_index, 0),
                   .worst_frame = 0, .value = (double)s->frames };
    snprintf(e.detail, sizeof(e.detail), "%s", detail);
    mqc_events_add(ev, &e);
}

static const char *base_name(const char *p)
{
    const char *slash = strrchr(p, '/');
    return slash ? slash + 1 : p;
}

#define FILE_CHUNK (1 << 20)

/* The whole file at `path`, read once more (from the page cache): a
 * sequence's files are opened by the image2 demuxer, not through the tap. */
static int hash_path(const char *path, MqcHashAlgo algo, uint8_t *digest, int64_t *bytes)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = malloc(FILE_CHUNK);
    MqcHasher h;
    size_t n;
    if (!f || !buf) {
        if (f)
            fclose(f);
        free(buf);
        return -1;
    }
    mqc_hasher_start(&h, algo);
    while ((n = fread(buf, 1, FILE_CHUNK, f)) > 0) {
        mqc_hasher_update(&h, buf, n);
        *bytes += (int64_t)n;
    }
    int bad = ferror(f);
    fclose(f);
    free(buf);
    mqc_hasher_end(&h, digest);
    return bad ? -1 : 0;
}

/* A sequence: every file hashed; with an MHL, each file's entry verified
 * (a file it does not list, or lists with another digest, is an event). */
static void finish_sequence_files(Checksum *s, MqcEvents *ev, MqcMetrics *m)
{
    char path[1024], hex[2 * MQC_DIGEST_MAX + 1], want[2 * MQC_DIGEST_MAX + 1], why[256];
    char detail[192];
    int64_t hashed = 0, bytes = 0, verified = 0, mismatched = 0, unlisted = 0, unreadable = 0;
    static const MqcHashAlgo preference[] = { MQC_HASH_XXH64, MQC_HASH_MD5, MQC_HASH_SHA1 };
    for (size_t i = 0; i < (size_t)mqc_sequence_files(s->files); i++) {
        mqc_sequence_name(s->files, mqc_sequence_number(s->files, i), 1, path, sizeof(path));
        MqcMhlEntry entry;
        MqcHashAlgo algo = s->file_algo;
        int listed = s->have_mhl && mqc_mhl_find(s->mhl, path, &entry, why, sizeof(why)) >= 0;
        for (int k = 0; listed && !entry.have[algo] && k < 3; k++)
            algo = preference[k];
        uint8_t d[MQC_DIGEST_MAX];
        if (hash_path(path, algo, d, &bytes) < 0) {
            unreadable++;
            snprintf(detail, sizeof(detail), "%s: cannot read the file to hash it",
                     base_name(path));
            whole_file_event(s, ev, "file_hash_mismatch", detail);
            continue;
        }
        hashed++;
        if (!s->have_mhl)
            continue;
        if (!listed) {
            unlisted++;
            snprintf(detail, sizeof(detail), "%s is not listed in %s", base_name(path),
                     base_name(s->mhl));
            whole_file_event(s, ev, "file_hash_mismatch", detail);
            continue;
        }
        mqc_hex(d, mqc_hash_size(algo), hex);
        mqc_hex(entry.digest[algo], mqc_hash_size(algo), want);
        if (strcmp(hex, want)) {
            mismatched++;
            snprintf(detail, sizeof(detail), "%s: %s is %s; %s (line %ld) lists %s",
                     base_name(path), mqc_hash_option_name(algo), hex, base_name(s->mhl),
                     entry.line, want);
            whole_file_event(s, ev, "file_hash_mismatch", detail);
        } else {
            verified++;
        }
    }
    mqc_metric_string(m, "file_hash_algorithm", mqc_hash_option_name(s->file_algo));
    mqc_metric_int(m, "sequence_files_hashed", hashed);
    mqc_metric_int(m, "file_bytes_hashed", bytes);
    if (unreadable)
        mqc_metric_int(m, "sequence_files_unreadable", unreadable);
    if (s->have_mhl) {
        mqc_metric_int(m, "mhl_files_verified", verified);
        mqc_metric_int(m, "mhl_files_mismatched", mismatched);
        mqc_metric_int(m, "mhl_files_unlisted", unlisted);
    }
}

static void finish_file(Checksum *s, MqcEvents *ev, MqcMetrics *m)
{
    if (s->files) {
        if (s->file_hash || s->have_mhl)
            finish_sequence_files(s, ev, m);
        return;
    }
    char hex[2 * MQC_DIGEST_MAX + 1] = "", detail[192];
    if (s->file_hex[0]) {
        snprintf(hex, sizeof(hex), "%s", s->file_hex);
    } else if (s->file_active && s->file_complete) {
        uint8_t d[MQC_DIGEST_MAX];
        mqc_hasher_end(&s->file, d);
        mqc_hex(d, mqc_hash_size(s->file_algo), hex);
    }
    mqc_metric_string(m, "file_hash_algorithm", mqc_hash_option_name(s->file_algo));
    if (!hex[0]) {
        mqc_metric_string(m, "file_hash_unavailable", s->file_error);
        return;
    }
    mqc_metric_string(m, "file_hash", hex);
    mqc_metric_int(m, "file_bytes_hashed", s->file_hashed);
    if (s->have_mhl) {
        char want[2 * MQC_DIGEST_MAX + 1];
        mqc_hex(s->mhl_entry.digest[s->file_algo], mqc_hash_size(s->file_algo), want);
        mqc_metric_string(m, "mhl_entry", s->mhl_entry.file);
        mqc_metric_string(m, "mhl_hash", want);
        if (strcmp(want, hex)) {
            snprintf(detail, sizeof(detail), "%s of the file is %s; %s (line %ld) lists %s",
                     mqc_hash_option_name(s->file_algo), hex, base_name(s->mhl),
                     s->mhl_entry.line, want);
            whole_file_event(s, ev, "file_hash_mismatch", detail);
        }
    }
    if (s->have_ref && s->ref.format == MQC_REF_REPORT && s->ref.report_file_hash[0] &&
        !strcmp(s->ref.report_file_algorithm, mqc_hash_option_name(s->file_algo)) &&
        strcmp(s->ref.report_file_hash, hex)) {
        snprintf(detail, sizeof(detail), "%s of the file is %s; the reference report lists %s",
                 mqc_hash_option_name(s->file_algo), hex, s->ref.report_file_hash);
        whole_file_event(s, ev, "file_hash_mismatch", detail);
    }
}

static void checksum_finish(void *priv, const MqcStreamInfo *si, MqcEvents *ev, MqcMetrics *m)
{
    (void)si;
    Checksum *s = priv;
    char seq[2 * MQC_DIGEST_MAX + 1];
    uint8_t d[MQC_DIGEST_MAX];
    mqc_hasher_end(&s->sequence, d);
    mqc_hex(d, s->digest_size, seq);
    mqc_metric_string(m, "algorithm", mqc_hash_option_name(s->algo));
    mqc_metric_int(m, "frames_hashed", s->frames);
    mqc_metric_string(m, "sequence_hash", seq);

    if (s->have_ref) {
        mqc_metric_string(m, "reference_format", mqc_ref_format_name(s->ref.format));
        if (s->ref.format == MQC_REF_REPORT) {
            mqc_metric_int(m, "reference_frames", s->ref.report_frames);
            if (strcmp(seq, s->ref.report_sequence) || s->ref.report_frames != s->frames) {
                char detail[192];
                snprintf(detail, sizeof(detail), "frame digests differ from the reference "
                         "report (%lld frames there, %lld here); its --frames file locates "
                         "them", (long long)s->ref.report_frames, (long long)s->frames);
                whole_file_event(s, ev, "checksum_mismatch", detail);
            }
        } else {
            size_t left = s->ref.nb_frames - s->ref_next;
            if (left)
                flag_missing(s, ev, FFMAX(s->last_index, 0), s->ref_next, left, 1);
            mqc_metric_int(m, "reference_frames", (int64_t)s->ref.nb_frames);
            mqc_metric_int(m, "frames_compared", s->compared);
            mqc_metric_int(m, "frames_matched", s->matched);
            mqc_metric_int(m, "frames_mismatched", s->mismatched);
            mqc_metric_int(m, "missing_frames", s->missing);
            mqc_metric_int(m, "extra_frames", s->extra);
            mqc_metric_int(m, "frames_not_compared", s->not_compared);
            mqc_metric_int(m, "first_mismatch_frame", s->first_mismatch);
        }
    }
    finish_file(s, ev, m);
}

/* A segment: the whole-file hash when this segment (0) tapped the file. */
static int checksum_save(const void *priv, cJSON *state)
{
    const Checksum *s = priv;
    if (!s->file_active)
        return 0;
    if (!s->file_complete) {
        cJSON_AddStringToObject(state, "file_error", s->file_error);
        return 0;
    }
    MqcHasher h = s->file;      /* the run's own finish() must not see it ended */
    uint8_t d[MQC_DIGEST_MAX];
    char hex[2 * MQC_DIGEST_MAX + 1];
    mqc_hasher_end(&h, d);
    mqc_hex(d, mqc_hash_size(s->file_algo), hex);
    cJSON_AddStringToObject(state, "file_hash", hex);
    cJSON_AddStringToObject(state, "file_algorithm", mqc_hash_option_name(s->file_algo));
    cJSON_AddNumberToObject(state, "file_bytes_hashed", (double)s->file_hashed);
    return cJSON_GetObjectItemCaseSensitive(state, "file_bytes_hashed") ? 0 : MQC_ERR_NOMEM;
}

static int checksum_load(void *priv, const cJSON *state)
{
    Checksum *s = priv;
    const cJSON *hex = cJSON_GetObjectItemCaseSensitive(state, "file_hash");
    const cJSON *algo = cJSON_GetObjectItemCaseSensitive(state, "file_algorithm");
    const cJSON *bytes = cJSON_GetObjectItemCaseSensitive(state, "file_bytes_hashed");
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(state, "file_error");
    if (cJSON_IsString(err)) {
        snprintf(s->file_error, sizeof(s->file_error), "%s", err->valuestring);
        return 0;
    }
    if (!cJSON_IsString(hex) || !cJSON_IsString(algo) || !cJSON_IsNumber(bytes) ||
        strcmp(algo->valuestring, mqc_hash_option_name(s->file_algo)) ||
        strlen(hex->valuestring) != 2 * (size_t)mqc_hash_size(s->file_algo))
        return MQC_ERR_USAGE;
    snprintf(s->file_hex, sizeof(s->file_hex), "%s", hex->valuestring);
    s->file_hashed = (int64_t)bytes->valuedouble;
    return 0;
}

static void checksum_close(void *priv)
{
    Checksum *s = priv;
    mqc_reference_free(&s->ref);
}

/* the digest's key: md5 (as ffmpeg framemd5 names it) or any other algorithm */
static const MqcSeries checksum_series[] = {
    { "md5", "frame MD5", "hex", NULL, MQC_STAT_MEAN, NULL },
    { "hash", "frame hash", "hex", NULL, MQC_STAT_MEAN, NULL },
    { .key = NULL }
};

const MqcCheck mqc_check_checksum = {
    .name = "checksum",
    .summary = "per-frame digests as ffmpeg framemd5 computes them, compared with a reference "
               "by timestamp; whole-file hash checked against an ASC MHL",
    .default_severity = MQC_SEV_ERROR,
    .options = checksum_options,
    .codes = checksum_codes,
    .priv_size = sizeof(Checksum),
    .frame_size = sizeof(ChecksumFrame),
    .init = checksum_init,
    .measure_frame = checksum_measure_frame,
    .fold = checksum_fold,
    .record = checksum_record,
    .finish = checksum_finish,
    .save = checksum_save,
    .load = checksum_load,
    .close = checksum_close,
    .series = checksum_series,
    .float_input = 1,           /* bytes are bytes */
    .source_frame = 1,          /* ffmpeg hashes the decoder's format, not ours */
};
