#!/bin/sh
# uacd-dsp(1) end to end: the shipped examples pass --check with the
# expected compiled pipeline, a config error is reported as file:line:col,
# and a file processed with an inverted half gain cancels the input exactly
# (checked with sox, an independent tool).
set -eu
bin="$top_builddir/uacd-dsp"
ex="$top_srcdir/examples/dsp"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

expect() {	# expect NAME WANT GOT
	if [ "$2" != "$3" ]; then
		printf 'FAIL %s\n  want: %s\n  got:  %s\n' "$1" "$2" "$3"
		fail=1
	else
		printf 'ok   %s\n' "$1"
	fi
}

check_example() {	# check_example FILE HEADER-LINE
	out=$("$bin" --check "$ex/$1" 2>"$tmp/notes") || { echo "FAIL --check $1"; fail=1; return; }
	expect "$1 OK line" "$ex/$1: OK" "$(echo "$out" | sed -n 1p)"
	expect "$1 pipeline" "$2" "$(echo "$out" | sed -n 2p)"
}

check_example crossover.yml "pipeline: 48000 Hz, 2 -> 4 channels (4 max), blocks up to 1024 frames, 5 ops"
expect "crossover notes" 6 "$(grep -c 'ignored: uacd owns the devices' "$tmp/notes")"
check_example room-correction.yml "pipeline: 48000 Hz, 2 -> 2 channels (2 max), blocks up to 1024 frames, 4 ops"
check_example loudness.yml "pipeline: 48000 Hz, 2 -> 2 channels (2 max), blocks up to 512 frames, 3 ops"
expect "room-correction taps" "  3  Conv 'correction_left': 512 taps ($ex/room-correction-left-48000.txt) on channels 0, 1 partitions of 1024 frames (FFT 2048, fftw3f)" \
	"$("$bin" --check "$ex/room-correction.yml" 2>/dev/null | sed -n 5p)"
# at 44.1 kHz the per-rate coefficient file does not exist: the error names it
set +e
err=$("$bin" --check "$ex/room-correction.yml" --rate 44100 2>&1 >/dev/null)
rc=$?
set -e
expect "missing per-rate file rc" 1 "$rc"
expect "missing per-rate file" "uacd-dsp: $ex/room-correction.yml:29:7: filter 'correction_left': Conv: cannot open '$ex/room-correction-left-44100.txt': No such file or directory" "$err"

cat >"$tmp/bad.yml" <<'YML'
devices: {samplerate: 48000, chunksize: 64, capture: {channels: 2}, playback: {channels: 2}}
filters:
  hp:
    type: BiquadCombo
    parameters: {type: ButterworthHighpass, freq: 25000, order: 2}
YML
set +e
err=$("$bin" --check "$tmp/bad.yml" 2>&1)
rc=$?
set -e
expect "bad config rc" 1 "$rc"
expect "bad config message" "uacd-dsp: $tmp/bad.yml:5:51: filter 'hp': BiquadCombo: frequencies must be in (0, samplerate/2) = (0, 24000) Hz at 48000 Hz" "$err"

expect "--version" "uacd-dsp 0.1.0" "$("$bin" --version)"
"$bin" --help | grep -q -- '--check FILE' || { echo "FAIL --help"; fail=1; }
set +e
"$bin" >/dev/null 2>&1
rc=$?
set -e
expect "usage error rc" 2 "$rc"

if command -v sox >/dev/null 2>&1; then
	cat >"$tmp/inv.yml" <<'YML'
devices: {samplerate: 48000, chunksize: 100, capture: {channels: 2}, playback: {channels: 2}}
filters:
  inv: {type: Gain, parameters: {gain: 0.5, scale: linear, inverted: true}}
pipeline:
  - {type: Filter, names: [inv]}
YML
	sox -V1 -n -r 48000 -c 2 -e floating-point -b 32 "$tmp/in.wav" synth 0.5 sine 440 sine 1000 vol 0.5
	"$bin" --config "$tmp/inv.yml" "$tmp/in.wav" "$tmp/out.wav" 2>/dev/null
	max=$(sox -V1 -m -v 1 "$tmp/in.wav" -v 2 "$tmp/out.wav" -n stat 2>&1 | sed -n 's/^Maximum amplitude: *//p')
	expect "in + 2 * out (sox)" "0.000000" "$max"
	len=$(sox --i -s "$tmp/out.wav")
	expect "output length" 24000 "$len"
	sox -V1 -n -r 48000 -c 1 -e floating-point -b 32 "$tmp/mono.wav" synth 0.1 sine 440
	set +e
	err=$("$bin" --config "$tmp/inv.yml" "$tmp/mono.wav" "$tmp/x.wav" 2>&1)
	rc=$?
	set -e
	expect "channel mismatch" "uacd-dsp: $tmp/mono.wav has 1 channels but the config's capture has 2" "$err"
	expect "channel mismatch rc" 1 "$rc"
else
	echo "skip processing checks: sox not installed"
fi
exit $fail
