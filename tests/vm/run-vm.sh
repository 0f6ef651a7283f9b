#!/bin/bash
# tests/vm/run-vm.sh: boot the test VM (see build-image.sh for the design),
# run one guest script inside the chroot of the host's root filesystem, power
# off, and exit with the guest script's exit code.
#
# usage: run-vm.sh --share DIR --script FILE [options]
#   --share DIR      writable host directory, mounted at the same absolute
#                    path in the guest (9p tag vmshare); the script runs
#                    with it as cwd.  No spaces in the path.
#   --script FILE    guest script (run with /bin/sh), relative to DIR
#   --cache DIR      image cache (default $top_builddir/vm-cache)
#   --wav FILE       where QEMU records usb-audio device "ua" (audiodev snd0);
#                    default DIR/out.wav
#   --wav2 FILE      also declare audiodev "snd1" recording to FILE, for a
#                    device re-added with device_add after an unplug
#   --multi          usb-audio multi=on (6/8-channel alt settings)
#   --no-audio       no usb-audio device at boot (guest does not wait for card 0;
#                    audiodev snd0 is still there for a device_add)
#   --qmp SOCK       QMP monitor at unix socket SOCK (see qmp.c)
#   --timeout SECS   hard limit for the whole VM run (default 240)
#   --console FILE   guest console log (default DIR/console.log)
#
# Exit: the guest script's exit code; 77 with "SKIP: ..." when qemu or the
# image is unavailable; 124 when the hard timeout killed QEMU; 125 when the
# VM stopped without reporting an exit code (see the console log).
# On stderr, one line "run-vm: boot=B script=S total=T user=U sys=Y" with
# seconds of guest boot (kernel start to script start, guest clock), of the
# script, of the whole QEMU run (host wall clock) and QEMU's host CPU time.
set -u

here=$(cd "$(dirname "$0")" && pwd)
cache=${top_builddir:-.}/vm-cache
share= script= wav= wav2= multi= noaudio= qmp= timeout=240 console=

while [ $# -gt 0 ]; do
	case $1 in
	--share) share=$2; shift ;;
	--script) script=$2; shift ;;
	--cache) cache=$2; shift ;;
	--wav) wav=$2; shift ;;
	--wav2) wav2=$2; shift ;;
	--multi) multi=,multi=on ;;
	--no-audio) noaudio=1 ;;
	--qmp) qmp=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--console) console=$2; shift ;;
	*) echo "run-vm: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$share" ] && [ -n "$script" ] || { echo "run-vm: --share and --script are required" >&2; exit 2; }
share=$(cd "$share" && pwd) || exit 2
case $share in *' '*) echo "run-vm: share path has a space: $share" >&2; exit 2 ;; esac
[ -f "$share/$script" ] || { echo "run-vm: no $share/$script" >&2; exit 2; }
: "${wav:=$share/out.wav}"
: "${console:=$share/console.log}"

qemu=$(command -v qemu-system-x86_64) ||
	{ echo "SKIP: qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"; exit 77; }
"$qemu" -accel help 2>/dev/null | grep -qx tcg ||
	{ echo "SKIP: $qemu has no TCG accelerator"; exit 77; }
"$qemu" -device help 2>/dev/null | grep -q '"usb-audio"' ||
	{ echo "SKIP: $qemu has no usb-audio device"; exit 77; }

env_out=$("$here/build-image.sh" "$cache")
rc=$?
if [ $rc -ne 0 ]; then
	echo "$env_out"
	exit $rc
fi
KERNEL= INITRD=
eval "$(echo "$env_out" | grep -E '^(KVER|KERNEL|INITRD)=')"
[ -f "$KERNEL" ] && [ -f "$INITRD" ] || { echo "run-vm: image missing in $cache" >&2; exit 1; }

audio=(-audiodev "wav,id=snd0,path=$wav,out.frequency=48000,out.channels=2,out.format=s16")
[ -z "$noaudio" ] && audio+=(-device "usb-audio,id=ua,audiodev=snd0,bus=xhci.0,port=1$multi")
if [ -n "$wav2" ]; then
	audio+=(-audiodev "wav,id=snd1,path=$wav2,out.frequency=48000,out.channels=2,out.format=s16")
fi
[ -n "$qmp" ] && audio+=(-qmp "unix:$qmp,server,nowait")

rm -f "$share/.vm-rc"
append="console=ttyS0 panic=-1 loglevel=4 vmshare=$share vmscript=$script"
# The guest gets a fresh tmpfs on /tmp and /run: source and build trees that
# live there (a CI clone in /tmp) are bound back in at their own paths.
vmbind=
for d in "${top_srcdir:-}" "${top_builddir:-}"; do
	case "$d" in
	/tmp/*|/run/*) vmbind="$vmbind${vmbind:+:}$d" ;;
	esac
done
case "$vmbind" in *" "*) echo "run-vm: paths with spaces cannot be shared: $vmbind" >&2; exit 125 ;; esac
[ -n "$vmbind" ] && append="$append vmbind=$vmbind"
[ -n "$noaudio" ] && append="$append vmnocard=1"

TIMEFORMAT='%R %U %S'
times=$( { time timeout -k 5 "$timeout" "$qemu" \
	-machine q35,accel=tcg -cpu max -m 1024 -smp 1 -nographic -no-reboot -nic none \
	-kernel "$KERNEL" -initrd "$INITRD" -append "$append" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$share,mount_tag=vmshare,security_model=none" \
	-device qemu-xhci,id=xhci \
	"${audio[@]}" \
	< /dev/null > "$console" 2>&1; echo "qemu-rc $?" >&2; } 2>&1)
qrc=$(echo "$times" | sed -n 's/^qemu-rc //p')
read -r wall user sys <<< "$(echo "$times" | grep -v '^qemu-rc')"

# Guest clock stamps written by /init: "vm-init[T]: running ..." and
# "vm-init[T]: script exited ...".
t_run=$(sed -n 's/^vm-init\[\([0-9.]*\)\]: running .*/\1/p' "$console" | head -n1)
t_end=$(sed -n 's/^vm-init\[\([0-9.]*\)\]: script exited .*/\1/p' "$console" | head -n1)
script_s=$(awk -v a="${t_run:-0}" -v b="${t_end:-0}" 'BEGIN { printf "%.2f", b - a }')
echo "run-vm: boot=${t_run:-?} script=${script_s} total=$wall user=$user sys=$sys" >&2

if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "run-vm: QEMU killed after the ${timeout} s timeout (console: $console)" >&2
	exit 124
fi
if [ ! -f "$share/.vm-rc" ]; then
	echo "run-vm: the VM stopped (qemu rc $qrc) without an exit code; console: $console" >&2
	tail -n 20 "$console" >&2
	exit 125
fi
exit "$(cat "$share/.vm-rc")"
