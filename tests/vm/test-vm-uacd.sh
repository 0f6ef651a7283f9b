#!/bin/bash
# tests/vm/test-vm-uacd.sh: uacd on real (emulated) USB, judged against the
# kernel reference of test-vm-kernel.sh / test-vm-hotplug-kernel.sh.
#
# Inside the VM (tests/vm/build-image.sh: the host root over 9p, so the build
# tree is at the same absolute path), the guest
#   0. waits for snd-usb-audio to bind QEMU's usb-audio (46f4:0002) and plays
#      the reference: the 10 s noise file with the kernel driver
#      (aplay -D hw:CARD,0 at max volume), as test-vm-kernel.sh does;
#   1. starts the daemon from the build tree, which takes the device over
#      through libusb/usbfs (detaching snd-usb-audio):
#        $top_builddir/engine/daemon/uacd -f -v --socket /run/uacd/uacd.sock \
#            --policy $top_srcdir/entitlement-policy/policy.yml \
#            --device usb:46f4:0002 $UACD_VM_ARGS
#      (the shipped policy allows USB audio class devices and root)
#      with ALSA_PLUGIN_DIR=$top_builddir/alsa-plugin/.libs (for
#      libasound_module_pcm_uac.so) and
#      ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$top_srcdir/alsa-plugin/50-uac.conf
#      and UACD_SOCKET=/run/uacd/uacd.sock for every ALSA client;
#   2. sets the first simple control of `amixer -D uac` to 100% + unmute
#      (QEMU's unity gain is the top of its range), plays 10 s of white
#      noise (+50 ms silent tail) with `aplay -D uac`: QEMU's recording must
#      hold it bit for bit, like the kernel driver's;
#   3. steps that control 6 dB down (amixer -D uac sset CTL 6dB-) and plays
#      2 s of another noise: the recorded level must change by what QEMU
#      does with the dB value the control reports (its linear-in-dB mapping,
#      see test-vm-kernel.sh), to 0.05 dB;
#   4. plays 10 s of a third noise; the host unplugs the device (QMP
#      device_del) 2 s in: aplay must end with an error (its text is
#      printed), uacd must keep running; the host re-adds the device on the
#      same port with its own audiodev, and after it re-enumerates a 2 s
#      aplay -D uac must be bit-exact in the new recording.
#   5. (a second boot, usb-audio multi=on) for 2, 6 and 8 channels: uacd
#      started with --device usb:46f4:0002,channels=C plays 1 s of C-channel
#      noise while usbmon records the bus: uacd must select alt 1/2/3 and
#      send 192/576/768-byte iso packets, as snd-usb-audio does in
#      test-vm-multi-kernel.sh (QEMU's WAV backend corrupts more than 2
#      channels, so the content is proven on sim, not here).
# The summary shows the kernel driver and uacd side by side: exactness,
# lost/repeated/corrupt frames, and the whole guest's CPU time during the
# 10 s stream (from /proc/stat; TCG-emulated, so only the ratio means much)
# plus aplay's and uacd's own.
#
# Until the daemon has a libusb transport this SKIPs (77) with the reason.
set -u
. "$(dirname "$0")/vm-lib.sh"

if [ ! -f "$top_srcdir/engine/usb/transport-libusb.c" ]; then
	echo "SKIP: uacd has no libusb transport yet (engine/usb/transport-libusb.c missing)"
	exit 77
fi
uacd=$top_builddir/engine/daemon/uacd
plugin_dir=$top_builddir/alsa-plugin/.libs
plugin=$plugin_dir/libasound_module_pcm_uac.so
conf=$top_srcdir/alsa-plugin/50-uac.conf
[ -x "$uacd" ] || { echo "FAIL: $uacd not built"; exit 1; }
[ -f "$plugin" ] || { echo "FAIL: $plugin not built"; exit 1; }
[ -f "$conf" ] || { echo "FAIL: no $conf"; exit 1; }
# A sanitizer build's plugin needs the ASan runtime preloaded into every
# ALSA client in the guest, and under TCG that does not fit the test's
# time budget: real USB is proven by the plain build, sanitizers by the
# host tests (which run the same engine, plugin and transport code paths
# against sim and the fake USB layer).
if nm -D "$plugin" 2>/dev/null | grep -q __asan_init; then
	echo "SKIP: sanitizer build: the guest's ALSA clients cannot load an ASan plugin; the plain build runs this test"
	exit 77
fi

vm_init vm-uacd
vm_gen
"$wavcmp" gen "$vm_share/noise10c.wav" 10 --seed 3 &&
"$wavcmp" gen "$vm_share/noise10c-tail.wav" 10 --seed 3 --tail-ms 50 || exit 1
for c in 2 6 8; do
	"$wavcmp" gen "$vm_share/noise-$c-tail.wav" 1 --seed $c --channels $c --tail-ms 50 || exit 1
done
vm_write_guest_lib

cat > "$vm_share/guest-env.sh" <<EOF
UACD='$uacd'
UACD_POLICY='$top_srcdir/entitlement-policy/policy.yml'
UACD_VM_ARGS='${UACD_VM_ARGS:-}'
export ALSA_PLUGIN_DIR='$plugin_dir'
export ALSA_CONFIG_PATH='/usr/share/alsa/alsa.conf:$conf'
export UACD_SOCKET=/run/uacd/uacd.sock
EOF

cat > "$vm_share/guest.sh" <<'EOF'
#!/bin/bash
. ./guest-lib.sh
. ./guest-env.sh
exec > guest.log 2>&1
TIMEFORMAT='real=%R user=%U sys=%S'
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# whole guest: user + nice + system + irq + softirq
sys_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
secs() { awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }'; }

guest_wait_card || { echo "no QEMU USB audio card"; exit 10; }
kcard=$(guest_card)
kctl=$(guest_volctl "$kcard")
echo "kernel: card $kcard bound by snd-usb-audio"

# stream 0: the kernel reference
amixer -c "$kcard" sset "$kctl" 100% unmute > /dev/null || exit 10
s0=$(sys_ticks)
{ time aplay -q -D "hw:$kcard,0" noise10-tail.wav 2> aplay0.err; } 2> aplay0.time
echo $? > aplay0.rc
s1=$(sys_ticks)
echo "kernel_guest_cpu_s=$(secs "$s0" "$s1") aplay_$(cat aplay0.time)" > cpu-kernel.txt
echo "aplay0 (kernel) rc=$(cat aplay0.rc)"; cat aplay0.err cpu-kernel.txt
mkdir -p /run/uacd
# the live device described through libusb, before anyone claims it
"${UACD%/daemon/uacd}/uacctl/uacctl" describe --json --device usb:46f4:0002 > describe.json 2> describe.err
echo "describe rc=$?"
# shellcheck disable=SC2086
"$UACD" -f -v --socket "$UACD_SOCKET" --policy "$UACD_POLICY" --device usb:46f4:0002 $UACD_VM_ARGS > uacd.log 2>&1 &
upid=$!
echo "$upid" > uacd.pid
wait_file "$UACD_SOCKET" 15 || { echo "uacd did not create $UACD_SOCKET"; cat uacd.log; exit 11; }
kill -0 "$upid" || { echo "uacd exited"; cat uacd.log; exit 11; }
echo "uacd running (pid $upid)"

amixer -D uac scontrols > mixer.txt 2>&1
cat mixer.txt
ctl=$(sed -n "s/^Simple mixer control '\(.*\)',0$/\1/p" mixer.txt | head -n1)
[ -n "$ctl" ] || { echo "no volume control on amixer -D uac"; exit 12; }
amixer -D uac sset "$ctl" 100% unmute || exit 12
amixer -D uac sget "$ctl" > vol-unity.txt 2>&1
cat vol-unity.txt

# per-thread CPU ticks and context switches of uacd: "comm/tid ticks switches" lines
thread_ticks() {
	local t
	for t in /proc/$1/task/*; do
		printf '%s/%s %s %s\n' "$(tr ' ' _ < "$t/comm")" "${t##*/}" "$(awk '{ print $14 + $15 }' "$t/stat")" \
			"$(awk '/^voluntary_ctxt_switches/ { v = $2 } /^nonvoluntary_ctxt_switches/ { n = $2 } END { print v + n }' "$t/status")"
	done
}

# stream 1: 10 s at unity
thread_ticks "$upid" > threads0.txt
c0=$(cpu_ticks "$upid")
s0=$(sys_ticks)
{ time aplay -q -D uac noise10-tail.wav 2> aplay1.err; } 2> aplay1.time
echo $? > aplay1.rc
s1=$(sys_ticks)
c1=$(cpu_ticks "$upid")
echo "uacd_guest_cpu_s=$(secs "$s0" "$s1") aplay_$(cat aplay1.time) uacd_cpu_s=$(secs "$c0" "$c1")" > cpu.txt
thread_ticks "$upid" > threads1.txt
# where uacd's CPU went during stream 1, per thread: seconds, wake-ups
awk -v hz="$(getconf CLK_TCK)" 'NR == FNR { t[$1] = $2; w[$1] = $3; next }
	{ printf "%s%s=%.2fs/%dwakeups", sep, $1, ($2 - t[$1]) / hz, $3 - w[$1]; sep = " " }
	END { print "" }' threads0.txt threads1.txt > threads.txt
echo "aplay1 rc=$(cat aplay1.rc)"; cat aplay1.err cpu.txt

# stream 2: 2 s after a 6 dB step down
amixer -D uac sset "$ctl" 6dB- > /dev/null || exit 13
amixer -D uac sget "$ctl" > vol-step.txt 2>&1
cat vol-step.txt
aplay -q -D uac noise2-tail.wav 2> aplay2.err
echo $? > aplay2.rc
amixer -D uac sset "$ctl" 100% > /dev/null

# stream 3: cut by the unplug
devnum=$(cat /sys/bus/usb/devices/1-1/devnum)
aplay -q -D uac noise10c-tail.wav 2> aplay3.err &
apid=$!
sleep 1
touch playing
wait $apid
echo $? > aplay3.rc
echo "aplay3 rc=$(cat aplay3.rc):"; cat aplay3.err
sleep 1
if kill -0 "$upid"; then echo running > uacd-after-unplug.txt; else echo exited > uacd-after-unplug.txt; fi
touch aplay3-done

# stream 4: after device_add
for i in $(seq 1 300); do
	n=$(cat /sys/bus/usb/devices/1-1/devnum 2>/dev/null)
	[ -n "$n" ] && [ "$n" != "$devnum" ] && break
	sleep 0.1
done
echo "re-added: usb 1-1 devnum $devnum -> ${n:-none}"
# give uacd time to notice the new device and claim it; the new device
# starts at QEMU's default volume (-0.5 dB): set unity again (uacd should
# re-apply its own volume on re-open anyway)
sleep 3
amixer -D uac sset "$ctl" 100% unmute > /dev/null
aplay -q -D uac noise2-tail.wav 2> aplay4.err
echo $? > aplay4.rc
echo "aplay4 rc=$(cat aplay4.rc)"; cat aplay4.err
kill -TERM "$upid"
wait "$upid"
echo "uacd exit status $?"
# SIGTERM: uacd releases the interfaces and snd-usb-audio takes the device back
if guest_wait_card; then echo "card $(guest_card)" > kernel-back.txt; else echo none > kernel-back.txt; fi
echo "after uacd: snd-usb-audio has $(cat kernel-back.txt)"
dmesg | grep -E 'usb 1-1|snd|USB|usbfs' > dmesg.txt
exit 0
EOF
chmod +x "$vm_share/guest.sh"

cat > "$vm_share/guest-multi.sh" <<'EOF'
#!/bin/bash
. ./guest-lib.sh
. ./guest-env.sh
exec > guest-multi.log 2>&1
guest_wait_card || { echo "no QEMU USB audio card"; exit 10; }
[ -r /sys/kernel/debug/usb/usbmon/1u ] || { echo "no usbmon"; exit 12; }
mkdir -p /run/uacd
for c in 2 6 8; do
	cat /sys/kernel/debug/usb/usbmon/1u > "usbmon-uacd-$c.txt" &
	mon=$!
	sleep 0.2
	"$UACD" -f --socket "$UACD_SOCKET" --policy "$UACD_POLICY" --device "usb:46f4:0002,channels=$c" > "uacd-multi-$c.log" 2>&1 &
	upid=$!
	wait_file "$UACD_SOCKET" 15 || { echo "uacd ($c channels) did not start"; cat "uacd-multi-$c.log"; }
	aplay -q -D uac "noise-$c-tail.wav" 2> "aplay-multi-$c.err"
	echo $? > "aplay-multi-$c.rc"
	# stop recording the bus first: snd-usb-audio's probe after uacd
	# exits sets alt settings of its own
	kill "$mon"
	wait "$mon" 2>/dev/null
	kill -TERM "$upid"
	wait "$upid"
	echo $? > "uacd-multi-$c.rc"
	echo "$c channels: aplay rc=$(cat "aplay-multi-$c.rc") $(cat "aplay-multi-$c.err"); uacd exit $(cat "uacd-multi-$c.rc")"
	# snd-usb-audio takes the device back after uacd releases it
	sleep 0.5
done
exit 0
EOF
chmod +x "$vm_share/guest-multi.sh"

qdir=$(mktemp -d /tmp/vmqmp.XXXXXX) || exit 1
trap 'rm -rf "$qdir"' EXIT
sock=$qdir/qmp.sock

start=$(date +%s.%N)
vm_run --script guest.sh --timeout 240 --qmp "$sock" --wav2 "$vm_share/out2.wav" &
vm_pid=$!
del_rc=skipped add_rc=skipped
if wait_file "$vm_share/playing" 150; then
	sleep 2
	"$vmqmp" "$sock" '{"execute":"device_del","arguments":{"id":"ua"}}' \
		--wait-event DEVICE_DELETED --timeout 20 > "$vm_share/qmp-del.txt"
	del_rc=$?
	wait_file "$vm_share/aplay3-done" 30
	"$vmqmp" "$sock" '{"execute":"device_add","arguments":{"driver":"usb-audio","id":"ua2","audiodev":"snd1","bus":"xhci.0","port":"1"}}' \
		--timeout 20 > "$vm_share/qmp-add.txt"
	add_rc=$?
fi
wait $vm_pid
vm_rc=$?
end=$(date +%s.%N)
vm_timing=$(grep -m1 '^run-vm: boot=' "$vm_share/run-vm.err")
cat "$vm_share/guest.log" 2>/dev/null
echo "--- uacd log"
cat "$vm_share/uacd.log" 2>/dev/null
[ "$vm_rc" = 0 ] || vm_fail "guest script exited with $vm_rc"

# uacctl describe --device on the live device gives the model of the
# descriptor rebuilt from QEMU's lsusb dump (tests/fixtures/descriptors)
live=$(sed -n 's/.*\("functions":.*\)/\1/p' "$vm_share/describe.json")
ref=$("$top_builddir/engine/uacctl/uacctl" describe --json "$top_srcdir/tests/fuzz/corpus-descriptors/qemu-usb-audio.bin" |
	sed -n 's/.*\("functions":.*\)/\1/p')
if [ -n "$live" ] && [ "$live" = "$ref" ]; then
	echo "ok: uacctl describe --device usb:46f4:0002 matches the lsusb-derived model ($(printf %s "$live" | wc -c) bytes of JSON)"
else
	echo "FAIL: uacctl describe --device differs from the lsusb-derived model"
	cat "$vm_share/describe.err"
	printf 'live: %s\nref:  %s\n' "$live" "$ref" | cut -c1-400
	vm_fail "describe --device"
fi

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

echo "--- stream 0: 10 s at unity through snd-usb-audio (reference)"
"$wavcmp" cmp "$vm_share/noise10.wav" "$vm_share/out.wav" | tee "$vm_share/cmp0.txt"
check "kernel reference aplay rc 0 (stderr: $(cat "$vm_share/aplay0.err"))" [ "$(cat "$vm_share/aplay0.rc")" = 0 ]
check "kernel reference bit-exact" grep -q '^result=bit-exact:' "$vm_share/cmp0.txt"
off0=$(vm_field offset "$vm_share/cmp0.txt")
case $off0 in ''|none) off0=0 ;; esac

echo "--- stream 1: 10 s at unity through uacd"
"$wavcmp" cmp "$vm_share/noise10.wav" "$vm_share/out.wav" --skip $((off0 + 480000)) | tee "$vm_share/cmp1.txt"
check "aplay -D uac rc 0 (stderr: $(cat "$vm_share/aplay1.err"))" [ "$(cat "$vm_share/aplay1.rc")" = 0 ]
check "stream 1 bit-exact" grep -q '^result=bit-exact:' "$vm_share/cmp1.txt"

echo "--- stream 2: 6 dB down"
check "aplay -D uac (volume step) rc 0" [ "$(cat "$vm_share/aplay2.rc")" = 0 ]
step_db=$(sed -n 's/.*\[\(-\{0,1\}[0-9.]*\)dB\].*/\1/p' "$vm_share/vol-step.txt" | head -n1)
unity_db=$(sed -n 's/.*\[\(-\{0,1\}[0-9.]*\)dB\].*/\1/p' "$vm_share/vol-unity.txt" | head -n1)
# QEMU: q = ((raw - 0x8000) * 255 + 0x4400) / 0x8800, amplitude q/255
expect=$(awk -v u="${unity_db:-8}" -v s="${step_db:-8}" '
	function q(db,   raw, v) {
		raw = int(db * 256 + (db < 0 ? -0.5 : 0.5)); if (raw > 2048) raw = 2048
		v = int(((raw + 32768) * 255 + 17408) / 34816); if (v > 255) v = 255
		return v
	}
	BEGIN { printf "%.4f", 20 * log(q(s) / q(u)) / log(10) }')
off=$(vm_field offset "$vm_share/cmp1.txt")
case $off in ''|none) off=$((off0 + 480000)) ;; esac
"$wavcmp" gain "$vm_share/noise2.wav" "$vm_share/out.wav" --skip $((off + 480000)) \
	--expect "$expect" --tol 0.05 | tee "$vm_share/gain.txt"
check "control ${unity_db} -> ${step_db} dB: recorded gain $(vm_field gain_db "$vm_share/gain.txt") dB, QEMU's mapping ${expect} dB" \
	grep -q '^result=ok' "$vm_share/gain.txt"

echo "--- stream 3: cut by device_del"
check "QMP device_del (rc $del_rc)" [ "$del_rc" = 0 ]
check "aplay -D uac ends with an error on unplug (rc $(cat "$vm_share/aplay3.rc" 2>/dev/null), stderr: $(cat "$vm_share/aplay3.err" 2>/dev/null))" \
	[ "$(cat "$vm_share/aplay3.rc" 2>/dev/null)" != 0 -a -s "$vm_share/aplay3.err" ]
check "uacd keeps running after the unplug" [ "$(cat "$vm_share/uacd-after-unplug.txt" 2>/dev/null)" = running ]
"$wavcmp" cmp "$vm_share/noise10c.wav" "$vm_share/out.wav" --allow-truncated | tee "$vm_share/cmp3.txt"
check "stream 3 bit-exact up to the unplug" grep -q '^result=bit-exact' "$vm_share/cmp3.txt"

echo "--- stream 4: after device_add"
check "QMP device_add (rc $add_rc)" [ "$add_rc" = 0 ]
check "aplay -D uac after re-plug rc 0 (stderr: $(cat "$vm_share/aplay4.err" 2>/dev/null))" \
	[ "$(cat "$vm_share/aplay4.rc" 2>/dev/null)" = 0 ]
"$wavcmp" cmp "$vm_share/noise2.wav" "$vm_share/out2.wav" | tee "$vm_share/cmp4.txt"
check "stream 4 bit-exact" grep -q '^result=bit-exact:' "$vm_share/cmp4.txt"

check "snd-usb-audio has the device back after uacd's SIGTERM ($(cat "$vm_share/kernel-back.txt" 2>/dev/null))" \
	grep -q '^card ' "$vm_share/kernel-back.txt"

echo "--- stream 5: multichannel alt settings (multi=on, usbmon)"
vm_run --script guest-multi.sh --multi --timeout 120
cat "$vm_share/guest-multi.log" 2>/dev/null
check "multichannel guest script rc 0 (rc $vm_rc)" [ "$vm_rc" = 0 ]
for c in 2 6 8; do
	case $c in
	2) alt=1 ;;
	6) alt=2 ;;
	8) alt=3 ;;
	esac
	size=$((48 * c * 2))
	got=$(vm_usbmon_summary "$vm_share/usbmon-uacd-$c.txt")
	n=$(echo "$got" | sed -n 's/.* packets=\([0-9]*\) .*/\1/p')
	echo "$c channels: $got (snd-usb-audio: alt=$alt sizes=$size)"
	check "uacd $c channels: aplay rc 0 ($(cat "$vm_share/aplay-multi-$c.err" 2>/dev/null)), uacd exit 0" \
		[ "$(cat "$vm_share/aplay-multi-$c.rc" 2>/dev/null)" = 0 -a "$(cat "$vm_share/uacd-multi-$c.rc" 2>/dev/null)" = 0 ]
	check "uacd $c channels: alt $alt, every iso packet $size bytes, ${n:-0} >= 100 packets" \
		[ "${got% packets=*}" = "alt=$alt" -a "${got##* sizes=}" = "$size" -a "${n:-0}" -ge 100 ]
done

row() {	# NAME CMPFILE CPUFILE
	printf '%-8s %-6s %8s %5s %9s %8s %13s  %s\n' "$1" \
		"$(grep -q '^result=bit-exact:' "$2" && echo yes || echo NO)" \
		"$(vm_field matched "$2")" "$(vm_field lost "$2")" "$(vm_field repeated "$2")" \
		"$(vm_field corrupt "$2")" "$(vm_field missing_tail "$2")" \
		"$(cat "$3" 2>/dev/null)"
}
echo "--- summary: 10 s white noise, kernel driver vs uacd, same VM"
printf '%-8s %-6s %8s %5s %9s %8s %13s  %s\n' driver exact matched lost repeated corrupt missing_tail cpu
row kernel "$vm_share/cmp0.txt" "$vm_share/cpu-kernel.txt"
row uacd "$vm_share/cmp1.txt" "$vm_share/cpu.txt"
echo "uacd threads during stream 1 (CPU, wake-ups): $(cat "$vm_share/threads.txt" 2>/dev/null)"
echo "timing: ${vm_timing#run-vm: } test_wall=$(awk -v a=$start -v b=$end 'BEGIN { printf "%.1f", b - a }')"
[ "$fails" = 0 ] || { echo "FAIL: $fails check(s) failed"; exit 1; }
exit 0
