#!/bin/bash
# tests/vm/test-vm-kernel.sh: the REFERENCE for the real-USB VM tests.
#
# In the VM (tests/vm/build-image.sh), the kernel's own snd-usb-audio plays
# 10 s of white noise (+50 ms silent tail) with aplay -D hw:CARD,0 after the
# feature unit's volume is set to its maximum, which is QEMU's unity gain
# (raw 0x0800 = +8 dB; VM-NOTES.md).  On the host, QEMU's recording must hold
# the 10 s of noise bit for bit (any offset).  Then the volume goes 6 dB down
# (amixer sset 6dB-) and 2 s of another noise is played: the recorded RMS
# level must drop by exactly what QEMU does with that control value.
#
# QEMU's usb-audio maps the 1/256-dB control value LINEARLY in dB onto an
# amplitude factor q/255 (hw/usb/dev-audio.c: q = ((raw - 0x8000) * 255 +
# 0x4400) / 0x8800, audio mixeng multiplies by q/255), so a 6 dB step on the
# control is far less than 6 dB in the recording.  The test asserts QEMU's
# formula to 0.02 dB and prints both numbers.
#
# Prints the timings (guest boot, playback, whole VM run, QEMU host CPU, and
# aplay's guest CPU).  SKIP (77) when qemu, TCG or the kernel package is
# unavailable.
set -u
. "$(dirname "$0")/vm-lib.sh"

vm_init vm-kernel
vm_gen
vm_write_guest_lib

cat > "$vm_share/guest.sh" <<'EOF'
#!/bin/bash
# runs inside the VM, cwd = the share
. ./guest-lib.sh
exec > guest.log 2>&1
TIMEFORMAT='real=%R user=%U sys=%S'
guest_wait_card || { echo "no QEMU USB audio card"; exit 10; }
card=$(guest_card)
ctl=$(guest_volctl "$card")
echo "card=$card control='$ctl'"
cat "/proc/asound/card$card/stream0"
amixer -c "$card" sset "$ctl" 100% unmute > /dev/null || exit 11
echo "unity_index=$(guest_volidx "$card" "$ctl")" > vol.txt
amixer -c "$card" sget "$ctl"

t0=$(now)
{ time aplay -q -D "hw:$card,0" noise10-tail.wav 2> aplay1.err; } 2> aplay1.time
rc=$?
t1=$(now)
echo "aplay1 rc=$rc guest_s=$(awk -v a=$t0 -v b=$t1 'BEGIN { print b - a }') $(cat aplay1.time)"
[ $rc -eq 0 ] || { cat aplay1.err; exit 12; }

amixer -c "$card" sset "$ctl" 6dB- > /dev/null || exit 13
echo "step_index=$(guest_volidx "$card" "$ctl")" >> vol.txt
echo "step_db=$(amixer -c "$card" sget "$ctl" | sed -n 's/.*Front Left:.*\[\(-\{0,1\}[0-9.]*\)dB\].*/\1/p')" >> vol.txt
amixer -c "$card" sget "$ctl"
aplay -q -D "hw:$card,0" noise2-tail.wav 2> aplay2.err || { cat aplay2.err; exit 14; }
cat vol.txt
exit 0
EOF
chmod +x "$vm_share/guest.sh"

start=$(date +%s.%N)
vm_run --script guest.sh --timeout 200
end=$(date +%s.%N)
cat "$vm_share/guest.log" 2>/dev/null
[ "$vm_rc" = 0 ] || vm_fail "guest script exited with $vm_rc"

echo "--- stream 1: 10 s white noise at unity gain, kernel snd-usb-audio"
"$wavcmp" cmp "$vm_share/noise10.wav" "$vm_share/out.wav" | tee "$vm_share/cmp1.txt"
cmp_rc=${PIPESTATUS[0]}
[ -s "$vm_share/aplay1.err" ] && vm_fail "aplay wrote to stderr: $(cat "$vm_share/aplay1.err")"
[ "$cmp_rc" = 0 ] || vm_fail "the kernel driver's recording is not bit-exact"

echo "--- stream 2: 2 s white noise after amixer sset 6dB-"
. "$vm_share/vol.txt"
# kernel: raw = min + index * res (min 0x8001, res 0x88, clamped to max 0x0800)
expect=$(awk -v u="$unity_index" -v s="$step_index" '
	function q(idx,   raw, v) {
		raw = -32767 + idx * 136; if (raw > 2048) raw = 2048
		v = int(((raw + 32768) * 255 + 17408) / 34816); if (v > 255) v = 255
		return v
	}
	BEGIN { printf "%.4f", 20 * log(q(s) / q(u)) / log(10) }')
nominal=$(awk -v u="$unity_index" -v s="$step_index" 'BEGIN {
	a = -32767 + u * 136; if (a > 2048) a = 2048
	b = -32767 + s * 136; if (b > 2048) b = 2048
	printf "%.3f", (b - a) / 256 }')
off=$(vm_field offset "$vm_share/cmp1.txt")
"$wavcmp" gain "$vm_share/noise2.wav" "$vm_share/out.wav" --skip $((off + 480000)) \
	--expect "$expect" --tol 0.02 | tee "$vm_share/gain.txt"
gain_rc=${PIPESTATUS[0]}
measured=$(vm_field gain_db "$vm_share/gain.txt")

echo "--- summary"
echo "reference (kernel snd-usb-audio): $(grep '^result=' "$vm_share/cmp1.txt" | cut -d= -f2-)"
echo "lost=$(vm_field lost "$vm_share/cmp1.txt") repeated=$(vm_field repeated "$vm_share/cmp1.txt") corrupt=$(vm_field corrupt "$vm_share/cmp1.txt")"
echo "volume: index $unity_index -> $step_index, control step ${nominal} dB (kernel says ${step_db} dB); QEMU applies ${expect} dB; measured ${measured} dB"
echo "timing: ${vm_timing#run-vm: } test_wall=$(awk -v a=$start -v b=$end 'BEGIN { printf "%.1f", b - a }')"
echo "aplay (guest): $(sed -n 's/^aplay1 rc=0 //p' "$vm_share/guest.log")"
[ "$gain_rc" = 0 ] || vm_fail "volume step: measured ${measured} dB, QEMU's formula says ${expect} dB"
exit 0
