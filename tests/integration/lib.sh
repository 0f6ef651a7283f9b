# Shared setup for integration tests: a private uacd on a private socket,
# alsa-lib pointed at the freshly built plugin through a private HOME, and
# the sanitizer runtime preloaded into ALSA clients when the build uses it.
set -u
: "${top_builddir:?run through make check}"
: "${top_srcdir:?run through make check}"

T=$(mktemp -d /tmp/uacd-test.XXXXXX)
export HOME="$T/home"
mkdir -p "$HOME"
export UACD_SOCKET="$T/uacd.sock"
PCMTOOL="$top_builddir/tests/tools/pcmtool"
UACD="$top_builddir/engine/daemon/uacd"
UACCTL="$top_builddir/engine/uacctl/uacctl"
PLUGIN="$top_builddir/alsa-plugin/.libs/libasound_module_pcm_uac.so"
POLICY="$top_srcdir/entitlement-policy/policy.yml"
UACD_PID=
UACD_WRAPPER=

cat > "$HOME/.asoundrc" <<EOC
pcm_type.uac { lib "$PLUGIN" }
<$top_srcdir/alsa-plugin/50-uac.conf>
EOC

# ALSA clients load our (possibly sanitized) plugin: give them the runtime.
CLIENT_ENV=
SANITIZED=0
if nm -D "$PLUGIN" 2>/dev/null | grep -q __asan_init; then
	CLIENT_ENV="LD_PRELOAD=$(gcc -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0"
	SANITIZED=1	# everything runs several times slower: tests that race time allow for it
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

# These tests check what arrives, not scheduling (xruns have their own
# tests): where allowed, clients run at SCHED_FIFO like real low-latency
# clients, so a VM test or a sanitizer build next door cannot starve them.
CLIENT_RT=
if chrt -f 10 true 2>/dev/null; then
	CLIENT_RT="chrt -f 10"
fi
client() { $CLIENT_RT env $CLIENT_ENV "$@"; }
# In the background: exec, so that $! is the program itself (kill hits it).
client_bg() { ( exec $CLIENT_RT env $CLIENT_ENV "$@" ) & }

fail() { echo "FAIL: $*"; dump_log; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
dump_log() { [ -f "$T/uacd.log" ] && sed 's/^/  uacd| /' "$T/uacd.log" | tail -n 40; }

start_uacd() {
	# start_uacd [uacd options...]; waits until the socket answers
	${UACD_WRAPPER:-} "$UACD" -f -v -s "$UACD_SOCKET" --no-mlock --policy "${UACD_POLICY:-$POLICY}" "$@" >"$T/uacd.log" 2>&1 &
	UACD_PID=$!
	i=0
	while [ ! -S "$UACD_SOCKET" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$UACD_PID" 2>/dev/null; then
			fail "uacd did not start"
		fi
		sleep 0.05
	done
}

stop_uacd() {
	[ -n "$UACD_PID" ] || return 0
	kill -TERM "$UACD_PID" 2>/dev/null
	wait "$UACD_PID"
	rc=$?
	UACD_PID=
	[ $rc = 0 ] || fail "uacd exited with status $rc"
}

cleanup() {
	if [ -n "$UACD_PID" ]; then kill -KILL "$UACD_PID" 2>/dev/null; wait "$UACD_PID" 2>/dev/null; fi
	rm -rf "$T"
}
trap cleanup EXIT
