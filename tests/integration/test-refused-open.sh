#!/bin/sh
# A STREAM_OPEN that is refused changes nothing (issue 12): a request for
# another rate with 999 channels, or with a buffer too short for that rate,
# is refused with -EINVAL before the idle device's rate is switched.
. "${top_srcdir}/tests/integration/lib.sh"

start_uacd -d "sim:rate=48000,mode=silence"
"$top_builddir/tests/tools/badclient" "$UACD_SOCKET" rate || fail "a refused STREAM_OPEN switched the rate"
grep -q "rate switched" "$T/uacd.log" && { dump_log; fail "the daemon logged a rate switch"; }
stop_uacd
echo "PASS: refused STREAM_OPEN leaves the rate alone"
