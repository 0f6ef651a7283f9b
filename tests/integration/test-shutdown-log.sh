#!/bin/sh
# Shutdown with RT log records pending (issue 12): a hook that stalls the
# RT thread makes the sim fall behind its bus clock, so warnings naming the
# device are queued up to the moment uacd stops; a client's open stream
# makes the shutdown wait for the RT thread (closing it waits for an RCU
# grace period) while the thread queues more.  They must be printed with
# the device's name, while it still exists: the last drain used to read
# names of devices already freed (a use-after-free that ASan, or valgrind
# in the plain build, reports).
. "${top_srcdir}/tests/integration/lib.sh"

HOOKS="$top_builddir/tests/hooks/.libs"
cat > "$T/dsp.yml" <<EOC
devices: {samplerate: 48000, chunksize: 256, capture: {channels: 2}, playback: {channels: 2}}
filters:
  g: {type: Gain, parameters: {gain: -6}}
pipeline:
  - {type: Filter, channels: [0, 1], names: [g]}
EOC
if [ "$SANITIZED" = 0 ] && ! nm "$UACD" 2>/dev/null | grep -q __asan_init; then
	command -v valgrind >/dev/null || skip "needs ASan (the sanitizer build) or valgrind to see a use-after-free"
	UACD_WRAPPER="valgrind -q --error-exitcode=9"
	echo "plain build: uacd runs under valgrind"
fi
for round in 1 2 3; do
	start_uacd -D "$T/dsp.yml" -d "sim:name=stalldev,mode=silence" -H "$HOOKS/hook-stall.so 250"
	client_bg arecord -q -D uac -t raw -f S16_LE -r 48000 -c 2 --buffer-size=96000 -d 60 /dev/null
	rec=$!
	sleep 1.5
	kill -TERM "$UACD_PID"
	wait "$UACD_PID"
	rc=$?
	UACD_PID=
	kill $rec 2>/dev/null; wait $rec 2>/dev/null
	grep -q "Invalid read\|heap-use-after-free\|AddressSanitizer" "$T/uacd.log" && { dump_log; fail "round $round: memory error at shutdown"; }
	[ "$rc" = 0 ] || { dump_log; fail "round $round: uacd exited $rc at shutdown"; }
	grep -q "stalldev: fell [0-9]* ms behind the bus clock" "$T/uacd.log" ||
		{ dump_log; fail "round $round: no RT warning naming the device was printed"; }
	echo "round $round: $(grep -c 'stalldev: fell' "$T/uacd.log") RT warning line(s) printed with the device's name, exit 0"
done
echo "PASS: RT log records pending at shutdown are printed while their device lives"
