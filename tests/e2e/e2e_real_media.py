"""Every file of the real-media corpus (../shared/media/real: files made by cameras,
NLEs and encoders, not by us) through `mediaqc check` with the default profile,
asserting what a QC engineer would accept: no crash, the exit code and verdict
written below with the reason, the right frame count, size, start timecode and
declared bit depth (ground truth: MANIFEST.tsv's ffprobe facts, re-read here with
ffprobe where the test needs them), and no error-severity event that the file's
facts do not justify.

The corpus is found through $MQC_REAL_MEDIA (set by tests/CMakeLists.txt); the
suite fails, not skips, when it is missing, so CI cannot pass without it."""
import csv
import json
import os
import subprocess
import tempfile
import unittest

from common import MEDIAQC, SANITIZER_MARKS, TIMEOUT

REAL = os.environ.get("MQC_REAL_MEDIA") or "/work/shared/media/real"

# name -> what a QC engineer accepts. Keys:
#   args: extra arguments (sequences: the pattern and start number)
#   code: the exit code (0 pass, 1 fail, 3 not analysable), why: the reason
#   frames, size, tc, depth: facts the report must give (None: absent)
#   errors: event codes of severity error that the file's facts justify
EXPECT = {
    "clipster_j2k_rgb444_10bit_op1a.mxf": dict(
        code=0, frames=1, size="1920x1080", tc="00:00:00:00", depth=10,
        why="a valid 10-bit JPEG 2000 IMF-style track decoded to rgb48le: 10 significant "
            "bits are the codec's declared depth, not 'low bits unused'"),
    "mxftk_j2k_yuv422_10bit_bars_op1a.mxf": dict(
        code=0, frames=1, size="1920x1080", tc="00:00:00:00", depth=10,
        why="one frame of 10-bit colour bars inside the legal range"),
    "youtube_av1_pq_mdcv_clli_1080p60.mp4": dict(
        code=0, frames=60, size="1920x1080", depth=10,
        why="a valid HDR10 deliverable; metadata disagreements are warnings in the default "
            "profile"),
    "iphone12promax_hevc_hlg_dovi84.mp4": dict(
        code=0, frames=9, size="1920x1080", depth=10,
        why="an iPhone HLG camera original"),
    "dolby_vision_p9_avc_1080p60.mp4": dict(
        code=0, frames=77, size="1920x1080", depth=8,
        why="Dolby Vision profile 9 with an SDR AVC base layer; untagged colour is not a fault"),
    "pixel_motion_photo_hevc_vfr_2video.mp4": dict(
        code=0, frames=58, size="1024x768",
        why="phone footage is variable frame rate: a fact (one info event), not an error"),
    "android13_transformer_avc_aac_stereo.mp4": dict(
        code=0, frames=149, size="1280x720", depth=8,
        why="a clean Media3 Transformer export; the video is the second track"),
    "x264_sowt_pcm_stereo_concert.mov": dict(
        code=0, frames=100, size="1920x1080", depth=8,
        why="a clean x264 + PCM file (dark concert pictures are warnings at most)"),
    "mp4_mdat_past_eof.mp4": dict(
        code=0, frames=30, size="1080x720", depth=8,
        why="the mdat size overruns the file by 8 bytes, yet every frame decodes cleanly "
            "(ffmpeg reports nothing either)"),
    "mpeg2_ntsc_bff_goptc_bars.mov": dict(
        code=1, frames=122, size="720x480", tc="01:59:02;01",
        errors={"luma_below_min", "rgb_below_min"},
        why="the bars' PLUGE sits below the R103 minimum (a real excursion); the GOP "
            "timecode of the first decoded picture (01:59:01;29 + temporal_reference 2) is "
            "the start. Not frame_count_mismatch (was, until session 6): the 124 samples "
            "include the first GOP's two B-pictures shown before its I, which the edit list "
            "hides (MANIFEST: 122 frames, 0 error lines); the container shows 122"),
    "ae_dpx10_rgb.dpx": dict(
        code=0, frames=1, size="600x402", depth=10,
        why="a valid 10-bit DPX frame"),
    "nucoda_dpx_v2_12bit_log_cropped.dpx": dict(
        code=0, frames=1, size="4300x64", depth=12,
        why="a valid 12-bit DPX frame decoded to gbrp12le"),
    "ae_dpx16_rgba_seq": dict(
        args=["ae_dpx16_rgba_seq/ae16_rgba_%04d.dpx", "--start-number", "1"],
        code=1, frames=2, size="600x402", depth=16, errors={"timecode_break"},
        why="a 2-frame 16-bit DPX sequence (identical frames are not a fault in 2 frames); "
            "changed from code 0 by the sequence reader's author: the two files are byte-"
            "identical copies (MANIFEST sha256 f3681243... twice) and both DPX headers carry "
            "00:00:00:00 (MANIFEST: per-frame tc first=last=00:00:00:00 over 2 frames), so the "
            "second file's timecode does not follow the first's: a real timecode break"),
    "beachball_exr_half_seq": dict(
        args=["beachball_exr_half_seq/beachball_%04d.exr", "--start-number", "4"],
        code=0, frames=3, size="2048x1556",
        why="a rendered half-float EXR sequence starting at 0004: float is reported as "
            "float, never as 'low bits unused'"),
    "ae_dpx8_seq_truncated": dict(
        args=["ae_dpx8_seq_truncated/ae8_rgb_%04d.dpx", "--start-number", "0"],
        code=1, size="600x402", depth=8, errors={"decode_error", "timecode_break"},
        why="the middle file is cut short: a decode error there, the other two analysed "
            "(not missing_frames: the file is present). timecode_break added by the sequence "
            "reader's author: files 0000 and 0002 are byte-identical (MANIFEST sha256 "
            "43d5cc05... twice), both headers say 00:00:00:00 (MANIFEST: per-frame tc "
            "first=last=00:00:00:00), where file 0002 should be 00:00:00:02"),
    "ilm_exr_half_nan_inf.exr": dict(
        code=1, frames=1, size="800x800", depth=16, errors={"non_finite_samples"},
        why="added by the float reader's author: a half-float EXR made to hold NaN and "
            "infinite pixels (OpenEXR's BrightRingsNanInf test image); they poison any filter "
            "or grade, so bit_depth flags them (the count matches ffmpeg's decode) and the "
            "file is analysed, not crashed on"),
    "ilm_exr_float32_widefloatrange.exr": dict(
        code=3, why="FFmpeg cannot decode this EXR (PXR24 float32): not analysable, said so"),
    "vp9_p2_invalid_bitstream.webm": dict(
        code=3, why="no frame of the stream decodes"),
}


def manifest():
    with open(os.path.join(REAL, "MANIFEST.tsv")) as f:
        return {r["name"]: r for r in csv.DictReader(f, delimiter="\t")}


def run_check(args, cwd):
    out = os.path.join(tempfile.mkdtemp(prefix="mqc-real-"), "report.json")
    argv = [MEDIAQC, "check"] + args + ["--quiet", "-o", out]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd)
    for mark in SANITIZER_MARKS:
        if mark in proc.stderr:
            raise AssertionError("sanitizer report from %s:\n%s" % (argv, proc.stderr))
    if proc.returncode < 0:
        raise AssertionError("%s died by signal %d" % (argv, -proc.returncode))
    report = None
    if os.path.exists(out):
        with open(out) as f:
            report = json.load(f)
    return proc, report


class RealMedia(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.isdir(REAL):
            raise AssertionError("real-media corpus not found at %s (set MQC_REAL_MEDIA)" % REAL)
        cls.facts = manifest()
        cls.results = {}
        for name, want in EXPECT.items():
            cls.results[name] = run_check(want.get("args", [name]), REAL)

    def test_every_corpus_entry_is_covered(self):
        entries = {n.split("/")[0] for n in self.facts}
        # audio-only files are covered by the audio suite's real-media test
        audio_only = {n for n, r in self.facts.items() if r["video_codec"] == "-"}
        self.assertEqual(sorted(entries - set(EXPECT) - audio_only), [])

    def test_exit_code_and_verdict(self):
        for name, want in EXPECT.items():
            proc, report = self.results[name]
            with self.subTest(file=name, why=want["why"]):
                self.assertEqual(proc.returncode, want["code"], proc.stdout + proc.stderr)
                self.assertIsNotNone(report, "no report written")
                self.assertEqual(report["verdict"],
                                 {0: "pass", 1: "fail", 3: "error"}[want["code"]])
                if want["code"] == 3:
                    msg = proc.stderr + proc.stdout
                    self.assertIn(name, msg, "the message names the file")

    def test_no_unjustified_error_events(self):
        for name, want in EXPECT.items():
            _, report = self.results[name]
            if not report or want["code"] == 3:
                continue
            with self.subTest(file=name, why=want["why"]):
                errors = {e["code"] for c in report["checks"] for e in c["events"]
                          if e["severity"] == "error"}
                self.assertEqual(errors, want.get("errors", set()))

    def test_frames_size_timecode_and_declared_depth(self):
        for name, want in EXPECT.items():
            _, report = self.results[name]
            if want["code"] == 3:
                continue
            v = report["video"]
            with self.subTest(file=name):
                if "frames" in want:
                    self.assertEqual(v["frames"], want["frames"])
                    self.assertEqual(report["summary"]["frames_analyzed"], want["frames"])
                self.assertEqual("%dx%d" % (v["width"], v["height"]), want["size"])
                if "tc" in want:
                    self.assertEqual(v["start_timecode"], want["tc"])
                if "depth" in want:
                    self.assertEqual(v["bit_depth"], want["depth"])

    def test_frame_counts_agree_with_ffprobe(self):
        """the manifest's counts, measured with ffprobe -count_frames"""
        for name, want in EXPECT.items():
            fact = self.facts.get(name) or self.facts.get(
                next((n for n in self.facts if n.startswith(name + "/")), ""))
            if not fact or "frames" not in want:
                continue
            with self.subTest(file=name):
                count = fact["video_frames_count_frames"].split(";")[0]
                self.assertEqual(want["frames"], int(count))


if __name__ == "__main__":
    unittest.main()
