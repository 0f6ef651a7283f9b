#!/bin/sh
# The newcomer's command: install what uacd needs, build, install, start uacd
# on the built-in simulated device and play + record through ALSA with the
# ordinary tools (aplay -D uac, arecord -D uac).  Run as root on Debian 12.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=/tmp/uacd-demo
say() { printf '\n== %s\n' "$*"; }

say "installing build and runtime dependencies (apt)"
./scripts/install-deps.sh

say "building"
./autogen.sh >/dev/null 2>&1
mkdir -p _build/demo
cd _build/demo
"$top/configure" -q --prefix=/usr --sysconfdir=/etc --localstatedir=/var --runstatedir=/run
make -s -j"$(nproc)"

say "installing (make install)"
make -s install >/dev/null
ldconfig
cd "$top"

say "starting uacd on the simulated device (sim: UAC2, 48 kHz S16_LE stereo, loopback)"
pkill -x uacd 2>/dev/null && sleep 0.5 || true
uacd -d sim:mode=loopback,drift_ppm=50
uacctl devices

say "playing a 3 s test signal through aplay -D uac while arecord -D uac records it"
rm -rf "$out"; mkdir -p "$out"
sox -q -n -r 48000 -c 2 -b 16 "$out/played.wav" synth 2.5 sine 440 sine 660 gain -6 pad 0 0.5
arecord -D uac -f S16_LE -r 48000 -c 2 -d 4 "$out/recorded.wav" 2>"$out/arecord.log" &
rec=$!
sleep 0.3
aplay -D uac "$out/played.wav"
wait $rec
cat "$out/arecord.log"

say "what the driver saw (uacctl status)"
uacctl status

say "result"
played=$(sox --i -s "$out/played.wav")
recorded=$(sox --i -s "$out/recorded.wav")
echo "played:   $out/played.wav ($played frames)"
echo "recorded: $out/recorded.wav ($recorded frames, loopback of what the device played)"
echo "levels (RMS):"
printf '  played   %s\n' "$(sox "$out/played.wav" -n stat 2>&1 | sed -n 's/^RMS *amplitude: *//p')"
printf '  recorded %s\n' "$(sox "$out/recorded.wav" -n stat 2>&1 | sed -n 's/^RMS *amplitude: *//p')"
echo "uacd keeps running on /run/uacd/uacd.sock: try 'aplay -D uac song.wav', 'uacctl status',"
echo "and stop it with 'pkill uacd'."
