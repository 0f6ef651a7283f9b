#!/bin/bash
# scripts/latency-soak.sh: round-trip latency and xrun soak through the sim's
# loopback, the measurement behind issue #3's report.
#
#   scripts/latency-soak.sh PERIOD PERIODS SECONDS [BUILDDIR]
#
# Starts the built uacd (BUILDDIR, default _build/plain, as
# scripts/run-tests.sh leaves it) on sim:mode=loopback at SCHED_FIFO 70 on a
# private socket, runs tests/tools/rtlatency at SCHED_FIFO 50 for SECONDS
# through `uac` with PERIOD x PERIODS frames, then prints rtlatency's result
# (round trip, xruns, the delay check), uacd's status (its own cycle time and
# how late its RT thread woke: stalls of the machine show there) and the
# steal time the machine's hypervisor took during the run.
# Exit status: rtlatency's (0 = no xrun, no lost impulse).  Needs root (or
# RLIMIT_RTPRIO) for the real-time priorities; without them it still runs,
# at normal priority, and says so.
set -u
[ $# -ge 3 ] || { sed -n '5p' "$0" | sed 's/^# *//' >&2; exit 2; }
period=$1 periods=$2 seconds=$3
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${4:-$top/_build/plain}" 2>/dev/null && pwd) ||
	{ echo "latency-soak: no build directory ${4:-$top/_build/plain} (run scripts/run-tests.sh or give one)" >&2; exit 2; }
for f in engine/daemon/uacd engine/uacctl/uacctl tests/tools/rtlatency alsa-plugin/.libs/libasound_module_pcm_uac.so; do
	[ -e "$build/$f" ] || { echo "latency-soak: $build/$f not built" >&2; exit 2; }
done

dir=$(mktemp -d /tmp/uacd-soak.XXXXXX) || exit 1
upid=
trap '[ -n "$upid" ] && kill "$upid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
export HOME=$dir UACD_SOCKET=$dir/uacd.sock
cat > "$dir/.asoundrc" <<EOC
pcm_type.uac { lib "$build/alsa-plugin/.libs/libasound_module_pcm_uac.so" }
<$top/alsa-plugin/50-uac.conf>
EOC
rt=
chrt -f 50 true 2>/dev/null && rt="chrt -f 50" ||
	echo "latency-soak: SCHED_FIFO not permitted: the client runs at normal priority"

steal() { awk '$1 == "cpu" { print $9 }' /proc/stat; }
"$build/engine/daemon/uacd" -f -s "$UACD_SOCKET" -P "$top/entitlement-policy/policy.yml" \
	-d sim:mode=loopback -p 70 > "$dir/uacd.log" 2>&1 &
upid=$!
for _ in $(seq 100); do [ -S "$UACD_SOCKET" ] && break; sleep 0.05; done
[ -S "$UACD_SOCKET" ] || { cat "$dir/uacd.log"; echo "latency-soak: uacd did not start" >&2; exit 1; }
s0=$(steal)
RTLATENCY_VERBOSE=1 $rt "$build/tests/tools/rtlatency" uac "$period" "$periods" "$seconds"
rc=$?
s1=$(steal)
"$build/engine/uacctl/uacctl" status
awk -v a="$s0" -v b="$s1" -v hz="$(getconf CLK_TCK)" \
	'BEGIN { printf "steal time during the run: %.2f s (time the hypervisor gave this VM'"'"'s CPUs to others)\n", (b - a) / hz }'
exit $rc
