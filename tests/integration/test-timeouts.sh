#!/bin/sh
# A daemon that stops answering, or stops, never hangs its clients (issue
# 13, items 5 and 9):
#  (a) uacd stopped (SIGSTOP): `uacctl status` and a new `aplay -D uac`
#      fail within twice the default timeout, saying "did not answer within";
#  (b) a playing aplay whose uacd is stopped ends with an error and that text;
#  (c) a playing aplay whose uacd gets SIGTERM ends at once: "uacd stopped".
. "${top_srcdir}/tests/integration/lib.sh"

TIMEOUT_MS=5000		# UACD_CLIENT_TIMEOUT_MS
rate=48000
fmt=S16_LE
"$PCMTOOL" sine $fmt 2 $((rate * 30)) 440 0 0 "$T/long.raw"

now_ms() { echo $(($(date +%s%N) / 1000000)); }
slack=1
[ "$SANITIZED" = 1 ] && slack=2

# ---- (a) a stopped daemon: requests time out --------------------------------
start_uacd -d "sim:rate=$rate,format=$fmt"
kill -STOP "$UACD_PID"
t0=$(now_ms)
"$UACCTL" status >"$T/st.out" 2>"$T/st.err"
rc=$?
dt=$(($(now_ms) - t0))
cat "$T/st.err"
[ $rc = 3 ] || fail "uacctl status on a stopped uacd exited $rc, expected 3"
grep -q "did not answer within $TIMEOUT_MS ms" "$T/st.err" || fail "uacctl: no 'did not answer' text"
[ $dt -lt $((2 * TIMEOUT_MS * slack)) ] || fail "uacctl status took $dt ms"
echo "uacctl status on a stopped uacd: exit 3 after $dt ms"
"$UACCTL" --timeout 300 status 2>"$T/st.err" && fail "uacctl --timeout 300 succeeded"
grep -q "did not answer within 300 ms" "$T/st.err" || { cat "$T/st.err"; fail "--timeout not used"; }

t0=$(now_ms)
client aplay -q -D uac -t raw -f $fmt -r $rate -c 2 "$T/long.raw" 2>"$T/ap.err" &&
	fail "aplay on a stopped uacd succeeded"
dt=$(($(now_ms) - t0))
cat "$T/ap.err"
grep -q "did not answer within $TIMEOUT_MS ms" "$T/ap.err" || fail "aplay: no 'did not answer' text"
[ $dt -lt $((2 * TIMEOUT_MS * slack)) ] || fail "a new aplay took $dt ms to fail"
echo "new aplay on a stopped uacd: failed after $dt ms"
client aplay -q -D uac:TIMEOUT=300 -t raw -f $fmt -r $rate -c 2 "$T/long.raw" 2>"$T/ap.err" &&
	fail "aplay -D uac:TIMEOUT=300 on a stopped uacd succeeded"
grep -q "did not answer within 300 ms" "$T/ap.err" || { cat "$T/ap.err"; fail "TIMEOUT= not used"; }
kill -CONT "$UACD_PID"
"$UACCTL" status >/dev/null || fail "uacd does not answer after SIGCONT"

# wait_until_playing PID: the stream runs (uacctl status lists it)
wait_until_playing() {
	i=0
	until "$UACCTL" status 2>/dev/null | grep -q "client aplay"; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "aplay never started"
		kill -0 "$1" 2>/dev/null || { cat "$T/ap.err"; fail "aplay died"; }
		sleep 0.05
	done
	sleep 0.3
}

# wait_exit PID LIMIT_MS: its exit status, or fail after LIMIT_MS
wait_exit() {
	t0=$(now_ms)
	while kill -0 "$1" 2>/dev/null; do
		if [ $(($(now_ms) - t0)) -gt "$2" ]; then
			kill -KILL "$1"
			wait "$1"
			cat "$T/ap.err"
			fail "aplay still runs $2 ms later"
		fi
		sleep 0.05
	done
	dt=$(($(now_ms) - t0))
	wait "$1"
}

# ---- (b) a stopped daemon under a playing aplay -----------------------------
client_bg aplay -q -D uac -t raw -f $fmt -r $rate -c 2 "$T/long.raw" 2>"$T/ap.err"
player=$!
wait_until_playing $player
kill -STOP "$UACD_PID"
# the stall time (timeout + 4 periods of aplay's 125 ms), a tick, and exit
wait_exit $player $(((TIMEOUT_MS + 4000) * slack)) && { cat "$T/ap.err"; fail "aplay succeeded"; }
cat "$T/ap.err"
grep -q "did not answer within" "$T/ap.err" || fail "aplay: no 'did not answer' text"
echo "playing aplay, uacd stopped: failed after $dt ms"
kill -CONT "$UACD_PID"

# ---- (c) SIGTERM under a playing aplay --------------------------------------
client_bg aplay -q -D uac -t raw -f $fmt -r $rate -c 2 "$T/long.raw" 2>"$T/ap.err"
player=$!
wait_until_playing $player
kill -TERM "$UACD_PID"
wait_exit $player $((2000 * slack)) && { cat "$T/ap.err"; fail "aplay succeeded"; }
cat "$T/ap.err"
grep -q "uacd stopped" "$T/ap.err" || fail "aplay did not say 'uacd stopped'"
echo "playing aplay, uacd got SIGTERM: failed after $dt ms"
stop_uacd
echo "PASS: clients of a silent or stopping uacd end with a clear error in bounded time"
