#!/bin/sh
# speaker-test -D uac -c 2 -t sine -l 2 runs clean: exit 0, no xrun in the
# daemon, no FIFO underflow or overflow in the device.
. "${top_srcdir}/tests/integration/lib.sh"

start_uacd -d "sim:mode=silence"
client speaker-test -D uac -c 2 -t sine -l 2 >"$T/st.out" 2>&1 || { cat "$T/st.out"; fail "speaker-test failed"; }
grep -qiE "error|underrun|xrun" "$T/st.out" && { cat "$T/st.out"; fail "speaker-test reported a problem"; }
"$UACCTL" status > "$T/status" || fail "uacctl status"
cat "$T/status"
grep -q "xruns 0, rejected clients 0" "$T/status" || fail "daemon counted xruns"
grep -q "underflow 0, overflow 0 frames" "$T/status" || fail "device FIFO glitched"
stop_uacd
echo "PASS: speaker-test clean"
