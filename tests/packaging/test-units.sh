#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The systemd units as built (paths substituted by make) must pass
# `systemd-analyze verify`, and uacd.service must be hardened: the
# exposure level of `systemd-analyze security --offline=yes` must be
# "OK" or better (exposure below 5.0; levels: PERFECT, SAFE, OK,
# MEDIUM, EXPOSED, UNSAFE).  The number is printed; the level is asserted,
# along with the settings the service cannot work without.
set -u

: "${top_srcdir:=.}"
: "${top_builddir:=.}"
units=$top_builddir/systemd
fail=0

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze is not installed (package systemd)"
	exit 77
fi
for f in uacd.service; do
	if [ ! -f "$units/$f" ]; then
		echo "ERROR: $units/$f is not built"
		exit 99
	fi
done
if [ ! -x "$top_builddir/engine/daemon/uacd" ]; then
	echo "ERROR: $top_builddir/engine/daemon/uacd is not built"
	exit 99
fi
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

# verify wants ExecStart's binary to exist: point the copy at the built
# daemon (the path is the only difference from the unit that is installed).
sbin=$(sed -n 's|^ExecStart=\(/[^ ]*\)/uacd .*|\1|p' "$units/uacd.service")
if [ -z "$sbin" ]; then
	echo "FAIL: uacd.service has no ExecStart=<sbindir>/uacd ..."
	exit 1
fi
abs_uacd=$(cd "$top_builddir/engine/daemon" && pwd)/uacd
sed "s|^ExecStart=$sbin/uacd |ExecStart=$abs_uacd |" "$units/uacd.service" > "$tmp/uacd.service"
cp "$top_srcdir/systemd/uacd.socket" "$tmp/uacd.socket"

# Both messages and status count: verify prints warnings for things it
# accepts, and those are mistakes in a unit too.
out=$(cd "$tmp" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no ./uacd.socket ./uacd.service 2>&1)
rc=$?
if [ $rc -ne 0 ] || [ -n "$out" ]; then
	echo "FAIL: systemd-analyze verify (exit $rc):"
	printf '%s\n' "$out" | sed 's/^/  /'
	fail=1
else
	echo "ok: systemd-analyze verify uacd.socket uacd.service: no output, exit 0"
fi

# --offline needs systemd >= 250.
out=$(cd "$tmp" && systemd-analyze security --offline=yes --no-pager ./uacd.service 2>&1)
rc=$?
line=$(printf '%s\n' "$out" | grep 'Overall exposure level for uacd.service:')
if [ -z "$line" ]; then
	echo "FAIL: systemd-analyze security --offline=yes printed no exposure (exit $rc):"
	printf '%s\n' "$out" | tail -5 | sed 's/^/  /'
	fail=1
else
	exposure=$(printf '%s\n' "$line" | sed 's/.*: *\([0-9.]*\) .*/\1/')
	level=$(printf '%s\n' "$line" | sed 's/.*[0-9] *\([A-Z]*\).*/\1/')
	echo "exposure of uacd.service: $exposure $level"
	case $level in
	PERFECT | SAFE | OK)
		echo "ok: exposure level $level is OK or better";;
	*)
		echo "FAIL: exposure level $level ($exposure), expected OK or better"
		printf '%s\n' "$out" | grep '✗' | sed 's/^/  /'
		fail=1;;
	esac
fi

# What the daemon cannot work without, so that hardening never removes it.
for want in 'Type=notify' 'NotifyAccess=main' 'WatchdogSec=5' 'RuntimeDirectory=uacd' \
	'LimitRTPRIO=95' 'LimitNOFILE=2048' 'LimitMEMLOCK=640M' 'DeviceAllow=char-usb_device rw' \
	'RestrictAddressFamilies=AF_UNIX AF_NETLINK' \
	'CapabilityBoundingSet=CAP_SYS_NICE CAP_IPC_LOCK CAP_SYS_PTRACE CAP_SETUID CAP_SETGID'; do
	if ! grep -qx "$want" "$units/uacd.service"; then
		echo "FAIL: uacd.service lacks '$want'"
		fail=1
	fi
done
grep -q '^ExecStart=.*/uacd -f --user uacd --wait-for-devices$' "$units/uacd.service" || {
	echo "FAIL: ExecStart does not run 'uacd -f --user uacd --wait-for-devices'"
	fail=1
}
for want in 'ListenSequentialPacket=/run/uacd/uacd.sock' 'SocketMode=0666'; do
	grep -qx "$want" "$top_srcdir/systemd/uacd.socket" || {
		echo "FAIL: uacd.socket lacks '$want'"
		fail=1
	}
done
[ $fail -eq 0 ] && echo "ok: units carry what the daemon needs"

# sysusers.d and tmpfiles.d, applied to an empty root: the user the
# service switches to, in group audio; /run/uacd.
if command -v systemd-sysusers >/dev/null 2>&1; then
	mkdir -p "$tmp/root/etc"
	if systemd-sysusers --root="$tmp/root" "$top_srcdir/systemd/uacd.sysusers" >/dev/null 2>&1 &&
		grep -q '^uacd:x:[0-9]*:[0-9]*:uacd USB audio driver:/nonexistent:/usr/sbin/nologin$' "$tmp/root/etc/passwd" &&
		grep -q '^audio:x:[0-9]*:uacd$' "$tmp/root/etc/group"; then
		echo "ok: sysusers creates user uacd (nologin) in group audio"
	else
		echo "FAIL: systemd-sysusers uacd.sysusers:"
		cat "$tmp/root/etc/passwd" "$tmp/root/etc/group" 2>&1 | sed 's/^/  /'
		fail=1
	fi
fi
if command -v systemd-tmpfiles >/dev/null 2>&1; then
	mkdir -p "$tmp/troot"
	systemd-tmpfiles --root="$tmp/troot" --create "$top_srcdir/systemd/uacd.tmpfiles" >/dev/null 2>&1
	mode=$(stat -c %a "$tmp/troot/run/uacd" 2>/dev/null)
	if [ "$mode" = 755 ]; then
		echo "ok: tmpfiles creates /run/uacd 0755"
	else
		echo "FAIL: tmpfiles: /run/uacd mode '$mode', expected 755"
		fail=1
	fi
fi
exit $fail
