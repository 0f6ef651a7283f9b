#!/bin/bash
# tests/vm/test-vm-uacd-newdev.sh: USB audio devices that arrive while uacd
# runs get what a startup device gets.
#
#  1. the VM boots with no usb-audio device; the guest starts uacd with
#     --wait-for-devices on usb:46f4:0002, a DSP chain (a -6 dB Gain) and a
#     hook (tests/hooks/hook-recorder): uacd must say it waits, and serve;
#  2. the host plugs QEMU's usb-audio in on port 1 (QMP device_add, audiodev
#     snd0 -> out.wav): the awaited device; the guest plays 2 s of white
#     noise on it (aplay -D uac:DEVICE=NAME);
#  3. the host plugs a second usb-audio in on port 2 (snd1 -> out2.wav): a
#     further match of the same spec, a new device with a -2 name; the
#     guest plays the noise on it too;
#  4. the host checks, for both: `uacctl hook list NAME` has the DSP stage
#     with our dsp.yml and the hook; the RT thread runs at the daemon's
#     priority; the WAV is the noise 6.00 dB down (wavcmp gain: the DSP
#     chain ran, and uacd set QEMU's volume to unity); aplay and uacd exit 0.
set -u
. "$(dirname "$0")/vm-lib.sh"

uacd=$top_builddir/engine/daemon/uacd
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
UACCTL='${uacd%/daemon/uacd}/uacctl/uacctl'
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
# wait_devices N: until uacd serves N devices (30 s); the newest name in newest.txt
wait_devices() {
	local i
	for i in $(seq 1 300); do
		[ "$("$UACCTL" devices | wc -l)" -ge "$1" ] && break
		sleep 0.1
	done
	"$UACCTL" devices > "devices$1.txt"
	cat "devices$1.txt"
	cut -f1 "devices$(($1 - 1)).txt" > names-before.txt
	cut -f1 "devices$1.txt" | grep -vxF -f names-before.txt | head -n1 > newest.txt
	[ -s newest.txt ]
}
# play_on N: hook list and 2 s of noise on the device that came N-th
play_on() {
	local name
	name=$(cat newest.txt)
	echo "$name" > "name$1.txt"
	"$UACCTL" hook list "$name" > "hooks$1.txt" 2>&1
	cat "hooks$1.txt"
	aplay -q -D "uac:DEVICE=$name" noise2-tail.wav 2> "aplay$1.err"
	echo $? > "aplay$1.rc"
}
mkdir -p /run/uacd
"$UACD" -f -v --socket "$UACD_SOCKET" --policy "$UACD_POLICY" --device usb:46f4:0002 \
	--wait-for-devices --dsp "$PWD/dsp.yml" --hook "$HOOK $PWD/hook.log" > uacd.log 2>&1 &
upid=$!
wait_file "$UACD_SOCKET" 15 || { echo "uacd did not start"; cat uacd.log; exit 11; }
"$UACCTL" devices > devices0.txt
echo "devices while waiting: $(wc -l < devices0.txt)"
touch ready0
if wait_devices 1; then play_on 1; else echo "the awaited device was not served"; fi
touch ready1
if wait_devices 2; then play_on 2; else echo "the second device was not served"; fi
kill -TERM "$upid"
wait "$upid"
echo $? > uacd.rc
exit 0
EOF
chmod +x "$vm_share/guest.sh"

qdir=$(mktemp -d /tmp/vmqmp.XXXXXX) || exit 1
trap 'rm -rf "$qdir"' EXIT
sock=$qdir/qmp.sock
vm_run --script guest.sh --timeout 240 --qmp "$sock" --no-audio --wav "$vm_share/out.wav" \
	--wav2 "$vm_share/out2.wav" &
vm_pid=$!
add1_rc=skipped add2_rc=skipped
if wait_file "$vm_share/ready0" 150; then
	"$vmqmp" "$sock" '{"execute":"device_add","arguments":{"driver":"usb-audio","id":"ua","audiodev":"snd0","bus":"xhci.0","port":"1"}}' \
		--timeout 20 > "$vm_share/qmp-add1.txt"
	add1_rc=$?
fi
if wait_file "$vm_share/ready1" 150; then
	"$vmqmp" "$sock" '{"execute":"device_add","arguments":{"driver":"usb-audio","id":"ua2","audiodev":"snd1","bus":"xhci.0","port":"2"}}' \
		--timeout 20 > "$vm_share/qmp-add2.txt"
	add2_rc=$?
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
check "uacd waits for the absent device" \
	grep -qx "uacd: usb:46f4:0002: no USB audio device matches; waiting for it to be plugged in" "$vm_share/uacd.log"
check "no device served while waiting" [ ! -s "$vm_share/devices0.txt" ]
for n in 1 2; do
	wav=$vm_share/out.wav
	[ $n = 2 ] && wav=$vm_share/out2.wav
	eval "rc=\$add${n}_rc"
	name=$(cat "$vm_share/name$n.txt" 2>/dev/null)
	: "${name:=none}"
	echo "--- device $n: $name"
	check "QMP device_add on port $n (rc $rc)" [ "$rc" = 0 ]
	check "uacd serves it as '$name'" [ "$name" = "$([ $n = 1 ] && echo usb-46f4-0002 || echo usb-46f4-0002-2)" ]
	check "its hook list has the DSP stage with our dsp.yml" \
		grep -q "^$name	dsp	.*playback: $vm_share/dsp.yml" "$vm_share/hooks$n.txt"
	check "its hook list has the configured hook" grep -q "^$name	recorder	" "$vm_share/hooks$n.txt"
	check "its RT thread runs at the daemon's priority" \
		grep -q "^uacd: $name: RT thread at SCHED_FIFO priority 70" "$vm_share/uacd.log"
	check "aplay -D uac:DEVICE=$name rc 0 ($(cat "$vm_share/aplay$n.err" 2>/dev/null))" \
		[ "$(cat "$vm_share/aplay$n.rc" 2>/dev/null)" = 0 ]
	"$wavcmp" gain "$vm_share/noise2.wav" "$wav" --expect -6.0 --tol 0.05 | tee "$vm_share/gain$n.txt"
	check "it plays through the DSP chain: $(vm_field gain_db "$vm_share/gain$n.txt") dB (expected -6.00)" \
		grep -q '^result=ok' "$vm_share/gain$n.txt"
done
check "uacd exits 0 on SIGTERM (rc $(cat "$vm_share/uacd.rc" 2>/dev/null))" \
	[ "$(cat "$vm_share/uacd.rc" 2>/dev/null)" = 0 ]
echo "timing: $vm_timing"
[ "$fails" = 0 ] || exit 1
exit 0
