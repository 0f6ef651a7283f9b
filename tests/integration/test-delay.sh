#!/bin/sh
# snd_pcm_delay tells the truth.  rtlatency plays an impulse every 0.5 s
# through sim:mode=loopback and reads it back; the playback delay taken just
# before the impulse is written plus the capture delay taken just after it
# is read predict when it crossed from playback to capture, and the
# monotonic clock says when it did.  They must agree to within a 1 ms USB
# cycle (median) and 2 cycles (90% of impulses; one late wake-up of this
# machine can spoil a single impulse, which is why the worst is printed but
# not asserted).  The device clock drifts, as real ones do.
. "${top_srcdir}/tests/integration/lib.sh"

RTLATENCY="$top_builddir/tests/tools/rtlatency"
start_uacd -d "sim:mode=loopback,drift_ppm=100"
# A large buffer: this test is about the delay, not about xruns.
client "$RTLATENCY" uac 1024 4 10 > "$T/rt.out" 2>&1
cat "$T/rt.out"
line=$(grep "delay error" "$T/rt.out") || fail "rtlatency measured no delay"
med=$(echo "$line" | sed -n 's/.*median \([-+0-9]*\) frames.*/\1/p')
p90=$(echo "$line" | sed -n 's/.*90% within \([0-9]*\),.*/\1/p')
n=$(echo "$line" | sed -n 's/.* over \([0-9]*\) impulses.*/\1/p')
[ -n "$med" ] && [ -n "$p90" ] && [ -n "$n" ] || fail "cannot parse: $line"
[ "$n" -ge 15 ] || fail "only $n impulses came back"
med=${med#+}
[ "${med#-}" -le 48 ] || fail "median delay error $med frames exceeds 48 (1 ms at 48 kHz)"
[ "$p90" -le 96 ] || fail "90% of delay errors within $p90 frames, more than 96"
stop_uacd
echo "PASS: snd_pcm_delay within $med frames median, $p90 frames for 90% of $n impulses"
