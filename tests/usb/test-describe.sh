#!/bin/sh
# `uacctl describe` (through tests/usb/uacd-describe-test): every corpus
# descriptor describes in text and JSON; JSON carries the fields scripts
# rely on with the right values; usage and malformed input give the
# documented exit status and exact messages.
set -u
bin="${top_builddir:-.}/tests/usb/uacd-describe-test"
dir="${UACD_TEST_FIXTURES:-}/descriptors"
fails=0

# The corpus is tests/fixtures/descriptors, in the repository and the
# tarball: make check sets UACD_TEST_FIXTURES, and then missing is a FAIL.
if [ -z "${UACD_TEST_FIXTURES:-}" ]; then
	echo "SKIP: UACD_TEST_FIXTURES is not set (make check sets it to the source tree's tests/fixtures)"
	exit 77
fi
if [ ! -f "$dir/11-behringer-uv1.bin" ]; then
	echo "FAIL: no descriptor corpus in '$dir' (UACD_TEST_FIXTURES is set)"
	exit 1
fi
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# has FILE STRING: FILE contains STRING literally
has() {
	grep -qF -- "$2" "$1" || fail "$1 lacks: $2"
}

n=0
for f in "$dir"/*.bin; do
	case "$f" in *.dev.bin|*.cfg2.bin) continue ;; esac
	base=$(basename "$f" .bin)
	dev="$dir/$base.dev.bin"
	"$bin" --device-descriptor "$dev" "$f" >"$tmp/$base.txt" 2>"$tmp/err" ||
		fail "$base: text exit $? ($(cat "$tmp/err"))"
	"$bin" --json --device-descriptor="$dev" "$f" >"$tmp/$base.json" 2>"$tmp/err" ||
		fail "$base: json exit $? ($(cat "$tmp/err"))"
	has "$tmp/$base.json" '{"configuration":{"value":1,'
	has "$tmp/$base.txt" 'function 0: UAC'
	[ "$(wc -l <"$tmp/$base.json")" -eq 1 ] || fail "$base: JSON is not one line"
	n=$((n + 1))
done
[ "$n" -ge 11 ] || fail "only $n corpus descriptors"

# Values per device (field order is part of the format).
j="$tmp/11-behringer-uv1.json"
has "$j" '"device":{"vendor_id":5015,"product_id":1296,"bcd_usb":512,'
has "$j" '"speed_guess":"high"'
has "$j" '{"interface":1,"direction":"playback","uac_version":2,"alts":[{"alt":0,"format":null,'
has "$j" '{"alt":1,"format":"S32_LE","format_type":1,"formats":1,"channels":2,"subslot_bytes":4,"bit_resolution":24,"terminal_link":2,"rates":null,"rate_range":null,"clock_id":40,"clock_source_id":41,"data_endpoint":8,"sync":"async","max_packet_size":400,"mult":1,"interval":1,"feedback_endpoint":132,"feedback_endpoint_ignored":null,"implicit_feedback":false,'
has "$j" '{"interface":2,"direction":"capture","uac_version":2,'
j="$tmp/24-arturia-1c75-af20.json"
has "$j" '"channels":34,"subslot_bytes":4,"bit_resolution":24,"terminal_link":2,"rates":null,"rate_range":null,"clock_id":40,"clock_source_id":41,"data_endpoint":1,"sync":"async","max_packet_size":952,"mult":1,"interval":1,"feedback_endpoint":null,"feedback_endpoint_ignored":null,"implicit_feedback":true,"implicit_feedback_endpoint":129,"implicit_feedback_interface":2,"implicit_feedback_alt":1,'
j="$tmp/04-gyrocom-1852-7022.json"
has "$j" '"speed_guess":"full"'
has "$j" '{"alt":1,"format":"S16_LE","format_type":1,"formats":1,"channels":2,"subslot_bytes":2,"bit_resolution":16,"terminal_link":7,"rates":[8000,16000,32000,44100,48000,96000],"rate_range":null,"clock_id":null,"clock_source_id":null,"data_endpoint":130,"sync":"adaptive","max_packet_size":388,'
j="$tmp/17-maudio-micro.json"
has "$j" '"rates":null,"rate_range":{"min":6400,"max":48000}'
has "$j" '{"alt":1,"format":"S8",'
j="$tmp/02-allenheath-xone43c.json"
has "$j" '"data_endpoint":2,"sync":"async","max_packet_size":294,"mult":1,"interval":4,"feedback_endpoint":133,'
has "$j" '"skipped_interfaces":3'
t="$tmp/11-behringer-uv1.txt"
has "$t" '    alt 1: S32_LE 2ch, 4-byte subslot, 24 bits, clock 40 (source 41), terminal 2'
has "$t" '      data EP 0x08 OUT async data, 400 bytes, bInterval 1; feedback EP 0x84'
t="$tmp/24-arturia-1c75-af20.txt"
has "$t" '; implicit feedback from EP 0x81 (interface 2 alt 1)'

# Usage and errors.
"$bin" --help >"$tmp/out" 2>&1; rc=$?
[ $rc -eq 0 ] || fail "--help exit $rc"
has "$tmp/out" 'Usage: uacctl describe [--json] [--device-descriptor DEVFILE] FILE'
"$bin" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "no FILE: exit $rc"
has "$tmp/err" 'describe: no descriptor FILE given'
"$bin" --frobnicate x >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "unknown option: exit $rc"
has "$tmp/err" "describe: unknown option '--frobnicate'"
"$bin" "$dir/11-behringer-uv1.bin" "$dir/29-rode-ai1.bin" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "two files: exit $rc"
"$bin" "$tmp/does-not-exist" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] || fail "missing file: exit $rc"
has "$tmp/err" "describe: $tmp/does-not-exist: No such file or directory"
head -c 100 "$dir/11-behringer-uv1.bin" >"$tmp/trunc.bin"
"$bin" --json "$tmp/trunc.bin" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] || fail "truncated: exit $rc"
has "$tmp/err" "describe: $tmp/trunc.bin: offset 2: wTotalLength 285 but only 100 bytes given"
[ ! -s "$tmp/out" ] || fail "truncated: wrote to stdout"
# bLength 0 inside the chain: the interrupt endpoint of UV1 (offset 145) zeroed
{ head -c 145 "$dir/11-behringer-uv1.bin"; printf '\000'; tail -c +147 "$dir/11-behringer-uv1.bin"; } >"$tmp/zero.bin"
"$bin" "$tmp/zero.bin" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] || fail "bLength 0: exit $rc"
has "$tmp/err" "describe: $tmp/zero.bin: offset 145: descriptor bLength 0"
"$bin" --device-descriptor "$dir/11-behringer-uv1.bin" "$dir/11-behringer-uv1.bin" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] || fail "config as device descriptor: exit $rc"
has "$tmp/err" "offset 0: bDescriptorType 2 is not a device descriptor"

if [ $fails -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "describe: $n corpus descriptors in text and JSON, usage and error cases OK"
exit 0
