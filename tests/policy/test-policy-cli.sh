#!/bin/sh
# `uacctl policy check|lint` through the test driver: exact output and exit
# codes against the shipped default policy, the family-PC example and broken
# files in tests/policy/data.
set -u
cli="$top_builddir/tests/policy/uacpol-cli-test"
default="$top_srcdir/entitlement-policy/policy.yml"
family="$top_srcdir/examples/policy/family-pc.yml"
data="$top_srcdir/tests/policy/data"
fails=0
out=$(mktemp); err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# expect EXIT STDOUT STDERR -- ARGS...
expect() {
	want_rc=$1; want_out=$2; want_err=$3; shift 4
	"$cli" policy "$@" >"$out" 2>"$err"
	rc=$?
	if [ "$rc" != "$want_rc" ] || [ "$(cat "$out")" != "$want_out" ] || [ "$(cat "$err")" != "$want_err" ]; then
		echo "FAIL: policy $*"
		echo "  exit $rc (want $want_rc)"
		echo "  stdout: $(cat "$out")"
		echo "  want:   $want_out"
		echo "  stderr: $(cat "$err")"
		echo "  want:   $want_err"
		fails=$((fails + 1))
	else
		echo "ok: policy $*"
	fi
}

# --- lint
expect 0 "$default: ok (2 device rules, 2 client rules)" "" -- lint "$default"
expect 0 "$family: ok (3 device rules, 5 client rules)" "" -- lint "$family"
expect 2 "" "$data/unknown-key.yml:6:5: unknown key 'action' in client rule" -- lint "$data/unknown-key.yml"
expect 2 "" "$data/bad-vidpid.yml:4:29: 'vendor-product': bad vendor:product \"0d8c-0014\" (expected 4 hex digits each, like 0d8c:0014, or 0d8c:*)" -- lint "$data/bad-vidpid.yml"
expect 2 "" "$data/unknown-group.yml:6:14: 'group': unknown group \"no-such-group-uacd\"" -- lint "$data/unknown-group.yml"
expect 2 "" "$data/missing.yml: No such file or directory" -- lint "$data/missing.yml"

# --- check against the default policy: root and the audio group
expect 0 "decision: allow
rule: audio-group
reason: client rule \"audio-group\" ($default line 35) allows play on \"sim\" for uid 1000" "" \
	-- check --policy "$default" --uid 1000 --gid 1000 --groups 100,audio --device sim --action play
expect 1 "decision: deny
rule: default-deny
reason: no client rule in $default allows play on \"sim\" for uid 1000" "" \
	-- check --policy "$default" --uid 1000 --gid 1000 --groups 100 --device sim --action play
expect 1 '{"decision":"deny","allow":false,"rule":"default-deny","reason":"no client rule in '"$default"' allows reload on \"sim\" for uid 1000"}' "" \
	-- check --policy "$default" --uid 1000 --gid audio --device sim --action reload --json
expect 0 '{"decision":"allow","allow":true,"rule":"root-all","reason":"client rule \"root-all\" ('"$default"' line 27) allows admin on \"sim\" for uid 0"}' "" \
	-- check --policy="$default" --uid=root --device sim --action admin --json
expect 0 "decision: allow
rule: claim-usb-audio
reason: device rule \"claim-usb-audio\" ($default line 21) allows claiming usb 0d8c:0014 at 1-2" "" \
	-- check --policy "$default" --device usb:0d8c:0014,class=1,path=1-2 --action claim
expect 1 "decision: deny
rule: default-deny
reason: no device rule in $default allows claiming usb 046d:0825" "" \
	-- check --policy "$default" --device usb:046d:0825,class=14 --action claim
expect 0 "decision: allow
rule: claim-sim
reason: device rule \"claim-sim\" ($default line 12) allows claiming \"sim\"" "" \
	-- check --policy "$default" --device sim --action claim

# --- the family PC
expect 0 "decision: allow
rule: kid-play
reason: client rule \"kid-play\" ($family line 49) allows play on \"sim\" for uid 1002" "" \
	-- check --policy "$family" --uid 1002 --gid 1002 --device sim --action play
expect 1 "decision: deny
rule: kid-nothing-else
reason: client rule \"kid-nothing-else\" ($family line 54) denies record on \"sim\" for uid 1002" "" \
	-- check --policy "$family" --uid 1002 --gid 1002 --exe /usr/bin/arecord-not-here --device sim --action record
expect 1 "decision: deny
rule: kid-nothing-else
reason: client rule \"kid-nothing-else\" ($family line 54) denies control on \"sim\" for uid 1002" "" \
	-- check --policy "$family" --uid 1002 --gid 1002 --device sim --action control
expect 0 "decision: allow
rule: kid-homework-recorder
reason: client rule \"kid-homework-recorder\" ($family line 43) allows record on \"sim\" for uid 1002" "" \
	-- check --policy "$family" --uid 1002 --gid 1002 --exe /usr/bin/audacity --device sim --action record
expect 0 "decision: allow
rule: parents
reason: client rule \"parents\" ($family line 38) allows hook on \"sim\" for uid 1001" "" \
	-- check --policy "$family" --uid 1001 --gid 1001 --device sim --action hook

# --- unit derived from --cgroup, as the daemon derives it
cg=$(mktemp)
cat >"$cg" <<'YML'
clients:
  - name: mpv-plays
    effect: allow
    actions: play
    match: {unit: "mpv*.service"}
YML
expect 0 "decision: allow
rule: mpv-plays
reason: client rule \"mpv-plays\" ($cg line 2) allows play on \"sim\" for uid 1000" "" \
	-- check --policy "$cg" --uid 1000 --gid 1000 --cgroup /user.slice/user-1000.slice/user@1000.service/app.slice/mpv-2.service/sub --device sim --action play
expect 1 "decision: deny
rule: default-deny
reason: no client rule in $cg allows play on \"sim\" for uid 1000" "" \
	-- check --policy "$cg" --uid 1000 --gid 1000 --cgroup /user.slice/user-1000.slice/session-3.scope --device sim --action play
rm -f "$cg"

# --- usage errors
expect 2 "" "uacctl policy check: unknown action 'sing' (expected play, record, control, reload, hook, admin or claim)" \
	-- check --policy "$default" --uid 0 --device sim --action sing
expect 2 "" "uacctl policy check: bad device spec 'usb:xyz'" \
	-- check --policy "$default" --uid 0 --device usb:xyz --action claim

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
exit 0
