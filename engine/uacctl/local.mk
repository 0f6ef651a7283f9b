# engine/uacctl: the control CLI.
bin_PROGRAMS += engine/uacctl/uacctl
engine_uacctl_uacctl_SOURCES = engine/uacctl/uacctl.c engine/uacctl/uacctl.h \
	engine/uacctl/uacctl-stats.c
engine_uacctl_uacctl_LDADD = $(engine_libs) entitlement-policy/libuacpolicy.la $(engine_libs_ext)
