#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Build the Debian package from a copy of the source tree and check it:
#   1. dpkg-buildpackage -b -us -uc succeeds;
#   2. lintian reports no errors (E:) - warnings are printed, not fatal;
#   3. (as root, unless --no-install) dpkg -i installs it: the daemon, uacctl,
#      uacd-dsp, both ALSA plugins, the units, sysusers/tmpfiles/udev files,
#      man pages and the /etc/uacd conffiles are where Debian expects them
#      and the uacd user exists; dpkg -r removes every file but the conffiles;
#      dpkg -P removes those too.  Skipped when files of another install
#      (make install into /usr) are present, since dpkg would take them over.
# Not part of make check: it installs packages and takes minutes.
# Needs: dpkg-dev debhelper lintian fakeroot (apt-get install them) and
# the build dependencies of debian/control.
#
# Usage: tests/packaging/build-deb.sh [--head] [--no-install] [--keep]
#   --head  package the last commit (git archive HEAD) instead of the
#           working tree (tracked and untracked, non-ignored files)
# Exit: 0 all good, 1 a check failed, 77 tools missing (SKIP).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/../.." && pwd)
install=1
keep=0
head=0
for a in "$@"; do
	case $a in
	--no-install) install=0;;
	--keep) keep=1;;
	--head) head=1;;
	*) echo "usage: $0 [--head] [--no-install] [--keep]" >&2; exit 2;;
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
dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./lib/systemd/system/uacd.service | grep -qx 'ExecStart=/usr/sbin/uacd -f --user uacd' ||
	{ echo "FAIL: the packaged uacd.service does not run /usr/sbin/uacd -f --user uacd"; fail=1; }
[ $fail -eq 0 ] && echo "ok: $(wc -l < "$tmp/contents") entries, all expected files and conffiles present"

# dpkg would take over (and dpkg -r then delete) files a `make install`
# into /usr put there: leave such a system alone.
if [ $install -eq 1 ]; then
	present=""
	for f in $expect /etc/uacd; do
		[ -e "$f" ] && present="$present $f"
	done
	if [ -n "$present" ]; then
		echo "note: skipping dpkg -i/-r/-P: files of another uacd install are present:$present"
		install=0
	fi
fi
if [ $install -eq 1 ]; then
	echo "== dpkg -i / -r / -P"
	if dpkg -i "$deb" < /dev/null > "$tmp/install.log" 2>&1; then
		echo "ok: dpkg -i"
		for f in $expect; do
			[ -e "$f" ] || { echo "FAIL: $f missing after dpkg -i"; fail=1; }
		done
		if getent passwd uacd >/dev/null && id -nG uacd | grep -qw audio; then
			echo "ok: user uacd exists, in group audio"
		else
			echo "FAIL: user uacd missing or not in group audio"
			fail=1
		fi
		v=$(/usr/sbin/uacd --version)
		[ "$v" = "uacd 0.1.0" ] || { echo "FAIL: installed uacd --version says '$v'"; fail=1; }
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
	if dpkg -P uacd > "$tmp/purge.log" 2>&1 && [ ! -e /etc/uacd ]; then
		echo "ok: dpkg -P removed /etc/uacd"
	else
		echo "FAIL: dpkg -P (or /etc/uacd left behind)"
		sed 's/^/  /' "$tmp/purge.log"
		fail=1
	fi
fi
[ $keep -eq 1 ] && echo "kept: $tmp"
[ $fail -eq 0 ] && echo "PASS: packaging" || echo "FAIL: packaging"
exit $fail
