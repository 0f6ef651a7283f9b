#!/bin/sh
# Software volume/mute on a device without a feature unit (sim): uacctl
# volume/mute change the level by the requested dB, ramped (no click), back
# at 0 dB the stream is bit-perfect again; with a DSP chain its Volume
# filter follows the volume instead (applied once, not twice).
. "${top_srcdir}/tests/integration/lib.sh"

rate=48000
"$PCMTOOL" sine S16_LE 2 $((rate * 3)) $rate 1000 0.5 "$T/sine.raw"
level() {
	# RMS of the last second of the stream -> dB relative to the 0.5 sine
	"$PCMTOOL" jump S16_LE 2 "$T/out.raw" 16 $((rate * 3 - 16)) |
		sed 's/.*rms of the last second \([0-9.]*\).*/\1/' |
		awk '{ printf "%.2f\n", 20 * log($1 / (0.5 / sqrt(2))) / log(10) }'
}
play() { client aplay -q -D uac -t raw -f S16_LE -r $rate -c 2 "$T/sine.raw" || fail "aplay"; }

start_uacd -d "sim:rate=$rate,mode=wav,out=$T/out.raw"
[ "$("$UACCTL" volume)" = "volume 0.00 dB (range -100.00 to 0.00 dB)" ] || fail "initial volume"
"$UACCTL" volume -6 >/dev/null || fail "set volume"
play
stop_uacd
l=$(level); echo "volume -6 dB: measured $l dB"
[ "$l" = "-6.00" ] || fail "level $l dB, expected -6.00"

# mute, and a volume change mid-stream must ramp
start_uacd -d "sim:rate=$rate,mode=wav,out=$T/out.raw"
"$UACCTL" mute on >/dev/null
play
stop_uacd
"$PCMTOOL" jump S16_LE 2 "$T/out.raw" 0 $((rate * 3)) | grep -q "rms of the last second 0.00000" || fail "mute is not silent"
echo "mute: silent"
start_uacd -d "sim:rate=$rate,mode=wav,out=$T/out.raw"
client_bg aplay -q -D uac -t raw -f S16_LE -r $rate -c 2 "$T/sine.raw"
p=$!
for v in -20 0 -40 -3 -10; do sleep 0.2; "$UACCTL" volume $v >/dev/null; done
wait $p
stop_uacd
res=$("$PCMTOOL" jump S16_LE 2 "$T/out.raw" 16 $((rate * 3 - 16)))
echo "5 volume changes mid-stream: $res"
w=$(echo "$res" | sed 's/max second difference \([0-9.]*\).*/\1/')
# a 0.5 sine at 1 kHz curves by at most 0.5 * (2 pi 1000/48000)^2 = 0.0086 per
# sample; an unramped step to -20 dB would jump by up to 0.45
awk -v w="$w" 'BEGIN { exit !(w < 0.0095) }' || fail "volume change clicked ($w)"

# back at 0 dB: bit-perfect (S32 would lose bits through float)
"$PCMTOOL" noise S32_LE 2 $rate 5 "$T/n.raw"
start_uacd -d "sim:rate=$rate,format=S32_LE,mode=wav,out=$T/out32.raw"
"$UACCTL" volume -6 >/dev/null; "$UACCTL" volume 0 >/dev/null
client aplay -q -D uac -t raw -f S32_LE -r $rate -c 2 "$T/n.raw" || fail "aplay S32"
stop_uacd
res=$("$PCMTOOL" cmp S32_LE 2 "$T/n.raw" "$T/out32.raw"); echo "0 dB again: $res"
case "$res" in ok:*) ;; *) fail "not bit-perfect at 0 dB";; esac

# with a DSP chain, its Volume filter follows the volume (once, not twice)
cat > "$T/dsp.yml" <<EOC
devices: {samplerate: $rate, chunksize: 256, capture: {channels: 2}, playback: {channels: 2}}
filters:
  vol: {type: Volume, parameters: {ramp_time: 20}}
pipeline:
  - {type: Filter, channels: [0, 1], names: [vol]}
EOC
start_uacd -D "$T/dsp.yml" -d "sim:rate=$rate,mode=wav,out=$T/out.raw"
"$UACCTL" volume -12 >/dev/null
play
stop_uacd
l=$(level); echo "volume -12 dB through the chain's Volume filter: measured $l dB"
[ "$l" = "-12.00" ] || fail "level $l dB, expected -12.00 (applied twice would be -24)"
echo "PASS: software volume and mute"
