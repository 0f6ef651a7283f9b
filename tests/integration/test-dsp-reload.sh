#!/bin/sh
# The DSP chain runs in the daemon's WRITE_END hook and reloads glitch-free:
# while aplay plays a 1 kHz sine, 100 reloads through `uacctl reload` switch
# the gain between -6 and -12 dB (50 valid configs, ramped by the chain) and
# try 50 invalid ones (each refused with file:line:column, the running chain
# untouched).  The output must show no step larger than a smooth signal
# makes, and end at the last valid gain.
. "${top_srcdir}/tests/integration/lib.sh"

rate=48000
write_cfg() {
	# write_cfg GAIN_DB: atomically replace the chain
	cat > "$T/dsp.new" <<EOC
devices:
  samplerate: $rate
  chunksize: 256
  capture: {channels: 2}
  playback: {channels: 2}
filters:
  gain:
    type: Gain
    parameters: {gain: $1}
  lowcut:
    type: Biquad
    parameters: {type: Highpass, freq: 20, q: 0.707}
pipeline:
  - type: Filter
    channels: [0, 1]
    names: [lowcut, gain]
EOC
	mv "$T/dsp.new" "$T/dsp.yml"
}
write_cfg -6
printf 'dsp = %s\n' "$T/dsp.yml" > "$T/uacd.conf"
# long enough that the last second comes after the last reload (100 uacctl
# runs take several times longer in the sanitizer build)
secs=16
[ "$SANITIZED" = 1 ] && secs=40
"$PCMTOOL" sine S16_LE 2 $((rate * secs)) $rate 1000 0.5 "$T/sine.raw"
start_uacd -c "$T/uacd.conf" -d "sim:rate=$rate,mode=wav,out=$T/out.raw"
"$UACCTL" hook list | grep -q "playback: $T/dsp.yml" || fail "DSP stage not loaded"
client_bg aplay -q -D uac -t raw -f S16_LE -r $rate -c 2 "$T/sine.raw"
player=$!
sleep 1
ok=0; refused=0
for i in $(seq 1 50); do
	if [ $((i % 2)) = 1 ]; then write_cfg -12; else write_cfg -6; fi
	"$UACCTL" reload >/dev/null || fail "valid reload $i refused"
	ok=$((ok + 1))
	case $((i % 5)) in
	0) printf 'filters: [unclosed\n' > "$T/dsp.new" ;;
	1) printf 'filters:\n  g:\n    type: Gain\n    parameters: {gain: loud}\npipeline: []\n' > "$T/dsp.new" ;;
	2) printf 'filters:\n  g:\n    type: Flanger\npipeline: []\n' > "$T/dsp.new" ;;
	3) printf 'devices: {samplerate: %s, chunksize: 256, capture: {channels: 2}, playback: {channels: 2}}\nfilters:\n  b:\n    type: Biquad\n    parameters: {type: Lowpass, freq: 30000, q: 0.7}\npipeline:\n  - type: Filter\n    channels: [0, 1]\n    names: [b]\n' $rate > "$T/dsp.new" ;;
	4) printf 'frobnicate: 1\n' > "$T/dsp.new" ;;
	esac
	cp "$T/dsp.yml" "$T/dsp.good"
	mv "$T/dsp.new" "$T/dsp.yml"
	if out=$("$UACCTL" reload 2>&1); then fail "invalid config $i accepted"; fi
	echo "$out" | grep -qE "$T/dsp.yml:[0-9]+:[0-9]+: " || { echo "$out"; fail "no file:line:column in '$out'"; }
	[ $i -le 5 ] && echo "refused: $out"
	refused=$((refused + 1))
	mv "$T/dsp.good" "$T/dsp.yml"
	sleep 0.02
done
# the level check below needs the last second to come after the last reload
kill -0 $player 2>/dev/null || fail "the sine ended before the reloads did: machine too slow for this test"
wait $player || fail "aplay"
stop_uacd
echo "$ok valid reloads, $refused invalid ones refused"
# the sine at -6/-12 dB: amplitude 0.25/0.125; a smooth 1 kHz sine has a
# second difference of at most A*(2 pi 1000/48000)^2 = 0.0043 (A = 0.25);
# an unramped gain step would show ~0.125.
# the sine's own first and last frames are steps from and to silence: skip them
res=$("$PCMTOOL" jump S16_LE 2 "$T/out.raw" 16 $((rate * secs - 16)))
echo "$res"
worst=$(echo "$res" | sed 's/max second difference \([0-9.]*\).*/\1/')
rms=$(echo "$res" | sed 's/.*rms of the last second \([0-9.]*\).*/\1/')
awk -v w="$worst" 'BEGIN { exit !(w < 0.01) }' || fail "discontinuity $worst in the output"
# the last valid config was -6 dB (i = 50): RMS of a 0.25 sine is 0.1768
awk -v r="$rms" 'BEGIN { exit !(r > 0.172 && r < 0.181) }' || fail "final level $rms is not -6 dB"
echo "PASS: 100 reloads (50 invalid) while playing, worst second difference $worst"
