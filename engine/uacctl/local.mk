# engine/uacctl: the control CLI.  It links what it uses and no more: the
# client library (socket), the descriptor model and the bus reader (for
# `describe`), the policy library (for `policy`); not the engine.
bin_PROGRAMS += engine/uacctl/uacctl
engine_uacctl_uacctl_SOURCES = engine/uacctl/uacctl.c engine/uacctl/uacctl.h \
	engine/uacctl/uacctl-stats.c
engine_uacctl_uacctl_LDADD = engine/client/libuacdclient.la engine/usb/libuacdusbread.la \
	engine/usb/libuacdusbdesc.la entitlement-policy/libuacpolicy.la -lm
