#!/usr/bin/env python3
"""How fast is `mediaqc conform` next to decoding both files with ffmpeg?

Makes a 1080p 10-bit ProRes 422 HQ original (testsrc2 then a mandelbrot zoom,
25 fps) and its quarter-size 8-bit H.264 proxy with the ffmpeg CLI, then times,
alternating in each repeat so machine noise hits both:

- decode both: one ffmpeg process decoding both files to null
  (`ffmpeg -i PROXY -i ORIGINAL -map 0:v -f null - -map 1:v -f null -`);
- conform:     `mediaqc conform PROXY ORIGINAL` (both decoded at once, signatures
  from the band pass, alignment).

Prints min and median wall times and the ratio; --out writes them as JSON.
Only the ratio is meaningful: absolute times depend on the machine.

    python3 bench/conform.py --seconds 20 --repeat 3
"""
import argparse
import json
import os
import statistics
import subprocess
import time


def sh(argv):
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_media(d, seconds):
    orig = os.path.join(d, "conform_original_1080p_prores.mov")
    proxy = os.path.join(d, "conform_proxy_480p_h264.mp4")
    if not os.path.exists(orig):
        half = seconds / 2
        sh(["ffmpeg", "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=25:d=%g" % half,
            "-f", "lavfi", "-i", "mandelbrot=s=1920x1080:r=25:maxiter=200:end_pts=%d"
            % int(half * 25),
            "-filter_complex", "[1:v]trim=end_frame=%d,setpts=PTS-STARTPTS[m];"
            "[0:v][m]concat=n=2:v=1:a=0,format=yuv422p10le[v]" % int(half * 25),
            "-map", "[v]", "-c:v", "prores_ks", "-profile:v", "3", "-timecode",
            "01:00:00:00", orig + ".tmp.mov"])
        os.rename(orig + ".tmp.mov", orig)
    if not os.path.exists(proxy):
        sh(["ffmpeg", "-v", "error", "-y", "-i", orig, "-vf", "scale=480:270", "-c:v",
            "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
            "-timecode", "01:00:00:00", proxy + ".tmp.mp4"])
        os.rename(proxy + ".tmp.mp4", proxy)
    return proxy, orig


def timed(argv):
    """Wall seconds and peak RSS (MB) of one run."""
    t = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    el = time.monotonic() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit("%s failed (%d)" % (" ".join(argv), p.returncode))
    return el, usage.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mediaqc", default="build/mediaqc")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dir", default="build/bench-media")
    ap.add_argument("--out", help="JSON results")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    proxy, orig = make_media(a.dir, a.seconds)
    decode = ["ffmpeg", "-v", "error", "-i", proxy, "-i", orig,
              "-map", "0:v:0", "-f", "null", "-", "-map", "1:v:0", "-f", "null", "-"]
    report = os.path.join(a.dir, "conform_bench.json")
    conform = [a.mediaqc, "conform", proxy, orig, "-o", report, "--quiet"]
    times = {"decode_both": [], "conform": []}
    rss = {"decode_both": 0.0, "conform": 0.0}
    for _ in range(a.repeat):
        for name, argv in (("decode_both", decode), ("conform", conform)):
            el, mb = timed(argv)
            times[name].append(el)
            rss[name] = max(rss[name], mb)
    with open(report) as f:
        rep = json.load(f)
    conf = next(c for c in rep["checks"] if c["id"] == "conform")
    res = {k: {"min": min(v), "median": statistics.median(v), "runs": v}
           for k, v in times.items()}
    res["ratio_min"] = res["conform"]["min"] / res["decode_both"]["min"]
    res["ratio_median"] = res["conform"]["median"] / res["decode_both"]["median"]
    res["peak_rss_mb"] = rss
    res["verdict"] = rep["verdict"]
    res["events"] = len(conf["events"])
    res["frames"] = conf["metrics"]["original_frames"]
    print("%d frames, 1080p ProRes 422 HQ 10-bit original + 480x270 H.264 proxy, %d repeats"
          % (res["frames"], a.repeat))
    print("  decode both (ffmpeg): min %.2f s, median %.2f s"
          % (res["decode_both"]["min"], res["decode_both"]["median"]))
    print("  mediaqc conform:      min %.2f s, median %.2f s  (verdict %s, %d events)"
          % (res["conform"]["min"], res["conform"]["median"], res["verdict"], res["events"]))
    print("  conform / decode both: %.2fx (min), %.2fx (median); peak RSS %.0f MB vs %.0f MB"
          % (res["ratio_min"], res["ratio_median"], rss["conform"], rss["decode_both"]))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
