#!/bin/sh
# tests/usbfake/test-usb-absent.sh: the daemon with usb device specs on a
# machine where the device is not there (the CI host has no USB at all):
# clear errors and exit status 1, never a crash; bad usb specs are refused
# with the option's name.  With --wait-for-devices (or wait_for_devices =
# yes) the daemon serves anyway, says it waits, lists no device and stops
# cleanly.  SKIP (77) when this machine has a USB audio
# device that could answer.
set -u
uacd=$top_builddir/engine/daemon/uacd
policy=$top_srcdir/entitlement-policy/policy.yml
T=$(mktemp -d /tmp/usb-absent.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT

for d in /sys/bus/usb/devices/*/bInterfaceClass; do
	[ -e "$d" ] && [ "$(cat "$d")" = 01 ] &&
		{ echo "SKIP: this machine has a USB audio interface ($d)"; exit 77; }
done

fails=0
check() {	# EXPECTED-LINE uacd-device-spec
	out=$("$uacd" -f -s "$T/s.sock" --policy "$policy" -d "$2" 2>&1)
	rc=$?
	if [ "$rc" = 1 ] && [ "$out" = "$1" ]; then
		echo "ok: -d '$2': rc 1, '$out'"
	else
		echo "FAIL: -d '$2': rc $rc, got '$out', expected '$1'"
		fails=$((fails + 1))
	fi
}
check "uacd: usb: no USB audio device matches" usb
check "uacd: usb:46f4:0002: no USB audio device matches" usb:46f4:0002
check "uacd: usb:path=1-1: no USB audio device matches" usb:path=1-1
check "uacd: usb: unknown option 'bogus' (known: rate, channels, format, transfers, packets, priority, name)" "usb,bogus=1"
check "uacd: usb: vendor=xyz: expected a hexadecimal number from 0 to 65535" usb:xyz:0002
check "uacd: usb: channels=0: expected an integer from 1 to 32" "usb,channels=0"
check "uacd: device spec 'usbx': expected sim[:options] or usb[:VID:PID[:SERIAL]|:path=BUS-PORT][,options]" usbx
[ -e "$T/s.sock" ] && { echo "FAIL: a socket was left behind"; fails=$((fails + 1)); }
# uacctl describe --device reads a live device; with none it says so
out=$("$top_builddir/engine/uacctl/uacctl" describe --device usb:46f4:0002 2>&1); rc=$?
if [ $rc = 1 ] && [ "$out" = "uacctl: describe: usb:46f4:0002: no USB audio device matches" ]; then
	echo "ok: uacctl describe --device: $out"
else
	echo "FAIL: uacctl describe --device: rc $rc, got '$out'"
	fails=$((fails + 1))
fi

# --wait-for-devices: the daemon starts and waits for the device
"$uacd" -f -s "$T/w.sock" --policy "$policy" -d usb:46f4:0002 --wait-for-devices > "$T/w.log" 2>&1 &
upid=$!
i=0
while [ ! -S "$T/w.sock" ] && [ $i -lt 100 ] && kill -0 $upid 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
first=$(head -n1 "$T/w.log")
want="uacd: usb:46f4:0002: no USB audio device matches; waiting for it to be plugged in"
if [ -S "$T/w.sock" ] && [ "$first" = "$want" ]; then
	echo "ok: --wait-for-devices: serving, '$first'"
else
	echo "FAIL: --wait-for-devices: socket $( [ -S "$T/w.sock" ] && echo yes || echo no), log:"
	cat "$T/w.log"
	fails=$((fails + 1))
fi
out=$(UACD_SOCKET=$T/w.sock "$top_builddir/engine/uacctl/uacctl" --json devices 2>&1); rc=$?
if [ $rc = 0 ] && [ "$out" = "[]" ]; then
	echo "ok: uacctl --json devices while waiting: $out"
else
	echo "FAIL: uacctl --json devices while waiting: rc $rc, '$out'"
	fails=$((fails + 1))
fi
kill -TERM $upid 2>/dev/null
wait $upid
rc=$?
if [ $rc = 0 ]; then
	echo "ok: SIGTERM while waiting: exit 0"
else
	echo "FAIL: SIGTERM while waiting: exit $rc"
	cat "$T/w.log"
	fails=$((fails + 1))
fi
[ "$fails" = 0 ] || exit 1
exit 0
