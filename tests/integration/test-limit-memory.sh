#!/bin/sh
# Locked-memory amplification (issue 13, item 2): one uid asks for 128
# streams of 2^19 frames x 8 ch float (16 MiB of ring each, 2 GiB in all).
# uacd counts each ring's exact size against the client, the uid and the
# total before it exists: the daemon's locked memory (VmLck) stays under
# ring_memory_per_uid, the refusals name the limit, and a second uid's
# aplay is bit-exact and its `uacctl --timeout 20 devices` answers every
# time.
. "${top_srcdir}/tests/integration/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to create a test user"
command -v useradd >/dev/null || skip "useradd not available"
PU="$top_srcdir/tests/policy/policy-test-user.sh"
BAD="$top_builddir/tests/tools/badclient"
user="uacdm$$"
"$PU" create "$user" >/dev/null || fail "cannot create test user"
trap '"$PU" remove "$user" >/dev/null 2>&1; [ -n "${holder:-}" ] && kill $holder 2>/dev/null; cleanup' EXIT
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
"$PCMTOOL" noise S16_LE 2 $((rate * 3)) 7 "$T/in.raw" || fail "pcmtool noise"
chmod 644 "$T/in.raw"
start_uacd -d "sim:rate=$rate,mode=wav,out=$T/out.raw"
vmlck() { awk '/^VmLck:/ { print $2 }' "/proc/$UACD_PID/status"; }
before=$(vmlck)

# the attacker is root: uid 0 is held to the limits like everyone
"$BAD" "$UACD_SOCKET" streams 128 524288 8 > "$T/bad.out" 2>&1 &
holder=$!
i=0
until grep -q "^streams:" "$T/bad.out"; do
	i=$((i + 1))
	[ $i -le 600 ] || { cat "$T/bad.out"; fail "the attacker never finished"; }
	sleep 0.1
done
cat "$T/bad.out"
locked=$(vmlck)
echo "uacd VmLck: ${before} kB before, ${locked} kB with the attacker's streams"
# 7 rings of 16 MiB + 4 KiB fit in 128 MiB
# (3 per connection: a 4th is refused by ring_memory_per_client, and
# badclient moves on to a new connection)
grep -qx "streams: 7 opened (117469184 bytes) on 3 connections, 121 refused" "$T/bad.out" ||
	fail "not 7 streams of 16 MiB + 4 KiB on 3 connections for the uid"
grep -q "too much ring memory for this client: 16.0 MiB more on 48.0 MiB (limit 64 MiB, ring_memory_per_client)" "$T/uacd.log" ||
	fail "no ring_memory_per_client refusal logged"
grep -qx "refused: uacd: too much ring memory for uid 0: 16.0 MiB more on 112.0 MiB (limit 128 MiB, ring_memory_per_uid)" "$T/bad.out" ||
	fail "no ring_memory_per_uid refusal"
[ "$((locked - before))" -le $((128 * 1024)) ] || fail "uacd locked $((locked - before)) kB for one uid (limit 128 MiB)"

# the second uid: uacctl answers fast every time, aplay is bit-exact
devices_20 || fail "the second uid's uacctl devices failed"
echo "second uid: 20 x uacctl --timeout 20 devices, worst $worst_us us (each including its exec)"
as_user aplay -D uac -t raw -f S16_LE -r $rate -c 2 "$T/in.raw" > "$T/aplay.out" 2>&1 ||
	{ cat "$T/aplay.out"; fail "the second uid could not play"; }
kill $holder; wait $holder 2>/dev/null; holder=
stop_uacd
res=$("$PCMTOOL" cmp S16_LE 2 "$T/in.raw" "$T/out.raw")
echo "second uid's aplay: $res"
case "$res" in ok:*) ;; *) fail "the second uid's aplay was not bit-exact";; esac
echo "PASS: 128 big streams asked, 7 granted ($((locked - before)) kB locked); the other uid unaffected"
