#!/bin/sh
# Hook files (issue 13, item 7): uacd runs a hook's code with its own rights,
# so it loads only a file owned by root or its own user, writable by nobody
# else, below directories nobody else can write (a root-owned sticky one
# such as /tmp excepted), and what it checks is the fd it loads.
. "${top_srcdir}/tests/integration/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root (chown to another user)"
id nobody >/dev/null 2>&1 || skip "no user 'nobody'"
HOOKS="$top_builddir/tests/hooks/.libs"
uid=$(id -u nobody)
chmod 0755 "$T"

# A 0644 hook owned by another user, in a directory of its own: refused
mkdir "$T/theirs"; chmod 0755 "$T/theirs"
cp "$HOOKS/hook-invert.so" "$T/theirs/h.so"; chmod 0644 "$T/theirs/h.so"
chown nobody "$T/theirs/h.so"
start_uacd -d sim
rc=0
out=$("$UACCTL" hook load sim "$T/theirs/h.so" write_end 2>&1) || rc=$?
[ $rc != 0 ] || fail "a hook owned by uid $uid was loaded"
echo "$out" | grep -q "hook $T/theirs/h.so: owned by uid $uid, not by root or uacd's user (uid 0): refused" ||
	fail "no clear error: $out"
[ $rc = 1 ] || fail "refused hook exits $rc, expected 1"

# ... and the same file owned by root, in a directory that user owns: refused
chown root "$T/theirs/h.so"; chown nobody "$T/theirs"
out=$("$UACCTL" hook load sim "$T/theirs/h.so" write_end 2>&1) && fail "a hook in uid $uid's directory was loaded"
echo "$out" | grep -q "hook $T/theirs/h.so: directory $T/theirs is owned by uid $uid, not by root or uacd's user (uid 0): refused" ||
	fail "no clear error: $out"

# A root-owned hook in a root-owned directory anyone can write (not sticky): refused
mkdir "$T/open"; chmod 0777 "$T/open"
cp "$HOOKS/hook-invert.so" "$T/open/h.so"; chmod 0644 "$T/open/h.so"
out=$("$UACCTL" hook load sim "$T/open/h.so" write_end 2>&1) && fail "a hook in a 0777 directory was loaded"
echo "$out" | grep -q "hook $T/open/h.so: directory $T/open is writable by others: refused" ||
	fail "no clear error: $out"

# A symlink to a good hook: refused (the file is opened with O_NOFOLLOW)
mkdir "$T/good"; chmod 0755 "$T/good"
cp "$HOOKS/hook-invert.so" "$T/good/h.so"; chmod 0644 "$T/good/h.so"
ln -s "$T/good/h.so" "$T/good/link.so"
out=$("$UACCTL" hook load sim "$T/good/link.so" write_end 2>&1) && fail "a symlinked hook was loaded"
echo "$out" | grep -q "hook $T/good/link.so: is a symbolic link: refused" || fail "no clear error: $out"

# Root-owned 0644 file in a root-owned 0755 directory (below sticky /tmp): loads
"$UACCTL" hook load sim "$T/good/h.so" write_end || fail "a good hook was refused"
"$UACCTL" hook list | grep -q "sim	invert	" || fail "loaded hook not listed"
stop_uacd

# The same checks at startup (-H, hook lines of uacd.conf)
chown nobody "$T/good/h.so"
"$UACD" -f -s "$T/other.sock" --no-mlock -d sim -H "$T/good/h.so write_end" > "$T/bad.out" 2>&1 &&
	fail "uacd started with a hook owned by uid $uid"
grep -q "hook $T/good/h.so: owned by uid $uid, not by root or uacd's user (uid 0): refused" "$T/bad.out" ||
	{ cat "$T/bad.out"; fail "no clear startup error"; }
echo "PASS: hook files are checked on the fd that is loaded"
