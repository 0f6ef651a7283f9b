#!/bin/sh
# Every request is authorized (issue 12), and a reload is all or nothing:
#  - with no device at all (--wait-for-devices, nothing plugged in), RELOAD
#    needs the admin right: an unprivileged user is refused;
#  - STATUS, LIST, STATS and HOOKS need the read right (play, record or
#    control on the device): a user with none sees no device and none of
#    the other users' clients, and a named device is refused with the rule;
#  - a reload whose capture chain is broken changes nothing: not the
#    playback chain it would have swapped (its reload count and path stay),
#    not the valid policy that came with it (the user stays denied); once
#    fixed, the same reload applies all of it.
. "${top_srcdir}/tests/integration/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to create a test user"
command -v useradd >/dev/null || skip "useradd not available"
PU="$top_srcdir/tests/policy/policy-test-user.sh"
user="uacdz$$"
"$PU" create "$user" >/dev/null || fail "cannot create test user"
trap '"$PU" remove "$user" >/dev/null 2>&1; cleanup' EXIT
chmod 755 "$T" "$HOME"
"$PU" write-deny "$T/policy.yml"
UACD_POLICY="$T/policy.yml"
as_user() { "$PU" run-as "$user" env HOME="$HOME" UACD_SOCKET="$UACD_SOCKET" $CLIENT_ENV "$@"; }
# expect STATUS OUTFILE CMD...: run as the test user, check the exit status
expect_user() {
	want=$1; out=$2; shift 2
	as_user "$@" >"$out" 2>&1
	got=$?
	[ "$got" = "$want" ] || { cat "$out"; fail "'$*' as $user exited $got, expected $want"; }
}

# ---- no device: reload needs admin --------------------------------------------
start_uacd --wait-for-devices -d usb:1234:5678
expect_user 4 "$T/o" "$UACCTL" reload
grep -q "permission denied: admin on the daemon (no device) (policy rule 'default-deny'" "$T/o" ||
	{ cat "$T/o"; fail "reload with no device not refused with the rule"; }
"$UACCTL" reload >"$T/o" 2>&1 || { cat "$T/o"; fail "root (admin) could not reload with no device"; }
echo "reload with no device: needs admin: ok"
stop_uacd

# ---- read right ------------------------------------------------------------------
rate=48000
gain_cfg() {	# gain_cfg FILE DB
	cat > "$1.new" <<EOC
devices: {samplerate: $rate, chunksize: 256, capture: {channels: 2}, playback: {channels: 2}}
filters:
  g: {type: Gain, parameters: {gain: $2}}
pipeline:
  - {type: Filter, channels: [0, 1], names: [g]}
EOC
	mv "$1.new" "$1"
}
gain_cfg "$T/play-6.yml" -6
gain_cfg "$T/play-12.yml" -12
gain_cfg "$T/cap.yml" -3
printf 'dsp = %s\ndsp_capture = %s\n' "$T/play-6.yml" "$T/cap.yml" > "$T/uacd.conf"
"$PCMTOOL" sine S16_LE 2 $((rate * 30)) $rate 0 0 "$T/long.raw"
"$PCMTOOL" sine S16_LE 2 $((rate / 2)) $rate 1000 0.5 "$T/short.raw"
chmod 644 "$T/short.raw"
start_uacd -c "$T/uacd.conf" -d "sim:rate=$rate,mode=silence"
client_bg aplay -q -D uac -t raw -f S16_LE -r $rate -c 2 "$T/long.raw"
player=$!
sleep 0.5
"$UACCTL" status | grep -q "client aplay" || { "$UACCTL" status; fail "root does not see its own aplay"; }
expect_user 0 "$T/o" "$UACCTL" status
grep -q "aplay\|pid" "$T/o" && { cat "$T/o"; fail "a user with no right sees the other user's client"; }
expect_user 4 "$T/o" "$UACCTL" status sim
grep -q "permission denied: read (play, record or control) on sim (policy rule 'default-deny'" "$T/o" ||
	{ cat "$T/o"; fail "status sim not refused with the rule"; }
expect_user 0 "$T/o" "$UACCTL" devices
grep -q "sim" "$T/o" && { cat "$T/o"; fail "devices lists a device the user may not read"; }
expect_user 4 "$T/o" "$UACCTL" stats sim
grep -q "permission denied: read" "$T/o" || { cat "$T/o"; fail "stats sim not refused"; }
expect_user 0 "$T/o" "$UACCTL" hook list
grep -q "dsp" "$T/o" && { cat "$T/o"; fail "hook list shows a device the user may not read"; }
expect_user 4 "$T/o" "$UACCTL" reload
grep -q "permission denied: reload on sim (policy rule 'default-deny'" "$T/o" || { cat "$T/o"; fail "reload not refused"; }
n=$(grep -c "denied read (play, record or control) on sim to uacctl" "$T/uacd.log")
[ "$n" -ge 1 ] || { dump_log; fail "read denial not logged"; }
echo "read right: STATUS, LIST, STATS, HOOKS and RELOAD refused to a user with no right: ok"

# ---- reload: all or nothing ----------------------------------------------------------
status_line() { "$UACCTL" hook list | grep 'dsp' | sed 's/calls=[0-9]* //'; }
before=$(status_line)
echo "$before" | grep -q "playback: $T/play-6.yml; capture: $T/cap.yml; reloads 2" || fail "unexpected stage status: $before"
"$PU" write-allow "$T/policy.yml" "$user"	# valid, and would let the user play
printf 'dsp = %s\ndsp_capture = %s\n' "$T/play-12.yml" "$T/cap.yml" > "$T/uacd.conf"
printf 'filters:\n  g: {type: Gain, parameters: {gain: loud}}\npipeline: []\n' > "$T/cap.yml"
if "$UACCTL" reload >"$T/o" 2>&1; then cat "$T/o"; fail "reload with a broken capture chain accepted"; fi
grep -qE "$T/cap.yml:[0-9]+:[0-9]+: .*nothing changed" "$T/o" || { cat "$T/o"; fail "reply does not name file:line:column and say nothing changed"; }
after=$(status_line)
[ "$after" = "$before" ] || fail "a failed reload changed the DSP stage: '$before' -> '$after'"
as_user aplay -q -D uac -t raw -f S16_LE -r $rate -c 2 "$T/short.raw" >/dev/null 2>&1 &&
	fail "the policy of a failed reload was applied"
echo "failed reload: chains, hooks and policy unchanged: ok"
gain_cfg "$T/cap.yml" -3
"$UACCTL" reload >"$T/o" 2>&1 || { cat "$T/o"; fail "fixed reload refused"; }
status_line | grep -q "playback: $T/play-12.yml; capture: $T/cap.yml; reloads 4" || fail "fixed reload not applied: $(status_line)"
as_user aplay -q -D uac -t raw -f S16_LE -r $rate -c 2 "$T/short.raw" || fail "the user may not play after the fixed reload"
expect_user 0 "$T/o" "$UACCTL" status sim
grep -q "sim" "$T/o" || { cat "$T/o"; fail "the user who may play cannot read sim"; }
echo "fixed reload: everything applied, the user plays and reads: ok"
kill $player 2>/dev/null; wait $player 2>/dev/null
stop_uacd
echo "PASS: every request authorized; reload all or nothing"
