#!/bin/sh
# Client-supplied strings (issue 13, item 6): a HELLO name with a newline
# cannot forge a daemon log line, and ESC/BEL in it never reach the
# terminal through `uacctl status` (or `stats`); JSON keeps it, escaped.
. "${top_srcdir}/tests/integration/lib.sh"

BAD="$top_builddir/tests/tools/badclient"
start_uacd -d "sim:rate=48000,mode=silence"
"$BAD" "$UACD_SOCKET" evilname > "$T/evil.out" &
evil=$!
i=0
until grep -q "^ready:" "$T/evil.out"; do
	i=$((i + 1))
	[ $i -le 100 ] && kill -0 $evil 2>/dev/null || { cat "$T/evil.out"; fail "the evil client opened no stream"; }
	sleep 0.1
done
esc=$(printf '\033')
bel=$(printf '\007')
for cmd in status stats; do
	"$UACCTL" $cmd > "$T/$cmd.out" || { kill $evil; fail "uacctl $cmd"; }
	grep -q "evil" "$T/$cmd.out" || { kill $evil; cat "$T/$cmd.out"; fail "uacctl $cmd does not list the evil client"; }
	grep -q "[$esc$bel]" "$T/$cmd.out" && { kill $evil; od -c "$T/$cmd.out" | head -20; fail "ESC or BEL in uacctl $cmd output"; }
	echo "uacctl $cmd: $(grep evil "$T/$cmd.out")"
done
# JSON output stays valid: the name is a JSON string with its escapes
"$UACCTL" --json status > "$T/status.json" || { kill $evil; fail "uacctl --json status"; }
grep -q '"client":"evil' "$T/status.json" || { kill $evil; cat "$T/status.json"; fail "no client in JSON status"; }
grep -q "[$esc$bel]" "$T/status.json" && { kill $evil; fail "raw ESC or BEL in JSON output"; }
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/status.json" || { kill $evil; fail "uacctl --json status is not JSON"; }
fi
kill $evil
wait $evil 2>/dev/null
stop_uacd
grep -q "^uacd: sim: hook x.so loaded by root" "$T/uacd.log" && fail "a client name forged a log line"
grep -q "[$esc$bel]" "$T/uacd.log" && fail "ESC or BEL in the daemon log"
grep -q "opened by evil?uacd: sim: hook x.so loaded by root" "$T/uacd.log" || fail "the stream open was not logged with the cleaned name"
echo "PASS: client names cannot forge log lines or reach the terminal raw"
