#!/bin/sh
# The arrows between engine/'s rooms go one way (engine/README.md): fail on
# any #include "engine/ROOM/..." that a file's room may not make.
top=${top_srcdir:-.}
cd "$top" || exit 99
bad=0
check() {	# $1 = folders or files, $2 = regexp of allowed engine rooms
	for f in $(find $1 -name '*.[ch]'); do
		grep -Hn '#include "engine/' "$f" | grep -Ev "#include \"engine/($2)" && bad=1
	done
}
check engine/core "core/"
check engine/sim "core/|sim/"
check engine/usb "core/|usb/"
# struct uacd_device is core's: the transports see it through
# core/transport.h, the daemon through core/uacd-device.h, never the struct
for f in $(find engine -name '*.[ch]' ! -path 'engine/core/*'); do
	grep -Hn '#include "engine/core/device.h"' "$f" && bad=1
done
# the daemon sees a device through core/uacd-device.h, where it is opaque:
# never core/device.h (the struct, the transport ops, the RT calls)
check engine/daemon "daemon/|usb/|sim/|core/uacd-device.h|core/dsp-stage.h|core/log.h|core/format.h"
# uacctl links the client, the descriptor model, the bus reader and the
# policy, not the engine: only their headers, and the pure format names.
check engine/uacctl "uacctl/|client/|usb/usb-describe.h|usb/usb-descriptors.h|usb/usb-read.h|core/format-name.h"
# libuacdusbread (what uacctl takes of usb/) needs nothing of core's code
check "engine/usb/usb-find.c engine/usb/usb-find.h engine/usb/usb-read.h engine/usb/usb-spec.c" \
	"usb/|core/format-name.h"
# the client library (linked into the ALSA plugins) includes only itself
# and include/uacd; the plugins take nothing else of the engine
check engine/client "client/"
grep -Hn '#include "' $(find engine/client -name '*.[ch]') |
	grep -Ev '#include "(config.h|engine/client/)' && bad=1
check alsa-plugin "client/"
# dsp/ and entitlement-policy/ know nothing of the engine
for d in dsp entitlement-policy; do
	grep -rHn '#include "engine/' "$d" && bad=1
done
# the shared YAML reader stands below both: nothing of engine/, dsp/ or
# entitlement-policy/ (engine/README.md, "Outside engine/")
grep -rHnE '#include "(engine|dsp|entitlement-policy)/' yaml && bad=1
if [ "$bad" = 0 ]; then echo "ok: every include follows engine/README.md's arrows"; exit 0; fi
echo "FAIL: the includes above point the wrong way (see engine/README.md)"
exit 1
