"""The checksum check and `mediaqc hash` on real encoded media, against
independent references: ffmpeg's -f framemd5 / -f framehash, Python's
hashlib, a pure-Python XXH64, xxhsum -H2 (XXH3-128) and derived copies with
a known edit."""
import hashlib
import json
import os
import shutil
import struct
import subprocess
import tempfile
import unittest

from common import (MEDIAQC, SANITIZER_MARKS, TIMEOUT, check, clip_path, read_jsonl, run,
                    stable)

# the four pixel formats the engine reads directly, so ffmpeg's rawvideo
# packets and the analysed pictures are the same bytes
HASH_CLIPS = ("h264_8bit_420.mp4", "prores_10bit_422.mov", "ffv1_10bit_444.mkv",
              "ffv1_12bit_422_full.mkv")
CLEAN = "ffv1_10bit_444_clean.mkv"      # lossless, 75 frames at 30000/1001 in Matroska
DROPPED = 20                             # frame removed from the copy
EDITED = (30, 32)                        # frames changed in the copy


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y"] + list(args), check=True,
                   timeout=300)


def ffmpeg_framehash(path, fmt="framemd5", extra=()):
    return subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-map", "0:v:0",
                           "-fflags", "+bitexact"] + list(extra) + ["-f", fmt, "-"],
                          capture_output=True, text=True, timeout=300, check=True).stdout


def mediaqc(*args):
    p = subprocess.run([MEDIAQC] + list(args), capture_output=True, text=True, timeout=TIMEOUT)
    for mark in SANITIZER_MARKS:
        assert mark not in p.stderr, p.stderr
    return p


def frame_hashes(text):
    return [line.rsplit(",", 1)[1].strip() for line in text.splitlines()
            if line and not line.startswith("#")]


# XXH64 written from its specification, as an independent reference
_P1, _P2, _P3 = 11400714785074694791, 14029467366897019727, 1609587929392839161
_P4, _P5, _M = 9650029242287828579, 2870177450012600261, (1 << 64) - 1


def _rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & _M


def _round(acc, value):
    return (_rotl((acc + value * _P2) & _M, 31) * _P1) & _M


def xxh64(data):
    n, i = len(data), 0
    if n >= 32:
        v = [(_P1 + _P2) & _M, _P2, 0, (-_P1) & _M]
        for lanes in struct.iter_unpack("<4Q", memoryview(data)[:n - n % 32]):
            v = [_round(a, b) for a, b in zip(v, lanes)]
        i = n - n % 32
        h = (_rotl(v[0], 1) + _rotl(v[1], 7) + _rotl(v[2], 12) + _rotl(v[3], 18)) & _M
        for lane in v:
            h = ((h ^ _round(0, lane)) * _P1 + _P4) & _M
    else:
        h = _P5
    h = (h + n) & _M
    while i + 8 <= n:
        h = (_rotl(h ^ _round(0, int.from_bytes(data[i:i + 8], "little")), 27) * _P1 + _P4) & _M
        i += 8
    if i + 4 <= n:
        h = (_rotl(h ^ (int.from_bytes(data[i:i + 4], "little") * _P1) & _M, 23) * _P2
             + _P3) & _M
        i += 4
    for b in data[i:]:
        h = (_rotl(h ^ (b * _P5) & _M, 11) * _P1) & _M
    h ^= h >> 33
    h = (h * _P2) & _M
    h ^= h >> 29
    h = (h * _P3) & _M
    return "%016x" % (h ^ (h >> 32))


def xxh128sum(data):
    """XXH3-128 by the xxhash package's own tool, as an independent reference."""
    out = subprocess.run(["xxhsum", "-H2", "-"], input=data, capture_output=True,
                         timeout=60, check=True).stdout
    return out.split()[0].decode()


def checksum_profile(tmp):
    """Only the checksum check: fast, and the exit code is its verdict."""
    path = os.path.join(tmp, "checksum-only.json")
    with open(path, "w") as f:
        json.dump({"name": "checksum-only", "checks": {"checksum": {}}}, f)
    return path


class HashOutput(unittest.TestCase):
    """`mediaqc hash` prints what ffmpeg -f framemd5 prints, byte for byte."""

    def test_identical_to_ffmpeg_framemd5(self):
        for name in HASH_CLIPS:
            with self.subTest(clip=name):
                p = mediaqc("hash", clip_path(name))
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(p.stdout, ffmpeg_framehash(clip_path(name)))

    def test_sha256_identical_to_ffmpeg_framehash(self):
        name = HASH_CLIPS[0]
        p = mediaqc("hash", clip_path(name), "--algorithm", "sha256")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, ffmpeg_framehash(clip_path(name), "framehash",
                                                    ("-hash", "sha256")))

    def test_xxh64_of_every_rawvideo_frame(self):
        name = HASH_CLIPS[0]
        raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", clip_path(name),
                              "-map", "0:v:0", "-f", "rawvideo", "-"], capture_output=True,
                             timeout=300, check=True).stdout
        p = mediaqc("hash", clip_path(name), "--algorithm", "xxh64")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("#hash: XXH64\n", p.stdout)
        size = 640 * 360 * 3 // 2
        expected = [xxh64(raw[k:k + size]) for k in range(0, len(raw), size)]
        self.assertEqual(frame_hashes(p.stdout), expected)

    def test_frames_file_md5_equals_framemd5(self):
        tmp = tempfile.mkdtemp(prefix="mqc-cs-")
        frames = os.path.join(tmp, "frames.jsonl")
        res = run(["check", clip_path(CLEAN), "--frames", frames, "--quiet", "--profile",
                   checksum_profile(tmp), "--set", "checksum.algorithm=md5"], workdir=tmp)
        self.assertEqual(res.code, 0, res.stderr)
        self.assertEqual([r["md5"] for r in read_jsonl(frames)],
                         frame_hashes(ffmpeg_framehash(clip_path(CLEAN))))

    def test_default_is_xxh3_128_of_every_rawvideo_frame(self):
        """DESIGN §9: XXH3-128 by default, in --frames records (key hash) and
        named in the report; `mediaqc hash --algorithm xxh3` prints the same."""
        name = HASH_CLIPS[0]
        raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", clip_path(name),
                              "-map", "0:v:0", "-f", "rawvideo", "-"], capture_output=True,
                             timeout=300, check=True).stdout
        size = 640 * 360 * 3 // 2
        expected = [xxh128sum(raw[k:k + size]) for k in range(0, len(raw), size)]
        tmp = tempfile.mkdtemp(prefix="mqc-cs-")
        frames = os.path.join(tmp, "frames.jsonl")
        res = run(["check", clip_path(name), "--frames", frames, "--quiet"], workdir=tmp)
        self.assertIn(res.code, (0, 1), res.stderr)
        records = read_jsonl(frames)
        self.assertEqual([r["hash"] for r in records], expected)
        self.assertTrue(all("md5" not in r for r in records))
        c = check(res.report, "checksum")
        self.assertEqual((c["params"]["algorithm"], c["metrics"]["algorithm"]), ("xxh3", "xxh3"))
        p = mediaqc("hash", clip_path(name), "--algorithm", "xxh3")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("#hash: XXH128\n", p.stdout)
        self.assertEqual(frame_hashes(p.stdout), expected)

    def test_other_direct_formats_identical(self):
        """Alpha (appended after the colour planes), planar RGB, gray, odd sizes."""
        tmp = tempfile.mkdtemp(prefix="mqc-cs-")
        for codec, pix_fmt, size, ext in (("prores_ks", "yuva444p10le", "320x180", "mov"),
                                          ("ffv1", "gbrp10le", "320x180", "mkv"),
                                          ("ffv1", "gray", "320x180", "mkv"),
                                          ("ffv1", "yuv420p", "321x181", "mkv")):
            with self.subTest(pix_fmt=pix_fmt, size=size):
                path = os.path.join(tmp, "%s_%s.%s" % (pix_fmt, size, ext))
                ffmpeg("-f", "lavfi", "-i", "testsrc2=size=%s:rate=25:duration=0.2" % size,
                       "-c:v", codec, "-pix_fmt", pix_fmt, path)
                p = mediaqc("hash", path)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(p.stdout, ffmpeg_framehash(path))

    def test_converted_formats_hash_the_decoded_picture(self):
        """NV12 is analysed as yuv420p (converted once with swscale), but the
        hashes are of the decoder's NV12, as ffmpeg's (issue 13.8)."""
        tmp = tempfile.mkdtemp(prefix="mqc-cs-")
        path = os.path.join(tmp, "nv12.nut")
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=0.2", "-c:v",
               "rawvideo", "-pix_fmt", "nv12", path)
        ours, theirs = mediaqc("hash", path).stdout, ffmpeg_framehash(path)
        self.assertEqual(len(frame_hashes(ours)), 5)
        self.assertEqual(ours, theirs)

    def test_bad_input(self):
        cases = [(["hash"], 2, "exactly one INPUT"),
                 (["hash", clip_path(CLEAN), "--algorithm", "crc"], 2, "md5, xxh64"),
                 (["hash", clip_path(CLEAN), "--stream", "x"], 2, "--stream"),
                 (["hash", "/nonexistent.mov"], 2, "/nonexistent.mov"),
                 (["hash", clip_path("audio_only.mov")], 3, "no video stream")]
        for args, code, text in cases:
            with self.subTest(args=args):
                p = mediaqc(*args)
                self.assertEqual(p.returncode, code, p.stderr)
                self.assertIn(text, p.stderr)
                self.assertEqual(p.stdout, "")


class ReferenceComparison(unittest.TestCase):
    """Copies of a lossless clip with one frame dropped, three frames edited
    and a lossy re-encode, against references made from the original."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-cs-")
        t = lambda name: os.path.join(cls.tmp, name)
        cls.profile = checksum_profile(cls.tmp)
        cls.clean = clip_path(CLEAN)
        cls.dropped, cls.edited, cls.reencoded = t("dropped.mkv"), t("edited.mkv"), t("re.mov")
        # frame 20 removed, the others keep their timestamps (a gap)
        ffmpeg("-i", cls.clean, "-map", "0:v:0", "-vf", "select='not(eq(n,%d))'" % DROPPED,
               "-vsync", "passthrough", "-c:v", "ffv1", cls.dropped)
        # luma +8 on frames 30..32 only; FFV1 keeps every other frame bit-exact
        ffmpeg("-i", cls.clean, "-map", "0:v:0", "-vf",
               "lutyuv=y='val+8':enable='between(n,%d,%d)'" % EDITED, "-c:v", "ffv1",
               cls.edited)
        ffmpeg("-i", cls.clean, "-map", "0:v:0", "-c:v", "prores_ks", "-profile:v", "0",
               "-pix_fmt", "yuv444p10le", cls.reencoded)
        cls.edited_hashes = frame_hashes(ffmpeg_framehash(cls.edited))
        cls.refs = {"ffmpeg": t("clean.framemd5"), "hash": t("clean.hash"),
                    "frames": t("clean.jsonl"), "report": t("clean.json")}
        with open(cls.refs["ffmpeg"], "w") as f:
            f.write(ffmpeg_framehash(cls.clean))
        with open(cls.refs["hash"], "w") as f:
            f.write(mediaqc("hash", cls.clean).stdout)
        res = run(["check", cls.clean, "--profile", cls.profile, "--frames",
                   cls.refs["frames"], "--quiet", "--set", "checksum.algorithm=md5"],
                  workdir=cls.tmp)
        shutil.copy(os.path.join(cls.tmp, "report.json"), cls.refs["report"])
        assert res.code == 0, res.stderr

    def compare(self, path, ref, *extra):
        res = run(["check", path, "--reference", ref, "--profile", self.profile, "--quiet"]
                  + list(extra), workdir=tempfile.mkdtemp(prefix="mqc-cs-"))
        self.assertIn(res.code, (0, 1), res.stderr)
        return res, check(res.report, "checksum")

    def events(self, c, code=None):
        return [(e["code"], e["start_frame"], e["end_frame"], e["value"]) for e in c["events"]
                if code is None or e["code"] == code]

    def test_identical_copy_passes(self):
        for kind, ref in self.refs.items():
            with self.subTest(reference=kind):
                res, c = self.compare(self.clean, ref)
                self.assertEqual(res.code, 0)
                self.assertEqual(c["events"], [])
                if kind != "report":
                    self.assertEqual(c["metrics"]["frames_matched"], 75)

    def test_dropped_frame_is_one_missing_frame(self):
        for kind in ("ffmpeg", "hash", "frames"):
            with self.subTest(reference=kind):
                res, c = self.compare(self.dropped, self.refs[kind])
                self.assertEqual(res.code, 1)
                self.assertEqual(self.events(c), [("missing_frame", DROPPED, DROPPED, 1)])
                m = c["metrics"]
                self.assertEqual((m["frames_matched"], m["missing_frames"], m["extra_frames"],
                                  m["first_mismatch_frame"]), (74, 1, 0, -1))

    def test_reference_with_one_frame_fewer_is_one_extra_frame(self):
        tmp = tempfile.mkdtemp(prefix="mqc-cs-")
        ref = os.path.join(tmp, "dropped.framemd5")
        with open(ref, "w") as f:
            f.write(ffmpeg_framehash(self.dropped))
        res, c = self.compare(self.clean, ref)
        self.assertEqual(res.code, 1)
        self.assertEqual(self.events(c), [("extra_frame", DROPPED, DROPPED, 1)])

    def test_edited_frames_found_exactly(self):
        for kind in ("ffmpeg", "hash", "frames"):
            with self.subTest(reference=kind):
                res, c = self.compare(self.edited, self.refs[kind])
                self.assertEqual(res.code, 1)
                self.assertEqual(self.events(c), [("checksum_mismatch", EDITED[0], EDITED[1],
                                                   EDITED[1] - EDITED[0] + 1)])
                self.assertEqual(c["metrics"]["first_mismatch_frame"], EDITED[0])
                # the message names the reference's and the file's digest
                want = frame_hashes(open(self.refs["ffmpeg"]).read())[EDITED[0]]
                got = self.edited_hashes[EDITED[0]]
                self.assertIn(want, c["events"][0]["message"])
                self.assertIn(got, c["events"][0]["message"])

    def test_reencode_differs_everywhere_but_stays_aligned(self):
        res, c = self.compare(self.reencoded, self.refs["ffmpeg"])
        self.assertEqual(res.code, 1)
        # MOV at 1/30000 against Matroska milliseconds: still frame for frame
        self.assertEqual(self.events(c), [("checksum_mismatch", 0, 74, 75)])
        self.assertEqual(c["metrics"]["frames_compared"], 75)

    def test_report_reference_compares_whole_stream(self):
        res, c = self.compare(self.edited, self.refs["report"])
        self.assertEqual(res.code, 1)
        self.assertEqual(sorted(e[0] for e in self.events(c)),
                         ["checksum_mismatch", "file_hash_mismatch"])

    def test_same_report_for_any_thread_count(self):
        reports = [stable(self.compare(self.dropped, self.refs["ffmpeg"], "--threads", n)[0]
                          .report) for n in ("1", "2", "3")]
        self.assertEqual(reports[0], reports[1])
        self.assertEqual(reports[0], reports[2])
        # and with every other check in the same pass
        full = [stable(run(["check", self.edited, "--reference", self.refs["ffmpeg"],
                            "--threads", n, "--quiet"]).report) for n in ("1", "2")]
        self.assertEqual(full[0], full[1])
        self.assertEqual(self.events(check(full[0], "checksum")),
                         [("checksum_mismatch", EDITED[0], EDITED[1], 3)])

    def test_default_algorithm_follows_the_reference(self):
        for kind, algo in (("ffmpeg", "md5"), ("frames", "md5"), ("report", "md5")):
            with self.subTest(reference=kind):
                res, c = self.compare(self.clean, self.refs[kind])
                self.assertEqual(res.code, 0, res.stderr)
                self.assertEqual((c["params"]["algorithm"], c["metrics"]["algorithm"]),
                                 (algo, algo))
        # a reference made with the default compares in XXH3-128
        tmp = tempfile.mkdtemp(prefix="mqc-cs-")
        frames = os.path.join(tmp, "xxh3.jsonl")
        res = run(["check", self.clean, "--profile", self.profile, "--frames", frames,
                   "--quiet"], workdir=tmp)
        self.assertEqual(res.code, 0, res.stderr)
        res, c = self.compare(self.edited, frames)
        self.assertEqual(c["params"]["algorithm"], "xxh3")
        self.assertEqual(self.events(c), [("checksum_mismatch", EDITED[0], EDITED[1],
                                           EDITED[1] - EDITED[0] + 1)])

    def test_algorithm_must_match_the_reference(self):
        p = mediaqc("check", self.clean, "--reference", self.refs["ffmpeg"], "--set",
                    "checksum.algorithm=xxh64", "--quiet")
        self.assertEqual(p.returncode, 2)
        self.assertIn("checksum.algorithm=md5", p.stderr)

    def test_file_hash_equals_independent_hashes(self):
        data = open(self.clean, "rb").read()
        for algo, expected in (("xxh64", xxh64(data)), ("md5", hashlib.md5(data).hexdigest()),
                               ("sha1", hashlib.sha1(data).hexdigest())):
            with self.subTest(algorithm=algo):
                res = run(["check", self.clean, "--profile", self.profile, "--quiet", "--set",
                           "checksum.file_algorithm=" + algo])
                m = check(res.report, "checksum")["metrics"]
                self.assertEqual((m["file_hash_algorithm"], m["file_hash"]), (algo, expected))
                self.assertEqual(m["file_bytes_hashed"], len(data))


def top_level_atoms(path):
    """The top-level boxes of an ISO BMFF / QuickTime file, in file order."""
    atoms, size = [], os.path.getsize(path)
    with open(path, "rb") as f:
        pos = 0
        while pos + 8 <= size:
            f.seek(pos)
            length, kind = struct.unpack(">I4s", f.read(8))
            if length == 1:
                length = struct.unpack(">Q", f.read(8))[0]
            elif length == 0:
                length = size - pos
            atoms.append(kind.decode("latin-1"))
            pos += length
    return atoms


class FileHashFromTheEnginesReads(unittest.TestCase):
    """The file hash comes from the bytes the engine reads for the demuxer;
    it must still cover every byte in order when the demuxer jumps: to a
    moov atom at the end and back, over audio samples of a stream it does
    not decode."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-fh-")
        cls.profile = checksum_profile(cls.tmp)
        av = ["-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=25:d=2", "-f", "lavfi", "-i",
              "sine=frequency=1000:sample_rate=48000:d=2", "-filter_complex",
              "[1:a]pan=7.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0|c6=c0|c7=c0[a]",
              "-map", "0:v", "-map", "[a]", "-c:a", "pcm_s24le"]
        cls.files = {}
        for name, extra in (("tail_index.mov", ["-c:v", "prores_ks", "-profile:v", "3"]),
                            ("faststart.mov", ["-c:v", "prores_ks", "-profile:v", "3",
                                               "-movflags", "+faststart"]),
                            ("interleaved.mp4", ["-c:v", "libx264", "-preset", "ultrafast",
                                                 "-c:a", "aac"])):
            path = os.path.join(cls.tmp, name)
            ffmpeg(*(av + extra + [path]))
            cls.files[name] = path

    def test_layouts_are_what_they_claim(self):
        self.assertEqual(top_level_atoms(self.files["tail_index.mov"])[-1], "moov")
        self.assertLess(top_level_atoms(self.files["faststart.mov"]).index("moov"),
                        top_level_atoms(self.files["faststart.mov"]).index("mdat"))

    def test_file_hash_equals_md5sum_and_sha1sum_for_any_layout_and_threads(self):
        for name, path in sorted(self.files.items()):
            with open(path, "rb") as f:
                data = f.read()
            # coreutils, as a QC engineer would check it
            md5sum = subprocess.run(["md5sum", path], capture_output=True, text=True,
                                    check=True).stdout.split()[0]
            for algo, expected, thread_counts in (
                    ("md5", md5sum, ("1", "2")), ("sha1", hashlib.sha1(data).hexdigest(), ("2",)),
                    ("xxh64", xxh64(data), ("2",))):
                for threads in thread_counts:
                    with self.subTest(file=name, algorithm=algo, threads=threads):
                        res = run(["check", path, "--profile", self.profile, "--quiet",
                                   "--threads", threads, "--set",
                                   "checksum.file_algorithm=" + algo])
                        self.assertEqual(res.code, 0, res.stderr)
                        m = check(res.report, "checksum")["metrics"]
                        self.assertEqual((m["file_hash_algorithm"], m["file_hash"]),
                                         (algo, expected))
                        self.assertEqual(m["file_bytes_hashed"], len(data))

    def test_a_pipe_has_no_file_hash(self):
        path = self.files["faststart.mov"]     # readable front to back
        fifo = os.path.join(self.tmp, "pipe.mov")
        os.mkfifo(fifo)
        writer = subprocess.Popen(["sh", "-c", 'cat "$1" > "$2"', "sh", path, fifo])
        try:
            res = run(["check", fifo, "--profile", self.profile, "--quiet"])
        finally:
            writer.wait(timeout=TIMEOUT)
        self.assertEqual(res.code, 0, res.stderr)
        m = check(res.report, "checksum")["metrics"]
        self.assertEqual(m["file_hash_unavailable"], "not a regular file")
        self.assertNotIn("file_hash", m)


class MalformedReferences(unittest.TestCase):
    def test_clear_error_naming_file_and_line(self):
        tmp = tempfile.mkdtemp(prefix="mqc-cs-")
        good = ffmpeg_framehash(clip_path(CLEAN)).splitlines(keepends=True)
        cases = {
            "garbage.bin": (bytes(range(7, 256)) * 20, "not a framemd5"),
            "truncated.framemd5": ("".join(good[:12]) + "0,         3,         3,\n",
                                   "line 13: truncated frame line"),
            "short-hash.framemd5": ("".join(good[:12]) + good[12].rsplit(",", 1)[0] +
                                    ", 0123abc\n", "line 13: hash \"0123abc\""),
            "empty.framemd5": ("", "empty file"),
            "no-md5.jsonl": ('{"frame":0,"time":0.0}\n', "line 1: no \"md5\""),
            "not-json.jsonl": ('{"md5":"%s","time":0}\n{"frame":1,\n' % ("0" * 32),
                               "line 2: not a JSON object"),
        }
        for name, (content, text) in cases.items():
            with self.subTest(reference=name):
                path = os.path.join(tmp, name)
                with open(path, "wb") as f:
                    f.write(content if isinstance(content, bytes) else content.encode())
                p = mediaqc("check", clip_path(CLEAN), "--reference", path, "--quiet")
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn("reference " + path, p.stderr)
                self.assertIn(text, p.stderr)

    def test_huge_reference_refused_before_reading(self):
        tmp = tempfile.mkdtemp(prefix="mqc-cs-")
        path = os.path.join(tmp, "huge.framemd5")
        with open(path, "wb") as f:
            f.truncate(1 << 30)     # sparse: 1 GB without writing it
        p = mediaqc("check", clip_path(CLEAN), "--reference", path, "--quiet")
        self.assertEqual(p.returncode, 2)
        self.assertIn("references above 256 MB are refused", p.stderr)


MHL = """<?xml version="1.0" encoding="UTF-8"?>
<hashlist version="1.1">
  <creatorinfo><name>mediaqc test</name></creatorinfo>
  <hash>
    <file>other/clip.mov</file>
    <size>1</size>
    <md5>00000000000000000000000000000000</md5>
  </hash>
  <hash>
    <file>%s</file>
    <size>%d</size>
    %s
  </hash>
</hashlist>
"""


class MhlVerification(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mqc-mhl-")
        os.makedirs(os.path.join(cls.tmp, "day1", "A001"))
        cls.media = os.path.join(cls.tmp, "day1", "A001", "clip.mkv")
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=0.4", "-c:v",
               "ffv1", "-pix_fmt", "yuv422p10le", cls.media)
        data = open(cls.media, "rb").read()
        cls.size = len(data)
        cls.xxh = xxh64(data)
        cls.md5 = hashlib.md5(data).hexdigest()
        cls.sha1 = hashlib.sha1(data).hexdigest()

    def mhl(self, name, hashes, file_name="A001/clip.mkv"):
        path = os.path.join(self.tmp, "day1", name)
        with open(path, "w") as f:
            f.write(MHL % (file_name, self.size, hashes))
        return path

    def verify(self, mhl, *extra):
        return run(["check", self.media, "--mhl", mhl, "--quiet", "--profile",
                    checksum_profile(self.tmp)] + list(extra))

    def test_right_hashes_pass(self):
        le = "".join(reversed([self.xxh[i:i + 2] for i in range(0, 16, 2)]))
        for tag, value, algo in (("xxhash64be", self.xxh, "xxh64"),
                                 ("xxhash64", le, "xxh64"),   # MHL v1: bytes reversed
                                 ("md5", self.md5, "md5"), ("sha1", self.sha1, "sha1")):
            with self.subTest(tag=tag):
                res = self.verify(self.mhl("ok.mhl", "<%s>%s</%s>" % (tag, value, tag)))
                self.assertEqual(res.code, 0, res.stderr)
                m = check(res.report, "checksum")["metrics"]
                self.assertEqual(m["file_hash_algorithm"], algo)
                self.assertEqual(m["mhl_entry"], "A001/clip.mkv")

    def test_wrong_hash_fails_naming_both(self):
        wrong = "0123456789abcdef0123456789abcdef"
        res = self.verify(self.mhl("bad.mhl", "<md5>%s</md5>" % wrong))
        self.assertEqual(res.code, 1)
        events = check(res.report, "checksum")["events"]
        self.assertEqual([e["code"] for e in events], ["file_hash_mismatch"])
        self.assertIn(wrong, events[0]["message"])
        self.assertIn(self.md5, events[0]["message"])

    def test_found_by_name_when_the_path_differs(self):
        res = self.verify(self.mhl("moved.mhl", "<md5>%s</md5>" % self.md5, "elsewhere/clip.mkv"))
        self.assertEqual(res.code, 0, res.stderr)

    def test_not_listed_and_malformed_are_clear_errors(self):
        cases = [(self.mhl("other.mhl", "<md5>%s</md5>" % self.md5, "A001/other.mkv"),
                  "clip.mkv is not listed"),
                 (self.mhl("short.mhl", "<md5>abc</md5>"), "line 12: <md5> \"abc\""),
                 (self.mhl("broken.mhl", "<md5>%s</sha1>" % self.md5), "not well-formed XML")]
        path = os.path.join(self.tmp, "v2.mhl")
        with open(path, "w") as f:
            f.write('<?xml version="1.0"?><hashlist version="2.0" xmlns="urn:ASC:MHL:v2.0">'
                    '<hashes/></hashlist>')
        cases.append((path, "ASC MHL v2 is not supported"))
        path = os.path.join(self.tmp, "notxml.mhl")
        with open(path, "w") as f:
            f.write("md5 %s clip.mkv\n" % self.md5)
        cases.append((path, "not well-formed XML"))
        for mhl, text in cases:
            with self.subTest(mhl=os.path.basename(mhl)):
                res = self.verify(mhl)
                self.assertEqual(res.code, 2, res.stderr)
                self.assertIn("MHL " + mhl, res.stderr)
                self.assertIn(text, res.stderr)


if __name__ == "__main__":
    unittest.main()
