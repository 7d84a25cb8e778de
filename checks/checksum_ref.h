/* The checksum check's helpers: digests (libavutil md5/sha, libxxhash),
 * ffmpeg's placement of frames on the output frame grid (-f framemd5),
 * and the readers of references made earlier: framemd5/framehash text
 * (ffmpeg or `mediaqc hash`), mediaqc --frames JSON lines, a mediaqc
 * report, and ASC MHL v1 manifests (libxml2). */
#ifndef MQC_CHECKSUM_REF_H
#define MQC_CHECKSUM_REF_H

#include <stddef.h>
#include <stdint.h>

/* in the order of the checksum.algorithm option's choices */
typedef enum MqcHashAlgo {
    MQC_HASH_MD5, MQC_HASH_XXH64, MQC_HASH_SHA1, MQC_HASH_SHA256, MQC_HASH_XXH3, MQC_HASH_NB
} MqcHashAlgo;

#define MQC_DIGEST_MAX 32
/* "md5", "xxh64", "sha1", "sha256", "xxh3" */
const char *mqc_hash_option_name(MqcHashAlgo a);
/* the name in a framehash "#hash:" header: MD5, XXH64, SHA160, SHA256,
 * XXH128 (XXH3-128; not an ffmpeg name: ffmpeg has no XXH3) */
const char *mqc_hash_header_name(MqcHashAlgo a);
/* digest bytes */
int mqc_hash_size(MqcHashAlgo a);
/* lower-case hex; out has room for 2 * n + 1 */
void mqc_hex(const uint8_t *digest, int n, char *out);

/* A streaming digest without allocation: the libraries' contexts live in
 * ctx (their sizes are checked by mqc_hasher_supported). XXH64 and XXH3-128
 * digests are the canonical big-endian bytes, as xxhsum (-H2) prints them.
 * XXH3's state wants 64-byte alignment, which a heap block need not give:
 * it sits at the first such address inside ctx, so a started hasher must
 * not be copied. */
typedef struct MqcHasher {
    MqcHashAlgo algo;
    _Alignas(16) uint8_t ctx[704];
} MqcHasher;
int mqc_hasher_supported(void);
void mqc_hasher_start(MqcHasher *h, MqcHashAlgo algo);
void mqc_hasher_update(MqcHasher *h, const uint8_t *data, size_t len);
void mqc_hasher_end(MqcHasher *h, uint8_t out[MQC_DIGEST_MAX]);

/* ---- the frame grid of `ffmpeg -f framemd5` ----
 * ffmpeg writes frames at pts on a 1/frame-rate grid, counted from the
 * file's start, with its -vsync vfr rules: a late frame is pulled onto the
 * next free grid point, a frame more than 0.6 frame behind it is dropped. */
typedef struct MqcGrid {
    int64_t next;               /* ffmpeg's sync_opts */
} MqcGrid;
/* The frame's position in frame periods: (pts - origin) * tb * rate, with
 * ffmpeg's extra precision. Returns NAN for an unknown pts. */
double mqc_grid_position(int64_t pts, int64_t origin, int tb_num, int tb_den, int rate_num,
                         int rate_den);
/* The same from a time in seconds (a --frames file's "time"). */
double mqc_grid_position_s(double seconds, int rate_num, int rate_den);
/* Grid pts of a frame at `position` lasting `duration` periods (<= 0:
 * one), or -1 when ffmpeg would drop it. */
int64_t mqc_grid_place(MqcGrid *g, double position, double duration);

/* ---- references ---- */
typedef enum MqcRefFormat {
    MQC_REF_FRAMEHASH,          /* ffmpeg -f framemd5 / framehash, mediaqc hash */
    MQC_REF_FRAMES,             /* mediaqc check --frames (JSON lines) */
    MQC_REF_REPORT,             /* mediaqc check -o report.json */
} MqcRefFormat;
const char *mqc_ref_format_name(MqcRefFormat f);

/* What is kept per reference frame: its grid pts and the digest's first
 * 16 bytes (all of MD5 and XXH64; a prefix of SHA, still collision-safe
 * for telling pictures apart). */
#define MQC_REF_DIGEST 16
typedef struct MqcRefFrame {
    int64_t slot;
    uint8_t digest[MQC_REF_DIGEST];
} MqcRefFrame;

typedef struct MqcReference {
    MqcRefFormat format;
    MqcHashAlgo algo;
    MqcRefFrame *frames;        /* in display order, slots non-decreasing */
    size_t nb_frames;
    int slots_from_start;       /* grid counted from the stream start (framehash) */
    /* a report has no per-frame digests, only the checksum check's metrics */
    int64_t report_frames;
    char report_sequence[2 * MQC_DIGEST_MAX + 1];
    char report_file_hash[2 * MQC_DIGEST_MAX + 1];
    char report_file_algorithm[16];
} MqcReference;

/* A reference is a file the user gives: anything larger is refused before
 * reading (10 hours of framemd5 at 24 fps is about 70 MB). */
#define MQC_REFERENCE_MAX_BYTES (256LL << 20)

/* Reads a reference, detecting its format from the content; slots are on
 * the grid of the given frame rate. On error returns a negative code with
 * `why` naming the file, the line and the cause. */
int mqc_reference_load(const char *path, int rate_num, int rate_den, MqcReference *ref,
                       char *why, size_t why_len);
void mqc_reference_free(MqcReference *ref);

/* ---- ASC MHL v1 ---- */
typedef struct MqcMhlEntry {
    int have[MQC_HASH_NB];
    uint8_t digest[MQC_HASH_NB][MQC_DIGEST_MAX];
    char file[512];             /* as the manifest names it */
    long line;                  /* of its <hash> element */
} MqcMhlEntry;

#define MQC_MHL_MAX_BYTES (64LL << 20)

/* Finds media_path in the manifest: the <file> path relative to the MHL's
 * directory, else a unique file of the same name. Negative with `why` when
 * the manifest is malformed or does not list the file. */
int mqc_mhl_find(const char *mhl_path, const char *media_path, MqcMhlEntry *entry, char *why,
                 size_t why_len);

#endif
