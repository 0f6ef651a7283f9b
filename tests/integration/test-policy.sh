#!/bin/sh
# The entitlement policy in the running daemon: an unprivileged user is
# denied (aplay prints "Permission denied", the plugin names the rule, the
# daemon logs who/what/which rule, once per uid and log_interval), then allowed after the policy is
# edited and reloaded with SIGHUP; a policy that fails to load leaves the
# running one in force; a running stream whose right is withdrawn ends with
# a clear error.
. "${top_srcdir}/tests/integration/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to create a test user"
command -v useradd >/dev/null || skip "useradd not available"
PU="$top_srcdir/tests/policy/policy-test-user.sh"
user="uacdt$$"
"$PU" create "$user" >/dev/null || fail "cannot create test user"
trap '"$PU" remove "$user" >/dev/null 2>&1; cleanup' EXIT
# the user must reach the socket, the test HOME and the built plugin
chmod 755 "$T" "$HOME"
"$PU" write-deny "$T/policy.yml"

rate=48000
"$PCMTOOL" noise S16_LE 2 $((rate * 3)) 4 "$T/in.raw"
chmod 644 "$T/in.raw"
UACD_POLICY="$T/policy.yml"
start_uacd -d "sim:mode=silence"

as_user() { "$PU" run-as "$user" env HOME="$HOME" UACD_SOCKET="$UACD_SOCKET" $CLIENT_ENV "$@"; }

out=$(as_user aplay -D uac -t raw -f S16_LE -r $rate -c 2 "$T/in.raw" 2>&1) && fail "denied user could play"
echo "$out"
echo "$out" | grep -q "audio open error: Permission denied" || fail "aplay did not say Permission denied"
echo "$out" | grep -q "permission denied: play on sim (policy rule 'default-deny'" || fail "plugin did not name the rule"
as_user aplay -D uac -t raw -f S16_LE -r $rate -c 2 "$T/in.raw" >/dev/null 2>&1 && fail "denied twice?"
# Denials are logged at most once per uid per log_interval (10 s), the
# rest counted: two denied aplays within a second are one line.
n=$(grep -c "denied play on sim to aplay" "$T/uacd.log")
[ "$n" = 1 ] || fail "expected one log line for the uid's two denials, got $n"
grep "denied play on sim" "$T/uacd.log" | head -1

# a broken policy edit: the running policy stays
printf 'version: 1\nclients: [\n' > "$T/policy.yml"
kill -HUP "$UACD_PID"; sleep 0.3
grep -q "reload failed: $T/policy.yml:" "$T/uacd.log" || { dump_log; fail "broken policy not reported"; }
as_user aplay -q -D uac -t raw -f S16_LE -r $rate -c 2 "$T/in.raw" 2>/dev/null && fail "broken policy let the user in"

# allow, reload, play
"$PU" write-allow "$T/policy.yml" "$user"
kill -HUP "$UACD_PID"; sleep 0.3
as_user aplay -q -D uac -t raw -f S16_LE -r $rate -c 2 "$T/in.raw" || fail "allowed user could not play"
echo "allowed after reload: ok"

# play is not the hook right: a user who may play may not run code in uacd
out=$(as_user "$UACCTL" hook load sim "$top_builddir/tests/hooks/.libs/hook-invert.so" write_end 2>&1) &&
	fail "user without the hook right loaded a hook"
echo "$out"
echo "$out" | grep -q "permission denied: hook on sim (policy rule 'default-deny'" || fail "hook denial not explained"

# withdraw the right while the user plays: the stream ends with a clear error
"$PCMTOOL" sine S16_LE 2 $((rate * 20)) $rate 0 0 "$T/long.raw"; chmod 644 "$T/long.raw"
as_user aplay -D uac -t raw -f S16_LE -r $rate -c 2 "$T/long.raw" >"$T/victim.out" 2>&1 &
victim=$!
sleep 1
"$PU" write-deny "$T/policy.yml"
kill -HUP "$UACD_PID"
wait $victim && fail "stream survived losing its right"
cat "$T/victim.out"
grep -q "Permission denied" "$T/victim.out" || fail "aplay did not report Permission denied"
grep -q "ended: permission denied: play on sim" "$T/uacd.log" || fail "daemon did not log the ended stream"
stop_uacd
echo "PASS: policy denies, reloads, allows and withdraws"
