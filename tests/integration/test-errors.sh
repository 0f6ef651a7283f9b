#!/bin/sh
# Clear errors: no daemon, bad device specs, bad config lines, bad options.
. "${top_srcdir}/tests/integration/lib.sh"

out=$(client aplay -D uac -t raw -f S16_LE -r 48000 -c 2 /dev/zero 2>&1) && fail "aplay without uacd succeeded"
echo "$out" | grep -q "uac: cannot connect to uacd at $UACD_SOCKET: No such file or directory" ||
	{ echo "$out"; fail "no clear message without a daemon"; }
echo "no daemon: ok"

check() {
	# check EXPECTED-TEXT uacd-args...
	want=$1; shift
	out=$("$UACD" -f -s "$T/x.sock" "$@" 2>&1) && fail "uacd $* succeeded"
	echo "$out" | grep -qF "$want" || { echo "$out"; fail "uacd $*: expected '$want'"; }
	echo "uacd $*: $want"
}
check "sim: rate=1234: supported rates are 44100, 48000, 88200, 96000, 176400, 192000" -d sim:rate=1234
check "sim: unknown option 'bogus'" -d sim:bogus=1
check "sim: format=S8: expected S16_LE, S24_LE, S24_3LE, S32_LE or FLOAT_LE" -d sim:format=S8
check "sim: in= and out= need mode=wav" -d sim:out=/tmp/x.raw
check "device spec 'hdmi': expected sim[:options]" -d hdmi
check "uacd: --priority 100: expected 0 (off) to 99" -p 100
printf 'socket = /tmp/a\nfrobnicate = yes\n' > "$T/bad.conf"
check "$T/bad.conf:2: unknown key 'frobnicate'" -c "$T/bad.conf"
printf 'rt_priority = high\n' > "$T/bad.conf"
check "$T/bad.conf:1: rt_priority: expected 0 (off) to 99, got 'high'" -c "$T/bad.conf"
check "$T/missing.conf: No such file or directory" -c "$T/missing.conf"
check "the policy decides who may use uacd; see uacd-policy.yml(5)" --policy "$T/missing-policy.yml"
printf 'version: 1\ndevices:\n  - name: no-sim\n    effect: deny\n    match: {kind: sim}\nclients: []\n' > "$T/nosim.yml"
check "uacd: device sim may not be claimed: policy rule 'no-sim'" --policy "$T/nosim.yml"

# rate constraint: a second client must use the running rate
start_uacd -d "sim:rate=48000,mode=silence"
client_bg aplay -q -D uac -t raw -f S16_LE -r 48000 -c 2 -d 3 /dev/zero
first=$!
sleep 0.5
out=$(client aplay -D uac -t raw -f S16_LE -r 44100 -c 2 -d 1 /dev/zero 2>&1)
echo "$out" | grep -q "rate is not accurate (requested = 44100Hz, got = 48000Hz)" ||
	{ echo "$out"; fail "second client was not held to the running rate"; }
"$UACCTL" devices | grep -q "48000 Hz" || fail "device rate changed under a running stream"
wait $first
# the first client of an idle device may choose the rate
client aplay -q -D uac -t raw -f S16_LE -r 96000 -c 2 -d 1 /dev/zero || fail "rate switch on idle device"
"$UACCTL" devices | grep -q "96000 Hz" || fail "idle device did not switch to 96 kHz"
grep -q "rate switched to 96000 Hz" "$T/uacd.log" || fail "no log line for the rate switch"
stop_uacd
echo "PASS: errors are clear"
