#!/bin/sh
# Helper for the daemon integration test "an unprivileged user is denied,
# then allowed after the policy is edited and reloaded" (issue 7).  It only
# prepares users and policy files; the test itself drives uacd.
#
#   policy-test-user.sh create NAME          create a system user (no home,
#                                            no login), print its uid
#   policy-test-user.sh remove NAME          delete it again
#   policy-test-user.sh write-deny FILE      a policy: sim claimed, only root
#   policy-test-user.sh write-allow FILE NAME   the same plus "NAME may play
#                                            and record on sim" (rule
#                                            test-user-sim)
#   policy-test-user.sh run-as NAME CMD...   run CMD as NAME with no
#                                            supplementary groups
#
# Needs root for create/remove/run-as: exits 77 (SKIP) without it.  After
# write-allow, `uacctl policy check --policy FILE --uid NAME --device sim
# --action play` must say allow with rule test-user-sim; after write-deny it
# must say deny with rule default-deny.
set -eu

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: $0 $1 needs root (useradd/runuser)" >&2
		exit 77
	fi
}

write_head() {
	cat >"$1" <<'YML'
# written by tests/policy/policy-test-user.sh
version: 1
devices:
  - name: claim-sim
    effect: allow
    match: {kind: sim}
clients:
  - name: root-all
    effect: allow
    actions: all
    match: {uid: 0}
YML
}

cmd=${1:-}
case "$cmd" in
create)
	need_root create
	useradd --system --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin --user-group "$2"
	id -u "$2"
	;;
remove)
	need_root remove
	userdel "$2" 2>/dev/null || true
	;;
write-deny)
	write_head "$2.tmp"
	mv "$2.tmp" "$2"	# atomic: a reload never sees half a file
	;;
write-allow)
	write_head "$2.tmp"
	cat >>"$2.tmp" <<YML
  - name: test-user-sim
    effect: allow
    actions: [play, record]
    devices: sim
    match: {user: $3}
YML
	mv "$2.tmp" "$2"
	;;
run-as)
	need_root run-as
	user=$2
	shift 2
	exec setpriv --reuid="$user" --regid="$user" --clear-groups -- "$@"
	;;
*)
	sed -n '2,20p' "$0" >&2
	exit 2
	;;
esac
