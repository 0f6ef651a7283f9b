#!/bin/sh
# A client killed with SIGKILL mid-stream, a client writing absurd ring
# positions, and malformed socket messages: the daemon and a playing aplay
# carry on with no gap.
. "${top_srcdir}/tests/integration/lib.sh"

BAD="$top_builddir/tests/tools/badclient"
rate=48000
fmt=S16_LE
"$PCMTOOL" noise $fmt 2 $((rate * 6)) 9 "$T/in.raw"
"$PCMTOOL" sine $fmt 2 $((rate * 20)) $rate 0 0 "$T/zero.raw"

start_uacd -d "sim:rate=$rate,format=$fmt,mode=wav,out=$T/out.raw"
# a silent stream that we will kill: mixing zeros keeps the noise exact
client_bg aplay -q -D uac -t raw -f $fmt -r $rate -c 2 "$T/zero.raw"
victim=$!
sleep 0.5
client_bg aplay -q -D uac -t raw -f $fmt -r $rate -c 2 "$T/in.raw" 2>"$T/aplay.err"
player=$!
sleep 1.5
kill -KILL $victim
wait $victim 2>/dev/null
echo "killed aplay $victim with SIGKILL mid-stream"
sleep 0.3
n=$("$UACCTL" status | grep -c "client aplay")
[ "$n" = 1 ] || fail "after the kill uacd serves $n aplay streams, expected 1"
"$BAD" "$UACD_SOCKET" positions || fail "absurd positions"
"$BAD" "$UACD_SOCKET" messages || fail "malformed messages"
wait $player || { cat "$T/aplay.err"; fail "the other aplay was disturbed"; }
kill -0 "$UACD_PID" || fail "uacd died"
"$UACCTL" status > "$T/status"
cat "$T/status"
grep -q "rejected clients 1" "$T/status" || fail "the bad client was not counted"
stop_uacd
res=$("$PCMTOOL" cmp $fmt 2 "$T/in.raw" "$T/out.raw")
echo "surviving stream: $res"
case "$res" in ok:*) ;; *) fail "the surviving stream has a gap";; esac
grep -q "client wrote an impossible ring position" "$T/uacd.log" || fail "no log line for the bad client"
echo "PASS: killed and hostile clients hurt nobody"
