#!/bin/bash
# tests/vm/test-vm-hotplug-kernel.sh: hot-unplug REFERENCE with the kernel's
# snd-usb-audio, what uacd's unplug handling is measured against.
#
#  1. the guest plays 10 s of white noise with aplay -D hw:CARD,0;
#  2. ~2 s in, the host removes the device through QMP (device_del ua, then
#     waits for QEMU's DEVICE_DELETED event);
#  3. aplay must end with rc 1 and "write error: File descriptor in bad
#     state" or "write error: No such device" (its exact text is printed):
#     the kernel says EBADFD when aplay's next write finds the stream
#     already DISCONNECTED, ENODEV when the disconnect lands while a write
#     waits; which one depends on where aplay is at that moment (seen on a
#     loaded host); the guest kernel logs the "USB disconnect";
#  4. the host re-adds it (device_add usb-audio,id=ua2,audiodev=snd1,
#     bus=xhci.0,port=1: same port path 1-1, its own audiodev because
#     re-adding on snd0 would truncate the first recording);
#  5. the guest waits for the new device number on 1-1 and its ALSA card,
#     plays 2 s of another noise, and the host checks both recordings: the
#     first is bit-exact up to where the unplug cut it, the second is
#     bit-exact on every frame.
set -u
. "$(dirname "$0")/vm-lib.sh"

vm_init vm-hotplug-kernel
vm_gen
vm_write_guest_lib

cat > "$vm_share/guest.sh" <<'EOF'
#!/bin/bash
. ./guest-lib.sh
exec > guest.log 2>&1
guest_wait_card || { echo "no QEMU USB audio card"; exit 10; }
card=$(guest_card)
ctl=$(guest_volctl "$card")
amixer -c "$card" sset "$ctl" 100% unmute > /dev/null || exit 11
devnum=$(cat /sys/bus/usb/devices/1-1/devnum)
echo "before: card=$card usb 1-1 devnum=$devnum"

aplay -q -D "hw:$card,0" noise10-tail.wav 2> aplay1.err &
pid=$!
sleep 1
touch playing
t0=$(now)
wait $pid
echo $? > aplay1.rc
t1=$(now)
echo "aplay1 rc=$(cat aplay1.rc) after $(awk -v a=$t0 -v b=$t1 'BEGIN { print b - a }') s; stderr:"
cat aplay1.err
touch aplay1-done

# the host re-adds the device; wait for a new device number on 1-1
for i in $(seq 1 300); do
	n=$(cat /sys/bus/usb/devices/1-1/devnum 2>/dev/null)
	[ -n "$n" ] && [ "$n" != "$devnum" ] && break
	sleep 0.1
done
[ -n "$n" ] && [ "$n" != "$devnum" ] || { echo "device did not come back on 1-1"; dmesg | tail; exit 12; }
guest_wait_card || { echo "no ALSA card for the re-added device"; exit 13; }
card=$(guest_card)
ctl=$(guest_volctl "$card")
echo "after: card=$card usb 1-1 devnum=$n"
amixer -c "$card" sset "$ctl" 100% unmute > /dev/null || exit 14
aplay -q -D "hw:$card,0" noise2-tail.wav 2> aplay2.err
echo $? > aplay2.rc
dmesg | grep -E 'usb 1-1|snd|USB' > dmesg.txt
exit 0
EOF
chmod +x "$vm_share/guest.sh"

qdir=$(mktemp -d /tmp/vmqmp.XXXXXX) || exit 1
trap 'rm -rf "$qdir"' EXIT
sock=$qdir/qmp.sock


start=$(date +%s.%N)
vm_run --script guest.sh --timeout 200 --qmp "$sock" --wav2 "$vm_share/out2.wav" &
vm_pid=$!

wait_file "$vm_share/playing" 90 || { wait $vm_pid; vm_fail "guest never started playing"; }
sleep 2
t_del=$(date +%s.%N)
"$vmqmp" "$sock" '{"execute":"device_del","arguments":{"id":"ua"}}' \
	--wait-event DEVICE_DELETED --timeout 20 > "$vm_share/qmp-del.txt"
del_rc=$?
t_deleted=$(date +%s.%N)
cat "$vm_share/qmp-del.txt"
wait_file "$vm_share/aplay1-done" 30
"$vmqmp" "$sock" '{"execute":"device_add","arguments":{"driver":"usb-audio","id":"ua2","audiodev":"snd1","bus":"xhci.0","port":"1"}}' \
	--timeout 20 > "$vm_share/qmp-add.txt"
add_rc=$?
cat "$vm_share/qmp-add.txt"
wait $vm_pid
vm_rc=$?
end=$(date +%s.%N)
vm_timing=$(grep -m1 '^run-vm: boot=' "$vm_share/run-vm.err")

cat "$vm_share/guest.log" 2>/dev/null
[ "$del_rc" = 0 ] || vm_fail "QMP device_del failed"
[ "$add_rc" = 0 ] || vm_fail "QMP device_add failed"
[ "$vm_rc" = 0 ] || vm_fail "guest script exited with $vm_rc"

err_text=$(cat "$vm_share/aplay1.err")
echo "--- unplug: aplay rc=$(cat "$vm_share/aplay1.rc"), stderr: $err_text"
echo "device_del -> DEVICE_DELETED: $(awk -v a=$t_del -v b=$t_deleted 'BEGIN { printf "%.2f", b - a }') s"
grep -E 'USB disconnect|new full-speed' "$vm_share/dmesg.txt"
[ "$(cat "$vm_share/aplay1.rc")" = 1 ] || vm_fail "aplay should end with rc 1 on unplug"
case $err_text in
*"write error: File descriptor in bad state"*) ;;
*"write error: No such device"*) ;;
*) vm_fail "aplay's unplug error changed: $err_text" ;;
esac
grep -q 'usb 1-1: USB disconnect, device number' "$vm_share/dmesg.txt" ||
	vm_fail "no 'USB disconnect' in the guest kernel log"

echo "--- stream 1 (cut by the unplug)"
"$wavcmp" cmp "$vm_share/noise10.wav" "$vm_share/out.wav" --allow-truncated | tee "$vm_share/cmp1.txt"
[ "${PIPESTATUS[0]}" = 0 ] || vm_fail "stream 1 is not bit-exact up to the unplug"
matched=$(vm_field matched "$vm_share/cmp1.txt")
[ "$matched" -gt 48000 ] || vm_fail "stream 1 holds only $matched frames before the unplug"

echo "--- stream 2 (re-added device, its own audiodev)"
[ "$(cat "$vm_share/aplay2.rc")" = 0 ] || vm_fail "second aplay failed: $(cat "$vm_share/aplay2.err")"
"$wavcmp" cmp "$vm_share/noise2.wav" "$vm_share/out2.wav" | tee "$vm_share/cmp2.txt"
[ "${PIPESTATUS[0]}" = 0 ] || vm_fail "stream 2 after device_add is not bit-exact"

echo "--- summary"
echo "unplug after $(awk -v m="$matched" 'BEGIN { printf "%.3f", m / 48000 }') s of exact audio; aplay: $err_text"
echo "re-added: $(grep '^result=' "$vm_share/cmp2.txt" | cut -d= -f2-)"
echo "timing: ${vm_timing#run-vm: } test_wall=$(awk -v a=$start -v b=$end 'BEGIN { printf "%.1f", b - a }')"
exit 0
