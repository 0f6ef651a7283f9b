#!/bin/sh
# The tests that read the descriptor corpus (tests/fixtures/descriptors)
# when it is not there: with UACD_TEST_FIXTURES set (as make check sets it)
# a missing corpus is a FAIL, exit 1, naming the path; with it unset (a
# program run by hand) a SKIP, exit 77, saying so.  The output is compared
# whole, stdout and stderr together: in an ASan build a leak report (and
# LeakSanitizer's non-zero exit) on these early-return paths fails here.
set -u
b=${top_builddir:-.}/tests
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/empty"
fails=0

# expect NAME STATUS EXPECTED-OUTPUT COMMAND...: exact output and status
expect() {
	name=$1 want_rc=$2 want=$3
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want_rc" ] && [ "$out" = "$want" ]; then
		echo "ok: $name: exit $rc, '$out'"
	else
		echo "FAIL: $name: exit $rc (expected $want_rc), output:"
		printf '%s\n' "$out" | sed 's/^/    /'
		echo "  expected: '$want'"
		fails=$((fails + 1))
	fi
}

expect "test-usb-descriptors, empty UACD_TEST_FIXTURES" 1 \
	"FAIL: no descriptor corpus in $tmp/empty/descriptors (UACD_TEST_FIXTURES is set)" \
	env UACD_TEST_FIXTURES="$tmp/empty" "$b/usb/test-usb-descriptors"
expect "test-usb-descriptors, UACD_TEST_FIXTURES unset" 77 \
	"SKIP: UACD_TEST_FIXTURES is not set (make check sets it to the source tree's tests/fixtures)" \
	env -u UACD_TEST_FIXTURES "$b/usb/test-usb-descriptors"
expect "test-describe.sh, empty UACD_TEST_FIXTURES" 1 \
	"FAIL: no descriptor corpus in '$tmp/empty/descriptors' (UACD_TEST_FIXTURES is set)" \
	env UACD_TEST_FIXTURES="$tmp/empty" sh "${top_srcdir:-.}/tests/usb/test-describe.sh"
expect "test-describe.sh, UACD_TEST_FIXTURES unset" 77 \
	"SKIP: UACD_TEST_FIXTURES is not set (make check sets it to the source tree's tests/fixtures)" \
	env -u UACD_TEST_FIXTURES sh "${top_srcdir:-.}/tests/usb/test-describe.sh"

if [ $fails -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "no corpus: FAIL with UACD_TEST_FIXTURES set, SKIP without, nothing else printed"
exit 0
