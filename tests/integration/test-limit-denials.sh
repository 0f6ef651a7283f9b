#!/bin/sh
# Rate-limited logging of denials (issue 13, item 3): 2,000 connections of
# a user the policy denies write a handful of log lines, not 2,000, and
# the lines still count every denial: "(N more in the last S s)".
. "${top_srcdir}/tests/integration/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to create a test user"
command -v useradd >/dev/null || skip "useradd not available"
PU="$top_srcdir/tests/policy/policy-test-user.sh"
BAD="$top_builddir/tests/tools/badclient"
user="uacdd$$"
"$PU" create "$user" >/dev/null || fail "cannot create test user"
trap '"$PU" remove "$user" >/dev/null 2>&1; cleanup' EXIT
chmod 755 "$T" "$HOME"
"$PU" write-deny "$T/policy.yml"
UACD_POLICY="$T/policy.yml"
as_user() { "$PU" run-as "$user" env HOME="$HOME" UACD_SOCKET="$UACD_SOCKET" $CLIENT_ENV "$@"; }

printf 'log_interval = 5\n' > "$T/uacd.conf"
start_uacd -c "$T/uacd.conf" -d "sim:rate=48000,mode=silence"
start=$(date +%s%N)
as_user "$BAD" "$UACD_SOCKET" denied 2000 > "$T/bad.out" 2>&1
cat "$T/bad.out"
echo "2000 denied connections in $(( ($(date +%s%N) - start) / 1000000 )) ms"
grep -qx "denied: 2000 of 2000 (0 otherwise)" "$T/bad.out" || fail "not every request was denied"
# (the uid is also throttled to request_rate_per_uid: 4,000 requests take ~8 s)
# the interval ends: what was held back is reported at the next tick
sleep 5.5
stop_uacd
grep "denied read" "$T/uacd.log" > "$T/lines"
cat "$T/lines"
lines=$(wc -l < "$T/lines")
more=$(sed -n 's/.* (\([0-9]*\) more in the last 5 s)$/\1/p' "$T/lines" | awk '{ s += $1 } END { print s + 0 }')
echo "$lines log lines for 2000 denials, counting $((lines + more))"
[ "$lines" -ge 1 ] && [ "$lines" -le 5 ] || fail "$lines log lines for 2000 denials"
[ $((lines + more)) = 2000 ] || fail "the lines count $((lines + more)) denials, not 2000"
echo "PASS: 2000 denials, $lines log lines, all counted"
