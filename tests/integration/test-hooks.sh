#!/bin/sh
# The processing hook sees every buffer: sample_time contiguous, host_time
# monotonic and consistent with the rate (within the sim's drift); and what
# a hook does to the data reaches the device (WRITE_END) and arecord
# (BEGIN_READ).
. "${top_srcdir}/tests/integration/lib.sh"

HOOKS="$top_builddir/tests/hooks/.libs"
rate=48000
fmt=S16_LE
frames=$((rate * 3))
"$PCMTOOL" noise $fmt 2 $frames 5 "$T/in.raw"

# 1. timing and contiguity, real time, 100 ppm drift
start_uacd -d "sim:rate=$rate,format=$fmt,mode=loopback,drift_ppm=100" -H "$HOOKS/hook-recorder.so $T/rec.txt"
client_bg arecord -q -D uac -t raw -f $fmt -r $rate -c 2 -s $rate "$T/rec.raw"
rec=$!
client aplay -q -D uac -t raw -f $fmt -r $rate -c 2 "$T/in.raw" || fail "aplay"
wait $rec || fail "arecord"
stop_uacd
awk -v rate=$rate '
	/^#/ { next }
	{
		op = $1; st = $2; ht = $3; n = $4
		if (op in next_st && st != next_st[op]) { print "FAIL: " op " gap: sample_time " st ", expected " next_st[op]; bad = 1 }
		if (op in last_ht && ht <= last_ht[op]) { print "FAIL: " op " host_time not increasing at " st; bad = 1 }
		if (!(op in first_ht)) { first_ht[op] = ht; first_st[op] = st }
		next_st[op] = st + n; last_ht[op] = ht; last_st[op] = st; count[op]++
	}
	END {
		for (op in count) {
			r = (last_st[op] - first_st[op]) / ((last_ht[op] - first_ht[op]) / 1e9)
			ppm = (r / rate - 1) * 1e6
			printf "%s: %d buffers, %d frames, measured rate %.2f Hz (%+.1f ppm)\n", op, count[op], next_st[op] - first_st[op], r, ppm
			if (ppm < 50 || ppm > 150) { print "FAIL: " op " rate off by " ppm " ppm (sim drift is +100)"; bad = 1 }
		}
		if (count["W"] < 1000 || count["R"] < 1000) { print "FAIL: too few buffers"; bad = 1 }
		exit bad
	}' "$T/rec.txt" || fail "hook timing"

# 2. WRITE_END changes what the device plays
start_uacd -d "sim:rate=$rate,format=$fmt,mode=wav,out=$T/out.raw" -H "$HOOKS/hook-invert.so write_end"
client aplay -q -D uac -t raw -f $fmt -r $rate -c 2 "$T/in.raw" || fail "aplay (invert)"
stop_uacd
res=$("$PCMTOOL" cmp $fmt 2 "$T/in.raw" "$T/out.raw" --invert)
echo "WRITE_END invert: $res"
case "$res" in ok:*) ;; *) fail "WRITE_END hook did not change the output";; esac

# 3. BEGIN_READ changes what arecord gets
start_uacd -d "sim:rate=$rate,format=$fmt,mode=wav,in=$T/in.raw" -H "$HOOKS/hook-invert.so begin_read"
client arecord -q -D uac -t raw -f $fmt -r $rate -c 2 -s $((frames + rate / 2)) "$T/rec.raw" || fail "arecord (invert)"
stop_uacd
res=$("$PCMTOOL" cmp $fmt 2 "$T/in.raw" "$T/rec.raw" --invert)
echo "BEGIN_READ invert: $res"
case "$res" in ok:*) ;; *) fail "BEGIN_READ hook did not change the capture";; esac

# 4. hooks loaded and unloaded at run time (uacctl hook load/unload)
start_uacd -d "sim:rate=$rate,format=$fmt,mode=wav,out=$T/out.raw"
"$UACCTL" hook load sim "$HOOKS/hook-invert.so" write_end || fail "hook load"
"$UACCTL" hook list | grep -q "sim	invert	" || fail "loaded hook not listed"
client aplay -q -D uac -t raw -f $fmt -r $rate -c 2 "$T/in.raw" || fail "aplay (runtime hook)"
"$UACCTL" hook unload sim invert || fail "hook unload"
"$UACCTL" hook list | grep -q "invert" && fail "unloaded hook still listed"
out=$("$UACCTL" hook load sim hook-invert.so 2>&1) && fail "relative hook path accepted"
echo "$out" | grep -q "hook path must be absolute: hook-invert.so" || fail "no clear error: $out"
cp "$HOOKS/hook-invert.so" "$T/w.so"; chmod 666 "$T/w.so"
out=$("$UACCTL" hook load sim "$T/w.so" write_end 2>&1) && fail "world-writable hook accepted"
echo "$out" | grep -q "is writable by group or others: refused" || fail "no clear error: $out"
# uacd's own refusal (-EPERM), not the policy's: exit 1, not 4 "denied" (issue 13, item 9)
chmod 664 "$T/w.so"
rc=0
out=$("$UACCTL" hook load sim "$T/w.so" write_end 2>&1) || rc=$?
[ $rc != 0 ] || fail "group-writable hook accepted"
echo "$out" | grep -q "hook $T/w.so is writable by group or others: refused" || fail "no clear error: $out"
[ $rc = 1 ] || fail "a refused group-writable hook exits $rc, expected 1 (4 is for policy denials)"
stop_uacd
res=$("$PCMTOOL" cmp $fmt 2 "$T/in.raw" "$T/out.raw" --invert)
echo "runtime WRITE_END hook: $res"
case "$res" in ok:*) ;; *) fail "runtime hook did not process the stream";; esac
grep -q "sim: hook $HOOKS/hook-invert.so loaded by uacctl (pid [0-9]*, uid 0)" "$T/uacd.log" || fail "runtime load not logged"

# 5. a hook that fails to load is a clear startup error
"$UACD" -f -s "$T/other.sock" -H "$HOOKS/hook-invert.so sideways" > "$T/bad.out" 2>&1 && fail "bad hook args accepted"
grep -q "hook-invert.so: init failed: Invalid argument" "$T/bad.out" || { cat "$T/bad.out"; fail "no clear error for a failing hook"; }
"$UACD" -f -s "$T/other.sock" -H "/nonexistent/hook.so" > "$T/bad.out" 2>&1 && fail "missing hook accepted"
grep -q "hook /nonexistent/hook.so: /nonexistent/hook.so: cannot open shared object file" "$T/bad.out" || { cat "$T/bad.out"; fail "no clear error for a missing hook"; }
echo "PASS: hooks see every buffer and change the data"
