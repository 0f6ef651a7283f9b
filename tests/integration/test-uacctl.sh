#!/bin/sh
# uacctl against a running uacd on sim, and the ALSA ctl plugin:
#  - exit codes: 3 without a daemon, 2 for bad usage, 4 when the policy
#    denies, 1 when the daemon fails the request; --json errors on stdout;
#  - --json of status, stats, devices, hook list, reload, volume: valid
#    JSON (python3 -m json.tool) with exactly the documented keys and the
#    values a sim at 48 kHz must have (feedback 48 frames/packet = 48000 Hz
#    at full speed, latency to the DAC 48 frames = the one 1 ms packet the
#    sim's FIFO holds between cycles; the sim has no fixed latency);
#  - stats --count 2: two refreshes whose frame counters grow;
#  - amixer -D uac: the controls by exact name, a volume set with amixer
#    cset read back with uacctl, a DSP Aux fader that really attenuates,
#    Xruns equal to the daemon's count after a client underran.
. "${top_srcdir}/tests/integration/lib.sh"

command -v python3 >/dev/null || skip "python3 is needed to check the JSON"
command -v amixer >/dev/null || skip "amixer (alsa-utils) not installed"
CTLPLUGIN="$top_builddir/alsa-plugin/.libs/libasound_module_ctl_uac.so"
echo "ctl_type.uac { lib \"$CTLPLUGIN\" }" >> "$HOME/.asoundrc"

# expect CODE STDOUT-FILE CMD...: run CMD, check its exit status.
expect() {
	want=$1 out=$2
	shift 2
	"$@" >"$out" 2>"$out.err"
	got=$?
	[ "$got" = "$want" ] || { cat "$out" "$out.err"; fail "'$*' exited $got, expected $want"; }
}
# same_text FILE TEXT: FILE holds exactly TEXT (one line).
same_text() {
	[ "$(cat "$1")" = "$2" ] || { echo "got:      $(cat "$1")"; echo "expected: $2"; fail "$3"; }
}
# json FILE PYTHON-EXPR...: FILE is valid JSON (json.tool) and each
# expression over it (as `j`) is true; prints the first false one.
json() {
	f=$1
	shift
	python3 -m json.tool "$f" >/dev/null || { cat "$f"; fail "$f: not valid JSON"; }
	python3 - "$f" "$@" <<'EOP' || { cat "$f"; fail "$f: JSON content"; }
import json, sys
j = json.load(open(sys.argv[1]))
for e in sys.argv[2:]:
    if not eval(e):
        print("false:", e)
        sys.exit(1)
EOP
}

# ---- no daemon, usage ------------------------------------------------------
expect 3 "$T/o" "$UACCTL" --socket "$T/none.sock" status
same_text "$T/o.err" "uacctl: cannot connect to uacd at $T/none.sock: No such file or directory" "no-daemon message"
expect 3 "$T/o" "$UACCTL" --socket "$T/none.sock" --json stats
same_text "$T/o" "{\"error\":\"cannot connect to uacd at $T/none.sock\",\"exit\":3}" "no-daemon JSON"
expect 2 "$T/o" "$UACCTL" frobnicate
same_text "$T/o.err" "uacctl: unknown command 'frobnicate' (uacctl --help lists them)" "unknown command"
expect 2 "$T/o" "$UACCTL" stats --count 0
same_text "$T/o.err" "uacctl: stats: --count 0: expected a number above 0 and at most 1e+09" "stats --count 0"
expect 2 "$T/o" "$UACCTL" stats --interval
same_text "$T/o.err" "uacctl: stats: --interval needs a value" "stats --interval"
expect 2 "$T/o" "$UACCTL" mute sim maybe
same_text "$T/o.err" "uacctl: mute maybe: expected on or off" "mute maybe"
expect 2 "$T/o" "$UACCTL" status sim extra
echo "exit codes without a daemon and for bad usage: ok"

# ---- a daemon with a DSP chain that has a Main and an Aux2 fader ----------
rate=48000
cat > "$T/dsp.yml" <<EOC
devices: {samplerate: $rate, chunksize: 256, capture: {channels: 2}, playback: {channels: 2}}
filters:
  vol: {type: Volume, parameters: {ramp_time: 20}}
  aux: {type: Volume, parameters: {ramp_time: 20, fader: Aux2}}
pipeline:
  - {type: Filter, channels: [0, 1], names: [vol, aux]}
EOC
"$PCMTOOL" sine S16_LE 2 $((rate * 3)) $rate 1000 0.5 "$T/sine.raw"
"$PCMTOOL" sine S16_LE 2 $((rate * 30)) $rate 1000 0.5 "$T/long.raw"
start_uacd -D "$T/dsp.yml" -d "sim:rate=$rate,mode=wav,out=$T/out.raw"

expect 1 "$T/o" "$UACCTL" --json status nope
same_text "$T/o" '{"error":"no device named '"'nope'"'","exit":1}' "unknown device JSON"
same_text "$T/o.err" "uacctl: status: no device named 'nope'" "unknown device message"

expect 0 "$T/dev.json" "$UACCTL" --json devices
same_text "$T/dev.json" '[{"name":"sim","kind":"sim","state":"running","format":"S16_LE","rate":48000,"playback_channels":2,"capture_channels":2,"streams":0}]' "devices --json"

expect 0 "$T/hooks.json" "$UACCTL" --json hook list
# the DSP stage runs every cycle (its Volume filters), clients or not
json "$T/hooks.json" "len(j) == 1 and list(j[0]) == ['device', 'name', 'calls', 'errors', 'status']" \
	"[j[0][k] for k in ['device', 'name', 'errors', 'status']] == ['sim', 'dsp', 0, 'playback: $T/dsp.yml; capture: none; reloads 2']" \
	"type(j[0]['calls']) is int and j[0]['calls'] > 0"

# a stream that runs while we look
client_bg aplay -q -D uac --buffer-size=9600 --period-size=2400 -t raw -f S16_LE -r $rate -c 2 "$T/long.raw"
player=$!
sleep 1
expect 0 "$T/status.json" "$UACCTL" --json status
cat "$T/status.json"
DEVKEYS="['name','kind','state','format','rate','playback_channels','capture_channels','rt_policy','rt_priority','feedback','latency_frames','latency_us','cycles','playback_frames','capture_frames','xruns','rejected_clients','cycle_us_max','cycle_us_avg','cpu_percent','cpu_ns','wake_late_us_max','late_cycles','streams_total','streams']"
STREAMKEYS="['id','direction','format','channels','buffer_frames','period_frames','state','frames','xruns','latency_frames','latency_us','error','client','pid']"
json "$T/status.json" \
	"list(j) == ['devices'] and len(j['devices']) == 1" \
	"list(j['devices'][0]) == $DEVKEYS" \
	"[j['devices'][0][k] for k in ['name','kind','state','format','rate','playback_channels','capture_channels']] == ['sim','sim','running','S16_LE',48000,2,2]" \
	"j['devices'][0]['feedback'] == {'frames_per_packet': 48.0, 'packet_us': 1000, 'rate_hz': 48000.0}" \
	"j['devices'][0]['latency_frames'] == 48 and j['devices'][0]['latency_us'] == j['devices'][0]['latency_frames'] * 1000000 // 48000" \
	"(j['devices'][0]['rt_policy'], j['devices'][0]['rt_priority'] > 0) in [('SCHED_FIFO', True), ('SCHED_OTHER', False)]" \
	"0 < j['devices'][0]['cpu_percent'] < 50 and j['devices'][0]['cpu_ns'] > 0" \
	"isinstance(j['devices'][0]['wake_late_us_max'], int) and isinstance(j['devices'][0]['late_cycles'], int)" \
	"j['devices'][0]['playback_frames'] >= 24000 and j['devices'][0]['xruns'] == 0" \
	"j['devices'][0]['streams_total'] == 1 and len(j['devices'][0]['streams']) == 1" \
	"list(j['devices'][0]['streams'][0]) == $STREAMKEYS" \
	"[j['devices'][0]['streams'][0][k] for k in ['direction','format','channels','buffer_frames','period_frames','state','xruns','error','client','pid']] == ['playback','S16_LE',2,9600,2400,'running',0,0,'aplay',$player]" \
	"24000 <= j['devices'][0]['streams'][0]['frames'] <= 48000 * 2" \
	"48 <= j['devices'][0]['streams'][0]['latency_frames'] <= 9600 + 48 + 480"
echo "status --json: ok"

# stats: two refreshes, human and JSON; the counters move between them
expect 0 "$T/stats.txt" "$UACCTL" stats --count 2 --interval 0.3
cat "$T/stats.txt"
[ "$(grep -c '^sim (sim): running, S16_LE 48000 Hz, rt SCHED_' "$T/stats.txt")" = 2 ] || fail "stats: not two device lines"
[ "$(grep -c '^  feedback 48.0000 frames/packet (48000.00 Hz), latency to the DAC ' "$T/stats.txt")" = 2 ] || fail "stats: feedback lines"
[ "$(grep -c "^  stream [0-9]* playback aplay (pid $player): running, frames " "$T/stats.txt")" = 2 ] || fail "stats: stream lines"
[ "$(grep -c '^  scheduling: max wake-up delay [0-9]* us, [0-9]* cycles began over 1 ms late$' "$T/stats.txt")" = 2 ] || fail "stats: scheduling lines"
[ "$(grep -c '^$' "$T/stats.txt")" = 2 ] || fail "stats: each refresh must end with an empty line"
expect 0 "$T/stats.jsonl" "$UACCTL" --json stats sim --count 2 --interval 0.3
[ "$(wc -l < "$T/stats.jsonl")" = 2 ] || fail "stats --json --count 2: not two lines"
head -1 "$T/stats.jsonl" > "$T/s1.json"
tail -1 "$T/stats.jsonl" > "$T/s2.json"
json "$T/s1.json" "list(j['devices'][0]) == $DEVKEYS"
f1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["devices"][0]["streams"][0]["frames"])' "$T/s1.json")
json "$T/s2.json" "list(j['devices'][0]) == $DEVKEYS" \
	"12000 <= j['devices'][0]['streams'][0]['frames'] - $f1 <= 48000"
echo "stats --count 2: ok (stream advanced by $(($(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["devices"][0]["streams"][0]["frames"])' "$T/s2.json") - f1)) frames in 0.3 s)"
kill $player 2>/dev/null
wait $player 2>/dev/null

# ---- ctl plugin -------------------------------------------------------------
expect 0 "$T/amixer.txt" env $CLIENT_ENV amixer -D uac contents
cat "$T/amixer.txt"
grep "name=" "$T/amixer.txt" > "$T/names.txt"
cat > "$T/names.want" <<'EOW'
numid=2,iface=MIXER,name='Master Playback Switch'
numid=1,iface=MIXER,name='Master Playback Volume'
numid=3,iface=MIXER,name='DSP Aux2 Playback Volume'
numid=4,iface=MIXER,name='Latency'
numid=5,iface=MIXER,name='Xruns'
EOW
diff "$T/names.want" "$T/names.txt" || fail "amixer -D uac contents: names"
grep -A1 "name='Master Playback Volume'" "$T/amixer.txt" | grep -q "type=INTEGER,access=rw---R--,values=1,min=-25600,max=0,step=0" || fail "Master Playback Volume type"
grep -A3 "name='DSP Aux2 Playback Volume'" "$T/amixer.txt" | grep -q "dBminmax-min=-100.00dB,max=0.00dB" || fail "Aux2 TLV"
grep -A2 "name='Latency'" "$T/amixer.txt" | grep -q "type=INTEGER,access=r--v----" || fail "Latency is not read-only"
# sim, idle: the iso stream runs anyway and one 1 ms packet (48 frames)
# waits in the FIFO between cycles; the sim adds no fixed latency
lat=$(grep -A2 "name='Latency'" "$T/amixer.txt" | sed -n 's/^  : values=//p')
[ "$lat" = 1000 ] || fail "Latency $lat us, expected 1000"
grep -A2 "name='Xruns'" "$T/amixer.txt" | grep -q ": values=0" || fail "Xruns is not 0"
expect 0 "$T/o" env $CLIENT_ENV amixer -D uac cset name='Master Playback Volume' -- -1536
expect 0 "$T/vol.json" "$UACCTL" --json volume
same_text "$T/vol.json" '{"control":"volume","db":-6.00,"min_db":-100.00,"max_db":0.00}' "volume set by amixer"
expect 1 "$T/o" env $CLIENT_ENV amixer -D uac cset name='Xruns' 5
grep -q "element write error: Operation not permitted" "$T/o.err" || { cat "$T/o.err"; fail "Xruns writable?"; }
echo "amixer: controls, cset read back by uacctl: ok"

stop_uacd

# the Aux2 fader attenuates: -10 dB measured at the DAC (a fresh out.raw)
start_uacd -D "$T/dsp.yml" -d "sim:rate=$rate,mode=wav,out=$T/out.raw"
expect 0 "$T/o" env $CLIENT_ENV amixer -D uac cset name='DSP Aux2 Playback Volume' -- -2560
client aplay -q -D uac -t raw -f S16_LE -r $rate -c 2 "$T/sine.raw" || fail "aplay"
expect 0 "$T/aux.txt" env $CLIENT_ENV amixer -D uac cget name='DSP Aux2 Playback Volume'
grep -q ": values=-2560" "$T/aux.txt" || fail "Aux2 did not keep -10 dB"
stop_uacd
l=$("$PCMTOOL" jump S16_LE 2 "$T/out.raw" 16 $((rate * 3 - 16)) |
	sed 's/.*rms of the last second \([0-9.]*\).*/\1/' |
	awk '{ printf "%.2f\n", 20 * log($1 / (0.5 / sqrt(2))) / log(10) }')
echo "Aux2 at -10 dB: measured $l dB"
[ "$l" = "-10.00" ] || fail "Aux2 level $l dB, expected -10.00"

# Xruns: a client whose input stalls for 300 ms underruns
start_uacd -d "sim:rate=$rate,mode=silence"
{ head -c 38400 "$T/sine.raw"; sleep 0.3; cat "$T/sine.raw"; } |
	client aplay -q -D uac --buffer-size=2048 -t raw -f S16_LE -r $rate -c 2 >/dev/null 2>&1
expect 0 "$T/x.json" "$UACCTL" --json status
xr=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["devices"][0]["xruns"])' "$T/x.json")
[ "$xr" -ge 1 ] || fail "the stalled client caused no xrun"
expect 0 "$T/x.txt" env $CLIENT_ENV amixer -D uac cget name='Xruns'
grep -q "^  : values=$xr\$" "$T/x.txt" || { cat "$T/x.txt"; fail "Xruns control differs from uacctl ($xr)"; }
echo "Xruns = $xr after a stalled client, same in amixer and uacctl: ok"

# reload --json
expect 0 "$T/reload.json" "$UACCTL" --json reload
json "$T/reload.json" "list(j) == ['reloaded', 'message'] and j['reloaded'] is True" \
	"j['message'] == 'policy $POLICY, DSP none, 0 hook(s) on 1 device(s)'"
stop_uacd

# ---- denied: a policy that lets us play but not change controls -------------
cat > "$T/policy.yml" <<EOC
version: 1
devices:
  - {name: claim-sim, effect: allow, match: {kind: sim}}
clients:
  - {name: play-only, effect: allow, actions: [play, record], match: {uid: $(id -u)}}
EOC
UACD_POLICY="$T/policy.yml"
start_uacd -d "sim:mode=silence"
expect 0 "$T/o" "$UACCTL" volume
expect 4 "$T/o" "$UACCTL" volume -3
same_text "$T/o.err" "uacctl: volume: permission denied: control on sim (policy rule 'default-deny': no client rule in $T/policy.yml allows control on \"sim\" for uid $(id -u))" "denied volume"
expect 4 "$T/o" "$UACCTL" --json reload
same_text "$T/o" "{\"error\":\"permission denied: reload on sim (policy rule 'default-deny': no client rule in $T/policy.yml allows reload on \\\"sim\\\" for uid $(id -u))\",\"exit\":4}" "denied reload JSON"
expect 1 "$T/o" "$UACCTL" hook unload nope x
stop_uacd
echo "denied: exit 4: ok"
echo "PASS: uacctl exit codes, JSON, stats; ctl plugin controls"
