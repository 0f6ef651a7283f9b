#!/bin/sh
# No allocation on the RT thread after start: uacd runs under an LD_PRELOAD
# guard that aborts on malloc/free from any "uacd-rt-*" thread, while clients
# open, play, xrun, record and close.  A hook that allocates on purpose must
# be caught (the guard can fail).
. "${top_srcdir}/tests/integration/lib.sh"

nm -D "$UACD" 2>/dev/null | grep -q __asan_init && skip "malloc interposition conflicts with ASan's allocator; the plain build runs this test"
nm "$UACD" 2>/dev/null | grep -q __asan_init && skip "malloc interposition conflicts with ASan's allocator; the plain build runs this test"
GUARD="$top_builddir/tests/hooks/.libs/rt-malloc-guard.so"
HOOKS="$top_builddir/tests/hooks/.libs"
rate=48000
fmt=S16_LE
"$PCMTOOL" noise $fmt 2 $((rate * 2)) 1 "$T/in.raw"

# negative control first
LD_PRELOAD="$GUARD" "$UACD" -f -s "$T/neg.sock" --no-mlock --policy "$POLICY" -d sim:mode=silence -H "$HOOKS/hook-malloc.so" >"$T/neg.log" 2>&1 &
neg=$!
sleep 1
wait $neg
grep -q "rt-malloc-guard: malloc on RT thread uacd-rt-sim" "$T/neg.log" || { cat "$T/neg.log"; fail "the guard did not catch a malloc on the RT thread"; }
echo "guard catches a hook that mallocs on the RT thread"

UACD_WRAPPER="env LD_PRELOAD=$GUARD"
start_uacd -d "sim:rate=$rate,format=$fmt,mode=loopback" -H "$HOOKS/hook-invert.so write_end"
for i in 1 2 3; do
	client_bg arecord -q -D uac -t raw -f $fmt -r $rate -c 2 -s $rate "$T/rec.raw"
	rec=$!
	client aplay -q -D uac -t raw -f $fmt -r $rate -c 2 "$T/in.raw" || fail "aplay $i"
	# a client that underruns on purpose: its input stalls for 300 ms
	{ head -c 38400 "$T/in.raw"; sleep 0.3; cat "$T/in.raw"; } |
		client aplay -q -D uac --buffer-size=2048 -t raw -f $fmt -r $rate -c 2 >/dev/null 2>&1
	wait $rec
done
kill -0 "$UACD_PID" || { dump_log; fail "uacd died (guard abort?)"; }
"$UACCTL" status | grep -q "xruns [1-9]" || fail "the xrun path was not exercised"
stop_uacd
grep -q "rt-malloc-guard" "$T/uacd.log" && fail "RT thread allocated"
echo "PASS: no allocation on the RT thread through 9 streams"
