#!/bin/sh
# mmap (aplay -M, arecord -M) and non-blocking (aplay -N) access through the
# plugin are bit-exact like plain read/write.
. "${top_srcdir}/tests/integration/lib.sh"

rate=48000
"$PCMTOOL" noise S16_LE 2 $((rate * 2)) 3 "$T/in.raw"
for mode in "-M" "-N" "-M -N"; do
	start_uacd -d "sim:rate=$rate,mode=wav,out=$T/out.raw"
	client aplay $mode -q -D uac -t raw -f S16_LE -r $rate -c 2 "$T/in.raw" || fail "aplay $mode"
	stop_uacd
	res=$("$PCMTOOL" cmp S16_LE 2 "$T/in.raw" "$T/out.raw")
	echo "aplay $mode: $res"
	case "$res" in ok:*) ;; *) fail "aplay $mode not bit-exact";; esac
done
start_uacd -d "sim:rate=$rate,mode=wav,in=$T/in.raw"
client arecord -M -q -D uac -t raw -f S16_LE -r $rate -c 2 -s $((rate * 5 / 2)) "$T/rec.raw" || fail "arecord -M"
stop_uacd
res=$("$PCMTOOL" cmp S16_LE 2 "$T/in.raw" "$T/rec.raw")
echo "arecord -M: $res"
case "$res" in ok:*) ;; *) fail "arecord -M not bit-exact";; esac
echo "PASS: mmap and non-blocking access bit-exact"
