#!/bin/sh
# arecord -D uac returns the sim's in= file bit for bit, and loopback
# round-trips aplay -> arecord bit for bit.
. "${top_srcdir}/tests/integration/lib.sh"

rate=48000
frames=$((rate * 10))
for fmt in S16_LE S24_3LE S32_LE; do
	"$PCMTOOL" noise $fmt 2 $frames 7 "$T/in.raw"
	start_uacd -d "sim:rate=$rate,format=$fmt,mode=wav,in=$T/in.raw,time=fast,speedup=10"
	client arecord -D uac -B 2000000 -t raw -f $fmt -r $rate -c 2 -s $((frames + rate)) "$T/rec.raw" \
		>"$T/arecord.out" 2>&1 || { cat "$T/arecord.out"; fail "arecord $fmt"; }
	grep -q overrun "$T/arecord.out" && { cat "$T/arecord.out"; fail "arecord overran"; }
	stop_uacd
	res=$("$PCMTOOL" cmp $fmt 2 "$T/in.raw" "$T/rec.raw")
	echo "arecord in=: $res"
	case "$res" in ok:*) ;; *) fail "arecord $fmt not bit-exact";; esac
done

# loopback: what aplay plays comes back through arecord
fmt=S24_3LE
"$PCMTOOL" noise $fmt 2 $frames 8 "$T/in.raw"
start_uacd -d "sim:rate=$rate,format=$fmt,mode=loopback,time=fast,speedup=10"
client arecord -D uac -B 2000000 -t raw -f $fmt -r $rate -c 2 -s $((frames + 5 * rate)) "$T/rec.raw" \
	>"$T/arecord.out" 2>&1 &
rec=$!
sleep 0.2
client aplay -D uac -B 2000000 -t raw -f $fmt -r $rate -c 2 "$T/in.raw" >"$T/aplay.out" 2>&1 ||
	{ cat "$T/aplay.out"; fail "aplay (loopback)"; }
wait $rec || { cat "$T/arecord.out"; fail "arecord (loopback)"; }
stop_uacd
res=$("$PCMTOOL" cmp $fmt 2 "$T/in.raw" "$T/rec.raw")
echo "loopback: $res"
case "$res" in ok:*) ;; *) fail "loopback not bit-exact";; esac
echo "PASS: arecord and loopback bit-exact"
