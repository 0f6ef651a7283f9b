#!/bin/sh
# With the device clock off by +-200 ppm the engine follows the feedback:
# 60 s of noise arrive bit-exact, no frame lost or repeated, and the device
# FIFO never under- or overflows.  Full and high speed.  Fast time (20x).
. "${top_srcdir}/tests/integration/lib.sh"

rate=48000
fmt=S16_LE
"$PCMTOOL" noise $fmt 2 $((rate * 60)) 11 "$T/in.raw"
for usb in full high; do
	for ppm in 200 -200; do
		start_uacd -d "sim:rate=$rate,format=$fmt,mode=wav,out=$T/out.raw,drift_ppm=$ppm,usb=$usb,time=fast,speedup=20"
		client aplay -D uac -B 4000000 -t raw -f $fmt -r $rate -c 2 "$T/in.raw" >"$T/aplay.out" 2>&1 ||
			{ cat "$T/aplay.out"; fail "aplay"; }
		grep -q underrun "$T/aplay.out" && fail "aplay underran"
		"$UACCTL" status > "$T/status"
		stop_uacd
		grep -o "feedback [0-9.]* frames/packet" "$T/status"
		grep -q "underflow 0, overflow 0 frames" "$T/status" || { cat "$T/status"; fail "device FIFO glitched at $ppm ppm"; }
		res=$("$PCMTOOL" cmp $fmt 2 "$T/in.raw" "$T/out.raw")
		echo "$usb speed, $ppm ppm: $res"
		case "$res" in ok:*) ;; *) fail "$ppm ppm: not bit-exact";; esac
	done
done
echo "PASS: +-200 ppm drift, 60 s, no frame lost or repeated"
