#!/usr/bin/env python3
"""mediaqc against ffmpeg on the same files, in the same run.

    python3 bench/run.py                      # full: 1080p ProRes + H.264 + UHD ProRes + PQ
    python3 bench/run.py --smoke              # CI: tiny clip, one repeat, no targets
    python3 bench/run.py --only hevc_pq_uhd_10bit.mp4 --checks hdr --checks-only \
        --repeat 7                            # the hdr kernel's cost: decode, checks alone

For each generated clip it times, alternating the commands within each repeat
so machine noise hits all of them alike:
  decode        ffmpeg -threads N -i FILE -f null -          (the floor)
  chain         ffmpeg signalstats+blackdetect+freezedetect with -f framemd5
                (what an engineer runs instead)
  mediaqc       mediaqc check FILE (default profile)
  only:<check>  mediaqc with that check alone; only:none no check (the engine's
                decode pass), only:structure flash + active_area + interlace
then min/median wall times and ratios, CPU times (user + system) and their
ratios for the checks alone, thread scaling (1 thread vs N) and peak RSS of a
short and a 6x longer version of the same content. The audio bench
(issue 15) times a 1080p ProRes clip with 8 channels of 48 kHz 24-bit PCM:
decode-only (ffmpeg decodes the audio too), the default profile, and the
default profile with the audio checks disabled; the audio checks' cost is
the difference, as a share of the run without them. Only ratios mean
anything; absolute seconds depend on the machine.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

# HDR10 deliverables: libx265 with the HDR10 SEI (ST 2086 mastering display, CLL)
HDR10_X265 = ["-c:v", "libx265", "-preset", "fast", "-crf", "18",
              "-x265-params", "log-level=error:hdr10=1:"
              "master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)"
              "L(10000000,50):max-cll=1000,400", "-pix_fmt", "yuv420p10le"]
CLIPS = {  # name -> (size, ffmpeg encode arguments[, most seconds]), testsrc2 at 23.976 fps
    "prores_hq_1080p_10bit.mov": ("1920x1080", ["-c:v", "prores_ks", "-profile:v", "3",
                                                "-pix_fmt", "yuv422p10le"]),
    "h264_1080p_8bit.mp4": ("1920x1080", ["-c:v", "libx264", "-preset", "fast", "-crf", "18",
                                          "-pix_fmt", "yuv420p"]),
    "prores_hq_uhd_10bit.mov": ("3840x2160", ["-c:v", "prores_ks", "-profile:v", "3",
                                              "-pix_fmt", "yuv422p10le"]),
    # the hdr check measures these (PQ), the others as usual
    "hevc_pq_1080p_10bit.mp4": ("1920x1080", HDR10_X265),
    # UHD: 96 frames at most, as libx265 encodes UHD slowly
    "hevc_pq_uhd_10bit.mp4": ("3840x2160", HDR10_X265, 4),
}
PQ_TAGS = ["-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc"]


def make_clip(path, size, args, seconds):
    if not os.path.exists(path):
        src = "testsrc2=size=%s:rate=24000/1001:duration=%g" % (size, seconds)
        # a BT.709 master, tagged as such (untagged HD is read as BT.709 anyway)
        bt709 = ["-vf", "scale=out_color_matrix=bt709:out_range=tv", "-colorspace", "bt709",
                 "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv"]
        # PQ clips: the same picture as BT.2020 code values, tagged PQ
        tags = (["-vf", "scale=out_color_matrix=bt2020:out_range=tv", "-color_range", "tv"] +
                PQ_TAGS if args is HDR10_X265 else bt709)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", src] + tags + args
                       + [path], check=True)


def run_measured(argv, cpu=None):
    """Wall time and peak RSS (KiB) of one command; its CPU seconds (user +
    system, all threads) are appended to `cpu`: on a loaded machine they
    still measure the work, when wall times measure the neighbours."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if cpu is not None:
        cpu.append(usage.ru_utime + usage.ru_stime)
    return time.perf_counter() - t0, usage.ru_maxrss


def run_cpu(argv):
    """Wall time and CPU time (user + system) of one command: on a busy
    machine CPU time still says what the work costs."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - t0, usage.ru_utime + usage.ru_stime


def stats(values):
    return {"min": min(values), "median": statistics.median(values)}


def check_names(mediaqc):
    out = subprocess.run([mediaqc, "profiles", "show", "default"], capture_output=True,
                         text=True, check=True).stdout
    return list(json.loads(out)["checks"])


def bench_clip(a, path, names, tmp):
    n = str(a.threads)
    mq = [a.mediaqc, "check", path, "--quiet", "-o", os.devnull]
    cmds = {
        "decode": ["ffmpeg", "-v", "error", "-threads", n, "-i", path, "-f", "null", "-"],
        "chain": ["ffmpeg", "-v", "error", "-threads", n, "-i", path, "-vf",
                  "signalstats=stat=brng+tout+vrep,blackdetect,freezedetect",
                  "-f", "framemd5", "-"],
        "mediaqc": mq + ["--threads", n],
        "mediaqc_1thread": mq + ["--threads", "1"],
        "decode_1thread": ["ffmpeg", "-v", "error", "-threads", "1", "-i", path, "-f", "null",
                           "-"],
    }
    if a.checks_only:
        cmds = {"decode": cmds["decode"]}
    if not a.smoke:
        for name in names:
            prof = os.path.join(tmp, "only-%s.json" % name)
            with open(prof, "w") as f:
                json.dump({"checks": {name: {}}}, f)
            cmds["only:" + name] = mq + ["--threads", n, "--profile", prof]
        # groups: the engine's own pass (no check) and the picture-structure
        # checks together (issue 16's budget: within 10% of decode-only)
        for group, members in (("none", []), ("structure", ["flash", "active_area",
                                                             "interlace"])):
            if all(m in names for m in members):
                prof = os.path.join(tmp, "group-%s.json" % group)
                with open(prof, "w") as f:
                    json.dump({"checks": {m: {} for m in members}}, f)
                cmds["only:" + group] = mq + ["--threads", n, "--profile", prof]
    times = {k: [] for k in cmds}
    cpu = {k: [] for k in cmds}
    for _ in range(a.repeat):
        for k, argv in cmds.items():
            times[k].append(run_measured(argv, cpu[k])[0])
    row = {k: stats(v) for k, v in times.items()}
    row["cpu_s"] = {k: stats(v) for k, v in cpu.items()}
    ratio = lambda x, y: {s: row[x][s] / row[y][s] for s in ("min", "median")}
    if not a.checks_only:
        row["ratio_mediaqc_decode"] = ratio("mediaqc", "decode")
        row["ratio_chain_mediaqc"] = ratio("chain", "mediaqc")
        row["ratio_chain_decode"] = ratio("chain", "decode")
        row["thread_scaling"] = ratio("mediaqc_1thread", "mediaqc")
    for k in cmds:
        if k.startswith("only:"):
            row["ratio_%s_decode" % k] = ratio(k, "decode")
            row["cpu_ratio_%s_decode" % k] = {
                s: row["cpu_s"][k][s] / row["cpu_s"]["decode"][s] for s in ("min", "median")}
    return row


AUDIO_CHECKS = ("loudness", "silence", "clipping", "phase")
# 7.1: eight different tones over noise, -20 dBFS-ish
AUDIO_SRC = "aevalsrc='%s':s=48000:c=7.1:d=%%g" % "|".join(
    "0.05*sin(2*PI*%d*t)+0.05*(random(%d)-0.5)" % (220 * (i + 1), i) for i in range(8))


def bench_audio(a, tmp):
    size = "320x180" if a.smoke else "1920x1080"
    path = os.path.join(a.dir, "prores_%s_8ch_pcm24.mov" % size)
    if not os.path.exists(path):
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=%s:rate=24000/1001:duration=%g" % (size, a.seconds),
                        "-f", "lavfi", "-i", AUDIO_SRC % a.seconds, "-c:v", "prores_ks",
                        "-profile:v", "3", "-pix_fmt", "yuv422p10le", "-c:a", "pcm_s24le",
                        "-shortest", path], check=True)
    n = str(a.threads)
    mq = [a.mediaqc, "check", path, "--quiet", "-o", os.devnull, "--threads", n]
    off = [x for c in AUDIO_CHECKS for x in ("--set", "%s.enabled=false" % c)]
    cmds = {"decode": ["ffmpeg", "-v", "error", "-threads", n, "-i", path, "-f", "null", "-"],
            "mediaqc": mq, "mediaqc_no_audio_checks": mq + off}
    wall = {k: [] for k in cmds}
    cpu = {k: [] for k in cmds}
    for _ in range(a.repeat):
        for k, argv in cmds.items():
            w, c = run_cpu(argv)
            wall[k].append(w)
            cpu[k].append(c)
    row = {"wall": {k: stats(v) for k, v in wall.items()},
           "cpu": {k: stats(v) for k, v in cpu.items()}}
    for kind in ("wall", "cpu"):
        r = row[kind]
        row[kind]["audio_checks_cost"] = {
            s: r["mediaqc"][s] / r["mediaqc_no_audio_checks"][s] - 1 for s in ("min", "median")}
        row[kind]["ratio_mediaqc_decode"] = {
            s: r["mediaqc"][s] / r["decode"][s] for s in ("min", "median")}
        print("%-34s %-4s decode %6.2fs  mediaqc %6.2fs  without audio checks %6.2fs | audio "
              "checks %+.1f%% (median %+.1f%%)" % (
                  os.path.basename(path), kind, r["decode"]["min"], r["mediaqc"]["min"],
                  r["mediaqc_no_audio_checks"]["min"], 100 * r["audio_checks_cost"]["min"],
                  100 * r["audio_checks_cost"]["median"]), flush=True)
    return row


def rss_growth(a, tmp):
    """Peak RSS of a short clip and a 6x longer one with the same content."""
    out = {}
    for label, seconds in (("short", a.rss_seconds), ("long", 6 * a.rss_seconds)):
        path = os.path.join(a.dir, "rss_%s.mov" % label)
        make_clip(path, "1280x720", ["-c:v", "prores_ks", "-profile:v", "1",
                                     "-pix_fmt", "yuv422p10le"], seconds)
        out[label] = run_measured([a.mediaqc, "check", path, "--quiet", "-o", os.devnull])[1]
    out["long_over_short"] = out["long"] / out["short"]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mediaqc", default="build/mediaqc")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--dir", default="build/bench-media")
    ap.add_argument("--out", default="build/bench-results.json")
    ap.add_argument("--only", help="run one clip")
    ap.add_argument("--checks", help="time only these checks alone (comma-separated)")
    ap.add_argument("--checks-only", action="store_true",
                    help="time decode and the checks alone, nothing else (kernel work)")
    ap.add_argument("--rss-seconds", type=float, default=5)
    ap.add_argument("--smoke", action="store_true", help="tiny clip, one repeat (CI)")
    ap.add_argument("--audio-only-bench", action="store_true",
                    help="only the audio cost (8 x 48 kHz 24-bit PCM beside 1080p ProRes)")
    a = ap.parse_args()
    clips = dict(CLIPS)
    if a.smoke:
        clips = {"smoke.mov": ("320x180", CLIPS["prores_hq_1080p_10bit.mov"][1])}
        a.seconds, a.repeat, a.rss_seconds = 1, 1, 0.5
    os.makedirs(a.dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="mqc-bench-")
    names = check_names(a.mediaqc)
    if a.checks:
        names = [n for n in names if n in a.checks.split(",")]
    results = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                           "processor": platform.processor()},
               "threads": a.threads, "repeat": a.repeat, "seconds": a.seconds,
               "checks": names, "clips": {}}
    if not a.checks_only:
        results["audio"] = bench_audio(a, tmp)
    for name, (size, args, *most) in clips.items():
        if a.audio_only_bench:
            break
        if a.only and a.only != name:
            continue
        path = os.path.join(a.dir, name)
        make_clip(path, size, args, min([a.seconds] + most))
        row = bench_clip(a, path, names, tmp)
        results["clips"][name] = row
        if a.checks_only:
            print("%-26s decode %6.2fs, CPU %.2fs" % (name, row["decode"]["min"],
                                                       row["cpu_s"]["decode"]["min"]))
        else:
            print("%-26s decode %6.2fs  chain %6.2fs  mediaqc %6.2fs | mediaqc/decode %.2fx "
                  "(median %.2fx)  chain/mediaqc %.1fx  1->%d threads %.2fx" % (
                      name, row["decode"]["min"], row["chain"]["min"], row["mediaqc"]["min"],
                      row["ratio_mediaqc_decode"]["min"], row["ratio_mediaqc_decode"]["median"],
                      row["ratio_chain_mediaqc"]["min"], a.threads, row["thread_scaling"]["min"]),
                  flush=True)
        for k in row:
            if k.startswith("ratio_only:"):
                cpu = row["cpu_" + k]
                print("    %-34s %.2fx decode (CPU time %.2fx min, %.2fx median)" % (
                    k[6:-7], row[k]["min"], cpu["min"], cpu["median"]), flush=True)
    if not a.only and not a.audio_only_bench and not a.checks_only:
        results["rss_kib"] = rss_growth(a, tmp)
        print("peak RSS: %(short)d KiB (short), %(long)d KiB (6x longer): x%(long_over_short).3f"
              % results["rss_kib"])
    with open(a.out, "w") as f:
        json.dump(results, f, indent=2)
    print("results:", a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
