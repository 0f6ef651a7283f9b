#!/bin/bash
# tests/vm/test-vm-uacd-newdev.sh: a second USB audio device that arrives
# while uacd runs gets what the startup device got.
#
#  1. the guest starts uacd on usb:46f4:0002 (QEMU's usb-audio on port 1)
#     with a DSP chain (a -6 dB Gain) and a hook (tests/hooks/hook-recorder);
#  2. the host hot-adds a second usb-audio on port 2 (QMP device_add, its
#     own audiodev recording to out2.wav); the same spec matches it, so
#     uacd creates a new device for it;
#  3. the guest plays 2 s of white noise on that new device
#     (aplay -D uac:DEVICE=NAME) and asks `uacctl hook list NAME`;
#  4. the host checks: the new device's hook list has the DSP stage with
#     our dsp.yml and the hook; its RT thread has the daemon's priority; out2.wav is the noise 6.00 dB down
#     (wavcmp gain: the DSP chain ran on it, and uacd set QEMU's volume
#     to unity); aplay and uacd exit 0.
set -u
. "$(dirname "$0")/vm-lib.sh"

uacd=$top_builddir/engine/uacd
plugin_dir=$top_builddir/alsa-plugin/.libs
plugin=$plugin_dir/libasound_module_pcm_uac.so
hook=$top_builddir/tests/hooks/.libs/hook-recorder.so
conf=$top_srcdir/alsa-plugin/50-uac.conf
[ -x "$uacd" ] || { echo "FAIL: $uacd not built"; exit 1; }
[ -f "$plugin" ] || { echo "FAIL: $plugin not built"; exit 1; }
[ -f "$hook" ] || { echo "FAIL: $hook not built"; exit 1; }
# as in test-vm-uacd.sh: the guest's ALSA clients cannot load an ASan plugin
if nm -D "$plugin" 2>/dev/null | grep -q __asan_init; then
	echo "SKIP: sanitizer build: the guest's ALSA clients cannot load an ASan plugin; the plain build runs this test"
	exit 77
fi

vm_init vm-uacd-newdev
vm_gen
vm_write_guest_lib
cat > "$vm_share/dsp.yml" <<'EOF'
devices:
  samplerate: 48000
  chunksize: 1024
  capture: {channels: 2}
  playback: {channels: 2}
filters:
  down:
    type: Gain
    parameters: {gain: -6.0}
pipeline:
  - type: Filter
    channels: [0, 1]
    names: [down]
EOF
cat > "$vm_share/guest-env.sh" <<EOF
UACD='$uacd'
UACCTL='${uacd%/uacd}/uacctl'
UACD_POLICY='$top_srcdir/entitlement-policy/policy.yml'
HOOK='$hook'
export ALSA_PLUGIN_DIR='$plugin_dir'
export ALSA_CONFIG_PATH='/usr/share/alsa/alsa.conf:$conf'
export UACD_SOCKET=/run/uacd/uacd.sock
EOF

cat > "$vm_share/guest.sh" <<'EOF'
#!/bin/bash
. ./guest-lib.sh
. ./guest-env.sh
exec > guest.log 2>&1
wait_file() {	# FILE SECONDS
	local i
	for i in $(seq 1 $(($2 * 10))); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
guest_wait_card || { echo "no QEMU USB audio card"; exit 10; }
mkdir -p /run/uacd
"$UACD" -f -v --socket "$UACD_SOCKET" --policy "$UACD_POLICY" --device usb:46f4:0002 \
	--dsp "$PWD/dsp.yml" --hook "$HOOK $PWD/hook.log" > uacd.log 2>&1 &
upid=$!
wait_file "$UACD_SOCKET" 15 || { echo "uacd did not start"; cat uacd.log; exit 11; }
"$UACCTL" devices > devices1.txt
cat devices1.txt
touch ready
for i in $(seq 1 300); do
	[ "$("$UACCTL" devices | wc -l)" -ge 2 ] && break
	sleep 0.1
done
"$UACCTL" devices > devices2.txt
cat devices2.txt
cut -f1 devices1.txt > names1.txt
new=$(cut -f1 devices2.txt | grep -vxF -f names1.txt | head -n1)
echo "${new:-none}" > newdev.txt
[ -n "$new" ] || { echo "no new device"; kill -TERM "$upid"; exit 12; }
"$UACCTL" hook list "$new" > hooks-new.txt 2>&1
cat hooks-new.txt
aplay -q -D "uac:DEVICE=$new" noise2-tail.wav 2> aplay.err
echo $? > aplay.rc
kill -TERM "$upid"
wait "$upid"
echo $? > uacd.rc
exit 0
EOF
chmod +x "$vm_share/guest.sh"

qdir=$(mktemp -d /tmp/vmqmp.XXXXXX) || exit 1
trap 'rm -rf "$qdir"' EXIT
sock=$qdir/qmp.sock
vm_run --script guest.sh --timeout 240 --qmp "$sock" --wav2 "$vm_share/out2.wav" &
vm_pid=$!
add_rc=skipped
for i in $(seq 1 1500); do
	[ -e "$vm_share/ready" ] && break
	kill -0 "$vm_pid" 2>/dev/null || break
	sleep 0.1
done
if [ -e "$vm_share/ready" ]; then
	"$vmqmp" "$sock" '{"execute":"device_add","arguments":{"driver":"usb-audio","id":"ua2","audiodev":"snd1","bus":"xhci.0","port":"2"}}' \
		--timeout 20 > "$vm_share/qmp-add.txt"
	add_rc=$?
fi
wait $vm_pid
vm_rc=$?
vm_timing=$(grep -m1 '^run-vm: boot=' "$vm_share/run-vm.err")
cat "$vm_share/guest.log" 2>/dev/null
echo "--- uacd log"
cat "$vm_share/uacd.log" 2>/dev/null
[ "$vm_rc" = 0 ] || vm_fail "guest script exited with $vm_rc"

fails=0
check() {	# DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
	else
		echo "FAIL: $what"
		fails=$((fails + 1))
	fi
}
new=$(cat "$vm_share/newdev.txt" 2>/dev/null)
: "${new:=none}"
check "QMP device_add on port 2 (rc $add_rc)" [ "$add_rc" = 0 ]
check "uacd serves the arrived device as '$new'" [ "$new" != none ]
check "its hook list has the DSP stage with our dsp.yml" \
	grep -q "playback: $vm_share/dsp.yml" "$vm_share/hooks-new.txt"
check "its hook list has the configured hook" grep -q "^$new	recorder	" "$vm_share/hooks-new.txt"
check "its RT thread runs at the daemon's priority" \
	grep -q "^uacd: $new: RT thread at SCHED_FIFO priority 70" "$vm_share/uacd.log"
check "aplay -D uac:DEVICE=$new rc 0 ($(cat "$vm_share/aplay.err" 2>/dev/null))" \
	[ "$(cat "$vm_share/aplay.rc" 2>/dev/null)" = 0 ]
"$wavcmp" gain "$vm_share/noise2.wav" "$vm_share/out2.wav" --expect -6.0 --tol 0.05 |
	tee "$vm_share/gain.txt"
check "the new device plays through the DSP chain: $(vm_field gain_db "$vm_share/gain.txt") dB (expected -6.00)" \
	grep -q '^result=ok' "$vm_share/gain.txt"
check "uacd exits 0 on SIGTERM (rc $(cat "$vm_share/uacd.rc" 2>/dev/null))" \
	[ "$(cat "$vm_share/uacd.rc" 2>/dev/null)" = 0 ]
echo "timing: $vm_timing"
[ "$fails" = 0 ] || exit 1
exit 0
