#!/bin/sh
# Two aplay at once are mixed: while a constant-level stream plays, a noise
# stream started later must come out as noise + constant, sample for sample
# (float mix, saturated at the device format).
. "${top_srcdir}/tests/integration/lib.sh"

rate=48000
fmt=S16_LE
"$PCMTOOL" noise $fmt 2 $((rate * 4)) 3 "$T/noise.raw"
# 1000/32768 as a constant: sine at 0 Hz would be silence, so use a tiny script
"$PCMTOOL" sine $fmt 2 $((rate * 4)) $rate 0 0 "$T/zero.raw"
awk 'BEGIN { for (i = 0; i < 2 * 48000 * 8; i++) printf "%c%c", 232, 3 }' > "$T/dc.raw"	# 1000 = 0x03e8
awk 'BEGIN { for (i = 0; i < 2 * 48000 * 4; i++) printf "%c%c", 232, 3 }' > "$T/dc-ref.raw"
start_uacd -d "sim:rate=$rate,format=$fmt,mode=wav,out=$T/out.raw"
client_bg aplay -q -D uac -t raw -f $fmt -r $rate -c 2 "$T/dc.raw" 2>"$T/a1.err"
a1=$!
sleep 1
client aplay -q -D uac -t raw -f $fmt -r $rate -c 2 "$T/noise.raw" 2>"$T/a2.err" || fail "second aplay"
wait $a1 || fail "first aplay"
stop_uacd
res=$("$PCMTOOL" cmp $fmt 2 "$T/noise.raw" "$T/out.raw" --sum "$T/dc-ref.raw")
echo "mix: $res"
case "$res" in ok:*) ;; *) fail "two streams not mixed exactly";; esac
echo "PASS: two aplay mixed sample for sample"
