#!/bin/sh
# Control-thread flood (issue 13, item 3): 8 connections send STATUS as
# fast as they can and never read a reply.  Each is throttled to its
# request_rate (not read, never spun on) and disconnected when it leaves
# its replies unread or stays over its rate; the daemon's CPU over the
# flood stays low, a second uid's `uacctl --timeout 20 devices` answers
# every time and its aplay is bit-exact.
. "${top_srcdir}/tests/integration/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to create a test user"
command -v useradd >/dev/null || skip "useradd not available"
PU="$top_srcdir/tests/policy/policy-test-user.sh"
BAD="$top_builddir/tests/tools/badclient"
user="uacdf$$"
"$PU" create "$user" >/dev/null || fail "cannot create test user"
trap '"$PU" remove "$user" >/dev/null 2>&1; [ -n "${flooder:-}" ] && kill $flooder 2>/dev/null; cleanup' EXIT
chmod 755 "$T" "$HOME"
"$PU" write-allow "$T/policy.yml" "$user"
UACD_POLICY="$T/policy.yml"
as_user() { "$PU" run-as "$user" env HOME="$HOME" UACD_SOCKET="$UACD_SOCKET" $CLIENT_ENV "$@"; }

# devices_20: the second uid runs `uacctl --timeout 20 devices` 20 times
# (each must answer within 20 ms and list sim); worst_us: the slowest,
# timed inside the user's shell, exec of uacctl included
devices_20() {
	out=$(as_user sh -c '
		worst=0
		for i in $(seq 20); do
			s=$(date +%s%N)
			r=$("$0" --timeout 20 devices 2>&1) || { echo "#$i: $r"; exit 1; }
			us=$(( ($(date +%s%N) - s) / 1000 ))
			[ $us -gt $worst ] && worst=$us
			echo "$r" | grep -q "^sim" || { echo "#$i listed no device: $r"; exit 1; }
			sleep 0.1
		done
		echo "worst $worst"' "$UACCTL")
	rc=$?
	echo "$out" | grep -v "^worst "
	worst_us=$(echo "$out" | sed -n "s/^worst //p")
	return $rc
}

rate=48000
"$PCMTOOL" noise S16_LE 2 $((rate * 3)) 11 "$T/in.raw" || fail "pcmtool noise"
chmod 644 "$T/in.raw"
start_uacd -d "sim:rate=$rate,mode=wav,out=$T/out.raw"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$UACD_PID/stat"; }
hz=$(getconf CLK_TCK)

secs=6
t0=$(cpu_ticks); w0=$(date +%s%N)
"$BAD" "$UACD_SOCKET" flood 8 $secs > "$T/flood.out" 2>&1 &
flooder=$!
sleep 0.5
as_user aplay -D uac -t raw -f S16_LE -r $rate -c 2 "$T/in.raw" > "$T/aplay.out" 2>&1 &
player=$!
devices_20 || fail "the second uid's uacctl devices failed during the flood"
wait $player || { cat "$T/aplay.out"; fail "the second uid's aplay failed during the flood"; }
wait $flooder; flooder=
t1=$(cpu_ticks); w1=$(date +%s%N)
cat "$T/flood.out"
wall_ms=$(( (w1 - w0) / 1000000 ))
pct=$(( (t1 - t0) * 1000 * 100 / hz / wall_ms ))
echo "uacd over the flood: ${pct}% of one CPU over $wall_ms ms"
echo "second uid during the flood: 20 x uacctl --timeout 20 devices, worst $worst_us us (each including its exec)"
stop_uacd
res=$("$PCMTOOL" cmp S16_LE 2 "$T/in.raw" "$T/out.raw")
echo "second uid's aplay: $res"
case "$res" in ok:*) ;; *) fail "the second uid's aplay was not bit-exact";; esac
[ "$pct" -lt 30 ] || fail "uacd used ${pct}% CPU under the flood"
# 8 connections' bursts (8 x 200) exceed the uid's (800): request_rate_per_uid throttles first
grep -Eq "throttling badclient \(pid [0-9]+, uid 0\): (more than 100 requests/s \(request_rate\)|uid over 400 requests/s \(request_rate_per_uid\))" "$T/uacd.log" ||
	fail "the flood was not throttled (or not logged)"
grep -q "disconnected badclient (pid [0-9]*, uid 0): [0-9]* KiB of replies unread (limit 64 KiB)" "$T/uacd.log" ||
	fail "no flooder was disconnected"
grep "disconnected badclient" "$T/uacd.log" | head -2
echo "PASS: flood throttled (${pct}% CPU), other uid fast (worst $worst_us us) and bit-exact"
