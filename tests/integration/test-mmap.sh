#!/bin/sh
# mmap playback and capture through alsa-lib are bit-exact for every commit
# pattern alsa-lib allows (issue 14, item 1): full and partial commits,
# commits of zero, mmap_begin twice before a commit, playback rewinds, and
# alsa-lib offsets that wrap at 9600 frames against the plugin's 16384-frame
# ring.  PipeWire records this way; a plugin that advanced its position by
# what mmap_begin offered instead of what was committed ended the stream.
. "${top_srcdir}/tests/integration/lib.sh"

MMAPCLIENT="$top_builddir/tests/tools/mmapclient"
rate=48000
frames=$((rate * 2))
"$PCMTOOL" noise S16_LE 2 $frames 22 "$T/in.raw"

for pattern in full partial twice; do
	start_uacd -d "sim:rate=$rate,format=S16_LE,mode=wav,in=$T/in.raw"
	client "$MMAPCLIENT" rec uac 2 $rate "$T/rec.raw" $((frames + rate)) $pattern \
		>"$T/mc.out" 2>&1 || { cat "$T/mc.out"; fail "mmap capture ($pattern)"; }
	cat "$T/mc.out"
	stop_uacd
	grep -q "impossible ring position" "$T/uacd.log" && fail "capture ($pattern): uacd ended the stream"
	# in= arrives whole, after the silence before it started.
	res=$("$PCMTOOL" cmp S16_LE 2 "$T/in.raw" "$T/rec.raw")
	echo "capture $pattern: $res"
	case "$res" in ok:*) ;; *) fail "mmap capture ($pattern) not bit-exact";; esac
done

for pattern in full partial twice rewind; do
	start_uacd -d "sim:rate=$rate,format=S16_LE,mode=wav,out=$T/out.raw"
	client "$MMAPCLIENT" play uac 2 $rate "$T/in.raw" $frames $pattern \
		>"$T/mc.out" 2>&1 || { cat "$T/mc.out"; fail "mmap playback ($pattern)"; }
	cat "$T/mc.out"
	stop_uacd
	res=$("$PCMTOOL" cmp S16_LE 2 "$T/in.raw" "$T/out.raw")
	echo "playback $pattern: $res"
	case "$res" in ok:*) ;; *) fail "mmap playback ($pattern) not bit-exact";; esac
done
echo "PASS: mmap capture and playback bit-exact for every commit pattern"
