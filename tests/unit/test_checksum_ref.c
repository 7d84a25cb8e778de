/* The checksum check's helpers: digests against published test vectors,
 * ffmpeg's frame grid, the reference readers (framemd5/framehash text,
 * --frames JSON lines, reports) and ASC MHL v1 lookup, including the
 * errors a malformed file must give. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "checks/checksum_ref.h"

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof(dir), "/tmp/mqc-unit-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

/* Writes len bytes to dir/name and returns the path (static storage). */
static const char *write_bytes(const char *name, const char *data, size_t len)
{
    static char path[4][256];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, 256, "%s/%s", dir, name);
    char *slash = strrchr(p, '/');
    if (slash > p + strlen(dir)) {
        *slash = 0;
        mkdir(p, 0700);
        *slash = '/';
    }
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    return p;
}

static const char *write_file(const char *name, const char *text)
{
    return write_bytes(name, text, strlen(text));
}

static void digest_hex(MqcHashAlgo algo, const char *text, char *hex)
{
    MqcHasher h;
    uint8_t d[MQC_DIGEST_MAX];
    mqc_hasher_start(&h, algo);
    /* in two pieces: streaming must equal one shot */
    size_t half = strlen(text) / 2;
    mqc_hasher_update(&h, (const uint8_t *)text, half);
    mqc_hasher_update(&h, (const uint8_t *)text + half, strlen(text) - half);
    mqc_hasher_end(&h, d);
    mqc_hex(d, mqc_hash_size(algo), hex);
}

Test(digests, published_test_vectors)
{
    char hex[2 * MQC_DIGEST_MAX + 1];
    cr_assert(mqc_hasher_supported());
    digest_hex(MQC_HASH_MD5, "abc", hex);
    cr_expect_str_eq(hex, "900150983cd24fb0d6963f7d28e17f72");     /* RFC 1321 */
    digest_hex(MQC_HASH_SHA1, "abc", hex);
    cr_expect_str_eq(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");     /* FIPS 180 */
    digest_hex(MQC_HASH_SHA256, "abc", hex);
    cr_expect_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    digest_hex(MQC_HASH_XXH64, "", hex);
    cr_expect_str_eq(hex, "ef46db3751d8e999");     /* xxhsum -H64 of an empty file */
    digest_hex(MQC_HASH_XXH64, "abc", hex);
    cr_expect_str_eq(hex, "44bc2cf5ad770999");
    cr_expect_str_eq(mqc_hash_header_name(MQC_HASH_SHA1), "SHA160");   /* ffmpeg's name */
    /* XXH3-128, canonical bytes: xxhsum -H2 of an empty file and of "abc" */
    digest_hex(MQC_HASH_XXH3, "", hex);
    cr_expect_str_eq(hex, "99aa06d3014798d86001c324468d497f");
    digest_hex(MQC_HASH_XXH3, "abc", hex);
    cr_expect_str_eq(hex, "06b05ab6733a618578af5f94892f3950");
}

/* XXH3's state wants 64-byte alignment; a hasher in a heap block (a check's
 * private state) has only 16. Long input in uneven pieces crosses XXH3's
 * internal buffer and stripes. */
Test(digests, xxh3_streaming_at_any_alignment)
{
    uint8_t data[5000];
    for (int i = 0; i < 5000; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    uint8_t *block = aligned_alloc(64, (sizeof(MqcHasher) + 64 + 63) / 64 * 64);
    cr_assert_not_null(block);
    for (size_t off = 0; off < 64; off += 16) {
        MqcHasher *h = (MqcHasher *)(void *)(block + off);
        uint8_t d[MQC_DIGEST_MAX];
        char hex[2 * MQC_DIGEST_MAX + 1];
        mqc_hasher_start(h, MQC_HASH_XXH3);
        for (size_t i = 0, n = 1; i < sizeof(data); i += n, n = n * 3 + 1)
            mqc_hasher_update(h, data + i, i + n < sizeof(data) ? n : sizeof(data) - i);
        mqc_hasher_end(h, d);
        mqc_hex(d, mqc_hash_size(MQC_HASH_XXH3), hex);
        /* xxhsum -H2 of the same 5000 bytes */
        cr_expect_str_eq(hex, "c98ae385d09887cc799aaddd7339581d", "offset %zu", off);
    }
    free(block);
}

/* ---- ffmpeg's frame grid ---- */

Test(grid, regular_gap_jitter_duplicate_and_late_frames)
{
    MqcGrid g = { 0 };
    /* Matroska milliseconds at 30000/1001: 0, 33, 67, 100 are frames 0..3 */
    const int64_t ms[] = { 0, 33, 67, 100 };
    for (int i = 0; i < 4; i++)
        cr_expect_eq(mqc_grid_place(&g, mqc_grid_position(ms[i], 0, 1, 1000, 30000, 1001), 1), i);
    /* a gap keeps its place: frame 5 follows frame 3 */
    cr_expect_eq(mqc_grid_place(&g, mqc_grid_position(167, 0, 1, 1000, 30000, 1001), 1), 5);
    /* the same timestamp again: pulled onto the next grid point */
    cr_expect_eq(mqc_grid_place(&g, mqc_grid_position(167, 0, 1, 1000, 30000, 1001), 1), 6);
    /* far behind the grid: ffmpeg drops it */
    cr_expect_eq(mqc_grid_place(&g, mqc_grid_position(100, 0, 1, 1000, 30000, 1001), 1), -1);
    /* no timestamp: the next grid point */
    cr_expect_eq(mqc_grid_place(&g, NAN, 1), 7);
}

Test(grid, counted_from_the_stream_start)
{
    MqcGrid g = { 0 };
    /* MPEG-TS at 90 kHz starting at 1.4 s, 25 fps */
    cr_expect_eq(mqc_grid_place(&g, mqc_grid_position(126000, 126000, 1, 90000, 25, 1), 1), 0);
    cr_expect_eq(mqc_grid_place(&g, mqc_grid_position(129600, 126000, 1, 90000, 25, 1), 1), 1);
    cr_expect(isnan(mqc_grid_position(INT64_MIN, 0, 1, 25, 25, 1)));
}

/* ---- references ---- */

static const char framemd5[] =
    "#format: frame checksums\n#version: 2\n#hash: MD5\n#tb 0: 1/25\n"
    "#media_type 0: video\n#codec_id 0: rawvideo\n#dimensions 0: 640x360\n#sar 0: 1/1\n"
    "#stream#, dts,        pts, duration,     size, hash\n"
    "0,          0,          0,        1,   345600, b966d9d001dc6a62a5ba6afaf9e62c13\n"
    "0,          1,          1,        1,   345600, a43e107de98891fadd9241f19785c07f\n"
    "0,          3,          3,        1,   345600, 3bd2638fbd91eb3e3df24c17c946eafb\n";

Test(reference, framemd5_keeps_grid_pts_and_digests)
{
    make_dir();
    MqcReference ref;
    char why[512] = "";
    cr_assert_eq(mqc_reference_load(write_file("a.framemd5", framemd5), 25, 1, &ref, why,
                                     sizeof(why)), 0, "%s", why);
    cr_expect_eq(ref.format, MQC_REF_FRAMEHASH);
    cr_expect_eq(ref.algo, MQC_HASH_MD5);
    cr_assert_eq(ref.nb_frames, 3);
    cr_expect_eq(ref.frames[2].slot, 3);
    char hex[33];
    mqc_hex(ref.frames[1].digest, 16, hex);
    cr_expect_str_eq(hex, "a43e107de98891fadd9241f19785c07f");
    mqc_reference_free(&ref);
}

Test(reference, framehash_of_several_streams_and_another_time_base)
{
    make_dir();
    /* ffmpeg without -map: audio is stream 0, video stream 1 in milliseconds */
    const char *text =
        "#format: frame checksums\n#version: 2\n#hash: XXH64\n#tb 0: 1/48000\n"
        "#media_type 0: audio\n#tb 1: 1/1000\n#media_type 1: video\n"
        "0,          0,          0,     1024,     4096, 0123456789abcdef\n"
        "1,          0,          0,       40,   345600, 1111111111111111\n"
        "1,         40,         40,       40,   345600, 2222222222222222\n"
        "1,        120,        120,       40,   345600, 3333333333333333, S=1, 8, abcd\n";
    MqcReference ref;
    char why[512] = "";
    cr_assert_eq(mqc_reference_load(write_file("b.framehash", text), 25, 1, &ref, why,
                                     sizeof(why)), 0, "%s", why);
    cr_expect_eq(ref.algo, MQC_HASH_XXH64);
    cr_assert_eq(ref.nb_frames, 3);
    cr_expect_eq(ref.frames[1].slot, 1);
    cr_expect_eq(ref.frames[2].slot, 3);
    cr_expect_eq(ref.frames[2].digest[0], 0x33);
    mqc_reference_free(&ref);
}

Test(reference, frames_jsonl_and_report)
{
    make_dir();
    MqcReference ref;
    char why[512] = "";
    const char *jsonl =
        "{\"frame\":0,\"time\":0.000000,\"pts\":0,\"hash\":\"00000000000000ff\"}\n"
        "{\"frame\":1,\"time\":0.080000,\"pts\":2,\"hash\":\"00000000000000fe\"}\n";
    cr_assert_eq(mqc_reference_load(write_file("c.jsonl", jsonl), 25, 1, &ref, why,
                                     sizeof(why)), 0, "%s", why);
    cr_expect_eq(ref.format, MQC_REF_FRAMES);
    cr_expect_eq(ref.algo, MQC_HASH_XXH64);     /* 16 hex digits under "hash" */
    cr_assert_eq(ref.nb_frames, 2);
    cr_expect_eq(ref.frames[1].slot, 2);
    mqc_reference_free(&ref);

    const char *report =
        "{\n  \"schema\": \"mediaqc.report/1\",\n  \"checks\": [{\"id\": \"checksum\", "
        "\"metrics\": {\"algorithm\": \"md5\", \"frames_hashed\": 75, \"sequence_hash\": "
        "\"00112233445566778899aabbccddeeff\", \"file_hash\": \"0011223344556677\", "
        "\"file_hash_algorithm\": \"xxh64\"}}]\n}\n";
    cr_assert_eq(mqc_reference_load(write_file("d.json", report), 25, 1, &ref, why,
                                     sizeof(why)), 0, "%s", why);
    cr_expect_eq(ref.format, MQC_REF_REPORT);
    cr_expect_eq(ref.report_frames, 75);
    cr_expect_str_eq(ref.report_file_hash, "0011223344556677");
    mqc_reference_free(&ref);
}

static void expect_error_bytes(const char *name, const char *data, size_t len,
                               const char *cause)
{
    MqcReference ref;
    char why[512] = "";
    const char *path = write_bytes(name, data, len);
    cr_expect_lt(mqc_reference_load(path, 25, 1, &ref, why, sizeof(why)), 0, "%s", name);
    cr_expect(strstr(why, path) != NULL, "%s: message names the file: %s", name, why);
    cr_expect(strstr(why, cause) != NULL, "%s: want \"%s\" in: %s", name, cause, why);
    cr_expect_null(ref.frames);
}

static void expect_error(const char *name, const char *text, const char *cause)
{
    expect_error_bytes(name, text, strlen(text), cause);
}

Test(reference, malformed_files_name_file_line_and_cause)
{
    make_dir();
    expect_error("garbage", "\x7f" "ELF\x02\x01", "not a framemd5/framehash text");
    expect_error("empty", "", "empty file");
    expect_error("truncated", "#hash: MD5\n0,          0,          0,        1\n",
                 "line 2: truncated frame line");
    expect_error("short", "0, 0, 0, 1, 345600, b966d9d001dc6a62a5ba6afaf9e62c1\n",
                 "line 1: hash \"b966d9d001dc6a62a5ba6afaf9e62c1\" has 31 characters; MD5 "
                 "needs 32 hex digits");
    expect_error("nothex", "0, 0, 0, 1, 345600, b966d9d001dc6a62a5ba6afaf9e62cZZ\n",
                 "line 1: hash");
    expect_error("pts", "0, 0, x, 1, 345600, b966d9d001dc6a62a5ba6afaf9e62c13\n",
                 "line 1: pts \"x\" is not an integer");
    expect_error("backwards", "0, 5, 5, 1, 1, b966d9d001dc6a62a5ba6afaf9e62c13\n"
                 "0, 4, 4, 1, 1, b966d9d001dc6a62a5ba6afaf9e62c13\n", "line 2: timestamps go "
                 "backwards");
    expect_error("unknown-hash", "#hash: CRC32\n", "line 1: hash \"CRC32\" is not one of");
    expect_error("no-video", "#media_type 0: audio\n0, 0, 0, 1, 1, 00\n",
                 "no video stream");
    expect_error("only-header", "#format: frame checksums\n", "no frame lines");
    expect_error_bytes("binary", "0, 0\0, 0\n", 9, "line 1: binary data");
    expect_error("jsonl-no-md5", "{\"frame\":0}\n", "line 1: no \"md5\" or \"hash\"");
    expect_error("jsonl-mixed", "{\"md5\":\"b966d9d001dc6a62a5ba6afaf9e62c13\",\"time\":0}\n"
                 "{\"hash\":\"00000000000000ff\",\"time\":0.04}\n",
                 "line 2: digest type changes from MD5 to XXH64");
    expect_error("json-broken", "{\"frame\":0,\n", "line 1 is not a JSON object) nor a JSON "
                 "report");
    expect_error("jsonl-broken", "{\"md5\":\"b966d9d001dc6a62a5ba6afaf9e62c13\",\"time\":0}\n"
                 "{\"md5\":\n", "line 2: not a JSON object");
    expect_error("json-other", "{\"schema\": \"other/1\"}", "not a mediaqc report");
    expect_error("report-without-checksum", "{\"schema\":\"mediaqc.report/1\",\"checks\":[]}",
                 "no checksum check");
}

/* ---- ASC MHL v1 ---- */

static const char mhl[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<hashlist version=\"1.1\">\n"
    "  <hash><file>A001/clip.mov</file><size>10</size>\n"
    "    <md5>00112233445566778899aabbccddeeff</md5>\n"
    "    <xxhash64>efcdab8967452301</xxhash64></hash>\n"
    "  <hash><file>B002/other.mov</file><xxhash64be>0123456789abcdef</xxhash64be></hash>\n"
    "</hashlist>\n";

Test(mhl, entry_by_relative_path_and_by_name)
{
    make_dir();
    const char *manifest = write_file("day.mhl", mhl);
    const char *media = write_file("A001/clip.mov", "0123456789");
    MqcMhlEntry e;
    char why[512] = "";
    cr_assert_eq(mqc_mhl_find(manifest, media, &e, why, sizeof(why)), 0, "%s", why);
    cr_expect_str_eq(e.file, "A001/clip.mov");
    cr_expect_eq(e.line, 3);
    cr_expect(e.have[MQC_HASH_MD5] && e.have[MQC_HASH_XXH64] && !e.have[MQC_HASH_SHA1]);
    char hex[33];
    /* <xxhash64> is little-endian: the value is 0123456789abcdef */
    mqc_hex(e.digest[MQC_HASH_XXH64], 8, hex);
    cr_expect_str_eq(hex, "0123456789abcdef");
    mqc_hex(e.digest[MQC_HASH_MD5], 16, hex);
    cr_expect_str_eq(hex, "00112233445566778899aabbccddeeff");

    /* moved to another folder: found by its unique name */
    media = write_file("elsewhere/other.mov", "x");
    cr_assert_eq(mqc_mhl_find(manifest, media, &e, why, sizeof(why)), 0, "%s", why);
    mqc_hex(e.digest[MQC_HASH_XXH64], 8, hex);
    cr_expect_str_eq(hex, "0123456789abcdef");
}

static void expect_mhl_error(const char *text, const char *cause)
{
    const char *manifest = write_file("bad.mhl", text);
    const char *media = write_file("A001/clip.mov", "0123456789");
    MqcMhlEntry e;
    char why[512] = "";
    cr_expect_lt(mqc_mhl_find(manifest, media, &e, why, sizeof(why)), 0);
    cr_expect(strstr(why, manifest) != NULL, "message names the MHL: %s", why);
    cr_expect(strstr(why, cause) != NULL, "want \"%s\" in: %s", cause, why);
}

Test(mhl, malformed_or_not_listing_the_file)
{
    make_dir();
    expect_mhl_error("<hashlist><hash><file>A001/clip.mov</file><md5>0011", "not well-formed");
    expect_mhl_error("md5 0011 clip.mov\n", "not well-formed XML");
    expect_mhl_error("<list/>", "root element is <list>");
    expect_mhl_error("<hashlist version=\"2.0\"/>", "ASC MHL v2 is not supported");
    expect_mhl_error("<hashlist><hash><file>x/other.mov</file><md5>00</md5></hash></hashlist>",
                     "line 1: <md5> \"00\" is not 32 hex digits");
    expect_mhl_error("<hashlist><hash><md5>00112233445566778899aabbccddeeff</md5></hash>"
                     "</hashlist>", "without a <file>");
    expect_mhl_error("<hashlist>\n<hash><file>x/other.mov</file>"
                     "<md5>00112233445566778899aabbccddeeff</md5></hash></hashlist>",
                     "clip.mov is not listed (1 <hash> entries)");
    expect_mhl_error("<hashlist><hash><file>x/clip.mov</file><xxhash>123</xxhash></hash>"
                     "<hash><file>y/clip.mov</file><xxhash>123</xxhash></hash></hashlist>",
                     "2 entries are named clip.mov");
    expect_mhl_error("<hashlist><hash><file>A001/clip.mov</file><xxhash>1234567890</xxhash>"
                     "</hash></hashlist>", "no md5, sha1, xxhash64 or xxhash64be");
}
