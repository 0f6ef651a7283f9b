#!/bin/sh
# The plugin advertises the device's channels and their positions (issue
# 14, item 2): speaker-test names the channels from the device's map, a
# request for more channels than the device has is refused, and fewer
# still play.  On main the plugin offered 1-8 channels and no map, so
# speaker-test -c 8 on a 2-channel device "worked" and named no positions.
. "${top_srcdir}/tests/integration/lib.sh"

# 5.1 by default for 6 channels: FL FR FC LFE RL RR.
start_uacd -d "sim:channels=6,mode=silence"
client speaker-test -D uac -c 6 -b 100000 -t sine -l 1 -s 1 >"$T/st.out" 2>&1 || { cat "$T/st.out"; fail "speaker-test -c 6"; }
grep -q "Front Left" "$T/st.out" || { cat "$T/st.out"; fail "speaker-test did not name channel 1 Front Left"; }
for s in 2 3 4 5 6; do
	client speaker-test -D uac -c 6 -b 100000 -t sine -l 1 -s $s >"$T/st$s.out" 2>&1 || { cat "$T/st$s.out"; fail "speaker-test -s $s"; }
done
got=$(cat "$T/st.out" "$T/st2.out" "$T/st3.out" "$T/st4.out" "$T/st5.out" "$T/st6.out" |
	sed -n 's/^  - \(.*\)$/\1/p' | tr '\n' ',')
echo "6-channel sim: $got"
# speaker-test -s walks its own speaking order (FL FC FR RR RL LFE)
[ "$got" = "Front Left,Front Center,Front Right,Rear Right,Rear Left,LFE," ] || fail "positions: $got"

# aplay -v shows the map; 7 channels on a 6-channel device are refused.
client aplay -v -D uac -t raw -f S16_LE -r 48000 -c 6 -d 1 /dev/zero >"$T/v.out" 2>&1 || { cat "$T/v.out"; fail "aplay -v"; }
grep -q "channel map FL FR FC LFE RL RR" "$T/v.out" || { cat "$T/v.out"; fail "aplay -v shows no channel map"; }
out=$(client aplay -D uac -t raw -f S16_LE -r 48000 -c 7 -d 1 /dev/zero 2>&1) && fail "7 channels on a 6-channel device accepted"
echo "$out" | grep -q "Channels count non available" || fail "unexpected refusal text: $out"
client aplay -q -D uac -t raw -f S16_LE -r 48000 -c 2 -d 1 /dev/zero || fail "stereo on the 6-channel device"
stop_uacd

# A declared map (chmap=0x607: FL FR FC SL SR, no LFE) on 5 channels; a
# stereo device offers at most 2 channels.
start_uacd -d "sim:channels=5,chmap=0x607,mode=silence"
client aplay -v -D uac -t raw -f S16_LE -r 48000 -c 5 -d 1 /dev/zero >"$T/v5.out" 2>&1 || { cat "$T/v5.out"; fail "aplay -c 5"; }
grep -q "channel map FL FR FC SL SR" "$T/v5.out" || { cat "$T/v5.out"; fail "chmap=0x607 not shown"; }
stop_uacd
start_uacd -d "sim:mode=silence"
out=$(client aplay -D uac -t raw -f S16_LE -r 48000 -c 8 -d 1 /dev/zero 2>&1) && fail "8 channels on a stereo device accepted"
client aplay -v -D uac -t raw -f S16_LE -r 48000 -c 1 -d 1 /dev/zero >"$T/v1.out" 2>&1 || fail "mono on stereo"
grep -q "channel map FL FR" "$T/v1.out" || { cat "$T/v1.out"; fail "stereo map"; }
stop_uacd
echo "PASS: device channels and positions advertised"
