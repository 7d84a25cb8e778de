#!/bin/sh
# Cross-check mqc-gen-media output with the ffmpeg CLI (independent of mediaqc).
# usage: verify_media.sh PATH/TO/mqc-gen-media WORKDIR
# Generates the set twice (byte-identical check), then checks stream facts with
# ffprobe, planted code values with signalstats and black runs with blackdetect.
set -eu
gen=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
"$gen" "$work/a"
"$gen" "$work/b"
(cd "$work/a" && md5sum -- *) >"$work/a.md5"
(cd "$work/b" && md5sum -- *) >"$work/b.md5"
cmp -s "$work/a.md5" "$work/b.md5" || { echo "FAIL: two runs differ"; diff "$work/a.md5" "$work/b.md5"; exit 1; }
echo "ok: two runs byte-identical"
cd "$work/a"
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# file codec pix_fmt rate frames range timecode
probe() {
    got=$(ffprobe -v error -count_frames -select_streams v:0 -of csv=p=0 \
        -show_entries stream=codec_name,pix_fmt,avg_frame_rate,nb_read_frames,color_range "$1")
    want="$2,$3,$6,$4,$5"
    [ "$got" = "$want" ] && echo "ok: $1 $got" || bad "$1: ffprobe '$got' != '$want'"
    tc=$(ffprobe -v error -of default=nw=1:nk=1 -show_entries stream_tags=timecode:format_tags=timecode "$1" | head -n 1)
    [ "$tc" = "$7" ] && echo "ok: $1 timecode '$tc'" || bad "$1: timecode '$tc' != '$7'"
}
probe h264_8bit_420.mp4 h264 yuv420p 25/1 75 tv ""
probe h264_8bit_420_clean.mp4 h264 yuv420p 25/1 75 tv ""
probe prores_10bit_422.mov prores yuv422p10le 24000/1001 75 tv 01:00:00:00
probe prores_10bit_422_clean.mov prores yuv422p10le 24000/1001 75 tv 01:00:00:00
probe ffv1_10bit_444.mkv ffv1 yuv444p10le 30000/1001 75 tv "00:59:59;00"
probe ffv1_10bit_444_clean.mkv ffv1 yuv444p10le 30000/1001 75 tv "00:59:59;00"
probe ffv1_12bit_422_full.mkv ffv1 yuv422p12le 25/1 50 pc ""
a=$(ffprobe -v error -of csv=p=0 -show_entries stream=codec_type,codec_name,sample_rate,channels audio_only.mov)
[ "$a" = "pcm_s16le,audio,48000,1" ] && echo "ok: audio_only.mov $a" || bad "audio_only.mov: '$a'"

# per-frame "frame ymin ymax" from signalstats
stats() {
    ffmpeg -v error -i "$1" -vf signalstats,metadata=print:file=- -f null - |
        awk -F'[ =:]+' '/frame:/{f=$2} /YMIN=/{lo=$NF} /YMAX=/{print f, lo, $NF}'
}
# expect FILE LO HI BLACK ABOVE BELOW : check every frame's Y range
expect() {
    stats "$1" | awk -v lo="$2" -v hi="$3" -v blk="$4" -v above="$5" -v below="$6" -v dfx="$7" '
        function inside() { return $2 >= lo && $3 <= hi }
        { f = $1; ok = 1
          if (!dfx) ok = inside()
          else if ((f >= 50 && f <= 64) || (f >= 70 && f <= 72)) ok = ($2 == blk && $3 == blk)
          else if ((f >= 10 && f <= 19) || f == 45) ok = ($3 >= above - 2 && $2 >= lo)
          else if (f >= 30 && f <= 39) ok = ($2 <= below + 2 && $3 <= hi)
          else ok = inside()
          if (!ok) { printf "frame %d: Y %d..%d unexpected\n", f, $2, $3; bad++ } }
        END { exit bad > 0 }' && echo "ok: $1 per-frame Y ranges" || bad "$1: Y ranges"
}
expect h264_8bit_420.mp4 40 200 16 252 1 1
expect h264_8bit_420_clean.mp4 40 200 16 252 1 0
expect prores_10bit_422.mov 160 800 64 1010 4 1
expect prores_10bit_422_clean.mov 160 800 64 1010 4 0
expect ffv1_10bit_444.mkv 240 719 64 1010 4 1
expect ffv1_10bit_444_clean.mkv 240 719 64 1010 4 0
full=$(stats ffv1_12bit_422_full.mkv | awk '$1 >= 10 && $1 <= 19 && $2 == 0 && $3 == 4095 {n++} END {print n + 0}')
[ "$full" = 10 ] && echo "ok: ffv1_12bit_422_full.mkv Y=0 and Y=4095 on frames 10..19" || bad "full-range patches ($full frames)"

# blackdetect d=0.5: exactly one run, frames 50..64
black() {
    got=$(ffmpeg -hide_banner -i "$1" -vf blackdetect=d=0.5 -an -f null - 2>&1 | grep -o 'black_start:[^ ]* black_end:[^ ]*' | tr '\n' ' ')
    [ "$got" = "$2" ] && echo "ok: $1 blackdetect $got" || bad "$1: blackdetect '$got' != '$2'"
}
black h264_8bit_420.mp4 "black_start:2 black_end:2.6 "
black prores_10bit_422.mov "black_start:2.08542 black_end:2.71104 "
black ffv1_10bit_444.mkv "black_start:1.668 black_end:2.169 "
for f in h264_8bit_420_clean.mp4 prores_10bit_422_clean.mov ffv1_10bit_444_clean.mkv ffv1_12bit_422_full.mkv; do
    black "$f" ""
done

[ $fail = 0 ] && echo "ALL OK" || echo "SOME CHECKS FAILED"
exit $fail
