#!/bin/sh
# aplay -D uac of white noise reaches the sim device's out= bit for bit, for
# every client format at 44.1/48/96 kHz with 2 and 6 channels.  The sim runs
# in fast time (10x, 5x in a sanitizer build) so 10 s of audio take 1 s.
. "${top_srcdir}/tests/integration/lib.sh"

SECONDS_AUDIO=${SECONDS_AUDIO:-10}
# The 2 s buffer below is 200 ms of real time at 10x; a sanitizer build's
# client is several times slower and once missed that on a VM that had
# its CPU stolen, so there it gets 400 ms.
speedup=10
[ "$SANITIZED" = 1 ] && speedup=5
n=0
for fmt in S16_LE S24_LE S24_3LE S32_LE FLOAT_LE; do
	for rate in 44100 48000 96000; do
		for ch in 2 6; do
			frames=$((rate * SECONDS_AUDIO))
			"$PCMTOOL" noise $fmt $ch $frames $n "$T/in.raw" || fail "pcmtool noise"
			start_uacd -d "sim:rate=$rate,channels=$ch,format=$fmt,mode=wav,out=$T/out.raw,time=fast,speedup=$speedup"
			# 2 s buffer: 2000 / speedup ms of real time.
			client aplay -D uac -B 2000000 -t raw -f $fmt -r $rate -c $ch "$T/in.raw" \
				>"$T/aplay.out" 2>&1 || { cat "$T/aplay.out"; fail "aplay $fmt $rate Hz $ch ch"; }
			if grep -q underrun "$T/aplay.out"; then
				cat "$T/aplay.out"
				fail "aplay underran ($fmt $rate Hz $ch ch): machine too loaded?"
			fi
			stop_uacd
			res=$("$PCMTOOL" cmp $fmt $ch "$T/in.raw" "$T/out.raw")
			echo "$rate Hz: $res"
			case "$res" in ok:*) ;; *) fail "$fmt $rate Hz $ch ch not bit-exact";; esac
			n=$((n + 1))
		done
	done
done
echo "PASS: $n format/rate/channel combinations bit-exact"
