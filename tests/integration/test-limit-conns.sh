#!/bin/sh
# Connection limits (issue 13, item 2): connections_per_uid and
# max_connections refuse at accept with a text that names the limit, which
# the client (badclient, uacctl, the pcm plugin) shows exactly; with the
# defaults one uid cannot run uacd out of fds even under a low fd limit.
. "${top_srcdir}/tests/integration/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to create a test user"
command -v useradd >/dev/null || skip "useradd not available"
PU="$top_srcdir/tests/policy/policy-test-user.sh"
BAD="$top_builddir/tests/tools/badclient"
user="uacdc$$"
uid=$("$PU" create "$user") || fail "cannot create test user"
trap '"$PU" remove "$user" >/dev/null 2>&1; cleanup' EXIT
chmod 755 "$T" "$HOME"
"$PU" write-allow "$T/policy.yml" "$user"
UACD_POLICY="$T/policy.yml"
as_user() { "$PU" run-as "$user" env HOME="$HOME" UACD_SOCKET="$UACD_SOCKET" $CLIENT_ENV "$@"; }

# wait_for FILE PATTERN: until a holding badclient printed its summary
wait_for() {
	i=0
	until grep -q "$2" "$1"; do
		i=$((i + 1))
		[ $i -le 300 ] || { cat "$1"; fail "no '$2' in $1"; }
		sleep 0.1
	done
}

# ---- per uid, with the defaults, under a fd limit that 200 connections would exhaust
nofile=$(ulimit -S -n)
ulimit -S -n 200 || skip "cannot lower the fd limit"
start_uacd -d "sim:rate=48000,mode=silence"
ulimit -S -n "$nofile"
"$BAD" "$UACD_SOCKET" conns 200 > "$T/root.out" &
holder=$!
wait_for "$T/root.out" "^conns:"
cat "$T/root.out"
grep -qx "conns: 32 answered, 168 refused" "$T/root.out" || { kill $holder; fail "per-uid limit not 32"; }
grep -qx "refused: uacd: too many connections for uid 0 (limit 32, connections_per_uid)" "$T/root.out" ||
	{ kill $holder; fail "refusal text wrong"; }
[ "$(grep -c '^refused:' "$T/root.out")" = 1 ] || { kill $holder; fail "more than one kind of refusal"; }
grep -q "cannot accept connections" "$T/uacd.log" && { kill $holder; fail "one uid ran uacd out of fds"; }
# uacctl and the plugin say the same
"$UACCTL" devices > "$T/uacctl.out" 2>&1 && { kill $holder; fail "uacctl got a 33rd connection"; }
cat "$T/uacctl.out"
grep -qx "uacctl: devices: uacd: too many connections for uid 0 (limit 32, connections_per_uid)" "$T/uacctl.out" ||
	{ kill $holder; fail "uacctl did not print the refusal"; }
client aplay -D uac -t raw -f S16_LE -r 48000 -c 2 -d 1 /dev/zero > "$T/aplay.out" 2>&1 &&
	{ kill $holder; fail "aplay got a 33rd connection"; }
cat "$T/aplay.out"
grep -q "refused us: uacd: too many connections for uid 0 (limit 32, connections_per_uid)" "$T/aplay.out" ||
	{ kill $holder; fail "the plugin did not print the refusal"; }
# another uid is not affected
as_user "$UACCTL" --timeout 1000 devices > "$T/user.out" 2>&1 || { cat "$T/user.out"; kill $holder; fail "other uid refused"; }
grep -q "^sim" "$T/user.out" || { kill $holder; fail "other uid saw no device"; }
kill $holder; wait $holder 2>/dev/null
# the refusals were logged a few times, with counts, not 170 times
n=$(grep -c "refused a connection" "$T/uacd.log")
echo "refusal log lines: $n"
[ "$n" -le 3 ] || fail "$n log lines for the refusals"
stop_uacd

# ---- in total
printf 'max_connections = 40\nconnections_per_uid = 32\n' > "$T/uacd.conf"
start_uacd -c "$T/uacd.conf" -d "sim:rate=48000,mode=silence"
"$BAD" "$UACD_SOCKET" conns 32 > "$T/root.out" &
holder=$!
wait_for "$T/root.out" "^conns:"
as_user "$BAD" "$UACD_SOCKET" conns 20 > "$T/user.out" &
holder2=$!
wait_for "$T/user.out" "^conns:"
cat "$T/user.out"
kill $holder $holder2; wait $holder $holder2 2>/dev/null
grep -qx "conns: 8 answered, 12 refused" "$T/user.out" || fail "total limit not 40"
grep -qx "refused: uacd: too many connections (limit 40, max_connections)" "$T/user.out" ||
	fail "total refusal text wrong"
stop_uacd
echo "PASS: connection limits per uid and in total, refusals named"
