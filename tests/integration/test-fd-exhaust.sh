#!/bin/sh
# fd exhaustion (issue 13, item 1): a client that opens connections until
# uacd runs out of fds must not make it spin on the listening socket (the
# pending connection keeps it readable); once the connections close, uacd
# accepts again at once.
. "${top_srcdir}/tests/integration/lib.sh"

BAD="$top_builddir/tests/tools/badclient"
# A low soft limit for uacd only: a few dozen connections exhaust it.
# The connection limits would refuse the filler long before (that is
# test-limit-conns.sh): lift them, so that the fds run out here.
printf 'max_connections = 100000\nconnections_per_uid = 100000\n' > "$T/uacd.conf"
nofile=$(ulimit -S -n)
ulimit -S -n 64 || skip "cannot lower the fd limit"
start_uacd -c "$T/uacd.conf" -d "sim:rate=48000,mode=silence"
ulimit -S -n "$nofile"

# CPU time (utime + stime, clock ticks) uacd has used so far
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$UACD_PID/stat"; }

"$BAD" "$UACD_SOCKET" fill 200 > "$T/fill.out" &
filler=$!
i=0
until grep -q "^filled:" "$T/fill.out"; do
	i=$((i + 1))
	[ $i -le 300 ] || { kill $filler; fail "the filler never filled uacd up"; }
	sleep 0.1
done
cat "$T/fill.out"
grep -q "^filled: .*, 1 waiting" "$T/fill.out" || { kill $filler; fail "uacd answered every connection"; }

hz=$(getconf CLK_TCK)
t0=$(cpu_ticks)
sleep 2
t1=$(cpu_ticks)
pct=$(( (t1 - t0) * 100 / (2 * hz) ))
echo "uacd with its fds used up: ${pct}% of one CPU over 2 s"
[ "$pct" -lt 20 ] || { kill $filler; fail "uacd spins while it cannot accept (${pct}% CPU)"; }
[ "$(grep -c "cannot accept connections" "$T/uacd.log")" = 1 ] ||
	{ kill $filler; fail "the fd exhaustion was not logged exactly once"; }

kill $filler
wait $filler 2>/dev/null
# uacd sees the hang-ups and accepts again: within 1 s a normal request works
start=$(date +%s%N)
timeout 1 "$UACCTL" devices > "$T/devices.out" || fail "uacctl devices failed after the connections closed"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
grep -q "^sim" "$T/devices.out" || fail "uacctl devices listed no device"
echo "uacctl devices answered in $ms ms after the filler left"
stop_uacd
echo "PASS: fd exhaustion: no spin, one warning, accepting again once fds free"
