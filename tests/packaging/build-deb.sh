#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Build the Debian package from a copy of the source tree and check it:
#   1. dpkg-buildpackage -b -us -uc succeeds;
#   2. lintian reports no errors (E:) - warnings are printed, not fatal;
#   3. (as root, unless --no-install) dpkg -i installs it: the daemon, uacctl,
#      uacd-dsp, both ALSA plugins, the units, sysusers/tmpfiles/udev files,
#      man pages and the /etc/uacd conffiles are where Debian expects them,
#      the uacd user exists, uacd.socket is enabled; dpkg -r removes every
#      file but the conffiles; dpkg -P removes those and the enablement.
#      This runs in a throwaway overlay of / (see run_in_overlay), with and
#      without systemd's tools; --host runs it on the real system instead,
#      skipped when files of another install (make install into /usr) are
#      present, since dpkg would take them over.
# Not part of make check: it installs packages and takes minutes.
# Needs: dpkg-dev debhelper lintian fakeroot (apt-get install them) and
# the build dependencies of debian/control.
#
# Usage: tests/packaging/build-deb.sh [--head] [--no-install] [--host] [--keep]
#   --head  package the last commit (git archive HEAD) instead of the
#           working tree (tracked and untracked, non-ignored files)
# Exit: 0 all good, 1 a check failed, 77 tools missing (SKIP).
set -u

# --install-checks DEB (internal): as root, dpkg -i / -r / -P DEB on the
# system this runs on (an overlay, see below); the expected paths are in
# the file expect beside DEB.  Exit 0 all good, 1 a check failed.
if [ "${1:-}" = --install-checks ]; then
	deb=$2
	tmp=$(dirname "$deb")
	expect=$(cat "$tmp/expect")
	fail=0
	userdel uacd >/dev/null 2>&1
	groupdel uacd >/dev/null 2>&1
	getent passwd uacd >/dev/null && { echo "FAIL: cannot remove the uacd user first"; exit 1; }
	sd="systemd not running"
	[ -d /run/systemd/system ] && sd="systemd running"
	command -v systemctl >/dev/null 2>&1 || sd="no systemctl"
	if dpkg -i "$deb" < /dev/null > "$tmp/install.log" 2>&1; then
		echo "ok: dpkg -i ($sd)"
		for f in $expect; do
			[ -e "$f" ] || { echo "FAIL: $f missing after dpkg -i"; fail=1; }
		done
		if getent passwd uacd >/dev/null && id -nG uacd | grep -qw audio; then
			echo "ok: user uacd exists, in group audio: $(id uacd)"
		else
			echo "FAIL: user uacd missing or not in group audio"
			fail=1
		fi
		v=$(/usr/sbin/uacd --version)
		[ "$v" = "uacd 0.1.0" ] || { echo "FAIL: installed uacd --version says '$v'"; fail=1; }
		if [ -L /etc/systemd/system/sockets.target.wants/uacd.socket ]; then
			echo "ok: uacd.socket enabled (sockets.target.wants), uacd.service not"
		else
			echo "FAIL: uacd.socket is not enabled after dpkg -i"
			fail=1
		fi
		[ ! -e /etc/systemd/system/multi-user.target.wants/uacd.service ] ||
			{ echo "FAIL: uacd.service is enabled: it starts by socket activation"; fail=1; }
	else
		echo "FAIL: dpkg -i"
		sed 's/^/  /' "$tmp/install.log"
		fail=1
	fi
	if dpkg -r uacd > "$tmp/remove.log" 2>&1; then
		left=""
		for f in $expect; do
			case $f in /etc/*) continue;; esac
			[ -e "$f" ] && left="$left $f"
		done
		if [ -n "$left" ]; then
			echo "FAIL: left after dpkg -r:$left"
			fail=1
		elif [ ! -e /etc/uacd/uacd.conf ]; then
			echo "FAIL: dpkg -r removed the conffiles"
			fail=1
		else
			echo "ok: dpkg -r removed the files, kept the conffiles"
		fi
	else
		echo "FAIL: dpkg -r"
		sed 's/^/  /' "$tmp/remove.log"
		fail=1
	fi
	if dpkg -P uacd > "$tmp/purge.log" 2>&1; then
		left=$(find /etc/uacd /etc/systemd/system /var/lib/systemd/deb-systemd-helper-enabled \
			-name '*uacd*' 2>/dev/null | tr '\n' ' ')
		if [ -n "$left" ]; then
			echo "FAIL: left after dpkg -P: $left"
			fail=1
		elif dpkg-query -W uacd >/dev/null 2>&1; then
			echo "FAIL: dpkg still knows uacd after dpkg -P"
			fail=1
		else
			echo "ok: dpkg -P removed /etc/uacd and the unit enablement"
		fi
	else
		echo "FAIL: dpkg -P"
		sed 's/^/  /' "$tmp/purge.log"
		fail=1
	fi
	exit $fail
fi

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/../.." && pwd)
install=1
keep=0
head=0
host=0
for a in "$@"; do
	case $a in
	--no-install) install=0;;
	--keep) keep=1;;
	--head) head=1;;
	--host) host=1;;
	*) echo "usage: $0 [--head] [--no-install] [--host] [--keep]" >&2; exit 2;;
	esac
done
for t in dpkg-buildpackage dh lintian fakeroot; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "SKIP: $t is not installed (apt-get install dpkg-dev debhelper lintian fakeroot)"
		exit 77
	fi
done
if [ $install -eq 1 ] && [ "$(id -u)" != 0 ]; then
	echo "note: not root, skipping the install/remove checks"
	install=0
fi
if [ $install -eq 1 ] && dpkg-query -W -f '${Status}' uacd 2>/dev/null | grep -q installed; then
	echo "ERROR: a uacd package is already installed; remove it first (dpkg -P uacd)"
	exit 1
fi

tmp=$(mktemp -d /tmp/uacd-deb.XXXXXX) || exit 1
[ $keep -eq 1 ] || trap 'rm -rf "$tmp"' EXIT
fail=0
src=$tmp/uacd-0.1.0

# The files of a git checkout as they are now (or at HEAD), or the whole
# tree (an unpacked release tarball).
mkdir -p "$src"
if git -C "$top_srcdir" rev-parse --git-dir >/dev/null 2>&1; then
	if [ $head -eq 1 ]; then
		git -C "$top_srcdir" archive HEAD | tar -xf - -C "$src" || exit 1
	else
		(cd "$top_srcdir" && git ls-files -z --cached --others --exclude-standard |
			xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$src" || exit 1
	fi
else
	(cd "$top_srcdir" && tar -cf - --exclude=autom4te.cache .) | tar -xf - -C "$src" || exit 1
fi

echo "== dpkg-buildpackage -b -us -uc (log: $tmp/build.log)"
if ! (cd "$src" && dpkg-buildpackage -b -us -uc) > "$tmp/build.log" 2>&1; then
	echo "FAIL: dpkg-buildpackage"
	tail -30 "$tmp/build.log" | sed 's/^/  /'
	exit 1
fi
deb=$(ls "$tmp"/uacd_*.deb)
changes=$(ls "$tmp"/uacd_*.changes)
echo "ok: built $(basename "$deb")"

echo "== lintian"
lintian --tag-display-limit 0 "$changes" > "$tmp/lintian.log" 2>&1
sed 's/^/  /' "$tmp/lintian.log"
nerr=$(grep -c '^E:' "$tmp/lintian.log")
nwarn=$(grep -c '^W:' "$tmp/lintian.log")
if [ "$nerr" -ne 0 ]; then
	echo "FAIL: lintian: $nerr error(s), $nwarn warning(s)"
	fail=1
else
	echo "ok: lintian: 0 errors, $nwarn warning(s)"
fi

# Paths every install must have (multiarch libdir from dpkg-architecture).
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
expect="/usr/sbin/uacd /usr/bin/uacctl /usr/bin/uacd-dsp
/usr/lib/$ma/alsa-lib/libasound_module_pcm_uac.so
/usr/lib/$ma/alsa-lib/libasound_module_ctl_uac.so
/usr/share/alsa/alsa.conf.d/50-uac.conf
/lib/systemd/system/uacd.service /lib/systemd/system/uacd.socket
/usr/lib/sysusers.d/uacd.conf /usr/lib/tmpfiles.d/uacd.conf
/usr/lib/udev/rules.d/60-uacd.rules
/usr/share/man/man8/uacd.8.gz /usr/share/man/man1/uacctl.1.gz
/usr/share/man/man1/uacd-dsp.1.gz
/etc/uacd/uacd.conf /etc/uacd/policy.yml"

echo "== contents"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\.||' > "$tmp/contents"
for f in $expect; do
	grep -qx "$f" "$tmp/contents" || { echo "FAIL: $f is not in the package"; fail=1; }
done
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles 2>/dev/null)
for f in /etc/uacd/uacd.conf /etc/uacd/policy.yml; do
	printf '%s\n' "$conffiles" | grep -qx "$f" || { echo "FAIL: $f is not a conffile"; fail=1; }
done
dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./lib/systemd/system/uacd.service | grep -qx 'ExecStart=/usr/sbin/uacd -f --user uacd --wait-for-devices' ||
	{ echo "FAIL: the packaged uacd.service does not run /usr/sbin/uacd -f --user uacd --wait-for-devices"; fail=1; }
[ $fail -eq 0 ] && echo "ok: $(wc -l < "$tmp/contents") entries, all expected files and conffiles present"

# The install checks run as root in a throwaway copy of this system: an
# overlay of / (upper layer on a tmpfs) in a private mount namespace, where
# files of another install (make install into /usr) and a uacd user are
# removed first.  dpkg -i/-r/-P then start from a clean system, and the host
# is never changed: no package, no user, no /etc/uacd left behind.  It runs
# twice: with systemd's tools present but systemd not running (as in a
# container or chroot), and with systemctl, systemd-sysusers and
# systemd-tmpfiles deleted (a system without systemd), so the maintainer
# scripts are shown to cope with both.  With --host, or where no overlay can
# be mounted, it runs once on the real system, and only if no files of
# another install are present (dpkg would take them over and delete them).
run_in_overlay() {	# LABEL DELETE...: this script's --install-checks in a fresh overlay
	label=$1; shift
	ovl=$tmp/ovl-$label
	mkdir -p "$ovl" || return 1
	unshare -m --propagation private sh -c '
		ovl=$1 tmp=$2 deb=$3 script=$4; shift 4
		set -e
		mount -t tmpfs tmpfs "$ovl"
		mkdir "$ovl/upper" "$ovl/work" "$ovl/root"
		mount -t overlay overlay -o "lowerdir=/,upperdir=$ovl/upper,workdir=$ovl/work" "$ovl/root"
		for d in proc sys dev; do mount --rbind "/$d" "$ovl/root/$d"; done
		mkdir -p "$ovl/root$tmp"
		mount --bind "$tmp" "$ovl/root$tmp"
		for f in "$@"; do rm -rf "$ovl/root$f"; done
		exec chroot "$ovl/root" sh "$script" --install-checks "$deb"
	' sh "$ovl" "$tmp" "$deb" "$tmp/build-deb.sh" "$@"
}

if [ $install -eq 1 ]; then
	cp "$0" "$tmp/build-deb.sh" || exit 1
	printf '%s\n' "$expect" > "$tmp/expect"
	if [ $host -eq 0 ] && command -v unshare >/dev/null 2>&1 &&
		unshare -m --propagation private sh -c \
			'mount -t tmpfs tmpfs "$1" && mkdir "$1/u" "$1/w" "$1/r" &&
			mount -t overlay overlay -o "lowerdir=/,upperdir=$1/u,workdir=$1/w" "$1/r"' \
			sh "$(mkdir -p "$tmp/probe" && echo "$tmp/probe")" 2>/dev/null; then
		# a clean system: no files of another install, no uacd user yet
		clean="$(printf '%s\n' "$expect" | tr '\n' ' ') /etc/uacd /usr/share/uacd"
		echo "== dpkg -i / -r / -P in an overlay of /, systemd installed but not running"
		run_in_overlay systemd $clean || fail=1
		echo "== dpkg -i / -r / -P in an overlay of /, no systemctl, systemd-sysusers, systemd-tmpfiles"
		nosd=""
		for t in systemctl systemd-sysusers systemd-tmpfiles; do
			for d in /usr/bin /bin /usr/sbin /sbin; do
				[ -e "$d/$t" ] && nosd="$nosd $d/$t"
			done
		done
		run_in_overlay nosystemd $clean $nosd || fail=1
	else
		present=""
		for f in $expect /etc/uacd; do
			[ -e "$f" ] && present="$present $f"
		done
		if [ -n "$present" ]; then
			echo "note: skipping dpkg -i/-r/-P: no overlay, and files of another uacd install are present:$present"
		else
			echo "== dpkg -i / -r / -P on this system"
			sh "$tmp/build-deb.sh" --install-checks "$deb" || fail=1
		fi
	fi
fi
[ $keep -eq 1 ] && echo "kept: $tmp"
[ $fail -eq 0 ] && echo "PASS: packaging" || echo "FAIL: packaging"
exit $fail
