#!/bin/sh
# The whole test suite, from a fresh Debian 12 machine: install the
# dependencies, build twice (plain and ASan+UBSan), run `make check` in both,
# run the fuzz targets for a fixed time, and print one closing line.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
./scripts/install-deps.sh
./autogen.sh >/dev/null 2>&1 || ./autogen.sh
jobs=$(nproc 2>/dev/null || echo 2)
status=0

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
