#!/bin/sh
# The xrun length aplay and arecord print is a real duration (issue 13,
# item 9): they subtract the status' trigger time from gettimeofday(), so
# the plugin must keep the application's timestamp type (gettimeofday by
# default, as a hw PCM does) instead of forcing CLOCK_MONOTONIC, which made
# it "at least 1796191709301 ms".
. "${top_srcdir}/tests/integration/lib.sh"

rate=48000
start_uacd -d "sim:rate=$rate,format=S16_LE"
"$PCMTOOL" sine S16_LE 2 $((rate / 2)) 440 0 0 "$T/half.raw"

# (a) playback: half a second, a 1.5 s gap in the input, half a second.
( cat "$T/half.raw"; sleep 1.5; cat "$T/half.raw" ) |
	client aplay -D uac -t raw -f S16_LE -r $rate -c 2 >"$T/ap.out" 2>&1
cat "$T/ap.out"
len=$(sed -n 's/.*underrun!!! (at least \([0-9]*\)\.[0-9]* ms long).*/\1/p' "$T/ap.out" | head -n 1)
[ -n "$len" ] || fail "aplay reported no underrun length"
# The gap is 1500 ms; the buffer covers part of it, and starting takes time.
[ "$len" -ge 500 ] && [ "$len" -le 3000 ] || fail "aplay: underrun of $len ms for a 1500 ms gap"
echo "aplay: underrun at least $len ms long for a 1500 ms gap"

# (b) capture: arecord blocked on a pipe nobody reads for 2 s.
client arecord -D uac -t raw -f S16_LE -r $rate -c 2 -d 3 2>"$T/ar.out" |
	( sleep 2; cat >/dev/null )
cat "$T/ar.out"
len=$(sed -n 's/.*overrun!!! (at least \([0-9]*\)\.[0-9]* ms long).*/\1/p' "$T/ar.out" | head -n 1)
[ -n "$len" ] || fail "arecord reported no overrun length"
[ "$len" -ge 0 ] && [ "$len" -le 3000 ] || fail "arecord: overrun of $len ms in a 2000 ms stall"
echo "arecord: overrun at least $len ms long in a 2000 ms stall"
stop_uacd
