# tests/vm/vm-lib.sh: shared by the tests/vm/test-vm-*.sh scripts (sourced).
#
# vm_init NAME      checks that the VM can run here and UACD_SKIP_VM is
#                   unset (else exit 77 with the reason), makes the share
#                   dir $vm_share (fresh, under the build dir, same
#                   absolute path in the guest), and sets
#                   $wavcmp, $vmqmp, $vm_cache, $vm_here.
# vm_gen            writes the test signals into $vm_share:
#                   noise10.wav (10 s white noise, seed 1), noise10-tail.wav
#                   (the same + 50 ms of silence: what is played), and
#                   noise2.wav / noise2-tail.wav (2 s, seed 2).
# vm_run ARGS...    run-vm.sh --cache $vm_cache --share $vm_share ARGS...;
#                   sets $vm_rc and $vm_timing (the "run-vm: boot=..." line).
# vm_field KEY FILE value of KEY=... in wavcmp output FILE.
# wait_file FILE SECONDS
#                   until FILE exists (0), or the VM whose pid is $vm_pid
#                   has ended or SECONDS passed (1).  The guest scripts
#                   have a wait_file of their own in guest-lib.sh.
# vm_fail MSG       print MSG, the guest console tail, exit 1.

vm_here=$(cd "$(dirname "$0")" && pwd)
: "${top_builddir:=$(pwd)}"
: "${top_srcdir:=$(cd "$vm_here/../.." && pwd)}"
vm_cache=$top_builddir/vm-cache

vm_skip() {
	echo "SKIP: $*"
	exit 77
}

vm_init() {
	local name=$1

	# make distcheck sets it (configure UACD_SKIP_VM=1): minutes of TCG
	# per test, already run by the plain `make check` of the same tree.
	[ -z "${UACD_SKIP_VM:-}" ] ||
		vm_skip "UACD_SKIP_VM=$UACD_SKIP_VM is set (make distcheck sets it; plain make check runs the VM tests)"
	command -v qemu-system-x86_64 >/dev/null ||
		vm_skip "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
	qemu-system-x86_64 -accel help 2>/dev/null | grep -qx tcg ||
		vm_skip "qemu-system-x86_64 has no TCG accelerator"
	wavcmp=$top_builddir/tests/vm/wavcmp
	vmqmp=$top_builddir/tests/vm/vmqmp
	[ -x "$wavcmp" ] || vm_skip "$wavcmp not built (make check builds it)"
	[ -x "$vmqmp" ] || vm_skip "$vmqmp not built (make check builds it)"
	vm_share=$top_builddir/tests/vm/$name.work
	case $vm_share in *' '*) vm_skip "build dir path has a space: $vm_share" ;; esac
	rm -rf "$vm_share"
	mkdir -p "$vm_share" || exit 1
	# build (or check) the image first so a missing kernel package is a
	# SKIP with its reason, not a failure
	"$vm_here/build-image.sh" "$vm_cache" > "$vm_share/build-image.log" 2>&1
	case $? in
	0) ;;
	77) vm_skip "$(grep -m1 '^SKIP:' "$vm_share/build-image.log" | sed 's/^SKIP: //')" ;;
	*) cat "$vm_share/build-image.log"; echo "FAIL: build-image.sh failed"; exit 1 ;;
	esac
}

vm_gen() {
	"$wavcmp" gen "$vm_share/noise10.wav" 10 --seed 1 &&
	"$wavcmp" gen "$vm_share/noise10-tail.wav" 10 --seed 1 --tail-ms 50 &&
	"$wavcmp" gen "$vm_share/noise2.wav" 2 --seed 2 &&
	"$wavcmp" gen "$vm_share/noise2-tail.wav" 2 --seed 2 --tail-ms 50 ||
		{ echo "FAIL: wavcmp gen"; exit 1; }
}

vm_run() {
	"$vm_here/run-vm.sh" --cache "$vm_cache" --share "$vm_share" "$@" 2> "$vm_share/run-vm.err"
	vm_rc=$?
	cat "$vm_share/run-vm.err" >&2
	vm_timing=$(grep -m1 '^run-vm: boot=' "$vm_share/run-vm.err")
}

vm_field() {
	sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" "$2" | head -n1
}

wait_file() {	# FILE SECONDS (host: while the VM $vm_pid runs)
	local i
	for i in $(seq 1 $(($2 * 10))); do
		[ -e "$1" ] && return 0
		kill -0 "$vm_pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

vm_fail() {
	echo "FAIL: $*"
	echo "--- guest console (tail) ---"
	tail -n 40 "$vm_share/console.log" 2>/dev/null
	exit 1
}

# Guest-side helpers, written into the share as guest-lib.sh and sourced by
# the guest scripts (bash, inside the chroot).
vm_write_guest_lib() {
	cat > "$vm_share/guest-lib.sh" <<'EOF'
# find the USB audio card and its feature-unit volume control
guest_card() {
	local c
	for c in /proc/asound/card[0-9]*; do
		[ -e "$c/usbid" ] && [ "$(cat "$c/usbid")" = 46f4:0002 ] &&
			{ echo "${c#/proc/asound/card}"; return 0; }
	done
	return 1
}
guest_wait_card() {
	local i
	for i in $(seq 1 200); do
		guest_card >/dev/null && [ -e "/proc/asound/card$(guest_card)/stream0" ] && return 0
		sleep 0.1
	done
	return 1
}
# the one simple mixer control of QEMU's feature unit
guest_volctl() {
	amixer -c "$1" scontrols | sed -n "s/^Simple mixer control '\(.*\)',0$/\1/p" | head -n1
}
# raw volume index (kernel units) of channel 0
guest_volidx() {
	amixer -c "$1" cget "name=$2 Playback Volume" | sed -n 's/^  : values=\([0-9]*\).*/\1/p'
}
now() { cut -d' ' -f1 /proc/uptime; }
# until FILE exists (0) or SECONDS passed (1)
wait_file() {	# FILE SECONDS
	local i
	for i in $(seq 1 $(($2 * 10))); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
EOF
}

# vm_usbmon_summary FILE: from a usbmon text capture (debugfs usb/usbmon/1u,
# see test-vm-multi-kernel.sh), print "alt=A packets=N sizes=S1,S2..":
# A is the last non-zero SET_INTERFACE on interface 1 (the alt setting
# streamed on; alt 0 at the stop is ignored), the
# sizes are the distinct lengths of the iso OUT packets submitted on
# endpoint 1.  Works for whichever driver does the I/O (snd-usb-audio or
# uacd through usbfs): it is what the bus sees.
vm_usbmon_summary() {
	awk '
	$3 == "S" && $4 ~ /^Co:/ && $5 == "s" && $6 == "01" && $7 == "0b" && $9 == "0001" &&
	$8 + 0 != 0 {
		alt = $8 + 0
	}
	$3 == "S" && $4 ~ /^Zo:.*:1$/ {
		# fields after the iso descriptor count: status:offset:length
		for (i = 7; i <= NF; i++) {
			if ($i !~ /^-?[0-9]+:[0-9]+:[0-9]+$/)
				break
			split($i, f, ":")
			n++
			if (!(f[3] in seen)) {
				seen[f[3]] = 1
				sizes = sizes (sizes == "" ? "" : ",") f[3]
			}
		}
	}
	END { printf "alt=%s packets=%d sizes=%s\n", alt == "" ? "none" : alt, n, sizes }
	' "$1"
}
