#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The man pages must tell the truth about the programs, so this compares
# sets taken from the built programs with sets taken from the pages, and
# prints every difference:
#
#   uacd --help long options     = OPTIONS of uacd(8)
#   uacctl --help long options   = OPTIONS of uacctl(1)
#   uacctl --help commands       = COMMANDS of uacctl(1)
#   sim, usb options uacd accepts = their subsections of DEVICE SPECIFICATIONS of uacd(8)
#   keys uacd.conf accepts       = KEYS of uacd.conf(5)
#
# The accepted device options and config keys come from uacd's own error
# messages ("known: ..."), so a new option that is not documented fails
# here.  The pages must also format without a groff warning (groff -ww) and
# through man -l, and the example hook of uac(7) must compile.
set -u

: "${top_srcdir:=.}"
: "${top_builddir:=.}"
uacd=$top_builddir/engine/daemon/uacd
uacctl=$top_builddir/engine/uacctl/uacctl
man=$top_srcdir/man
fail=0
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

for p in "$uacd" "$uacctl"; do
	if [ ! -x "$p" ]; then
		echo "ERROR: $p is not built"
		exit 99
	fi
done

# compare_sets WHAT PROGRAM_FILE PAGE_FILE: sorted sets, one item a line.
compare_sets() {
	only_prog=$(comm -23 "$2" "$3")
	only_page=$(comm -13 "$2" "$3")
	if [ -z "$only_prog" ] && [ -z "$only_page" ] && [ -s "$2" ]; then
		echo "ok: $1: $(tr '\n' ' ' < "$2")"
		return 0
	fi
	echo "FAIL: $1"
	[ -s "$2" ] || echo "  (the program side is empty: cannot compare)"
	for x in $only_prog; do echo "  only in the program: $x"; done
	for x in $only_page; do echo "  only in the man page: $x"; done
	return 1
}

# Long options that --help defines: lines that start with an option.
help_options() {
	"$1" --help | sed -n 's/^ \{1,\}\(-[A-Za-z], \)\{0,1\}--\([a-z][a-z-]*\).*/\2/p' | sort -u
}

# The tag lines (after .TP or .TQ) of section $2 of page $1, or only of
# its subsections whose title starts with $3.
tags() {
	awk -v want="$2" -v sub_want="${3-}" '
		/^\.SH/ { sec = $0; sub(/^\.SH +/, "", sec); gsub(/"/, "", sec); ss = "" }
		/^\.SS/ { ss = $0; sub(/^\.SS +/, "", ss); gsub(/"/, "", ss) }
		!/^\.S[HS]/ && sec == want && index(ss, sub_want) == 1 &&
			(prev == ".TP" || prev == ".TQ") { print }
		{ prev = $0 }' "$1"
}

# Long options in the OPTIONS section of a page.
page_options() {
	tags "$1" OPTIONS | grep -o '\\-\\-[a-z][a-z\\-]*' | sed 's/\\-/-/g; s/^--//' | sort -u
}

# The first word of each tag of a section ("hook list" -> hook).
page_first_words() {
	tags "$1" "$2" | sed 's/^\.[A-Z]* *//; s/^"//' | sed 's/[^a-z_].*//' | grep . | sort -u
}

# The "key=" names of the tags of a section (or of its subsection $3).
page_keys() {
	tags "$1" "$2" "${3-}" | sed -n 's/^\.[A-Z]* *"\{0,1\}\([a-z_]*\)=.*/\1/p' | sort -u
}

# "(known: a, b, c)" of an error message, one a line.
known_list() {
	sed -n 's/.*(known: \([^)]*\)).*/\1/p' | tr -d ' ' | tr ',' '\n' | grep . | sort -u
}

# 0. the comparison itself must be able to fail
printf 'a\nb\n' > "$tmp/x"
printf 'a\n' > "$tmp/y"
if compare_sets self-test "$tmp/x" "$tmp/y" > "$tmp/self" || ! grep -q 'only in the program: b' "$tmp/self"; then
	echo "FAIL: self-test: a difference was not reported"
	fail=1
fi

# 1. options
help_options "$uacd" > "$tmp/uacd.help"
page_options "$man/uacd.8" > "$tmp/uacd.page"
compare_sets "uacd --help vs uacd(8) OPTIONS" "$tmp/uacd.help" "$tmp/uacd.page" || fail=1

help_options "$uacctl" > "$tmp/uacctl.help"
page_options "$man/uacctl.1" > "$tmp/uacctl.page"
compare_sets "uacctl --help vs uacctl(1) OPTIONS" "$tmp/uacctl.help" "$tmp/uacctl.page" || fail=1

# 2. uacctl commands: the "Commands:" block of --help
"$uacctl" --help | awk '/^Commands:/ { on = 1; next } on && /^$/ { on = 0 } on' |
	sed -n 's/^  \([a-z][a-z-]*\).*/\1/p' | sort -u > "$tmp/cmd.help"
page_first_words "$man/uacctl.1" COMMANDS > "$tmp/cmd.page"
compare_sets "uacctl --help commands vs uacctl(1) COMMANDS" "$tmp/cmd.help" "$tmp/cmd.page" || fail=1

# 3. sim options: uacd lists them when it meets an unknown one
"$uacd" -f -c /dev/null -s "$tmp/sock" -d sim:no_such_option=1 > "$tmp/sim.out" 2>&1
known_list < "$tmp/sim.out" > "$tmp/sim.known"
page_keys "$man/uacd.8" "DEVICE SPECIFICATIONS" "The simulated device" > "$tmp/sim.page"
compare_sets "sim options uacd accepts vs uacd(8) DEVICE SPECIFICATIONS, sim" "$tmp/sim.known" "$tmp/sim.page" ||
	{ fail=1; sed 's/^/  uacd said: /' "$tmp/sim.out"; }

# ... and the usb options (the spec is parsed before any USB access)
"$uacd" -f -c /dev/null -s "$tmp/sock" -d usb,no_such_option=1 > "$tmp/usb.out" 2>&1
known_list < "$tmp/usb.out" > "$tmp/usb.known"
page_keys "$man/uacd.8" "DEVICE SPECIFICATIONS" "USB devices" | grep -v '^path$' > "$tmp/usb.page"
compare_sets "usb options uacd accepts vs uacd(8) DEVICE SPECIFICATIONS, usb" "$tmp/usb.known" "$tmp/usb.page" ||
	{ fail=1; sed 's/^/  uacd said: /' "$tmp/usb.out"; }

# 4. config keys: uacd lists them when it meets an unknown one
echo "no_such_key = 1" > "$tmp/bad.conf"
"$uacd" -f -c "$tmp/bad.conf" > "$tmp/conf.out" 2>&1
known_list < "$tmp/conf.out" > "$tmp/conf.known"
page_first_words "$man/uacd.conf.5" KEYS > "$tmp/conf.page"
compare_sets "uacd.conf keys vs uacd.conf(5) KEYS" "$tmp/conf.known" "$tmp/conf.page" ||
	{ fail=1; sed 's/^/  uacd said: /' "$tmp/conf.out"; }

# 5. formatting
pages="$man/uacd.8 $man/uacctl.1 $man/uacd.conf.5 $man/uac.7"
if command -v groff > /dev/null 2>&1; then
	bad=0
	for p in $pages; do
		if ! groff -ww -man -z "$p" > "$tmp/groff" 2>&1 || [ -s "$tmp/groff" ]; then
			echo "FAIL: groff -ww -man -z $p:"
			sed 's/^/  /' "$tmp/groff"
			bad=1
		fi
	done
	[ $bad = 0 ] && echo "ok: groff -ww: no warnings"
	[ $bad = 0 ] || fail=1
else
	echo "note: groff is not installed: formatting not checked"
fi
if command -v man > /dev/null 2>&1; then
	bad=0
	for p in $pages; do
		if ! MANWIDTH=80 MAN_DISABLE_SECCOMP=1 man -l "$p" > "$tmp/man.out" 2> "$tmp/man.err" ||
		   [ -s "$tmp/man.err" ] || [ ! -s "$tmp/man.out" ]; then
			echo "FAIL: man -l $p:"
			sed 's/^/  /' "$tmp/man.err"
			bad=1
		fi
	done
	[ $bad = 0 ] && echo "ok: man -l: clean"
	[ $bad = 0 ] || fail=1
fi

# 6. the example hook of uac(7) compiles and exports the symbol
cc=${CC:-cc}
if command -v "$cc" > /dev/null 2>&1; then
	sed -n '/^\.\\" example-begin/,/^\.\\" example-end/p' "$man/uac.7" |
		sed '/^\./d; s/\\-/-/g; s/\\(aq/'"'"'/g; s/\\e/\\/g' > "$tmp/gain.c"
	if ! "$cc" -shared -fPIC -Wall -Wextra -Werror -I"$top_srcdir/include" -o "$tmp/gain.so" \
		"$tmp/gain.c" > "$tmp/cc.out" 2>&1; then
		echo "FAIL: the example hook of uac(7) does not compile:"
		sed 's/^/  /' "$tmp/cc.out"
		fail=1
	elif ! nm -D "$tmp/gain.so" | grep -q ' [DR] uacd_io_hook_v1$'; then
		echo "FAIL: the example hook of uac(7) does not export uacd_io_hook_v1"
		fail=1
	else
		echo "ok: the example hook of uac(7) compiles ($(wc -l < "$tmp/gain.c") lines)"
	fi
else
	echo "note: no C compiler: the example hook was not compiled"
fi

exit $fail
