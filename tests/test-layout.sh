#!/bin/sh
# The arrows between engine/'s rooms go one way (engine/README.md): fail on
# any #include "engine/ROOM/..." that a file's room may not make.
top=${top_srcdir:-.}
cd "$top" || exit 99
bad=0
check() {	# $1 = folder, $2 = regexp of allowed engine rooms
	for f in $(find "$1" -name '*.[ch]'); do
		grep -Hn '#include "engine/' "$f" | grep -Ev "#include \"engine/($2)" && bad=1
	done
}
check engine/core "core/"
check engine/sim "core/|sim/"
check engine/usb "core/|usb/"
check engine/uacctl "uacctl/|usb/|core/format.h"
# dsp/ and entitlement-policy/ know nothing of the engine
for d in dsp entitlement-policy; do
	grep -rHn '#include "engine/' "$d" && bad=1
done
if [ "$bad" = 0 ]; then echo "ok: every include follows engine/README.md's arrows"; exit 0; fi
echo "FAIL: the includes above point the wrong way (see engine/README.md)"
exit 1
