#!/bin/sh
# The whole test suite, from a fresh Debian 12 machine: install the
# dependencies, build twice (plain and ASan+UBSan), run `make check` in both,
# run the fuzz targets for a fixed time, and print one closing line.
# Between them, a fresh clone of the committed HEAD, alone in an empty
# directory, must pass every USB test: no test may need a file from beside
# the repository.  `run-tests.sh --fresh-clone` runs only that pass.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)
status=0

# The committed HEAD, cloned into a new empty directory (nothing beside it),
# built there: every test under tests/usb and tests/usbfake passes, none
# skips; its make dist carries every tests/fixtures/descriptors/*.bin.
# Adds to the exit status only (its own count line; not the closing one).
fresh_clone() {
	fc=$(mktemp -d) || return 1
	echo "== fresh clone: tests the committed HEAD ($(git -C "$top" rev-parse --short HEAD)), not uncommitted changes, in $fc/uacd"
	# (set -e does not hold in a subshell left of ||: every step says so)
	(
		git clone -q "$top" "$fc/uacd" && cd "$fc/uacd" || exit 1
		./autogen.sh >/dev/null 2>&1 || ./autogen.sh || exit 1
		./configure -q && make -s -j"$jobs" || exit 1
		list=$(printf 'fc-print-tests:\n\t@echo $(TESTS)\n' | make -s -f Makefile -f - fc-print-tests |
			tr ' ' '\n' | grep -E '^tests/(usb|usbfake)/' | tr '\n' ' ')
		n=$(echo $list | wc -w)
		make -s -j"$jobs" check TESTS="$list" || :
		p=$(sed -n 's/^# PASS: *//p' test-suite.log); s=$(sed -n 's/^# SKIP: *//p' test-suite.log)
		x=$(sed -n 's/^# FAIL: *//p' test-suite.log); e=$(sed -n 's/^# ERROR: *//p' test-suite.log)
		x=$((${x:-0} + ${e:-0}))
		echo "fresh clone: ${p:-0} passed, $x failed, ${s:-0} skipped of $n tests under tests/usb and tests/usbfake"
		[ "${p:-0}" = "$n" ] && [ "$n" -gt 0 ] || { cat test-suite.log; exit 1; }
		make -s dist >/dev/null || exit 1
		want=$(git ls-files 'tests/fixtures/descriptors/*.bin' | sort)
		have=$(tar tzf uacd-*.tar.gz | sed -n 's|^[^/]*/\(tests/fixtures/descriptors/.*\.bin\)$|\1|p' | sort)
		if [ -z "$want" ] || [ "$want" != "$have" ]; then
			echo "FAIL: fresh clone: make dist lacks descriptor fixtures:"
			echo "$want" | while read -r f; do echo "$have" | grep -qxF "$f" || echo "  $f"; done
			exit 1
		fi
		echo "fresh clone: make dist carries the $(echo "$want" | wc -l) tests/fixtures/descriptors/*.bin"
	) || { echo "FAIL: the fresh-clone pass (left in $fc)"; return 1; }
	rm -rf "$fc"
}

if [ "${1:-}" = --fresh-clone ]; then
	fresh_clone
	exit
fi

./scripts/install-deps.sh
./autogen.sh >/dev/null 2>&1 || ./autogen.sh

run_build() {
	# $1 = build dir, rest = configure args
	dir=$1; shift
	rm -rf "$dir"; mkdir -p "$dir"
	(cd "$dir" && "$top/configure" -q "$@" && make -s -j"$jobs" && make -s -j"$jobs" check) || status=1
	for f in $(find "$dir" -name test-suite.log); do
		grep -q '^# FAIL: *0$' "$f" && grep -q '^# ERROR: *0$' "$f" || cat "$f"
	done
}

echo "== build + make check (plain)"
run_build "$top/_build/plain"
echo "== build + make check (ASan + UBSan)"
UACD_SANITIZED=1 run_build "$top/_build/asan" --enable-sanitizers
fresh_clone || status=1

if [ -x "$top/tests/fuzz/run-fuzzers.sh" ]; then
	echo "== fuzzing"
	"$top/tests/fuzz/run-fuzzers.sh" "$top/_build/fuzz" || status=1
fi

# One closing line over both builds, counted from automake's logs.
pass=0; fail=0; skip=0
for f in $(find "$top/_build/plain" "$top/_build/asan" -name test-suite.log); do
	p=$(sed -n 's/^# PASS: *//p' "$f"); x=$(sed -n 's/^# FAIL: *//p' "$f")
	e=$(sed -n 's/^# ERROR: *//p' "$f"); s=$(sed -n 's/^# SKIP: *//p' "$f")
	pass=$((pass + ${p:-0})); fail=$((fail + ${x:-0} + ${e:-0})); skip=$((skip + ${s:-0}))
done
[ "$status" = 0 ] || [ "$fail" -gt 0 ] || fail=1
echo "$pass passed, $fail failed, $skip skipped"
[ "$status" = 0 ] && [ "$fail" = 0 ]
