#!/bin/bash
# tests/vm/test-vm-multi-kernel.sh: multichannel REFERENCE with the kernel's
# snd-usb-audio on QEMU's usb-audio with multi=on (alt 1 = 2 ch, alt 2 = 6 ch,
# alt 3 = 8 ch; wMaxPacketSize 192/576/768).
#
# QEMU 7.2's WAV backend corrupts more than 2 channels even with the kernel
# driver (VM-NOTES.md), so multichannel content is proven on the sim device;
# here the test asserts what the BUS sees, through usbmon in the guest
# (debugfs usb/usbmon/1u): for 2, 6 and 8 channels, the SET_INTERFACE alt
# setting and the size of every iso OUT packet (a synchronous endpoint at
# 48 kHz and 1 ms: exactly 48 frames, 192/576/768 bytes).  The stereo stream
# must also be bit-exact with multi=on.  uacd must produce the same bus
# traffic (vm_usbmon_summary in vm-lib.sh works for either driver).
set -u
. "$(dirname "$0")/vm-lib.sh"

vm_init vm-multi-kernel
vm_write_guest_lib
for c in 2 6 8; do
	"$wavcmp" gen "$vm_share/noise-$c.wav" 1 --seed $c --channels $c &&
	"$wavcmp" gen "$vm_share/noise-$c-tail.wav" 1 --seed $c --channels $c --tail-ms 50 || exit 1
done

cat > "$vm_share/guest.sh" <<'EOF'
#!/bin/bash
. ./guest-lib.sh
exec > guest.log 2>&1
guest_wait_card || { echo "no QEMU USB audio card"; exit 10; }
card=$(guest_card)
ctl=$(guest_volctl "$card")
amixer -c "$card" sset "$ctl" 100% unmute > /dev/null || exit 11
[ -r /sys/kernel/debug/usb/usbmon/1u ] || { echo "no usbmon"; exit 12; }
for c in 2 6 8; do
	cat /sys/kernel/debug/usb/usbmon/1u > "usbmon-$c.txt" &
	mon=$!
	sleep 0.2
	aplay -q -D "hw:$card,0" "noise-$c-tail.wav" 2> "aplay-$c.err"
	echo $? > "aplay-$c.rc"
	kill "$mon"
	wait "$mon" 2>/dev/null
	echo "$c channels: aplay rc=$(cat "aplay-$c.rc") $(cat "aplay-$c.err")"
done
exit 0
EOF
chmod +x "$vm_share/guest.sh"

vm_run --script guest.sh --multi --timeout 120
cat "$vm_share/guest.log" 2>/dev/null
[ "$vm_rc" = 0 ] || vm_fail "guest script exited with $vm_rc"

fails=0
for c in 2 6 8; do
	case $c in
	2) alt=1 ;;
	6) alt=2 ;;
	8) alt=3 ;;
	esac
	size=$((48 * c * 2))
	got=$(vm_usbmon_summary "$vm_share/usbmon-$c.txt")
	echo "$c channels: $got (expected alt=$alt sizes=$size)"
	[ "$(cat "$vm_share/aplay-$c.rc")" = 0 ] || { echo "FAIL: aplay $c channels"; fails=$((fails + 1)); }
	case $got in
	"alt=$alt packets="*" sizes=$size") ;;
	*) echo "FAIL: $c channels: $got"; fails=$((fails + 1)) ;;
	esac
	n=$(echo "$got" | sed -n 's/.* packets=\([0-9]*\) .*/\1/p')
	[ "${n:-0}" -ge 100 ] || { echo "FAIL: $c channels: only ${n:-0} iso packets captured"; fails=$((fails + 1)); }
done

echo "--- stereo with multi=on"
"$wavcmp" cmp "$vm_share/noise-2.wav" "$vm_share/out.wav" | tee "$vm_share/cmp2.txt"
[ "${PIPESTATUS[0]}" = 0 ] || { echo "FAIL: stereo not bit-exact with multi=on"; fails=$((fails + 1)); }
echo "timing: ${vm_timing#run-vm: }"
[ "$fails" = 0 ] || vm_fail "$fails check(s) failed"
exit 0
