# engine/client: the client side of uacd's socket (socket path, connect,
# HELLO, request/reply with passed descriptors and a timeout), one copy for
# the ALSA plugins and uacctl.  Only libc and include/uacd: the plugins
# link it into their shared objects, PIC (libtool's convenience objects),
# with its symbols hidden so that they export only their ALSA entry points.
noinst_LTLIBRARIES += engine/client/libuacdclient.la
engine_client_libuacdclient_la_SOURCES = \
	engine/client/uacd-client.c engine/client/uacd-client.h
engine_client_libuacdclient_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
